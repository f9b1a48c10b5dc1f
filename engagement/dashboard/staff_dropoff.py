"""Where people stop: a page of its own, linked from the results page with the same filters. It is not a
section of the results page, whose figures it would about double in time on a large survey (it reads
every response's furthest answer)."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from engagement.common import charts
from engagement.dashboard import bp
from engagement.dashboard.filters import filter_args, filters_from_args
from engagement.touchpoints import services as touchpoints
from extensions import db
from surveys.dropoff import dropoff
from surveys.results import Filters
from surveys.staff import load_survey


@bp.get("/<int:survey_id>/stop")
@login_required
def dropoff_page(survey_id):
    """Any staff role. :raise 404: unless the survey is the user's organisation's."""
    survey = load_survey(survey_id)
    filters, problems = filters_from_args(survey, request.args)
    figures: dict = {}
    found = stops(survey, filters, figures)
    return render_template("engagement/dashboard/staff/dropoff.html", survey=survey, dropoff=found,
                           figures=figures, problems=problems, args=filter_args(filters))


def stops(survey, filters: Filters, figures: dict) -> dict:
    """The page's data, with its figure put into `figures`: the whole, and each touchpoint with its name,
    only when the responses came through more than one way in."""
    found = dropoff(db.session, survey, filters)
    whole = found["all"]
    if whole["started"]:
        biggest = whole["biggest"]["question_id"] if whole["biggest"] else None
        figures["dropoff"] = charts.dropoff_figure(whole["rows"], biggest)
    names = dict(touchpoints.filter_options(db.session, survey.organisation_id))
    groups = found["touchpoints"]
    for group in groups:
        tid = group["touchpoint_id"]
        group["name"] = names.get(tid, _("Touchpoint removed")) if tid else _("Without a touchpoint (direct link)")
    return {"all": whole, "touchpoints": groups if len(groups) > 1 or any(
        group["touchpoint_id"] for group in groups) else []}
