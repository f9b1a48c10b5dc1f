"""Staff see what has not gone out, and only their own organisation's: admins to whom, editors why."""
from datetime import date

import pytest

from engagement.mail import services
from extensions import utcnow
from tests.builders import make_org, make_user
from tests.conftest import csrf_token


def waiting_mail(db, org, email="sofie@example.dk", subject="Nyt om din idé »Klatrevæg«"):
    subscription = services.subscribe(db.session, org.id, email, date(2099, 1, 1), "da", "Klatrevæg", date(2026, 1, 1))
    mail = services.queue(db.session, subscription, subject, ["Hej,"], utcnow())
    db.session.commit()
    return mail


@pytest.mark.parametrize("role, sees, sees_address", [
    ("admin", True, True), ("editor", True, False), ("teacher", False, False), ("viewer", False, False)])
def test_admins_and_editors_see_waiting_mail_and_only_admins_to_whom(client, db, staff, role, sees, sees_address):
    org = make_org(db)
    waiting_mail(db, org)
    staff(make_user(db, org, role=role))
    page = client.get("/staff/mail/?lang=en")
    assert page.status_code == (200 if sees else 403)
    text = page.get_data(as_text=True)
    assert ("Nyt om din idé »Klatrevæg«" in text) is sees and ("Waiting to be sent" in text) is sees
    assert ("sofie@example.dk" in text) is sees_address
    menu = client.get("/staff/surveys/?lang=en").get_data(as_text=True)
    assert ('href="/staff/mail/"' in menu) is sees


def test_another_organisations_mail_is_neither_listed_nor_retried(client, db, staff):
    mine, theirs = make_org(db), make_org(db)
    foreign = waiting_mail(db, theirs, email="hemmelig@example.dk", subject="Deres hemmelige mail")
    staff(make_user(db, mine, role="admin"))
    page = client.get("/staff/mail/?lang=en").get_data(as_text=True)
    assert "Deres hemmelige mail" not in page and "Nothing is waiting" in page
    token = csrf_token(client, "/staff/mail/")
    assert client.post(f"/staff/mail/{foreign.id}/retry", data={"csrf_token": token}).status_code == 404


def test_the_page_says_which_mails_wait_here_invitations_included(client, db, staff):
    """Personal invitations and their reminders go through the same queue as the answers to ideas."""
    org = make_org(db)
    staff(make_user(db, org, role="editor"))
    text = " ".join(client.get("/staff/mail/").get_data(as_text=True).split())
    assert "når deres idé får svar" in text
    assert "folk på en invitationsliste får deres personlige link og påmindelser" in text
