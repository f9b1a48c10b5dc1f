"""Staff read a place question's results in the real browser: the heat map over the town's own map, the
touchpoints beside it, and a page that passes axe."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import log_in
from tests.browser.test_results_page import expect_charts_drawn
from tests.builders import make_map, make_org, make_place_survey, make_user
from tests.engagement.dashboard.test_place_results import CORNERS, add_places, scattered
from tests.engagement.touchpoints.builders import make_touchpoint

pytestmark = pytest.mark.browser

# The width of one square of the density and of one cell of the map's grid, in screen pixels.
SQUARES = """element => ({square: element.data[0].marker.size,
                          cell: element._fullLayout.xaxis._length / element.data[0].meta.cells})"""


@pytest.fixture
def place_results(db):
    org = make_org(db)
    survey_map = make_map(db, org, control_points=CORNERS)
    survey = make_place_survey(db, org, survey_map, max_points=3, comment=True)
    park = make_touchpoint(db, org, survey, name="Skateparken", map_id=survey_map.id, map_x=0.8, map_y=0.2)
    school = make_touchpoint(db, org, survey, name="Skolen", map_id=survey_map.id, map_x=0.2, map_y=0.8)
    points = scattered(240)
    for n in range(0, len(points), 3):
        add_places(db, survey, [(*p, "Her mødes vi" if n % 9 == 0 else None) for p in points[n:n + 3]],
                   touchpoint=park if n % 9 else school)
    add_places(db, survey, ["Havnen"])
    return org, survey


def test_project_lead_sees_the_heat_map_on_the_towns_map_and_the_page_passes_axe(db, desktop, axe, place_results):
    org, survey = place_results
    question = survey.questions[0]
    log_in(desktop, make_user(db, org, role="viewer"))
    with desktop.expect_response(lambda r: f"/staff/maps/{question.setting('map_id')}/picture" in r.url) as picture:
        desktop.goto(f"/staff/surveys/{survey.id}/results")
    assert picture.value.status == 200 and picture.value.header_value("content-type") == "image/webp"
    heat = desktop.locator(f'.chart[data-figure="q{question.id}_map"]')
    expect(heat.locator(".imagelayer image")).to_have_count(1)  # the map, behind the squares
    expect(desktop.locator(f'.chart[data-figure="q{question.id}_touchpoints"] .textpoint')).to_have_text(
        ["Skateparken", "Skolen"])  # most first
    expect_charts_drawn(desktop)
    # Each square covers its cell of the grid, at this width and at a phone's.
    fit = heat.evaluate(SQUARES)
    assert abs(fit["square"] - fit["cell"]) < 1.2, fit
    desktop.set_viewport_size({"width": 340, "height": 900})
    desktop.wait_for_function(
        f"""() => {{ const e = document.querySelector('.chart[data-figure="q{question.id}_map"]');
                    const cell = e._fullLayout.xaxis._length / e.data[0].meta.cells;
                    return Math.abs(e.data[0].marker.size - cell) < 1.2 && cell < {fit['cell'] * 0.9}; }}""")
    desktop.set_viewport_size({"width": 1280, "height": 900})
    for element in desktop.locator("details").all():
        element.evaluate("d => d.open = true")
    expect(desktop.get_by_role("link", name="Hent stederne som GeoJSON")).to_be_visible()
    axe(desktop, "the results page with a place question")


def test_comments_of_one_area_open_from_the_results_page_and_pass_axe(db, desktop, axe, place_results):
    org, survey = place_results
    log_in(desktop, make_user(db, org, role="viewer"))
    desktop.goto(f"/staff/surveys/{survey.id}/results")
    desktop.get_by_role("link", name="Havnen").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Kommentarer")
    expect(desktop.get_by_label("Navngivet område")).to_have_value(str(survey.questions[0].choices[1].id))
    expect(desktop.locator("tbody tr").first).to_contain_text("Her mødes vi")
    expect(desktop.locator("tbody tr td:nth-child(2)")).to_have_text(["Havnen"] * desktop.locator("tbody tr").count())
    axe(desktop, "the comments of one area")
