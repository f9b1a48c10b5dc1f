"""The address on every poster: `/q/<code>`. It must stay fast and never send anyone astray.

A scan is one indexed lookup, one insert and one commit, and for a survey it leads straight to the
first screen (the survey's structure comes from the worker's copy, surveys.structure). The destination is
the survey or idea competition the touchpoint points at in the database,
never anything in the request, so the code cannot be turned into an open
redirect. A code that leads nowhere right now (deactivated, no target yet,
survey not open, competition still a draft or closed) shows what the
organisation has open instead.
"""
from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from engagement.competitions.models import Competition
from engagement.models import Organisation
from engagement.touchpoints import services
from extensions import db
from surveys import answering, structure
from surveys.models import Survey

bp = Blueprint("scan", __name__, url_prefix="/q")


@bp.get("/<code>")
def scan(code):
    """:raise 404: (the friendly page of `unknown_code`) for an unknown or malformed code."""
    # HEAD is what link previews and checkers send: look, but do not count it as a scan.
    outcome = services.record_scan(db.session, code, count=request.method != "HEAD")
    if outcome is None:
        abort(404)
    db.session.commit()
    response = redirect(destination(outcome), 303) if outcome.slug else make_response(not_open_page(outcome))
    # Every scan must reach the server to be counted: no browser or proxy may keep the answer.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(404)
def unknown_code(error):
    """Also for a code refused before the view is reached (a NUL in the address)."""
    response = make_response(render_template("engagement/touchpoints/public/unknown.html"), 404)
    response.headers["Cache-Control"] = "no-store"
    return response


def destination(outcome: services.ScanOutcome) -> str:
    """The competition's address, or the survey's first screen with a new response key, with the code
    so what is sent there is attributed. Straight to the screen: a phone on a weak signal pays for
    every extra round trip."""
    if outcome.competition_id:
        return url_for("competition.show", slug=outcome.slug, via=outcome.code)
    survey = structure.survey_structure(db.session, outcome.survey_id, outcome.survey_version)
    shown = answering.visible_questions(survey, set())
    if not shown:  # an open survey without questions: its own address says so
        return url_for("answer.start", slug=outcome.slug, via=outcome.code)
    return url_for("answer.screen", slug=outcome.slug, key=answering.new_key(), question_id=shown[0].id,
                   via=outcome.code)


def not_open_page(outcome: services.ScanOutcome):
    # An old poster says nothing of the survey or competition it once led to.
    shown = outcome.reason != "inactive"
    survey = db.session.get(Survey, outcome.survey_id) if shown and outcome.survey_id else None
    competition = db.session.get(Competition, outcome.competition_id) if shown and outcome.competition_id else None
    if survey or competition:
        g.content_language = (survey or competition).language
    organisation = db.session.scalar(select(Organisation).where(Organisation.id == outcome.organisation_id))
    return render_template("engagement/touchpoints/public/not_open.html", reason=outcome.reason, survey=survey,
                           competition=competition, organisation=organisation,
                           surveys=services.open_surveys(db.session, outcome.organisation_id),
                           competitions=services.open_competitions(db.session, outcome.organisation_id))
