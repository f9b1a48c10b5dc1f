"""Staff sign in and out at /staff/login: wrong passwords, rate limits, sessions and redirects."""
import re
from urllib.parse import urlsplit

import pytest

from tests.builders import PASSWORD, make_org, make_user
from tests.conftest import csrf_token

FIELD_ERROR = re.compile(r'<p class="field-error"[^>]*>([^<]+)</p>')


@pytest.fixture
def editor(db):
    return make_user(db, make_org(db), email="lise@vordingborg.dk")


def log_in(client, email, password, url="/staff/login"):
    token = csrf_token(client, "/staff/login")
    return client.post(url, data={"csrf_token": token, "email": email, "password": password})


def is_logged_in(client) -> bool:
    response = client.get("/staff/surveys/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and urlsplit(response.location).path == "/staff/login"
    return False


def refusal(response) -> str:
    """The page's error message on the password field, which must be there."""
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<form method="post"' in html and 'id="error-summary"' in html
    return FIELD_ERROR.search(html).group(1)


def test_editor_who_mistypes_the_password_gets_the_form_back_with_a_message(client, editor):
    response = log_in(client, editor.email, "forkert kodeord")
    assert refusal(response)
    assert 'value="lise@vordingborg.dk"' in response.get_data(as_text=True), "the e-mail is kept"
    assert not is_logged_in(client)


def test_stranger_with_an_unknown_email_learns_nothing_more_than_from_a_wrong_password(client, editor):
    wrong_password = refusal(log_in(client, editor.email, "forkert kodeord"))
    unknown_email = refusal(log_in(client, "ingen@vordingborg.dk", "forkert kodeord"))
    assert unknown_email == wrong_password
    assert not is_logged_in(client)


def test_editor_logs_in_with_the_email_in_any_case_and_lands_on_the_surveys(client, editor):
    response = log_in(client, "  LISE@Vordingborg.DK ", PASSWORD)
    assert response.status_code == 302 and urlsplit(response.location).path == "/staff/surveys/"
    assert is_logged_in(client)


def test_login_starts_a_fresh_session_so_nothing_from_before_carries_over(client, editor):
    with client.session_transaction() as session:
        session["planted"] = "by someone at the library computer before"
    old_token = csrf_token(client, "/staff/login")
    before = client.get_cookie("session").value

    assert log_in(client, editor.email, PASSWORD).status_code == 302

    with client.session_transaction() as session:
        assert "planted" not in session
    assert client.get_cookie("session").value != before
    # The token of the pre-login session no longer works: logging out with it is refused.
    assert client.post("/staff/logout", data={"csrf_token": old_token}).status_code == 400
    assert is_logged_in(client)


def test_editor_logs_out_with_the_button_and_is_logged_out(client, staff, editor):
    staff(editor)
    token = csrf_token(client, "/staff/surveys/")
    response = client.post("/staff/logout", data={"csrf_token": token})
    assert response.status_code == 302 and urlsplit(response.location).path == "/staff/login"
    assert not is_logged_in(client)


def test_a_link_cannot_log_an_editor_out(client, staff, editor):
    staff(editor)
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400, "no CSRF token"
    assert is_logged_in(client)


def test_someone_guessing_passwords_is_stopped_at_the_eleventh_try_in_a_minute(client, editor):
    for attempt in range(10):
        assert log_in(client, editor.email, f"gæt nummer {attempt}").status_code == 422
    response = log_in(client, editor.email, PASSWORD)
    assert response.status_code == 429
    assert not is_logged_in(client)


def test_deactivated_editor_cannot_log_in_even_with_the_right_password(client, db, editor):
    editor.active = False
    db.session.commit()
    assert refusal(log_in(client, editor.email, PASSWORD))
    assert not is_logged_in(client)


def test_editor_deactivated_while_logged_in_is_out_at_the_next_click(client, db, staff, editor):
    staff(editor)
    editor.active = False
    db.session.commit()
    assert not is_logged_in(client)


@pytest.mark.parametrize("target", [
    "https://evil.example", "//evil.example/staff", "/\\evil.example", "/%5C/evil.example", "javascript:alert(1)",
    # Browsers drop tabs and line breaks inside a URL, so "/<tab>/evil.example" is "//evil.example".
    "/%09/evil.example", "/%0A/evil.example",
])
def test_login_never_sends_the_editor_on_to_another_site(client, editor, target):
    response = log_in(client, editor.email, PASSWORD, url=f"/staff/login?next={target}")
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.netloc in ("", "localhost") and location.scheme in ("", "http")
    assert location.path == "/staff/surveys/"


def test_login_sends_the_editor_on_to_the_staff_page_they_asked_for(client, editor):
    response = log_in(client, editor.email, PASSWORD, url="/staff/login?next=/staff/surveys/new")
    assert response.status_code == 302 and response.location == "/staff/surveys/new"
    assert client.get(response.location).status_code == 200


def test_staff_page_sends_a_logged_out_editor_to_login_and_back_again(client, editor):
    response = client.get("/staff/surveys/new")
    assert response.status_code == 302
    login_url = response.location
    assert urlsplit(login_url).path == "/staff/login"
    token = csrf_token(client, login_url)
    response = client.post(login_url, data={"csrf_token": token, "email": editor.email, "password": PASSWORD})
    assert response.status_code == 302 and urlsplit(response.location).path == "/staff/surveys/new"


def test_teacher_logs_in_and_lands_on_their_class_sessions(client, db):
    teacher = make_user(db, make_org(db), role="teacher")
    response = log_in(client, teacher.email, PASSWORD)
    assert response.status_code == 302 and urlsplit(response.location).path == "/staff/classes/"
    assert "Klasseforløb" in client.get("/staff/classes/").get_data(as_text=True)
