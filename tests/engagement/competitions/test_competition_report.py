"""The PDF for a council meeting: the approved ideas and winners, Danish letters as real text, photos inside."""
import subprocess

import pytest

from engagement.competitions import services
from engagement.competitions.report import ideas_pdf
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.engagement.competitions.staff_photos import webp_photo


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "ideer.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_images(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "ideer.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in listing.splitlines()[2:]]


@pytest.fixture(autouse=True)
def poppler():
    for tool in ("pdftotext", "pdfimages"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            pytest.skip(f"{tool} is missing: apt-get install -y poppler-utils")


def test_council_pdf_holds_published_ideas_with_real_danish_text_and_their_photos(client, db, staff, tmp_path):
    org = make_org(db)
    competition = make_competition(db, org, title="Hvad skal Algade 12 være?", categories=["Kultur"], language="en")
    winner = make_idea(db, competition, status="winner", title="Værksted for både og cykler",
                       description="Øvelokale, sømærker og æbletræer i gården.", nickname="Søren",
                       photo=webp_photo(size=(400, 300)), category_id=competition.categories[0].id)
    make_idea(db, competition, status="approved", title="Bålplads ved åen")
    make_idea(db, competition, status="pending", title="Endnu ikke læst")
    make_idea(db, competition, status="rejected", title="Afvist forslag")
    services.set_vote(db.session, competition, winner, "a", 1)
    db.session.commit()
    staff(make_user(db, org, role="viewer"))
    response = client.get(f"/staff/competitions/{competition.id}/ideas.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Approved ideas" in text  # in the competition's language
    assert "Værksted for både og cykler" in text and "Øvelokale, sømærker og æbletræer" in text
    assert "Bålplads ved åen" in text and "Søren" in text and "Kultur" in text and "1 vote" in text
    assert "Endnu ikke læst" not in text and "Afvist forslag" not in text
    assert text.index("Værksted") < text.index("Bålplads")  # the winner first
    assert text.index("Votes per idea") < text.index("Værksted")  # the results page's chart opens the list
    chart, photo = pdf_images(response.data, tmp_path)
    assert chart[3] == "1440" and chart[8] == "image"  # the figure drawn at 720 px, twice over for print
    assert photo[3:5] == ["400", "300"] and photo[8] == "jpeg"


def test_ideas_pdf_takes_any_list_of_ideas_and_their_votes(db, tmp_path, app):
    competition = make_competition(db, make_org(db), language="en")
    ideas = [make_idea(db, competition, title=f"Idé nummer {n}", photo=webp_photo(size=(300, 600)))
             for n in range(5)]
    with app.test_request_context():
        pdf = ideas_pdf(competition, ideas, {ideas[0].id: 7}, "Class 7.b")
    text = pdf_text(pdf, tmp_path)
    assert "Class 7.b" in text and "7 votes" in text and "Idé nummer 4" in text
    images = pdf_images(pdf, tmp_path)
    assert [image[8] for image in images] == ["image"] + ["jpeg"] * 5  # the votes chart, then the photos
