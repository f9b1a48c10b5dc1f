"""Competition services: sending ideas, voting, and reading the gallery.

They take a database session and plain values, flush and never commit (the
view commits once). Both sending an idea and voting are safe under repeated
and parallel posts: the idea's key and the (voter, idea) pair are unique in
the database, and a losing insert is ignored rather than raised.
"""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from engagement.competitions.models import (
    PUBLISHED_STATUSES,
    Competition,
    Idea,
    IdeaPhoto,
    IdeaStatus,
    Phase,
    Vote,
    Voter,
    VotingMode,
)
from engagement.mail import services as mail
from extensions import page_of, utcnow
from surveys.forms import is_slug
from surveys.timezone import to_local

PUBLIC_BALLOT = "public"
PUBLISHED = PUBLISHED_STATUSES


def class_ballot(class_session_id: int) -> str:
    return f"class-{class_session_id}"


def attribution_for(competition: Competition, via: str | None, resolvers) -> dict:
    """Where a person came from, as for surveys (surveys.answering.attribution_for): the Idea columns
    that the `resolvers` (the app's "idea_attribution" hooks) find for the `via` token."""
    values: dict = {}
    for resolve in resolvers if via else ():
        values.update(resolve(competition, via))
    return values


def _insert(session):
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def load_competition(session, slug: str) -> Competition | None:
    """The competition at `/c/<slug>`; None for a draft, or a slug no competition can have
    (checked before the query: a NUL in the address would crash PostgreSQL)."""
    if not is_slug(slug or ""):
        return None
    competition = session.scalar(select(Competition).where(Competition.slug == slug))
    if competition is None or competition.phase is Phase.draft:
        return None
    return competition


@dataclass
class IdeaValues:
    title: str
    description: str
    category_id: int | None = None
    nickname: str = ""
    age_band: str = ""
    contact_email: str | None = None  # only when contact_consent is True
    contact_consent: bool = False
    contact_kept_until: date | None = None  # the day the form promised: the address is never kept longer


@dataclass
class CleanPhoto:
    """A photo after engagement.competitions.photos has cleaned it."""
    content_type: str
    width: int
    height: int
    data: bytes
    thumbnail: bytes
    print_jpeg: bytes  # at most print size, for the PDFs (photos.clean_photo)


def submit_idea(session, competition: Competition, key: str, values: IdeaValues, photo: CleanPhoto | None = None,
                touchpoint_id: int | None = None, class_session_id: int | None = None) -> tuple[Idea, bool]:
    """Store an idea sent with the one-time `key`; (idea, True) if this call stored it.

    A second post with the same key (double tap, resend) stores nothing and
    returns the idea the first post stored, (idea, False), so the person sees
    the same receipt. An idea in an unmoderated competition is approved at once.

    :raise KeyTaken: if the key belongs to another competition's idea.
    """
    if values.contact_email and not values.contact_consent:
        raise ValueError("contact e-mail without consent")
    now = utcnow()
    status = IdeaStatus.pending if competition.moderated else IdeaStatus.approved
    stored = session.execute(
        _insert(session)(Idea).values(
            competition_id=competition.id, key=key, title=values.title, description=values.description,
            category_id=values.category_id, nickname=values.nickname, age_band=values.age_band,
            status=status, rejection_reason="",
            touchpoint_id=touchpoint_id, class_session_id=class_session_id, submitted_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["key"]).returning(Idea.id)).scalar()
    idea = session.scalar(select(Idea).where(Idea.key == key))
    if idea.competition_id != competition.id:
        raise KeyTaken()
    if stored is not None and photo is not None:
        session.add(IdeaPhoto(idea_id=idea.id, content_type=photo.content_type, width=photo.width,
                              height=photo.height, data=photo.data, thumbnail=photo.thumbnail,
                              print_jpeg=photo.print_jpeg))
    if stored is not None and values.contact_email and values.contact_consent:
        idea.contact = keep_contact(session, competition, values, now)
    if stored is not None and (photo is not None or idea.contact is not None):
        session.flush()
        session.refresh(idea)
    return idea, stored is not None


def keep_contact(session, competition: Competition, values: IdeaValues, now: datetime):
    """The sender's address as an engagement.mail subscription, kept until the competition's contact
    deadline or the day the form showed, whichever is sooner; None if that day is not after today
    (the form did not ask, so a posted address is dropped)."""
    today = to_local(now).date()
    deadline = competition.contact_deadline(today)
    if deadline is not None and values.contact_kept_until is not None:
        deadline = min(deadline, values.contact_kept_until)
    if deadline is None or deadline <= today:
        return None
    return mail.subscribe(session, competition.organisation_id, values.contact_email, deadline,
                          competition.language, values.title, today)


class KeyTaken(Exception):
    """The submission key is already used by another competition."""


def device_hash(secret: str, device_token: str) -> str:
    """What is stored of a device's random cookie: a keyed hash, useless without the app's secret."""
    return hmac.new(secret.encode(), device_token.encode(), hashlib.sha256).hexdigest()


