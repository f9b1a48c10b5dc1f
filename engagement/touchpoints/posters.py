"""Print-ready PDF posters for a touchpoint: A4, A3, and an A4 sheet of four A6 flyers to cut out.

Everything is vector: the QR code is drawn as one filled path of module runs
(crisp at any print size, no seams between rows), the text is real text in
DejaVu Sans (æøå searchable and copyable). Where DejaVu is missing the PDF
core fonts are used, which hold Danish letters too (Latin-1).

The layout is proportional to the page width, so one function draws every
size: `draw_poster` fills a rectangle with the poster at that scale. Nothing
reaches the edge of the paper, since office printers leave a white margin.
"""
from dataclasses import dataclass

from fpdf import FPDF

from engagement.common.pdf import GREEN, GREY, INK, PALE, PT, YELLOW, Fonts
from engagement.touchpoints import qr

# Page size in mm (portrait), and the poster's rectangles on it.
FORMATS = {
    "a4": ((210, 297), [(0, 0, 210, 297)]),
    "a3": ((297, 420), [(0, 0, 297, 420)]),
    "a6": ((210, 297), [(x, y, 105, 148.5) for y in (0, 148.5) for x in (0, 105)]),
}


@dataclass(frozen=True)
class PosterText:
    """What a poster says, already in the poster's language."""
    headline: str
    subline: str
    url: str  # what the QR code holds
    short_url: str  # the same, for typing
    type_hint: str
    organisation: str
    privacy: str
    place: str  # small print, so whoever hangs the poster puts it in the right place


def render(text: PosterText, format_name: str) -> bytes:
    """The poster as PDF bytes. :raise KeyError: for a format not in FORMATS."""
    (width, height), cells = FORMATS[format_name]
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(text.headline)
    pdf.set_author(text.organisation)
    pdf.set_creator("Bypuls")
    fonts = Fonts(pdf)
    pdf.add_page()
    modules = qr.matrix(text.url)
    for x, y, w, h in cells:
        draw_poster(pdf, fonts, text, modules, x, y, w, h)
    if len(cells) > 1:
        draw_cut_lines(pdf, fonts, width, height)
    return bytes(pdf.output())


def draw_poster(pdf: FPDF, fonts: Fonts, text: PosterText, modules, x0, y0, w, h) -> None:
    s = w / 210  # 1 on A4, 0.5 on an A6 flyer
    inset, pad = 8 * s, 12 * s
    inner = w - 2 * inset - 2 * pad

    # The call to action, white on green, as big as fits in three lines.
    size, lines = fit_lines(pdf, fonts, fonts.safe(text.headline), inner, 46 * s, 24 * s, max_lines=3)
    line_height = size * PT * 1.12
    band_height = pad + 12 * s + len(lines) * line_height + 14 * s + pad * 0.6
    pdf.set_fill_color(*GREEN)
    pdf.rect(x0 + inset, y0 + inset, w - 2 * inset, band_height, style="F", round_corners=True,
             corner_radius=6 * s)
    left = x0 + inset + pad
    y = y0 + inset + pad + 3 * s
    fonts.use("Sans", "B", 11 * s, PALE)
    pdf.text(left, y, fonts.safe(text.organisation.upper()))
    y += 4 * s
    fonts.use("Sans", "B", size, (255, 255, 255))
    for line in lines:
        y += line_height
        pdf.text(left, y, line)
    fonts.use("Sans", "B", 20 * s, YELLOW)
    pdf.text(left, y + 12 * s, fonts.safe(text.subline))

    # The code, as large as the space between the band and the small print allows.
    band_bottom = y0 + inset + band_height
    footer_top = y0 + h - inset - 44 * s
    side = min(w - 2 * inset - 2 * pad, footer_top - band_bottom - 12 * s)
    draw_code(pdf, modules, x0 + (w - side) / 2, band_bottom + 6 * s, side)

    y = band_bottom + 6 * s + side + 10 * s
    centred(pdf, fonts, fonts.safe(text.type_hint), x0, w, y, ("Sans", "", 12 * s, GREY))
    url_size = fit_lines(pdf, fonts, text.short_url, inner, 22 * s, 9 * s, max_lines=1, family="Mono")[0]
    centred(pdf, fonts, text.short_url, x0, w, y + 10 * s, ("Mono", "B", url_size, INK))
    centred(pdf, fonts, fonts.safe(text.privacy), x0, w, y + 22 * s, ("Sans", "B", 14 * s, GREEN))
    centred(pdf, fonts, fonts.safe(text.place), x0, w, y0 + h - inset - 2 * s, ("Sans", "", 8 * s, GREY))


def fit_lines(pdf, fonts, text, width, largest, smallest, max_lines, family="Sans"):
    """The largest font size (points) at which `text` wraps into at most `max_lines`, and its lines."""
    size = largest
    while True:
        fonts.use(family, "B", size)
        lines = wrap(pdf, text, width)
        if len(lines) <= max_lines or size <= smallest:
            return size, balanced(pdf, text, width, len(lines))
        size = max(smallest, size - 1)


def balanced(pdf: FPDF, text: str, width: float, count: int) -> list[str]:
    """The same number of lines, but as even as they go: no lone "i" on the last line."""
    low, high = 0.0, width
    while high - low > 1:
        middle = (low + high) / 2
        if len(wrap(pdf, text, middle)) <= count:
            high = middle
        else:
            low = middle
    return wrap(pdf, text, high)


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pdf.get_string_width(candidate) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return lines + ([current] if current else [])


def centred(pdf, fonts, text, x0, w, baseline, font) -> None:
    family, style, size, colour = font
    fonts.use(family, style, size, colour)
    pdf.text(x0 + (w - pdf.get_string_width(text)) / 2, baseline, text)


def draw_code(pdf: FPDF, modules, x, y, side) -> None:
    """The QR code as one path: adjacent runs share edges, so no hairline appears between rows."""
    module = side / len(modules)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, side, side, style="F")
    with pdf.new_path() as path:
        path.style.fill_color = "#000000"
        path.style.stroke_color = None
        for row, column, length in qr.dark_runs(modules):
            path.rectangle(x + column * module, y + row * module, length * module, module)


def draw_cut_lines(pdf: FPDF, fonts: Fonts, width, height) -> None:
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(width / 2, 0, width / 2, height)
    pdf.line(0, height / 2, width, height / 2)
    pdf.set_dash_pattern()
    if fonts.unicode:
        fonts.use("Sans", "", 11, (150, 150, 150))
        pdf.text(3, height / 2 - 1, "✂")
