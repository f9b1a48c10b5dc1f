"""Where people stop: per question, how many saw it, answered it, and left on its screen.

The answering flow stores answers, not page views, so "saw" is derived. One question is asked
per screen, in order, and a question whose show-if condition a person did not meet is skipped
for them. A response therefore saw a question when the question was shown to it (its show-if
chain is met by the options it picked) and either the response is completed, or the question
comes at or before the screen it stopped on: the first question shown to it after the furthest
question it answered. It "stopped there" when it is unfinished and that screen is this one.

Grouped queries do all the work, never a loop over responses: responses are counted per pattern
(touchpoint, finished or not, the furthest question answered and which show-if options were
picked), and the few distinct patterns are then walked with `answering.visible_questions`; one
more query counts how many answered each question. The filters of the results apply, unfinished responses included.

Failure modes, said where they are shown: someone who skipped an optional question and left on
the next screen counts as stopping on the skipped one (nothing of theirs was stored for it); an
unfinished response with no answer at all counts as stopping on the first question; an unfinished
response that had answered every question shown to it (possible only after going back and
changing an answer) has no screen to stop on and is counted as `unplaced`.
"""
from collections import Counter, defaultdict
from dataclasses import replace

from sqlalchemy import case, func, select

from surveys.answering import visible_questions
from surveys.kinds import KINDS
from surveys.models import Answer, Choice, Response, Survey
from surveys.results import Filters, matching_responses


def dropoff(session, survey: Survey, filters: Filters) -> dict:
    """`{"all": group, "touchpoints": [group, …]}` for the responses `filters` lets through, finished
    or not. A group is `{"touchpoint_id", "started", "completed", "unplaced", "rows", "biggest"}`,
    with "all" as the whole's touchpoint id. `rows` has one dict per question in order: `question_id`,
    `position`, `prompt`, `kind`, `saw`, `answered` (None in a touchpoint's group: counted for the
    whole only), `stopped` and `stopped_share` (stopped of saw, 0–100). `biggest` is the row where
    most people stopped (the first of equals), None when nobody stopped. Touchpoint groups come in
    the order of their ids, responses without a touchpoint (None) first.
    """
    if not survey.questions:
        return {"all": _group(survey, "all", 0, 0, 0, {}, {}, {}), "touchpoints": []}
    everyone = matching_responses(survey, replace(filters, include_incomplete=True)).subquery()
    saw, stopped = defaultdict(Counter), defaultdict(Counter)
    started, completed, unplaced = Counter(), Counter(), Counter()
    shown_for: dict[frozenset, list] = {}
    order = {q.id: i for i, q in enumerate(survey.questions, start=1)}
    conditions = sorted({q.show_if_choice_id for q in survey.questions if q.show_if_choice_id})
    for touchpoint, done, furthest, flags, n in _patterns(session, order, conditions, everyone):
        picked = frozenset(c for c, flag in zip(conditions, flags, strict=True) if flag)
        if picked not in shown_for:  # one walk per distinct set of show-if options, not per response
            shown_for[picked] = visible_questions(survey, set(picked))
        shown = shown_for[picked]
        started[touchpoint] += n
        if done:
            completed[touchpoint] += n
            saw[touchpoint].update({q.id: n for q in shown})
            continue
        screen = next((q for q in shown if order[q.id] > (furthest or 0)), None)
        if screen is None:
            unplaced[touchpoint] += n
            saw[touchpoint].update({q.id: n for q in shown})
            continue
        stopped[touchpoint][screen.id] += n
        saw[touchpoint].update({q.id: n for q in shown if order[q.id] <= order[screen.id]})
    groups = [_group(survey, tp, started[tp], completed[tp], unplaced[tp], saw[tp], None, stopped[tp])
              for tp in sorted(started, key=lambda tp: (tp is not None, tp or 0))]
    whole = _group(survey, "all", started.total(), completed.total(), unplaced.total(), _sum(saw),
                   _answered(session, survey, everyone), _sum(stopped))
    return {"all": whole, "touchpoints": groups}


