"""Whole-number settings stay where a person can still answer: a survey file (in the editor or on the
command line) or the question form with `max_length: -5`, `10**30`, `max_picks: 0` or a smallest number
above the largest adds nothing and says which question and which setting is wrong."""
import copy

import pytest
from sqlalchemy import select

from surveys import transfer
from surveys.models import Question, Survey
from tests.builders import make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.surveys.test_transfer import as_file, counts, refused, survey_with_everything, upload

HUGE = 10 ** 30


def setting(index: int, name: str, value):
    """A mutation of an exported survey: question `index` (0-based) gets `settings[name] = value`."""
    def mutate(document):
        document["survey"]["questions"][index]["settings"][name] = value
    return mutate


def survey_time(name: str, value):
    def mutate(document):
        document["survey"][name] = value
    return mutate


# The questions of EVERY_KIND: 2 multiple choice, 4 short text, 7 number, 8 long text.
OUT_OF_BOUNDS = {
    "negative_max_length": (setting(3, "max_length", -5), "Question 4: the setting “max_length” must be a whole "
                                                          "number from 1 to 10000, or null; it is -5."),
    "zero_max_length": (setting(3, "max_length", 0), "Question 4: the setting “max_length” must be a whole number "
                                                     "from 1 to 10000"),
    "huge_max_length": (setting(7, "max_length", HUGE), f"Question 8: the setting “max_length” must be a whole "
                                                        f"number from 1 to 10000, or null; it is {HUGE}."),
    "zero_max_picks": (setting(1, "max_picks", 0), "Question 2: the setting “max_picks” must be a whole number "
                                                   "from 1 to 100"),
    "negative_max_picks": (setting(1, "max_picks", -1), "Question 2: the setting “max_picks”"),
    "huge_max_picks": (setting(1, "max_picks", HUGE), "Question 2: the setting “max_picks”"),
    "huge_minimum": (setting(6, "min", HUGE), "Question 7: the setting “min” must be a whole number from "
                                              "-1000000000 to 1000000000"),
    "huge_negative_maximum": (setting(6, "max", -HUGE), "Question 7: the setting “max”"),
    "minimum_above_maximum": (setting(6, "min", 301), "Question 7: The smallest allowed number (301) is larger "
                                                      "than the largest (300)."),
    "opens_in_year_9999": (survey_time("closes_at", "9999-12-31T23:30:00Z"),
                           "The survey: “closes_at” must be a date between the years 2000 and 2100."),
    "opens_in_year_one": (survey_time("opens_at", "0001-01-01T00:00:00Z"),
                          "The survey: “opens_at” must be a date between the years 2000 and 2100."),
}


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def document(db, org):
    return transfer.export_survey(survey_with_everything(db, org))


def broken(document, mutate) -> bytes:
    changed = copy.deepcopy(document)
    mutate(changed)
    return as_file(changed)


@pytest.mark.parametrize("mutate, message", OUT_OF_BOUNDS.values(), ids=OUT_OF_BOUNDS.keys())
def test_a_survey_file_with_a_setting_out_of_bounds_adds_nothing_and_says_which(db, org, document, mutate, message):
    assert message in refused(db, org, broken(document, mutate))


def test_editor_who_uploads_a_file_with_a_negative_max_length_is_told_and_nothing_is_stored(db, org, document, staff):
    editor = staff(make_user(db, org, role="editor"))
    before = counts(db)
    response = upload(editor, broken(document, setting(3, "max_length", -5)))
    assert response.status_code == 422
    assert "Spørgsmål 4: indstillingen »max_length« skal være et helt tal fra 1 til 10000" in \
        response.get_data(as_text=True)
    assert counts(db) == before


def test_operator_who_imports_a_file_with_a_huge_max_length_is_told_and_nothing_is_stored(app, db, org, document):
    before = counts(db)
    result = app.test_cli_runner().invoke(args=["import-survey", "--org", org.slug, "-"],
                                          input=broken(document, setting(7, "max_length", HUGE)))
    assert result.exit_code == 1
    assert "Nothing was imported. Question 8: the setting “max_length” must be a whole number" in result.output
    assert counts(db) == before


@pytest.mark.parametrize("kind, fields, message", [
    ("short_text", {"setting_max_length": "-5"}, "Give a whole number from 1 to 10000."),
    ("long_text", {"setting_max_length": str(HUGE)}, "Give a whole number from 1 to 10000."),
    ("multiple_choice", {"setting_max_picks": "0", "choices-0-label": "A", "choices-1-label": "B"},
     "Give a whole number from 1 to 100."),
    ("number", {"setting_min": "10", "setting_max": "5"},
     "The smallest allowed number (10) is larger than the largest (5)."),
])
def test_editor_who_gives_a_question_an_impossible_limit_is_told_and_nothing_is_stored(
        client, db, staff, kind, fields, message):
    org = make_org(db)
    survey = make_survey(db, org, status="draft")
    staff(make_user(db, org))
    url = f"/staff/surveys/{survey.id}/questions/new?kind={kind}&lang=en"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "kind": kind,
                                      "prompt": "Hvor mange?", "required": "y", **fields})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert f'value="{next(iter(fields.values()))}"' in page  # what was typed stays
    assert db.session.scalar(select(Question)) is None
    assert db.session.scalar(select(Survey.id)) == survey.id
