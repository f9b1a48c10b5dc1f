"""A cleaned idea photo as the photo cleaner stores it (WebP, and a JPEG for print), for the staff tests."""
import io

from PIL import Image

from engagement.competitions.report import PRINT_PIXELS
from engagement.competitions.services import CleanPhoto


def webp_photo(colour: str = "#8b5a2b", size=(400, 300)) -> CleanPhoto:
    def encoded(dimensions, kind="WEBP") -> bytes:
        out = io.BytesIO()
        Image.new("RGB", dimensions, colour).save(out, kind)
        return out.getvalue()
    print_size = Image.new("1", size)  # only to let Pillow work out the size that fits PRINT_PIXELS
    print_size.thumbnail(PRINT_PIXELS)
    return CleanPhoto("image/webp", size[0], size[1], encoded(size), encoded((size[0] // 4, size[1] // 4)),
                      encoded(print_size.size, "JPEG"))
