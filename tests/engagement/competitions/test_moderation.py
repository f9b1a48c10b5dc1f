"""Moderators approve, reject, correct and crown ideas; every step lands in the audit log admins read."""
import json

import pytest
from sqlalchemy import select

from engagement.competitions.models import IdeaStatus, ModerationEvent
from tests.builders import PASSWORD, make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token
from tests.engagement.competitions.staff_photos import webp_photo


def queue_url(competition, **args):
    query = "&".join(f"{k}={v}" for k, v in {"lang": "en", **args}.items())
    return f"/staff/competitions/{competition.id}/ideas?{query}"


def act(client, competition, idea, action, **form):
    token = csrf_token(client, queue_url(competition, status="all"))
    return client.post(f"/staff/competitions/{competition.id}/ideas/{idea.id}/status",
                       data={"csrf_token": token, "action": action, **form})


def test_moderator_approves_a_waiting_idea_and_the_log_says_who(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, status="pending", title="Skatehal i Algade 12")
    editor = make_user(db, org, role="editor")
    staff(editor)
    assert "Skatehal i Algade 12" in client.get(queue_url(competition)).get_data(as_text=True)
    response = act(client, competition, idea, "approved", status="pending")
    assert response.status_code == 303 and "status=pending" in response.location
    db.session.expire_all()
    assert idea.status is IdeaStatus.approved
    event = db.session.scalar(select(ModerationEvent))
    assert (event.user_id, event.action, event.idea_id) == (editor.id, "approved", idea.id)
    shown = client.get(response.location).get_data(as_text=True)
    assert "“Skatehal i Algade 12” is approved and shown in the gallery." in shown
    assert 'id="idea-' not in shown  # no longer waiting


def test_a_rejection_keeps_its_reason_for_staff_and_the_admin_reads_it_in_the_log(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, status="pending", title="Noget grimt")
    staff(make_user(db, org, role="admin"))
    act(client, competition, idea, "rejected", reason="Personangreb på en lærer")
    db.session.expire_all()
    assert (idea.status, idea.rejection_reason) == (IdeaStatus.rejected, "Personangreb på en lærer")
    log = client.get(f"/staff/competitions/{competition.id}/log?lang=en").get_data(as_text=True)
    assert "Rejected" in log and "Reason: Personangreb på en lærer" in log and "Noget grimt" in log


def test_a_corrected_typo_shows_before_and_after_in_the_audit_log(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, status="pending", title="Skatehla", description="Med tag over rampen")
    staff(make_user(db, org, role="admin"))
    url = f"/staff/competitions/{competition.id}/ideas/{idea.id}/edit"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "title": "Skatehal",
                                      "description": "Med tag over rampen"})
    assert response.status_code == 303
    db.session.expire_all()
    assert idea.title == "Skatehal"
    detail = json.loads(db.session.scalar(select(ModerationEvent.detail)))
    assert detail["before"]["title"] == "Skatehla" and detail["after"]["title"] == "Skatehal"
    log = client.get(f"/staff/competitions/{competition.id}/log?lang=en").get_data(as_text=True)
    assert "Text corrected" in log and "Skatehla" in log and "Before" in log and "After" in log


def test_an_empty_title_is_refused_and_what_was_typed_stays(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, title="Bænke")
    staff(make_user(db, org))
    url = f"/staff/competitions/{competition.id}/ideas/{idea.id}/edit?lang=en"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "title": " ",
                                      "description": "Flere bænke ved åen"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "An idea needs a title." in page and "Flere bænke ved åen" in page
    assert db.session.scalar(select(ModerationEvent)) is None


