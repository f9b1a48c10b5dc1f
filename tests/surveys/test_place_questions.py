"""Place questions without JavaScript: a tap on the map picture (`<input type="image">`) zooms in, a tap on
the enlarged part places the point, and the point can be moved and removed before the screen is sent.
What is stored is the point as shares of the map, counted in the named area that holds it."""
import math
import re

import pytest
from sqlalchemy import select

from surveys.maps import TAP_WIDTH, Georeference, View, inside, parse_shape
from surveys.models import Answer, Response
from tests.builders import make_map, make_org, make_place_survey

TAP_HEIGHT = round(TAP_WIDTH * 800 / 1200)


@pytest.fixture
def place(db):
    org = make_org(db)
    survey_map = make_map(db, org)
    return make_place_survey(db, org, survey_map)


def screen_of(client, survey):
    url = client.get(f"/s/{survey.slug}").location
    return url, client.get(url).get_data(as_text=True)


def fields(page: str) -> dict:
    """The form's hidden and text fields, as the browser would send them (repeated names as lists)."""
    found: dict = {}
    page = re.sub(r"<template.*?</template>", "", page, flags=re.S)  # never sent
    for tag in re.findall(r"<input[^>]*>", page):
        kind = re.search(r'type="([^"]+)"', tag).group(1)
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if kind in ("hidden", "text") and name:
            found.setdefault(name.group(1), []).append(value.group(1) if value else "")
    return found


def tap(client, url, page, field, px, py, **extra):
    """Tap the map picture at CSS pixels (px, py), as a browser sends it; the page that follows."""
    data = {**fields(page), f"{field}_tap.x": str(px), f"{field}_tap.y": str(py), **extra}
    response = client.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client.get(response.location).get_data(as_text=True)


def press(client, url, page, **extra):
    return client.post(url, data={**fields(page), **extra})


def stored_points(db):
    return db.session.execute(select(Answer.x, Answer.y, Answer.choice_id, Answer.text)
                              .where(Answer.x.is_not(None)).order_by(Answer.id)).all()


