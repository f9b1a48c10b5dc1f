"""Place questions travel in survey files with their map: a file exported from one organisation imports into
another with the same picture, georeference, areas and settings; importing again where the map already is
uses that map. A broken map or area in a file is refused with a message naming the question."""
import base64
import copy
import io
import json

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from engagement.models import Organisation
from surveys import transfer
from surveys.maps import SurveyMap
from surveys.models import Question, Survey
from tests.builders import AREAS, make_map, make_org, make_place_survey, map_picture
from tests.engagement.competitions.test_photos import hand_made_png

CORNERS = [{"x": 0.0, "y": 0.0, "lat": 55.01, "lon": 11.9}, {"x": 1.0, "y": 0.0, "lat": 55.01, "lon": 11.915},
           {"x": 1.0, "y": 1.0, "lat": 55.004, "lon": 11.915}, {"x": 0.0, "y": 1.0, "lat": 55.004, "lon": 11.9}]


def import_bytes(db, org, data: bytes) -> Survey:
    with force_locale("en"):
        survey = transfer.import_survey(db.session, org.id, data)
    db.session.commit()
    return survey


def refused(db, org, document) -> str:
    before = db.session.scalar(select(func.count()).select_from(SurveyMap))
    with force_locale("en"), pytest.raises(transfer.ImportProblem) as problem:
        transfer.import_survey(db.session, org.id, json.dumps(document).encode())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SurveyMap)) == before
    assert db.session.scalar(select(Survey.id).where(Survey.organisation_id == org.id)) is None
    return str(problem.value)


@pytest.fixture
def place_survey(db):
    org = make_org(db)
    survey_map = make_map(db, org, name="Bymidten", control_points=CORNERS)
    return make_place_survey(db, org, survey_map, max_points=3, comment=True, title="Unge i bymidten")


@pytest.fixture
def document(place_survey):
    return transfer.export_survey(place_survey)


def test_a_place_question_in_a_file_carries_its_settings_areas_and_map(document, place_survey):
    question = document["survey"]["questions"][0]
    assert question["settings"] == {"max_points": 3, "comment": True}  # no database id
    assert [(c["label"], c["shape"]) for c in question["choices"]] == [(label, shape) for label, shape in AREAS]
    survey_map = question["map"]
    assert survey_map["name"] == "Bymidten" and survey_map["control_points"] == CORNERS
    picture = Image.open(io.BytesIO(base64.b64decode(survey_map["data"])))
    assert picture.size == (1200, 800)
    json.dumps(document)  # plain JSON values only


def test_a_file_exported_from_one_organisation_imports_into_another_with_its_map(db, document, place_survey):
    other = make_org(db)
    copied = import_bytes(db, other, transfer.survey_json(place_survey).encode())
    question = copied.questions[0]
    survey_map = db.session.get(SurveyMap, question.settings["map_id"])
    assert survey_map.organisation_id == other.id and survey_map.name == "Bymidten"
    assert (survey_map.width, survey_map.height) == (1200, 800) and survey_map.control_points == CORNERS
    assert question.settings == {"map_id": survey_map.id, "max_points": 3, "comment": True}
    assert [(c.label, c.shape) for c in question.choices] == [(label, shape) for label, shape in AREAS]
    # Exported again, it says the same: settings, areas and the map's georeference.
    again = transfer.export_survey(copied)["survey"]["questions"][0]
    original = document["survey"]["questions"][0]
    assert {k: v for k, v in again.items() if k != "map"} == {k: v for k, v in original.items() if k != "map"}
    assert {k: v for k, v in again["map"].items() if k != "data"} == \
        {k: v for k, v in original["map"].items() if k != "data"}


def test_importing_where_the_same_map_is_uses_it_and_a_different_picture_gets_its_own_name(db, document,
                                                                                           place_survey):
    org = db.session.get(Organisation, place_survey.organisation_id)
    original_map = place_survey.questions[0].settings["map_id"]
    copied = import_bytes(db, org, json.dumps(document).encode())
    assert copied.questions[0].settings["map_id"] == original_map
    assert db.session.scalar(select(func.count()).select_from(SurveyMap)) == 1
    changed = copy.deepcopy(document)
    changed["survey"]["questions"][0]["map"]["data"] = base64.b64encode(map_picture((1000, 1000))).decode()
    second = import_bytes(db, org, json.dumps(changed).encode())
    new_map = db.session.get(SurveyMap, second.questions[0].settings["map_id"])
    assert new_map.id != original_map and new_map.name == "Bymidten (2)" and new_map.height == 1000


