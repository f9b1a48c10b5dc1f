"""A young person scans the poster at the skate park: /q/<code> counts the scan and leads on."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from engagement.touchpoints.models import Scan
from extensions import utcnow
from surveys.models import Response
from tests.builders import make_org, make_survey
from tests.conftest import statements_during
from tests.engagement.touchpoints.builders import make_touchpoint

QUESTIONS = [{"kind": "short_text", "prompt": "Hvad mangler du i bymidten?"},
             {"kind": "yes_no", "prompt": "Kommer du i skateparken hver uge?"}]
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
ACTION = re.compile(r'<form method="post" action="([^"]+)"')


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def survey(db, org):
    return make_survey(db, org, QUESTIONS, slug="unge-i-bymidten", title="Unge i bymidten")


@pytest.fixture
def skate_park(db, org, survey):
    return make_touchpoint(db, org, survey, name="Skateparken ved Havnen")


def scans(db) -> list[Scan]:
    db.session.expire_all()
    return list(db.session.scalars(select(Scan).order_by(Scan.id)))


def answer_survey(client, start_url: str, texts=("En skatehal",)) -> str:
    """Follow `start_url` as a phone does and answer every screen (text, then "Ja"); returns the last location."""
    response = client.get(start_url)
    while response.status_code in (302, 303):
        location = response.location
        if location.endswith("/tak"):
            return location
        page = client.get(location, follow_redirects=True).get_data(as_text=True)
        data = dict(HIDDEN.findall(page))
        field = "q" + ACTION.search(page).group(1).rsplit("/", 1)[1]
        yes = re.search(r'value="(\d+)"[^>]*>\s*<span>Ja</span>', page)
        data[field] = yes.group(1) if yes else texts[0]
        response = client.post(ACTION.search(page).group(1), data=data)
    raise AssertionError(f"the flow stopped at {response.status_code}")


def first_screen(survey, code: str) -> re.Pattern:
    """The address of the survey's first screen in a new response, attributed to `code`."""
    return re.compile(rf"/s/{survey.slug}/[A-Za-z0-9_-]{{20,43}}/{survey.questions[0].id}\?via={code}")


def test_a_scan_is_counted_and_the_person_is_sent_to_the_survey_with_the_code(client, db, survey, skate_park):
    response = client.get(f"/q/{skate_park.code}")
    assert response.status_code == 303
    # Straight to the first screen: one redirect, not two, for a phone on a weak signal.
    assert first_screen(survey, skate_park.code).fullmatch(response.location)
    assert response.headers["Cache-Control"] == "no-store"
    [scan] = scans(db)
    assert (scan.touchpoint_id, scan.survey_id) == (skate_park.id, survey.id)
    assert abs(scan.scanned_at - utcnow()) < timedelta(minutes=1)
    assert client.get(f"/q/{skate_park.code}").location != response.location  # every scan starts anew


def test_a_scan_stores_the_time_and_the_place_and_nothing_about_the_person(client, db, skate_park):
    columns = {column["name"] for column in inspect(db.engine).get_columns("scans")}
    assert columns == {"id", "touchpoint_id", "survey_id", "competition_id", "scanned_at"}
    response = client.get(f"/q/{skate_park.code}", headers={
        "User-Agent": "Mozilla/5.0 (Linux; Android 9; Moto G7)", "X-Forwarded-For": "93.162.1.2",
        "Accept-Language": "da-DK"}, environ_base={"REMOTE_ADDR": "93.162.1.2"})
    assert "Set-Cookie" not in response.headers  # no session, no identifier given to the phone
    row = db.session.execute(text("SELECT * FROM scans")).mappings().one()
    stored = " ".join(str(value) for value in row.values())
    assert "93.162" not in stored and "Android" not in stored and "Moto" not in stored


def test_every_scan_counts_also_from_the_same_phone(client, db, skate_park):
    for _ in range(3):
        client.get(f"/q/{skate_park.code}")
    assert len(scans(db)) == 3


