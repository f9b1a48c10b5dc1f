"""Staff make a temporary trial at a place: what, where, from and to, the feedback survey and the ideas it
came from. Bad input is refused with the field's message and kept; roles and organisations are kept apart."""
from datetime import date, timedelta
from itertools import count

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from engagement.competitions.models import IdeaStatus
from engagement.premises.models import Premises, PremisesKind, PremisesStatus, StatusChange, Trial
from tests.builders import make_competition, make_idea, make_map, make_org, make_survey, make_user
from tests.conftest import csrf_token, routes_taking

_numbers = count(1)
FEEDBACK = [{"kind": "single_choice", "prompt": "Hvad synes du om værkstedet?",
             "choices": ["Godt", "Okay", "Dårligt"]},
            {"kind": "scale", "prompt": "Hvor gerne kommer du i Algade nu?"}]


def make_premises(db, org, status="vacant", **overrides) -> Premises:
    premises = Premises(organisation_id=org.id, **{
        "address": f"Algade {next(_numbers)}, 4760 Vordingborg", "kind": PremisesKind.empty_shop,
        "status": PremisesStatus(status), **overrides})
    db.session.add(premises)
    db.session.commit()
    return premises


def make_trial(db, org, premises=None, survey=None, ideas=(), starts_on=None, ends_on=None, **overrides) -> Trial:
    starts_on = starts_on or date(2026, 6, 1)
    trial = Trial(organisation_id=org.id, premises_id=premises.id if premises else None,
                  survey_id=survey.id if survey else None, starts_on=starts_on,
                  ends_on=ends_on or starts_on + timedelta(days=29),
                  **{"title": f"Pop-up værksted {next(_numbers)}", **overrides})
    trial.ideas = list(ideas)
    db.session.add(trial)
    db.session.commit()
    return trial


def page_of(response):
    return lxml_html.fromstring(response.get_data(as_text=True))


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


def field_error(tree, field_id: str) -> str:
    return " ".join(texts(tree, f'//*[@id="{field_id}-error"]'))


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def place(db, org):
    """A vacant shop, a feedback survey and a published idea of the organisation's competition."""
    premises = make_premises(db, org, address="Algade 12, 4760 Vordingborg")
    survey = make_survey(db, org, FEEDBACK, title="Hvad synes du om værkstedet?")
    competition = make_competition(db, org, title="Algade 12-idéer")
    idea = make_idea(db, competition, title="Et værksted for cykler")
    return premises, survey, idea


def form_data(token, premises, survey, chosen_ideas=(), **overrides) -> dict:
    return {"csrf_token": token, "title": "Pop-up cykelværksted", "description": "Fire uger i juni.",
            "premises_id": str(premises.id) if premises else "", "map_id": "", "map_x": "", "map_y": "",
            "starts_on": "2026-06-01", "ends_on": "2026-06-28", "survey_id": str(survey.id) if survey else "",
            "ideas": [str(i.id) for i in chosen_ideas], **overrides}


def trials_of(db, org) -> list[Trial]:
    db.session.expire_all()
    return list(db.session.scalars(select(Trial).where(Trial.organisation_id == org.id)))


def test_editor_creates_a_trial_and_the_vacant_shop_is_then_in_trial_once_even_if_sent_twice(client, db, staff, org,
                                                                                            place):
    premises, survey, idea = place
    editor = make_user(db, org, role="editor")
    staff(editor)
    data = form_data(csrf_token(client, "/staff/trials/new"), premises, survey, [idea])
    first = client.post("/staff/trials/new", data=data)
    second = client.post("/staff/trials/new", data=data)  # a double click
    assert first.status_code == second.status_code == 303
    [trial] = trials_of(db, org)
    assert first.location == second.location == f"/staff/trials/{trial.id}"
    assert (trial.title, trial.starts_on, trial.ends_on) == ("Pop-up cykelværksted", date(2026, 6, 1),
                                                             date(2026, 6, 28))
    assert (trial.premises_id, trial.survey_id, [i.id for i in trial.ideas]) == (premises.id, survey.id, [idea.id])
    db.session.refresh(premises)
    assert premises.status is PremisesStatus.in_trial
    [change] = premises.status_changes
    assert (change.status, change.note, change.user_id) == (PremisesStatus.in_trial,
                                                            "Afprøvning: Pop-up cykelværksted", editor.id)
    shown = client.get(first.location).get_data(as_text=True)
    assert "Pop-up cykelværksted" in shown and "Algade 12, 4760 Vordingborg" in shown
    assert "Et værksted for cykler" in shown


