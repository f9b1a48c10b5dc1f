"""Who reaches the register: admins and editors change it and see the owners' contacts; viewers read it
without a contact anywhere (pages, exports, the owner's summary); teachers get 403; another
organisation's staff get 404 at every address of a premises, found from the URL map."""
import io
import subprocess

import pytest
from flask import url_for
from openpyxl import load_workbook

from engagement.premises.models import PremisesStatus
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token
from tests.engagement.premises.test_premises_register import form_data, make_premises, registered

CONTACT = {"owner_name": "Jens Ejer", "owner_email": "jens@ejendom.dk", "owner_phone": "+45 55 36 00 00",
           "contact_purpose": "At tale med ejeren om en afprøvning"}


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def premises(db, org):
    from datetime import date

    return make_premises(db, org, contact_delete_on=date(2030, 1, 1), notes="Nøglen hos naboen.", **CONTACT)


def premises_routes(app, values: dict) -> list[tuple[str, str]]:
    """(method, url) of every route of the register, from the URL map: a route added later is checked too."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("premises."):
                url = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
                urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def shows_a_contact(body: str) -> list[str]:
    return [value for value in (*CONTACT.values(), "2030") if value in body]


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "opsummering.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_viewer_reads_the_register_but_never_sees_an_owners_contact(app, client, db, staff, org, premises,
                                                                      tmp_path):
    make_idea(db, make_competition(db, org, premises_id=premises.id), title="Cykelværksted")
    staff(make_user(db, org, role="viewer"))
    urls = [url for method, url in premises_routes(app, {"premises_id": premises.id, "extension": "csv"})
            if method == "GET" and "/new" not in url and "/edit" not in url and not url.endswith(".pdf")]
    urls.append("/staff/premises/premises.xlsx")
    assert len(urls) >= 5
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = (xlsx_text(response.data) if url.endswith(".xlsx") else response.get_data(as_text=True))
        assert shows_a_contact(body) == [], url
    page = client.get(f"/staff/premises/{premises.id}").get_data(as_text=True)
    assert "Algade 12" in page and "Nøglen hos naboen." in page and "Ejerens kontakt" not in page
    assert f"/staff/premises/{premises.id}/edit" not in page and "/status" not in page and "/delete" not in page
    pdf = client.get(f"/staff/premises/{premises.id}/summary.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data, tmp_path)
    assert "Cykelværksted" in text and shows_a_contact(text) == [] and "Nøglen" not in text


def xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    rows = sheet.iter_rows(values_only=True)
    return "\n".join(" ".join(str(cell) for cell in row if cell is not None) for row in rows)


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_admins_and_editors_see_the_contact_on_the_page_in_the_list_and_in_the_exports(client, db, staff, org,
                                                                                        premises, role):
    staff(make_user(db, org, role=role))
    page = client.get(f"/staff/premises/{premises.id}").get_data(as_text=True)
    assert len(shows_a_contact(page)) == 5
    assert "1. januar 2030" in client.get("/staff/premises/").get_data(as_text=True)
    csv = client.get("/staff/premises/premises.csv")
    assert csv.headers["Cache-Control"] == "private, no-store"
    assert "jens@ejendom.dk" in csv.get_data(as_text=True) and "Ejerens e-mail" in csv.get_data(as_text=True)
    assert "+45 55 36 00 00" in xlsx_text(client.get("/staff/premises/premises.xlsx").data)
    # The owner's summary is for the owner: it never holds the contact, whoever makes it.
    summary = client.get(f"/staff/premises/{premises.id}/summary").get_data(as_text=True)
    assert shows_a_contact(summary) == [] and "Nøglen" not in summary


def test_a_viewer_cannot_change_the_register(client, db, staff, org, premises):
    staff(make_user(db, org, role="viewer"))
    token = csrf_token(client, "/staff/premises/")
    assert client.get("/staff/premises/new").status_code == 403
    assert client.get(f"/staff/premises/{premises.id}/edit").status_code == 403
    assert client.post(f"/staff/premises/{premises.id}/status", data={
        "csrf_token": token, "status": "let"}).status_code == 403
    assert client.post(f"/staff/premises/{premises.id}/delete", data={"csrf_token": token}).status_code == 403
    assert registered(db)[0].status is PremisesStatus.vacant


def test_a_teacher_gets_403_at_every_address_of_the_register(app, client, db, staff, org, premises):
    staff(make_user(db, org, role="teacher"))
    token = csrf_token(client, "/staff/classes/")
    urls = premises_routes(app, {"premises_id": premises.id, "extension": "csv"})
    assert len(urls) >= 11
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token, "status": "let"})
        assert response.status_code == 403, (method, url, response.status_code)
    assert "/staff/premises/" not in client.get("/staff/classes/").get_data(as_text=True)


def test_staff_of_another_organisation_get_404_for_every_address_of_a_premises(app, client, db, staff, org,
                                                                               premises):
    staff(make_user(db, make_org(db), role="admin"))
    url = f"/staff/premises/{premises.id}/edit"
    token = csrf_token(client, "/staff/premises/new")
    urls = [(method, u) for method, u in premises_routes(app, {"premises_id": premises.id, "extension": "csv"})
            if str(premises.id) in u]
    assert len(urls) >= 7
    for method, u in urls:
        response = client.open(u, method=method, data=form_data(client, "/staff/premises/new", status="let")
                               if u == url else {"csrf_token": token, "status": "let"})
        assert response.status_code == 404, (method, u, response.status_code)
    assert registered(db)[0].status is PremisesStatus.vacant and registered(db)[0].address.startswith("Algade")
    assert "Algade 12" not in client.get("/staff/premises/").get_data(as_text=True)
    assert "Algade 12" not in client.get("/staff/premises/premises.csv").get_data(as_text=True)


def test_the_register_is_in_the_menu_for_everyone_but_teachers(client, db, staff, org):
    staff(make_user(db, org, role="viewer"))
    assert 'href="/staff/premises/">Lokaler og steder</a>' in client.get("/staff/surveys/").get_data(as_text=True)


def test_register_pages_need_a_login(client, db, premises):
    response = client.get(f"/staff/premises/{premises.id}")
    assert response.status_code == 302 and "/staff/login" in response.location
