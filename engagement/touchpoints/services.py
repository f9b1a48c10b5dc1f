"""Touchpoint services: plain arguments in, plain values out; they flush, the view commits.

Every function that staff reach takes the organisation id and filters by it,
so a touchpoint of another organisation is never loaded, listed or counted.
"""
import functools
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, or_, select
from sqlalchemy.orm import joinedload, lazyload

from engagement.touchpoints.links import new_code, normalise_code
from engagement.touchpoints.models import Scan, Touchpoint, TouchpointKind
from extensions import utcnow
from surveys.models import Question, Response, Survey, SurveyState, SurveyStatus
from surveys.results import Filters, matching_responses
from surveys.timezone import from_local


# Lists of surveys show titles and states: their questions (loaded eagerly by default) are not needed.
WITHOUT_QUESTIONS = (lazyload(Survey.questions),)


class InvalidTarget(ValueError):
    """The chosen target is not one of the organisation's surveys."""


@dataclass(frozen=True)
class TouchpointValues:
    """What staff set on a touchpoint. `target` is "survey:<id>" or "" (none yet); competitions will
    be "competition:<id>"."""
    name: str
    kind: TouchpointKind
    headline: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    note: str = ""
    target: str = ""


# -- staff ---------------------------------------------------------------------------------------

def load_touchpoint(session, organisation_id: int, touchpoint_id: int) -> Touchpoint | None:
    return session.scalar(select(Touchpoint).where(
        Touchpoint.id == touchpoint_id, Touchpoint.organisation_id == organisation_id))


def list_touchpoints(session, organisation_id: int) -> list[Touchpoint]:
    """Active ones first, then by name."""
    return list(session.scalars(
        select(Touchpoint).where(Touchpoint.organisation_id == organisation_id)
        .options(joinedload(Touchpoint.survey).options(*WITHOUT_QUESTIONS))
        .order_by(Touchpoint.active.desc(), func.lower(Touchpoint.name), Touchpoint.id)))


def counts(session, touchpoint_ids: list[int]) -> dict[int, dict]:
    """Scans, last scan and completed responses per touchpoint, all time: two grouped queries."""
    figures = {tid: {"scans": 0, "last_scan": None, "completed": 0} for tid in touchpoint_ids}
    for tid, scans, last in session.execute(
            select(Scan.touchpoint_id, func.count(), func.max(Scan.scanned_at))
            .where(Scan.touchpoint_id.in_(touchpoint_ids)).group_by(Scan.touchpoint_id)):
        figures[tid].update(scans=scans, last_scan=last)
    for tid, completed in session.execute(
            select(Response.touchpoint_id, func.count()).where(
                Response.touchpoint_id.in_(touchpoint_ids), Response.completed_at.is_not(None))
            .group_by(Response.touchpoint_id)):
        figures[tid]["completed"] = completed
    return figures


def target_options(session, organisation_id: int) -> list[tuple[str, Survey]]:
    """The targets a touchpoint of this organisation may point at, as (form value, survey), newest first."""
    surveys = session.scalars(select(Survey).where(Survey.organisation_id == organisation_id)
                              .options(*WITHOUT_QUESTIONS).order_by(Survey.created_at.desc(), Survey.id.desc()))
    return [(f"survey:{survey.id}", survey) for survey in surveys]


def target_value(touchpoint: Touchpoint | None) -> str:
    return f"survey:{touchpoint.survey_id}" if touchpoint and touchpoint.survey_id else ""


def resolve_target(session, organisation_id: int, target: str) -> int | None:
    """The survey id for a form's target value. :raise InvalidTarget: unless it is the organisation's."""
    if not target:
        return None
    kind, _sep, raw_id = target.partition(":")
    valid = kind == "survey" and raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10
    survey_id = session.scalar(select(Survey.id).where(
        Survey.id == int(raw_id), Survey.organisation_id == organisation_id)) if valid else None
    if survey_id is None:
        raise InvalidTarget(target)
    return survey_id


def create_touchpoint(session, organisation_id: int, values: TouchpointValues) -> Touchpoint:
    """A new touchpoint with a fresh code. :raise InvalidTarget: see `resolve_target`."""
    touchpoint = Touchpoint(organisation_id=organisation_id, code=unused_code(session))
    apply_values(session, touchpoint, values)
    session.add(touchpoint)
    session.flush()
    return touchpoint


