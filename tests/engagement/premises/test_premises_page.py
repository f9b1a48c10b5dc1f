"""The page of a premises gathers everything linked to it: the touchpoints hanging there with their scans,
the competitions about it with their ideas and votes, the class sessions that worked on them, its trials
and its status history. Touchpoints and competitions are linked from their own forms. An owner's
contact is cleared by `flask purge-contacts` on its day, and not before."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from engagement.competitions.models import Competition, Vote, Voter
from engagement.mail import cli as mail_cli
from engagement.premises.models import Premises, Trial, TrialDecision
from engagement.touchpoints.models import Touchpoint
from tests.builders import make_competition, make_idea, make_map, make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.engagement.classes.builders import make_class_session
from tests.engagement.premises.test_premises_register import make_premises, today
from tests.engagement.touchpoints.builders import add_scans, make_touchpoint


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


def add_votes(db, idea, number: int, ballot: str = "public") -> None:
    for n in range(number):
        voter = Voter(competition_id=idea.competition_id, ballot=ballot, device_hash=f"{ballot}-{idea.id}-{n}")
        db.session.add(voter)
        db.session.flush()
        db.session.add(Vote(voter_id=voter.id, idea_id=idea.id, dots=1))
    db.session.commit()


def test_the_page_of_a_premises_shows_everything_linked_to_it(app, client, db, staff, org):
    survey_map = make_map(db, org)
    premises = make_premises(db, org, map_id=survey_map.id, map_x=0.3, map_y=0.6)
    survey = make_survey(db, org, [{"kind": "yes_no", "prompt": "Kan du lide værkstedet?"}], title="Hvad synes du?")
    window = make_touchpoint(db, org, survey, name="Vinduet i Algade 12", premises_id=premises.id)
    add_scans(db, window, 7)
    make_touchpoint(db, org, name="Skateparken", premises_id=None)  # elsewhere
    competition = make_competition(db, org, title="Hvad skal der ske i Algade 12?", premises_id=premises.id)
    make_competition(db, org, title="Julebelysning")  # about something else
    teacher = make_user(db, org, role="teacher")
    make_class_session(db, teacher, competition=competition, name="7.b Kulsbjerg")
    make_class_session(db, teacher, survey=survey, name="8.a Marienberg")
    make_class_session(db, teacher, survey=make_survey(db, org), name="9.c Andet")  # another survey
    idea = make_idea(db, competition, title="Cykelværksted")
    make_idea(db, competition, status="pending", title="Kladde")
    add_votes(db, idea, 3)
    trial = Trial(organisation_id=org.id, title="Pop-up cykelværksted", premises_id=premises.id,
                  starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 31), decision=TrialDecision.keep)
    db.session.add(trial)
    db.session.commit()
    staff(make_user(db, org, role="viewer"))

    page = client.get(f"/staff/premises/{premises.id}").get_data(as_text=True)
    assert f'href="/staff/touchpoints/{window.id}">Vinduet i Algade 12</a>' in page and "Skateparken" not in page
    assert re.search(r"Vinduet i Algade 12</a></td>\s*<td class=\"number\">7</td>", page)
    assert f'href="/staff/competitions/{competition.id}">Hvad skal der ske i Algade 12?</a>' in page
    assert re.search(r'<td class="number">2</td><td class="number">1</td><td class="number">3</td>', page)
    assert "Julebelysning" not in page
    assert "7.b Kulsbjerg" in page and "8.a Marienberg" in page and "9.c Andet" not in page
    trial_link = f'href="/staff/trials/{trial.id}">Pop-up cykelværksted</a>'
    assert (trial_link in page) is ("trials.show" in app.view_functions) and "Pop-up cykelværksted" in page
    assert "1. maj 2026" in page and "Det fortsætter" in page
    assert f"/staff/maps/{survey_map.id}/picture" in page and "x 30 %, y 60 %" in page
    assert 'href="/staff/premises/%d/summary">Se opsummeringen</a>' % premises.id in page
    listing = client.get("/staff/premises/").get_data(as_text=True)
    assert "<td>1 kontaktpunkt, 1 idékonkurrence, 1 afprøvning</td>" in listing


def test_a_new_premises_says_what_can_be_linked_and_where(client, db, staff, org):
    premises = make_premises(db, org)
    staff(make_user(db, org, role="editor"))
    page = client.get(f"/staff/premises/{premises.id}").get_data(as_text=True)
    assert "Intet kontaktpunkt er knyttet til stedet" in page and "Der er ikke afprøvet noget her endnu." in page


def touchpoint_form(client, url: str, **fields) -> dict:
    page = client.get(url).get_data(as_text=True)
    return {"csrf_token": csrf_token(client, url), "name": "Vinduet i Algade 12", "kind": "shop_window", "target": "",
            "headline": "", "address": "", "latitude": "", "longitude": "", "note": "", "map_id": "",
            "map_x": "", "map_y": "", **fields} if page else {}


def test_an_editor_links_a_touchpoint_to_a_premises_in_the_touchpoints_form(client, db, staff, org):
    premises = make_premises(db, org)
    make_premises(db, make_org(db), address="Deres gade 1")
    staff(make_user(db, org, role="editor"))
    page = client.get("/staff/touchpoints/new").get_data(as_text=True)
    assert f'<option value="{premises.id}">Algade 12, 4760 Vordingborg</option>' in page and "Deres gade" not in page
    response = client.post("/staff/touchpoints/new", data=touchpoint_form(
        client, "/staff/touchpoints/new", premises_id=str(premises.id)))
    assert response.status_code == 303
    touchpoint = db.session.scalar(select(Touchpoint))
    assert touchpoint.premises_id == premises.id
    edit = client.get(f"/staff/touchpoints/{touchpoint.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{premises.id}">' in edit
    assert "Vinduet i Algade 12" in client.get(f"/staff/premises/{premises.id}").get_data(as_text=True)
    unlinked = client.post(f"/staff/touchpoints/{touchpoint.id}/edit", data=touchpoint_form(
        client, f"/staff/touchpoints/{touchpoint.id}/edit", premises_id=""))
    assert unlinked.status_code == 303
    db.session.expire_all()
    assert db.session.get(Touchpoint, touchpoint.id).premises_id is None


def test_a_touchpoint_cannot_be_linked_to_another_organisations_premises(client, db, staff, org):
    theirs = make_premises(db, make_org(db), address="Deres gade 1")
    staff(make_user(db, org, role="editor"))
    client.get("/staff/touchpoints/?lang=en")
    response = client.post("/staff/touchpoints/new", data=touchpoint_form(
        client, "/staff/touchpoints/new", premises_id=str(theirs.id)))
    assert response.status_code == 422
    assert "Choose one of your organisation’s premises and places from the list." in response.get_data(as_text=True)
    assert db.session.scalar(select(Touchpoint)) is None


def competition_form(client, url: str, **fields) -> dict:
    return {"csrf_token": csrf_token(client, url), "title": "Hvad skal der ske i Algade 12?",
            "brief": "Send jeres idéer.", "language": "da", "photo_rule": "optional", "moderated": "y",
            "voting_mode": "single", "dots_per_device": "5", **fields}


def test_an_editor_links_a_competition_to_a_premises_in_its_settings(client, db, staff, org):
    premises = make_premises(db, org)
    staff(make_user(db, org, role="editor"))
    page = client.get("/staff/competitions/new").get_data(as_text=True)
    assert f'<option value="{premises.id}">Algade 12, 4760 Vordingborg</option>' in page
    response = client.post("/staff/competitions/new", data=competition_form(
        client, "/staff/competitions/new", premises_id=str(premises.id)))
    assert response.status_code == 303
    competition = db.session.scalar(select(Competition))
    assert competition.premises_id == premises.id
    settings = client.get(f"/staff/competitions/{competition.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{premises.id}">' in settings
    theirs = make_premises(db, make_org(db), address="Deres gade 1")
    refused = client.post(f"/staff/competitions/{competition.id}/edit", data=competition_form(
        client, f"/staff/competitions/{competition.id}/edit", premises_id=str(theirs.id)))
    assert refused.status_code == 422 and "Vælg et af jeres lokaler eller steder på listen." in refused.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(Competition, competition.id).premises_id == premises.id


def test_the_forms_of_an_organisation_without_premises_do_not_offer_the_choice(client, db, staff, org):
    staff(make_user(db, org, role="editor"))
    assert 'name="premises_id"' not in client.get("/staff/touchpoints/new").get_data(as_text=True)
    assert 'name="premises_id"' not in client.get("/staff/competitions/new").get_data(as_text=True)


def purge_on(app, monkeypatch, day: date) -> str:
    """`flask purge-contacts` as the timer runs it at 03:15 Danish time on `day`."""
    monkeypatch.setattr(mail_cli, "utcnow", lambda: datetime(day.year, day.month, day.day, 2, 15))
    result = app.test_cli_runner().invoke(args=["purge-contacts"])
    assert result.exit_code == 0, result.output
    return result.output


def contacts(db) -> list[tuple]:
    db.session.expire_all()
    return [(p.address, p.owner_name, p.owner_email, p.owner_phone, p.contact_purpose, p.contact_delete_on)
            for p in db.session.scalars(select(Premises).order_by(Premises.id))]


def test_an_owners_contact_is_cleared_on_its_day_and_not_before(app, db, org, monkeypatch):
    contact = {"owner_name": "Jens Ejer", "owner_email": "jens@ejendom.dk", "owner_phone": "55 36 00 00",
               "contact_purpose": "Afprøvning", "notes": "Nøglen hos naboen."}
    make_premises(db, org, contact_delete_on=date(2027, 3, 1), **contact)
    make_premises(db, make_org(db), address="Torvet 3", contact_delete_on=date(2027, 6, 1), **contact)
    kept = [("Algade 12, 4760 Vordingborg", "Jens Ejer", "jens@ejendom.dk", "55 36 00 00", "Afprøvning",
             date(2027, 3, 1)), ("Torvet 3", "Jens Ejer", "jens@ejendom.dk", "55 36 00 00", "Afprøvning",
                                 date(2027, 6, 1))]
    assert "Deleted 0 other contact(s)" in purge_on(app, monkeypatch, date(2027, 2, 28))
    assert contacts(db) == kept
    assert "Deleted 1 other contact(s)" in purge_on(app, monkeypatch, date(2027, 3, 1))
    assert contacts(db) == [("Algade 12, 4760 Vordingborg", "", "", "", "", None), kept[1]]
    assert db.session.scalar(select(Premises.notes).limit(1)) == "Nøglen hos naboen."  # the place stays
    assert "Deleted 1 other contact(s)" in purge_on(app, monkeypatch, date(2027, 9, 1))
    assert [row[1:] for row in contacts(db)] == [("", "", "", "", None)] * 2


def test_the_purge_hook_runs_on_its_own_too(db, org):
    from engagement.premises.register import purge_contacts

    make_premises(db, org, owner_name="Jens Ejer", contact_purpose="Afprøvning",
                  contact_delete_on=today() - timedelta(days=1))
    assert purge_contacts(db.session, today()) == 1
    db.session.commit()
    assert contacts(db)[0][1:] == ("", "", "", "", None)
