"""What an invitation says, in the survey's language: the e-mail, the reminder and the printed letter.

Each says who asks and what about, gives the personal link, says whether the answers are tied to the
person, why they got it, until when their name is kept, and whom to ask (the reply goes to
MAIL_DEFAULT_SENDER, an address a person reads). Links are built on PUBLIC_BASE_URL.
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from engagement.invitations.links import personal_url, short_url
from engagement.invitations.models import Invitation, InvitationSettings
from surveys.models import Survey

INTRO_LENGTH = 600  # of the survey's intro, in a mail or a letter


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def long_date(day: date) -> str:
    return format_date(day, "long")


def compose(survey: Survey, organisation: str, settings: InvitationSettings, invitation: Invitation,
            reminder: bool) -> Mail:
    """The invitation mail, or the reminder, to one person."""
    with force_locale(survey.language):
        if reminder:
            subject = _("Reminder: %(organisation)s would like your answer", organisation=organisation)
            opening = _("A few days ago %(organisation)s invited you to answer »%(title)s«. We have not had your "
                        "answer yet, and it matters to us.", organisation=organisation, title=survey.title)
        else:
            subject = _("%(organisation)s would like to hear from you: %(title)s", organisation=organisation,
                        title=survey.title)
            opening = _("%(organisation)s would like to hear from you in the survey »%(title)s«.",
                        organisation=organisation, title=survey.title)
        paragraphs = [
            greeting(invitation), opening, *about(survey),
            _("Answer here. The link is yours alone, so please do not pass it on:") + "\n" + personal_url(invitation),
            how_answers_are_kept(settings),
            "-- \n" + why_you_got_it(organisation, settings) + " " + _("Questions? Just reply to this e-mail."),
        ]
    return Mail(subject, "\n\n".join(p for p in paragraphs if p) + "\n")


def greeting(invitation: Invitation) -> str:
    return _("Dear %(name)s,", name=invitation.name) if invitation.name else ""


def about(survey: Survey) -> list[str]:
    """The survey's intro (its first INTRO_LENGTH characters): what it is about, in staff's words."""
    intro = survey.intro.strip()
    if len(intro) > INTRO_LENGTH:
        intro = intro[:INTRO_LENGTH].rsplit(" ", 1)[0] + " …"
    return [intro] if intro else []


def how_answers_are_kept(settings: InvitationSettings) -> str:
    if settings.named:
        return _("Your answers are kept with your name, so that we can get back to you about them.")
    return _("Your answers are not kept with your name: we only note that you have answered, so that we do "
             "not remind you.")


def why_you_got_it(organisation: str, settings: InvitationSettings) -> str:
    return _("You get this because %(organisation)s invited you personally to answer. We use your name and "
             "address for this invitation only, and delete them on %(date)s at the latest.",
             organisation=organisation, date=long_date(settings.keep_until))


@dataclass(frozen=True)
class Letter:
    """A printed letter's words, in the survey's language."""
    sender: str  # the small line above the address in the envelope's window
    heading: str
    greeting: str
    paragraphs: list[str]
    scan: str  # beside the QR code
    type_hint: str
    short_url: str
    url: str  # what the QR code holds
    closing: str
    date: str


def letter(survey: Survey, organisation: str, settings: InvitationSettings, invitation: Invitation,
           today: date) -> Letter:
    with force_locale(survey.language):
        return Letter(
            sender=organisation, heading=survey.title, greeting=greeting(invitation) or _("Hello,"),
            paragraphs=[_("%(organisation)s would like to hear from you in the survey »%(title)s«.",
                          organisation=organisation, title=survey.title), *about(survey),
                        how_answers_are_kept(settings), why_you_got_it(organisation, settings)],
            scan=_("Scan the code with your phone's camera to answer. The code is yours alone."),
            type_hint=_("Or type this address in a browser:"), short_url=short_url(invitation),
            url=personal_url(invitation), closing=_("Kind regards") + "\n" + organisation, date=long_date(today))
