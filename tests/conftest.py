"""Fixtures shared by every test: one app and database per run, emptied after each test.

The database is SQLite in a temporary folder, or PostgreSQL when
TEST_DATABASE_URL is set (`make test` runs the suite on both). The schema is
made by the committed Alembic migrations, so the tests also prove those.
"""
import contextvars
import os
import re

import pytest
from flask import url_for
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from extensions import db as _db
from extensions import limiter


class IsolatedClient(FlaskClient):
    """Each request runs in an empty context, as in production.

    Without this, a request would reuse the app context the test holds open,
    sharing its `g` (cached locale) and its database session with the test.
    """

    def open(self, *args, **kwargs):
        # Buffered: a streamed body is read inside the same context that made it.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL") or \
        "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        if url.startswith("postgresql"):
            _db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            _db.session.commit()
        upgrade()
    return app


@pytest.fixture(autouse=True)
def db(app):
    """The database session inside an app context; every row is deleted after the test."""
    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(table.delete())
        _db.session.commit()
        limiter.reset()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright, for tests/browser/ and tests/deploy/ alike."""
    from tests.browsing import launch_chromium

    playwright, browser = launch_chromium()
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def client(app):
    return app.test_client()


def routes_taking(app, argument: str, values: dict) -> list[tuple[str, str]]:
    """(method, url) for every route whose rule takes `argument`, filled in from `values`;
    found from the URL map, so a route added later is checked without touching the test."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if argument in rule.arguments:
                url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
                urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on `url`, as a browser would read it."""
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return CSRF.search(page).group(1)


@pytest.fixture
def staff(client):
    """Sign a user in through the real login form: `staff(user)`; returns the client."""
    def login(user, password="correct horse battery"):
        token = csrf_token(client, "/staff/login")
        response = client.post("/staff/login", data={"csrf_token": token, "email": user.email,
                                                     "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return login


def statements_during(db, action) -> list[str]:
    """The first word (SELECT, INSERT, ...) of every SQL statement the database ran during `action()`."""
    from sqlalchemy import event

    seen = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return seen
