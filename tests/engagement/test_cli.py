"""Municipal IT sets Bypuls up from the command line: organisations, staff users and the demo."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from engagement.demo.seed import DEMO_EMAIL, DEMO_PASSWORD, seed
from engagement.models import Organisation, Role, User
from extensions import utcnow
from surveys import answering
from surveys.kinds import KINDS
from surveys.models import Answer, Choice, Question, Response, Survey
from tests.builders import make_org, make_user
from tests.conftest import CSRF

PASSWORD = "kaffe og kanelsnegle"


@pytest.fixture
def cli(app, db):
    """Run a `flask` command as IT would: `cli("create-org", "--slug", ...)`; returns click's result."""
    def run(*args, input=None):
        result = app.test_cli_runner().invoke(args=list(args), input=input)
        # The command committed through its own session: read afresh what it left behind.
        db.session.rollback()
        return result
    return run


def users_with(db, email):
    return db.session.scalars(select(User).where(func.lower(User.email) == email.lower())).all()


def test_it_admin_creates_an_organisation_and_a_user_who_can_log_in(cli, db, client, staff):
    result = cli("create-org", "--slug", "vordingborg", "--name", "Vordingborg bymidte")
    assert result.exit_code == 0, result.output
    assert "vordingborg" in result.output

    result = cli("create-user", "--org", "vordingborg", "--email", "anna@vordingborg.dk", "--role", "editor",
                 "--password", PASSWORD)
    assert result.exit_code == 0, result.output

    [user] = users_with(db, "anna@vordingborg.dk")
    assert user.role is Role.editor and user.organisation.name == "Vordingborg bymidte"
    staff(user, password=PASSWORD)
    assert client.get("/staff/surveys/").status_code == 200


