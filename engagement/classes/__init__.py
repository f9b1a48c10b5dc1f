"""Class sessions: a teacher runs the town-centre exercise with the whole class.

`init_app` wires the package: the teacher's pages and projector view
(`views`), the pupils' `/join` (`pupils`), and the attribution of answers and
ideas to the session.
"""


def init_app(app):
    from engagement.classes import models as _models  # noqa: F401
    from engagement.classes import pupils, views

    app.register_blueprint(views.bp)
    app.register_blueprint(pupils.bp)
