"""A young person marks a place on the town's map on a phone, without JavaScript and with it.

Without JavaScript the map is a picture that sends where it was tapped: a tap shows that part of the map
larger, a second tap places the point. With static/js/map.js the whole map is shown, a tap places a pin, a
finger drags it, the buttons and two fingers zoom, and the arrow keys move it. Either way the server gets
the same fields and stores the same answer: the test aims at a spot worked out from what is on the
screen (the picture's box) and checks that the stored point is within 5 % of the map's width of it.

Taps and drags are a real finger: Playwright's touchscreen, and the DevTools protocol's touch events for
a drag or a pinch (Input.dispatchTouchEvent), as a phone's touch screen sends them.
"""
import re
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.demo import town_map
from surveys.models import Answer, Choice, Response
from tests.browser import NEXT, SEND, THANKS, tap_button, wait_until_loaded
from tests.browsing import DESKTOP
from tests.builders import AREAS, make_map, make_org, make_place_survey, make_survey

pytestmark = pytest.mark.browser

WIDTHS = pytest.mark.parametrize("width", [320, 360, 414])
JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
NEAR = 0.05  # a share of the map's width: what the issue asks of a point placed on a phone
TORVET = (0.27, 0.22)  # where the person means, inside Torvet (10–40 % across and down)
HAVNEN = (0.85, 0.85)  # inside Havnen (70–100 %)


@dataclass(frozen=True)
class PlaceSurvey:
    id: int
    slug: str
    question_id: int
    prompt: str
    areas: dict  # label -> option id

    @property
    def field(self) -> str:
        return f"q{self.question_id}"


def built(survey, position: int = 0) -> PlaceSurvey:
    question = survey.questions[position]
    return PlaceSurvey(survey.id, survey.slug, question.id, question.prompt, {c.label: c.id for c in question.choices})


@pytest.fixture
def place_survey(db):
    """`place_survey(max_points=1, comment=False)`: make_place_survey's survey on a fresh map."""
    def build(**overrides) -> PlaceSurvey:
        org = make_org(db)
        return built(make_place_survey(db, org, make_map(db, org), **overrides))
    return build


def on_phone(new_page, width: int, js: bool):
    return new_page(js=js, viewport={"width": width, "height": 760})


def start(page, survey: PlaceSurvey) -> None:
    page.goto(f"/s/{survey.slug}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(survey.prompt)


def tap_at(page, target, x: float, y: float) -> None:
    """A finger on `target` at shares (x, y) of its box (its picture: the box is the map, or the part shown)."""
    # The map's frame in the middle of the screen (a zoomed picture is larger than the frame that clips it).
    target.evaluate("e => (e.closest('.map-stage') || e).scrollIntoView({block: 'center'})")
    box = target.bounding_box()
    page.touchscreen.tap(box["x"] + x * box["width"], box["y"] + y * box["height"])


class Finger:
    """Touches that move: a drag with one finger, a pinch with two (the DevTools protocol's touch events).

    Each touch carries its time, a frame (16 ms) after the last, and the fingers rest a moment before they
    lift, as a person's do: without that Chrome sees a flick, and takes the next tap as the one that
    stops it (no click)."""
    FRAME = 0.016

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.clock = 0.0

    def _touch(self, kind: str, *points) -> None:
        self.clock += self.FRAME
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "timestamp": self.clock, "touchPoints": [
            {"x": x, "y": y, "id": n} for n, (x, y) in enumerate(points)]})

    def _gesture(self, positions) -> None:
        """positions: the fingers' places, frame by frame; they rest on the last before lifting."""
        self.clock = time.time() - 2  # in the past, so that no touch is from the future
        self._touch("touchStart", *positions[0])
        for points in positions[1:] + [positions[-1]] * 10:
            self._touch("touchMove", *points)
        self._touch("touchEnd")

    def drag(self, start, end, steps: int = 10) -> None:
        self._gesture([[(start[0] + (end[0] - start[0]) * step / steps, start[1] + (end[1] - start[1]) * step / steps)]
                       for step in range(steps + 1)])

    def pinch(self, centre, apart_from: float, apart_to: float, steps: int = 10) -> None:
        def fingers(apart):
            return [(centre[0] - apart / 2, centre[1]), (centre[0] + apart / 2, centre[1])]
        self._gesture([fingers(apart_from + (apart_to - apart_from) * step / steps) for step in range(steps + 1)])


