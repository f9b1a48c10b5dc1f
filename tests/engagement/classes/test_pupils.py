"""Pupils join with the code from the board: a survey session leads to the survey, a competition
session to the class page and its vote. No accounts, no names."""
from sqlalchemy import func, select

from engagement.competitions import services as competitions
from engagement.competitions.models import Vote
from extensions import hooks, utcnow
from surveys.models import Response
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.conftest import CSRF, csrf_token
from tests.engagement.classes.builders import answer_whole_survey, make_class_session

YES_NO = [{"kind": "yes_no", "prompt": "Kommer du i bymidten hver uge?"},
          {"kind": "yes_no", "prompt": "Skal der være flere bænke?"}]


def survey_session(db, **overrides):
    org = make_org(db)
    survey = make_survey(db, org, YES_NO, slug=f"unge-{org.id}")
    return survey, make_class_session(db, make_user(db, org, role="teacher"), survey, **overrides)


def test_pupil_who_types_the_code_in_lower_case_with_a_space_reaches_the_survey(client, db):
    survey, class_session = survey_session(db, code="KF729M")
    token = csrf_token(client, "/join")
    joined = client.post("/join", data={"csrf_token": token, "code": "kf7 29m"})
    assert joined.status_code == 303 and joined.location.endswith("/join/KF729M")
    onward = client.get(joined.location)
    assert onward.status_code == 303
    assert onward.location.endswith(f"/s/{survey.slug}?via=class-KF729M")


def test_answers_of_a_pupil_who_came_through_the_code_are_tagged_with_the_session(client, db):
    survey, class_session = survey_session(db)
    answer_whole_survey(client, f"/join/{class_session.code}")
    answer_whole_survey(client, f"/s/{survey.slug}")  # someone from the street, not the class
    tagged = db.session.scalars(select(Response.class_session_id).where(Response.completed_at.is_not(None))).all()
    assert sorted(tagged, key=str) == sorted([class_session.id, None], key=str)


def test_pupil_with_a_wrong_code_is_told_so_and_keeps_what_they_typed(client, db):
    survey_session(db, code="KF729M")
    client.get("/join?lang=en")
    wrong = client.post("/join", data={"csrf_token": csrf_token(client, "/join"), "code": "KF729N"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 404
    assert "We do not know that code" in page and 'value="KF729N"' in page and 'aria-invalid="true"' in page


def test_pupil_scanning_the_code_of_an_ended_session_is_told_it_has_ended(client, db):
    _survey, class_session = survey_session(db, ended_at=utcnow())
    page = client.get(f"/join/{class_session.code}?lang=en")
    assert page.status_code == 410 and "This class session has ended" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Response.id))) == 0


def test_a_session_past_its_end_time_has_ended_without_the_teacher_ending_it(client, db):
    from datetime import timedelta

    _survey, class_session = survey_session(db, ends_at=utcnow() - timedelta(minutes=1))
    assert client.get(f"/join/{class_session.code}").status_code == 410


def test_guessing_codes_is_stopped_by_the_rate_limit_but_a_class_on_one_address_is_not(app, client, db):
    _survey, class_session = survey_session(db)
    app.config["JOIN_RATE_LIMIT"] = "5 per minute"
    try:
        right = [client.get(f"/join/{class_session.code}").status_code for _ in range(20)]
        wrong = [client.get(f"/join/{code}").status_code for code in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD",
                                                                       "EEEEEE", "FFFFFF", "GGGGGG")]
        after = client.get(f"/join/{class_session.code}").status_code
    finally:
        app.config["JOIN_RATE_LIMIT"] = "60 per minute;300 per hour"
    assert right == [303] * 20
    assert wrong[:5] == [404] * 5 and wrong[5:] == [429, 429]
    assert after == 429


def competition_session(db, **overrides):
    org = make_org(db)
    competition = make_competition(db, org, slug=f"algade-{org.id}", title="Hvad skal Algade 12 være?",
                                   voting_mode="dots", dots_per_device=5)
    teacher = make_user(db, org, role="teacher")
    return competition, make_class_session(db, teacher, competition=competition, **overrides)


