"""Personal invitations: the list, the personal links, who opened and answered, mails and the purge.

Services take the database session and plain values, flush and never commit; the views commit once.

How one link stores one answer: the response a link starts has a key derived from the link's token
(`response_key`, an HMAC with the app's secret), so opening the link again, on another phone or in a
second tab, goes on with the same response, and the survey engine already stores the posts of one key
once (surveys.answering). No column ties a response to a person unless the survey is `named`
(`responses.invitation_id`); when it is not, `answered_at` keeps only the day, and the purge gives the
invitations new tokens, after which no key can be derived from them any more.

Changes to one survey's list (an upload, sending, reminders) run one at a time (`lock_list`), so a
double click finds the work done and does nothing.
"""
import enum
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from engagement.invitations import wording
from engagement.invitations.links import SHORT, short_code
from engagement.invitations.lists import Person, ReadList, RowProblem
from engagement.invitations.models import Invitation, InvitationSettings
from engagement.mail.models import OutgoingMail
from extensions import wait_for_write_turn
from surveys import answering
from surveys.models import Survey, SurveyState

KEY_LENGTH = 40  # a response key made from a token; the engine's own keys have 32 characters
VIA_PREFIX = "i-"
# Someone whose name, e-mail or address is still kept (the purge deletes them, the invitation stays).
_kept = or_(Invitation.name != "", Invitation.email != "", Invitation.postal_address != "")


# -- tokens and keys ----------------------------------------------------------------------------------

def new_tokens(session, count: int) -> list[str]:
    """`count` new tokens (secrets.token_urlsafe(32)), each starting with SHORT letters and digits that
    no other invitation starts with, in any case: the short address finds exactly one person."""
    tokens: list[str] = []
    shorts: set[str] = set()
    while len(tokens) < count:
        token = secrets.token_urlsafe(32)
        short = short_code(token)
        if short.isascii() and short.isalnum() and short not in shorts:
            tokens.append(token)
            shorts.add(short)
    taken = set(session.scalars(select(_short_column()).where(_short_column().in_(shorts))))
    if taken:  # about one in 10**18: draw those again
        kept = [t for t in tokens if short_code(t) not in taken]
        return kept + new_tokens(session, count - len(kept))
    return tokens


def _short_column():
    return func.lower(func.substr(Invitation.token, 1, SHORT))


def response_key(secret: str, token: str) -> str:
    """The key of the response that the invitation with `token` starts: the same on every opening."""
    digest = hmac.new(secret.encode(), b"invitation-response:" + token.encode(), hashlib.sha256).digest()
    return urlsafe_b64encode(digest).decode()[:KEY_LENGTH]


def via_of(invitation: Invitation) -> str:
    return VIA_PREFIX + short_code(invitation.token)


def find(session, token: str) -> Invitation | None:
    """The invitation of a personal address: the whole token (the QR code), or its first SHORT
    characters in any case (typed from the letter). None for anything else."""
    if len(token) == 43:
        return session.scalar(select(Invitation).where(Invitation.token == token))
    if len(token) == SHORT and token.isascii() and token.isalnum():
        found = session.scalars(select(Invitation).where(_short_column() == token.lower()).limit(2)).all()
        return found[0] if len(found) == 1 else None
    return None


# -- settings -----------------------------------------------------------------------------------------

class SettingsRefused(Exception):
    """The settings cannot change so; the message is translated and says why."""


def settings_of(session, survey_id: int) -> InvitationSettings | None:
    return session.scalar(select(InvitationSettings).where(InvitationSettings.survey_id == survey_id))


def save_settings(session, survey: Survey, named: bool, keep_until: date, today: date) -> InvitationSettings:
    """Create or change the survey's settings.

    :raise SettingsRefused: if `keep_until` is not after `today`; once people are on the list, if
        `named` changes (their letters and e-mails said how their answers are kept) or `keep_until`
        moves later (they were told the day their name is deleted).
    """
    if keep_until <= today:
        raise SettingsRefused(_("Choose a day after today: the list is deleted on it."))
    settings = lock_list(session, survey.id)
    if settings is None:
        try:
            with session.begin_nested():  # PostgreSQL locks no row that is not there: two first saves may meet
                session.add(InvitationSettings(survey_id=survey.id, named=named, keep_until=keep_until))
            return settings_of(session, survey.id)
        except IntegrityError:
            settings = lock_list(session, survey.id)  # the other one made it: change that
    if has_list(session, survey.id):
        if named != settings.named:
            raise SettingsRefused(_("People are on the list already, and were told whether their answers are tied "
                                    "to them: that cannot change now."))
        if keep_until > settings.keep_until:
            raise SettingsRefused(_("People are on the list already, and were told their name is deleted on "
                                    "%(date)s at the latest: the day can come sooner, not later.",
                                    date=wording.long_date(settings.keep_until)))
    settings.named, settings.keep_until = named, keep_until
    session.flush()
    return settings


