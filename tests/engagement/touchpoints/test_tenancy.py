"""Nobody sees another organisation's touchpoints: every staff URL with a touchpoint id answers 404."""
from sqlalchemy import func, select

from engagement.touchpoints.models import Touchpoint
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.conftest import csrf_token, routes_taking
from tests.engagement.touchpoints.builders import make_touchpoint

ARGUMENTS = {"size": 256, "format_name": "a4"}


def test_admin_of_one_organisation_gets_404_for_every_page_of_anothers_touchpoint(app, client, db, staff):
    mine, theirs = make_org(db), make_org(db)
    their_survey = make_survey(db, theirs, EVERY_KIND[:1])
    foreign = make_touchpoint(db, theirs, their_survey, name="Deres skatepark")
    staff(make_user(db, mine, role="admin"))
    token = csrf_token(client, "/staff/touchpoints/new")
    urls = routes_taking(app, "touchpoint_id", {"touchpoint_id": foreign.id, **ARGUMENTS})
    assert len(urls) >= 7  # show, edit (GET and POST), active, PNG, SVG, poster
    for method, url in urls:
        response = client.open(url, method=method, data={
            "csrf_token": token, "action": "deactivate", "name": "hacked", "kind": "other", "target": ""})
        assert response.status_code == 404, (method, url, response.status_code)
    db.session.expire_all()
    assert (foreign.name, foreign.active, foreign.survey_id) == ("Deres skatepark", True, their_survey.id)


def test_touchpoint_list_shows_only_the_organisations_own_places(client, db, staff):
    mine, theirs = make_org(db), make_org(db)
    make_touchpoint(db, mine, name="Vores bibliotek")
    make_touchpoint(db, theirs, name="Deres hemmelige skatepark")
    staff(make_user(db, mine))
    page = client.get("/staff/touchpoints/").get_data(as_text=True)
    assert "Vores bibliotek" in page and "Deres hemmelige" not in page


def test_new_touchpoints_belong_to_the_signed_in_users_organisation(client, db, staff):
    mine, theirs = make_org(db), make_org(db)
    staff(make_user(db, mine))
    token = csrf_token(client, "/staff/touchpoints/new")
    client.post("/staff/touchpoints/new", data={"csrf_token": token, "name": "Torvet", "kind": "event",
                                                "target": "", "organisation_id": str(theirs.id)})
    assert db.session.scalar(select(func.count()).select_from(Touchpoint).where(
        Touchpoint.organisation_id == mine.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Touchpoint).where(
        Touchpoint.organisation_id == theirs.id)) == 0
