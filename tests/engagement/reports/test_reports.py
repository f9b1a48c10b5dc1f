"""Staff make a report of a period, fill it with sections and read it: the numbers on the page are counted
again here, independently, small groups are hidden, and the report is another organisation's secret."""
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from engagement.competitions.models import Vote, Voter
from engagement.reports.models import Report, ReportSection
from surveys.models import Response
from surveys.timezone import from_local
from tests.builders import EVERY_KIND, make_competition, make_idea, make_org, make_survey, make_user
from tests.conftest import csrf_token
from tests.surveys.test_results import add_response

DAY = datetime(2026, 3, 10, 12, 0)
SINCE, UNTIL = DAY.date(), (DAY + timedelta(days=20)).date()


def at(days: int) -> datetime:
    """A stored (UTC) time `days` after 10 March 2026 at noon, Danish time."""
    return from_local(DAY + timedelta(days=days)).replace(tzinfo=None)


def survey_with_answers(db, org, n_in=12, n_before=3):
    survey = make_survey(db, org, EVERY_KIND, title="Bymidten i foråret")
    for i in range(n_in):
        add_response(db, survey, {0: "13-17" if i % 3 else "18-25", 1: ["Torvet", "Havnen"] if i % 2 else ["Havnen"],
                                  2: "Ja", 4: 4, 5: 8, 6: 10 + i, 7: f"Mere liv på torvet nummer {i}", 8: "Træ"},
                     started=at(i % 5))
    for i in range(n_before):  # before the period: never counted
        add_response(db, survey, {0: "Over 25", 2: "Nej", 3: "Langt væk"}, started=at(-40 - i))
    return survey


def make_report(db, org, sections=(), since=SINCE, until=UNTIL, **fields):
    report = Report(organisation_id=org.id, title=fields.pop("title", "Bymidten i foråret 2026"),
                    introduction="Sådan gik det.", since=since, until=until, **fields)
    for position, (kind, target, options) in enumerate(sections, start=1):
        part = ReportSection(kind=kind, position=position, text=f"Tekst til afsnit {position}", options=options)
        if kind in ("survey", "places"):
            part.survey_id = target.id
        elif kind == "competition":
            part.competition_id = target.id
        report.sections.append(part)
    db.session.add(report)
    db.session.commit()
    return report


def figures(html: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))


def table_after(html: str, title: str) -> list[list[str]]:
    """The rows of the table under the chart titled `title`, as cell texts."""
    start = html.index(f">{title}</h3>")
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    return [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row) for row in body.split("</tr>") if "<t" in row]


def test_an_editor_makes_a_report_and_adds_a_survey_section(client, db, staff):
    org = make_org(db)
    survey = survey_with_answers(db, org)
    staff(make_user(db, org, role="editor"))
    token = csrf_token(client, "/staff/reports/new")
    made = client.post("/staff/reports/new", data={"csrf_token": token, "title": "Foråret i bymidten",
                                                   "introduction": "Til byrådet.", "since": "2026-03-01",
                                                   "until": "2026-03-31"})
    assert made.status_code == 302
    report = db.session.scalar(select(Report))
    token = csrf_token(client, f"/staff/reports/{report.id}/edit")
    added = client.post(f"/staff/reports/{report.id}/sections", data={"csrf_token": token,
                                                                      "target": f"survey:{survey.id}"})
    assert added.status_code == 302
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "Foråret i bymidten" in html and "Til byrådet." in html and survey.title in html
    assert "1. marts 2026 – 31. marts 2026" in html
    counted = db.session.scalar(select(func.count()).select_from(Response).where(
        Response.survey_id == survey.id, Response.completed_at.is_not(None),
        Response.started_at >= from_local(datetime(2026, 3, 1)),
        Response.started_at < from_local(datetime(2026, 4, 1))))
    assert counted == 12
    assert figures(html)["Gennemført"] == "12"
    rows = table_after(html, f"1. {survey.questions[0].prompt}")
    assert ["13-17", "8", "67 %"] in rows and ["18-25", "4", "33 %"] in rows and ["Over 25", "0", "0 %"] in rows


