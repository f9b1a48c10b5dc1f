"""Young people see what became of what they said: the front page, published results, idea outcomes."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engagement.competitions.models import Idea, IdeaOutcome, IdeaUpdate, ModerationEvent
from extensions import utcnow
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.engagement.test_exports import add_response

QUESTIONS = [
    {"kind": "single_choice", "prompt": "Hvad mangler på Torvet?", "choices": ["Bænke", "Træer", "Læ"]},
    {"kind": "short_text", "prompt": "Hvad ellers?", "required": False},
    {"kind": "yes_no", "prompt": "Kommer du hver uge?"},
]


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte", slug="vordingborg")


def test_a_visitor_at_the_towns_address_sees_what_is_open_now_and_nothing_else(client, db, org):
    make_survey(db, org, QUESTIONS, title="Unge i bymidten", slug="unge",
                closes_at=utcnow() + timedelta(days=10))
    make_survey(db, org, QUESTIONS, title="Kladde", slug="kladde", status="draft")
    make_survey(db, org, QUESTIONS, title="Lukket", slug="lukket", status="closed")
    make_competition(db, org, title="Hvad skal Algade 12 være?", slug="algade-12")
    page = client.get("/")
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Unge i bymidten" in text and "Hvad skal Algade 12 være?" in text and "Samler idéer" in text
    assert "Kladde" not in text and "Lukket" not in text
    assert 'href="/s/unge"' in page.get_data(as_text=True) and 'href="/c/algade-12"' in page.get_data(as_text=True)


def test_with_several_towns_the_front_page_lists_them_each_at_its_own_address(client, db, org):
    other = make_org(db, name="Næstved bymidte", slug="naestved")
    make_survey(db, other, QUESTIONS, title="Næstveds spørgsmål", slug="naestved-unge")
    front = client.get("/").get_data(as_text=True)
    assert 'href="/o/vordingborg"' in front and 'href="/o/naestved"' in front
    assert "Næstveds spørgsmål" not in visible_text(front)
    assert "Næstveds spørgsmål" in visible_text(client.get("/o/naestved").get_data(as_text=True))
    assert client.get("/o/findes-ikke").status_code == 404


def publish(client, survey, questions, show_texts=False, doing_now=""):
    token = csrf_token(client, f"/staff/surveys/{survey.id}/publish")
    data = {"csrf_token": token, "question": [str(q) for q in questions], "doing_now": doing_now}
    if show_texts:
        data["show_texts"] = "y"
    return client.post(f"/staff/surveys/{survey.id}/publish", data=data)


def test_staff_publish_chosen_questions_and_a_small_group_shows_no_numbers(client, db, org, staff):
    survey = make_survey(db, org, QUESTIONS, title="Unge i bymidten", slug="unge")
    for _ in range(6):
        add_response(db, survey, {0: "Bænke", 1: "Mere lys ved havnen", 2: "Ja"})
    for _ in range(4):
        add_response(db, survey, {0: "Træer"})
    staff(make_user(db, org, role="editor"))
    choice, text, yes_no = (q.id for q in survey.questions)
    assert client.get("/resultater/unge").status_code == 404
    assert publish(client, survey, [choice, text], doing_now="Vi sætter bænke op til sommer.").status_code == 303

    page = visible_text(client.get("/resultater/unge").get_data(as_text=True))
    assert "Det sagde I" in page and "Det gør vi nu" in page and "Vi sætter bænke op til sommer." in page
    assert "10 personer svarede" in page and "60 %" in page and "40 %" in page
    assert "Mere lys ved havnen" not in page  # free text only when staff tick it
    assert "Kommer du hver uge?" not in page  # not chosen

    publish(client, survey, [choice, text, yes_no], show_texts=True)
    page = visible_text(client.get("/resultater/unge").get_data(as_text=True))
    assert "Mere lys ved havnen" in page and "6 personer svarede" in page and "Kommer du hver uge?" in page


def test_a_question_answered_by_fewer_than_five_shows_no_numbers_in_public(client, db, org, staff):
    survey = make_survey(db, org, QUESTIONS, slug="unge")
    for _ in range(4):
        add_response(db, survey, {0: "Læ", 1: "Mig og min ven Sofie", 2: "Nej"})
    staff(make_user(db, org, role="editor"))
    publish(client, survey, [q.id for q in survey.questions], show_texts=True)
    page = visible_text(client.get("/resultater/unge").get_data(as_text=True))
    assert page.count("Færre end 5 personer har svaret") == 3
    assert "%" not in page.split("Det sagde I", 1)[1] and "Sofie" not in page


def test_staff_who_publish_no_question_are_told_and_keep_what_they_wrote(client, db, org, staff):
    survey = make_survey(db, org, QUESTIONS, slug="unge")
    staff(make_user(db, org, role="editor"))
    response = publish(client, survey, [], doing_now="Vi læser alle svar i maj.")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vælg mindst ét spørgsmål" in html and "Vi læser alle svar i maj." in html
    assert client.get("/resultater/unge").status_code == 404


def test_viewers_and_other_organisations_cannot_publish(client, db, org, staff):
    survey = make_survey(db, org, QUESTIONS, slug="unge")
    viewer = staff(make_user(db, org, role="viewer"))
    assert viewer.get(f"/staff/surveys/{survey.id}/publish").status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/surveys/")})
    staff(make_user(db, make_org(db), role="admin"))
    assert client.get(f"/staff/surveys/{survey.id}/publish").status_code == 404


def test_the_thank_you_page_leads_to_the_results_and_an_open_competition(client, db, org, staff):
    survey = make_survey(db, org, QUESTIONS, slug="unge")
    make_competition(db, org, title="Hvad skal Algade 12 være?", slug="algade-12")
    response = add_response(db, survey, {0: "Bænke", 2: "Ja"})
    thanks = client.get(f"/s/unge/{response.key}/tak").get_data(as_text=True)
    assert 'href="/"' in thanks and "Se, hvad der ellers sker i bymidten" in thanks
    assert 'href="/c/algade-12"' in thanks and "Har du en idé? Send den til »Hvad skal Algade 12 være?«" in thanks
    staff(make_user(db, org, role="editor"))
    publish(client, survey, [survey.questions[0].id])
    thanks = client.get(f"/s/unge/{response.key}/tak").get_data(as_text=True)
    assert 'href="/resultater/unge"' in thanks and "Se, hvad andre har svaret" in thanks


def answer(client, competition, idea, outcome, text):
    url = f"/staff/competitions/{competition.id}/ideas/{idea.id}/answer"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "outcome": outcome, "answer": text})


def test_the_partnership_answers_an_idea_and_everyone_sees_the_history(client, db, org, staff):
    competition = make_competition(db, org, slug="algade-12")
    idea = make_idea(db, competition, title="Klatrevæg i gården")
    lead = make_user(db, org, role="editor")
    staff(lead)
    assert answer(client, competition, idea, "selected", "Vi prøver den af i sommerferien.").status_code == 303
    assert answer(client, competition, idea, "trying", "Væggen står der nu – kom og prøv!").status_code == 303

    page = visible_text(client.get(f"/c/algade-12/idea/{idea.id}").get_data(as_text=True))
    assert "Afprøves nu" in page and "Det sker med idéen" in page
    assert page.index("Væggen står der nu") < page.index("Vi prøver den af i sommerferien")
    assert lead.email not in page
    receipt = visible_text(client.get(f"/c/algade-12/sent/{idea.key}").get_data(as_text=True))
    assert "Afprøves nu" in receipt and "Væggen står der nu – kom og prøv!" in receipt
    gallery = visible_text(client.get("/c/algade-12/ideas").get_data(as_text=True))
    assert "Afprøves nu" in gallery
    db.session.expire_all()
    assert db.session.scalar(select(Idea.outcome)) is IdeaOutcome.trying
    assert [e.action for e in db.session.scalars(select(ModerationEvent))] == ["answered", "answered"]


def test_an_empty_answer_is_refused_and_an_unpublished_idea_cannot_be_answered(client, db, org, staff):
    competition = make_competition(db, org, slug="algade-12")
    idea = make_idea(db, competition)
    waiting = make_idea(db, competition, status="pending")
    staff(make_user(db, org, role="editor"))
    refused = answer(client, competition, idea, "realised", "   ")
    assert refused.status_code == 422 and "Skriv et kort svar" in refused.get_data(as_text=True)
    assert answer(client, competition, waiting, "realised", "Færdig").status_code == 303
    assert db.session.scalar(select(IdeaUpdate)) is None


def test_a_sender_whose_idea_was_not_shown_is_told_kindly_without_the_staff_reason(client, db, org):
    competition = make_competition(db, org, slug="algade-12")
    idea = make_idea(db, competition, status="rejected")
    idea.rejection_reason = "Navngiver en elev"
    db.session.commit()
    receipt = visible_text(client.get(f"/c/algade-12/sent/{idea.key}").get_data(as_text=True))
    assert "Din idé vises ikke i galleriet" in receipt and "Navngiver" not in receipt
