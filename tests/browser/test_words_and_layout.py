"""What people see in Chromium: chart labels as typed, nothing wider than a small phone, and a survey's
error page that the phone's Back button can return past without "Confirm form resubmission"."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.classes.models import ClassSession
from engagement.classes.services import new_code
from engagement.competitions.models import Competition, Idea
from engagement.dashboard.filters import filters_to_json
from engagement.dashboard.staff_exports import EXPORT_MAKER
from engagement.demo.seed import DEMO_EMAIL, DEMO_PASSWORD, seed
from engagement.models import User
from engagement.premises.models import Premises, Trial
from engagement.prepared import services as prepared_services
from engagement.prepared.models import DownloadStatus
from engagement.reports.models import Report
from engagement.touchpoints.models import Touchpoint
from extensions import utcnow
from surveys.maps import SurveyMap
from surveys.models import Survey
from surveys.results import Filters
from tests.browser import NEXT, THANKS, answer, tap_button, wait_until_loaded
from tests.browser.test_accessibility import log_in
from tests.builders import EVERY_KIND, make_competition, make_idea, make_org, make_survey, make_user
from tests.surveys.test_results import add_response

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 568}
WIDE_ELEMENTS = """width => Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > width + 0.5
                  && !el.closest('.table-scroll, .visually-hidden, .skip'))
    .slice(0, 4).map(el => el.outerHTML.slice(0, 120))"""


def sideways(page, where: str) -> str | None:
    """Why the loaded page scrolls sideways (its width and the elements sticking out), or None when it fits."""
    wait_until_loaded(page)
    width = page.viewport_size["width"]
    try:
        # Charts are drawn after the load event: give them a moment before judging.
        page.wait_for_function("width => document.documentElement.scrollWidth <= width", arg=width, timeout=2000)
        return None
    except Exception:  # Playwright's TimeoutError: report what sticks out
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        return f"{where}: {scroll_width} px wide; sticking out: {page.evaluate(WIDE_ELEMENTS, width)}"


# -- chart labels -----------------------------------------------------------------------------------------

def test_project_lead_reads_quotes_tags_and_ampersands_in_chart_labels_as_typed(db, desktop):
    org = make_org(db)
    labels = ['Et "frirum" for unge', "<b>Fed</b> café", "Mad & musik"]
    survey = make_survey(db, org, [{"kind": "single_choice", "prompt": "Hvad mangler?", "choices": labels}])
    for n in range(6):
        add_response(db, survey, {0: labels[n % 3]})
    log_in(desktop, make_user(db, org, role="viewer"))
    desktop.goto(f"/staff/surveys/{survey.id}/results")

    chart = desktop.locator(f".chart[data-figure=q{survey.questions[0].id}]")
    for label in labels:
        expect(chart.locator("svg text").filter(has_text=label).first).to_be_attached()
    expect(chart).not_to_contain_text("&quot;")
    expect(chart).not_to_contain_text("&amp;")
    expect(chart).not_to_contain_text("&lt;")
    assert desktop.locator("main b, .chart svg b, .chart svg a").count() == 0


# -- long words and small phones --------------------------------------------------------------------------

LONG_WORD = "https://www.vordingborg.dk/borger/byudvikling/bymidten/ungeinddragelse/algade-12-forslag"


def test_long_unbroken_words_never_push_a_phone_page_sideways(db, new_page):
    org = make_org(db)
    survey = make_survey(db, org, [{"kind": "single_choice", "prompt": f"Kender du {LONG_WORD}?",
                                    "choices": [LONG_WORD, "Skateparkenvedhavnenogbiblioteketogtorvet" * 2]}],
                         title=f"Spørgsmål om {LONG_WORD}")
    competition = make_competition(db, org, title=f"Idéer til {LONG_WORD}",
                                   voting_opens_at=utcnow() - timedelta(days=1))
    idea = make_idea(db, competition, title=LONG_WORD, description=f"Se {LONG_WORD} for mere", nickname="x" * 40)
    page = new_page(viewport=SMALL_PHONE)
    problems = []
    for where in (f"/s/{survey.slug}", f"/c/{competition.slug}", f"/c/{competition.slug}/ideas",
                  f"/c/{competition.slug}/idea/{idea.id}"):
        page.goto(where)
        expect(page.locator("main")).to_contain_text(LONG_WORD[:30])
        problems.append(sideways(page, where))
    assert [p for p in problems if p] == []


def staff_urls(app, client, values: dict) -> list[str]:
    """Every staff page that answers a GET with HTML, found from the URL map and filled in from `values`."""
    from flask import url_for

    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" in rule.methods and rule.rule.startswith("/staff/") and rule.endpoint != "accounts.login":
                urls.append(url_for(rule.endpoint, **{name: values[name] for name in rule.arguments}))
    pages = []
    for url in sorted(urls):
        response = client.get(url)
        # A download is not a page, even an HTML file (a report as one file).
        if response.status_code == 200 and response.mimetype == "text/html" and \
                "attachment" not in response.headers.get("Content-Disposition", ""):
            pages.append(url)
    return pages


@pytest.fixture
def demo(db):
    """The Vordingborg demo (surveys with answers, touchpoints, a competition with ideas) and a class session."""
    org = seed(db.session)
    db.session.commit()
    admin = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    survey = db.session.scalar(select(Survey).where(Survey.slug == "unge-i-bymidten"))
    competition = db.session.scalar(select(Competition).where(Competition.organisation_id == org.id))
    class_session = ClassSession(organisation_id=org.id, teacher_id=admin.id, survey_id=survey.id,
                                 name="2.g Vordingborg Gymnasium, bymidten", code=new_code(),
                                 ends_at=utcnow() + timedelta(hours=1))
    db.session.add(class_session)
    # A survey export made in the background, ready: its page is a staff page too.
    download, _new = prepared_services.request_download(
        db.session, admin, EXPORT_MAKER,
        {"survey_id": survey.id, "format": "xlsx", "filters": filters_to_json(Filters())}, "svar.xlsx",
        "application/octet-stream", "da", "responses", utcnow())
    download.status, download.done, download.total, download.body, download.size = (
        DownloadStatus.ready, 520, 520, b"x" * 2048, 2048)
    download.finished_at = utcnow()
    db.session.commit()
    text_question = next(q for q in survey.questions if q.kind == "long_text")
    return {
        "admin": admin,
        "values": {
            "survey_id": survey.id, "question_id": text_question.id, "competition_id": competition.id,
            "idea_id": db.session.scalar(select(Idea.id).where(Idea.competition_id == competition.id)),
            "touchpoint_id": db.session.scalar(select(Touchpoint.id).where(Touchpoint.organisation_id == org.id)),
            "class_session_id": class_session.id, "format_name": "a4", "size": 512, "extension": "csv",
            "map_id": db.session.scalar(select(SurveyMap.id).where(SurveyMap.organisation_id == org.id)),
            "report_id": db.session.scalar(select(Report.id).where(Report.organisation_id == org.id)),
            "premises_id": db.session.scalar(select(Premises.id).where(Premises.organisation_id == org.id)),
            "trial_id": db.session.scalar(select(Trial.id).where(Trial.organisation_id == org.id,
                                                                 Trial.decision.is_(None))),
            "download_id": download.id},
    }


def test_no_staff_page_scrolls_sideways_on_a_320_px_phone(app, db, client, staff, new_page, demo):
    staff(demo["admin"], password=DEMO_PASSWORD)
    urls = staff_urls(app, client, demo["values"])
    assert len(urls) >= 20, urls  # the walk really found the pages
    page = new_page(viewport=SMALL_PHONE)
    log_in(page, demo["admin"], password=DEMO_PASSWORD)
    expect(page.locator(".topbar nav")).to_be_visible()
    problems = []
    for url in urls:
        page.goto(url)
        expect(page.locator("main")).to_be_attached()
        problems.append(sideways(page, url))
    assert [p for p in problems if p] == [], "\n".join(p for p in problems if p)


def test_wide_table_scrolls_in_its_own_box_which_a_keyboard_can_reach(db, new_page, demo):
    page = new_page(viewport=SMALL_PHONE)
    log_in(page, demo["admin"], password=DEMO_PASSWORD)
    page.goto(f"/staff/surveys/{demo['values']['survey_id']}/results")
    box = page.get_by_role("region", name="Tabel: Hvor svarene kom fra")
    expect(box).to_be_visible()
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")  # the funnel table is wider than the phone
    box.focus()
    page.keyboard.press("ArrowRight")
    expect(box).to_be_focused()
    page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())
    assert sideways(page, "the results page") is None


def test_staff_header_wraps_the_email_on_a_small_phone(db, new_page):
    org = make_org(db, name="Vordingborg Kommunes bymidtesamarbejde")
    user = make_user(db, org, email="projektleder.for.bymidten.og.ungeinddragelse@vordingborg.example")
    page = new_page(viewport=SMALL_PHONE)
    log_in(page, user)
    expect(page.locator(".who")).to_contain_text(user.email)
    assert sideways(page, "the survey list") is None


# -- errors on a survey screen ----------------------------------------------------------------------------

@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_phone_back_button_after_a_corrected_error_returns_to_the_screen_not_to_a_resubmission(db, new_page, js):
    survey = make_survey(db, make_org(db), EVERY_KIND[:2])
    first, second = survey.questions
    page = new_page(js=js)
    page.goto(f"/s/{survey.slug}")
    tap_button(page, NEXT)
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Fejl: "))
    error_url = page.url  # the error is a page of its own, at the screen's address
    assert error_url.endswith(f"/{first.id}")

    tap_option_label(page, "18-25")
    tap_button(page, NEXT)
    expect(page.get_by_role("heading", level=1)).to_contain_text(second.prompt)

    sent = []
    page.on("request", lambda request: sent.append(request.method) if "/static/" not in request.url else None)
    response = page.go_back()
    if not js:  # with JavaScript the screens are shown in place (survey.js), and so is the one Back leads to
        assert response is not None and response.ok and response.request.method == "GET"
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.prompt)
    expect(page.get_by_label("18-25", exact=True)).to_be_checked()  # the stored answer, no error any more
    expect(page.locator("#error-summary")).to_have_count(0)
    assert "POST" not in sent  # Back sent nothing again
    # A reload sends nothing again either.
    reloaded = page.reload()
    assert reloaded.request.method == "GET"
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.prompt)


def tap_option_label(page, label: str) -> None:
    target = page.get_by_label(label, exact=True)
    page.locator(f"label[for='{target.get_attribute('id')}']").tap()
    expect(target).to_be_checked()


def test_typed_number_and_its_error_survive_the_redirect_at_320_px(db, new_page, screenshot):
    number = EVERY_KIND[6]
    survey = make_survey(db, make_org(db), [number])
    page = new_page(viewport=SMALL_PHONE)
    page.goto(f"/s/{survey.slug}")
    field = page.get_by_label(number["prompt"])
    field.fill("femten")
    tap_button(page, "Send")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator(f"#q{survey.questions[0].id}-error")).to_contain_text("Skriv et tal, for eksempel 15.")
    expect(field).to_have_value("femten")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert sideways(page, "the number screen with its error") is None
    screenshot(page, "phone-320-error-number")
    field.fill("15")
    tap_button(page, "Send")
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)


def test_screen_with_a_too_long_answer_keeps_it_after_the_redirect_and_passes_axe(db, phone, axe):
    survey = make_survey(db, make_org(db), [EVERY_KIND[7] | {"required": True}])
    page = phone
    page.goto(f"/s/{survey.slug}")
    answer(page, survey.questions[0], "x" * 501)
    tap_button(page, "Send")
    expect(page.locator("#error-summary")).to_contain_text("højst 500 tegn (du skrev 501)")
    expect(page.get_by_label(survey.questions[0].prompt)).to_have_value("x" * 501)
    axe(page, "a screen with an error, after the redirect")
