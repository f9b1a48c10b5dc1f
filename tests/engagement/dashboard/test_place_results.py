"""Staff read a place question's results: the heat map's numbers, places per named area, comments by area,
where the answers came from, and the places in the spreadsheets and as GeoJSON for the municipality's GIS.

Every number is checked against a count made here, from the points the test itself stored.
"""
import csv
import io
import json
import math
import random
import re
import secrets
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from shapely.geometry import LinearRing, Point, shape
from sqlalchemy import insert

from surveys.kinds import KINDS
from surveys.maps import inside
from surveys.models import Answer, Response
from tests.builders import AREAS, PASSWORD, make_map, make_org, make_place_survey, make_user
from tests.conftest import CSRF, statements_during
from tests.engagement.touchpoints.builders import make_touchpoint

MAY = datetime(2026, 5, 4, 8, 30)  # UTC
# A map of about 1.3 × 1.1 km of Vordingborg, north up: its four corners' latitude and longitude.
NORTH, SOUTH, WEST, EAST = 55.0140, 55.0040, 11.9000, 11.9200
CORNERS = [{"x": 0, "y": 0, "lat": NORTH, "lon": WEST}, {"x": 1, "y": 0, "lat": NORTH, "lon": EAST},
           {"x": 0, "y": 1, "lat": SOUTH, "lon": WEST}, {"x": 1, "y": 1, "lat": SOUTH, "lon": EAST}]
FIGURES = re.compile(r'<script type="application/json" id="figures">(.*?)</script>', re.S)


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def survey(db, org):
    return make_place_survey(db, org, make_map(db, org, control_points=CORNERS), max_points=3, comment=True,
                             slug="steder-2026")


@pytest.fixture
def lead(db, org, staff):
    return staff(make_user(db, org, role="viewer"))


def add_places(db, survey, places, started=MAY, completed=True, touchpoint=None) -> int:
    """One response to the place question (the survey's first): `places` are (x, y) or (x, y, comment) points,
    or the label of an area picked from the list. Stored as the kind stores an answer; the response id."""
    question = survey.questions[0]
    labels = {c.label: c.id for c in question.choices}
    value = {"points": [{"x": p[0], "y": p[1], "comment": p[2] if len(p) > 2 else None}
                        for p in places if not isinstance(p, str)],
             "areas": [labels[p] for p in places if isinstance(p, str)]}
    response_id = db.session.execute(insert(Response).values(
        survey_id=survey.id, key=secrets.token_urlsafe(32), started_at=started, updated_at=started,
        completed_at=started + timedelta(seconds=40) if completed else None,
        touchpoint_id=touchpoint.id if touchpoint else None).returning(Response.id)).scalar()
    rows = KINDS[question.kind].rows(question, value)
    db.session.execute(insert(Answer), [{"response_id": response_id, "question_id": question.id, "choice_id": None,
                                         "number": None, "text": None, "x": None, "y": None, **row} for row in rows])
    db.session.commit()
    return response_id


def figures_of(page: str) -> dict:
    return json.loads(FIGURES.search(page).group(1))


