"""The answering flow: which question comes next, and storing answers safely.

Services here take a database session and plain values and never commit; the
view commits once per request. A response is identified by the key that the
first rendered form carried, so a repeated post (double tap, network retry,
back-and-resend) updates the same rows instead of adding new ones.
"""
import secrets

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from extensions import utcnow
from surveys.kinds import KINDS
from surveys.models import Answer, Question, Response, Survey

KEY_PATTERN = r"[A-Za-z0-9_-]{20,43}"
VIA_PATTERN = r"[A-Za-z0-9_-]{1,40}"

# Where a person came from. A package that sends people to surveys (a QR code on a
# poster, a class session) registers a function here: given the survey and the
# `via` token it put in the survey's address, it returns the Response columns to
# set, e.g. {"touchpoint_id": 7}, or {} for a token it does not know. The engine
# itself knows nothing of posters or classes.
ATTRIBUTION: list = []


def attribution_for(survey: Survey, via: str | None) -> dict:
    values: dict = {}
    for resolve in ATTRIBUTION if via else ():
        values.update(resolve(survey, via))
    return values


class AlreadySubmitted(Exception):
    """The response is completed and this post would change it."""


def new_key() -> str:
    return secrets.token_urlsafe(24)


def visible_questions(survey: Survey, picked: set[int]) -> list[Question]:
    """The questions this person sees, given the choices they have picked so far.

    A condition counts only if the question it points at is itself shown, so a
    choice left behind on a question that no longer applies switches nothing on.
    """
    owner = {c.id: q.id for q in survey.questions for c in q.choices}
    shown: list[Question] = []
    shown_ids: set[int] = set()
    for question in survey.questions:
        condition = question.show_if_choice_id
        if condition is None or (condition in picked and owner.get(condition) in shown_ids):
            shown.append(question)
            shown_ids.add(question.id)
    return shown


def find_response(session, survey: Survey, key: str) -> Response | None:
    return session.scalar(select(Response).where(Response.key == key, Response.survey_id == survey.id))


def stored_answers(session, response: Response | None) -> dict[int, list[Answer]]:
    if response is None:
        return {}
    by_question: dict[int, list[Answer]] = {}
    for answer in session.scalars(select(Answer).where(Answer.response_id == response.id).order_by(Answer.id)):
        by_question.setdefault(answer.question_id, []).append(answer)
    return by_question


def picked_choices(answers: dict[int, list[Answer]]) -> set[int]:
    return {a.choice_id for rows in answers.values() for a in rows if a.choice_id is not None}


def record_answer(session, survey: Survey, key: str, question: Question, value,
                  attribution: dict | None = None) -> Response:
    """Store `value` as the answer of this response to `question`, replacing any earlier one.

    Safe under concurrent posts with the same key: the response row is created
    with an insert that ignores a conflict, then locked, so two posts are
    applied one after the other and the last one wins.

    `attribution` (see ATTRIBUTION) is set only when this post creates the response.

    :raise AlreadySubmitted: if the response is completed and `value` differs from what is stored.
    """
    now = utcnow()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(Response).values(survey_id=survey.id, key=key, started_at=now, updated_at=now,
                                            **(attribution or {}))
                    .on_conflict_do_nothing(index_elements=["key"]))
    response = session.scalar(select(Response).where(Response.key == key).with_for_update())
    if response.survey_id != survey.id:
        raise AlreadySubmitted()
    rows = KINDS[question.kind].rows(question, value)
    if response.completed:
        if _as_rows(stored_answers(session, response).get(question.id, [])) != _normalise(rows):
            raise AlreadySubmitted()
        return response
    session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.question_id == question.id))
    session.add_all(Answer(response_id=response.id, question_id=question.id, **row) for row in rows)
    response.updated_at = now
    session.flush()
    return response


def first_gap(survey: Survey, answers: dict[int, list[Answer]]) -> Question | None:
    """The first question this person sees and still has to answer, if any."""
    for question in visible_questions(survey, picked_choices(answers)):
        if question.required and not answers.get(question.id):
            return question
    return None


def complete(session, survey: Survey, response: Response) -> None:
    """Mark the response completed and drop answers to questions that no longer apply.

    Someone who went back and changed an earlier answer may have answered a
    question that is now hidden; keeping that answer would count it in results.
    """
    if response.completed:
        return
    answers = stored_answers(session, response)
    shown = {q.id for q in visible_questions(survey, picked_choices(answers))}
    hidden = [qid for qid in answers if qid not in shown]
    if hidden:
        session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(hidden)))
    response.completed_at = utcnow()
    session.flush()


def _as_rows(answers: list[Answer]) -> list[tuple]:
    return _normalise([{"choice_id": a.choice_id, "number": a.number, "text": a.text} for a in answers])


def _normalise(rows: list[dict]) -> list[tuple]:
    return sorted((r.get("choice_id"), r.get("number"), r.get("text")) for r in rows)