def _patterns(session, order: dict, conditions: list, everyone):
    """(touchpoint id, finished?, furthest question's order or None, (picked each condition option?), n).

    Only an unfinished response needs its furthest question, so the answers are grouped per response
    for those alone; for finished ones only the few rows of show-if options are read.
    """
    mine = Response.id.in_(select(everyone.c.id))
    unfinished = select(Response.id).where(mine, Response.completed_at.is_(None))
    per = (select(Answer.response_id.label("rid"), func.max(case(order, value=Answer.question_id)).label("far"),
                  *_flags(conditions))
           .where(Answer.response_id.in_(unfinished), Answer.question_id.in_(order))
           .group_by(Answer.response_id).subquery())
    flags = [per.c[f"c{i}"] for i in range(len(conditions))]
    for row in session.execute(
            select(Response.touchpoint_id, per.c.far, *flags, func.count()).select_from(Response)
            .outerjoin(per, per.c.rid == Response.id).where(Response.id.in_(unfinished))
            .group_by(Response.touchpoint_id, per.c.far, *flags)):
        yield row[0], False, row[1], tuple(bool(flag) for flag in row[2:-1]), row[-1]
    finished = select(Response.id).where(mine, Response.completed_at.is_not(None))
    flags = []
    query = select(Response.touchpoint_id).where(Response.id.in_(finished))
    if conditions:
        owners = select(Choice.question_id).where(Choice.id.in_(conditions)).scalar_subquery()
        # `+ 0`: SQLite then finds these rows through the (question, choice) index, not response by response.
        picked = (select(Answer.response_id.label("rid"), *_flags(conditions))
                  .where(Answer.question_id.in_(owners), Answer.choice_id.in_(conditions),
                         (Answer.response_id + 0).in_(finished))
                  .group_by(Answer.response_id).subquery())
        flags = [picked.c[f"c{i}"] for i in range(len(conditions))]
        query = (select(Response.touchpoint_id, *flags).select_from(Response)
                 .outerjoin(picked, picked.c.rid == Response.id).where(Response.id.in_(finished)))
    for row in session.execute(query.add_columns(func.count()).group_by(Response.touchpoint_id, *flags)):
        yield row[0], True, None, tuple(bool(flag) for flag in row[1:-1]), row[-1]


def _flags(conditions: list) -> list:
    return [func.max(case((Answer.choice_id == choice, 1), else_=0)).label(f"c{i}")
            for i, choice in enumerate(conditions)]


def _answered(session, survey: Survey, everyone) -> Counter:
    """Responses with an answer, per question id, counted as the results count them: rows, and
    people only for a kind where one person has several rows."""
    mine = (Answer.response_id + 0).in_(select(everyone.c.id))  # `+ 0`: see results.question_results
    answered = Counter(dict(session.execute(
        select(Answer.question_id, func.count())
        .where(Answer.question_id.in_([q.id for q in survey.questions]), mine).group_by(Answer.question_id)).all()))
    several = [q.id for q in survey.questions if KINDS[q.kind].several_per_response]
    people = session.execute(select(Answer.question_id, func.count(func.distinct(Answer.response_id))).where(
        Answer.question_id.in_(several), mine).group_by(Answer.question_id)) if several else ()
    for question_id, count in people:  # people, not picks
        answered[question_id] = count
    return answered


def _sum(per_touchpoint: dict) -> Counter:
    total: Counter = Counter()
    for counts in per_touchpoint.values():
        total.update(counts)
    return total


def _group(survey, touchpoint, started, completed, unplaced, saw, answered, stopped) -> dict:
    rows = [{"question_id": q.id, "position": q.position, "prompt": q.prompt, "kind": q.kind,
             "saw": saw.get(q.id, 0), "answered": answered.get(q.id, 0) if answered is not None else None,
             "stopped": stopped.get(q.id, 0),
             "stopped_share": round(100 * stopped.get(q.id, 0) / saw[q.id]) if saw.get(q.id) else 0}
            for q in survey.questions]
    most = max((row["stopped"] for row in rows), default=0)
    biggest = next((row for row in rows if most and row["stopped"] == most), None)
    return {"touchpoint_id": touchpoint, "started": started, "completed": completed, "unplaced": unplaced,
            "rows": rows, "biggest": biggest}
