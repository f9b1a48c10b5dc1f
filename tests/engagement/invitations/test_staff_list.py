"""Staff put a list of owners on a survey: settings first, then a file that goes in whole or not at all;
only admins and editors see who is on it, and nobody outside the organisation sees it exists."""
from datetime import date

import pytest
from sqlalchemy import func, select

from engagement.invitations.models import Invitation, InvitationSettings
from tests.builders import make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.engagement.invitations.conftest import (
    OWNERS,
    QUESTIONS,
    csv_bytes,
    page_url,
    post_action,
    save_settings,
    upload,
    xlsx_bytes,
)


def invited(db) -> list[tuple[str, str, str]]:
    db.session.expire_all()
    return [(i.name, i.email, i.postal_address)
            for i in db.session.scalars(select(Invitation).order_by(Invitation.id))]


def test_editor_saves_the_settings_uploads_a_csv_and_sees_everyone_on_the_list(db, survey, editor):
    page = editor.get(page_url(survey)).get_data(as_text=True)
    assert "Personlige invitationer" in page and "Gem indstillingerne først." in page
    assert "Byen vil gerne høre, hvad I som ejere har lyst til at samarbejde om." in page  # the intro, shown
    assert save_settings(editor, survey, named=False).status_code == 303

    done = upload(editor, survey, csv_bytes(OWNERS, bom=True))
    assert done.status_code == 303
    page = editor.get(done.location).get_data(as_text=True)
    assert "3 personer står nu på listen." in page
    assert "Åse Ørnsø" in page and "aase@example.dk" in page and "Slotsgade 3<br>4760 Vordingborg" in page
    assert invited(db)[1] == ("Bent Hansen", "", "Slotsgade 3\n4760 Vordingborg")
    tokens = db.session.scalars(select(Invitation.token)).all()
    assert len(set(tokens)) == 3 and all(len(t) == 43 and t[:12].isalnum() for t in tokens)


def test_an_excel_workbook_goes_in_the_same_way(db, survey, editor):
    save_settings(editor, survey)
    assert upload(editor, survey, xlsx_bytes(OWNERS), name="ejere.xlsx").status_code == 303
    assert [name for name, _e, _a in invited(db)] == ["Åse Ørnsø", "Bent Hansen", "Carla Jensen"]


def test_a_file_with_wrong_rows_says_what_is_wrong_in_each_and_adds_nobody(db, survey, editor):
    save_settings(editor, survey)
    rows = [*OWNERS, ["", "ingen@example.dk", ""], ["Dorte", "dorte(at)example.dk", ""], ["Erik", "", ""],
            ["Carla igen", "Carla@Example.dk", ""]]
    refused = upload(editor, survey, csv_bytes(rows))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "4 rækker er ikke i orden, så ingen blev tilføjet." in page
    for message in ("Række 5: intet navn.", "Række 6: »dorte(at)example.dk« er ikke en e-mailadresse.",
                    "Række 7: hverken e-mail eller postadresse.",
                    "Række 8: e-mailen Carla@Example.dk står også i række 4."):
        assert message in page
    assert invited(db) == []


def test_people_already_invited_are_named_per_row_and_nothing_of_the_file_is_added(db, survey, editor):
    save_settings(editor, survey)
    upload(editor, survey, csv_bytes(OWNERS))
    more = [OWNERS[0], ["Dorte Dam", "dorte@example.dk", ""], ["Åse Ørnsø", "AASE@example.dk", ""],
            ["Bent Hansen", "", "Slotsgade 3, 4760 Vordingborg"]]
    refused = upload(editor, survey, csv_bytes(more))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Række 3: AASE@example.dk står allerede på listen." in page
    assert "Række 4: Bent Hansen på denne adresse står allerede på listen." in page
    assert len(invited(db)) == 3  # Dorte was not added either


def test_uploading_the_same_file_twice_adds_it_once_and_says_so(db, survey, editor):
    save_settings(editor, survey)
    assert upload(editor, survey, csv_bytes(OWNERS)).status_code == 303
    again = upload(editor, survey, csv_bytes(OWNERS))
    assert again.status_code == 303
    assert "Alle i filen står allerede på listen" in editor.get(again.location).get_data(as_text=True)
    assert len(invited(db)) == 3


def test_a_list_cannot_go_in_before_the_settings_say_how_long_it_is_kept(db, survey, editor):
    refused = upload(editor, survey, csv_bytes(OWNERS))
    assert refused.status_code == 422 and "Gem indstillingerne først" in refused.get_data(as_text=True)
    assert invited(db) == []


def test_an_unreadable_file_and_no_file_get_a_message_not_a_500(db, survey, editor):
    save_settings(editor, survey)
    refused = upload(editor, survey, b"\x89PNG\r\n\x1a\n\x00\x00", name="foto.png")
    assert refused.status_code == 422 and "Det ligner ikke en CSV-fil" in refused.get_data(as_text=True)
    empty = upload(editor, survey, b"", name="tom.csv")
    assert empty.status_code == 422 and "Vælg filen med listen." in empty.get_data(as_text=True)


