"""Moderating ideas: every change of status or text is recorded in the audit log.

Services take the database session, the idea and the acting staff user, flush
and never commit. The moderation queue and a teacher's projector view both
come through here, so the log shows who did what, from where.
"""
import json

from sqlalchemy import select

from engagement.competitions.models import Idea, IdeaStatus, ModerationEvent
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
    nothing, when the idea already has the status the action sets.

    :raise KeyError: for an unknown action.
    """
    status = STATUS_ACTIONS[action]
    if idea.status is status:
        return False
    idea.status = status
    if action == "rejected":
        idea.rejection_reason = reason.strip()
    detail = {k: v for k, v in (("reason", reason.strip()), ("where", where)) if v}
    record(session, idea, user, action, json.dumps(detail, ensure_ascii=False) if detail else "")
    session.flush()
    return True


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