def centre_of(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def spot_on(picture, x: float, y: float) -> tuple[float, float]:
    box = picture.bounding_box()
    return box["x"] + x * box["width"], box["y"] + y * box["height"]


def point_value(page, survey: PlaceSurvey, n: int = 0) -> tuple[float, float]:
    """The point the form will send ("x y" in the hidden field)."""
    value = page.locator(f"input[name='{survey.field}_point']").nth(n).input_value()
    x, y = (float(v) for v in value.split())
    return x, y


def near(point, target, within: float = NEAR) -> bool:
    return abs(point[0] - target[0]) <= within and abs(point[1] - target[1]) <= within


def finish(page) -> None:
    """Next on the place question, then Send on the (optional) last question: the thank-you page."""
    tap_button(page, NEXT)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hvad mangler der?")
    tap_button(page, SEND)
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)


def stored_places(db, survey: PlaceSurvey) -> list:
    """(x, y, option, comment) of the place question in the survey's one completed response."""
    db.session.rollback()  # a fresh transaction sees what the server committed
    responses = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).all()
    assert len(responses) == 1 and responses[0].completed_at is not None
    return db.session.execute(select(Answer.x, Answer.y, Answer.choice_id, Answer.text).where(
        Answer.response_id == responses[0].id, Answer.question_id == survey.question_id).order_by(Answer.id)).all()


def settled(page) -> None:
    """The page has loaded: Playwright's load event first, then the shared check. Alone, the shared check
    (polled once per animation frame) was seen under load to wait out its 10 s on a page without
    JavaScript that had loaded (it then reported nothing still loading): probably no frame came after
    the load event to run it again."""
    page.wait_for_load_state("load")
    wait_until_loaded(page)


@pytest.fixture
def photo(screenshot):
    """The shared `screenshot`, of a page that has settled."""
    def take(page, name: str) -> None:
        settled(page)
        screenshot(page, name)
    return take


def axe_problems(axe, page, where: str) -> str:
    settled(page)
    return axe.problems(page, where)


def expect_fits_the_screen(page) -> None:
    settled(page)
    wide = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert wide[0] <= wide[1], f"the page is {wide[0]} px wide on a {wide[1]} px screen"


def expect_big_enough(*targets) -> None:
    for target in targets:
        box = target.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, f"{target} is {box['width']}×{box['height']} px"


# Without JavaScript --------------------------------------------------------------------------------------

@WIDTHS
def test_person_without_javascript_zooms_in_places_moves_removes_and_places_a_point_again(
        db, new_page, place_survey, photo, width):
    survey = place_survey()
    page = on_phone(new_page, width, js=False)
    start(page, survey)
    picture = page.locator("input.map-tap")
    how = page.locator(".map-how")
    expect(picture).to_have_attribute("alt", "Kort: Bymidten. Tryk for at markere et sted.")
    expect_fits_the_screen(page)
    photo(page, f"place-nojs-{width}-1-whole")

    def place_at(x: float, y: float) -> None:
        """Tap the spot on the whole map, then the same spot on the part shown larger."""
        tap_at(page, picture, x, y)
        expect(how).to_have_text("Tryk præcis der, hvor du mener.")
        expect(picture).to_have_attribute("alt", re.compile("^Udsnit af kortet: Bymidten, forstørret"))
        left, top, size = (float(v) for v in page.locator(f"input[name='{survey.field}_view']").input_value().split())
        assert left <= x <= left + size and top <= y <= top + size, "the part shown holds the spot tapped"
        if (x, y) == TORVET:
            photo(page, f"place-nojs-{width}-2-zoomed")
        tap_at(page, picture, (x - left) / size, (y - top) / size)

    place_at(*TORVET)
    expect(page.locator(".map-points")).to_contain_text("Punkt 1, på Torvet")
    expect(how).to_have_text("Tryk på kortet igen for at flytte dit punkt.")
    assert near(point_value(page, survey), TORVET)
    expect_fits_the_screen(page)
    photo(page, f"place-nojs-{width}-3-pin")

    # One place is allowed: tapping the map again moves the point (to the harbour).
    place_at(*HAVNEN)
    expect(page.locator(".map-points")).to_contain_text("Punkt 1, på Havnen")
    expect(page.locator(f"input[name='{survey.field}_point']")).to_have_count(1)

    tap_button(page, "Fjern punkt 1")
    expect(page.locator(".map-points")).to_have_count(0)
    expect(how).to_have_text("Tryk på kortet der, hvor du mener. Så ser du den del større.")

    place_at(*TORVET)
    expect(page.locator(".map-points")).to_contain_text("Punkt 1, på Torvet")
    finish(page)

    (x, y, area, comment), = stored_places(db, survey)
    assert near((x, y), TORVET), f"stored {x}, {y}; meant {TORVET}"
    assert area == survey.areas["Torvet"] and comment is None


