"""The cross-tab page of a survey's results (`/staff/surveys/<id>/results/crosstab`) and its downloads.

What is shown lives in the address, next to the results' filters: `q` is the
question (the id of a closed question), `by` what it is broken down by (the id of
another closed question, `touchpoint`, `class_session` or `round`: the same question in each round of
its series). A value that cannot be
used gets a message on the page, never an error page. Staff see every number;
the groups are not suppressed here (surveys.crosstabs.suppressed is for results
that leave the staff pages).
"""
import csv
import io
from dataclasses import dataclass

from flask import Response as HttpResponse
from flask import render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engagement.classes import services as classes
from engagement.common import charts
from engagement.common.spreadsheets import XLSX_MIMETYPE, csv_cell, formula_safe, write_xlsx
from engagement.dashboard import bp
from engagement.dashboard.filters import class_session_options, filter_args, filters_from_args, touchpoint_options
from engagement.touchpoints import services as touchpoints
from extensions import db, utcnow
from surveys import crosstabs, rounds
from surveys.crosstabs import ATTRIBUTIONS, CrossTab, CrossTabError
from surveys.kinds import KINDS
from surveys.models import Question, Survey
from surveys.staff import load_survey
from surveys.timezone import to_local


@dataclass
class Choice:
    """What the address asks for: the question and what to break it down by, as read."""
    question: Question | None = None
    by: str = ""  # "question", "touchpoint", "class_session", "round" or "" (nothing picked yet)
    by_question: Question | None = None
    raw_q: str = ""
    raw_by: str = ""
    problem: str | None = None

    @property
    def ready(self) -> bool:
        return self.question is not None and bool(self.by) and self.problem is None


def read_choice(survey: Survey, args) -> Choice:
    """The question and breakdown in `args`; an unknown id or a text question gives a `problem`."""
    raw_q, raw_by = args.get("q", "")[:20], args.get("by", "")[:20]
    choice = Choice(raw_q=raw_q, raw_by=raw_by)
    questions = {str(q.id): q for q in survey.questions}
    if raw_q:
        choice.question = questions.get(raw_q)
        if choice.question is None:
            choice.problem = _("The question in the address is not in this survey. Pick one below.")
    if raw_by in ATTRIBUTIONS or raw_by == "round":
        choice.by = raw_by
    elif raw_by:
        choice.by, choice.by_question = "question", questions.get(raw_by)
        if choice.by_question is None:
            choice.problem = choice.problem or _("What to break the question down by is not in this survey. "
                                                 "Pick it below.")
    return choice


def group_names(survey: Survey, by: str) -> dict[int, str] | None:
    """Names by id of the touchpoints or class sessions (those the user may see), by name."""
    if by == "touchpoint":
        names = touchpoints.survey_touchpoint_names(db.session, survey)
    elif by == "class_session":
        names = classes.session_names(db.session, survey, current_user)
    else:
        return None
    return dict(sorted(names.items(), key=lambda item: (item[1].lower(), item[0])))


def build(survey: Survey) -> tuple[Choice, CrossTab | None, list[str], dict]:
    """Everything the page and the downloads read from the request: (choice, table or None, filter
    problems, filter args)."""
    filters, problems = filters_from_args(survey, request.args)
    choice = read_choice(survey, request.args)
    table = None
    if choice.ready:
        try:
            if choice.by == "round":
                table = round_table(survey, choice.question)
            else:
                table = crosstabs.crosstab(db.session, survey, choice.question, filters, choice.by_question,
                                           choice.by, group_names(survey, choice.by))
        except CrossTabError as error:
            choice.problem = str(error)
    return choice, table, problems, filter_args(filters)


def round_table(survey: Survey, question: Question) -> CrossTab:
    """:raise CrossTabError: for a survey in no series of two rounds or more."""
    found = rounds.rounds_of(db.session, survey)
    if len(found) < 2:
        raise CrossTabError(_("This survey has only one round, so there is nothing to compare it with yet."))
    return crosstabs.by_round(db.session, question, found, {r.round: _("Round %(n)s", n=r.round) for r in found})


@bp.get("/<int:survey_id>/results/crosstab")
@login_required
def crosstab_page(survey_id):
    """Any staff role. :raise 404: unless the survey is the user's organisation's."""
    survey = load_survey(survey_id)
    choice, table, problems, args = build(survey)
    figures = {}
    if table is not None and not table.empty:
        rows = [row for row in table.rows if row.total]
        figures["crosstab"] = charts.crosstab_figure(
            [row.label for row in rows], [label for _key, label in table.columns], [row.counts for row in rows],
            [row.percents for row in rows], scale=not KINDS[table.question.kind].has_choices)
    return render_template(
        "engagement/dashboard/staff/crosstab.html", survey=survey, choice=choice, table=table, figures=figures,
        problems=problems, args=args, percent=charts.percent, closed=crosstabs.closed_questions(survey),
        by_label=by_label(table) if table else "", offers_touchpoints=bool(touchpoint_options(survey.organisation_id)),
        offers_class_sessions=bool(class_session_options(survey)),
        offers_rounds=len(rounds.rounds_of(db.session, survey)) > 1)


@bp.get("/<int:survey_id>/results/crosstab.csv")
@login_required
def crosstab_csv(survey_id):
    """The cross-tab as CSV for Danish Excel (";" and decimal commas, as the responses export).
    :raise 404: unless the survey is the user's organisation's; a breakdown that cannot be made is the
    page with its message."""
    survey = load_survey(survey_id)
    _choice, table, _problems, _args = build(survey)
    if table is None:
        return crosstab_page(survey_id), 400
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([formula_safe(header) for header in headers(table)])
    writer.writerows([csv_cell(value) for value in row] for row in table_rows(table))
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), mimetype="text/csv; charset=utf-8")
    return attachment(response, filename(survey, "csv"))


@bp.get("/<int:survey_id>/results/crosstab.xlsx")
@login_required
def crosstab_xlsx(survey_id):
    """The cross-tab as an Excel workbook of one sheet. :raise 404: as the CSV."""
    survey = load_survey(survey_id)
    _choice, table, _problems, _args = build(survey)
    if table is None:
        return crosstab_page(survey_id), 400
    file = io.BytesIO()
    columns = headers(table)
    write_xlsx(file, _("Cross-tab"), columns, table_rows(table), [min(max(len(h), 10), 40) for h in columns])
    file.seek(0)
    response = send_file(file, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename(survey, "xlsx"),
                         conditional=False, etag=False)
    return attachment(response, None)


def by_label(table: CrossTab) -> str:
    """The heading of the rows: the question broken down by, or touchpoint / class session."""
    if table.by == "question":
        return f"{table.by_question.position}. {table.by_question.prompt}"
    return {"touchpoint": _("Touchpoint"), "class_session": _("Class session"), "round": _("Round")}[table.by]


def headers(table: CrossTab) -> list[str]:
    """The group, how many answered, each option's count, then each option's share of the row."""
    labels = [label for _key, label in table.columns]
    return [by_label(table), _("Answered"), *labels, *[_("%(option)s (%% of row)", option=label) for label in labels]]


def table_rows(table: CrossTab) -> list[list]:
    return [[row.label, row.total, *row.counts, *[None if p is None else round(p, 1) for p in row.percents]]
            for row in table.rows]


def filename(survey: Survey, extension: str) -> str:
    return f"{survey.slug}-krydstabel-{to_local(utcnow()).date().isoformat()}.{extension}"


def attachment(response, name: str | None):
    if name:
        response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response
