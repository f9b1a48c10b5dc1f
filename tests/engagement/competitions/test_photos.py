"""Idea photos: what is stored is an upright WebP with no trace of where, when or with what it was taken,
and anything that is not a usable photo is refused with a message, never a crash or a full memory."""
import io
import json
import os
import struct
import subprocess
import sys
import zlib

import pytest
from PIL import Image, ImageCms

from engagement.competitions.photos import DATA_SIDE, MAX_PIXELS, THUMBNAIL_SIDE, PhotoProblem, clean_photo

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
RED, GREEN, BLUE, WHITE = (220, 20, 20), (20, 160, 20), (20, 20, 220), (255, 255, 255)
ORIENTATION, GPS_IFD, MAKE, DATETIME = 0x0112, 0x8825, 0x010F, 0x0132


def encoded(picture: Image.Image, kind: str, **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, kind, **options)
    return out.getvalue()


def reopened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


def phone_photo() -> bytes:
    """A landscape-stored JPEG the camera marks "rotate 90° clockwise" (orientation 6), with a red
    top-left corner in stored pixels, GPS position, camera make, time, XMP and an ICC profile."""
    picture = Image.new("RGB", (1200, 900), GREEN)
    picture.paste(RED, (0, 0, 300, 300))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "Apple"
    exif[DATETIME] = "2026:05:01 15:42:00"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (55.0, 0.0, 32.0), 3: "E", 4: (11.0, 54.0, 38.0)})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>55,0.53N</exif:GPSLatitude></x:xmpmeta>'
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encoded(picture, "JPEG", exif=exif, xmp=xmp, icc_profile=icc, quality=90)


def test_a_gps_tagged_phone_photo_is_stored_upright_with_no_location_camera_or_time_left(app):
    original = phone_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo really has GPS
    with app.test_request_context():
        photo = clean_photo(original)

    assert photo.content_type == "image/webp"
    for data in (photo.data, photo.thumbnail):
        stored = reopened(data)
        assert stored.format == "WEBP"
        assert dict(stored.getexif()) == {}
        assert not {"exif", "xmp", "icc_profile"} & set(stored.info)
        # WebP keeps metadata in its own chunks: none of them is there, nor any trace of the values.
        for trace in (b"EXIF", b"XMP ", b"ICCP", b"Apple", b"GPS", b"2026:05:01"):
            assert trace not in data
        # Turned as the camera said: portrait, and the stored top-left corner is now top right.
        assert stored.width < stored.height
        assert near(stored.getpixel((stored.width - 5, 5)), RED)
        assert near(stored.getpixel((5, 5)), GREEN)
    assert (photo.width, photo.height) == (900, 1200)


