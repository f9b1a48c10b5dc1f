"""Share links: staff make a read-only link to a survey's results, a competition's results or a report; a
partner without an account opens it; staff see the views and revoke it. Another organisation never
reaches a link or its target, and tokens cannot be guessed in bulk."""
import re
import secrets
from datetime import datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from engagement.front.models import ResultsSubscriber
from engagement.mail.models import Subscription
from engagement.reports import sharing
from engagement.reports.models import Report, ReportSection, ShareLink
from surveys.timezone import from_local
from tests.builders import make_competition, make_idea, make_org, make_survey, make_user
from tests.conftest import csrf_token, statements_during
from tests.surveys.test_results import add_response

BASE_URL = "https://bypuls.example.dk/by"
QUESTIONS = [
    {"kind": "single_choice", "prompt": "Hvad mangler på Torvet?", "choices": ["Bænke", "Træer", "Læ"]},
    {"kind": "number", "prompt": "Hvor mange gange om ugen kommer du?", "required": False},
    {"kind": "long_text", "prompt": "Hvad ellers?", "required": False},
]
FREE_TEXT = "Mere lys ved havnen"


@pytest.fixture(autouse=True)
def public_base_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


def answered_survey(db, org, people=6, counted=2, **overrides):
    """`people` finished the survey and wrote FREE_TEXT; only `counted` of them answered the number question."""
    survey = make_survey(db, org, QUESTIONS, title="Unge i bymidten", **overrides)
    for i in range(people):
        answers = {0: "Bænke" if i % 3 else "Træer", 2: f"{FREE_TEXT} nummer {i}"}
        if i < counted:
            answers[1] = 3
        add_response(db, survey, answers)
    return survey


def make_report(db, org, survey, quotes=True):
    report = Report(organisation_id=org.id, title="Bymidten i foråret", introduction="Sådan gik det.")
    report.sections.append(ReportSection(kind="survey", position=1, survey_id=survey.id, text="",
                                         options={"quotes": quotes}))
    db.session.add(report)
    db.session.commit()
    return report


def make_link(db, org, target, kind=None, days=30, **fields) -> ShareLink:
    """A link made through the service, as the staff page makes it."""
    kind = kind or {"Survey": "survey", "Competition": "competition", "Report": "report"}[type(target).__name__]
    today = sharing.danish_today()
    link = sharing.make_link(db.session, org.id, sharing.Target(kind, target), fields.pop("label", "Partnerne"),
                             today + timedelta(days=days), fields.pop("show_texts", False), None, today)
    for name, value in fields.items():
        setattr(link, name, value)
    db.session.commit()
    return link


def staff_url(kind: str, target) -> str:
    return f"/staff/links/{kind}/{target.id}"


def make_through_the_form(client, url: str, **fields):
    data = {"csrf_token": csrf_token(client, url), "label": "Handelsstandsforeningen",
            "expires_on": (sharing.danish_today() + timedelta(days=30)).isoformat(), **fields}
    return client.post(url, data={name: value for name, value in data.items() if value is not None})


def links_of(db, **column) -> list[ShareLink]:
    db.session.expire_all()
    return db.session.scalars(select(ShareLink).filter_by(**column).order_by(ShareLink.id)).all()


def hrefs(html: str) -> set[str]:
    return set(re.findall(r'(?:href|src|action)="([^"]*)"', html))


# Making, listing, revoking

