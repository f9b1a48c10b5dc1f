"""Temporary trials: what is tried, where (a premises or a point on a map), from and to, the feedback
survey its place's touchpoints lead to, the ideas it came from, and at the end a decision with a public
note. Services take plain arguments and flush; the view commits.

Everything a trial points at must be its organisation's: `check_values` refuses a premises, map,
survey or idea of another organisation with `InvalidChoice`, naming the field.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, func, literal, select

from engagement.competitions.models import Competition, Idea
from engagement.competitions.services import PUBLISHED
from engagement.models import Organisation
from engagement.premises.models import Premises, PremisesStatus, StatusChange, Trial, TrialDecision
from engagement.touchpoints.models import Touchpoint
from extensions import wait_for_write_turn
from surveys.maps import SurveyMap
from surveys.models import Survey


class InvalidChoice(Exception):
    """A premises, map, survey or idea that is not one of the organisation's (`field` names the form field)."""

    def __init__(self, field_name: str):
        super().__init__(field_name)
        self.field = field_name


@dataclass
class TrialValues:
    title: str
    description: str
    starts_on: date
    ends_on: date
    premises_id: int | None = None
    map_id: int | None = None
    map_x: float | None = None
    map_y: float | None = None
    survey_id: int | None = None
    idea_ids: list[int] = field(default_factory=list)


def list_trials(session, organisation_id: int) -> list[Trial]:
    """The organisation's trials, the latest start first."""
    return list(session.scalars(select(Trial).where(Trial.organisation_id == organisation_id)
                                .order_by(Trial.starts_on.desc(), Trial.id.desc())))


def premises_options(session, organisation_id: int) -> list[Premises]:
    return list(session.scalars(select(Premises).where(Premises.organisation_id == organisation_id)
                                .order_by(func.lower(Premises.address), Premises.id)))


def survey_options(session, organisation_id: int) -> list[Survey]:
    return list(session.scalars(select(Survey).where(Survey.organisation_id == organisation_id)
                                .order_by(Survey.created_at.desc(), Survey.id.desc())))


def idea_options(session, organisation_id: int, keep: tuple[int, ...] = ()) -> list[tuple[Competition, list[Idea]]]:
    """The published ideas of the organisation's competitions, per competition (newest competition first),
    plus the ideas in `keep` (those a trial already names, even if no longer published)."""
    published = Idea.status.in_(PUBLISHED)
    wanted = published | Idea.id.in_(keep) if keep else published
    rows = session.execute(select(Competition, Idea).join(Idea, Idea.competition_id == Competition.id)
                           .where(Competition.organisation_id == organisation_id, wanted)
                           .order_by(Competition.created_at.desc(), Competition.id.desc(), Idea.title, Idea.id))
    groups: dict[int, tuple[Competition, list[Idea]]] = {}
    for competition, idea in rows:
        groups.setdefault(competition.id, (competition, []))[1].append(idea)
    return list(groups.values())


def check_values(session, organisation_id: int, values: TrialValues, allowed_ideas: set[int]) -> None:
    """:raise InvalidChoice: for a premises, map, survey or idea that is not the organisation's (or, for
    an idea, not among `allowed_ideas`: published, or already named by the trial)."""
    owned = ((Premises, values.premises_id, "premises_id"), (SurveyMap, values.map_id, "map_id"),
             (Survey, values.survey_id, "survey_id"))
    for model, object_id, field_name in owned:
        if object_id is not None and session.scalar(select(model.id).where(
                model.id == object_id, model.organisation_id == organisation_id)) is None:
            raise InvalidChoice(field_name)
    if not set(values.idea_ids) <= allowed_ideas:
        raise InvalidChoice("ideas")


def create_trial(session, organisation_id: int, values: TrialValues, user_id: int | None,
                 status_note: str) -> tuple[Trial, bool]:
    """A new trial, or the same one already made (same title, place and dates: a form sent twice); with
    whether it is new. A vacant premises becomes "in trial", with `status_note` in its history.

    :raise InvalidChoice: see `check_values` (with the ideas that are published now).
    """
    allowed = {idea.id for _competition, ideas in idea_options(session, organisation_id) for idea in ideas}
    check_values(session, organisation_id, values, allowed)
    # Two posts of one form at the same moment queue here, so the second finds the first one's trial.
    wait_for_write_turn(session)
    session.scalar(select(Organisation.id).where(Organisation.id == organisation_id).with_for_update())
    same = session.scalar(select(Trial).where(
        Trial.organisation_id == organisation_id, Trial.title == values.title,
        Trial.starts_on == values.starts_on, Trial.ends_on == values.ends_on,
        Trial.premises_id.is_(None) if values.premises_id is None else Trial.premises_id == values.premises_id))
    if same is not None:
        return same, False
    trial = Trial(organisation_id=organisation_id)
    apply_values(session, trial, values)
    session.add(trial)
    mark_in_trial(session, trial.premises, user_id, status_note)
    session.flush()
    return trial, True


