"""Odd input to surveys never becomes a 500: a NUL in the address (PostgreSQL refuses it in text) is
not found, a year like 0001 or 9999 in the survey settings is a message. Run on PostgreSQL too
(TEST_DATABASE_URL); SQLite forgives more, so some of these only fail there.

Exceptions are not propagated here, so a crash shows as the 500 a person would get.
"""
import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter, IntegerConverter

from surveys.models import Response, Survey
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.conftest import csrf_token

NUL = "a\x00b"


@pytest.fixture(autouse=True)
def status_codes_not_exceptions(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.mark.parametrize("method, path", [
    ("GET", "/s/%00"), ("GET", "/s/a%00b/{key}/1"), ("POST", "/s/%00/abc/1"), ("POST", "/s/{slug}/a%00b/1"),
    ("GET", "/s/{slug}/a%00b/tak"), ("GET", "/s/a%00b/billede/1")])
def test_person_who_opens_a_survey_address_with_a_nul_in_it_gets_not_found(client, db, method, path):
    survey = make_survey(db, make_org(db), EVERY_KIND[:1])
    path = path.format(slug=survey.slug, key="k" * 22)
    response = client.open(path, method=method, data={f"q{survey.questions[0].id}": "1"})
    assert response.status_code == 404, (method, path, response.status_code)
    assert db.session.scalar(select(Response)) is None


def test_a_nul_in_any_text_part_of_any_address_is_not_found(app, client, db, staff):
    """Every text argument of every route (found from the URL map), with a NUL in it: 404, never a 500."""
    org = make_org(db)
    make_survey(db, org, EVERY_KIND[:1])
    staff(make_user(db, org, role="admin"))
    token = csrf_token(client, "/staff/surveys/new")
    checked = 0
    for rule in app.url_map.iter_rules():
        texts = [name for name, conv in rule._converters.items()
                 if not isinstance(conv, (IntegerConverter, AnyConverter))]
        if not texts:
            continue
        values = {name: NUL if name in texts else 1 if isinstance(conv, IntegerConverter) else sorted(conv.items)[0]
                  for name, conv in rule._converters.items()}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token, "code": "ABC123"})
            assert response.status_code == 404, (method, path, response.status_code)
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("field, typed", [("opens_at", "0001-01-01T00:00"), ("closes_at", "9999-12-31T23:59"),
                                          ("opens_at", "1999-12-31T23:00")])
def test_editor_who_types_a_year_outside_2000_to_2100_in_the_settings_is_told_and_keeps_the_text(
        client, db, staff, field, typed):
    org = make_org(db)
    survey = make_survey(db, org, status="draft", title="Byrum")
    staff(make_user(db, org))
    url = f"/staff/surveys/{survey.id}/settings?lang=en"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "title": "Byrum", "language": "da",
                                       field: typed})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give a date between the years 2000 and 2100." in page
    assert f'value="{typed}"' in page
    db.session.expire_all()
    stored = db.session.get(Survey, survey.id)
    assert stored.opens_at is None and stored.closes_at is None


def test_editor_who_creates_a_survey_opening_in_year_one_is_told_and_nothing_is_stored(client, db, staff):
    staff(make_user(db, make_org(db)))
    url = "/staff/surveys/new?lang=en"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "title": "Byrum", "language": "da",
                                      "opens_at": "0001-01-01T00:00"})
    assert response.status_code == 422
    assert "Give a date between the years 2000 and 2100." in response.get_data(as_text=True)
    assert db.session.scalar(select(Survey)) is None