def test_editor_makes_a_link_to_a_survey_and_the_list_shows_its_full_address_to_copy(client, db, staff, org):
    survey = answered_survey(db, org)
    editor = make_user(db, org, role="editor")
    staff(editor)
    form = client.get(staff_url("survey", survey))
    default = (sharing.danish_today() + timedelta(days=90)).isoformat()
    assert form.status_code == 200 and f'value="{default}"' in form.get_data(as_text=True)

    response = make_through_the_form(client, staff_url("survey", survey), show_texts="y")
    [link] = links_of(db, survey_id=survey.id)
    assert response.status_code == 303 and response.location.endswith(f"{staff_url('survey', survey)}#link-{link.id}")
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", link.token)
    assert (link.kind, link.label, link.show_texts, link.created_by_id, link.organisation_id, link.views) == (
        "survey", "Handelsstandsforeningen", True, editor.id, org.id, 0)

    page = client.get(response.location).get_data(as_text=True)
    assert f'value="{BASE_URL}/del/{link.token}"' in page  # the address partners reach, not this request's host
    assert "Handelsstandsforeningen" in page and editor.email in page
    assert f'action="/staff/links/{link.id}/revoke"' in page


@pytest.mark.parametrize("kind", ["competition", "report"])
def test_links_to_a_competition_and_to_a_report_are_made_the_same_way(client, db, staff, org, kind):
    survey = answered_survey(db, org)
    target = make_competition(db, org) if kind == "competition" else make_report(db, org, survey)
    staff(make_user(db, org, role="admin"))
    page = client.get(staff_url(kind, target)).get_data(as_text=True)
    # A competition's results are its published ideas: there are no free-text answers to show.
    assert ('name="show_texts"' in page) is (kind == "report")
    response = make_through_the_form(client, staff_url(kind, target), show_texts="y")
    [link] = links_of(db, **{f"{kind}_id": target.id})
    assert response.status_code == 303 and link.kind == kind and link.show_texts is (kind == "report")
    assert client.get(f"/del/{link.token}").status_code == 200


@pytest.mark.parametrize("typed, message", [
    ("yesterday", "Choose today or a later day."),
    ("in three years", "A link can stay open for at most two years"),
    ("2027-02-31", "This is not a date. Choose the last day the link works."),
    ("", "Choose the last day the link works."),
    ("0001-01-01", "Give a date between the years 2000 and 2100."),
])
def test_an_expiry_day_that_cannot_be_is_refused_with_a_message_and_the_form_keeps_what_was_typed(
        client, db, staff, org, typed, message):
    survey = answered_survey(db, org)
    staff(make_user(db, org, role="editor"))
    client.get("/staff/surveys/?lang=en")
    today = sharing.danish_today()
    value = {"yesterday": (today - timedelta(days=1)).isoformat(),
             "in three years": (today + timedelta(days=3 * 365)).isoformat()}.get(typed, typed)
    response = make_through_the_form(client, staff_url("survey", survey), expires_on=value, show_texts="y")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert 'aria-invalid="true"' in page and 'id="expires_on-error"' in page and 'id="error-summary"' in page
    assert 'value="Handelsstandsforeningen"' in page and f'value="{value}"' in page
    assert re.search(r'name="show_texts"[^>]* checked|checked[^>]*name="show_texts"', page)
    assert links_of(db) == []


def test_a_link_may_stay_open_exactly_two_years_and_from_today(client, db, staff, org):
    survey = answered_survey(db, org)
    staff(make_user(db, org, role="editor"))
    today = sharing.danish_today()
    for day in (today, today + sharing.LONGEST_OPEN):
        assert make_through_the_form(client, staff_url("survey", survey), expires_on=day.isoformat()).status_code == 303
    assert [link.expires_on for link in links_of(db)] == [today, today + sharing.LONGEST_OPEN]


def test_a_label_that_is_too_long_is_refused_and_nul_characters_are_dropped(client, db, staff, org):
    survey = answered_survey(db, org)
    staff(make_user(db, org, role="editor"))
    client.get("/staff/surveys/?lang=en")
    response = make_through_the_form(client, staff_url("survey", survey), label="x" * 201)
    assert response.status_code == 422 and "Use at most 200 characters." in response.get_data(as_text=True)
    assert make_through_the_form(client, staff_url("survey", survey), label="Byr\x00ådet").status_code == 303
    assert [link.label for link in links_of(db)] == ["Byrådet"]


