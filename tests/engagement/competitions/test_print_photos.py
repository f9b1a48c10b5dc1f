"""The print-size JPEG kept with each idea photo: made at upload (and by the migration for older
photos), embedded in the ideas PDF byte for byte, so making a PDF decodes no photo."""
import io
import logging
import subprocess

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from PIL import Image, ImageDraw
from sqlalchemy import select

from engagement.competitions.models import IdeaPhoto
from engagement.competitions.photos import clean_photo
from engagement.competitions.report import PRINT_PIXELS, ideas_pdf
from engagement.competitions.services import CleanPhoto
from tests.builders import make_competition, make_idea, make_org
from tests.engagement.competitions.test_photos import GPS_IFD, phone_photo

JPEG_MAGIC = b"\xff\xd8\xff"
BEFORE_PRINT_JPEGS = "7b2e4c9d1f03"


def sketch(size=(1600, 1200), kind="JPEG") -> bytes:
    picture = Image.new("RGB", size, "#f4efe4")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((size[0] // 8, size[1] // 4, size[0] // 2, size[1] - 40), outline="#1e5aa8", width=12)
    draw.ellipse((size[0] // 2, 40, size[0] - 40, size[1] // 2), fill="#c0392b")
    out = io.BytesIO()
    picture.save(out, kind)
    return out.getvalue()


def fits_print_size(size) -> bool:
    """Inside PRINT_PIXELS and filling it on one side, as Pillow's thumbnail() leaves a larger photo."""
    width, height = size
    return width <= PRINT_PIXELS[0] and height <= PRINT_PIXELS[1] and \
        (width >= PRINT_PIXELS[0] - 1 or height >= PRINT_PIXELS[1] - 1)


def pdf_images(pdf: bytes, tmp_path) -> tuple[list[list[str]], list[bytes]]:
    """pdfimages' listing rows, and each image's stream as the PDF holds it (-all writes a JPEG as is)."""
    path = tmp_path / "ideer.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    subprocess.run(["pdfimages", "-all", str(path), str(tmp_path / "image")], check=True)
    return [line.split() for line in listing.splitlines()[2:]], \
        [found.read_bytes() for found in sorted(tmp_path.glob("image-*"))]


@pytest.fixture
def poppler():
    if subprocess.run(["which", "pdfimages"], capture_output=True).returncode:
        pytest.skip("pdfimages is missing: apt-get install -y poppler-utils")


def test_an_uploaded_phone_photo_gets_an_upright_print_jpeg_without_its_gps_or_camera(app):
    with app.test_request_context():
        photo = clean_photo(phone_photo())  # 1200 × 900, "turn 90°", with GPS, camera, time, XMP, ICC
    assert photo.print_jpeg.startswith(JPEG_MAGIC)
    printed = Image.open(io.BytesIO(photo.print_jpeg))
    assert printed.format == "JPEG" and not {"progressive", "progression"} & set(printed.info)  # baseline
    assert dict(printed.getexif()) == {} and not printed.getexif().get_ifd(GPS_IFD)
    assert not {"exif", "xmp", "icc_profile"} & set(printed.info)
    for trace in (b"Exif", b"Apple", b"2026:05:01", b"GPS"):
        assert trace not in photo.print_jpeg
    assert printed.size == (398, 531) and fits_print_size(printed.size)  # upright: portrait


def test_a_large_upload_is_printed_at_print_size_and_a_small_one_is_not_enlarged(app):
    with app.test_request_context():
        large, small = clean_photo(sketch((4032, 3024))), clean_photo(sketch((300, 200), "PNG"))
    assert fits_print_size(Image.open(io.BytesIO(large.print_jpeg)).size)
    assert Image.open(io.BytesIO(small.print_jpeg)).size == (300, 200)
    assert len(large.print_jpeg) < len(large.data) * 2  # a JPEG of a fifth of the pixels


def test_the_ideas_pdf_embeds_the_stored_print_jpeg_as_it_is(app, db, tmp_path, poppler):
    competition = make_competition(db, make_org(db), language="en")
    with app.test_request_context():
        idea = make_idea(db, competition, title="Værksted", photo=clean_photo(sketch()))
        pdf = ideas_pdf(competition, [idea], {}, "Approved ideas")
    stored = db.session.scalar(select(IdeaPhoto.print_jpeg).where(IdeaPhoto.idea_id == idea.id))
    listing, streams = pdf_images(pdf, tmp_path)
    width, height = Image.open(io.BytesIO(stored)).size
    assert len(listing) == 1 and listing[0][3:5] == [str(width), str(height)] and listing[0][8] == "jpeg"
    assert fits_print_size((width, height))
    assert streams == [stored]


def test_a_photo_without_a_readable_print_jpeg_is_left_out_of_the_pdf_and_logged(app, db, tmp_path, poppler,
                                                                                   caplog):
    competition = make_competition(db, make_org(db), language="en")
    unreadable = CleanPhoto("image/webp", 400, 300, sketch((400, 300), "WEBP"), b"thumbnail", b"not a jpeg")
    idea = make_idea(db, competition, title="Bålplads", photo=unreadable)
    with app.test_request_context(), caplog.at_level(logging.WARNING, "engagement.competitions.report"):
        pdf = ideas_pdf(competition, [idea], {}, "Approved ideas")
    assert pdf_images(pdf, tmp_path) == ([], [])
    assert f"idea {idea.id}: photo could not be read" in caplog.text


def test_a_photo_stored_before_print_jpegs_existed_gets_one_from_the_upgrade(app, db):
    competition = make_competition(db, make_org(db))
    older, damaged = make_idea(db, competition).id, make_idea(db, competition).id
    webp = sketch(kind="WEBP")  # a 1600 × 1200 photo as the cleaner stored it then
    db.session.remove()  # the migration alters the table: no session may hold it
    try:
        downgrade(revision=BEFORE_PRINT_JPEGS)
        photos = sa.table("idea_photos", *(sa.column(name) for name in
                                           ("idea_id", "content_type", "width", "height", "data", "thumbnail")))
        with db.engine.begin() as sql:
            sql.execute(photos.insert(), [
                {"idea_id": older, "content_type": "image/webp", "width": 1600, "height": 1200,
                 "data": webp, "thumbnail": b"thumbnail"},
                {"idea_id": damaged, "content_type": "image/webp", "width": 1600, "height": 1200,
                 "data": b"RIFF, then nothing", "thumbnail": b"thumbnail"}])
    finally:
        upgrade()
    printed = dict(db.session.execute(select(IdeaPhoto.idea_id, IdeaPhoto.print_jpeg)).all())
    assert printed[damaged] == b""  # left out of PDFs, as an unreadable photo was before
    assert printed[older].startswith(JPEG_MAGIC)
    picture = Image.open(io.BytesIO(printed[older]))
    assert picture.size == (708, 531) and fits_print_size(picture.size)
    assert dict(picture.getexif()) == {} and "progressive" not in picture.info
