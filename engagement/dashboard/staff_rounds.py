"""The rounds of a series side by side (surveys.comparison): `/staff/surveys/<id>/rounds` and its CSV.

Any staff role may read it. The survey is loaded through the organisation (404 across organisations)
and so are its rounds (surveys.rounds.rounds_of). Completed responses only.
"""
import csv
import io

from flask import Response as HttpResponse
from flask import render_template
from flask_babel import gettext as _
from flask_login import login_required

from engagement.common import charts
from engagement.common.spreadsheets import XLSX_MIMETYPE, csv_cell, xlsx_bytes
from engagement.dashboard import bp
from engagement.downloads import download
from extensions import db, utcnow
from surveys import comparison, rounds
from surveys.comparison import ComparedQuestion, Comparison
from surveys.kinds import KINDS
from surveys.staff import load_survey
from surveys.timezone import to_local

# One colour per round, oldest palest; later rounds beyond the palette take the darkest.
ROUND_COLOURS = ["#a9cdbd", "#5f9d83", "#1d6b4f", "#0f3d2c", "#8a8178", "#b0413e"]


def series_comparison(survey_id: int):
    """(survey, its rounds, the comparison or None for a survey in no series or a series of one round).

    :raise 404: unless the survey is the signed-in user's organisation's."""
    survey = load_survey(survey_id)
    found = rounds.rounds_of(db.session, survey)
    if len(found) < 2:
        return survey, found, None
    labels = {r.round: _("Round %(n)s", n=r.round) for r in found}
    return survey, found, comparison.compare_rounds(db.session, found, labels)


@bp.get("/<int:survey_id>/rounds")
@login_required
def rounds_page(survey_id):
    survey, found, compared = series_comparison(survey_id)
    figures = {}
    for question in compared.questions if compared else ():
        figure = bars_figure(compared, question) if question.chart == "bars" else line_figure(compared, question)
        if figure:
            figures[f"c{question.lineage}"] = figure
    return render_template("engagement/dashboard/staff/rounds.html", survey=survey, rounds=found,
                           compared=compared, figures=figures, kinds=KINDS, number=format_figure)


@bp.get("/<int:survey_id>/rounds.csv")
@login_required
def rounds_csv(survey_id):
    survey, _found, compared = series_comparison(survey_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([_("Question"), _("Answer"), _("Round"), _("Respondents"), _("Count"), _("Percent"),
                     _("Median")])
    for row in csv_rows(compared) if compared else ():
        writer.writerow([csv_cell(value) for value in row])
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), mimetype="text/csv; charset=utf-8")
    filename = f"{survey.slug}-runder-{to_local(utcnow()).date().isoformat()}.csv"
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:survey_id>/rounds.xlsx")
@login_required
def rounds_xlsx(survey_id):
    """The comparison as an Excel workbook: the CSV's rows, numbers as numbers."""
    survey, _found, compared = series_comparison(survey_id)
    headers = [_("Question"), _("Answer"), _("Round"), _("Respondents"), _("Count"), _("Percent"), _("Median")]
    body = xlsx_bytes(_("Rounds"), headers, csv_rows(compared) if compared else ())
    return download(body, XLSX_MIMETYPE, f"{survey.slug}-runder-{to_local(utcnow()).date().isoformat()}.xlsx")


def csv_rows(compared: Comparison):
    """The whole comparison, one row per question, answer (or measure) and round: the table under each chart.
    A round that did not ask a question, or did not offer an option, says so in the count column."""
    for question in compared.questions:
        for column in compared.columns:
            cell = question.cells[column.key]
            if not cell.asked:
                yield [question.prompt, "", column.label, None, not_asked_text(cell, column), None, None]
                continue
            if question.chart == "bars":
                for option in question.options:
                    count = cell.counts.get(option.lineage)
                    yield [question.prompt, option.label, column.label, cell.respondents,
                           _("not asked in %(round)s", round=column.label) if count is None else count,
                           rounded(cell.share(option.lineage)), None]
            else:
                yield [question.prompt, _("Median"), column.label, cell.respondents, None, None, rounded(cell.median)]
                if KINDS[question.kind].top_box is not None:
                    yield [question.prompt, _("4–5"), column.label, cell.respondents, None,
                           rounded(cell.top_share), None]


