"""The A4 PDF of a report, and the class-session and competition PDFs: what a council member reads on
paper. Text is found with pdftotext, images with pdfimages, as a reader's tools would."""
import io
import re
import subprocess
from datetime import datetime

import pytest
from flask_babel import force_locale, gettext
from PIL import Image

from engagement.common import charts
from engagement.common.chart_images import ChartImagesUnavailable
from engagement.reports.document import Chart, Document, IdeaCard, KeyFigures, Notice, Quotes, Section, Table
from engagement.reports.pdf import report_pdf
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.classes.builders import answer_whole_survey, make_class_session
from tests.engagement.competitions.staff_photos import webp_photo
from tests.engagement.reports.test_chart_images import HOUSE_GREEN, picture_uri, share_of


@pytest.fixture(autouse=True)
def poppler():
    for tool in ("pdftotext", "pdfimages", "pdfinfo"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            pytest.skip(f"{tool} is missing: apt-get install -y poppler-utils")


def pdf_file(pdf: bytes, tmp_path, name="rapport.pdf"):
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_text(path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def image_list(path) -> list[dict]:
    """pdfimages' listing: page, width, height and encoding ("image" for a flate-compressed PNG, "jpeg")."""
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    return [{"page": int(r[0]), "type": r[2], "width": int(r[3]), "height": int(r[4]), "enc": r[8]} for r in rows]


def extracted_images(path, tmp_path) -> list[Image.Image]:
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "img")], check=True)
    return [Image.open(p) for p in sorted(tmp_path.glob("img-*.png"))]