def test_a_tap_zooms_in_a_second_tap_places_the_point_and_next_stores_it_in_its_area(client, db, place):
    question = place.questions[0]
    field = f"q{question.id}"
    url, page = screen_of(client, place)
    assert f'name="{field}_tap"' in page and 'width="288"' in page
    # Torvet is 10–40 % of the width and height: tap at about 25 %, 25 % on the whole map.
    zoomed = tap(client, url, page, field, round(0.25 * TAP_WIDTH), round(0.25 * TAP_HEIGHT))
    assert "Tryk præcis der, hvor du mener." in zoomed
    view = View.parse(fields(zoomed)[f"{field}_view"][0])
    assert not view.whole and math.isclose(view.size, 1 / 3, abs_tol=1e-3)
    # On the enlarged third, tap its middle: the point lands near 25 %, 25 % with a finer step.
    placed = tap(client, url, zoomed, field, TAP_WIDTH // 2, TAP_HEIGHT // 2)
    point = fields(placed)[f"{field}_point"][0].split()
    assert abs(float(point[0]) - 0.25) < 0.01 and abs(float(point[1]) - 0.25) < 0.01
    assert "Punkt 1, på Torvet" in placed
    assert not stored_points(db)  # nothing is stored until the screen is sent
    response = press(client, url, placed)
    assert response.status_code == 303 and response.location.endswith(f"/{place.questions[1].id}")
    (x, y, choice_id, _text), = stored_points(db)
    assert abs(x - 0.25) < 0.01 and choice_id == question.choices[0].id


def test_the_point_can_be_moved_and_removed_before_it_is_sent(client, db, place):
    field = f"q{place.questions[0].id}"
    url, page = screen_of(client, place)
    page = tap(client, url, tap(client, url, page, field, 40, 40), field, 100, 100)
    # One point allowed: tapping again moves it (to the harbour, bottom right).
    page = tap(client, url, tap(client, url, page, field, 270, 180), field, 200, 150)
    assert len(fields(page)[f"{field}_point"]) == 1 and "Punkt 1, på Havnen" in page
    response = client.post(url, data={**fields(page), f"{field}_remove": "0"})
    page = client.get(response.location).get_data(as_text=True)
    assert f"{field}_point" not in fields(page)
    refused = client.post(url, data=fields(page), follow_redirects=True).get_data(as_text=True)
    assert "Du mangler at svare på spørgsmålet." in refused
    assert client.application and not db.session.scalar(select(Response.id))


def test_a_place_can_be_picked_from_the_list_instead(client, db, place):
    question = place.questions[0]
    url, page = screen_of(client, place)
    havnen = question.choices[1].id
    response = press(client, url, page, **{f"q{question.id}_area": str(havnen)})
    assert response.status_code == 303
    assert db.session.scalars(select(Answer.choice_id).where(Answer.question_id == question.id)).all() == [havnen]


@pytest.mark.parametrize("point", ["-0.1 0.5", "1.2 0.5", "nan 0.5", "0.5 inf", "1e30 0.5", "0.5", "x y"])
def test_forged_points_are_refused_with_a_message_and_nothing_is_stored(client, db, place, point):
    field = f"q{place.questions[0].id}"
    url, page = screen_of(client, place)
    response = press(client, url, page, **{f"{field}_point": point})
    assert response.status_code == 303
    again = client.get(response.location).get_data(as_text=True)
    assert "Et sted skal være på kortet." in again
    assert not db.session.scalar(select(Response.id))


@pytest.mark.parametrize("px, py", [(-5, 40), (40, TAP_HEIGHT + 40), (10**30, 5), ("nan", 3), ("x", 1)])
def test_a_tap_outside_the_map_says_so_and_places_nothing(client, db, place, px, py):
    field = f"q{place.questions[0].id}"
    url, page = screen_of(client, place)
    again = tap(client, url, page, field, px, py)
    assert "Tryk på selve kortet." in again
    assert f"{field}_point" not in fields(again)


def test_a_tap_on_the_edge_of_the_map_is_on_the_map(client, db, place):
    field = f"q{place.questions[0].id}"
    url, page = screen_of(client, place)
    page = tap(client, url, tap(client, url, page, field, TAP_WIDTH, TAP_HEIGHT), field, TAP_WIDTH, TAP_HEIGHT)
    assert fields(page)[f"{field}_point"] == ["1 1"]


def test_enter_in_a_comment_field_sends_the_screen(client, db):
    """A browser sends Enter as a tap at 0, 0 on the first button: the map picture."""
    org = make_org(db)
    survey = make_place_survey(db, org, make_map(db, org), comment=True)
    field = f"q{survey.questions[0].id}"
    url, page = screen_of(client, survey)
    page = tap(client, url, tap(client, url, page, field, 144, 96), field, 144, 96)
    data = {**fields(page), f"{field}_comment": "Ved bænken", f"{field}_tap.x": "0", f"{field}_tap.y": "0"}
    assert client.post(url, data=data).status_code == 303
    assert stored_points(db)[0].text == "Ved bænken"


def test_several_points_each_with_a_comment(client, db):
    org = make_org(db)
    survey = make_place_survey(db, org, make_map(db, org), max_points=2, comment=True)
    field = f"q{survey.questions[0].id}"
    url, page = screen_of(client, survey)
    for px in (60, 230):
        page = tap(client, url, tap(client, url, page, field, px, 60), field, 144, 96)
    page = tap(client, url, tap(client, url, page, field, 144, 96), field, 144, 96)
    assert "Fjern et, hvis du vil markere et nyt" in page
    data = fields(page)
    data[f"{field}_comment"] = ["Her er hyggeligt", "<b>For mørkt</b>"]
    assert client.post(url, data=data).status_code == 303
    assert [p.text for p in stored_points(db)] == ["Her er hyggeligt", "<b>For mørkt</b>"]


def test_the_map_pictures_are_served_and_draw_the_pins(client, db, place):
    question = place.questions[0]
    url, page = screen_of(client, place)
    src = re.search(r'<input type="image"[^>]*src="([^"]+)"', page).group(1).replace("&amp;", "&")
    response = client.get(src)
    assert response.status_code == 200 and response.content_type == "image/webp"
    with_pin = client.get(src + "&p=0.5,0.5")
    assert with_pin.data != response.data
    assert client.get(f"/s/{place.slug}/kort/{question.id}").content_type == "image/webp"
    assert client.get(f"/s/{place.slug}/kort/{place.questions[1].id}").status_code == 404


def test_point_in_polygon_and_shapes_typed_in_percent():
    square = parse_shape("10 10, 40 40")
    assert square == [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]
    assert inside(0.2, 0.2, square) and not inside(0.5, 0.2, square)
    triangle = parse_shape("0 0, 100 0, 0 100")
    assert inside(0.2, 0.2, triangle) and not inside(0.8, 0.8, triangle)


def test_a_georeference_through_two_and_through_four_points():
    # A north-up map of about 1 km: top left 55.010 N 11.900 E, bottom right 55.000 N 11.915 E.
    corners = [{"x": 0, "y": 0, "lat": 55.010, "lon": 11.900}, {"x": 1, "y": 1, "lat": 55.000, "lon": 11.915}]
    two = Georeference.fit(corners)
    lat, lon = two.lat_lon(0.5, 0.5)
    assert abs(lat - 55.005) < 1e-4 and abs(lon - 11.9075) < 1e-4
    four = Georeference.fit(corners + [{"x": 1, "y": 0, "lat": 55.010, "lon": 11.915},
                                       {"x": 0, "y": 1, "lat": 55.000, "lon": 11.900}])
    assert four.residual < 1
    assert abs(four.lat_lon(1, 0)[1] - 11.915) < 1e-6
    x, y = four.shares(55.005, 11.9075)
    assert abs(x - 0.5) < 1e-6 and abs(y - 0.5) < 1e-6
    assert Georeference.fit(corners[:1]) is None


def test_two_points_georeference_a_map_that_is_wider_than_it_is_high():
    """A 3:2 north-up map by its top-left and bottom-right corners: the other corners come out where they are."""
    width_m = math.radians(0.015) * 6_371_000 * math.cos(math.radians(55.007))
    lat_span = math.degrees(width_m * 2 / 3 / 6_371_000)
    top, left, bottom, right = 55.010, 11.900, 55.010 - lat_span, 11.915
    two = Georeference.fit([{"x": 0, "y": 0, "lat": top, "lon": left},
                            {"x": 1, "y": 1, "lat": bottom, "lon": right}], aspect=800 / 1200)
    lat, lon = two.lat_lon(1, 0)
    assert abs(lat - top) < 2e-5 and abs(lon - right) < 2e-5  # within about a metre
    lat, lon = two.lat_lon(0, 1)
    assert abs(lat - bottom) < 2e-5 and abs(lon - left) < 2e-5
    x, y = two.shares(bottom, right)
    assert abs(x - 1) < 1e-6 and abs(y - 1) < 1e-6


@pytest.mark.parametrize("height", ["1e-323", "0", "-5", "nan", "1e30", "x"])
def test_a_forged_picture_height_is_ignored_not_an_error(client, db, place, height):
    """The tap picture's height comes back from the page; a forged one falls back to the picture's width."""
    field = f"q{place.questions[0].id}"
    url, page = screen_of(client, place)
    data = {**fields(page), f"{field}_height": height, f"{field}_tap.x": "5", f"{field}_tap.y": "0.0"}
    response = client.post(url, data=data)
    assert response.status_code == 303
    assert client.get(response.location).status_code == 200
