"""Municipal IT backs up the live SQLite database while young people answer, and restores it.

These tests run on a live database of their own in a temporary folder, never
on the shared test database: the backup command reads the file itself.
"""
import http.cookiejar
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from extensions import db
from surveys.models import Answer, Response
from tests.builders import make_org, make_survey
from tests.conftest import CSRF
from tests.test_migrations import FIRST

ROOT = Path(__file__).resolve().parents[2]
PLACES = ["Skateparken", "Biblioteket", "Havnen", "Torvet"]
SUBMITTERS = 3
# Responses stored before the backup starts: the copy must hold at least these.
BEFORE_BACKUP = 30


def make_app(database: Path):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "test-secret-key",
                       "RATELIMIT_STORAGE_URI": "memory://"})


@pytest.fixture
def live(tmp_path):
    """(app, database file, survey slug, choice ids): a migrated database with one open survey of a single
    screen where people tick all four places, so each submission commits a response and its four answers
    at once, and a copy can be checked for responses that are only half there."""
    database = tmp_path / "live" / "bypuls.sqlite3"
    database.parent.mkdir()
    app = make_app(database)
    with app.app_context():
        upgrade()
        survey = make_survey(db, make_org(db), [{"kind": "multiple_choice", "choices": PLACES,
                                                 "prompt": "Hvor mødes du med venner?"}])
        choices = [str(c.id) for c in survey.questions[0].choices]
        return app, database, survey.slug, choices


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@contextmanager
def served(app):
    """The base URL of `app` served over real HTTP on a free port, with threads as in production."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="backup-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=30)


def phone():
    """A plain HTTP client with its own cookies, talking to 127.0.0.1 directly (no proxy from the environment)."""
    return urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                       urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))


def answer_once(opener, base: str, slug: str, choices: list[str]) -> None:
    """Scan, read the form with its CSRF token, tick every place and send, as a phone without JavaScript does."""
    page = opener.open(f"{base}/s/{slug}", timeout=60)
    html = page.read().decode()
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    field = "q" + action.rsplit("/", 1)[1]
    form = urllib.parse.urlencode({"csrf_token": CSRF.search(html).group(1), field: choices}, doseq=True)
    thanks = opener.open(urllib.parse.urljoin(page.url, action), data=form.encode(), timeout=60)
    assert thanks.url.endswith("/tak"), thanks.url


@contextmanager
def young_people_answering(base: str, slug: str, choices: list[str]):
    """SUBMITTERS threads answering over and over until the block ends; yields the list of their errors."""
    stop, errors = threading.Event(), []

    def keep_answering():
        opener = phone()
        try:
            while not stop.is_set():
                answer_once(opener, base, slug, choices)
        except Exception as error:  # noqa: BLE001 - handed to the test, which fails with it
            errors.append(error)

    threads = [threading.Thread(target=keep_answering, name=f"submitter-{n}") for n in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    try:
        yield errors
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    assert not errors, errors


def responses_in(database: Path) -> int:
    with closing(sqlite3.connect(database, timeout=30)) as sql:
        return sql.execute("SELECT count(*) FROM responses").fetchone()[0]


def wait_until(condition, errors: list, what: str, seconds: float = 300) -> None:
    """Wait for `condition()` however slow the machine is; fail at once if a submitter failed."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert not errors, errors
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.05)


def flask_backup(database: Path, *args: str) -> subprocess.CompletedProcess:
    """The backup command as cron runs it: its own process, the database named by DATABASE_URL."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "BYPULS_ENV": "development"}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", "backup", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def invoke_backup(app, *args: str):
    """The backup command in this process, on `app`'s database: inside the test's own app context a
    command would use whatever app is current (the shared test app), not the one it was made for."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=["backup", *args])


def test_it_admin_backing_up_while_young_people_answer_gets_a_whole_copy_that_restores(live, tmp_path):
    app, database, slug, choices = live
    backup = tmp_path / "backups" / "bypuls-2026-05-01.sqlite3"
    backup.parent.mkdir()
    with served(app) as base, young_people_answering(base, slug, choices) as errors:
        wait_until(lambda: responses_in(database) >= BEFORE_BACKUP, errors, f"{BEFORE_BACKUP} responses")
        before = responses_in(database)
        result = flask_backup(database, str(backup))
        after = responses_in(database)
    assert result.returncode == 0, result.stderr
    assert os.listdir(backup.parent) == [backup.name], "no temporary file is left behind"
    assert backup.stat().st_mode & 0o777 == 0o600, "a copy of people's answers is for its owner only"

    # Restore as README says: copy the backup into place and start Bypuls on it.
    restored_file = tmp_path / "restored" / "bypuls.sqlite3"
    restored_file.parent.mkdir()
    shutil.copyfile(backup, restored_file)
    restored = make_app(restored_file)
    with restored.app_context():
        answers_per_response = db.session.execute(
            select(Response.completed_at, func.count(Answer.id)).outerjoin(Answer).group_by(Response.id)).all()
        db.session.remove()
    held = len(answers_per_response)
    assert before <= held <= after, (before, held, after)
    assert all(completed and count == len(PLACES) for completed, count in answers_per_response), \
        "every response in the copy is whole, with all its answers"
    assert f"Responses: {held}, of which {held} completed" in result.stdout, result.stdout
    assert "integrity ok" in result.stdout
    assert restored.test_client().get(f"/s/{slug}").status_code == 303, "the restored survey takes answers"


def test_it_admin_cannot_overwrite_an_earlier_backup_by_mistake(live, tmp_path):
    app, _database, _slug, _choices = live
    earlier = tmp_path / "bypuls.sqlite3"
    earlier.write_bytes(b"last week's backup")

    refused = invoke_backup(app, str(earlier))
    assert refused.exit_code != 0
    assert "exists already" in refused.output and "--overwrite" in refused.output
    assert earlier.read_bytes() == b"last week's backup"

    replaced = invoke_backup(app, "--overwrite", str(earlier))
    assert replaced.exit_code == 0, replaced.output
    with closing(sqlite3.connect(earlier)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("SELECT count(*) FROM surveys").fetchone() == (1,)
    assert sorted(os.listdir(tmp_path)) == ["bypuls.sqlite3", "live"]


def test_it_admin_on_postgresql_is_told_the_pg_dump_command_instead(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://bypuls:hemmelig@db.example.dk:5433/bypuls",
                      "SECRET_KEY": "test-secret-key", "RATELIMIT_STORAGE_URI": "memory://"})
    target = tmp_path / "bypuls.dump"

    result = invoke_backup(app, str(target))

    assert result.exit_code != 0
    assert (f"pg_dump --format=custom --host=db.example.dk --port=5433 --username=bypuls --dbname=bypuls "
            f"--file={target}") in result.output
    assert "pg_restore" in result.output
    assert "hemmelig" not in result.output, "the password is never printed"
    assert not target.exists()


def test_it_admin_backs_up_an_old_database_before_upgrading_it(tmp_path):
    database = tmp_path / "bypuls.sqlite3"
    app = make_app(database)
    with app.app_context():
        upgrade(revision=FIRST)  # before competitions existed

    result = invoke_backup(app, str(tmp_path / "before-upgrade.sqlite3"))

    assert result.exit_code == 0, result.output
    assert "Responses: 0, of which 0 completed. Idea competitions: 0. Ideas: 0." in result.output
