"""The consent box promises that a person's e-mail is deleted when the competition is over: closing
it deletes them at once, and `flask purge-contacts` (run by cron) deletes them once a close date
has passed. Ideas of competitions still running keep theirs."""
from datetime import timedelta

from engagement.competitions.models import Idea
from engagement.competitions.services import purge_contact_details
from extensions import utcnow
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token


def contact(db, idea_id: int) -> tuple:
    db.session.expire_all()
    idea = db.session.get(Idea, idea_id)
    return idea.contact_email, idea.contact_consent


def idea_with_email(db, competition, email="sofie@example.dk"):
    return make_idea(db, competition, contact_email=email, contact_consent=True).id


def test_closing_a_competition_deletes_the_emails_people_left_but_not_those_of_others(client, db, staff):
    org = make_org(db)
    closing, running = make_competition(db, org), make_competition(db, org)
    closed_idea, running_idea = idea_with_email(db, closing), idea_with_email(db, running, "bo@example.dk")
    staff(make_user(db, org))
    token = csrf_token(client, f"/staff/competitions/{closing.id}?lang=en")
    page = client.post(f"/staff/competitions/{closing.id}/phase", data={"csrf_token": token, "action": "close"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The competition is closed." in page
    assert "1 e-mail address left with an idea is deleted, as the idea form promised." in page
    assert contact(db, closed_idea) == (None, False)
    assert contact(db, running_idea) == ("bo@example.dk", True)
    export = client.get(f"/staff/competitions/{closing.id}/ideas.csv").get_data(as_text=True)
    assert "sofie@example.dk" not in export


def test_saving_settings_with_a_close_date_in_the_past_deletes_the_emails(client, db, staff):
    from tests.engagement.competitions.test_staff_editor import post_settings

    org = make_org(db)
    competition = make_competition(db, org)
    idea_id = idea_with_email(db, competition)
    staff(make_user(db, org))
    assert post_settings(client, f"/staff/competitions/{competition.id}/edit",
                         closes_at="2024-01-01T12:00").status_code == 303
    assert contact(db, idea_id) == (None, False)


def test_the_purge_command_deletes_emails_once_a_close_date_has_passed(app, db):
    org = make_org(db)
    now = utcnow()
    passed = make_competition(db, org, closes_at=now - timedelta(minutes=5))
    later = make_competition(db, org, closes_at=now + timedelta(days=3))
    draft = make_competition(db, org, status="draft", closes_at=now - timedelta(days=1))
    gone, kept, kept_draft = idea_with_email(db, passed), idea_with_email(db, later), idea_with_email(db, draft)
    result = app.test_cli_runner().invoke(args=["purge-contacts"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert contact(db, gone) == (None, False)
    assert contact(db, kept)[0] == contact(db, kept_draft)[0] == "sofie@example.dk"


def test_the_purge_service_counts_only_ideas_that_had_an_email(db):
    org = make_org(db)
    closed = make_competition(db, org, status="closed")
    idea_with_email(db, closed)
    make_idea(db, closed)
    assert purge_contact_details(db.session, utcnow()) == 1
    assert purge_contact_details(db.session, utcnow()) == 0
