"""A report's PDF made in the background (engagement.prepared, the maker "report_pdf") when it is too big to
make while an app server waits.

What makes a PDF slow is its charts, three times over: each is read from the database, drawn by Chromium
(kaleido) and laid out on its pages with its table, so the time grows with the charts (86 pages and 68
charts of the bench's pack: 12 s on a quiet small server, 46 s while it was busy). A cross-tab is read
response by response, so on a big survey it costs more than its chart: about a chart more for every
CROSSTAB_RESPONSES responses. The rule: a PDF whose charts, so counted, are more than
REPORT_PDF_DIRECT_CHARTS (20) is made in the background; smaller ones are sent at once, as before.
The count comes from the report's sections and the surveys' sizes, without reading any answers.
"""
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from engagement.prepared import Description
from engagement.reports.models import Report
from extensions import db
from surveys.kinds import KINDS
from surveys.models import Response

PDF_MAKER = "report_pdf"  # stored with each background PDF: never rename it
CROSSTAB_RESPONSES = 40_000


def expected_charts(session, report: Report) -> float:
    """About how many charts' work the report's PDF is (see the module's docstring): a survey section's
    timeline and its charted questions (twice with its rounds), a cross-tab as a chart and a bit more per
    response of its survey, a place or a competition section as one chart each."""
    work = 0.0
    for part in report.sections:
        if part.kind == "survey" and part.survey is not None:
            options = part.options or {}
            chosen = options.get("questions")
            charted = [q for q in part.survey.questions
                       if KINDS[q.kind].chart != "text" and (chosen is None or q.id in chosen)]
            crosstabs = len(options.get("crosstabs") or ())
            work += 1 + len(charted) * (2 if options.get("rounds") else 1) + crosstabs
            if crosstabs:
                work += crosstabs * responses(session, part.survey_id) / CROSSTAB_RESPONSES
        elif part.kind in ("places", "competition"):
            work += 1
    return work


def responses(session, survey_id: int) -> int:
    return session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey_id))


def too_big_for_now(session, report: Report) -> bool:
    return expected_charts(session, report) > current_app.config["REPORT_PDF_DIRECT_CHARTS"]


def make_pdf(session, download, progress, file) -> None:
    """The report's PDF as the download asked for it, in a thread (a maker of engagement.prepared): loaded
    through the download's organisation; progress counts sections read, charts drawn, sections laid out.

    :raise NotFound: if the report has been deleted since.
    :raise ChartImagesUnavailable: if Chromium is missing or fails (the page then says so).
    """
    from engagement.reports.content import report_document
    from engagement.reports.pdf import report_pdf

    report = load(session, download)
    if report is None:
        raise NotFound(_("The report has been deleted."))
    document = report_document(session, report, current_app.config["MIN_GROUP_SIZE"], progress=progress)
    file.write(report_pdf(document, progress))


def describe_pdf(download) -> Description:
    report = load(db.session, download)
    if report is None:
        return Description(_("The PDF of a deleted report"), url_for("reports.index"), _("Reports"))
    return Description(_("»%(title)s« as a PDF", title=report.title),
                       url_for("reports.show", report_id=report.id), _("Back to the report"))


def load(session, download) -> Report | None:
    return session.scalar(select(Report).where(Report.id == download.params["report_id"],
                                               Report.organisation_id == download.organisation_id))