def test_a_premises_that_is_let_keeps_its_status_when_a_trial_is_made_there(client, db, staff, org, place):
    _premises, survey, _idea = place
    let = make_premises(db, org, status="let")
    staff(make_user(db, org))
    client.post("/staff/trials/new", data=form_data(csrf_token(client, "/staff/trials/new"), let, survey))
    db.session.refresh(let)
    assert let.status is PremisesStatus.let and let.status_changes == []


def test_a_trial_at_a_point_on_a_map_needs_x_and_y(client, db, staff, org, place):
    _premises, survey, _idea = place
    town = make_map(db, org, name="Bymidten")
    staff(make_user(db, org))
    token = csrf_token(client, "/staff/trials/new")
    missing = client.post("/staff/trials/new", data=form_data(token, None, survey, map_id=str(town.id)))
    assert missing.status_code == 422
    assert "Angiv stedet på kortet" in field_error(page_of(missing), "map_x") and trials_of(db, org) == []
    placed = client.post("/staff/trials/new", data=form_data(token, None, survey, map_id=str(town.id),
                                                              map_x="42,5", map_y="57"))
    assert placed.status_code == 303
    [trial] = trials_of(db, org)
    assert (trial.map_id, trial.map_x, trial.map_y, trial.premises_id) == (town.id, 0.425, 0.57, None)
    assert "Bymidten" in client.get(placed.location).get_data(as_text=True)


def refusals(org_other, place_other):
    """(what is wrong, form overrides, the field that says so, words of its Danish message)."""
    their_premises, their_survey, their_idea, their_map, unpublished = place_other
    return [
        ("to before from", {"ends_on": "2026-05-31"}, "ends_on", "slutter, før den begynder"),
        ("no title", {"title": "   "}, "title", "Giv afprøvningen en titel"),
        ("no first day", {"starts_on": ""}, "starts_on", "første dag"),
        ("not a date", {"ends_on": "31-06-2026"}, "ends_on", "sidste dag"),
        ("nowhere", {"premises_id": ""}, "premises_id", "eller et punkt på et af jeres kort"),
        ("another organisation's premises", {"premises_id": str(their_premises.id)}, "premises_id",
         "Vælg en af jeres organisations lokaler"),
        ("another organisation's survey", {"survey_id": str(their_survey.id)}, "survey_id",
         "Vælg en af jeres organisations undersøgelser"),
        ("another organisation's idea", {"ideas": [str(their_idea.id)]}, "ideas", "Vælg idéerne på listen"),
        ("an idea not published", {"ideas": [str(unpublished.id)]}, "ideas", "Vælg idéerne på listen"),
        ("another organisation's map", {"premises_id": "", "map_id": str(their_map.id), "map_x": "10",
                                        "map_y": "10"}, "map_id", "Vælg et af jeres egne kort"),
        ("x and y without a map", {"map_id": "", "map_x": "10", "map_y": "10"}, "map_x", "Vælg det kort"),
    ]


@pytest.fixture
def theirs(db, org):
    other = make_org(db, name="Nabobyen")
    competition = make_competition(db, other)
    return other, (make_premises(db, other), make_survey(db, other, FEEDBACK), make_idea(db, competition),
                   make_map(db, other), make_idea(db, make_competition(db, org), status="pending"))


def test_bad_input_is_refused_with_the_fields_message_and_kept_as_typed(client, db, staff, org, place, theirs):
    premises, survey, idea = place
    staff(make_user(db, org, role="admin"))
    token = csrf_token(client, "/staff/trials/new")
    for what, overrides, field, words in refusals(*theirs):
        response = client.post("/staff/trials/new", data=form_data(token, premises, survey, [idea], **overrides))
        assert response.status_code == 422, what
        tree = page_of(response)
        assert words in field_error(tree, field), (what, field_error(tree, field))
        assert tree.xpath('//*[@id="error-summary"]'), what
        assert texts(tree, '//textarea[@id="description"]') == ["Fire uger i juni."], what  # kept as typed
        typed_title = overrides.get("title", "Pop-up cykelværksted")
        assert tree.xpath('//input[@id="title"]/@value') == [typed_title], what
        assert trials_of(db, org) == [], what
    db.session.refresh(premises)
    assert premises.status is PremisesStatus.vacant


