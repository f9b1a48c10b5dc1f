"""Idea competitions: a brief, the ideas people send, the votes they give, and what moderators did.

Photos live in the database (`idea_photos`), as survey option pictures do:
every app server behind a load balancer sees them without a shared folder,
and a database backup holds everything. They are re-encoded and downscaled
first (engagement.competitions.photos), so a photo is about 100–300 KB.
"""
import enum
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.mail.models import Subscription
from engagement.models import User
from extensions import db, utcnow
from surveys.timezone import to_local


class CompetitionStatus(enum.Enum):
    """What staff set. The phase people see also depends on the dates."""
    draft = "draft"
    open = "open"
    closed = "closed"


class Phase(enum.Enum):
    draft = "draft"
    upcoming = "upcoming"      # published, but submissions have not opened yet
    submitting = "submitting"
    voting = "voting"
    closed = "closed"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.draft: _l("Draft"),
    Phase.upcoming: _l("Opens later"),
    Phase.submitting: _l("Collecting ideas"),
    Phase.voting: _l("Voting"),
    Phase.closed: _l("Closed"),
}


class PhotoRule(enum.Enum):
    none = "none"
    optional = "optional"
    required = "required"


class VotingMode(enum.Enum):
    single = "single"  # one vote per idea per device
    dots = "dots"      # each device spreads a number of dots over the ideas


class IdeaStatus(enum.Enum):
    """Moderation: whether the idea is shown. What became of it afterwards is its `IdeaOutcome`."""
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    winner = "winner"

    @property
    def published(self) -> bool:
        return self in PUBLISHED_STATUSES

    @property
    def label(self) -> str:
        return IDEA_STATUS_LABELS[self]


PUBLISHED_STATUSES = (IdeaStatus.approved, IdeaStatus.winner)


class IdeaOutcome(enum.Enum):
    """What became of a published idea, each set with a public answer from the partnership (IdeaUpdate)."""
    selected = "selected"          # udvalgt til afprøvning
    trying = "trying"              # afprøves nu
    realised = "realised"          # gennemført
    not_possible = "not_possible"  # ikke muligt

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    IdeaOutcome.selected: _l("Selected for a trial"),
    IdeaOutcome.trying: _l("Being tried now"),
    IdeaOutcome.realised: _l("Done"),
    IdeaOutcome.not_possible: _l("Not possible"),
}

IDEA_STATUS_LABELS = {
    IdeaStatus.pending: _l("Waiting for review"),
    IdeaStatus.approved: _l("Approved"),
    IdeaStatus.rejected: _l("Rejected"),
    IdeaStatus.winner: _l("Winner"),
}


class Competition(db.Model):
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # `/c/<slug>` is printed on posters: it never changes once the competition is open.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    brief: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="da")
    status: Mapped[CompetitionStatus] = mapped_column(
        db.Enum(CompetitionStatus, native_enum=False, length=20), default=CompetitionStatus.draft)
    photo_rule: Mapped[PhotoRule] = mapped_column(
        db.Enum(PhotoRule, native_enum=False, length=20), default=PhotoRule.optional)
    # On by default: many who send ideas are minors, and nothing is public before a person has read it.
    moderated: Mapped[bool] = mapped_column(default=True)
    voting_mode: Mapped[VotingMode] = mapped_column(
        db.Enum(VotingMode, native_enum=False, length=20), default=VotingMode.single)
    dots_per_device: Mapped[int] = mapped_column(default=5)
    # Phases: submitting from `submissions_open_at` (or publication), voting from
    # `voting_opens_at` (no public vote if unset), closed from `closes_at`.
    submissions_open_at: Mapped[datetime | None]
    voting_opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    # The day the e-mails people leave with their ideas are deleted, as the idea form says; unset:
    # CONTACTS_KEPT after the close (see `contact_deadline`).
    contacts_kept_until: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # What the competition is about, when it is one place (engagement.premises), by table name.
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id", ondelete="SET NULL"), index=True)

    categories: Mapped[list["Category"]] = relationship(
        back_populates="competition", order_by="Category.position", cascade="all, delete-orphan", lazy="selectin")

    def phase_at(self, now: datetime) -> Phase:
        if self.status is CompetitionStatus.draft:
            return Phase.draft
        if self.status is CompetitionStatus.closed or (self.closes_at and now >= self.closes_at):
            return Phase.closed
        if self.submissions_open_at and now < self.submissions_open_at:
            return Phase.upcoming
        if self.voting_opens_at and now >= self.voting_opens_at:
            return Phase.voting
        return Phase.submitting

    @property
    def phase(self) -> Phase:
        return self.phase_at(utcnow())

    def fixed_contact_deadline(self) -> date | None:
        """The day every address left with an idea goes: the date staff set, else CONTACTS_KEPT after
        the (Danish) closing day; None for a competition with neither."""
        if self.contacts_kept_until:
            return self.contacts_kept_until
        return to_local(self.closes_at).date() + CONTACTS_KEPT if self.closes_at else None

    def contact_deadline(self, today: date) -> date | None:
        """The day an address left `today` is deleted: the fixed deadline, or, for a competition
        without dates, CONTACTS_KEPT from today. None when that day is not after today: the form
        then does not ask for an e-mail, since it would be deleted before anything happened."""
        deadline = self.fixed_contact_deadline() or today + CONTACTS_KEPT
        return deadline if deadline > today else None


