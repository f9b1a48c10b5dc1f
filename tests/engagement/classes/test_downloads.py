"""The teacher takes the class's work home: a PDF and the raw data, and the municipality's results
page can show one class's slice."""
import subprocess

from sqlalchemy import select

from engagement.competitions import services as competitions
from engagement.competitions.models import Voter
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.classes.builders import answer_whole_survey, make_class_session

SURVEY = [{"kind": "single_choice", "prompt": "Hvad mangler du på Torvet?", "choices": ["Bænke", "Træer", "Læ"]},
          {"kind": "short_text", "prompt": "Hvad skal Algade 12 være?"}]


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def class_with_answers(client, db, pupils=3):
    org = make_org(db)
    survey = make_survey(db, org, SURVEY, title="Unge i bymidten")
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, survey, name="2.g Vordingborg Gymnasium, bymidten")
    pupil = client.application.test_client()
    for _ in range(pupils):
        answer_whole_survey(pupil, f"/join/{class_session.code}")
    answer_whole_survey(pupil, f"/s/{survey.slug}")  # someone outside the class
    return survey, teacher, class_session


def test_the_survey_report_has_the_classs_figures_with_danish_letters_as_text(client, db, staff, tmp_path):
    _survey, teacher, class_session = class_with_answers(client, db)
    staff(teacher)
    response = client.get(f"/staff/classes/{class_session.id}/report.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "2.g Vordingborg Gymnasium, bymidten" in text
    assert "Hvad mangler du på Torvet?" in text and "Bænke" in text and "Læ" in text
    assert "3 pupils finished the survey" in text
    assert "3 (100 %)" in text  # everyone in the class picked the first option; the outsider is not counted


def test_the_raw_export_and_the_results_page_filter_by_class_session(client, db, staff):
    survey, teacher, class_session = class_with_answers(client, db, pupils=2)
    staff(teacher)
    export = client.get(f"/staff/surveys/{survey.id}/export.csv?class_session={class_session.id}&lang=en")
    lines = export.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 1 + 2 and "Class session" in lines[0]
    assert all(class_session.name in line for line in lines[1:])
    everyone = client.get(f"/staff/surveys/{survey.id}/export.csv").get_data(as_text=True).strip().splitlines()
    assert len(everyone) == 1 + 3
    page = client.get(f"/staff/surveys/{survey.id}/results?class_session={class_session.id}&lang=en")
    html = page.get_data(as_text=True)
    assert f'<option value="{class_session.id}" selected>' in html
    assert '<div><dt>Completed</dt><dd>2</dd></div>' in html


def test_a_class_session_filter_of_another_organisation_is_left_out_with_a_message(client, db, staff):
    survey, _teacher, _class_session = class_with_answers(client, db, pupils=1)
    other = make_org(db)
    foreign = make_class_session(db, make_user(db, other, role="teacher"), make_survey(db, other, SURVEY))
    staff(make_user(db, survey_org(db, survey), role="viewer"))
    page = client.get(f"/staff/surveys/{survey.id}/results?class_session={foreign.id}&lang=en").get_data(as_text=True)
    assert "A filter on a class session that does not exist was left out." in page
    assert foreign.name not in page
    assert '<div><dt>Completed</dt><dd>2</dd></div>' in page


def survey_org(db, survey):
    from engagement.models import Organisation

    return db.session.get(Organisation, survey.organisation_id)


def test_the_competition_report_lists_the_classs_ideas_by_class_dots_and_the_export_only_the_class(
        client, db, staff, tmp_path):
    org = make_org(db)
    competition = make_competition(db, org, title="Hvad skal Algade 12 være?", voting_mode="dots")
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, competition=competition, name="8.b Kulsbjerg Skole")
    liked = make_idea(db, competition, class_session_id=class_session.id, title="Skatecafé med værksted")
    make_idea(db, competition, class_session_id=class_session.id, title="Grøn gård", status="pending")
    make_idea(db, competition, class_session_id=class_session.id, title="Skjult idé", status="rejected")
    make_idea(db, competition, title="En idé fra gaden")
    competitions.set_vote(db.session, competition, liked, "device-a", 3,
                          ballot=competitions.class_ballot(class_session.id), budget=5)
    db.session.commit()
    assert db.session.scalar(select(Voter.ballot)) == f"class-{class_session.id}"
    staff(teacher)
    text = pdf_text(client.get(f"/staff/classes/{class_session.id}/report.pdf").data, tmp_path)
    assert text.index("Skatecafé med værksted") < text.index("Grøn gård")
    assert "Skjult" not in text and "gaden" not in text and "8.b Kulsbjerg Skole" in text
    export = client.get(f"/staff/classes/{class_session.id}/ideas.csv").get_data(as_text=True)
    assert "Skatecafé med værksted" in export and "Grøn gård" in export and "gaden" not in export


def test_a_teacher_sees_neither_the_name_nor_the_slice_of_another_teachers_class(client, db, staff):
    survey, colleague, their_class = class_with_answers(client, db, pupils=2)
    org = survey_org(db, survey)
    teacher = make_user(db, org, role="teacher")
    mine = make_class_session(db, teacher, survey, name="8.b Kulsbjerg Skole")
    answer_whole_survey(client.application.test_client(), f"/join/{mine.code}")
    staff(teacher)
    page = client.get(f"/staff/surveys/{survey.id}/results?class_session={their_class.id}&lang=en")
    html = page.get_data(as_text=True)
    assert "A filter on a class session that does not exist was left out." in html
    assert their_class.name not in html and f'<option value="{mine.id}"' in html
    assert '<div><dt>Completed</dt><dd>4</dd></div>' in html  # everyone: the filter was left out
    export = client.get(f"/staff/surveys/{survey.id}/export.csv?class_session={their_class.id}")
    lines = export.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 1 + 4 and their_class.name not in export.get_data(as_text=True)
    assert sum(mine.name in line for line in lines) == 1


def test_a_viewer_sees_every_teachers_class_in_the_filter_and_the_export(client, db, staff):
    survey, _teacher, first = class_with_answers(client, db, pupils=1)
    second = make_class_session(db, make_user(db, survey_org(db, survey), role="teacher"), survey, name="8.b")
    staff(make_user(db, survey_org(db, survey), role="viewer"))
    html = client.get(f"/staff/surveys/{survey.id}/results?class_session={second.id}").get_data(as_text=True)
    assert f'<option value="{second.id}" selected>' in html and f'<option value="{first.id}"' in html
    assert first.name in client.get(f"/staff/surveys/{survey.id}/export.csv").get_data(as_text=True)
