"""Personal invitations in a real browser: an editor uploads the list of owners and prints the letters;
an owner scans the QR code on their letter (decoded from the PDF) with a phone and answers; the link then
only thanks them, and the editor sees who answered. axe-core checks every new page."""
import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser import THANKS, answer, tap_button
from tests.browser.test_share_links_browser import log_in, report
from tests.browsing import DESKTOP, PHONE
from tests.builders import make_org, make_survey, make_user
from tests.engagement.invitations.conftest import INTRO, OWNERS, QUESTIONS, csv_bytes
from tests.engagement.invitations.test_letters import pages_of

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def public_base_url(app, live_server, monkeypatch):
    """The letters' codes lead to the live server, as PUBLIC_BASE_URL does in production."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)


def csv_file(rows) -> dict:
    return {"name": "ejere.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}


def test_an_owner_scans_the_letter_answers_on_a_phone_and_the_editor_sees_it(
        db, desktop, new_page, axe, screenshot, live_server, tmp_path):
    org = make_org(db, name="Vordingborg bymidte")
    survey = make_survey(db, org, QUESTIONS, title="Tomme butikker", intro=INTRO)
    prompts = [q.prompt for q in survey.questions]
    log_in(desktop, make_user(db, org, role="editor"))
    problems = []

    desktop.goto(f"/staff/surveys/{survey.id}?lang=en")
    desktop.get_by_role("link", name="Personal invitations").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Personal invitations")
    problems.append(axe.problems(desktop, "the invitations page before its settings"))

    desktop.get_by_label("Delete the list on").fill("2099-06-01")
    desktop.get_by_role("button", name="Save the settings").click()
    expect(desktop.get_by_role("status")).to_contain_text("The settings are saved.")

    desktop.get_by_label("The list (CSV or Excel)").set_input_files(csv_file([*OWNERS, ["", "x@example.dk", ""]]))
    desktop.get_by_role("button", name="Upload the list").click()
    expect(desktop.locator("#error-summary")).to_be_focused()
    expect(desktop.locator("#problems")).to_contain_text("Row 5: no name.")
    problems.append(axe.problems(desktop, "the invitations page with a refused file"))

    desktop.get_by_label("The list (CSV or Excel)").set_input_files(csv_file(OWNERS))
    desktop.get_by_role("button", name="Upload the list").click()
    expect(desktop.get_by_role("status")).to_contain_text("3 people are on the list now.")
    expect(desktop.locator("#people tr, table tbody tr")).to_have_count(3)
    problems.append(axe.problems(desktop, "the invitations page with the list"))
    screenshot(desktop, "invitations-staff-desktop")

    with desktop.expect_download() as download:
        desktop.get_by_role("link", name=re.compile("Letters to the 2 people with a postal address")).click()
    letters = tmp_path / "breve.pdf"
    download.value.save_as(letters)
    pages = pages_of(letters, tmp_path)
    (text, [url]), (_bent, [bents_url]) = pages  # one letter each, and each code reads back
    assert "Åse Ørnsø" in text and url != bents_url
    assert url.startswith(f"{live_server}/i/")

    phone = new_page(js=True)
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_contain_text(prompts[0])
    expect(phone.locator(".intro")).to_contain_text("hvad I som ejere har lyst til")
    problems.append(axe.problems(phone, "the first question, reached from the letter"))
    answer(phone, SimpleNamespace(kind="single_choice", prompt=prompts[0]), ["Ja"])
    tap_button(phone, "Næste")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(prompts[1])
    answer(phone, SimpleNamespace(kind="long_text", prompt=prompts[1]), "Et værksted for unge")
    tap_button(phone, "Send")
    expect(phone.locator("main")).to_contain_text(THANKS)

    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Du har allerede svaret – tak!")
    problems.append(axe.problems(phone, "the link used again"))
    screenshot(phone, "invitations-answered-phone")

    phone.goto("/i/" + "x" * 43)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Vi kender ikke dette link")
    problems.append(axe.problems(phone, "an unknown link"))

    desktop.reload()
    answered = desktop.locator(".figures div", has=desktop.locator("dt", has_text="Answered")).locator("dd")
    expect(answered).to_have_text("1")
    row = desktop.locator("tr", has=desktop.get_by_role("rowheader", name="Åse Ørnsø"))
    expect(row.locator("td").last).to_have_text("Yes")
    expect(row.locator("td").nth(4)).not_to_have_text("No")  # opened: when
    desktop.set_viewport_size(PHONE)
    problems.append(axe.problems(desktop, "the invitations page on a phone"))
    screenshot(desktop, "invitations-staff-phone")
    desktop.set_viewport_size(DESKTOP)
    assert not report(problems), report(problems)


def test_a_viewer_sees_the_numbers_only_and_the_page_passes_axe(db, desktop, axe, screenshot):
    org = make_org(db)
    survey = make_survey(db, org, QUESTIONS)
    log_in(desktop, make_user(db, org, role="viewer"))
    desktop.goto(f"/staff/surveys/{survey.id}/invitations")
    expect(desktop.locator(".notice")).to_contain_text("Only admins and editors see who is on the list")
    expect(desktop.get_by_role("button", name="Upload the list")).to_have_count(0)
    axe(desktop, "the invitations page for a viewer")
    screenshot(desktop, "invitations-viewer")


def test_a_link_to_a_survey_that_has_not_opened_says_when_and_passes_axe(db, phone, axe):
    from datetime import timedelta

    from extensions import utcnow
    from tests.engagement.invitations.conftest import make_invitations

    survey = make_survey(db, make_org(db), QUESTIONS, opens_at=utcnow() + timedelta(days=3))
    aase, *_rest = make_invitations(db, survey)
    phone.goto(f"/i/{aase.token}")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Undersøgelsen er ikke åben endnu")
    expect(phone.locator("main")).to_contain_text("Dit link virker, indtil du har svaret.")
    axe(phone, "a link to a survey that opens later")
