"""Mail-merge letters: an A4 PDF with one page per person, ready to fold into a window envelope.

The name and address sit where the window of a C5/C65 envelope is (20 mm from the left, 45–90 mm
from the top, as DIN 5008 form B and Danish window envelopes place it), with the sender on a small
line above them; marks in the margin show where to fold. Below the letter, the person's own QR code
and the short address to type. Everything is vector and real text (fpdf2, DejaVu; engagement.common.pdf).
"""
from collections.abc import Callable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from engagement.common.pdf import GREEN, GREY, INK, PT, Fonts
from engagement.invitations.wording import Letter
from engagement.touchpoints import qr
from engagement.touchpoints.posters import draw_code

LEFT, WIDTH = 20, 170  # the text column (mm)
WINDOW_TOP, WINDOW_WIDTH = 50, 85  # the address, in the envelope's window
BODY_TOP, BODY_BOTTOM = 106, 218  # the letter, between the first fold and the code
CODE_TOP, CODE_SIDE = 226, 46


def render(letters: list[Letter], addresses: list[tuple[str, str]], title: str, author: str,
           drawn: Callable[[], None] | None = None) -> bytes:
    """One page per letter; `addresses` are (name, postal address with one line per line), in the same
    order; `drawn()`, if given, is called after each letter (a background download's progress).
    :raise ValueError: if the two lists differ in length."""
    if len(letters) != len(addresses):
        raise ValueError("one address per letter")
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(LEFT, 15, 210 - LEFT - WIDTH)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Bypuls")
    fonts = Fonts(pdf)
    for letter, (name, address) in zip(letters, addresses, strict=True):
        pdf.add_page()
        draw_letter(pdf, fonts, letter, name, address)
        if drawn:
            drawn()
    return bytes(pdf.output())


def draw_letter(pdf: FPDF, fonts: Fonts, letter: Letter, name: str, address: str) -> None:
    fonts.use("Sans", "B", 14, GREEN)
    pdf.text(LEFT, 24, fonts.safe(letter.sender))
    fonts.use("Sans", "", 10, GREY)
    pdf.text(LEFT + WIDTH - pdf.get_string_width(fonts.safe(letter.date)), 24, fonts.safe(letter.date))
    draw_fold_marks(pdf)

    # The window: the sender small, then the person, as the postal service reads it.
    fonts.use("Sans", "", 7, GREY)
    pdf.text(LEFT, WINDOW_TOP, fonts.safe(letter.sender))
    fonts.use("Sans", "", 11, INK)
    pdf.set_xy(LEFT, WINDOW_TOP + 3)
    lines = [line for line in [name, *address.splitlines()] if line.strip()][:7]
    pdf.multi_cell(WINDOW_WIDTH, 5, fonts.safe("\n".join(lines)), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    draw_body(pdf, fonts, letter)
    draw_code_block(pdf, fonts, letter)


def draw_body(pdf: FPDF, fonts: Fonts, letter: Letter) -> None:
    """The survey's title, then the greeting, the paragraphs and the closing at the largest size (11 to 8
    points) that fits above the code."""
    fonts.use("Sans", "B", 13, INK)
    pdf.set_xy(LEFT, BODY_TOP)
    pdf.multi_cell(WIDTH, 6.5, fonts.safe(letter.heading), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y() + 4
    texts = [letter.greeting, *letter.paragraphs, letter.closing]
    for size in (11, 10, 9, 8):
        fonts.use("Sans", "", size, INK)
        line = size * PT * 1.45
        height = sum(len(pdf.multi_cell(WIDTH, line, fonts.safe(text), align="L", dry_run=True, output="LINES")) * line
                     for text in texts) + (len(texts) - 1) * line * 0.6
        if top + height <= BODY_BOTTOM:
            break
    pdf.set_xy(LEFT, top)
    for text in texts:
        pdf.multi_cell(WIDTH, line, fonts.safe(text), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(line * 0.6)


def draw_code_block(pdf: FPDF, fonts: Fonts, letter: Letter) -> None:
    draw_code(pdf, qr.matrix(letter.url), LEFT, CODE_TOP, CODE_SIDE)
    right = LEFT + CODE_SIDE + 8
    width = LEFT + WIDTH - right
    fonts.use("Sans", "B", 12, GREEN)
    pdf.set_xy(right, CODE_TOP + 6)
    pdf.multi_cell(width, 6, fonts.safe(letter.scan), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    fonts.use("Sans", "", 10, GREY)
    pdf.set_xy(right, pdf.get_y() + 4)
    pdf.multi_cell(width, 5, fonts.safe(letter.type_hint), align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    size = 13
    fonts.use("Mono", "B", size, INK)
    while pdf.get_string_width(letter.short_url) > width and size > 7:
        size -= 1
        fonts.use("Mono", "B", size, INK)
    pdf.set_xy(right, pdf.get_y() + 1)
    pdf.cell(width, 7, letter.short_url)


def draw_fold_marks(pdf: FPDF) -> None:
    """Short lines in the left margin: fold at 105 and 210 mm (form B), and the middle for a hole punch."""
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    for y, length in ((105, 5), (210, 5), (148.5, 8)):
        pdf.line(3, y, 3 + length, y)
