"""In Chromium: an editor registers Algade 12 with its owner's contact and places it on the map by clicking,
is told what is missing first, reads the page gathering what is linked to it and opens the owner's
summary; a viewer sees the page without the contact. axe-core checks every page of the register, on a
phone and on a desktop."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.demo import town_map
from engagement.premises.models import Premises, PremisesKind
from surveys.maps import store_map
from tests.browser import wait_until_loaded
from tests.browser.test_touchpoints import log_in
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.engagement.premises.test_premises_page import add_votes
from tests.engagement.premises.test_premises_register import make_premises
from tests.engagement.touchpoints.builders import add_scans, make_touchpoint

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_map(db):
    org = make_org(db, name="Vordingborg bymidte")
    survey_map = store_map(db.session, org.id, town_map.NAME, town_map.draw())
    db.session.commit()
    return org, survey_map


def percent(text: str) -> float:
    return float(text.replace(",", ".").replace("%", ""))


def test_editor_registers_a_shop_is_told_what_is_missing_and_clicks_its_place_on_the_map(
        db, desktop, axe, screenshot, demo_map):
    org, survey_map = demo_map
    log_in(desktop, make_user(db, org, role="editor"))
    desktop.goto("/staff/premises/")
    expect(desktop.get_by_text("Ingen lokaler eller steder endnu.")).to_be_visible()
    problems = [axe.problems(desktop, "the empty register")]
    desktop.get_by_role("link", name="Nyt lokale eller sted").click()
    desktop.get_by_label("Ejerens navn").fill("Jens Ejer")
    desktop.get_by_label("Ejerens e-mail").fill("jens@ejendom.dk")
    desktop.get_by_role("button", name="Gem", exact=True).last.click()
    summary = desktop.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Skriv adressen, fx »Algade 12«.")
    expect(summary).to_contain_text("Vælg den dag, kontakten slettes")
    expect(summary).to_contain_text("Skriv, hvad kontakten gemmes til")
    expect(desktop.get_by_label("Ejerens navn")).to_have_value("Jens Ejer")
    problems.append(axe.problems(desktop, "the form with its errors"))
    screenshot(desktop, "premises-form-errors")

    desktop.get_by_label("Adresse").fill("Algade 12, 4760 Vordingborg")
    desktop.get_by_label("Hvad kontakten gemmes til").fill("At tale med ejeren om en afprøvning")
    desktop.get_by_label("Slet kontakten den").fill("2027-06-30")
    desktop.get_by_label("Kort", exact=True).select_option(label=survey_map.name)
    svg = desktop.locator("svg.touchpoint-map")
    expect(svg).to_be_visible()
    wait_until_loaded(desktop)
    box = svg.bounding_box()
    svg.click(position={"x": box["width"] * 0.4, "y": box["height"] * 0.25})
    x_field, y_field = desktop.get_by_label("x (procent fra venstre)"), desktop.get_by_label("y (procent fra toppen)")
    expect(x_field).not_to_have_value("")
    assert abs(percent(x_field.input_value()) - 40) < 1 and abs(percent(y_field.input_value()) - 25) < 1
    screenshot(desktop, "premises-form-map")
    desktop.get_by_role("button", name="Gem", exact=True).last.click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Algade 12, 4760 Vordingborg")
    expect(desktop.get_by_text("»Algade 12, 4760 Vordingborg« er i registret.")).to_be_visible()
    expect(desktop.get_by_text("jens@ejendom.dk")).to_be_visible()
    expect(desktop.locator("svg.touchpoint-map .touchpoint-map-marker")).to_be_visible()
    problems.append(axe.problems(desktop, "the premises page"))
    screenshot(desktop, "premises-page-new")
    assert not "".join(problems), "\n".join(problems)
    premises = db.session.scalar(select(Premises))
    assert premises.map_id == survey_map.id and abs(premises.map_x - 0.4) < 0.01 and abs(premises.map_y - 0.25) < 0.01


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_register_the_premises_page_and_the_summary_pass_axe_and_a_viewer_sees_no_contact(
        db, request, axe, screenshot, demo_map, viewport):
    org, survey_map = demo_map
    page = request.getfixturevalue(viewport)
    premises = make_premises(db, org, map_id=survey_map.id, map_x=0.4, map_y=0.25, owner_name="Jens Ejer",
                             owner_email="jens@ejendom.dk", contact_purpose="Afprøvning")
    make_premises(db, org, address="Torvet", kind=PremisesKind.square)
    competition = make_competition(db, org, title="Hvad skal der ske i Algade 12?", premises_id=premises.id)
    idea = make_idea(db, competition, title="Cykelværksted for unge")
    add_votes(db, idea, 6)
    add_scans(db, make_touchpoint(db, org, name="Vinduet i Algade 12", premises_id=premises.id), 4)
    log_in(page, make_user(db, org, role="viewer"))
    page.goto("/staff/premises/")
    expect(page.get_by_role("link", name="Algade 12, 4760 Vordingborg")).to_be_visible()
    problems = [axe.problems(page, f"the register ({viewport})")]
    screenshot(page, f"premises-list-{viewport}")
    page.get_by_role("link", name="Algade 12, 4760 Vordingborg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Algade 12, 4760 Vordingborg")
    expect(page.get_by_role("link", name="Vinduet i Algade 12")).to_be_visible()
    expect(page.get_by_role("link", name="Hvad skal der ske i Algade 12?")).to_be_visible()
    expect(page.get_by_text("Jens Ejer")).to_have_count(0)
    expect(page.get_by_text("jens@ejendom.dk")).to_have_count(0)
    problems.append(axe.problems(page, f"the premises page ({viewport})"))
    screenshot(page, f"premises-page-{viewport}")
    page.get_by_role("link", name="Se opsummeringen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Det ønsker byen sig for Algade 12")
    expect(page.locator(".report-idea h3", has_text="Cykelværksted for unge")).to_be_visible()
    expect(page.locator("[data-figure] .main-svg").first).to_be_attached()  # the vote chart is drawn
    problems.append(axe.problems(page, f"the owner's summary ({viewport})"))
    screenshot(page, f"premises-summary-{viewport}")
    assert not "".join(problems), "\n".join(problems)
    assert re.search(r"Jens|jens@", page.content()) is None