def update_touchpoint(session, touchpoint: Touchpoint, values: TouchpointValues) -> None:
    """Change everything but the code, which is printed and so never changes."""
    apply_values(session, touchpoint, values)
    session.flush()


def apply_values(session, touchpoint: Touchpoint, values: TouchpointValues) -> None:
    survey_id = resolve_target(session, touchpoint.organisation_id, values.target)
    for name in ("name", "kind", "headline", "address", "latitude", "longitude", "note"):
        setattr(touchpoint, name, getattr(values, name))
    touchpoint.survey_id = survey_id


def unused_code(session) -> str:
    # A clash is a one-in-a-billion event; the unique constraint is the last word if two race.
    while True:
        code = new_code()
        if not session.scalar(select(exists().where(Touchpoint.code == code))):
            return code


# -- the public scan ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScanOutcome:
    """Where a scan leads: `slug` when the survey is open, else `reason` says why not."""
    code: str
    touchpoint_id: int
    organisation_id: int
    survey_id: int | None
    slug: str | None = None
    reason: str | None = None  # "inactive", "no_target", "draft", "scheduled" or "closed"


def record_scan(session, raw_code: str, count: bool = True) -> ScanOutcome | None:
    """Look the code up (one indexed query) and count the scan (one insert); None for an unknown code.

    The scan row holds the time and the touchpoint, nothing about the person.
    Its `survey_id` is set only when the scan is sent on to an open survey, so
    the funnel counts scans that could become answers. `count=False` (a HEAD
    request, a link preview) looks without counting.
    """
    code = normalise_code(raw_code)
    if code is None:
        return None
    row = session.execute(scan_lookup(), {"code": code}).first()
    if row is None:
        return None
    touchpoint_id, organisation_id, active, survey_id, slug, status, opens_at, closes_at = row
    outcome = ScanOutcome(code, touchpoint_id, organisation_id, survey_id)
    if not active:
        outcome = replace(outcome, reason="inactive")
    elif survey_id is None:
        outcome = replace(outcome, reason="no_target")
    else:
        # A transient Survey, never added to the session, only to ask the one rule for its state.
        state = Survey(status=status, opens_at=opens_at, closes_at=closes_at).state
        outcome = replace(outcome, slug=slug) if state is SurveyState.open else replace(outcome, reason=state.value)
    if count:
        # The table's insert, not the ORM's bulk insert: a plain INSERT with no mapper work.
        session.execute(Scan.__table__.insert(), {"touchpoint_id": touchpoint_id, "scanned_at": utcnow(),
                                                  "survey_id": survey_id if outcome.slug else None})
    return outcome


@functools.cache
def scan_lookup():
    """The touchpoint and its survey by code, built once: building it costs about as much as running it.

    Columns, not the Survey entity: loading that would also load its questions and choices.
    """
    return (select(Touchpoint.id, Touchpoint.organisation_id, Touchpoint.active, Survey.id, Survey.slug,
                   Survey.status, Survey.opens_at, Survey.closes_at)
            .outerjoin(Survey, (Survey.id == Touchpoint.survey_id)
                       & (Survey.organisation_id == Touchpoint.organisation_id))
            .where(Touchpoint.code == bindparam("code")))


def open_surveys(session, organisation_id: int) -> list[Survey]:
    """The organisation's surveys that people can answer now (open, in their time window, with questions)."""
    now = utcnow()
    return list(session.scalars(select(Survey).where(
        Survey.organisation_id == organisation_id, Survey.status == SurveyStatus.open,
        or_(Survey.opens_at.is_(None), Survey.opens_at <= now),
        or_(Survey.closes_at.is_(None), Survey.closes_at > now),
        exists().where(Question.survey_id == Survey.id),
    ).options(*WITHOUT_QUESTIONS).order_by(Survey.created_at.desc(), Survey.id.desc())))


