"""A pooled connection that the database server dropped (restarted, ended it, or a firewall closed it for
being idle) is replaced before a respondent's request uses it, without a round trip to the server for every
request (extensions.ping_when_idle)."""
import pytest
from sqlalchemy import text

import extensions
from app import create_app
from tests.builders import make_org, make_survey
from tests.conftest import IsolatedClient

QUESTIONS = [{"kind": "single_choice", "prompt": "Hvor tit er du i bymidten?", "choices": ["Hver dag", "Sjældent"]}]


@pytest.fixture
def server(app, db):
    """An app server of its own, so its pool holds exactly the connection its requests used."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a SQLite file cannot drop a connection")
    own = create_app({**{key: app.config[key] for key in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "RATELIMIT_STORAGE_URI")},
        "PROPAGATE_EXCEPTIONS": False})  # a failed request gets the error page, as in production
    own.test_client_class = IsolatedClient
    yield own
    with own.app_context():
        extensions.db.engine.dispose()


def first_screen(phone, survey) -> str:
    started = phone.get(f"/s/{survey.slug}")
    assert started.status_code == 303
    return started.location


def drop_pooled_connection(server, db) -> None:
    """What a restarted server or a firewall does to the connection lying in `server`'s pool."""
    with server.app_context():
        engine = extensions.db.engine
        assert engine.pool.checkedin() == 1
        with engine.connect() as connection:
            pid = connection.connection.driver_connection.info.backend_pid
    assert db.session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    db.session.commit()
    # The server ends the backend on its own time: wait until it has.
    db.session.execute(text("""DO $$ BEGIN
        FOR i IN 1..500 LOOP
            EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %d);
            PERFORM pg_sleep(0.01);
        END LOOP; END $$""" % pid))
    db.session.commit()


def test_a_connection_dropped_without_a_word_while_it_lay_unused_is_replaced_before_a_respondent_sees_it(
        server, db, monkeypatch):
    """A firewall that drops an idle connection tells neither end: only the time it lay unused can tell."""
    survey = make_survey(db, make_org(db), QUESTIONS)
    db.session.commit()
    phone = server.test_client()
    screen = first_screen(phone, survey)
    assert phone.get(screen).status_code == 200
    drop_pooled_connection(server, db)
    monkeypatch.setattr(extensions, "_server_spoke", lambda _connection: False)  # no word of it
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 0)  # it has lain unused long enough

    page = phone.get(screen)
    assert page.status_code == 200
    assert "Hvor tit er du i bymidten?" in page.get_data(as_text=True)


def test_a_connection_the_server_ended_a_moment_after_its_last_use_is_replaced_without_asking_the_server(
        server, db, monkeypatch):
    """A restart in the middle of a busy hour: the connections were used a moment ago, so none is pinged, but
    the server said it was ending them, and that is seen without a round trip."""
    survey = make_survey(db, make_org(db), QUESTIONS)
    db.session.commit()
    phone = server.test_client()
    screen = first_screen(phone, survey)
    assert phone.get(screen).status_code == 200
    monkeypatch.setattr(extensions, "PING_AFTER_IDLE_SECONDS", 3600)  # used a moment ago: no ping for that
    pings = []
    with server.app_context():
        ping = extensions.db.engine.dialect.do_ping
        monkeypatch.setattr(extensions.db.engine.dialect, "do_ping", lambda c: pings.append(1) or ping(c))
    assert phone.get(screen).status_code == 200 and pings == []  # a busy connection costs no ping

    drop_pooled_connection(server, db)
    page = phone.get(screen)
    assert page.status_code == 200
    assert "Hvor tit er du i bymidten?" in page.get_data(as_text=True)
    assert pings == [1]
