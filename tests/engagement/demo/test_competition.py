"""The demo competition `make run` seeds: a visitor finds the Algade 12 competition in its voting phase,
with a gallery worth voting in, a moderation queue with work in it, and a poster on the shop's door."""
import io
import re
import time

import pytest
from PIL import Image
from sqlalchemy import func, select

from engagement.competitions import services
from engagement.competitions.models import Competition, Idea, IdeaPhoto, IdeaStatus, ModerationEvent, Phase, Voter
from engagement.demo import competition as demo
from engagement.demo.seed import DEMO_EMAIL, seed
from engagement.models import User
from engagement.touchpoints.models import Touchpoint
from tests.builders import PASSWORD, password_hash


@pytest.fixture
def algade(db):
    started = time.perf_counter()
    seed(db.session)
    db.session.commit()
    seconds = time.perf_counter() - started
    competition = db.session.scalar(select(Competition).where(Competition.slug == demo.SLUG))
    return competition, seconds


def test_the_demo_competition_is_voting_with_ideas_votes_and_work_for_the_moderator(db, algade):
    competition, _seconds = algade  # how long seeding takes is not asserted: a busy machine would fail it
    assert competition.phase is Phase.voting and len(competition.categories) == 3
    statuses = dict(db.session.execute(select(Idea.status, func.count()).where(
        Idea.competition_id == competition.id).group_by(Idea.status)).all())
    assert statuses == {IdeaStatus.approved: 15, IdeaStatus.pending: 3, IdeaStatus.rejected: 1}
    assert db.session.scalar(select(func.count()).select_from(Voter)) == demo.DEVICES
    gallery = services.gallery(db.session, competition, sort="votes", per_page=15)
    votes = [gallery.votes.get(idea.id, 0) for idea in gallery.ideas]
    assert votes == sorted(votes, reverse=True) and votes[-1] > 0  # every idea got a vote, some many more
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent)) == 16


def test_the_demo_photos_are_clean_webp_sketches(db, algade):
    competition, _seconds = algade
    stored = db.session.scalars(select(IdeaPhoto).join(Idea).where(Idea.competition_id == competition.id)).all()
    assert len(stored) == 4
    for photo in stored:
        picture = Image.open(io.BytesIO(photo.data))
        assert picture.format == "WEBP" and not picture.getexif() and (picture.width, picture.height) == (1200, 900)


def test_the_poster_on_the_shop_door_leads_to_the_demo_competition(client, db, algade):
    competition, _seconds = algade
    door = db.session.scalar(select(Touchpoint).where(Touchpoint.competition_id == competition.id))
    response = client.get(f"/q/{door.code}")
    assert response.status_code == 303 and response.location == f"/c/{demo.SLUG}?via={door.code}"
    page = client.get(response.location).get_data(as_text=True)
    assert demo.TITLE in page
    ideas_through_door = db.session.scalar(select(func.count()).select_from(Idea).where(Idea.touchpoint_id == door.id))
    assert ideas_through_door == 6


def test_the_demo_admin_sees_the_pending_ideas_in_the_moderation_queue(client, db, staff, algade):
    competition, _seconds = algade
    admin = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    admin.password_hash = password_hash(PASSWORD)  # the demo's own password is slow to hash in every test
    db.session.commit()
    staff(admin)
    page = client.get(f"/staff/competitions/{competition.id}/ideas?status=pending").get_data(as_text=True)
    for title, *_rest in demo.PENDING:
        assert title in page
    assert not re.search(r"Riv det ned og lav parkering", page)
