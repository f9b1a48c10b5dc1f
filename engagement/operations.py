"""Addresses for the proxy and the load balancer in front (deploy/nginx/bypuls.conf), not for people.

`/healthz` says whether this app server can do its work. No login, no session
cookie, no rate limit, no personal data: it says only
which of its backing services answer. 200 when all do, 503 when one does not,
so a proxy or load balancer can stop sending people to a server that would
only show them errors. Cheap enough to ask every few seconds: one `SELECT 1`,
and one Redis `PING` when rate limits live in Redis.

`/errors/too-big` is the "file is too big" page that nginx shows, in the
person's language, when it refuses an upload over its own size limit.
"""
import logging

from flask import Blueprint, abort, current_app, jsonify
from sqlalchemy import text

from extensions import db, limiter

bp = Blueprint("operations", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    checks = {"database": database_answers()}
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        checks["redis"] = redis_answers()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "failing",
            **{name: "ok" if ok else "failing" for name, ok in checks.items()}}
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception as error:  # any driver error means "not healthy", never a 500
        db.session.rollback()
        log.warning("Health check: the database does not answer: %s", type(error).__name__)
        return False


def redis_answers() -> bool:
    try:
        return bool(limiter.storage.check())
    except Exception as error:
        log.warning("Health check: Redis does not answer: %s", type(error).__name__)
        return False


@bp.get("/errors/too-big")
@limiter.exempt
def too_big():
    """:raise 413: always; the app's error page says it in the person's language."""
    abort(413)
