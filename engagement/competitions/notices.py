"""The e-mails to a person who sent an idea and asked to hear what happens: when it is shown in the
gallery, marked as a winner, or answered with an outcome.

Only queued (engagement.mail): `flask send-mail` sends them, so a moderator's change is saved also
when the mail server is down. Written in the competition's language, plain and short, with links to
PUBLIC_BASE_URL: the sender's own receipt (it shows the idea's status, also for later news) and the
idea's public page. Nothing is queued for an idea whose sender left no e-mail.
"""
from flask_babel import force_locale
from flask_babel import gettext as _

from engagement.competitions.models import Idea, IdeaUpdate
from engagement.mail import services as mail
from engagement.mail.links import public_url
from engagement.models import Organisation


def idea_published(session, idea: Idea, now):
    """The idea is in the gallery for the first time."""
    return _queue(session, idea, now, lambda: (
        _("Your idea »%(title)s« is in the gallery now", title=idea.title),
        [_("Everyone can see your idea for »%(competition)s« in the gallery now:",
           competition=idea.competition.title) + "\n" + _idea_url(idea),
         _("We will write again when there is news about it.")]))


def idea_won(session, idea: Idea, now):
    return _queue(session, idea, now, lambda: (
        _("Your idea »%(title)s« is a winner", title=idea.title),
        [_("Congratulations! Your idea is one of the winners of »%(competition)s«.",
           competition=idea.competition.title),
         _("See your idea:") + "\n" + _idea_url(idea)]))


def idea_answered(session, idea: Idea, update: IdeaUpdate, now):
    """The partnership set what becomes of the idea, with its public answer."""
    return _queue(session, idea, now, lambda: (
        _("News about your idea »%(title)s«", title=idea.title),
        [_("There is news about the idea you sent to »%(competition)s«.", competition=idea.competition.title)
         + "\n" + _("Status: %(status)s", status=update.outcome.label),
         _("%(organisation)s writes:", organisation=_organisation(session, idea).name) + "\n" + update.answer,
         _("See your idea and everything that has happened with it:") + "\n"
         + public_url("competition.sent", slug=idea.competition.slug, key=idea.key)]))


def _queue(session, idea: Idea, now, write):
    """Queue the mail `write()` returns as (subject, paragraphs), written in the competition's language,
    with a greeting and a signature; None when the sender left no e-mail."""
    if idea.contact is None:
        return None
    with force_locale(idea.competition.language):
        subject, paragraphs = write()
        greeting = _("Hi %(name)s,", name=idea.nickname) if idea.nickname else _("Hi,")
        signature = _("Best wishes") + "\n" + _organisation(session, idea).name
        return mail.queue(session, idea.contact, subject, [greeting, *paragraphs, signature], now)


def _idea_url(idea: Idea) -> str:
    return public_url("competition.idea", slug=idea.competition.slug, idea_id=idea.id)


def _organisation(session, idea: Idea) -> Organisation:
    return session.get(Organisation, idea.competition.organisation_id)
