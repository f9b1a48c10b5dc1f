"""A young person who left an e-mail with an idea hears what becomes of it, through a real SMTP server:
in Danish, with the partnership's answer and links that work. Nobody else gets a mail."""
from datetime import date

import pytest
from sqlalchemy import func, select

from engagement.competitions.models import Idea, IdeaUpdate
from engagement.mail.models import OutgoingMail, Subscription
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token
from tests.engagement.mail.conftest import PUBLIC, header, links_in, path_of


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte", slug="vordingborg")


@pytest.fixture
def competition(db, org):
    return make_competition(db, org, title="Hvad skal Algade 12 være?", slug="algade-12",
                            contacts_kept_until=date(2027, 3, 1))


def sofies_idea(db, competition, **overrides):
    return make_idea(db, competition, **{"title": "Klatrevæg i gården", "nickname": "Sofie",
                                         "contact_email": "sofie@example.dk", "contact_consent": True, **overrides})


def answer(client, competition, idea, outcome="selected", text="Vi prøver den af i sommerferien."):
    url = f"/staff/competitions/{competition.id}/ideas/{idea.id}/answer"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "outcome": outcome, "answer": text})


def queued(db) -> list[OutgoingMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def test_the_sender_of_an_answered_idea_gets_a_danish_mail_whose_links_work(
        db, org, competition, signed_in, send_mail, smtp, phone):
    idea = sofies_idea(db, competition)
    lead = signed_in(make_user(db, org, role="editor"))
    assert answer(lead, competition, idea).status_code == 303
    assert "Sent 1 mail(s)" in send_mail()

    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["sofie@example.dk"]
    assert header(message, "Subject") == "Nyt om din idé »Klatrevæg i gården«"
    assert "bypuls@vordingborg.example" in message["From"]
    body = message.get_content()
    for words in ("Hej Sofie,", "Der er nyt om den idé, du sendte til »Hvad skal Algade 12 være?«.",
                  "Status: Udvalgt til afprøvning", "Vordingborg bymidte skriver:",
                  "Vi prøver den af i sommerferien.", "Venlig hilsen", "1. marts 2027"):
        assert words in body, words
    assert "sofie@example.dk" not in body

    receipt, unsubscribe = links_in(body)
    page = phone.get(path_of(PUBLIC + receipt))
    assert page.status_code == 200 and "Vi prøver den af i sommerferien." in page.get_data(as_text=True)
    assert header(message, "List-Unsubscribe") == f"<{PUBLIC}{unsubscribe}>"
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    asked = phone.get(unsubscribe)
    assert asked.status_code == 200 and "Vil du stoppe mails fra os?" in asked.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Subscription.id))) == 1  # opening the link deletes nothing


def test_a_sender_hears_when_the_idea_reaches_the_gallery_and_when_it_wins_but_once_each(
        db, org, competition, signed_in, send_mail, smtp, phone):
    idea = sofies_idea(db, competition, status="pending")
    moderator = signed_in(make_user(db, org, role="editor"))

    def act(action):
        url = f"/staff/competitions/{competition.id}/ideas"
        return moderator.post(f"{url}/{idea.id}/status", data={"csrf_token": csrf_token(moderator, url),
                                                              "action": action}).status_code

    assert [act(a) for a in ("approved", "reopened", "approved", "winner")] == [303, 303, 303, 303]
    send_mail()
    subjects = [header(message, "Subject") for _, message in smtp.inbox.messages]
    assert subjects == ["Din idé »Klatrevæg i gården« er i galleriet nu", "Din idé »Klatrevæg i gården« har vundet"]
    gallery_link = links_in(smtp.inbox.messages[0][1].get_content())[0]
    assert phone.get(gallery_link).status_code == 200  # the idea's public page


def test_nobody_gets_a_mail_who_did_not_leave_an_email_with_consent(db, org, competition, signed_in, send_mail, smtp):
    quiet = make_idea(db, competition, title="Bænke ved åen")
    lead = signed_in(make_user(db, org, role="editor"))
    assert answer(lead, competition, quiet).status_code == 303
    assert queued(db) == []
    assert "Sent 0 mail(s)" in send_mail() and smtp.inbox.messages == []


