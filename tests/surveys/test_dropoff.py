"""Where people stop: saw, answered and stopped per question, counted by hand in each test."""
from collections import Counter
from datetime import timedelta

from sqlalchemy import update

from extensions import utcnow
from surveys.dropoff import dropoff
from surveys.models import Response
from surveys.results import Filters
from tests.builders import make_org, make_survey
from tests.engagement.touchpoints.builders import make_touchpoint
from tests.surveys.test_results import add_response

QUESTIONS = [
    {"kind": "single_choice", "prompt": "Kommer du i bymidten?", "choices": ["Ja", "Nej"]},
    {"kind": "short_text", "prompt": "Hvorfor ikke?", "show_if": (0, "Nej")},
    {"kind": "scale", "prompt": "Hvor tryg føler du dig?"},
    {"kind": "yes_no", "prompt": "Savner du noget?"},
    {"kind": "long_text", "prompt": "Hvad mangler du?", "required": False},
]

# Each kind of person: (how many, their answers by question index, finished?, questions they saw, where they stopped).
# "Saw" and "stopped" are written out by hand from the flow: question 1 is only shown to those who said "Nej".
PEOPLE = [
    (3, {0: "Ja", 2: 4, 3: "Nej"}, True, [0, 2, 3, 4], None),             # finished, skipped the optional last one
    (2, {0: "Nej", 1: "For langt", 2: 2, 3: "Ja", 4: "Et spillested"}, True, [0, 1, 2, 3, 4], None),
    (4, {0: "Ja"}, False, [0, 2], 2),                                       # left on the scale (1 was hidden)
    (1, {0: "Nej"}, False, [0, 1], 1),                                      # left on "Hvorfor ikke?"
    (1, {}, False, [0], 0),                                                 # no answer stored at all
    (2, {0: "Nej", 1: "Kedeligt", 2: 1}, False, [0, 1, 2, 3], 3),          # left on the yes/no
]


def build(db, people=PEOPLE, touchpoint_of=None, org=None):
    """The survey with PEOPLE's responses; `touchpoint_of(kind index, n)` may give a response a touchpoint id."""
    org = org or make_org(db)
    survey = make_survey(db, org, QUESTIONS)
    for kind, (count, answers, finished, _saw, _stopped) in enumerate(people):
        for n in range(count):
            response_id = add_response(db, survey, answers, completed=finished)
            touchpoint = touchpoint_of(kind, n) if touchpoint_of else None
            if touchpoint:
                db.session.execute(update(Response).where(Response.id == response_id).values(touchpoint_id=touchpoint))
    db.session.commit()
    return org, survey


def expected(people=PEOPLE, which=lambda kind, n: True):
    """(saw, answered, stopped) per question index, counted from the hand-written table."""
    saw, answered, stopped = Counter(), Counter(), Counter()
    for kind, (count, answers, _finished, seen, stop) in enumerate(people):
        for n in range(count):
            if not which(kind, n):
                continue
            saw.update(seen)
            answered.update(answers.keys())
            if stop is not None:
                stopped[stop] += 1
    return saw, answered, stopped


def as_counters(group, survey):
    index = {q.id: i for i, q in enumerate(survey.questions)}
    rows = group["rows"]
    return tuple(Counter({index[r["question_id"]]: r[key] for r in rows if r[key]})
                 for key in ("saw", "answered", "stopped"))


def test_project_lead_sees_who_saw_answered_and_stopped_at_each_question(db):
    _org, survey = build(db)
    found = dropoff(db.session, survey, Filters())
    whole = found["all"]
    assert as_counters(whole, survey) == expected()
    assert whole["started"] == sum(p[0] for p in PEOPLE) == 13
    assert whole["completed"] == 5
    assert whole["unplaced"] == 0
    # Everybody unfinished stopped somewhere: the stops add up to the unfinished responses.
    assert sum(r["stopped"] for r in whole["rows"]) == whole["started"] - whole["completed"]
    # Most people (4) stopped on the scale question; of the 11 who saw it.
    assert whole["biggest"]["question_id"] == survey.questions[2].id
    assert (whole["biggest"]["stopped"], whole["biggest"]["saw"]) == (4, 11)
    assert whole["biggest"]["stopped_share"] == round(100 * 4 / 11)


