"""Staff build surveys: create, add questions of every kind, reorder, open, close; collected answers stay safe."""
import re

from sqlalchemy import select

from surveys.models import Choice, Question, Survey, SurveyStatus
from tests.builders import make_org, make_survey, make_user
from tests.conftest import csrf_token


def post(client, url, data, form_url=None):
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data})


def test_editor_builds_a_survey_and_opens_it_for_young_people(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org, role="editor"))
    created = post(client, "/staff/surveys/new", {"title": "Unge i bymidten", "intro": "Hej!", "thanks": "Tak",
                                                  "language": "da"})
    assert created.status_code == 302
    survey = db.session.scalar(select(Survey))
    assert survey.slug == "unge-i-bymidten" and survey.organisation_id == org.id
    new_q = f"/staff/surveys/{survey.id}/questions/new?kind=single_choice"
    saved = post(client, new_q, {"kind": "single_choice", "prompt": "Hvor gammel er du?", "required": "y",
                                 "choices-0-label": "13-17", "choices-1-label": "18-25", "choices-2-label": ""})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    opened = post(client, f"/staff/surveys/{survey.id}/status", {"action": "open"}, f"/staff/surveys/{survey.id}")
    assert opened.status_code == 302
    db.session.expire_all()
    assert survey.status is SurveyStatus.open
    assert [c.label for c in survey.questions[0].choices] == ["13-17", "18-25"]
    assert "Hvor gammel er du?" in client.get("/s/unge-i-bymidten", follow_redirects=True).get_data(as_text=True)


def test_editor_adds_a_question_of_each_kind(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, status="draft")
    extra = {"single_choice": {"choices-0-label": "A", "choices-1-label": "B"},
             "multiple_choice": {"choices-0-label": "A", "choices-1-label": "B", "setting_max_picks": "1"},
             "image_choice": {"choices-0-label": "A", "choices-1-label": "B"},
             "scale": {"setting_low_label": "Dårligt", "setting_high_label": "Godt", "setting_faces": "y"},
             "rating": {}, "yes_no": {}, "number": {"setting_min": "0", "setting_max": "99"},
             "short_text": {"setting_max_length": "50"}, "long_text": {}}
    for kind, fields in extra.items():
        url = f"/staff/surveys/{survey.id}/questions/new?kind={kind}"
        saved = post(client, url, {"kind": kind, "prompt": f"Spørgsmål {kind}", **fields})
        assert saved.status_code == 302, (kind, saved.get_data(as_text=True)[-1500:])
    db.session.expire_all()
    kinds = [q.kind for q in survey.questions]
    assert kinds == list(extra)
    assert [c.label for c in survey.questions[5].choices] == ["Ja", "Nej"]
    assert survey.questions[1].settings == {"max_picks": 1}
    assert survey.questions[3].settings == {"low_label": "Dårligt", "high_label": "Godt", "faces": True}


def test_editor_sees_a_message_and_keeps_the_text_when_a_question_has_no_prompt(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, status="draft")
    page = post(client, f"/staff/surveys/{survey.id}/questions/new?kind=single_choice",
                {"kind": "single_choice", "prompt": "", "help": "Min hjælpetekst", "choices-0-label": "Kun én"})
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Min hjælpetekst" in html and 'aria-invalid="true"' in html


def test_choice_question_with_one_option_is_refused_with_an_explanation(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, status="draft")
    page = post(client, f"/staff/surveys/{survey.id}/questions/new?kind=single_choice",
                {"kind": "single_choice", "prompt": "Alder?", "choices-0-label": "Kun én"})
    assert page.status_code == 422
    assert "mindst to svarmuligheder" in page.get_data(as_text=True)
    assert db.session.scalar(select(Question)) is None


def answered_survey(db, client):
    org = make_org(db)
    survey = make_survey(db, org, [{"kind": "single_choice", "prompt": "Alder", "choices": ["13-17", "18-25"]},
                                   {"kind": "short_text", "prompt": "Hvorfor?"}])
    html = client.get(f"/s/{survey.slug}", follow_redirects=True).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    q = survey.questions[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # this screen's own
    sent = client.post(action, data={"csrf_token": token, f"q{q.id}": str(q.choices[0].id)})
    assert sent.status_code == 303
    return org, survey


def test_kind_of_an_answered_question_cannot_change(client, db, staff):
    org, survey = answered_survey(db, client)
    staff(make_user(db, org))
    q = survey.questions[0]
    url = f"/staff/surveys/{survey.id}/questions/{q.id}"
    page = post(client, url, {"kind": "multiple_choice", "prompt": "Alder",
                              "choices-0-choice_id": str(q.choices[0].id), "choices-0-label": "13-17",
                              "choices-1-choice_id": str(q.choices[1].id), "choices-1-label": "18-25"})
    assert page.status_code == 422
    assert "Typen kan ikke ændres" in page.get_data(as_text=True)
    db.session.expire_all()
    assert q.kind == "single_choice"


def test_option_with_answers_cannot_be_removed_but_can_be_reworded(client, db, staff):
    org, survey = answered_survey(db, client)
    staff(make_user(db, org))
    q = survey.questions[0]
    picked, other = q.choices
    url = f"/staff/surveys/{survey.id}/questions/{q.id}"
    base = {"kind": "single_choice", "prompt": "Alder", "choices-0-choice_id": str(picked.id),
            "choices-1-choice_id": str(other.id), "choices-1-label": "18-25", "choices-2-label": "26+"}
    refused = post(client, url, {**base, "choices-0-label": "13-17", "choices-0-remove": "y"})
    assert refused.status_code == 422 and "kan ikke fjernes" in refused.get_data(as_text=True)
    fixed = post(client, url, {**base, "choices-0-label": "13–17 år"})
    assert fixed.status_code == 302
    db.session.expire_all()
    assert [c.label for c in q.choices] == ["13–17 år", "18-25", "26+"]
    assert picked.id == q.choices[0].id


def test_answered_question_cannot_be_deleted(client, db, staff):
    org, survey = answered_survey(db, client)
    staff(make_user(db, org))
    q = survey.questions[0]
    post(client, f"/staff/surveys/{survey.id}/questions/{q.id}/delete", {}, f"/staff/surveys/{survey.id}")
    assert db.session.get(Question, q.id) is not None
    assert "kan ikke slettes" in client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)


