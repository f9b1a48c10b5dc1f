"""A report (`Document`) as an A4 PDF: a title page, a table of contents with page numbers, the
introduction, then each section on a page of its own with staff's text and its blocks.

The charts are images of the very Plotly figures the pages show, drawn all at once by
`engagement.common.chart_images` before the layout starts; each is followed by its table, so
every number is also real text. Text is DejaVu Sans (æøå searchable), colours and fonts those of
every Bypuls PDF (`engagement.common.pdf`). Idea photos are the print JPEGs, embedded as they are.
"""
import io
import logging
import math
import re

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image, UnidentifiedImageError

from engagement.common.chart_images import WIDTH, png_images
from engagement.common.pdf import GREEN, GREY, INK, PALE, YELLOW, Fonts
from engagement.reports.document import Chart, Document, IdeaCard, KeyFigures, Notice, Quotes, Table

log = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT, MARGIN, FOOT = 210, 297, 18, 20
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
BODY_HEIGHT = PAGE_HEIGHT - MARGIN - FOOT
PHOTO_MAX = (120, 90)  # mm, as in the competitions' ideas PDF
TOC_LINE = 8  # mm per line of the table of contents
TOC_FIRST = int((PAGE_HEIGHT - FOOT - MARGIN - 16) / TOC_LINE)  # lines under the heading "Contents"
TOC_NEXT = int((PAGE_HEIGHT - FOOT - MARGIN) / TOC_LINE)  # lines on each further page of it
BOXES_PER_ROW = 4
STRIPE = (241, 247, 244)  # every other row of a table, paler than PALE
NUMBER = re.compile(r"[\d\s.,%()+\-–−]*\d[\d\s.,%()+\-–−]*")  # "1.204", "42 %", "3 (100 %)", "-0,5"


class ReportPdf(FPDF):
    """A4 whose pages after the title page end in "organisation · title · Page X of Y"."""

    def __init__(self, footer_text: str):
        super().__init__(unit="mm", format="A4")
        self.footer_text = footer_text
        self.typeface = Fonts(self)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=FOOT)

    def footer(self):
        if self.page_no() == 1:
            return
        self.set_y(-12)
        self.typeface.use("Sans", "", 8, GREY)
        page = _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}")
        self.cell(0, 5, self.typeface.safe(f"{self.footer_text} · {page}"), align="C")


def report_pdf(document: Document, progress=None) -> bytes:
    """The document as PDF bytes, its fixed words in `document.language`. `progress`
    (engagement.prepared.runner.Progress), if given, counts the charts as they are drawn, then the
    sections as they are laid out.

    :raise ChartImagesUnavailable: if the document has charts and Chromium is missing or fails.
    """
    with force_locale(document.language):
        if progress:
            progress.start(len(document.charts()), "charts")
        images = png_images([chart.figure for chart in document.charts()], WIDTH, locale=document.language,
                            drawn=progress.advance if progress else None)
        if progress:
            progress.start(len(document.sections), "laid_out")
        pdf = ReportPdf(shorten_plain(f"{document.organisation} · {document.title}", 110))
        pdf.set_title(document.title)
        pdf.set_author(document.organisation)
        pdf.set_creator("Bypuls")
        pdf.set_lang(document.language)
        draw_title_page(pdf, document)
        pdf.add_page()
        pdf.insert_toc_placeholder(draw_contents, pages=contents_pages(len(document.sections)
                                                                       + bool(document.introduction)),
                                   reset_page_indices=False)
        charts = dict(zip((id(chart) for chart in document.charts()), images, strict=True))
        if document.introduction:
            draw_heading(pdf, _("Introduction"))
            draw_text(pdf, document.introduction)
        for index, section in enumerate(document.sections):
            if index or document.introduction:
                pdf.add_page()
            draw_heading(pdf, section.heading)
            draw_text(pdf, section.text)
            for block in section.blocks:
                draw_block(pdf, block, charts)
            if progress:
                progress.advance()
        return bytes(pdf.output())


