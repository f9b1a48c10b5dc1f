"""Staff ask the same survey again as its next round (surveys.rounds)."""
import re

import pytest
from sqlalchemy import func, select

from engagement.touchpoints.models import Touchpoint, TouchpointKind
from surveys import editing, rounds
from surveys.editing import EditRefused, QuestionEdit
from surveys.images import store_image
from surveys.models import Response, Survey, SurveyImage, SurveySeries, SurveyStatus
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.surveys.test_answering import answer_all
from tests.surveys.test_transfer import png


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def survey(db, org):
    survey = make_survey(db, org, EVERY_KIND, slug="bymidten", title="Bymidten 2026", intro="Hjælp os.",
                         thanks="Tak!")
    for choice, colour in zip(survey.questions[8].choices, [(150, 90, 40), (120, 120, 120)], strict=True):
        choice.image_id = store_image(db.session, survey.id, png(colour)).id
    db.session.commit()
    return survey


def start(db, survey, **choice) -> Survey:
    made = rounds.start_round(db.session, survey, rounds.NewRound(**choice))
    db.session.commit()
    return made


def shape(survey) -> list:
    return [(q.position, q.kind, q.prompt, q.help, q.required, q.settings, q.lineage,
             q.show_if_choice.lineage if q.show_if_choice else None,
             [(c.position, c.label, c.lineage, c.shape, c.image and (c.image.width, c.image.height))
              for c in q.choices])
            for q in survey.questions]


def test_new_round_is_a_draft_copy_that_keeps_every_question_option_picture_and_lineage(db, survey):
    made = start(db, survey)

    assert shape(made) == shape(survey)
    assert (made.title, made.intro, made.thanks, made.status) == ("Bymidten 2026", "Hjælp os.", "Tak!",
                                                                  SurveyStatus.draft)
    assert {q.id for q in made.questions}.isdisjoint({q.id for q in survey.questions})
    pictures = [c.image for c in made.questions[8].choices]
    assert all(p.survey_id == made.id for p in pictures)
    assert db.session.scalar(select(func.count(SurveyImage.id))) == 4
    series = db.session.scalar(select(SurveySeries))
    assert (series.name, [(s.id, s.round) for s in series.surveys]) == (
        "Bymidten 2026", [(survey.id, 1), (made.id, 2)])


def test_show_if_in_the_copy_points_at_the_copied_option_and_still_skips(client, db, survey):
    made = start(db, survey)
    made.status = SurveyStatus.open
    db.session.commit()
    follow_up = made.questions[3]
    assert follow_up.show_if_choice.question_id == made.questions[2].id

    answer_all(client, made, yes_no="Ja")

    response = db.session.scalar(select(Response).where(Response.survey_id == made.id))
    assert response.completed
    assert follow_up.id not in {a.question_id for a in response.answers}


def test_third_round_continues_the_series(db, survey):
    second = start(db, survey)
    third = start(db, second)
    assert (third.round, third.series_id) == (3, survey.series_id)
    assert {q.lineage for q in third.questions} == {q.lineage for q in survey.questions}
    assert [s.slug for s in (survey, second, third)] == ["bymidten", "bymidten-2", "bymidten-3"]


def test_moving_the_address_on_lets_a_printed_poster_lead_to_the_new_round(client, db, survey):
    made = start(db, survey, move_address=True)
    db.session.refresh(survey)
    assert (made.slug, survey.slug) == ("bymidten", "bymidten-runde-1")
    # Until staff open it, a scan of the poster says the next round is coming: no dead "not found".
    waiting = client.get("/s/bymidten")
    assert waiting.status_code == 200 and "Den næste runde er ikke åbnet endnu" in waiting.get_data(as_text=True)
    made.status = SurveyStatus.open
    db.session.commit()

    page = client.get("/s/bymidten", follow_redirects=True)
    assert page.status_code == 200
    answer_all(client, made)  # through /s/bymidten, as the poster says

    assert db.session.scalar(select(Response.survey_id)) == made.id


