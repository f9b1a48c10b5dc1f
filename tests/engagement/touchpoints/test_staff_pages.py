"""Staff place touchpoints: create, list, edit, deactivate; bad input gets clear Danish messages."""
import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from engagement.touchpoints.links import CODE_PATTERN
from engagement.touchpoints.models import Touchpoint, TouchpointKind
from tests.builders import EVERY_KIND, make_competition, make_org, make_survey, make_user
from tests.conftest import csrf_token, statements_during
from tests.engagement.touchpoints.builders import add_scans, make_touchpoint


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def survey(db, org):
    return make_survey(db, org, EVERY_KIND[:3], title="Unge i bymidten")


@pytest.fixture
def editor(db, org, staff):
    return staff(make_user(db, org, role="editor"))


def form_data(client, url, **values):
    data = {"csrf_token": csrf_token(client, url), "name": "Skateparken ved Havnen", "kind": "skate_park",
            "target": "", "headline": "", "address": "", "latitude": "", "longitude": "", "note": ""}
    return {**data, **values}


def test_editor_creates_a_touchpoint_for_the_skate_park_and_gets_a_code(client, db, org, survey, editor):
    url = "/staff/touchpoints/new"
    response = client.post(url, data=form_data(client, url, target=f"survey:{survey.id}", address="Havnevej 3",
                                               latitude="55,0123", longitude="11.9012", note="Hængt op af Mia",
                                               headline="Skater du her? Sig hvad der mangler"))
    assert response.status_code == 303
    touchpoint = db.session.scalar(select(Touchpoint))
    assert response.location.endswith(f"/staff/touchpoints/{touchpoint.id}")
    assert (touchpoint.name, touchpoint.kind, touchpoint.survey_id, touchpoint.organisation_id) == (
        "Skateparken ved Havnen", TouchpointKind.skate_park, survey.id, org.id)
    assert (touchpoint.address, touchpoint.latitude, touchpoint.longitude) == ("Havnevej 3", 55.0123, 11.9012)
    assert touchpoint.headline == "Skater du her? Sig hvad der mangler" and touchpoint.active
    assert CODE_PATTERN.fullmatch(touchpoint.code)
    page = client.get(response.location).get_data(as_text=True)
    assert f"http://127.0.0.1:5000/q/{touchpoint.code}" in page and "Unge i bymidten" in page


def test_touchpoint_list_shows_places_their_survey_and_scans(client, db, org, survey, editor):
    skate = make_touchpoint(db, org, survey, name="Skateparken ved Havnen")
    make_touchpoint(db, org, None, name="Biblioteket", kind=TouchpointKind.library, active=False)
    add_scans(db, skate, 7)
    page = client.get("/staff/touchpoints/").get_data(as_text=True)
    assert "Skateparken ved Havnen" in page and "Unge i bymidten" in page and "Skatepark" in page
    assert re.search(r'<td class="number">7</td>', page)
    assert "Biblioteket" in page and "Deaktiveret" in page and "Ingen undersøgelse endnu" in page


def test_code_never_changes_when_the_touchpoint_is_edited_and_repointed(client, db, org, survey, editor):
    touchpoint = make_touchpoint(db, org, survey)
    code = touchpoint.code
    later = make_survey(db, org, EVERY_KIND[:1], title="Sommerens spørgsmål")
    url = f"/staff/touchpoints/{touchpoint.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert f'<option selected value="survey:{survey.id}">' in page and '<option selected value="skate_park">' in page
    response = client.post(url, data=form_data(client, url, name="Skaterbanen", kind="event",
                                               target=f"survey:{later.id}"))
    assert response.status_code == 303
    db.session.expire_all()
    assert (touchpoint.code, touchpoint.name, touchpoint.kind, touchpoint.survey_id) == (
        code, "Skaterbanen", TouchpointKind.event, later.id)


