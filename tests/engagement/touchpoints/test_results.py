"""Where the answers came from: the funnel per touchpoint, the results filter and the export column."""
import csv
import io
import secrets
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event

from engagement.touchpoints import services
from engagement.touchpoints.models import TouchpointKind
from surveys.models import Response
from surveys.results import Filters
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.engagement.touchpoints.builders import add_scans, make_touchpoint

MAY = datetime(2026, 5, 10, 10, 0)  # UTC
APRIL = datetime(2026, 4, 10, 10, 0)
# 22:30 UTC on 30 April is 00:30 on 1 May in Denmark: a May scan for a Danish date filter.
DANISH_MAY_FIRST = datetime(2026, 4, 30, 22, 30)


def add_responses(db, survey, touchpoint, started: int, completed: int, at=MAY) -> None:
    """`started` responses through `touchpoint` (None: a direct link), the first `completed` of them finished."""
    db.session.add_all(Response(
        survey_id=survey.id, key=secrets.token_urlsafe(32), started_at=at, updated_at=at,
        completed_at=at + timedelta(minutes=1) if n < completed else None,
        touchpoint_id=touchpoint.id if touchpoint else None) for n in range(started))
    db.session.commit()


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def survey(db, org):
    return make_survey(db, org, EVERY_KIND[:3], title="Unge i bymidten")


@pytest.fixture
def places(db, org, survey):
    """The spring campaign: a busy skate park that rarely finishes, a library that does, and more."""
    other = make_survey(db, org, EVERY_KIND[:1], title="Sommer")
    skate = make_touchpoint(db, org, survey, name="Skateparken", kind=TouchpointKind.skate_park)
    library = make_touchpoint(db, org, survey, name="Biblioteket", kind=TouchpointKind.library)
    # The school's poster led here in spring and was then re-pointed to the summer survey.
    school = make_touchpoint(db, org, other, name="Skolen", kind=TouchpointKind.school)
    web = make_touchpoint(db, org, survey, name="Hjemmesiden", kind=TouchpointKind.web, active=False)
    make_touchpoint(db, org, other, name="Kun sommer")
    make_touchpoint(db, make_org(db), None, name="Nabobyens plakat")
    add_scans(db, skate, 10, scanned_at=MAY)
    add_scans(db, skate, 2, scanned_at=APRIL)
    add_scans(db, skate, 1, scanned_at=DANISH_MAY_FIRST)
    add_scans(db, library, 5, scanned_at=MAY)
    add_scans(db, school, 3, survey=survey, scanned_at=MAY)
    add_scans(db, school, 7, scanned_at=MAY)  # for the summer survey: not this survey's
    add_scans(db, skate, 4, survey=None, scanned_at=MAY)  # while the survey was closed: never reached it
    add_responses(db, survey, skate, started=4, completed=1)
    add_responses(db, survey, skate, started=3, completed=3, at=APRIL)
    add_responses(db, survey, library, started=5, completed=4)
    add_responses(db, survey, school, started=2, completed=2)
    add_responses(db, survey, None, started=6, completed=5)
    return {"skate": skate, "library": library, "school": school, "web": web}


def figures(rows):
    return {row["name"]: (row["scans"], row["started"], row["completed"]) for row in rows}


def test_funnel_shows_each_place_from_scans_to_completed_answers_in_may(db, survey, places):
    rows = services.funnel(db.session, survey, Filters(since=date(2026, 5, 1), until=date(2026, 5, 31)))
    assert [row["name"] for row in rows] == ["Skateparken", "Biblioteket", "Skolen", "Hjemmesiden", "Direkte link"]
    assert figures(rows) == {"Skateparken": (11, 4, 1), "Biblioteket": (5, 5, 4), "Skolen": (3, 2, 2),
                             "Hjemmesiden": (0, 0, 0), "Direkte link": (None, 6, 5)}
    skate = rows[0]
    assert skate["start_rate"] == pytest.approx(4 / 11) and skate["completion_rate"] == pytest.approx(1 / 4)
    assert skate["scan_to_completed_rate"] == pytest.approx(1 / 11)
    assert (skate["kind"], skate["kind_label"], skate["touchpoint_id"]) == (
        TouchpointKind.skate_park, "Skatepark", places["skate"].id)
    web = rows[3]
    assert (web["start_rate"], web["completion_rate"], web["active"]) == (None, None, False)
    direct = rows[-1]
    assert (direct["touchpoint_id"], direct["start_rate"], direct["completion_rate"]) == (None, None, 5 / 6)


