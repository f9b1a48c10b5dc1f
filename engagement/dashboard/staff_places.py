"""A place question's results beyond its chart: the heat map over the map picture, its comments by area,
where the answers came from (touchpoints placed on the same map) and its GeoJSON downloads for the
municipality's GIS.

Every route takes the survey and the question, checks that the survey is the
signed-in user's organisation's and that the map is too, and answers 404 for
anything else, so nobody learns another organisation's map or answers.
"""
from flask import Response as HttpResponse
from flask import abort, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from engagement.common import charts
from engagement.dashboard import bp, geojson
from engagement.dashboard.filters import filter_args, filters_from_args
from engagement.touchpoints import services as touchpoints
from engagement.touchpoints.models import Touchpoint
from extensions import db, utcnow
from surveys import places
from surveys.kinds import KINDS
from surveys.maps import SurveyMap, area_of, map_of
from surveys.models import Question, Survey
from surveys.results import Filters
from surveys.staff import load_question, load_survey
from surveys.timezone import to_local

GEOJSON_MIMETYPE = "application/geo+json"


def place_question(survey_id: int, question_id: int) -> tuple[Survey, Question, SurveyMap]:
    """:raise 404: unless the survey is the user's organisation's and the question is a place question on
    one of that organisation's maps."""
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    survey_map = map_of(db.session, question) if KINDS[question.kind].has_map else None
    if survey_map is None or survey_map.organisation_id != survey.organisation_id:
        abort(404)
    return survey, question, survey_map


def picture_url(survey_map: SurveyMap) -> str:
    """The staff address of the map's picture (surveys.map_staff: organisation-scoped, also for closed
    surveys); its version in the address lets the browser keep it."""
    return url_for("maps.picture", map_id=survey_map.id, v=survey_map.version)


def place_figures(survey: Survey, question: Question, filters: Filters, result: dict) -> dict:
    """What the results page shows of a place question beyond its counts per area (`result`, from
    surveys.results): adds "place" (surveys.places.PlaceResults) and "touchpoints" (rows for the map of
    where the answers came from) to `result`, and returns the figures to draw, by name."""
    place = places.place_results(db.session, survey, question, filters)
    result["place"] = place
    if place.outside and question.choices:  # the areas' table and bars end with the places none of them holds
        result["rows"] = [*result["rows"], (_("Outside every named area"), place.outside)]
    if place.survey_map is None:
        return {}
    url = picture_url(place.survey_map)
    figures = {}
    if place.cells:
        labels = {c.id: c.label for c in question.choices}
        figures[f"q{question.id}_map"] = charts.density_figure(place, url, labels)
        result["busiest"] = busiest_spots(place, question)
    result["touchpoints"] = touchpoints_on_map(survey, place.survey_map, filters)
    if result["touchpoints"]:
        figures[f"q{question.id}_touchpoints"] = charts.touchpoints_figure(result["touchpoints"], url,
                                                                           place.survey_map.aspect)
    result["georeferenced"] = place.survey_map.georeference is not None
    return figures


def busiest_spots(place: places.PlaceResults, question: Question) -> list[dict]:
    """The heat map as text: its busiest cells, each as percent of the map from the left and from the
    top, the named area at its middle, and its number of places."""
    spots = []
    for column, row, count in place.busiest():
        middle = ((column + 0.5) / place.columns, (row + 0.5) / place.rows)
        area = area_of(*middle, question.choices)
        spots.append({"left": (round(100 * column / place.columns), round(100 * (column + 1) / place.columns)),
                      "top": (round(100 * row / place.rows), round(100 * (row + 1) / place.rows)),
                      "area": next((c.label for c in question.choices if c.id == area), None), "places": count})
    return spots


