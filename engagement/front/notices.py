"""Telling people when a survey's results come: staff's offer on the thank-you page, the people who
took it, and the one mail each gets when the results are first published (queued, engagement.mail).

A subscriber is the survey and an address, made on a page of its own that the thank-you page links
to: nothing connects it to a response. Services take plain arguments, flush and never commit.
"""
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from engagement.front.models import PublishedSurvey, ResultsNotice, ResultsSubscriber
from engagement.mail import services as mail
from engagement.mail.links import public_url
from engagement.mail.models import Subscription
from engagement.models import Organisation
from surveys.models import Survey


def notice_for(session, survey: Survey) -> ResultsNotice | None:
    return session.scalar(select(ResultsNotice).where(ResultsNotice.survey_id == survey.id))


def offered_notice(session, survey: Survey, today: date) -> ResultsNotice | None:
    """The offer, while it stands: staff turned it on, its day for deleting is after today, and the
    results are not out yet (then the thank-you page links to them instead)."""
    notice = notice_for(session, survey)
    if notice is None or not notice.offered or notice.keep_until <= today:
        return None
    published = session.scalar(select(PublishedSurvey.id).where(PublishedSurvey.survey_id == survey.id))
    return None if published else notice


def set_notice(session, survey: Survey, offered: bool, keep_until: date | None) -> ResultsNotice | None:
    """Turn the offer on or off and set the day the addresses go. An earlier day also applies to the
    addresses already left; a later one only to new ones (nobody is kept past what they were shown)."""
    notice = notice_for(session, survey)
    if notice is None and not offered:
        return None
    if notice is None:
        notice = ResultsNotice(survey_id=survey.id)
        session.add(notice)
    notice.offered = offered
    notice.keep_until = keep_until or notice.keep_until
    session.flush()
    mail.keep_no_longer_than(session, select(ResultsSubscriber.subscription_id).where(
        ResultsSubscriber.survey_id == survey.id), notice.keep_until)
    return notice


def subscriber_count(session, survey: Survey) -> int:
    return session.scalar(select(func.count(ResultsSubscriber.id)).where(ResultsSubscriber.survey_id == survey.id))


def subscribe(session, survey: Survey, notice: ResultsNotice, key: str, email: str, today: date) -> ResultsSubscriber:
    """Tell `email` when the results come; kept until the notice's day. The same form sent twice (its
    `key`), or the same address again, subscribes once.

    :raise ValueError: if the notice's day is not after today (see mail.subscribe).
    """
    same = session.scalar(select(ResultsSubscriber).join(Subscription).where(
        ResultsSubscriber.survey_id == survey.id,
        (ResultsSubscriber.key == key) | (func.lower(Subscription.email) == email.strip().lower())))
    if same is not None:
        return same
    subscription = mail.subscribe(session, survey.organisation_id, email, notice.keep_until, survey.language,
                                  survey.title, today)
    subscriber = ResultsSubscriber(survey_id=survey.id, subscription_id=subscription.id, key=key)
    session.add(subscriber)
    session.flush()
    return subscriber


def tell_subscribers(session, survey: Survey, now: datetime) -> int:
    """Queue the mail "the results are here" to everyone not told yet; returns how many."""
    waiting = session.scalars(select(ResultsSubscriber).where(
        ResultsSubscriber.survey_id == survey.id, ResultsSubscriber.told.is_(False))).all()
    if not waiting:
        return 0
    organisation = session.get(Organisation, survey.organisation_id)
    with force_locale(survey.language):
        subject = _("The results of »%(survey)s« are here", survey=survey.title)
        paragraphs = [
            _("Hi,"),
            _("You asked us to tell you when the results of »%(survey)s« came. Now you can see what you all "
              "said, and what we do now:", survey=survey.title) + "\n" + public_url("front.results", slug=survey.slug),
            _("Thank you for answering!"),
            _("Best wishes") + "\n" + organisation.name,
        ]
    for subscriber in waiting:
        mail.queue(session, subscriber.subscription, subject, paragraphs, now)
        subscriber.told = True
    session.flush()
    return len(waiting)