def test_pupil_joining_a_competition_session_gets_the_idea_form_with_the_session(client, db):
    competition, class_session = competition_session(db)
    page = client.get(f"/join/{class_session.code}?lang=en").get_data(as_text=True)
    assert f"/c/{competition.slug}?via=class-{class_session.code}" in page
    assert "Vote for the class" not in page


def test_an_idea_sent_through_the_class_link_is_tagged_and_a_copied_link_is_not(db):
    competition, class_session = competition_session(db)
    other, _ = competition_session(db)
    via = f"class-{class_session.code}"
    resolvers = hooks("idea_attribution")
    assert competitions.attribution_for(competition, via, resolvers) == {"class_session_id": class_session.id}
    assert competitions.attribution_for(other, via, resolvers) == {}


def class_vote(client, class_session, idea, dots):
    token = csrf_token(client, "/join")
    return client.post(f"/join/{class_session.code}/vote", data={"csrf_token": token, "idea": idea.id,
                                                                 "dots": dots})


def test_pupil_spreads_the_sessions_dots_and_cannot_spend_more(client, db):
    competition, class_session = competition_session(db, voting_open=True, dots_per_pupil=3)
    first = make_idea(db, competition, class_session_id=class_session.id, title="Værksted")
    second = make_idea(db, competition, class_session_id=class_session.id, title="Café")
    assert class_vote(client, class_session, first, 2).status_code == 303
    assert class_vote(client, class_session, second, 1).status_code == 303
    refused = class_vote(client, class_session, second, 2)
    assert refused.status_code == 409
    assert competitions.vote_counts(db.session, [first.id, second.id], competitions.class_ballot(class_session.id)) \
        == {first.id: 2, second.id: 1}
    # None of it counts in the public vote.
    assert competitions.vote_counts(db.session, [first.id, second.id]) == {}


def test_pupil_who_taps_give_a_dot_twice_is_counted_once(client, db):
    competition, class_session = competition_session(db, voting_open=True)
    idea = make_idea(db, competition, class_session_id=class_session.id)
    class_vote(client, class_session, idea, 1)
    class_vote(client, class_session, idea, 1)
    assert db.session.scalar(select(func.sum(Vote.dots))) == 1


def test_the_class_ballot_holds_the_classs_approved_ideas_and_pending_ones_only_when_published_at_once(client, db):
    competition, class_session = competition_session(db, voting_open=True)
    make_idea(db, competition, class_session_id=class_session.id, title="Godkendt idé")
    make_idea(db, competition, status="pending", class_session_id=class_session.id, title="Ventende idé")
    make_idea(db, competition, status="rejected", class_session_id=class_session.id, title="Afvist idé")
    make_idea(db, competition, title="En idé fra gaden")
    page = client.get(f"/join/{class_session.code}").get_data(as_text=True)
    assert "Godkendt idé" in page and "Ventende idé" not in page and "Afvist" not in page and "gaden" not in page
    class_session.publish_at_once = True
    db.session.commit()
    page = client.get(f"/join/{class_session.code}").get_data(as_text=True)
    assert "Ventende idé" in page and "Afvist" not in page


def test_a_vote_for_an_idea_outside_the_class_or_before_voting_opens_is_refused(client, db):
    competition, class_session = competition_session(db)
    mine = make_idea(db, competition, class_session_id=class_session.id)
    street = make_idea(db, competition)
    assert class_vote(client, class_session, mine, 1).status_code == 409
    class_session.voting_open = True
    db.session.commit()
    assert class_vote(client, class_session, street, 1).status_code == 422
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_pupil_whose_join_page_expired_gets_the_form_back_with_the_typed_code(app, db):
    survey_session(db, code="KF729M")
    token = csrf_token(app.test_client(), "/join")
    phone = app.test_client()  # a browser that lost its session cookie
    phone.get("/join?lang=en")
    expired = phone.post("/join", data={"csrf_token": token, "code": "kf7 29m"})
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "The page had expired" in page and 'value="kf7 29m"' in page
    again = phone.post("/join", data={"csrf_token": CSRF.search(page).group(1), "code": "kf7 29m"})
    assert again.status_code == 303 and again.location.endswith("/join/KF729M")


