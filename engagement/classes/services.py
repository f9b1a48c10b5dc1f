"""Class session services: join codes, starting and ending sessions, live figures, attribution.

Plain arguments in, plain values out; they flush, the view commits. Every
function that staff reach takes the organisation id (and, for a teacher, the
teacher's id) and filters by it, so another organisation's or another
teacher's session is never loaded or listed.
"""
import enum
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from engagement.classes.models import ClassSession
from engagement.competitions import services as competitions
from engagement.competitions.models import Competition, CompetitionStatus, Idea, IdeaStatus, Phase, Voter
from engagement.models import Role
from extensions import utcnow
from surveys.models import Response, Survey, SurveyState, SurveyStatus

# Read aloud in a classroom and typed on phones: no 0/O, no 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_PATTERN = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
VIA_PREFIX = "class-"
# Roles that may start sessions and act in them; viewers see every session of the organisation, read-only.
STARTING_ROLES = (Role.admin, Role.editor, Role.teacher)
SEEING_ALL_ROLES = (Role.admin, Role.editor, Role.viewer)
PROJECTOR_IDEAS = 60  # the newest ideas shown on the projector: a class sends fewer


class CodeTaken(Exception):
    """Every code tried was taken (practically impossible: 31**6 codes)."""


@dataclass(frozen=True)
class SessionValues:
    name: str
    target: str  # "survey:<id>" or "competition:<id>"
    ends_at: datetime  # naive UTC
    dots_per_pupil: int | None = None
    publish_at_once: bool = False


class InvalidTarget(ValueError):
    """The target is not an open survey or competition of the organisation."""


class ClassPhase(enum.Enum):
    """What the class page of a competition session offers pupils now; the page shows nothing else."""
    collecting = "collecting"  # send ideas (the class vote is not open)
    voting = "voting"          # the teacher has opened the class vote
    waiting = "waiting"        # ideas are not collected now, and the class vote is not open (yet)
    closed = "closed"          # the competition has closed: thanks, and what happens next


# -- codes -------------------------------------------------------------------------------------------

def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None if `raw` cannot be a code."""
    code = re.sub(r"[\s\-–]", "", raw or "").upper()
    return code if CODE_PATTERN.fullmatch(code) else None


def grouped(code: str) -> str:
    """"KF729M" → "KF7 29M": two groups of three are easier to read aloud and to copy."""
    return f"{code[:3]} {code[3:]}"


def via_token(code: str) -> str:
    return VIA_PREFIX + code


# -- staff -------------------------------------------------------------------------------------------

def sees_all(user) -> bool:
    return user.role in SEEING_ALL_ROLES


def visible_sessions(user):
    """The WHERE clauses for the sessions `user` may see: the organisation's, and a teacher's own only."""
    where = [ClassSession.organisation_id == user.organisation_id]
    if not sees_all(user):
        where.append(ClassSession.teacher_id == user.id)
    return where


def load_session(session, user, class_session_id: int) -> ClassSession | None:
    return session.scalar(select(ClassSession).where(ClassSession.id == class_session_id, *visible_sessions(user)))


def list_sessions(session, user) -> list[ClassSession]:
    """Live ones first, then newest first."""
    sessions = list(session.scalars(
        select(ClassSession).where(*visible_sessions(user))
        .options(joinedload(ClassSession.teacher), joinedload(ClassSession.survey).options(lazyload(Survey.questions)),
                 joinedload(ClassSession.competition))
        .order_by(ClassSession.created_at.desc(), ClassSession.id.desc())))
    now = utcnow()
    return sorted(sessions, key=lambda s: not s.live_at(now))


def target_options(session, organisation_id: int) -> list[tuple[str, str]]:
    """(form value, title) of the organisation's surveys and competitions a class can work on now."""
    now = utcnow()
    surveys = session.scalars(select(Survey).where(
        Survey.organisation_id == organisation_id, Survey.status == SurveyStatus.open)
        .options(lazyload(Survey.questions)).order_by(Survey.created_at.desc(), Survey.id.desc()))
    options = [(f"survey:{s.id}", s.title) for s in surveys if s.state is SurveyState.open]
    contests = session.scalars(select(Competition).where(
        Competition.organisation_id == organisation_id, Competition.status == CompetitionStatus.open)
        .order_by(Competition.created_at.desc(), Competition.id.desc()))
    return options + [(f"competition:{c.id}", c.title) for c in contests
                      if c.phase_at(now) in (Phase.submitting, Phase.voting)]


