"""The register of premises and places: staff add a place with its owner's contact, change its status
(the history keeps who, when and why), are told plainly what is wrong with a form, and delete a place
only when nothing points at it. A form sent twice never makes two of anything."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engagement.premises.models import Premises, PremisesKind, PremisesStatus, StatusChange, Trial
from extensions import utcnow
from surveys.timezone import to_local
from tests.builders import make_competition, make_map, make_org, make_user
from tests.conftest import csrf_token
from tests.engagement.touchpoints.builders import make_touchpoint

NEW = "/staff/premises/new"


def today() -> date:
    return to_local(utcnow()).date()


def make_premises(db, org, **overrides) -> Premises:
    """A vacant empty shop at Algade 12 with its first status in the history, registered an hour ago."""
    made = utcnow() - timedelta(hours=1)
    premises = Premises(organisation_id=org.id, **{
        "address": "Algade 12, 4760 Vordingborg", "kind": PremisesKind.empty_shop, "status": PremisesStatus.vacant,
        "created_at": made, **overrides})
    premises.status_changes.append(StatusChange(status=premises.status, changed_at=made))
    db.session.add(premises)
    db.session.commit()
    return premises


def form_data(client, url: str = NEW, **fields) -> dict:
    """What a filled-in form sends: Algade 12 with its owner's contact, unless `fields` say otherwise
    (None leaves a field out)."""
    data = {"csrf_token": csrf_token(client, url), "address": "Algade 12, 4760 Vordingborg", "kind": "empty_shop",
            "status": "vacant", "status_note": "", "map_id": "", "map_x": "", "map_y": "",
            "owner_name": "Jens Ejer", "owner_email": "jens@ejendom.dk", "owner_phone": "+45 55 36 00 00",
            "contact_purpose": "At tale med ejeren om en afprøvning i butikken",
            "contact_delete_on": (today() + timedelta(days=365)).isoformat(), "notes": "Nøglen hos naboen.",
            **fields}
    return {name: value for name, value in data.items() if value is not None}


def registered(db) -> list[Premises]:
    db.session.expire_all()
    return db.session.scalars(select(Premises).order_by(Premises.id)).all()


def history(db, premises) -> list[tuple]:
    db.session.expire_all()
    return [(c.status.value, c.note, c.user.email if c.user else None) for c in db.session.scalars(
        select(StatusChange).where(StatusChange.premises_id == premises.id).order_by(StatusChange.id))]


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def editor(db, org, staff):
    user = make_user(db, org, role="editor")
    staff(user)
    return user


def test_editor_registers_an_empty_shop_with_its_owners_contact_and_its_first_status(client, db, org, editor):
    survey_map = make_map(db, org)
    response = client.post(NEW, data=form_data(client, map_id=str(survey_map.id), map_x="42,5", map_y="57",
                                               status_note="Tom siden januar"))
    [premises] = registered(db)
    assert response.status_code == 303 and response.location.endswith(f"/staff/premises/{premises.id}")
    assert (premises.address, premises.kind, premises.status, premises.organisation_id) == (
        "Algade 12, 4760 Vordingborg", PremisesKind.empty_shop, PremisesStatus.vacant, org.id)
    assert (premises.map_id, premises.map_x, premises.map_y) == (survey_map.id, 0.425, 0.57)
    assert (premises.owner_name, premises.owner_email, premises.owner_phone) == (
        "Jens Ejer", "jens@ejendom.dk", "+45 55 36 00 00")
    assert premises.contact_delete_on == today() + timedelta(days=365) and premises.notes == "Nøglen hos naboen."
    assert history(db, premises) == [("vacant", "Tom siden januar", editor.email)]

    page = client.get(response.location).get_data(as_text=True)
    assert "»Algade 12, 4760 Vordingborg« er i registret." in page
    assert "Jens Ejer" in page and "jens@ejendom.dk" in page and "At tale med ejeren" in page
    assert f"/staff/maps/{survey_map.id}/picture" in page and "x 42,5 %, y 57 %" in page
    assert "Tom siden januar" in page and editor.email in page
    listing = client.get("/staff/premises/").get_data(as_text=True)
    assert "Algade 12, 4760 Vordingborg" in listing and "Tom butik" in listing and "Ledig" in listing


def test_a_place_without_an_owners_contact_needs_no_purpose_or_deletion_day(client, db, org, editor):
    response = client.post(NEW, data=form_data(client, address="Torvet", kind="square", owner_name="",
                                               owner_email="", owner_phone="", contact_delete_on="",
                                               contact_purpose="Glemt at slette"))
    [premises] = registered(db)
    assert response.status_code == 303
    assert (premises.kind, premises.owner_name, premises.contact_purpose, premises.contact_delete_on) == (
        PremisesKind.square, "", "", None)  # a purpose without a contact is not kept


def test_changing_the_status_in_the_form_keeps_who_when_and_why_in_the_history(client, db, org, editor):
    premises = make_premises(db, org)
    url = f"/staff/premises/{premises.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Algade 12, 4760 Vordingborg"' in page and '<option selected value="vacant">Ledig</option>' in page
    assert '<option selected value="empty_shop">Tom butik</option>' in page
    data = form_data(client, url, status="let", status_note="Lejet ud til en cykelhandler")
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data=data).status_code == 303  # sent twice: one change
    assert history(db, premises) == [("vacant", "", None), ("let", "Lejet ud til en cykelhandler", editor.email)]
    shown = client.get(f"/staff/premises/{premises.id}").get_data(as_text=True)
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td>\s*<td>([^<]+)</td><td>([^<]*)</td></tr>", shown)
    assert [row[1:] for row in rows] == [("Lejet ud", editor.email, "Lejet ud til en cykelhandler"),
                                         ("Ledig", "–", "")]  # the latest first


def test_saving_the_form_without_changing_the_status_adds_nothing_to_the_history(client, db, org, editor):
    premises = make_premises(db, org)
    url = f"/staff/premises/{premises.id}/edit"
    assert client.post(url, data=form_data(client, url, notes="Ny note", status_note="Intet nyt")).status_code == 303
    assert history(db, premises) == [("vacant", "", None)]
    assert registered(db)[0].notes == "Ny note"


def test_the_status_form_on_the_page_records_a_change_once_when_sent_twice(client, db, org, editor):
    premises = make_premises(db, org)
    url = f"/staff/premises/{premises.id}"
    data = {"csrf_token": csrf_token(client, url), "status": "in_trial", "status_note": "Pop-up værksted i maj"}
    first = client.post(f"{url}/status", data=data)
    second = client.post(f"{url}/status", data=data, follow_redirects=True)
    assert first.status_code == 303 and first.location.endswith(f"{url}#status-history")
    assert "Status var allerede »Under afprøvning«" in second.get_data(as_text=True)
    assert history(db, premises) == [("vacant", "", None), ("in_trial", "Pop-up værksted i maj", editor.email)]
    assert registered(db)[0].status is PremisesStatus.in_trial


def test_a_form_sent_twice_registers_the_place_once(client, db, org, editor):
    data = form_data(client)
    first, second = client.post(NEW, data=data), client.post(NEW, data=data)
    [premises] = registered(db)
    assert first.status_code == second.status_code == 303 and first.location == second.location
    assert len(history(db, premises)) == 1


def test_a_place_registered_before_is_not_registered_again(client, db, org, editor):
    make_premises(db, org, address="Algade 12")
    response = client.post(NEW, data=form_data(client, address="  algade   12 "))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "»Algade 12« er allerede i registret som »Tom butik«." in page
    assert len(registered(db)) == 1
    # The same address as another kind of place (the facade of the shop) is a place of its own.
    assert client.post(NEW, data=form_data(client, address="Algade 12", kind="facade")).status_code == 303
    assert len(registered(db)) == 2


def far_day() -> str:
    return (today() + timedelta(days=3 * 365 + 1)).isoformat()


@pytest.mark.parametrize("fields, field, message", [
    ({"address": "  "}, "address", "Give the address, e.g. »Algade 12«."),
    ({"contact_delete_on": ""}, "contact_delete_on",
     "Choose the day the contact is deleted: a contact is kept only until a set day."),
    ({"owner_name": "", "owner_email": "", "contact_delete_on": ""}, "contact_delete_on",
     "Choose the day the contact is deleted"),  # a phone number alone is a contact too
    ({"contact_purpose": ""}, "contact_purpose", "Say what the contact is kept for"),
    ({"contact_delete_on": "today"}, "contact_delete_on", "Choose a day after today."),
    ({"contact_delete_on": "far"}, "contact_delete_on", "Keep a contact for at most three years"),
    ({"contact_delete_on": "2027-02-31"}, "contact_delete_on",
     "This is not a date. Choose the day the contact is deleted."),
    ({"owner_email": "jens(at)ejendom"}, "owner_email", "Write an e-mail address like name@example.dk."),
    ({"owner_phone": "ring til Jens"}, "owner_phone", "Write a phone number with digits"),
    ({"map_id": "MAP", "map_x": "150", "map_y": "20"}, "map_x", "Write x as a number from 0 to 100"),
    ({"map_id": "MAP", "map_x": "", "map_y": ""}, "map_x", "Give the place on the map: x and y."),
    ({"map_x": "40", "map_y": "20"}, "map_id", "Choose the map the place is on, or empty x and y."),
    ({"map_id": "FOREIGN", "map_x": "40", "map_y": "20"}, "map_id",
     "Choose one of your organisation’s maps from the list."),
    ({"kind": "castle"}, "kind", "Not a valid choice."),
])
def test_a_form_with_a_mistake_says_what_is_wrong_keeps_what_was_typed_and_saves_nothing(
        client, db, org, editor, fields, field, message):
    survey_map, foreign = make_map(db, org), make_map(db, make_org(db), name="Deres kort")
    client.get("/staff/premises/?lang=en")
    values = {"MAP": str(survey_map.id), "FOREIGN": str(foreign.id), "today": today().isoformat(),
              "far": far_day()}
    fields = {name: values.get(value, value) for name, value in fields.items()}
    response = client.post(NEW, data=form_data(client, **fields))
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert message in page
    assert f'id="{field}-error"' in page and 'id="error-summary"' in page and 'aria-invalid="true"' in page
    assert 'value="Jens Ejer"' in page or "owner_name" in fields
    assert "Nøglen hos naboen." in page and "At tale med ejeren" in page or "contact_purpose" in fields
    assert registered(db) == []


def test_a_place_nothing_points_at_is_deleted_with_its_history(client, db, org, editor):
    premises = make_premises(db, org)
    url = f"/staff/premises/{premises.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}/delete"' in page
    response = client.post(f"{url}/delete", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "»Algade 12, 4760 Vordingborg« er slettet fra registret." in response.get_data(as_text=True)
    assert registered(db) == [] and db.session.scalar(select(func.count()).select_from(StatusChange)) == 0


def test_a_place_something_points_at_is_not_deleted_and_staff_are_told_what(client, db, org, editor):
    premises = make_premises(db, org)
    make_touchpoint(db, org, premises_id=premises.id)
    make_touchpoint(db, org, premises_id=premises.id)
    db.session.add(Trial(organisation_id=org.id, title="Pop-up værksted", premises_id=premises.id,
                         starts_on=today(), ends_on=today() + timedelta(days=30)))
    db.session.commit()
    url = f"/staff/premises/{premises.id}"
    page = client.get(url).get_data(as_text=True)
    assert f'action="{url}/delete"' not in page and "2 kontaktpunkter, 1 afprøvning" in page
    response = client.post(f"{url}/delete", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert ("»Algade 12, 4760 Vordingborg« kan ikke slettes: 2 kontaktpunkter, 1 afprøvning peger på det"
            in response.get_data(as_text=True))
    assert len(registered(db)) == 1
    make_competition(db, org, premises_id=premises.id)
    response = client.post(f"{url}/delete", data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "2 kontaktpunkter, 1 idékonkurrence, 1 afprøvning" in response.get_data(as_text=True)


def test_changing_a_place_needs_the_forms_csrf_token(client, db, org, editor):
    premises = make_premises(db, org)
    data = form_data(client, f"/staff/premises/{premises.id}/edit", status="let")
    data.pop("csrf_token")
    assert client.post(f"/staff/premises/{premises.id}/edit", data=data).status_code in (400, 422)
    assert client.post(f"/staff/premises/{premises.id}/delete").status_code == 400
    assert registered(db)[0].status is PremisesStatus.vacant


def test_without_javascript_show_the_map_shows_it_and_saves_nothing(client, db, org, editor):
    survey_map = make_map(db, org)
    response = client.post(NEW, data=form_data(client, map_id=str(survey_map.id), show_map="1", address=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="error-summary"' not in page
    assert f"/staff/maps/{survey_map.id}/picture" in page and 'class="touchpoint-map-figure" hidden' not in page
    assert 'value="Jens Ejer"' in page and registered(db) == []


def test_two_posts_of_the_form_at_the_same_moment_register_the_place_once(app, db, org, editor):
    import threading

    from tests.builders import PASSWORD

    clients = [app.test_client() for _ in range(2)]
    for each in clients:
        each.post("/staff/login", data={"csrf_token": csrf_token(each, "/staff/login"), "email": editor.email,
                                        "password": PASSWORD})
    forms = [form_data(each) for each in clients]
    start, answers = threading.Barrier(2), []

    def send(each, data):
        start.wait()
        answers.append(each.post(NEW, data=data).status_code)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == [303, 303]
    [premises] = registered(db)
    assert len(history(db, premises)) == 1
