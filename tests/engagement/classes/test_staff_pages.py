"""Teachers start, watch and end class sessions; each sees only their own, and no one sees another
organisation's."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engagement.classes.models import ClassSession
from engagement.competitions.models import IdeaStatus, ModerationEvent
from engagement.competitions.services import CleanPhoto
from extensions import utcnow
from surveys.timezone import from_local, to_local
from tests.builders import EVERY_KIND, make_competition, make_idea, make_org, make_survey, make_user
from tests.conftest import csrf_token, routes_taking
from tests.engagement.classes.builders import answer_whole_survey, make_class_session


def test_teacher_starts_a_session_and_lands_on_the_projector_with_the_code(client, db, staff):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND[:1], title="Unge i bymidten")
    teacher = make_user(db, org, role="teacher")
    staff(teacher)
    ends = (to_local(utcnow()) + timedelta(days=1)).replace(tzinfo=None, second=0, microsecond=0)
    form = client.get("/staff/classes/new?lang=en").get_data(as_text=True)
    assert "Unge i bymidten" in form and 'type="datetime-local"' in form
    started = client.post("/staff/classes/new", data={
        "csrf_token": csrf_token(client, "/staff/classes/new"), "name": "2.g Vordingborg Gymnasium, bymidten",
        "target": f"survey:{survey.id}", "ends_at": ends.strftime("%Y-%m-%dT%H:%M"), "dots_per_pupil": ""})
    class_session = db.session.scalar(select(ClassSession))
    assert started.status_code == 303 and started.location.endswith(f"/staff/classes/{class_session.id}/projector")
    assert (class_session.teacher_id, class_session.survey_id) == (teacher.id, survey.id)
    assert class_session.ends_at == from_local(ends)  # typed in Danish time, stored in UTC
    projector = client.get(started.location).get_data(as_text=True)
    assert f"{class_session.code[:3]} {class_session.code[3:]}" in projector


def test_a_session_form_with_mistakes_says_what_is_wrong_and_keeps_the_name(client, db, staff):
    org = make_org(db)
    make_survey(db, org, EVERY_KIND[:1])
    staff(make_user(db, org, role="teacher"))
    client.get("/staff/classes/?lang=en")
    refused = client.post("/staff/classes/new", data={
        "csrf_token": csrf_token(client, "/staff/classes/new"), "name": "2.g", "target": "",
        "ends_at": "2001-01-01T10:00", "dots_per_pupil": "500"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="2.g"' in page
    for message in ("Choose an open survey or competition", "later than now", "from 1 to 20"):
        assert message in page
    assert db.session.scalar(select(ClassSession)) is None


def test_a_viewer_may_look_at_sessions_but_not_start_or_end_one(client, db, staff):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND[:1])
    class_session = make_class_session(db, make_user(db, org, role="teacher"), survey)
    staff(make_user(db, org, role="viewer"))
    assert client.get("/staff/classes/").status_code == 200
    assert client.get(f"/staff/classes/{class_session.id}/projector").status_code == 200
    assert client.get("/staff/classes/new").status_code == 403
    token = csrf_token(client, f"/staff/classes/{class_session.id}")
    assert client.post(f"/staff/classes/{class_session.id}/end", data={"csrf_token": token}).status_code == 403
    db.session.expire_all()
    assert class_session.ended_at is None


def session_urls(app, class_session, idea_id=1):
    return routes_taking(app, "class_session_id", {"class_session_id": class_session.id, "idea_id": idea_id,
                                                   "extension": "csv"})


@pytest.mark.parametrize("who", ["another teacher", "an admin of another organisation"])
def test_every_page_of_a_session_is_404_for_who_may_not_see_it(app, client, db, staff, who):
    org = make_org(db)
    competition = make_competition(db, org)
    class_session = make_class_session(db, make_user(db, org, role="teacher"), competition=competition)
    idea = make_idea(db, competition, status="pending", class_session_id=class_session.id)
    staff(make_user(db, org, role="teacher") if who == "another teacher" else make_user(db, make_org(db), role="admin"))
    token = csrf_token(client, "/staff/classes/")
    urls = session_urls(app, class_session, idea.id)
    assert len(urls) >= 10
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token, "action": "approve",
                                                          "setting": "voting", "value": "on"})
        assert response.status_code == 404, (method, url, response.status_code)
    db.session.expire_all()
    assert (idea.status, class_session.voting_open, class_session.ended_at) == (IdeaStatus.pending, False, None)


def test_teacher_ends_the_session_and_the_code_stops_working(client, db, staff):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, make_survey(db, org, EVERY_KIND[:1]))
    staff(teacher)
    token = csrf_token(client, f"/staff/classes/{class_session.id}")
    assert client.post(f"/staff/classes/{class_session.id}/end", data={"csrf_token": token}).status_code == 303
    assert client.get(f"/join/{class_session.code}").status_code == 410


def test_the_live_endpoint_counts_the_pupils_who_finished_and_draws_the_class_slice_only(client, db, staff):
    org = make_org(db)
    survey = make_survey(db, org, [{"kind": "yes_no", "prompt": "Kommer du i bymidten?"}])
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, survey)
    pupil = client.application.test_client()
    for _ in range(3):
        answer_whole_survey(pupil, f"/join/{class_session.code}")
    answer_whole_survey(pupil, f"/s/{survey.slug}")  # not from the class
    staff(teacher)
    live = client.get(f"/staff/classes/{class_session.id}/live")
    state = live.get_json()
    assert live.headers["Cache-Control"] == "no-store"
    assert state["count"] == 3 and state["live"] is True
    question = survey.questions[0]
    assert sum(state["figures"][f"q{question.id}"]["data"][0]["x"]) == 3


def competition_with_class(db, **overrides):
    org = make_org(db)
    competition = make_competition(db, org, voting_mode="dots")
    teacher = make_user(db, org, role="teacher")
    return competition, teacher, make_class_session(db, teacher, competition=competition, **overrides)


def test_teacher_approves_an_idea_from_the_projector_and_the_log_says_where(client, db, staff):
    competition, teacher, class_session = competition_with_class(db)
    idea = make_idea(db, competition, status="pending", class_session_id=class_session.id, title="Skatebar")
    staff(teacher)
    projector = f"/staff/classes/{class_session.id}/projector"
    assert "Skatebar" in client.get(projector).get_data(as_text=True)
    approved = client.post(f"/staff/classes/{class_session.id}/ideas/{idea.id}",
                           data={"csrf_token": csrf_token(client, projector), "action": "approve"})
    assert approved.status_code == 303
    db.session.expire_all()
    event = db.session.scalar(select(ModerationEvent))
    assert idea.status is IdeaStatus.approved
    assert (event.user_id, event.action, json.loads(event.detail)["where"]) == \
        (teacher.id, "approved", class_session.name)


def test_teacher_opens_class_voting_and_the_ranking_shows_the_dots(client, db, staff):
    competition, teacher, class_session = competition_with_class(db)
    idea = make_idea(db, competition, class_session_id=class_session.id, title="Skatebar")
    staff(teacher)
    projector = f"/staff/classes/{class_session.id}/projector"
    opened = client.post(f"/staff/classes/{class_session.id}/settings", headers={"X-Requested-With": "fetch"},
                         data={"csrf_token": csrf_token(client, projector), "setting": "voting", "value": "on"})
    assert opened.status_code == 204
    pupil = client.application.test_client()
    token = csrf_token(pupil, "/join")
    pupil.post(f"/join/{class_session.code}/vote", data={"csrf_token": token, "idea": idea.id, "dots": 2})
    state = client.get(f"/staff/classes/{class_session.id}/live?lang=en").get_json()
    assert state["voting_open"] is True and state["voters"] == 1
    assert "Skatebar" in state["ranking_html"] and "2 dots" in state["ranking_html"]


def test_a_pending_ideas_photo_is_shown_to_its_teacher_only(app, client, db, staff):
    competition, teacher, class_session = competition_with_class(db)
    photo = CleanPhoto("image/jpeg", 10, 10, b"big", b"thumbnail-bytes", b"print-bytes")
    idea = make_idea(db, competition, status="pending", class_session_id=class_session.id, photo=photo)
    url = f"/staff/classes/{class_session.id}/ideas/{idea.id}/thumbnail"
    assert client.get(url).status_code == 302  # to the login page
    staff(teacher)
    shown = client.get(url)
    assert shown.data == b"thumbnail-bytes" and shown.mimetype == "image/jpeg"
    assert url in client.get(f"/staff/classes/{class_session.id}/projector").get_data(as_text=True)


def test_changing_settings_of_an_ended_session_changes_nothing(client, db, staff):
    _competition, teacher, class_session = competition_with_class(db, ended_at=utcnow())
    staff(teacher)
    token = csrf_token(client, f"/staff/classes/{class_session.id}")
    client.post(f"/staff/classes/{class_session.id}/settings", data={"csrf_token": token, "setting": "voting",
                                                                      "value": "on"})
    db.session.expire_all()
    assert class_session.voting_open is False


@pytest.mark.parametrize("status, action", [("rejected", "approve"), ("winner", "approve"), ("approved", "hide"),
                                            ("winner", "hide"), ("rejected", "hide")])
def test_teacher_cannot_overrule_a_decided_idea_from_the_projector(client, db, staff, status, action):
    competition, teacher, class_session = competition_with_class(db)
    idea = make_idea(db, competition, status=status, class_session_id=class_session.id, title="Skatebar")
    staff(teacher)
    projector = f"/staff/classes/{class_session.id}/projector?lang=en"
    refused = client.post(f"/staff/classes/{class_session.id}/ideas/{idea.id}",
                          data={"csrf_token": csrf_token(client, projector), "action": action})
    assert refused.status_code == 409
    assert "Someone has already decided on this idea" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert idea.status is IdeaStatus(status)
    assert db.session.scalar(select(ModerationEvent)) is None


def test_the_projector_is_told_in_json_when_a_moderator_rejected_the_idea_first(client, db, staff):
    competition, teacher, class_session = competition_with_class(db)
    idea = make_idea(db, competition, status="rejected", class_session_id=class_session.id, title="Skatebar")
    make_idea(db, competition, class_session_id=class_session.id, title="Grøn gård")
    staff(teacher)
    token = csrf_token(client, f"/staff/classes/{class_session.id}/projector?lang=en")
    refused = client.post(f"/staff/classes/{class_session.id}/ideas/{idea.id}", headers={"X-Requested-With": "fetch"},
                          data={"csrf_token": token, "action": "approve"})
    assert refused.status_code == 409 and "already decided" in refused.get_json()["error"]
    db.session.expire_all()
    assert idea.status is IdeaStatus.rejected
    gallery = client.get(f"/c/{competition.slug}/ideas").get_data(as_text=True)
    assert "Grøn gård" in gallery and "Skatebar" not in gallery


def test_the_projector_offers_buttons_only_for_ideas_nobody_has_decided_on(client, db, staff):
    competition, teacher, class_session = competition_with_class(db)
    waiting = make_idea(db, competition, status="pending", class_session_id=class_session.id)
    decided = make_idea(db, competition, status="approved", class_session_id=class_session.id)
    staff(teacher)
    page = client.get(f"/staff/classes/{class_session.id}/projector").get_data(as_text=True)
    assert f"/ideas/{waiting.id}\"" in page and f"/ideas/{decided.id}\"" not in page


def start_form(client, survey, **fields):
    return {"csrf_token": csrf_token(client, "/staff/classes/new"), "name": "2.g bymidten",
            "target": f"survey:{survey.id}", "dots_per_pupil": "", **fields}


@pytest.mark.parametrize("typed, message", [("0001-01-01T00:00", "later than now"),
                                            ("9999-12-31T23:59", "at most 14 days")])
def test_a_teacher_who_types_a_far_off_end_is_told_so_and_keeps_it(client, db, staff, typed, message):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND[:1])
    staff(make_user(db, org, role="teacher"))
    client.get("/staff/classes/?lang=en")
    refused = client.post("/staff/classes/new", data=start_form(client, survey, ends_at=typed))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and message in page and f'value="{typed}"' in page
    assert db.session.scalar(select(ClassSession)) is None


def test_a_session_name_with_nul_characters_is_stored_without_them(client, db, staff):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND[:1])
    staff(make_user(db, org, role="teacher"))
    ends = (to_local(utcnow()) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    started = client.post("/staff/classes/new", data=start_form(client, survey, name="2.g\x00 bymidten\x00",
                                                                ends_at=ends))
    assert started.status_code == 303
    assert db.session.scalar(select(ClassSession.name)) == "2.g bymidten"


def test_a_projector_left_open_after_the_end_cannot_approve_ideas(client, db, staff):
    competition, teacher, class_session = competition_with_class(db)
    idea = make_idea(db, competition, status="pending", class_session_id=class_session.id)
    staff(teacher)
    token = csrf_token(client, f"/staff/classes/{class_session.id}/projector")
    class_session.ended_at = utcnow()
    db.session.commit()
    refused = client.post(f"/staff/classes/{class_session.id}/ideas/{idea.id}", headers={"X-Requested-With": "fetch"},
                          data={"csrf_token": token, "action": "approve"})
    assert refused.status_code == 409
    db.session.expire_all()
    assert idea.status is IdeaStatus.pending


def test_the_class_sees_no_staff_menu_or_teachers_email_on_the_projector_and_the_teacher_has_a_way_back(
        client, db, staff):
    competition, teacher, class_session = competition_with_class(db)
    staff(teacher)
    projector = client.get(f"/staff/classes/{class_session.id}/projector?lang=en").get_data(as_text=True)
    assert teacher.email not in projector and "Log out" not in projector and "Change password" not in projector
    assert 'class="topbar"' not in projector
    assert f'href="/staff/classes/{class_session.id}">Session page<' in projector
    # Every other staff page keeps its menu.
    assert teacher.email in client.get(f"/staff/classes/{class_session.id}").get_data(as_text=True)


def test_projector_left_open_when_the_session_ends_is_told_to_take_the_code_down(client, db, staff):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, make_survey(db, org, EVERY_KIND[:1]))
    staff(teacher)
    live = f"/staff/classes/{class_session.id}/live?lang=en"
    before = client.get(live).json
    assert before["live"] is True and "join_html" not in before
    client.post(f"/staff/classes/{class_session.id}/end",
                data={"csrf_token": csrf_token(client, f"/staff/classes/{class_session.id}")})
    after = client.get(live).json
    assert after["live"] is False
    assert "The session has ended" in after["join_html"]
    assert class_session.code[:3] not in after["join_html"] and "qr.png" not in after["join_html"]
    page = client.get(f"/staff/classes/{class_session.id}/projector?lang=en").get_data(as_text=True)
    assert "The session has ended" in page and "qr.png" not in page and "Join on your phone" not in page


SCALE = [{"kind": "scale", "prompt": "Hvor tryg føler du dig om aftenen?",
          "settings": {"low_label": "Utryg", "high_label": "Tryg"}},
         {"kind": "single_choice", "prompt": "Hvad mangler du?", "choices": ["Bænke", "Træer", "Læ"]}]


def test_projector_chart_of_a_scale_where_every_pupil_answered_low_has_a_handful_of_axis_labels(
        app, client, db, staff):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, make_survey(db, org, SCALE))
    for _pupil in range(6):
        answer_whole_survey(app.test_client(), f"/join/{class_session.code}")  # the lowest point, "Bænke"
    staff(teacher)
    figures = list(client.get(f"/staff/classes/{class_session.id}/live").json["figures"].values())
    scale, choices = figures
    # The scale is drawn in per cent from −100 to 0: Plotly's own steps (20 %), not a tick per 1 %.
    assert "dtick" not in scale["layout"]["xaxis"]
    assert min(scale["data"][i]["x"][0] for i in range(len(scale["data"]))) == -100
    # Counted pupils are whole people: 0, 1, 2 … 6, never 0.5.
    assert choices["layout"]["xaxis"]["dtick"] == 1 and max(choices["data"][0]["x"]) == 6