def update_trial(session, trial: Trial, values: TrialValues, user_id: int | None, status_note: str) -> None:
    """:raise InvalidChoice: see `check_values`; ideas the trial already names may stay."""
    allowed = {idea.id for _competition, ideas in idea_options(session, trial.organisation_id,
                                                                 tuple(i.id for i in trial.ideas)) for idea in ideas}
    check_values(session, trial.organisation_id, values, allowed)
    moved = values.premises_id != trial.premises_id
    apply_values(session, trial, values)
    if moved:
        mark_in_trial(session, trial.premises, user_id, status_note)
    session.flush()


def apply_values(session, trial: Trial, values: TrialValues) -> None:
    # Loaded before anything is set: a query in between would flush a half-filled new trial.
    premises = session.get(Premises, values.premises_id) if values.premises_id else None
    ideas = list(session.scalars(select(Idea).where(Idea.id.in_(values.idea_ids)))) if values.idea_ids else []
    trial.title, trial.description = values.title, values.description
    trial.starts_on, trial.ends_on = values.starts_on, values.ends_on
    trial.premises, trial.ideas = premises, ideas
    trial.map_id, trial.map_x, trial.map_y = values.map_id, values.map_x, values.map_y
    trial.survey_id = values.survey_id


def mark_in_trial(session, premises: Premises | None, user_id: int | None, note: str) -> None:
    """A vacant premises is now in trial, with a line in its history; any other status is left to staff."""
    if premises is None or premises.status is not PremisesStatus.vacant:
        return
    premises.status = PremisesStatus.in_trial
    premises.status_changes.append(StatusChange(status=PremisesStatus.in_trial, note=note, user_id=user_id))


def place_touchpoints(session, trial: Trial) -> list[Touchpoint]:
    """The organisation's touchpoints, those hanging at the trial's premises first, then by name."""
    # A CASE, not the comparison itself: PostgreSQL sorts its NULLs (no premises) first when descending.
    here = case((Touchpoint.premises_id == trial.premises_id, 0), else_=1) if trial.premises_id else literal(1)
    return list(session.scalars(select(Touchpoint).where(Touchpoint.organisation_id == trial.organisation_id)
                                .order_by(here, func.lower(Touchpoint.name), Touchpoint.id)))


def repoint(session, trial: Trial, touchpoint_ids: list[int]) -> int:
    """Let the chosen touchpoints of the trial's organisation lead to its feedback survey (the printed
    codes stay the same). Returns how many lead there now that did not before; ids of other
    organisations' touchpoints are ignored. A trial without a feedback survey moves nothing."""
    if trial.survey_id is None or not touchpoint_ids:
        return 0
    moved = list(session.scalars(select(Touchpoint).where(
        Touchpoint.organisation_id == trial.organisation_id, Touchpoint.id.in_(touchpoint_ids))))
    changed = 0
    for touchpoint in moved:
        if touchpoint.survey_id != trial.survey_id or touchpoint.competition_id is not None:
            touchpoint.survey_id, touchpoint.competition_id = trial.survey_id, None
            changed += 1
    session.flush()
    return changed


def repointed_message(changed: int, survey_title: str) -> str:
    if not changed:
        return _("The touchpoints you chose already led to »%(title)s«.", title=survey_title)
    return ngettext("%(num)d touchpoint now leads to »%(title)s«. Its QR code stays the same.",
                    "%(num)d touchpoints now lead to »%(title)s«. Their QR codes stay the same.", changed,
                    title=survey_title)


def decide(session, trial: Trial, decision: TrialDecision | None, note: str, now: datetime) -> None:
    """Record the decision and its public note at `now`; None withdraws the decision (the note stays)."""
    if decision is None:
        trial.decision, trial.decided_at = None, None
    elif decision is not trial.decision or note != trial.public_note or trial.decided_at is None:
        trial.decision, trial.decided_at = decision, now
    trial.public_note = note
    session.flush()