class VoteRefused(Exception):
    """The vote is not allowed; `reason` is "no_dots_left" or "not_voting"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def voter_for(session, competition: Competition, device: str, ballot: str = PUBLIC_BALLOT, lock: bool = True) -> Voter:
    """The device's voter row in this ballot, created if missing, locked for this transaction.

    The lock makes parallel votes of one device queue up, so a dot budget cannot be overspent.
    """
    session.execute(_insert(session)(Voter).values(
        competition_id=competition.id, ballot=ballot, device_hash=device, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["competition_id", "ballot", "device_hash"]))
    query = select(Voter).where(Voter.competition_id == competition.id, Voter.ballot == ballot,
                                Voter.device_hash == device)
    return session.scalar(query.with_for_update() if lock else query)


def set_vote(session, competition: Competition, idea: Idea, device: str, dots: int,
             ballot: str = PUBLIC_BALLOT, budget: int | None = None) -> int:
    """Give `idea` this device's `dots` (0 takes the vote back); returns the dots the idea has from it.

    In single mode (`budget` None) a vote is 1 dot, and voting again changes
    nothing. With a budget (dot voting), the device's dots over all ideas in
    this ballot may not exceed it.

    :raise VoteRefused: "no_dots_left" if the budget would be exceeded.
    """
    dots = max(0, dots if budget is not None else min(dots, 1))
    voter = voter_for(session, competition, device, ballot)
    current = session.scalar(select(Vote).where(Vote.voter_id == voter.id, Vote.idea_id == idea.id))
    if budget is not None:
        spent = session.scalar(select(func.coalesce(func.sum(Vote.dots), 0)).where(Vote.voter_id == voter.id))
        if spent - (current.dots if current else 0) + dots > budget:
            raise VoteRefused("no_dots_left")
    if dots == 0:
        if current is not None:
            session.delete(current)
    elif current is None:
        session.execute(_insert(session)(Vote).values(voter_id=voter.id, idea_id=idea.id, dots=dots, cast_at=utcnow())
                        .on_conflict_do_nothing(index_elements=["voter_id", "idea_id"]))
    else:
        current.dots = dots
    session.flush()
    return dots


def public_budget(competition: Competition) -> int | None:
    """The dots each device may spread in the public vote; None in single mode."""
    return competition.dots_per_device if competition.voting_mode is VotingMode.dots else None


def device_votes(session, competition: Competition, device: str | None, ballot: str = PUBLIC_BALLOT) -> dict[int, int]:
    """{idea id: dots} this device gave in the ballot ({} for a device that never voted)."""
    if not device:
        return {}
    rows = session.execute(
        select(Vote.idea_id, Vote.dots).join(Voter, Voter.id == Vote.voter_id)
        .where(Voter.competition_id == competition.id, Voter.ballot == ballot, Voter.device_hash == device))
    return dict(rows.all())


def vote_counts(session, idea_ids, ballot: str = PUBLIC_BALLOT) -> dict[int, int]:
    """{idea id: dots received in the ballot}; ideas without votes are missing."""
    ids = list(idea_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Vote.idea_id, func.sum(Vote.dots)).join(Voter, Voter.id == Vote.voter_id)
        .where(Vote.idea_id.in_(ids), Voter.ballot == ballot).group_by(Vote.idea_id))
    return {idea_id: int(total) for idea_id, total in rows}


def votes_subquery(competition: Competition, ballot: str = PUBLIC_BALLOT):
    """(idea_id, votes) per idea of the competition in the ballot, to join when sorting by votes.

    Filtered by competition inside, so a page view sums this competition's votes, not the database's.
    """
    return (select(Vote.idea_id, func.sum(Vote.dots).label("votes")).join(Voter, Voter.id == Vote.voter_id)
            .where(Voter.competition_id == competition.id, Voter.ballot == ballot)
            .group_by(Vote.idea_id).subquery())


@dataclass
class GalleryPage:
    ideas: list[Idea]
    votes: dict[int, int]
    page: int
    pages: int
    total: int


def gallery(session, competition: Competition, category_id: int | None = None, sort: str = "newest",
            page: int = 1, per_page: int = 12) -> GalleryPage:
    """Published ideas (approved and winners), newest first or most votes first, paged."""
    where = [Idea.competition_id == competition.id, Idea.status.in_(PUBLISHED)]
    if category_id is not None:
        where.append(Idea.category_id == category_id)
    query = select(Idea).where(*where)
    if sort == "votes":  # the votes are summed only when they decide the order
        votes = votes_subquery(competition)
        query = query.outerjoin(votes, votes.c.idea_id == Idea.id).order_by(
            func.coalesce(votes.c.votes, 0).desc(), Idea.submitted_at.desc(), Idea.id.desc())
    else:
        query = query.order_by(Idea.submitted_at.desc(), Idea.id.desc())
    found = page_of(session, query, page, per_page)
    return GalleryPage(found.items, vote_counts(session, [i.id for i in found.items]), found.page, found.pages,
                       found.total)
