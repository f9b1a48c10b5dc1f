"""Sending an idea from a phone: one idea per form, clear errors that keep the text, photos cleaned."""
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from engagement.competitions.models import Idea, IdeaPhoto, IdeaStatus, PhotoRule
from surveys.answering import new_key
from tests.builders import make_competition, make_org
from tests.conftest import CSRF

KEY = re.compile(r'name="key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="key"')


def photo_file(size=(800, 600), fmt="JPEG", colour="#c0392b") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()


def open_form(client, competition, query="?lang=en") -> dict:
    """The hidden fields of the idea form on the brief page, as a browser sends them back."""
    page = client.get(f"/c/{competition.slug}{query}").get_data(as_text=True)
    key = KEY.search(page)
    fields = {"csrf_token": CSRF.search(page).group(1), "key": key.group(1) or key.group(2)}
    via = re.search(r'name="via"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="via"', page)
    if via:
        fields["via"] = via.group(1) or via.group(2)
    return fields


def send(client, competition, fields, photo: bytes | None = None, filename="skitse.jpg", **values):
    data = {**fields, "title": "Tag over skaterampen", "description": "Så vi kan skate når det regner.", **values}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), filename)
    return client.post(f"/c/{competition.slug}", data=data, content_type="multipart/form-data")


@pytest.fixture
def competition(db):
    return make_competition(db, make_org(db), title="Hvad skal Algade 12 være?", categories=["Kultur", "Sport"])


def category_id(competition, name):
    return str(next(c.id for c in competition.categories if c.name == name))


def test_pupil_sends_an_idea_with_a_photo_and_sees_a_receipt_that_says_it_is_read_first(client, db, competition):
    fields = open_form(client, competition)
    response = send(client, competition, fields, photo=photo_file(), category=category_id(competition, "Sport"),
                    nickname="Sofie", age_band="13-15")
    assert response.status_code == 303
    assert fields["key"] in response.location
    receipt = client.get(response.location).get_data(as_text=True)
    assert "Thank you! Your idea is saved." in receipt
    assert "reads it before it is shown in the gallery" in receipt
    assert "Send another idea" in receipt
    idea = db.session.scalar(select(Idea))
    assert (idea.title, idea.nickname, idea.age_band, idea.status) == (
        "Tag over skaterampen", "Sofie", "13-15", IdeaStatus.pending)
    assert idea.category.name == "Sport" and idea.contact_email is None
    stored = db.session.scalar(select(IdeaPhoto))
    assert stored.content_type == "image/webp" and (stored.width, stored.height) == (800, 600)


def test_idea_in_an_unmoderated_competition_is_visible_at_once(client, db):
    competition = make_competition(db, make_org(db), moderated=False)
    response = send(client, competition, open_form(client, competition))
    receipt = client.get(response.location).get_data(as_text=True)
    assert "in the gallery now" in receipt
    assert db.session.scalar(select(Idea)).status is IdeaStatus.approved


def test_pupil_who_taps_send_twice_stores_one_idea_and_sees_the_same_receipt(client, db, competition):
    fields = open_form(client, competition)
    first = send(client, competition, fields, photo=photo_file(), category=category_id(competition, "Kultur"))
    second = send(client, competition, fields, photo=photo_file(), category=category_id(competition, "Kultur"))
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert db.session.scalar(select(func.count(Idea.id))) == 1
    assert db.session.scalar(select(func.count(IdeaPhoto.id))) == 1