def has_list(session, survey_id: int) -> bool:
    """Whether people are on the survey's list, with their names (not yet deleted by the purge)."""
    return session.scalar(select(func.count(Invitation.id)).where(Invitation.survey_id == survey_id, _kept)) > 0


def lock_list(session, survey_id: int) -> InvitationSettings | None:
    """The survey's settings, read after making any other change to this survey's list wait until this
    transaction ends (as surveys.answering does for one response): PostgreSQL locks the row; SQLite
    takes the database's write lock, after waiting in line for it."""
    query = select(InvitationSettings).where(InvitationSettings.survey_id == survey_id)
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(query.with_for_update().execution_options(populate_existing=True))
    wait_for_write_turn(session)
    return session.scalars(update(InvitationSettings).where(InvitationSettings.survey_id == survey_id)
                           .values(survey_id=InvitationSettings.survey_id).returning(InvitationSettings)
                           .execution_options(populate_existing=True, synchronize_session=False)).first()


# -- the list -----------------------------------------------------------------------------------------

class Imported(enum.Enum):
    imported = "imported"
    refused = "refused"  # rows are wrong (`problems`); nothing was stored
    nothing_new = "nothing_new"  # everyone in the file is on the list already (a second click): nothing stored
    no_settings = "no_settings"  # the settings must be saved first (or given a new day after the purge)


@dataclass(frozen=True)
class ImportResult:
    outcome: Imported
    count: int = 0
    problems: tuple[RowProblem, ...] = ()


def import_list(session, survey: Survey, read: ReadList, today: date, now: datetime) -> ImportResult:
    """Put everyone in `read` on the survey's list, each with a new token, or nobody: a row with a
    problem, or a person already invited (the same e-mail; without one, the same name and address),
    refuses the whole file with a message per row."""
    settings = lock_list(session, survey.id)
    if settings is None or expired(settings, today):
        return ImportResult(Imported.no_settings)
    known = _known_people(session, survey.id)
    problems = list(read.problems)
    new = []
    for person in read.people:
        if _identity(person) in known:
            problems.append(RowProblem(person.row, (_already_invited(person),)))
        else:
            new.append(person)
    if problems:
        if not read.problems and not new:  # the same file again (a second click): say so kindly
            return ImportResult(Imported.nothing_new)
        return ImportResult(Imported.refused, problems=tuple(sorted(problems, key=lambda p: p.row)))
    tokens = new_tokens(session, len(new))
    session.add_all([Invitation(organisation_id=survey.organisation_id, survey_id=survey.id, token=token,
                                name=person.name, email=person.email, postal_address=person.postal_address,
                                created_at=now, reminders=0, mail_error="")
                     for person, token in zip(new, tokens, strict=True)])
    session.flush()
    return ImportResult(Imported.imported, count=len(new))


def _identity(person) -> tuple:
    """Who a row is, to find them on the list again: the e-mail, else the name and the address."""
    if person.email:
        return ("email", person.email.strip().lower())
    return ("post", " ".join(person.name.lower().split()), " ".join(person.postal_address.lower().split()))


def _known_people(session, survey_id: int) -> set[tuple]:
    rows = session.execute(select(Invitation.name, Invitation.email, Invitation.postal_address)
                           .where(Invitation.survey_id == survey_id))
    return {_identity(Person(0, name, email, address)) for name, email, address in rows}


def _already_invited(person: Person) -> str:
    if person.email:
        return _("%(email)s is already on the list", email=person.email)
    return _("%(name)s at this address is already on the list", name=person.name)


# -- the personal link --------------------------------------------------------------------------------

class Opened(enum.Enum):
    answer = "answer"  # go to `question_id` of the response `key`, with `via`
    answered = "answered"  # they answered already: thank them, store nothing
    not_open = "not_open"  # the survey does not take answers now


@dataclass(frozen=True)
class Opening:
    outcome: Opened
    key: str = ""
    question_id: int | None = None
    via: str = ""


def open_link(session, invitation: Invitation, survey: Survey, secret: str, now: datetime) -> Opening:
    """Someone opened their personal link: the first time is recorded (`opened_at`); they go on with
    their own response where they left it. Flushes."""
    if invitation.opened_at is None:
        session.execute(update(Invitation).where(Invitation.id == invitation.id, Invitation.opened_at.is_(None))
                        .values(opened_at=now).execution_options(synchronize_session=False))
        session.flush()
    key = response_key(secret, invitation.token)
    response = answering.find_response(session, survey, key)
    if invitation.answered_at is not None or (response is not None and response.completed):
        return Opening(Opened.answered)
    if survey.state_at(now) is not SurveyState.open:
        return Opening(Opened.not_open)
    answers = answering.stored_answers(session, response)
    question = answering.first_gap(survey, answers) if answers else None
    shown = answering.visible_questions(survey, answering.picked_choices(answers))
    if question is None and not shown:
        return Opening(Opened.not_open)
    return Opening(Opened.answer, key=key, question_id=(question or shown[0]).id, via=via_of(invitation))