def test_viewer_reads_the_links_but_cannot_make_or_revoke_one_and_a_teacher_sees_none(client, db, staff, org):
    survey = answered_survey(db, org)
    link = make_link(db, org, survey)
    staff(make_user(db, org, role="viewer"))
    page = client.get(staff_url("survey", survey))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"/del/{link.token}" in html
    assert 'name="expires_on"' not in html and "/revoke" not in html
    token = csrf_token(client, "/staff/surveys/")
    assert client.post(staff_url("survey", survey), data={"csrf_token": token, "label": "x",
                                                         "expires_on": "2030-01-01"}).status_code == 403
    assert client.post(f"/staff/links/{link.id}/revoke", data={"csrf_token": token}).status_code == 403
    assert [(found.revoked_at, len(links_of(db))) for found in links_of(db)] == [(None, 1)]

    client.post("/staff/logout", data={"csrf_token": token})
    staff(make_user(db, org, role="teacher"))
    assert client.get(staff_url("survey", survey)).status_code == 403


def share_link_routes(app, ids: dict) -> list[tuple[str, str]]:
    """(method, url) of every staff share-link route, from the URL map, so a route added later is checked too."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("share_links."):
                url = url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})
                urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def test_staff_of_another_organisation_get_404_for_making_listing_and_revoking_links(app, client, db, staff, org):
    survey = answered_survey(db, org)
    targets = {"survey": survey, "competition": make_competition(db, org), "report": make_report(db, org, survey)}
    links = [make_link(db, org, target) for target in targets.values()]
    staff(make_user(db, make_org(db), role="admin"))
    token = csrf_token(client, "/staff/surveys/")
    urls = [(method, url) for link in links for method, url in share_link_routes(
        app, {"link_id": link.id, **{f"{kind}_id": target.id for kind, target in targets.items()}})]
    assert len(set(urls)) == 3 * 2 + 3  # GET and POST for each kind of target, and each link's revoke
    for method, url in set(urls):
        response = client.open(url, method=method, data={"csrf_token": token, "label": "Vores nu",
                                                         "expires_on": sharing.danish_today().isoformat()})
        assert response.status_code == 404, (method, url, response.status_code)
    assert [(link.label, link.revoked_at) for link in links_of(db)] == [("Partnerne", None)] * 3
    assert all(client.get(f"/del/{link.token}").status_code == 200 for link in links)


def test_revoking_needs_the_forms_csrf_token(client, db, staff, org):
    link = make_link(db, org, answered_survey(db, org))
    staff(make_user(db, org, role="admin"))
    assert client.post(f"/staff/links/{link.id}/revoke").status_code == 400
    assert links_of(db)[0].revoked_at is None


def test_a_revoked_link_gets_the_friendly_410_page_and_revoking_it_again_is_harmless(client, db, staff, org):
    survey = answered_survey(db, org)
    link = make_link(db, org, survey)
    staff(make_user(db, org, role="editor"))
    token = csrf_token(client, staff_url("survey", survey))
    first = client.post(f"/staff/links/{link.id}/revoke", data={"csrf_token": token})
    assert first.status_code == 303 and first.location.endswith(f"{staff_url('survey', survey)}#link-{link.id}")
    revoked_at = links_of(db)[0].revoked_at
    assert revoked_at is not None

    again = client.post(f"/staff/links/{link.id}/revoke", data={"csrf_token": token})
    assert again.status_code == 303 and links_of(db)[0].revoked_at == revoked_at
    listed = client.get(staff_url("survey", survey)).get_data(as_text=True)
    assert f"/del/{link.token}" not in listed  # nothing to copy from a link that no longer opens
    assert f'action="/staff/links/{link.id}/revoke"' not in listed

    partner = client.application.test_client()
    refused = partner.get(f"/del/{link.token}?lang=en")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 410 and "The link is no longer active" in page
    assert "Ask the person who sent it to you for a new link." in page
    assert survey.title not in page and "Vordingborg" not in page and FREE_TEXT not in page
    assert links_of(db)[0].views == 0


def test_a_link_opens_to_the_end_of_its_last_danish_day_and_then_gets_410(client, db, org, monkeypatch):
    survey = answered_survey(db, org)
    link = make_link(db, org, survey)
    link.expires_on = datetime(2026, 6, 30).date()
    db.session.commit()
    # 21:59 UTC on 30 June is 23:59 in Denmark (summer time); 22:01 UTC is already 1 July there.
    monkeypatch.setattr(sharing, "utcnow", lambda: from_local(datetime(2026, 6, 30, 23, 59)))
    assert client.get(f"/del/{link.token}").status_code == 200
    monkeypatch.setattr(sharing, "utcnow", lambda: from_local(datetime(2026, 7, 1, 0, 1)))
    expired = client.get(f"/del/{link.token}?lang=en")
    assert expired.status_code == 410 and "It worked until June 30, 2026." in expired.get_data(as_text=True)


def test_a_link_that_expired_yesterday_is_refused_and_listed_as_expired(client, db, staff, org):
    survey = answered_survey(db, org)
    link = make_link(db, org, survey)
    link.expires_on = sharing.danish_today() - timedelta(days=1)
    db.session.commit()
    assert client.get(f"/del/{link.token}").status_code == 410
    staff(make_user(db, org, role="viewer"))
    listed = client.get(staff_url("survey", survey) + "?lang=en").get_data(as_text=True)
    assert "Expired" in listed and f"/del/{link.token}" not in listed


@pytest.mark.parametrize("token", [secrets.token_urlsafe(32), "abc", "x" * 500, "ÆØÅ" * 15])
def test_an_unknown_token_is_the_not_found_page(client, db, org, token):
    make_link(db, org, answered_survey(db, org))
    response = client.get(f"/del/{token}?lang=en")
    assert response.status_code == 404 and "This link does not work" in response.get_data(as_text=True)


def test_the_21st_wrong_guess_in_a_minute_is_refused_but_partners_opening_their_link_are_never_counted(
        app, client, db, org):
    survey = answered_survey(db, org)
    good, revoked = make_link(db, org, survey), make_link(db, org, survey)
    revoked.revoked_at = datetime(2026, 1, 1)
    db.session.commit()
    assert [client.get(f"/del/{good.token}").status_code for _ in range(25)] == [200] * 25
    wrong = [client.get(f"/del/{secrets.token_urlsafe(32)}").status_code for _ in range(10)]
    wrong += [client.get(f"/del/{revoked.token}").status_code for _ in range(10)]
    assert wrong == [404] * 10 + [410] * 10
    assert client.get(f"/del/{secrets.token_urlsafe(32)}").status_code == 429
    assert client.get(f"/del/{good.token}").status_code == 429  # this address is waiting, whatever it asks
    other = app.test_client()
    assert other.get(f"/del/{good.token}", environ_base={"REMOTE_ADDR": "127.0.0.2"}).status_code == 200


def test_each_view_is_counted_once_with_one_update_and_staff_see_the_count(client, db, staff, org):
    survey = answered_survey(db, org)
    link = make_link(db, org, survey)
    partner = client.application.test_client()
    seen = statements_during(db, lambda: partner.get(f"/del/{link.token}"))
    assert seen.count("UPDATE") == 1 and seen.count("INSERT") == 0
    partner.get(f"/del/{link.token}")
    partner.head(f"/del/{link.token}")  # a link checker looking: not a view
    [counted] = links_of(db)
    assert counted.views == 2 and counted.last_viewed_at is not None
    staff(make_user(db, org, role="viewer"))
    listed = client.get(staff_url("survey", survey)).get_data(as_text=True)
    assert re.search(r"<dd>2 <span", listed)


def test_the_shared_page_sends_no_referrer_is_neither_kept_nor_indexed_and_leads_nowhere(client, db, staff, org):
    survey = answered_survey(db, org)
    link = make_link(db, org, survey)
    staff(make_user(db, org, role="admin"))  # even a signed-in colleague sees only what the partner sees
    for url, status in ((f"/del/{link.token}", 200), (f"/del/{secrets.token_urlsafe(32)}", 404)):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == status
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert '<meta name="robots" content="noindex">' in html
    html = client.get(f"/del/{link.token}").get_data(as_text=True)
    onwards = {href for href in hrefs(html) if not href.startswith(("#", "/static/"))}
    assert onwards == set() and "Log out" not in html and "/staff" not in html


# What a shared page shows

def shared_page(client, db, org, target, **fields) -> str:
    link = make_link(db, org, target, **fields)
    response = client.get(f"/del/{link.token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_shared_survey_hides_the_numbers_of_a_question_fewer_than_min_group_answered(client, db, org, app):
    survey = answered_survey(db, org, people=6, counted=app.config["MIN_GROUP_SIZE"] - 1)
    choice, number, _text = survey.questions
    html = shared_page(client, db, org, survey)
    assert f'data-figure="s1-q{choice.id}"' in html and "Hvad mangler på Torvet?" in html
    assert number.prompt in html and f"s1-q{number.id}" not in html  # neither drawn nor in the figures' data
    notice = html[html.index(number.prompt):]
    assert notice.index('class="report-notice"') < notice.index("</section>")


def test_a_shared_survey_fewer_than_min_group_finished_shows_no_numbers_at_all(client, db, org):
    survey = answered_survey(db, org, people=4, counted=4)
    html = shared_page(client, db, org, survey, show_texts=True)
    assert "data-figure=" not in html and FREE_TEXT not in html and 'class="report-notice"' in html


def test_free_text_answers_show_only_on_a_link_with_the_tick(client, db, org):
    survey = answered_survey(db, org)
    assert FREE_TEXT not in shared_page(client, db, org, survey)
    assert f"{FREE_TEXT} nummer 5" in shared_page(client, db, org, survey, show_texts=True)
    report = make_report(db, org, survey, quotes=True)
    assert FREE_TEXT not in shared_page(client, db, org, report)
    assert FREE_TEXT in shared_page(client, db, org, report, show_texts=True)


def test_shared_pages_never_show_the_e_mails_people_left(client, db, org):
    survey = answered_survey(db, org)
    subscription = Subscription(organisation_id=org.id, email="lytter@example.dk", token=secrets.token_urlsafe(32),
                                about=survey.title, keep_until=sharing.danish_today() + timedelta(days=30),
                                created_on=sharing.danish_today())
    db.session.add(subscription)
    db.session.flush()
    db.session.add(ResultsSubscriber(survey_id=survey.id, subscription_id=subscription.id,
                                     key=secrets.token_urlsafe(32)))
    competition = make_competition(db, org)
    idea = make_idea(db, competition, title="Skatepark ved havnen", nickname="Skater-Sofie", age_band="13-15",
                     contact_email="sofie@example.dk", contact_consent=True)
    assert idea.contact_email == "sofie@example.dk"  # it is there to be left out
    pages = [shared_page(client, db, org, survey, show_texts=True), shared_page(client, db, org, competition),
             shared_page(client, db, org, make_report(db, org, survey), show_texts=True)]
    assert "Skatepark ved havnen" in pages[1]
    for html in pages:
        assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", html) == [] and "Skater-Sofie" not in html


def test_a_shared_competition_shows_published_ideas_and_never_pending_or_rejected_ones(client, db, org):
    competition = make_competition(db, org)
    make_idea(db, competition, status="approved", title="Bænke på torvet")
    make_idea(db, competition, status="winner", title="Lys i gyden")
    make_idea(db, competition, status="pending", title="Venter på svar")
    make_idea(db, competition, status="rejected", title="Afvist forslag")
    html = shared_page(client, db, org, competition)
    assert "Bænke på torvet" in html and "Lys i gyden" in html
    assert "Venter på svar" not in html and "Afvist forslag" not in html