def test_a_typed_address_that_is_taken_or_invalid_is_refused_with_a_message(db, org, survey):
    make_survey(db, org, slug="taget")
    with pytest.raises(rounds.RoundProblem, match="taget"):
        rounds.start_round(db.session, survey, rounds.NewRound(slug="taget"))
    db.session.rollback()
    with pytest.raises(rounds.RoundProblem):
        rounds.start_round(db.session, survey, rounds.NewRound(slug="Ikke gyldig!"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(SurveySeries.id))) == 0


def test_changing_a_copied_questions_kind_is_refused_but_rewording_is_allowed(db, survey):
    made = start(db, survey)
    question = made.questions[0]
    labels = [editing.ChoiceEdit(c.id, c.label) for c in question.choices]
    with pytest.raises(EditRefused, match="andre runder|other rounds"):
        editing.save_question(db.session, made, question, QuestionEdit(
            kind="multiple_choice", prompt=question.prompt, choices=labels))
    db.session.rollback()

    editing.save_question(db.session, made, question, QuestionEdit(
        kind="single_choice", prompt="Hvor gammel er du nu?", choices=labels + [editing.ChoiceEdit(None, "Over 60")]))
    db.session.commit()
    assert made.questions[0].prompt == "Hvor gammel er du nu?"
    assert made.questions[0].lineage == survey.questions[0].lineage


def test_a_new_question_in_a_later_round_may_change_kind(db, survey):
    made = start(db, survey)
    added = editing.save_question(db.session, made, None, QuestionEdit(kind="short_text", prompt="Nyt spørgsmål"))
    db.session.commit()
    editing.save_question(db.session, made, added, QuestionEdit(kind="number", prompt="Nyt spørgsmål"))
    db.session.commit()
    assert added.kind == "number"


def test_editor_starts_a_round_from_the_survey_page_and_touchpoints_follow(client, db, staff, org, survey):
    other = make_survey(db, org)
    poster = Touchpoint(organisation_id=org.id, code="skate123", name="Skateparken", kind=TouchpointKind.skate_park,
                        survey_id=survey.id)
    elsewhere = Touchpoint(organisation_id=org.id, code="bib12345", name="Biblioteket", kind=TouchpointKind.library,
                           survey_id=other.id)
    db.session.add_all([poster, elsewhere])
    survey.status = SurveyStatus.closed  # the posters move on only from a round that no longer takes answers
    db.session.commit()
    staff(make_user(db, org, "editor"))

    page = client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)
    assert f"/staff/surveys/{survey.id}/rounds/new" in page
    form = client.get(f"/staff/surveys/{survey.id}/rounds/new").get_data(as_text=True)
    assert 'name="repoint" value="1"' in form and "checked" in re.search(r'<input[^>]*id="repoint"[^>]*>', form)[0]
    sent = client.post(f"/staff/surveys/{survey.id}/rounds/new", data={
        "csrf_token": csrf_token(client, f"/staff/surveys/{survey.id}/rounds/new"), "address": "move",
        "repoint": "1"})

    assert sent.status_code == 302
    made = db.session.scalar(select(Survey).where(Survey.round == 2))
    assert sent.location.endswith(f"/staff/surveys/{made.id}")
    db.session.expire_all()
    assert (db.session.get(Touchpoint, poster.id).survey_id, db.session.get(Touchpoint, elsewhere.id).survey_id) == (
        made.id, other.id)
    shown = client.get(sent.location).get_data(as_text=True)
    assert "1 kontaktpunkt fører nu til den nye runde." in shown
    assert f"/staff/surveys/{survey.id}\"" in shown and f"/staff/surveys/{made.id}/rounds" in shown


def test_touchpoints_stay_when_staff_untick_the_box(client, db, staff, org, survey):
    poster = Touchpoint(organisation_id=org.id, code="skate123", name="Skateparken", kind=TouchpointKind.skate_park,
                        survey_id=survey.id)
    db.session.add(poster)
    db.session.commit()
    staff(make_user(db, org, "editor"))
    url = f"/staff/surveys/{survey.id}/rounds/new"
    client.post(url, data={"csrf_token": csrf_token(client, url), "address": "new", "slug": "bymidten-2027"})
    made = db.session.scalar(select(Survey).where(Survey.round == 2))
    assert made.slug == "bymidten-2027"
    db.session.expire_all()
    assert db.session.get(Touchpoint, poster.id).survey_id == survey.id


