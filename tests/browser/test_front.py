"""On a phone: the town's front page, published results and an answered idea are readable,
axe-clean, do not scroll sideways, and arrive in the first round trip (14 KB compressed with CSS)."""
import gzip
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from engagement.competitions.models import IdeaOutcome
from engagement.competitions.moderation import answer_idea
from engagement.front.services import publish
from extensions import utcnow
from tests.browser import wait_until_loaded
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.test_exports import add_response

pytestmark = pytest.mark.browser

BUDGET = 14 * 1024
QUESTIONS = [
    {"kind": "single_choice", "prompt": "Hvad mangler på Torvet?", "choices": ["Bænke", "Træer", "Læ",
                                                                          "Et sted at lade sin telefon op"]},
    {"kind": "scale", "prompt": "Føler du dig velkommen?", "settings": {"low_label": "Nej", "high_label": "Ja"}},
    {"kind": "long_text", "prompt": "Hvad ellers?", "required": False},
]


@pytest.fixture
def town(db):
    org = make_org(db, name="Vordingborg bymidte", slug="vordingborg")
    survey = make_survey(db, org, QUESTIONS, title="Unge i bymidten", slug="unge",
                         closes_at=utcnow() + timedelta(days=20))
    for n in range(12):
        add_response(db, survey, {0: ["Bænke", "Træer", "Læ", "Et sted at lade sin telefon op"][n % 4], 1: 1 + n % 5,
                                  2: "https://example.dk/" + "meget-lang-adresse-uden-mellemrum" * 3})
    publish(db.session, survey, [q.id for q in survey.questions], True,
            "Vi sætter tre bænke op på Torvet i juni.\n\nSkriv til os, hvis de står forkert.", utcnow())
    competition = make_competition(db, org, title="Hvad skal Algade 12 være?", slug="algade-12")
    idea = make_idea(db, competition, title="Klatrevæg i gården")
    answer_idea(db.session, idea, make_user(db, org), IdeaOutcome.selected, "Vi prøver den af i sommerferien.",
                utcnow())
    db.session.commit()
    return {"org": org, "survey": survey, "idea": idea}


def first_round_trip(client, url: str) -> int:
    """Bytes of the page and its stylesheet, gzip -9, as a compressing proxy sends them."""
    html = client.get(url).get_data()
    css = re.search(rb'href="(/static/css/public\.css[^"]*)"', html).group(1).decode()
    return sum(len(gzip.compress(body, 9)) for body in (html, client.get(css).get_data()))


def test_front_page_and_published_results_fit_the_first_round_trip(client, town):
    for url in ("/", "/resultater/unge", f"/c/algade-12/idea/{town['idea'].id}"):
        assert first_round_trip(client, url) <= BUDGET, url


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_young_person_on_a_phone_reads_what_is_open_and_what_was_said(new_page, axe, screenshot, town, js):
    page = new_page(js=js, viewport={"width": 320, "height": 640})
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sig din mening om din bymidte")
    expect(page.locator(".open-now").get_by_role("link", name="Unge i bymidten")).to_have_attribute("href", "/s/unge")
    expect(page.locator(".published").get_by_role("link", name="Unge i bymidten")).to_have_attribute(
        "href", "/resultater/unge")
    problems = [] if not js else [axe.problems(page, "the front page")]
    screenshot(page, f"front-{'js' if js else 'nojs'}")
    page.goto("/resultater/unge")
    expect(page.get_by_role("heading", name="Det gør vi nu")).to_be_visible()
    expect(page.locator(".result").first).to_contain_text("12 personer svarede")
    expect(page.locator(".result meter").first).to_be_visible()
    if js:
        problems.append(axe.problems(page, "the published results"))
    screenshot(page, f"results-{'js' if js else 'nojs'}")
    wait_until_loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.goto(f"/c/algade-12/idea/{town['idea'].id}")
    expect(page.locator(".updates")).to_contain_text("Vi prøver den af i sommerferien.")
    if js:
        problems.append(axe.problems(page, "an idea with the partnership's answer"))
    screenshot(page, f"idea-answered-{'js' if js else 'nojs'}")
    assert not any(problems), "\n\n".join(p for p in problems if p)


def test_a_teacher_publishes_results_from_the_staff_page(new_page, db, town):
    lead = make_user(db, town["org"], role="editor")
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto("/staff/login?lang=en")
    page.locator("#email").fill(lead.email)
    page.locator("#password").fill("correct horse battery")
    page.get_by_role("button", name="Log in", exact=True).click()
    page.goto(f"/staff/surveys/{town['survey'].id}/publish?lang=en")
    page.get_by_label("What we do now").fill("Bænkene kommer i juli i stedet.")
    page.get_by_role("button", name="Update the public page").click()
    expect(page.get_by_role("status")).to_contain_text("The results are published.")
    page.goto("/resultater/unge")
    expect(page.locator(".doing-now")).to_contain_text("Bænkene kommer i juli i stedet.")
