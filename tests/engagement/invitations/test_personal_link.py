"""An owner opens their personal link: it is noted that they opened it, they answer once, and the link
then only thanks them, however often and in however many tabs it is opened."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from engagement.invitations.models import Invitation
from surveys.models import Answer, Response, SurveyStatus
from tests.builders import make_user
from tests.conftest import CSRF
from tests.engagement.invitations.conftest import answer_through, choice, make_invitations, page_url


def reload(db, invitation) -> Invitation:
    db.session.expire_all()
    return db.session.get(Invitation, invitation.id)


def responses(db) -> int:
    return db.session.scalar(select(func.count(Response.id)))


def test_the_first_opening_is_noted_and_leads_to_the_first_question_with_the_intro(client, db, survey):
    aase, *_rest = make_invitations(db, survey)
    opened = client.get(f"/i/{aase.token}")
    assert opened.status_code == 303 and opened.headers["Referrer-Policy"] == "no-referrer"
    first_opened = reload(db, aase).opened_at
    assert first_opened is not None
    page = client.get(opened.location).get_data(as_text=True)
    assert "Vil du samarbejde om lokalet?" in page and "hvad I som ejere har lyst til" in page
    client.get(f"/i/{aase.token}")
    assert reload(db, aase).opened_at == first_opened  # the first time is kept
    assert responses(db) == 0  # opening stores no response


def test_an_owner_answers_and_the_link_then_only_thanks_them_and_stores_nothing_more(client, db, survey):
    aase, *_rest = make_invitations(db, survey)
    final = answer_through(client, f"/i/{aase.token}", choice(survey, "Ja"))
    assert final.status_code == 303 and final.location.endswith("/tak")
    assert reload(db, aase).answered_at is not None
    again = client.get(f"/i/{aase.token}")
    assert again.status_code == 200 and "Du har allerede svaret – tak!" in again.get_data(as_text=True)
    assert responses(db) == 1 and db.session.scalar(select(func.count(Answer.id))) == 2


def test_a_link_used_twice_on_two_phones_goes_on_with_the_same_answer_and_stores_once(app, db, survey):
    aase, *_rest = make_invitations(db, survey)
    phone, laptop = app.test_client(), app.test_client()
    on_phone, on_laptop = phone.get(f"/i/{aase.token}"), laptop.get(f"/i/{aase.token}")
    assert on_phone.location == on_laptop.location  # the same response, wherever it is opened
    answer_through(phone, f"/i/{aase.token}", choice(survey, "Måske"))
    assert "Du har allerede svaret" in laptop.get(f"/i/{aase.token}").get_data(as_text=True)
    # The laptop's tab was still on the first screen: sending something else now is refused, nothing stored.
    html = laptop.get(on_laptop.location).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    late = laptop.post(action, data={"csrf_token": CSRF.search(html).group(1),
                                     "q" + action.rsplit("/", 1)[1]: str(choice(survey, "Nej"))})
    assert late.status_code == 409
    assert responses(db) == 1
    assert db.session.scalar(select(Answer.choice_id).where(Answer.question_id == survey.questions[0].id)) \
        == choice(survey, "Måske")


def test_two_tabs_answering_at_the_same_moment_store_one_response(app, db, survey):
    aase, *_rest = make_invitations(db, survey)
    tabs = [app.test_client() for _ in range(2)]
    first_screens = []
    for tab in tabs:
        html = tab.get(tab.get(f"/i/{aase.token}").location).get_data(as_text=True)
        first_screens.append((re.search(r'<form method="post" action="([^"]+)"', html).group(1),
                              CSRF.search(html).group(1), re.search(r'name="via" value="([^"]+)"', html).group(1)))
    picks = [choice(survey, "Ja"), choice(survey, "Nej")]  # read here: the threads have no app context

    def first(n):
        action, token, via = first_screens[n]
        return tabs[n].post(action, data={"csrf_token": token, "via": via,
                                          "q" + action.rsplit("/", 1)[1]: str(picks[n])})

    with ThreadPoolExecutor(max_workers=2) as pool:
        posted = list(pool.map(first, range(2)))
    assert [p.status_code for p in posted] == [303, 303]
    last_screens = []
    for tab, post in zip(tabs, posted, strict=True):
        html = tab.get(post.location).get_data(as_text=True)
        last_screens.append((re.search(r'<form method="post" action="([^"]+)"', html).group(1),
                             CSRF.search(html).group(1)))

    def last(n):
        action, token = last_screens[n]
        return tabs[n].post(action, data={"csrf_token": token, "q" + action.rsplit("/", 1)[1]: f"Tab {n}"}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = sorted(pool.map(last, range(2)))
    assert codes == [303, 409]  # one finished the answer; the other was told it was already sent
    assert responses(db) == 1
    assert db.session.scalar(select(func.count(Response.id)).where(Response.completed_at.is_not(None))) == 1
    assert db.session.scalar(select(func.count(Answer.id))) == 2
    assert reload(db, aase).answered_at is not None


def test_when_answers_are_not_tied_to_people_the_list_only_says_yes(client, db, org, survey, staff):
    aase, bent, carla = make_invitations(db, survey, named=False)
    answer_through(client, f"/i/{aase.token}", choice(survey, "Ja"))
    response = db.session.scalar(select(Response))
    assert response.invitation_id is None
    answered = reload(db, aase).answered_at
    assert (answered.hour, answered.minute, answered.second) == (0, 0, 0)  # the day only, no time to line up
    editor = staff(make_user(db, org, role="editor"))
    page = editor.get(page_url(survey)).get_data(as_text=True)
    row = re.search(rf'<tr id="invitation-{aase.id}">(.*?)</tr>', page, re.S).group(1)
    assert row.strip().endswith("<td>Ja</td>")
    assert re.search(rf'<tr id="invitation-{bent.id}">(.*?)</tr>', page, re.S).group(1).strip().endswith("<td>Nej</td>")
    assert "Svarene knyttes ikke til personen" in page


def test_when_answers_are_tied_to_people_the_response_says_whose_it_is(client, db, org, survey, staff):
    aase, bent, carla = make_invitations(db, survey, named=True)
    answer_through(client, f"/i/{carla.token}", choice(survey, "Nej"), text="Jeg vil sælge")
    response = db.session.scalar(select(Response))
    assert response.invitation_id == carla.id
    editor = staff(make_user(db, org, role="editor"))
    page = editor.get(page_url(survey)).get_data(as_text=True)
    row = re.search(rf'<tr id="invitation-{carla.id}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r"<td>\d\d\.\d\d\.\d{4} \d\d:\d\d</td>\s*$", row)  # when they answered


def test_the_short_address_from_a_letter_works_in_any_case_and_is_the_same_answer(client, db, survey):
    aase, *_rest = make_invitations(db, survey)
    by_qr = client.get(f"/i/{aase.token}")
    typed = client.get(f"/i/{aase.token[:12].upper()}")
    assert typed.status_code == 303 and typed.location == by_qr.location


def test_a_link_checker_looking_at_the_link_is_not_an_opening(client, db, survey):
    aase, *_rest = make_invitations(db, survey)
    assert client.head(f"/i/{aase.token}").status_code == 200
    assert reload(db, aase).opened_at is None


def test_a_closed_survey_says_so_on_the_link(client, db, survey):
    aase, *_rest = make_invitations(db, survey)
    survey.status = SurveyStatus.closed
    db.session.commit()
    page = client.get(f"/i/{aase.token}")
    assert page.status_code == 200 and "Undersøgelsen er lukket" in page.get_data(as_text=True)


def test_an_unknown_link_is_a_404_and_guessing_is_slowed_down_but_owners_never_are(client, db, survey):
    aase, *_rest = make_invitations(db, survey)
    unknown = client.get("/i/" + "A" * 43)
    assert unknown.status_code == 404 and "Vi kender ikke dette link" in unknown.get_data(as_text=True)
    for _ in range(30):
        assert client.get(f"/i/{aase.token}").status_code == 303  # never counted
    codes = [client.get(f"/i/{'x' * 11}{n % 10}").status_code for n in range(25)]
    assert codes[:19] == [404] * 19 and 429 in codes


@pytest.mark.parametrize("token", ["kort", "a" * 12 + "-", "../../etc/passwd"])
def test_odd_tokens_are_plain_404s(client, db, token):
    assert client.get(f"/i/{token}").status_code == 404