def test_editing_changes_the_trial_and_bad_input_leaves_it_as_it_was(client, db, staff, org, place, theirs):
    premises, survey, idea = place
    trial = make_trial(db, org, premises, survey, [idea], title="Værksted")
    staff(make_user(db, org))
    url = f"/staff/trials/{trial.id}/edit"
    form = page_of(client.get(url))
    assert form.xpath('//input[@id="title"]/@value') == ["Værksted"]
    assert form.xpath(f'//input[@id="idea-{idea.id}"]/@checked')  # the stored ideas are ticked
    token = csrf_token(client, url)
    for what, overrides, field, words in refusals(*theirs):
        response = client.post(url, data=form_data(token, premises, survey, [idea], **overrides))
        assert response.status_code == 422 and words in field_error(page_of(response), field), what
    db.session.expire_all()
    assert (trial.title, trial.ends_on, trial.survey_id) == ("Værksted", date(2026, 6, 30), survey.id)
    saved = client.post(url, data=form_data(token, premises, None, [], title="Værksted for cykler",
                                            ends_on="2026-07-15"))
    assert saved.status_code == 303
    db.session.expire_all()
    assert (trial.title, trial.ends_on, trial.survey_id, trial.ideas) == ("Værksted for cykler", date(2026, 7, 15),
                                                                          None, [])


def test_an_idea_no_longer_published_may_stay_on_the_trial_it_is_already_on(client, db, staff, org, place):
    premises, survey, idea = place
    trial = make_trial(db, org, premises, survey, [idea])
    idea.status = IdeaStatus.rejected
    db.session.commit()
    staff(make_user(db, org))
    url = f"/staff/trials/{trial.id}/edit"
    response = client.post(url, data=form_data(csrf_token(client, url), premises, survey, [idea]))
    assert response.status_code == 303


def test_viewers_read_trials_but_change_nothing(client, db, staff, org, place):
    premises, survey, idea = place
    trial = make_trial(db, org, premises, survey, [idea], title="Værksted")
    staff(make_user(db, org, role="viewer"))
    assert client.get("/staff/trials/").status_code == 200
    shown = client.get(f"/staff/trials/{trial.id}")
    assert shown.status_code == 200
    tree = page_of(shown)
    assert not tree.xpath("//form[contains(@action, '/decision') or contains(@action, '/repoint')]")
    assert not tree.xpath(f"//a[@href='/staff/trials/{trial.id}/edit']")
    assert "Ny afprøvning" not in client.get("/staff/trials/").get_data(as_text=True)
    token = csrf_token(client, "/staff/trials/")  # the log-out form's token
    for method, url in [("GET", "/staff/trials/new"), ("POST", "/staff/trials/new"),
                        ("GET", f"/staff/trials/{trial.id}/edit"), ("POST", f"/staff/trials/{trial.id}/edit"),
                        ("POST", f"/staff/trials/{trial.id}/repoint"), ("POST", f"/staff/trials/{trial.id}/decision")]:
        response = client.open(url, method=method, data={"csrf_token": token, "decision": "keep",
                                                          "public_note": "x", "touchpoint": "1", "title": "x"})
        assert response.status_code == 403, (method, url)
    db.session.expire_all()
    assert (trial.title, trial.decision) == ("Værksted", None)


def every_trial_route(app, trial_id: int) -> list[tuple[str, str]]:
    index = [("GET", "/staff/trials/"), ("GET", "/staff/trials/new"), ("POST", "/staff/trials/new")]
    return index + routes_taking(app, "trial_id", {"trial_id": trial_id})


