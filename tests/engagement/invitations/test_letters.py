"""Staff print the letters: one A4 page per owner, the name and address where the envelope's window is,
and the owner's own QR code, which poppler renders and zbar (or OpenCV) reads back as their link."""
import shutil
import subprocess

import pytest
from flask import current_app

from tests.engagement.invitations.conftest import OWNERS, csv_bytes, page_url, save_settings, upload
from tests.engagement.touchpoints import decoding as d


@pytest.fixture(autouse=True)
def poppler():
    if not (shutil.which("pdftoppm") and shutil.which("pdftotext")):
        pytest.fail("pdftoppm/pdftotext are missing: install Debian's poppler-utils (.ci/run does)", pytrace=False)


@pytest.fixture
def listed(db, survey, editor):
    from sqlalchemy import select

    from engagement.invitations.models import Invitation

    save_settings(editor, survey)
    assert upload(editor, survey, csv_bytes(OWNERS)).status_code == 303
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def letters(client, survey, who: str, tmp_path):
    response = client.get(f"{page_url(survey)}/letters.pdf?who={who}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"  # names and addresses: no copies kept
    assert "attachment" in response.headers["Content-Disposition"]
    path = tmp_path / f"{who}.pdf"
    path.write_bytes(response.get_data())
    return path


def pages_of(path, tmp_path) -> list[tuple[str, list[str]]]:
    """(text, decoded QR codes) of each page, rendered at 150 dpi as an office printer would."""
    count = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    pages = []
    for number in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(path), "-"],
                              capture_output=True, text=True, check=True).stdout
        stem = tmp_path / f"page-{number}"
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", "-f", str(number), "-l", str(number),
                        str(path), str(stem)], check=True)
        image = d.png_image(stem.with_suffix(".png").read_bytes())
        pages.append((text, d.zbar(image) or d.opencv(image)))
    return pages


def test_each_owner_with_an_address_gets_a_page_whose_code_is_their_own_link(db, survey, editor, listed, tmp_path):
    base = current_app.config["PUBLIC_BASE_URL"]
    aase, bent, _carla = listed
    pages = pages_of(letters(editor, survey, "post", tmp_path), tmp_path)
    assert len(pages) == 2
    for (text, codes), person in zip(pages, (aase, bent), strict=True):
        assert codes == [f"{base}/i/{person.token}"]
        assert person.name in text and "4760 Vordingborg" in text
        assert "Vordingborg bymidte vil gerne høre fra dig i undersøgelsen »Tomme butikker«." in " ".join(text.split())
        assert "Scan koden med mobilens kamera" in text
        short = base.split("://")[1] + "/i/" + person.token[:12].lower()
        assert short in text
        assert editor.get("/i/" + person.token[:12].lower()).status_code == 303  # the typed address works
    assert "Algade 12" in pages[0][0] and "Slotsgade 3" in pages[1][0]


def test_letters_to_everyone_include_those_with_only_an_email(db, survey, editor, listed, tmp_path):
    base = current_app.config["PUBLIC_BASE_URL"]
    pages = pages_of(letters(editor, survey, "all", tmp_path), tmp_path)
    assert [codes for _text, codes in pages] == [[f"{base}/i/{person.token}"] for person in listed]
    assert "Carla Jensen" in pages[2][0]


def test_the_address_sits_in_the_envelope_window(db, survey, editor, listed, tmp_path):
    """Window envelopes (C5, C65) show 20–110 mm from the left and 45–90 mm from the top."""
    path = letters(editor, survey, "post", tmp_path)
    box = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    mm = 25.4 / 72
    for word in ("Åse", "Ørnsø", "Algade", "4760"):
        line = next(line for line in box.splitlines() if f">{word}<" in line)
        x_min, y_min, x_max, y_max = (float(line.split(f'{k}="')[1].split('"')[0]) * mm
                                      for k in ("xMin", "yMin", "xMax", "yMax"))
        assert 20 <= x_min and x_max <= 110 and 45 <= y_min and y_max <= 90, (word, x_min, y_min, x_max, y_max)


def test_no_letters_when_nobody_has_an_address(db, org, editor):
    from tests.builders import make_survey
    from tests.engagement.invitations.conftest import QUESTIONS

    survey = make_survey(db, org, QUESTIONS)
    save_settings(editor, survey)
    upload(editor, survey, csv_bytes([["navn", "e-mail"], ["Carla", "carla@example.dk"]]))
    refused = editor.get(f"{page_url(survey)}/letters.pdf")
    assert refused.status_code == 303
    assert "Ingen på listen har en postadresse." in editor.get(refused.location).get_data(as_text=True)
    assert editor.get(f"{page_url(survey)}/letters.pdf?who=nogen").status_code == 404
