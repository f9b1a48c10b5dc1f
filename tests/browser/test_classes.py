"""In Chromium: a teacher runs a class session on the projector while pupils join from phones.

The projector refreshes itself (no reload: a marker set on `window` survives),
keeps going through a dropped connection, and the join page, the pupils'
pages and the projector view pass axe-core.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from engagement.competitions.models import IdeaStatus
from surveys.models import Response
from tests.builders import PASSWORD, make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.classes.builders import make_class_session

pytestmark = pytest.mark.browser

SURVEY = [{"kind": "single_choice", "prompt": "Hvad mangler du på Torvet?", "choices": ["Bænke", "Træer", "Læ"]},
          {"kind": "yes_no", "prompt": "Kommer du i bymidten hver uge?"}]


def log_in(page, user):
    page.goto("/staff/login?lang=en")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile("/login"))
    # Signing in starts a new session, which forgets the language chosen on the login page.
    page.goto("/staff/classes/?lang=en")


def mark_page(page):
    """Set a marker that only survives as long as the page is not reloaded."""
    page.evaluate("window.notReloaded = true")


def still_the_same_page(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def test_teacher_starts_a_survey_session_and_the_projector_counts_the_class_live(db, new_page, axe, screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    make_survey(db, org, SURVEY, title="Unge i bymidten", slug="unge-i-bymidten")
    teacher = make_user(db, org, role="teacher")
    projector = new_page(viewport={"width": 1600, "height": 1000})
    log_in(projector, teacher)
    projector.goto("/staff/classes/new")
    projector.get_by_label("Name of the session").fill("2.g Vordingborg Gymnasium, bymidten")
    projector.get_by_label("What the class works on").select_option(label="Unge i bymidten")
    projector.get_by_role("button", name="Start the session").press("Enter")
    join_code = projector.locator(".join-code")
    expect(join_code).to_have_text(re.compile(r"^(?:[A-Z2-9] ?){6}$"))
    code = join_code.inner_text().replace(" ", "")
    expect(projector.locator(".join-qr")).to_have_js_property("naturalWidth", 1024)
    mark_page(projector)
    problems = [axe.problems(projector, "the projector view of a survey session")]
    screenshot(projector, "classes-projector-survey-empty")

    phone = new_page(js=True)
    phone.goto("/join?lang=en")
    phone.get_by_label("The code on the board").fill("WRONG1")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("alert")).to_contain_text("We do not know that code")
    expect(phone.get_by_label("The code on the board")).to_have_value("WRONG1")
    problems.append(axe.problems(phone, "the join page with a wrong code"))
    screenshot(phone, "classes-join-wrong-code")
    phone.get_by_label("The code on the board").fill(f"{code[:3].lower()} {code[3:].lower()}")
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Hvad mangler du på Torvet?")
    phone.get_by_text("Læ", exact=True).click()
    phone.get_by_role("button", name="Next").click()
    phone.get_by_text("Ja", exact=True).click()
    phone.get_by_role("button", name="Send").click()
    expect(phone).to_have_url(re.compile(r"/tak$"))

    expect(projector.locator('[data-live="count"]')).to_have_text("1", timeout=10_000)
    expect(projector.locator(".chart .main-svg").first).to_be_visible()
    assert still_the_same_page(projector)
    problems.append(axe.problems(projector, "the projector view with live results"))
    screenshot(projector, "classes-projector-survey-live")
    assert not any(problems), "\n\n".join(p for p in problems if p)
    assert db.session.scalar(select(func.count(Response.id)).where(Response.class_session_id.is_not(None))) == 1


def test_projector_says_it_is_reconnecting_when_the_connection_drops_and_recovers(db, new_page):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, make_survey(db, org, SURVEY))
    projector = new_page(viewport={"width": 1280, "height": 900})
    log_in(projector, teacher)
    projector.goto(f"/staff/classes/{class_session.id}/projector")
    mark_page(projector)
    projector.route("**/live", lambda route: route.abort("internetdisconnected"))
    expect(projector.locator("#reconnecting")).to_be_visible(timeout=10_000)
    projector.unroute("**/live")
    expect(projector.locator("#reconnecting")).to_be_hidden(timeout=20_000)
    assert still_the_same_page(projector)


def test_class_votes_from_phones_and_the_projector_ranks_the_ideas_live(db, new_page, axe, screenshot):
    org = make_org(db)
    competition = make_competition(db, org, title="Hvad skal Algade 12 være?", voting_mode="dots")
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, competition=competition, dots_per_pupil=3,
                                       name="8.b Kulsbjerg Skole")
    make_idea(db, competition, class_session_id=class_session.id, title="Skatecafé med værksted")
    waiting = make_idea(db, competition, status="pending", class_session_id=class_session.id,
                        title="Grøn gård med bænke", nickname="Sofie")
    projector = new_page(viewport={"width": 1600, "height": 1000})
    log_in(projector, teacher)
    projector.goto(f"/staff/classes/{class_session.id}/projector")
    mark_page(projector)

    phone = new_page(js=True)
    phone.goto(f"/join/{class_session.code}?lang=en")
    expect(phone.get_by_role("link", name="Send an idea")).to_have_attribute(
        "href", re.compile(f"via=class-{class_session.code}"))
    problems = [axe.problems(phone, "the class page before voting")]

    projector.get_by_role("button", name="Approve Grøn gård med bænke").click()
    expect(projector.locator(".class-idea-pending")).to_have_count(0)
    projector.get_by_role("button", name="Open class voting").click()
    expect(projector.get_by_role("button", name="Close class voting")).to_be_visible()
    db.session.expire_all()
    assert waiting.status is IdeaStatus.approved

    phone.reload()
    give = re.compile(r"^Give a dot\W+Grøn gård med bænke$")
    phone.get_by_role("button", name=give).click()
    expect(phone.locator(".dots-left")).to_contain_text("You have 2 dots left")
    phone.get_by_role("button", name=give).click()
    expect(phone.locator(".dots-left")).to_contain_text("You have 1 dot left")
    problems.append(axe.problems(phone, "the class ballot"))
    screenshot(phone, "classes-ballot")

    ranking = projector.locator(".ranking li").first
    expect(ranking).to_contain_text("Grøn gård med bænke", timeout=10_000)
    expect(ranking).to_contain_text("2 dots")
    assert still_the_same_page(projector)
    problems.append(axe.problems(projector, "the projector view of a competition session"))
    screenshot(projector, "classes-projector-competition")
    assert not any(problems), "\n\n".join(p for p in problems if p)


def test_ended_session_page_and_the_no_js_join_pass_axe_on_a_phone(db, new_page, axe, screenshot):
    from extensions import utcnow

    org = make_org(db)
    class_session = make_class_session(db, make_user(db, org, role="teacher"), make_survey(db, org, SURVEY),
                                       ended_at=utcnow())
    cheap = new_page(js=False)
    cheap.goto("/join?lang=en")
    axe_problems = []
    cheap.get_by_label("The code on the board").fill(class_session.code)
    cheap.get_by_role("button", name="Join").click()
    expect(cheap.get_by_role("heading", level=1)).to_have_text("This class session has ended")
    screenshot(cheap, "classes-ended")
    phone = new_page(js=True)
    phone.goto("/join")
    axe_problems.append(axe.problems(phone, "the join page"))
    screenshot(phone, "classes-join")
    phone.goto(f"/join/{class_session.code}")
    axe_problems.append(axe.problems(phone, "the ended page"))
    assert not any(axe_problems), "\n\n".join(p for p in axe_problems if p)


def test_teacher_who_hides_an_idea_a_moderator_just_made_a_winner_is_told_and_it_stays_a_winner(
        db, new_page, screenshot):
    org = make_org(db)
    competition = make_competition(db, org, voting_mode="dots")
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, competition=competition)
    idea = make_idea(db, competition, status="pending", class_session_id=class_session.id, title="Skatebar")
    projector = new_page(viewport={"width": 1280, "height": 900})
    log_in(projector, teacher)
    projector.goto(f"/staff/classes/{class_session.id}/projector")
    mark_page(projector)
    # The moderator decides while the projector still shows the old list (no refresh in between).
    projector.route("**/live", lambda route: route.abort("internetdisconnected"))
    idea.status = IdeaStatus.winner
    db.session.commit()
    projector.get_by_role("button", name="Hide Skatebar").click()
    expect(projector.get_by_role("alert")).to_contain_text("Someone has already decided on this idea")
    screenshot(projector, "classes-projector-refused")
    projector.unroute("**/live")
    expect(projector.get_by_role("button", name="Hide Skatebar")).to_have_count(0, timeout=20_000)
    assert still_the_same_page(projector)
    db.session.expire_all()
    assert idea.status is IdeaStatus.winner