def touchpoints_on_map(survey: Survey, survey_map: SurveyMap, filters: Filters) -> list[dict]:
    """The organisation's touchpoints placed on this map that point at the survey or brought it responses,
    with how many of the matching responses came through each: most first."""
    found = db.session.execute(select(Touchpoint.id, Touchpoint.name, Touchpoint.map_x, Touchpoint.map_y,
                                      Touchpoint.survey_id).where(
        Touchpoint.organisation_id == survey.organisation_id, Touchpoint.map_id == survey_map.id,
        Touchpoint.map_x.is_not(None), Touchpoint.map_y.is_not(None))).all()
    if not found:
        return []
    counts = places.responses_by_touchpoint(db.session, survey, filters, [t.id for t in found])
    rows = [{"name": t.name, "x": t.map_x, "y": t.map_y, "responses": counts.get(t.id, 0)}
            for t in found if t.survey_id == survey.id or counts.get(t.id)]
    return sorted(rows, key=lambda row: (-row["responses"], row["name"].lower()))


@bp.get("/<int:survey_id>/results/questions/<int:question_id>/comments")
@login_required
def place_comments(survey_id, question_id):
    """The comments on a place question's points, a page at a time: all, one area's (`?area=<option id>`)
    or those outside every named area (`?area=none`); the results' filters apply."""
    survey, question, _survey_map = place_question(survey_id, question_id)
    filters, problems = filters_from_args(survey, request.args)
    areas = {str(c.id): c.id for c in question.choices}
    raw_area = request.args.get("area", "")
    area = places.OUTSIDE if raw_area == places.OUTSIDE else areas.get(raw_area)
    search = request.args.get("search", "")[:200]
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100_000 else 1
    found = places.area_comments(db.session, survey, question, filters, area, page, search)
    labels = {c.id: c.label for c in question.choices}
    return render_template("engagement/dashboard/staff/place_comments.html", survey=survey, question=question,
                           comments=found.items, total=found.total, page=found.page, pages=found.pages,
                           area=raw_area if area is not None else "", labels=labels, search=search,
                           outside=places.OUTSIDE, args=filter_args(filters), problems=problems)


@bp.get("/<int:survey_id>/results/questions/<int:question_id>/places.geojson")
@login_required
def places_geojson(survey_id, question_id):
    """The points of the matching responses as a GeoJSON FeatureCollection ([longitude, latitude]).
    A map without a georeference has no real coordinates: a page says so, and how to give it one (409)."""
    survey, question, survey_map = place_question(survey_id, question_id)
    georeference = survey_map.georeference
    if georeference is None:
        return unavailable(survey, question, survey_map)
    filters, _problems = filters_from_args(survey, request.args)
    names = touchpoints.survey_touchpoint_names(db.session, survey)
    rows = places.points_of(db.session, survey, question, filters)
    features = geojson.point_features(rows, georeference, {c.id: c.label for c in question.choices}, names)
    return download(geojson.collection(f"{survey.slug} {question.position}", features),
                    filename(survey, question, "steder"))


@bp.get("/<int:survey_id>/results/questions/<int:question_id>/areas.geojson")
@login_required
def areas_geojson(survey_id, question_id):
    """The question's named areas as GeoJSON polygons, with the places in each (the results' filters apply)."""
    survey, question, survey_map = place_question(survey_id, question_id)
    georeference = survey_map.georeference
    if georeference is None:
        return unavailable(survey, question, survey_map)
    filters, _problems = filters_from_args(survey, request.args)
    counts = places.area_counts(db.session, survey, question, filters)
    features = geojson.area_features(question.choices, georeference, counts)
    return download(geojson.collection(f"{survey.slug} {question.position}", features),
                    filename(survey, question, "omraader"))


def download(pieces, name: str) -> HttpResponse:
    response = HttpResponse(stream_with_context(pieces), mimetype=GEOJSON_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def filename(survey: Survey, question: Question, what: str) -> str:
    return f"{survey.slug}-{what}-{question.position}-{to_local(utcnow()).date().isoformat()}.geojson"


def unavailable(survey: Survey, question: Question, survey_map: SurveyMap):
    """The page that says why there is no GeoJSON: the map has no real coordinates yet."""
    filters, _problems = filters_from_args(survey, request.args)
    return render_template("engagement/dashboard/staff/place_geojson_unavailable.html", survey=survey,
                           question=question, survey_map=survey_map, args=filter_args(filters)), 409
