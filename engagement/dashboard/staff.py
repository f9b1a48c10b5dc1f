"""The results page: headline figures, responses over time, a chart and a table per question."""
from flask import abort, render_template, request
from flask_login import login_required

from engagement.common import charts
from engagement.dashboard import bp
from engagement.dashboard.filters import class_session_options, filter_args, filters_from_args, touchpoint_options
from engagement.dashboard.staff_places import place_figures
from engagement.touchpoints import services as touchpoints
from extensions import db
from surveys import results
from surveys.kinds import CONDITION_KINDS
from surveys.staff import load_survey  # any staff role may read results; 404 across organisations


@bp.get("/<int:survey_id>/results")
@login_required
def results_page(survey_id):
    survey = load_survey(survey_id)
    filters, problems = filters_from_args(survey, request.args)
    summary = results.summarise(db.session, survey, filters)
    figures = {"timeline": charts.timeline_figure(summary.timeline, summary.timeline_unit)}
    for result in summary.questions:
        if result["kind"].has_map and result["respondents"]:  # first: it adds a row for places outside every area
            figures.update(place_figures(survey, result["question"], filters, result))
        figure = charts.question_figure(result)
        if figure:
            figures[f"q{result['question'].id}"] = figure
        if result["chart"] == "text":
            result["words"] = results.frequent_words(db.session, survey, result["question"], filters)
            latest = results.text_answers(db.session, survey, result["question"], filters)
            result["latest"], result["total"] = latest.items, latest.total
    funnel = touchpoints.funnel(db.session, survey, filters)
    if any(row["touchpoint_id"] for row in funnel):
        figures["funnel"] = charts.funnel_figure(funnel)
    return render_template(
        "engagement/dashboard/staff/results.html", survey=survey, summary=summary, figures=figures,
        filters=filters, args=filter_args(filters), problems=problems, percent=charts.percent,
        filter_options=filter_options(survey), choice_labels=choice_labels(survey), funnel=funnel,
        touchpoint_options=touchpoint_options(survey.organisation_id),
        class_session_options=class_session_options(survey))


@bp.get("/<int:survey_id>/results/questions/<int:question_id>")
@login_required
def text_answers_page(survey_id, question_id):
    """Every text answer to one question, paged and searchable."""
    survey = load_survey(survey_id)
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    filters, problems = filters_from_args(survey, request.args)
    search = request.args.get("search", "")[:200]
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100_000 else 1
    found = results.text_answers(db.session, survey, question, filters, search, page)
    return render_template("engagement/dashboard/staff/text_answers.html", survey=survey, question=question,
                           texts=found.items, total=found.total, page=found.page, pages=found.pages, search=search,
                           args=filter_args(filters), problems=problems)


def filter_options(survey) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices people can be filtered by, grouped by question, for the "answered X" filter."""
    return [(f"{q.position}. {q.prompt}", [(c.id, c.label) for c in q.choices])
            for q in survey.questions if q.kind in CONDITION_KINDS]


def choice_labels(survey) -> dict[int, str]:
    return {c.id: f"{q.position}. {q.prompt} → {c.label}" for q in survey.questions for c in q.choices}