def draw_title_page(pdf: ReportPdf, document: Document) -> None:
    fonts = pdf.typeface
    pdf.add_page()
    pdf.set_fill_color(*GREEN)
    pdf.rect(0, 0, PAGE_WIDTH, 14, style="F")
    pdf.set_y(80)
    fonts.use("Sans", "", 14, GREY)
    pdf.multi_cell(TEXT_WIDTH, 7, fonts.safe(document.organisation), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    fonts.use("Sans", "B", 28, GREEN)
    pdf.multi_cell(TEXT_WIDTH, 12, fonts.safe(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(*YELLOW)
    pdf.rect(MARGIN, pdf.get_y() + 3, 40, 2, style="F")
    pdf.ln(10)
    fonts.use("Sans", "", 14, INK)
    pdf.multi_cell(TEXT_WIDTH, 7, fonts.safe(document.period), new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "", 11, GREY)
    made = _("Made %(when)s", when=format_date(document.made_at.date(), "long"))
    pdf.multi_cell(TEXT_WIDTH, 6, fonts.safe(made), new_x="LMARGIN", new_y="NEXT")


def contents_pages(entries: int) -> int:
    """Pages the table of contents takes: fpdf2 keeps them before the rest is laid out, and wants
    the number exact. One line an entry (`draw_contents` cuts a long heading)."""
    return 1 + math.ceil(max(0, entries - TOC_FIRST) / TOC_NEXT)


def draw_contents(pdf: ReportPdf, outline) -> None:
    """The table of contents (fpdf2 calls it at the end, on the pages kept for it): each heading, a
    dotted line and its page number, both links to the page."""
    fonts = pdf.typeface
    pdf.set_xy(MARGIN, MARGIN)
    fonts.use("Sans", "B", 20, GREEN)
    pdf.cell(TEXT_WIDTH, 12, fonts.safe(_("Contents")), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_draw_color(*GREY)
    for index, item in enumerate(outline):
        if index >= TOC_FIRST and (index - TOC_FIRST) % TOC_NEXT == 0:
            pdf.add_page()  # the next of the pages kept (contents_pages counts the same way)
            pdf.set_xy(MARGIN, MARGIN)
        fonts.use("Sans", "", 11, INK)
        link = pdf.add_link(page=item.page_number)
        name = fonts.safe(shorten(pdf, item.name, TEXT_WIDTH - 20))
        y = pdf.get_y()
        pdf.cell(pdf.get_string_width(name) + 1, TOC_LINE, name, link=link)
        end = pdf.get_x() + 1
        pdf.set_dash_pattern(dash=0.3, gap=1.2)
        pdf.line(end, y + 5.5, PAGE_WIDTH - MARGIN - 12, y + 5.5)
        pdf.set_dash_pattern()
        pdf.set_xy(PAGE_WIDTH - MARGIN - 12, y)
        pdf.cell(12, TOC_LINE, str(item.page_number), align="R", link=link, new_x="LMARGIN", new_y="NEXT")


def draw_heading(pdf: ReportPdf, heading: str) -> None:
    pdf.start_section(heading)  # for the table of contents and the PDF's bookmarks
    pdf.typeface.use("Sans", "B", 18, GREEN)
    pdf.multi_cell(TEXT_WIDTH, 8.5, pdf.typeface.safe(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def draw_text(pdf: ReportPdf, text: str, size: float = 11, colour=INK) -> None:
    if not text:
        return
    pdf.typeface.use("Sans", "", size, colour)
    pdf.multi_cell(TEXT_WIDTH, size * 0.5, pdf.typeface.safe(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def draw_block(pdf: ReportPdf, block, charts: dict[int, bytes]) -> None:
    if isinstance(block, Chart):
        draw_chart(pdf, block, charts[id(block)])
    elif isinstance(block, KeyFigures):
        draw_key_figures(pdf, block)
    elif isinstance(block, Notice):
        draw_notice(pdf, block)
    elif isinstance(block, Quotes):
        draw_quotes(pdf, block)
    elif isinstance(block, Table):
        draw_table(pdf, block)
    elif isinstance(block, IdeaCard):
        draw_idea(pdf, block)
    pdf.ln(4)


def draw_chart(pdf: ReportPdf, chart: Chart, png: bytes) -> None:
    """The title and the image kept together, as wide as the text (narrower if it is taller than a
    page), in the figure's own aspect; then its note and its table."""
    pdf.typeface.use("Sans", "B", 12, INK)
    title_height = 6 * max(1, math.ceil(pdf.get_string_width(chart.title) / TEXT_WIDTH)) + 1
    with Image.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    width = min(TEXT_WIDTH, (BODY_HEIGHT - title_height - 2) * width_px / height_px)
    height = width * height_px / width_px
    if pdf.get_y() + title_height + height > PAGE_HEIGHT - FOOT:
        pdf.add_page()
    pdf.multi_cell(TEXT_WIDTH, 6, pdf.typeface.safe(chart.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.image(io.BytesIO(png), x=MARGIN + (TEXT_WIDTH - width) / 2, y=pdf.get_y(), w=width, h=height,
              alt_text=chart.title)
    pdf.set_y(pdf.get_y() + height + 1)
    if chart.note:
        draw_text(pdf, chart.note, 9, GREY)
    if chart.table is not None:
        draw_table(pdf, chart.table)


def draw_key_figures(pdf: ReportPdf, block: KeyFigures) -> None:
    """Boxes of four to a row: the value large, its label under it."""
    fonts, gap, height = pdf.typeface, 3, 24
    for start in range(0, len(block.items), BOXES_PER_ROW):
        row = block.items[start:start + BOXES_PER_ROW]
        width = (TEXT_WIDTH - gap * (BOXES_PER_ROW - 1)) / BOXES_PER_ROW
        if pdf.get_y() + height > PAGE_HEIGHT - FOOT:
            pdf.add_page()
        top = pdf.get_y()
        for column, (label, value) in enumerate(row):
            x = MARGIN + column * (width + gap)
            pdf.set_fill_color(*PALE)
            pdf.rect(x, top, width, height, style="F")
            fonts.use("Sans", "B", 16, GREEN)
            pdf.set_xy(x, top + 3)
            pdf.cell(width, 8, fonts.safe(value), align="C")
            fonts.use("Sans", "", 8.5, INK)
            pdf.set_xy(x + 1.5, top + 12)
            pdf.multi_cell(width - 3, 4, fonts.safe(label), align="C", max_line_height=4)
        pdf.set_xy(MARGIN, top + height + gap)


def draw_notice(pdf: ReportPdf, block: Notice) -> None:
    """The sentence on a pale ground, under the title of what it stands in for (a question's chart)."""
    if block.title:
        pdf.typeface.use("Sans", "B", 12, INK)
        pdf.multi_cell(TEXT_WIDTH, 6, pdf.typeface.safe(block.title), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.typeface.use("Sans", "", 10, INK)
    pdf.set_fill_color(*PALE)
    pdf.multi_cell(TEXT_WIDTH, 5.5, pdf.typeface.safe(block.text), fill=True, padding=(2, 3),
                   new_x="LMARGIN", new_y="NEXT")


def draw_quotes(pdf: ReportPdf, block: Quotes) -> None:
    fonts = pdf.typeface
    fonts.use("Sans", "B", 11, INK)
    pdf.multi_cell(TEXT_WIDTH, 6, fonts.safe(block.title), new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "", 10, INK)
    for text in block.texts:
        pdf.set_x(MARGIN + 4)
        pdf.multi_cell(TEXT_WIDTH - 4, 5, fonts.safe(f"– {text}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def draw_table(pdf: ReportPdf, table: Table) -> None:
    """A table whose columns of numbers are right-aligned; its headings repeat on each page."""
    fonts = pdf.typeface
    if not table.headers:
        return
    if table.caption:
        fonts.use("Sans", "B", 10, INK)
        pdf.multi_cell(TEXT_WIDTH, 5.5, fonts.safe(table.caption), new_x="LMARGIN", new_y="NEXT")
    columns = len(table.headers)
    numeric = [bool(table.rows) and all(NUMBER.fullmatch(row[i]) or not row[i].strip(" –-") for row in table.rows)
               for i in range(columns)]
    fonts.use("Sans", "", 9, INK)
    pdf.set_draw_color(*PALE)
    pdf.set_fill_color(255, 255, 255)  # fpdf2 fills the rows between the stripes with the current colour
    pdf.set_line_width(0.2)
    heading = FontFace(emphasis="BOLD", color=INK, fill_color=PALE)
    with pdf.table(width=TEXT_WIDTH, col_widths=[3 if not numeric[i] else 1 for i in range(columns)],
                   text_align=["RIGHT" if n else "LEFT" for n in numeric], headings_style=heading,
                   cell_fill_mode="ROWS", cell_fill_color=STRIPE, line_height=4.8, padding=(1, 1.5),
                   borders_layout="HORIZONTAL_LINES") as grid:
        for cells in [table.headers, *table.rows]:
            row = grid.row()
            for cell in cells:
                row.cell(fonts.safe(str(cell)))
    pdf.ln(1)


def draw_idea(pdf: ReportPdf, card: IdeaCard) -> None:
    fonts = pdf.typeface
    if pdf.get_y() > PAGE_HEIGHT - 70:  # a title alone at the foot of a page helps nobody
        pdf.add_page()
    pdf.set_draw_color(*GREEN)
    pdf.line(MARGIN, pdf.get_y(), PAGE_WIDTH - MARGIN, pdf.get_y())
    pdf.ln(2)
    fonts.use("Sans", "B", 13, INK)
    pdf.multi_cell(TEXT_WIDTH, 6.5, fonts.safe(card.title), new_x="LMARGIN", new_y="NEXT")
    if card.meta:
        draw_text(pdf, card.meta, 9, GREY)
    draw_text(pdf, card.text, 10.5)
    if card.photo_jpeg:
        draw_photo(pdf, card)


def draw_photo(pdf: ReportPdf, card: IdeaCard) -> None:
    """The print JPEG as it is, at most PHOTO_MAX; one Pillow cannot read is left out and logged."""
    try:
        with Image.open(io.BytesIO(card.photo_jpeg), formats=("JPEG",)) as image:
            width_px, height_px = image.size
    except (UnidentifiedImageError, OSError, ValueError):
        log.warning("idea %r: photo could not be read; left out of the report PDF", card.title)
        return
    scale = min(PHOTO_MAX[0] / width_px, PHOTO_MAX[1] / height_px)
    width, height = width_px * scale, height_px * scale
    if pdf.get_y() + height > PAGE_HEIGHT - FOOT:
        pdf.add_page()
    pdf.image(io.BytesIO(card.photo_jpeg), x=MARGIN, y=pdf.get_y(), w=width, h=height, alt_text=card.title)
    pdf.set_y(pdf.get_y() + height + 2)


def shorten(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut with an ellipsis to fit `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def shorten_plain(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"
