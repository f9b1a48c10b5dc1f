"""Staff break a question down on the cross-tab page, and take the table home as CSV and Excel.

Every number read back from the page's table and from the downloads is compared with a count made here,
by looping over the answers the test stored itself.
"""
import csv
import io
import json
import random
import re
from collections import Counter
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.engagement.classes.builders import make_class_session
from tests.engagement.touchpoints.builders import make_touchpoint
from tests.surveys.test_crosstabs import AGE, PLACES, SAFE, WEEKLY, WHY, picked, random_answers, store

FIGURES = re.compile(r'<script type="application/json" id="figures">(.*?)</script>', re.S)
ROW = re.compile(r'<tr data-group="[^"]*"><th scope="row">(.*?)</th><td class="total">(\d+)</td>(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="cell" data-count="(\d+)">')
HEAD = re.compile(r'<thead>(.*?)</thead>', re.S)
COLUMN = re.compile(r'<th scope="col"[^>]*>(.*?)</th>')


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def survey(db, org):
    return make_survey(db, org, EVERY_KIND, slug="unge-2026")


@pytest.fixture
def lead(db, org, staff):
    """A viewer, signed in, reading the pages in English (what the tests compare with)."""
    client = staff(make_user(db, org, role="viewer"))
    client.get("/staff/surveys/?lang=en")
    return client


@pytest.fixture
def touchpoints(db, org, survey):
    return [make_touchpoint(db, org, survey, name=name) for name in ("Skateparken", "Biblioteket")]


@pytest.fixture
def people(db, survey, touchpoints):
    """60 people with random answers, each through one of the touchpoints or none: (answers, place name)."""
    rng = random.Random(2026)
    crowd = []
    for _ in range(60):
        answers = random_answers(rng, survey)
        via = rng.choice([*touchpoints, None])
        store(db, survey, answers, touchpoint_id=via.id if via else None)
        crowd.append((answers, via.name if via else "No touchpoint"))
    return crowd


def hand_count(people, question, by) -> tuple[dict, dict]:
    """{(group, option): people} and {group: people who answered the question}; `by` a question index or
    "touchpoint"."""
    cells, totals = Counter(), Counter()
    for answers, place in people:
        mine = picked(answers, question)
        groups = {place} if by == "touchpoint" else picked(answers, by)
        for group in groups:
            totals[group] += bool(mine)
            for option in mine:
                cells[(str(group), str(option))] += 1
    return cells, {str(g): n for g, n in totals.items()}


def page(client, survey, **args):
    response = client.get(f"/staff/surveys/{survey.id}/results/crosstab", query_string=args)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def table_of(html: str) -> tuple[dict, dict]:
    """The page table's cells {(group, option): count} and totals {group: count}."""
    columns = COLUMN.findall(HEAD.search(html).group(1))[2:]
    cells, totals = {}, {}
    for group, total, rest in ROW.findall(html):
        totals[group] = int(total)
        for column, n in zip(columns, CELL.findall(rest), strict=True):
            cells[(group, column)] = int(n)
    return cells, totals


def assert_matches(cells, totals, hand_cells, hand_totals):
    assert cells == {key: hand_cells.get(key, 0) for key in cells}
    assert set(hand_cells) <= set(cells)
    assert {g: n for g, n in totals.items() if n} == {g: n for g, n in hand_totals.items() if n}


def question_id(survey, index):
    return survey.questions[index].id


@pytest.mark.parametrize("question, by", [(AGE, WEEKLY), (PLACES, AGE), (WEEKLY, PLACES), (SAFE, WEEKLY)])
def test_staff_read_a_question_broken_down_by_another_as_counted_by_hand(client, survey, people, lead, question,
                                                                            by):
    html = page(client, survey, q=question_id(survey, question), by=question_id(survey, by))
    assert_matches(*table_of(html), *hand_count(people, question, by))
    several = PLACES in (question, by)
    assert ("a person counts once for each option they picked" in html) is several
    figure = json.loads(FIGURES.search(html).group(1))["crosstab"]
    assert len(figure["data"]) == len(survey.questions[question].choices or range(5))


def test_staff_break_a_question_down_by_touchpoint(client, survey, people, lead):
    html = page(client, survey, q=question_id(survey, AGE), by="touchpoint")
    cells, totals = table_of(html)
    assert_matches(cells, totals, *hand_count(people, AGE, "touchpoint"))
    assert list(totals) == ["Biblioteket", "Skateparken", "No touchpoint"]


def test_the_results_filters_apply_and_stay_in_the_form(client, survey, people, lead, touchpoints):
    yes = next(c.id for c in survey.questions[WEEKLY].choices if c.label == "Ja")
    html = page(client, survey, q=question_id(survey, PLACES), by=question_id(survey, AGE), a=yes,
                t=touchpoints[0].id)
    chosen = [(a, p) for a, p in people if picked(a, WEEKLY) == {"Ja"} and p == touchpoints[0].name]
    assert_matches(*table_of(html), *hand_count(chosen, PLACES, AGE))
    assert f'<input type="hidden" name="a" value="{yes}">' in html
    assert f'<input type="hidden" name="t" value="{touchpoints[0].id}">' in html


