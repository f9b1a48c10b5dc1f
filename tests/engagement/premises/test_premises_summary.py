"""The owner's summary, "Det ønsker byen sig for Algade 12": the ideas about the place with their photos and
votes, the classes' work, the feedback on each trial in its days, and the posters' scans; as a staff page
and as the A4 PDF of the board packs. No contact and no staff note in it; small groups are not counted out."""
import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import update

from engagement.premises.models import Trial, TrialDecision
from extensions import utcnow
from surveys.models import Response
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.classes.builders import make_class_session
from tests.engagement.competitions.staff_photos import webp_photo
from tests.engagement.premises.test_premises_page import add_votes
from tests.engagement.premises.test_premises_register import make_premises, today
from tests.engagement.touchpoints.builders import add_scans, make_touchpoint
from tests.surveys.test_results import add_response

CONTACT = {"owner_name": "Jens Ejer", "owner_email": "jens@ejendom.dk", "owner_phone": "55 36 00 00",
           "contact_purpose": "Afprøvning af cykelværksted", "notes": "Nøglen hos naboen."}
FEEDBACK = [{"kind": "single_choice", "prompt": "Hvad synes du om værkstedet?", "choices": ["Godt", "Skidt"]}]


@pytest.fixture(autouse=True)
def poppler():
    for tool in ("pdftotext", "pdfimages"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            pytest.skip(f"{tool} is missing: apt-get install -y poppler-utils")


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def algade(db, org):
    """Algade 12 with all of it: a competition with a photo idea and votes, two class sessions (one too small
    to count out), a trial with feedback in its days (and one answer before), and a poster scanned 9 times."""
    premises = make_premises(db, org, contact_delete_on=today() + timedelta(days=300), **CONTACT)
    competition = make_competition(db, org, title="Hvad skal der ske i Algade 12?", premises_id=premises.id,
                                   brief="Butikken har stået tom i et år.")
    winner = make_idea(db, competition, title="Cykelværksted for unge", photo=webp_photo(size=(400, 300)),
                       description="Et sted at skrue på cykler om eftermiddagen.")
    second = make_idea(db, competition, title="Lektiecafé")
    make_idea(db, competition, status="pending", title="Hemmelig kladde")
    add_votes(db, winner, 3)
    add_votes(db, second, 1)
    teacher = make_user(db, org, role="teacher")
    big = make_class_session(db, teacher, competition=competition, name="7.b Kulsbjerg")
    make_class_session(db, teacher, competition=competition, name="8.a Marienberg")
    for n in range(6):
        make_idea(db, competition, status="pending", title=f"Klasseidé {n}", class_session_id=big.id)
    add_votes(db, winner, 5, ballot=f"class-{big.id}")
    survey = make_survey(db, org, FEEDBACK, title="Hvad synes du om cykelværkstedet?")
    for n in range(6):
        add_response(db, survey, {0: "Godt" if n < 5 else "Skidt"})
    before = add_response(db, survey, {0: "Skidt"})
    db.session.execute(update(Response).where(Response.id == before).values(
        started_at=utcnow() - timedelta(days=40), completed_at=utcnow() - timedelta(days=40)))
    db.session.add(Trial(organisation_id=org.id, title="Pop-up cykelværksted", premises_id=premises.id,
                         description="Værkstedet holdt åbent tre eftermiddage om ugen.", survey_id=survey.id,
                         starts_on=today() - timedelta(days=10), ends_on=today() + timedelta(days=10),
                         decision=TrialDecision.keep, public_note="Værkstedet fortsætter efter sommerferien."))
    window = make_touchpoint(db, org, name="Vinduet i Algade 12", premises_id=premises.id)
    add_scans(db, window, 9)
    db.session.commit()
    return premises


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "opsummering.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_images(body: bytes, tmp_path) -> list[str]:
    path = tmp_path / "billeder.pdf"
    path.write_bytes(body)
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[8] for line in listing.splitlines()[2:]]


