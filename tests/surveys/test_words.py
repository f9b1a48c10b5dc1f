"""Words as people read them: a count agrees with its noun, and survey content says which language it is in."""
import re

import pytest

from tests.builders import make_org, make_survey, make_user
from tests.conftest import CSRF
from tests.surveys.test_editor import answered_survey, post
from tests.surveys.test_results import add_response


def first_screen(client, survey, lang=None):
    """The first screen of `survey` (in the interface language `lang`), and its form's address."""
    suffix = f"?lang={lang}" if lang else ""
    response = client.get(f"/s/{survey.slug}{suffix}", follow_redirects=True)
    html = response.get_data(as_text=True)
    return html, re.search(r'<form method="post" action="([^"]+)"', html).group(1)


def refused(client, survey, value, lang=None) -> str:
    """The page shown after sending `value` on the first screen: the error, after the redirect."""
    html, action = first_screen(client, survey, lang)
    sent = client.post(action, data={"csrf_token": CSRF.search(html).group(1),
                                      f"q{survey.questions[0].id}": value})
    assert sent.status_code == 303
    return client.get(sent.location).get_data(as_text=True)


@pytest.mark.parametrize("lang, limit, message", [
    ("en", 1, "Pick at most 1 option."), ("en", 2, "Pick at most 2 options."),
    ("da", 1, "Vælg højst 1 svarmulighed."), ("da", 2, "Vælg højst 2 svarmuligheder."),
])
def test_person_who_picks_too_many_is_told_the_limit_with_its_noun_in_singular_or_plural(
        client, db, lang, limit, message):
    survey = make_survey(db, make_org(db), [{"kind": "multiple_choice", "prompt": "Steder",
                                             "choices": ["A", "B", "C"], "settings": {"max_picks": limit}}])
    every_choice = [str(c.id) for c in survey.questions[0].choices]
    assert message in refused(client, survey, every_choice, lang)


@pytest.mark.parametrize("lang, limit, hint, error", [
    ("en", 1, "At most 1 character.", "at most 1 character (you wrote 2)"),
    ("en", 5, "At most 5 characters.", "at most 5 characters (you wrote 6)"),
    ("da", 1, "Højst 1 tegn.", "højst 1 tegn (du skrev 2)"),
])
def test_text_limit_reads_right_for_one_character_and_for_several(client, db, lang, limit, hint, error):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Bogstav",
                                             "settings": {"max_length": limit}}])
    html, _action = first_screen(client, survey, lang)
    assert hint in html
    assert error in refused(client, survey, "x" * (limit + 1), lang)


def test_editor_told_an_option_cannot_go_reads_one_answer_in_the_singular(client, db, staff):
    org, survey = answered_survey(db, client)  # one person picked the first option
    staff(make_user(db, org))
    q = survey.questions[0]
    url = f"/staff/surveys/{survey.id}/questions/{q.id}?lang=en"
    page = post(client, url, {"kind": "single_choice", "prompt": "Alder", "choices-0-choice_id": str(q.choices[0].id),
                              "choices-0-label": "13-17", "choices-0-remove": "y",
                              "choices-1-choice_id": str(q.choices[1].id), "choices-1-label": "18-25"})
    assert "The option “13-17” cannot be removed: 1 answer picked it." in page.get_data(as_text=True)


@pytest.mark.parametrize("answers, link", [(1, "Se 1 svar"), (3, "Se alle 3 svar")])
def test_project_lead_is_offered_the_text_answers_with_the_right_count(client, db, staff, answers, link):
    org = make_org(db)
    survey = make_survey(db, org, [{"kind": "long_text", "prompt": "Hvad mangler du?"}])
    for n in range(answers):
        add_response(db, survey, {0: f"Mere lys nr. {n}"})
    staff(make_user(db, org, role="viewer"))
    assert link + "</a>" in client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)


def test_danish_survey_under_an_english_interface_is_marked_as_danish(client, db):
    survey = make_survey(db, make_org(db), [
        {"kind": "scale", "prompt": "Føler du dig tryg?", "help": "Tænk på aftenen.", "required": False,
         "settings": {"low_label": "Utryg", "high_label": "Tryg"}},
        {"kind": "single_choice", "prompt": "Hvor mødes I?", "choices": ["Havnen", "Torvet"]}],
        title="Unge i bymidten", intro="Det tager et minut.", language="da")
    html, action = first_screen(client, survey, "en")
    assert '<html lang="en">' in html
    assert '<p class="survey-title" lang="da">Unge i bymidten</p>' in html
    assert '<div class="intro" lang="da">' in html
    assert '<span lang="da">Føler du dig tryg?</span> <span class="optional">(optional)</span>' in html
    assert 'lang="da">Tænk på aftenen.</p>' in html
    assert '<div class="ends" aria-hidden="true" lang="da"><span>Utryg</span>' in html
    # The interface's own words stay English, unmarked.
    assert '<p class="progress-text" id="progress">Question 1 of 2</p>' in html
    second = client.get(action.rsplit("/", 1)[0] + f"/{survey.questions[1].id}").get_data(as_text=True)
    assert '<span lang="da">Havnen</span>' in second and '<span lang="da">Hvor mødes I?</span>' in second


def test_survey_in_the_interfaces_own_language_carries_no_extra_lang(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Hvor?"}], language="da")
    html, _action = first_screen(client, survey)
    assert '<html lang="da">' in html
    assert len(re.findall(r'\slang="', html)) == 2  # the page, and the link to English


def test_english_survey_under_the_danish_interface_is_marked_as_english(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Where do you meet?"}],
                         title="Young people in town", language="en")
    html, _action = first_screen(client, survey, "da")
    assert '<html lang="da">' in html and '<span lang="en">Where do you meet?</span>' in html


def test_staff_reading_a_danish_survey_in_english_see_its_words_marked_as_danish(client, db, staff):
    org = make_org(db)
    question = {"kind": "single_choice", "prompt": "Hvor mødes I?", "choices": ["Havnen", "Torvet"]}
    survey = make_survey(db, org, [question], title="Unge i bymidten", language="da")
    add_response(db, survey, {0: "Havnen"})
    staff(make_user(db, org))
    shown = client.get(f"/staff/surveys/{survey.id}?lang=en").get_data(as_text=True)
    assert '<h1 lang="da">Unge i bymidten</h1>' in shown and '<strong lang="da">Hvor mødes I?</strong>' in shown
    results = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    assert '<span lang="da">Hvor mødes I?</span>' in results and '<td lang="da">Havnen</td>' in results
