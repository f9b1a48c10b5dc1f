"""Admins manage their organisation's staff accounts in the browser; everyone changes their own password."""
import pytest
from sqlalchemy import select

from engagement.models import Role, User
from tests.builders import PASSWORD, make_org, make_user
from tests.conftest import csrf_token

NEW_PASSWORD = "en lang sætning om havnen"


def test_admin_adds_a_teacher_who_can_then_log_in(db, client, staff):
    admin = make_user(db, make_org(db), role="admin")
    staff(admin)
    token = csrf_token(client, "/staff/people/")
    sent = client.post("/staff/people/", data={"csrf_token": token, "email": " Lærer@Skole.dk ",
                                               "role": "teacher", "password": NEW_PASSWORD})
    assert sent.status_code == 303
    teacher = db.session.scalar(select(User).where(User.email == "Lærer@Skole.dk"))
    assert teacher.role is Role.teacher and teacher.organisation_id == admin.organisation_id
    client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/people/")})
    token = csrf_token(client, "/staff/login")
    assert client.post("/staff/login", data={"csrf_token": token, "email": "lærer@skole.dk",
                                             "password": NEW_PASSWORD}).status_code == 302


def test_a_taken_e_mail_or_short_password_is_refused_and_the_typed_e_mail_stays(db, client, staff):
    org = make_org(db)
    admin = make_user(db, org, role="admin")
    make_user(db, org, email="anna@kommune.dk")
    staff(admin)
    token = csrf_token(client, "/staff/people/?lang=en")
    taken = client.post("/staff/people/", data={"csrf_token": token, "email": "ANNA@kommune.dk", "role": "editor",
                                                "password": NEW_PASSWORD})
    page = taken.get_data(as_text=True)
    assert taken.status_code == 422 and "Someone already has this e-mail." in page
    assert 'value="ANNA@kommune.dk"' in page
    short = client.post("/staff/people/", data={"csrf_token": token, "email": "bo@kommune.dk", "role": "editor",
                                                "password": "kort"})
    assert short.status_code == 422 and "Use at least 12 characters." in short.get_data(as_text=True)
    assert db.session.query(User).count() == 2


@pytest.mark.parametrize("role", ["editor", "teacher", "viewer"])
def test_only_admins_see_staff_accounts(db, client, staff, role):
    staff(make_user(db, make_org(db), role=role))
    assert client.get("/staff/people/").status_code == 403


def test_admin_changes_a_role_and_deactivates_a_colleague_who_can_then_not_log_in(db, client, staff):
    org = make_org(db)
    admin, colleague = make_user(db, org, role="admin"), make_user(db, org, role="viewer")
    staff(admin)
    token = csrf_token(client, "/staff/people/")
    changed = client.post(f"/staff/people/{colleague.id}/role", data={"csrf_token": token, "role": "editor"})
    assert changed.status_code == 303
    assert client.post(f"/staff/people/{colleague.id}/active", data={"csrf_token": token}).status_code == 303
    db.session.refresh(colleague)
    assert colleague.role is Role.editor and not colleague.active
    other = make_org(db)
    stranger = make_user(db, other, role="viewer")
    assert client.post(f"/staff/people/{stranger.id}/active", data={"csrf_token": token}).status_code == 404
    db.session.refresh(stranger)
    assert stranger.active


def test_an_admin_cannot_demote_or_deactivate_themselves(db, client, staff):
    admin = make_user(db, make_org(db), role="admin")
    staff(admin)
    token = csrf_token(client, "/staff/people/")
    client.post(f"/staff/people/{admin.id}/role", data={"csrf_token": token, "role": "viewer"})
    client.post(f"/staff/people/{admin.id}/active", data={"csrf_token": token})
    db.session.refresh(admin)
    assert admin.role is Role.admin and admin.active


def test_staff_change_their_own_password_only_with_the_current_one(db, client, staff):
    user = make_user(db, make_org(db), role="teacher")
    staff(user)
    token = csrf_token(client, "/staff/password?lang=en")
    wrong = client.post("/staff/password", data={"csrf_token": token, "current": "gæt", "new": NEW_PASSWORD,
                                                 "repeat": NEW_PASSWORD})
    assert wrong.status_code == 422 and "That is not your password now." in wrong.get_data(as_text=True)
    mismatch = client.post("/staff/password", data={"csrf_token": token, "current": PASSWORD, "new": NEW_PASSWORD,
                                                    "repeat": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 422
    assert client.post("/staff/password", data={"csrf_token": token, "current": PASSWORD, "new": NEW_PASSWORD,
                                                "repeat": NEW_PASSWORD}).status_code == 303
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
