"""Who may do what on the staff competition pages, and loading objects within the user's organisation.

Admins and editors build and moderate; viewers read the list and the
results; teachers have no part in competition admin (their class sessions
have their own pages). Only admins read the audit log. Every object is loaded
by id AND the signed-in user's organisation, so another organisation's id is
a 404 at any address.
"""
from flask import abort
from sqlalchemy import select

from engagement.common.access import can_build, roles_required
from engagement.competitions.models import Category, Competition, Idea
from engagement.models import Role
from extensions import db, owned_or_404

MODERATORS = (Role.admin, Role.editor)


def can_moderate(user) -> bool:
    return can_build(user)


def can_read_audit_log(user) -> bool:
    return user.role is Role.admin


moderator_required = roles_required(*MODERATORS)


def load_competition(competition_id: int) -> Competition:
    """:raise 404: unless the competition belongs to the signed-in user's organisation."""
    return owned_or_404(Competition, competition_id)


def load_idea(competition: Competition, idea_id: int) -> Idea:
    """:raise 404: unless the idea belongs to `competition` (already checked against the organisation)."""
    return db.first_or_404(select(Idea).where(Idea.id == idea_id, Idea.competition_id == competition.id))


def load_category(competition: Competition, category_id: int) -> Category:
    category = next((c for c in competition.categories if c.id == category_id), None)
    if category is None:
        abort(404)
    return category
