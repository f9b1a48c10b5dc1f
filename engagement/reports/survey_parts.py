"""The blocks of a report's survey section and places section: a survey's results in a period as charts
with their tables, its rounds side by side, the cross-tabs staff picked, and the places it was reached from.

Everything that leaves the staff pages is counted here, so the minimum group
size is applied here: a question fewer than `min_group` people answered, a
round, a cross-tab group or a period that small shows a sentence instead of
numbers. Free text is shown only when `quotes` is asked for, and then only
from a question enough people answered, with e-mail addresses and phone
numbers taken out.
"""
import re
from dataclasses import replace

from flask_babel import format_decimal, format_number, ngettext
from flask_babel import gettext as _

from engagement.classes import services as classes
from engagement.common import charts
from engagement.dashboard.staff_rounds import bars_figure, format_figure, line_figure
from engagement.reports.document import Chart, KeyFigures, Notice, Quotes, Table
from engagement.touchpoints import services as touchpoints
from surveys import comparison, crosstabs, results, rounds
from surveys.crosstabs import CrossTabError
from surveys.kinds import KINDS
from surveys.models import Survey
from surveys.results import Filters

QUOTES_SHOWN = 10
# Contact details someone typed into an answer never leave the staff pages: they are replaced in quotes.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\d)(\+45[ -]?)?(\d[ -]?){7}\d(?!\d)")
BY_ATTRIBUTION = ("touchpoint", "class_session")


def too_few(min_group: int) -> str:
    return ngettext("Fewer than %(num)d person answered, so the numbers are not shown: nobody can be recognised "
                    "from them.", "Fewer than %(num)d people answered, so the numbers are not shown: nobody can be "
                    "recognised from them.", min_group)


def survey_blocks(session, survey: Survey, filters: Filters, options: dict, min_group: int, quotes: bool,
                  key: str) -> list:
    """The survey's results in the period: key figures, answers over time, a chart per chosen question, then
    its rounds side by side and the chosen cross-tabs when `options` ask for them. `key` prefixes the
    charts' keys, so two sections of one report never share an id."""
    summary = results.summarise(session, survey, filters)
    if summary.completed < min_group:
        return [Notice(ngettext("Fewer than %(num)d person finished the survey in this period, so no results "
                                "are shown.", "Fewer than %(num)d people finished the survey in this period, "
                                "so no results are shown.", min_group))]
    blocks = [KeyFigures(key_figures(summary)), timeline_chart(summary, f"{key}-time")]
    chosen = options.get("questions")
    for result in summary.questions:
        question = result["question"]
        if chosen is not None and question.id not in chosen:
            continue
        blocks.extend(question_blocks(session, survey, filters, result, min_group, quotes, f"{key}-q{question.id}"))
    if options.get("rounds"):
        blocks.extend(round_blocks(session, survey, min_group, f"{key}-r"))
    for index, (question_id, by) in enumerate(options.get("crosstabs") or ()):
        blocks.extend(crosstab_blocks(session, survey, filters, question_id, by, min_group, f"{key}-x{index}"))
    return blocks


def key_figures(summary) -> list[tuple[str, str]]:
    items = [(_("Finished"), format_number(summary.completed)), (_("Started"), format_number(summary.started))]
    if summary.started:
        items.append((_("Finished of those who started"), f"{round(100 * summary.completed / summary.started)} %"))
    if summary.median_seconds is not None:
        items.append((_("Typical time to answer"), duration(summary.median_seconds)))
    return items


def duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return ngettext("%(num)d second", "%(num)d seconds", rest)
    return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=rest)


def timeline_chart(summary, key: str) -> Chart:
    """Finished and unfinished responses over time; its table counts per day, or per month past 31 days."""
    points = summary.timeline
    if summary.timeline_unit == "hour" or len(points) <= 31:
        buckets: dict = {}
        for moment, n in points:
            buckets[moment.date()] = buckets.get(moment.date(), 0) + n
        rows = [[day.strftime("%d.%m.%Y"), format_number(n)] for day, n in buckets.items()]
        heading = _("Day")
    else:
        months: dict = {}
        for moment, n in points:
            months[(moment.year, moment.month)] = months.get((moment.year, moment.month), 0) + n
        rows = [[f"{month:02d}.{year}", format_number(n)] for (year, month), n in months.items()]
        heading = _("Month")
    return Chart(key, _("Responses over time"), charts.timeline_figure(points, summary.timeline_unit),
                 Table([heading, _("Responses")], rows))


