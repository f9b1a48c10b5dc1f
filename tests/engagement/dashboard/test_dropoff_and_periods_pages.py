"""Staff read where people stop (on the results page) and two periods side by side: the figures read
back from the pages and the CSV equal what the tests count themselves."""
import csv
import io
import re
from html.parser import HTMLParser

from tests.builders import make_org, make_survey, make_user
from tests.engagement.touchpoints.builders import make_touchpoint
from tests.surveys.test_dropoff import PEOPLE, build, expected
from tests.surveys.test_periods import BEFORE, DURING, QUESTIONS, tally
from tests.surveys.test_results import add_response


class Tables(HTMLParser):
    """Every table of a page with its class, as rows of cell texts."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.row, self.cell = [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs).get("class", ""), []))
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[-1][1].append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def of(self, css_class):
        return [rows for cls, rows in self.tables if css_class in cls.split()]


def dropoff_table(html):
    """{question position: (saw, answered, stopped)} from the first "where people stop" table."""
    rows = Tables(html).of("dropoff")[0][1:]
    return {int(row[0].split(".")[0]): tuple(int(row[i].split()[0]) for i in (1, 2, 3)) for row in rows}


def test_project_lead_reads_where_people_stop_on_its_page_linked_from_the_results(client, db, staff):
    org, survey = build(db)
    staff(make_user(db, org, role="viewer"))
    results = client.get(f"/staff/surveys/{survey.id}/results?from=2026-01-01").get_data(as_text=True)
    assert f'href="/staff/surveys/{survey.id}/stop?from=2026-01-01"' in results
    assert 'id="dropoff"' not in results  # its own page: the results page stays as fast as it was
    html = client.get(f"/staff/surveys/{survey.id}/stop").get_data(as_text=True)
    saw, answered, stopped = expected()
    assert dropoff_table(html) == {i + 1: (saw[i], answered[i], stopped[i]) for i in range(len(survey.questions))}
    # The worst question is highlighted and said in words.
    assert html.count('class="most-stopped"') == 1
    said = re.search(r'id="dropoff-said">(.*?)</p>', html, re.S).group(1)
    assert "spørgsmål 3" in said and "Hvor tryg føler du dig?" in said and "4 af de 11" in said
    assert '"dropoff"' in html and 'data-figure="dropoff"' in html


def test_the_stop_table_follows_the_filters_in_the_address(client, db, staff):
    org, survey = build(db)
    staff(make_user(db, org))
    no = next(c.id for c in survey.questions[0].choices if c.label == "Nej")
    html = client.get(f"/staff/surveys/{survey.id}/stop?a={no}").get_data(as_text=True)
    saw, answered, stopped = expected(which=lambda kind, n: PEOPLE[kind][1].get(0) == "Nej")
    assert dropoff_table(html) == {i + 1: (saw[i], answered[i], stopped[i]) for i in range(len(survey.questions))}


def test_each_touchpoint_shows_where_its_people_stopped(client, db, staff):
    org = make_org(db)
    park, school = make_touchpoint(db, org, name="Skateparken"), make_touchpoint(db, org, name="Skolen")
    place = lambda kind, n: park.id if kind in (2, 3) else school.id  # noqa: E731
    _org, survey = build(db, touchpoint_of=place, org=org)
    staff(make_user(db, org))
    html = client.get(f"/staff/surveys/{survey.id}/stop").get_data(as_text=True)
    summary = {row[0]: row for row in Tables(html).of("dropoff-touchpoints")[0][1:]}
    for touchpoint, name in ((park, "Skateparken"), (school, "Skolen")):
        mine = [(k, n) for k, p in enumerate(PEOPLE) for n in range(p[0]) if place(k, n) == touchpoint.id]
        started = len(mine)
        completed = sum(1 for k, _n in mine if PEOPLE[k][2])
        _saw, _answered, stopped = expected(which=lambda k, n, t=touchpoint.id: place(k, n) == t)
        worst = max(stopped.values(), default=0)
        assert summary[name][1:3] == [str(started), str(completed)]
        assert summary[name][4] == str(worst)
    assert "Hvor tryg føler du dig?" in summary["Skateparken"][3]  # 4 left on the scale there
    assert "Savner du noget?" in summary["Skolen"][3]  # 2 left on the yes/no there


def test_a_survey_without_responses_says_so_instead_of_an_empty_chart(client, db, staff):
    org = make_org(db)
    survey = make_survey(db, org, QUESTIONS)
    staff(make_user(db, org))
    html = client.get(f"/staff/surveys/{survey.id}/stop").get_data(as_text=True)
    assert "Ingen svar endnu, hverken færdige eller ufærdige." in html
    assert 'data-figure="dropoff"' not in html


def periods_survey(db):
    org = make_org(db)
    survey = make_survey(db, org, QUESTIONS)
    for started, answers in BEFORE + DURING:
        add_response(db, survey, answers, started=started)
    return org, survey


PERIODS = "a_since=2026-03-01&a_until=2026-03-31&b_since=2026-04-01&b_until=2026-04-30"


def test_project_lead_compares_before_and_during_a_trial_on_the_page_and_in_the_csv(client, db, staff):
    org, survey = periods_survey(db)
    staff(make_user(db, org, role="viewer"))
    page = client.get(f"/staff/surveys/{survey.id}/periods?{PERIODS}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3 svar" in html and "4 svar" in html
    tables = Tables(html).of("periods")
    for index in (0, 1):
        before, during = tally(BEFORE, index), tally(DURING, index)
        read = {row[0]: (int(row[1]), int(row[3])) for row in tables[index][1:]}
        assert read == {label: (before[label], during[label]) for label in QUESTIONS[index]["choices"]}
    assert "Median i Periode A: 01.03.2026–31.03.2026: 2" in html
    assert "Median i Periode B: 01.04.2026–30.04.2026: 4,5" in html
    assert 'data-figure="p' in html and "plotly-basic" in html
    download = client.get(f"/staff/surveys/{survey.id}/periods.csv?{PERIODS}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[1] == ["", "Svar i perioden", str(len(BEFORE)), "", str(len(DURING)), ""]
    for index in (0, 1):
        before, during = tally(BEFORE, index), tally(DURING, index)
        title = f"{index + 1}. {QUESTIONS[index]['prompt']}"
        read = {row[1]: (int(row[2]), int(row[4])) for row in rows if row[0] == title and row[1] in before | during}
        assert read == {label: (before[label], during[label]) for label in before | during}
    scale = [row for row in rows if row[0] == "3. Hvor hyggeligt er torvet?" and row[1] == "Median"]
    assert scale == [["3. Hvor hyggeligt er torvet?", "Median", "2,0", "", "4,5", ""]]


def test_the_results_page_links_to_the_periods_page_with_its_filters(client, db, staff):
    org, survey = periods_survey(db)
    staff(make_user(db, org))
    html = client.get(f"/staff/surveys/{survey.id}/results?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert f"/staff/surveys/{survey.id}/periods?from=2026-03-01&amp;to=2026-03-31" in html
    periods = client.get(f"/staff/surveys/{survey.id}/periods?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert 'value="2026-03-01"' in periods and "Giv den en start, en slutning eller begge." in periods


def test_bad_periods_get_a_message_and_keep_what_was_typed(client, db, staff):
    org, survey = periods_survey(db)
    staff(make_user(db, org))
    url = f"/staff/surveys/{survey.id}/periods?"
    cases = {
        "a_since=2026-04-30&a_until=2026-04-01&b_since=2026-05-01": ("slutter (01.04.2026), før den starter",
                                                                     'value="2026-04-30"'),
        "a_since=2026-02-30&b_since=2026-03-01": ("»2026-02-30« er ikke en dato", 'value="2026-02-30"'),
        "a_since=0001-01-01&b_since=2026-03-01": ("ikke mellem årene 2000 og 2100", 'value="0001-01-01"'),
        "a_since=i+går&b_until=%3Cb%3Ex": ("»i går« er ikke en dato", "»&lt;b&gt;x« er ikke en dato"),
    }
    for query, (message, kept) in cases.items():
        page = client.get(url + query)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, query
        assert message in html and kept in html, query
        assert 'class="list periods"' not in html, query
        # The CSV of a comparison that cannot be made leads back to the page with the message.
        assert client.get(f"/staff/surveys/{survey.id}/periods.csv?" + query).status_code == 302


def test_overlapping_periods_are_allowed_and_said(client, db, staff):
    org, survey = periods_survey(db)
    staff(make_user(db, org))
    html = client.get(f"/staff/surveys/{survey.id}/periods?a_since=2026-03-01&a_until=2026-04-15"
                      "&b_since=2026-04-01").get_data(as_text=True)
    assert "Perioderne overlapper (01.04.2026–15.04.2026)" in html
    assert "5 svar" in html and "4 svar" in html


def test_a_period_without_answers_shows_an_empty_column(client, db, staff):
    org, survey = periods_survey(db)
    staff(make_user(db, org))
    html = client.get(f"/staff/surveys/{survey.id}/periods?a_since=2026-03-01&a_until=2026-03-31"
                      "&b_since=2025-01-01&b_until=2025-01-31").get_data(as_text=True)
    assert "Periode B: 01.01.2025–31.01.2025 har ingen svar, så dens kolonne er tom." in html
    first = Tables(html).of("periods")[0]
    assert all(row[3] == "0" and row[4] == "–" for row in first[1:])


def test_the_periods_page_explains_itself_before_anything_is_chosen(client, db, staff):
    org, survey = periods_survey(db)
    staff(make_user(db, org))
    html = client.get(f"/staff/surveys/{survey.id}/periods").get_data(as_text=True)
    assert "Vælg to perioder" in html and 'class="flash error"' not in html


def test_another_organisations_staff_get_404(client, db, staff):
    _org, survey = periods_survey(db)
    staff(make_user(db, make_org(db)))
    for url in (f"/staff/surveys/{survey.id}/periods?{PERIODS}", f"/staff/surveys/{survey.id}/periods.csv?{PERIODS}",
                f"/staff/surveys/{survey.id}/results", f"/staff/surveys/{survey.id}/stop"):
        assert client.get(url).status_code == 404, url


def test_the_periods_excel_file_holds_the_counts_made_here(client, db, staff):
    from openpyxl import load_workbook

    org, survey = periods_survey(db)
    staff(make_user(db, org, role="viewer"))
    got = client.get(f"/staff/surveys/{survey.id}/periods.xlsx?{PERIODS}")
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(got.data), read_only=True).active.iter_rows(values_only=True))
    assert rows[1][2] == len(BEFORE) and rows[1][4] == len(DURING)
    for index in (0, 1):
        before, during = tally(BEFORE, index), tally(DURING, index)
        title = f"{index + 1}. {QUESTIONS[index]['prompt']}"
        read = {row[1]: (row[2], row[4]) for row in rows if row[0] == title and row[1] in before | during}
        assert read == {label: (before[label], during[label]) for label in before | during}
    assert client.get(f"/staff/surveys/{survey.id}/periods.xlsx?a_since=2026-05-01&a_until=2026-04-01"
                      ).status_code == 302  # a bad period goes back to the page, which says why