def results(client, survey, **args):
    response = client.get(f"/staff/surveys/{survey.id}/results", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def area_of_point(x, y) -> str | None:
    """Counted here, independently of the app: the first of AREAS that holds the point."""
    return next((label for label, polygon in AREAS if inside(x, y, polygon)), None)


def cell_counts(points, columns, rows) -> dict:
    counts = {}
    for x, y in points:
        cell = (min(int(x * columns), columns - 1), min(int(y * rows), rows - 1))
        counts[cell] = counts.get(cell, 0) + 1
    return counts


def density_of(figure) -> dict:
    """(column, row) -> places, read back from the density trace's square centres and counts."""
    trace = figure["data"][0]
    columns = trace["meta"]["cells"]
    rows = round(columns * 800 / 1200)
    return {(math.floor(x * columns), math.floor(y * rows)): n
            for x, y, n in zip(trace["x"], trace["y"], trace["customdata"], strict=True)}


def scattered(n, seed=14):
    """`n` points in clusters around the square (Torvet), the harbour and the middle of the map."""
    rng = random.Random(seed)
    centres = [(0.25, 0.25), (0.85, 0.85), (0.5, 0.5)]
    points = []
    for i in range(n):
        cx, cy = centres[i % 3]
        points.append((round(min(max(rng.gauss(cx, 0.08), 0), 1), 5), round(min(max(rng.gauss(cy, 0.08), 0), 1), 5)))
    return points


# The results page -----------------------------------------------------------------------------------------

def test_the_heat_map_counts_every_point_in_its_cell_and_each_area_counts_its_places(client, db, survey, lead):
    points = scattered(120) + [(1.0, 1.0), (0.0, 0.0)]  # the far corner falls in the last cell
    for x, y in points:
        add_places(db, survey, [(x, y)])
    add_places(db, survey, ["Torvet"])  # picked from the list: counted for Torvet, not on the heat map
    page = results(client, survey)
    question = survey.questions[0]
    figures = figures_of(page)
    assert density_of(figures[f"q{question.id}_map"]) == cell_counts(points, 50, 33)
    expected = {label: sum(area_of_point(x, y) == label for x, y in points) for label, _shape in AREAS}
    expected["Torvet"] += 1
    outside = sum(area_of_point(x, y) is None for x, y in points)
    bars = figures[f"q{question.id}"]["data"][0]
    assert dict(zip(bars["y"], bars["x"], strict=True)) == {**expected, "Uden for alle navngivne områder": outside}
    table = page[page.index("Steder pr. navngivet område"):]
    for label, n in expected.items():
        assert re.search(rf"<td[^>]*>{label}</td><td>{n}</td>", table), label
    assert f"{len(points)} steder markeret på kortet, 1 valgt fra listen." in page
    # Few points: they are drawn themselves on top of the density, each with its area.
    dots = figures[f"q{question.id}_map"]["data"][1]
    assert sorted(zip(dots["x"], dots["y"], strict=True)) == sorted(points)


def test_many_points_ship_as_cells_not_as_one_marker_each(client, db, survey, lead):
    question = survey.questions[0]
    points = scattered(700)
    rows = []
    for n in range(0, len(points), 3):
        rows.append(points[n:n + 3])
    for places in rows:
        add_places(db, survey, places)
    page = results(client, survey)
    figure = figures_of(page)[f"q{question.id}_map"]
    assert len(figure["data"]) == 1  # no trace of single points
    assert sum(figure["data"][0]["customdata"]) == 700 and len(figure["data"][0]["x"]) <= 50 * 33
    assert "700 steder markeret på kortet" in page
    # The figure sits on the staff route's map picture, in the map's aspect, y downwards.
    layout = figure["layout"]
    assert layout["images"][0]["source"].startswith(f"/staff/maps/{question.setting('map_id')}/picture?v=")
    assert layout["yaxis"]["range"] == [1, 0] and math.isclose(layout["yaxis"]["scaleratio"], 800 / 1200, rel_tol=0.01)


def test_the_place_results_take_the_same_few_queries_for_ten_or_a_thousand_points(app, client, db, survey, lead):
    question = survey.questions[0]
    for x, y in scattered(10):
        add_places(db, survey, [(x, y, "fint")])

    def page():
        assert client.get(f"/staff/surveys/{survey.id}/results").status_code == 200

    few = statements_during(db, page)
    for chunk in range(0, 990, 3):
        add_places(db, survey, [(x, y, "fint") for x, y in scattered(3, seed=chunk)])
    many = statements_during(db, page)
    assert len(many) <= len(few)  # with many points, the points themselves are not even read
    assert figures_of(client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True))[
        f"q{question.id}_map"]["data"][0]["customdata"]