def test_winners_are_marked_and_unmarked_but_a_waiting_idea_cannot_win(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    approved, waiting = make_idea(db, competition), make_idea(db, competition, status="pending")
    staff(make_user(db, org))
    act(client, competition, approved, "winner")
    page = act(client, competition, waiting, "winner")
    db.session.expire_all()
    assert (approved.status, waiting.status) == (IdeaStatus.winner, IdeaStatus.pending)
    act(client, competition, approved, "unwinner")
    db.session.expire_all()
    assert approved.status is IdeaStatus.approved
    actions = db.session.scalars(select(ModerationEvent.action).order_by(ModerationEvent.id)).all()
    assert actions == ["winner", "unwinner"]
    assert page.status_code == 303


def test_queue_filters_by_status_and_category_and_counts_each_status(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, categories=["Kultur", "Sport"])
    kultur, sport = competition.categories
    make_idea(db, competition, status="pending", title="Koncertsal", category_id=kultur.id)
    make_idea(db, competition, status="pending", title="Klatrevæg", category_id=sport.id)
    make_idea(db, competition, status="approved", title="Boldbur", category_id=sport.id)
    staff(make_user(db, org))
    page = client.get(queue_url(competition, category=sport.id)).get_data(as_text=True)
    assert "Klatrevæg" in page and "Koncertsal" not in page and "Boldbur" not in page
    assert "Waiting for review <span class=\"count\">(2)</span>" in page
    every = client.get(queue_url(competition, status="all")).get_data(as_text=True)
    assert all(title in every for title in ("Koncertsal", "Klatrevæg", "Boldbur"))


def test_the_queue_shows_a_contact_email_only_with_consent(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    make_idea(db, competition, status="pending", contact_email="ja@example.dk", contact_consent=True)
    make_idea(db, competition, status="pending", nickname="Maja", age_band="13-15")
    staff(make_user(db, org))
    page = client.get(queue_url(competition)).get_data(as_text=True)
    assert "ja@example.dk" in page and "Maja" in page and "13–15" in page


def test_staff_see_the_photo_of_a_pending_idea_and_nothing_for_an_idea_without_one(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    with_photo = make_idea(db, competition, status="pending", photo=webp_photo())
    without = make_idea(db, competition, status="rejected")
    staff(make_user(db, org))
    base = f"/staff/competitions/{competition.id}/ideas"
    photo = client.get(f"{base}/{with_photo.id}/photo")
    thumb = client.get(f"{base}/{with_photo.id}/thumbnail")
    assert photo.status_code == 200 and photo.mimetype == "image/webp" and photo.data[8:12] == b"WEBP"
    assert len(thumb.data) < len(photo.data) and "private" in photo.headers["Cache-Control"]
    assert client.get(f"{base}/{without.id}/photo").status_code == 404
    assert f"{base}/{with_photo.id}/thumbnail" in client.get(queue_url(competition)).get_data(as_text=True)


@pytest.mark.parametrize("role, queue, log", [("admin", 200, 200), ("editor", 200, 403),
                                               ("viewer", 403, 403), ("teacher", 403, 403)])
def test_only_admins_read_the_audit_log_and_viewers_and_teachers_do_not_moderate(client, db, staff, role, queue, log):
    org = make_org(db)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, status="pending")
    staff(make_user(db, org, role=role))
    assert client.get(queue_url(competition)).status_code == queue
    assert client.get(f"/staff/competitions/{competition.id}/log").status_code == log
    if queue == 403:
        token = csrf_token(client, "/staff/login")
        response = client.post(f"/staff/competitions/{competition.id}/ideas/{idea.id}/status",
                               data={"csrf_token": token, "action": "approved"})
        assert response.status_code == 403
        db.session.expire_all()
        assert idea.status is IdeaStatus.pending


def test_approve_on_a_winner_is_refused_and_it_stays_a_winner(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    winner = make_idea(db, competition, status="winner", title="Lektiecafé")
    staff(make_user(db, org))
    page = act(client, competition, winner, "approved")
    shown = client.get(page.location).get_data(as_text=True)
    db.session.expire_all()
    assert winner.status is IdeaStatus.winner
    assert "This cannot be done to an idea that is “Winner”." in shown
    assert "is approved and shown in the gallery" not in shown
    assert db.session.scalar(select(ModerationEvent)) is None


def log_in(client, user):
    token = csrf_token(client, "/staff/login?lang=en")
    response = client.post("/staff/login", data={"csrf_token": token, "email": user.email,
                                                 "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_second_of_two_moderators_approving_the_same_idea_is_told_nothing_changed(app, db):
    org = make_org(db)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, status="pending", title="Klatrevæg")
    first, second = log_in(app.test_client(), make_user(db, org)), log_in(app.test_client(), make_user(db, org))
    act(first, competition, idea, "approved")
    response = act(second, competition, idea, "approved")
    shown = second.get(response.location).get_data(as_text=True)
    assert "is approved and shown in the gallery" not in shown
    assert "“Klatrevæg” was already “Approved”. Nothing changed." in shown
    assert len(db.session.scalars(select(ModerationEvent)).all()) == 1
