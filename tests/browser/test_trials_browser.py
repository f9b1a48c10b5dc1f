"""The trial loop in the real browser: an editor makes a trial at Algade 12, points the shop window's poster at
the feedback survey, reads before/during/after, decides, and the town reads the decision on the front page and
on the idea. axe-core on every trial page; phone and desktop screenshots."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from engagement.premises.models import PremisesStatus
from extensions import utcnow
from surveys.timezone import to_local
from tests.browser.test_accessibility import log_in
from tests.browser.test_results_page import expect_charts_drawn
from tests.browsing import PHONE
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.premises.test_trials import FEEDBACK, make_premises, make_trial
from tests.engagement.premises.test_trials_results import local
from tests.engagement.touchpoints.builders import make_touchpoint
from tests.surveys.test_results import add_response

pytestmark = pytest.mark.browser

NOTE = "Værkstedet var fuldt hver lørdag, så det fortsætter til og med december."


@pytest.fixture
def algade(db):
    """Algade 12 (vacant) with its window poster leading to the idea competition, the winning idea and a
    feedback survey answered before, during and after the trial days (today-19 to today-10)."""
    org = make_org(db, name="Vordingborg bymidte")
    premises = make_premises(db, org, address="Algade 12, 4760 Vordingborg")
    competition = make_competition(db, org, title="Hvad skal der ske i Algade 12?")
    idea = make_idea(db, competition, title="Et værksted for cykler", status="winner")
    window = make_touchpoint(db, org, name="Vinduet i Algade 12", premises_id=premises.id,
                             competition_id=competition.id)
    survey = make_survey(db, org, FEEDBACK, title="Hvad synes du om værkstedet?", slug="vaerkstedet")
    today = to_local(utcnow()).date()
    starts, ends = today - timedelta(days=19), today - timedelta(days=10)
    for days, choice in ((-8, "Dårligt"), (-4, "Okay"), (1, "Godt"), (3, "Godt"), (6, "Okay"), (12, "Godt")):
        add_response(db, survey, {0: choice, 1: 4}, started=local(starts + timedelta(days=days)))
    return org, premises, idea, window, survey, starts, ends


def test_editor_runs_a_trial_from_the_form_to_the_public_decision(db, desktop, new_page, axe, screenshot, algade):
    org, premises, idea, window, survey, starts, ends = algade
    log_in(desktop, make_user(db, org, role="editor"))
    desktop.goto("/staff/trials/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Afprøvninger")
    problems = [axe.problems(desktop, "the empty list of trials")]

    desktop.get_by_role("link", name="Ny afprøvning").click()
    desktop.get_by_label("Hvad der bliver prøvet af").fill("Pop-up cykelværksted")
    desktop.get_by_label("Beskrivelse (valgfri)").fill("Et værksted i den tomme butik, fire lørdage.")
    desktop.get_by_label("Lokale eller sted i registret").select_option(str(premises.id))
    desktop.locator("#starts_on").fill(starts.isoformat())
    desktop.locator("#ends_on").fill((starts - timedelta(days=1)).isoformat())  # a slip: to before from
    desktop.locator("#survey_id").select_option(str(survey.id))
    desktop.get_by_label("Et værksted for cykler").check()
    desktop.get_by_role("button", name="Gem", exact=True).click()
    summary = desktop.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Afprøvningen slutter, før den begynder.")
    expect(desktop.get_by_label("Hvad der bliver prøvet af")).to_have_value("Pop-up cykelværksted")
    expect(desktop.get_by_label("Et værksted for cykler")).to_be_checked()
    problems.append(axe.problems(desktop, "the trial form with an error"))
    screenshot(desktop, "trial-form-error-desktop")

    desktop.locator("#ends_on").fill(ends.isoformat())
    desktop.get_by_role("button", name="Gem", exact=True).click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Pop-up cykelværksted")
    expect(desktop.locator(".flash")).to_contain_text("Afprøvningen er gemt.")
    figures = desktop.locator("dl.figures")
    expect(figures.locator('[data-period="before"] dd')).to_have_text("2 svar")
    expect(figures.locator('[data-period="during"] dd')).to_have_text("3 svar")
    expect(figures.locator('[data-period="after"] dd')).to_have_text("1 svar")
    expect(desktop.locator(".chart[data-figure]")).to_have_count(2)  # the choice and the scale question
    expect_charts_drawn(desktop)
    expect(desktop.locator(".chart").first.locator(".legend .traces")).to_have_count(3)  # before, during, after

    # The window poster, one step: it is ticked (it hangs at the premises) and is pointed at the survey.
    expect(desktop.get_by_label("Vinduet i Algade 12", exact=False)).to_be_checked()
    desktop.get_by_role("button", name="Lad plakaten føre til undersøgelsen til feedback").click()
    expect(desktop.locator(".flash")).to_contain_text("1 kontaktpunkt fører nu til »Hvad synes du om værkstedet?«")
    expect(desktop.locator("#poster")).to_contain_text("Vinduet i Algade 12")
    problems.append(axe.problems(desktop, "the trial page"))
    screenshot(desktop, "trial-show-desktop")

    desktop.locator("#decision").select_option("keep")
    desktop.locator("#public_note").fill(NOTE)
    desktop.get_by_role("button", name="Gem beslutningen").click()
    expect(desktop.locator(".flash")).to_contain_text("Beslutningen er gemt")
    expect(desktop.locator("#decision-title + p")).to_contain_text("Det fortsætter")
    problems.append(axe.problems(desktop, "the trial page with a decision"))
    desktop.goto("/staff/trials/")
    expect(desktop.locator("table.trials")).to_contain_text("Det fortsætter")
    problems.append(axe.problems(desktop, "the list of trials"))
    desktop.get_by_role("link", name="Pop-up cykelværksted").click()
    desktop.get_by_role("link", name="Ret", exact=True).click()
    expect(desktop.get_by_label("Hvad der bliver prøvet af")).to_have_value("Pop-up cykelværksted")
    problems.append(axe.problems(desktop, "the edit form"))

    # The scan of the window poster now starts the feedback survey.
    phone = new_page(viewport=PHONE)
    phone.goto(f"/q/{window.code}")
    expect(phone.get_by_text("Hvad synes du om værkstedet?").first).to_be_visible()
    assert "/s/vaerkstedet/" in phone.url

    # The town reads what was decided: on the front page and on the idea.
    phone.goto(f"/o/{org.slug}")
    tried = phone.locator("ul.trials")
    expect(phone.get_by_role("heading", name="Det har vi prøvet af")).to_be_visible()
    expect(tried).to_contain_text("Pop-up cykelværksted")
    expect(tried).to_contain_text("Det fortsætter")
    expect(tried).to_contain_text(NOTE)
    problems.append(axe.problems(phone, "the front page with a trial"))
    screenshot(phone, "trial-front-phone")
    phone.goto(f"/c/{idea.competition.slug}/idea/{idea.id}")
    on_idea = phone.locator("section.trials")
    expect(on_idea.get_by_role("heading", name="Prøvet af i byen")).to_be_visible()
    expect(on_idea).to_contain_text("Det fortsætter")
    expect(on_idea).to_contain_text(NOTE)
    problems.append(axe.problems(phone, "the idea page with a trial"))
    screenshot(phone, "trial-idea-phone")
    assert [p for p in problems if p] == []

    db.session.expire_all()
    db.session.refresh(premises)
    assert premises.status is PremisesStatus.in_trial


def test_the_trial_page_on_a_phone_reads_and_passes_axe(db, new_page, axe, screenshot, algade):
    org, premises, _idea, _window, survey, starts, ends = algade
    trial = make_trial(db, org, premises, survey, title="Pop-up cykelværksted", starts_on=starts, ends_on=ends)
    phone = new_page(viewport=PHONE)
    log_in(phone, make_user(db, org, role="viewer"))
    phone.goto(f"/staff/trials/{trial.id}")
    expect(phone.locator('[data-period="during"] dd')).to_have_text("3 svar")
    expect_charts_drawn(phone)
    expect(phone.locator("form[action$='/decision']")).to_have_count(0)  # a viewer reads
    axe(phone, "the trial page on a phone")
    screenshot(phone, "trial-show-phone")
