"""What the town sees of the trials, through the hooks of the pages below this package
(extensions.HOOKS): "public_trial_notes" for the organisation's front page ("Det har vi prøvet af": the
trials with a decision) and "idea_trial_notes" for the public page of an idea (the trials it led to
that have begun or been decided). Never the owner's contact or a staff note: title, days, address,
decision and the public note only.
"""
from dataclasses import dataclass
from datetime import date

from babel.dates import format_interval
from flask_babel import get_locale
from sqlalchemy import or_, select

from engagement.premises.models import Trial, trial_ideas
from extensions import utcnow
from surveys.timezone import to_local

SHOWN_ON_FRONT = 10  # the latest decisions; older ones stay on the ideas' own pages


@dataclass(frozen=True)
class TrialNote:
    title: str
    starts_on: date
    ends_on: date
    when: str  # "1.–30. jun. 2026", in the page's language
    place: str  # the premises' address, or ""
    decision: str | None  # its label; None while undecided
    note: str
    running: bool  # today is one of its days


def note_of(trial: Trial, today: date) -> TrialNote:
    return TrialNote(title=trial.title, starts_on=trial.starts_on, ends_on=trial.ends_on,
                     when=format_interval(trial.starts_on, trial.ends_on, "yMMMd", locale=get_locale()),
                     place=trial.premises.address if trial.premises else "",
                     decision=trial.decision.label if trial.decision else None,
                     note=trial.public_note if trial.decision else "",
                     running=trial.starts_on <= today <= trial.ends_on)


def public_trial_notes(session, organisation_id: int) -> list[TrialNote]:
    """The organisation's decided trials, the latest decision first."""
    decided = session.scalars(select(Trial).where(Trial.organisation_id == organisation_id,
                                                  Trial.decision.is_not(None))
                              .order_by(Trial.decided_at.desc(), Trial.id.desc()).limit(SHOWN_ON_FRONT))
    today = to_local(utcnow()).date()
    return [note_of(trial, today) for trial in decided]


def idea_trial_notes(session, idea) -> list[TrialNote]:
    """The trials that came from `idea` (of its own organisation) and have begun or been decided."""
    today = to_local(utcnow()).date()
    found = session.scalars(select(Trial).join(trial_ideas, trial_ideas.c.trial_id == Trial.id)
                            .where(trial_ideas.c.idea_id == idea.id,
                                   Trial.organisation_id == idea.competition.organisation_id,
                                   or_(Trial.decision.is_not(None), Trial.starts_on <= today))
                            .order_by(Trial.starts_on.desc(), Trial.id.desc()))
    return [note_of(trial, today) for trial in found]
