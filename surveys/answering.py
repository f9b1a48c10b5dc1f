"""The answering flow: one call per screen, which stores the answer and says what comes next.

`open_screen` and `save_screen` hold every decision of the public flow (which
questions apply to this person, whether the survey takes answers, when a
response is complete); the view turns HTTP into these calls and their `Next`
into a page or a redirect. Services here take a database session and plain
values and never commit; the view commits once per request. A response is
identified by the key that the first rendered form carried, so a repeated post
(double tap, network retry, back-and-resend) updates the same rows instead of
adding new ones.
"""
import enum
import secrets
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from extensions import wait_for_write_turn
from surveys import structure
from surveys.kinds import KINDS, AnswerError
from surveys.models import Answer, Question, Response, Survey, SurveyState

KEY_PATTERN = r"[A-Za-z0-9_-]{20,43}"
VIA_PATTERN = r"[A-Za-z0-9_-]{1,40}"


def attribution_for(survey: Survey, via: str | None, resolvers) -> dict:
    """Where a person came from: the Response columns that the `resolvers` (the app's
    "survey_attribution" hooks, see extensions.HOOKS: a QR code's poster, a class session) find for
    the `via` token in the survey's address. The engine itself knows nothing of posters or classes."""
    values: dict = {}
    for resolve in resolvers if via else ():
        values.update(resolve(survey, via))
    return values


class AlreadySubmitted(Exception):
    """The response is completed and this post would change it, or its key is another survey's."""


class Step(enum.Enum):
    show = "show"  # show the question's screen with the stored answer
    invalid = "invalid"  # show it again: what was sent is no answer (`error`); nothing was stored
    question = "question"  # go to the screen of `question_id`
    done = "done"  # nothing is left to answer (the response is completed): the thank-you page
    closed = "closed"  # the survey is not open and this response was never completed; nothing stored


@dataclass(frozen=True)
class Next:
    """What a person sees after opening or sending a question's screen."""
    step: Step
    question_id: int | None = None  # Step.question
    # Step.show, invalid and closed: the questions this person sees (for progress and Back) and
    # what the field holds (the stored answer, or what was sent).
    shown: tuple[Question, ...] = ()
    raw: tuple[str, ...] = ()
    error: str | None = None  # Step.invalid: why, translated
    # From save_screen: the person's answers as they now stand, so the next screen can be shown
    # without reading them again (show_next).
    answers: dict | None = field(default=None, compare=False, repr=False)


def new_key() -> str:
    return secrets.token_urlsafe(24)


def visible_questions(survey: Survey, picked: set[int]) -> list[Question]:
    """The questions this person sees, given the choices they have picked so far.

    A condition counts only if the question it points at is itself shown, so a
    choice left behind on a question that no longer applies switches nothing on.
    """
    if not picked:  # a first screen: no condition can hold, and no choice needs looking up
        return [question for question in survey.questions if question.show_if_choice_id is None]
    shown: list[Question] = []
    shown_choices: set[int] = set()
    for question in survey.questions:
        condition = question.show_if_choice_id
        if condition is None or (condition in picked and condition in shown_choices):
            shown.append(question)
            shown_choices.update(choice.id for choice in question.choices)
    return shown


# Statements of every screen, built once (building one costs about as much as running it). They are run on the
# session's connection, as plain rows: the ORM's own handling would double what each costs.
_RESPONSE_BY_KEY = select(Response).where(Response.key == bindparam("key"), Response.survey_id == bindparam("survey"))
_STORED_BY_KEY = (select(Response.id, Response.survey_id, Response.completed_at)
                  .where(Response.key == bindparam("key"), Response.survey_id == bindparam("survey")))
_ANSWERS_OF = (select(Answer.__table__).where(Answer.response_id == bindparam("response"))
               .order_by(Answer.id))


@dataclass(frozen=True)
class Stored:
    """What the answering flow needs of a stored response."""
    id: int
    survey_id: int
    completed: bool


def find_response(session, survey: Survey, key: str) -> Response | None:
    return session.scalar(_RESPONSE_BY_KEY, {"key": key, "survey": survey.id})


def find_stored(session, survey: Survey, key: str) -> Stored | None:
    row = session.connection().execute(_STORED_BY_KEY, {"key": key, "survey": survey.id}).first()
    return None if row is None else Stored(row.id, row.survey_id, row.completed_at is not None)