def not_asked_text(cell, column) -> str:
    if cell.other_kind:
        return _("asked as another kind in %(round)s", round=column.label)
    return _("not asked in %(round)s", round=column.label)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def format_figure(value: float | None) -> str:
    """A share or a median as Danish text: one decimal, a comma, none for whole numbers; "–" for nothing."""
    if value is None:
        return "–"
    text = f"{round(value, 1):.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def bars_figure(compared: Comparison, question: ComparedQuestion) -> dict | None:
    """The options as bars, one bar per round side by side: the share of that round's respondents."""
    data = []
    for index, column in enumerate(compared.columns):
        cell = question.cells[column.key]
        if not cell.asked or not cell.respondents:
            continue
        shares = [cell.share(option.lineage) for option in question.options]
        data.append({"type": "bar", "orientation": "h", "name": charts.plain(f"{column.label} (n={cell.respondents})"),
                     "y": [charts.plain(option.label) for option in question.options],
                     "x": [0 if share is None else round(share, 1) for share in shares],
                     "text": [_("not asked") if share is None else f"{format_figure(share)} %" for share in shares],
                     "textposition": "auto", "hoverinfo": "skip",
                     "marker": {"color": ROUND_COLOURS[min(index, len(ROUND_COLOURS) - 1)]}})
    if not data:
        return None
    return {"data": data, "layout": {
        **charts.BASE_LAYOUT, "barmode": "group", "showlegend": True, "legend": {"orientation": "h", "y": -0.15},
        "height": 100 + len(question.options) * (18 * len(data) + 24),
        "yaxis": {"autorange": "reversed", "automargin": True},
        "xaxis": {"range": [0, 100], "ticksuffix": " %", "automargin": True}}}


def line_figure(compared: Comparison, question: ComparedQuestion) -> dict | None:
    """The median per round as a line (a round without answers leaves a gap); for a scale, also the share
    who gave 4 or 5, on its own axis in percent."""
    labels = [charts.plain(column.label) for column in compared.columns]
    cells = [question.cells[column.key] for column in compared.columns]
    if not any(c.median is not None for c in cells):
        return None
    data = [{"type": "scatter", "mode": "lines+markers+text", "name": charts.plain(_("Median")), "x": labels,
             "y": [c.median for c in cells], "text": [format_figure(c.median) for c in cells],
             "textposition": "top center", "hoverinfo": "skip", "marker": {"color": charts.GREEN, "size": 10},
             "line": {"color": charts.GREEN}}]
    layout = {**charts.BASE_LAYOUT, "height": 300, "showlegend": KINDS[question.kind].top_box is not None,
              "legend": {"orientation": "h", "y": -0.2}, "xaxis": {"type": "category", "automargin": True},
              "yaxis": {"title": {"text": charts.plain(_("Median"))}, "automargin": True, "rangemode": "tozero"}}
    if KINDS[question.kind].top_box is not None:
        layout["yaxis"]["range"] = [1, 5.4]
        data.append({"type": "scatter", "mode": "lines+markers", "name": charts.plain(_("Share who gave 4–5")),
                     "x": labels, "y": [None if c.top_share is None else round(c.top_share, 1) for c in cells],
                     "yaxis": "y2", "hoverinfo": "skip", "marker": {"color": charts.GREY, "size": 8},
                     "line": {"color": charts.GREY, "dash": "dot"}})
        layout["yaxis2"] = {"overlaying": "y", "side": "right", "range": [0, 105], "ticksuffix": " %",
                            "automargin": True, "showgrid": False}
    return {"data": data, "layout": layout}
