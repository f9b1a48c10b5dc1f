"""The class's survey results as a PDF the teacher hands to the municipality.

A heading, the figures, and for each question the chart the projector and the
results page show (`engagement.common.charts.question_figure`), as an image
drawn by the same plotly.js (`engagement.common.chart_images`), with its
counts and shares under it as text. Text is DejaVu Sans, so æøå are real,
searchable text. Text questions show how many answered and the latest few
answers. The figures come from `surveys.results.summarise`, so they are the
same as on the projector and the results page.
"""
import io
from dataclasses import dataclass

from flask_babel import get_locale
from fpdf import FPDF
from PIL import Image

from engagement.common.chart_images import WIDTH, png_images
from engagement.common.charts import percent, question_figure
from engagement.common.pdf import GREY, INK, Fonts

PAGE_W, MARGIN = 210, 18
TEXT_W = PAGE_W - 2 * MARGIN
LABEL_W, COUNT_W = 100, 30  # mm for an answer's label and, right after it, its "12 (40 %)"
ROW_H = 5
CHART_MAX_H = 297 - 2 * MARGIN - 30  # mm: a chart taller than this is drawn narrower, whole on one page


@dataclass(frozen=True)
class ReportText:
    """The report's fixed words, already in the reader's language."""
    heading: str
    subheading: str
    figures: str  # e.g. "28 pupils finished, 30 started"
    no_answers: str
    latest: str


def survey_pdf(text: ReportText, questions: list[dict], texts: dict[int, list[str]],
               answered_label) -> bytes:
    """PDF bytes. `questions` are summarise()'s question results; `texts` the latest text answers by
    question id; `answered_label(n)` the "n answered" line in the reader's language.

    :raise ChartImagesUnavailable: if a question has a chart and Chromium is missing or fails.
    """
    figures = {index: figure for index, figure in enumerate(map(question_figure, questions)) if figure}
    images = dict(zip(figures, png_images(list(figures.values()), WIDTH, locale=str(get_locale() or "da")),
                      strict=True))
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    pdf.set_title(text.heading)
    pdf.set_creator("Bypuls")
    fonts = Fonts(pdf)
    pdf.add_page()
    fonts.use("Sans", "B", 18)
    pdf.multi_cell(0, 8, fonts.safe(text.heading), new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "", 11, GREY)
    pdf.multi_cell(0, 6, fonts.safe(text.subheading), new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "B", 12)
    pdf.multi_cell(0, 8, fonts.safe(text.figures), new_x="LMARGIN", new_y="NEXT")
    for index, result in enumerate(questions):
        draw_question(pdf, fonts, text, result, texts.get(result["question"].id, []), answered_label,
                      images.get(index))
    return bytes(pdf.output())


def draw_question(pdf: FPDF, fonts: Fonts, text: ReportText, result: dict, latest: list[str], answered_label,
                  png: bytes | None) -> None:
    question = result["question"]
    image_w, image_h = image_size(png)
    # Keep a question's heading with its chart (or its first lines).
    if pdf.get_y() + 20 + (image_h or 3 * ROW_H) > pdf.h - MARGIN:
        pdf.add_page()
    pdf.ln(4)
    fonts.use("Sans", "B", 12)
    pdf.multi_cell(0, 6, fonts.safe(f"{question.position}. {question.prompt}"), new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "", 9, GREY)
    pdf.cell(0, 5, fonts.safe(answered_label(result["respondents"])), new_x="LMARGIN", new_y="NEXT")
    if not result["respondents"]:
        fonts.use("Sans", "", 10)
        pdf.cell(0, 6, fonts.safe(text.no_answers), new_x="LMARGIN", new_y="NEXT")
    elif result.get("chart") == "text":
        draw_texts(pdf, fonts, text, latest)
    else:
        if png:
            pdf.image(io.BytesIO(png), x=MARGIN, y=pdf.get_y() + 1, w=image_w, h=image_h)
            pdf.set_y(pdf.get_y() + image_h + 2)
        rows = result.get("rows") or result.get("values") or []
        draw_counts(pdf, fonts, [(str(label), n) for label, n in rows], result["respondents"])


def image_size(png: bytes | None) -> tuple[float, float]:
    """mm for the chart as wide as the text (narrower if that is too tall), in the figure's own
    aspect; (0, 0) without a chart."""
    if not png:
        return 0, 0
    with Image.open(io.BytesIO(png)) as image:
        width, height = image.size
    scale = min(TEXT_W / width, CHART_MAX_H / height)
    return width * scale, height * scale


def draw_counts(pdf: FPDF, fonts: Fonts, rows: list[tuple[str, int]], respondents: int) -> None:
    """Each answer with its count and share, as text under the chart (the chart's numbers, searchable)."""
    for label, count in rows:
        if pdf.get_y() + ROW_H > pdf.h - MARGIN:
            pdf.add_page()
        fonts.use("Sans", "", 9, INK)
        pdf.cell(LABEL_W, ROW_H, fonts.safe(shorten(pdf, label, LABEL_W - 2)))
        fonts.use("Sans", "B", 9, INK)
        pdf.cell(COUNT_W, ROW_H, f"{count} ({percent(count, respondents)} %)", align="R",
                 new_x="LMARGIN", new_y="NEXT")


def draw_texts(pdf: FPDF, fonts: Fonts, text: ReportText, latest: list[str]) -> None:
    if not latest:
        return
    fonts.use("Sans", "B", 9)
    pdf.cell(0, 5, fonts.safe(text.latest), new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "", 9)
    for answer in latest:
        pdf.multi_cell(0, 5, fonts.safe("– " + answer[:400]), new_x="LMARGIN", new_y="NEXT")


def shorten(pdf: FPDF, label: str, width: float) -> str:
    """The label cut with an ellipsis to fit `width` mm in the current font."""
    if pdf.get_string_width(label) <= width:
        return label
    while label and pdf.get_string_width(label + "…") > width:
        label = label[:-1]
    return label + "…"
