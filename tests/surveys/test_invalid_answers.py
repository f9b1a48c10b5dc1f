"""Bad answers get a translated message next to the field, keep what was typed, and store nothing.

The refusal is a redirect (303) back to the screen, which shows the message: the phone's Back button then
leads to a plain page, never to "Confirm form resubmission".
"""
import random
import string

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from surveys.models import Answer
from tests.builders import make_org, make_survey
from tests.conftest import CSRF


def post_first_screen(client, survey, values):
    """Open the survey and send its first screen with `values` (the field name is filled in)."""
    html = client.get(f"/s/{survey.slug}", follow_redirects=True).get_data(as_text=True)
    question = survey.questions[0]
    action = f"/s/{survey.slug}/" + html.split(f'/s/{survey.slug}/', 1)[1].split('"', 1)[0]
    return client.post(action, data={"csrf_token": CSRF.search(html).group(1), f"q{question.id}": values})


def shown_refusal(client, refused):
    """The screen a refused post leads to: it redirects (303) back to its own address, which shows why."""
    assert refused.status_code == 303, refused.status_code
    assert refused.location == refused.request.path
    return client.get(refused.location)


CASES = [
    ({"kind": "short_text", "prompt": "Navn på stedet"}, "", "Du mangler at svare på spørgsmålet."),
    ({"kind": "single_choice", "prompt": "Alder", "choices": ["13-17", "18-25"]}, [],
     "Du mangler at svare på spørgsmålet."),
    ({"kind": "scale", "prompt": "Tryg?"}, "9", "Vælg et tal fra 1 til 5."),
    ({"kind": "rating", "prompt": "Anbefal?"}, "11", "Vælg et tal fra 0 til 10."),
    ({"kind": "number", "prompt": "Minutter", "settings": {"min": 0, "max": 300}}, "301",
     "Skriv et tal fra 0 til 300."),
    ({"kind": "number", "prompt": "Minutter"}, "mange", "Skriv et tal, for eksempel 15."),
    ({"kind": "short_text", "prompt": "Kort", "settings": {"max_length": 10}}, "x" * 11,
     "Gør det lidt kortere: højst 10 tegn (du skrev 11)."),
    ({"kind": "long_text", "prompt": "Lang"}, "y" * 2001, "højst 2000 tegn"),
    ({"kind": "multiple_choice", "prompt": "Steder", "choices": ["A", "B", "C"], "settings": {"max_picks": 1}},
     "BOTH", "Vælg højst 1 svarmulighed."),
    ({"kind": "single_choice", "prompt": "Alder", "choices": ["13-17", "18-25"]}, "999999",
     "Vælg en af de viste muligheder."),
    ({"kind": "single_choice", "prompt": "Alder", "choices": ["13-17", "18-25"]}, "BOTH",
     "Vælg kun én af mulighederne."),
]


@pytest.mark.parametrize("question, value, message", CASES, ids=[
    "missing-text", "missing-choice", "scale-out-of-range", "rating-out-of-range", "number-out-of-range",
    "not-a-number", "short-text-too-long", "long-text-too-long", "too-many-picks", "foreign-choice-id",
    "two-picks-on-single-choice"])
def test_person_with_an_invalid_answer_is_told_why_and_keeps_what_they_typed(client, db, question, value, message):
    survey = make_survey(db, make_org(db), [question])
    if value == "BOTH":
        value = [str(c.id) for c in survey.questions[0].choices[:2]]
    refused = post_first_screen(client, survey, value)
    page = shown_refusal(client, refused)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert message in html
    assert "<title>Fejl: " in html
    assert 'aria-invalid="true"' in html
    assert 'id="error-summary"' in html and "autofocus" in html
    if isinstance(value, str) and value and question["kind"] in ("number", "short_text", "long_text"):
        assert value in html  # what the person typed is still in the field
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_reloading_the_screen_after_the_error_shows_it_fresh(client, db):
    """The refusal is shown once: a reload is a clean screen, and nothing typed was ever stored."""
    survey = make_survey(db, make_org(db), [{"kind": "number", "prompt": "Minutter"}])
    shown = shown_refusal(client, post_first_screen(client, survey, "mange"))
    assert "Skriv et tal, for eksempel 15." in shown.get_data(as_text=True)
    again = client.get(shown.request.path).get_data(as_text=True)
    assert "Skriv et tal" not in again and "Fejl:" not in again and 'value="mange"' not in again
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_error_of_one_screen_is_not_shown_on_another(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "number", "prompt": "Minutter"},
                                            {"kind": "short_text", "prompt": "Hvor?"}])
    refused = post_first_screen(client, survey, "mange")
    key = refused.location.split("/")[3]
    other = client.get(f"/s/{survey.slug}/{key}/{survey.questions[1].id}").get_data(as_text=True)
    assert "Fejl:" not in other and "mange" not in other


