"""Touchpoint services: plain arguments in, plain values out; they flush, the view commits.

Every function that staff reach takes the organisation id and filters by it,
so a touchpoint of another organisation is never loaded, listed or counted.
A touchpoint leads to a survey or to an idea competition (at most one).
"""
import functools
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, exists, func, literal_column, or_, select, union_all
from sqlalchemy.orm import joinedload, lazyload

from engagement.competitions.models import Competition, CompetitionStatus, Idea, Phase
from engagement.touchpoints.links import new_code, normalise_code
from engagement.touchpoints.models import Scan, Touchpoint, TouchpointKind
from extensions import commit_without_waiting_for_disk, utcnow, wait_for_write_turn
from surveys.maps import SurveyMap, on_map
from surveys.models import Question, Response, Survey, SurveyState, SurveyStatus, survey_state
from surveys.results import Filters, matching_responses
from surveys.timezone import from_local

# Lists of surveys show titles and states: their questions (loaded eagerly by default) are not needed.
WITHOUT_QUESTIONS = (lazyload(Survey.questions),)


class InvalidTarget(ValueError):
    """The chosen target is not one of the organisation's surveys or competitions."""


class InvalidMapPlace(ValueError):
    """The map is not one of the organisation's, or the place is not on it (both shares 0–1, or neither)."""


# The kinds of target a form value names ("survey:<id>", "competition:<id>"), by their model.
TARGET_MODELS = {"survey": Survey, "competition": Competition}


@dataclass(frozen=True)
class TouchpointValues:
    """What staff set on a touchpoint. `target` is "survey:<id>", "competition:<id>" or "" (none yet)."""
    name: str
    kind: TouchpointKind
    headline: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    note: str = ""
    target: str = ""
    # Where it is on one of the organisation's maps (surveys.maps): all three, or none.
    map_id: int | None = None
    map_x: float | None = None  # shares of the map's width and height, from the top left
    map_y: float | None = None
    # The premises it hangs at (engagement.premises, by table name); the form offers only the organisation's.
    premises_id: int | None = None


# -- staff ---------------------------------------------------------------------------------------

def list_touchpoints(session, organisation_id: int) -> list[Touchpoint]:
    """Active ones first, then by name."""
    return list(session.scalars(
        select(Touchpoint).where(Touchpoint.organisation_id == organisation_id)
        .options(joinedload(Touchpoint.survey).options(*WITHOUT_QUESTIONS))
        .order_by(Touchpoint.active.desc(), func.lower(Touchpoint.name), Touchpoint.id)))


def counts(session, touchpoint_ids: list[int]) -> dict[int, dict]:
    """Scans, last scan, completed responses and ideas sent per touchpoint, all time: two grouped queries."""
    figures = {tid: {"scans": 0, "last_scan": None, "completed": 0, "ideas": 0} for tid in touchpoint_ids}
    for tid, scans, last in session.execute(
            select(Scan.touchpoint_id, func.count(), func.max(Scan.scanned_at))
            .where(Scan.touchpoint_id.in_(touchpoint_ids)).group_by(Scan.touchpoint_id)):
        figures[tid].update(scans=scans, last_scan=last)
    # What people sent through each place, answers and ideas, in one round trip.
    completed = select(Response.touchpoint_id, literal_column("'completed'"), func.count()).where(
        Response.touchpoint_id.in_(touchpoint_ids), Response.completed_at.is_not(None)).group_by(Response.touchpoint_id)
    ideas = select(Idea.touchpoint_id, literal_column("'ideas'"), func.count()).where(
        Idea.touchpoint_id.in_(touchpoint_ids)).group_by(Idea.touchpoint_id)
    for tid, what, number in session.execute(union_all(completed, ideas)):
        figures[tid][what] = number
    return figures


def target_competitions(session, organisation_id: int, touchpoints: list[Touchpoint]) -> dict[int, Competition]:
    """The organisation's competitions these touchpoints lead to, by id, in one query ({} if none does)."""
    ids = {t.competition_id for t in touchpoints if t.competition_id}
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Competition).where(
        Competition.id.in_(ids), Competition.organisation_id == organisation_id))}


def target_options(session, organisation_id: int,
                   current_competition_id: int | None = None) -> list[tuple[str, Survey | Competition]]:
    """The targets a touchpoint of this organisation may point at, as (form value, survey or competition):
    every survey, then the competitions that are not closed, newest first. The touchpoint's current
    competition stays an option even when it has closed, so the touchpoint can be saved unchanged."""
    surveys = session.scalars(select(Survey).where(Survey.organisation_id == organisation_id)
                              .options(*WITHOUT_QUESTIONS).order_by(Survey.created_at.desc(), Survey.id.desc()))
    competitions = session.scalars(select(Competition).where(
        Competition.organisation_id == organisation_id,
        or_(Competition.status != CompetitionStatus.closed, Competition.id == current_competition_id))
        .order_by(Competition.created_at.desc(), Competition.id.desc()))
    return [(f"survey:{survey.id}", survey) for survey in surveys] + [
        (f"competition:{competition.id}", competition) for competition in competitions]


