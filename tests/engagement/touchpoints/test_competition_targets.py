"""A touchpoint can lead to an idea competition: the shop window at Algade 12 asks what the empty shop
should become. Staff point the code at the competition, a phone scanning it lands on `/c/<slug>`, the
scan and the ideas sent count for that place, and the poster names the competition."""
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from engagement.competitions.models import Idea
from engagement.competitions.services import attribution_for
from engagement.touchpoints.models import Scan, Touchpoint, TouchpointKind
from extensions import hooks, utcnow
from tests.builders import EVERY_KIND, make_competition, make_idea, make_org, make_survey, make_user
from tests.conftest import csrf_token, statements_during
from tests.engagement.touchpoints.builders import make_touchpoint
from tests.engagement.touchpoints.test_posters import pdf_text, poster

ALGADE = "Hvad skal der ske i det tomme butikslokale på Algade 12?"
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def algade(db, org):
    return make_competition(db, org, slug="algade-12", title=ALGADE, categories=["Kultur", "Mad", "Værksted"])


@pytest.fixture
def shop_window(db, org, algade):
    return make_touchpoint(db, org, None, competition_id=algade.id, name="Butiksvinduet Algade 12",
                           kind=TouchpointKind.shop_window)


@pytest.fixture
def editor(db, org, staff):
    return staff(make_user(db, org, role="editor"))


def form_data(client, url, **values):
    data = {"csrf_token": csrf_token(client, url), "name": "Butiksvinduet Algade 12", "kind": "shop_window",
            "target": "", "headline": "", "address": "Algade 12", "latitude": "", "longitude": "", "note": ""}
    return {**data, **values}


def danish(app, message: str) -> str:
    with app.test_request_context(), force_locale("da"):
        return gettext(message)


def scans(db) -> list[Scan]:
    db.session.expire_all()
    return list(db.session.scalars(select(Scan).order_by(Scan.id)))


# -- staff point a touchpoint at a competition ----------------------------------------------------------

def test_editor_points_the_shop_window_at_the_competition(client, db, org, algade, editor):
    survey = make_survey(db, org, EVERY_KIND[:1], title="Unge i bymidten")
    url = "/staff/touchpoints/new"
    page = client.get(url).get_data(as_text=True)
    assert f'value="competition:{algade.id}"' in page and f'value="survey:{survey.id}"' in page
    response = client.post(url, data=form_data(client, url, target=f"competition:{algade.id}"))
    assert response.status_code == 303
    touchpoint = db.session.scalar(select(Touchpoint))
    assert (touchpoint.competition_id, touchpoint.survey_id) == (algade.id, None)
    assert ALGADE in client.get(response.location).get_data(as_text=True)
    assert ALGADE in client.get("/staff/touchpoints/").get_data(as_text=True)


def test_the_target_list_offers_open_and_draft_competitions_but_not_closed_or_other_organisations(
        client, db, org, editor):
    draft = make_competition(db, org, status="draft", title="Kladde til en konkurrence")
    closed = make_competition(db, org, status="closed", title="Sidste års konkurrence")
    foreign = make_competition(db, make_org(db), title="Nabobyens konkurrence")
    page = client.get("/staff/touchpoints/new").get_data(as_text=True)
    assert f'value="competition:{draft.id}"' in page
    assert f'value="competition:{closed.id}"' not in page and f'value="competition:{foreign.id}"' not in page
    assert re.search(r'<optgroup label="[^"]+">\s*<option value="competition:', page)


def test_repointing_from_a_survey_to_a_competition_keeps_the_code_and_leaves_one_target(client, db, org, algade,
                                                                                        editor):
    survey = make_survey(db, org, EVERY_KIND[:1])
    touchpoint = make_touchpoint(db, org, survey)
    url = f"/staff/touchpoints/{touchpoint.id}/edit"
    response = client.post(url, data=form_data(client, url, target=f"competition:{algade.id}"))
    assert response.status_code == 303
    db.session.expire_all()
    assert (touchpoint.survey_id, touchpoint.competition_id) == (None, algade.id)
    client.post(url, data=form_data(client, url, target=f"survey:{survey.id}"))
    db.session.expire_all()
    assert (touchpoint.survey_id, touchpoint.competition_id) == (survey.id, None)