def test_once_people_are_on_the_list_the_promises_made_to_them_hold(db, survey, editor):
    save_settings(editor, survey, named=True, keep_until=date(2099, 6, 1))
    upload(editor, survey, csv_bytes(OWNERS))
    later = save_settings(editor, survey, named=True, keep_until=date(2099, 7, 1))
    assert later.status_code == 422 and "kan rykkes frem, ikke udskydes" in later.get_data(as_text=True)
    assert 'value="2099-07-01"' in later.get_data(as_text=True)  # what was typed stays in the field
    sooner = save_settings(editor, survey, named=False, keep_until=date(2099, 5, 1))  # the box cannot be changed
    assert sooner.status_code == 303
    settings = db.session.scalar(select(InvitationSettings))
    db.session.refresh(settings)
    assert settings.named is True and settings.keep_until == date(2099, 5, 1)
    past = save_settings(editor, survey, named=True, keep_until=date(2020, 1, 1))
    assert past.status_code == 422 and "Vælg en dag efter i dag" in past.get_data(as_text=True)


def test_a_viewer_sees_the_numbers_but_not_who_and_cannot_change_anything(db, org, survey, editor, client, staff):
    save_settings(editor, survey)
    upload(editor, survey, csv_bytes(OWNERS))
    token = csrf_token(client, page_url(survey))
    client.post("/staff/logout", data={"csrf_token": token})
    staff(make_user(db, org, role="viewer"))
    page = client.get(page_url(survey))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kun administratorer og redaktører kan se" in html
    assert "Åse" not in html and "aase@example.dk" not in html and "Slotsgade" not in html
    assert "<dd>3</dd>" in html
    token = csrf_token(client, page_url(survey))
    for action in ("settings", "upload", "send", "remind"):
        assert client.post(f"{page_url(survey)}/{action}", data={"csrf_token": token}).status_code == 403
    assert client.get(f"{page_url(survey)}/letters.pdf").status_code == 403


def test_a_teacher_gets_403_and_the_survey_page_does_not_offer_the_link(db, org, survey, client, staff):
    staff(make_user(db, org, role="teacher"))
    assert client.get(page_url(survey)).status_code == 403
    assert "Personlige invitationer" not in client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_another_organisations_staff_get_404_at_every_address_of_the_list(db, survey, editor, client, staff, role):
    save_settings(editor, survey)
    upload(editor, survey, csv_bytes(OWNERS))
    other = make_org(db)
    make_survey(db, other, QUESTIONS)
    token = csrf_token(client, page_url(survey))
    client.post("/staff/logout", data={"csrf_token": token})
    staff(make_user(db, other, role=role))
    token = csrf_token(client, "/staff/surveys/")
    assert client.get(page_url(survey)).status_code == 404
    # An admin learns nothing (404); a viewer is refused the changes before the survey is even looked up (403).
    refusal = 404 if role == "admin" else 403
    assert client.get(f"{page_url(survey)}/letters.pdf?who=all").status_code == refusal
    for action in ("settings", "upload", "send", "remind"):
        assert client.post(f"{page_url(survey)}/{action}", data={"csrf_token": token}).status_code == refusal
    assert db.session.scalar(select(func.count(Invitation.id))) == 3


def test_the_survey_page_links_to_its_invitations(db, survey, editor):
    page = editor.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)
    assert f'href="{page_url(survey)}"' in page and "Personlige invitationer" in page


def test_sending_is_refused_while_the_survey_is_a_draft(db, org, editor):
    draft = make_survey(db, org, QUESTIONS, status="draft")
    save_settings(editor, draft)
    upload(editor, draft, csv_bytes(OWNERS))
    sent = post_action(editor, draft, "send")
    assert "Undersøgelsen er ikke åben endnu" in editor.get(sent.location).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Invitation.id)).where(Invitation.mailed_at.is_not(None))) == 0


def test_two_first_saves_of_the_settings_at_the_same_moment_make_one(app, db, survey, editor):
    from concurrent.futures import ThreadPoolExecutor

    token = csrf_token(editor, page_url(survey))
    cookie = editor.get_cookie("session").value

    def save(_n):
        other = app.test_client()
        other.set_cookie("session", cookie)
        return other.post(f"{page_url(survey)}/settings", data={"csrf_token": token, "keep_until": "2099-06-01"})

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert [r.status_code for r in pool.map(save, range(2))] == [303, 303]
    assert db.session.scalar(select(func.count(InvitationSettings.id))) == 1


def test_a_first_save_that_meets_one_made_meanwhile_changes_that_one(db, survey, monkeypatch):
    """PostgreSQL locks no row that is not there yet: the loser of two first saves finds the winner's row."""
    from engagement.invitations import services

    db.session.add(InvitationSettings(survey_id=survey.id, named=False, keep_until=date(2099, 1, 1)))
    db.session.commit()
    real, calls = services.lock_list, []

    def lock_list(session, survey_id):  # the first look comes before the other request committed
        calls.append(survey_id)
        return None if len(calls) == 1 else real(session, survey_id)

    monkeypatch.setattr(services, "lock_list", lock_list)
    settings = services.save_settings(db.session, survey, True, date(2099, 2, 1), date(2026, 1, 1))
    db.session.commit()
    assert (settings.named, settings.keep_until) == (True, date(2099, 2, 1))
    assert db.session.scalar(select(func.count(InvitationSettings.id))) == 1
    assert len(calls) == 2
