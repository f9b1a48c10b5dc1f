"""Who may do what on the staff competition pages, and loading objects within the user's organisation.

Admins and editors build and moderate; viewers read the list and the
results; teachers have no part in competition admin (their class sessions
have their own pages). Only admins read the audit log. Every object is loaded
by id AND the signed-in user's organisation, so another organisation's id is
a 404 at any address.
"""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from engagement.competitions.models import Category, Competition, Idea
from engagement.models import Role
from extensions import db

READERS = (Role.admin, Role.editor, Role.viewer)
MODERATORS = (Role.admin, Role.editor)


def can_moderate(user) -> bool:
    return user.role in MODERATORS


def can_read_audit_log(user) -> bool:
    return user.role is Role.admin


def roles_required(*roles):
    """Signed in with one of `roles`; else 403 (a visitor who is not signed in goes to the login)."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


reader_required = roles_required(*READERS)
moderator_required = roles_required(*MODERATORS)
admin_required = roles_required(Role.admin)


def load_competition(competition_id: int) -> Competition:
    """:raise 404: unless the competition belongs to the signed-in user's organisation."""
    competition = db.session.scalar(select(Competition).where(
        Competition.id == competition_id, Competition.organisation_id == current_user.organisation_id))
    if competition is None:
        abort(404)
    return competition


def load_idea(competition: Competition, idea_id: int) -> Idea:
    """:raise 404: unless the idea belongs to `competition` (already checked against the organisation)."""
    idea = db.session.scalar(select(Idea).where(Idea.id == idea_id, Idea.competition_id == competition.id))
    if idea is None:
        abort(404)
    return idea


def load_category(competition: Competition, category_id: int) -> Category:
    category = next((c for c in competition.categories if c.id == category_id), None)
    if category is None:
        abort(404)
    return category