def attribution(session, survey: Survey, via: str) -> dict:
    """The "survey_attribution" hook: {"invitation_id": ...} for a response started through a personal
    link of this survey, only when the survey ties answers to the person; {} otherwise."""
    if not via.startswith(VIA_PREFIX) or len(via) != len(VIA_PREFIX) + SHORT:
        return {}
    found = session.execute(
        select(Invitation.id).join(InvitationSettings, InvitationSettings.survey_id == Invitation.survey_id)
        .where(Invitation.survey_id == survey.id, InvitationSettings.named,
               _short_column() == via[len(VIA_PREFIX):].lower())).scalars().all()
    return {"invitation_id": found[0]} if len(found) == 1 else {}


def record_answer(session, survey: Survey, key: str, secret: str, now: datetime) -> bool:
    """The "response_completed" hook: the response `key` is completed; if a personal link started it, that
    invitation is answered (when the survey is not named: on this day, no time). True if this call recorded
    it; a second call (a resend) records nothing. Flushes."""
    if len(key) != KEY_LENGTH:
        return False  # the engine's own keys: not started from a personal link
    settings = settings_of(session, survey.id)
    if settings is None:
        return False
    waiting = session.execute(select(Invitation.id, Invitation.token).where(
        Invitation.survey_id == survey.id, Invitation.answered_at.is_(None)))
    found = next((id_ for id_, token in waiting if hmac.compare_digest(response_key(secret, token), key)), None)
    if found is None:
        return False
    when = now if settings.named else datetime(now.year, now.month, now.day)
    result = session.execute(update(Invitation).where(Invitation.id == found, Invitation.answered_at.is_(None))
                             .values(answered_at=when).execution_options(synchronize_session=False))
    session.flush()
    return result.rowcount == 1


# -- what staff see -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Counts:
    invited: int = 0
    with_email: int = 0
    with_address: int = 0
    mailed: int = 0
    opened: int = 0
    answered: int = 0
    to_mail: int = 0  # with an e-mail, not mailed yet
    to_remind: int = 0  # mailed, not answered


def counts(session, survey_id: int) -> Counts:
    """The list in numbers, one query; kept after the purge (only names and addresses go)."""
    def count(*conditions):
        return func.count(Invitation.id).filter(*conditions)
    row = session.execute(select(
        func.count(Invitation.id), count(Invitation.email != ""), count(Invitation.postal_address != ""),
        count(Invitation.mailed_at.is_not(None)), count(Invitation.opened_at.is_not(None)),
        count(Invitation.answered_at.is_not(None)),
        count(Invitation.email != "", Invitation.mailed_at.is_(None)),
        count(Invitation.email != "", Invitation.mailed_at.is_not(None), Invitation.answered_at.is_(None)),
    ).where(Invitation.survey_id == survey_id)).one()
    return Counts(*row)


def invitations_of(session, survey_id: int, with_address_only: bool = False) -> list[Invitation]:
    query = select(Invitation).where(Invitation.survey_id == survey_id).order_by(Invitation.id)
    if with_address_only:
        query = query.where(Invitation.postal_address != "")
    return list(session.scalars(query))


# -- the purge ----------------------------------------------------------------------------------------

def purge_expired(session, today: date) -> int:
    """The "purge_contacts" hook: on the day a survey's list is kept until, delete the names, e-mails and
    postal addresses on it and the mails to them, and give every invitation a new token (its link stops
    working, and no response key can be derived from it any more). The counts stay. Returns how many
    people were deleted; a second run on the same day finds nobody."""
    expired = select(InvitationSettings.survey_id).where(InvitationSettings.keep_until <= today)
    people = session.scalars(select(Invitation).where(Invitation.survey_id.in_(expired), _kept)).all()
    if not people:
        return 0
    ids = [p.id for p in people]
    session.execute(delete(OutgoingMail).where(OutgoingMail.invitation_id.in_(ids))
                    .execution_options(synchronize_session=False))
    for invitation, token in zip(people, new_tokens(session, len(people)), strict=True):
        invitation.name = invitation.email = invitation.postal_address = invitation.mail_error = ""
        invitation.token = token
    session.flush()
    return len(people)


def expired(settings: InvitationSettings | None, today: date) -> bool:
    """Whether the list's day has come (`flask purge-contacts` deletes it that night, if it has not yet)."""
    return settings is not None and settings.keep_until <= today
