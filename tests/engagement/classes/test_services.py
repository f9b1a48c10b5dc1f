"""Join codes and who sees which session: the rules under the pages."""
import re

import pytest

from engagement.classes import services
from engagement.classes.services import SessionValues
from extensions import utcnow
from tests.builders import EVERY_KIND, make_competition, make_org, make_survey, make_user
from tests.engagement.classes.builders import make_class_session


def test_join_codes_have_no_look_alike_characters_and_read_in_two_groups():
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) > 1990
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code) for code in codes)
    assert not set("".join(codes)) & set("0O1IL")
    assert services.grouped("KF729M") == "KF7 29M"


@pytest.mark.parametrize("typed", ["kf729m", "KF7 29M", " kf7-29m ", "Kf7–29M"])
def test_a_code_typed_in_lower_case_with_spaces_or_dashes_is_the_same_code(typed):
    assert services.normalise_code(typed) == "KF729M"


@pytest.mark.parametrize("typed", ["", "KF729", "KF729MM", "KF729O", "KF7291", "<script>"])
def test_something_that_cannot_be_a_code_is_refused_before_the_database(typed):
    assert services.normalise_code(typed) is None


def test_a_code_clash_is_retried_with_a_new_code(db, monkeypatch):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    survey = make_survey(db, org, EVERY_KIND[:1])
    taken = make_class_session(db, teacher, survey, code="AAAAAA")
    codes = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(services, "new_code", lambda: next(codes))
    started = services.start_session(db.session, teacher, SessionValues(
        name="2.g", target=f"survey:{survey.id}", ends_at=taken.ends_at))
    db.session.commit()
    assert started.code == "BBBBBB" and started.teacher_id == teacher.id


def test_a_session_cannot_be_started_on_a_closed_survey_or_another_organisations(db):
    org, other = make_org(db), make_org(db)
    teacher = make_user(db, org, role="teacher")
    closed = make_survey(db, org, EVERY_KIND[:1], status="closed")
    foreign = make_survey(db, other, EVERY_KIND[:1])
    for target in (f"survey:{closed.id}", f"survey:{foreign.id}", "survey:x", "competition:99999"):
        with pytest.raises(services.InvalidTarget):
            services.start_session(db.session, teacher, SessionValues(name="x", target=target, ends_at=utcnow()))


def test_open_surveys_and_competitions_collecting_ideas_are_the_targets(db):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND[:1], title="Unge i bymidten")
    make_survey(db, org, EVERY_KIND[:1], status="draft")
    competition = make_competition(db, org, title="Algade 12")
    make_competition(db, org, status="draft")
    assert services.target_options(db.session, org.id) == [
        (f"survey:{survey.id}", "Unge i bymidten"), (f"competition:{competition.id}", "Algade 12")]


def test_a_teacher_sees_only_their_own_sessions_and_editors_and_viewers_see_all(db):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND[:1])
    anna, bo = make_user(db, org, role="teacher"), make_user(db, org, role="teacher")
    annas, bos = make_class_session(db, anna, survey), make_class_session(db, bo, survey)
    make_class_session(db, make_user(db, make_org(db), role="teacher"), make_survey(db, make_org(db)))
    assert [s.id for s in services.list_sessions(db.session, anna)] == [annas.id]
    assert services.load_session(db.session, anna, bos.id) is None
    for role in ("editor", "admin", "viewer"):
        seen = services.list_sessions(db.session, make_user(db, org, role=role))
        assert {s.id for s in seen} == {annas.id, bos.id}


def test_only_a_live_session_of_the_same_survey_attributes_a_response(db):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    survey, other = make_survey(db, org, EVERY_KIND[:1]), make_survey(db, org, EVERY_KIND[:1])
    live = make_class_session(db, teacher, survey)
    ended = make_class_session(db, teacher, survey, ended_at=utcnow())
    assert services.live_session_for(db.session, f"class-{live.code}", survey_id=survey.id) == live.id
    assert services.live_session_for(db.session, f"class-{live.code.lower()}", survey_id=survey.id) == live.id
    assert services.live_session_for(db.session, f"class-{live.code}", survey_id=other.id) is None
    assert services.live_session_for(db.session, f"class-{ended.code}", survey_id=survey.id) is None
    assert services.live_session_for(db.session, live.code, survey_id=survey.id) is None
