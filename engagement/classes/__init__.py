"""Class sessions: a teacher runs the town-centre exercise with the whole class.

`init_app` wires the package: the teacher's pages and projector view, the
pupils' `/join`, and the attribution of answers and ideas to the session.
"""


def init_app(app):
    from engagement.classes import models as _models  # noqa: F401
