"""A trial ends with a decision and a note for the town: it appears on the organisation's front page ("Det
har vi prøvet af") and on the public page of each idea the trial came from; nothing else of the trial does."""
from datetime import timedelta

from engagement.premises.models import TrialDecision
from extensions import hooks, utcnow
from surveys.timezone import to_local
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.engagement.premises.test_trials import FEEDBACK, make_premises, make_trial, page_of, texts

NOTE = "Værkstedet var fuldt hver lørdag. Det fortsætter i Algade 12 til og med december."


def decide(client, trial, **data):
    url = f"/staff/trials/{trial.id}"
    return client.post(f"{url}/decision", data={"csrf_token": csrf_token(client, url), **data})


def front_trials(client, org) -> str:
    return " ".join(texts(page_of(client.get(f"/o/{org.slug}")), '//ul[contains(@class, "trials")]'))


def idea_trials(client, idea) -> str:
    tree = page_of(client.get(f"/c/{idea.competition.slug}/idea/{idea.id}"))
    return " ".join(texts(tree, '//section[contains(@class, "trials")]'))


def test_the_decision_and_its_note_appear_on_the_front_page_and_on_the_ideas_it_came_from(client, db, staff):
    org = make_org(db, name="Vordingborg bymidte")
    premises = make_premises(db, org, address="Algade 12, 4760 Vordingborg", owner_name="Hans Ejer",
                             owner_email="hans@example.dk", notes="Ejeren vil helst sælge")
    competition = make_competition(db, org, title="Algade 12-idéer")
    idea, other_idea = make_idea(db, competition, title="Et værksted for cykler"), make_idea(db, competition)
    trial = make_trial(db, org, premises, make_survey(db, org, FEEDBACK), [idea], title="Pop-up cykelværksted",
                       description="Kun for personalet", starts_on=to_local(utcnow()).date() - timedelta(days=40),
                       ends_on=to_local(utcnow()).date() - timedelta(days=10))
    editor = make_user(db, org)
    staff(editor)
    assert front_trials(client, org) == ""  # nothing decided yet: no section on the front page
    assert "Afprøvningen er slut; beslutningen kommer snart." in idea_trials(client, idea)

    response = decide(client, trial, decision="keep", public_note=NOTE)
    assert response.status_code == 303
    db.session.expire_all()
    assert trial.decision.value == "keep" and trial.public_note == NOTE and trial.decided_at is not None
    staff_page = page_of(client.get(response.location))
    assert "Beslutningen er gemt" in " ".join(texts(staff_page, '//p[contains(@class, "flash")]'))

    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/trials/")})
    front = page_of(client.get(f"/o/{org.slug}"))
    assert "Det har vi prøvet af" in texts(front, "//h2")
    listed = front_trials(client, org)
    assert "Pop-up cykelværksted" in listed and "Det fortsætter" in listed and NOTE in listed
    assert "Algade 12, 4760 Vordingborg" in listed
    on_idea = idea_trials(client, idea)
    assert "Prøvet af i byen" in on_idea and "Pop-up cykelværksted" in on_idea and "Det fortsætter" in on_idea
    assert NOTE in on_idea
    assert idea_trials(client, other_idea) == ""  # the trial did not come from this idea
    for page in (client.get(f"/o/{org.slug}"), client.get(f"/c/{competition.slug}/idea/{idea.id}")):
        text = page.get_data(as_text=True)
        assert "Hans Ejer" not in text and "hans@example.dk" not in text and "Ejeren vil" not in text
        assert "Kun for personalet" not in text


def test_a_decision_without_a_note_is_refused_and_what_was_chosen_is_kept(client, db, staff):
    org = make_org(db)
    trial = make_trial(db, org, make_premises(db, org))
    staff(make_user(db, org, role="admin"))
    response = decide(client, trial, decision="drop", public_note="  ")
    assert response.status_code == 422
    tree = page_of(response)
    message = " ".join(texts(tree, '//*[@id="public_note-error"]'))
    assert "Fortæl byen med få ord, hvad I besluttede, og hvorfor." in message
    assert tree.xpath('//select[@id="decision"]/option[@selected]/@value') == ["drop"]
    assert tree.xpath('//*[@id="error-summary"]')
    unknown = decide(client, trial, decision="maybe", public_note="Hmm")
    assert unknown.status_code == 422 and "Vælg en beslutning på listen." in unknown.get_data(as_text=True)
    db.session.expire_all()
    assert (trial.decision, trial.decided_at) == (None, None)
    assert front_trials(client, org) == ""


def test_a_decision_taken_back_leaves_the_front_page(client, db, staff):
    org = make_org(db)
    trial = make_trial(db, org, make_premises(db, org), title="Bænke på torvet")
    staff(make_user(db, org))
    decide(client, trial, decision="refine", public_note="Flere bænke i skygge.")
    assert "Det skal gøres bedre" in front_trials(client, org)
    decide(client, trial, decision="", public_note="Flere bænke i skygge.")
    db.session.expire_all()
    assert (trial.decision, trial.decided_at) == (None, None)
    assert front_trials(client, org) == ""


def test_a_running_trial_is_on_its_ideas_page_and_another_organisations_front_page_shows_none(client, db):
    org, neighbour = make_org(db), make_org(db)
    idea = make_idea(db, make_competition(db, org))
    today = to_local(utcnow()).date()
    make_trial(db, org, make_premises(db, org), ideas=[idea], title="Bænke på torvet",
               starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=6))
    make_trial(db, org, make_premises(db, org), ideas=[idea], title="Næste måneds afprøvning",
               starts_on=today + timedelta(days=30))
    make_trial(db, org, make_premises(db, org), title="Afgjort", decision=TrialDecision.drop,
               public_note="Det virkede ikke.", decided_at=utcnow())
    on_idea = idea_trials(client, idea)
    assert "Bænke på torvet" in on_idea and "Bliver prøvet af lige nu." in on_idea
    assert "Næste måneds afprøvning" not in on_idea  # not begun, not decided
    assert "Afgjort" in front_trials(client, org) and "Bænke på torvet" not in front_trials(client, org)
    assert front_trials(client, neighbour) == ""


def test_the_pages_below_reach_the_trials_only_through_their_hooks(app):
    with app.app_context():
        assert len(hooks("public_trial_notes")) == 1 and len(hooks("idea_trial_notes")) == 1