def test_person_without_javascript_can_go_back_to_the_whole_map_from_the_part(db, new_page, place_survey):
    survey = place_survey()
    page = on_phone(new_page, 360, js=False)
    start(page, survey)
    picture = page.locator("input.map-tap")
    tap_at(page, picture, *HAVNEN)
    expect(page.locator(".map-how")).to_have_text("Tryk præcis der, hvor du mener.")
    tap_button(page, "Vis hele kortet")
    expect(picture).to_have_attribute("alt", "Kort: Bymidten. Tryk for at markere et sted.")
    expect(page.locator(".map-points")).to_have_count(0)


# With JavaScript -----------------------------------------------------------------------------------------

@WIDTHS
def test_person_with_javascript_taps_drags_zooms_moves_with_keys_removes_and_finishes(
        db, new_page, place_survey, photo, width):
    survey = place_survey()
    page = on_phone(new_page, width, js=True)
    start(page, survey)
    stage = page.locator(".map-stage")
    picture = page.locator(".map-image")
    say = page.locator(".map-say")
    zoom_in, zoom_out = page.get_by_role("button", name="Zoom ind"), page.get_by_role("button", name="Zoom ud")
    expect(stage).to_be_visible()
    expect(page.locator("input.map-tap")).to_have_count(0)
    expect(picture).to_have_js_property("complete", True)
    stage_box = stage.bounding_box()
    assert stage_box["width"] >= width - 2 * 16 - 1, "the map is as wide as the column"
    expect(zoom_out).to_have_attribute("aria-disabled", "true")
    expect_fits_the_screen(page)
    photo(page, f"place-js-{width}-1-map")

    # A tap places the pin where the finger was.
    tap_at(page, picture, *TORVET)
    expect(say).to_have_text("Punkt 1 sat, på Torvet.")
    pin = page.get_by_role("button", name="Punkt 1, på Torvet")
    expect(pin).to_be_visible()
    expect(page.locator(".map-points")).to_contain_text("Punkt 1, på Torvet")
    assert near(point_value(page, survey), TORVET, within=0.01)
    expect_big_enough(pin, zoom_in, zoom_out, page.get_by_role("button", name="Fjern punkt 1"))
    expect_fits_the_screen(page)
    photo(page, f"place-js-{width}-2-pin")

    # A finger drags it to the harbour.
    finger = Finger(page)
    finger.drag(centre_of(pin), spot_on(picture, *HAVNEN))
    expect(say).to_have_text("Punkt 1 flyttet, på Havnen.")
    expect(page.get_by_role("button", name="Punkt 1, på Havnen")).to_be_visible()
    assert near(point_value(page, survey), HAVNEN, within=0.02)
    # One place is allowed: "Add a point" says so and leads to the pin, which stays where it is.
    page.get_by_role("button", name="Sæt et punkt").tap()
    expect(say).to_have_text("Du har markeret 1 sted. Fjern det, hvis du vil markere et andet.")
    expect(page.get_by_role("button", name="Punkt 1, på Havnen")).to_be_focused()

    # The buttons zoom in around the middle: the map is shown twice as large, the harbour pin off to the side.
    zoom_in.tap()
    expect(say).to_have_text("Kortet er zoomet ind.")
    expect(zoom_out).to_have_attribute("aria-disabled", "false")
    assert picture.bounding_box()["width"] == pytest.approx(2 * stage.evaluate("e => e.clientWidth"), abs=1)
    photo(page, f"place-js-{width}-3-zoomed")
    # One place is allowed: a tap on the larger map moves the pin there, more precisely.
    tap_at(page, picture, 0.3, 0.3)
    expect(say).to_have_text("Punkt 1 flyttet, på Torvet.")
    assert near(point_value(page, survey), (0.3, 0.3), within=0.005)

    # The arrow keys move it: small steps, bigger with Shift (finer when zoomed in).
    pin = page.get_by_role("button", name="Punkt 1, på Torvet")
    before = point_value(page, survey)
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown"):
        pin.press(key)
    expect(say).to_have_text("Punkt 1 flyttet, på Torvet.")
    after = point_value(page, survey)
    assert after[0] - before[0] == pytest.approx(3 * 0.01 / 2, abs=2e-4)
    assert after[1] - before[1] == pytest.approx(0.1 / 2, abs=2e-4)

    # Delete takes it away.
    pin.press("Delete")
    expect(say).to_have_text("Punkt 1 fjernet.")
    expect(page.locator(".map-pin-button")).to_have_count(0)
    expect(page.locator(f"input[name='{survey.field}_point']")).to_have_count(0)
    expect(page.get_by_role("button", name="Sæt et punkt")).to_be_focused()

    zoom_out.tap()
    expect(zoom_out).to_have_attribute("aria-disabled", "true")
    tap_at(page, picture, *TORVET)
    expect(say).to_have_text("Punkt 1 sat, på Torvet.")
    finish(page)

    (x, y, area, comment), = stored_places(db, survey)
    assert near((x, y), TORVET), f"stored {x}, {y}; meant {TORVET}"
    assert area == survey.areas["Torvet"] and comment is None


