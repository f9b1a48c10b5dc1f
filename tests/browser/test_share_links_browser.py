"""Share links in a real browser: an editor makes a link, a partner opens it on a phone without an account
and sees the charts, and after the editor revokes it the partner gets the friendly 410 page. axe-core
checks the staff page, the shared page and the refusal pages."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.reports.models import ShareLink
from tests.browser import wait_until_loaded
from tests.builders import PASSWORD, make_org, make_user
from tests.engagement.reports.test_share_links import FREE_TEXT, answered_survey

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def public_base_url(app, live_server, monkeypatch):
    """The addresses staff copy lead to the live server, as PUBLIC_BASE_URL does in production."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server)


def log_in(page, user) -> None:
    page.goto("/staff/login?lang=en")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile("/login"))
    page.goto("/staff/surveys/?lang=en")  # signing in starts a new session: choose English again


def report(problems: list[str]) -> str:
    return "\n\n".join(p for p in problems if p)


def test_editor_shares_results_a_partner_opens_them_on_a_phone_and_after_revoking_gets_the_410_page(
        db, desktop, new_page, axe, screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    survey = answered_survey(db, org, people=7, counted=7)
    log_in(desktop, make_user(db, org, role="editor"))
    problems = []

    desktop.goto(f"/staff/links/survey/{survey.id}")
    expect(desktop.get_by_role("heading", level=1)).to_contain_text(survey.title)
    problems.append(axe.problems(desktop, "the staff page without links"))

    desktop.get_by_label("Open until").fill("2001-01-01")
    desktop.get_by_role("button", name="Make the link").click()
    expect(desktop.locator("#error-summary")).to_be_focused()
    problems.append(axe.problems(desktop, "the staff page with a refused expiry day"))

    desktop.goto(f"/staff/links/survey/{survey.id}")  # a fresh form with the default day, 90 days ahead
    desktop.get_by_label("Who is it for?").fill("Handelsstandsforeningen")
    desktop.get_by_label("Show free-text answers").check()
    desktop.get_by_role("button", name="Make the link").click()
    address = desktop.get_by_label("Address to send")
    expect(address).to_be_visible()
    url = address.input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/del/[A-Za-z0-9_-]{43}", url), url
    problems.append(axe.problems(desktop, "the staff page with an open link"))
    screenshot(desktop, "share-links-staff")

    phone = new_page(js=True)
    referers = []
    phone.on("request", lambda request: referers.append(request.headers.get("referer")))
    phone.goto(url)
    expect(phone.locator("[data-figure]").first).to_be_visible()
    expect(phone.locator("[data-figure]:not(:has(.main-svg))")).to_have_count(0)  # every chart is drawn
    wait_until_loaded(phone)
    expect(phone.locator("main")).to_contain_text(f"{FREE_TEXT} nummer 6")
    assert phone.locator("a[href]:not([href^='#'])").count() == 0  # nowhere to go from here
    assert len(referers) > 3 and not any(referers)  # its styles and scripts were fetched without it
    problems.append(axe.problems(phone, "the shared page"))
    screenshot(phone, "share-links-shared-page")

    desktop.reload()
    views = desktop.locator(".facts div", has=desktop.locator("dt", has_text="Views")).locator("dd")
    expect(views).to_have_text(re.compile(r"^1 "))  # the partner's view is counted, with when
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(desktop.get_by_label("Address to send")).to_have_count(0)
    assert db.session.scalar(select(ShareLink.revoked_at)) is not None

    assert phone.reload().status == 410
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    problems.append(axe.problems(phone, "the 410 page of a revoked link"))
    screenshot(phone, "share-links-410")
    assert phone.goto(url[:-1] + ("A" if url[-1] != "A" else "B")).status == 404
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    problems.append(axe.problems(phone, "the 404 page of an unknown token"))
    assert not report(problems), report(problems)
