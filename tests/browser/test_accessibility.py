"""axe-core finds no WCAG 2.1 A/AA problem on the pages people and staff see.

Public pages are checked on a phone with JavaScript on, staff pages in a
laptop-sized window after a real login. Tests that visit several pages check
them all and report every problem at once. axe cannot judge everything
(reading order, wording, whether focus lands sensibly); the journey tests
check focus.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from extensions import utcnow
from surveys.models import Question
from tests.browser import NEXT, SEND, TEXT_KINDS, THANKS, answer, answers_no, expect_screen, option, tap_button
from tests.browsing import SCREENSHOTS
from tests.builders import EVERY_KIND, PASSWORD, make_org, make_survey, make_user

pytestmark = pytest.mark.browser

# Screens on which the person first sends a mistake: what they type (None: nothing at all).
MISTAKES = {
    "single_choice": None,  # required, sent empty
    "scale": None,
    "short_text": "x" * 201,  # past the default limit of 200
    "number": "abc",
    "long_text": "x" * 501,  # past this question's max_length of 500
}


def report(problems: list[str]) -> str:
    return "\n\n".join(p for p in problems if p)


def test_axe_check_reports_a_field_without_a_label(db, phone, axe):
    """The check itself works: a page with a problem fails, with the rule and the element named."""
    survey = make_survey(db, make_org(db), EVERY_KIND[:1])
    phone.goto(f"/s/{survey.slug}")
    phone.evaluate("""document.querySelector('form')
        .append(Object.assign(document.createElement('input'), {id: 'stray'}))""")
    problems = axe.problems(phone, "a screen with a stray field")
    assert "label (critical)" in problems and "#stray" in problems, problems


def test_every_question_screen_its_errors_and_the_thank_you_page_pass_axe(db, phone, axe, every_kind_survey):
    survey = every_kind_survey(images=True, thanks="Tak for hjælpen.\n\nVi fortæller om resultatet i juni.")
    # Help text on one question, so the help line and its aria-describedby are checked too.
    db.session.get(Question, survey.questions["number"].id).help = "Skriv et helt tal."
    db.session.commit()
    steps = answers_no(survey)  # "Nej", so the follow-up question is shown too
    problems = []
    phone.goto(survey.start_url())
    expect(phone.locator(".intro")).to_be_visible()
    for question, value, number, total in steps:
        button = SEND if number == total else NEXT
        expect_screen(phone, question, number, total)
        problems.append(axe.problems(phone, f"screen {number} ({question.kind})"))
        if question.kind in MISTAKES:
            if MISTAKES[question.kind] is not None:
                answer(phone, question, MISTAKES[question.kind])
            tap_button(phone, button)
            expect(phone.locator("#error-summary")).to_be_focused()
            if question.kind in TEXT_KINDS:
                expect(phone.get_by_label(question.prompt)).to_have_value(MISTAKES[question.kind])
            problems.append(axe.problems(phone, f"screen {number} ({question.kind}) with an error"))
        answer(phone, question, value)
        tap_button(phone, button)
    expect(phone.get_by_role("heading", level=1)).to_have_text(THANKS)
    expect(phone.locator(".thanks-text")).to_contain_text("Vi fortæller om resultatet i juni.")
    problems.append(axe.problems(phone, "the thank-you page"))

    # Back, change the sent answer and send again: the "already sent" page.
    phone.go_back()
    last = steps[-1][0]
    option(phone, last, "Træ").tap()
    tap_button(phone, SEND)
    expect(phone.get_by_role("link", name=re.compile("tak", re.I))).to_be_visible()
    problems.append(axe.problems(phone, "the already-sent page"))
    assert not any(problems), report(problems)


@pytest.mark.parametrize("overrides", [
    {"status": "closed"},
    {"opens_at": utcnow() + timedelta(days=3)},
], ids=["closed", "not-yet-open"])
def test_survey_that_cannot_be_answered_now_passes_axe(db, phone, axe, overrides):
    survey = make_survey(db, make_org(db), EVERY_KIND[:1], **overrides)
    phone.goto(f"/s/{survey.slug}")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    expect(phone.locator("form")).to_have_count(0)
    axe(phone)


# Staff pages, in a laptop-sized window.

def log_in(page, user, password=PASSWORD) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Log ind", exact=True).click()


def test_login_page_passes_axe_before_and_after_a_failed_login(db, desktop, axe):
    user = make_user(db, make_org(db))
    desktop.goto("/staff/login")
    problems = [axe.problems(desktop, "the login page")]
    log_in(desktop, user, password="wrong horse")
    expect(desktop.locator("#error-summary")).to_be_visible()
    expect(desktop.locator("#password")).to_have_attribute("aria-invalid", "true")
    problems.append(axe.problems(desktop, "the login page after a failed login"))
    assert not any(problems), report(problems)


def test_editors_survey_pages_pass_axe(db, desktop, axe, every_kind_survey):
    org = make_org(db)
    survey = every_kind_survey(images=True, org=org)
    draft = make_survey(db, org, EVERY_KIND[:2], status="draft", title="Kladde: sommerferie")
    log_in(desktop, make_user(db, org, role="editor"))
    expect(desktop).to_have_url(re.compile(r"/staff/surveys/$"))
    base = f"/staff/surveys/{survey.id}"
    pages = [
        ("/staff/surveys/", "the survey list"),
        (base, "the open survey's page"),
        (f"/staff/surveys/{draft.id}", "the draft survey's page"),
        (f"{base}/preview", "the preview"),
        (f"{base}/questions/new", "the pick-a-kind page"),
    ] + [(f"{base}/questions/{survey.questions[kind].id}", f"the question editor for {kind}")
         for kind in ("single_choice", "scale", "image_choice", "short_text")]
    problems = []
    for path, where in pages:
        desktop.goto(path)
        expect(desktop.get_by_role("heading", level=1).first).to_be_visible()
        problems.append(axe.problems(desktop, where))

    desktop.goto("/staff/surveys/new")
    desktop.locator("#slug").fill("Ikke Gyldig!")
    desktop.locator("form.stack button[type=submit]").click()
    expect(desktop.locator("#error-summary")).to_be_visible()
    expect(desktop.locator("#title")).to_have_attribute("aria-invalid", "true")
    problems.append(axe.problems(desktop, "the new-survey form with errors"))
    assert not any(problems), report(problems)


def test_staff_accounts_and_password_pages_pass_axe_also_with_errors(db, desktop, axe):
    org = make_org(db)
    admin = make_user(db, org, role="admin")
    make_user(db, org, role="teacher", email="laerer@skole.dk")
    log_in(desktop, admin)
    desktop.goto("/staff/people/")
    problems = [axe.problems(desktop, "the staff accounts page")]
    desktop.locator("#email").fill("laerer@skole.dk")
    desktop.locator("#password").fill("kort")
    desktop.get_by_role("button", name="Tilføj", exact=True).click()
    expect(desktop.locator("#error-summary")).to_be_visible()
    expect(desktop.locator("#email")).to_have_value("laerer@skole.dk")
    problems.append(axe.problems(desktop, "the staff accounts page with errors"))
    if SCREENSHOTS:
        desktop.screenshot(path=f"{SCREENSHOTS}/staff-accounts-errors.png", full_page=True)
    desktop.goto("/staff/password")
    problems.append(axe.problems(desktop, "the change-password page"))
    assert not any(problems), report(problems)
