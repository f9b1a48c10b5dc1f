"""In Chromium: staff place a touchpoint on the demo's map of Vordingborg by clicking it (JavaScript) or by
typing x and y (without), and the demo map is readable on a 320 px phone once zoomed in.

Here, not beside the other touchpoint map tests (tests/engagement/touchpoints/test_touchpoint_map.py), to use
this folder's conftest (see test_touchpoints.py).
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.demo import town_map
from engagement.touchpoints.models import Touchpoint
from surveys.maps import store_map
from tests.browser import wait_until_loaded
from tests.browser.test_touchpoints import log_in
from tests.browser.test_words_and_layout import SMALL_PHONE, sideways
from tests.builders import make_org, make_place_survey, make_user
from tests.engagement.touchpoints.builders import make_touchpoint

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_map(db):
    org = make_org(db, name="Vordingborg bymidte")
    survey_map = store_map(db.session, org.id, town_map.NAME, town_map.draw())
    survey_map.control_points = town_map.CONTROL_POINTS
    db.session.commit()
    return org, survey_map


def percent(text: str) -> float:
    return float(text.replace(",", ".").replace("%", ""))


def test_editor_clicks_the_map_to_place_a_touchpoint_and_saves_it(db, desktop, axe, screenshot, demo_map):
    org, survey_map = demo_map
    log_in(desktop, make_user(db, org, role="editor"))
    desktop.goto("/staff/touchpoints/new")
    desktop.get_by_label("Stedets navn").fill("Skateparken ved Havnen")
    figure = desktop.locator(".touchpoint-map-figure")
    expect(figure).to_be_hidden()
    expect(desktop.get_by_role("button", name="Vis kortet")).to_be_hidden()  # needed only without JavaScript
    desktop.get_by_label("Kort", exact=True).select_option(label="Vordingborg bymidte")
    expect(figure).to_be_visible()
    expect(figure.get_by_text("Klik på kortet, hvor plakaten hænger")).to_be_visible()
    expect(figure.get_by_text("Aflæs x og y")).to_be_hidden()
    svg = desktop.locator("svg.touchpoint-map")
    wait_until_loaded(desktop)
    box = svg.bounding_box()
    skate_park = town_map.TOUCHPOINT_SPOTS["Skateparken ved Havnen"]
    share = (skate_park[0] / town_map.WIDTH, skate_park[1] / town_map.HEIGHT)
    svg.click(position={"x": box["width"] * share[0], "y": box["height"] * share[1]})
    x_field, y_field = desktop.get_by_label("x (procent fra venstre)"), desktop.get_by_label("y (procent fra toppen)")
    expect(x_field).not_to_have_value("")
    assert abs(percent(x_field.input_value()) - share[0] * 100) < 1
    assert abs(percent(y_field.input_value()) - share[1] * 100) < 1
    expect(desktop.locator(".touchpoint-map-marker")).not_to_have_attribute("visibility", "hidden")
    # Typing moves the marker as well.
    y_field.fill("50")
    expect(desktop.locator(".touchpoint-map-marker")).to_have_attribute(
        "transform", re.compile(rf" {int(500 * survey_map.aspect)}\.\d+\)$"))  # halfway down
    y_field.fill(f"{share[1] * 100:.1f}".replace(".", ","))
    problems = [axe.problems(desktop, "the touchpoint form with its map")]
    screenshot(desktop, "touchpoint-form-map")
    desktop.get_by_role("button", name="Gem", exact=True).last.click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Skateparken ved Havnen")
    expect(desktop.get_by_text("På kortet")).to_be_visible()
    problems.append(axe.problems(desktop, "the touchpoint page with its map"))
    screenshot(desktop, "touchpoint-page-map")
    assert not "".join(problems), "\n".join(problems)
    touchpoint = db.session.scalar(select(Touchpoint))
    assert touchpoint.map_id == survey_map.id
    assert abs(touchpoint.map_x - share[0]) < 0.01 and abs(touchpoint.map_y - share[1]) < 0.01


def test_without_javascript_staff_show_the_map_type_x_and_y_and_enter_saves(db, new_page, demo_map):
    org, survey_map = demo_map
    page = new_page(js=False, viewport={"width": 1280, "height": 900})
    log_in(page, make_user(db, org, role="editor"))
    page.goto("/staff/touchpoints/new")
    page.get_by_label("Stedets navn").fill("Biblioteket, indgangen")
    page.get_by_label("Kort", exact=True).select_option(label="Vordingborg bymidte")
    page.get_by_role("button", name="Vis kortet").click()
    expect(page.locator(".touchpoint-map-figure")).to_be_visible()
    expect(page.get_by_text("Aflæs x og y ved stregerne")).to_be_visible()
    expect(page.get_by_label("Stedets navn")).to_have_value("Biblioteket, indgangen")
    page.get_by_label("x (procent fra venstre)").fill("72,9")
    page.get_by_label("y (procent fra toppen)").fill("44,2")
    page.get_by_label("Stedets navn").press("Enter")  # the form's default button is Save, not "Vis kortet"
    expect(page.get_by_role("heading", level=1)).to_have_text("Biblioteket, indgangen")
    touchpoint = db.session.scalar(select(Touchpoint))
    assert (touchpoint.map_id, touchpoint.map_x, touchpoint.map_y) == (survey_map.id, 0.729, 0.442)


@pytest.mark.parametrize("js", [False, True], ids=["no-js", "js"])
def test_the_demo_map_is_legible_on_a_320_px_phone(db, new_page, screenshot, demo_map, js):
    """A phone 320 px wide: the whole map, then (without JavaScript) a tap zooms in three times on the
    square, whose street names must then be large enough to read (a person looks at the screenshots)."""
    org, survey_map = demo_map
    survey = make_place_survey(db, org, survey_map, max_points=2, comment=True, areas=town_map.AREAS)
    page = new_page(js=js, viewport={"width": 320, "height": 640})
    page.goto(f"/s/{survey.slug}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Markér")
    wait_until_loaded(page)
    screenshot(page, f"demo-map-320-{'js' if js else 'no-js'}")
    if not js:
        tap = page.locator("input[type=image]")
        box = tap.bounding_box()
        assert box["width"] <= 320
        square = town_map.LANDMARKS["slotstorvet"]
        tap.click(position={"x": box["width"] * square[0] / town_map.WIDTH,
                            "y": box["height"] * square[1] / town_map.HEIGHT})
        expect(page.get_by_text("Tryk præcis der, hvor du mener.")).to_be_visible()
        # The browser's own load event (it waits for the zoomed picture), not a check run in the page:
        # without JavaScript, after a form's navigation, Chromium sometimes ran no check in the page for
        # 10 s, polled by animation frame or by time (the test failed in about one full run in three).
        page.wait_for_load_state("load")
        expect(page.locator("input[type=image]")).to_be_visible()
        assert page.locator("input[type=image]").bounding_box()["width"] <= 320
        screenshot(page, "demo-map-320-zoomed")


def test_the_touchpoint_form_and_page_with_a_map_fit_a_320_px_phone(db, new_page, screenshot, demo_map):
    org, survey_map = demo_map
    spot = town_map.TOUCHPOINT_SPOTS["Biblioteket, indgangen"]
    touchpoint = make_touchpoint(db, org, name="Biblioteket, indgangen", map_id=survey_map.id,
                                 map_x=spot[0] / town_map.WIDTH, map_y=spot[1] / town_map.HEIGHT)
    page = new_page(viewport=SMALL_PHONE)
    log_in(page, make_user(db, org, role="editor"))
    problems = []
    for where in (f"/staff/touchpoints/{touchpoint.id}/edit", f"/staff/touchpoints/{touchpoint.id}"):
        page.goto(where)
        expect(page.locator("svg.touchpoint-map")).to_be_visible()
        problems.append(sideways(page, where))
        screenshot(page, "touchpoint-map-320-" + ("form" if where.endswith("edit") else "page"))
    assert [p for p in problems if p] == []
