"""Idea photos from phones, cleaned before they are stored.

A photo of a sketch or a cardboard model arrives as JPEG, PNG, WebP or HEIC
(iPhones' default, read through pillow-heif). What the file really is comes
from its bytes, never its name: only those four decoders are ever run on an
upload. The photo is turned upright (EXIF orientation), flattened on white if
it is transparent, and re-encoded from its pixels alone, so EXIF, GPS, camera,
time, XMP and ICC data never reach the database; colours in a wide-gamut
profile (an iPhone's Display P3) are converted to sRGB first.

Two WebP renditions are kept: `data` (at most 1600 px on its longest side,
for the idea page) and `thumbnail` (480 px, for the gallery). WebP because it
is about a third the size of a JPEG of the same quality, which matters on a
weak 3G signal, and every phone browser in use shows it. A PDF cannot hold
WebP, and decoding hundreds of 1600 px WebPs while a PDF is made took longer
than a worker may take, so a third rendition, `print_jpeg`, is a baseline JPEG
at the PDF's print size that the PDF embeds as it is.
"""
import io
import warnings

import pillow_heif
from flask_babel import gettext as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from engagement.competitions.report import PRINT_PIXELS
from engagement.competitions.services import CleanPhoto

# Pillow's decoders that may run on an upload. The JPEG one also opens the "MPO" JPEGs some
# phones write (a photo with a depth map); their first picture is the photo.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
# 40 MP is more than any phone camera; a bigger picture is a decompression bomb.
# Checked here rather than through the global Image.MAX_IMAGE_PIXELS, which surveys.images sets.
MAX_PIXELS = 40_000_000
MIN_SIDE = 32
DATA_SIDE = 1600
THUMBNAIL_SIDE = 480
DATA_QUALITY = 80
THUMBNAIL_QUALITY = 70
PRINT_QUALITY = 85

# Thumbnails inside a HEIC are not needed: only the main image is read.
pillow_heif.register_heif_opener(thumbnails=False)


class PhotoProblem(ValueError):
    """The upload is not a photo we can use; str(error) says why, translated when raised."""


def clean_photo(data: bytes) -> CleanPhoto:
    """The photo as two upright WebP renditions and a print-size JPEG, without any metadata.

    Animated images give their first frame.

    :raise PhotoProblem: for files that are not JPEG, PNG, WebP or HEIC pictures
        (whatever their name), truncated or damaged files, pictures of more
        than MAX_PIXELS (decompression bombs, refused before their pixels are
        decoded) and pictures under MIN_SIDE pixels on a side.
    """
    picture = _decode(data)
    large = _encode(picture, DATA_QUALITY)
    # Each rendition from the one before, in place: both sizes fit inside the previous one.
    picture.thumbnail(PRINT_PIXELS, Image.Resampling.LANCZOS)
    print_jpeg = _encode_jpeg(picture)
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return CleanPhoto(content_type="image/webp", width=large[1], height=large[2], data=large[0],
                      thumbnail=_encode(picture, THUMBNAIL_QUALITY)[0], print_jpeg=print_jpeg)


def _decode(data: bytes) -> Image.Image:
    """The upright RGB picture, at most DATA_SIDE on its longest side."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as opened:
                _check_size(opened.size)
                return _upright_rgb(opened)
    except PhotoProblem:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise PhotoProblem(_("This file is not a photo we can use. Send a JPEG, PNG, WebP or HEIC photo.")) \
            from None
    # What Pillow and pillow-heif raise for damaged data (Pillow's own fuzzing expects these).
    except (OSError, SyntaxError, ValueError, EOFError):
        raise PhotoProblem(_("The photo is damaged or was not sent completely. Try sending it again.")) from None


def _check_size(size: tuple[int, int]) -> None:
    """Refuse from the header alone, before any pixel is decoded."""
    width, height = size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    if min(width, height) < MIN_SIDE:
        raise PhotoProblem(_("The photo is too small to see. Send a photo at least %(size)d pixels wide and high.",
                             size=MIN_SIDE))


def _too_many_pixels() -> PhotoProblem:
    return PhotoProblem(_("The photo has too many pixels (more than %(megapixels)d megapixels). Send a smaller photo.",
                          megapixels=MAX_PIXELS // 1_000_000))


def _upright_rgb(opened: Image.Image) -> Image.Image:
    # In place, and before turning it upright: only the downscaled picture is ever copied.
    # thumbnail() also lets a JPEG decode at 1/2, 1/4 or 1/8 size when that is still large enough.
    # It decodes here, inside the caller's try, so a truncated file is caught.
    opened.thumbnail((DATA_SIDE, DATA_SIDE), Image.Resampling.LANCZOS)
    picture = ImageOps.exif_transpose(opened)
    picture = _to_srgb(picture, opened.info.get("icc_profile"))
    return _flatten(picture)


def _to_srgb(picture: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Colours in sRGB, so dropping the profile does not dull a wide-gamut photo."""
    if not icc_profile or picture.mode not in ("RGB", "RGBA"):
        return picture
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(picture, source, ImageCms.createProfile("sRGB"), outputMode=picture.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return picture  # a broken profile: keep the pixels as they are


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB; a transparent picture is laid on white, as a sketch on paper."""
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return picture.convert("RGB")


def _encode(picture: Image.Image, quality: int) -> tuple[bytes, int, int]:
    """(WebP bytes, width, height); saved without exif=, xmp= or icc_profile=, so none is written."""
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=quality, method=4)
    return out.getvalue(), picture.width, picture.height


def _encode_jpeg(picture: Image.Image) -> bytes:
    """Baseline JPEG, which fpdf2 embeds without decoding; like _encode, no metadata is written."""
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=PRINT_QUALITY)
    return out.getvalue()
