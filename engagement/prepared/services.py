"""Prepared downloads as rows: asking for one, taking over one whose thread has died, trying again.

Plain arguments, flush only; the view commits and then starts the thread (`runner.start`) with the
claim it got here. A claim is one UPDATE whose WHERE says the job is free to take, so of two app servers
that poll the same stale job at once exactly one gets it: the database lets one UPDATE change the row
and the other then finds the row no longer matching.
"""
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update

from engagement.models import User
from engagement.prepared.models import DownloadStatus, PreparedDownload

# A heartbeat this old means the thread is gone (its worker was recycled or killed): the beat writes
# about once a second.
STALE_AFTER = timedelta(seconds=20)
# A file ready this recently is handed out again instead of being made again (a double click, a reload).
REUSE_READY_FOR = timedelta(minutes=5)
# Finished downloads are kept this long, then deleted (when someone asks for a new one).
KEEP_FOR = timedelta(hours=24)
# Runs of one job, the first included: a file that takes its process down each time is given up.
MAX_ATTEMPTS = 3
UNFINISHED = (DownloadStatus.waiting, DownloadStatus.working)


def new_claim() -> str:
    return secrets.token_hex(16)


def canonical(params: dict) -> dict:
    """`params` as they come back from the JSON column (tuples as lists, keys sorted), so a new request
    compares equal to a stored one."""
    return json.loads(json.dumps(params, sort_keys=True))


def request_download(session, user, maker: str, params: dict, file_name: str, mimetype: str, language: str,
                     unit: str, now: datetime) -> tuple[PreparedDownload, bool]:
    """The user's download of `maker` with `params`, and whether it is new.

    One that is still being made, or was ready less than REUSE_READY_FOR ago, is reused, so a double
    click or a reload starts nothing new; a failed one is not. A new one is `waiting`, with a claim for
    the caller to start it with after the commit. Downloads finished more than KEEP_FOR ago are deleted.
    """
    # Two requests of one person at once (two workers, two app servers) wait for each other here, so the
    # second finds the first's download: the DELETE takes SQLite's write lock, the row lock PostgreSQL's.
    purge(session, now)
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    params = canonical(params)
    just_ready = (PreparedDownload.status == DownloadStatus.ready) & \
        (PreparedDownload.finished_at >= now - REUSE_READY_FOR)
    mine = session.scalars(select(PreparedDownload).where(
        PreparedDownload.user_id == user.id, PreparedDownload.maker == maker,
        or_(PreparedDownload.status.in_(UNFINISHED), just_ready)).order_by(PreparedDownload.id.desc())).all()
    for download in mine:
        if download.params == params and download.mimetype == mimetype:
            return download, False
    download = PreparedDownload(organisation_id=user.organisation_id, user_id=user.id, maker=maker, params=params,
                                language=language, file_name=file_name, mimetype=mimetype, unit=unit,
                                status=DownloadStatus.waiting, claim=new_claim(), attempts=1, heartbeat_at=now,
                                created_at=now)
    session.add(download)
    session.flush()
    return download, True


def purge(session, now: datetime) -> int:
    """Delete downloads finished more than KEEP_FOR ago, and unfinished ones nobody has beaten for as long."""
    cutoff = now - KEEP_FOR
    gone = session.execute(delete(PreparedDownload).where(or_(
        PreparedDownload.finished_at < cutoff,
        PreparedDownload.finished_at.is_(None) & (PreparedDownload.heartbeat_at < cutoff))))
    return gone.rowcount


def take_over_if_stale(session, download: PreparedDownload, now: datetime) -> str | None:
    """The new claim if `download` was unfinished with a heartbeat older than STALE_AFTER and this call
    took it (the caller commits, then starts it with the claim); None otherwise. A job already tried
    MAX_ATTEMPTS times is failed instead, with `gave_up` as its message."""
    if download.status not in UNFINISHED or download.heartbeat_at >= now - STALE_AFTER:
        return None
    claim = new_claim()
    free = (PreparedDownload.id == download.id, PreparedDownload.status.in_(UNFINISHED),
            PreparedDownload.heartbeat_at < now - STALE_AFTER)
    taken = session.execute(update(PreparedDownload).where(*free, PreparedDownload.attempts < MAX_ATTEMPTS).values(
        claim=claim, status=DownloadStatus.waiting, heartbeat_at=now, attempts=PreparedDownload.attempts + 1,
        done=0).execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        session.execute(update(PreparedDownload).where(*free).values(
            status=DownloadStatus.failed, finished_at=now, error="").execution_options(synchronize_session=False))
        claim = None
    session.flush()
    session.refresh(download)
    return claim


def try_again(session, download: PreparedDownload, now: datetime) -> str | None:
    """A failed download made afresh: the new claim, or None if it has not failed (a second click)."""
    claim = new_claim()
    again = session.execute(update(PreparedDownload).where(
        PreparedDownload.id == download.id, PreparedDownload.status == DownloadStatus.failed).values(
        claim=claim, status=DownloadStatus.waiting, heartbeat_at=now, attempts=1, done=0, total=None, error="",
        finished_at=None).execution_options(synchronize_session=False))
    session.refresh(download)
    return claim if again.rowcount == 1 else None
