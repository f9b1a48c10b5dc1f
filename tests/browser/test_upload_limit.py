"""In Chromium: a young person who attaches a photo far bigger than a phone makes.

With JavaScript (static/js/competition.js) the photo is refused before anything is sent: a message
at the photo field says how big it may be, and the typed idea stays on the page. Without
JavaScript the server answers with the app's "the file is too big" page, not the browser's
"connection reset" error, behind werkzeug's server and behind gunicorn (the production server).

That fallback needs no fix in the app: werkzeug's server reads and discards the rest of an unread body
before closing (werkzeug/serving.py, "lets the client see a 413 response instead of a connection
reset"), and gunicorn closes at once, but Chromium reads the 413 that already arrived. These tests
keep both true.
"""
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from flask_babel import force_locale
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from app import ERRORS
from engagement.competitions.models import Idea
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


def send_idea_with_a_huge_photo(page, base_url: str, slug: str, photo, reload: bool = True):
    if reload:
        page.goto(f"{base_url}/c/{slug}")
    page.locator("#title").fill("Et værksted for cykler")
    page.locator("input[type=file]").set_input_files(photo)
    # Not expect_navigation(): with JavaScript off, Playwright waits for it for ever. The h1 is awaited instead.
    page.locator("form.idea-form button[type=submit]").click(no_wait_after=True)


def test_phone_with_javascript_keeps_the_typed_idea_and_is_told_the_photo_is_too_big(
        db, new_page, live_server, huge_photo, axe, screenshot):
    competition = make_competition(db, make_org(db))
    phone = new_page(js=True)
    phone.goto(f"/c/{competition.slug}?lang=en")
    expect(phone.locator("#photo-help")).to_contain_text("Up to 15 MB.")
    phone.locator("#title").fill("Et værksted for cykler")
    phone.locator("#description").fill("Hvor man kan låne værktøj og lappe sin cykel.")
    phone.locator("input[type=file]").set_input_files(huge_photo)
    message = phone.locator("#photo-size-error")
    expect(message).to_have_text("This photo is too big. It can be up to 15 MB: choose a smaller one.")
    # Whether the tap sends the form is settled by its submit event: cancelled, the browser never
    # navigates (no timed wait can tell). A window listener hears it after the page's own, and the
    # tab's session storage keeps what it heard even if the form went.
    phone.evaluate("""addEventListener('submit', event =>
        sessionStorage.setItem('submit-cancelled', event.defaultPrevented))""")
    phone.locator("form.idea-form button[type=submit]").click()
    phone.wait_for_function("sessionStorage.getItem('submit-cancelled') !== null")  # the tap reached the form
    assert phone.evaluate("sessionStorage.getItem('submit-cancelled')") == "true", "the form was sent"
    assert phone.url.endswith(f"/c/{competition.slug}?lang=en")
    expect(phone.locator("#title")).to_have_value("Et værksted for cykler")
    expect(phone.locator("#description")).to_have_value("Hvor man kan låne værktøj og lappe sin cykel.")
    expect(phone.locator("input[type=file]")).to_be_focused()
    expect(phone.locator("input[type=file]")).to_have_attribute("aria-describedby", re.compile("photo-size-error"))
    assert db.session.scalar(select(func.count(Idea.id))) == 0
    screenshot(phone, "photo-too-big-inline")
    axe(phone, "the idea form with a photo that is too big")
    phone.locator("input[type=file]").set_input_files(
        {"name": "skitse.jpg", "mimeType": "image/jpeg", "buffer": small_photo()})
    expect(message).to_have_text("")
    with phone.expect_navigation():
        phone.locator("form.idea-form button[type=submit]").click()
    expect(phone.locator("h1")).to_contain_text("Thank you")
    assert db.session.scalar(select(Idea.title)) == "Et værksted for cykler"


def small_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "#2e86c1").save(out, "JPEG")
    return out.getvalue()


def test_phone_without_javascript_sending_a_20_mb_photo_sees_the_too_big_page(app, db, new_page, live_server,
                                                                               huge_photo, screenshot):
    competition = make_competition(db, make_org(db))
    phone = new_page(js=False)
    with app.test_request_context():
        title, hint = danish(ERRORS[413][0]), danish(ERRORS[413][1])
    send_idea_with_a_huge_photo(phone, live_server, competition.slug, huge_photo)
    expect(phone.locator("h1")).to_have_text(title)
    expect(phone.locator("main")).to_contain_text(hint, use_inner_text=True)
    screenshot(phone, "upload-too-big")


def test_the_too_big_page_passes_axe(app, db, phone, live_server, huge_photo, axe):
    """axe needs JavaScript, so this phone has it, with the size check switched off (as when the
    script has not loaded yet) to reach the server's page."""
    competition = make_competition(db, make_org(db))
    with app.test_request_context():
        title = danish(ERRORS[413][0])
    phone.goto(f"{live_server}/c/{competition.slug}")
    phone.locator("input[type=file]").evaluate("input => input.removeAttribute('data-max-bytes')")
    send_idea_with_a_huge_photo(phone, live_server, competition.slug, huge_photo, reload=False)
    expect(phone.locator("h1")).to_have_text(title)
    axe(phone, "the too-big page")


@pytest.fixture(scope="module")
def gunicorn(app, tmp_path_factory):
    """The base URL of the app under gunicorn (as README's production command), on the test database,
    once it answers; its log is in the failure message if it does not."""
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": app.config["SECRET_KEY"],
           "RATELIMIT_STORAGE_URI": "memory://", "BYPULS_ENV": "development"}
    # gunicorn is handed a socket already listening (fd://): a port found free and bound later can be
    # taken in between by another server on a busy machine, which the test would then talk to.
    with socket.create_server(("127.0.0.1", 0)) as listener, log.open("wb") as out:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1",
                                   "--bind", f"fd://{listener.fileno()}", "app:create_app()"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, pass_fds=[listener.fileno()])
    try:
        wait_until_serving(url, server, log)
        yield url
        assert server.poll() is None, f"gunicorn stopped during the test:\n{log.read_text()[-3000:]}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_until_serving(url: str, server: subprocess.Popen, log, seconds: float = 30) -> None:
    """Wait until the app answers over HTTP: gunicorn listens before its worker has loaded the app."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{url}/static/css/public.css", timeout=5).close()
            return
        except urllib.error.HTTPError:
            return  # an answer, if not a page
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer on {url} within {seconds:g} s (exit code {server.poll()}):\n"
                f"{log.read_text()[-3000:]}")


def test_phone_without_javascript_sending_a_20_mb_photo_behind_gunicorn_sees_the_too_big_page(
        app, db, new_page, gunicorn, huge_photo):
    competition = make_competition(db, make_org(db))
    phone = new_page(js=False)
    with app.test_request_context():
        title = danish(ERRORS[413][0])
    send_idea_with_a_huge_photo(phone, gunicorn, competition.slug, huge_photo)
    expect(phone.locator("h1")).to_have_text(title)