def test_a_question_fewer_than_five_answered_shows_no_numbers(client, db, staff):
    org = make_org(db)
    survey = survey_with_answers(db, org)
    # Only three people in the period were asked "Hvorfor ikke?" (they answered Nej).
    for _i in range(3):
        add_response(db, survey, {0: "Under 13", 2: "Nej", 3: "For langt"}, started=at(1))
    report = make_report(db, org, [("survey", survey, {"quotes": True})])
    staff(make_user(db, org, role="viewer"))
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    section = html[html.index(survey.questions[3].prompt):]
    assert "Færre end 5" in section[:600]
    assert "For langt" not in html
    assert "Mere liv på torvet nummer 11" in html  # the quotes of a question 12 answered


def test_quotes_only_when_the_section_asks_for_them(client, db, staff):
    org = make_org(db)
    survey = survey_with_answers(db, org)
    report = make_report(db, org, [("survey", survey, {})])
    staff(make_user(db, org))
    assert "Mere liv på torvet" not in client.get(f"/staff/reports/{report.id}").get_data(as_text=True)


def test_a_closed_period_gives_the_same_numbers_after_more_answers_come(client, db, staff):
    org = make_org(db)
    survey = survey_with_answers(db, org)
    report = make_report(db, org, [("survey", survey, {})])
    staff(make_user(db, org))
    before = figures(client.get(f"/staff/reports/{report.id}").get_data(as_text=True))
    for _i in range(4):
        add_response(db, survey, {0: "18-25", 2: "Ja"})  # today: after the period
    after = figures(client.get(f"/staff/reports/{report.id}").get_data(as_text=True))
    assert before == after and after["Gennemført"] == "12"


