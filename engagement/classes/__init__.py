"""Class sessions: a teacher runs the town-centre exercise with the whole class.

`init_app` wires the package: the teacher's pages and projector view
(`staff`, `staff_projector`), the pupils' `/join` (`public`), the attribution of
answers and ideas to the session and the class column of exports (the app's
hooks, see extensions.HOOKS).
"""
from flask_babel import gettext as _


def init_app(app):
    from engagement.classes import models as _models  # noqa: F401
    from engagement.classes import public, staff, staff_projector  # noqa: F401
    from extensions import add_hook

    app.register_blueprint(staff.bp)  # with the projector's routes (staff_projector)
    app.register_blueprint(public.bp)
    add_hook(app, "survey_attribution", survey_attribution)
    add_hook(app, "idea_attribution", competition_attribution)
    add_hook(app, "export_columns", export_columns)


def survey_attribution(survey, via: str) -> dict:
    """{"class_session_id": ...} for a survey started from a live class session of this very survey."""
    from engagement.classes import services
    from extensions import db

    found = services.live_session_for(db.session, via, survey_id=survey.id)
    return {"class_session_id": found} if found else {}


def competition_attribution(competition, via: str) -> dict:
    """{"class_session_id": ...} for an idea sent from a live class session of this very competition."""
    from engagement.classes import services
    from extensions import db

    found = services.live_session_for(db.session, via, competition_id=competition.id)
    return {"class_session_id": found} if found else {}


def export_columns(session, survey) -> list:
    """The "Class session" column of exports, only for a survey that sessions the user may see worked on."""
    from flask import has_request_context
    from flask_login import current_user

    from engagement.classes import services
    from engagement.common.spreadsheets import Column

    # A teacher sees the names of their own sessions only; a response from another teacher's class has none.
    user = current_user if has_request_context() and current_user.is_authenticated else None
    names = services.session_names(session, survey, user)
    if not names:
        return []
    return [Column(_("Class session"), lambda response, answers: names.get(response.class_session_id))]