def test_pupil_whose_class_page_expired_is_asked_to_tap_again_and_no_dot_is_given(app, db):
    competition, class_session = competition_session(db, voting_open=True)
    idea = make_idea(db, competition, class_session_id=class_session.id, title="Værksted")
    token = csrf_token(app.test_client(), "/join")
    phone = app.test_client()
    phone.get("/join?lang=en")
    expired = phone.post(f"/join/{class_session.code}/vote", data={"csrf_token": token, "idea": idea.id, "dots": 1})
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "The page had expired. Tap the button again." in page and "Give a dot" in page and "Værksted" in page
    assert db.session.scalar(select(func.count(Vote.id))) == 0
    gone = phone.post("/join/AAAAAA/vote", data={"csrf_token": token, "idea": idea.id, "dots": 1})
    assert gone.status_code == 404 and "We do not know that code" in gone.get_data(as_text=True)


# -- the class page follows the lesson's phase ---------------------------------------------------------

def in_voting_phase(**overrides) -> dict:
    """Competition fields for the public voting phase: ideas are no longer collected."""
    from datetime import timedelta

    return {"voting_opens_at": utcnow() - timedelta(hours=1), **overrides}


def phase_session(db, competition_fields=None, **overrides):
    org = make_org(db)
    competition = make_competition(db, org, slug=f"algade-{org.id}", title="Hvad skal Algade 12 være?",
                                   voting_mode="dots", **(competition_fields or {}))
    return competition, make_class_session(db, make_user(db, org, role="teacher"), competition=competition,
                                           **overrides)


def test_pupil_in_a_session_on_a_competition_that_no_longer_collects_ideas_is_not_offered_to_send_one(client, db):
    competition, class_session = phase_session(db, in_voting_phase())
    make_idea(db, competition, class_session_id=class_session.id, title="Skatecafé")
    page = client.get(f"/join/{class_session.code}?lang=en").get_data(as_text=True)
    assert "Send an idea" not in page and f"/c/{competition.slug}?via=" not in page
    assert "We are no longer collecting ideas" in page and "Give a dot" not in page

    class_session.voting_open = True  # the teacher opens the class vote
    db.session.commit()
    page = client.get(f"/join/{class_session.code}?lang=en").get_data(as_text=True)
    assert "Vote for the class" in page and "Skatecafé" in page and "Give a dot" in page
    assert "Send an idea" not in page and "no longer collecting" not in page


def test_pupil_whose_class_votes_while_ideas_are_still_collected_may_vote_and_still_send_one(client, db):
    competition, class_session = phase_session(db, voting_open=True)
    make_idea(db, competition, class_session_id=class_session.id, title="Skatecafé")
    page = client.get(f"/join/{class_session.code}?lang=en").get_data(as_text=True)
    assert "Give a dot" in page and f"/c/{competition.slug}?via=class-{class_session.code}" in page


def test_pupil_in_a_session_on_a_closed_competition_is_thanked_and_cannot_vote_any_more(client, db):
    from datetime import timedelta

    closed = in_voting_phase(closes_at=utcnow() - timedelta(minutes=1))
    competition, class_session = phase_session(db, closed, voting_open=True)
    idea = make_idea(db, competition, class_session_id=class_session.id, title="Skatecafé")
    page = client.get(f"/join/{class_session.code}?lang=en").get_data(as_text=True)
    assert "Thank you for your ideas and votes!" in page and f'href="/c/{competition.slug}"' in page
    assert "Send an idea" not in page and "Give a dot" not in page and "Skatecafé" not in page
    refused = class_vote(client, class_session, idea, 1)
    assert refused.status_code == 409 and "your dot was not counted" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Vote.id))) == 0


