"""Nobody reaches another organisation's competition: every staff competition URL answers 404, and teachers 403."""
import pytest

from engagement.competitions.models import IdeaStatus
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token, routes_taking
from tests.engagement.competitions.staff_photos import webp_photo


def foreign_competition(db):
    competition = make_competition(db, make_org(db), categories=["Kultur"], title="Deres konkurrence")
    idea = make_idea(db, competition, status="pending", title="Deres idé", photo=webp_photo())
    return competition, idea


def test_admin_of_one_organisation_gets_404_for_every_page_of_anothers_competition(app, client, db, staff):
    competition, idea = foreign_competition(db)
    staff(make_user(db, make_org(db), role="admin"))
    token = csrf_token(client, "/staff/competitions/new")
    urls = routes_taking(app, "competition_id", {"competition_id": competition.id, "idea_id": idea.id,
                                                 "category_id": competition.categories[0].id})
    assert len(urls) >= 17
    for method, url in urls:
        response = client.open(url, method=method, data={
            "csrf_token": token, "action": "approved", "name": "hacked", "title": "hacked", "brief": "x"})
        assert response.status_code == 404, (method, url, response.status_code)
    db.session.expire_all()
    assert (idea.status, idea.title, competition.categories[0].name) == (IdeaStatus.pending, "Deres idé", "Kultur")


def test_an_idea_of_another_competition_is_a_404_under_ones_own_competition(client, db, staff):
    org = make_org(db)
    mine = make_competition(db, org)
    _theirs, idea = foreign_competition(db)
    staff(make_user(db, org))
    for suffix in ("photo", "thumbnail", "edit"):
        assert client.get(f"/staff/competitions/{mine.id}/ideas/{idea.id}/{suffix}").status_code == 404


@pytest.mark.parametrize("role, expected", [("admin", 200), ("editor", 200), ("viewer", 200), ("teacher", 403)])
def test_teachers_have_no_part_in_competition_admin(client, db, staff, role, expected):
    org = make_org(db)
    competition = make_competition(db, org)
    staff(make_user(db, org, role=role))
    for url in ("/staff/competitions/", f"/staff/competitions/{competition.id}",
                f"/staff/competitions/{competition.id}/results", f"/staff/competitions/{competition.id}/ideas.csv"):
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("role, expected", [("editor", 200), ("viewer", 403), ("teacher", 403)])
def test_only_admins_and_editors_create_and_change_competitions(client, db, staff, role, expected):
    org = make_org(db)
    competition = make_competition(db, org)
    staff(make_user(db, org, role=role))
    assert client.get("/staff/competitions/new").status_code == expected
    assert client.get(f"/staff/competitions/{competition.id}/edit").status_code == expected


def test_competition_pages_need_a_login(client, db):
    competition = make_competition(db, make_org(db))
    response = client.get(f"/staff/competitions/{competition.id}")
    assert response.status_code == 302 and "/staff/login" in response.location
