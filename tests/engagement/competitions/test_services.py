"""The competition services: one idea per submission key, one vote per device, dot budgets."""
import pytest

from engagement.competitions import services
from engagement.competitions.models import Idea, IdeaStatus, Vote, VotingMode
from engagement.competitions.services import IdeaValues
from tests.builders import make_competition, make_idea, make_org


def test_the_same_submission_key_sent_twice_stores_one_idea(db):
    competition = make_competition(db, make_org(db))
    first, stored = services.submit_idea(db.session, competition, "k" * 30, IdeaValues("Skatehal", "Tag over rampen"))
    again, stored_again = services.submit_idea(db.session, competition, "k" * 30, IdeaValues("Skatehal", "Tag"))
    db.session.commit()
    assert (stored, stored_again) == (True, False)
    assert again.id == first.id and again.description == "Tag over rampen"
    assert db.session.query(Idea).count() == 1
    assert first.status is IdeaStatus.pending


def test_an_unmoderated_competition_publishes_ideas_at_once(db):
    competition = make_competition(db, make_org(db), moderated=False)
    idea, _ = services.submit_idea(db.session, competition, "u" * 30, IdeaValues("Bænke", ""))
    assert idea.status is IdeaStatus.approved


def test_a_device_voting_twice_for_one_idea_counts_once(db):
    competition = make_competition(db, make_org(db))
    idea = make_idea(db, competition)
    for _ in range(3):
        services.set_vote(db.session, competition, idea, "device-a", 1)
    services.set_vote(db.session, competition, idea, "device-b", 1)
    db.session.commit()
    assert services.vote_counts(db.session, [idea.id]) == {idea.id: 2}
    assert db.session.query(Vote).count() == 2


def test_dot_voting_refuses_more_dots_than_the_budget(db):
    competition = make_competition(db, make_org(db), voting_mode=VotingMode.dots, dots_per_device=3)
    one, two = make_idea(db, competition), make_idea(db, competition)
    budget = services.public_budget(competition)
    services.set_vote(db.session, competition, one, "d", 2, budget=budget)
    with pytest.raises(services.VoteRefused):
        services.set_vote(db.session, competition, two, "d", 2, budget=budget)
    services.set_vote(db.session, competition, two, "d", 1, budget=budget)
    services.set_vote(db.session, competition, one, "d", 0, budget=budget)
    db.session.commit()
    assert services.device_votes(db.session, competition, "d") == {two.id: 1}


def test_the_gallery_shows_published_ideas_only_sorted_by_votes(db):
    competition = make_competition(db, make_org(db))
    quiet, popular = make_idea(db, competition), make_idea(db, competition)
    make_idea(db, competition, status="pending")
    make_idea(db, competition, status="rejected")
    for device in ("a", "b"):
        services.set_vote(db.session, competition, popular, device, 1)
    db.session.commit()
    page = services.gallery(db.session, competition, sort="votes")
    assert [i.id for i in page.ideas] == [popular.id, quiet.id]
    assert page.total == 2 and page.votes == {popular.id: 2}


def test_class_votes_are_kept_apart_from_the_public_vote(db):
    competition = make_competition(db, make_org(db))
    idea = make_idea(db, competition)
    services.set_vote(db.session, competition, idea, "d", 1, ballot=services.class_ballot(7), budget=3)
    db.session.commit()
    assert services.vote_counts(db.session, [idea.id]) == {}
    assert services.vote_counts(db.session, [idea.id], ballot="class-7") == {idea.id: 1}


def test_every_moderation_action_is_logged_with_who_and_what(db):
    import json

    from engagement.competitions import moderation
    from engagement.competitions.models import ModerationEvent
    from tests.builders import make_user

    org = make_org(db)
    editor = make_user(db, org)
    idea = make_idea(db, make_competition(db, org), status="pending", title="Skatehal", description="Tag over")
    assert moderation.set_status(db.session, idea, editor, "rejected", reason="  Dubletter  ")
    assert not moderation.set_status(db.session, idea, editor, "rejected")
    assert moderation.edit_text(db.session, idea, editor, "Skatehal med tag", "Tag over")
    db.session.commit()
    events = db.session.query(ModerationEvent).order_by(ModerationEvent.id).all()
    assert [(e.action, e.user_id) for e in events] == [("rejected", editor.id), ("edited", editor.id)]
    assert json.loads(events[0].detail) == {"reason": "Dubletter"}
    assert json.loads(events[1].detail)["before"]["title"] == "Skatehal"
    assert idea.rejection_reason == "Dubletter" and idea.title == "Skatehal med tag"
