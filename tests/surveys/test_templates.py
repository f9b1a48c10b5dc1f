"""Staff start a survey from a catalogue template in one click: a draft with the template's questions, its
place question on the map they pick or, without one, a list of common places; the slug stays unique;
another organisation's map cannot be picked; viewers cannot start one. Each template is a survey file
(surveys/catalogue/<key>.json) that the import reads, in plain Danish."""
import json
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from surveys import catalogue
from surveys.ages import age_labels
from surveys.kinds import KINDS
from surveys.maps import SurveyMap
from surveys.models import Question, Survey, SurveyStatus
from surveys.transfer import read_survey_file
from tests.builders import make_map, make_org, make_user
from tests.conftest import csrf_token

KEYS = [template.key for template in catalogue.TEMPLATES]
URL = "/staff/surveys/templates/"


def token_of(page: str, key: str) -> str:
    return re.search(rf'name="{key}-csrf_token"[^>]*value="([^"]+)"', page).group(1)


def start(client, key: str, survey_map: str | None = None, follow: bool = False):
    """POST the template's form as the page offers it, `survey_map` as the map select's value."""
    page = client.get(URL).get_data(as_text=True)
    data = {f"{key}-csrf_token": token_of(page, key)}
    if survey_map is not None:
        data[f"{key}-survey_map"] = survey_map
    return client.post(f"{URL}{key}", data=data, follow_redirects=follow)


def surveys_of(db, org) -> list[Survey]:
    return list(db.session.scalars(select(Survey).where(Survey.organisation_id == org.id).order_by(Survey.id)))


def expected_prompts(template, with_map: bool) -> list[str]:
    return [q["prompt"] if with_map or "without_map" not in q else q["without_map"]["prompt"]
            for q in template.questions]


@pytest.mark.parametrize("key", KEYS)
def test_each_template_is_a_survey_file_the_import_reads_with_and_without_a_map(db, key):
    template = catalogue.BY_KEY[key]
    survey_map = make_map(db, make_org(db))
    with force_locale("en"):
        _values, without = read_survey_file(catalogue.survey_file(template))
        _values, with_map = read_survey_file(catalogue.survey_file(template, survey_map))
    assert not any(KINDS[plan.kind].has_map for plan in without)
    assert [KINDS[plan.kind].has_map for plan in with_map] == [KINDS[q["kind"]].has_map for q in template.questions]
    assert len(without) == len(with_map) == len(template.questions)


@pytest.mark.parametrize("key", KEYS)
def test_each_template_is_short_plain_and_asks_age_with_the_shared_bands(key):
    template = catalogue.BY_KEY[key]
    survey = template.document["survey"]
    assert survey["language"] == "da" and survey["slug"] == key
    assert 4 <= len(template.questions) <= 10, "about 3 minutes on a phone at most"
    assert template.minutes <= 3
    age = template.questions[-1]
    assert age["prompt"] == "Hvor gammel er du?"
    assert [c["label"] for c in age["choices"]] == age_labels("da")
    for question in template.questions:
        for text in (question["prompt"], question.get("help", "")):
            assert len(text) <= 80, text  # one glance on a phone
            assert '"' not in text and "“" not in text, "Danish quotes »…«"
            # A comma before a clause starting with hvor/hvad/hvem/der inside a sentence.
            assert not re.search(r"[a-zæøå] (hvor|hvad|hvem) [a-zæøå]+ (du|man|vi|der)\b", text), text
        for choice in question.get("choices", []):
            assert len(choice["label"]) <= 45, choice


def test_bymidtebarometer_asks_the_catalogues_analysis_questions():
    prompts = " | ".join(expected_prompts(catalogue.BY_KEY["bymidtebarometer"], with_map=True)).lower()
    for asked in ("steder", "hvordan kommer du", "hvor tit", "hvorfor", "mangler", "kan du lide", "tre ord"):
        assert asked in prompts, asked


