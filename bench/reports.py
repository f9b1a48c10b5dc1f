"""The PDF of a board pack: chart images drawn by kaleido in Chromium, and a large survey's pack (section `reports`).

1. `engagement.common.chart_images.png_images`: one figure (Chromium's start and stop included, best
   of three) and a batch of 100 of the results page's bar charts; the difference is the cost of a figure.
2. A large survey's board pack made the way staff get it: the survey of section 1 (`bench/scale.py`)
   filled by the demo seed's `add_responses` to `RESPONSES` responses, and a report over it with
   `SECTIONS` survey sections (every question, quotes, and the cross-tabs of each chart question by the
   survey's single choices) and its places section. `engagement.reports.content.report_document` reads
   it from the database, `engagement.reports.pdf.report_pdf` makes the A4 PDF; each timed once (their
   sum is what the issue's target is about: a 50-page pack of a large survey in under 30 s).
"""
import random
import re
import time
from dataclasses import dataclass

from bench.report import load_average, seconds, table
from bench.scale import BENCH_SURVEY, bench_app, create_bench_survey, fresh_schema, settle
from engagement.common.chart_images import png_images
from engagement.common.charts import bars_figure
from engagement.demo.seed import add_responses
from engagement.reports.content import report_document
from engagement.reports.models import Report, ReportSection
from engagement.reports.pdf import report_pdf
from extensions import db, utcnow

RESPONSES = 20_000
SECTIONS = 2  # survey sections: about 85 pages with the places
BATCH = 100  # figures in the batch of part 1
TARGET = 30.0  # seconds for a pack of at least 50 pages (issue 16)
GROUPING_KINDS = ("single_choice", "yes_no")


@dataclass
class ReportsRun:
    first_figure: float  # one figure, Chromium started and stopped
    batch: float  # BATCH figures in one call
    responses: int
    document_seconds: float
    pdf_seconds: float
    pages: int
    charts: int
    size: int
    load: str

    @property
    def per_figure(self) -> float:
        return (self.batch - self.first_figure) / (BATCH - 1)

    @property
    def total(self) -> float:
        return self.document_seconds + self.pdf_seconds


def run(folder, log=print, responses: int = RESPONSES) -> ReportsRun:
    with bench_app(f"sqlite:///{folder}/reports.sqlite3").app_context():
        first, batch = chart_timings(log)
        fresh_schema()
        survey = create_bench_survey()
        rng = random.Random(16)
        for start in range(0, responses, 10_000):
            add_responses(db.session, survey, BENCH_SURVEY["questions"], min(10_000, responses - start), rng, utcnow())
            db.session.commit()
        settle()
        report = board_pack(survey)
        started = time.perf_counter()
        document = report_document(db.session, report, 5)
        read = time.perf_counter() - started
        started = time.perf_counter()
        pdf = report_pdf(document)
        made = time.perf_counter() - started
        pages = len(re.findall(rb"/Type /Page\b", pdf))
        log(f"  a pack of {pages} pages and {len(document.charts())} charts: read in {seconds(read)}, "
            f"PDF in {seconds(made)}")
        found = ReportsRun(first, batch, responses, read, made, pages, len(document.charts()), len(pdf),
                           load_average())
        db.session.remove()
        db.engine.dispose()
    return found


def chart_timings(log) -> tuple[float, float]:
    figures = [bars_figure({"rows": [(f"Svar nummer {j} med æøå", 40 * j + i) for j in range(8)],
                            "respondents": 2_000}) for i in range(BATCH)]
    first = min(clock(lambda: png_images(figures[:1])) for _ in range(3))
    batch = clock(lambda: png_images(figures))
    log(f"  chart images: one figure {seconds(first)}, {BATCH} figures {seconds(batch)}")
    return first, batch


def board_pack(survey) -> Report:
    """A report of every question of `survey`, `SECTIONS` times over with its quotes and cross-tabs,
    then its places."""
    groups = [q for q in survey.questions if q.kind in GROUPING_KINDS]
    charted = [q for q in survey.questions if q.kind not in ("short_text", "long_text", "map_point")]
    crosstabs = [[q.id, f"question:{by.id}"] for by in groups for q in charted if q.id != by.id]
    report = Report(organisation_id=survey.organisation_id, title="Bestyrelsespakke: bymidten i foråret",
                    introduction="Sådan svarede de unge. " * 20, since=None, until=None)
    for position in range(1, SECTIONS + 1):
        report.sections.append(ReportSection(kind="survey", position=position, survey_id=survey.id,
                                             text="Tekst fra sekretariatet om afsnittet. " * 6,
                                             options={"quotes": True, "crosstabs": crosstabs}))
    report.sections.append(ReportSection(kind="places", position=SECTIONS + 1, survey_id=survey.id, text=""))
    db.session.add(report)
    db.session.commit()
    return report


def clock(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def targets(found: ReportsRun) -> list[list[str]]:
    ok = found.pages >= 50 and found.total < TARGET
    return [[f"A board pack of at least 50 pages of a large survey ({found.responses:,} responses) under "
             f"{TARGET:g} s, read and made", f"{found.pages} pages, {found.charts} charts: {seconds(found.total)}",
             "met" if ok else "**missed**"]]


def section(found: ReportsRun) -> str:
    out = ["## Reports: chart images and the PDF of a board pack", "",
           "Chart images are drawn by kaleido in Debian's Chromium with the vendored plotly.js, one Chromium per "
           "batch, started and stopped inside the call (`engagement.common.chart_images`). The pack is the "
           f"bench survey filled to {found.responses:,} responses, in {SECTIONS} survey sections with quotes and "
           "cross-tabs by every single choice, and its places.", ""]
    out += [table(["Target", "Measured", ""], targets(found)), ""]
    out += [table(["Measured", "Time"], [
        ["One chart image, Chromium started and stopped (best of 3)", seconds(found.first_figure)],
        [f"{BATCH} chart images in one batch", seconds(found.batch)],
        ["Each further chart image", seconds(found.per_figure)],
        ["The pack read from the database (`report_document`)", seconds(found.document_seconds)],
        [f"The pack's PDF, {found.pages} pages, {found.charts} charts, {found.size / 2**20:.1f} MiB (`report_pdf`)",
         seconds(found.pdf_seconds)],
        ["Load average after", found.load]]), ""]
    return "\n".join(out)
