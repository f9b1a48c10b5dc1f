"""Everything linked to a premises, read for its page and for the owner's summary: the touchpoints hanging
there with their scans, the competitions about it with their ideas and votes, the class sessions that
worked on those competitions or on the surveys of those touchpoints, and its trials.

Everything is read through the premises' organisation as well as its id, so a link that points across
organisations (which no form makes) shows nothing.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from engagement.classes.models import ClassSession
from engagement.classes.services import competition_counts, survey_counts
from engagement.competitions.editing import status_counts
from engagement.competitions.models import PUBLISHED_STATUSES, Competition, Idea, Vote
from engagement.premises.models import Premises, Trial
from engagement.touchpoints import services as touchpoint_services
from engagement.touchpoints.models import Touchpoint
from surveys.timezone import to_local


@dataclass
class LinkedCompetition:
    competition: Competition
    sent: int  # every idea, whatever became of it
    published: int
    votes: int  # dots cast on its ideas, public and in classes


@dataclass
class ClassRow:
    class_session: ClassSession
    day: str  # "14.03.2026"
    worked_on: str  # the survey's or competition's title
    result: str  # "24 ideas · 26 pupils voted", or "fewer than 5"


@dataclass
class Linked:
    touchpoints: list[Touchpoint] = field(default_factory=list)
    scans: dict[int, dict] = field(default_factory=dict)  # touchpoints.services.counts
    competitions: list[LinkedCompetition] = field(default_factory=list)
    classes: list[ClassRow] = field(default_factory=list)
    trials: list[Trial] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.touchpoints or self.competitions or self.classes or self.trials)


def linked(session, premises: Premises, min_group: int) -> Linked:
    """What is linked to `premises`; class results of fewer than `min_group` pupils are not counted out."""
    organisation_id = premises.organisation_id
    touchpoints = list(session.scalars(select(Touchpoint).where(
        Touchpoint.premises_id == premises.id, Touchpoint.organisation_id == organisation_id)
        .order_by(Touchpoint.active.desc(), func.lower(Touchpoint.name), Touchpoint.id)))
    competitions = list(session.scalars(select(Competition).where(
        Competition.premises_id == premises.id, Competition.organisation_id == organisation_id)
        .order_by(Competition.created_at, Competition.id)))
    trials = list(session.scalars(select(Trial).where(Trial.premises_id == premises.id,
                                                      Trial.organisation_id == organisation_id)
                                  .order_by(Trial.starts_on.desc(), Trial.id.desc())))
    sessions = class_sessions(session, organisation_id, [c.id for c in competitions],
                              [t.survey_id for t in touchpoints if t.survey_id])
    return Linked(touchpoints, touchpoint_services.counts(session, [t.id for t in touchpoints]),
                  competition_figures(session, competitions), class_rows(session, sessions, min_group), trials)


def competition_figures(session, competitions: list[Competition]) -> list[LinkedCompetition]:
    counts = status_counts(session, [c.id for c in competitions])
    votes = dict(session.execute(select(Idea.competition_id, func.sum(Vote.dots)).join(Vote, Vote.idea_id == Idea.id)
                                 .where(Idea.competition_id.in_(list(counts))).group_by(Idea.competition_id)).all())
    return [LinkedCompetition(c, sum(counts[c.id].values()), sum(counts[c.id][s] for s in PUBLISHED_STATUSES),
                              int(votes.get(c.id) or 0)) for c in competitions]


def class_sessions(session, organisation_id: int, competition_ids: list[int], survey_ids: list[int]) -> list:
    """The organisation's class sessions that ran one of the competitions or surveys, oldest first."""
    if not competition_ids and not survey_ids:
        return []
    return list(session.scalars(select(ClassSession).where(
        ClassSession.organisation_id == organisation_id,
        or_(ClassSession.competition_id.in_(competition_ids) if competition_ids else false(),
            ClassSession.survey_id.in_(survey_ids) if survey_ids else false()))
        .options(selectinload(ClassSession.survey), selectinload(ClassSession.competition))
        .order_by(ClassSession.created_at, ClassSession.id)))


def class_rows(session, sessions: list[ClassSession], min_group: int) -> list[ClassRow]:
    """What each class did, as engagement.reports.idea_parts.class_blocks says it: a session fewer than
    `min_group` pupils took part in shows "fewer than 5" instead of its numbers."""
    fewer = _("fewer than %(num)d", num=min_group)
    rows = []
    for class_session in sessions:
        day = to_local(class_session.created_at).strftime("%d.%m.%Y")
        if class_session.survey_id:
            done, _started = survey_counts(session, class_session)
            result = ngettext("%(num)d pupil answered", "%(num)d pupils answered", done) if done >= min_group \
                else fewer
            rows.append(ClassRow(class_session, day, class_session.survey.title, result))
        else:
            counts = competition_counts(session, class_session)
            shown = counts["voters"] >= min_group or (counts["ideas"] and not counts["voters"])
            result = (ngettext("%(num)d idea", "%(num)d ideas", counts["ideas"]) + " · "
                      + ngettext("%(num)d pupil voted", "%(num)d pupils voted", counts["voters"])) if shown else fewer
            rows.append(ClassRow(class_session, day, class_session.competition.title, result))
    return rows
