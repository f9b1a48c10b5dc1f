"""A young person asks on a survey's thank-you page to be told when the results come, and gets one mail
when they are published. The address is kept apart from the answers: nothing ties it to a response."""
import re
from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from engagement.front.models import ResultsSubscriber
from engagement.mail.models import OutgoingMail, Subscription
from surveys.models import Response
from tests.builders import make_org, make_survey, make_user
from tests.conftest import CSRF, csrf_token
from tests.engagement.mail.conftest import header, links_in
from tests.engagement.test_exports import add_response

QUESTIONS = [{"kind": "single_choice", "prompt": "Hvad mangler på Torvet?", "choices": ["Bænke", "Træer", "Læ"]}]


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def survey(db, org):
    return make_survey(db, org, QUESTIONS, slug="torvet", title="Unge på Torvet")


@pytest.fixture
def editor(db, org, signed_in):
    return signed_in(make_user(db, org, role="editor"))


def offer(client, survey, keep_until="2027-06-01", offered=True):
    url = f"/staff/surveys/{survey.id}/publish"
    data = {"csrf_token": csrf_token(client, url), "keep_until": keep_until}
    if offered:
        data["offered"] = "y"
    return client.post(f"/staff/surveys/{survey.id}/results-notice", data=data)


def publish(client, survey, doing_now="Vi sætter bænke op i maj."):
    url = f"/staff/surveys/{survey.id}/publish"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "question": [str(survey.questions[0].id)],
                                  "doing_now": doing_now, "action": "publish"})


def ask_to_be_told(phone, survey, email="sofie@example.dk", consent=True, key=None):
    page = phone.get(f"/resultater/{survey.slug}/besked").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1), "email": email,
            "key": key or re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1)}
    if consent:
        data["consent"] = "y"
    return phone.post(f"/resultater/{survey.slug}/besked", data=data)


def test_a_respondent_asks_on_the_thank_you_page_and_gets_one_mail_when_results_are_published(
        db, survey, editor, phone, send_mail, smtp):
    assert offer(editor, survey).status_code == 303
    response = add_response(db, survey, {0: "Bænke"})
    thanks = phone.get(f"/s/torvet/{response.key}/tak").get_data(as_text=True)
    assert "Få besked, når resultaterne kommer" in thanks and 'href="/resultater/torvet/besked"' in thanks

    form = phone.get("/resultater/torvet/besked").get_data(as_text=True)
    assert "sletter den senest den 1. juni 2027" in form and response.key not in form
    done = ask_to_be_told(phone, survey)
    assert done.status_code == 303
    assert "Tak! Vi skriver til dig, når resultaterne kommer." in phone.get(done.location).get_data(as_text=True)
    assert "1 person har bedt om besked." in editor.get(f"/staff/surveys/{survey.id}/publish").get_data(as_text=True)

    assert publish(editor, survey).status_code == 303
    assert "Sent 1 mail(s)" in send_mail()
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["sofie@example.dk"]
    assert header(message, "Subject") == "Resultaterne af »Unge på Torvet« er klar"
    body = message.get_content()
    assert "Du bad os sige til, når resultaterne af »Unge på Torvet« kom." in body and "Vordingborg bymidte" in body
    results, unsubscribe = links_in(body)
    assert results == "/resultater/torvet"
    assert "Vi sætter bænke op i maj." in phone.get(results).get_data(as_text=True)
    assert phone.get(unsubscribe).status_code == 200
    assert header(message, "List-Unsubscribe").endswith(f"{unsubscribe}>")

    # Updating the page, or taking it down and publishing again, tells nobody a second time.
    assert publish(editor, survey, doing_now="Bænkene kommer i juni.").status_code == 303
    url = f"/staff/surveys/{survey.id}/publish"
    editor.post(url, data={"csrf_token": csrf_token(editor, url), "action": "unpublish"})
    assert publish(editor, survey).status_code == 303
    assert "Sent 0 mail(s)" in send_mail() and len(smtp.inbox.messages) == 1