def test_filters_change_the_numbers_on_the_map(client, db, org, survey, lead):
    question = survey.questions[0]
    park = make_touchpoint(db, org, survey, name="Skateparken")
    torvet, havnen = question.choices
    add_places(db, survey, [(0.2, 0.2)], touchpoint=park)
    add_places(db, survey, [(0.3, 0.3), (0.8, 0.8)], touchpoint=park)
    add_places(db, survey, [(0.8, 0.9)], started=MAY + timedelta(days=10))
    add_places(db, survey, [(0.5, 0.5)], completed=False)

    def numbers(**args):
        figure = figures_of(results(client, survey, **args)).get(f"q{question.id}_map")
        return sum(figure["data"][0]["customdata"]) if figure else 0

    assert numbers() == 4
    assert numbers(incomplete="1") == 5
    assert numbers(t=park.id) == 3
    assert numbers(**{"from": "2026-05-10"}) == 1
    assert numbers(to="2026-05-05") == 3
    assert numbers(a=havnen.id) == 3  # those who marked a place in the harbour: all their places count
    assert numbers(a=torvet.id, t=park.id) == 3
    bars = figures_of(results(client, survey, a=havnen.id, **{"from": "2026-05-10"}))[f"q{question.id}"]["data"][0]
    assert dict(zip(bars["y"], bars["x"], strict=True)) == {"Torvet": 0, "Havnen": 1}


def test_comments_are_listed_by_area_a_page_at_a_time(client, db, survey, lead):
    question = survey.questions[0]
    for n in range(25):
        add_places(db, survey, [(0.2, 0.2, f"Torvet-kommentar {n:02d}")])
    add_places(db, survey, [(0.55, 0.2, "=HYPERLINK(\"http://evil.example\")")])  # outside every area
    add_places(db, survey, [(0.8, 0.8)])  # no comment
    page = results(client, survey)
    section = page[page.index("Kommentarer pr. område"):page.index("Til GIS")]
    assert "Torvet-kommentar" not in section  # the results page counts them and links to them
    assert re.search(r">Torvet</span></a>: 25 kommentarer", section)
    assert "Uden for alle navngivne områder</a>: 1 kommentar" in section and "Havnen" not in section
    first = client.get(f"/staff/surveys/{survey.id}/results/questions/{question.id}/comments",
                       query_string={"area": question.choices[0].id}).get_data(as_text=True)
    shown = re.findall(r"Torvet-kommentar (\d\d)", first)
    assert shown == [f"{n:02d}" for n in range(24, 4, -1)] and "Side 1 af 2" in first
    second = client.get(f"/staff/surveys/{survey.id}/results/questions/{question.id}/comments",
                        query_string={"area": question.choices[0].id, "page": 2}).get_data(as_text=True)
    assert re.findall(r"Torvet-kommentar (\d\d)", second) == ["04", "03", "02", "01", "00"]
    outside = client.get(f"/staff/surveys/{survey.id}/results/questions/{question.id}/comments",
                         query_string={"area": "none"}).get_data(as_text=True)
    assert "1 kommentar" in outside and "Torvet-kommentar" not in outside and "evil.example" in outside
    searched = client.get(f"/staff/surveys/{survey.id}/results/questions/{question.id}/comments",
                          query_string={"search": "kommentar 1"}).get_data(as_text=True)
    assert "10 kommentarer" in searched


def test_touchpoints_on_the_same_map_show_where_the_answers_came_from(client, db, org, survey, lead):
    question = survey.questions[0]
    survey_map_id = question.setting("map_id")
    school = make_touchpoint(db, org, survey, name="Skolen", map_id=survey_map_id, map_x=0.2, map_y=0.7)
    park = make_touchpoint(db, org, survey, name="Skateparken", map_id=survey_map_id, map_x=0.9, map_y=0.2)
    make_touchpoint(db, org, survey, name="Biblioteket")  # not on the map
    for _ in range(3):
        add_places(db, survey, [(0.2, 0.2)], touchpoint=school)
    add_places(db, survey, [(0.8, 0.8)], touchpoint=park)
    add_places(db, survey, [(0.8, 0.8)], touchpoint=park, started=MAY + timedelta(days=10))
    figure = figures_of(results(client, survey))[f"q{question.id}_touchpoints"]
    trace = figure["data"][0]
    assert dict(zip(trace["text"], trace["customdata"], strict=True)) == {"Skolen": 3, "Skateparken": 2}
    assert trace["x"] == [0.2, 0.9] and trace["y"] == [0.7, 0.2]
    assert trace["marker"]["size"][0] > trace["marker"]["size"][1]
    later = figures_of(results(client, survey, **{"from": "2026-05-10"}))[f"q{question.id}_touchpoints"]
    assert dict(zip(later["data"][0]["text"], later["data"][0]["customdata"], strict=True)) == \
        {"Skateparken": 1, "Skolen": 0}
    # Responses, not places: a person who marked two places through the park counts once.
    add_places(db, survey, [(0.8, 0.8), (0.2, 0.2)], touchpoint=park)
    again = figures_of(results(client, survey))[f"q{question.id}_touchpoints"]["data"][0]
    assert dict(zip(again["text"], again["customdata"], strict=True)) == {"Skolen": 3, "Skateparken": 3}


