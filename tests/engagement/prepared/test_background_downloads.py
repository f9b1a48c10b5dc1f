"""Downloads too big to make while a worker waits are made in the background: the request sends staff to a
page with a progress bar, any app server's poll takes over a job whose process died, and the file that
comes out is the file the direct download gives."""
import io
import logging
import os
import re
import runpy
import threading
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.exceptions import ServiceUnavailable

from engagement import prepared
from engagement.prepared import runner, services
from engagement.prepared.models import DownloadStatus, PreparedDownload
from extensions import utcnow
from tests.builders import make_org, make_user
from tests.conftest import csrf_token, routes_taking
from tests.engagement.prepared import every_kind_survey_with_answers, wait_until_finished

PAGE = re.compile(r"^/staff/downloads/(\d+)$")
GUNICORN_CONF = Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def lead(db, org, staff):
    """The project lead, signed in."""
    return staff(make_user(db, org, role="editor"))


@pytest.fixture
def small_limit(app, monkeypatch):
    """Exports of more than 3 responses go to the background."""
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_LIMIT", 3)


def started_download(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 303, response.status_code
    return int(PAGE.match(response.location).group(1))


def the_download(db, download_id) -> PreparedDownload:
    db.session.expire_all()
    return db.session.get(PreparedDownload, download_id)


def cells(body: bytes) -> list[list]:
    return [[cell.value for cell in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_above_the_limit_is_made_in_the_background_and_is_the_file_the_direct_download_gives(
        app, db, org, lead, monkeypatch, kind):
    survey = every_kind_survey_with_answers(db, org, 4, unfinished=1)
    url = f"/staff/surveys/{survey.id}/export.{kind}?incomplete=1"
    direct = lead.get(url)
    assert direct.status_code == 200
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_LIMIT", 4)

    download_id = started_download(lead, url)
    page = lead.get(f"/staff/downloads/{download_id}").get_data(as_text=True)
    assert f"Svarene på »{survey.title}«" in page and "<progress" in page
    state = wait_until_finished(lead, download_id)
    assert state["status"] == "ready" and state["done"] == state["total"] == 5
    assert "5 af 5 svar" == state["text"]

    got = lead.get(f"/staff/downloads/{download_id}/file")
    assert got.status_code == 200 and got.mimetype == direct.mimetype
    assert got.headers["Content-Disposition"] == direct.headers["Content-Disposition"]
    assert got.headers["Cache-Control"] == "private, no-store"
    if kind == "csv":
        assert got.get_data() == direct.get_data()
    else:  # the zip inside an .xlsx carries the time it was written
        assert cells(got.get_data()) == cells(direct.get_data())
    ready = lead.get(f"/staff/downloads/{download_id}").get_data(as_text=True)
    assert f'href="/staff/downloads/{download_id}/file"' in ready and "Filen er klar" in ready
    assert f'href="/staff/surveys/{survey.id}/results?incomplete=1"' in ready  # back where they came from


def test_an_export_at_the_limit_is_still_sent_at_once(app, db, org, lead, monkeypatch):
    survey = every_kind_survey_with_answers(db, org, 3)
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_LIMIT", 3)
    assert lead.get(f"/staff/surveys/{survey.id}/export.csv").status_code == 200
    assert db.session.scalar(select(PreparedDownload.id)) is None


def test_a_double_click_or_a_reload_starts_no_second_export(app, db, org, lead, small_limit):
    survey = every_kind_survey_with_answers(db, org, 5)
    url = f"/staff/surveys/{survey.id}/export.xlsx"
    first = started_download(lead, url)
    assert started_download(lead, url) == first
    wait_until_finished(lead, first)
    assert started_download(lead, url) == first  # ready a moment ago: the same file
    assert started_download(lead, url + "?incomplete=1") != first  # other filters, another file
    assert started_download(lead, f"/staff/surveys/{survey.id}/export.csv") != first


def test_only_the_person_who_asked_sees_the_page_the_progress_and_the_file(app, db, org, lead, small_limit):
    survey = every_kind_survey_with_answers(db, org, 5)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    wait_until_finished(lead, download_id)
    urls = routes_taking(app, "download_id", {"download_id": download_id})
    assert len(urls) >= 4
    token = csrf_token(lead, "/staff/surveys/")
    for method, url in urls:
        assert lead.open(url, method=method, data={"csrf_token": token}).status_code in (200, 303), url
    for colleague in (make_user(db, org, role="admin"), make_user(db, make_org(db), role="admin")):
        signed_in = sign_in(app.test_client(), colleague)
        token = csrf_token(signed_in, "/staff/surveys/")
        for method, url in urls:
            response = signed_in.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (colleague.role, method, url, response.status_code)


def sign_in(client, user):
    token = csrf_token(client, "/staff/login")
    response = client.post("/staff/login", data={"csrf_token": token, "email": user.email,
                                                 "password": "correct horse battery"})
    assert response.status_code == 302
    return client


def test_nobody_signed_out_reaches_a_download(app, db, org, lead, small_limit):
    survey = every_kind_survey_with_answers(db, org, 5)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    wait_until_finished(lead, download_id)
    response = app.test_client().get(f"/staff/downloads/{download_id}/file")
    assert response.status_code == 302 and "/staff/login" in response.location


def test_a_download_whose_worker_died_is_taken_over_by_the_next_poll_and_finishes(
        app, db, org, lead, small_limit, monkeypatch):
    survey = every_kind_survey_with_answers(db, org, 5)
    started = []
    monkeypatch.setattr(runner, "start", lambda *args: started.append(args))  # the worker dies at once
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.xlsx")
    assert len(started) == 1
    assert lead.get(f"/staff/downloads/{download_id}/progress").json["status"] == "waiting"
    assert len(started) == 1  # its heartbeat is fresh: nobody takes it yet
    db.session.execute(update(PreparedDownload).values(
        status=DownloadStatus.working, done=2, total=5, heartbeat_at=utcnow() - timedelta(seconds=25)))
    db.session.commit()
    monkeypatch.undo()

    state = wait_until_finished(lead, download_id)
    assert state["status"] == "ready"
    download = the_download(db, download_id)
    assert download.attempts == 2 and download.claim != started[0][2]
    assert cells(lead.get(f"/staff/downloads/{download_id}/file").get_data())[5][0] is not None


def test_of_two_app_servers_polling_a_stale_download_one_takes_it(app, db, org, lead, small_limit, monkeypatch):
    survey = every_kind_survey_with_answers(db, org, 5)
    monkeypatch.setattr(runner, "start", lambda *args: None)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    db.session.execute(update(PreparedDownload).values(heartbeat_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    now = utcnow()
    with Session(db.engine) as other_server:
        # Both read the stale row; the first to UPDATE takes it, and the other's UPDATE then finds it taken.
        seen_there = other_server.get(PreparedDownload, download_id)
        assert services.take_over_if_stale(db.session, the_download(db, download_id), now) is not None
        db.session.commit()
        assert seen_there.attempts == 1
        assert services.take_over_if_stale(other_server, seen_there, now) is None
        other_server.commit()
    assert the_download(db, download_id).attempts == 2


def test_an_old_thread_whose_download_was_taken_over_stops_and_writes_nothing(app, db, org, lead, small_limit):
    survey = every_kind_survey_with_answers(db, org, 5)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    wait_until_finished(lead, download_id)
    old_claim = the_download(db, download_id).claim
    db.session.execute(update(PreparedDownload).values(claim="somebody-else", status=DownloadStatus.working,
                                                       size=None, finished_at=None))
    db.session.commit()
    runner.run(app, download_id, old_claim)  # e.g. a worker that was only slow, not dead
    download = the_download(db, download_id)
    assert download.status is DownloadStatus.working and download.size is None


def test_a_download_that_takes_its_process_down_each_time_is_given_up(app, db, org, lead, small_limit, monkeypatch):
    survey = every_kind_survey_with_answers(db, org, 5)
    monkeypatch.setattr(runner, "start", lambda *args: None)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    for _attempt in range(services.MAX_ATTEMPTS):
        db.session.execute(update(PreparedDownload).values(heartbeat_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        lead.get(f"/staff/downloads/{download_id}/progress")
    download = the_download(db, download_id)
    assert download.status is DownloadStatus.failed and download.attempts == services.MAX_ATTEMPTS
    page = lead.get(f"/staff/downloads/{download_id}").get_data(as_text=True)
    assert "Vi kunne ikke lave filen" in page and "Prøv igen" in page


def failing_maker(message=None):
    def make(session, download, progress, file):
        progress.start(10, "responses")
        progress.advance(4)
        if message:
            raise ServiceUnavailable(message)
        raise RuntimeError("the disk is full")
    return prepared.Maker(make, prepared.maker_named("survey_export").describe)


def test_a_maker_that_fails_shows_the_failure_in_plain_danish_and_offers_to_try_again(
        app, db, org, lead, small_limit, monkeypatch):
    survey = every_kind_survey_with_answers(db, org, 5)
    with app.app_context():
        working = prepared.maker_named("survey_export")
        makers = dict(app.extensions["bypuls.makers"], survey_export=failing_maker())
    monkeypatch.setitem(app.extensions, "bypuls.makers", makers)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.xlsx")
    state = wait_until_finished(lead, download_id)
    assert state["status"] == "failed"
    assert "Vi kunne ikke lave filen" in state["html"] and "Der gik noget galt hos os" in state["html"]
    assert "the disk is full" not in state["html"]  # the log has it, for whoever runs the server
    assert lead.get(f"/staff/downloads/{download_id}/file").status_code == 303

    makers["survey_export"] = working
    page = lead.get(f"/staff/downloads/{download_id}").get_data(as_text=True)
    again = lead.post(f"/staff/downloads/{download_id}/again",
                      data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    assert again.status_code == 303 and again.location == f"/staff/downloads/{download_id}"
    assert wait_until_finished(lead, download_id)["status"] == "ready"


def test_a_failure_that_says_what_is_missing_is_shown_as_it_is(app, db, org, lead, small_limit, monkeypatch):
    survey = every_kind_survey_with_answers(db, org, 5)
    with app.app_context():
        makers = dict(app.extensions["bypuls.makers"], survey_export=failing_maker("Chromium mangler på serveren."))
    monkeypatch.setitem(app.extensions, "bypuls.makers", makers)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.xlsx")
    state = wait_until_finished(lead, download_id)
    assert state["status"] == "failed" and "Chromium mangler på serveren." in state["html"]


def test_the_page_says_how_far_it_has_come_in_words_and_works_without_javascript(
        app, db, org, lead, small_limit, monkeypatch):
    survey = every_kind_survey_with_answers(db, org, 5)
    monkeypatch.setattr(runner, "start", lambda *args: None)
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    db.session.execute(update(PreparedDownload).values(status=DownloadStatus.working, done=34_000, total=100_000))
    db.session.commit()
    page = lead.get(f"/staff/downloads/{download_id}").get_data(as_text=True)
    assert re.search(r'<progress id="download-bar"[^>]* max="100000" value="34000">34.000 af 100.000 svar</progress>',
                     page)
    assert f'<a href="/staff/downloads/{download_id}">Tjek igen</a>' in page
    assert 'http-equiv="refresh"' not in page and "downloads.js" in page
    assert lead.get(f"/staff/downloads/{download_id}/progress?lang=en").json["text"] == "34,000 of 100,000 responses"


def test_finished_downloads_are_deleted_after_a_day_when_a_new_one_is_asked_for(app, db, org, lead, small_limit):
    survey = every_kind_survey_with_answers(db, org, 5)
    old = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    wait_until_finished(lead, old)
    db.session.execute(update(PreparedDownload).values(finished_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    new = started_download(lead, f"/staff/surveys/{survey.id}/export.csv")
    assert db.session.scalar(select(func.count(PreparedDownload.id))) == 1  # the old one is gone
    assert wait_until_finished(lead, new)["status"] == "ready"
    assert the_download(db, new).finished_at > utcnow() - timedelta(minutes=5)


def test_a_download_that_ends_well_or_badly_leaves_no_write_lock_behind(app, db, org, lead, small_limit, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's one write lock; PostgreSQL locks rows")
    import sqlite3

    survey = every_kind_survey_with_answers(db, org, 5)
    for maker in (None, failing_maker()):
        if maker:
            with app.app_context():
                makers = dict(app.extensions["bypuls.makers"], survey_export=maker)
            monkeypatch.setitem(app.extensions, "bypuls.makers", makers)
        download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.xlsx?incomplete={int(bool(maker))}")
        wait_until_finished(lead, download_id)
        with sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None) as other:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if anyone still held it
            other.execute("ROLLBACK")
        other.close()


def slow_export(app, release: threading.Event) -> prepared.Maker:
    """The survey export, once `release` is set."""
    with app.app_context():
        working = prepared.maker_named("survey_export")

    def make(session, download, progress, file):
        release.wait(30)
        working.make(session, download, progress, file)
    return prepared.Maker(make, working.describe)


def test_a_worker_that_leaves_lets_its_export_finish_first(app, db, org, lead, small_limit, monkeypatch):
    """gunicorn retires a worker every couple of thousand requests (max_requests): its worker_exit hook
    (deploy/gunicorn.conf.py) waits for the exports the worker is making, instead of cutting them off to be
    made again from zero by another server."""
    survey = every_kind_survey_with_answers(db, org, 5)
    release = threading.Event()
    monkeypatch.setitem(app.extensions, "bypuls.makers",
                        dict(app.extensions["bypuls.makers"], survey_export=slow_export(app, release)))
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.xlsx")
    assert lead.get(f"/staff/downloads/{download_id}/progress").json["status"] in ("waiting", "working")
    hooks = runpy.run_path(str(GUNICORN_CONF))
    threading.Timer(0.3, release.set).start()  # the export needs a moment more after the worker is told to go

    hooks["worker_exit"](SimpleNamespace(log=logging.getLogger("gunicorn")), SimpleNamespace(pid=os.getpid()))
    assert the_download(db, download_id).status is DownloadStatus.ready  # before the worker has gone


def test_a_download_that_outlasts_the_wait_is_named_and_left_to_the_next_server(app, db, org, lead, small_limit,
                                                                                monkeypatch):
    """The wait is bounded (gunicorn's timeout would end the worker anyway): what is still running is named,
    and its job is taken over once its heartbeat stops."""
    survey = every_kind_survey_with_answers(db, org, 5)
    release = threading.Event()
    monkeypatch.setitem(app.extensions, "bypuls.makers",
                        dict(app.extensions["bypuls.makers"], survey_export=slow_export(app, release)))
    download_id = started_download(lead, f"/staff/surveys/{survey.id}/export.xlsx")
    try:
        assert f"download-{download_id}" in runner.finish_running(0.2)
        assert the_download(db, download_id).status is not DownloadStatus.ready
    finally:
        release.set()
    runner.finish_running(30)
    assert the_download(db, download_id).status is DownloadStatus.ready