def hand_made_png(width: int, height: int) -> bytes:
    """A grey PNG of width × height zero pixels, compressed row block by row block, so making it stays
    light (about 1 KB of file per 1 MB of pixels) however many pixels it claims."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor, rows, block = zlib.compressobj(9), [], b"\0" * (width + 1) * 500
    for _ in range(height // 500):
        rows.append(compressor.compress(block))
    rows.append(compressor.compress(b"\0" * (width + 1) * (height % 500)) + compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(rows)) + chunk(b"IEND", b"")


REFUSE_AND_MEASURE = """
import json, resource, sys, time
from app import create_app
from engagement.competitions.photos import PhotoProblem, clean_photo
app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
data = open(sys.argv[1], "rb").read()
with app.test_request_context():
    before, started = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter()
    try:
        clean_photo(data)
        message = None
    except PhotoProblem as problem:
        message = str(problem)
    seconds = time.perf_counter() - started
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"message": message, "seconds": seconds, "grown_mb": grown_kb / 1024}))
"""


def test_a_20000_by_20000_pixel_png_is_refused_at_once_without_filling_the_memory(tmp_path):
    bomb = hand_made_png(20_000, 20_000)  # 400 million pixels: 1.2 GB once decoded as RGB
    assert len(bomb) < 1_000_000
    (tmp_path / "bomb.png").write_bytes(bomb)
    # In a fresh process, so that its peak memory is this refusal's alone.
    run = subprocess.run([sys.executable, "-c", REFUSE_AND_MEASURE, str(tmp_path / "bomb.png")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["message"] and "40" in result["message"]
    assert result["seconds"] < 1
    assert result["grown_mb"] < 50


def test_a_picture_just_over_the_pixel_limit_is_refused_whatever_pillows_global_limit_is(app):
    width = 8000
    over = hand_made_png(width, MAX_PIXELS // width + 1)
    limit_before = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # as if other code had switched Pillow's own check off
    try:
        with app.test_request_context(), pytest.raises(PhotoProblem, match="40"):
            clean_photo(over)
    finally:
        Image.MAX_IMAGE_PIXELS = limit_before


def test_cleaning_a_photo_leaves_pillows_global_pixel_limit_as_it_was(app):
    before = Image.MAX_IMAGE_PIXELS
    with app.test_request_context():
        clean_photo(phone_photo())
    assert Image.MAX_IMAGE_PIXELS == before


def test_a_text_file_named_like_a_photo_is_refused_naming_the_kinds_we_take(app, tmp_path):
    renamed = tmp_path / "skitse.jpg"
    renamed.write_text("Min idé: en skatehal i det tomme butikslokale.\n")
    with app.test_request_context(), pytest.raises(PhotoProblem) as refused:
        clean_photo(renamed.read_bytes())
    assert all(kind in str(refused.value) for kind in ("JPEG", "PNG", "WebP", "HEIC"))


def test_a_photo_that_was_cut_off_on_the_way_is_refused(app):
    whole = encoded(Image.effect_noise((800, 600), 80).convert("RGB"), "JPEG")
    with app.test_request_context(), pytest.raises(PhotoProblem) as refused:
        clean_photo(whole[: len(whole) // 2])
    assert "JPEG" not in str(refused.value)  # it is a JPEG: the message says it is damaged, not the wrong kind


OTHER_KINDS = {
    "GIF": lambda p: encoded(p, "GIF"),
    "BMP": lambda p: encoded(p, "BMP"),
    "TIFF": lambda p: encoded(p, "TIFF"),
    "PDF": lambda p: encoded(p, "PDF"),
    "SVG": lambda p: b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200"><rect width="9"/></svg>',
}


@pytest.mark.parametrize("kind", OTHER_KINDS)
def test_pictures_of_other_kinds_are_refused_with_the_kinds_we_take(app, kind):
    data = OTHER_KINDS[kind](Image.new("RGB", (200, 150), RED))
    with app.test_request_context(), pytest.raises(PhotoProblem) as refused:
        clean_photo(data)
    assert all(name in str(refused.value) for name in ("JPEG", "PNG", "WebP", "HEIC"))


ACCEPTED_KINDS = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "WEBP": {"quality": 90},
    "HEIF": {"quality": 90},  # HEIC, as an iPhone sends it (pillow-heif writes it)
}


@pytest.mark.parametrize("kind", ACCEPTED_KINDS)
def test_photos_of_the_kinds_we_take_come_out_as_small_webp_in_two_sizes(app, kind):
    picture = Image.new("RGB", (2400, 1800), BLUE)
    picture.paste(Image.effect_noise((1200, 900), 60).convert("RGB"), (600, 450))
    with app.test_request_context():
        photo = clean_photo(encoded(picture, kind, **ACCEPTED_KINDS[kind]))
    large, small = reopened(photo.data), reopened(photo.thumbnail)
    assert (large.format, small.format) == ("WEBP", "WEBP")
    assert large.size == (photo.width, photo.height) == (DATA_SIDE, DATA_SIDE * 3 // 4)
    assert small.size == (THUMBNAIL_SIDE, THUMBNAIL_SIDE * 3 // 4)
    assert near(large.getpixel((20, 20)), BLUE)
    assert len(photo.data) < 400_000 and len(photo.thumbnail) < 60_000


def test_a_transparent_png_sketch_is_laid_on_white(app):
    sketch = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    sketch.paste((0, 0, 0, 255), (100, 50, 200, 150))
    with app.test_request_context():
        stored = reopened(clean_photo(encoded(sketch, "PNG")).data)
    assert stored.mode == "RGB"
    assert near(stored.getpixel((10, 10)), WHITE, 5)
    assert near(stored.getpixel((150, 100)), (0, 0, 0), 5)


def test_an_animated_webp_gives_its_first_frame(app):
    frames = [Image.new("RGB", (200, 200), colour) for colour in (RED, BLUE, GREEN)]
    animation = encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=200, lossless=True)
    assert Image.open(io.BytesIO(animation)).n_frames == 3
    with app.test_request_context():
        stored = reopened(clean_photo(animation).data)
    assert near(stored.getpixel((100, 100)), RED)


def test_a_cmyk_jpeg_from_a_scanner_comes_out_in_normal_colours(app):
    with app.test_request_context():
        stored = reopened(clean_photo(encoded(Image.new("RGB", (200, 200), RED).convert("CMYK"), "JPEG")).data)
    assert near(stored.getpixel((100, 100)), RED)


@pytest.mark.parametrize("size", [(20, 400), (400, 31)])
def test_a_picture_too_small_to_see_is_refused(app, size):
    with app.test_request_context(), pytest.raises(PhotoProblem, match="32"):
        clean_photo(encoded(Image.new("RGB", size, RED), "PNG"))


def test_a_small_photo_is_kept_at_its_own_size(app):
    with app.test_request_context():
        photo = clean_photo(encoded(Image.new("RGB", (320, 240), RED), "JPEG"))
    assert (photo.width, photo.height) == (320, 240)
    assert reopened(photo.thumbnail).size == (320, 240)