def test_it_admin_who_gives_no_password_is_asked_for_it_twice(cli, db, staff):
    make_org(db, slug="nakskov")
    result = cli("create-user", "--org", "nakskov", "--email", "bo@nakskov.dk", "--role", "teacher",
                 input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Password" in result.output and PASSWORD not in result.output

    [user] = users_with(db, "bo@nakskov.dk")
    assert user.role is Role.teacher
    staff(user, password=PASSWORD)


def test_it_admin_cannot_create_an_organisation_whose_slug_is_taken(cli, db):
    make_org(db, slug="vordingborg", name="Vordingborg bymidte")
    result = cli("create-org", "--slug", "vordingborg", "--name", "Another")
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


@pytest.mark.parametrize("args, message", [
    (["--org", "atlantis", "--role", "editor", "--password", PASSWORD], "No organisation has the slug 'atlantis'"),
    (["--org", "ringsted", "--role", "boss", "--password", PASSWORD], "Invalid value for '--role'"),
    (["--org", "ringsted", "--role", "editor", "--password", "kort"], "at least 10 characters"),
])
def test_it_admin_gets_a_clear_refusal_for_a_user_that_cannot_be_made(cli, db, args, message):
    make_org(db, slug="ringsted")
    result = cli("create-user", "--email", "ny@ringsted.dk", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert users_with(db, "ny@ringsted.dk") == []


def test_it_admin_cannot_give_two_users_the_same_email_in_any_case(cli, db):
    org = make_org(db, slug="ringsted")
    make_user(db, org, email="Anna@Ringsted.dk")
    result = cli("create-user", "--org", "ringsted", "--email", "anna@ringsted.dk", "--role", "viewer",
                 "--password", PASSWORD)
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert len(users_with(db, "anna@ringsted.dk")) == 1


# --- The demo ---------------------------------------------------------------

@pytest.fixture
def demo(cli, db):
    result = cli("seed-demo")
    assert result.exit_code == 0, result.output
    assert DEMO_EMAIL in result.output and DEMO_PASSWORD in result.output
    return db.session.scalar(select(Organisation).where(Organisation.slug == "vordingborg"))


def responses_of(db, slug, completed=None):
    query = select(func.count(Response.id)).join(Survey).where(Survey.slug == slug)
    if completed is not None:
        query = query.where(Response.completed_at.is_not(None) if completed else Response.completed_at.is_(None))
    return db.session.scalar(query)


def test_demo_has_vordingborg_with_staff_in_every_role(demo, db):
    assert demo.name == "Vordingborg bymidte"
    assert {user.role for user in demo.users} == set(Role)
    assert all(user.check_password(DEMO_PASSWORD) for user in demo.users)


def test_demo_admin_logs_in_with_the_printed_password_and_sees_both_surveys(demo, db, client, staff):
    [admin] = users_with(db, DEMO_EMAIL)
    assert admin.role is Role.admin
    page = staff(admin, password=DEMO_PASSWORD).get("/staff/surveys/").get_data(as_text=True)
    assert "Unge i bymidten" in page and "Det tomme butikslokale på Algade 12" in page


def test_demo_surveys_are_open_with_the_expected_number_of_responses(demo, db):
    surveys = db.session.scalars(select(Survey).where(Survey.organisation_id == demo.id)).all()
    assert {s.slug: s.state.value for s in surveys} == {"unge-i-bymidten": "open", "algade-12": "open",
                                                        "algade-12-afproevning": "open"}
    assert responses_of(db, "unge-i-bymidten") == 300
    assert responses_of(db, "algade-12") == 220
    # The feedback on the trial in Algade 12: 70 before it began and 110 since, all finished.
    assert responses_of(db, "algade-12-afproevning") == responses_of(db, "algade-12-afproevning", True) == 180
    for slug in ("unge-i-bymidten", "algade-12"):
        # Some stopped partway: about 15 %, each with at least one answer sent.
        assert 0.08 < responses_of(db, slug, completed=False) / responses_of(db, slug) < 0.25
    assert db.session.scalar(select(func.count(Response.id)).where(~Response.answers.any())) == 0


def test_young_person_opens_the_demo_surveys_from_a_poster(demo, client):
    for slug, title in (("unge-i-bymidten", "Unge i bymidten"), ("algade-12", "Algade 12")):
        page = client.get(f"/s/{slug}", follow_redirects=True)
        assert page.status_code == 200
        assert title in page.get_data(as_text=True)


def test_young_person_answers_the_demo_survey_on_top_of_the_seeded_answers(demo, db, client):
    """The seeded survey works in the real flow: every screen, the follow-up, the thank-you page."""
    completed_before = responses_of(db, "unge-i-bymidten", completed=True)
    url = "/s/unge-i-bymidten"
    for _screen in range(12):
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        if "/tak" in url:
            break
        action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
        question = db.session.get(Question, int(action.rsplit("/", 1)[1]))
        field = f"q{question.id}"
        if question.kind in ("single_choice", "multiple_choice", "yes_no", "scale", "rating"):
            # The first option shown: for yes/no that is "Ja", so the follow-up comes.
            value = re.search(rf'name="{field}" id="[^"]+" value="([^"]+)"', html).group(1)
        elif question.kind == "map_point":  # a place picked from the list of named areas
            field, value = f"{field}_area", str(question.choices[0].id)
        else:
            value = {"number": "12", "short_text": "Ved stationen", "long_text": "Et sted at være 🙂"}[question.kind]
        response = client.post(action, data={"csrf_token": CSRF.search(html).group(1), field: value})
        assert response.status_code == 303, response.get_data(as_text=True)[-500:]
        url = response.location
    assert "ungdomsrådet" in html
    assert responses_of(db, "unge-i-bymidten", completed=True) == completed_before + 1
    assert db.session.scalar(select(func.count()).where(Answer.text == "Ved stationen")) == 1


def test_every_demo_answer_is_valid_for_its_question_as_the_answering_flow_checks_it(demo, db):
    """Each stored answer parses again with its kind's own rules and gives the same rows;
    every completed response has no gaps and no answer to a question it did not see."""
    surveys = db.session.scalars(select(Survey).where(Survey.organisation_id == demo.id)).all()
    questions = {q.id: q for s in surveys for q in s.questions}
    by_response: dict[int, dict[int, list[Answer]]] = {}
    for answer in db.session.scalars(select(Answer).order_by(Answer.id)):
        by_response.setdefault(answer.response_id, {}).setdefault(answer.question_id, []).append(answer)
    for response in db.session.scalars(select(Response)):
        survey = next(s for s in surveys if s.id == response.survey_id)
        answers = by_response[response.id]
        seen = {q.id for q in answering.visible_questions(survey, answering.picked_choices(answers))}
        assert set(answers) <= seen, "an answer to a question this person was not shown"
        if response.completed:
            assert answering.first_gap(survey, answers) is None
        for question_id, rows in answers.items():
            question = questions[question_id]
            assert question.survey_id == survey.id
            kind = KINDS[question.kind]
            value = kind.parse(question, kind.raw_from_answers(question, rows))
            stored = sorted(((a.choice_id, a.number, a.text, a.x, a.y) for a in rows), key=repr)
            expected = sorted(((r.get("choice_id"), r.get("number"), r.get("text"), r.get("x"), r.get("y"))
                               for r in kind.rows(question, value)), key=repr)
            assert stored == expected


def test_demo_choice_answers_belong_to_their_question_and_numbers_are_in_range(demo, db):
    foreign = select(func.count(Answer.id)).join(Choice, Choice.id == Answer.choice_id).where(
        Choice.question_id != Answer.question_id)
    assert db.session.scalar(foreign) == 0
    ranges = db.session.execute(select(Question, func.min(Answer.number), func.max(Answer.number))
                                .join(Answer).where(Answer.number.is_not(None)).group_by(Question.id)).all()
    assert {q.kind for q, _low, _high in ranges} == {"scale", "rating", "number"}
    for question, low, high in ranges:
        kind = KINDS[question.kind]
        if question.kind == "number":
            allowed = (question.setting("min"), question.setting("max"))
        else:
            allowed = (kind.low, kind.high)
        assert allowed[0] <= low <= high <= allowed[1], question.prompt


def test_demo_follow_up_is_answered_only_by_those_who_said_there_are_places_they_avoid(demo, db):
    follow_up = db.session.scalar(select(Question).where(Question.prompt == "Hvor, og hvorfor?"))
    condition = follow_up.show_if_choice
    assert condition.question.kind == "yes_no" and condition.position == 1
    answered = set(db.session.scalars(select(Answer.response_id).where(Answer.question_id == follow_up.id)))
    said_yes = set(db.session.scalars(select(Answer.response_id).where(Answer.choice_id == condition.id)))
    assert answered and answered <= said_yes
    said_no = select(Answer.response_id).join(Choice, Choice.id == Answer.choice_id).where(
        Choice.question_id == condition.question_id, Choice.id != condition.id)
    assert not answered & set(db.session.scalars(said_no))


def test_demo_responses_spread_over_six_weeks_and_take_half_a_minute_to_two_and_a_half(demo, db):
    now = utcnow()
    responses = db.session.scalars(select(Response)).all()
    assert all(now - timedelta(days=43) < r.started_at < now for r in responses)
    assert max(r.started_at for r in responses) - min(r.started_at for r in responses) > timedelta(days=30)
    durations = [(r.completed_at - r.started_at).total_seconds() for r in responses if r.completed]
    assert 30 <= min(durations) and max(durations) <= 150
    weekdays = sum(1 for r in responses if r.started_at.weekday() < 5)
    assert weekdays / len(responses) > 5 / 7, "more answers on school days"


def test_demo_free_text_is_varied_danish_and_sometimes_left_empty(demo, db):
    texts = db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))).all()
    assert len(set(texts)) > 30
    assert any(ch in "".join(texts) for ch in "æøå") and any(ord(ch) > 0xFFFF for ch in "".join(texts))
    optional = db.session.scalar(select(Question).where(
        Question.prompt == "Hvad skulle der til, for at du kom oftere?"))
    answered = db.session.scalar(select(func.count()).where(Answer.question_id == optional.id))
    assert 0 < answered < responses_of(db, "unge-i-bymidten", completed=True)