def target_value(touchpoint: Touchpoint | None) -> str:
    if touchpoint and touchpoint.survey_id:
        return f"survey:{touchpoint.survey_id}"
    if touchpoint and touchpoint.competition_id:
        return f"competition:{touchpoint.competition_id}"
    return ""


def resolve_target(session, organisation_id: int, target: str) -> tuple[str, int] | None:
    """("survey", id) or ("competition", id) for a form's target value; None for no target.

    :raise InvalidTarget: unless it names one of the organisation's surveys or competitions.
    """
    if not target:
        return None
    kind, _sep, raw_id = target.partition(":")
    model = TARGET_MODELS.get(kind)
    valid = model is not None and raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 10
    found = session.scalar(select(model.id).where(
        model.id == int(raw_id), model.organisation_id == organisation_id)) if valid else None
    if found is None:
        raise InvalidTarget(target)
    return kind, found


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
    kind, target_id = resolve_target(session, touchpoint.organisation_id, values.target) or (None, None)
    check_map_place(session, touchpoint.organisation_id, values)
    for name in ("name", "kind", "headline", "address", "latitude", "longitude", "note", "map_id", "map_x", "map_y",
                 "premises_id"):
        setattr(touchpoint, name, getattr(values, name))
    touchpoint.survey_id = target_id if kind == "survey" else None
    touchpoint.competition_id = target_id if kind == "competition" else None


def check_map_place(session, organisation_id: int, values: TouchpointValues) -> None:
    """:raise InvalidMapPlace: unless the place is on one of the organisation's maps, or there is none."""
    place = (values.map_id, values.map_x, values.map_y)
    if place == (None, None, None):
        return
    if None in place or not on_map(values.map_x, values.map_y):
        raise InvalidMapPlace(place)
    if session.scalar(select(SurveyMap.id).where(SurveyMap.id == values.map_id,
                                                  SurveyMap.organisation_id == organisation_id)) is None:
        raise InvalidMapPlace(place)


def place_from_coordinates(survey_map: SurveyMap, latitude: float | None,
                           longitude: float | None) -> tuple[float, float] | None:
    """Where a latitude and longitude fall on a georeferenced map, as shares rounded to 0.01 %; None when
    the map has no georeference, a coordinate is missing, or the place is off the map."""
    georeference = survey_map.georeference
    if georeference is None or latitude is None or longitude is None:
        return None
    x, y = (round(share, 4) for share in georeference.shares(latitude, longitude))
    return (x, y) if on_map(x, y) else None


def unused_code(session) -> str:
    # A clash is a one-in-a-billion event; the unique constraint is the last word if two race.
    while True:
        code = new_code()
        if not session.scalar(select(exists().where(Touchpoint.code == code))):
            return code


# -- the public scan ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScanOutcome:
    """Where a scan leads: `slug` when the survey (or the competition, if `competition_id`) can be
    taken part in now, else `reason` says why not."""
    code: str
    touchpoint_id: int
    organisation_id: int
    survey_id: int | None
    slug: str | None = None
    reason: str | None = None  # "inactive", "no_target", "draft", "scheduled" or "closed"
    competition_id: int | None = None
    survey_version: str | None = None  # the survey's stamp, to find its structure (surveys.structure)


def record_scan(session, raw_code: str, count: bool = True) -> ScanOutcome | None:
    """Look the code up (one indexed query) and count the scan (one insert); None for an unknown code.

    The scan row holds the time and the touchpoint, nothing about the person.
    Its `survey_id` (or `competition_id`) is set only when the scan is sent on
    to an open survey (or a published, not closed competition), so the funnel
    counts scans that could become answers or ideas. `count=False` (a HEAD
    request, a link preview) looks without counting.
    """
    code = normalise_code(raw_code)
    if code is None:
        return None
    row = session.connection().execute(scan_lookup(), {"code": code}).first()  # a plain row: no ORM work
    if row is None:
        return None
    # The row: the touchpoint (0-2), its survey (3-7), its competition (8-13) and the survey's stamp
    # (14); see scan_lookup.
    (touchpoint_id, organisation_id, active, survey_id), competition_id = row[:4], row[8]
    outcome = ScanOutcome(code, touchpoint_id, organisation_id, survey_id, competition_id=competition_id,
                          survey_version=row[14])
    if not active:
        outcome = replace(outcome, reason="inactive")
    elif survey_id is not None:
        outcome = survey_outcome(outcome, *row[4:8])
    elif competition_id is not None:
        outcome = competition_outcome(outcome, *row[9:14])
    else:
        outcome = replace(outcome, reason="no_target")
    if count:
        wait_for_write_turn(session)  # on SQLite, in line with the answers rather than sleeping on the lock
        # A scan is a count, not something a person sent: its commit need not wait for the disk (a killed
        # app server still loses none; a power cut may lose the last moment's scans, never an answer).
        commit_without_waiting_for_disk(session)
        # The table's insert, not the ORM's bulk insert: a plain INSERT with no mapper work.
        session.connection().execute(Scan.__table__.insert(), {
            "touchpoint_id": touchpoint_id, "scanned_at": utcnow(),
            "survey_id": survey_id if outcome.slug else None,
            "competition_id": competition_id if outcome.slug else None})
    return outcome


