"""Touchpoints: one QR code per physical place, its posters, and the scans it brings.

`init_app` wires the package: the staff pages (`staff`), the public `/q/<code>`
(`public`), the attribution of responses and ideas to the touchpoint they came
through and the touchpoint column of exports (the app's hooks, see extensions.HOOKS).
"""
from flask_babel import gettext as _


def init_app(app):
    from engagement.touchpoints import public, staff
    from extensions import add_hook

    app.register_blueprint(staff.bp)
    app.register_blueprint(public.bp)
    add_hook(app, "survey_attribution", resolve_attribution)
    add_hook(app, "idea_attribution", resolve_competition_attribution)
    add_hook(app, "export_columns", export_columns)
    add_hook(app, "round_started", repoint_to_new_round)


def resolve_attribution(survey, via: str) -> dict:
    """{"touchpoint_id": ...} for a survey started through a touchpoint's code that points at it."""
    from engagement.touchpoints import services
    from extensions import db

    return services.attribution(db.session, survey, via)


def resolve_competition_attribution(competition, via: str) -> dict:
    """{"touchpoint_id": ...} for an idea sent through a touchpoint's code that points at the competition."""
    from engagement.touchpoints import services
    from extensions import db

    return services.competition_attribution(db.session, competition, via)


def repoint_to_new_round(session, previous, new_round, repoint: bool) -> str | None:
    """Staff started a new round of a survey: its touchpoints lead to the new round when they asked so."""
    from engagement.touchpoints import services

    if not repoint:
        return None
    moved = services.repoint_touchpoints(session, previous, new_round)
    return services.repointed_message(moved) if moved else None


def export_columns(session, survey) -> list:
    """The "Touchpoint" column of exports: the name of the place each response came through.

    Only for a survey that a touchpoint points at or brought responses to: a
    survey only ever shared as a link gets no column that is always empty.
    """
    from engagement.common.spreadsheets import Column
    from engagement.touchpoints import services

    names = services.survey_touchpoint_names(session, survey)
    if not names:
        return []
    return [Column(_("Touchpoint"), lambda response, answers: names.get(response.touchpoint_id))]
