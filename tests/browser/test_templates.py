"""A project lead starts each catalogue template, opens it, and a young person answers it on a 360 px phone.

The staff side is a laptop window after a real login: the surveys list, "Start fra en skabelon", "Brug
skabelonen", the new draft's page with its flash, "Åbn undersøgelsen". The phone then walks every screen
to the thank-you page. axe checks the templates page, screens of each template survey and the thank-you
page; each survey's first screen arrives in the first round trip (tests/browser/test_front.py's budget).
"""
import gzip
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect
from sqlalchemy import select

from surveys import catalogue
from surveys.kinds import KINDS
from surveys.models import Answer, Question, Response, Survey
from tests.browser import NEXT, SEND, THANKS, answer, tap_button
from tests.browser.test_accessibility import log_in
from tests.browser.test_front import BUDGET
from tests.builders import make_map, make_org, make_user

pytestmark = pytest.mark.browser

PHONE_360 = {"width": 360, "height": 740}


@dataclass(frozen=True)
class Screen:
    kind: str
    prompt: str
    choices: tuple  # option labels
    shown_if: tuple | None  # (earlier question's index, option label): only shown after that answer


def screens_of(db, survey_id: int) -> list[Screen]:
    survey = db.session.get(Survey, survey_id)
    position = {q.id: n for n, q in enumerate(survey.questions)}
    return [Screen(q.kind, q.prompt, tuple(c.label for c in q.choices),
                   (position[q.show_if_choice.question_id], q.show_if_choice.label) if q.show_if_choice else None)
            for q in survey.questions]


def first_round_trip(client, path: str) -> int:
    """test_front.first_round_trip for a page reached through redirects (a survey's address leads to its
    first screen): the page and its stylesheet, gzip -9."""
    html = client.get(path, follow_redirects=True).get_data()
    css = re.search(rb'href="(/static/css/public\.css[^"]*)"', html).group(1).decode()
    return sum(len(gzip.compress(body, 9)) for body in (html, client.get(css).get_data()))


def assert_light(client, weights: dict) -> None:
    """Every page of the walk (address -> what it showed) arrives in the first round trip."""
    sizes = {what: first_round_trip(client, urlsplit(url)._replace(scheme="", netloc="").geturl())
             for url, what in weights.items()}
    print("first round trip, bytes:", sizes)
    assert max(sizes.values()) <= BUDGET, sizes


def answered(db, survey_id: int) -> set[str]:
    """The prompts with an answer in the survey's one completed response (the shown questions)."""
    (response,) = db.session.scalars(select(Response).where(Response.survey_id == survey_id,
                                                            Response.completed_at.is_not(None))).all()
    return set(db.session.scalars(select(Question.prompt).join(Answer, Answer.question_id == Question.id)
                                  .where(Answer.response_id == response.id)))


def reply(question: Screen):
    """A plausible answer: the first option of a list (for yes/no: yes, so follow-ups show), 4 on a
    scale, a few words in a text field."""
    kind = KINDS[question.kind]
    if not kind.has_choices:
        return 4 if question.kind in ("scale", "rating") else "Et sted at sidde i læ"
    return [question.choices[0]]


def start_template(page, template: catalogue.Template) -> int:
    """From the surveys list through the templates page to the new draft's page; returns its id."""
    page.goto("/staff/surveys/")
    page.get_by_role("link", name="Start fra en skabelon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start fra en skabelon")
    with force_locale("da"):
        name = str(template.name)
    page.get_by_role("button", name=re.compile(rf"^Brug skabelonen\s*:\s*{re.escape(name)}$")).click()
    expect(page.locator(".flash")).to_contain_text("kladde")
    survey_id = int(re.search(r"/staff/surveys/(\d+)", page.url).group(1))
    page.get_by_role("button", name="Åbn undersøgelsen").click()
    expect(page.locator(".state").first).to_have_text("Åben")
    return survey_id


def walk(phone, screens: list[Screen], axe, where: str, weights: dict, picked: dict) -> list[str]:
    """Answer every screen shown (question index -> answer, in `picked`), checking the first and each place
    screen with axe and noting each page's address in `weights`; ends on the thank-you page."""
    problems = []
    heading = phone.get_by_role("heading", level=1)
    for n, question in enumerate(screens):
        if question.shown_if and question.shown_if[1] not in picked.get(question.shown_if[0], ()):
            continue
        expect(heading).to_contain_text(question.prompt)
        weights[phone.url] = question.prompt
        if n == 0 or KINDS[question.kind].has_map:
            problems.append(axe.problems(phone, f"{where}: screen of question {n + 1} ({question.prompt})"))
        picked[n] = reply(question)
        answer(phone, question, picked[n])
        last = phone.get_by_role("button", name=SEND, exact=True)
        tap_button(phone, SEND if last.count() else NEXT)
    expect(heading).to_have_text(THANKS)
    weights[phone.url] = "the thank-you page"
    problems.append(axe.problems(phone, f"{where}: the thank-you page"))
    return problems


@pytest.mark.parametrize("key", [t.key for t in catalogue.TEMPLATES])
def test_lead_starts_each_template_and_a_young_person_answers_it_on_a_phone(db, client, new_page, axe, key):
    template = catalogue.BY_KEY[key]
    org = make_org(db)
    lead = make_user(db, org, role="editor")
    desktop = new_page(js=True, viewport={"width": 1280, "height": 900})
    log_in(desktop, lead)
    survey_id = start_template(desktop, template)
    problems = []
    if key == "bymidtebarometer":
        desktop.goto("/staff/surveys/templates/")
        problems.append(axe.problems(desktop, "the templates page"))
    screens = screens_of(db, survey_id)
    slug = db.session.get(Survey, survey_id).slug

    phone = new_page(js=True, viewport=PHONE_360)
    phone.goto(f"/s/{slug}")
    weights, picked = {}, {}
    problems += walk(phone, screens, axe, template.key, weights, picked)
    assert_light(client, weights)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_360["width"]
    assert not any(problems), "\n\n".join(p for p in problems if p)
    assert answered(db, survey_id) == {screens[n].prompt for n in picked}


def test_lead_starts_the_barometer_on_the_towns_map_and_its_place_screen_passes_axe(db, client, new_page, axe):
    org = make_org(db)
    make_map(db, org, name="Bymidten")  # the only map: the templates page picks it
    desktop = new_page(js=True, viewport={"width": 1280, "height": 900})
    log_in(desktop, make_user(db, org, role="editor"))
    desktop.goto("/staff/surveys/templates/")
    expect(desktop.get_by_label("Kort til stedspørgsmålet").first).to_have_value(
        re.compile(r"^\d+$"))
    problems = [axe.problems(desktop, "the templates page with a map")]
    desktop.get_by_role("link", name=re.compile("^Se spørgsmålene.*Bymidtebarometer")).click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Bymidtebarometer")
    problems.append(axe.problems(desktop, "the template's questions"))
    survey_id = start_template(desktop, catalogue.BY_KEY["bymidtebarometer"])
    screens = screens_of(db, survey_id)
    assert KINDS[screens[0].kind].has_map
    slug = db.session.get(Survey, survey_id).slug

    phone = new_page(js=True, viewport=PHONE_360)
    phone.goto(f"/s/{slug}")
    expect(phone.locator(".map-question")).to_be_visible()
    weights, picked = {}, {}
    problems += walk(phone, screens, axe, "bymidtebarometer on a map", weights, picked)
    assert_light(client, weights)
    assert answered(db, survey_id) == {screens[n].prompt for n in picked}
    assert not any(problems), "\n\n".join(p for p in problems if p)
