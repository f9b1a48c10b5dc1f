"""Nobody ever sees another organisation's data: every staff URL answers 404 for a foreign survey."""
import pytest

from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.conftest import csrf_token, routes_taking


def test_editor_of_one_organisation_gets_404_for_every_page_of_anothers_survey(app, client, db, staff):
    mine, theirs = make_org(db), make_org(db)
    foreign = make_survey(db, theirs, EVERY_KIND[:3])
    staff(make_user(db, mine, role="admin"))
    token = csrf_token(client, "/staff/surveys/new")
    urls = routes_taking(app, "survey_id", {"survey_id": foreign.id, "question_id": foreign.questions[0].id,
                                            "extension": "csv"})
    assert len(urls) >= 10
    for method, url in urls:
        response = client.open(url, method=method, data={"csrf_token": token, "action": "close",
                                                          "direction": "up", "prompt": "hacked"})
        assert response.status_code == 404, (method, url, response.status_code)
    db.session.expire_all()
    assert foreign.status.value == "open" and foreign.questions[0].prompt != "hacked"


def test_survey_list_shows_only_the_organisations_own_surveys(client, db, staff):
    mine, theirs = make_org(db), make_org(db)
    make_survey(db, mine, title="Vores undersøgelse")
    make_survey(db, theirs, title="Deres hemmelige undersøgelse")
    staff(make_user(db, mine))
    page = client.get("/staff/surveys/").get_data(as_text=True)
    assert "Vores undersøgelse" in page and "Deres hemmelige" not in page


@pytest.mark.parametrize("role, can_edit", [("admin", True), ("editor", True), ("teacher", False), ("viewer", False)])
def test_only_admins_and_editors_change_surveys(client, db, staff, role, can_edit):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND[:1], status="draft")
    staff(make_user(db, org, role=role))
    expected = 200 if can_edit else 403
    assert client.get(f"/staff/surveys/{survey.id}/questions/new?kind=scale").status_code == expected
    assert client.get(f"/staff/surveys/{survey.id}").status_code == 200


def test_staff_pages_need_a_login(client, db):
    survey = make_survey(db, make_org(db), EVERY_KIND[:1])
    response = client.get(f"/staff/surveys/{survey.id}")
    assert response.status_code == 302 and "/staff/login" in response.location
