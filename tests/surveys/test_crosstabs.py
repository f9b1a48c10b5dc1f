"""Cross-tabs count people per (group, option) with SQL; every number here is checked against a count made
in the test from the answers it stored itself."""
import random
import secrets
from collections import Counter
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import insert

from engagement.models import Organisation
from extensions import utcnow
from surveys.crosstabs import NONE, OTHER, CrossTabError, closed_questions, crosstab, suppressed
from surveys.kinds import KINDS
from surveys.models import Answer, Response
from surveys.results import Filters
from tests.builders import AREAS, EVERY_KIND, make_map, make_org, make_place_survey, make_survey
from tests.engagement.touchpoints.builders import make_touchpoint

AGE, PLACES, WEEKLY, WHY, SAFE, RATING, MINUTES, MISSING, BENCH = range(9)  # the questions of EVERY_KIND


def store(db, survey, answers: dict, completed=True, touchpoint_id=None, class_session_id=None) -> int:
    """One response: `answers` maps a question index to a choice label, a list of labels or a number."""
    started = utcnow() - timedelta(hours=2)
    response_id = db.session.execute(insert(Response).values(
        survey_id=survey.id, key=secrets.token_urlsafe(32), started_at=started, updated_at=started,
        completed_at=started + timedelta(seconds=50) if completed else None, touchpoint_id=touchpoint_id,
        class_session_id=class_session_id).returning(Response.id)).scalar()
    rows = []
    for index, value in answers.items():
        question = survey.questions[index]
        labels = {c.label: c.id for c in question.choices}
        for item in value if isinstance(value, list) else [value]:
            row = {"choice_id": labels[item]} if question.choices else {"number": item}
            rows.append({"response_id": response_id, "question_id": question.id, "choice_id": None,
                         "number": None, "text": None, **row})
    if rows:
        db.session.execute(insert(Answer), rows)
    db.session.commit()
    return response_id


def random_answers(rng, survey) -> dict:
    """What one person answers; any question may be skipped."""
    answers = {}
    if rng.random() < 0.9:
        answers[AGE] = rng.choice(["Under 13", "13-17", "18-25", "Over 25"])
    if rng.random() < 0.85:
        answers[PLACES] = rng.sample(["Skateparken", "Biblioteket", "Havnen", "Torvet"], rng.randint(1, 2))
    if rng.random() < 0.9:
        answers[WEEKLY] = rng.choice(["Ja", "Nej"])
    if rng.random() < 0.8:
        answers[SAFE] = rng.randint(1, 5)
    return answers


def picked(answers: dict, index: int) -> set:
    value = answers.get(index)
    return set() if value is None else set(value if isinstance(value, list) else [value])


def count_by_hand(people: list[dict], question: int, by: int) -> tuple[Counter, Counter]:
    """People per (group option, option) and per group option (those who answered `question`)."""
    cells, totals = Counter(), Counter()
    for answers in people:
        mine = picked(answers, question)
        for group in picked(answers, by):
            if mine:
                totals[group] += 1
            for option in mine:
                cells[(group, option)] += 1
    return cells, totals


def as_labels(table) -> tuple[dict, dict]:
    """The table's cells as {(group label, option label): count} and its totals as {group label: count}."""
    columns = [label for _key, label in table.columns]
    cells = {(row.label, column): n for row in table.rows for column, n in zip(columns, row.counts, strict=True)}
    return cells, {row.label: row.total for row in table.rows}


@pytest.fixture(autouse=True)
def english(app):
    """Labels and messages in English, what the tests compare with (outside a request they are Danish)."""
    with force_locale("en"):
        yield


@pytest.fixture
def survey(db):
    return make_survey(db, make_org(db), EVERY_KIND)


@pytest.fixture
def people(db, survey):
    rng = random.Random(15)
    crowd = [random_answers(rng, survey) for _ in range(60)]
    for answers in crowd:
        store(db, survey, answers)
    return crowd


