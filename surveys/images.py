"""Option pictures for image-choice questions, cleaned before they are stored.

Pictures are re-encoded from their pixels only, so EXIF, GPS and camera data
never reach the database, and kept in the database so that every app server
can serve them.
"""
import io
import warnings

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from surveys.models import SurveyImage

MAX_SIDE = 800
MAX_PIXELS = 40_000_000


class ImageProblem(ValueError):
    """The upload is not a picture we can use; str(error) says why, translated."""


def clean_image(data: bytes) -> tuple[bytes, int, int]:
    """Re-encode a picture as WebP, oriented, at most MAX_SIDE pixels on its longest side.

    :raise ImageProblem: for non-images, truncated files and decompression bombs.
    """
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                picture = ImageOps.exif_transpose(picture)
                picture.thumbnail((MAX_SIDE, MAX_SIDE))
                picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageProblem(_("The picture has too many pixels. Use a smaller picture.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageProblem(_("The file is not a picture we can read. Use JPEG, PNG or WebP.")) from None
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=80)
    return out.getvalue(), picture.width, picture.height


def store_image(session, survey_id: int, data: bytes) -> SurveyImage:
    cleaned, width, height = clean_image(data)
    image = SurveyImage(survey_id=survey_id, content_type="image/webp", width=width, height=height, data=cleaned)
    session.add(image)
    session.flush()
    return image