def test_the_address_is_never_tied_to_a_response(db, survey, editor, phone):
    offer(editor, survey)
    response = add_response(db, survey, {0: "Læ"})
    thanks = phone.get(f"/s/torvet/{response.key}/tak").get_data(as_text=True)
    link = re.search(r'href="(/resultater/torvet/besked[^"]*)"', thanks).group(1)
    assert response.key not in link
    assert ask_to_be_told(phone, survey).status_code == 303

    # No column points at responses, and none holds a time that could be lined up with one.
    for model in (Subscription, ResultsSubscriber):
        table = inspect(model).local_table
        assert not any(fk.column.table.name in ("responses", "answers") for fk in table.foreign_keys), table
        assert not [c.name for c in table.columns if "response" in c.name or str(c.type) in ("DATETIME", "TIMESTAMP")]
    subscriber = db.session.scalar(select(ResultsSubscriber))
    assert subscriber.key != response.key
    stored = " ".join(str(v) for v in db.session.execute(select(Subscription.__table__)).one())
    assert response.key not in stored
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_no_mail_and_no_address_without_the_consent_box(db, survey, editor, phone, send_mail, smtp):
    offer(editor, survey)
    refused = ask_to_be_told(phone, survey, consent=False)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Sæt flueben" in page and 'value="sofie@example.dk"' in page
    assert ask_to_be_told(phone, survey, email="ikke en adresse").status_code == 422
    assert db.session.scalar(select(func.count(Subscription.id))) == 0
    publish(editor, survey)
    assert "Sent 0 mail(s)" in send_mail() and smtp.inbox.messages == []


def test_the_same_form_sent_twice_or_the_same_address_again_asks_once(db, survey, editor, phone, send_mail, smtp):
    offer(editor, survey)
    page = phone.get("/resultater/torvet/besked").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1)
    assert [ask_to_be_told(phone, survey, key=key).status_code for _ in range(2)] == [303, 303]
    assert ask_to_be_told(phone, survey, email="Sofie@Example.dk").status_code == 303
    assert db.session.scalar(select(func.count(ResultsSubscriber.id))) == 1
    publish(editor, survey)
    send_mail()
    assert len(smtp.inbox.messages) == 1


def test_without_the_offer_there_is_no_link_and_no_page_and_once_published_the_page_shows_the_results(
        db, survey, editor, phone):
    response = add_response(db, survey, {0: "Træer"})
    assert "Få besked" not in phone.get(f"/s/torvet/{response.key}/tak").get_data(as_text=True)
    assert phone.get("/resultater/torvet/besked").status_code == 404
    offer(editor, survey)
    assert phone.get("/resultater/torvet/besked").status_code == 200
    publish(editor, survey)
    assert "Få besked" not in phone.get(f"/s/torvet/{response.key}/tak").get_data(as_text=True)
    moved = phone.get("/resultater/torvet/besked")
    assert moved.status_code == 303 and moved.location.endswith("/resultater/torvet")
    offer(editor, survey, offered=False)
    assert phone.get("/resultater/torvet/besked").status_code == 303  # still published: the results


def test_staff_must_name_a_later_day_and_an_earlier_one_shortens_what_is_kept(db, survey, editor, phone):
    refused = offer(editor, survey, keep_until="")
    assert refused.status_code == 422 and "Vælg den dag, e-mailene slettes." in refused.get_data(as_text=True)
    assert offer(editor, survey, keep_until="2020-01-01").status_code == 422
    assert offer(editor, survey, keep_until="0200-01-01").status_code == 422
    assert offer(editor, survey, keep_until="2027-06-01").status_code == 303
    ask_to_be_told(phone, survey)
    offer(editor, survey, keep_until="2027-09-01")
    offer(editor, survey, keep_until="2027-04-01")
    db.session.expire_all()
    assert db.session.scalar(select(Subscription.keep_until)) == date(2027, 4, 1)
    assert db.session.scalar(select(func.count(OutgoingMail.id))) == 0


def test_an_expired_page_keeps_the_typed_address_and_stores_nothing(db, survey, editor, phone):
    offer(editor, survey)
    page = phone.get("/resultater/torvet/besked").get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1)
    expired = phone.post("/resultater/torvet/besked", data={"csrf_token": "udløbet", "key": key,
                                                            "email": "sofie@example.dk", "consent": "y"})
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400 and "Siden var udløbet" in page and 'value="sofie@example.dk"' in page
    assert db.session.scalar(select(func.count(Subscription.id))) == 0