_SURVEY_AND_STORED = (select(Survey.id, Survey.version, Response.id, Response.survey_id, Response.completed_at)
                      .outerjoin(Response, (Response.survey_id == Survey.id) & (Response.key == bindparam("key")))
                      .where(Survey.slug == bindparam("slug")))


def survey_and_stored(session, slug: str, key: str) -> tuple[Survey | None, Stored | None]:
    """The survey with this address (from the worker's copy of its structure, surveys.structure) and its
    response `key`, if there are, in one query."""
    row = session.connection().execute(_SURVEY_AND_STORED, {"slug": slug, "key": key}).first()
    if row is None:
        return None, None
    survey = structure.survey_structure(session, row[0], row[1])
    return survey, (None if row[2] is None else Stored(row[2], row[3], row[4] is not None))


def stored_answers(session, response) -> dict[int, list]:
    """The answers of `response` (anything with its `id`; None: none) by question, as rows with the
    columns of Answer, in the order they were stored."""
    if response is None:
        return {}
    by_question: dict[int, list] = {}
    for answer in session.connection().execute(_ANSWERS_OF, {"response": response.id}):
        by_question.setdefault(answer.question_id, []).append(answer)
    return by_question


def picked_choices(answers: dict[int, list[Answer]]) -> set[int]:
    return {a.choice_id for rows in answers.values() for a in rows if a.choice_id is not None}


def first_gap(survey: Survey, answers: dict[int, list[Answer]]) -> Question | None:
    """The first question this person sees and still has to answer, if any."""
    return _first_gap(visible_questions(survey, picked_choices(answers)), answers)


LOOK_UP = object()  # open_screen's and save_screen's `stored` when the caller has not read the response


def open_screen(session, survey: Survey, key: str, question: Question, now: datetime, stored=LOOK_UP) -> Next:
    """What opening `question`'s screen in the response `key` shows. Reads only; `stored`: the response as
    the caller just read it (survey_and_stored), if it did.

    Step.show with the stored answer; Step.question or Step.done when the question does not
    apply to this person (they go on where they really are); Step.closed when the survey is
    not open at `now` and the response was never completed.
    """
    response = find_stored(session, survey, key) if stored is LOOK_UP else stored
    answers = stored_answers(session, response)
    shown = visible_questions(survey, picked_choices(answers))
    refusal = _refusal(survey, question, response, answers, shown, now)
    if refusal:
        return refusal
    raw = KINDS[question.kind].raw_from_answers(question, answers.get(question.id, []))
    return Next(Step.show, shown=tuple(shown), raw=tuple(raw))


def show_next(survey: Survey, question: Question, next_: Next) -> Next:
    """What the screen of `question`, the one `next_` leads to, shows (Step.show), for `next_` as
    save_screen returned it with Step.question: worked out from the answers save_screen had in hand,
    with no database."""
    answers = next_.answers or {}
    shown = visible_questions(survey, picked_choices(answers))
    raw = KINDS[question.kind].raw_from_answers(question, answers.get(question.id, []))
    return Next(Step.show, shown=tuple(shown), raw=tuple(raw))


