"""In Chromium: a young person who attaches a photo far bigger than a phone makes sees the app's
"the file is too big" page, not the browser's "connection reset" error, behind werkzeug's server
and behind gunicorn (the production server).

Neither needs a fix in the app: werkzeug's server reads and discards the rest of an unread body
before closing (werkzeug/serving.py, "lets the client see a 413 response instead of a connection
reset"), and gunicorn closes at once, but Chromium reads the 413 that already arrived. These tests
keep both true.
"""
import os
import socket
import subprocess
import sys
import time

import pytest
from flask_babel import force_locale

from app import ERRORS
from tests.builders import make_competition, make_org

pytestmark = pytest.mark.browser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MB = 1024 * 1024


def danish(text) -> str:
    with force_locale("da"):
        return str(text)


@pytest.fixture(scope="module")
def huge_photo(tmp_path_factory):
    """A 20 MB file, handed to Chromium by path (a buffer that size is slow through Playwright)."""
    path = tmp_path_factory.mktemp("photos") / "IMG_0042.jpg"
    path.write_bytes(b"\xff" * (20 * MB))
    return path


def send_idea_with_a_huge_photo(page, base_url: str, slug: str, photo):
    page.goto(f"{base_url}/c/{slug}")
    page.locator("#title").fill("Et værksted for cykler")
    page.locator("input[type=file]").set_input_files(photo)
    with page.expect_navigation():
        page.locator("form.idea-form button[type=submit]").click()


def test_phone_sending_a_20_mb_photo_sees_the_too_big_page(app, db, phone, live_server, huge_photo, axe, screenshot):
    competition = make_competition(db, make_org(db))
    with app.test_request_context():
        title, hint = danish(ERRORS[413][0]), danish(ERRORS[413][1])
    send_idea_with_a_huge_photo(phone, live_server, competition.slug, huge_photo)
    assert phone.locator("h1").inner_text() == title
    assert hint in phone.locator("main").inner_text()
    screenshot(phone, "upload-too-big")
    axe(phone, "the too-big page")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(app):
    """The base URL of the app under gunicorn (as README's production command), on the test database."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": app.config["SECRET_KEY"],
           "RATELIMIT_STORAGE_URI": "memory://", "BYPULS_ENV": "development"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                               "app:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_listening(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_until_listening(port: int, server: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not start on port {port}")


def test_phone_sending_a_20_mb_photo_behind_gunicorn_sees_the_too_big_page(app, db, phone, gunicorn, huge_photo):
    competition = make_competition(db, make_org(db))
    with app.test_request_context():
        title = danish(ERRORS[413][0])
    send_idea_with_a_huge_photo(phone, gunicorn, competition.slug, huge_photo)
    assert phone.locator("h1").inner_text() == title
