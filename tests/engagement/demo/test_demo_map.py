"""The demo's map of Vordingborg's town centre: drawn at seed time, georeferenced near the real places, a
place question in "Unge i bymidten" with named areas on it, seeded points clustered where young people
meet, the demo's touchpoints placed on it, and the question answered end to end without JavaScript."""
import io
import math
import re
from collections import Counter
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import func, select

from engagement.demo import town_map
from engagement.demo.seed import seed
from engagement.touchpoints.models import Touchpoint
from surveys.maps import SurveyMap, area_of, inside, on_map
from surveys.models import Answer, Question, Response, Survey
from tests.conftest import CSRF
from tests.surveys.test_place_questions import fields, press, tap

# Recognisable places and roughly where they are (degrees); the map's georeference must put them within
# a few hundred metres, which is all the sketch claims.
TOWN_CENTRE = (55.008, 11.910)


@pytest.fixture
def demo(db):
    org = seed(db.session)
    db.session.commit()
    survey = db.session.scalar(select(Survey).where(Survey.slug == "unge-i-bymidten"))
    question = next(q for q in survey.questions if q.kind == "map_point")
    return org, survey, question


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    north = (a[0] - b[0]) * 111_195
    east = (a[1] - b[1]) * 111_195 * math.cos(math.radians(a[0]))
    return math.hypot(north, east)


def test_the_demo_has_a_georeferenced_map_of_the_town_centre_whose_points_fit(db, demo):
    org, _survey, _question = demo
    survey_map = db.session.scalar(select(SurveyMap).where(SurveyMap.organisation_id == org.id))
    assert survey_map.name == "Vordingborg bymidte" and survey_map.content_type == "image/webp"
    assert (survey_map.width, survey_map.height) == (town_map.WIDTH, town_map.HEIGHT)
    with Image.open(io.BytesIO(survey_map.data)) as picture:
        assert picture.format == "WEBP" and not picture.info.get("exif")
    assert len(survey_map.control_points) >= 3
    georeference = survey_map.georeference
    assert georeference.residual < 1  # metres: the control points agree with each other
    # The middle of the map is in the middle of town, and its corners about a kilometre apart.
    assert metres(georeference.lat_lon(0.5, 0.5), TOWN_CENTRE) < 300
    assert 1000 < metres(georeference.lat_lon(0, 0), georeference.lat_lon(1, 1)) < 3000
    # North is up: the station (top) is north of the harbour (bottom), the east edge east of the west.
    assert georeference.lat_lon(0.5, 0.1)[0] > georeference.lat_lon(0.5, 0.9)[0]
    assert georeference.lat_lon(0.9, 0.5)[1] > georeference.lat_lon(0.1, 0.5)[1]


def test_the_drawing_shows_its_water_castle_ruin_and_streets_where_the_areas_say(db, demo):
    """Not OCR: the colours under each named area are what the area names (water at the harbour, grass
    at the ruin), so the areas match the drawing."""
    org, _survey, question = demo
    survey_map = db.session.scalar(select(SurveyMap).where(SurveyMap.organisation_id == org.id))
    with Image.open(io.BytesIO(survey_map.data)) as opened:
        picture = opened.convert("RGB")

    def colour_at(x, y):
        return picture.getpixel((round(x * (picture.width - 1)), round(y * (picture.height - 1))))

    areas = {choice.label: choice.shape for choice in question.choices}
    ruin = centre(areas["Gåsetårnet/borgruinen"])
    red, green, blue = colour_at(ruin[0], ruin[1] + 0.06)
    assert green > red and green > blue  # grass
    red, green, blue = colour_at(0.3, 0.95)
    assert blue > red + 40  # Masnedsund, south of the town


def centre(shape):
    return sum(x for x, _y in shape) / len(shape), sum(y for _x, y in shape) / len(shape)


def test_the_place_question_has_six_named_areas_that_do_not_overlap(db, demo):
    _org, survey, question = demo
    assert question.prompt == "Markér på kortet, hvor du mødes med dine venner"
    assert question.settings["max_points"] == 2 and question.settings["comment"] is True
    assert question.settings["map_id"] == db.session.scalar(select(SurveyMap.id))
    assert [c.label for c in question.choices] == ["Torvet/Slotstorvet", "Havnen", "Skateparken", "Algade",
                                                   "Stationen", "Gåsetårnet/borgruinen"]
    for choice in question.choices:
        assert len(choice.shape) >= 4 and all(on_map(x, y) for x, y in choice.shape)
        assert area_of(*centre(choice.shape), question.choices) == choice.id
    grid = [(x / 100, y / 100) for x in range(101) for y in range(101)]
    assert all(sum(inside(x, y, c.shape) for c in question.choices) <= 1 for x, y in grid)
    # The follow-up to "places you avoid" still hangs on the yes/no question after the new question.
    follow_up = next(q for q in survey.questions if q.prompt == "Hvor, og hvorfor?")
    assert follow_up.show_if_choice.question.kind == "yes_no"


