"""The answering screens as production runs them: several app servers, each keeping the survey's structure,
and a respondent's phone that gets its session cookie once, not with every screen."""
import re

import pytest
from sqlalchemy import func, select

from app import create_app
from surveys.models import Answer, Response
from surveys.structure import kept
from tests.builders import make_org, make_survey, make_user
from tests.conftest import IsolatedClient, csrf_token, statements_during

QUESTIONS = [{"kind": "single_choice", "prompt": "Hvor tit er du i bymidten?", "choices": ["Hver dag", "Sjældent"]},
             {"kind": "short_text", "prompt": "Hvad mangler du?", "required": False}]
ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


@pytest.fixture
def second_server(app):
    """Another app server on the same database, as the deployed stack runs two."""
    other = create_app({key: app.config[key] for key in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "RATELIMIT_STORAGE_URI")})
    other.test_client_class = IsolatedClient
    return other


def first_screen(client, survey) -> str:
    response = client.get(f"/s/{survey.slug}")
    assert response.status_code == 303
    return response.location


def test_a_question_edited_on_one_app_server_shows_changed_on_the_other_at_once(
        app, client, db, staff, second_server):
    org = make_org(db)
    survey = make_survey(db, org, QUESTIONS)
    phone = second_server.test_client()
    screen = first_screen(phone, survey)
    assert "Hvor tit er du i bymidten?" in phone.get(screen).get_data(as_text=True)

    editor = staff(make_user(db, org, role="editor"))
    question = survey.questions[0]
    url = f"/staff/surveys/{survey.id}/questions/{question.id}"
    saved = editor.post(url, data={"csrf_token": csrf_token(editor, url), "kind": "single_choice",
                                   "prompt": "Hvor ofte kommer du i bymidten?", "required": "y",
                                   "choices-0-label": "Hver dag", "choices-1-label": "Af og til",
                                   "choices-2-label": ""})
    assert saved.status_code == 302, saved.get_data(as_text=True)

    page = phone.get(screen).get_data(as_text=True)
    assert "Hvor ofte kommer du i bymidten?" in page and "Af og til" in page
    assert "Hvor tit" not in page

    # Closing it on the first server: the other one stops taking answers at once.
    closed = editor.post(f"/staff/surveys/{survey.id}/status", data={
        "csrf_token": csrf_token(editor, f"/staff/surveys/{survey.id}"), "action": "close"})
    assert closed.status_code == 302
    assert "lukket" in phone.get(screen, follow_redirects=True).get_data(as_text=True).lower()


def test_an_app_server_loads_a_survey_once_and_then_asks_only_for_its_stamp(client, db, second_server):
    survey = make_survey(db, make_org(db), QUESTIONS)
    phone = second_server.test_client()
    screen = first_screen(phone, survey)
    phone.get(screen)
    with second_server.app_context():
        loads = kept().loads

    def read_screen():
        assert phone.get(screen).status_code == 200
    with second_server.app_context():
        statements = statements_during(db, read_screen)
    # The stamp and the response (none yet, so no answers to read) in one query: none of questions or choices.
    assert statements == ["SELECT"]
    with second_server.app_context():
        assert kept().loads == loads


