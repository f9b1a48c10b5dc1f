""""Re-point the poster" in one step: the place's touchpoints lead to the trial's feedback survey, and the
code on the poster already hanging now starts that survey."""
from engagement.touchpoints.models import Touchpoint
from tests.builders import make_competition, make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.engagement.premises.test_trials import FEEDBACK, make_premises, make_trial, page_of, texts
from tests.engagement.touchpoints.builders import make_touchpoint


def flash(tree) -> str:
    return " ".join(texts(tree, '//p[contains(@class, "flash")]'))


def test_the_shop_window_poster_leads_to_the_feedback_survey_after_one_click(client, db, staff):
    org = make_org(db)
    premises = make_premises(db, org, address="Algade 12, 4760 Vordingborg")
    old_survey = make_survey(db, org, FEEDBACK, title="Hvad mangler Algade?")
    feedback = make_survey(db, org, FEEDBACK, title="Hvad synes du om værkstedet?", slug="vaerkstedet")
    competition = make_competition(db, org)
    window = make_touchpoint(db, org, name="Vinduet i Algade 12", premises_id=premises.id,
                             competition_id=competition.id)
    door = make_touchpoint(db, org, old_survey, name="Døren i Algade 12", premises_id=premises.id)
    library = make_touchpoint(db, org, old_survey, name="Biblioteket")
    foreign = make_touchpoint(db, make_org(db), name="Nabobyens plakat")
    codes = {t.id: t.code for t in (window, door, library)}
    trial = make_trial(db, org, premises, feedback)
    staff(make_user(db, org))
    url = f"/staff/trials/{trial.id}"

    tree = page_of(client.get(url))
    ticked = set(tree.xpath('//input[@name="touchpoint"][@checked]/@value'))
    assert ticked == {str(window.id), str(door.id)}  # the touchpoints hanging at the premises
    assert str(foreign.id) not in tree.xpath('//input[@name="touchpoint"]/@value')
    token = csrf_token(client, url)
    response = client.post(f"{url}/repoint", data={"csrf_token": token,
                                                   "touchpoint": [str(window.id), str(door.id), str(foreign.id)]})
    assert response.status_code == 303
    tree = page_of(client.get(response.location))
    assert "2 kontaktpunkter fører nu til »Hvad synes du om værkstedet?«. QR-koderne er de samme." in flash(tree)
    assert "2 kontaktpunkter fører til undersøgelsen til feedback" in " ".join(texts(tree, '//section[@id="poster"]/p'))

    db.session.expire_all()
    moved = {t.id: (t.survey_id, t.competition_id, t.code) for t in db.session.query(Touchpoint)}
    assert moved[window.id] == (feedback.id, None, codes[window.id])  # the code on the poster is the same
    assert moved[door.id] == (feedback.id, None, codes[door.id])
    assert moved[library.id] == (old_survey.id, None, codes[library.id])
    assert moved[foreign.id] == (None, None, foreign.code)
    scanned = client.get(f"/q/{codes[window.id]}")
    assert scanned.status_code == 303 and scanned.location.startswith("/s/vaerkstedet/")
    assert f"via={codes[window.id]}" in scanned.location
    first_screen = client.get(scanned.location).get_data(as_text=True)
    assert "Hvad synes du om værkstedet?" in first_screen

    again = client.post(f"{url}/repoint", data={"csrf_token": token, "touchpoint": [str(window.id)]})
    assert "De kontaktpunkter, du valgte, førte allerede til »Hvad synes du om værkstedet?«." in flash(
        page_of(client.get(again.location)))


def test_a_touchpoint_away_from_the_premises_can_be_chosen_from_the_list(client, db, staff):
    org = make_org(db)
    feedback = make_survey(db, org, FEEDBACK, slug="torvet-feedback")
    square = make_touchpoint(db, org, name="Torvet")
    trial = make_trial(db, org, survey=feedback, map_id=None)
    staff(make_user(db, org))
    url = f"/staff/trials/{trial.id}"
    assert page_of(client.get(url)).xpath('//input[@name="touchpoint"][@checked]') == []
    response = client.post(f"{url}/repoint", data={"csrf_token": csrf_token(client, url), "touchpoint": str(square.id)})
    assert "1 kontaktpunkt fører nu til" in flash(page_of(client.get(response.location)))
    assert client.get(f"/q/{square.code}").location.startswith("/s/torvet-feedback/")


def test_nothing_ticked_or_no_feedback_survey_moves_nothing_and_says_why(client, db, staff):
    org = make_org(db)
    premises = make_premises(db, org)
    old_survey = make_survey(db, org, FEEDBACK)
    window = make_touchpoint(db, org, old_survey, premises_id=premises.id)
    with_survey = make_trial(db, org, premises, make_survey(db, org, FEEDBACK))
    without = make_trial(db, org, premises)
    staff(make_user(db, org))
    token = csrf_token(client, f"/staff/trials/{with_survey.id}")
    none_ticked = client.post(f"/staff/trials/{with_survey.id}/repoint", data={"csrf_token": token})
    assert "Sæt kryds ved de kontaktpunkter" in flash(page_of(client.get(none_ticked.location)))
    no_survey = client.post(f"/staff/trials/{without.id}/repoint",
                            data={"csrf_token": token, "touchpoint": str(window.id)})
    assert "Vælg først afprøvningens undersøgelse til feedback" in flash(page_of(client.get(no_survey.location)))
    assert not page_of(client.get(f"/staff/trials/{without.id}")).xpath('//form[contains(@action, "repoint")]')
    db.session.expire_all()
    assert db.session.get(type(window), window.id).survey_id == old_survey.id
