"""Two periods of one survey side by side: `/staff/surveys/<id>/periods` and its CSV and XLSX.

The periods travel in the address (`a_since`, `a_until`, `b_since`, `b_until`, YYYY-MM-DD) with the
results' other filters (`a` options, `t`, `class_session`, `incomplete`), so a comparison can be
bookmarked. A date that cannot be read, or a period that ends before it starts, is named in a
message, kept in the form as typed, and nothing is compared until it is put right.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from engagement.common import charts
from engagement.common.spreadsheets import XLSX_MIMETYPE, csv_cell, xlsx_bytes
from engagement.dashboard import bp
from engagement.dashboard.filters import filter_args, filters_from_args
from engagement.downloads import download
from extensions import db, utcnow
from surveys.periods import Period, compare_periods, overlap
from surveys.staff import load_survey
from surveys.timezone import FIRST_YEAR, LAST_YEAR, plausible, to_local

FIELDS = ("a_since", "a_until", "b_since", "b_until")


@dataclass
class Asked:
    """What the address asked for: the typed values, the periods read from them, what is wrong."""
    typed: dict
    periods: list[Period] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@bp.get("/<int:survey_id>/periods")
@login_required
def periods_page(survey_id):
    """Any staff role. :raise 404: unless the survey is the user's organisation's."""
    survey = load_survey(survey_id)
    filters, filter_problems = filters_from_args(survey, request.args)
    asked = read_periods(request.args)
    comparison, figures = None, {}
    if asked.periods:
        comparison = compare_periods(db.session, survey, filters, asked.periods)
        names = period_names(asked.periods)
        for question in comparison["questions"]:
            if question["rows"] and any(question["n"]):
                figures[f"p{question['question_id']}"] = charts.periods_figure(question, names)
    others = {k: v for k, v in filter_args(filters).items() if k not in ("from", "to")}
    return render_template("engagement/dashboard/staff/periods.html", survey=survey, asked=asked,
                           problems=filter_problems + asked.problems, comparison=comparison, figures=figures,
                           names=period_names(asked.periods) if asked.periods else [], others=others,
                           percent=charts.percent, format_median=charts.format_median)


@bp.get("/<int:survey_id>/periods.<any(csv, xlsx):extension>")
@login_required
def periods_download(survey_id, extension):
    """The comparison as CSV (for Danish Excel: ";" and decimal commas) or as an Excel workbook (numbers
    as numbers). Any staff role. A comparison that cannot be made goes back to the page, which says why.
    :raise 404: unless the survey is the user's organisation's."""
    survey = load_survey(survey_id)
    filters, _problems = filters_from_args(survey, request.args)
    asked = read_periods(request.args)
    if not asked.periods:
        return redirect(url_for("dashboard.periods_page", survey_id=survey.id, **request.args.to_dict(flat=False)))
    rows = csv_rows(compare_periods(db.session, survey, filters, asked.periods), period_names(asked.periods))
    name = f"{survey.slug}-perioder-{to_local(utcnow()).date().isoformat()}.{extension}"
    if extension == "xlsx":
        return download(xlsx_bytes(_("Periods"), next(rows), rows), XLSX_MIMETYPE, name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return download(("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv", name)


def read_periods(args) -> Asked:
    """The two periods in `args`, or none with the reasons; `from`/`to` of the results page give
    period A when the address has no A of its own."""
    typed = {name: args.get(name, "")[:30] for name in FIELDS}
    if not typed["a_since"] and not typed["a_until"]:
        typed["a_since"], typed["a_until"] = args.get("from", "")[:30], args.get("to", "")[:30]
    asked = Asked(typed)
    if not any(typed.values()):
        return asked  # nothing asked yet: the page explains itself
    periods = []
    for letter, name in (("a", period_label("A")), ("b", period_label("B"))):
        since = _date(typed[f"{letter}_since"], name, _("start date"), asked.problems)
        until = _date(typed[f"{letter}_until"], name, _("end date"), asked.problems)
        periods.append(Period(since, until))
    if asked.problems:
        return asked
    for period, name in zip(periods, (period_label("A"), period_label("B")), strict=True):
        if period.problem() == "empty":
            asked.problems.append(_("%(period)s: give it a start, an end or both.", period=name))
        elif period.problem() == "backwards":
            asked.problems.append(_("%(period)s ends (%(end)s) before it starts (%(start)s). Swap the dates or "
                                    "choose another end.", period=name, start=_day(period.since),
                                    end=_day(period.until)))
    if asked.problems:
        return asked
    shared = overlap(*periods)
    if shared:
        asked.notes.append(_("The periods overlap (%(span)s): responses from those days count in both columns.",
                             span=_span(*shared)))
    asked.periods = periods
    return asked


def period_label(letter: str) -> str:
    return _("Period %(letter)s", letter=letter)


def period_names(periods: list[Period]) -> list[str]:
    """"Period A: 01.05.2026–31.05.2026" for each period, open ends said as such."""
    return [f"{period_label(letter)}: {_span(p.since, p.until)}" for letter, p in zip("AB", periods, strict=False)]


def csv_rows(comparison: dict, names: list[str]):
    """The comparison as spreadsheet rows: per question its n, each option's count and share, and medians."""
    yield [_("Question"), _("Answer")] + [f"{name} ({label})" for name in names
                                          for label in (_("number of answers"), _("share in %"))]
    yield ["", _("Responses in the period")] + [value for n in comparison["responses"] for value in (n, "")]
    for question in comparison["questions"]:
        title = f"{question['position']}. {question['prompt']}"
        yield [title, _("Answered the question")] + [value for n in question["n"] for value in (n, "")]
        for row in question["rows"]:
            yield [title, row["label"]] + [value for n, total in zip(row["counts"], question["n"], strict=True)
                                           for value in (n, charts.percent(n, total) if total else None)]
        if question["medians"] is not None:
            yield [title, _("Median")] + [value for m in question["medians"] for value in (m, "")]


def _date(raw: str, period: str, end: str, problems: list) -> date | None:
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        problems.append(_("%(period)s, %(end)s: “%(value)s” is not a date like 2026-05-31.",
                          period=period, end=end, value=raw))
        return None
    if not plausible(value):
        problems.append(_("%(period)s, %(end)s: “%(value)s” is not between the years %(first)d and %(last)d.",
                          period=period, end=end, value=raw, first=FIRST_YEAR, last=LAST_YEAR))
        return None
    return value


def _day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _span(start: date | None, end: date | None) -> str:
    if start and end:
        return f"{_day(start)}–{_day(end)}"
    if start:
        return _("from %(day)s", day=_day(start))
    return _("until %(day)s", day=_day(end))