def test_the_destination_comes_from_the_database_never_from_the_request(client, db, survey, skate_park):
    response = client.get(f"/q/{skate_park.code}?next=https://evil.example/&slug=other&via=zzz",
                          headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 303
    assert first_screen(survey, skate_park.code).fullmatch(response.location)
    assert client.get(f"/q/{skate_park.code}/https://evil.example").status_code == 404


def test_a_code_typed_in_capitals_is_the_same_code(client, db, skate_park):
    response = client.get(f"/q/{skate_park.code.upper()}")
    assert response.status_code == 303 and response.location.endswith(f"?via={skate_park.code}")


def test_a_link_preview_looking_at_the_code_is_not_counted_as_a_scan(client, db, skate_park):
    assert client.head(f"/q/{skate_park.code}").status_code == 303
    assert scans(db) == []


@pytest.mark.parametrize("code", ["abc", "k7m2x9p", "k7m2x9pqr", "0o1lI000", "%27%20OR%201%3D1--", "x" * 300,
                                  "æøåæøåæø", "k7m2x9p%00", "22222222"])
def test_an_unknown_or_malformed_code_gets_a_friendly_404_and_counts_nothing(client, db, skate_park, code):
    response = client.get(f"/q/{code}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Vi kender ikke denne kode" in page and "scan koden igen" in page
    assert scans(db) == []


def test_a_response_started_through_the_poster_records_the_touchpoint(client, db, survey, skate_park):
    assert answer_survey(client, f"/q/{skate_park.code}").endswith("/tak")
    response = db.session.scalar(select(Response))
    assert response.completed and response.touchpoint_id == skate_park.id


def test_a_response_started_from_a_plain_link_has_no_touchpoint(client, db, survey, skate_park):
    answer_survey(client, "/s/unge-i-bymidten")
    assert db.session.scalar(select(Response)).touchpoint_id is None


def test_a_code_copied_into_another_surveys_address_attributes_nothing(client, db, org, survey, skate_park):
    other = make_survey(db, org, QUESTIONS, slug="andet")
    foreign = make_touchpoint(db, make_org(db), other)
    for via in (skate_park.code, foreign.code, "ikkefindes"):
        answer_survey(client, f"/s/andet?via={via}")
    assert db.session.scalars(select(Response.touchpoint_id)).all() == [None, None, None]


def test_repointing_a_touchpoint_keeps_the_printed_code_working(client, db, org, survey, skate_park):
    answer_survey(client, f"/q/{skate_park.code}")
    summer = make_survey(db, org, QUESTIONS, slug="sommer-i-byen")
    skate_park.survey_id = summer.id
    db.session.commit()
    response = client.get(f"/q/{skate_park.code}")
    assert first_screen(summer, skate_park.code).fullmatch(response.location)
    answer_survey(client, f"/q/{skate_park.code}")
    db.session.expire_all()
    rows = db.session.execute(select(Response.survey_id, Response.touchpoint_id).order_by(Response.id)).all()
    assert rows == [(survey.id, skate_park.id), (summer.id, skate_park.id)]
    assert [s.survey_id for s in scans(db)] == [survey.id, summer.id, summer.id]


def test_an_old_poster_of_a_deactivated_touchpoint_points_to_what_is_open_now(client, db, org, survey):
    old = make_touchpoint(db, org, survey, active=False)
    make_survey(db, org, QUESTIONS, slug="algade-12", title="Hvad skal Algade 12 være?")
    make_survey(db, org, QUESTIONS, slug="kladde", title="Hemmelig kladde", status="draft")
    make_survey(db, org, QUESTIONS, slug="lukket", title="Gammel undersøgelse", status="closed")
    make_survey(db, make_org(db), QUESTIONS, slug="nabo", title="Nabokommunens undersøgelse")
    response = client.get(f"/q/{old.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Denne kode bruges ikke længere" in page and "Vordingborg bymidte" in page
    assert 'href="/s/algade-12"' in page and 'href="/s/unge-i-bymidten"' in page
    assert "Hemmelig kladde" not in page and "Gammel undersøgelse" not in page and "Nabokommunens" not in page
    assert [(s.touchpoint_id, s.survey_id) for s in scans(db)] == [(old.id, None)]


def test_scanning_a_poster_whose_survey_has_closed_explains_it_and_shows_what_else_is_open(client, db, org):
    closed = make_survey(db, org, QUESTIONS, title="Vinterens spørgsmål", status="closed")
    make_survey(db, org, QUESTIONS, slug="algade-12", title="Hvad skal Algade 12 være?")
    page = client.get(f"/q/{make_touchpoint(db, org, closed).code}").get_data(as_text=True)
    assert "Undersøgelsen er lukket" in page and "Vinterens spørgsmål" in page
    assert 'href="/s/algade-12"' in page and "Det kan du svare på nu" in page


def test_scanning_before_the_survey_opens_says_when_it_opens(client, db, org):
    later = make_survey(db, org, QUESTIONS, opens_at=utcnow() + timedelta(days=3))
    draft = make_survey(db, org, QUESTIONS, status="draft")
    page = client.get(f"/q/{make_touchpoint(db, org, later).code}").get_data(as_text=True)
    assert "Undersøgelsen er ikke åben endnu" in page and "Den åbner" in page
    page = client.get(f"/q/{make_touchpoint(db, org, draft).code}").get_data(as_text=True)
    assert "Undersøgelsen er ikke åben endnu" in page and "Den bliver gjort klar" in page


def test_a_poster_without_a_survey_yet_says_so_and_when_nothing_is_open_says_that_too(client, db, org):
    page = client.get(f"/q/{make_touchpoint(db, org, None).code}").get_data(as_text=True)
    assert "Der er ikke noget at svare på her endnu" in page
    assert "Der er ikke noget åbent lige nu" in page


def test_a_scan_is_one_indexed_lookup_and_one_insert(app, client, db, skate_park):
    url = f"/q/{skate_park.code}"

    def scan():
        assert client.get(url).status_code == 303
    scan()  # the worker's first scan of the survey loads its structure (surveys.structure); later ones do not
    statements = statements_during(db, scan)
    assert [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE")] == ["SELECT", "INSERT"]
    assert plan_uses_index(db, skate_park.code)


def plan_uses_index(db, code) -> bool:
    """The lookup by code uses the unique index (PostgreSQL is told to avoid a scan of this tiny table)."""
    query = "SELECT id FROM touchpoints WHERE code = :code"
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(db.session.execute(text("EXPLAIN " + query), {"code": code}).scalars())
        db.session.rollback()
        return "uq_touchpoints_code" in plan
    plan = " ".join(str(row[-1]) for row in db.session.execute(text("EXPLAIN QUERY PLAN " + query), {"code": code}))
    return "USING" in plan and "INDEX" in plan


def durability(connection) -> str:
    """How the DBAPI connection commits: SQLite's synchronous level, PostgreSQL's synchronous_commit."""
    cursor = connection.cursor()
    sqlite = type(connection).__module__.startswith("sqlite3")
    cursor.execute("PRAGMA synchronous" if sqlite else "SHOW synchronous_commit")
    value = str(cursor.fetchone()[0])
    cursor.close()
    return {"1": "off", "2": "on"}.get(value, value) if sqlite else value


def test_a_scan_does_not_wait_for_the_disk_but_an_answer_after_it_on_the_same_connection_does(
        client, db, survey, skate_park):
    """A scan is a count: its commit need not wait for the disk (a killed app server still loses none). What a
    person sends must: the connection is durable again before anything else uses it."""
    from sqlalchemy import event
    seen = []

    def at_commit(connection):
        seen.append((connection.connection.dbapi_connection, durability(connection.connection.dbapi_connection)))
    event.listen(db.engine, "commit", at_commit)
    try:
        assert client.get(f"/q/{skate_park.code}").status_code == 303
        scanned_on, during_scan = seen[-1]
        assert during_scan == "off"
        page = client.get(f"/s/{survey.slug}", follow_redirects=True).get_data(as_text=True)
        fields = dict(HIDDEN.findall(page))
        answered = client.post(ACTION.search(page).group(1), data={**fields, "q" + ACTION.search(page).group(1)
                                                                   .rsplit("/", 1)[1]: "Et sted at sidde"})
        assert answered.status_code == 303
        answered_on, during_answer = seen[-1]
    finally:
        event.remove(db.engine, "commit", at_commit)
    assert during_answer == "on" and answered_on is scanned_on  # the same pooled connection, durable again
    assert len(scans(db)) == 1
