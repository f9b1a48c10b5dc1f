"""Making a prepared download: a thread of the app server process that took the request (or the poll that
took the job over), so no other service is needed and `make run`, the tests and two app servers behind
nginx work alike.

The thread runs inside its own `app.app_context()`, so the maker reads with a database session of its
own. A second, small thread (the beat) writes the progress and the heartbeat about once a second in short
transactions of their own on the engine: the maker's read never has to end for them, and on SQLite no
write lock is held for longer than one UPDATE. Every write is conditioned on the job's `claim`: when a
poll has taken the job over (the heartbeat had stopped), this thread's writes change nothing, and the
maker is stopped at its next step. Threads are daemons: a worker that exits takes them along, and its
jobs' heartbeats go stale, which is what a takeover waits for. A worker that leaves in good order (gunicorn
retires one after max_requests, or stops them all for a restart) first gives them a little time to finish
(`finish_running`, from deploy/gunicorn.conf.py's worker_exit), so an export is not made twice.
"""
import logging
import tempfile
import threading
import time

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import update
from werkzeug.exceptions import HTTPException

from engagement.prepared import maker_named
from engagement.prepared.models import DownloadStatus, PreparedDownload
from extensions import db, utcnow

log = logging.getLogger(__name__)

BEAT_SECONDS = 1.0
JOBS = PreparedDownload.__table__


class Superseded(Exception):
    """The job was taken over by another thread (its heartbeat had stopped): this one stops."""


class Progress:
    """What a maker says about how far it is; the beat writes it down. A maker calls `start(total, unit)`
    when it knows how much there is and `advance(n)` as it goes; `advance` raises Superseded once the
    job is no longer this thread's."""

    def __init__(self):
        self.done, self.total, self.unit = 0, None, None
        self.superseded = threading.Event()

    def start(self, total: int, unit: str | None = None) -> None:
        self.done, self.total, self.unit = 0, total, unit or self.unit

    def advance(self, count: int = 1) -> None:
        if self.superseded.is_set():
            raise Superseded()
        self.done += count


THREAD_NAME = "download-"  # how this process's download threads (and their beats) are named


def start(app: Flask, download_id: int, claim: str) -> threading.Thread:
    """Make the download in a new thread of this process. Call it after the commit that made or claimed
    the job with `claim`."""
    thread = threading.Thread(target=run, args=(app, download_id, claim), name=f"{THREAD_NAME}{download_id}",
                              daemon=True)
    thread.start()
    return thread


def finish_running(seconds: float) -> list[str]:
    """Wait up to `seconds` in all for this process's downloads to finish (its worker is about to exit); the
    names of the threads still running then, whose jobs another server will make again."""
    deadline = time.monotonic() + seconds
    for thread in running():
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in running()]


def running() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith(THREAD_NAME) and thread.is_alive()]


def run(app: Flask, download_id: int, claim: str) -> None:
    """Make the file and store it, or store why it failed; nothing happens if the job is not `claim`'s."""
    with app.app_context():
        engine = db.engine
        job = db.session.get(PreparedDownload, download_id)
        if job is None or job.claim != claim or job.status.finished:
            db.session.remove()
            return
        language, maker = job.language, job.maker
        progress = Progress()
        beat = Beat(engine, download_id, claim, progress)
        beat.start()
        try:
            with force_locale(language):
                body = make(job, progress)
        except Superseded:
            log.info("download %d: taken over by another thread; this one stops", download_id)
        except Exception as error:  # noqa: BLE001 - any failure of a maker is the job's, told on its page
            log.exception("download %d (%s) failed", download_id, maker)
            with force_locale(language):
                message = failure_message(error)
            beat.stop()
            finish(engine, download_id, claim, status=DownloadStatus.failed, error=message)
        else:
            beat.stop()
            # The last step's count and what it counts: the beat may not have written them (a quick last step).
            finish(engine, download_id, claim, status=DownloadStatus.ready, body=body, size=len(body),
                   done=progress.total if progress.total is not None else progress.done, total=progress.total,
                   **({"unit": progress.unit} if progress.unit else {}))
        finally:
            beat.stop()
            db.session.rollback()
            db.session.remove()


def make(job: PreparedDownload, progress: Progress) -> bytes:
    """The maker's file, written to a temporary file (not memory) while it is made. The maker's read
    transaction ends before the file is stored."""
    maker = maker_named(job.maker)
    with tempfile.TemporaryFile() as file:
        try:
            maker.make(db.session, job, progress, file)
        finally:
            db.session.rollback()
        file.seek(0)
        return file.read()


def failure_message(error: Exception) -> str:
    """For the person who asked: an error that carries a sentence for them (a 503 saying Chromium is
    missing, a 404 saying the survey is gone) says it; anything else is our fault, said plainly."""
    if isinstance(error, HTTPException) and error.description and error.code in (404, 503):
        return str(error.description)
    return _("Something went wrong on our side while the file was made.")


def finish(engine, download_id: int, claim: str, **values) -> bool:
    """Store the outcome in one short transaction, if the job is still `claim`'s."""
    with engine.begin() as connection:
        stored = connection.execute(update(JOBS).where(JOBS.c.id == download_id, JOBS.c.claim == claim)
                                    .values(finished_at=utcnow(), heartbeat_at=utcnow(), **values))
    return stored.rowcount == 1


class Beat(threading.Thread):
    """Writes the progress and the heartbeat every BEAT_SECONDS while the job runs, each in a transaction
    of its own. When the row is no longer this claim's (taken over, or deleted), it tells the maker."""

    def __init__(self, engine, download_id: int, claim: str, progress: Progress):
        super().__init__(name=f"{THREAD_NAME}{download_id}-beat", daemon=True)
        self.engine, self.download_id, self.claim, self.progress = engine, download_id, claim, progress
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            try:
                if not self.write():
                    self.progress.superseded.set()
                    return
            except Exception:  # noqa: BLE001 - a database that hiccups once must not stop the job
                log.warning("download %d: could not write its progress", self.download_id, exc_info=True)
            if self.stopping.wait(BEAT_SECONDS):
                return

    def write(self) -> bool:
        progress = self.progress
        values = {"status": DownloadStatus.working, "heartbeat_at": utcnow(), "done": progress.done,
                  "total": progress.total}
        if progress.unit:
            values["unit"] = progress.unit
        with self.engine.begin() as connection:
            written = connection.execute(update(JOBS).where(
                JOBS.c.id == self.download_id, JOBS.c.claim == self.claim,
                JOBS.c.status.in_([DownloadStatus.waiting, DownloadStatus.working])).values(**values))
        return written.rowcount == 1

    def stop(self) -> None:
        """Stop beating and wait until a write under way is done, so the outcome is written after it."""
        self.stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join()