def test_staff_see_the_map_of_a_closed_survey_and_another_organisation_sees_nothing(app, client, db, org, survey,
                                                                                  staff):
    from surveys.models import SurveyStatus

    question = survey.questions[0]
    add_places(db, survey, [(0.2, 0.2, "hej")])
    survey.status = SurveyStatus.closed
    db.session.commit()
    base = f"/staff/surveys/{survey.id}/results/questions/{question.id}"
    staff(make_user(db, org, role="teacher"))
    picture_url = figures_of(results(client, survey))[f"q{question.id}_map"]["layout"]["images"][0]["source"]
    urls = [picture_url, f"{base}/places.geojson", f"{base}/areas.geojson", f"{base}/comments"]
    picture = client.get(picture_url)
    assert picture.status_code == 200 and picture.content_type == "image/webp" and picture.data[8:12] == b"WEBP"
    assert "private" in picture.headers["Cache-Control"]
    assert all(client.get(url).status_code == 200 for url in urls[1:])
    assert app.test_client().get(picture_url).status_code == 302  # signed out: to the login page
    outsider = app.test_client()
    token = CSRF.search(outsider.get("/staff/login").get_data(as_text=True)).group(1)
    stranger = make_user(db, make_org(db), role="admin")
    outsider.post("/staff/login", data={"csrf_token": token, "email": stranger.email, "password": PASSWORD})
    assert outsider.get("/staff/surveys/").status_code == 200  # signed in, in the other organisation
    for url in urls:
        assert outsider.get(url).status_code == 404, url


def test_a_question_on_another_organisations_map_shows_no_map(client, db, org, staff):
    theirs = make_map(db, make_org(db))
    survey = make_place_survey(db, org, theirs)
    add_places(db, survey, [(0.2, 0.2)])
    staff(make_user(db, org))
    page = results(client, survey)
    assert f"/staff/maps/{theirs.id}/picture" not in page and f"q{survey.questions[0].id}_map" not in page
    geojson = f"/staff/surveys/{survey.id}/results/questions/{survey.questions[0].id}/places.geojson"
    assert client.get(geojson).status_code == 404


# Spreadsheets ---------------------------------------------------------------------------------------------