def save_screen(session, survey: Survey, key: str, question: Question, raw: list[str], attribution,
                now: datetime, stored=LOOK_UP) -> Next:
    """Store `raw`, the strings the form sent for `question`, as the answer of the response `key`,
    and say what comes next:

    - Step.question: stored; go on to the next question shown, or back to the first required
      question left unanswered.
    - Step.done: stored, and the response is completed now (answers to questions that no longer
      apply are dropped, so results never count them).
    - A completed response is never changed: resending the answer it holds (Back, then Send again)
      goes on as above, Step.done at the end, with nothing stored.
    - Step.invalid: `raw` is no answer to the question (the kind's message in `error`); nothing stored.
    - Step.closed: the survey is not open at `now` and the response was never completed; nothing stored.
    - For a question that does not apply to this person nothing is stored, and they go on where
      they are, as with open_screen.

    `attribution()` gives the Response columns for where the person came from (see attribution_for);
    it is called only when this post creates the response. Posts with the same key run one after
    the other, so a double tap stores once and the second post sees what the first stored. Reads
    the response and its answers once; flushes, never commits.

    `stored`: the response as the caller just read it (survey_and_stored), if it did. When it found none,
    a first answer is stored without a lock or a second read, if its key is still free (_first_answer).

    :raise AlreadySubmitted: if the response is completed and `raw` differs from what it holds, or
        the key belongs to a response of another survey.
    """
    rows, error = _answer_rows(question, raw)  # before the write starts: it needs no database
    if stored is None and not error:
        first = _first_answer(session, survey, key, question, rows, attribution, now)
        if first is not None:
            return first
    response = _one_post_at_a_time(session, key)
    own = response if response is not None and response.survey_id == survey.id else None
    answers = stored_answers(session, own)
    after = answers if error else _with_answer(answers, question, rows)
    # Once, from the answers as they will be: a question's own answer never decides whether it is
    # shown itself (only later questions can depend on it), so this also says whether it applies.
    shown = visible_questions(survey, picked_choices(after))
    refusal = _refusal(survey, question, own, answers, shown, now)
    if refusal or error:
        return refusal or Next(Step.invalid, shown=tuple(shown), raw=tuple(raw), error=error)
    if response is not own:
        raise AlreadySubmitted()  # the key is another survey's
    going_on = replace(_going_on(shown, question, after), answers=after)
    if own is not None and own.completed:
        _check_unchanged(answers.get(question.id, []), after.get(question.id, []))
        return replace(going_on, answers=answers)
    completed_at = now if going_on.step is Step.done else None
    if own is None:
        _insert_answers(session, _start(session, survey, key, attribution(), now, completed_at), question, rows)
        return going_on
    stale = _stale(question, answers, shown, going_on.step is Step.done)
    _replace_answers(session, own, question, stale, rows, now, completed_at)
    return going_on


_STORED_FOR_UPDATE = (select(Response.id, Response.survey_id, Response.completed_at)
                      .where(Response.key == bindparam("key")))
# An update that changes nothing: on SQLite it takes the write lock and reads the response in one statement.
_LOCKED_BY_KEY = (update(Response.__table__).where(Response.key == bindparam("lock_key"))
                  .values(key=Response.key).returning(Response.id, Response.survey_id, Response.completed_at))


def _first_answer(session, survey: Survey, key: str, question: Question, rows: list[dict], attribution,
                  now: datetime) -> Next | None:
    """What a response's first answer leads to, stored as a new response with that answer: the key was
    nobody's when the caller read it. None, storing nothing, when the key is taken by now (a double tap's
    other post) or the answer is refused: save_screen then goes the long way, from what is stored.

    The response's INSERT does nothing if the key is taken: a unique key needs no lock to be claimed once.
    A post of the same key that comes meanwhile waits for this transaction on the key's index (PostgreSQL)
    or the write lock (SQLite), then finds the response stored. Three statements in all, the caller's read
    included: the survey and the response, the response, its answer."""
    answers = _with_answer({}, question, rows)
    shown = visible_questions(survey, picked_choices(answers))
    if _refusal(survey, question, None, {}, shown, now):
        return None
    going_on = replace(_going_on(shown, question, answers), answers=answers)
    wait_for_write_turn(session)  # SQLite: in line with the other writers
    response_id = _start(session, survey, key, attribution(), now, now if going_on.step is Step.done else None,
                         unless_taken=True)
    if response_id is None:
        return None
    _insert_answers(session, response_id, question, rows)
    return going_on


def _one_post_at_a_time(session, key: str) -> Stored | None:
    """The response with this key, if any, read after making any other post with this key wait until
    this transaction ends, so that what is read is current. This is where the write transaction starts.

    PostgreSQL: a transaction lock on the key, which also holds before the response exists, then the
    read. SQLite: the database's write lock, taken by an update that changes nothing and returns the
    response in the same statement, after waiting in line for it (extensions.wait_for_write_turn)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(func.hashtext(key))))
        row = connection.execute(_STORED_FOR_UPDATE, {"key": key}).first()
    else:
        wait_for_write_turn(session)
        row = connection.execute(_LOCKED_BY_KEY, {"lock_key": key}).first()
    return None if row is None else Stored(row.id, row.survey_id, row.completed_at is not None)


def _answer_rows(question: Question, raw: list[str]) -> tuple[list[dict], str | None]:
    """The answer rows that `raw` stands for, as the kind stores them (column values), or the
    translated reason it is no answer."""
    kind = KINDS[question.kind]
    try:
        value = kind.parse(question, list(raw))
    except AnswerError as error:
        return [], str(error)
    return kind.rows(question, value), None


def _with_answer(answers: dict, question: Question, rows: list[dict]) -> dict[int, list]:
    """`answers` with `rows` (not stored) as the answer to `question`; none: unanswered. The new answers
    have the columns of Answer, as the stored rows do (plain objects: an ORM instance costs more to make)."""
    others = {qid: stored for qid, stored in answers.items() if qid != question.id}
    new = [SimpleNamespace(**{**ANSWER_VALUES, "question_id": question.id, **row}) for row in rows]
    return {**others, question.id: new} if new else others


def _refusal(survey, question, response, answers, shown, now) -> Next | None:
    """Why the screen is not shown and nothing is stored, whatever was sent: the question does not
    apply to this person, or the survey does not take answers; None when neither."""
    if question not in shown:
        return _resume(shown, answers)
    if not _takes_answers(survey, response, now):
        return Next(Step.closed, shown=tuple(shown))
    return None


def _takes_answers(survey: Survey, response: Response | None, now: datetime) -> bool:
    """While the survey is open; afterwards only a completed response's own screens, to resend them."""
    return survey.state_at(now) is SurveyState.open or (response is not None and response.completed)