def test_pupils_page_tells_its_script_when_the_phase_changes_and_when_the_session_ends(client, db):
    competition, class_session = phase_session(db)
    state = f"/join/{class_session.code}/state"
    answer = client.get(state)
    assert answer.json == {"phase": "collecting", "ideas": 0}
    assert answer.headers["Cache-Control"] == "no-store"
    make_idea(db, competition, class_session_id=class_session.id)
    make_idea(db, competition, status="pending", class_session_id=class_session.id)  # not in the class vote
    class_session.voting_open = True
    db.session.commit()
    assert client.get(state).json == {"phase": "voting", "ideas": 1}
    class_session.ended_at = utcnow()
    db.session.commit()
    assert client.get(state).status_code == 410  # the script loads the page, which says it has ended
    assert client.get("/join/AAAAAA/state").status_code == 404


def test_pupils_page_without_javascript_refreshes_itself_only_while_it_waits_for_the_teacher(client, db):
    competition, class_session = phase_session(db)
    refresh = f'<meta http-equiv="refresh" content="20; url=/join/{class_session.code}">'
    page = client.get(f"/join/{class_session.code}?lang=en").get_data(as_text=True)
    assert f"<noscript>{refresh}</noscript>" in page and "Reload the page" not in page
    assert "appear here by themselves" in page and "/static/js/class-page.js" in page

    class_session.voting_open = True  # the vote is open, but nothing to vote on yet: keep waiting
    db.session.commit()
    assert refresh in client.get(f"/join/{class_session.code}").get_data(as_text=True)

    make_idea(db, competition, class_session_id=class_session.id)  # buttons to tap: no reload under a thumb
    assert "http-equiv" not in client.get(f"/join/{class_session.code}").get_data(as_text=True)


# -- the receipt of an idea sent in class ----------------------------------------------------------------

def send_idea_from_the_class_page(client, class_session) -> str:
    """Follow the class page's "Send an idea" link, send an idea from the form; the receipt page."""
    import re

    class_page = client.get(f"/join/{class_session.code}?lang=en").get_data(as_text=True)
    form_url = re.search(r'href="(/c/[^"]+via=class-[^"]+)"', class_page).group(1).replace("&amp;", "&")
    form = client.get(form_url).get_data(as_text=True)
    hidden = {re.search(r'name="([^"]+)"', field).group(1): re.search(r'value="([^"]*)"', field).group(1)
              for field in re.findall(r'<input[^>]*type="hidden"[^>]*>', form)}
    action = form_url.split("?")[0]
    sent = client.post(action, data={**hidden, "title": "Tag over skaterampen", "description": "Når det regner."},
                       content_type="multipart/form-data")
    assert sent.status_code == 303, sent.get_data(as_text=True)[:2000]
    return client.get(sent.location).get_data(as_text=True)


def test_pupil_who_sent_an_idea_in_class_reads_what_happens_in_the_class_and_finds_the_way_back(client, db):
    competition, class_session = phase_session(db)
    receipt = send_idea_from_the_class_page(client, class_session)
    assert "Thank you! Your idea is saved." in receipt
    assert "Your teacher or someone from the municipality reads it first" in receipt
    assert "a few days" not in receipt
    assert f'href="/join/{class_session.code}">Back to the class<' in receipt

    class_session.publish_at_once = True
    db.session.commit()
    receipt = send_idea_from_the_class_page(client, class_session)
    assert "Your class can see it now" in receipt and "Back to the class" in receipt


def test_an_idea_sent_outside_a_class_keeps_the_ordinary_receipt(client, db):
    competition, class_session = phase_session(db)
    class_session.ended_at = utcnow()  # an idea from a session that has since ended: nothing to go back to
    make_idea(db, competition, status="pending", class_session_id=class_session.id, title="Bænke")
    db.session.commit()
    from engagement.competitions.models import Idea

    idea = db.session.scalar(select(Idea))
    receipt = client.get(f"/c/{competition.slug}/sent/{idea.key}?lang=en").get_data(as_text=True)
    assert "reads it before it is shown in the gallery" in receipt and "Back to the class" not in receipt
