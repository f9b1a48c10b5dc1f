"""Class sessions: a teacher runs the town-centre exercise with the whole class.

`init_app` wires the package: the teacher's pages and projector view
(`staff`, `staff_projector`), the pupils' `/join` (`public`), the attribution of
answers and ideas to the session, the class's words on the receipt of an idea
sent in class and the class column of exports (the app's hooks, see
extensions.HOOKS).
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
    add_hook(app, "idea_receipt", idea_receipt)
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


def idea_receipt(competition, idea) -> dict | None:
    """What the receipt of an idea sent in a class says instead of "someone from the municipality reads it",
    and the way back to the class page; None for an idea sent elsewhere or in a session that has ended."""
    from flask import url_for

    from engagement.classes.models import ClassSession
    from extensions import db

    class_session = db.session.get(ClassSession, idea.class_session_id) if idea.class_session_id else None
    if class_session is None or not class_session.live:
        return None
    if class_session.publish_at_once:
        waiting = _("Your class can see it now, and vote on it when your teacher opens the class vote. "
                    "Someone from the municipality reads it before it is shown in the public gallery.")
    else:
        waiting = _("Your teacher or someone from the municipality reads it first. Then the class can vote on it, "
                    "and it is shown in the public gallery.")
    return {"waiting": waiting, "back_url": url_for("join.session_page", code=class_session.code),
            "back_label": _("Back to the class")}


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