def _first_gap(shown: list[Question], answers: dict) -> Question | None:
    return next((q for q in shown if q.required and not answers.get(q.id)), None)


def _resume(shown: list[Question], answers: dict) -> Next:
    """Where a person with these stored answers goes on: their first required question left
    unanswered; the thank-you page once they answered and none is left; else the first question."""
    gap = _first_gap(shown, answers)
    if answers and gap is None:
        return Next(Step.done)
    return Next(Step.question, question_id=(gap or shown[0]).id)


def _going_on(shown: list[Question], question: Question, answers: dict) -> Next:
    """After `question` is answered: the next question shown, else the first required one left
    unanswered, else done."""
    later = shown[shown.index(question) + 1:]
    target = later[0] if later else _first_gap(shown, answers)
    return Next(Step.question, question_id=target.id) if target else Next(Step.done)


def _check_unchanged(stored: list[Answer], sent: list[Answer]) -> None:
    """:raise AlreadySubmitted: if the answer `sent` differs from the `stored` one of a completed response."""
    def values(answers):
        return Counter((a.choice_id, a.number, a.text, a.x, a.y) for a in answers)
    if values(stored) != values(sent):
        raise AlreadySubmitted()


def _start(session, survey: Survey, key: str, attribution: dict, now: datetime, completed_at,
           unless_taken: bool = False) -> int | None:
    """A new response (one plain INSERT, no unit of work: it runs while other writers wait); its id.
    `unless_taken`: none, and no error, if a response has the key already."""
    connection = session.connection()
    insert = Response.__table__.insert()
    if unless_taken:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(Response.__table__).on_conflict_do_nothing(index_elements=[Response.key])
    return connection.execute(insert.returning(Response.id), {
        "survey_id": survey.id, "key": key, "started_at": now, "updated_at": now, "completed_at": completed_at,
        "touchpoint_id": None, "class_session_id": None, **attribution}).scalar()


def _stale(question: Question, answers: dict, shown: list[Question], completing: bool) -> list[int]:
    """The questions whose stored answers go: this one's, which is replaced, and on completion those
    that no longer apply (answered, then hidden by a changed earlier answer: results must not count them)."""
    shown_ids = {q.id for q in shown}
    return [qid for qid in answers if qid == question.id or (completing and qid not in shown_ids)]


def _replace_answers(session, response: Stored, question: Question, stale: list[int], rows: list[dict],
                     now: datetime, completed_at: datetime | None) -> None:
    connection = session.connection()
    if stale:
        connection.execute(delete(Answer.__table__).where(Answer.response_id == response.id,
                                                          Answer.question_id.in_(stale)))
    connection.execute(update(Response.__table__).where(Response.id == response.id)
                       .values(updated_at=now, completed_at=completed_at))
    _insert_answers(session, response.id, question, rows)


def _insert_answers(session, response_id: int, question: Question, rows: list[dict]) -> None:
    if rows:  # one statement however many options were picked
        # Every row names every column (an executemany takes one shape), the kind's own values over None.
        session.connection().execute(Answer.__table__.insert(), [
            {**ANSWER_VALUES, "response_id": response_id, "question_id": question.id, **row} for row in rows])


ANSWER_VALUES = {column.name: None for column in Answer.__table__.columns if not column.primary_key}
