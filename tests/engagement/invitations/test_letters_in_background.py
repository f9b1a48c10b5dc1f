"""Letters to a long list take minutes (each page draws its own QR code), so above LETTERS_AT_ONCE people they
are made in the background: the button leads to a page with the progress, and the PDF that comes out is the
one the direct download gives."""
import subprocess

from sqlalchemy import update

from engagement.invitations import staff as invitations
from engagement.models import Role, User
from tests.conftest import csrf_token
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


def test_an_editor_made_a_viewer_can_no_longer_fetch_the_letters_made_for_them(db, org, survey, editor, monkeypatch):
    """Names and postal addresses: the file is kept for a day, and only someone who may make letters gets it."""
    save_settings(editor, survey)
    assert upload(editor, survey, csv_bytes(OWNERS)).status_code == 303
    monkeypatch.setattr(invitations, "LETTERS_AT_ONCE", 2)
    download_id = int(editor.get(f"{page_url(survey)}/letters.pdf?who=all").location.rsplit("/", 1)[1])
    state = wait_until_finished(editor, download_id)
    assert editor.get(state["file_url"]).status_code == 200
    page, progress = f"/staff/downloads/{download_id}", f"/staff/downloads/{download_id}/progress"

    set_role(db, org, Role.viewer)
    assert [editor.get(url).status_code for url in (page, progress, state["file_url"])] == [403, 403, 403]
    assert editor.post(f"{page}/again", data={"csrf_token": csrf_token(editor, "/staff/")}).status_code == 403

    set_role(db, org, Role.editor)  # made an editor again: the file is theirs again, as it was
    assert editor.get(state["file_url"]).status_code == 200


def set_role(db, org, role: Role) -> None:
    db.session.execute(update(User).where(User.organisation_id == org.id).values(role=role))
    db.session.commit()
