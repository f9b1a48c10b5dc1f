"""The register of premises and places (empty shops, facades, lots, squares), their status over time and
their owner's contact, and the temporary trials tried out in them, with a decision at the end.

The owner's contact is personal data kept for a stated purpose until a stated day
(`contact_delete_on`), when `flask purge-contacts` clears it; only editors and admins see it.
"""
import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.competitions.models import Idea
from engagement.models import User
from extensions import db, utcnow
from surveys.models import Survey


class PremisesKind(enum.Enum):
    empty_shop = "empty_shop"
    facade = "facade"
    lot = "lot"
    square = "square"
    other = "other"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {PremisesKind.empty_shop: _l("Empty shop"), PremisesKind.facade: _l("Facade"),
               PremisesKind.lot: _l("Lot"), PremisesKind.square: _l("Square"), PremisesKind.other: _l("Other")}


class PremisesStatus(enum.Enum):
    vacant = "vacant"
    in_trial = "in_trial"
    let = "let"
    renovated = "renovated"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {PremisesStatus.vacant: _l("Vacant"), PremisesStatus.in_trial: _l("In trial"),
                 PremisesStatus.let: _l("Let"), PremisesStatus.renovated: _l("Renovated")}


class Premises(db.Model):
    __tablename__ = "premises"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    address: Mapped[str] = mapped_column(String(200))  # "Algade 12, 4760 Vordingborg"
    kind: Mapped[PremisesKind] = mapped_column(db.Enum(PremisesKind, native_enum=False, length=20))
    status: Mapped[PremisesStatus] = mapped_column(db.Enum(PremisesStatus, native_enum=False, length=20))
    # A point on one of the organisation's maps, in shares of its width and height (as touchpoints).
    map_id: Mapped[int | None] = mapped_column(ForeignKey("maps.id", ondelete="SET NULL"))
    map_x: Mapped[float | None]
    map_y: Mapped[float | None]
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    owner_email: Mapped[str] = mapped_column(String(254), default="")
    owner_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_purpose: Mapped[str] = mapped_column(Text, default="")  # why the contact is kept
    contact_delete_on: Mapped[date | None] = mapped_column(index=True)  # then the contact is cleared
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    status_changes: Mapped[list["StatusChange"]] = relationship(
        order_by="StatusChange.changed_at.desc(), StatusChange.id.desc()", cascade="all, delete-orphan",
        back_populates="premises")
    trials: Mapped[list["Trial"]] = relationship(order_by="Trial.starts_on.desc()", back_populates="premises")


class StatusChange(db.Model):
    """The history of a premises' status: each change, when, by whom, with a note."""
    __tablename__ = "premises_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    premises_id: Mapped[int] = mapped_column(ForeignKey("premises.id", ondelete="CASCADE"), index=True)
    status: Mapped[PremisesStatus] = mapped_column(db.Enum(PremisesStatus, native_enum=False, length=20))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    premises: Mapped[Premises] = relationship(back_populates="status_changes")
    user: Mapped[User | None] = relationship()


class TrialDecision(enum.Enum):
    keep = "keep"
    refine = "refine"
    drop = "drop"
    new_ideas = "new_ideas"

    @property
    def label(self) -> str:
        return str(DECISION_LABELS[self])


DECISION_LABELS = {TrialDecision.keep: _l("Keep it"), TrialDecision.refine: _l("Refine it"),
                   TrialDecision.drop: _l("Drop it"), TrialDecision.new_ideas: _l("New ideas")}

trial_ideas = Table(
    "trial_ideas", db.metadata,
    Column("trial_id", ForeignKey("trials.id", ondelete="CASCADE"), primary_key=True),
    Column("idea_id", ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True),
)


class Trial(db.Model):
    """A temporary trial: what, where (premises, or a point on a map), from and to, the feedback survey
    its place's touchpoint leads to, and at the end a decision with a public note."""
    __tablename__ = "trials"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id", ondelete="SET NULL"), index=True)
    map_id: Mapped[int | None] = mapped_column(ForeignKey("maps.id", ondelete="SET NULL"))
    map_x: Mapped[float | None]
    map_y: Mapped[float | None]
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    decision: Mapped[TrialDecision | None] = mapped_column(db.Enum(TrialDecision, native_enum=False, length=20))
    public_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    premises: Mapped[Premises | None] = relationship(back_populates="trials")
    survey: Mapped[Survey | None] = relationship()
    ideas: Mapped[list[Idea]] = relationship(secondary=trial_ideas)