def test_editor_reorders_and_removes_questions_of_a_draft(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, [{"kind": "short_text", "prompt": p} for p in ("Et", "To", "Tre")], status="draft")
    first, second, third = survey.questions
    show = f"/staff/surveys/{survey.id}"
    post(client, f"{show}/questions/{third.id}/move", {"direction": "up"}, show)
    post(client, f"{show}/questions/{first.id}/delete", {}, show)
    db.session.expire_all()
    assert [q.prompt for q in survey.questions] == ["Tre", "To"]
    assert [q.position for q in survey.questions] == [1, 2]


def test_follow_up_cannot_move_above_the_question_it_depends_on(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, [{"kind": "yes_no", "prompt": "Kommer du?"},
                                   {"kind": "short_text", "prompt": "Hvorfor ikke?", "show_if": (0, "Nej")}],
                         status="draft")
    follow_up = survey.questions[1]
    show = f"/staff/surveys/{survey.id}"
    post(client, f"{show}/questions/{follow_up.id}/move", {"direction": "up"}, show)
    db.session.expire_all()
    assert [q.prompt for q in survey.questions] == ["Kommer du?", "Hvorfor ikke?"]


def test_viewer_can_look_but_not_change(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org, role="viewer"))
    survey = make_survey(db, org, [{"kind": "short_text", "prompt": "Hej"}], status="draft")
    assert client.get(f"/staff/surveys/{survey.id}").status_code == 200
    assert client.get("/staff/surveys/new").status_code == 403
    assert client.get(f"/staff/surveys/{survey.id}/settings").status_code == 403


def test_slug_is_fixed_once_the_survey_is_open(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, [{"kind": "short_text", "prompt": "Hej"}], slug="plakat-adresse")
    url = f"/staff/surveys/{survey.id}/settings"
    post(client, url, {"title": "Ny titel", "slug": "ny-adresse", "language": "da"})
    db.session.expire_all()
    assert survey.slug == "plakat-adresse" and survey.title == "Ny titel"


def test_closing_time_before_opening_time_is_refused(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    page = post(client, "/staff/surveys/new", {"title": "X", "language": "da", "opens_at": "2026-12-10T10:00",
                                               "closes_at": "2026-12-01T10:00"})
    assert page.status_code == 422
    assert "Lukketiden skal ligge efter åbningstiden" in page.get_data(as_text=True)


def test_open_and_close_times_are_danish_wall_clock_time(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    post(client, "/staff/surveys/new", {"title": "X", "language": "da", "opens_at": "2026-12-10T10:00"})
    survey = db.session.scalar(select(Survey))
    assert survey.opens_at.hour == 9  # 10:00 in Copenhagen in winter is 09:00 UTC


def test_image_choice_option_gets_a_cleaned_picture(client, db, staff):
    import io

    from PIL import Image

    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, status="draft")
    picture = io.BytesIO()
    Image.new("RGB", (1600, 1200), "red").save(picture, "JPEG")
    url = f"/staff/surveys/{survey.id}/questions/new?kind=image_choice"
    saved = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, url), "kind": "image_choice", "prompt": "Hvilken?",
        "choices-0-label": "Rød", "choices-0-image": (io.BytesIO(picture.getvalue()), "roed.jpg"),
        "choices-1-label": "Ingen"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[-1000:]
    choice = db.session.scalar(select(Choice).where(Choice.label == "Rød"))
    assert choice.image.content_type == "image/webp" and max(choice.image.width, choice.image.height) == 800
    served = client.get(f"/s/{survey.slug}/billede/{choice.image.id}")
    assert served.status_code == 200 and served.content_type == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_text_file_as_option_picture_is_refused_with_a_message(client, db, staff):
    import io

    org = make_org(db)
    staff(make_user(db, org))
    survey = make_survey(db, org, status="draft")
    url = f"/staff/surveys/{survey.id}/questions/new?kind=image_choice"
    page = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, url), "kind": "image_choice", "prompt": "Hvilken?",
        "choices-0-label": "A", "choices-0-image": (io.BytesIO(b"not a picture"), "a.jpg"), "choices-1-label": "B"})
    assert page.status_code == 422
    assert "ikke et billede" in page.get_data(as_text=True)
    assert db.session.scalar(select(Question)) is None