def resolve_target(session, organisation_id: int, target: str) -> dict:
    """{"survey_id": id} or {"competition_id": id}. :raise InvalidTarget: unless it is one of target_options."""
    if target not in {value for value, _title in target_options(session, organisation_id)}:
        raise InvalidTarget(target)
    kind, _sep, raw_id = target.partition(":")
    return {f"{kind}_id": int(raw_id)}


def start_session(session, user, values: SessionValues, tries: int = 5) -> ClassSession:
    """A new live session with a fresh code, taught by `user`.

    :raise InvalidTarget: if the target is not open or not the organisation's.
    :raise CodeTaken: if `tries` random codes were all taken.
    """
    target = resolve_target(session, user.organisation_id, values.target)
    for _attempt in range(tries):
        class_session = ClassSession(
            organisation_id=user.organisation_id, teacher_id=user.id, name=values.name, code=new_code(),
            dots_per_pupil=values.dots_per_pupil, publish_at_once=values.publish_at_once, ends_at=values.ends_at,
            **target)
        try:
            # A savepoint: a clash on the unique code rolls back this insert only.
            with session.begin_nested():
                session.add(class_session)
            return class_session
        except IntegrityError:
            continue
    raise CodeTaken()


def end_session(session, class_session: ClassSession) -> bool:
    """End it now (codes stop working, voting closes); False if it had already ended."""
    if class_session.ended_at is not None:
        return False
    class_session.ended_at = utcnow()
    class_session.voting_open = False
    session.flush()
    return True


# -- pupils ------------------------------------------------------------------------------------------

def find_by_code(session, raw: str | None) -> ClassSession | None:
    """The session with this code, live or not (the page says when it has ended); None if unknown."""
    code = normalise_code(raw)
    if code is None:
        return None
    return session.scalar(select(ClassSession).where(ClassSession.code == code))


def live_session_for(session, via: str, **target) -> int | None:
    """The id of the live session whose via token is `via` and whose target is `target`, e.g. survey_id=3."""
    if not via.startswith(VIA_PREFIX):
        return None
    code = normalise_code(via[len(VIA_PREFIX):])
    if code is None:
        return None
    found = session.execute(select(ClassSession.id, ClassSession.ends_at, ClassSession.ended_at).where(
        ClassSession.code == code, *(getattr(ClassSession, k) == v for k, v in target.items()))).first()
    return found.id if found and found.ended_at is None and utcnow() < found.ends_at else None


def class_budget(class_session: ClassSession) -> int:
    return class_session.dots_per_pupil or class_session.competition.dots_per_device


def class_phase(class_session: ClassSession, now: datetime | None = None) -> ClassPhase:
    """The phase the class is in: the competition's phase, with the teacher's class vote on top of it.

    A closed competition wins over an open class vote (its votes would no longer count), and a
    competition set back to draft counts as closed.
    """
    phase = class_session.competition.phase_at(now or utcnow())
    if phase in (Phase.closed, Phase.draft):
        return ClassPhase.closed
    if class_session.voting_open:
        return ClassPhase.voting
    return ClassPhase.collecting if phase is Phase.submitting else ClassPhase.waiting


def pupil_state(session, class_session: ClassSession) -> dict:
    """What the class page shows, in a few values that change when it must change: the phase and, while
    the class votes, how many ideas it votes on. One count query, asked by every pupil's phone."""
    phase = class_phase(class_session)
    ideas = 0
    if phase is ClassPhase.voting:
        ideas = session.scalar(select(func.count()).select_from(Idea).where(
            Idea.class_session_id == class_session.id, Idea.status.in_(class_statuses(class_session))))
    return {"phase": phase.value, "ideas": ideas}