def test_a_period_that_ends_before_it_starts_is_refused_and_keeps_what_was_typed(client, db, staff):
    org = make_org(db)
    staff(make_user(db, org))
    token = csrf_token(client, "/staff/reports/new")
    page = client.post("/staff/reports/new", data={"csrf_token": token, "title": "Min rapport",
                                                   "since": "2026-05-01", "until": "2026-04-01"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "slutter, før den begynder" in html and 'value="Min rapport"' in html
    assert db.session.scalar(select(func.count()).select_from(Report)) == 0


def test_cross_tab_groups_smaller_than_five_say_so(client, db, staff):
    org = make_org(db)
    survey = survey_with_answers(db, org)
    age, weekly = survey.questions[0], survey.questions[2]
    report = make_report(db, org, [("survey", survey, {"crosstabs": [[weekly.id, f"question:{age.id}"]]})])
    staff(make_user(db, org))
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    rows = table_after(html, f"3. {weekly.prompt} – efter 1. {age.prompt}")
    by_group = {row[0]: row[1:] for row in rows}
    assert by_group["13-17"][0] == "8" and by_group["13-17"][1].startswith("8 (100 %)")
    assert by_group["18-25"][0] == "færre end 5"


def test_a_competition_section_shows_published_ideas_and_the_votes_of_the_period(client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    shown = make_idea(db, competition, title="Skatehal i Algade 12")
    make_idea(db, competition, status="pending", title="Hemmelig kladde")
    make_idea(db, competition, status="rejected", title="Afvist forslag")
    for days in (1, 2, 3, 30):  # the last is after the period
        voter = Voter(competition_id=competition.id, ballot="public", device_hash=f"device-{days}")
        db.session.add(voter)
        db.session.flush()
        db.session.add(Vote(voter_id=voter.id, idea_id=shown.id, dots=1, cast_at=at(days)))
    db.session.commit()
    report = make_report(db, org, [("competition", competition, {})])
    staff(make_user(db, org))
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "Skatehal i Algade 12" in html
    assert "Hemmelig kladde" not in html and "Afvist forslag" not in html
    assert ["Skatehal i Algade 12", "3", "0", "3"] in table_after(html, "Stemmer pr. idé")


def test_another_organisations_staff_cannot_reach_a_report(client, db, staff):
    org, other = make_org(db), make_org(db)
    report = make_report(db, org, [("survey", survey_with_answers(db, org, n_in=5, n_before=0), {})])
    staff(make_user(db, other, role="admin"))
    for url in (f"/staff/reports/{report.id}", f"/staff/reports/{report.id}/edit",
                f"/staff/reports/{report.id}/report.html", f"/staff/reports/{report.id}/report.pdf"):
        assert client.get(url).status_code == 404, url
    assert report.title not in client.get("/staff/reports/").get_data(as_text=True)


def test_a_viewer_reads_but_cannot_change_a_report(client, db, staff):
    org = make_org(db)
    report = make_report(db, org)
    staff(make_user(db, org, role="viewer"))
    assert client.get(f"/staff/reports/{report.id}").status_code == 200
    assert client.get(f"/staff/reports/{report.id}/edit").status_code == 403
    token = csrf_token(client, f"/staff/reports/{report.id}")
    assert client.post(f"/staff/reports/{report.id}/delete", data={"csrf_token": token}).status_code == 403
    assert db.session.get(Report, report.id) is not None


def test_section_options_are_saved_from_the_form(client, db, staff):
    org = make_org(db)
    survey = survey_with_answers(db, org, n_in=6, n_before=0)
    report = make_report(db, org, [("survey", survey, {})])
    part = report.sections[0]
    age, weekly = survey.questions[0], survey.questions[2]
    staff(make_user(db, org))
    token = csrf_token(client, f"/staff/reports/{report.id}/edit")
    saved = client.post(f"/staff/reports/{report.id}/sections/{part.id}", data={
        "csrf_token": token, "text": "Det unge svarer.", "questions": [str(age.id), str(weekly.id)], "quotes": "1",
        "crosstab_0": str(weekly.id), "crosstab_by_0": f"question:{age.id}",
        "crosstab_1": str(age.id), "crosstab_by_1": f"question:{age.id}"})  # by itself: skipped
    assert saved.status_code == 302
    db.session.refresh(part)
    assert part.text == "Det unge svarer."
    assert part.options == {"quotes": True, "rounds": False, "questions": [age.id, weekly.id],
                            "crosstabs": [[weekly.id, f"question:{age.id}"]]}
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert survey.questions[4].prompt not in html and age.prompt in html


def test_the_class_sessions_section_counts_the_sessions_of_the_period(client, db, staff):
    from engagement.classes.models import ClassSession

    org = make_org(db)
    survey = survey_with_answers(db, org, n_in=0, n_before=0)
    teacher = make_user(db, org, role="teacher")
    sessions = [ClassSession(organisation_id=org.id, teacher_id=teacher.id, name=name, code=code, survey_id=survey.id,
                             ends_at=at(days) + timedelta(hours=2), created_at=at(days))
                for name, code, days in (("8.a Kulsbjerg", "ABCDEFG2", 2), ("9.b Kulsbjerg", "ABCDEFG3", 4),
                                         ("Før perioden", "ABCDEFG4", -30))]
    db.session.add_all(sessions)
    db.session.commit()
    for _i in range(6):
        response_id = add_response(db, survey, {0: "13-17", 2: "Ja"}, started=at(2))
        db.session.get(Response, response_id).class_session_id = sessions[0].id
    db.session.commit()
    report = make_report(db, org, [("classes", None, {})])
    staff(make_user(db, org))
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert figures(html)["Klasseforløb"] == "2"
    assert "Før perioden" not in html
    assert "6 elever svarede" in html and "færre end 5" in html  # 9.b: nobody answered


def test_contact_details_typed_into_an_answer_never_leave_in_a_quote(client, db, staff):
    org = make_org(db)
    survey = survey_with_answers(db, org)
    add_response(db, survey, {0: "13-17", 2: "Ja", 7: "Skriv til mig på ung.person@example.dk eller 22 33 44 55"},
                 started=at(2))
    report = make_report(db, org, [("survey", survey, {"quotes": True})])
    staff(make_user(db, org))
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "Skriv til mig på [e-mail fjernet] eller [telefonnummer fjernet]" in html
    assert "ung.person@example.dk" not in html and "22 33 44 55" not in html


def test_the_pdf_of_a_report_holds_the_numbers_the_page_shows(client, db, staff, tmp_path):
    import subprocess

    org = make_org(db)
    survey = survey_with_answers(db, org)
    report = make_report(db, org, [("survey", survey, {"questions": [survey.questions[0].id, survey.questions[3].id],
                                                       "quotes": True})])
    staff(make_user(db, org, role="viewer"))
    got = client.get(f"/staff/reports/{report.id}/report.pdf")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    path = tmp_path / "rapport.pdf"
    path.write_bytes(got.data)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Bymidten i foråret 2026" in text and "10. marts 2026 – 30. marts 2026" in text
    assert "13-17 8 67 %" in text and "18-25 4 33 %" in text  # the table under the chart, as on the page
    assert f"4. {survey.questions[3].prompt} Færre end 5" in text  # nobody in the period answered it
    assert "Side 2 af" in text
