"""A young person answers a survey: the public flow at /s/<slug>, without a browser."""
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import utcnow
from surveys import answering
from surveys.answering import Step
from surveys.models import Answer, Response
from tests.builders import EVERY_KIND, make_org, make_survey
from tests.conftest import CSRF, statements_during


@pytest.fixture
def survey(db):
    return make_survey(db, make_org(db), EVERY_KIND)


def screen(client, url):
    """GET a question screen; returns (html, csrf token, form action)."""
    page = client.get(url, follow_redirects=True)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    return html, CSRF.search(html).group(1), action


def answer(client, url, value, field_value=None):
    """Answer the screen at `url`; returns the response to the post."""
    _html, token, action = screen(client, url)
    field = "q" + action.rsplit("/", 1)[1]
    return client.post(action, data={"csrf_token": token, field: value})


def choice_id(survey, index, label):
    return str(next(c.id for c in survey.questions[index].choices if c.label == label))


def every_answer(survey, yes_no="Nej") -> list:
    """A value for each question of EVERY_KIND, in order (the follow-up's only applies after "Nej")."""
    return [choice_id(survey, 0, "13-17"), [choice_id(survey, 1, "Skateparken"), choice_id(survey, 1, "Havnen")],
            choice_id(survey, 2, yes_no), "Der er ikke noget for os", "4", "8", "15", "En skatehal!",
            choice_id(survey, 8, "Træ")]


def answer_all(client, survey, yes_no="Nej"):
    """Answer every screen in order, as a person would; returns the final response."""
    values = every_answer(survey, yes_no)
    url = f"/s/{survey.slug}"
    for index, question in enumerate(survey.questions):
        if index == 3 and yes_no == "Ja":
            continue
        response = answer(client, url, values[index])
        assert response.status_code == 303, (question.prompt, response.get_data(as_text=True)[-800:])
        url = response.location
    return response


def test_young_person_answers_every_kind_and_sees_the_thank_you_page(client, db, survey):
    final = answer_all(client, survey)
    assert final.location.endswith("/tak")
    assert client.get(final.location).status_code == 200
    response = db.session.scalar(select(Response))
    assert response.completed
    stored = {(a.question_id, a.choice_id, a.number, a.text) for a in response.answers}
    q = survey.questions
    assert stored == {
        (q[0].id, int(choice_id(survey, 0, "13-17")), None, None),
        (q[1].id, int(choice_id(survey, 1, "Skateparken")), None, None),
        (q[1].id, int(choice_id(survey, 1, "Havnen")), None, None),
        (q[2].id, int(choice_id(survey, 2, "Nej")), None, None),
        (q[3].id, None, None, "Der er ikke noget for os"),
        (q[4].id, None, 4.0, None), (q[5].id, None, 8.0, None), (q[6].id, None, 15.0, None),
        (q[7].id, None, None, "En skatehal!"),
        (q[8].id, int(choice_id(survey, 8, "Træ")), None, None),
    }


def test_each_screen_sent_costs_a_fixed_handful_of_sql_statements_also_the_last(client, db, survey):
    """A post reads the response and its answers once and decides from them what comes next; the last
    one also completes the response. Before the answering service said what comes next, the last post
    read the answers three times: 13 statements, and 11 for a screen in the middle."""
    def send(url, value):
        _html, token, action = screen(client, url)
        sent = []
        statements = statements_during(db, lambda: sent.append(client.post(action, data={
            "csrf_token": token, "q" + action.rsplit("/", 1)[1]: value})))
        assert sent[0].status_code == 303
        return sent[0].location, (len(statements), statements.count("SELECT"))

    url, counts = f"/s/{survey.slug}", []
    for value in every_answer(survey):
        url, count = send(url, value)
        counts.append(count)
    assert url.endswith("/tak")
    # 3 load the survey, its questions and their options; one waits for other posts of the same key
    # (an UPDATE that changes nothing on SQLite); one reads the response, one its answers; then the
    # response's UPDATE (times, and completion on the last) and the answer's INSERT.
    assert all(total <= 8 and selects <= 6 for total, selects in counts), counts