def question_blocks(session, survey, filters, result: dict, min_group: int, quotes: bool, key: str) -> list:
    question, respondents = result["question"], result["respondents"]
    title = f"{question.position}. {question.prompt}"
    if result["chart"] == "text":
        if not quotes:
            return []
        if respondents < min_group:
            return [Notice(too_few(min_group), title)]
        texts = results.text_answers(session, survey, question, filters).items[:QUOTES_SHOWN]
        return [Quotes(title, [without_contacts(text) for text in texts])]
    if respondents < min_group:
        return [Notice(too_few(min_group), title)]
    figure = charts.question_figure(result)
    if figure is None:
        return []
    points = [(str(label), n) for label, n in result.get("rows") or result.get("values") or []]
    if result.get("low_label") or result.get("high_label"):  # a scale: say what its ends mean
        ends = {0: result.get("low_label"), len(points) - 1: result.get("high_label")}
        points = [(f"{label} – {ends[i]}" if ends.get(i) else label, n) for i, (label, n) in enumerate(points)]
    table = Table([_("Answer"), _("People"), _("Share")],
                  [[label, format_number(n), f"{charts.percent(n, respondents)} %"] for label, n in points])
    note = ngettext("%(num)d person answered", "%(num)d people answered", respondents)
    if result.get("multiple"):
        note += " · " + _("each could pick more than one")
    if result.get("median") is not None:
        note += " · " + _("the middle answer: %(value)s", value=format_decimal(result["median"]))
    return [Chart(key, title, figure, table, note)]


def without_contacts(text: str) -> str:
    """`text` with e-mail addresses and phone numbers replaced by a note that they were removed."""
    return PHONE.sub(_("[phone number removed]"), EMAIL.sub(_("[e-mail removed]"), text))


def round_blocks(session, survey: Survey, min_group: int, key: str) -> list:
    """The survey's rounds side by side, each question compared; a round fewer than `min_group` finished
    is left out of every chart and said so."""
    found = rounds.rounds_of(session, survey)
    if len(found) < 2:
        return [Notice(_("This survey has only one round, so there is nothing to compare it with yet."))]
    labels = {r.round: _("Round %(n)s", n=r.round) for r in found}
    compared = comparison.compare_rounds(session, found, labels)
    small = [c for c in compared.columns if c.completed < min_group]
    blocks = []
    if small:
        blocks.append(Notice(ngettext(
            "%(rounds)s: fewer than %(num)d person finished, so it is left out.",
            "%(rounds)s: fewer than %(num)d people finished, so they are left out.", min_group,
            rounds=", ".join(c.label for c in small))))
    shown = replace(compared, columns=[c for c in compared.columns if c.completed >= min_group])
    for index, question in enumerate(compared.questions):
        for column in shown.columns:
            cell = question.cells[column.key]
            if cell.asked and cell.respondents < min_group:
                question.cells[column.key] = replace(cell, respondents=0, counts={}, values=[], median=None,
                                                     top_share=None)
        figure = bars_figure(shown, question) if question.chart == "bars" else line_figure(shown, question)
        if figure is None:
            continue
        blocks.append(Chart(f"{key}{index}", _("Across rounds: %(question)s", question=question.prompt), figure,
                            round_table(shown, question)))
    if compared.not_compared:
        blocks.append(Notice(_("Not compared across rounds (text or places): %(questions)s",
                               questions="; ".join(compared.not_compared))))
    return blocks


