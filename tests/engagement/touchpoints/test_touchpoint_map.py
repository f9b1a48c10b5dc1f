"""Staff place a touchpoint on one of the organisation's maps: x and y in percent (or a click, with
JavaScript: tests/browser/test_touchpoint_map.py), the map shown with the spot marked, a place worked out
from the touchpoint's latitude and longitude on a georeferenced map; bad values and other organisations'
maps get a clear Danish message and keep what was typed."""
import html
import re

import pytest
from sqlalchemy import select

from engagement.touchpoints import services
from engagement.touchpoints.models import Touchpoint, TouchpointKind
from tests.builders import make_map, make_org, make_user
from tests.conftest import csrf_token
from tests.engagement.touchpoints.builders import make_touchpoint

# A north-up map of about 1 km: its top left and bottom right corners (what staff type on the maps page).
CORNERS = [{"x": 0.0, "y": 0.0, "lat": 55.0140, "lon": 11.8985}, {"x": 1.0, "y": 1.0, "lat": 55.0020, "lon": 11.9225}]
MARKER = re.compile(
    r'<g class="touchpoint-map-marker" transform="translate\(([\d.]+) ([\d.]+)\)"( visibility="hidden")?')


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def town_map(db, org):
    return make_map(db, org, name="Bymidten", control_points=CORNERS)


@pytest.fixture
def editor(db, org, staff):
    return staff(make_user(db, org, role="editor"))


def form_data(client, url, **values):
    data = {"csrf_token": csrf_token(client, url), "name": "Skateparken ved Havnen", "kind": "skate_park",
            "target": "", "headline": "", "address": "", "latitude": "", "longitude": "", "note": "",
            "map_id": "", "map_x": "", "map_y": ""}
    return {**data, **values}


def page_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_value(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page).group(1)


def test_editor_places_a_new_touchpoint_on_the_map_in_percent_and_its_page_shows_it(client, db, town_map, editor):
    url = "/staff/touchpoints/new"
    response = client.post(url, data=form_data(client, url, map_id=str(town_map.id), map_x="42,5", map_y="57 %"))
    assert response.status_code == 303
    touchpoint = db.session.scalar(select(Touchpoint))
    assert (touchpoint.map_id, touchpoint.map_x, touchpoint.map_y) == (town_map.id, 0.425, 0.57)
    page = page_of(client.get(response.location))
    assert "På kortet" in page and "Bymidten, x 42,5 %, y 57 %" in page
    x, y, hidden = MARKER.search(page).groups()
    assert (float(x), float(y), hidden) == (425.0, round(0.57 * 1000 * town_map.aspect, 1), None)
    assert f'href="/staff/maps/{town_map.id}/picture?v={town_map.version}"' in page


def test_the_edit_form_shows_the_map_with_the_spot_and_a_grid_to_read_percent_from(client, db, org, town_map, editor):
    touchpoint = make_touchpoint(db, org, map_id=town_map.id, map_x=0.1234, map_y=0.9)
    page = page_of(client.get(f"/staff/touchpoints/{touchpoint.id}/edit"))
    assert f'<option selected value="{town_map.id}">Bymidten</option>' in page
    assert field_value(page, "map_x") == "12,34" and field_value(page, "map_y") == "90"
    figure = re.search(r'<figure class="touchpoint-map-figure"[^>]*>', page).group(0)
    assert "hidden" not in figure
    assert MARKER.search(page).group(3) is None
    assert page.count('<line x1="') == 18 and ">50</text>" in page  # the grid: every 10 % both ways
    assert 'role="img"' in page and "Kort: Bymidten – x 12,34 %, y 90 %" in page
    # The page's own picture address answers with the map (the staff maps pages serve it).
    picture = client.get(re.search(r'<image[^>]*href="([^"]+)"', page).group(1))
    assert picture.status_code == 200 and picture.content_type == "image/webp"


def test_show_the_map_without_javascript_shows_the_chosen_map_and_saves_nothing(client, db, town_map, editor):
    url = "/staff/touchpoints/new"
    before = page_of(client.get(url))
    assert re.search(r'<figure class="touchpoint-map-figure" hidden>', before)  # no map chosen yet
    response = client.post(url, data=form_data(client, url, name="Biblioteket", map_id=str(town_map.id),
                                               show_map="1"))
    page = page_of(response)
    assert response.status_code == 200 and not db.session.scalar(select(Touchpoint.id))
    assert re.search(r'<figure class="touchpoint-map-figure">', page)
    assert field_value(page, "name") == "Biblioteket" and 'class="error-summary"' not in page
    # Enter in a field saves: the form's first button is a hidden Save, ahead of "Show the map".
    first_button = re.search(r"<button[^>]*>[^<]*</button>", page.split('method="post"', 2)[2]).group(0)
    assert 'class="visually-hidden"' in first_button and "Gem" in first_button


