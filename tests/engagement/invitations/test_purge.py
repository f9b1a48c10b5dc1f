"""On the day the list is kept until, `flask purge-contacts` deletes the names, e-mails and postal
addresses on it and the mails to them; the numbers stay, and the old links lead nowhere."""
from datetime import date

from sqlalchemy import func, select

from engagement.invitations.models import Invitation
from engagement.mail.models import OutgoingMail
from tests.builders import make_user
from tests.engagement.invitations.conftest import (
    KEEP_UNTIL,
    answer_through,
    choice,
    make_invitations,
    page_url,
    post_action,
)
from tests.engagement.mail.test_keeping_addresses import purge_on


def contacts(db) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [(i.name, i.email, i.postal_address) for i in db.session.scalars(select(Invitation).order_by(Invitation.id))]


def test_the_list_is_deleted_on_its_day_not_before_and_the_numbers_stay(app, client, db, org, survey, staff,
                                                                        monkeypatch):
    aase, bent, carla = make_invitations(db, survey, named=True)
    old_tokens = [aase.token, bent.token, carla.token]
    editor = staff(make_user(db, org, role="editor"))
    post_action(editor, survey, "send")
    answer_through(app.test_client(), f"/i/{aase.token}", choice(survey, "Ja"))
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 2

    assert "Deleted 0 other contact(s)" in purge_on(app, monkeypatch, date(2099, 5, 31))
    assert contacts(db)[0] == ("Åse Ørnsø", "aase@example.dk", "Algade 12\n4760 Vordingborg")

    assert "Deleted 3 other contact(s)" in purge_on(app, monkeypatch, KEEP_UNTIL)
    assert contacts(db) == [("", "", "")] * 3
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0  # the mails held the addresses and links
    for token in old_tokens:
        assert client.get(f"/i/{token}").status_code == 404
        assert client.get(f"/i/{token[:12]}").status_code == 404

    page = editor.get(page_url(survey)).get_data(as_text=True)
    assert "blev slettet den 1. juni 2099" in page
    assert "Åse" not in page and "aase@example.dk" not in page
    assert "<dd>3</dd>" in page and "<dd>1</dd>" in page  # invited, answered (and opened)
    assert "Deleted 0 other contact(s)" in purge_on(app, monkeypatch, date(2099, 6, 2))  # nothing left to delete
