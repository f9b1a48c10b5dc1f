"""A touchpoint is a physical place with its own short code and QR code (`/q/<code>`)."""
import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db, utcnow
from surveys.maps import SurveyMap
from surveys.models import Survey


class TouchpointKind(enum.Enum):
    skate_park = "skate_park"
    school = "school"
    youth_club = "youth_club"
    shop_window = "shop_window"
    event = "event"
    library = "library"
    web = "web"
    other = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    TouchpointKind.skate_park: _l("Skate park"),
    TouchpointKind.school: _l("School"),
    TouchpointKind.youth_club: _l("Youth club"),
    TouchpointKind.shop_window: _l("Shop window"),
    TouchpointKind.event: _l("Event"),
    TouchpointKind.library: _l("Library"),
    TouchpointKind.web: _l("Web"),
    TouchpointKind.other: _l("Other"),
}


class Touchpoint(db.Model):
    __tablename__ = "touchpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Short and unguessable; printed on posters, so it never changes.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The call to action in large type on the poster; empty: the default one.
    headline: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[TouchpointKind] = mapped_column(db.Enum(TouchpointKind, native_enum=False, length=20))
    address: Mapped[str] = mapped_column(String(300), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    note: Mapped[str] = mapped_column(Text, default="")
    # Where it is on one of the organisation's maps (surveys.maps), as shares of its width and height.
    map_id: Mapped[int | None] = mapped_column(ForeignKey("maps.id", ondelete="SET NULL"))
    map_x: Mapped[float | None]
    map_y: Mapped[float | None]
    # The target can change later (a new survey); the printed code keeps working.
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    # Or an idea competition; at most one of the two is set. By table name: competitions build on touchpoints.
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(default=True)
    # The premises the touchpoint hangs at (engagement.premises), by table name: premises build on touchpoints.
    premises_id: Mapped[int | None] = mapped_column(ForeignKey("premises.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey | None] = relationship()
    map: Mapped[SurveyMap | None] = relationship()


class Scan(db.Model):
    """One scan of a touchpoint's code: the time and the touchpoint, nothing about the person."""
    __tablename__ = "scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    touchpoint_id: Mapped[int] = mapped_column(ForeignKey("touchpoints.id", ondelete="CASCADE"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"))
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competitions.id", ondelete="SET NULL"))
    scanned_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_scans_touchpoint_scanned", "touchpoint_id", "scanned_at"),
        # The results funnel counts a survey's scans in a date range, grouped by touchpoint.
        Index("ix_scans_survey_scanned", "survey_id", "scanned_at"),
        Index("ix_scans_competition_scanned", "competition_id", "scanned_at"),
    )
