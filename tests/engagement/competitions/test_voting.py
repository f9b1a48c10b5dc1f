"""Voting from phones: one vote per idea per device, dot budgets, only while voting is open."""
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engagement.competitions import device
from engagement.competitions.models import CompetitionStatus, Vote, Voter, VotingMode
from extensions import utcnow
from tests.builders import make_competition, make_idea, make_org
from tests.conftest import CSRF


@pytest.fixture
def competition(db):
    return make_competition(db, make_org(db), voting_opens_at=utcnow() - timedelta(hours=1))


def gallery_token(client, competition) -> str:
    return CSRF.search(client.get(f"/c/{competition.slug}/ideas?lang=en").get_data(as_text=True)).group(1)


def vote(client, competition, idea, dots=1, back=None, token=None, slug=None, idea_id=None):
    """POST a vote as the gallery's form does; `slug` and `idea_id` for threads, which cannot load rows."""
    slug, idea_id = slug or competition.slug, idea_id or idea.id
    return client.post(f"/c/{slug}/idea/{idea_id}/vote", data={
        "csrf_token": token or gallery_token(client, competition), "dots": str(dots),
        "next": back or f"/c/{slug}/ideas"})


def votes(db) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(Vote.dots), 0)))


def test_pupil_votes_and_comes_back_to_the_idea_in_the_gallery(client, db, competition):
    idea = make_idea(db, competition)
    response = vote(client, competition, idea, back=f"/c/{competition.slug}/ideas?sort=votes&page=1")
    assert response.status_code == 303
    assert response.location == f"/c/{competition.slug}/ideas?sort=votes&page=1#idea-{idea.id}"
    assert device.COOKIE in response.headers["Set-Cookie"]
    html = client.get(f"/c/{competition.slug}/ideas").get_data(as_text=True)
    assert "1 vote" in html and "Take back my vote" in html
    assert db.session.scalar(select(Voter.device_hash)) != client.get_cookie(device.COOKIE).value


def test_pupil_who_taps_vote_twice_is_counted_once_and_can_take_it_back(client, db, competition):
    idea = make_idea(db, competition)
    vote(client, competition, idea)
    vote(client, competition, idea)
    assert votes(db) == 1
    vote(client, competition, idea, dots=0, back=f"/c/{competition.slug}/idea/{idea.id}")
    assert votes(db) == 0
    assert "Vote<span" in client.get(f"/c/{competition.slug}/idea/{idea.id}").get_data(as_text=True)


def test_two_phones_voting_for_the_same_idea_give_two_votes(app, db, competition):
    idea = make_idea(db, competition)
    for _ in range(2):
        vote(app.test_client(), competition, idea)
    assert votes(db) == 2
    assert db.session.scalar(select(func.count(Voter.id))) == 2


def test_a_vote_returns_only_to_a_page_of_the_same_competition(client, db, competition):
    idea = make_idea(db, competition)
    gallery = f"/c/{competition.slug}/ideas#idea-{idea.id}"
    for evil in ("https://evil.example/", "//evil.example/c/", "/\\evil.example", "/staff/", "/c/other/ideas",
                 f"/c/{competition.slug}\t/x", ""):
        assert vote(client, competition, idea, back=evil).location == gallery


def test_a_vote_outside_the_voting_phase_is_refused_with_a_message_and_not_stored(client, db, competition):
    idea = make_idea(db, competition)
    token = gallery_token(client, competition)
    competition.voting_opens_at = utcnow() + timedelta(days=1)
    db.session.commit()
    early = vote(client, competition, idea, token=token)
    assert early.status_code == 409 and "Voting has not started yet" in early.get_data(as_text=True)
    competition.status = CompetitionStatus.closed
    db.session.commit()
    late = vote(client, competition, idea, token=token)
    assert late.status_code == 409 and "Voting has closed" in late.get_data(as_text=True)
    assert votes(db) == 0 and db.session.scalar(select(func.count(Voter.id))) == 0


def test_the_gallery_shows_no_vote_button_outside_the_voting_phase(client, db):
    collecting = make_competition(db, make_org(db))
    make_idea(db, collecting)
    assert 'name="dots"' not in client.get(f"/c/{collecting.slug}/ideas").get_data(as_text=True)