def test_the_answer_is_saved_while_the_mail_server_is_down_and_the_mail_goes_once_it_is_back(
        db, org, competition, signed_in, send_mail, smtp):
    idea = sofies_idea(db, competition)
    admin = signed_in(make_user(db, org, role="admin"))
    smtp.stop()
    assert answer(admin, competition, idea).status_code == 303  # the staff page never waits for mail
    assert db.session.scalar(select(func.count(IdeaUpdate.id))) == 1

    assert "Sent 0 mail(s); 1 could not be sent" in send_mail()
    [mail] = queued(db)
    assert (mail.sent_at, mail.attempts) == (None, 1) and "Connection refused" in mail.last_error
    page = admin.get("/staff/mail/?lang=en").get_data(as_text=True)
    assert "News about" not in page  # the subject is in the competition's language
    assert "Nyt om din idé »Klatrevæg i gården«" in page and "Tried 1 time; next try" in page
    assert "sofie@example.dk" in page  # an admin sees to whom

    smtp.start()
    assert "Sent 0 mail(s)" in send_mail()  # its next try has not come yet: it waits a minute
    db.session.execute(OutgoingMail.__table__.update().values(next_attempt_at=mail.created_at))
    db.session.commit()
    assert "Sent 1 mail(s)" in send_mail()
    assert "Sent 0 mail(s)" in send_mail()
    assert len(smtp.inbox.messages) == 1
    assert "Nothing is waiting" in admin.get("/staff/mail/?lang=en").get_data(as_text=True)


def test_a_mail_the_server_refuses_waits_with_the_reason_and_the_next_one_still_goes(
        db, org, competition, signed_in, send_mail, smtp):
    refused = sofies_idea(db, competition, contact_email="findes.ikke@example.dk")
    taken = sofies_idea(db, competition, title="Lys i tunnellen", contact_email="bo@example.dk")
    smtp.inbox.refuse.add("findes.ikke@example.dk")
    lead = signed_in(make_user(db, org, role="editor"))
    assert answer(lead, competition, refused).status_code == answer(lead, competition, taken).status_code == 303
    assert "Sent 1 mail(s); 1 could not be sent" in send_mail()
    [(recipients, _)] = smtp.inbox.messages
    assert recipients == ["bo@example.dk"]
    waiting = next(m for m in queued(db) if m.sent_at is None)
    assert "550" in waiting.last_error and "findes.ikke" not in waiting.last_error
    page = lead.get("/staff/mail/?lang=en").get_data(as_text=True)
    assert "550" in page and "findes.ikke@example.dk" not in page  # an editor sees why, not to whom


def test_after_twenty_failed_tries_a_mail_is_given_up_and_staff_can_try_it_again(
        db, org, competition, signed_in, send_mail, smtp):
    idea = sofies_idea(db, competition)
    admin = signed_in(make_user(db, org, role="admin"))
    answer(admin, competition, idea)
    smtp.stop()
    for _ in range(20):
        db.session.execute(OutgoingMail.__table__.update().where(OutgoingMail.next_attempt_at.is_not(None))
                           .values(next_attempt_at=OutgoingMail.created_at))
        db.session.commit()
        send_mail()
    [mail] = queued(db)
    assert (mail.attempts, mail.next_attempt_at, mail.sent_at) == (20, None, None)
    page = admin.get("/staff/mail/?lang=en").get_data(as_text=True)
    assert "Given up after 20 tries" in page
    smtp.start()
    url = f"/staff/mail/{mail.id}/retry"
    assert admin.post(url, data={"csrf_token": csrf_token(admin, "/staff/mail/")}).status_code == 303
    assert "Sent 1 mail(s)" in send_mail() and len(smtp.inbox.messages) == 1


def test_unsubscribing_deletes_the_address_at_once_with_the_mails_still_waiting_for_it(
        db, org, competition, signed_in, send_mail, smtp, phone):
    idea = sofies_idea(db, competition)
    lead = signed_in(make_user(db, org, role="editor"))
    answer(lead, competition, idea)
    send_mail()
    unsubscribe = links_in(smtp.inbox.messages[0][1].get_content())[-1]
    smtp.stop()
    answer(lead, competition, idea, "trying", "Væggen står der nu.")  # a second mail, still waiting
    assert len(queued(db)) == 2

    done = phone.post(unsubscribe)  # the button on the page (a mail program's one-click posts the same)
    assert done.status_code == 303
    page = phone.get(done.location).get_data(as_text=True)
    assert "Du får ikke flere mails fra os" in page and "Din e-mail er slettet" in page
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).contact_email is None
    assert db.session.scalar(select(func.count(Subscription.id))) == 0 and queued(db) == []
    assert answer(lead, competition, idea, "realised", "Færdig!").status_code == 303
    assert queued(db) == []


def test_a_mail_programs_one_click_unsubscribe_needs_no_page(db, org, competition, signed_in, send_mail, smtp, phone):
    idea = sofies_idea(db, competition)
    answer(signed_in(make_user(db, org, role="editor")), competition, idea)
    send_mail()
    link = header(smtp.inbox.messages[0][1], "List-Unsubscribe").strip("<>")
    assert phone.post(path_of(link), data={"List-Unsubscribe": "One-Click"}).status_code == 303
    assert db.session.scalar(select(func.count(Subscription.id))) == 0


def test_an_unknown_or_used_unsubscribe_link_says_no_mails_will_come(phone):
    for token in ("x" * 43, "kort", "%00"):
        page = phone.get(f"/afmeld/{token}")
        assert page.status_code in (200, 404)
        if page.status_code == 200:
            assert "Du får ikke flere mails fra os" in page.get_data(as_text=True)