def round_table(compared, question) -> Table:
    columns = compared.columns
    headers = [_("Answer"), *[column.label for column in columns]]
    n_row = [_("Answered"), *[format_number(question.cells[c.key].respondents) if question.cells[c.key].asked
                              else _("not asked") for c in columns]]
    if question.chart == "bars":
        rows = [[option.label, *[share_text(question.cells[c.key], option.lineage) for c in columns]]
                for option in question.options]
    else:
        rows = [[_("Median"), *[format_figure(question.cells[c.key].median) for c in columns]]]
    return Table(headers, [n_row, *rows])


def share_text(cell, lineage: str) -> str:
    if not cell.asked:
        return _("not asked")
    share = cell.share(lineage)
    return "–" if share is None else f"{format_figure(share)} %"


def crosstab_blocks(session, survey: Survey, filters: Filters, question_id, by: str, min_group: int,
                    key: str) -> list:
    """One cross-tab: grouped bars of the groups large enough, and a table in which a smaller group says
    "fewer than 5"."""
    questions = {q.id: q for q in survey.questions}
    question = questions.get(question_id)
    by_question = None
    if isinstance(by, str) and by.startswith("question:") and by[9:].isdigit():
        by_question, by = questions.get(int(by[9:])), "question"
    if question is None or (by == "question" and by_question is None) or by not in ("question", "round",
                                                                                       *BY_ATTRIBUTION):
        return [Notice(_("A cross-tab of this report asks for a question that is no longer in the survey."))]
    names = None
    if by == "touchpoint":
        names = touchpoints.survey_touchpoint_names(session, survey)
    elif by == "class_session":
        names = classes.session_names(session, survey)
    try:
        if by == "round":
            found = rounds.rounds_of(session, survey)
            if len(found) < 2:
                return [Notice(_("This survey has only one round, so there is nothing to compare it with yet."))]
            table = crosstabs.by_round(session, question, found, {r.round: _("Round %(n)s", n=r.round) for r in found})
        else:
            table = crosstabs.crosstab(session, survey, question, filters, by_question, by, names)
    except CrossTabError as error:
        return [Notice(str(error))]
    table = crosstabs.suppressed(table, min_group)
    by_text = (f"{by_question.position}. {by_question.prompt}" if by == "question" else
               {"touchpoint": _("Touchpoint"), "class_session": _("Class session"), "round": _("Round")}[by])
    title = _("%(question)s – by %(by)s", question=f"{question.position}. {question.prompt}", by=by_text)
    labels = [label for _key, label in table.columns]
    fewer = _("fewer than %(num)d", num=min_group)
    rows = [[row.label, fewer, *[""] * len(labels)] if row.suppressed else
            [row.label, format_number(row.total),
             *[f"{format_number(n)} ({round(p)} %)" for n, p in zip(row.counts, row.percents, strict=True)]]
            for row in table.rows]
    shown = [row for row in table.rows if not row.suppressed and row.total]
    if not shown:
        return [Notice(too_few(min_group), title)]
    figure = charts.crosstab_figure([row.label for row in shown], labels, [row.counts for row in shown],
                                    [row.percents for row in shown],
                                    scale=not KINDS[question.kind].has_choices)
    note = _("Each bar is the share of its group; the number on it counts people.")
    return [Chart(key, title, figure, Table([by_text, _("Answered"), *labels], rows), note)]


def places_blocks(session, survey: Survey, filters: Filters, key: str) -> list:
    """Scans → started → finished per touchpoint of the survey in the period."""
    rows = touchpoints.funnel(session, survey, filters)
    places = [row for row in rows if row["touchpoint_id"]]
    if not places:
        return [Notice(_("No touchpoint has led people to this survey."))]
    table = Table([_("Touchpoint"), _("Scans"), _("Started"), _("Finished"), _("Finished of scans")],
                  [[row["name"], "–" if row["scans"] is None else format_number(row["scans"]),
                    format_number(row["started"]), format_number(row["completed"]),
                    "–" if row["scan_to_completed_rate"] is None else f"{round(100 * row['scan_to_completed_rate'])} %"]
                   for row in rows])
    return [Chart(key, _("From scan to finished answer: %(survey)s", survey=survey.title), charts.funnel_figure(rows),
                  table)]
