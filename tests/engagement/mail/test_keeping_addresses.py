"""An address is kept until the day the form named, and not a day longer: the idea form says the day,
`flask purge-contacts` deletes on it, and staff who shorten the period shorten it for everyone."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from engagement.competitions.models import Idea
from engagement.mail import cli as mail_cli
from engagement.mail.models import OutgoingMail, Subscription
from extensions import utcnow
from surveys.timezone import to_local
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token


@pytest.fixture
def org(db):
    return make_org(db)


def kept_until(db) -> list[date]:
    db.session.expire_all()
    return [s.keep_until for s in db.session.scalars(select(Subscription).order_by(Subscription.id))]


def purge_on(app, monkeypatch, day: date) -> str:
    """`flask purge-contacts` as the timer runs it at 03:15 Danish time on `day`."""
    at_night = datetime(day.year, day.month, day.day, 2, 15)  # UTC, winter and summer alike before dawn
    monkeypatch.setattr(mail_cli, "utcnow", lambda: at_night)
    result = app.test_cli_runner().invoke(args=["purge-contacts"])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_idea_form_asks_may_we_write_to_you_and_names_the_day_the_email_goes(client, db, org):
    competition = make_competition(db, org, slug="algade-12", contacts_kept_until=date(2027, 3, 1))
    page = client.get("/c/algade-12").get_data(as_text=True)
    assert "Må vi skrive til dig om, hvad der sker?" in page
    assert "sletter den senest den 1. marts 2027" in page
    english = client.get("/c/algade-12?lang=en").get_data(as_text=True)
    assert "May we write to you about what happens?" in english and "March 1, 2027" in english
    make_idea(db, competition, contact_email="sofie@example.dk", contact_consent=True)
    assert kept_until(db) == [date(2027, 3, 1)]


def test_without_a_date_of_their_own_emails_go_six_months_after_the_close(client, db, org):
    closes = datetime(2027, 1, 31, 23, 30)  # UTC: 1 February, 00:30 Danish time
    competition = make_competition(db, org, closes_at=closes)
    make_idea(db, competition, contact_email="sofie@example.dk", contact_consent=True)
    assert kept_until(db) == [date(2027, 2, 1) + timedelta(days=183)]
    open_ended = make_competition(db, org)
    make_idea(db, open_ended, contact_email="bo@example.dk", contact_consent=True)
    assert kept_until(db)[1] == to_local(utcnow()).date() + timedelta(days=183)


def test_a_competition_whose_day_has_passed_asks_for_no_email_and_keeps_none(client, db, org):
    competition = make_competition(db, org, slug="gammel", contacts_kept_until=date(2025, 1, 1))
    page = client.get("/c/gammel").get_data(as_text=True)
    assert "Må vi skrive til dig" not in page and 'type="email"' not in page
    make_idea(db, competition, contact_email="sofie@example.dk", contact_consent=True)
    assert kept_until(db) == []


def test_an_email_is_never_kept_past_the_day_the_page_showed(client, db, org):
    """A page opened before midnight and sent after: the day it showed counts, not the later one."""
    from tests.engagement.competitions.test_public_sending import open_form, send

    competition = make_competition(db, org, slug="algade-12")
    fields = open_form(client, competition)
    page = client.get("/c/algade-12").get_data(as_text=True)
    promised = date.fromisoformat(re.search(r'name="kept_until"[^>]*value="([^"]+)"', page).group(1))
    assert promised == to_local(utcnow()).date() + timedelta(days=183)
    fields["kept_until"] = (promised - timedelta(days=1)).isoformat()  # as if shown yesterday
    assert send(client, competition, fields, email="sofie@example.dk", consent="y").status_code == 303
    assert kept_until(db) == [promised - timedelta(days=1)]


def test_the_purge_deletes_an_address_on_its_day_and_not_before(app, db, org, monkeypatch):
    competition = make_competition(db, org, contacts_kept_until=date(2027, 3, 1))
    idea = make_idea(db, competition, contact_email="sofie@example.dk", contact_consent=True)
    later = make_competition(db, org, contacts_kept_until=date(2027, 6, 1))
    make_idea(db, later, contact_email="bo@example.dk", contact_consent=True)
    assert "of 0 person(s)" in purge_on(app, monkeypatch, date(2027, 2, 28))
    assert kept_until(db) == [date(2027, 3, 1), date(2027, 6, 1)]
    assert "of 1 person(s)" in purge_on(app, monkeypatch, date(2027, 3, 1))
    assert kept_until(db) == [date(2027, 6, 1)]
    assert db.session.get(Idea, idea.id).contact_email is None
    assert db.session.get(Idea, idea.id).title  # the idea itself stays


def test_the_purge_takes_the_mails_still_waiting_for_the_address_with_it(app, db, org, monkeypatch):
    from engagement.competitions import moderation

    competition = make_competition(db, org, contacts_kept_until=date(2027, 3, 1))
    idea = make_idea(db, competition, contact_email="sofie@example.dk", contact_consent=True)
    with app.test_request_context():
        moderation.set_status(db.session, idea, None, "winner")
    db.session.commit()
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 1
    purge_on(app, monkeypatch, date(2027, 3, 1))
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0


def test_closing_a_competition_keeps_the_emails_until_their_day(client, db, org, staff):
    competition = make_competition(db, org, contacts_kept_until=date(2027, 3, 1))
    make_idea(db, competition, contact_email="sofie@example.dk", contact_consent=True)
    staff(make_user(db, org))
    token = csrf_token(client, f"/staff/competitions/{competition.id}")
    client.post(f"/staff/competitions/{competition.id}/phase", data={"csrf_token": token, "action": "close"})
    assert kept_until(db) == [date(2027, 3, 1)]  # the partnership can still answer the ideas


def settings(client, competition, **changes):
    from tests.engagement.competitions.test_staff_editor import post_settings

    return post_settings(client, f"/staff/competitions/{competition.id}/edit", **changes)


def test_an_earlier_day_in_the_settings_applies_to_emails_left_already_and_a_later_one_does_not(client, db, org, staff):
    competition = make_competition(db, org, contacts_kept_until=date(2027, 3, 1))
    make_idea(db, competition, contact_email="sofie@example.dk", contact_consent=True)
    staff(make_user(db, org))
    response = settings(client, competition, contacts_kept_until="2027-05-01")
    assert response.status_code == 303
    assert kept_until(db) == [date(2027, 3, 1)]
    response = settings(client, competition, contacts_kept_until="2027-02-01")
    assert response.status_code == 303
    assert kept_until(db) == [date(2027, 2, 1)]
    assert "1 e-mail, der er givet med en idé, slettes nu den 1. februar 2027." in \
        client.get(response.location).get_data(as_text=True)


def test_the_day_in_the_settings_must_be_a_plausible_date_after_the_close(client, db, org, staff):
    competition = make_competition(db, org)
    staff(make_user(db, org))
    page = settings(client, competition, contacts_kept_until="0202-02-01")
    assert page.status_code == 422 and "2000" in page.get_data(as_text=True)
    page = settings(client, competition, closes_at="2027-06-01T12:00", contacts_kept_until="2027-05-01")
    assert page.status_code == 422 and "efter" in page.get_data(as_text=True)