def test_kept_answer_never_makes_the_session_cookie_too_big_for_a_phones_browser(client, db):
    """Browsers drop a cookie over 4 KB (name and value): a refusal near the limit must still arrive."""
    survey = make_survey(db, make_org(db), [{"kind": "long_text", "prompt": "Lang", "settings": {"max_length": 10}}])
    letters = string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_{|}~"  # hardly compressible
    rng = random.Random(2026)
    typed = "".join(rng.choice(letters) for _ in range(2450))
    refused = post_first_screen(client, survey, typed)
    cookie = refused.headers["Set-Cookie"].split(";", 1)[0]
    assert len(cookie.encode()) <= 4096, len(cookie)
    html = shown_refusal(client, refused).get_data(as_text=True)
    assert "højst 10 tegn (du skrev 2450)" in html and escape(typed) in html


def test_refused_text_too_long_for_the_cookie_is_shown_by_the_post_itself_and_kept(client, db):
    """The typed answer travels in the session cookie only while it fits; a longer one is never cut off."""
    survey = make_survey(db, make_org(db), [{"kind": "long_text", "prompt": "Lang"}])
    typed = "Mere lys ved havnen og bænke, der ikke er våde. " * 60  # about 2,900 characters
    page = post_first_screen(client, survey, typed)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "højst 2000 tegn" in html and typed.strip() in html
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_choice_of_another_question_is_refused(client, db):
    survey = make_survey(db, make_org(db), [
        {"kind": "single_choice", "prompt": "Alder", "choices": ["13-17", "18-25"]},
        {"kind": "single_choice", "prompt": "By", "choices": ["Vordingborg", "Stege"]}])
    other_choice = str(survey.questions[1].choices[0].id)
    page = shown_refusal(client, post_first_screen(client, survey, other_choice))
    assert "Vælg en af de viste muligheder." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_forged_question_id_is_not_found_and_stores_nothing(client, db):
    org = make_org(db)
    survey = make_survey(db, org, [{"kind": "short_text", "prompt": "Hej"}])
    other = make_survey(db, org, [{"kind": "short_text", "prompt": "Andet"}])
    html = client.get(f"/s/{survey.slug}", follow_redirects=True).get_data(as_text=True)
    key = html.split(f'/s/{survey.slug}/', 1)[1].split("/", 1)[0]
    forged = client.post(f"/s/{survey.slug}/{key}/{other.questions[0].id}",
                         data={"csrf_token": CSRF.search(html).group(1), f"q{other.questions[0].id}": "x"})
    assert forged.status_code == 404
    assert "Vi kunne ikke finde siden" in forged.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_malformed_response_key_is_not_found(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Hej"}])
    assert client.get(f"/s/{survey.slug}/short/{survey.questions[0].id}").status_code == 404


def test_optional_question_may_be_left_empty(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "long_text", "prompt": "Mere?", "required": False}])
    page = post_first_screen(client, survey, "")
    assert page.status_code == 303 and page.location.endswith("/tak")


def test_number_with_a_danish_decimal_comma_is_understood(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "number", "prompt": "Km til byen"}])
    assert post_first_screen(client, survey, "2,5").status_code == 303
    assert db.session.scalar(select(Answer.number)) == 2.5


def test_post_without_csrf_token_is_refused_keeps_the_answer_and_stores_nothing(client, db):
    """E.g. the browser was restarted and lost its session: the typed answer comes back with a fresh token."""
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Hej"}])
    html = client.get(f"/s/{survey.slug}", follow_redirects=True).get_data(as_text=True)
    action = f"/s/{survey.slug}/" + html.split(f'/s/{survey.slug}/', 1)[1].split('"', 1)[0]
    field = f"q{survey.questions[0].id}"
    refused = client.post(action, data={field: "Mere lys ved havnen"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Siden var udløbet" in page and 'value="Mere lys ved havnen"' in page
    # Only the token expired: the kept answer is not announced as wrong to a screen reader.
    assert 'aria-invalid' not in page
    assert db.session.scalar(select(func.count(Answer.id))) == 0
    retried = client.post(action, data={"csrf_token": CSRF.search(page).group(1), field: "Mere lys ved havnen"})
    assert retried.status_code == 303
    assert db.session.scalar(select(Answer.text)) == "Mere lys ved havnen"


def test_staff_form_without_csrf_token_is_refused(client, db, staff):
    from tests.builders import make_user

    org = make_org(db)
    staff(make_user(db, org))
    refused = client.post("/staff/surveys/new", data={"title": "Uden token", "language": "da"})
    assert refused.status_code in (400, 422)
    from surveys.models import Survey
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_infinity_is_not_a_number_a_person_can_answer(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "number", "prompt": "Minutter"}])
    for value in ("inf", "1e999", "nan"):
        page = shown_refusal(client, post_first_screen(client, survey, value))
        assert "Skriv et tal" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_text_with_a_nul_character_is_stored_without_it(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Hej"}])
    assert post_first_screen(client, survey, "hej\x00med dig").status_code == 303
    assert db.session.scalar(select(Answer.text)) == "hejmed dig"


@pytest.mark.parametrize("path", ["/s/unknown/abcdefghijklmnopqrstuvwxyz/1", "/s/{slug}/not-a-key/1",
                                  "/s/{slug}/abcdefghijklmnopqrstuvwxyz/999999"])
def test_expired_post_to_an_address_that_does_not_exist_gets_the_friendly_page_not_a_500(client, db, app,
                                                                                          monkeypatch, path):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Hej"}])
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    refused = client.post(path.format(slug=survey.slug), data={"q1": "x"})
    assert refused.status_code in (400, 404)
