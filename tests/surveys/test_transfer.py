"""Staff move survey definitions between organisations as JSON files: in the editor and on the command line."""
import codecs
import copy
import io
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select

from surveys import transfer
from surveys.editing import ChoiceEdit, QuestionEdit, save_question
from surveys.images import store_image
from surveys.models import Choice, Question, Survey, SurveyImage, SurveyStatus
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.conftest import csrf_token

DOCS = Path(__file__).resolve().parents[2] / "docs" / "survey-format.md"


def png(colour=(200, 30, 30), size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def survey_with_everything(db, org) -> Survey:
    """Every kind, a show-if on the yes/no question, and pictures on the image-choice options."""
    survey = make_survey(db, org, EVERY_KIND, intro="Hjælp os.", thanks="Tak!",
                         opens_at=datetime(2026, 5, 1, 8, 0), closes_at=datetime(2026, 6, 1, 20, 0))
    for choice, colour in zip(survey.questions[8].choices, [(150, 90, 40), (120, 120, 120)], strict=True):
        choice.image_id = store_image(db.session, survey.id, png(colour)).id
    db.session.commit()
    return survey


def import_bytes(db, org, data: bytes) -> Survey:
    # Outside a request the app's locale selector has no request to read: name the language.
    with force_locale("en"):
        survey = transfer.import_survey(db.session, org.id, data)
    db.session.commit()
    return survey


def as_file(document) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def counts(db) -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Survey, Question, Choice, SurveyImage))


def refused(db, org, data: bytes) -> str:
    """Import `data`, expecting a refusal before anything is added; returns the message."""
    before = counts(db)
    with force_locale("en"), pytest.raises(transfer.ImportProblem) as problem:
        transfer.import_survey(db.session, org.id, data)
    # Counted before the rollback: the file is checked before anything is stored.
    assert counts(db) == before
    db.session.rollback()
    assert counts(db) == before
    return str(problem.value)


def definition(survey) -> dict:
    """What the file says about the survey, pictures reduced to their presence."""
    document = transfer.export_survey(survey)["survey"]
    document.pop("slug")
    for question in document["questions"]:
        for choice in question["choices"]:
            choice["image"] = choice["image"] and choice["image"]["content_type"]
    return document


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def document(db, org):
    return transfer.export_survey(survey_with_everything(db, org))


# --- The file ----------------------------------------------------------------------

def test_exported_file_holds_the_definition_but_no_ids_status_or_answers(db, org, document):
    assert (document["format"], document["version"]) == ("bypuls-survey", 1)
    survey = document["survey"]
    assert set(survey) == {"slug", "title", "intro", "thanks", "language", "opens_at", "closes_at", "questions"}
    assert (survey["opens_at"], survey["closes_at"]) == ("2026-05-01T08:00:00Z", "2026-06-01T20:00:00Z")
    assert [q["kind"] for q in survey["questions"]] == [spec["kind"] for spec in EVERY_KIND]
    assert set(survey["questions"][0]) == {"kind", "prompt", "help", "required", "settings", "show_if", "choices"}
    assert survey["questions"][3]["show_if"] == {"question": 2, "choice": 1}
    assert survey["questions"][1]["settings"] == {"max_picks": 2}
    assert set(survey["questions"][8]["choices"][0]["image"]) == {"content_type", "data"}
    assert not re.search(r'"\w*id"', json.dumps(document))


def test_survey_imported_into_another_organisation_asks_exactly_the_same(db, org, document):
    other = make_org(db)
    original = db.session.scalar(select(Survey).where(Survey.slug == document["survey"]["slug"]))
    copied = import_bytes(db, other, as_file(document))
    assert copied.organisation_id == other.id and copied.id != original.id
    assert copied.status is SurveyStatus.draft
    assert definition(copied) == definition(original)
    assert copied.questions[3].show_if_choice.question is copied.questions[2]
    assert [(c.image.width, c.image.height) for c in copied.questions[8].choices] == [(40, 30), (40, 30)]


def test_question_that_changed_kind_keeps_no_stale_settings_or_pictures_and_exports_cleanly(db, org):
    survey = survey_with_everything(db, org)
    pictured, multiple = survey.questions[8], survey.questions[1]
    for question, kind in [(pictured, "single_choice"), (multiple, "single_choice")]:
        save_question(db.session, survey, question, QuestionEdit(
            kind=kind, prompt=question.prompt, settings=dict(question.settings),
            choices=[ChoiceEdit(c.id, c.label) for c in question.choices]))
    db.session.commit()
    # save_question drops what the new kind lacks
    assert pictured.choices[0].image_id is None and multiple.settings == {}
    copied = import_bytes(db, make_org(db), transfer.survey_json(survey).encode("utf-8"))
    assert [c.image for c in copied.questions[8].choices] == [None, None]
    assert copied.questions[1].settings == {}