def test_two_fingers_zoom_the_map_and_one_finger_then_pans_it_without_placing_a_pin(db, new_page, place_survey):
    survey = place_survey()
    page = on_phone(new_page, 360, js=True)
    start(page, survey)
    stage, picture = page.locator(".map-stage"), page.locator(".map-image")
    stage.scroll_into_view_if_needed()
    width = stage.evaluate("e => e.clientWidth")
    finger = Finger(page)
    finger.pinch(centre_of(stage), 60, 180)
    expect(page.get_by_role("button", name="Zoom ud")).to_have_attribute("aria-disabled", "false")
    assert picture.bounding_box()["width"] == pytest.approx(3 * width, rel=0.1)
    left = picture.bounding_box()["x"]
    x, y = centre_of(stage)
    finger.drag((x, y), (x + 60, y))
    # The picture follows the finger 60 px to the right.
    page.wait_for_function("to => Math.abs(document.querySelector('.map-image').getBoundingClientRect().x - to) < 2",
                           arg=left + 60)
    expect(page.locator(".map-pin-button")).to_have_count(0)
    expect(page.locator(".map-say")).to_have_text("")


def test_on_a_computer_a_click_places_the_pin_and_the_mouse_drags_it(db, new_page, place_survey):
    survey = place_survey()
    page = new_page(js=True, viewport=DESKTOP)
    start(page, survey)
    picture = page.locator(".map-image")
    page.mouse.click(*spot_on(picture, *TORVET))
    expect(page.locator(".map-say")).to_have_text("Punkt 1 sat, på Torvet.")
    page.mouse.move(*centre_of(page.get_by_role("button", name="Punkt 1, på Torvet")))
    page.mouse.down()
    page.mouse.move(*spot_on(picture, *HAVNEN), steps=8)
    page.mouse.up()
    expect(page.locator(".map-say")).to_have_text("Punkt 1 flyttet, på Havnen.")
    page.get_by_role("button", name=NEXT, exact=True).click()
    page.get_by_role("button", name=SEND, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    (x, y, area, _comment), = stored_places(db, survey)
    assert near((x, y), HAVNEN) and area == survey.areas["Havnen"]


def test_several_points_with_comments_keep_their_comments_when_one_is_removed(db, new_page, place_survey, photo):
    survey = place_survey(max_points=2, comment=True)
    page = on_phone(new_page, 360, js=True)
    start(page, survey)
    picture, say = page.locator(".map-image"), page.locator(".map-say")
    tap_at(page, picture, *TORVET)
    expect(say).to_have_text("Punkt 1 sat, på Torvet.")
    tap_at(page, picture, *HAVNEN)
    expect(say).to_have_text("Punkt 2 sat, på Havnen.")
    page.get_by_label("Kommentar til punkt 1 (valgfri)").fill("Ved bænken")
    page.get_by_label("Kommentar til punkt 2 (valgfri)").fill("Ved vandet")
    tap_at(page, picture, 0.5, 0.2)
    expect(say).to_have_text("Du har markeret alle 2 steder. Fjern et, hvis du vil markere et nyt.")
    expect(page.locator(".map-pin-button")).to_have_count(2)
    photo(page, "place-js-360-4-two-points")

    tap_button(page, "Fjern punkt 1")
    expect(say).to_have_text("Punkt 1 fjernet.")
    expect(page.get_by_role("button", name="Punkt 1, på Havnen")).to_be_visible()
    expect(page.get_by_label("Kommentar til punkt 1 (valgfri)")).to_have_value("Ved vandet")
    # Without a pointer: "Add a point" puts one in the middle of what is shown, and focuses it.
    tap_button(page, "Sæt et punkt")
    expect(say).to_have_text("Punkt 2 sat.")
    expect(page.get_by_role("button", name="Punkt 2", exact=True)).to_be_focused()
    finish(page)

    places = stored_places(db, survey)
    assert [(area, comment) for _x, _y, area, comment in places] == [
        (survey.areas["Havnen"], "Ved vandet"), (None, None)]
    assert near(places[0][:2], HAVNEN) and near(places[1][:2], (0.5, 0.5), within=0.001)


def test_the_map_works_on_a_screen_that_arrives_in_place_of_the_last_one(db, new_page):
    """survey.js shows the next screen without loading a page: map.js must still turn it into the map."""
    org = make_org(db)
    survey_map = make_map(db, org)
    survey = make_survey(db, org, [
        {"kind": "short_text", "prompt": "Hvad hedder din skole?", "required": False},
        {"kind": "map_point", "prompt": "Markér, hvor du mødes med dine venner", "required": True,
         "settings": {"map_id": survey_map.id, "max_points": 1, "comment": False}}])
    for position, (label, shape) in enumerate(AREAS, start=1):
        survey.questions[1].choices.append(Choice(label=label, position=position, shape=shape))
    db.session.commit()
    place = built(survey, 1)
    page = on_phone(new_page, 360, js=True)
    page.goto(f"/s/{survey.slug}")
    page.evaluate("window.samePage = true")  # gone if a page were loaded
    tap_button(page, NEXT)
    expect(page.get_by_role("heading", level=1)).to_contain_text(place.prompt)
    expect(page.locator(".map-stage")).to_be_visible()
    assert page.evaluate("window.samePage") is True
    tap_at(page, page.locator(".map-image"), *HAVNEN)
    expect(page.locator(".map-say")).to_have_text("Punkt 1 sat, på Havnen.")
    tap_button(page, SEND)
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    (x, y, area, _comment), = stored_places(db, place)
    assert near((x, y), HAVNEN) and area == place.areas["Havnen"]


# Both ways -----------------------------------------------------------------------------------------------

@JS
def test_person_who_picks_a_place_from_the_list_alone_is_counted_in_that_area(db, new_page, place_survey, js):
    survey = place_survey()
    page = on_phone(new_page, 360, js=js)
    start(page, survey)
    if js:  # one place: picking it from the list takes back a pin already placed
        tap_at(page, page.locator(".map-image"), *TORVET)
        expect(page.locator(".map-say")).to_have_text("Punkt 1 sat, på Torvet.")
    page.locator(f"label[for='{survey.field}-area-{survey.areas['Havnen']}']").tap()
    expect(page.get_by_label("Havnen", exact=True)).to_be_checked()
    if js:
        expect(page.locator(".map-say")).to_have_text(
            "Dit punkt på kortet er fjernet, fordi du har valgt et sted på listen i stedet.")
        expect(page.locator(".map-pin-button")).to_have_count(0)
    finish(page)
    assert stored_places(db, survey) == [(None, None, survey.areas["Havnen"], None)]


@JS
def test_question_screen_and_its_error_pass_axe_and_the_error_leads_to_the_map(
        db, new_page, place_survey, axe, photo, js):
    survey = place_survey(max_points=2, comment=True)
    # axe is a script, and a page without JavaScript runs none (its promise would never settle): "without
    # JavaScript" is here the page with the site's own scripts blocked, which is the same page.
    page = on_phone(new_page, 320, js=True)
    if not js:
        page.context.route(re.compile(r"/static/js/"), lambda route: route.abort())
    start(page, survey)
    problems = [axe_problems(axe, page, "the place question")]
    tap_button(page, NEXT)
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Du mangler at svare på spørgsmålet.")
    # With JavaScript the screen with the error arrived in place of the other: it is a map again.
    expect(page.locator(".map-stage" if js else "input.map-tap")).to_be_visible()
    problems.append(axe_problems(axe, page, "the place question with its error"))
    photo(page, f"place-{'js' if js else 'nojs'}-320-error")
    summary.get_by_role("link").tap()
    expect(page.locator(f"#{survey.field}")).to_be_focused()

    tap_at(page, page.locator(".map-image" if js else "input.map-tap"), *TORVET)
    if not js:
        expect(page.locator(".map-how")).to_have_text("Tryk præcis der, hvor du mener.")
        problems.append(axe_problems(axe, page, "the part of the map shown larger"))
        tap_at(page, page.locator("input.map-tap"), 0.5, 0.5)
    expect(page.locator(".map-points")).to_contain_text("Punkt 1, på Torvet")
    problems.append(axe_problems(axe, page, "the place question with a point"))
    assert not any(problems), "\n".join(p for p in problems if p)


@JS
def test_on_the_demo_town_map_a_person_marks_the_skate_park_precisely_on_a_320_px_phone(
        db, new_page, photo, js):
    """The demo's drawn map of Vordingborg, with its street names and areas: a real picture to aim at."""
    org = make_org(db)
    survey = built(make_place_survey(db, org, town_map.seed_map(db.session, org.id), areas=town_map.AREAS))
    skate_park = town_map.share(*town_map.LANDMARKS["skate_park"])
    page = on_phone(new_page, 320, js=js)
    start(page, survey)
    name = "js" if js else "nojs"
    photo(page, f"place-town-{name}-1-whole")
    if js:
        # Two fingers spread on the skate park: it grows under them, four times as large; then a tap on it.
        picture = page.locator(".map-image")
        page.locator(".map-stage").evaluate("e => e.scrollIntoView({block: 'center'})")
        Finger(page).pinch(spot_on(picture, *skate_park), 40, 160)
        expect(page.get_by_role("button", name="Zoom ud")).to_have_attribute("aria-disabled", "false")
        photo(page, f"place-town-{name}-2-zoomed")
        tap_at(page, picture, *skate_park)
        expect(page.locator(".map-say")).to_have_text("Punkt 1 sat, på Skateparken.")
    else:
        picture = page.locator("input.map-tap")
        tap_at(page, picture, *skate_park)
        expect(page.locator(".map-how")).to_have_text("Tryk præcis der, hvor du mener.")
        photo(page, f"place-town-{name}-2-zoomed")
        left, top, size = (float(v) for v in page.locator(f"input[name='{survey.field}_view']").input_value().split())
        tap_at(page, picture, (skate_park[0] - left) / size, (skate_park[1] - top) / size)
    expect(page.locator(".map-points")).to_contain_text("Punkt 1, på Skateparken")
    expect_fits_the_screen(page)
    photo(page, f"place-town-{name}-3-pin")
    assert near(point_value(page, survey), skate_park, within=0.02)