def check_against_hand_count(db, survey, people, question, by):
    table = crosstab(db.session, survey, survey.questions[question], Filters(), survey.questions[by])
    cells, totals = as_labels(table)
    hand_cells, hand_totals = count_by_hand(people, question, by)
    scale = not survey.questions[question].choices
    for (group, option), n in cells.items():
        key_option = float(option) if scale else option
        key_group = float(group) if not survey.questions[by].choices else group
        assert n == hand_cells.get((key_group, key_option), 0), (group, option)
    assert {g: n for g, n in totals.items() if n} == {
        (g if survey.questions[by].choices else str(int(g))): n for g, n in hand_totals.items()}
    return table


def test_single_choice_broken_down_by_yes_no_counts_each_person_once(db, survey, people):
    table = check_against_hand_count(db, survey, people, AGE, WEEKLY)
    assert [row.label for row in table.rows] == ["Ja", "Nej"]
    assert not table.several_in_columns and not table.several_in_rows
    for row in table.rows:
        assert sum(row.counts) == row.total
        assert sum(row.percents) == pytest.approx(100)


def test_multiple_choice_as_the_question_counts_a_person_once_per_option_picked(db, survey, people):
    table = check_against_hand_count(db, survey, people, PLACES, AGE)
    assert table.several_in_columns
    assert any(sum(row.counts) > row.total for row in table.rows)  # two picks: two cells, one person


def test_multiple_choice_as_the_breakdown_puts_a_person_in_each_group_they_picked(db, survey, people):
    table = check_against_hand_count(db, survey, people, WEEKLY, PLACES)
    assert table.several_in_rows
    assert [row.label for row in table.rows] == ["Skateparken", "Biblioteket", "Havnen", "Torvet"]


def test_a_scale_can_be_the_question_and_the_breakdown(db, survey, people):
    table = check_against_hand_count(db, survey, people, SAFE, WEEKLY)
    assert [label for _key, label in table.columns] == ["1", "2", "3", "4", "5"]
    check_against_hand_count(db, survey, people, WEEKLY, SAFE)


def test_filters_narrow_the_crosstab_like_the_results(db, survey, people):
    store(db, survey, {AGE: "13-17", WEEKLY: "Ja"}, completed=False)
    yes = next(c.id for c in survey.questions[WEEKLY].choices if c.label == "Ja")
    table = crosstab(db.session, survey, survey.questions[AGE], Filters(answered=(yes,)), survey.questions[PLACES])
    said_yes = [p for p in people if picked(p, WEEKLY) == {"Ja"}]
    hand_cells, hand_totals = count_by_hand(said_yes, AGE, PLACES)
    cells, totals = as_labels(table)
    assert cells == {key: hand_cells.get(key, 0) for key in cells}
    assert {g: n for g, n in totals.items() if n} == dict(hand_totals)
    everyone = crosstab(db.session, survey, survey.questions[AGE], Filters(include_incomplete=True),
                        survey.questions[WEEKLY])
    finished = crosstab(db.session, survey, survey.questions[AGE], Filters(), survey.questions[WEEKLY])
    assert as_labels(everyone)[0][("Ja", "13-17")] == as_labels(finished)[0][("Ja", "13-17")] + 1


def test_by_touchpoint_names_come_from_the_caller_and_unnamed_ones_are_added_up(db, survey):
    org = db.session.get(Organisation, survey.organisation_id)
    skate, library, hidden = (make_touchpoint(db, org, survey, name=n) for n in ("Skateparken", "Biblioteket", "X"))
    rng = random.Random(7)
    expected = Counter()
    for _ in range(40):
        via = rng.choice([skate.id, library.id, hidden.id, None])
        age = rng.choice(["13-17", "18-25"])
        store(db, survey, {AGE: age}, touchpoint_id=via)
        group = {skate.id: "Skateparken", library.id: "Biblioteket", hidden.id: "Other touchpoints",
                 None: "No touchpoint"}[via]
        expected[(group, age)] += 1
    names = {library.id: "Biblioteket", skate.id: "Skateparken"}
    table = crosstab(db.session, survey, survey.questions[AGE], Filters(), by="touchpoint", names=names)
    assert [row.key for row in table.rows][-2:] == [OTHER, NONE]
    cells, totals = as_labels(table)
    assert {k: n for k, n in cells.items() if n} == {k: n for k, n in expected.items()}
    for group in ("Skateparken", "Biblioteket", "Other touchpoints", "No touchpoint"):
        assert totals[group] == sum(n for (g, _a), n in expected.items() if g == group)
    only_skate = crosstab(db.session, survey, survey.questions[AGE],
                          Filters(attribution=(("touchpoint_id", skate.id),)), by="touchpoint", names=names)
    assert [row.label for row in only_skate.rows] == ["Skateparken"]


