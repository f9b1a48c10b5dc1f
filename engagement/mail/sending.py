"""Handing the queue to the mail server, one mail at a time: `flask send-mail` runs this every minute.

A mail is sent through Flask-Mailman's SMTP backend (MAIL_* settings), on a connection of its own,
and marked sent in the same step; the command commits after each mail, so a crash repeats at most the mail in hand. A
failed attempt records its error and waits longer each time (1, 2, 4 ... minutes, at most 6 hours),
until MAX_ATTEMPTS, about three days: then it waits for staff at /staff/mail/. When the server
cannot be reached at all, the run stops after the mail in hand: the rest would only fail the same way.
"""
import enum
import smtplib
from datetime import datetime, timedelta

from flask_mailman import EmailMessage
from sqlalchemy import select

from engagement.mail.models import OutgoingMail
from engagement.mail.services import unsubscribe_url

MAX_ATTEMPTS = 20
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
# The server took the connection but not this mail (a refused recipient, a message it did not like):
# the next mail may well go. Everything else (refused connection, timeout, TLS, login) is the server.
REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class Outcome(enum.Enum):
    sent = "sent"
    refused = "refused"          # this mail waits; go on with the next
    unreachable = "unreachable"  # this mail waits; stop the run


def wait_after(attempts: int) -> timedelta:
    """How long a mail waits after its `attempts`-th failed attempt."""
    return min(FIRST_WAIT * 2 ** min(attempts - 1, 20), LONGEST_WAIT)


def next_due(session, now: datetime) -> OutgoingMail | None:
    """The mail that has waited longest among those due. On PostgreSQL it is locked for this
    transaction, and one that another app server's run holds is skipped, so no mail goes out twice."""
    query = (select(OutgoingMail).where(OutgoingMail.next_attempt_at <= now)
             .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def deliver(session, mail: OutgoingMail, connection, now: datetime) -> Outcome:
    """Send `mail` over `connection` (a Flask-Mailman connection, opened on first use) and record how it
    went on the row; flushes. Never raises for what the mail server does."""
    outgoing = message(mail, connection)
    # Nothing is written before the server has answered: on SQLite a write would hold the database's
    # write lock for as long as the mail server takes.
    try:
        outgoing.send()
    except OSError as problem:  # smtplib's errors are OSErrors too, as are refused connections and timeouts
        close_quietly(connection)
        mail.attempts += 1
        mail.last_error = describe(problem, mail.to_address)
        mail.next_attempt_at = now + wait_after(mail.attempts) if mail.attempts < MAX_ATTEMPTS else None
        session.flush()
        return Outcome.refused if isinstance(problem, REFUSED) else Outcome.unreachable
    mail.attempts += 1
    mail.sent_at, mail.next_attempt_at, mail.last_error = now, None, ""
    session.flush()
    return Outcome.sent


def message(mail: OutgoingMail, connection) -> EmailMessage:
    """The mail as sent: plain text, from MAIL_DEFAULT_SENDER, with a one-click unsubscribe (RFC 8058)
    that mail programs show next to the sender. A personal invitation (no subscription) has none: it is
    no list to leave, and says itself why it came."""
    headers = {"Auto-Submitted": "auto-generated"}  # no holiday auto-replies back to us
    if mail.subscription is not None:
        headers |= {"List-Unsubscribe": f"<{unsubscribe_url(mail.subscription)}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return EmailMessage(mail.subject, mail.body, to=[mail.to_address], connection=connection, headers=headers)


def close_quietly(connection) -> None:
    """Drop a connection that failed, so the next mail opens a fresh one."""
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        connection.connection = None


def describe(problem: OSError, address: str) -> str:
    """What staff read at /staff/mail/: the error without the address (editors do not see addresses)."""
    text = f"{type(problem).__name__}: {problem}".replace(address, "…")
    return text[:500]
