"""Staff sessions end when they should, on every copy of the cookie, and login timing tells nothing.

"Copying the cookie" is what a thief with the browser's cookie jar would do: read the
session cookie from one client and set it on another.
"""
import statistics
import time
from datetime import timedelta

from sqlalchemy import func, select

from engagement.models import NOBODY_HASH, StaffSession
from extensions import utcnow
from tests.builders import PASSWORD, make_org, make_user, password_hash
from tests.conftest import csrf_token
from tests.engagement.test_accounts import is_logged_in, log_in

NEW_PASSWORD = "en lang sætning om havnen"


def signed_in(app, user):
    """A new browser (test client) where `user` has logged in through the form."""
    browser = app.test_client()
    assert log_in(browser, user.email, PASSWORD).status_code == 302
    return browser


def copy_of_cookie(app, browser):
    """A second browser holding a copy of `browser`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert is_logged_in(thief), "a copy works while the session lives"
    return thief


def log_out(browser):
    token = csrf_token(browser, "/staff/surveys/")
    assert browser.post("/staff/logout", data={"csrf_token": token}).status_code == 302


def sessions_of(db, user) -> int:
    return db.session.scalar(select(func.count()).select_from(StaffSession).where(StaffSession.user_id == user.id))


def test_staff_member_who_logs_out_leaves_no_working_copy_of_the_cookie(app, db):
    editor = make_user(db, make_org(db))
    browser = signed_in(app, editor)
    thief = copy_of_cookie(app, browser)
    log_out(browser)
    assert not is_logged_in(thief)
    assert not is_logged_in(browser)
    assert sessions_of(db, editor) == 0, "an ended session leaves no row"


def test_staff_member_who_logs_out_on_the_laptop_stays_signed_in_on_the_phone(app, db):
    editor = make_user(db, make_org(db))
    laptop, phone = signed_in(app, editor), signed_in(app, editor)
    log_out(laptop)
    assert is_logged_in(phone)
    assert not is_logged_in(laptop)


def test_staff_member_who_changes_the_password_ends_every_other_session_and_stays_signed_in(app, db):
    teacher = make_user(db, make_org(db), role="teacher")
    browser, phone = signed_in(app, teacher), signed_in(app, teacher)
    thief = copy_of_cookie(app, browser)
    token = csrf_token(browser, "/staff/password")
    changed = browser.post("/staff/password", data={"csrf_token": token, "current": PASSWORD,
                                                    "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert changed.status_code == 303
    assert not is_logged_in(thief), "a copy of the cookie from before the change"
    assert not is_logged_in(phone)
    assert is_logged_in(browser)
    assert sessions_of(db, teacher) == 1, "the browser that changed it has a fresh session"


def test_colleague_whom_an_admin_deactivates_is_signed_out_on_every_device(app, db, client, staff):
    org = make_org(db)
    admin, colleague = make_user(db, org, role="admin"), make_user(db, org, role="editor")
    laptop, phone = signed_in(app, colleague), signed_in(app, colleague)
    staff(admin)
    token = csrf_token(client, "/staff/people/")
    assert client.post(f"/staff/people/{colleague.id}/active", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/staff/people/{colleague.id}/active", data={"csrf_token": token}).status_code == 303
    db.session.refresh(colleague)
    assert colleague.active, "reactivated: the old sessions stay ended all the same"
    assert not is_logged_in(laptop) and not is_logged_in(phone)
    assert is_logged_in(client), "the admin's own session is untouched"


def test_colleague_whose_role_an_admin_changes_must_log_in_again(app, db, client, staff):
    org = make_org(db)
    admin, colleague = make_user(db, org, role="admin"), make_user(db, org, role="editor")
    browser = signed_in(app, colleague)
    staff(admin)
    token = csrf_token(client, "/staff/people/")
    assert client.post(f"/staff/people/{colleague.id}/role",
                       data={"csrf_token": token, "role": "viewer"}).status_code == 303
    assert not is_logged_in(browser)
    assert is_logged_in(signed_in(app, colleague))


def test_session_older_than_the_session_lifetime_no_longer_signs_in(app, db):
    editor = make_user(db, make_org(db))
    browser = signed_in(app, editor)
    row = db.session.scalar(select(StaffSession).where(StaffSession.user_id == editor.id))
    row.created_at -= app.permanent_session_lifetime + timedelta(minutes=1)
    db.session.commit()
    assert not is_logged_in(browser)


def test_anyone_logging_in_deletes_the_sessions_older_than_the_lifetime(app, db):
    org = make_org(db)
    gone, kept = make_user(db, org), make_user(db, org)
    long_ago = utcnow() - app.permanent_session_lifetime - timedelta(days=1)
    db.session.add(StaffSession(token_hash="a" * 64, user_id=gone.id, created_at=long_ago))
    db.session.commit()
    signed_in(app, kept)
    assert sessions_of(db, gone) == 0 and sessions_of(db, kept) == 1


def test_the_database_holds_a_hash_of_the_session_token_not_the_token(app, db):
    editor = make_user(db, make_org(db))
    browser = signed_in(app, editor)
    with browser.session_transaction() as session:
        token = session["staff_session"]
    stored = db.session.scalar(select(StaffSession.token_hash).where(StaffSession.user_id == editor.id))
    assert token and stored and token not in stored


def test_the_hash_checked_for_unknown_emails_costs_what_a_real_password_hash_costs():
    parameters = NOBODY_HASH.rsplit("$", 2)[0]
    assert password_hash("any password").rsplit("$", 2)[0] == parameters == "$argon2id$v=19$m=65536,t=3,p=4"


def test_stranger_cannot_tell_from_the_login_time_which_emails_belong_to_staff(app, db):
    org = make_org(db)
    editor = make_user(db, org)
    retired = make_user(db, org, active=False)
    emails = {"staff": editor.email, "unknown": "ingen@vordingborg.dk", "deactivated": retired.email}
    times = {kind: [] for kind in emails}
    for attempt in range(5):
        for number, (kind, email) in enumerate(emails.items()):
            # Each try from its own address, so the login rate limit never answers instead.
            browser = app.test_client()
            browser.environ_base["REMOTE_ADDR"] = f"10.0.{attempt}.{number}"
            token = csrf_token(browser, "/staff/login")
            started = time.perf_counter()
            response = browser.post("/staff/login", data={"csrf_token": token, "email": email, "password": "gæt"})
            times[kind].append(time.perf_counter() - started)
            assert response.status_code == 422
    medians = {kind: statistics.median(spent) for kind, spent in times.items()}
    assert max(medians.values()) < 3 * min(medians.values()), medians