def test_a_pending_idea_cannot_be_voted_for(client, db, competition):
    make_idea(db, competition)  # the gallery shows a vote form only with a published idea
    pending = make_idea(db, competition, status="pending")
    assert vote(client, competition, pending).status_code == 404
    assert votes(db) == 0


def test_dot_voting_shows_the_dots_left_and_refuses_more_than_the_budget(client, db):
    competition = make_competition(db, make_org(db), voting_opens_at=utcnow() - timedelta(hours=1),
                                   voting_mode=VotingMode.dots, dots_per_device=3)
    one, two = make_idea(db, competition), make_idea(db, competition)
    assert "You have 3 dots left" in client.get(f"/c/{competition.slug}/ideas?lang=en").get_data(as_text=True)
    vote(client, competition, one, dots=2)
    vote(client, competition, two, dots=1)
    html = client.get(f"/c/{competition.slug}/ideas").get_data(as_text=True)
    assert "You have 0 dots left" in html
    assert re.search(r'name="dots" value="\d+" class="primary" disabled', html)
    refused = vote(client, competition, two, dots=2)
    assert refused.status_code == 409 and "You have used all your dots" in refused.get_data(as_text=True)
    vote(client, competition, one, dots=1)  # take a dot back
    assert "You have 1 dot left" in client.get(f"/c/{competition.slug}/ideas").get_data(as_text=True)
    assert votes(db) == 2


def test_a_vote_with_nonsense_dots_is_refused(client, db, competition):
    idea = make_idea(db, competition)
    assert vote(client, competition, idea, dots="lots").status_code == 400
    assert vote(client, competition, idea, dots=-1).status_code == 400
    assert votes(db) == 0


def test_a_vote_after_the_session_expired_stores_nothing_and_offers_the_way_back(app, db, competition):
    idea = make_idea(db, competition)
    token = gallery_token(app.test_client(), competition)
    stranger = app.test_client()
    response = vote(stranger, competition, idea, token=token)
    assert response.status_code == 400
    assert f'href="/c/{competition.slug}/ideas#idea-{idea.id}"' in response.get_data(as_text=True)
    assert votes(db) == 0


def test_votes_from_one_address_are_rate_limited_with_the_friendly_page(app, client, db, competition):
    ideas = [make_idea(db, competition) for _ in range(4)]
    token = gallery_token(client, competition)
    before = app.config["VOTE_RATE_LIMIT"]
    app.config["VOTE_RATE_LIMIT"] = "3 per minute"
    try:
        codes = [vote(client, competition, idea, token=token).status_code for idea in ideas]
        last = vote(client, competition, ideas[0], token=token)
    finally:
        app.config["VOTE_RATE_LIMIT"] = before
    assert codes == [303, 303, 303, 429]
    assert "Too many tries" in last.get_data(as_text=True)
    assert votes(db) == 3


def test_a_school_class_of_30_phones_behind_one_address_can_each_vote_twice_in_a_minute(app, db, competition):
    """With the default limit: a class shares the school's one address, and nobody is turned away."""
    ideas = [make_idea(db, competition) for _ in range(2)]
    slug, idea_ids = competition.slug, [idea.id for idea in ideas]
    codes = []
    for _pupil in range(30):
        phone = app.test_client()
        token = gallery_token(phone, competition)
        codes += [vote(phone, None, None, token=token, slug=slug, idea_id=i).status_code for i in idea_ids]
    assert codes == [303] * 60
    assert votes(db) == 60


def test_fifty_parallel_votes_from_one_phone_count_once(app, db, competition):
    idea = make_idea(db, competition)
    client = app.test_client()
    token = gallery_token(client, competition)
    session_cookie = client.get_cookie("session").value
    phone = "p" * 43  # the phone's device cookie, as set by an earlier vote
    slug, idea_id = competition.slug, idea.id

    def post(_n):
        other = app.test_client()
        other.set_cookie("session", session_cookie)
        other.set_cookie(device.COOKIE, phone)
        return vote(other, None, None, token=token, slug=slug, idea_id=idea_id).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(post, range(50)))
    assert codes == [303] * 50
    assert db.session.scalar(select(func.count(Vote.id))) == 1
    assert db.session.scalar(select(func.count(Voter.id))) == 1