def test_the_spreadsheets_give_each_place_its_latitude_and_longitude(client, db, survey, lead):
    add_places(db, survey, [(0.5, 0.5, "=1+1"), (0.25, 0.25), "Havnen"])
    text = client.get(f"/staff/surveys/{survey.id}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    header, row = list(csv.reader(io.StringIO(text), delimiter=";"))[:2]
    cells = dict(zip(header, row, strict=True))
    prompt = "1. " + survey.questions[0].prompt
    assert cells[f"{prompt} (1): x"] == "0,5" and cells[f"{prompt} (1): y"] == "0,5"
    assert float(cells[f"{prompt} (1): breddegrad"].replace(",", ".")) == pytest.approx((NORTH + SOUTH) / 2, abs=1e-6)
    assert float(cells[f"{prompt} (1): længdegrad"].replace(",", ".")) == pytest.approx((WEST + EAST) / 2, abs=1e-6)
    assert cells[f"{prompt} (1): kommentar"] == "'=1+1"
    assert cells[f"{prompt} (2): område"] == "Torvet"
    assert float(cells[f"{prompt} (2): breddegrad"].replace(",", ".")) == pytest.approx(
        NORTH - (NORTH - SOUTH) / 4, abs=1e-6)
    assert cells[f"{prompt} (3): område"] == "Havnen" and cells[f"{prompt} (3): breddegrad"] == ""
    book = load_workbook(io.BytesIO(client.get(f"/staff/surveys/{survey.id}/export.xlsx").data), read_only=True)
    head, first = list(book.active.iter_rows(values_only=True))[:2]
    values = dict(zip(head, first, strict=False))  # the row ends at its last filled cell
    assert values[f"{prompt} (1): længdegrad"] == pytest.approx((WEST + EAST) / 2, abs=1e-6)
    assert values[f"{prompt} (1): kommentar"] == "'=1+1"


def test_each_row_of_the_spreadsheet_holds_that_persons_own_places(client, db, survey, lead):
    add_places(db, survey, [(0.5, 0.5, "Ved springvandet"), "Havnen"])
    add_places(db, survey, [(0.25, 0.75)], started=MAY + timedelta(hours=1))
    add_places(db, survey, ["Torvet"], started=MAY + timedelta(hours=2))
    text = client.get(f"/staff/surveys/{survey.id}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    first, second, third = (dict(zip(header, row, strict=True)) for row in rows)
    prompt = "1. " + survey.questions[0].prompt
    assert (first[f"{prompt} (1): x"], first[f"{prompt} (1): kommentar"], first[f"{prompt} (2): område"]) == (
        "0,5", "Ved springvandet", "Havnen")
    assert (second[f"{prompt} (1): x"], second[f"{prompt} (1): y"], second[f"{prompt} (1): kommentar"]) == (
        "0,25", "0,75", "")
    assert second[f"{prompt} (2): område"] == "" and second[f"{prompt} (2): breddegrad"] == ""
    assert float(second[f"{prompt} (1): breddegrad"].replace(",", ".")) == pytest.approx(
        NORTH - (NORTH - SOUTH) * 3 / 4, abs=1e-6)
    assert third[f"{prompt} (1): område"] == "Torvet"
    assert all(third[f"{prompt} (1): {column}"] == "" for column in ("x", "y", "breddegrad", "kommentar"))


def test_a_map_without_coordinates_gives_no_latitude_columns_and_says_why_there_is_no_geojson(client, db, org, lead):
    survey = make_place_survey(db, org, make_map(db, org, name="Skitse af havnen"))
    add_places(db, survey, [(0.5, 0.5)])
    header = client.get(f"/staff/surveys/{survey.id}/export.csv").get_data(as_text=True).splitlines()[0]
    assert ": x" in header and "breddegrad" not in header
    page = results(client, survey)
    assert "places.geojson" not in page and "»Skitse af havnen« har endnu ingen rigtige koordinater" in page
    refused = client.get(f"/staff/surveys/{survey.id}/results/questions/{survey.questions[0].id}/places.geojson")
    assert refused.status_code == 409 and "breddegrad og længdegrad" in refused.get_data(as_text=True)


# GeoJSON ----------------------------------------------------------------------------------------------------

def download_geojson(client, survey, what, tmp_path, **args):
    response = client.get(f"/staff/surveys/{survey.id}/results/questions/{survey.questions[0].id}/{what}.geojson",
                          query_string=args)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    path = tmp_path / f"{what}.geojson"
    path.write_bytes(response.data)
    return path, json.loads(response.data)


def ogrinfo(path) -> str:
    if not shutil.which("ogrinfo"):
        pytest.fail("ogrinfo is missing: `apt-get install gdal-bin` (the Makefile's system-packages does it)")
    return subprocess.run(["ogrinfo", "-ro", "-al", str(path)], capture_output=True, text=True, check=True).stdout


def test_the_geojson_points_open_in_gis_at_their_real_coordinates(client, db, org, survey, lead, tmp_path):
    park = make_touchpoint(db, org, survey, name="Skateparken")
    middle = add_places(db, survey, [(0.5, 0.5, "Midt i byen")], touchpoint=park)
    add_places(db, survey, [(0.0, 0.0, "Hjørnet"), (1.0, 1.0)])
    add_places(db, survey, ["Torvet"])  # from the list: no point on the map
    add_places(db, survey, [(0.25, 0.25)], completed=False)  # unfinished: filtered out
    path, data = download_geojson(client, survey, "places", tmp_path)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    by_comment = {f["properties"]["comment"]: f for f in data["features"]}
    centre = shape(by_comment["Midt i byen"]["geometry"])
    assert centre.x == pytest.approx((WEST + EAST) / 2, abs=1e-6) and centre.y == pytest.approx((NORTH + SOUTH) / 2,
                                                                                                 abs=1e-6)
    corner = shape(by_comment["Hjørnet"]["geometry"])
    assert (corner.x, corner.y) == (pytest.approx(WEST, abs=1e-6), pytest.approx(NORTH, abs=1e-6))
    properties = by_comment["Midt i byen"]["properties"]
    assert properties["response"] == middle and properties["touchpoint"] == "Skateparken"
    assert properties["completed"].startswith("2026-05-04T10:30:40+02:00") and properties["area"] is None
    listing = ogrinfo(path)
    assert "Feature Count: 3" in listing and "Geometry: Point" in listing
    assert re.search(r"POINT \(11\.91 55\.009\)", listing), listing
    assert "comment (String) = Midt i byen" in listing and "touchpoint (String) = Skateparken" in listing
    assert re.search(r"Extent: \(11\.900000, 55\.004000\) - \(11\.920000, 55\.014000\)", listing), listing
    # With the filters of the page: only what came through the skate park.
    _path, only_park = download_geojson(client, survey, "places", tmp_path, t=park.id)
    assert [f["properties"]["comment"] for f in only_park["features"]] == ["Midt i byen"]


def test_the_geojson_areas_are_closed_counter_clockwise_polygons_that_hold_their_points(client, db, survey, lead,
                                                                                         tmp_path):
    points = scattered(90)
    for n in range(0, 90, 3):
        add_places(db, survey, points[n:n + 3])
    path, areas = download_geojson(client, survey, "areas", tmp_path)
    _points_path, places = download_geojson(client, survey, "places", tmp_path)
    assert [f["properties"]["area"] for f in areas["features"]] == ["Torvet", "Havnen"]
    for feature in areas["features"]:
        outer = feature["geometry"]["coordinates"][0]
        assert outer[0] == outer[-1] and len(outer) == 5  # a rectangle, closed
        assert LinearRing(outer).is_ccw
        polygon = shape(feature["geometry"])
        assert polygon.is_valid
        # Shapely, not the app, decides which points lie in the area: the count must agree.
        held = sum(polygon.contains(Point(f["geometry"]["coordinates"])) for f in places["features"])
        assert held == feature["properties"]["places"] == sum(area_of_point(x, y) == feature["properties"]["area"]
                                                              for x, y in points)
    torvet = shape(areas["features"][0]["geometry"])
    assert torvet.bounds == pytest.approx((WEST + 0.1 * (EAST - WEST), NORTH - 0.4 * (NORTH - SOUTH),
                                           WEST + 0.4 * (EAST - WEST), NORTH - 0.1 * (NORTH - SOUTH)), abs=1e-6)
    listing = ogrinfo(path)
    assert "Feature Count: 2" in listing and "Geometry: Polygon" in listing and "area (String) = Havnen" in listing


def test_a_feature_collection_of_many_points_is_whole_json(client, db, survey, lead, tmp_path):
    for chunk in range(0, 1203, 3):
        add_places(db, survey, scattered(3, seed=chunk))
    _path, data = download_geojson(client, survey, "places", tmp_path)
    assert len(data["features"]) == 1203 and len({f["id"] for f in data["features"]}) == 1203
