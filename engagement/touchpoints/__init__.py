"""Touchpoints: one QR code per physical place, its posters, and the scans it brings.

`init_app` wires the package: the staff pages (`views`), the public `/q/<code>`
(`public`), the attribution of responses and ideas to the touchpoint they came
through (surveys.answering.ATTRIBUTION, engagement.competitions.services.ATTRIBUTION)
and the touchpoint column of exports (engagement.dashboard.exports.EXTRA_COLUMNS).
"""
from flask_babel import gettext as _


def init_app(app):
    from engagement.competitions import services as competitions
    from engagement.dashboard import exports
    from engagement.touchpoints import public, views
    from surveys import answering

    app.register_blueprint(views.bp)
    app.register_blueprint(public.bp)
    # The lists are module-wide and create_app may run more than once (tests): add each hook once.
    if resolve_attribution not in answering.ATTRIBUTION:
        answering.ATTRIBUTION.append(resolve_attribution)
    if resolve_competition_attribution not in competitions.ATTRIBUTION:
        competitions.ATTRIBUTION.append(resolve_competition_attribution)
    if export_columns not in exports.EXTRA_COLUMNS:
        exports.EXTRA_COLUMNS.append(export_columns)


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


def export_columns(session, survey) -> list:
    """The "Touchpoint" column of exports: the name of the place each response came through.

    Only for a survey that a touchpoint points at or brought responses to: a
    survey only ever shared as a link gets no column that is always empty.
    """
    from engagement.dashboard.exports import Column
    from engagement.touchpoints import services

    names = services.survey_touchpoint_names(session, survey)
    if not names:
        return []
    return [Column(_("Touchpoint"), lambda response, answers: names.get(response.touchpoint_id))]
