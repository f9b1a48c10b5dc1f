"""Downloads made in the background: what was asked for, by whom, how far it has come, and the file."""
import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db, utcnow


class DownloadStatus(enum.Enum):
    waiting = "waiting"  # made, its thread not yet begun (or its process died before it did)
    working = "working"
    ready = "ready"
    failed = "failed"

    @property
    def finished(self) -> bool:
        return self in (DownloadStatus.ready, DownloadStatus.failed)


class PreparedDownload(db.Model):
    """One file a staff member asked for that takes too long to make while they wait (engagement.prepared).

    `maker` names a maker registered by the package that knows the file (the survey export, the report
    PDF) and `params` are all it needs, so any app server can make it again. The thread making it writes
    `done`, `total` and `heartbeat_at` about once a second, and only while `claim` is its own: a poll that
    finds the heartbeat stale claims the job with a new `claim` and starts it again, and from then on the
    old thread's writes change nothing. The finished file is kept in `body`, in the database, so every app
    server can hand it out; finished downloads are deleted after a day.
    """
    __tablename__ = "prepared_downloads"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    maker: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(5), default="da")  # of the file's headings and the error
    file_name: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    status: Mapped[DownloadStatus] = mapped_column(db.Enum(DownloadStatus, native_enum=False, length=20),
                                                  default=DownloadStatus.waiting)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]  # None until the maker knows
    unit: Mapped[str] = mapped_column(String(20), default="responses")  # what `done` counts (UNITS)
    claim: Mapped[str] = mapped_column(String(32))  # the running thread's key; a takeover gives a new one
    attempts: Mapped[int] = mapped_column(default=1)  # runs started, the first included
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # only the file route reads it
    size: Mapped[int | None]  # bytes of `body`, for the page
    error: Mapped[str] = mapped_column(Text, default="")  # for the person who asked, in `language`
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