def test_two_questions_on_one_map_in_a_file_share_one_new_map(db, document):
    doubled = copy.deepcopy(document)
    doubled["survey"]["questions"].insert(1, copy.deepcopy(doubled["survey"]["questions"][0]))
    copied = import_bytes(db, make_org(db), json.dumps(doubled).encode())
    first, second = copied.questions[0], copied.questions[1]
    assert first.settings["map_id"] == second.settings["map_id"]


def test_a_map_from_a_file_is_cleaned_as_an_upload(db, document):
    from tests.engagement.competitions.test_photos import GPS_IFD, phone_photo

    with_gps = copy.deepcopy(document)
    with_gps["survey"]["questions"][0]["map"]["data"] = base64.b64encode(phone_photo()).decode()
    copied = import_bytes(db, make_org(db), json.dumps(with_gps).encode())
    stored = db.session.get(SurveyMap, copied.questions[0].settings["map_id"])
    kept = Image.open(io.BytesIO(stored.data))
    assert kept.format == "WEBP" and not kept.getexif().get_ifd(GPS_IFD) and b"GPS" not in stored.data


def at(document, *path):
    target = document["survey"]["questions"][0]
    for key in path[:-1]:
        target = target[key]
    return target, path[-1]


BROKEN = [
    (("map",), None, "Question 1 needs a “map”"),
    (("map", "name"), "  ", "Question 1, map needs a “name”."),
    (("map", "data"), "ikke base64!", "Question 1, map: the picture data is not valid base64."),
    (("map", "data"), base64.b64encode(b"GIF89a").decode(), "Question 1, map: The file is not a picture we can read."),
    (("map", "data"), base64.b64encode(hand_made_png(20_000, 20_000)).decode(),
     "Question 1, map: The picture has too many pixels."),
    (("map", "control_points"), [{"x": 0, "y": 0, "lat": 55.0, "lon": 11.9}], "“control_points” must be a list"),
    (("map", "control_points"), [{"x": 2, "y": 0, "lat": 55.0, "lon": 11.9}] * 2, "“control_points” must be a list"),
    (("settings", "map_id"), 7, "Question 1: a map is given as the question's “map”, not as the setting “map_id”."),
    (("settings", "max_points"), 11, "the setting “max_points” must be a whole number from 1 to 10"),
    (("choices", 0, "shape"), [[0.1, 0.1], [0.4, 0.4]], "Question 1, option 1: “shape” must be null or a list of 3"),
    (("choices", 0, "shape"), [[0.1, 0.1], [1.4, 0.1], [0.4, 0.4]], "Question 1, option 1: “shape” must be null"),
    (("choices", 0, "shape"), "10 10, 40 40", "Question 1, option 1: “shape” must be null"),
    (("choices", 0, "shape"), [[True, 0.1], [0.4, 0.1], [0.4, 0.4]], "Question 1, option 1: “shape” must be null"),
]


@pytest.mark.parametrize("path, value, message", BROKEN)
def test_a_broken_map_or_area_in_a_file_is_refused_naming_the_question(db, document, path, value, message):
    broken = copy.deepcopy(document)
    target, key = at(broken, *path)
    target[key] = value
    assert message in refused(db, make_org(db), broken)


def test_a_shape_on_an_option_of_another_kind_is_refused(db, document):
    broken = copy.deepcopy(document)
    broken["survey"]["questions"].append({"kind": "single_choice", "prompt": "Alder?", "choices": [
        {"label": "13-17", "shape": [[0, 0], [1, 0], [1, 1]]}, {"label": "18-25"}]})
    assert refused(db, make_org(db), broken) == \
        "Question 3, option 1: only options of place questions can have a “shape”."


def test_a_question_on_the_map_counts_imported_areas_in_the_new_organisation(db, document):
    """The areas imported are the options a point is counted in: Torvet holds (0.25, 0.25)."""
    from surveys.maps import area_of

    copied = import_bytes(db, make_org(db), json.dumps(document).encode())
    question = db.session.scalar(select(Question).where(Question.survey_id == copied.id, Question.position == 1))
    assert area_of(0.25, 0.25, question.choices) == question.choices[0].id
    assert area_of(0.5, 0.5, question.choices) is None
