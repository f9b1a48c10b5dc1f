"""Invitations and reminders go out through the mail queue to a real SMTP server (aiosmtpd): each person
gets one, however often the button is pressed, and a refused address shows against that person."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from engagement.invitations.models import Invitation
from engagement.mail.models import OutgoingMail
from tests.builders import make_user
from tests.conftest import csrf_token
from tests.engagement.invitations.conftest import (
    OWNERS,
    answer_through,
    choice,
    csv_bytes,
    page_url,
    post_action,
    save_settings,
    upload,
)
from tests.engagement.mail.conftest import header, links_in, path_of


@pytest.fixture
def editor(db, org, signed_in):
    return signed_in(make_user(db, org, role="editor"))


@pytest.fixture
def listed(db, survey, editor):
    """The survey with OWNERS on its list: Åse and Carla have an e-mail, Bent only a postal address."""
    save_settings(editor, survey)
    assert upload(editor, survey, csv_bytes(OWNERS)).status_code == 303
    return {i.name.split()[0]: i for i in db.session.scalars(select(Invitation).order_by(Invitation.id))}


def row_of(page: str, invitation) -> str:
    return re.search(rf'<tr id="invitation-{invitation.id}">(.*?)</tr>', page, re.S).group(1)


def queued(db) -> int:
    return db.session.scalar(select(func.count(OutgoingMail.id)))


def test_everyone_with_an_email_gets_one_danish_invitation_with_their_own_link_even_after_a_double_click(
        db, survey, editor, listed, send_mail, smtp, phone):
    token = csrf_token(editor, page_url(survey))
    first, second = (editor.post(f"{page_url(survey)}/send", data={"csrf_token": token}) for _ in range(2))
    shown = editor.get(second.location).get_data(as_text=True)  # both clicks' messages, on the page after them
    assert "2 invitationer er på vej" in shown and "Alle med en e-mail har fået deres invitation" in shown
    assert "Sent 2 mail(s)" in send_mail()
    assert sorted(recipients[0] for recipients, _m in smtp.inbox.messages) == ["aase@example.dk", "carla@example.dk"]

    [(_to, message)] = [(to, m) for to, m in smtp.inbox.messages if to == ["aase@example.dk"]]
    assert header(message, "Subject") == "Vordingborg bymidte vil gerne høre fra dig: Tomme butikker"
    assert message["List-Unsubscribe"] is None and header(message, "Auto-Submitted") == "auto-generated"
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Kære Åse Ørnsø\n\n"
                           "Vordingborg bymidte vil gerne høre fra dig i undersøgelsen »Tomme butikker«.")
    assert "Byen vil gerne høre, hvad I som ejere har lyst til at samarbejde om." in body  # what it is about
    assert "Dine svar gemmes ikke med dit navn" in body
    assert "Du får dette, fordi Vordingborg bymidte har inviteret dig personligt til at svare." in body
    assert "sletter dem senest den 1. juni 2099" in body and "Du kan bare svare på denne e-mail." in body
    [link] = links_in(body)
    assert path_of("https://bypuls.example.dk" + link) == f"/i/{listed['Åse'].token}"
    assert phone.get(link).status_code == 303

    page = editor.get(page_url(survey)).get_data(as_text=True)
    assert "Sendt " in row_of(page, listed["Åse"]) and "Ingen e-mail" in row_of(page, listed["Bent"])
    assert post_action(editor, survey, "send").status_code == 303
    assert "Sent 0 mail(s)" in send_mail() and len(smtp.inbox.messages) == 2


def test_two_clicks_at_the_same_moment_queue_each_invitation_once(db, mail_app, survey, editor, listed):
    cookie = editor.get_cookie("session").value
    page = editor.get(page_url(survey)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def click(_n):
        other = mail_app.test_client()
        other.set_cookie("session", cookie)
        return other.post(f"{page_url(survey)}/send", data={"csrf_token": token}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(click, range(2))) == [303, 303]
    assert queued(db) == 2


def test_a_refused_address_shows_against_that_person_and_a_given_up_one_says_send_a_letter(
        db, survey, editor, listed, send_mail, smtp):
    smtp.inbox.refuse = {"carla@example.dk"}
    post_action(editor, survey, "send")
    assert "Sent 1 mail(s); 1 could not be sent" in send_mail()
    page = editor.get(page_url(survey)).get_data(as_text=True)
    carla = row_of(page, listed["Carla"])
    assert "Ikke leveret: SMTPRecipientsRefused" in carla and "no such mailbox" in carla
    assert "carla@example.dk" in carla and carla.count("carla@example.dk") == 1  # the error leaves the address out
    assert "Prøvet 1 gang" in carla
    assert "Ikke leveret" not in row_of(page, listed["Åse"])

    db.session.execute(update(OutgoingMail).where(OutgoingMail.to_address == "carla@example.dk")
                       .values(next_attempt_at=None))
    db.session.commit()
    page = editor.get(page_url(survey)).get_data(as_text=True)
    assert "Opgivet: Send et brev i stedet" in row_of(page, listed["Carla"])
    # No reminder goes to an address the mail server refused for good.
    post_action(editor, survey, "remind")
    assert db.session.scalar(select(Invitation.reminders).where(Invitation.id == listed["Carla"].id)) == 0


def test_a_reminder_goes_once_to_those_who_have_not_answered(db, app, survey, editor, listed, send_mail, smtp):
    post_action(editor, survey, "send")
    send_mail()
    answer_through(app.test_client(), f"/i/{listed['Åse'].token}", choice(survey, "Ja"))

    page = editor.get(page_url(survey)).get_data(as_text=True)
    assert "1 person har fået e-mail og har ikke svaret." in page
    shown_at = re.search(r'name="shown_at" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    first = editor.post(f"{page_url(survey)}/remind", data={"csrf_token": token, "shown_at": shown_at})
    second = editor.post(f"{page_url(survey)}/remind", data={"csrf_token": token, "shown_at": shown_at})
    shown = editor.get(second.location).get_data(as_text=True)
    assert first.status_code == 303 and "1 påmindelse er på vej." in shown and "Ingen venter på en påmindelse" in shown
    assert "Sent 1 mail(s)" in send_mail()
    to, reminder = smtp.inbox.messages[-1]
    assert to == ["carla@example.dk"]
    assert header(reminder, "Subject") == "Påmindelse: Vordingborg bymidte vil gerne have dit svar"
    assert f"/i/{listed['Carla'].token}" in reminder.get_content()
    page = editor.get(page_url(survey)).get_data(as_text=True)
    assert re.search(r"<td>1 <span class=\"kind\">\(senest ", row_of(page, listed["Carla"]))

    # A deliberate second reminder, from the page as it is now, goes.
    assert post_action(editor, survey, "remind").status_code == 303
    assert db.session.scalar(select(Invitation.reminders).where(Invitation.id == listed["Carla"].id)) == 2
    assert editor.post(f"{page_url(survey)}/remind", data={"csrf_token": token}).status_code == 400
