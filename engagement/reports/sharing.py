"""Share links: read-only addresses to one survey's results, one competition's results or one report, for
partners without an account (`ShareLink`). Plain arguments, flush only; the views commit.

The token is the only key: 32 random bytes from `secrets`, 43 characters in the address, so it cannot be
guessed (and guessing is rate-limited on the page, engagement.reports.shared). A link opens up to and
including its `expires_on`, a Danish calendar day, until staff revoke it.
"""
import enum
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select, update

from engagement.reports.models import SHARE_KINDS, ShareLink
from extensions import utcnow
from surveys.timezone import to_local

TOKEN_BYTES = 32
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) gives; anything else is unknown
DEFAULT_OPEN = timedelta(days=90)
LONGEST_OPEN = timedelta(days=2 * 365)  # a partnership's work on one question rarely lasts longer
LABEL_MAX = 200


class LinkState(enum.Enum):
    open = "open"
    expired = "expired"
    revoked = "revoked"

    @property
    def label(self) -> str:
        return {"open": _("Active"), "expired": _("Expired"), "revoked": _("Revoked")}[self.value]


@dataclass(frozen=True)
class Target:
    """What a link opens: `kind` is one of SHARE_KINDS, `item` the Survey, Competition or Report."""
    kind: str
    item: object

    @property
    def column(self) -> str:
        return f"{self.kind}_id"


class ShareProblem(Exception):
    """The link cannot be made as asked; the message is translated and says what to change."""


def danish_today() -> date:
    return to_local(utcnow()).date()


def default_expiry(today: date) -> date:
    return today + DEFAULT_OPEN


def expiry_problem(expires_on: date, today: date) -> str | None:
    """Why a link cannot stay open until `expires_on` (a translated sentence), or None if it can."""
    if expires_on < today:
        return _("Choose today or a later day.")
    latest = today + LONGEST_OPEN
    if expires_on > latest:
        return _("A link can stay open for at most two years: choose %(date)s or earlier.",
                 date=format_date(latest, "long"))
    return None


def make_link(session, organisation_id: int, target: Target, label: str, expires_on: date, show_texts: bool,
              made_by_id: int | None, today: date) -> ShareLink:
    """A new open link to `target`, which the caller has checked belongs to `organisation_id`.

    :raise ShareProblem: for an expiry day before `today` or more than two years ahead, or a label longer
        than LABEL_MAX characters.
    """
    if target.kind not in SHARE_KINDS or getattr(target.item, "organisation_id", None) != organisation_id:
        raise ValueError(f"A link to {target!r} cannot be made for organisation {organisation_id}")
    problem = expiry_problem(expires_on, today)
    label = (label or "").strip()
    if problem is None and len(label) > LABEL_MAX:
        problem = _("Use at most %(max)d characters.", max=LABEL_MAX)
    if problem:
        raise ShareProblem(problem)
    link = ShareLink(organisation_id=organisation_id, token=secrets.token_urlsafe(TOKEN_BYTES), kind=target.kind,
                     label=label, expires_on=expires_on, show_texts=show_texts, created_by_id=made_by_id,
                     **{target.column: target.item.id})
    session.add(link)
    session.flush()
    return link


def links_to(session, target: Target) -> list[ShareLink]:
    """Every link made to `target`, newest first."""
    column = getattr(ShareLink, target.column)
    return list(session.scalars(select(ShareLink).where(
        ShareLink.kind == target.kind, column == target.item.id,
        ShareLink.organisation_id == target.item.organisation_id).order_by(ShareLink.created_at.desc(),
                                                                            ShareLink.id.desc())))


def revoke(session, link: ShareLink, now: datetime) -> bool:
    """Close the link for good. True if it was not revoked before; revoking again changes nothing."""
    if link.revoked_at is not None:
        return False
    link.revoked_at = now
    session.flush()
    return True


def state_of(link: ShareLink, today: date) -> LinkState:
    if link.revoked_at is not None:
        return LinkState.revoked
    return LinkState.open if link.open_on(today) else LinkState.expired


def find(session, token: str) -> ShareLink | None:
    """The link with this token, open or not; None for anything that is not a token we made (no query then)."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return session.scalar(select(ShareLink).where(ShareLink.token == token))


def count_view(session, link_id: int, now: datetime) -> None:
    """One more view, as one UPDATE: two partners opening the link at once are both counted."""
    session.execute(update(ShareLink).where(ShareLink.id == link_id)
                    .values(views=ShareLink.views + 1, last_viewed_at=now)
                    .execution_options(synchronize_session=False))
