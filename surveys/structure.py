"""A survey's structure (the survey, its questions, their choices and pictures) kept per worker process.

Every answering screen needs the whole structure, and it hardly ever changes, so loading it on every
request (three queries and a few hundred ORM objects) was most of a screen's cost. Instead each worker
keeps the structures it has loaded, detached from any database session, and per request reads only the
survey's `version` column: one indexed lookup that also finds the survey by its address. A different
stamp means someone changed the survey, on this app server or another: the structure is loaded again.

The stamp is set by `bump_versions`, a listener on every ORM flush that adds, changes or deletes a
survey, question, choice or picture, so no editing path can forget it. Only the ORM is watched: a
bulk UPDATE or DELETE statement on those tables must set a new `Survey.version` itself.

The cached objects are shared by every request of the worker: treat them as read-only. Code that
needs to change a survey loads it in its own session (as the staff pages do).
"""
import threading
from collections import OrderedDict

from flask import current_app
from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session, selectinload

from surveys.models import Choice, Question, Survey, SurveyImage, new_version

# Surveys kept per worker; an organisation has a handful open at a time, so this is never reached in
# practice, and when it is, the survey used longest ago is dropped.
LIMIT = 500


class Kept:
    """One app's kept structures (a worker runs one app; two apps in one process keep their own)."""

    def __init__(self):
        self.surveys: OrderedDict[int, Survey] = OrderedDict()
        self.lock = threading.Lock()
        self.loads = 0  # structures loaded from the database, for tests and the bench
        self.pages = Pages()  # blank answering screens, rendered once (surveys.public.blank_screen)


class Pages:
    """Rendered pages by a key that includes the survey's stamp, so a changed survey's pages are never
    found again; emptied when full, which takes thousands of distinct screens."""
    LIMIT = 2000

    def __init__(self):
        self._pages: dict = {}

    def get(self, key):
        return self._pages.get(key)

    def put(self, key, page: str) -> None:
        if len(self._pages) >= self.LIMIT:
            self._pages = {}
        self._pages[key] = page


def kept() -> Kept:
    return current_app.extensions.setdefault("survey_structures", Kept())


# Built once: building a statement costs about as much as running this one.
_STAMP_BY_SLUG = select(Survey.id, Survey.version).where(Survey.slug == bindparam("slug"))


def survey_by_slug(session, slug: str) -> Survey | None:
    """The survey with this address, its structure from the worker's copy when its stamp is current."""
    row = session.connection().execute(_STAMP_BY_SLUG, {"slug": slug}).first()  # a plain row: no ORM work
    return None if row is None else survey_structure(session, row.id, row.version)


def survey_structure(session, survey_id: int, version: str) -> Survey:
    """The survey `survey_id` whose stamp the caller just read as `version`: the kept copy if it has
    that stamp, else loaded now (and kept). A copy loaded after a later change carries the older
    stamp, so the next request, which reads the newer one, loads it again: never stale for long."""
    store = kept()
    with store.lock:
        survey = store.surveys.get(survey_id)
        if survey is not None and survey.version == version:
            store.surveys.move_to_end(survey_id)
            return survey
    survey = _load(session, survey_id)
    with store.lock:
        store.loads += 1
        store.surveys[survey_id] = survey
        store.surveys.move_to_end(survey_id)
        while len(store.surveys) > LIMIT:
            store.surveys.popitem(last=False)
    return survey


def _load(session, survey_id: int) -> Survey:
    survey = session.scalar(
        select(Survey).where(Survey.id == survey_id).execution_options(populate_existing=True)
        .options(selectinload(Survey.questions).selectinload(Question.choices).selectinload(Choice.image)))
    # Loaded in full above; detached, it is nobody's to change, and a later commit of this request's
    # session cannot expire it.
    for question in survey.questions:
        for choice in question.choices:
            if choice.image is not None:
                session.expunge(choice.image)
    session.expunge(survey)  # cascades to its questions and their choices
    return survey


@event.listens_for(Session, "after_flush")
def bump_versions(session, _flush_context) -> None:
    """A new stamp for every survey whose structure this flush changed."""
    survey_ids: set[int] = set()
    question_ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Survey):
            survey_ids.add(obj.id)  # a deleted one matches no row below
        elif isinstance(obj, Question | SurveyImage):
            survey_ids.add(obj.survey_id)
        elif isinstance(obj, Choice):
            question_ids.add(obj.question_id)
    if question_ids:
        survey_ids |= set(session.scalars(select(Question.survey_id).where(Question.id.in_(question_ids))))
    survey_ids.discard(None)
    if survey_ids:
        session.execute(update(Survey).where(Survey.id.in_(survey_ids)).values(version=new_version())
                        .execution_options(synchronize_session=False))
        for survey in session.identity_map.values():
            if isinstance(survey, Survey) and survey.id in survey_ids:
                session.expire(survey, ["version"])

