"""Staff build a competition: settings in Danish time, a slug that stays put, categories, phases, the list."""
import re
from datetime import datetime

from sqlalchemy import select

from engagement.competitions.models import Category, Competition, CompetitionStatus, Phase, PhotoRule, VotingMode
from extensions import utcnow
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.conftest import csrf_token

SETTINGS = {"title": "Algade 12", "slug": "", "brief": "Hvad skal der ske i det tomme butikslokale på Algade 12?",
            "language": "da", "photo_rule": "optional", "moderated": "y", "voting_mode": "single",
            "dots_per_device": "5", "submissions_open_at": "", "voting_opens_at": "", "closes_at": ""}


def post_settings(client, url, **changes):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **SETTINGS, **changes})


def test_editor_creates_a_draft_competition_with_a_slug_made_from_the_title(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org, role="editor"))
    response = post_settings(client, "/staff/competitions/new?lang=en", title="Hvad skal Algade 12 være?",
                             voting_mode="dots", dots_per_device="3")
    assert response.status_code == 303
    competition = db.session.scalar(select(Competition))
    assert competition.slug == "hvad-skal-algade-12-vaere"
    assert (competition.status, competition.organisation_id) == (CompetitionStatus.draft, org.id)
    assert (competition.moderated, competition.voting_mode, competition.dots_per_device) == (True, VotingMode.dots, 3)
    page = client.get(response.location).get_data(as_text=True)
    assert "/c/hvad-skal-algade-12-vaere" in page and "Publish" in page


def test_a_taken_slug_gets_a_number(client, db, staff):
    org = make_org(db)
    make_competition(db, org, slug="algade-12")
    staff(make_user(db, org))
    post_settings(client, "/staff/competitions/new", slug="algade-12")
    slugs = set(db.session.scalars(select(Competition.slug)))
    assert slugs == {"algade-12", "algade-12-2"}


