"""Invitations and reminders by e-mail, through the mail queue (engagement.mail): `flask send-mail` sends
them with the SMTP settings; how the last mail to each person went is read back from the queue.

Flush only; the view commits. Sending runs one at a time per survey (`services.lock_list`), so the
second of a double click finds everyone mailed (or reminded since the page was shown) and queues nothing.
"""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from engagement.invitations import wording
from engagement.invitations.models import Invitation, InvitationSettings
from engagement.invitations.services import lock_list
from engagement.mail.models import OutgoingMail
from surveys.models import Survey, SurveyState


class SendRefused(Exception):
    """Nothing was queued; the message is translated and says why."""


def queue_invitations(session, survey: Survey, organisation: str, now: datetime) -> int:
    """One invitation mail to everyone on the list with an e-mail who has not had one; how many.
    A second call (a double click) finds them all mailed and queues nothing.

    :raise SendRefused: if the survey is a draft or closed: the link would lead nowhere.
    """
    settings = _ready_to_send(session, survey, now)
    people = session.scalars(select(Invitation).where(
        Invitation.survey_id == survey.id, Invitation.email != "", Invitation.mailed_at.is_(None))
        .order_by(Invitation.id).execution_options(populate_existing=True)).all()
    for invitation in people:
        _queue(session, wording.compose(survey, organisation, settings, invitation, reminder=False), invitation, now)
        invitation.mailed_at = now
    session.flush()
    return len(people)


def queue_reminders(session, survey: Survey, organisation: str, shown_at: datetime, now: datetime) -> int:
    """One reminder to everyone who was mailed before `shown_at` (when staff saw the page they clicked on),
    has not answered, was not reminded since, and whose address the mail server has not given up on.
    The second of a double click carries the same `shown_at` and finds them reminded since: nothing.

    :raise SendRefused: as queue_invitations.
    """
    settings = _ready_to_send(session, survey, now)
    people = session.scalars(select(Invitation).where(
        Invitation.survey_id == survey.id, Invitation.email != "", Invitation.answered_at.is_(None),
        Invitation.mailed_at.is_not(None), Invitation.mailed_at < shown_at,
        or_(Invitation.reminded_at.is_(None), Invitation.reminded_at < shown_at))
        .order_by(Invitation.id).execution_options(populate_existing=True)).all()
    given_up = {i for i, state in mail_states(session, [p.id for p in people]).items() if state.given_up}
    people = [p for p in people if p.id not in given_up]
    for invitation in people:
        _queue(session, wording.compose(survey, organisation, settings, invitation, reminder=True), invitation, now)
        invitation.reminded_at, invitation.reminders = now, invitation.reminders + 1
    session.flush()
    return len(people)


def _ready_to_send(session, survey: Survey, now: datetime) -> InvitationSettings:
    settings = lock_list(session, survey.id)
    if settings is None:
        raise SendRefused(_("Save the settings and upload a list first."))
    state = survey.state_at(now)
    if state is SurveyState.draft:
        raise SendRefused(_("The survey is not open yet: open it first, so the links lead to it."))
    if state is SurveyState.closed:
        raise SendRefused(_("The survey is closed: the links would lead nowhere."))
    return settings


def _queue(session, mail: wording.Mail, invitation: Invitation, now: datetime) -> None:
    session.add(OutgoingMail(organisation_id=invitation.organisation_id, invitation_id=invitation.id,
                             to_address=invitation.email, subject=mail.subject[:300], body=mail.body,
                             created_at=now, attempts=0, last_error="", next_attempt_at=now))


@dataclass(frozen=True)
class MailState:
    """How the last mail to one person went, from the mail queue (engagement.mail)."""
    sent_at: datetime | None
    attempts: int
    error: str  # the mail server's answer to the last try (never the address)
    next_attempt_at: datetime | None

    @property
    def given_up(self) -> bool:
        return self.sent_at is None and self.next_attempt_at is None


def mail_states(session, invitation_ids: list[int]) -> dict[int, MailState]:
    """The last mail queued for each of these invitations (an invitation or a reminder)."""
    states = {}
    for mail in session.scalars(select(OutgoingMail).where(OutgoingMail.invitation_id.in_(invitation_ids))
                                .order_by(OutgoingMail.id)):
        states[mail.invitation_id] = MailState(mail.sent_at, mail.attempts, mail.last_error, mail.next_attempt_at)
    return states
