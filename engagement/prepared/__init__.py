"""Downloads made in the background: a file that can take longer than an app server gives a request
(gunicorn's 30 s) is made by a thread while its page (`/staff/downloads/<id>`) shows how far it has come,
and is fetched from there when it is ready.

A package with such a file registers a maker for it in its `init_app` (`add_maker`): the survey export
(engagement.dashboard) and the report PDF (engagement.reports). Its view asks `staff.prepare(...)` for the
download and gets the redirect to the page; `services` keeps the rows (one per download, `models`),
`runner` makes the file in a thread of the process that took the request, and a poll of the page takes
over a job whose process has died. Nothing lives only in one process: the file is kept in the database,
so each app server behind nginx can hand it out.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app

bp = Blueprint("downloads", __name__, url_prefix="/staff/downloads")


@dataclass(frozen=True)
class Description:
    """What a download is, for its page, in the language of the page."""
    what: str  # e.g. "Svarene på »Unge i bymidten« som Excel-fil"
    back_url: str  # where the person came from: the survey's results, the report
    back_label: str


@dataclass(frozen=True)
class Maker:
    """`make(session, download, progress, file)` writes the file's bytes to `file`, reading with `session`
    (its own, in a thread) and telling `progress` (runner.Progress) how far it is; an exception fails the
    download (an HTTPException's description, 404 or 503, is shown to the person). `describe(download)`
    says what it is, from a request. `allowed(user)` says whether the person who asked may still have it:
    asked again at every look at its page, its progress or its file, so someone whose role has been lowered
    since (an editor made a viewer) gets a 403, as the view that started it would now give them."""
    make: Callable
    describe: Callable
    allowed: Callable = lambda user: True


def add_maker(app: Flask, name: str, maker: Maker) -> None:
    """Register a maker under a stable name: stored downloads name it, so never rename one."""
    app.extensions.setdefault("bypuls.makers", {})[name] = maker


def maker_named(name: str) -> Maker:
    """:raise KeyError: for a name no package of the current app registered."""
    return current_app.extensions.get("bypuls.makers", {})[name]


def init_app(app):
    from engagement.prepared import models, staff  # noqa: F401 (models: the table; staff adds its routes to bp)
    from extensions import add_hook

    app.register_blueprint(bp)
    add_hook(app, "purge_contacts", purge_finished)


def purge_finished(session, today) -> int:
    """`flask purge-contacts`, every night: downloads finished more than a day ago are deleted, and the
    names, addresses and answers in their files with them (otherwise only a new download deletes them)."""
    from engagement.prepared import services
    from extensions import utcnow

    return services.purge(session, utcnow())
