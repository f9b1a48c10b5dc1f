"""The demo's own words: the age bands a young person picks from, and the number question's hint."""
import re

from sqlalchemy import select

from engagement.demo.seed import seed
from surveys.models import Survey
from tests.builders import make_competition, make_org
from tests.conftest import CSRF

DANISH_BANDS = ["Under 13 år", "13–15 år", "16–17 år", "18–20 år", "21–25 år", "26 år eller ældre"]


def seeded_survey(db) -> Survey:
    seed(db.session)
    db.session.commit()
    return db.session.scalar(select(Survey).where(Survey.slug == "unge-i-bymidten"))


def test_a_young_person_picks_from_the_same_age_bands_in_the_survey_and_on_the_idea_form(client, db):
    seeded_survey(db)
    screen = client.get("/s/unge-i-bymidten", follow_redirects=True).get_data(as_text=True)
    assert "Hvor gammel er du?" in screen
    in_survey = re.findall(r'<label class="choice"[^>]*>.*?<span[^>]*>([^<]+)</span>', screen, re.S)
    form = client.get(f"/c/{make_competition(db, make_org(db)).slug}").get_data(as_text=True)
    select_field = re.search(r'<select[^>]*id="age_band".*?</select>', form, re.S).group(0)
    on_idea_form = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', select_field)
    assert in_survey == DANISH_BANDS
    assert on_idea_form == DANISH_BANDS


def test_the_demo_number_question_hints_the_example_its_error_gives(client, db):
    survey = seeded_survey(db)
    number = next(q for q in survey.questions if q.kind == "number")
    first = client.get("/s/unge-i-bymidten")
    url = re.sub(r"/\d+$", f"/{number.id}", first.location)
    screen = client.get(url).get_data(as_text=True)
    assert f'<p class="help" id="q{number.id}-help">Skriv et tal, for eksempel 15.</p>' in screen
    refused = client.post(url, data={"csrf_token": CSRF.search(screen).group(1), f"q{number.id}": "mange"})
    shown = client.get(refused.location).get_data(as_text=True)
    error = re.search(rf'<p class="field-error" id="q{number.id}-error">(.*?)</p>', shown, re.S).group(1)
    assert error.endswith("Skriv et tal, for eksempel 15.")