def test_on_postgresql_a_screen_is_read_without_a_transaction_and_the_next_answer_still_is_one(client, db):
    """No BEGIN and ROLLBACK round trips for a page that only shows, and the pooled connection it used is
    transactional again for the answer that follows (else a half-stored answer could be committed)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite tells the server of no transaction for a read")
    from sqlalchemy import event

    survey = make_survey(db, make_org(db), QUESTIONS)
    db.session.commit()
    screen = first_screen(client, survey)
    autocommit = []

    def note(conn, cursor, statement, parameters, context, executemany):
        autocommit.append((statement.split(None, 1)[0].upper(), conn.connection.driver_connection.autocommit))
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        page = client.get(screen).get_data(as_text=True)
        shown, autocommit[:] = list(autocommit), []
        choice = re.search(r'name="(q\d+)"[^>]*value="(\d+)"', page)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        sent = client.post(ACTION.search(page).group(1), data={"csrf_token": token, choice.group(1): choice.group(2)})
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert shown == [("SELECT", True)]
    assert sent.status_code == 303
    assert autocommit and all(not value for _word, value in autocommit), autocommit
    assert "INSERT" in [word for word, _value in autocommit]


def test_a_new_answer_is_a_short_write(client, db):
    survey = make_survey(db, make_org(db), QUESTIONS)
    screen = first_screen(client, survey)
    page = client.get(screen).get_data(as_text=True)
    choice = re.search(r'name="(q\d+)"[^>]*value="(\d+)"', page)
    data = {"csrf_token": csrf_token(client, screen), choice.group(1): choice.group(2)}

    def send():
        assert client.post(ACTION.search(page).group(1), data=data).status_code == 303
    statements = statements_during(db, send)
    # The survey's stamp with the response (none), the new response and its answer: no lock to take on a key
    # nobody has, no second read, no DELETE of answers that cannot exist yet.
    assert statements == ["SELECT", "INSERT", "INSERT"]
    assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_a_double_tap_on_a_first_screen_stores_one_response_when_both_posts_arrive_together(app, client, db,
                                                                                            monkeypatch):
    """Both posts read that the key is nobody's before either writes: one stores the response, the other
    finds it stored and goes on from it, to the same next screen."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from surveys import answering

    survey = make_survey(db, make_org(db), QUESTIONS)
    screen = first_screen(client, survey)
    page = client.get(screen).get_data(as_text=True)
    choice = re.search(r'name="(q\d+)"[^>]*value="(\d+)"', page)
    data = {"csrf_token": csrf_token(client, screen), choice.group(1): choice.group(2)}
    both_read, first_answer = threading.Barrier(2), answering._first_answer

    def after_both_read(*args, **kwargs):
        both_read.wait(timeout=30)
        return first_answer(*args, **kwargs)
    monkeypatch.setattr(answering, "_first_answer", after_both_read)

    def tap(_n):
        return app.test_client().post(ACTION.search(page).group(1), data=data)
    with ThreadPoolExecutor(max_workers=2) as pool:
        sent = list(pool.map(tap, range(2)))
    assert [r.status_code for r in sent] == [303, 303]
    assert sent[0].location == sent[1].location and sent[0].location.endswith(f"/{survey.questions[1].id}")
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Answer.id))) == 1


def test_a_phone_answers_every_screen_without_ever_getting_a_cookie(client, db):
    survey = make_survey(db, make_org(db), QUESTIONS)
    screen = first_screen(client, survey)
    first = client.get(screen)
    page = first.get_data(as_text=True)
    choice = re.search(r'name="(q\d+)"[^>]*value="(\d+)"', page)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    sent = client.post(ACTION.search(page).group(1), data={"csrf_token": token, choice.group(1): choice.group(2)})
    second = client.get(sent.location)
    again = client.get(sent.location)
    last = second.get_data(as_text=True)
    done = client.post(ACTION.search(last).group(1), data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', last).group(1),
        re.search(r'name="(q\d+)"', last).group(1): "Et sted at sidde i læ"})
    assert sent.status_code == done.status_code == 303 and done.location.endswith("/tak")
    # The form's token comes from the response key in the address, not from a session: no cookie to set,
    # and none sent back.
    for response in (first, sent, second, again, done):
        assert response.headers.getlist("Set-Cookie") == [], response.headers
    assert client.get_cookie("session") is None
    db.session.rollback()
    assert db.session.scalar(select(Response)).completed


def test_a_screens_token_belongs_to_its_own_response_key(client, db):
    survey = make_survey(db, make_org(db), QUESTIONS)
    mine, other = first_screen(client, survey), first_screen(client, survey)
    page = client.get(mine).get_data(as_text=True)
    others_token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                             client.get(other).get_data(as_text=True)).group(1)
    choice = re.search(r'name="(q\d+)"[^>]*value="(\d+)"', page)
    refused = client.post(ACTION.search(page).group(1), data={"csrf_token": others_token,
                                                              choice.group(1): choice.group(2)})
    # Refused as an expired page is: the screen again with the pick kept, nothing stored.
    assert refused.status_code == 400 and "Siden var udløbet" in refused.get_data(as_text=True)
    assert f'value="{choice.group(2)}" checked' in refused.get_data(as_text=True)
    assert db.session.scalar(select(Response)) is None


