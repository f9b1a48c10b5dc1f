"""A board pack too big to draw while an app server waits is made in the background: the PDF link leads to a
page with its progress, and the PDF that comes out holds what the direct one would."""
import re
import subprocess

import pytest

from engagement.reports import background
from tests.builders import make_org, make_user
from tests.engagement.prepared import wait_until_finished
from tests.engagement.reports.test_reports import make_report, survey_with_answers


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "rapport.pdf"
    path.write_bytes(body)
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


@pytest.fixture
def pack(db):
    org = make_org(db)
    survey = survey_with_answers(db, org)
    report = make_report(db, org, [("survey", survey, {"crosstabs": [[survey.questions[0].id, "touchpoint"]]}),
                                   ("places", survey, {})])
    return org, survey, report


def test_a_pack_with_more_charts_than_the_limit_is_made_in_the_background(app, db, staff, pack, monkeypatch, tmp_path):
    org, survey, report = pack
    monkeypatch.setitem(app.config, "REPORT_PDF_DIRECT_CHARTS", 3)
    client = staff(make_user(db, org, role="viewer"))
    started = client.get(f"/staff/reports/{report.id}/report.pdf")
    assert started.status_code == 303
    page = client.get(started.location).get_data(as_text=True)
    assert "»Bymidten i foråret 2026« som PDF" in page and f'href="/staff/reports/{report.id}"' in page

    state = wait_until_finished(client, int(started.location.rsplit("/", 1)[1]), timeout=120)
    assert state["status"] == "ready", state
    assert state["text"] == "Trin 3 af 3: siderne sættes op – 2 af 2 afsnit"
    got = client.get(state["file_url"])
    assert got.mimetype == "application/pdf"
    assert re.fullmatch(r'attachment; filename=bymidten-i-foraret-2026-\d{4}-\d\d-\d\d\.pdf',
                        got.headers["Content-Disposition"])
    text = pdf_text(got.data, tmp_path)
    assert "Bymidten i foråret 2026" in text and "13-17 8 67 %" in text and "Side 2 af" in text


def test_a_pack_at_the_limit_is_sent_at_once(app, db, staff, pack, monkeypatch):
    org, survey, report = pack
    with app.test_request_context():
        charts = background.expected_charts(db.session, report)
    monkeypatch.setitem(app.config, "REPORT_PDF_DIRECT_CHARTS", int(charts) + 1)
    got = staff(make_user(db, org, role="viewer")).get(f"/staff/reports/{report.id}/report.pdf")
    assert got.status_code == 200 and got.mimetype == "application/pdf"


def test_the_charts_expected_come_from_the_sections_and_a_big_surveys_cross_tabs_weigh_more(db, pack, monkeypatch):
    org, survey, report = pack
    charted = sum(1 for q in survey.questions if q.kind not in ("short_text", "long_text"))
    # The timeline, every charted question and the cross-tab; the places' funnel. 15 responses.
    assert background.expected_charts(db.session, report) == pytest.approx(1 + charted + 1 + 15 / 40_000 + 1)
    monkeypatch.setattr(background, "CROSSTAB_RESPONSES", 5)
    assert background.expected_charts(db.session, report) == pytest.approx(1 + charted + 1 + 3 + 1)


def test_without_chromium_the_page_says_what_is_missing_and_offers_to_try_again(app, db, staff, pack, monkeypatch):
    org, survey, report = pack
    monkeypatch.setitem(app.config, "REPORT_PDF_DIRECT_CHARTS", 3)
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chromium")
    client = staff(make_user(db, org, role="viewer"))
    started = client.get(f"/staff/reports/{report.id}/report.pdf")
    state = wait_until_finished(client, int(started.location.rsplit("/", 1)[1]))
    assert state["status"] == "failed"
    assert "apt-get install chromium" in state["html"] and "Prøv igen" in state["html"]
