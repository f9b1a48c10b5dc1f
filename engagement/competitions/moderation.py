"""Moderating ideas: every change of status or text is recorded in the audit log.

Services take the database session, the idea and the acting staff user, flush
and never commit. The moderation queue and a teacher's projector view both
come through here, so the log shows who did what, from where, and the sender
who asked to be told gets a mail either way (`notices`, queued only).
"""
import json

from sqlalchemy import select

from engagement.competitions import notices
from engagement.competitions.models import Idea, IdeaOutcome, IdeaStatus, IdeaUpdate, ModerationEvent
from extensions import page_of, utcnow

# action name -> the status it sets
STATUS_ACTIONS = {
    "approved": IdeaStatus.approved,
    "rejected": IdeaStatus.rejected,
    "winner": IdeaStatus.winner,
    "unwinner": IdeaStatus.approved,
    "reopened": IdeaStatus.pending,
}


def record(session, idea: Idea, user, action: str, detail: str = "") -> ModerationEvent:
    event = ModerationEvent(competition_id=idea.competition_id, idea_id=idea.id,
                            user_id=user.id if user is not None else None, action=action, detail=detail,
                            created_at=utcnow())
    session.add(event)
    return event


def set_status(session, idea: Idea, user, action: str, reason: str = "", where: str = "") -> bool:
    """Apply a status action ("approved", "rejected", "winner", "unwinner", "reopened").

    A rejection keeps `reason` for staff only. `where` says where it was done
    (e.g. a class session's name) for the log. Returns False, and records
    nothing, when the idea already has the status the action sets. A sender
    who left an e-mail gets one (queued) when the idea is shown for the first
    time and when it becomes a winner.

    :raise KeyError: for an unknown action.
    """
    status = STATUS_ACTIONS[action]
    if idea.status is status:
        return False
    first_shown = action == "approved" and not was_approved_before(session, idea)
    idea.status = status
    if action == "rejected":
        idea.rejection_reason = reason.strip()
    detail = {k: v for k, v in (("reason", reason.strip()), ("where", where)) if v}
    record(session, idea, user, action, json.dumps(detail, ensure_ascii=False) if detail else "")
    session.flush()
    if first_shown:
        notices.idea_published(session, idea, utcnow())
    elif action == "winner":
        notices.idea_won(session, idea, utcnow())
    return True


def was_approved_before(session, idea: Idea) -> bool:
    """Whether the idea was shown before (approved, then reopened): its sender was told then."""
    return session.scalar(select(ModerationEvent.id).where(
        ModerationEvent.idea_id == idea.id, ModerationEvent.action == "approved").limit(1)) is not None


ANSWER_MAX = 800  # a short answer fits a phone screen; a longer story belongs in a report


class NotPublished(ValueError):
    """Only a published idea (approved or a winner) can be answered: the answer is public."""


def answer_idea(session, idea: Idea, user, outcome: IdeaOutcome, answer: str, now) -> IdeaUpdate:
    """Tell in public what became of an idea: set its outcome with the partnership's answer, kept
    as a history on the idea's page; the moderation log records who did it, and a sender who left an
    e-mail gets the answer by mail (queued: the answer is saved whatever the mail server does).

    :raise NotPublished: if the idea is not approved or a winner.
    :raise ValueError: if the answer is empty or longer than ANSWER_MAX characters.
    """
    answer = answer.strip()
    if not idea.status.published:
        raise NotPublished(idea.status.value)
    if not answer or len(answer) > ANSWER_MAX:
        raise ValueError("the answer must have 1 to %d characters" % ANSWER_MAX)
    idea.outcome = outcome
    update = IdeaUpdate(idea_id=idea.id, outcome=outcome, answer=answer, created_at=now)
    session.add(update)
    record(session, idea, user, "answered", json.dumps({"outcome": outcome.value, "answer": answer},
                                                        ensure_ascii=False))
    session.flush()
    notices.idea_answered(session, idea, update, now)
    return update


def edit_text(session, idea: Idea, user, title: str, description: str) -> bool:
    """Correct an idea's title and description; the log keeps the text before and after.

    Returns False, and records nothing, when nothing changed.
    """
    title, description = title.strip(), description.strip()
    if (title, description) == (idea.title, idea.description):
        return False
    before = {"title": idea.title, "description": idea.description}
    idea.title, idea.description = title, description
    after = {"title": title, "description": description}
    record(session, idea, user, "edited", json.dumps({"before": before, "after": after}, ensure_ascii=False))
    session.flush()
    return True


QUEUE_PAGE_SIZE = 30


def queue(session, competition, status: IdeaStatus | None = None, category_id: int | None = None,
          page: int = 1) -> tuple[list[Idea], int]:
    """(ideas on `page`, number of pages): the competition's ideas, oldest waiting first when the
    filter is "waiting for review" (first come, first read), else newest first."""
    where = [Idea.competition_id == competition.id]
    if status is not None:
        where.append(Idea.status == status)
    if category_id is not None:
        where.append(Idea.category_id == category_id)
    order = (Idea.submitted_at, Idea.id) if status is IdeaStatus.pending else (Idea.submitted_at.desc(), Idea.id.desc())
    found = page_of(session, select(Idea).where(*where).order_by(*order), page, QUEUE_PAGE_SIZE)
    return found.items, found.pages


def events(session, competition) -> list[tuple[ModerationEvent, Idea | None]]:
    """The competition's audit log, newest first, each event with its idea."""
    rows = session.execute(select(ModerationEvent, Idea).outerjoin(Idea, Idea.id == ModerationEvent.idea_id)
                           .where(ModerationEvent.competition_id == competition.id)
                           .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc()))
    return [(event, idea) for event, idea in rows]


def detail(event: ModerationEvent) -> dict:
    """The event's detail as a dict (reason, where, before, after); {} for none or unreadable text."""
    try:
        value = json.loads(event.detail) if event.detail else {}
    except ValueError:
        return {"note": event.detail}
    return value if isinstance(value, dict) else {"note": event.detail}