# How long e-mails left with ideas are kept when staff set no date: long enough for the partnership to
# answer the ideas after the close.
CONTACTS_KEPT = timedelta(days=183)


class Category(db.Model):
    __tablename__ = "competition_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))

    competition: Mapped[Competition] = relationship(back_populates="categories")


class Idea(db.Model):
    """One idea. `key` is the one-time submission token of the form that sent it:
    a second post of the same form finds the idea instead of adding another."""
    __tablename__ = "ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(43), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("competition_categories.id", ondelete="SET NULL"))
    nickname: Mapped[str] = mapped_column(String(40), default="")
    age_band: Mapped[str] = mapped_column(String(10), default="")  # a key of surveys.ages.AGE_BANDS, or ""
    # The e-mail the sender left with explicit consent to hear what happens (engagement.mail), deleted on
    # the date the form showed or when they unsubscribe; never shown in public or in the gallery.
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_subscriptions.id", ondelete="SET NULL"), index=True)
    status: Mapped[IdeaStatus] = mapped_column(
        db.Enum(IdeaStatus, native_enum=False, length=20), default=IdeaStatus.pending)
    # Kept for staff only; never shown to the person or in public.
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    # What became of it, once published; its history with the partnership's answers is in `updates`.
    outcome: Mapped["IdeaOutcome | None"] = mapped_column(db.Enum(IdeaOutcome, native_enum=False, length=20))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id", ondelete="SET NULL"))
    # By table name: class sessions build on competitions, not the other way round.
    class_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("class_sessions.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    competition: Mapped[Competition] = relationship()
    category: Mapped[Category | None] = relationship()
    photo: Mapped["IdeaPhoto | None"] = relationship(
        back_populates="idea", cascade="all, delete-orphan", uselist=False, lazy="selectin")
    updates: Mapped[list["IdeaUpdate"]] = relationship(
        cascade="all, delete-orphan", order_by="IdeaUpdate.created_at.desc(), IdeaUpdate.id.desc()")
    contact: Mapped[Subscription | None] = relationship(lazy="selectin")

    @property
    def contact_email(self) -> str | None:
        return self.contact.email if self.contact is not None else None

    @property
    def contact_consent(self) -> bool:
        """An address is only ever kept with consent, so having one is having the consent."""
        return self.contact is not None

    __table_args__ = (
        # The gallery and the moderation queue list a competition's ideas by status, newest first.
        Index("ix_ideas_competition_status_submitted", "competition_id", "status", "submitted_at"),
    )


class IdeaUpdate(db.Model):
    """What became of a published idea, in the partnership's own words: an outcome with its answer,
    shown on the idea's page as a history. Who wrote it stays in the moderation log."""
    __tablename__ = "idea_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[IdeaOutcome] = mapped_column(db.Enum(IdeaOutcome, native_enum=False, length=20))
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaPhoto(db.Model):
    """The cleaned photo of an idea: a large rendition for the idea page, a small one for the
    gallery, so a phone scrolling the gallery does not load full photos, and one for the PDF."""
    __tablename__ = "idea_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    thumbnail: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # A JPEG at the PDF's print size (engagement.competitions.report), made at upload so a PDF of
    # hundreds of ideas embeds it as it is instead of decoding each WebP; b"" leaves the photo out of PDFs.
    print_jpeg: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    idea: Mapped[Idea] = relationship(back_populates="photo")


class Voter(db.Model):
    """A device that voted in a competition, known only by a keyed hash of its random cookie.

    `ballot` is "public" for the public vote, or "class-<id>" for a class session's
    own vote: the same phone has one public ballot and one per class.
    """
    __tablename__ = "voters"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    ballot: Mapped[str] = mapped_column(String(20), default="public")
    device_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("competition_id", "ballot", "device_hash"),)


class Vote(db.Model):
    """A voter's vote on one idea: 1 dot in single mode, up to the voter's dots in dot voting."""
    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id", ondelete="CASCADE"))
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    dots: Mapped[int] = mapped_column(default=1)
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Parallel taps from one device meet here: the second insert of the same pair fails.
    __table_args__ = (UniqueConstraint("voter_id", "idea_id"),)


class ModerationEvent(db.Model):
    """Who did what to which idea, and when. Admins of the organisation read these."""
    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # approved, rejected, edited, winner, reopened
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()
