"""Class sessions: a teacher's run of a survey or a competition with one class."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.competitions.models import Competition
from engagement.models import User
from extensions import db, utcnow
from surveys.models import Survey


class ClassSession(db.Model):
    __tablename__ = "class_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Read aloud and typed on phones: short, from an alphabet without 0/O or 1/l/I.
    # Unique for ever, so a code never points at two sessions; it works only while the session is live.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    # Exactly one of the two is set.
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    dots_per_pupil: Mapped[int | None]
    # Ideas sent in the class show on the projector and in the class vote before review;
    # the public gallery still waits for a moderator.
    publish_at_once: Mapped[bool] = mapped_column(default=False)
    voting_open: Mapped[bool] = mapped_column(default=False)
    ends_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    teacher: Mapped[User | None] = relationship()
    survey: Mapped[Survey | None] = relationship()
    competition: Mapped[Competition | None] = relationship()

    def live_at(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.ends_at

    @property
    def live(self) -> bool:
        return self.live_at(utcnow())