@pytest.mark.parametrize("values, field, message", [
    ({"map_x": "120", "map_y": "40"}, "map_x", "Skriv x som et tal fra 0 til 100 (procent af kortets bredde)"),
    ({"map_x": "40", "map_y": "-1"}, "map_y", "Skriv y som et tal fra 0 til 100 (procent af kortets højde), fx 57."),
    ({"map_x": "ved kirken", "map_y": "40"}, "map_x", "Skriv x som et tal fra 0 til 100"),
    ({"map_x": "nan", "map_y": "inf"}, "map_x", "Skriv x som et tal fra 0 til 100"),
    ({"map_x": "40", "map_y": ""}, "map_x", "Udfyld både x og y, eller ingen af dem."),
    ({"map_x": "", "map_y": ""}, "map_x", "Angiv stedet på kortet: x og y."),
    ({"map_id": "", "map_x": "40", "map_y": "40"}, "map_id", "Vælg det kort, stedet er på, eller tøm x og y."),
    ({"map_id": "kortet"}, "map_id", "Vælg et af jeres egne kort på listen."),
])
def test_bad_places_get_a_clear_message_and_keep_what_was_typed(client, db, town_map, editor, values, field, message):
    url = "/staff/touchpoints/new"
    data = form_data(client, url, name="Havnen", **{"map_id": str(town_map.id), **values})
    response = client.post(url, data=data)
    page = page_of(response)
    assert response.status_code == 422
    assert message in re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page).group(1)
    assert field_value(page, "name") == "Havnen"
    for name in ("map_x", "map_y"):
        assert field_value(page, name) == data[name]
    assert not db.session.scalar(select(Touchpoint.id))


def test_another_organisations_map_is_refused_and_not_even_listed(client, db, org, town_map, editor):
    theirs = make_map(db, make_org(db), name="Ringsted centrum")
    url = "/staff/touchpoints/new"
    assert "Ringsted centrum" not in page_of(client.get(url))
    response = client.post(url, data=form_data(client, url, map_id=str(theirs.id), map_x="50", map_y="50"))
    assert response.status_code == 422
    assert "Vælg et af jeres egne kort på listen." in page_of(response)
    assert not db.session.scalar(select(Touchpoint.id))
    # The service refuses it too, whatever calls it.
    with pytest.raises(services.InvalidMapPlace):
        services.create_touchpoint(db.session, org.id, services.TouchpointValues(
            name="Ringsted", kind=TouchpointKind.other, map_id=theirs.id, map_x=0.5, map_y=0.5))
    db.session.rollback()


def test_a_touchpoint_with_coordinates_is_offered_its_place_on_a_georeferenced_map(client, db, org, town_map, editor):
    touchpoint = make_touchpoint(db, org, latitude=55.0080, longitude=11.9105)
    url = f"/staff/touchpoints/{touchpoint.id}/edit"
    data = form_data(client, url, name=touchpoint.name, latitude="55,008", longitude="11,9105",
                     map_id=str(town_map.id))
    shown = page_of(client.post(url, data={**data, "show_map": "1"}))
    assert "Stedets bredde- og længdegrad ligger ved x 50 %, y 50 % på dette kort." in shown
    placed = page_of(client.post(url, data={**data, "from_coordinates": "1"}))
    assert field_value(placed, "map_x") == "50" and field_value(placed, "map_y") == "50"
    assert "ligger ved" not in placed  # offered only while the place is empty
    db.session.expire_all()
    assert touchpoint.map_id is None  # nothing is saved until staff press Save
    saved = client.post(url, data=form_data(client, url, **{**data, "map_x": "50", "map_y": "50"}))
    assert saved.status_code == 303
    db.session.expire_all()
    assert (touchpoint.map_id, touchpoint.map_x, touchpoint.map_y) == (town_map.id, 0.5, 0.5)


def test_coordinates_off_the_map_are_not_offered_and_a_forced_post_says_why(client, db, org, town_map, editor):
    touchpoint = make_touchpoint(db, org, latitude=55.6761, longitude=12.5683)  # Copenhagen
    url = f"/staff/touchpoints/{touchpoint.id}/edit"
    data = form_data(client, url, name=touchpoint.name, latitude="55,6761", longitude="12,5683",
                     map_id=str(town_map.id))
    assert "ligger ved" not in page_of(client.post(url, data={**data, "show_map": "1"}))
    refused = client.post(url, data={**data, "from_coordinates": "1"})
    assert "ligger ikke på dette kort" in page_of(refused) and field_value(page_of(refused), "map_x") == ""


def test_a_map_without_georeference_offers_nothing(client, db, org, editor):
    plain = make_map(db, org, name="Skitse")
    touchpoint = make_touchpoint(db, org, latitude=55.008, longitude=11.91)
    url = f"/staff/touchpoints/{touchpoint.id}/edit"
    data = form_data(client, url, name=touchpoint.name, latitude="55,008", longitude="11,91", map_id=str(plain.id))
    assert "ligger ved" not in page_of(client.post(url, data={**data, "show_map": "1"}))


def test_taking_a_touchpoint_off_the_map(client, db, org, town_map, editor):
    touchpoint = make_touchpoint(db, org, map_id=town_map.id, map_x=0.3, map_y=0.4)
    url = f"/staff/touchpoints/{touchpoint.id}/edit"
    assert client.post(url, data=form_data(client, url, name=touchpoint.name)).status_code == 303
    db.session.expire_all()
    assert (touchpoint.map_id, touchpoint.map_x, touchpoint.map_y) == (None, None, None)
    assert "På kortet" not in page_of(client.get(f"/staff/touchpoints/{touchpoint.id}"))


def test_without_maps_the_form_says_where_to_make_one(client, db, editor):
    page = page_of(client.get("/staff/touchpoints/new"))
    assert "Jeres organisation har ingen kort endnu." in page and 'href="/staff/maps/"' in page
    assert 'name="map_x"' not in page
