"""Staff print posters: A4, A3 and a sheet of A6 flyers that poppler renders and zbar reads back.

`pdftotext` proves the words are real text with real æøå (not pictures, not
boxes); `pdftoppm -r 150` renders the page as a print shop would, and the
code is decoded from that picture.
"""
import shutil
import subprocess

import pytest

from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.engagement.touchpoints import decoding as d
from tests.engagement.touchpoints.builders import make_touchpoint

SIZES_MM = {"a4": (210, 297), "a3": (297, 420), "a6": (210, 297)}


@pytest.fixture(autouse=True)
def poppler():
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.fail("pdftoppm/pdftotext are missing: install Debian's poppler-utils (.ci/run does)", pytrace=False)


@pytest.fixture
def org(db):
    return make_org(db, name="Næstved Bymidte – Ungeforum")


@pytest.fixture
def editor(client, db, org, staff):
    return staff(make_user(db, org))


def poster(client, touchpoint, format_name) -> bytes:
    response = client.get(f"/staff/touchpoints/{touchpoint.id}/poster-{format_name}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].endswith(f"-plakat-{format_name}.pdf")
    return response.get_data()


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def rendered(pdf: bytes, tmp_path):
    path = tmp_path / "poster.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    return d.png_image((tmp_path / "page.png").read_bytes())


@pytest.mark.parametrize("format_name, codes", [("a4", 1), ("a3", 1), ("a6", 4)])
def test_poster_says_what_to_do_in_danish_and_its_code_reads_from_the_print(
        client, db, org, editor, tmp_path, format_name, codes):
    survey = make_survey(db, org, EVERY_KIND[:5], title="Unge i bymidten")
    touchpoint = make_touchpoint(db, org, survey, name="Skateparken ved Havnen")
    pdf = poster(client, touchpoint, format_name)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    url = f"http://127.0.0.1:5000/q/{touchpoint.code}"
    for words in ("Hvad mangler du i bymidten?", "Scan og sig det på 1 minut", "Kan du ikke scanne? Skriv:",
                  f"127.0.0.1:5000/q/{touchpoint.code}", "Anonymt. Vi gemmer ikke, hvem du er.",
                  "NÆSTVED BYMIDTE – UNGEFORUM", "Skateparken ved Havnen"):
        assert text.count(words) == codes, (words, text)
    page = rendered(pdf, tmp_path)
    width_mm, height_mm = SIZES_MM[format_name]
    expected = (width_mm / 25.4 * 150, height_mm / 25.4 * 150)  # the paper size, within poppler's rounding
    assert all(abs(got - want) <= 1 for got, want in zip(page.size, expected, strict=True)), page.size
    assert d.zbar(page) == [url] * codes
    assert set(d.opencv(page)) == {url}


def test_a_touchpoints_own_headline_and_the_surveys_length_go_on_the_poster(client, db, org, editor, tmp_path):
    survey = make_survey(db, org, EVERY_KIND + EVERY_KIND[:1])  # ten questions: more than a minute
    touchpoint = make_touchpoint(db, org, survey, headline="Skal der være flere bænke på Søndergade?")
    text = " ".join(pdf_text(poster(client, touchpoint, "a4"), tmp_path).split())
    assert "Skal der være flere bænke på Søndergade?" in text and "Hvad mangler du" not in text
    assert "Scan og sig det på 2 minutter" in text


def test_an_english_survey_gets_an_english_poster(client, db, org, editor, tmp_path):
    survey = make_survey(db, org, EVERY_KIND[:3], language="en")
    text = " ".join(pdf_text(poster(client, make_touchpoint(db, org, survey), "a4"), tmp_path).split())
    assert "What is missing in the town centre?" in text and "Anonymous. We do not store who you are." in text


def test_posters_print_the_configured_address_whatever_host_staff_used(app, client, db, org, editor, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://bypuls.naestved.dk")
    touchpoint = make_touchpoint(db, org, make_survey(db, org, EVERY_KIND[:2]))
    client.set_cookie("session", client.get_cookie("session").value, domain="intern.naestved.local")
    pdf = client.get(f"/staff/touchpoints/{touchpoint.id}/poster-a3.pdf",
                     headers={"Host": "intern.naestved.local"}).get_data()
    assert f"bypuls.naestved.dk/q/{touchpoint.code}" in " ".join(pdf_text(pdf, tmp_path).split())
    assert d.zbar(rendered(pdf, tmp_path)) == [f"https://bypuls.naestved.dk/q/{touchpoint.code}"]


def test_posters_are_small_enough_to_mail_to_a_print_shop(client, db, org, editor):
    touchpoint = make_touchpoint(db, org, make_survey(db, org, EVERY_KIND[:2]))
    for format_name in ("a4", "a3", "a6"):
        assert len(poster(client, touchpoint, format_name)) < 150_000, format_name


def test_without_dejavu_the_poster_falls_back_to_pdf_fonts_that_still_hold_danish_letters(tmp_path, monkeypatch):
    from engagement.common import pdf as pdf_style
    from engagement.touchpoints import posters

    monkeypatch.setattr(pdf_style, "FONT_DIR", str(tmp_path / "no-fonts-here"))
    url = "https://bypuls.vordingborg.dk/q/abcdefgh"
    pdf = posters.render(posters.PosterText(
        "Flere bænke på Søndergade – eller hvad?", "Scan og sig det på 1 minut", url, url[8:],
        "Kan du ikke scanne? Skriv:", "Næstved", "Anonymt. Vi gemmer ikke, hvem du er.", "Åen"), "a4")
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "bænke på Søndergade" in text and "NÆSTVED" in text and "Åen" in text
    assert d.zbar(rendered(pdf, tmp_path)) == [url]
