"""A printable PDF of ideas with their photos, e.g. the approved ideas for a council meeting.

The text is real text in DejaVu Sans (the touchpoint posters' fonts, so æøå
can be searched and copied). Photos are embedded from the JPEG stored with
each at upload (`IdeaPhoto.print_jpeg`) as it is: nothing is decoded here.
When ideas have votes, the list opens with the votes chart of the results
page (`results.votes_figure`), an image drawn by the same plotly.js.
"""
import io
import logging

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from PIL import Image, UnidentifiedImageError

from engagement.common.chart_images import WIDTH, ChartImagesUnavailable, png_images
from engagement.common.pdf import GREEN, GREY, INK, Fonts
from engagement.competitions.models import Competition, Idea, IdeaStatus
from engagement.competitions.results import IdeaResult, votes_figure
from extensions import utcnow
from surveys.ages import age_label
from surveys.timezone import to_local

log = logging.getLogger(__name__)

PAGE_WIDTH, MARGIN = 210, 18
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
PHOTO_MAX = (120, 90)  # mm: a sketch stays readable, two ideas often share a page
# Pixels enough for 150 dpi at PHOTO_MAX: the size of the print JPEG engagement.competitions.photos
# stores. Decoding the 1600 px WebPs here instead kept a worker 36-52 s on 300 grainy photos (356 MB).
PRINT_PIXELS = (round(PHOTO_MAX[0] / 25.4 * 150), round(PHOTO_MAX[1] / 25.4 * 150))


class IdeasPdf(FPDF):
    """A4 with the competition's title and the page number in the footer."""

    def __init__(self, footer_text: str):
        super().__init__(unit="mm", format="A4")
        self.footer_text = footer_text
        self.typeface = Fonts(self)

    def footer(self):
        self.set_y(-12)
        self.typeface.use("Sans", "", 8, GREY)
        self.cell(0, 5, self.typeface.safe(f"{self.footer_text} · {self.page_no()}/{{nb}}"), align="C")


def ideas_pdf(competition: Competition, ideas: list[Idea], votes: dict[int, int], heading: str) -> bytes:
    """The ideas in the given order, each with its text, facts and photo, as PDF bytes.

    `votes` maps idea id to the number to print (ideas missing from it print
    no vote count); when any idea has a vote, a chart of the votes comes first.
    Labels are in the competition's language. A photo that Pillow cannot read,
    or the chart when Chromium is missing, is left out (and logged) rather than
    failing the PDF: the ideas and their votes are the PDF's substance.
    """
    with force_locale(competition.language):
        pdf = IdeasPdf(competition.title)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=20)
        pdf.set_title(f"{heading} – {competition.title}")
        pdf.set_creator("Bypuls")
        pdf.add_page()
        draw_heading(pdf, competition, heading, len(ideas))
        draw_votes_chart(pdf, competition, ideas, votes)
        for idea in ideas:
            draw_idea(pdf, idea, votes.get(idea.id))
        return bytes(pdf.output())