def row_counts(db) -> list[int]:
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Organisation, User, Survey, Question, Response, Answer)]


def test_demo_seeded_with_if_empty_again_adds_nothing(demo, cli, db):
    before = row_counts(db)
    result = cli("seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert row_counts(db) == before


def test_demo_seeded_twice_without_if_empty_is_refused_with_a_message(demo, cli, db):
    result = cli("seed-demo")
    assert result.exit_code != 0
    assert "exists already" in result.output
    assert responses_of(db, "unge-i-bymidten") == 300


def test_demo_seed_on_an_empty_database_with_if_empty_creates_the_demo(cli, db):
    result = cli("seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert responses_of(db, "algade-12") == 220


def test_demo_answers_are_the_same_whenever_it_is_seeded(db, monkeypatch):
    tallies = []
    for now in (datetime(2026, 3, 2, 7, 0), datetime(2026, 11, 27, 22, 30)):
        monkeypatch.setattr("engagement.demo.seed.utcnow", lambda now=now: now)
        seed(db.session)
        tallies.append(_positional_tally(db))
        db.session.rollback()
    assert tallies[0] == tallies[1]


def _positional_tally(db) -> list[tuple]:
    """Answers counted by survey slug, question position and option position: ids differ between runs."""
    return sorted(db.session.execute(
        select(Survey.slug, Question.position, Choice.position, Answer.number, Answer.text,
               Response.completed_at.is_(None), func.count())
        .select_from(Answer).join(Question, Question.id == Answer.question_id).join(Survey)
        .join(Response, Response.id == Answer.response_id).outerjoin(Choice, Choice.id == Answer.choice_id)
        .group_by(Survey.slug, Question.position, Choice.position, Answer.number, Answer.text,
                  Response.completed_at.is_(None))).all(), key=repr)


def test_demo_shows_a_skate_park_poster_that_is_scanned_often_but_rarely_finished(demo, db):
    from engagement.touchpoints.services import funnel
    from surveys.results import Filters

    survey = db.session.scalar(select(Survey).where(Survey.slug == "unge-i-bymidten"))
    rows = {row["name"]: row for row in funnel(db.session, survey, Filters())}
    park, school = rows["Skateparken ved Havnen"], rows["Vordingborg Gymnasium, kantinen"]
    assert park["scans"] > park["started"] > 0 and school["started"] > 0
    assert park["start_rate"] < school["start_rate"]
    assert rows["Direkte link"]["started"] > 0  # not every answer came through a poster
