"""The class's survey results as a PDF the teacher hands to the municipality.

A heading, the figures, and for each question a simple horizontal bar chart
(count and share per answer) drawn as vector rectangles, text in DejaVu Sans so
æøå are real, searchable text. Text questions show how many answered and the
latest few answers. The figures come from `surveys.results.summarise`, so they
are the same as on the projector and the results page.
"""
from dataclasses import dataclass

from fpdf import FPDF

from engagement.common.pdf import GREEN, GREY, INK, PALE, Fonts

PAGE_W, MARGIN = 210, 18
LABEL_W = 70  # mm for the answer labels left of the bars
BAR_H = 6


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
    question id; `answered_label(n)` the "n answered" line in the reader's language."""
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
    for result in questions:
        draw_question(pdf, fonts, text, result, texts.get(result["question"].id, []), answered_label)
    return bytes(pdf.output())


def draw_question(pdf: FPDF, fonts: Fonts, text: ReportText, result: dict, latest: list[str], answered_label):
    question = result["question"]
    rows = result.get("rows") or result.get("values") or []
    # Keep a question's heading with its first bars.
    if pdf.get_y() + 20 + BAR_H * min(len(rows), 3) > pdf.h - MARGIN:
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
        draw_bars(pdf, fonts, [(str(label), n) for label, n in rows], result["respondents"])


def draw_bars(pdf: FPDF, fonts: Fonts, rows: list[tuple[str, int]], respondents: int) -> None:
    widest = max((n for _label, n in rows), default=0) or 1
    room = PAGE_W - 2 * MARGIN - LABEL_W - 22
    for label, count in rows:
        if pdf.get_y() + BAR_H + 1 > pdf.h - MARGIN:
            pdf.add_page()
        y = pdf.get_y() + 0.5
        fonts.use("Sans", "", 9)
        pdf.set_xy(MARGIN, y)
        pdf.cell(LABEL_W - 2, BAR_H, fonts.safe(shorten(pdf, label, LABEL_W - 3)), align="R")
        pdf.set_fill_color(*PALE)
        pdf.rect(MARGIN + LABEL_W, y, room, BAR_H, style="F")
        pdf.set_fill_color(*GREEN)
        if count:
            pdf.rect(MARGIN + LABEL_W, y, room * count / widest, BAR_H, style="F")
        share = round(100 * count / respondents) if respondents else 0
        fonts.use("Sans", "B", 9, INK)
        pdf.set_xy(MARGIN + LABEL_W + room + 1, y)
        pdf.cell(21, BAR_H, f"{count} ({share} %)")
        pdf.set_y(y + BAR_H + 0.5)


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