def test_answering_service_says_what_comes_next_and_attributes_the_response_once(db, survey):
    q, key, now, attributed = survey.questions, answering.new_key(), utcnow(), []

    def send(question, raw):
        return answering.save_screen(db.session, survey, key, question, raw,
                                     lambda: attributed.append(1) or {}, now)

    invalid = send(q[0], ["not an option"])
    assert invalid.step is Step.invalid and invalid.raw == ("not an option",) and invalid.error
    assert send(q[0], [choice_id(survey, 0, "13-17")]) == answering.Next(Step.question, question_id=q[1].id)
    # Jumping ahead stores the answer and leads back to the first required question left unanswered.
    assert send(q[8], [choice_id(survey, 8, "Træ")]) == answering.Next(Step.question, question_id=q[1].id)
    assert attributed == [1]
    assert not db.session.scalar(select(Response)).completed


def test_follow_up_question_is_skipped_when_its_condition_is_not_met(client, db, survey):
    answer_all(client, survey, yes_no="Ja")
    response = db.session.scalar(select(Response))
    assert response.completed
    assert survey.questions[3].id not in {a.question_id for a in response.answers}


def test_progress_says_which_question_of_how_many(client, survey):
    html, _token, _action = screen(client, f"/s/{survey.slug}")
    assert '<progress max="8" value="1"' in html
    assert "1 af 8" in html  # the follow-up counts once it applies


def test_survey_in_english_speaks_english_and_danish_is_one_tap_away(client, db):
    survey = make_survey(db, make_org(db), EVERY_KIND[:2], language="en")
    assert "Question 1 of 2" in client.get(f"/s/{survey.slug}", follow_redirects=True).get_data(as_text=True)
    assert "Spørgsmål 1 af 2" in client.get(f"/s/{survey.slug}?lang=da", follow_redirects=True).get_data(as_text=True)


def test_pupil_who_taps_submit_twice_is_counted_once(client, db, survey):
    _html, token, action = screen(client, f"/s/{survey.slug}")
    data = {"csrf_token": token, "q" + action.rsplit("/", 1)[1]: choice_id(survey, 0, "13-17")}
    first, second = client.post(action, data=data), client.post(action, data=data)
    assert first.status_code == second.status_code == 303
    assert first.location == second.location
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_resending_the_last_screen_after_finishing_shows_the_same_thank_you(client, db, survey):
    final = answer_all(client, survey)
    key = final.location.split("/")[-2]
    last = survey.questions[-1]
    html, token, action = screen(client, f"/s/{survey.slug}/{key}/{last.id}")
    again = client.post(action, data={"csrf_token": token, f"q{last.id}": choice_id(survey, 8, "Træ")})
    assert again.status_code == 303 and again.location == final.location
    assert db.session.scalar(select(func.count(Response.id))) == 1


def test_same_token_with_different_answers_after_finishing_is_refused_with_409(client, db, survey):
    final = answer_all(client, survey)
    key = final.location.split("/")[-2]
    last = survey.questions[-1]
    _html, token, action = screen(client, f"/s/{survey.slug}/{key}/{last.id}")
    changed = client.post(action, data={"csrf_token": token, f"q{last.id}": choice_id(survey, 8, "Beton")})
    assert changed.status_code == 409
    stored = db.session.scalar(select(Answer.choice_id).where(Answer.question_id == last.id))
    assert stored == int(choice_id(survey, 8, "Træ"))


def test_fifty_parallel_posts_of_the_same_screen_store_one_response(app, db, survey):
    client = app.test_client()
    _html, token, action = screen(client, f"/s/{survey.slug}")
    field = "q" + action.rsplit("/", 1)[1]
    data = {"csrf_token": token, field: choice_id(survey, 0, "13-17")}
    assert client.get_cookie("session") is None  # the form's token is the response key's own: no cookie to share

    def post(_n):
        return app.test_client().post(action, data=data).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(post, range(50)))
    assert codes == [303] * 50
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_back_link_shows_the_earlier_answer_still_chosen(client, survey):
    second = answer(client, f"/s/{survey.slug}", choice_id(survey, 0, "13-17")).location
    html, _token, _action = screen(client, second)
    back = re.search(r'<a class="back" href="([^"]+)"', html).group(1)
    earlier, _token, _action = screen(client, back)
    picked = choice_id(survey, 0, "13-17")
    assert re.search(rf'value="{picked}"\s+checked', earlier)


