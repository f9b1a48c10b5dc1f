"""Reports for the partnership (board packs) and the read-only share links partners open without an account.

A report is saved parameters, not a snapshot: a period, a headline, an
introduction and a list of sections, each with staff's short text under it.
It is rendered anew each time, so a report over a closed period gives the
same numbers every time (everything counted is filtered by the period).
"""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.competitions.models import Competition
from engagement.models import User
from extensions import db, utcnow
from surveys.models import Survey

# What a section shows: one survey (charts, and the comparisons and cross-tabs staff pick), the places
# (scan → start → finish per touchpoint), one competition (top ideas with photos and votes), or the
# class sessions of the period (a summary).
SECTION_KINDS = ("survey", "places", "competition", "classes")
# What a share link opens: exactly one of these, by the column of the same name.
SHARE_KINDS = ("survey", "competition", "report")


class Report(db.Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    # Danish calendar days, both ends included; None is open (from the first answer, up to today).
    since: Mapped[date | None]
    until: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()
    sections: Mapped[list["ReportSection"]] = relationship(
        order_by="ReportSection.position", cascade="all, delete-orphan", back_populates="report")


class ReportSection(db.Model):
    """One part of a report. `options` say what a survey section shows besides its questions' charts:
    {"questions": [ids] (all when missing), "quotes": bool, "rounds": bool,
     "crosstabs": [[question id, "question:<id>" | "touchpoint" | "class_session"], ...]}."""
    __tablename__ = "report_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))  # one of SECTION_KINDS
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[dict] = mapped_column(JSON, default=dict)

    report: Mapped[Report] = relationship(back_populates="sections")
    survey: Mapped[Survey | None] = relationship()
    competition: Mapped[Competition | None] = relationship()


class ShareLink(db.Model):
    """A read-only link to one survey's results, one competition's results or one report, for partners
    without an account. The token is the only key: long and random, refused after `expires_on` or once
    revoked. Free-text answers show only when staff ticked `show_texts` for this link."""
    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # one of SHARE_KINDS
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    # Who it is for, in staff's words ("Handelsstandsforeningen"): shown in the list of links.
    label: Mapped[str] = mapped_column(String(200), default="")
    expires_on: Mapped[date]  # the last Danish day it opens
    show_texts: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]
    views: Mapped[int] = mapped_column(default=0)
    last_viewed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship()
    survey: Mapped[Survey | None] = relationship()
    competition: Mapped[Competition | None] = relationship()
    report: Mapped[Report | None] = relationship()

    def open_on(self, today: date) -> bool:
        return self.revoked_at is None and today <= self.expires_on
