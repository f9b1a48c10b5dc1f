"""Staff take every idea home as CSV or Excel: Danish time, class votes, no formulas, e-mails only with consent."""
import csv
import io
from datetime import datetime, timedelta

from openpyxl import load_workbook

from engagement.classes.models import ClassSession
from engagement.competitions import services
from engagement.competitions.exports import idea_rows
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.engagement.competitions.staff_photos import webp_photo


def make_class_session(db, competition, name="7.b"):
    session = ClassSession(organisation_id=competition.organisation_id, name=name, code=f"K{name[0]}{competition.id}X",
                           competition_id=competition.id, ends_at=datetime.utcnow() + timedelta(hours=1))
    db.session.add(session)
    db.session.commit()
    return session


def read_csv(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_has_every_idea_with_local_time_votes_class_votes_and_consented_email(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org, categories=["Kultur"])
    lesson = make_class_session(db, competition)
    sent = datetime(2026, 6, 1, 10, 30)  # 12:30 in Copenhagen
    idea = make_idea(db, competition, title="Koncertsal", category_id=competition.categories[0].id, nickname="Maja",
                     age_band="13-15", contact_email="maja@example.dk", contact_consent=True,
                     class_session_id=lesson.id, photo=webp_photo())
    idea.submitted_at = sent
    make_idea(db, competition, status="rejected", title="Afvist", contact_email=None)
    for device in ("a", "b"):
        services.set_vote(db.session, competition, idea, device, 1)
    services.set_vote(db.session, competition, idea, "c", 1, ballot=services.class_ballot(lesson.id))
    db.session.commit()
    staff(make_user(db, org, role="editor"))
    response = client.get(f"/staff/competitions/{competition.id}/ideas.csv?lang=en")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    header, first, second = read_csv(response)
    row = dict(zip(header, first, strict=True))
    assert row["Sent at"] == "2026-06-01 12:30:00"
    assert (row["Status"], row["Category"], row["Title"], row["Nickname"], row["Age"]) == (
        "Approved", "Kultur", "Koncertsal", "Maja", "13–15")
    assert (row["Votes"], row["Class votes"], row["Contact e-mail"], row["Photo"]) == (
        "2", "1", "maja@example.dk", "Yes")
    assert row["Class session number"] == str(lesson.id)
    assert dict(zip(header, second, strict=True))["Status"] == "Rejected"


def test_text_that_looks_like_a_formula_stays_text_in_csv_and_excel(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    make_idea(db, competition, title='=HYPERLINK("http://evil.example","Klik")', description="+45 1234",
              nickname="@maja")
    staff(make_user(db, org))
    header, row = read_csv(client.get(f"/staff/competitions/{competition.id}/ideas.csv?lang=en"))
    cells = dict(zip(header, row, strict=True))
    assert cells["Title"].startswith("'=HYPERLINK")
    assert (cells["Description"], cells["Nickname"]) == ("'+45 1234", "'@maja")
    book = load_workbook(io.BytesIO(client.get(f"/staff/competitions/{competition.id}/ideas.xlsx").data))
    sheet = book.active
    title = sheet.cell(row=2, column=5)
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK")
    assert isinstance(sheet.cell(row=2, column=2).value, datetime)


def test_a_viewer_exports_no_contact_emails(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    make_idea(db, competition, contact_email="maja@example.dk", contact_consent=True)
    staff(make_user(db, org, role="viewer"))
    response = client.get(f"/staff/competitions/{competition.id}/ideas.csv?lang=en")
    assert response.status_code == 200
    assert b"maja@example.dk" not in response.data and "Contact e-mail" not in read_csv(response)[0]


def test_the_export_for_one_class_session_holds_only_its_ideas(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    lesson = make_class_session(db, competition)
    make_idea(db, competition, title="Fra klassen", class_session_id=lesson.id)
    make_idea(db, competition, title="Fra plakaten")
    staff(make_user(db, org))
    rows = read_csv(client.get(f"/staff/competitions/{competition.id}/ideas.csv?class_session={lesson.id}&lang=en"))
    assert [r[4] for r in rows[1:]] == ["Fra klassen"]
    assert idea_rows(db.session, competition, lesson.id)[1][0][4] == "Fra klassen"


def test_another_organisations_class_session_is_a_404(client, db, staff):
    org, other = make_org(db), make_org(db)
    competition = make_competition(db, org)
    foreign = make_class_session(db, make_competition(db, other), name="9.a")
    staff(make_user(db, org))
    for suffix in ("csv", "xlsx"):
        for value in (foreign.id, "abc"):
            url = f"/staff/competitions/{competition.id}/ideas.{suffix}?class_session={value}"
            assert client.get(url).status_code == 404