def jpeg(size=(640, 480), colour=(180, 120, 60)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def answers_chart(key: str, prompt: str, rows: list[tuple[str, int]], total: int) -> Chart:
    table = Table(["Svar", "Personer", "Andel"],
                  [[label, f"{n:,}".replace(",", "."), f"{charts.percent(n, total)} %"] for label, n in rows])
    return Chart(key, prompt, charts.bars_figure({"rows": rows, "respondents": total}), table,
                 f"{total} svarede · hver kunne vælge flere")


def board_pack() -> Document:
    """A report as content.py makes one: a survey, the places and a competition."""
    survey = Section("survey-1", "Spørgeskema: Unge i bymidten", "De unge vil have læ og bænke på Torvet.", [
        KeyFigures([("Gennemførte", "1.204"), ("Påbegyndte", "1.387"), ("Andel gennemført", "87 %")]),
        answers_chart("q1", "1. Hvad mangler du på Torvet?", [("Bænke", 734), ("Træer", 512), ("Læ", 301)], 1204),
        answers_chart("q2", "2. Hvordan kom du hertil?", [("Gåben", 640), ("Cykel", 420), ("Bus", 144)], 1204),
        Notice("Spørgsmål 3 vises ikke: færre end 5 svarede."),
        Quotes("Hvad folk skrev", ["Flere bænke ved åen", "Læ for vinden på Torvet"]),
    ])
    places = Section("places", "Steder: fra scanning til svar", "Plakaten ved havnen virker bedst.", [
        Chart("map", "Hvor svarene kom fra", {"data": [{"type": "scatter", "mode": "markers", "x": [0.4],
                                                        "y": [0.5], "marker": {"size": 30, "color": charts.GREEN}}],
                                              "layout": charts.map_layout(picture_uri(), 0.75)}),
        Table(["Sted", "Scanninger", "Færdige"], [["Havnen", "2.310", "980"], ["Algade 12", "77", "31"]],
              caption="Scanninger og færdige svar pr. sted"),
    ])
    ideas = Section("competition-1", "Idékonkurrence: Hvad skal Algade 12 være?", "", [
        IdeaCard("Skatecafé med værksted", "Et sted at øve sig og reparere sit board.", "42 stemmer · Skate",
                 jpeg()),
    ])
    return Document("Vordingborg Bymidte", "Bestyrelsespakke 1. kvartal", "Sådan gik det i årets første kvartal.",
                    "1. januar 2026 – 31. marts 2026", datetime(2026, 4, 2, 10, 0), "da", [survey, places, ideas])


def test_a_board_pack_reads_as_a_document_with_contents_page_numbers_and_real_danish_text(app, tmp_path):
    document = board_pack()
    with app.app_context():
        path = pdf_file(report_pdf(document), tmp_path)
    pages, text = page_count(path), page_text(path)
    for words in ("Vordingborg Bymidte", "Bestyrelsespakke 1. kvartal", "1. januar 2026 – 31. marts 2026",
                  "Sådan gik det i årets første kvartal.", "De unge vil have læ og bænke på Torvet."):
        assert words in text
    with app.app_context(), force_locale("da"):
        made = gettext("Made %(when)s", when="2. april 2026")
    assert made in page_text(path, 1)
    # The numbers of the tables and key figures are text, æøå included.
    for number in ("1.204", "87 %", "734", "61 %", "2.310", "980"):
        assert number in text
    assert re.search(r"Bænke\s+734\s+61 %", text) and re.search(r"Havnen\s+2.310\s+980", text)
    assert "Spørgsmål 3 vises ikke" in text and "Læ for vinden på Torvet" in text
    assert "Skatecafé med værksted" in text and "42 stemmer · Skate" in text
    # "organisation · title · Side X af Y" on every page but the title page.
    assert "Side" not in page_text(path, 1)
    for page in range(2, pages + 1):
        assert f"Vordingborg Bymidte · Bestyrelsespakke 1. kvartal · Side {page} af {pages}" in page_text(path, page)
    # The contents list every heading with the page it is on.
    contents = dict(re.findall(r"^\s*(\S.*?)\s{2,}(\d+)\s*$", page_text(path, 2), re.M))
    headings = ["Spørgeskema: Unge i bymidten", "Steder: fra scanning til svar",
                "Idékonkurrence: Hvad skal Algade 12 være?"]
    for heading in headings:
        assert heading in page_text(path, int(contents[heading]))
    assert int(contents[headings[0]]) < int(contents[headings[1]]) < int(contents[headings[2]]) <= pages


def test_each_chart_is_one_image_of_its_plotly_figure_and_the_photo_is_the_jpeg_as_it_is(app, tmp_path):
    document = board_pack()
    with app.app_context():
        path = pdf_file(report_pdf(document), tmp_path)
    images = image_list(path)
    assert [i["type"] for i in images] == ["image"] * 4  # no soft masks beside them
    drawn, photos = [i for i in images if i["enc"] == "image"], [i for i in images if i["enc"] == "jpeg"]
    assert len(drawn) == len(document.charts()) == 3
    assert all(i["width"] == 1440 for i in drawn)  # 720 px, the page's width, twice over for print
    assert [(p["width"], p["height"]) for p in photos] == [(640, 480)]
    bars, _second, the_map, _photo = extracted_images(path, tmp_path)
    assert share_of(bars, HOUSE_GREEN) > 0.05  # Plotly's bars in the house green, not a blank box
    assert bars.height == 2 * document.charts()[0].figure["layout"]["height"]
    assert the_map.convert("RGB").getpixel((40, 60)) == (40, 90, 200)  # the data: URI map picture


def test_contents_of_seventy_sections_take_the_pages_they_need_and_point_at_the_right_ones(app, tmp_path):
    sections = [Section(f"s{n}", f"Afsnit {n}: Bymidten{' og havnen' * 12 if n % 9 == 0 else ''}", "Tekst.",
                        [Table(["Sted", "Svar"], [["Torvet", str(n)]])]) for n in range(70)]
    document = Document("Vordingborg Bymidte", "Mange afsnit", "", "2026", datetime(2026, 4, 2), "da", sections)
    with app.app_context():
        path = pdf_file(report_pdf(document), tmp_path)
    contents = "".join(page_text(path, page) for page in (2, 3, 4))
    listed = {int(n): int(page) for n, page in re.findall(r"Afsnit (\d+):.*?\s(\d+)\s*$", contents, re.M)}
    assert sorted(listed) == list(range(70))
    assert "Afsnit 0:" in page_text(path, 5) and listed[0] == 5  # after three pages of contents
    assert all(f"Afsnit {n}:" in page_text(path, listed[n]) for n in (0, 9, 35, 69))
    assert page_count(path) == 4 + 70


def test_a_report_without_charts_is_made_without_chromium(app, tmp_path, monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chromium")
    document = board_pack()
    for section in document.sections:
        section.blocks = [block for block in section.blocks if not isinstance(block, Chart)]
    with app.app_context():
        path = pdf_file(report_pdf(document), tmp_path)
    assert "1.204" in page_text(path) and image_list(path)[0]["enc"] == "jpeg"


def test_a_report_with_charts_on_a_server_without_chromium_says_so(app, monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chromium")
    with app.app_context(), pytest.raises(ChartImagesUnavailable, match="apt-get install chromium"):
        report_pdf(board_pack())


SURVEY = [{"kind": "single_choice", "prompt": "Hvad mangler du på Torvet?", "choices": ["Bænke", "Træer", "Læ"]},
          {"kind": "short_text", "prompt": "Hvad skal Algade 12 være?"}]


def class_session_with_answers(client, db, pupils=3):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, make_survey(db, org, SURVEY), name="2.g Vordingborg")
    pupil = client.application.test_client()
    for _ in range(pupils):
        answer_whole_survey(pupil, f"/join/{class_session.code}")
    return teacher, class_session


def test_the_class_session_pdf_shows_the_projectors_chart_with_its_numbers_as_text(client, db, staff, tmp_path):
    teacher, class_session = class_session_with_answers(client, db)
    staff(teacher)
    response = client.get(f"/staff/classes/{class_session.id}/report.pdf?lang=en")
    assert response.status_code == 200
    path = pdf_file(response.data, tmp_path)
    [chart] = image_list(path)  # one chart question; the text question has none
    assert chart["enc"] == "image" and chart["width"] == 1440
    [image] = extracted_images(path, tmp_path)
    assert share_of(image, HOUSE_GREEN) > 0.05
    assert re.search(r"Bænke\s+3 \(100 %\)", page_text(path))


def test_a_class_session_pdf_on_a_server_without_chromium_is_a_page_that_says_so(client, db, staff, monkeypatch):
    teacher, class_session = class_session_with_answers(client, db, pupils=1)
    staff(teacher)
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chromium")
    response = client.get(f"/staff/classes/{class_session.id}/report.pdf?lang=en")
    assert response.status_code == 503
    assert "apt-get install chromium" in response.get_data(as_text=True)


def test_the_ideas_pdf_without_chromium_still_lists_the_ideas_and_their_votes(client, db, staff, monkeypatch,
                                                                           tmp_path):
    from engagement.competitions import services

    org = make_org(db)
    competition = make_competition(db, org, title="Hvad skal Algade 12 være?", language="en")
    idea = make_idea(db, competition, status="approved", title="Bålplads ved åen", photo=webp_photo(size=(400, 300)))
    services.set_vote(db.session, competition, idea, "a", 1)
    db.session.commit()
    staff(make_user(db, org, role="viewer"))
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chromium")
    response = client.get(f"/staff/competitions/{competition.id}/ideas.pdf")
    assert response.status_code == 200
    path = pdf_file(response.data, tmp_path)
    text = page_text(path)
    assert "Bålplads ved åen" in text and "1 vote" in text and "Votes per idea" not in text
    assert [i["enc"] for i in image_list(path)] == ["jpeg"]  # the photo, no chart


def large_survey_pack(sections=10, questions=10) -> Document:
    """A large survey's pack: `sections` × `questions` bar charts of eight options, each with its table."""
    options = ["Bænke", "Træer", "Læ", "Legeplads", "Cafébord", "Toiletter", "Lys om aftenen", "Cykelstativer"]
    parts = []
    for s in range(sections):
        blocks = [KeyFigures([("Gennemførte", "12.480"), ("Påbegyndte", "14.002"), ("Andel", "89 %")])]
        for q in range(questions):
            rows = [(option, 200 + 97 * ((s + q + i) % 8) + 10 * s + q) for i, option in enumerate(options)]
            blocks.append(answers_chart(f"s{s}q{q}", f"{q + 1}. Hvad mangler du på Torvet? (del {s + 1})", rows, 1500))
        parts.append(Section(f"s{s}", f"Del {s + 1}: Bymidten i foråret", "Tekst fra sekretariatet.", blocks))
    return Document("Vordingborg Bymidte", "Stor undersøgelse", "Indledning.", "2026", datetime(2026, 4, 2), "da",
                    parts)


def test_a_fifty_page_pack_of_a_large_survey_has_every_chart(app, tmp_path):
    # How long it takes is measured by `make bench` (reports), not asserted here: a timed test fails on a busy
    # machine. Packs that may take long are made in the background (the prepared downloads).
    document = large_survey_pack()
    with app.app_context():
        pdf = report_pdf(document)
    path = pdf_file(pdf, tmp_path)
    assert page_count(path) >= 50 and len(image_list(path)) == 100