def test_a_touchpoint_whose_competition_has_closed_can_still_be_saved_unchanged(client, db, org, editor):
    closed = make_competition(db, org, status="closed", title="Sidste års konkurrence")
    touchpoint = make_touchpoint(db, org, None, competition_id=closed.id)
    url = f"/staff/touchpoints/{touchpoint.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert re.search(rf'<option selected value="competition:{closed.id}"|value="competition:{closed.id}" selected',
                     page)
    response = client.post(url, data=form_data(client, url, target=f"competition:{closed.id}", note="Taget ned"))
    assert response.status_code == 303
    db.session.expire_all()
    assert touchpoint.competition_id == closed.id and touchpoint.note == "Taget ned"


def test_the_touchpoint_page_counts_the_ideas_sent_through_it(client, db, org, algade, shop_window, editor):
    for _ in range(3):
        idea_through(db, algade, shop_window)
    make_idea(db, algade)  # sent from a plain link: not the shop window's
    page = client.get(f"/staff/touchpoints/{shop_window.id}").get_data(as_text=True)
    assert re.search(r"<dd>3 · <a href=\"/staff/competitions/%d\"" % algade.id, page)


def idea_through(db, competition, touchpoint):
    idea = make_idea(db, competition)
    idea.touchpoint_id = touchpoint.id
    db.session.commit()
    return idea


def test_the_touchpoint_list_takes_the_same_few_queries_with_competitions(client, db, org, editor):
    def selects_for_list():
        def show_list():
            assert client.get("/staff/touchpoints/").status_code == 200
        return statements_during(db, show_list).count("SELECT")

    for n in range(3):
        make_touchpoint(db, org, None, competition_id=make_competition(db, org).id, name=f"Vindue {n}")
    few = selects_for_list()
    for n in range(17):
        make_touchpoint(db, org, None, competition_id=make_competition(db, org).id, name=f"Flere {n}")
    assert selects_for_list() == few


# -- a phone scans the shop window ------------------------------------------------------------------------

def test_a_scan_of_the_shop_window_is_counted_and_leads_to_the_competition_with_the_code(client, db, algade,
                                                                                      shop_window):
    response = client.get(f"/q/{shop_window.code}")
    assert response.status_code == 303
    assert response.location == f"/c/algade-12?via={shop_window.code}"
    assert response.headers["Cache-Control"] == "no-store"
    assert [(s.touchpoint_id, s.competition_id, s.survey_id) for s in scans(db)] == [(shop_window.id, algade.id, None)]
    assert client.get(response.location).status_code == 200


def test_a_scan_before_ideas_are_collected_still_leads_to_the_competition_page(client, db, org):
    later = make_competition(db, org, submissions_open_at=utcnow() + timedelta(days=3))
    touchpoint = make_touchpoint(db, org, None, competition_id=later.id)
    response = client.get(f"/q/{touchpoint.code}")
    assert response.status_code == 303 and response.location.startswith(f"/c/{later.slug}?via=")


def test_a_scan_during_the_vote_leads_to_the_competition(client, db, org):
    voting = make_competition(db, org, voting_opens_at=utcnow() - timedelta(days=1))
    touchpoint = make_touchpoint(db, org, None, competition_id=voting.id)
    assert client.get(f"/q/{touchpoint.code}").location.startswith(f"/c/{voting.slug}?via=")


