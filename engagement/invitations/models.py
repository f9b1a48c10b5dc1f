"""Personal invitations to a survey (owner dialogue): a list of people staff uploaded, each with a
single-use link, reached by e-mail or by a mail-merge letter with their own QR code.

Whether an answer is tied to the person is the survey's setting (`InvitationSettings.named`), said in
its intro; otherwise the invitation only records that the person answered. The list is personal data
kept until `keep_until`, when `flask purge-contacts` deletes the names and addresses.
"""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db, utcnow
from surveys.models import Survey


class InvitationSettings(db.Model):
    __tablename__ = "invitation_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), unique=True)
    named: Mapped[bool] = mapped_column(default=False)  # answers are tied to the person who was invited
    keep_until: Mapped[date]  # the names and addresses are deleted then
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship()


class Invitation(db.Model):
    """One person invited to one survey. `token` is the key in their personal link (43 URL-safe
    characters from `secrets`); it starts one response, and once that is finished the link only
    thanks them."""
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(43), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    mailed_at: Mapped[datetime | None]  # the invitation e-mail was queued
    reminded_at: Mapped[datetime | None]  # the last reminder was queued
    reminders: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime | None]  # the link was first opened
    answered_at: Mapped[datetime | None]  # the response it started was finished
    mail_error: Mapped[str] = mapped_column(Text, default="")  # a refused or bounced e-mail, for staff

    survey: Mapped[Survey] = relationship()
