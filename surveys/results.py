"""What people answered, as SQL aggregates: never a Python loop over all responses.

`summarise(session, survey, filters)` is the whole results computation: one
query for the headline figures, one for responses over time, one for every
choice and number answer of the survey at once, one for respondents per
question. Text answers are read page by page. Every function takes plain
values and returns plain values; the dashboard turns them into charts.
"""
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, func, select

from extensions import Page, page_of
from surveys.kinds import KINDS, median
from surveys.models import Answer, Question, Response, Survey
from surveys.stopwords import STOP_WORDS
from surveys.timezone import from_local, to_local

TEXT_PAGE_SIZE = 20
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    """Which responses count. Dates are Danish calendar days, both ends included."""
    since: date | None = None
    until: date | None = None
    answered: tuple[int, ...] = ()  # choice ids: only responses that picked every one of these
    include_incomplete: bool = False
    # Attribution columns of Response and the value they must have, e.g. (("touchpoint_id", 7),).
    attribution: tuple[tuple[str, int], ...] = ()


@dataclass
class Summary:
    started: int
    completed: int
    first: datetime | None
    last: datetime | None
    median_seconds: float | None
    timeline: list[tuple[datetime, int]]
    timeline_unit: str  # "day" or "hour"
    questions: list[dict] = field(default_factory=list)


def matching_responses(survey: Survey, filters: Filters):
    """A SELECT of the ids of the responses that `filters` lets through."""
    query = select(Response.id).where(Response.survey_id == survey.id)
    if not filters.include_incomplete:
        query = query.where(Response.completed_at.is_not(None))
    if filters.since:
        query = query.where(Response.started_at >= from_local(datetime.combine(filters.since, time())))
    if filters.until:
        next_day = datetime.combine(filters.until + timedelta(days=1), time())
        query = query.where(Response.started_at < from_local(next_day))
    for column, value in filters.attribution:
        query = query.where(getattr(Response, column) == value)
    owner = {c.id: q.id for q in survey.questions for c in q.choices}
    for choice_id in filters.answered:
        # Not a correlated EXISTS per response: one lookup in the (question, choice) index,
        # whose result the database builds once per query.
        picked = select(Answer.response_id).where(Answer.question_id == owner.get(choice_id),
                                                  Answer.choice_id == choice_id)
        query = query.where(Response.id.in_(picked))
    return query


def summarise(session, survey: Survey, filters: Filters) -> Summary:
    ids = matching_responses(survey, filters).subquery()
    # Started counts everybody the other filters let through, finished or not.
    everyone = matching_responses(survey, replace(filters, include_incomplete=True)).subquery()
    started, completed = session.execute(
        select(func.count(), func.count(Response.completed_at)).where(Response.id.in_(select(everyone.c.id)))).one()
    timeline, unit, first, last = responses_over_time(session, ids)
    summary = Summary(started, completed, first, last, median_duration(session, ids), timeline, unit)
    summary.questions = question_results(session, survey, ids)
    return summary


def median_duration(session, ids) -> float | None:
    """Median seconds from first to last screen: one query counts responses per whole second."""
    if session.get_bind().dialect.name == "postgresql":
        seconds = func.floor(func.extract("epoch", Response.completed_at - Response.started_at))
    else:
        seconds = func.cast((func.julianday(Response.completed_at) - func.julianday(Response.started_at))
                            * 86400.0, Integer)
    grouped = session.execute(select(seconds, func.count()).where(
        Response.id.in_(select(ids.c.id)), Response.completed_at.is_not(None)).group_by(seconds)).all()
    return median([(float(s), n) for s, n in grouped])