def test_the_csv_and_the_excel_file_hold_the_same_counts(client, survey, people, lead):
    args = {"q": question_id(survey, PLACES), "by": "touchpoint"}
    hand_cells, hand_totals = hand_count(people, PLACES, "touchpoint")
    options = [c.label for c in survey.questions[PLACES].choices]
    response = client.get(f"/staff/surveys/{survey.id}/results/crosstab.csv", query_string=args)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:2 + len(options)] == ["Touchpoint", "Answered", *options]
    from_csv = {(row[0], option): int(n) for row in rows[1:] for option, n in zip(options, row[2:], strict=False)}
    assert_matches(from_csv, {row[0]: int(row[1]) for row in rows[1:]}, hand_cells, hand_totals)
    for row in rows[1:]:  # the shares of the row, with a decimal comma
        for n, share in zip(row[2:2 + len(options)], row[2 + len(options):], strict=True):
            assert float(share.replace(",", ".")) == pytest.approx(100 * int(n) / int(row[1]), abs=0.05)

    response = client.get(f"/staff/surveys/{survey.id}/results/crosstab.xlsx", query_string=args)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0][:2 + len(options)]) == ["Touchpoint", "Answered", *options]
    from_xlsx = {(row[0], option): n for row in values[1:] for option, n in zip(options, row[2:], strict=False)}
    assert_matches(from_xlsx, {row[0]: row[1] for row in values[1:]}, hand_cells, hand_totals)


def test_staff_break_a_question_down_by_class_session(client, db, org, survey, lead):
    teacher = make_user(db, org, role="teacher")
    first, second = make_class_session(db, teacher, survey, name="7.a"), make_class_session(db, teacher, survey,
                                                                                           name="8.b")
    expected = Counter()
    for session, weekly, times in ((first, "Ja", 3), (first, "Nej", 1), (second, "Nej", 2), (None, "Ja", 1)):
        for _ in range(times):
            store(db, survey, {WEEKLY: weekly}, class_session_id=session.id if session else None)
            expected[(session.name if session else "Not in a class session", weekly)] += 1
    cells, totals = table_of(page(client, survey, q=question_id(survey, WEEKLY), by="class_session"))
    assert {k: n for k, n in cells.items() if n} == dict(expected)
    assert totals == {"7.a": 4, "8.b": 2, "Not in a class session": 1}


def test_only_closed_questions_are_offered(client, survey, lead):
    html = page(client, survey)
    offered = re.findall(r'<option value="(\d+)"', re.search(r'<select id="crosstab-q".*?</select>', html,
                                                              re.S).group(0))
    assert question_id(survey, WHY) not in map(int, offered)
    assert len(offered) == 6


@pytest.mark.parametrize("args, message", [
    ({"q": "Q", "by": "B"}, "A question cannot be broken down by itself"),
    ({"q": "WHY", "by": "B"}, "Only questions with fixed options"),
    ({"q": "999999", "by": "B"}, "The question in the address is not in this survey"),
    ({"q": "Q", "by": "999999"}, "What to break the question down by is not in this survey"),
    ({"q": "Q", "by": "weather"}, "What to break the question down by is not in this survey"),
    ({"q": "<script>", "by": "touchpoint"}, "The question in the address is not in this survey"),
])
def test_bad_input_in_the_address_gets_a_clear_message(client, survey, lead, args, message):
    ids = {"Q": question_id(survey, AGE), "B": question_id(survey, AGE), "WHY": question_id(survey, WHY)}
    args = {name: ids.get(value, value) for name, value in args.items()}
    if args["by"] == ids["B"] and args["q"] == ids["WHY"]:
        args["by"] = question_id(survey, WEEKLY)
    html = page(client, survey, **args)
    assert message in html
    assert 'id="crosstab-table"' not in html
    for download in ("csv", "xlsx"):
        response = client.get(f"/staff/surveys/{survey.id}/results/crosstab.{download}", query_string=args)
        assert response.status_code == 400 and message in unescape(response.get_data(as_text=True))


def test_no_answers_yet_shows_an_honest_empty_state(client, survey, lead):
    html = page(client, survey, q=question_id(survey, AGE), by=question_id(survey, WEEKLY))
    assert 'id="crosstab-empty"' in html and 'id="crosstab-table"' not in html
    assert "crosstab.csv" not in html


def test_the_results_page_links_to_the_crosstab_with_its_filters(client, survey, lead):
    html = client.get(f"/staff/surveys/{survey.id}/results?from=2026-01-01").get_data(as_text=True)
    assert f"/staff/surveys/{survey.id}/results/crosstab?from=2026-01-01" in html


def test_another_organisations_staff_get_404(client, db, survey, people, staff):
    staff(make_user(db, make_org(db)))
    args = {"q": question_id(survey, AGE), "by": question_id(survey, WEEKLY)}
    for suffix in ("", ".csv", ".xlsx"):
        assert client.get(f"/staff/surveys/{survey.id}/results/crosstab{suffix}",
                          query_string=args).status_code == 404