def test_missing_title_is_an_error_that_keeps_the_description_and_asks_for_the_photo_again(client, db, competition):
    fields = open_form(client, competition)
    response = send(client, competition, fields, photo=photo_file(), title="  ",
                    description="Bænke & <lys> ved åen", category=category_id(competition, "Kultur"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write a title" in page
    assert "Bænke &amp; &lt;lys&gt; ved åen</textarea>" in page
    assert "Choose your photo again" in page
    assert f'value="{fields["key"]}"' in page  # the same form: a later send still counts once
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_email_without_the_consent_box_is_an_error_that_keeps_what_was_typed(client, db, competition):
    fields = open_form(client, competition)
    response = send(client, competition, fields, email="sofie@example.dk", category=category_id(competition, "Sport"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tick the box below if we may write to you" in page
    assert 'value="sofie@example.dk"' in page and 'value="Tag over skaterampen"' in page
    assert db.session.scalar(select(func.count(Idea.id))) == 0

    send(client, competition, fields, email="sofie@example.dk", consent="y", category=category_id(competition, "Sport"))
    idea = db.session.scalar(select(Idea))
    assert (idea.contact_email, idea.contact_consent) == ("sofie@example.dk", True)


def test_the_consent_box_says_what_the_email_is_used_for(client, competition):
    page = client.get(f"/c/{competition.slug}?lang=en").get_data(as_text=True)
    assert "May we write to you about what happens?" in page
    assert "you may write to me about what happens with my idea" in page and "delete it on" in page
    assert 'enctype="multipart/form-data"' in page and 'accept="image/*"' in page


def test_a_category_must_be_chosen_when_the_competition_has_categories(client, db, competition):
    response = send(client, competition, open_form(client, competition))
    assert response.status_code == 422
    assert "Choose the theme your idea fits best" in response.get_data(as_text=True)
    response = send(client, competition, open_form(client, competition), category="999999")
    assert response.status_code == 422


def test_a_file_that_is_not_a_photo_gets_the_photo_cleaners_message(client, db, competition):
    response = send(client, competition, open_form(client, competition), photo=b"<?php echo 1; ?>",
                    filename="idea.jpg", category=category_id(competition, "Sport"))
    assert response.status_code == 422
    assert "This file is not a photo we can use" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_a_competition_that_requires_a_photo_refuses_an_idea_without_one(client, db):
    competition = make_competition(db, make_org(db), photo_rule=PhotoRule.required)
    response = send(client, competition, open_form(client, competition))
    assert response.status_code == 422
    assert "Add a photo of your sketch or model" in response.get_data(as_text=True)
    assert send(client, competition, open_form(client, competition), photo=photo_file(fmt="PNG")).status_code == 303


def test_a_competition_without_photos_shows_no_photo_field_and_stores_none(client, db):
    competition = make_competition(db, make_org(db), photo_rule=PhotoRule.none)
    fields = open_form(client, competition)
    assert 'type="file"' not in client.get(f"/c/{competition.slug}").get_data(as_text=True)
    assert send(client, competition, fields, photo=photo_file()).status_code == 303
    assert db.session.scalar(select(func.count(IdeaPhoto.id))) == 0


def test_an_expired_session_brings_the_form_back_with_the_text_and_stores_nothing(app, db, competition):
    fields = open_form(app.test_client(), competition)
    stranger = app.test_client()  # a browser that lost its session cookie
    stranger.get("/?lang=en")
    response = send(stranger, competition, fields, photo=photo_file(), description="Mit forslag om lys",
                    category=category_id(competition, "Sport"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The page had expired" in page and "Choose your photo again" in page
    assert "Mit forslag om lys</textarea>" in page
    assert db.session.scalar(select(func.count(Idea.id))) == 0
    again = {**fields, "csrf_token": CSRF.search(page).group(1)}
    assert send(stranger, competition, again, category=category_id(competition, "Sport")).status_code == 303
    assert db.session.scalar(select(func.count(Idea.id))) == 1


def test_an_idea_sent_from_a_poster_records_where_it_came_from(app, client, db, competition, monkeypatch):
    seen = []

    def resolve(competition_, via):
        seen.append(via)
        return {}
    plugged = app.extensions["bypuls.hooks"]
    monkeypatch.setitem(plugged, "idea_attribution", [*plugged["idea_attribution"], resolve])
    fields = open_form(client, competition, query="?lang=en&via=skatepark-7")
    assert fields["via"] == "skatepark-7"
    response = send(client, competition, fields, category=category_id(competition, "Sport"))
    assert seen == ["skatepark-7"]
    assert "via=skatepark-7" in response.location


def test_a_malformed_via_is_not_carried_into_the_form(client, competition):
    page = client.get(f"/c/{competition.slug}?via=<script>").get_data(as_text=True)
    assert 'name="via"' not in page and "<script>" not in page.split("<body>", 1)[1].replace(
        '<script src="/static/js/competition.js" defer></script>', "")


def test_an_idea_sent_after_submissions_closed_is_not_stored_and_says_so(client, db, competition):
    fields = open_form(client, competition)
    competition.voting_opens_at = competition.created_at
    db.session.commit()
    response = send(client, competition, fields, category=category_id(competition, "Sport"))
    assert response.status_code == 409
    assert "Your idea was not saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_a_form_without_a_proper_key_is_refused(client, db, competition):
    fields = open_form(client, competition)
    assert send(client, competition, {**fields, "key": "short"}).status_code == 400
    assert db.session.scalar(select(func.count(Idea.id))) == 0


def test_the_receipt_of_an_unknown_key_leads_to_the_brief(client, competition):
    response = client.get(f"/c/{competition.slug}/sent/{'x' * 32}")
    assert response.status_code == 303 and response.location.endswith(f"/c/{competition.slug}")


def test_a_post_without_a_session_to_an_unknown_competition_is_not_found(client):
    assert client.post("/c/no-such-competition", data={"title": "x"}).status_code == 404
    assert client.post("/c/no-such-competition/idea/1/vote", data={"dots": "1"}).status_code == 404


def test_a_resend_after_the_session_was_lost_shows_the_receipt_of_the_stored_idea(app, db, competition):
    pupil = app.test_client()
    fields = open_form(pupil, competition)
    first = send(pupil, competition, fields, category=category_id(competition, "Sport"))
    restarted = app.test_client()  # the browser restarted and resends the same form
    again = send(restarted, competition, fields, category=category_id(competition, "Sport"))
    assert again.status_code == 303 and again.location == first.location
    assert db.session.scalar(select(func.count(Idea.id))) == 1


def test_ideas_sent_from_one_address_are_rate_limited_with_the_friendly_page(app, client, db, competition,
                                                                             monkeypatch):
    """Cleaning a photo costs the server about a second and a half, so one address may not send without end.
    (The default lets a whole class send at once: tests/engagement/classes/test_load.py.)"""
    monkeypatch.setitem(app.config, "IDEA_RATE_LIMIT", "3 per minute")
    fields = open_form(client, competition)
    sport = category_id(competition, "Sport")
    codes = [send(client, competition, {**fields, "key": new_key()}, category=sport).status_code for _ in range(3)]
    refused = send(client, competition, {**fields, "key": new_key()}, category=sport)
    assert codes == [303] * 3
    assert refused.status_code == 429 and "Too many tries" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Idea.id))) == 3
