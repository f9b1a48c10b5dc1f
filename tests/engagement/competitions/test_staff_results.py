"""Staff read a competition's results: votes per idea (public and class), ideas per category, chart and table."""
import json
import re

from engagement.competitions import services
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.engagement.competitions.test_competition_exports import make_class_session


def figures(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="figures">(.*?)</script>', page, re.S).group(1))


def test_results_show_public_and_class_votes_per_idea_most_votes_first(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, categories=["Kultur", "Sport"])
    kultur, sport = competition.categories
    quiet = make_idea(db, competition, title="Bænke", category_id=kultur.id)
    popular = make_idea(db, competition, title="Boldbur", category_id=sport.id)
    make_idea(db, competition, status="rejected", title="Afvist", category_id=sport.id)
    lesson = make_class_session(db, competition)
    for device in ("a", "b"):
        services.set_vote(db.session, competition, popular, device, 1)
    services.set_vote(db.session, competition, quiet, "c", 1, ballot=services.class_ballot(lesson.id))
    db.session.commit()
    staff(make_user(db, org, role="viewer"))
    page = client.get(f"/staff/competitions/{competition.id}/results?lang=en").get_data(as_text=True)
    assert page.index("Boldbur") < page.index("Bænke") and "Afvist" not in page
    votes = figures(page)["votes"]["data"]
    assert [trace["x"] for trace in votes] == [[2, 0], [0, 1]]  # public, then class votes
    assert votes[0]["y"][0].startswith("Boldbur")
    assert figures(page)["categories"]["data"][0]["x"] == [1, 1]
    assert "plotly-basic-4.1.1.min.js" in page and "Class votes" in page


def test_idea_titles_reach_the_chart_escaped(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, title='<b onmouseover="x">Fed</b>')
    services.set_vote(db.session, competition, idea, "a", 1)
    db.session.commit()
    staff(make_user(db, org))
    page = client.get(f"/staff/competitions/{competition.id}/results").get_data(as_text=True)
    assert figures(page)["votes"]["data"][0]["y"][0].startswith('&lt;b onmouseover="x"&gt;')
    assert '<b onmouseover' not in page


def test_results_without_votes_load_no_chart_library(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    make_idea(db, competition, title="Bænke")
    staff(make_user(db, org))
    page = client.get(f"/staff/competitions/{competition.id}/results?lang=en").get_data(as_text=True)
    assert "No votes yet." in page and "plotly" not in page.split("</main>")[1]