def test_place_question_areas_count_a_person_once_even_with_two_points_in_one_area(db):
    org = make_org(db)
    survey = make_place_survey(db, org, make_map(db, org), max_points=3)
    question = survey.questions[0]
    torvet = next(c.id for c in question.choices if c.label == AREAS[0][0])
    for points in ([(0.2, 0.2), (0.3, 0.3)], [(0.2, 0.2), (0.8, 0.8)], [(0.5, 0.05)]):
        value = {"points": [{"x": x, "y": y, "comment": None} for x, y in points], "areas": []}
        response_id = store(db, survey, {})
        db.session.execute(insert(Answer), [{"response_id": response_id, "question_id": question.id, "choice_id": None,
                                             "number": None, "text": None, "x": None, "y": None, **row}
                                            for row in KINDS[question.kind].rows(question, value)])
        db.session.commit()
    table = crosstab(db.session, survey, question, Filters(), by="touchpoint", names={})
    (row,) = table.rows
    assert row.key == NONE and row.total == 2  # the third marked no named area
    assert dict(zip([k for k, _l in table.columns], row.counts, strict=True)) == {torvet: 2, question.choices[1].id: 1}


def test_only_closed_questions_are_offered(db, survey):
    assert [q.position for q in closed_questions(survey)] == [
        survey.questions[i].position for i in (AGE, PLACES, WEEKLY, SAFE, RATING, BENCH)]


@pytest.mark.parametrize("question, by, message", [
    (AGE, AGE, "by itself"),
    (WHY, AGE, "fixed options"),
    (AGE, MINUTES, "fixed options"),
])
def test_a_breakdown_that_cannot_be_made_says_why(db, survey, question, by, message):
    with pytest.raises(CrossTabError, match=message):
        crosstab(db.session, survey, survey.questions[question], Filters(), survey.questions[by])


def test_a_question_of_another_survey_or_no_breakdown_is_refused(db, survey):
    other = make_survey(db, make_org(db), EVERY_KIND)
    with pytest.raises(CrossTabError, match="not in this survey"):
        crosstab(db.session, survey, survey.questions[AGE], Filters(), other.questions[WEEKLY])
    with pytest.raises(CrossTabError, match="break the question down"):
        crosstab(db.session, survey, survey.questions[AGE], Filters(), None)
    with pytest.raises(CrossTabError, match="break the question down"):
        crosstab(db.session, survey, survey.questions[AGE], Filters(), by="weather")


def test_no_answers_yet_gives_an_empty_table_with_its_groups(db, survey):
    table = crosstab(db.session, survey, survey.questions[AGE], Filters(), survey.questions[WEEKLY])
    assert table.empty and [row.total for row in table.rows] == [0, 0]
    assert crosstab(db.session, survey, survey.questions[AGE], Filters(), by="touchpoint", names={}).rows == []


def test_suppression_hides_groups_smaller_than_the_minimum_and_keeps_the_rest(db, survey):
    for age, weekly, times in (("13-17", "Ja", 5), ("18-25", "Ja", 2), ("13-17", "Nej", 4)):
        for _ in range(times):
            store(db, survey, {AGE: age, WEEKLY: weekly})
    table = crosstab(db.session, survey, survey.questions[AGE], Filters(), survey.questions[WEEKLY])
    hidden = suppressed(table, 5)
    yes, no = hidden.rows
    assert (yes.total, yes.suppressed, dict(zip([label for _k, label in table.columns], yes.counts, strict=True))) == (
        7, False, {"Under 13": 0, "13-17": 5, "18-25": 2, "Over 25": 0})
    assert (no.total, no.counts, no.percents, no.suppressed) == (None, [None] * 4, [None] * 4, True)
    assert table.rows[1].total == 4  # the staff's table is left as it was
    assert [row.suppressed for row in suppressed(table, 4).rows] == [False, False]