def test_funnel_without_dates_counts_the_whole_campaign(db, survey, places):
    rows = figures(services.funnel(db.session, survey, Filters()))
    assert rows["Skateparken"] == (13, 7, 4)


def test_funnel_counts_started_answers_even_when_the_page_shows_only_completed_ones(db, survey, places):
    """Incomplete responses are the point of a funnel; the answer filter cannot apply to scans."""
    choice = survey.questions[0].choices[0].id
    rows = figures(services.funnel(db.session, survey, Filters(include_incomplete=False, answered=(choice,))))
    assert rows["Skateparken"] == (13, 7, 4)


def test_funnel_filtered_to_one_touchpoint_shows_only_its_row(db, survey, places):
    library = places["library"]
    rows = services.funnel(db.session, survey, Filters(attribution=(("touchpoint_id", library.id),)))
    assert figures(rows) == {"Biblioteket": (5, 5, 4)}


def test_funnel_is_three_grouped_queries_however_many_places(db, org, survey, places):
    def statements_for_funnel():
        assert survey.organisation_id  # load the survey (the builders' commits expired it) before counting
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731  (statement text)
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            services.funnel(db.session, survey, Filters())
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return [s for s in seen if s.lstrip().upper().startswith("SELECT")]

    few = statements_for_funnel()
    for n in range(15):
        add_scans(db, make_touchpoint(db, org, survey, name=f"Plakat {n}"), 2, scanned_at=MAY)
    assert len(statements_for_funnel()) == len(few) == 3


def test_a_survey_nobody_scanned_has_only_the_direct_link_row(db, survey):
    add_responses(db, survey, None, started=2, completed=1)
    assert figures(services.funnel(db.session, survey, Filters())) == {"Direkte link": (None, 2, 1)}


def test_results_filter_lists_the_organisations_touchpoints_by_name(db, org, places):
    names = [name for _id, name in services.filter_options(db.session, org.id)]
    assert names == ["Biblioteket", "Hjemmesiden", "Kun sommer", "Skateparken", "Skolen"]


def csv_rows(client, url):
    body = client.get(url, buffered=True).get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body), delimiter=";"))


def test_export_names_the_place_each_answer_came_from_formula_safe(client, db, org, survey, staff):
    poster = make_touchpoint(db, org, survey, name="=HYPERLINK(\"http://evil.example\")")
    library = make_touchpoint(db, org, survey, name="Biblioteket")
    add_responses(db, survey, poster, 1, 1)
    add_responses(db, survey, library, 1, 1, at=MAY + timedelta(hours=1))
    add_responses(db, survey, None, 1, 1, at=MAY + timedelta(hours=2))
    staff(make_user(db, org, role="viewer"))
    header, *rows = csv_rows(client, f"/staff/surveys/{survey.id}/export.csv")
    assert header[4:6] == ["Kontaktpunkt", "1. Hvor gammel er du?"]
    assert [row[4] for row in rows] == ["'=HYPERLINK(\"http://evil.example\")", "Biblioteket", ""]


def test_a_survey_only_shared_as_a_link_gets_no_empty_touchpoint_column(client, db, org, survey, staff):
    make_touchpoint(db, org, make_survey(db, org, EVERY_KIND[:1]), name="Et andet sted")
    add_responses(db, survey, None, 1, 1)
    staff(make_user(db, org))
    header, *_rows = csv_rows(client, f"/staff/surveys/{survey.id}/export.csv")
    assert "Kontaktpunkt" not in header


def test_the_results_page_says_the_answer_filter_does_not_narrow_the_funnel(client, db, org, survey, places, staff):
    """A scan has no answers: under "only those who answered ..." the funnel still counts everyone, and says so."""
    staff(make_user(db, org, role="viewer"))
    choice_id = next(q for q in survey.questions if q.choices).choices[0].id
    note = "Svarfilteret gælder ikke her"
    unfiltered = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    assert "Hvor svarene kom fra" in unfiltered and note not in unfiltered
    filtered = client.get(f"/staff/surveys/{survey.id}/results?a={choice_id}").get_data(as_text=True)
    assert "Hvor svarene kom fra" in filtered and note in filtered
