"""The demo holds the whole loop on Algade 12, so a project lead can walk it: the empty shop with its owner's
contact, its posters and idea competition, a class's ideas, the most popular idea being tried out now with
feedback from before and during the trial, and an earlier trial's decision for the front page."""
from datetime import datetime, time

import pytest
from sqlalchemy import func, select

from engagement.competitions.models import Idea, IdeaOutcome
from engagement.competitions.results import idea_results
from engagement.demo.seed import seed
from engagement.premises.models import Premises, PremisesStatus, Trial
from engagement.touchpoints.models import Touchpoint
from surveys.models import Answer, Response
from surveys.timezone import from_local


@pytest.fixture
def algade(db):
    seed(db.session)
    db.session.commit()
    return db.session.scalar(select(Premises).where(Premises.address.like("Algade 12%")))


def test_algade_12_is_in_the_register_with_its_owner_and_everything_linked_to_it(db, algade):
    assert algade.status is PremisesStatus.in_trial and algade.owner_email and algade.contact_delete_on
    assert [change.status for change in algade.status_changes] == [PremisesStatus.in_trial, PremisesStatus.vacant]
    names = set(db.session.scalars(select(Touchpoint.name).where(Touchpoint.premises_id == algade.id)))
    assert names == {"Vinduet i Algade 12", "Døren til Algade 12", "Algade 12 under afprøvningen"}
    running, earlier = sorted(algade.trials, key=lambda trial: trial.decision is not None)
    assert running.decision is None and earlier.decision is not None and earlier.public_note


def test_the_most_popular_idea_is_tried_out_and_people_like_it_better_during_the_trial(db, algade):
    trial = db.session.scalar(select(Trial).where(Trial.premises_id == algade.id, Trial.decision.is_(None)))
    competition = trial.ideas[0].competition
    assert competition.premises_id == algade.id
    top = idea_results(db.session, competition)[0].idea
    assert trial.ideas == [top] and top.outcome is IdeaOutcome.trying
    assert db.session.scalar(select(func.count()).select_from(Idea).where(  # a class sent some of the ideas
        Idea.competition_id == competition.id, Idea.class_session_id.is_not(None))) == 4
    keep = trial.survey.questions[2].choices[0]  # "Ja, som det er"
    start = from_local(datetime.combine(trial.starts_on, time())).replace(tzinfo=None)

    def share_keeping(before: bool) -> float:
        period = Response.started_at < start if before else Response.started_at >= start
        answered = db.session.scalar(select(func.count()).select_from(Answer).join(Response).where(
            Answer.question_id == keep.question_id, period))
        kept = db.session.scalar(select(func.count()).select_from(Answer).join(Response).where(
            Answer.choice_id == keep.id, period))
        return kept / answered

    assert share_keeping(before=False) > share_keeping(before=True) + 0.15
