"""The device cookie that lets a phone vote once per idea.

It is a random token, set only when someone votes (not on page views), and
the database keeps only a keyed hash of it (services.device_hash). Clearing
cookies makes a new device; the per-address rate limit on voting bounds how
far that goes, without storing the address.
"""
import re
import secrets

from flask import current_app, g, request

from engagement.competitions import services

COOKIE = "bypuls_device"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")
ONE_YEAR = 365 * 24 * 3600


def current_device(create: bool = False) -> str | None:
    """The hash of this request's device token; with `create`, a new token is made
    (and set as a cookie on the response) when the request has none."""
    token = g.get("new_device_token") or request.cookies.get(COOKIE, "")
    if not _TOKEN.fullmatch(token):
        if not create:
            return None
        token = g.new_device_token = secrets.token_urlsafe(32)
    return services.device_hash(current_app.config["SECRET_KEY"], token)


def set_cookie_if_new(response):
    """after_request: hand a newly made device token to the browser."""
    token = g.get("new_device_token")
    if token:
        response.set_cookie(COOKIE, token, max_age=ONE_YEAR, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