def test_a_screen_opened_before_the_secret_key_changed_still_sends(app, client, db, monkeypatch):
    survey = make_survey(db, make_org(db), QUESTIONS)
    screen = first_screen(client, survey)
    page = client.get(screen).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    choice = re.search(r'name="(q\d+)"[^>]*value="(\d+)"', page)
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [app.secret_key])
    monkeypatch.setitem(app.config, "SECRET_KEY", "a-new-key-" + "x" * 40)
    sent = client.post(ACTION.search(page).group(1), data={"csrf_token": token, choice.group(1): choice.group(2)})
    assert sent.status_code == 303


def send(client, page: str, value: str | None, inline: bool = True):
    """Send the screen `page` shows, with `value` for its field (None: nothing picked)."""
    field = re.search(r'name="(q\d+)"', page).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, **({field: value} if value is not None else {})}
    return client.post(ACTION.search(page).group(1), data=data, headers={"X-Bypuls-Inline": "1"} if inline else {})


def test_with_javascript_the_answer_to_a_screen_is_the_next_screen_itself(client, db):
    survey = make_survey(db, make_org(db), QUESTIONS)
    first, second = survey.questions
    screen = first_screen(client, survey)
    page = client.get(screen).get_data(as_text=True)

    refused = send(client, page, None)
    assert refused.status_code == 422 and refused.headers["X-Bypuls-Location"] == screen
    assert "Tjek dit svar" in refused.get_data(as_text=True)
    assert refused.headers.getlist("Set-Cookie") == []  # the refusal is in the page, not in the session

    sent = send(client, page, str(first.choices[1].id))
    assert sent.status_code == 200
    assert sent.headers["X-Bypuls-Location"] == screen.rsplit("/", 1)[0] + f"/{second.id}"
    assert "Hvad mangler du?" in sent.get_data(as_text=True)
    # The same post again (a retry after a lost answer): the same next screen, still one response.
    again = send(client, page, str(first.choices[1].id))
    assert again.headers["X-Bypuls-Location"] == sent.headers["X-Bypuls-Location"]

    done = send(client, sent.get_data(as_text=True), "Et sted at sidde i læ")
    assert done.status_code == 200 and done.headers["X-Bypuls-Location"].endswith("/tak")
    assert "Tak" in done.get_data(as_text=True)
    # A sent response cannot be changed by replaying a screen with another answer.
    assert send(client, page, str(first.choices[0].id)).status_code == 409

    db.session.rollback()
    [response] = db.session.scalars(select(Response)).all()
    assert response.completed and len(response.answers) == 2
    assert {a.choice_id for a in response.answers if a.choice_id} == {first.choices[1].id}


def test_a_blank_screen_rendered_once_is_each_persons_own_page(client, db, app):
    survey = make_survey(db, make_org(db), QUESTIONS)
    pages = []
    for via in (None, "abc123", None):
        phone = app.test_client()
        screen = phone.get(f"/s/{survey.slug}" + (f"?via={via}" if via else "")).location
        page = phone.get(screen).get_data(as_text=True)
        key = screen.split("/")[3]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        # The person's own key and token, and the poster's code only where there was one.
        assert f'action="/s/{survey.slug}/{key}/' in page
        assert ('name="via" value="abc123"' in page) == (via is not None)
        sent = send(phone, page, str(survey.questions[0].choices[0].id), inline=False)
        assert sent.status_code == 303, "the token on the page is this person's own"
        pages.append(page.replace(key, "KEY").replace(token, "TOKEN"))
    assert pages[0] == pages[2] != pages[1]
    # The same screen in English is not the Danish page kept from before.
    english = app.test_client()
    screen = english.get(f"/s/{survey.slug}?lang=en").location
    assert "Question 1 of 2" in english.get(screen).get_data(as_text=True)


def test_on_sqlite_a_second_writer_waits_in_line_and_goes_on_the_moment_the_first_commits(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the line of writers is for SQLite; PostgreSQL locks rows and keys itself")
    import threading
    import time

    from extensions import wait_for_write_turn

    first = db.session
    wait_for_write_turn(first)
    entered = threading.Event()

    def second_writer():
        with app.app_context():
            wait_for_write_turn(db.session)
            entered.set()
            db.session.rollback()  # the turn ends with the transaction

    other = threading.Thread(target=second_writer)
    other.start()
    assert not entered.wait(0.3), "the second writer went in while the first still wrote"
    started = time.monotonic()
    first.commit()
    assert entered.wait(5) and time.monotonic() - started < 0.5  # woken at once, not after a sleep
    other.join()