def attribution(session, survey: Survey, via: str) -> dict:
    """The Response columns for a survey started through `via` (see surveys.answering.ATTRIBUTION).

    Only a touchpoint of the survey's organisation that points at this survey
    counts: a code copied into another survey's address attributes nothing.
    """
    code = normalise_code(via)
    if code is None:
        return {}
    touchpoint_id = session.scalar(select(Touchpoint.id).where(
        Touchpoint.code == code, Touchpoint.survey_id == survey.id,
        Touchpoint.organisation_id == survey.organisation_id))
    return {"touchpoint_id": touchpoint_id} if touchpoint_id else {}


# -- results ----------------------------------------------------------------------------------------

def funnel(session, survey: Survey, filters: Filters) -> list[dict]:
    """Scans → started → completed per touchpoint, for the results page; three grouped queries.

    One row per touchpoint of the survey's organisation that points at the
    survey or brought it scans or responses, busiest first, then a row for
    responses that came without a touchpoint ("Direct link", `touchpoint_id`
    None, `scans` None). The filter's dates apply to scans and responses; the
    answer filter does not, since a scan has no answers; incomplete responses
    always count as started. A touchpoint filter (`filters.attribution`)
    keeps only that touchpoint's row. Rates are fractions, None when dividing by 0.
    """
    ids = matching_responses(survey, Filters(since=filters.since, until=filters.until, include_incomplete=True,
                                             attribution=filters.attribution)).subquery()
    responses = {tid: (started, completed) for tid, started, completed in session.execute(
        select(Response.touchpoint_id, func.count(), func.count(Response.completed_at))
        .where(Response.id.in_(select(ids.c.id))).group_by(Response.touchpoint_id))}
    scans = dict(session.execute(scans_query(survey, filters)).all())
    touchpoints = session.execute(
        select(Touchpoint.id, Touchpoint.name, Touchpoint.kind, Touchpoint.active).where(
            Touchpoint.organisation_id == survey.organisation_id,
            or_(Touchpoint.survey_id == survey.id, Touchpoint.id.in_([t for t in {*responses, *scans} if t]))))
    wanted = dict(filters.attribution).get("touchpoint_id")
    rows = [funnel_row(tid, name, kind, active, scans.get(tid, 0), *responses.get(tid, (0, 0)))
            for tid, name, kind, active in touchpoints if wanted in (None, tid)]
    rows.sort(key=lambda row: (-row["scans"], -row["started"], row["name"].lower()))
    if wanted is None:
        rows.append(funnel_row(None, _("Direct link"), None, True, None, *responses.get(None, (0, 0))))
    return rows


def scans_query(survey: Survey, filters: Filters):
    query = select(Scan.touchpoint_id, func.count()).where(Scan.survey_id == survey.id)
    if filters.since:
        query = query.where(Scan.scanned_at >= from_local(datetime.combine(filters.since, time())))
    if filters.until:
        query = query.where(Scan.scanned_at < from_local(datetime.combine(filters.until + timedelta(days=1), time())))
    return query.group_by(Scan.touchpoint_id)


def funnel_row(touchpoint_id, name, kind, active, scans, started, completed) -> dict:
    return {"touchpoint_id": touchpoint_id, "name": name, "kind": kind, "kind_label": kind.label if kind else "",
            "active": active, "scans": scans, "started": started, "completed": completed,
            "start_rate": rate(started, scans), "completion_rate": rate(completed, started),
            "scan_to_completed_rate": rate(completed, scans)}


def rate(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None


def filter_options(session, organisation_id: int) -> list[tuple[int, str]]:
    """The organisation's touchpoints as (id, name) for a results filter, by name."""
    return list(session.execute(select(Touchpoint.id, Touchpoint.name).where(
        Touchpoint.organisation_id == organisation_id).order_by(func.lower(Touchpoint.name), Touchpoint.id)).all())


def survey_touchpoint_names(session, survey: Survey) -> dict[int, str]:
    """Names of the touchpoints that point at `survey` or brought it responses, by id ({} if none)."""
    brought = select(Response.touchpoint_id).where(Response.survey_id == survey.id,
                                                   Response.touchpoint_id.is_not(None))
    return dict(session.execute(select(Touchpoint.id, Touchpoint.name).where(
        Touchpoint.organisation_id == survey.organisation_id,
        or_(Touchpoint.survey_id == survey.id, Touchpoint.id.in_(brought)))).all())