def test_a_question_hidden_by_show_if_is_not_counted_as_seen(db):
    _org, survey = build(db)
    rows = dropoff(db.session, survey, Filters())["all"]["rows"]
    # Only the "Nej" people (2 finished, 1 who left there, 2 who went on) saw "Hvorfor ikke?".
    assert rows[1]["saw"] == 5
    assert rows[1]["answered"] == 4 and rows[1]["stopped"] == 1


def test_the_results_filters_apply_but_unfinished_responses_always_count(db):
    _org, survey = build(db)
    yes = next(c.id for c in survey.questions[0].choices if c.label == "Ja")
    whole = dropoff(db.session, survey, Filters(answered=(yes,), include_incomplete=False))["all"]
    said_yes = lambda kind, n: PEOPLE[kind][1].get(0) == "Ja"  # noqa: E731
    assert as_counters(whole, survey) == expected(which=said_yes)
    assert whole["started"] == 7 and whole["completed"] == 3


def test_each_touchpoint_gets_its_own_counts_and_its_own_worst_question(db):
    org = make_org(db)
    park = make_touchpoint(db, org, name="Skateparken")
    school = make_touchpoint(db, org, name="Skolen")
    # The people who left on the scale came from the park; those who left on the yes/no from the school;
    # everyone else in turn from the park, the school and the direct link.
    def place(kind, n):
        if kind == 2:
            return park.id
        if kind == 5:
            return school.id
        return (park.id, school.id, None)[n % 3]
    _org, survey = build(db, touchpoint_of=place, org=org)
    found = dropoff(db.session, survey, Filters())
    groups = {g["touchpoint_id"]: g for g in found["touchpoints"]}
    assert list(groups) == [None, park.id, school.id]
    for touchpoint in (None, park.id, school.id):
        mine = lambda kind, n, t=touchpoint: place(kind, n) == t  # noqa: E731
        # Saw and stopped per touchpoint; answers are counted for the whole only.
        assert as_counters(groups[touchpoint], survey)[0::2] == expected(which=mine)[0::2], touchpoint
        assert all(row["answered"] is None for row in groups[touchpoint]["rows"])
    assert groups[park.id]["biggest"]["question_id"] == survey.questions[2].id
    assert groups[school.id]["biggest"]["question_id"] == survey.questions[3].id
    # The touchpoints add up to the whole.
    assert sum(g["started"] for g in groups.values()) == found["all"]["started"]


def test_a_survey_without_responses_or_questions_has_nothing_to_show(db):
    org = make_org(db)
    survey = make_survey(db, org, QUESTIONS)
    whole = dropoff(db.session, survey, Filters())["all"]
    assert whole["started"] == 0 and whole["biggest"] is None
    assert all(r["saw"] == r["answered"] == r["stopped"] == 0 for r in whole["rows"])
    empty = make_survey(db, org, [])
    assert dropoff(db.session, empty, Filters()) == {"all": dropoff(db.session, empty, Filters())["all"],
                                                     "touchpoints": []}


def test_a_period_filter_limits_who_counts(db):
    _org, survey = build(db)
    old = add_response(db, survey, {0: "Ja"}, started=utcnow() - timedelta(days=40), completed=False)
    assert old
    since = (utcnow() - timedelta(days=2)).date()
    assert dropoff(db.session, survey, Filters(since=since))["all"]["started"] == 13
    assert dropoff(db.session, survey, Filters())["all"]["started"] == 14


def test_a_person_who_picked_several_options_counts_once_as_answering(db):
    survey = make_survey(db, make_org(db), [
        {"kind": "multiple_choice", "prompt": "Hvad laver du her?", "choices": ["Handler", "Spiser", "Hænger ud"]},
        {"kind": "yes_no", "prompt": "Kommer du igen?"}])
    add_response(db, survey, {0: ["Handler", "Spiser"], 1: "Ja"})
    add_response(db, survey, {0: ["Handler", "Spiser", "Hænger ud"]}, completed=False)
    rows = dropoff(db.session, survey, Filters())["all"]["rows"]
    assert [(r["saw"], r["answered"], r["stopped"]) for r in rows] == [(2, 2, 0), (2, 1, 1)]