def test_teachers_get_403_on_every_trial_page(app, client, db, staff, org, place):
    premises, survey, _idea = place
    trial = make_trial(db, org, premises, survey)
    staff(make_user(db, org, role="teacher"))
    token = csrf_token(client, "/staff/classes/")
    urls = every_trial_route(app, trial.id)
    assert len(urls) >= 8
    for method, url in urls:
        assert client.open(url, method=method, data={"csrf_token": token}).status_code == 403, (method, url)


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_another_organisations_trial_is_404_at_every_address(app, client, db, staff, place, theirs, role):
    other, (their_premises, their_survey, their_idea, _map, _unpublished) = theirs
    foreign = make_trial(db, other, their_premises, their_survey, [their_idea], title="Deres afprøvning")
    staff(make_user(db, make_org(db), role=role))
    token = csrf_token(client, "/staff/trials/")
    urls = routes_taking(app, "trial_id", {"trial_id": foreign.id})
    assert len(urls) >= 5  # show, edit (GET and POST), repoint, decision
    for method, url in urls:
        response = client.open(url, method=method, data={
            "csrf_token": token, "decision": "drop", "public_note": "hacked", "title": "hacked",
            "touchpoint": "1"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert "Deres afprøvning" not in client.get("/staff/trials/").get_data(as_text=True)
    db.session.expire_all()
    assert (foreign.title, foreign.decision, foreign.public_note) == ("Deres afprøvning", None, "")


def test_a_viewer_of_another_organisation_cannot_read_its_trial(client, db, staff, theirs):
    other, (their_premises, their_survey, *_rest) = theirs
    foreign = make_trial(db, other, their_premises, their_survey)
    staff(make_user(db, make_org(db), role="viewer"))
    assert client.get(f"/staff/trials/{foreign.id}").status_code == 404


def test_trials_list_shows_only_the_organisations_own_trials_with_their_state(client, db, staff, org, place, theirs):
    premises, survey, _idea = place
    other, (their_premises, *_rest) = theirs
    make_trial(db, org, premises, survey, title="Vores værksted")
    make_trial(db, other, their_premises, title="Deres værksted")
    staff(make_user(db, org, role="viewer"))
    page = client.get("/staff/trials/").get_data(as_text=True)
    assert "Vores værksted" in page and "Algade 12, 4760 Vordingborg" in page and "Deres værksted" not in page


def test_trial_pages_need_a_login(client, db, org, place):
    trial = make_trial(db, org, *place[:2])
    for url in ("/staff/trials/", f"/staff/trials/{trial.id}"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.location


def test_the_trial_count_is_one_per_double_post_also_for_a_map_point(client, db, staff, org, place):
    _premises, survey, _idea = place
    town = make_map(db, org)
    staff(make_user(db, org))
    data = form_data(csrf_token(client, "/staff/trials/new"), None, survey, map_id=str(town.id), map_x="5",
                     map_y="5")
    for _ in range(2):
        assert client.post("/staff/trials/new", data=data).status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Trial)) == 1
    assert db.session.scalar(select(func.count()).select_from(StatusChange)) == 0


def test_a_premises_and_a_map_point_together_are_refused(client, db, staff, org, place):
    premises, survey, _idea = place
    town = make_map(db, org)
    staff(make_user(db, org))
    response = client.post("/staff/trials/new", data=form_data(
        csrf_token(client, "/staff/trials/new"), premises, survey, map_id=str(town.id), map_x="5", map_y="5"))
    assert response.status_code == 422
    assert "ikke begge dele" in field_error(page_of(response), "premises_id") and trials_of(db, org) == []


def test_the_service_refuses_what_is_not_the_organisations_even_past_the_form(db, org, place, theirs):
    from engagement.premises import trials

    premises, survey, idea = place
    _other, (their_premises, their_survey, their_idea, their_map, _unpublished) = theirs
    good = dict(title="Værksted", description="", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 2),
                premises_id=premises.id, survey_id=survey.id, idea_ids=[idea.id])
    for field, value in (("premises_id", their_premises.id), ("survey_id", their_survey.id),
                         ("map_id", their_map.id), ("idea_ids", [their_idea.id])):
        with pytest.raises(trials.InvalidChoice) as refused:
            trials.create_trial(db.session, org.id, trials.TrialValues(**{**good, field: value}), None, "x")
        assert refused.value.field == {"idea_ids": "ideas"}.get(field, field)
        db.session.rollback()
    assert trials_of(db, org) == []
