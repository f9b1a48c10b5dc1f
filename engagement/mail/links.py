"""Absolute addresses of our own pages, for mails: built on PUBLIC_BASE_URL, never on a request's host.

A mail is written while a staff member's request runs, or by a command with no request at all, and
is read days later on a phone: its links must point at the address people reach Bypuls at.
"""
from urllib.parse import urlsplit

from flask import current_app


def public_url(endpoint: str, **values) -> str:
    """e.g. public_url("competition.sent", slug="algade-12", key=...) ->
    "https://bypuls.vordingborg.dk/c/algade-12/sent/..."; a path in PUBLIC_BASE_URL is kept in front.

    :raise werkzeug.routing.BuildError: for an unknown endpoint or missing values.
    """
    base = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)