def test_typed_values_stay_and_danish_messages_explain_what_is_wrong(client, db, org, survey, editor):
    url = "/staff/touchpoints/new"
    response = client.post(url, data=form_data(client, url, name="  ", latitude="nord for kirken", longitude="",
                                               headline="x" * 91, address="Algade 12, 4760 Vordingborg"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Giv stedet et navn" in page
    assert "En breddegrad er et tal fra -90 til 90" in page
    assert "Brug højst 90 tegn." in page
    assert 'value="nord for kirken"' in page and 'value="Algade 12, 4760 Vordingborg"' in page
    assert db.session.scalar(select(Touchpoint)) is None


@pytest.mark.parametrize("latitude, longitude, message", [
    ("95", "11", "En breddegrad er et tal fra -90 til 90"),
    ("55", "200,5", "En længdegrad er et tal fra -180 til 180"),
    ("55", "", "Angiv både breddegrad og længdegrad, eller ingen af dem."),
    ("", "11", "Angiv både breddegrad og længdegrad, eller ingen af dem."),
    ("nan", "11", "En breddegrad er et tal fra -90 til 90"),
])
def test_a_position_must_be_two_sensible_numbers(client, db, org, editor, latitude, longitude, message):
    url = "/staff/touchpoints/new"
    response = client.post(url, data=form_data(client, url, latitude=latitude, longitude=longitude))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_target_from_another_organisation_or_made_up_is_refused(app, client, db, org, editor):
    other = make_org(db)
    foreign = make_survey(db, other, EVERY_KIND[:1], title="Deres undersøgelse")
    foreign_competition = make_competition(db, other, title="Deres konkurrence")
    with app.test_request_context(), force_locale("da"):
        message = gettext("Choose a survey or an idea competition from the list.")
    url = "/staff/touchpoints/new"
    for target in (f"survey:{foreign.id}", "survey:999999", f"competition:{foreign_competition.id}",
                   "competition:999999", "survey:abc", "survey:²", "survey:99999999999999999999", "survey:-1",
                   "survey:", "competition:", "contest:1"):
        response = client.post(url, data=form_data(client, url, target=target))
        assert response.status_code == 422, target
        assert message in response.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "Deres undersøgelse" not in page and "Deres konkurrence" not in page
    assert db.session.scalar(select(Touchpoint)) is None


def test_an_unknown_kind_of_place_is_refused(client, db, org, editor):
    url = "/staff/touchpoints/new"
    response = client.post(url, data=form_data(client, url, kind="spaceship"))
    assert response.status_code == 422


def test_editor_deactivates_and_reactivates_a_touchpoint(client, db, org, survey, editor):
    touchpoint = make_touchpoint(db, org, survey)
    url = f"/staff/touchpoints/{touchpoint.id}"
    token = csrf_token(client, url)
    response = client.post(f"{url}/active", data={"csrf_token": token, "action": "deactivate"})
    assert response.status_code == 303
    db.session.expire_all()
    assert not touchpoint.active
    assert "Aktivér igen" in client.get(url).get_data(as_text=True)
    client.post(f"{url}/active", data={"csrf_token": token, "action": "reactivate"})
    db.session.expire_all()
    assert touchpoint.active


def test_changing_a_touchpoint_needs_the_forms_csrf_token(client, db, org, survey, editor):
    touchpoint = make_touchpoint(db, org, survey)
    assert client.post(f"/staff/touchpoints/{touchpoint.id}/active", data={"action": "deactivate"}).status_code == 400
    db.session.expire_all()
    assert touchpoint.active


@pytest.mark.parametrize("role, can_change", [("admin", True), ("editor", True), ("teacher", False),
                                              ("viewer", False)])
def test_teachers_and_viewers_list_and_download_but_only_admins_and_editors_change(
        client, db, org, survey, staff, role, can_change):
    touchpoint = make_touchpoint(db, org, survey)
    staff(make_user(db, org, role=role))
    base = f"/staff/touchpoints/{touchpoint.id}"
    for url in ("/staff/touchpoints/", base, f"{base}/qr-256.png", f"{base}/qr.svg", f"{base}/poster-a4.pdf"):
        assert client.get(url).status_code == 200, url
    expected = 200 if can_change else 403
    assert client.get("/staff/touchpoints/new").status_code == expected
    assert client.get(f"{base}/edit").status_code == expected
    token = csrf_token(client, "/staff/touchpoints/")
    response = client.post(f"{base}/active", data={"csrf_token": token, "action": "deactivate"})
    assert response.status_code == (303 if can_change else 403)
    assert ("Nyt kontaktpunkt" in client.get("/staff/touchpoints/").get_data(as_text=True)) is can_change


def test_touchpoint_pages_need_a_login(client, db, org, survey):
    touchpoint = make_touchpoint(db, org, survey)
    for url in ("/staff/touchpoints/", f"/staff/touchpoints/{touchpoint.id}",
                f"/staff/touchpoints/{touchpoint.id}/poster-a4.pdf"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.location


def test_unknown_sizes_and_formats_are_404(client, db, org, survey, editor):
    touchpoint = make_touchpoint(db, org, survey)
    assert client.get(f"/staff/touchpoints/{touchpoint.id}/qr-300.png").status_code == 404
    assert client.get(f"/staff/touchpoints/{touchpoint.id}/poster-a5.pdf").status_code == 404


def test_editing_keeps_the_typed_position_in_danish_notation(client, db, org, survey, editor):
    touchpoint = make_touchpoint(db, org, survey, latitude=55.0123, longitude=11.9)
    page = client.get(f"/staff/touchpoints/{touchpoint.id}/edit").get_data(as_text=True)
    assert 'value="55,0123"' in page and 'value="11,9"' in page


def test_touchpoint_list_takes_the_same_few_queries_for_three_places_or_twenty(client, db, org, survey, editor):
    def selects_for_list():
        def show_list():
            assert client.get("/staff/touchpoints/").status_code == 200
        return statements_during(db, show_list).count("SELECT")

    for n in range(3):
        make_touchpoint(db, org, survey, name=f"Plakat {n}")
    few = selects_for_list()
    for n in range(17):
        make_touchpoint(db, org, make_survey(db, org, EVERY_KIND[:2]), name=f"Flere {n}")
    assert selects_for_list() == few <= 5
