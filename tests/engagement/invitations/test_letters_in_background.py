"""Letters to a long list take minutes (each page draws its own QR code), so above LETTERS_AT_ONCE people they
are made in the background: the button leads to a page with the progress, and the PDF that comes out is the
one the direct download gives."""
import subprocess

from engagement.invitations import staff as invitations
from tests.engagement.invitations.conftest import OWNERS, csv_bytes, page_url, save_settings, upload
from tests.engagement.prepared import wait_until_finished


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "breve.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_letters_to_more_people_than_at_once_are_made_in_the_background(db, survey, editor, monkeypatch, tmp_path):
    save_settings(editor, survey)
    assert upload(editor, survey, csv_bytes(OWNERS)).status_code == 303
    direct = pdf_text(editor.get(f"{page_url(survey)}/letters.pdf?who=all").get_data(), tmp_path)
    monkeypatch.setattr(invitations, "LETTERS_AT_ONCE", 2)

    started = editor.get(f"{page_url(survey)}/letters.pdf?who=all")
    assert started.status_code == 303
    page = editor.get(started.location).get_data(as_text=True)
    assert "Brevene til »Tomme butikker« (PDF)" in page and "Tilbage til invitationerne" in page
    state = wait_until_finished(editor, int(started.location.rsplit("/", 1)[1]))
    assert state["status"] == "ready" and state["text"] == "3 af 3 breve"
    got = editor.get(state["file_url"])
    assert got.headers["Content-Disposition"] == "attachment; filename=breve-ejere.pdf"
    assert got.headers["Cache-Control"] == "private, no-store"  # names and addresses: no copies kept
    assert pdf_text(got.get_data(), tmp_path) == direct
    # Two letters (those with a postal address) are still made at once.
    assert editor.get(f"{page_url(survey)}/letters.pdf?who=post").status_code == 200