def draw_heading(pdf: IdeasPdf, competition: Competition, heading: str, count: int) -> None:
    fonts = pdf.typeface
    fonts.use("Sans", "B", 20, GREEN)
    pdf.multi_cell(TEXT_WIDTH, 9, fonts.safe(heading), align="L", new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "B", 14, INK)
    pdf.multi_cell(TEXT_WIDTH, 7, fonts.safe(competition.title), align="L", new_x="LMARGIN", new_y="NEXT")
    if competition.brief:
        fonts.use("Sans", "", 11, INK)
        pdf.multi_cell(TEXT_WIDTH, 5.5, fonts.safe(competition.brief), align="L", new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "", 9, GREY)
    made = to_local(utcnow()).strftime("%d.%m.%Y")
    pdf.multi_cell(TEXT_WIDTH, 5, fonts.safe(ngettext("%(num)d idea · made %(date)s", "%(num)d ideas · made %(date)s",
                                                             count, date=made)),
                   align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def draw_votes_chart(pdf: IdeasPdf, competition: Competition, ideas: list[Idea], votes: dict[int, int]) -> None:
    """The results page's votes chart, most votes on top, as wide as the text (narrower if too tall)."""
    ranked = sorted((IdeaResult(idea, votes[idea.id], 0) for idea in ideas if idea.id in votes),
                    key=lambda r: -r.total)
    if not any(r.total for r in ranked):
        return
    try:
        [png] = png_images([votes_figure(ranked)], WIDTH, locale=competition.language)
    except ChartImagesUnavailable:
        log.warning("competition %s: no Chromium, the votes chart is left out of the ideas PDF", competition.id)
        return
    with Image.open(io.BytesIO(png)) as image:
        width_px, height_px = image.size
    room = pdf.h - 20 - pdf.get_y() - 10
    if room < 60:
        pdf.add_page()
        room = pdf.h - 20 - pdf.get_y() - 10
    width = min(TEXT_WIDTH, room * width_px / height_px)
    pdf.typeface.use("Sans", "B", 12, INK)
    pdf.cell(TEXT_WIDTH, 7, pdf.typeface.safe(_("Votes per idea")), new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(png), x=MARGIN, y=pdf.get_y(), w=width, h=width * height_px / width_px)
    pdf.set_y(pdf.get_y() + width * height_px / width_px + 6)


def draw_idea(pdf: IdeasPdf, idea: Idea, votes: int | None) -> None:
    fonts = pdf.typeface
    if pdf.get_y() > pdf.h - 60:  # a title alone at the foot of a page helps nobody
        pdf.add_page()
    pdf.set_draw_color(*GREEN)
    pdf.line(MARGIN, pdf.get_y(), PAGE_WIDTH - MARGIN, pdf.get_y())
    pdf.ln(3)
    fonts.use("Sans", "B", 14, INK)
    title = f"★ {idea.title}" if idea.status is IdeaStatus.winner and fonts.unicode else idea.title
    pdf.multi_cell(TEXT_WIDTH, 7, fonts.safe(title), align="L", new_x="LMARGIN", new_y="NEXT")
    fonts.use("Sans", "", 9, GREY)
    pdf.multi_cell(TEXT_WIDTH, 5, fonts.safe(" · ".join(facts(idea, votes))), align="L", new_x="LMARGIN", new_y="NEXT")
    if idea.description:
        pdf.ln(1)
        fonts.use("Sans", "", 11, INK)
        pdf.multi_cell(TEXT_WIDTH, 5.5, fonts.safe(idea.description), align="L", new_x="LMARGIN", new_y="NEXT")
    if idea.photo is not None:
        draw_photo(pdf, idea)
    pdf.ln(6)


def facts(idea: Idea, votes: int | None) -> list[str]:
    parts = [_("Idea no. %(id)d", id=idea.id)]
    if idea.status is IdeaStatus.winner:
        parts.append(_("Winner"))
    if idea.category is not None:
        parts.append(idea.category.name)
    if idea.nickname:
        parts.append(idea.nickname)
    if age_label(idea.age_band):
        parts.append(_("age %(band)s", band=age_label(idea.age_band)))
    if votes is not None:
        parts.append(ngettext("%(num)d vote", "%(num)d votes", votes))
    return parts


def draw_photo(pdf: IdeasPdf, idea: Idea) -> None:
    jpeg = idea.photo.print_jpeg
    try:
        width, height = jpeg_size(jpeg)
    except (UnidentifiedImageError, OSError, ValueError):
        log.warning("idea %s: photo could not be read; left out of the PDF", idea.id)
        return
    scale = min(PHOTO_MAX[0] / width, PHOTO_MAX[1] / height)
    w, h = width * scale, height * scale
    if pdf.get_y() + h + 3 > pdf.h - 20:
        pdf.add_page()
    pdf.ln(2)
    pdf.image(io.BytesIO(jpeg), x=MARGIN, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 1)


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the JPEG's header alone (no pixel is decoded).

    :raise UnidentifiedImageError: if the bytes are not a JPEG (b"" included).
    """
    with Image.open(io.BytesIO(jpeg), formats=("JPEG",)) as image:
        return image.size
