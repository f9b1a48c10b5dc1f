"""Moderating ideas: every change of status or text is recorded in the audit log.

Services take the database session, the idea and the acting staff user, flush
and never commit. The moderation queue and a teacher's projector view both
come through here, so the log shows who did what, from where.
"""
import json

from engagement.competitions.models import Idea, IdeaStatus, ModerationEvent
from extensions import utcnow

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
    """Correct an idea's title and description; the log keeps the text as it was sent.

    Returns False, and records nothing, when nothing changed.
    """
    title, description = title.strip(), description.strip()
    if (title, description) == (idea.title, idea.description):
        return False
    before = {"title": idea.title, "description": idea.description}
    idea.title, idea.description = title, description
    record(session, idea, user, "edited", json.dumps({"before": before}, ensure_ascii=False))
    session.flush()
    return True
