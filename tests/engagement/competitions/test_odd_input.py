"""Odd input never becomes a 500: NUL characters (PostgreSQL refuses them in text), ids too big for
the database's integers, dates outside what a competition can have. Run on PostgreSQL too
(TEST_DATABASE_URL); SQLite forgives more, so some of these only fail there.

Exceptions are not propagated here, so a crash shows as the 500 a person would get.
"""
import pytest
from sqlalchemy import select

from engagement.competitions.models import Category, Competition, Idea, ModerationEvent
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token
from tests.engagement.competitions.test_public_sending import open_form, send
from tests.engagement.competitions.test_staff_editor import SETTINGS, post_settings

HUGE = str(10 ** 20)


@pytest.fixture(autouse=True)
def status_codes_not_exceptions(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.fixture
def org(db):
    return make_org(db)


def test_nul_characters_in_a_sent_idea_are_dropped_and_the_idea_is_stored(client, db, org):
    competition = make_competition(db, org)
    response = send(client, competition, open_form(client, competition), title="Tag\x00 over rampen",
                    description="Så vi\x00 kan skate", nickname="So\x00fie", email="sofie@\x00example.dk",
                    consent="y")
    assert response.status_code == 303
    idea = db.session.scalar(select(Idea))
    assert (idea.title, idea.description, idea.nickname, idea.contact_email) == (
        "Tag over rampen", "Så vi kan skate", "Sofie", "sofie@example.dk")


@pytest.mark.parametrize("method, path", [
    ("GET", "/c/a%00b"), ("GET", "/c/a%00b/ideas"), ("GET", "/c/a%00b/idea/1"), ("GET", "/c/a%00b/idea/1/photo"),
    ("GET", "/c/a%00b/sent/x"), ("POST", "/c/a%00b"), ("POST", "/c/a%00b/idea/1/vote")])
def test_a_nul_in_the_address_is_not_found(client, method, path):
    response = client.open(path, method=method, data={"dots": "1"})
    assert response.status_code == 404


def test_staff_text_with_nul_characters_is_saved_without_them(client, db, staff, org):
    competition = make_competition(db, org, categories=["Kultur"])
    idea = make_idea(db, competition, status="pending")
    staff(make_user(db, org, role="admin"))
    base = f"/staff/competitions/{competition.id}"
    assert post_settings(client, base + "/edit", title="Algade\x00 12", brief="Hvad\x00 nu?").status_code == 303
    token = csrf_token(client, base)
    assert client.post(base + "/categories", data={"csrf_token": token, "name": "Sp\x00ort"}).status_code == 303
    category = competition.categories[0].id
    assert client.post(f"{base}/categories/{category}", data={
        "csrf_token": token, "action": "rename", "name": "Ku\x00ltur"}).status_code == 303
    edit = f"{base}/ideas/{idea.id}/edit"
    assert client.post(edit, data={"csrf_token": token, "title": "Skate\x00hal",
                                   "description": "Med\x00 tag"}).status_code == 303
    assert client.post(f"{base}/ideas/{idea.id}/status", data={
        "csrf_token": token, "action": "rejected", "reason": "Gen\x00tagelse"}).status_code == 303
    db.session.expire_all()
    stored = db.session.get(Competition, competition.id)
    assert (stored.title, stored.brief) == ("Algade 12", "Hvad nu?")
    assert sorted(db.session.scalars(select(Category.name))) == ["Kultur", "Sport"]
    idea = db.session.get(Idea, idea.id)
    assert (idea.title, idea.description, idea.rejection_reason) == ("Skatehal", "Med tag", "Gentagelse")
    assert all("\x00" not in e.detail for e in db.session.scalars(select(ModerationEvent)))


def test_a_category_filter_too_big_for_the_database_shows_every_idea(client, db, staff, org):
    competition = make_competition(db, org, categories=["Kultur"])
    make_idea(db, competition, title="Boldbur", status="pending")
    staff(make_user(db, org))
    page = client.get(f"/staff/competitions/{competition.id}/ideas?category={HUGE}")
    assert page.status_code == 200 and "Boldbur" in page.get_data(as_text=True)
    public = client.get(f"/c/{competition.slug}/ideas?category={HUGE}")
    assert public.status_code == 200


def test_a_class_session_filter_too_big_for_the_database_is_not_found(client, db, staff, org):
    competition = make_competition(db, org)
    staff(make_user(db, org))
    for suffix in ("csv", "xlsx"):
        url = f"/staff/competitions/{competition.id}/ideas.{suffix}?class_session={HUGE}"
        assert client.get(url).status_code == 404
    assert client.get(f"/staff/competitions/{competition.id}/ideas.csv?class_session=2147483648").status_code == 404


@pytest.mark.parametrize("typed", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:00"])
def test_a_date_outside_the_years_2000_to_2100_is_refused_and_stays_as_typed(client, db, staff, org, typed):
    competition = make_competition(db, org)
    staff(make_user(db, org))
    response = post_settings(client, f"/staff/competitions/{competition.id}/edit?lang=en", closes_at=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give a date between the years 2000 and 2100." in page
    assert f'value="{typed}"' in page
    db.session.expire_all()
    assert db.session.get(Competition, competition.id).closes_at is None


def test_a_new_competition_with_a_date_in_year_one_is_refused_not_a_crash(client, db, staff, org):
    staff(make_user(db, org))
    response = post_settings(client, "/staff/competitions/new?lang=en",
                             **{**SETTINGS, "submissions_open_at": "0001-01-01T00:00"})
    assert response.status_code == 422
    assert db.session.scalar(select(Competition)) is None