def test_dates_typed_in_danish_summer_time_are_stored_in_utc_and_shown_back_as_typed(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    staff(make_user(db, org))
    url = f"/staff/competitions/{competition.id}/edit"
    response = post_settings(client, url, submissions_open_at="2027-06-01T08:00",
                             voting_opens_at="2027-06-15T12:00", closes_at="2027-06-30T23:59")
    assert response.status_code == 303
    db.session.expire_all()
    assert competition.submissions_open_at == datetime(2027, 6, 1, 6, 0)
    assert competition.closes_at == datetime(2027, 6, 30, 21, 59)
    assert 'value="2027-06-15T12:00"' in client.get(url).get_data(as_text=True)


def test_voting_before_submissions_is_refused_and_the_typed_dates_stay(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    staff(make_user(db, org))
    response = post_settings(client, f"/staff/competitions/{competition.id}/edit?lang=en",
                             submissions_open_at="2027-06-10T08:00", voting_opens_at="2027-06-01T08:00",
                             closes_at="2027-05-01T08:00")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Voting must open after ideas can be sent." in page
    assert "The competition must close after voting opens." in page
    assert 'value="2027-06-01T08:00"' in page
    db.session.expire_all()
    assert competition.voting_opens_at is None


def test_the_slug_cannot_change_once_the_competition_has_ideas(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, slug="algade-12")
    make_idea(db, competition)
    staff(make_user(db, org))
    url = f"/staff/competitions/{competition.id}/edit"
    assert 'name="slug"' not in client.get(url).get_data(as_text=True)
    assert post_settings(client, url, slug="noget-andet", title="Nyt navn").status_code == 303
    db.session.expire_all()
    assert (competition.slug, competition.title) == ("algade-12", "Nyt navn")


def test_editor_adds_renames_reorders_and_removes_categories(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, categories=["Kultur", "Sport"])
    staff(make_user(db, org))
    base = f"/staff/competitions/{competition.id}/categories"
    token = csrf_token(client, f"/staff/competitions/{competition.id}")
    assert client.post(base, data={"csrf_token": token, "name": "  Mad  "}).status_code == 303
    kultur, sport = competition.categories
    client.post(f"{base}/{sport.id}", data={"csrf_token": token, "action": "rename", "name": "Sport og leg"})
    client.post(f"{base}/{sport.id}", data={"csrf_token": token, "action": "up", "name": "Sport og leg"})
    client.post(f"{base}/{kultur.id}", data={"csrf_token": token, "action": "remove", "name": "Kultur"})
    db.session.expire_all()
    assert [c.name for c in competition.categories] == ["Sport og leg", "Mad"]
    assert [c.position for c in competition.categories] == [0, 1]


def test_a_category_with_ideas_cannot_be_removed_and_staff_are_told_why(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, categories=["Kultur"])
    category = competition.categories[0]
    make_idea(db, competition, category_id=category.id)
    staff(make_user(db, org))
    token = csrf_token(client, f"/staff/competitions/{competition.id}?lang=en")
    response = client.post(f"/staff/competitions/{competition.id}/categories/{category.id}",
                           data={"csrf_token": token, "action": "remove", "name": "Kultur"})
    assert response.status_code == 422
    assert "cannot be removed: 1 idea is filed under it" in response.get_data(as_text=True)
    assert db.session.scalar(select(Category.name)) == "Kultur"


def test_a_repeated_category_name_is_refused_and_kept_in_the_field(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, categories=["Kultur"])
    staff(make_user(db, org))
    token = csrf_token(client, f"/staff/competitions/{competition.id}?lang=en")
    response = client.post(f"/staff/competitions/{competition.id}/categories",
                           data={"csrf_token": token, "name": "kultur"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "There is already a category called" in page
    assert 'value="kultur"' in page and 'aria-invalid="true"' in page


def test_quick_actions_publish_start_voting_and_close(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, status="draft", closes_at=datetime(2020, 1, 1))
    staff(make_user(db, org))
    url = f"/staff/competitions/{competition.id}/phase"
    token = csrf_token(client, f"/staff/competitions/{competition.id}?lang=en")
    page = client.post(url, data={"csrf_token": token, "action": "publish"}, follow_redirects=True)
    assert "The closing time has passed" in page.get_data(as_text=True)
    db.session.expire_all()
    assert competition.phase is Phase.draft
    client.post(url, data={"csrf_token": token, "action": "start_voting"})
    db.session.expire_all()
    assert competition.phase is Phase.voting and competition.closes_at is None
    assert competition.voting_opens_at <= utcnow()
    client.post(url, data={"csrf_token": token, "action": "close"})
    db.session.expire_all()
    assert competition.phase is Phase.closed


def test_the_list_shows_the_phase_and_counts_per_status_of_the_organisations_own_competitions(client, db, staff):
    org, other = make_org(db), make_org(db)
    competition = make_competition(db, org, title="Algade 12")
    for status in ("pending", "pending", "approved", "winner", "rejected"):
        make_idea(db, competition, status=status)
    make_competition(db, other, title="Deres hemmelige konkurrence")
    staff(make_user(db, org, role="viewer"))
    page = client.get("/staff/competitions/?lang=en").get_data(as_text=True)
    assert "Algade 12" in page and "Deres hemmelige" not in page
    assert "Collecting ideas" in page
    cells = [c.split("<")[0].strip() for c in page.split('<td class="number">')[1:5]]
    assert cells == ["2", "1", "1", "1"]
    assert "New competition" not in page


def test_the_settings_page_shows_the_stored_photo_rule_and_voting_mode_not_the_first_options(client, db, staff):
    """Otherwise pressing Save on an unrelated change would switch a dot vote to single votes."""
    org = make_org(db)
    competition = make_competition(db, org, photo_rule=PhotoRule.required, voting_mode=VotingMode.dots)
    staff(make_user(db, org))
    page = client.get(f"/staff/competitions/{competition.id}/edit").get_data(as_text=True)
    selected = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', page)
    assert {a or b for a, b in selected} == {"da", "required", "dots"}
