"""Staff who type a year like 0001 or 9999 in a results filter get a message, not an error page: on the
results page, the text-answer pages and the exports. Turning such a date into UTC overflows, so run this
on PostgreSQL too (TEST_DATABASE_URL). Exceptions are not propagated, so a crash shows as a 500.
"""
import pytest

from tests.builders import make_user
from tests.engagement.test_exports import csv_rows, xlsx_rows
from tests.engagement.test_results_page import seeded

ODD_DATES = [("from", "0001-01-01"), ("to", "0001-01-01"), ("from", "9999-12-31"), ("to", "9999-12-31")]


@pytest.fixture(autouse=True)
def status_codes_not_exceptions(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.mark.parametrize("name, typed", ODD_DATES)
def test_staff_who_filters_results_by_year_one_or_9999_sees_the_results_and_a_message(client, db, staff, name, typed):
    org, survey = seeded(db)
    staff(make_user(db, org, role="viewer"))
    page = client.get(f"/staff/surveys/{survey.id}/results?lang=en&{name}={typed}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"“{typed}” is not between the years 2000 and 2100, so it was left out." in html
    assert "<dd>3</dd>" in html  # every completed response: the filter was left out


@pytest.mark.parametrize("name, typed", ODD_DATES)
def test_staff_who_reads_text_answers_filtered_by_year_9999_sees_the_answers_and_a_message(
        client, db, staff, name, typed):
    org, survey = seeded(db)
    staff(make_user(db, org, role="viewer"))
    url = f"/staff/surveys/{survey.id}/results/questions/{survey.questions[7].id}?lang=en&{name}={typed}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "is not between the years 2000 and 2100" in html and "Svar nummer 2" in html


@pytest.mark.parametrize("rows", [csv_rows, xlsx_rows], ids=["csv", "xlsx"])
@pytest.mark.parametrize("name, typed", ODD_DATES)
def test_staff_who_exports_with_a_year_9999_filter_gets_every_response(client, db, staff, rows, name, typed):
    org, survey = seeded(db)
    staff(make_user(db, org, role="viewer"))
    suffix = "csv" if rows is csv_rows else "xlsx"
    assert len(rows(client, f"/staff/surveys/{survey.id}/export.{suffix}?{name}={typed}")) == 1 + 3
