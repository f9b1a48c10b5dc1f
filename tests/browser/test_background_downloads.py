"""A project lead downloads a big export in the real browser: the click lands on a page with a progress bar,
which moves and turns into a download link (with JavaScript by itself, without it by "Check again"), and
axe finds nothing on the page while the file is made or once it is ready."""
import io
import re
import threading

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from engagement import prepared
from tests.browser.test_class_lesson import sign_in
from tests.browsing import DESKTOP
from tests.builders import make_org, make_user
from tests.engagement.prepared import every_kind_survey_with_answers

pytestmark = pytest.mark.browser

RESPONSES = 12


@pytest.fixture
def gate(app, monkeypatch):
    """The survey export holds after its first responses until the test opens the gate, so the page can be
    seen while the file is made; then it makes the real file."""
    opened = threading.Event()
    with app.app_context():
        real = prepared.maker_named("survey_export")

    def held(session, download, progress, file):
        progress.start(RESPONSES, "responses")
        progress.advance(5)
        opened.wait(30)
        real.make(session, download, progress, file)

    makers = dict(app.extensions["bypuls.makers"], survey_export=prepared.Maker(held, real.describe))
    monkeypatch.setitem(app.extensions, "bypuls.makers", makers)
    monkeypatch.setitem(app.config, "EXPORT_DIRECT_LIMIT", 5)
    yield opened
    opened.set()


def lead_on_the_results(db, new_page, js: bool):
    org = make_org(db)
    survey = every_kind_survey_with_answers(db, org, RESPONSES)
    page = new_page(js=js, viewport=DESKTOP)
    user = make_user(db, org, role="editor")
    sign_in(page, user)
    page.goto(f"/staff/surveys/{survey.id}/results")
    return page, survey, user


def rows_of(download, tmp_path) -> int:
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return load_workbook(io.BytesIO(path.read_bytes())).active.max_row


def test_with_javascript_the_bar_moves_and_becomes_a_link_without_leaving_the_page(
        db, new_page, gate, axe, screenshot, tmp_path):
    page, survey, _user = lead_on_the_results(db, new_page, js=True)
    page.get_by_role("link", name="Hent Excel").click()
    expect(page).to_have_url(re.compile(r"/staff/downloads/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Svarene på »{survey.title}« som Excel-fil")
    bar = page.locator("progress#download-bar")
    expect(bar).to_have_attribute("value", "5")  # moved by the script, without a reload
    expect(page.locator("#download-count")).to_have_text(f"5 af {RESPONSES} svar")
    expect(page.get_by_role("link", name="Tjek igen")).to_be_hidden()
    page.evaluate("window.stayedOnThePage = true")
    screenshot(page, "download-working")
    axe(page, "a download being made")

    gate.set()
    link = page.get_by_role("link", name=re.compile(r"^Hent .*\.xlsx$"))
    expect(link).to_be_visible(timeout=30_000)
    expect(page.locator("#download-news")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#download-news")).to_contain_text("Filen er klar.")
    assert page.evaluate("window.stayedOnThePage") is True
    screenshot(page, "download-ready")
    axe(page, "a download that is ready")
    with page.expect_download() as download:
        link.click()
    assert rows_of(download.value, tmp_path) == RESPONSES + 1
    page.get_by_role("link", name="Tilbage til resultaterne").click()
    expect(page).to_have_url(re.compile(rf"/staff/surveys/{survey.id}/results$"))


def test_without_javascript_check_again_shows_the_link(db, new_page, gate, axe, tmp_path):
    page, survey, user = lead_on_the_results(db, new_page, js=False)
    page.get_by_role("link", name="Hent Excel").click()
    expect(page).to_have_url(re.compile(r"/staff/downloads/\d+$"))
    expect(page.locator("progress#download-bar")).to_be_visible()
    expect(page.get_by_role("link", name="Tjek igen")).to_be_visible()
    # axe runs as a script, which this page cannot: it checks the same page in a browser whose JavaScript is on
    # but whose scripts from the app are blocked, so the page is drawn as without JavaScript.
    checker = new_page(js=True, viewport=DESKTOP)
    checker.route("**/static/js/**", lambda route: route.abort())
    sign_in(checker, user)
    checker.goto(page.url)
    expect(checker.get_by_role("link", name="Tjek igen")).to_be_visible()
    axe(checker, "a download being made, without JavaScript")

    gate.set()
    link = page.get_by_role("link", name=re.compile(r"^Hent .*\.xlsx$"))
    for _ in range(100):
        page.get_by_role("link", name="Tjek igen").click()
        if link.count():
            break
    expect(link).to_be_visible()
    checker.goto(page.url)
    axe(checker, "a download that is ready, without JavaScript")
    with page.expect_download() as download:
        link.click()
    assert rows_of(download.value, tmp_path) == RESPONSES + 1