def survey_outcome(outcome: ScanOutcome, slug, status, opens_at, closes_at) -> ScanOutcome:
    state = survey_state(status, opens_at, closes_at, utcnow())
    return replace(outcome, slug=slug) if state is SurveyState.open else replace(outcome, reason=state.value)


def competition_outcome(outcome: ScanOutcome, slug, status, submissions_open_at, voting_opens_at,
                        closes_at) -> ScanOutcome:
    """Published and not closed: to `/c/<slug>`, which also says when a competition opens later."""
    phase = Competition(status=status, submissions_open_at=submissions_open_at, voting_opens_at=voting_opens_at,
                        closes_at=closes_at).phase
    return replace(outcome, reason=phase.value) if phase in (Phase.draft, Phase.closed) else \
        replace(outcome, slug=slug)


@functools.cache
def scan_lookup():
    """The touchpoint and its survey or competition by code, built once: building it costs about as much
    as running it.

    Columns, not the Survey entity: loading that would also load its questions and choices.
    """
    return (select(Touchpoint.id, Touchpoint.organisation_id, Touchpoint.active, Survey.id, Survey.slug,
                   Survey.status, Survey.opens_at, Survey.closes_at,
                   Competition.id, Competition.slug, Competition.status, Competition.submissions_open_at,
                   Competition.voting_opens_at, Competition.closes_at, Survey.version)
            .outerjoin(Survey, (Survey.id == Touchpoint.survey_id)
                       & (Survey.organisation_id == Touchpoint.organisation_id))
            .outerjoin(Competition, (Competition.id == Touchpoint.competition_id)
                       & (Competition.organisation_id == Touchpoint.organisation_id))
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


def open_competitions(session, organisation_id: int) -> list[Competition]:
    """The organisation's competitions that take ideas or votes now, newest first."""
    now = utcnow()
    return list(session.scalars(select(Competition).where(
        Competition.organisation_id == organisation_id, Competition.status == CompetitionStatus.open,
        or_(Competition.submissions_open_at.is_(None), Competition.submissions_open_at <= now),
        or_(Competition.closes_at.is_(None), Competition.closes_at > now),
    ).order_by(Competition.created_at.desc(), Competition.id.desc())))


def attribution(session, survey: Survey, via: str) -> dict:
    """The Response columns for a survey started through `via` (the "survey_attribution" hook, extensions.HOOKS).

    Only a touchpoint of the survey's organisation that points at this survey
    counts: a code copied into another survey's address attributes nothing.
    """
    return touchpoint_pointing_at(session, via, Touchpoint.survey_id, survey)


def competition_attribution(session, competition: Competition, via: str) -> dict:
    """The Idea columns for an idea sent through `via` (the "idea_attribution" hook),
    by the same rule: only a touchpoint of the organisation that points at this competition counts."""
    return touchpoint_pointing_at(session, via, Touchpoint.competition_id, competition)


def touchpoint_pointing_at(session, via: str, column, target: Survey | Competition) -> dict:
    code = normalise_code(via)
    if code is None:
        return {}
    touchpoint_id = session.scalar(select(Touchpoint.id).where(
        Touchpoint.code == code, column == target.id, Touchpoint.organisation_id == target.organisation_id))
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


# -- rounds (surveys.rounds) ------------------------------------------------------------------------

def repoint_touchpoints(session, previous: Survey, new_round: Survey) -> int:
    """Let every touchpoint of the organisation that leads to `previous` lead to `new_round` (the next
    round of the same survey): posters keep their codes, the codes lead on. Returns how many moved."""
    moved = list(session.scalars(select(Touchpoint).where(
        Touchpoint.organisation_id == previous.organisation_id, Touchpoint.survey_id == previous.id)))
    for touchpoint in moved:
        touchpoint.survey_id = new_round.id
    session.flush()
    return len(moved)


def repointed_message(moved: int) -> str:
    return ngettext("%(num)d touchpoint now leads to the new round.",
                    "%(num)d touchpoints now lead to the new round.", moved)
