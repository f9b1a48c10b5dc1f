"""Who asked to be told, and the mails waiting for them.

Services take the database session and plain values, flush and never commit. Nothing here talks to
a mail server: `queue` only adds a row in the same transaction as whatever caused it, so a status
change or a publication is saved even when the mail server is down; `flask send-mail`
(engagement.mail.sending) hands the rows to the server afterwards.
"""
import re
import secrets
from datetime import date, datetime

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from engagement.mail.links import public_url
from engagement.mail.models import OutgoingMail, Subscription

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 43 characters


def subscribe(session, organisation_id: int, email: str, keep_until: date, language: str, about: str,
              today: date) -> Subscription:
    """Keep `email` until `keep_until` (the date the person was shown) to tell them about `about`.

    :raise ValueError: if `keep_until` is not after `today`: it would be deleted before any news.
    """
    if keep_until <= today:
        raise ValueError("keep_until must be after today")
    subscription = Subscription(organisation_id=organisation_id, email=email.strip(), token=new_token(),
                                language=language or "da", about=about[:300], keep_until=keep_until,
                                created_on=today)
    session.add(subscription)
    session.flush()
    return subscription


def find(session, token: str) -> Subscription | None:
    """The subscription of an unsubscribe link; None for a token that is unknown, used or cannot be one."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None
    return session.scalar(select(Subscription).where(Subscription.token == token))


def unsubscribe(session, token: str) -> bool:
    """Delete the address at once, with the mails still waiting for it (the database cascades to them
    and to what pointed at it). False when there was nothing to delete."""
    subscription = find(session, token)
    if subscription is None:
        return False
    session.execute(delete(Subscription).where(Subscription.id == subscription.id))
    session.expunge(subscription)
    session.flush()
    return True


def keep_no_longer_than(session, subscription_ids, keep_until: date) -> int:
    """Bring forward the deletion of these subscriptions (a select of ids) to `keep_until` when staff
    shorten the period; a later date never extends what people were promised. Returns how many moved."""
    result = session.execute(update(Subscription).where(
        Subscription.id.in_(subscription_ids), Subscription.keep_until > keep_until).values(keep_until=keep_until)
        .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount


def purge_expired(session, today: date) -> int:
    """Delete every address whose date has come, with its mails; returns how many."""
    result = session.execute(delete(Subscription).where(Subscription.keep_until <= today)
                             .execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount


def queue(session, subscription: Subscription, subject: str, paragraphs: list[str], now: datetime) -> OutgoingMail:
    """Put a plain-text mail to the subscription's address in the queue, due at once. The paragraphs
    are the caller's, already in the subscription's language; the footer says why the person gets
    it, until when the address is kept, and how to stop (a link to the unsubscribe page)."""
    with force_locale(subscription.language):
        footer = [
            "-- ",
            _("You get this e-mail because you asked us to tell you what happens. We only use your e-mail "
              "for that, and delete it on %(date)s at the latest.",
              date=format_date(subscription.keep_until, "long")),
            _("No more e-mails? Stop them here:") + "\n" + unsubscribe_url(subscription),
        ]
    mail = OutgoingMail(organisation_id=subscription.organisation_id, subscription_id=subscription.id,
                        to_address=subscription.email, subject=subject[:300],
                        body="\n\n".join([*paragraphs, "\n".join(footer[:2]), footer[2]]) + "\n",
                        created_at=now, attempts=0, last_error="", next_attempt_at=now)
    session.add(mail)
    session.flush()
    return mail


def unsubscribe_url(subscription: Subscription) -> str:
    return public_url("mail.unsubscribe", token=subscription.token)