def test_imported_survey_is_a_draft_with_a_free_web_address_when_the_slug_is_taken(db, org, document):
    first = import_bytes(db, org, as_file(document))
    second = import_bytes(db, org, as_file(document))
    assert first.slug == document["survey"]["slug"] + "-2"
    assert second.slug == document["survey"]["slug"] + "-3"
    assert first.status is SurveyStatus.draft and second.status is SurveyStatus.draft


def test_file_with_a_free_slug_keeps_it_and_an_invalid_slug_gives_way_to_the_title(db, org, document):
    document["survey"]["slug"] = "helt-ny-adresse"
    assert import_bytes(db, org, as_file(document)).slug == "helt-ny-adresse"
    document["survey"].update(slug="Not A Slug!", title="Byrum for unge")
    assert import_bytes(db, org, as_file(document)).slug == "byrum-for-unge"


def test_file_saved_with_a_byte_order_mark_imports(db, org, document):
    survey = import_bytes(db, org, codecs.BOM_UTF8 + as_file(document))
    assert len(survey.questions) == len(EVERY_KIND)


def test_yes_no_question_keeps_the_wording_of_its_options_from_the_file(db, org, document):
    document["survey"]["questions"][2]["choices"] = [{"label": "Ja, tit"}, {"label": "Nej, sjældent"}]
    survey = import_bytes(db, org, as_file(document))
    assert [c.label for c in survey.questions[2].choices] == ["Ja, tit", "Nej, sjældent"]
    assert survey.questions[3].show_if_choice.label == "Nej, sjældent"


def test_times_with_an_offset_are_stored_as_utc(db, org, document):
    document["survey"].update(opens_at="2026-05-01T10:00:00+02:00", closes_at="2026-05-02T08:00:00")
    survey = import_bytes(db, org, as_file(document))
    assert (survey.opens_at, survey.closes_at) == (datetime(2026, 5, 1, 8, 0), datetime(2026, 5, 2, 8, 0))


