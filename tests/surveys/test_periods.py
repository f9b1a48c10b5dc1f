"""Two periods of one survey side by side, counted by hand in each test."""
from collections import Counter
from datetime import date, datetime

import pytest

from surveys.periods import Period, compare_periods, overlap
from surveys.results import Filters
from tests.builders import make_org, make_survey
from tests.surveys.test_results import add_response

QUESTIONS = [
    {"kind": "single_choice", "prompt": "Hvordan kom du hertil?", "choices": ["Gående", "Cykel", "Bil"]},
    {"kind": "multiple_choice", "prompt": "Hvad lavede du?", "choices": ["Handlede", "Spiste", "Mødte venner"]},
    {"kind": "scale", "prompt": "Hvor hyggeligt er torvet?"},
    {"kind": "rating", "prompt": "Hvor gerne kommer du igen?"},
    {"kind": "number", "prompt": "Hvor mange minutter blev du?"},
    {"kind": "short_text", "prompt": "Andet?", "required": False},
]
BEFORE = [  # (started in UTC, answers)
    (datetime(2026, 3, 3, 12), {0: "Bil", 1: ["Handlede"], 2: 2, 3: 4, 4: 20}),
    (datetime(2026, 3, 10, 12), {0: "Bil", 1: ["Handlede", "Spiste"], 2: 3, 3: 6, 4: 30}),
    (datetime(2026, 3, 31, 21), {0: "Gående", 1: ["Spiste"], 2: 2, 3: 5, 4: 10}),  # 23:00 Danish: still March
]
DURING = [
    (datetime(2026, 3, 31, 22, 30), {0: "Cykel", 1: ["Mødte venner"], 2: 5, 3: 9, 4: 60}),  # 00:30 on 1 April
    (datetime(2026, 4, 12, 12), {0: "Gående", 1: ["Mødte venner", "Spiste"], 2: 4, 3: 8, 4: 45}),
    (datetime(2026, 4, 20, 12), {0: "Gående", 1: ["Handlede"], 2: 4, 3: 10, 4: 90, 5: "Mere af det"}),
    (datetime(2026, 4, 28, 12), {0: "Cykel", 2: 5, 3: 7, 4: 40}),
]
MARCH, APRIL = Period(date(2026, 3, 1), date(2026, 3, 31)), Period(date(2026, 4, 1), date(2026, 4, 30))


@pytest.fixture
def survey(db):
    survey = make_survey(db, make_org(db), QUESTIONS)
    for started, answers in BEFORE + DURING:
        add_response(db, survey, answers, started=started)
    add_response(db, survey, {0: "Bil"}, started=datetime(2026, 4, 2, 12), completed=False)
    return survey


def tally(people, index):
    counts = Counter()
    for _started, answers in people:
        value = answers.get(index)
        counts.update(value if isinstance(value, list) else [value] if value is not None else [])
    return counts


def test_before_and_during_a_trial_are_counted_side_by_side(db, survey):
    found = compare_periods(db.session, survey, Filters(), [MARCH, APRIL])
    assert found["responses"] == [len(BEFORE), len(DURING)]
    by_prompt = {q["prompt"]: q for q in found["questions"]}
    assert "Andet?" not in by_prompt  # text is not compared
    for index in (0, 1):
        question = by_prompt[QUESTIONS[index]["prompt"]]
        before, during = tally(BEFORE, index), tally(DURING, index)
        assert {row["label"]: row["counts"] for row in question["rows"]} == {
            label: [before[label], during[label]] for label in QUESTIONS[index]["choices"]}
    picked = by_prompt["Hvad lavede du?"]
    assert picked["multiple"] and picked["n"] == [3, 3]  # people, not picks: one person in April picked nothing
    scale = by_prompt["Hvor hyggeligt er torvet?"]
    assert [row["counts"] for row in scale["rows"]] == [[0, 0], [2, 0], [1, 0], [0, 2], [0, 2]]
    assert scale["medians"] == [2, 4.5]
    assert by_prompt["Hvor gerne kommer du igen?"]["medians"] == [5, 8.5]
    minutes = by_prompt["Hvor mange minutter blev du?"]
    assert minutes["rows"] == [] and minutes["medians"] == [20, 52.5] and minutes["n"] == [3, 4]


def test_unfinished_responses_count_only_when_the_filter_says_so(db, survey):
    found = compare_periods(db.session, survey, Filters(include_incomplete=True), [MARCH, APRIL])
    assert found["responses"] == [3, 5]
    assert found["questions"][0]["rows"][2]["counts"] == [2, 1]  # "Bil": the unfinished one in April


def test_a_period_without_answers_gets_an_honest_empty_column(db, survey):
    found = compare_periods(db.session, survey, Filters(), [MARCH, Period(date(2025, 1, 1), date(2025, 1, 31))])
    assert found["responses"] == [3, 0]
    assert all(q["n"][1] == 0 for q in found["questions"])
    assert all(row["counts"][1] == 0 for q in found["questions"] for row in q["rows"])
    assert found["questions"][2]["medians"][1] is None


def test_overlapping_periods_count_the_shared_days_in_both(db, survey):
    spring = Period(date(2026, 3, 15), date(2026, 4, 15))
    assert overlap(MARCH, spring) == (date(2026, 3, 15), date(2026, 3, 31))
    assert overlap(MARCH, APRIL) is None
    assert overlap(Period(since=date(2026, 4, 1)), Period(until=date(2026, 5, 1))) == (date(2026, 4, 1),
                                                                                      date(2026, 5, 1))
    found = compare_periods(db.session, survey, Filters(), [MARCH, spring])
    assert found["responses"] == [3, 3]  # 31 March (23:00 Danish), 1 April and 12 April


def test_a_period_that_ends_before_it_starts_or_has_no_ends_is_refused(db, survey):
    backwards = Period(date(2026, 4, 30), date(2026, 4, 1))
    assert backwards.problem() == "backwards" and Period().problem() == "empty" and MARCH.problem() is None
    with pytest.raises(ValueError):
        compare_periods(db.session, survey, Filters(), [MARCH, backwards])
