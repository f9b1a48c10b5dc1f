"""`/staff/downloads/<id>`: the page of a download made in the background, its progress as JSON (what
static/js/downloads.js polls about once a second), the finished file, and "try again".

Only the person who asked sees any of it: for everyone else, colleagues included, each address is a 404.
Should their role no longer allow the file (an editor made a viewer), they get a 403.
Every look at the page or its progress also checks the heartbeat, and takes over (and restarts here) a
download whose thread has died with its process.
"""
import logging

from flask import abort, current_app, jsonify, redirect, render_template, url_for
from flask_babel import format_decimal, format_number, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import undefer

from engagement.downloads import download as file_response
from engagement.prepared import bp, maker_named, runner, services
from engagement.prepared.models import DownloadStatus, PreparedDownload
from extensions import db, utcnow

log = logging.getLogger(__name__)


def prepare(maker: str, params: dict, file_name: str, mimetype: str, unit: str):
    """For a view whose file must be made in the background: the redirect (303) to the page of the signed-in
    user's download of `maker` with `params`, made and started now unless the same one is under way or was
    just made. Commits."""
    download, new = services.request_download(db.session, current_user, maker, params, file_name, mimetype,
                                              str(get_locale() or "da"), unit, utcnow())
    claim, download_id = download.claim, download.id
    db.session.commit()
    if new:
        runner.start(current_app._get_current_object(), download_id, claim)
    return redirect(url_for("downloads.show", download_id=download_id), 303)


def load_download(download_id: int, *options) -> PreparedDownload:
    """:raise 404: unless the signed-in user asked for it (in their organisation); 403 if their role no longer
    allows the file (the maker's `allowed`)."""
    download = db.first_or_404(select(PreparedDownload).options(*options).where(
        PreparedDownload.id == download_id, PreparedDownload.user_id == current_user.id,
        PreparedDownload.organisation_id == current_user.organisation_id))
    if not maker_named(download.maker).allowed(current_user):
        abort(403)
    return download


def looked_at(download_id: int) -> PreparedDownload:
    """The download, taken over and started again in this process if its thread has died."""
    download = load_download(download_id)
    claim = services.take_over_if_stale(db.session, download, utcnow())
    db.session.commit()
    if claim:
        log.warning("download %d: its heartbeat had stopped; made again here", download.id)
        runner.start(current_app._get_current_object(), download.id, claim)
    return download


@bp.get("/<int:download_id>")
@login_required
def show(download_id):
    download = looked_at(download_id)
    return render_template("engagement/prepared/staff/show.html", download=download, state=state(download),
                           description=maker_named(download.maker).describe(download))


@bp.get("/<int:download_id>/progress")
@login_required
def progress(download_id):
    """{"status", "done", "total", "text"} and, once finished, "html": what the page shows then."""
    download = looked_at(download_id)
    found = state(download)
    if download.status.finished:
        found["html"] = render_template("engagement/prepared/staff/_finished.html", download=download, state=found)
    response = jsonify(found)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:download_id>/file")
@login_required
def file(download_id):
    """The finished file; before it is ready, the page that says how far it is."""
    download = load_download(download_id, undefer(PreparedDownload.body))
    if download.status is not DownloadStatus.ready:
        return redirect(url_for("downloads.show", download_id=download.id), 303)
    return file_response(download.body, download.mimetype, download.file_name)


@bp.post("/<int:download_id>/again")
@login_required
def again(download_id):
    """Make a failed download again (a second click changes nothing)."""
    download = load_download(download_id)
    claim = services.try_again(db.session, download, utcnow())
    db.session.commit()
    if claim:
        runner.start(current_app._get_current_object(), download.id, claim)
    return redirect(url_for("downloads.show", download_id=download.id), 303)


def state(download: PreparedDownload) -> dict:
    return {"status": download.status.value, "done": download.done, "total": download.total,
            "text": progress_text(download), "size": file_size(download.size or 0),
            "file_url": url_for("downloads.file", download_id=download.id)}


def progress_text(download: PreparedDownload) -> str:
    """How far it is in words, e.g. "34.000 af 100.000 svar"; a PDF says which of its three steps it is on."""
    if download.status is DownloadStatus.waiting:
        return _("Waiting to start…")
    if download.total is None:
        return _("Getting ready…")
    done, total, n = format_number(download.done), format_number(download.total), download.total
    if download.unit == "read":
        return ngettext("Step 1 of 3: reading the numbers – %(done)s of %(total)s section",
                        "Step 1 of 3: reading the numbers – %(done)s of %(total)s sections", n, done=done, total=total)
    if download.unit == "charts":
        return ngettext("Step 2 of 3: drawing the charts – %(done)s of %(total)s chart",
                        "Step 2 of 3: drawing the charts – %(done)s of %(total)s charts", n, done=done, total=total)
    if download.unit == "laid_out":
        return ngettext("Step 3 of 3: putting the pages together – %(done)s of %(total)s section",
                        "Step 3 of 3: putting the pages together – %(done)s of %(total)s sections", n,
                        done=done, total=total)
    if download.unit == "letters":
        return ngettext("%(done)s of %(total)s letter", "%(done)s of %(total)s letters", n, done=done, total=total)
    return ngettext("%(done)s of %(total)s response", "%(done)s of %(total)s responses", n, done=done, total=total)


def file_size(size: int) -> str:
    """e.g. "12,4 MB" or "830 kB" (decimal units, as the operating systems people use show them)."""
    if size >= 1_000_000:
        return f"{format_decimal(size / 1_000_000, '#,##0.0')} MB"
    return f"{format_number(max(1, round(size / 1000)))} kB"

