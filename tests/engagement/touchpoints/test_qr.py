"""Every QR code we hand out is read back by real decoders, also from a scratched, rainy, tilted poster.

zbar (pyzbar) must read every variant below; OpenCV's detectors are the
second opinion and must read the ones marked `both`. Neither may ever read a
different text: a misread code would send people to the wrong place. The
codes come from the staff download routes, so what staff print is what is
tested; the SVG is rasterised with cairosvg.
"""
import random

import pytest

from engagement.touchpoints import qr
from engagement.touchpoints.links import CODE_ALPHABET, public_url
from tests.builders import make_org, make_survey, make_user
from tests.engagement.touchpoints import decoding as d
from tests.engagement.touchpoints.builders import make_touchpoint

# name: (damage, OpenCV must read it too)
DAMAGE = {
    "scaled down to 128 px": (d.scaled_down(128), True),
    "scaled down to 96 px": (d.scaled_down(96), False),
    "slightly out of focus": (d.blurred(0.006), True),
    "out of focus": (d.blurred(0.01), False),
    "scratched across": (d.scratched(0.045), True),
    "three rain streaks": (d.rain_streaked(3, 0.6), True),
    "five heavy rain streaks": (d.rain_streaked(5, 0.8), False),
    "sticker over 16 % of it": (d.covered(0.16), True),
    "photographed 40 degrees from the side": (d.photographed(40), True),
    "photographed 35 degrees from the side and 20 from below": (d.photographed(35, 20), True),
    "phone photo at dusk: tilted, scratched, rain, blur, JPEG": (d.combined(
        d.scratched(0.02), d.rain_streaked(3, 0.5), d.photographed(30, 10), d.scaled_down(300), d.blurred(0.003),
        d.evening_light, d.jpeg(40)), False),
}
# Each pattern is different, so damage hits each code differently: test several.
CODES = ["".join(random.Random(seed).choice(CODE_ALPHABET) for _ in range(8)) for seed in range(6)]
BASES = ["http://127.0.0.1:5000", "https://bypuls.vordingborg.dk"]


@pytest.fixture
def editor(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    return org


@pytest.mark.parametrize("name", DAMAGE)
def test_a_damaged_poster_still_reads_as_exactly_its_address(name):
    damage, opencv_too = DAMAGE[name]
    for base in BASES:
        for code in CODES:
            url = public_url(base, code)
            image = damage(d.png_image(qr.png(url, 512)))
            read_by_zbar, read_by_opencv = d.zbar(image), d.opencv(image)
            assert read_by_zbar == [url], (name, url, read_by_zbar)
            assert all(text == url for text in read_by_opencv), (name, url, read_by_opencv)
            if opencv_too:
                assert read_by_opencv == [url], (name, url, read_by_opencv)


@pytest.mark.parametrize("size", qr.PNG_SIZES)
def test_staff_download_pngs_in_each_size_that_read_as_the_touchpoints_address(client, db, editor, size):
    touchpoint = make_touchpoint(db, editor)
    response = client.get(f"/staff/touchpoints/{touchpoint.id}/qr-{size}.png")
    assert response.mimetype == "image/png"
    assert "inline" in response.headers["Content-Disposition"] and touchpoint.code in response.headers[
        "Content-Disposition"]
    image = d.png_image(response.get_data())
    assert image.size == (size, size)
    url = f"http://127.0.0.1:5000/q/{touchpoint.code}"
    assert d.zbar(image) == [url] and d.opencv(image) == [url]


def test_png_modules_are_whole_pixels_with_the_quiet_zone_of_four_modules():
    modules = qr.matrix("http://127.0.0.1:5000/q/abcdefgh")
    assert all(not any(row) for row in modules[:4] + modules[-4:])
    assert all(not any(row[:4]) and not any(row[-4:]) for row in modules)
    image = d.png_image(qr.png("http://127.0.0.1:5000/q/abcdefgh", 512))
    box = 512 // len(modules)
    margin = (512 - box * len(modules)) // 2 + 4 * box
    assert {colour for _count, colour in image.getcolors()} == {0, 255}  # black and white only, no grey edges
    assert image.getpixel((margin, margin)) == 0 and image.getpixel((margin - 1, margin - 1)) == 255


def test_codes_use_error_correction_high_enough_for_a_damaged_poster():
    import qrcode

    assert qr.ERROR_CORRECTION == qrcode.constants.ERROR_CORRECT_H and qr.QUIET_ZONE == 4


def test_staff_download_an_svg_that_cairo_renders_to_the_touchpoints_address(client, db, editor):
    touchpoint = make_touchpoint(db, editor)
    response = client.get(f"/staff/touchpoints/{touchpoint.id}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data()
    assert b"<script" not in svg and b'fill="#fff"' in svg
    url = f"http://127.0.0.1:5000/q/{touchpoint.code}"
    for pixels in (150, 600, 1500):
        image = d.svg_image(svg, pixels)
        assert d.zbar(image) == [url], pixels
        assert d.opencv(image) == [url], pixels


def test_codes_carry_the_configured_public_address_not_the_requests_host(app, client, db, editor, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://bypuls.vordingborg.dk")
    touchpoint = make_touchpoint(db, editor)
    url = f"https://bypuls.vordingborg.dk/q/{touchpoint.code}"
    headers = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    # The signed-in session, also for requests that claim to be for another host.
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    png = client.get(f"/staff/touchpoints/{touchpoint.id}/qr-512.png", headers=headers).get_data()
    assert d.zbar(d.png_image(png)) == [url]
    svg = client.get(f"/staff/touchpoints/{touchpoint.id}/qr.svg", headers=headers).get_data()
    assert d.zbar(d.svg_image(svg)) == [url]
    page = client.get(f"/staff/touchpoints/{touchpoint.id}", headers=headers).get_data(as_text=True)
    assert url in page and "evil.example" not in page


def test_a_survey_target_does_not_change_what_the_code_holds(client, db, editor):
    """Re-pointing changes the database, not the printed code."""
    touchpoint = make_touchpoint(db, editor, make_survey(db, editor, status="open"))
    before = client.get(f"/staff/touchpoints/{touchpoint.id}/qr-256.png").get_data()
    touchpoint.survey_id = make_survey(db, editor).id
    db.session.commit()
    assert client.get(f"/staff/touchpoints/{touchpoint.id}/qr-256.png").get_data() == before