def test_the_example_in_the_format_documentation_imports(db, org):
    example = re.search(r"## A small example\s+```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S).group(1)
    survey = import_bytes(db, org, example.encode("utf-8"))
    assert survey.slug == "byrum-2026" and survey.status is SurveyStatus.draft
    assert [q.kind for q in survey.questions] == ["yes_no", "short_text", "multiple_choice", "scale"]
    assert survey.questions[1].show_if_choice.label == "Nej"
    assert survey.questions[3].settings == {"low_label": "Utryg", "high_label": "Tryg", "faces": True}


def test_every_kind_in_the_documentation_is_a_kind_the_app_knows():
    from surveys.kinds import KINDS

    documented = set(re.findall(r"^\| `(\w+)` +\|", DOCS.read_text(encoding="utf-8"), re.M))
    assert set(KINDS) <= documented


# --- Files that are refused ---------------------------------------------------------------

def change(path, value):
    """A mutation of the document: set the value at `path` (keys and indexes)."""
    def mutate(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def questions(*path):
    return ("survey", "questions") + path


BROKEN = {
    "not_a_survey_file": (change(("format",), "something-else"), "This is not a Bypuls survey file."),
    "another_version": (change(("version",), 7), "Version 7 is not supported."),
    "no_title": (change(("survey", "title"), "  "), "The survey needs a “title”."),
    "long_title": (change(("survey", "title"), "x" * 201), "“title” is too long: 201 characters, at most 200."),
    "unknown_language": (change(("survey", "language"), "de"), "“language” must be “da” or “en”."),
    "bad_time": (change(("survey", "opens_at"), "tomorrow"), "“opens_at” must be a date and time"),
    "time_out_of_range": (change(("survey", "opens_at"), "0001-01-01T00:00:00+01:00"), "“opens_at” must be a date"),
    "nul_in_a_text": (change(questions(0, "prompt"), "Hvor\x00gammel?"),
                      "Question 1: “prompt” contains characters that cannot be stored"),
    "closes_before_opening": (change(("survey", "closes_at"), "2026-04-01T00:00:00Z"), "closes before it opens"),
    "questions_not_a_list": (change(questions(), {}), "“questions” must be a list."),
    "too_many_questions": (change(questions(), [{"kind": "short_text", "prompt": "?"}] * 201),
                           "at most 200 questions; this file has 201"),
    "question_not_an_object": (change(questions(4), "scale"), "Question 5 must be an object."),
    "unknown_kind": (change(questions(2, "kind"), "slider"), "Question 3: unknown kind “slider”."),
    "no_prompt": (change(questions(5, "prompt"), None), "Question 6 needs a “prompt”."),
    "required_not_a_flag": (change(questions(1, "required"), "yes"), "Question 2: “required” must be true or false."),
    "settings_not_an_object": (change(questions(3, "settings"), []), "Question 4: “settings” must be an object."),
    "unknown_setting": (change(questions(4, "settings", "colour"), "red"),
                        "Question 5: the kind “scale” has no setting “colour”."),
    "setting_of_the_wrong_type": (change(questions(6, "settings", "min"), "0"),
                                  "Question 7: the setting “min” must be a whole number or null."),
    "flag_setting_not_a_flag": (change(questions(4, "settings", "faces"), 1),
                                "Question 5: the setting “faces” must be true or false."),
    "text_setting_too_long": (change(questions(5, "settings", "low_label"), "x" * 101),
                              "Question 6: the setting “low_label” must be text of at most 100 characters."),
    "too_few_options": (change(questions(1, "choices"), [{"label": "Alene"}]),
                        "Question 2 needs at least two options."),
    "too_many_options": (change(questions(0, "choices"), [{"label": f"{n}"} for n in range(101)]),
                         "Question 1 has 101 options; at most 100 are allowed."),
    "options_on_a_text_question": (change(questions(7, "choices"), [{"label": "A"}, {"label": "B"}]),
                                   "Question 8: a “long_text” question has no options."),
    "three_options_on_yes_no": (change(questions(2, "choices"),
                                       [{"label": "Ja"}, {"label": "Nej"}, {"label": "Måske"}]),
                                "Question 3: a yes/no question has exactly two options."),
    "option_without_label": (change(questions(0, "choices", 2, "label"), ""), "Question 1, option 3 needs a “label”."),
    "show_if_to_a_later_question": (change(questions(3, "show_if"), {"question": 8, "choice": 0}),
                                    "Question 4: show-if points at a later question."),
    "show_if_to_itself": (change(questions(2, "show_if"), {"question": 2, "choice": 0}),
                          "Question 3: show-if points at the question itself."),
    "show_if_to_a_text_question": (change(questions(4, "show_if"), {"question": 3, "choice": 0}),
                                   "Question 5: show-if must point at a choice question, and question 4 is not one."),
    "show_if_to_a_missing_option": (change(questions(3, "show_if"), {"question": 0, "choice": 4}),
                                    "Question 4: show-if points at option 5 of question 1, which does not exist."),
    "show_if_not_numbers": (change(questions(3, "show_if"), {"question": "2", "choice": 1}),
                            "Question 4: “show_if” must be null or an object"),
    "bad_base64_picture": (change(questions(8, "choices", 1, "image", "data"), "not base64!"),
                           "Question 9, option 2: the picture data is not valid base64."),
    "base64_that_is_no_picture": (change(questions(8, "choices", 0, "image", "data"), "aGVsbG8gd29ybGQ="),
                                  "Question 9, option 1: The file is not a picture we can read."),
    "picture_on_a_plain_option": (change(questions(0, "choices", 0, "image"), {"data": ""}),
                                  "Question 1, option 1: only options of image-choice questions can have a picture."),
}


@pytest.mark.parametrize("mutate, message", BROKEN.values(), ids=BROKEN.keys())
def test_editor_who_imports_a_broken_file_is_told_what_is_wrong_and_nothing_is_saved(db, org, document,
                                                                                     mutate, message):
    broken = copy.deepcopy(document)
    mutate(broken)
    assert message in refused(db, org, as_file(broken))


@pytest.mark.parametrize("data, message", [
    (b"", "Choose a file to import."),
    (b'{\n  "format": "bypuls-survey",\n  "version": 1,\n  "survey": {,}\n}', "not valid JSON (line 4, column 14)"),
    ("Spørgeskema".encode("latin-1"), "not UTF-8 text"),
    (b"[" * 100_000, "nested too deeply"),
    (b'["bypuls-survey", 1]', "This is not a Bypuls survey file."),
    (b'{"format": "bypuls-survey"}', "does not say which version"),
    (b'{"format": "bypuls-survey", "version": 1}', "no “survey” object"),
    (b'{"format": "bypuls-survey", "version": 1, "survey": {"title": "\\ud800"}}',
     "The survey: “title” contains characters that cannot be stored"),
    (b'{"format": "bypuls-survey", "version": ' + b"9" * 5000 + b"}", "not valid JSON"),
], ids=["empty", "not_json", "not_utf8", "deeply_nested", "a_list", "no_version", "no_survey",
        "broken_escape", "huge_number"])
def test_editor_who_imports_a_file_that_is_not_a_survey_file_is_told_so(db, org, data, message):
    assert message in refused(db, org, data)


def test_editor_who_imports_a_file_with_an_unknown_kind_is_told_which_question_and_nothing_is_saved(db, org, document):
    document["survey"]["questions"][6]["kind"] = "slider"
    before = counts(db)
    assert refused(db, org, as_file(document)) == "Question 7: unknown kind “slider”."
    assert counts(db) == before


# --- In the staff editor ---------------------------------------------------------------------

@pytest.fixture
def editor(db, org, staff):
    return staff(make_user(db, org, role="editor"))


def test_editor_downloads_a_survey_as_a_json_file(db, org, editor):
    survey = survey_with_everything(db, org)
    response = editor.get(f"/staff/surveys/{survey.id}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{survey.slug}.json"'
    assert response.mimetype == "application/json"
    assert "Hvor mødes du med venner?" in response.get_data(as_text=True)  # UTF-8, not \u escapes
    assert response.get_json() == transfer.export_survey(survey)


def test_editor_cannot_download_another_organisations_survey(db, editor):
    foreign = survey_with_everything(db, make_org(db))
    assert editor.get(f"/staff/surveys/{foreign.id}/export.json").status_code == 404


def upload(client, data: bytes):
    token = csrf_token(client, "/staff/surveys/import")
    return client.post("/staff/surveys/import", content_type="multipart/form-data", data={
        "csrf_token": token, "file": (io.BytesIO(data), "survey.json")})


def test_editor_who_uploads_a_survey_file_gets_a_new_draft_in_their_organisation(db, org, editor):
    document = transfer.export_survey(survey_with_everything(db, make_org(db)))
    response = upload(editor, as_file(document))
    assert response.status_code == 302
    copied = db.session.scalar(select(Survey).where(Survey.organisation_id == org.id))
    assert response.location.endswith(f"/staff/surveys/{copied.id}")
    assert copied.status is SurveyStatus.draft and len(copied.questions) == len(EVERY_KIND)
    assert editor.get(f"/s/{copied.slug}").status_code == 404  # a draft is not public


def test_editor_who_uploads_a_broken_file_sees_the_form_again_with_the_problem(db, org, editor):
    document = transfer.export_survey(survey_with_everything(db, org))
    document["survey"]["questions"][2]["kind"] = "slider"
    before = counts(db)
    response = upload(editor, as_file(document))
    assert response.status_code == 422
    assert "»slider«" in response.get_data(as_text=True)  # Danish quotation marks
    assert counts(db) == before


def test_editor_who_sends_the_import_form_without_a_file_is_asked_to_choose_one(db, editor):
    token = csrf_token(editor, "/staff/surveys/import")
    response = editor.post("/staff/surveys/import", data={"csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert counts(db) == (0, 0, 0, 0)


def test_viewer_may_not_import_surveys(db, org, staff):
    viewer = staff(make_user(db, org, role="viewer"))
    assert viewer.get("/staff/surveys/import").status_code == 403


# --- On the command line ------------------------------------------------------------------------

def test_operator_exports_a_survey_to_standard_output_and_to_a_file(app, db, org, tmp_path):
    survey = survey_with_everything(db, org)
    runner = app.test_cli_runner()
    shown = runner.invoke(args=["export-survey", survey.slug])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == transfer.export_survey(survey)
    target = tmp_path / "survey.json"
    written = runner.invoke(args=["export-survey", survey.slug, "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8")) == transfer.export_survey(survey)


def test_operator_who_exports_an_unknown_survey_is_told_so(app, db):
    result = app.test_cli_runner().invoke(args=["export-survey", "findes-ikke"])
    assert result.exit_code != 0
    assert "No survey has the web address 'findes-ikke'" in result.output


def test_operator_imports_a_survey_file_into_an_organisation_as_a_draft(app, db, org, tmp_path):
    other = make_org(db, slug="naestved")
    path = tmp_path / "survey.json"
    path.write_bytes(transfer.survey_json(survey_with_everything(db, org)).encode("utf-8"))
    result = app.test_cli_runner().invoke(args=["import-survey", "--org", "naestved", str(path)])
    assert result.exit_code == 0, result.output
    copied = db.session.scalar(select(Survey).where(Survey.organisation_id == other.id))
    assert result.output.strip() == f"Imported {copied.title} as draft /s/{copied.slug}"
    assert copied.status is SurveyStatus.draft and len(copied.questions) == len(EVERY_KIND)


def test_operator_who_names_an_unknown_organisation_is_told_so(app, db, tmp_path):
    path = tmp_path / "survey.json"
    path.write_text("{}")
    result = app.test_cli_runner().invoke(args=["import-survey", "--org", "findes-ikke", str(path)])
    assert result.exit_code != 0
    assert "No organisation has the slug 'findes-ikke'" in result.output


def test_operator_who_imports_a_broken_file_is_told_why_and_nothing_is_saved(app, db, org, document):
    document["survey"]["questions"][1]["choices"] = [{"label": "Alene"}]
    before = counts(db)
    result = app.test_cli_runner().invoke(args=["import-survey", "--org", org.slug, "-"], input=as_file(document))
    assert result.exit_code == 1
    assert "Nothing was imported. Question 2 needs at least two options." in result.output
    assert counts(db) == before
