"""Who may do what on the staff pages: the roles, as rules for `extensions.staff_only`.

Admins and editors build surveys, competitions and touchpoints and moderate;
teachers run their own class sessions; viewers read. Only admins manage staff
accounts and read the moderation log. Objects are loaded with
`extensions.owned_or_404`, so another organisation's id is a 404 at any address.
"""
from engagement.models import Role
from extensions import staff_only

BUILDERS = (Role.admin, Role.editor)
READERS = (Role.admin, Role.editor, Role.viewer)


def roles_required(*roles):
    """View decorator: signed in with one of `roles`; else 403."""
    return staff_only(lambda user: user.role in roles)


def can_build(user) -> bool:
    """Admins and editors change surveys, competitions and touchpoints and moderate ideas."""
    return user.role in BUILDERS


builder_required = roles_required(*BUILDERS)
reader_required = roles_required(*READERS)
admin_required = roles_required(Role.admin)
