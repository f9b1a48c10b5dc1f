"""Published results: which questions of a survey the partnership shows in public, and what it does now;
and who asked to be told when they come."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engagement.mail.models import Subscription
from extensions import db, utcnow
from surveys.models import Survey


class PublishedSurvey(db.Model):
    """A survey's public results page. Only the chosen questions are shown, each only when at least
    MIN_GROUP_SIZE people answered it; free text only when staff ticked `show_texts`."""
    __tablename__ = "published_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), unique=True)
    question_ids: Mapped[list] = mapped_column(JSON, default=list)
    show_texts: Mapped[bool] = mapped_column(default=False)
    # "Det gør vi nu": the partnership's own words about what happens next, updated as it happens.
    doing_now: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship()


class ResultsNotice(db.Model):
    """Staff's offer on a survey's thank-you page: "Få besked, når resultaterne kommer", and the day the
    addresses people leave for it are deleted. Turning the offer off keeps those already left: they
    are still told, as promised."""
    __tablename__ = "results_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), unique=True)
    offered: Mapped[bool] = mapped_column(default=True)
    keep_until: Mapped[date]


class ResultsSubscriber(db.Model):
    """Someone who asked to be told when a survey's results are published: the survey and the address
    (an engagement.mail subscription), and never the response, so the answers stay anonymous. `key`
    is the one-time key of the form that made it: sending the form twice subscribes once."""
    __tablename__ = "results_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("mail_subscriptions.id", ondelete="CASCADE"), unique=True)
    key: Mapped[str] = mapped_column(String(43), unique=True)
    told: Mapped[bool] = mapped_column(default=False)  # the mail about the first publication is queued

    subscription: Mapped[Subscription] = relationship()