def responses_over_time(session, ids):
    """Responses per Danish day, or per hour while the survey is younger than three days,
    with the first and last start time: `(points, unit, first, last)`.

    SQL counts per UTC hour (the same on SQLite and PostgreSQL); the few hundred
    hourly counts are then folded into Danish days, which SQLite cannot do itself.
    """
    if session.get_bind().dialect.name == "postgresql":
        hour = func.to_char(func.date_trunc("hour", Response.started_at), "YYYY-MM-DD HH24")
    else:
        hour = func.strftime("%Y-%m-%d %H", Response.started_at)
    rows = session.execute(select(hour, func.count(), func.min(Response.started_at), func.max(Response.started_at))
                           .where(Response.id.in_(select(ids.c.id))).group_by(hour)).all()
    if not rows:
        return [], "day", None, None
    first, last = min(row[2] for row in rows), max(row[3] for row in rows)
    unit = "hour" if last - first < timedelta(days=3) else "day"
    buckets: Counter = Counter()
    for label, count, _first, _last in rows:
        local = to_local(datetime.strptime(label, "%Y-%m-%d %H")).replace(tzinfo=None)
        buckets[local if unit == "hour" else local.replace(hour=0)] += count
    step = timedelta(hours=1) if unit == "hour" else timedelta(days=1)
    start, end = min(buckets), max(buckets)
    filled = []
    while start <= end:  # empty hours and days count as zero, so the line does not skip them
        filled.append((start, buckets.get(start, 0)))
        start += step
    return filled, unit, first, last


def question_results(session, survey: Survey, ids) -> list[dict]:
    """Each question's tally and how many answered it, from one grouped pass over its answers.

    Text answers are counted in the same pass, as one group per question. Only a
    kind where one person has several rows (`several_per_response`) needs a distinct count.
    """
    counts: dict[int, Counter] = {q.id: Counter() for q in survey.questions}
    answered: Counter = Counter()
    # `+ 0` keeps SQLite (which has no statistics) from looking answers up response by
    # response; it then reads this survey's part of the ix_answers_tally index once, in group order.
    grouped = session.execute(
        select(Answer.question_id, Answer.choice_id, Answer.number, func.count())
        .where(Answer.question_id.in_(counts), (Answer.response_id + 0).in_(select(ids.c.id)))
        .group_by(Answer.question_id, Answer.choice_id, Answer.number))
    for question_id, choice_id, number, count in grouped:
        answered[question_id] += count
        # A row with neither a choice nor a number is a text answer: counted, not tallied.
        if choice_id is not None or number is not None:
            counts[question_id][choice_id if choice_id is not None else number] += count
    several = [q.id for q in survey.questions if KINDS[q.kind].several_per_response]
    if several:
        people = session.execute(
            select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
            .where(Answer.question_id.in_(several), (Answer.response_id + 0).in_(select(ids.c.id)))
            .group_by(Answer.question_id))
        for question_id, count in people:  # people, not picks
            answered[question_id] = count
    results = []
    for question in survey.questions:
        kind = KINDS[question.kind]
        results.append({"question": question, "kind": kind, "respondents": answered.get(question.id, 0),
                        **kind.tally(question, counts[question.id])})
    return results


def text_answers(session, survey: Survey, question: Question, filters: Filters, search: str = "",
                 page: int = 1) -> Page:
    """One page of a text question's answers, newest first, with how many match `search`."""
    ids = matching_responses(survey, filters).subquery()
    query = select(Answer.text).where(Answer.question_id == question.id, Answer.text.is_not(None),
                                      Answer.response_id.in_(select(ids.c.id)))
    if search.strip():
        query = query.where(func.lower(Answer.text).contains(search.strip().lower(), autoescape=True))
    return page_of(session, query.order_by(Answer.id.desc()), page, TEXT_PAGE_SIZE)


def frequent_words(session, survey: Survey, question: Question, filters: Filters, limit: int = 15):
    """The most frequent words of a text question, Danish and English stop words left out.

    Words cannot be counted in SQL on SQLite, so the texts are streamed and
    counted here, one question at a time, without holding them all.
    """
    ids = matching_responses(survey, filters).subquery()
    texts = session.execute(select(Answer.text).where(
        Answer.question_id == question.id, Answer.text.is_not(None), Answer.response_id.in_(select(ids.c.id)))
        .execution_options(yield_per=2000)).scalars()
    words: Counter = Counter()
    for text in texts:
        words.update({w for w in WORD.findall(text.lower()) if w not in STOP_WORDS})
    return words.most_common(limit)