def test_half_finished_response_is_kept_and_marked_incomplete(client, db, survey):
    answer(client, f"/s/{survey.slug}", choice_id(survey, 0, "13-17"))
    response = db.session.scalar(select(Response))
    assert response is not None and not response.completed
    assert len(response.answers) == 1


def test_jumping_past_an_unanswered_required_question_leads_back_to_it(client, db, survey):
    first = answer(client, f"/s/{survey.slug}", choice_id(survey, 0, "13-17"))
    key = first.location.split("/")[-2]
    last = survey.questions[-1]
    jump = answer(client, f"/s/{survey.slug}/{key}/{last.id}", choice_id(survey, 8, "Træ"))
    assert jump.status_code == 303
    assert jump.location.endswith(f"/{survey.questions[1].id}")
    assert not db.session.scalar(select(Response)).completed


def test_answer_that_no_longer_applies_is_dropped_on_completion(client, db, survey):
    """Someone answers the follow-up, goes back, changes the condition: the follow-up must not count."""
    answer_all(client, survey, yes_no="Nej")
    # Same flow again on a fresh response, but change yes/no to Yes after answering the follow-up.
    url = f"/s/{survey.slug}"
    for value in (choice_id(survey, 0, "13-17"), [choice_id(survey, 1, "Torvet")], choice_id(survey, 2, "Nej")):
        url = answer(client, url, value).location
    key = url.split("/")[-2]
    answer(client, url, "Ingen steder")
    answer(client, f"/s/{survey.slug}/{key}/{survey.questions[2].id}", choice_id(survey, 2, "Ja"))
    for index in range(4, 9):
        values = ["3", "5", "10", "", choice_id(survey, 8, "Beton")]
        answer(client, f"/s/{survey.slug}/{key}/{survey.questions[index].id}", values[index - 4])
    response = db.session.scalar(select(Response).where(Response.key == key))
    assert response.completed
    assert survey.questions[3].id not in {a.question_id for a in response.answers}


def test_draft_survey_is_not_found(client, db):
    survey = make_survey(db, make_org(db), EVERY_KIND[:1], status="draft")
    assert client.get(f"/s/{survey.slug}", follow_redirects=True).status_code == 404


def test_unknown_survey_is_a_friendly_404(client):
    page = client.get("/s/findes-ikke")
    assert page.status_code == 404
    assert "Vi kunne ikke finde siden" in page.get_data(as_text=True)


def test_closed_survey_says_so(client, db):
    survey = make_survey(db, make_org(db), EVERY_KIND[:1], status="closed")
    page = client.get(f"/s/{survey.slug}", follow_redirects=True)
    assert page.status_code == 200
    assert "lukket" in page.get_data(as_text=True)


def test_survey_past_its_close_time_is_closed_and_refuses_new_answers(client, db):
    survey = make_survey(db, make_org(db), EVERY_KIND[:2])
    _html, token, action = screen(client, f"/s/{survey.slug}")
    survey.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    late = client.post(action, data={"csrf_token": token,
                                     "q" + action.rsplit("/", 1)[1]: choice_id(survey, 0, "13-17")})
    assert "lukket" in late.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_survey_before_its_open_time_says_when_it_opens(client, db):
    survey = make_survey(db, make_org(db), EVERY_KIND[:1], opens_at=utcnow() + timedelta(days=2))
    assert "åbner" in client.get(f"/s/{survey.slug}", follow_redirects=True).get_data(as_text=True)


def test_no_ip_address_or_device_data_is_stored(client, db, survey):
    answer_all(client, survey)
    columns = {c.name for table in db.metadata.sorted_tables for c in table.columns}
    assert not columns & {"ip", "ip_address", "remote_addr", "user_agent", "fingerprint"}
    values = " ".join(str(v) for r in db.session.execute(select(Response)).scalars() for v in vars(r).values())
    assert "127.0.0.1" not in values