def test_an_open_round_keeps_its_address_and_posters_while_people_answer_it(client, db, staff, org, survey):
    poster = Touchpoint(organisation_id=org.id, code="skate123", name="Skateparken", kind=TouchpointKind.skate_park,
                        survey_id=survey.id)
    db.session.add(poster)
    db.session.commit()
    staff(make_user(db, org, "editor"))
    url = f"/staff/surveys/{survey.id}/rounds/new"
    form = client.get(url).get_data(as_text=True)
    assert "checked" not in re.search(r'<input[^>]*id="repoint"[^>]*>', form)[0]  # not ticked while it is open
    for data in ({"address": "move"}, {"address": "new", "repoint": "1"}):
        sent = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
        assert sent.status_code == 422 and "Denne runde er åben" in sent.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Survey.id))) == 1
    db.session.expire_all()
    assert db.session.get(Touchpoint, poster.id).survey_id == survey.id
    assert client.get("/s/bymidten", follow_redirects=True).status_code == 200  # round 1 still answers


def test_a_taken_address_is_named_and_kept_in_the_form_not_a_500(client, db, staff, org, survey):
    make_survey(db, org, slug="taget")
    staff(make_user(db, org, "editor"))
    url = f"/staff/surveys/{survey.id}/rounds/new"
    sent = client.post(url, data={"csrf_token": csrf_token(client, url), "address": "new", "slug": "taget"})
    assert sent.status_code == 422
    html = sent.get_data(as_text=True)
    assert 'value="taget"' in html and "taget" in html.split("error-summary", 1)[1]
    assert db.session.scalar(select(func.count(Survey.id))) == 2


def test_viewers_and_other_organisations_cannot_start_a_round(client, db, staff, org, survey):
    staff(make_user(db, org, "viewer"))
    assert client.get(f"/staff/surveys/{survey.id}/rounds/new").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    stranger = make_user(db, make_org(db), "editor")
    with client.session_transaction() as session:
        session.clear()
    staff(stranger)
    assert client.get(f"/staff/surveys/{survey.id}/rounds/new").status_code == 404


def test_a_round_exported_and_imported_elsewhere_joins_that_series_and_keeps_lineage(db, org, survey):
    from flask_babel import force_locale

    from surveys import transfer

    second = start(db, survey)
    document = transfer.export_survey(second)
    assert document["survey"]["series"] == {"name": "Bymidten 2026", "round": 2}
    assert [q["lineage"] for q in document["survey"]["questions"]] == [q.lineage for q in survey.questions]

    other = make_org(db)
    with force_locale("en"):
        first_there = transfer.import_survey(db.session, other.id, transfer.survey_json(survey).encode())
        second_there = transfer.import_survey(db.session, other.id, transfer.survey_json(second).encode())
        again = transfer.import_survey(db.session, other.id, transfer.survey_json(second).encode())
    db.session.commit()

    assert (first_there.round, second_there.round, again.round) == (1, 2, 3)  # round 2 was taken: the next one
    assert len({first_there.series_id, second_there.series_id, again.series_id}) == 1
    assert db.session.get(SurveySeries, second_there.series_id).organisation_id == other.id
    assert shape(second_there) == shape(second)
    assert [[c.lineage for c in q.choices] for q in first_there.questions] == [
        [c.lineage for c in q.choices] for q in survey.questions]


def test_a_file_with_a_broken_series_or_lineage_is_refused_with_a_message(db, org, survey):
    import json

    from flask_babel import force_locale

    from surveys import transfer

    document = transfer.export_survey(start(db, survey))
    cases = [(("series", "round"), 0, "round"), (("questions", 0, "lineage"), "ikke gyldig!", "lineage"),
             (("questions", 1, "lineage"), document["survey"]["questions"][0]["lineage"], "same"),
             (("series",), "Bymidten", "series")]
    for path, value, message in cases:
        changed = json.loads(json.dumps(document))
        target = changed["survey"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with force_locale("en"), pytest.raises(transfer.ImportProblem, match=message):
            transfer.import_survey(db.session, org.id, json.dumps(changed).encode())
        db.session.rollback()