@pytest.mark.parametrize("key", KEYS)
def test_editor_starts_a_template_without_a_map_and_gets_a_draft_with_the_list_question(db, staff, key):
    org = make_org(db)
    response = start(staff(make_user(db, org, role="editor")), key, follow=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "kladde" in page.lower() and "åbn" in page.lower()  # the flash: a draft to check and open
    (survey,) = surveys_of(db, org)
    template = catalogue.BY_KEY[key]
    assert survey.status == SurveyStatus.draft and survey.slug == key and survey.language == "da"
    assert [q.prompt for q in survey.questions] == expected_prompts(template, with_map=False)
    assert not any(KINDS[q.kind].has_map for q in survey.questions)
    for question, planned in zip(survey.questions, template.questions, strict=True):
        planned = planned.get("without_map", planned)
        if planned.get("choices"):
            assert [c.label for c in question.choices] == [c["label"] for c in planned["choices"]]
    assert db.session.scalar(select(func.count()).select_from(SurveyMap)) == 0


@pytest.mark.parametrize("key", ["bymidtebarometer", "unge-i-bymidten"])
def test_editor_picks_the_organisations_map_for_the_place_question(db, staff, key):
    org = make_org(db)
    make_map(db, org, name="Havnen")
    town = make_map(db, org, name="Bymidten")
    response = start(staff(make_user(db, org)), key, survey_map=str(town.id))
    assert response.status_code == 302
    (survey,) = surveys_of(db, org)
    place = [q for q in survey.questions if KINDS[q.kind].has_map]
    assert len(place) == 1
    assert place[0].setting("map_id") == town.id  # the same map, not a copy
    assert db.session.scalar(select(func.count()).select_from(SurveyMap)) == 2
    assert [q.prompt for q in survey.questions] == expected_prompts(catalogue.BY_KEY[key], with_map=True)
    # Its list of places is there for anyone who cannot use the map; staff draw the areas later.
    assert place[0].choices and all(c.shape is None for c in place[0].choices)


def test_the_page_offers_the_only_map_by_default_and_none_when_there_are_several(db, staff):
    org = make_org(db)
    client = staff(make_user(db, org))
    assert "survey_map" not in client.get(URL).get_data(as_text=True)  # no maps: no select
    only = make_map(db, org, name="Bymidten")
    page = client.get(URL).get_data(as_text=True)
    assert re.search(rf'<option selected value="{only.id}">Bymidten</option>', page)
    make_map(db, org, name="Havnen")
    page = client.get(URL).get_data(as_text=True)
    assert re.search(r'<option selected value="">', page)
    # Templates without a place question have no select.
    assert page.count('name="bymidtebarometer-survey_map"') == 1
    assert 'name="det-tomme-butikslokale-survey_map"' not in page


def test_the_same_template_twice_gets_a_free_slug(app, db, staff):
    org = make_org(db)
    client = staff(make_user(db, org))
    start(client, "unge-i-bymidten")
    start(client, "unge-i-bymidten")
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, URL)})
    other = make_org(db)
    start(staff(make_user(db, other)), "unge-i-bymidten")
    assert [s.slug for s in surveys_of(db, org)] == ["unge-i-bymidten", "unge-i-bymidten-2"]
    assert [s.slug for s in surveys_of(db, other)] == ["unge-i-bymidten-3"]


@pytest.mark.parametrize("forged", ["other", "9999999", "abc"])
def test_another_organisations_map_cannot_be_picked(db, staff, forged):
    org, other = make_org(db), make_org(db)
    make_map(db, org)
    theirs = make_map(db, other, name="Deres kort")
    value = str(theirs.id) if forged == "other" else forged
    response = start(staff(make_user(db, org)), "bymidtebarometer", survey_map=value)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Vælg et af jeres egne kort, eller intet kort." in page
    assert 'id="error-summary"' in page and "Deres kort" not in page
    assert surveys_of(db, org) == [] and db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_viewers_see_the_templates_but_cannot_start_one(db, staff):
    org = make_org(db)
    client = staff(make_user(db, org, role="viewer"))
    page = client.get(URL).get_data(as_text=True)
    assert "Bymidtebarometer" in page and "Brug skabelonen" not in page
    assert client.get(f"{URL}questions?template=bymidtebarometer").status_code == 200
    # A valid token of the session (the header's logout form): the refusal is the role, not the form.
    response = client.post(f"{URL}bymidtebarometer", data={"bymidtebarometer-csrf_token": csrf_token(client, URL)})
    assert response.status_code == 403
    assert surveys_of(db, org) == []


def test_nobody_signed_out_reaches_the_templates(client):
    assert client.get(URL).status_code == 302
    assert client.post(f"{URL}bymidtebarometer").status_code in (302, 400)


def test_preview_shows_every_question_read_only_and_the_list_without_a_map(db, staff):
    client = staff(make_user(db, make_org(db)))
    template = catalogue.BY_KEY["bymidtebarometer"]
    page = client.get(f"{URL}questions?template={template.key}").get_data(as_text=True)
    for prompt in expected_prompts(template, True) + expected_prompts(template, False):
        assert prompt in page
    assert "<form" not in page.split("<main", 1)[1]
    assert client.get(f"{URL}questions?template=no-such-template").status_code == 404
    assert client.get(f"{URL}questions").status_code == 404


def test_the_list_shows_each_template_with_its_count_and_time(db, staff):
    page = staff(make_user(db, make_org(db))).get(URL).get_data(as_text=True)
    for template in catalogue.TEMPLATES:
        n = len(template.questions)
        assert f"{n} spørgsmål" in page
    assert "cirka 3 minutter" in page and "cirka 1 minut" in page
    assert page.count("Brug skabelonen") == len(catalogue.TEMPLATES)


def test_the_surveys_list_offers_the_templates_to_editors(db, staff):
    page = staff(make_user(db, make_org(db))).get("/staff/surveys/").get_data(as_text=True)
    assert f'href="{URL}"' in page and "Start fra en skabelon" in page


def test_the_template_files_have_no_database_ids():
    for template in catalogue.TEMPLATES:
        text = json.dumps(template.document)
        assert "map_id" not in text and '"id"' not in text
