"""The addresses people gave to be told something, and the mails waiting to go to them."""
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db, utcnow


class Subscription(db.Model):
    """An e-mail address someone gave, with consent, to be told about one thing: an idea they sent, or
    a survey's results (the feature that asked points at it: `Idea.contact_id`, `ResultsSubscriber`).

    Deleted on `keep_until`, the date the form showed them (`flask purge-contacts`), or at once when they
    unsubscribe with `token`; the mails to it go with it. It holds a day, not a time: a subscription
    made on a survey's thank-you page must not be matched to the response by the minute it was made.
    """
    __tablename__ = "mail_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    # The secret in the unsubscribe link of every mail: 43 URL-safe characters from `secrets`.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="da")  # the mails' and the unsubscribe page's
    about: Mapped[str] = mapped_column(String(300), default="")  # what it is about, e.g. the idea's title
    keep_until: Mapped[date] = mapped_column(index=True)
    created_on: Mapped[date]


class OutgoingMail(db.Model):
    """One mail in the queue. `flask send-mail` sends those whose `next_attempt_at` has come; a failed
    attempt records its error and waits longer each time. Sent: `sent_at` set; given up after
    MAX_ATTEMPTS: neither `sent_at` nor `next_attempt_at`, and staff see it at /staff/mail/."""
    __tablename__ = "mail_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Exactly one of the two: a subscription (someone asked to be told) or an invitation (staff invited
    # someone to a survey, engagement.invitations, by table name).
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("mail_subscriptions.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]

    subscription: Mapped[Subscription | None] = relationship()