def class_statuses(class_session: ClassSession) -> tuple[IdeaStatus, ...]:
    """The statuses of the session's ideas that the class sees (never rejected ones)."""
    shown = (IdeaStatus.approved, IdeaStatus.winner)
    return shown + (IdeaStatus.pending,) if class_session.publish_at_once else shown


def class_ideas(session, class_session: ClassSession) -> list[Idea]:
    """The ideas the class sees and votes on, oldest first (the order they were sent)."""
    return list(session.scalars(select(Idea).where(
        Idea.class_session_id == class_session.id, Idea.status.in_(class_statuses(class_session)))
        .order_by(Idea.submitted_at, Idea.id)))


# -- projector ---------------------------------------------------------------------------------------

def survey_counts(session, class_session: ClassSession) -> tuple[int, int]:
    """(pupils who finished, pupils who started) the survey in this session: one aggregate query."""
    started, completed = session.execute(select(func.count(), func.count(Response.completed_at)).where(
        Response.class_session_id == class_session.id)).one()
    return completed, started


def competition_counts(session, class_session: ClassSession) -> dict:
    """Ideas sent, ideas waiting for the teacher, and pupils who voted: two aggregate queries."""
    sent, waiting = session.execute(select(func.count(), func.count().filter(Idea.status == IdeaStatus.pending))
                                    .where(Idea.class_session_id == class_session.id)).one()
    voters = session.scalar(select(func.count()).select_from(Voter).where(
        Voter.competition_id == class_session.competition_id,
        Voter.ballot == competitions.class_ballot(class_session.id)))
    return {"ideas": sent, "waiting": waiting, "voters": voters}


def projector_ideas(session, class_session: ClassSession, limit: int | None = PROJECTOR_IDEAS) -> list[Idea]:
    """The session's ideas that are not rejected, newest first (the newest `limit`; None: all)."""
    return list(session.scalars(select(Idea).where(
        Idea.class_session_id == class_session.id, Idea.status != IdeaStatus.rejected)
        .order_by(Idea.submitted_at.desc(), Idea.id.desc()).limit(limit)))


def ranking(session, class_session: ClassSession, ideas: list[Idea]) -> list[tuple[Idea, int]]:
    """The class's ideas with their dots in the class ballot, most first (ties: sent first)."""
    votes = competitions.vote_counts(session, [i.id for i in ideas], competitions.class_ballot(class_session.id))
    return sorted(((idea, votes.get(idea.id, 0)) for idea in ideas), key=lambda pair: -pair[1])


def session_of_idea(session, class_session: ClassSession, idea_id: int) -> Idea | None:
    return session.scalar(select(Idea).where(Idea.id == idea_id, Idea.class_session_id == class_session.id))


def filter_options(session, user, survey_id: int | None = None) -> list[tuple[int, str]]:
    """The class sessions `user` may see (of one survey, if given) as (id, name), newest first: a
    teacher's own, for other roles the organisation's."""
    where = visible_sessions(user)
    if survey_id is not None:
        where.append(ClassSession.survey_id == survey_id)
    return list(session.execute(select(ClassSession.id, ClassSession.name).where(*where)
                                .order_by(ClassSession.created_at.desc(), ClassSession.id.desc())).all())


def session_names(session, survey: Survey, user=None) -> dict[int, str]:
    """Names by id of the sessions that worked on `survey` ({} if none): those `user` may see, or with
    no user (no one signed in) all of the survey's organisation."""
    where = visible_sessions(user) if user is not None else [ClassSession.organisation_id == survey.organisation_id]
    return dict(session.execute(select(ClassSession.id, ClassSession.name).where(
        *where, ClassSession.organisation_id == survey.organisation_id, ClassSession.survey_id == survey.id)).all())