def test_scanning_a_poster_of_an_ended_competition_says_so_and_shows_the_ideas_and_what_else_is_open(
        app, client, db, org):
    ended = make_competition(db, org, status="closed", slug="sidste-aar", title="Sidste års konkurrence")
    open_now = make_competition(db, org, slug="torvet", title="Hvad skal der ske på Torvet?")
    touchpoint = make_touchpoint(db, org, None, competition_id=ended.id)
    response = client.get(f"/q/{touchpoint.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert danish(app, "This idea competition has ended") in page
    assert 'href="/c/sidste-aar"' in page and 'href="/c/torvet"' in page
    assert [(s.competition_id, s.survey_id) for s in scans(db)] == [(None, None)]  # counted, not sent on
    assert open_now.title in page


def test_scanning_a_poster_of_a_draft_competition_says_it_has_not_opened(app, client, db, org):
    draft = make_competition(db, org, status="draft")
    touchpoint = make_touchpoint(db, org, None, competition_id=draft.id)
    page = client.get(f"/q/{touchpoint.code}").get_data(as_text=True)
    assert danish(app, "This idea competition has not opened yet") in page
    assert f"/c/{draft.slug}" not in page  # its page is not public yet
    assert danish(app, "Nothing is open right now. Keep an eye out for new posters in town.") in page


def test_a_scan_of_a_competition_is_still_one_lookup_and_one_insert(client, db, shop_window):
    url = f"/q/{shop_window.code}"

    def scan():
        assert client.get(url).status_code == 303
    statements = statements_during(db, scan)
    assert [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE")] == ["SELECT", "INSERT"]


# -- ideas sent through the shop window --------------------------------------------------------------------

def test_an_idea_sent_after_scanning_the_shop_window_records_the_touchpoint(client, db, algade, shop_window):
    page_url = client.get(f"/q/{shop_window.code}").location
    page = client.get(page_url).get_data(as_text=True)
    hidden = {re.search(r'name="([^"]+)"', tag).group(1): re.search(r'value="([^"]*)"', tag).group(1)
              for tag in HIDDEN.findall(page)}
    assert hidden.get("via") == shop_window.code
    response = client.post("/c/algade-12", data={**hidden, "title": "Et værksted for cykler",
                                                 "description": "Hvor man kan låne værktøj.",
                                                 "category": str(algade.categories[2].id)})
    assert response.status_code == 303
    idea = db.session.scalar(select(Idea))
    assert (idea.title, idea.touchpoint_id) == ("Et værksted for cykler", shop_window.id)


def test_a_code_of_a_touchpoint_leading_elsewhere_attributes_nothing(db, org, algade, shop_window):
    other = make_competition(db, org)
    survey_poster = make_touchpoint(db, org, make_survey(db, org, EVERY_KIND[:1]))
    foreign = make_competition(db, make_org(db))
    resolvers = hooks("idea_attribution")
    assert attribution_for(algade, shop_window.code, resolvers) == {"touchpoint_id": shop_window.id}
    assert attribution_for(algade, shop_window.code.upper(), resolvers) == {"touchpoint_id": shop_window.id}
    assert attribution_for(other, shop_window.code, resolvers) == {}
    assert attribution_for(algade, survey_poster.code, resolvers) == {}
    assert attribution_for(foreign, shop_window.code, resolvers) == {}
    assert attribution_for(algade, "not-a-code!", resolvers) == {}


# -- the poster -----------------------------------------------------------------------------------------------

def test_the_poster_of_the_shop_window_names_the_competition(app, client, db, org, algade, shop_window, editor,
                                                            tmp_path):
    text = " ".join(pdf_text(poster(client, shop_window, "a4"), tmp_path).split())
    assert "Hvad skal der ske i det tomme butikslokale på Algade 12?" in text
    assert danish(app, "Scan and join the idea competition") in text
    assert "Vordingborg bymidte".upper() in text


def test_a_touchpoints_own_headline_goes_on_a_competition_poster(client, db, org, algade, editor, tmp_path):
    touchpoint = make_touchpoint(db, org, None, competition_id=algade.id, headline="Hvad skal Algade 12 være?")
    text = " ".join(pdf_text(poster(client, touchpoint, "a4"), tmp_path).split())
    assert "Hvad skal Algade 12 være?" in text
