"""QR codes for touchpoints: one module matrix, drawn as PNG, SVG or (in posters) PDF rectangles.

Error correction is H: up to 30 % of the code may be lost and it still reads.
Posters hang outdoors at skate parks and in shop windows, where rain streaks,
a scratch, a sticker or a tag over the code are normal. H makes the code one
or two versions denser than Q (about 37 instead of 33 modules across for a
40-character address), which is no cost at the sizes we print (5 cm and up).
The quiet zone is the standard 4 modules, which decoders need to find the code.
"""
import io

import qrcode
from PIL import Image

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_H
QUIET_ZONE = 4
PNG_SIZES = (256, 512, 1024)


def matrix(data: str) -> list[list[bool]]:
    """The code's dark (True) and light modules, quiet zone included, smallest version that fits."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=QUIET_ZONE)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def png(data: str, size: int) -> bytes:
    """A `size` x `size` black-and-white PNG.

    Every module is a whole number of pixels (no blurred edges for a decoder
    to guess at); the pixels left over widen the white margin.
    """
    modules = matrix(data)
    count = len(modules)
    box = max(1, size // count)
    image = Image.new("1", (count, count), 1)
    image.putdata([0 if dark else 1 for row in modules for dark in row])
    image = image.resize((count * box, count * box), Image.NEAREST)
    canvas = Image.new("1", (max(size, count * box),) * 2, 1)
    offset = (canvas.width - image.width) // 2
    canvas.paste(image, (offset, offset))
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=True)
    return out.getvalue()


def dark_runs(modules: list[list[bool]]) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, first column, length): one shape per run, not per module."""
    runs = []
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


def svg(data: str, size_mm: int = 50) -> bytes:
    """A standalone SVG (one path on a white square) that prints `size_mm` wide and scales without loss."""
    modules = matrix(data)
    count = len(modules)
    path = "".join(f"M{x} {y}h{length}v1h-{length}z" for y, x, length in dark_runs(modules))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 {count} {count}" shape-rendering="crispEdges">'
        f'<rect width="{count}" height="{count}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>\n'
    ).encode("utf-8")