def test_the_owners_summary_pdf_is_titled_for_the_place_and_holds_the_ideas_votes_classes_and_trial(
        client, db, staff, org, algade, tmp_path):
    staff(make_user(db, org, role="editor"))
    response = client.get(f"/staff/premises/{algade.id}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "det-onsker-byen-sig-for-algade-12.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    flat = " ".join(text.split())
    assert "Det ønsker byen sig for Algade 12" in flat and "Vordingborg bymidte" in flat
    assert "Hvad skal der ske i Algade 12?" in flat and "Butikken har stået tom i et år." in flat
    assert "Cykelværksted for unge" in flat and "8 stemmer" in flat  # 3 public and 5 in the class
    assert "Lektiecafé" in flat and "Hemmelig kladde" not in flat
    assert "jpeg" in pdf_images(response.data, tmp_path)  # the winning idea's photo
    assert "7.b Kulsbjerg" in flat and "6 idéer · 5 elever stemte" in flat
    assert "8.a Marienberg" in flat and "færre end 5" in flat  # nobody there: not counted out
    assert "Afprøvning: Pop-up cykelværksted" in flat and "Beslutning: Det fortsætter." in flat
    assert "Værkstedet fortsætter efter sommerferien." in flat
    assert "Hvad synes du om værkstedet?" in flat
    assert "6 personer svarede" in flat  # the answer from before the trial is not its feedback
    assert "Plakaterne på stedet er scannet 9 gange i alt." in flat
    for private in (*CONTACT.values(), "Jens", "ejendom.dk"):
        assert private not in flat, private


def test_the_same_summary_is_a_page_reached_from_the_premises_page(client, db, staff, org, algade):
    staff(make_user(db, org, role="viewer"))
    page = client.get(f"/staff/premises/{algade.id}").get_data(as_text=True)
    assert f'href="/staff/premises/{algade.id}/summary">Se opsummeringen</a>' in page
    summary = client.get(f"/staff/premises/{algade.id}/summary").get_data(as_text=True)
    assert "<h1>Det ønsker byen sig for Algade 12</h1>" in summary
    assert "Cykelværksted for unge" in summary and "8 stemmer" in summary and "7.b Kulsbjerg" in summary
    assert "<dt>Gennemført</dt><dd>6</dd>" in summary  # in the trial's days only
    assert 'id="figures"' in summary and f'href="/staff/premises/{algade.id}/summary.pdf"' in summary
    assert "Jens Ejer" not in summary and "Nøglen hos naboen." not in summary


def test_a_trial_with_too_few_answers_shows_no_numbers(client, db, staff, org, algade):
    survey = make_survey(db, org, FEEDBACK, title="Bænke på Torvet")
    for _n in range(4):
        add_response(db, survey, {0: "Godt"})
    db.session.add(Trial(organisation_id=org.id, title="Bænke i vinduet", premises_id=algade.id, survey_id=survey.id,
                         starts_on=today() - timedelta(days=3), ends_on=today()))
    db.session.add(Trial(organisation_id=org.id, title="Uden spørgsmål", premises_id=algade.id,
                         starts_on=today() - timedelta(days=3), ends_on=today()))
    db.session.commit()
    staff(make_user(db, org, role="editor"))
    summary = client.get(f"/staff/premises/{algade.id}/summary").get_data(as_text=True)
    assert "Færre end 5 har svaret færdigt i perioden, så der vises ingen resultater." in summary
    assert "Afprøvningen havde intet spørgeskema til tilbagemeldinger." in summary


def test_a_place_nothing_has_been_gathered_about_says_so(client, db, staff, org, tmp_path):
    premises = make_premises(db, org, address="Torvet 3, 4760 Vordingborg", **CONTACT)
    staff(make_user(db, org, role="editor"))
    response = client.get(f"/staff/premises/{premises.id}/summary.pdf")
    flat = " ".join(pdf_text(response.data, tmp_path).split())
    assert "Det ønsker byen sig for Torvet 3" in flat
    assert "Der er endnu ikke samlet noget om dette sted" in flat and "Jens Ejer" not in flat


def test_without_chromium_the_pdf_is_a_page_that_says_so(client, db, staff, org, algade, monkeypatch):
    from engagement.common import chart_images

    def unavailable(*args, **kwargs):
        raise chart_images.ChartImagesUnavailable()

    monkeypatch.setattr("engagement.reports.pdf.png_images", unavailable)
    staff(make_user(db, org, role="editor"))
    response = client.get(f"/staff/premises/{algade.id}/summary.pdf", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Chromium" in page and "Det ønsker byen sig for Algade 12" in page
