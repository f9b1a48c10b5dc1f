"""The addresses of a personal invitation, built on PUBLIC_BASE_URL (never on a request's host name):
the whole link the QR code and the e-mail hold, and the short one people type from a letter."""
from flask import current_app

from engagement.invitations.models import Invitation
from engagement.mail.links import public_url

SHORT = 12  # the token's first characters, in lower case, are the address people type


def short_code(token: str) -> str:
    return token[:SHORT].lower()


def personal_url(invitation: Invitation) -> str:
    """e.g. https://bypuls.vordingborg.dk/i/<the 43 characters of the token>."""
    return public_url("invitation.open", token=invitation.token)


def short_url(invitation: Invitation) -> str:
    """e.g. bypuls.vordingborg.dk/i/k7m2x9pqa4rt: without https://, as people type it."""
    base = current_app.config["PUBLIC_BASE_URL"].split("://", 1)[-1].rstrip("/")
    return f"{base}/i/{short_code(invitation.token)}"
