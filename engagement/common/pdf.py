"""What every PDF of Bypuls shares: the colours and the fonts (posters, idea reports, class reports).

DejaVu Sans (Debian's fonts-dejavu-core) writes æøå as real, searchable text;
where it is missing the PDF core fonts are used, which hold Danish letters too
(Latin-1), and `Fonts.safe` replaces the few characters they lack.
"""
import os

from fpdf import FPDF

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = {("Sans", ""): "DejaVuSans.ttf", ("Sans", "B"): "DejaVuSans-Bold.ttf", ("Mono", "B"): "DejaVuSansMono-Bold.ttf"}
CORE_FONTS = {"Sans": "helvetica", "Mono": "courier"}
PT = 0.3528  # mm per point

GREEN = (29, 59, 47)
YELLOW = (242, 169, 0)
PALE = (207, 227, 216)
INK = (26, 26, 26)
GREY = (90, 90, 90)


class Fonts:
    """DejaVu when it is installed, else the PDF core fonts (Latin-1 only)."""

    def __init__(self, pdf: FPDF):
        self.pdf = pdf
        self.unicode = all(os.path.exists(os.path.join(FONT_DIR, f)) for f in FONTS.values())
        if self.unicode:
            for (family, style), filename in FONTS.items():
                pdf.add_font(family, style, os.path.join(FONT_DIR, filename))

    def use(self, family: str, style: str, size: float, colour=INK) -> None:
        self.pdf.set_font(family if self.unicode else CORE_FONTS[family], style, size)
        self.pdf.set_text_color(*colour)

    def safe(self, text: str) -> str:
        if self.unicode:
            return text
        return text.replace("–", "-").replace("’", "'").encode("latin-1", "replace").decode("latin-1")