def test_seeded_points_lie_in_the_areas_they_are_counted_under_and_cluster_where_young_people_meet(db, demo):
    _org, _survey, question = demo
    answers = db.session.scalars(select(Answer).where(Answer.question_id == question.id)).all()
    points = [a for a in answers if a.x is not None]
    assert len(points) > 200
    for answer in points:
        assert on_map(answer.x, answer.y)
        assert answer.choice_id == area_of(answer.x, answer.y, question.choices)
    labels = {c.id: c.label for c in question.choices}
    counted = Counter(labels.get(a.choice_id, "outside") for a in points)
    assert counted.most_common(1)[0][0] in ("Skateparken", "Havnen", "Algade")
    assert counted["outside"] < len(points) / 4  # the library and the youth club are not named areas
    assert set(labels.values()) <= set(counted)
    # Dense enough for a heat map: most points of the skate park lie within 5 % of the map of its middle.
    park = centre(next(c.shape for c in question.choices if c.label == "Skateparken"))
    near = [a for a in points if a.choice_id == next(c.id for c in question.choices if c.label == "Skateparken")]
    assert sum(math.dist((a.x, a.y), park) < 0.05 for a in near) > 0.8 * len(near)
    # Some wrote a comment, some picked a place from the list, nobody marked more than two.
    assert 40 < sum(a.text is not None for a in points) < len(points) / 2
    assert any(a.x is None and a.choice_id is not None for a in answers)
    per_response = Counter(a.response_id for a in answers)
    assert max(per_response.values()) == 2 and min(per_response.values()) == 1


def test_the_points_came_through_the_demos_touchpoints_and_the_touchpoints_are_on_the_map(db, demo):
    org, _survey, question = demo
    survey_map = db.session.scalar(select(SurveyMap).where(SurveyMap.organisation_id == org.id))
    through = db.session.execute(select(Response.touchpoint_id, func.count()).join(Answer)
                                 .where(Answer.question_id == question.id).group_by(Response.touchpoint_id)).all()
    assert len([t for t, _n in through if t is not None]) >= 3
    touchpoints = db.session.scalars(select(Touchpoint).where(Touchpoint.organisation_id == org.id)).all()
    assert len(touchpoints) == 7  # five posters, the shop door and the trial poster in Algade 12
    areas = {c.label: c.shape for c in question.choices}
    for touchpoint in touchpoints:
        assert touchpoint.map_id == survey_map.id and on_map(touchpoint.map_x, touchpoint.map_y)
        # Its latitude and longitude and its place on the map say the same thing.
        x, y = survey_map.georeference.shares(touchpoint.latitude, touchpoint.longitude)
        assert math.dist((x, y), (touchpoint.map_x, touchpoint.map_y)) < 0.001
    by_name = {t.name: t for t in touchpoints}
    skate = by_name["Skateparken ved Havnen"]
    assert inside(skate.map_x, skate.map_y, areas["Skateparken"])
    window = by_name["Vinduet i Algade 12"]
    assert math.dist((window.map_x, window.map_y), centre(areas["Torvet/Slotstorvet"])) < 0.1
    school = by_name["Vordingborg Gymnasium, kantinen"]
    assert school.map_y < min(y for _x, y in areas["Stationen"])  # north of the railway


def test_the_demo_points_are_the_same_whenever_it_is_seeded(db, monkeypatch):
    seen = []
    for now in (datetime(2026, 3, 2, 7, 0), datetime(2026, 11, 27, 22, 30)):
        monkeypatch.setattr("engagement.demo.seed.utcnow", lambda now=now: now)
        seed(db.session)
        seen.append(db.session.execute(select(Answer.x, Answer.y, Answer.text).where(Answer.x.is_not(None))
                                       .order_by(Answer.x, Answer.y)).all())
        db.session.rollback()
    assert seen[0] == seen[1] and len(seen[0]) > 200


def test_a_young_person_marks_the_skate_park_on_the_demo_map_without_javascript(client, db, demo):
    """Every screen of "Unge i bymidten" through the test client; on the map: tap near the skate park on
    the whole map, then on the enlarged part, write a comment, and go on to the thank-you page."""
    _org, survey, question = demo
    field = f"q{question.id}"
    skate = centre(next(c.shape for c in question.choices if c.label == "Skateparken"))
    url = client.get("/s/unge-i-bymidten").location
    for _screen in range(14):
        page = client.get(url).get_data(as_text=True)
        if url.endswith("/tak"):
            break
        url = re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', page).group(1)
        shown = db.session.get(Question, int(url.rsplit("/", 1)[1]))
        if shown.id == question.id:
            page = as_sent(page)
            height = int(fields(page)[f"{field}_height"][0])
            page = as_sent(tap(client, url, page, field, round(skate[0] * 288), round(skate[1] * height)))
            assert "Tryk præcis der, hvor du mener." in page
            page = as_sent(tap(client, url, page, field, 144, height // 2))
            assert "Punkt 1, på Skateparken" in page
            response = press(client, url, page, **{f"{field}_comment": "Vi skater efter skole"})
        else:
            response = client.post(url, data={"csrf_token": CSRF.search(page).group(1),
                                              f"q{shown.id}": answer(page, shown)})
        assert response.status_code == 303, response.get_data(as_text=True)[-400:]
        url = response.location
    assert url.endswith("/tak")
    (x, y, choice_id, text), = db.session.execute(select(Answer.x, Answer.y, Answer.choice_id, Answer.text).where(
        Answer.text == "Vi skater efter skole")).all()
    assert choice_id == next(c.id for c in question.choices if c.label == "Skateparken")
    assert math.dist((x, y), skate) < 0.05
    assert db.session.scalar(select(Response.completed_at).join(Answer).where(Answer.text == "Vi skater efter skole"))


def as_sent(page: str) -> str:
    """The page without its <template> elements (the JavaScript widget's), whose fields are never sent."""
    return re.sub(r"<template\b.*?</template>", "", page, flags=re.S)


def answer(page: str, question: Question) -> str:
    """What a hurried teenager sends for any other question: the first option shown, a number, a word."""
    if question.kind in ("single_choice", "multiple_choice", "yes_no", "scale", "rating"):
        return re.search(rf'name="q{question.id}" id="[^"]+" value="([^"]+)"', page).group(1)
    return {"number": "12", "short_text": "Ved stationen", "long_text": "Et sted at være 🙂"}[question.kind]
