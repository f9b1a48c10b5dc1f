"""A cleaned idea photo as the photo cleaner stores it (WebP), for the staff tests."""
import io

from PIL import Image

from engagement.competitions.services import CleanPhoto


def webp_photo(colour: str = "#8b5a2b", size=(400, 300)) -> CleanPhoto:
    def webp(dimensions) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", dimensions, colour).save(out, "WEBP")
        return out.getvalue()
    return CleanPhoto("image/webp", size[0], size[1], webp(size), webp((size[0] // 4, size[1] // 4)))
