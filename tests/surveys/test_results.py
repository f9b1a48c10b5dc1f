"""The results engine counts what people answered, with SQL, and the filters narrow it."""
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert

from extensions import utcnow
from surveys.models import Answer, Response
from surveys.results import Filters, frequent_words, summarise, text_answers
from tests.builders import EVERY_KIND, make_org, make_survey

_keys = iter(range(10**6))


def add_response(db, survey, answers: dict, started=None, completed=True):
    """Store a response directly: `answers` maps question index to a choice label, labels, number or text."""
    started = started or utcnow() - timedelta(hours=1)
    key = f"test-response-key-{next(_keys):08d}"
    response_id = db.session.execute(insert(Response).values(
        survey_id=survey.id, key=key, started_at=started, updated_at=started,
        completed_at=started + timedelta(seconds=60) if completed else None).returning(Response.id)).scalar()
    rows = []
    for index, value in answers.items():
        question = survey.questions[index]
        labels = {c.label: c.id for c in question.choices}
        for item in value if isinstance(value, list) else [value]:
            if question.choices:
                rows.append({"choice_id": labels[item]})
            elif isinstance(item, (int, float)):
                rows.append({"number": item})
            else:
                rows.append({"text": item})
    if rows:
        db.session.execute(insert(Answer), [{"response_id": response_id, "question_id": survey.questions[i].id,
                                             "choice_id": None, "number": None, "text": None, **row}
                                            for i, row in zip([i for i, v in answers.items()
                                                               for _ in (v if isinstance(v, list) else [v])], rows,
                                                              strict=True)])
    db.session.commit()
    return response_id


@pytest.fixture
def survey(db):
    return make_survey(db, make_org(db), EVERY_KIND)


def by_prompt(summary, index):
    return summary.questions[index]


def test_choice_answers_are_counted_per_option(db, survey):
    for age in ["13-17", "13-17", "18-25"]:
        add_response(db, survey, {0: age, 1: ["Skateparken", "Havnen"]})
    summary = summarise(db.session, survey, Filters())
    ages = by_prompt(summary, 0)
    assert ages["rows"] == [("Under 13", 0), ("13-17", 2), ("18-25", 1), ("Over 25", 0)]
    assert ages["respondents"] == 3
    places = by_prompt(summary, 1)
    assert places["multiple"] and dict(places["rows"])["Skateparken"] == 3 and places["respondents"] == 3


def test_scale_rating_and_number_give_distributions_and_medians(db, survey):
    for scale, rating, minutes in [(1, 10, 5), (4, 9, 15), (5, 3, 40)]:
        add_response(db, survey, {4: scale, 5: rating, 6: minutes})
    summary = summarise(db.session, survey, Filters())
    assert by_prompt(summary, 4)["values"] == [(1, 1), (2, 0), (3, 0), (4, 1), (5, 1)]
    assert by_prompt(summary, 4)["median"] == 4
    assert by_prompt(summary, 5)["median"] == 9
    assert by_prompt(summary, 6)["values"] == [("5", 1), ("15", 1), ("40", 1)]


def test_unfinished_responses_are_left_out_unless_asked_for(db, survey):
    add_response(db, survey, {0: "13-17"})
    add_response(db, survey, {0: "18-25"}, completed=False)
    assert summarise(db.session, survey, Filters()).completed == 1
    everyone = summarise(db.session, survey, Filters(include_incomplete=True))
    assert (everyone.started, everyone.completed) == (2, 1)
    finished_only = summarise(db.session, survey, Filters())
    assert (finished_only.started, finished_only.completed) == (2, 1)  # the headline always shows both
    assert dict(by_prompt(everyone, 0)["rows"])["18-25"] == 1


def test_filter_on_an_answer_narrows_every_question(db, survey):
    add_response(db, survey, {0: "13-17", 2: "Ja"})
    add_response(db, survey, {0: "18-25", 2: "Nej"})
    young = next(c.id for c in survey.questions[0].choices if c.label == "13-17")
    summary = summarise(db.session, survey, Filters(answered=(young,)))
    assert summary.completed == 1
    assert dict(by_prompt(summary, 2)["rows"]) == {"Ja": 1, "Nej": 0}


def test_date_filter_uses_danish_calendar_days(db, survey):
    # 23:30 UTC on 1 December is 00:30 on 2 December in Copenhagen.
    add_response(db, survey, {0: "13-17"}, started=datetime(2026, 12, 1, 23, 30))
    add_response(db, survey, {0: "18-25"}, started=datetime(2026, 12, 1, 12, 0))
    assert summarise(db.session, survey, Filters(since=date(2026, 12, 2))).completed == 1
    assert summarise(db.session, survey, Filters(until=date(2026, 12, 1))).completed == 1


def test_responses_over_time_fill_empty_days_with_zero(db, survey):
    add_response(db, survey, {0: "13-17"}, started=datetime(2026, 11, 1, 10))
    add_response(db, survey, {0: "13-17"}, started=datetime(2026, 11, 4, 10))
    summary = summarise(db.session, survey, Filters())
    assert summary.timeline_unit == "day"
    assert [n for _day, n in summary.timeline] == [1, 0, 0, 1]


def test_young_survey_counts_per_hour(db, survey):
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    add_response(db, survey, {0: "13-17"}, started=now - timedelta(hours=3))
    add_response(db, survey, {0: "13-17"}, started=now - timedelta(hours=1))
    summary = summarise(db.session, survey, Filters())
    assert summary.timeline_unit == "hour" and [n for _h, n in summary.timeline] == [1, 0, 1]


def test_median_time_to_answer(db, survey):
    add_response(db, survey, {0: "13-17"})
    assert summarise(db.session, survey, Filters()).median_seconds == pytest.approx(60, abs=1)


def test_text_answers_are_paged_searchable_and_counted_without_stop_words(db, survey):
    for text in ["En skatehal og mere lys", "Mere lys ved havnen", "SKATEHAL!", "og og og"]:
        add_response(db, survey, {7: text})
    question = survey.questions[7]
    found = text_answers(db.session, survey, question, Filters(), search="lys")
    assert found.total == 2 and set(found.items) == {"En skatehal og mere lys", "Mere lys ved havnen"}
    words = dict(frequent_words(db.session, survey, question, Filters()))
    assert words["skatehal"] == 2 and words["lys"] == 2
    assert "og" not in words and "mere" not in words


def test_survey_without_answers_summarises_to_zeros(db, survey):
    summary = summarise(db.session, survey, Filters())
    assert summary.completed == 0 and summary.timeline == [] and summary.median_seconds is None
    assert all(result["respondents"] == 0 for result in summary.questions)
