"""On a phone, with JavaScript and without: asking to be told when results come, and saying stop.
Both pages are axe-clean, do not scroll sideways, and fit the first round trip."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.front.notices import set_notice
from engagement.mail.models import Subscription
from tests.browser import wait_until_loaded
from tests.browser.test_front import BUDGET, first_round_trip
from tests.builders import make_org, make_survey
from tests.engagement.test_exports import add_response

pytestmark = pytest.mark.browser

KEPT = date.today() + timedelta(days=183)


@pytest.fixture
def survey(db):
    org = make_org(db, name="Vordingborg bymidte")
    survey = make_survey(db, org, [{"kind": "yes_no", "prompt": "Kommer du på Torvet?"}], title="Unge på Torvet",
                         slug="torvet")
    set_notice(db.session, survey, True, KEPT)
    db.session.commit()
    return survey


def no_sideways_scroll(page) -> None:
    wait_until_loaded(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_young_person_asks_to_be_told_and_later_says_stop(new_page, axe, screenshot, db, survey, js):
    suffix = "js" if js else "nojs"
    response = add_response(db, survey, {0: "Ja"})
    page = new_page(js=js)
    page.goto(f"/s/torvet/{response.key}/tak")
    page.get_by_role("link", name="Få besked, når resultaterne kommer").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Få besked, når resultaterne kommer")
    expect(page.locator("#consent-help")).to_contain_text("sletter den senest den")
    problems = [axe.problems(page, "the page that asks to be told")] if js else []
    no_sideways_scroll(page)
    screenshot(page, f"mail-subscribe-{suffix}")

    field = page.get_by_label("Din e-mail")
    field.tap()
    field.fill("sofie@example.dk")
    page.get_by_role("button", name="Giv mig besked").tap()
    expect(page.locator("#error-summary")).to_contain_text("Sæt flueben")
    expect(page.get_by_label("Din e-mail")).to_have_value("sofie@example.dk")
    if js:
        problems.append(axe.problems(page, "the same page with an error"))
    screenshot(page, f"mail-subscribe-error-{suffix}")

    page.locator("label[for=consent]").tap()
    page.get_by_role("button", name="Giv mig besked").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak! Vi skriver til dig, når resultaterne kommer.")
    if js:
        problems.append(axe.problems(page, "the thank-you page"))
    screenshot(page, f"mail-subscribed-{suffix}")

    token = db.session.scalar(select(Subscription.token))
    page.goto(f"/afmeld/{token}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vil du stoppe mails fra os?")
    expect(page.locator("main")).to_contain_text("»Unge på Torvet«")
    if js:
        problems.append(axe.problems(page, "the unsubscribe page"))
    no_sideways_scroll(page)
    screenshot(page, f"mail-unsubscribe-{suffix}")
    page.get_by_role("button", name="Ja, stop dem").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du får ikke flere mails fra os")
    if js:
        problems.append(axe.problems(page, "the page after saying stop"))
    screenshot(page, f"mail-unsubscribed-{suffix}")
    db.session.expire_all()
    assert db.session.scalar(select(Subscription)) is None
    assert not [p for p in problems if p], "\n".join(problems)


def test_the_mail_pages_fit_the_first_round_trip(client, db, survey):
    assert first_round_trip(client, "/resultater/torvet/besked") <= BUDGET
    page = client.get("/resultater/torvet/besked").get_data(as_text=True)
    client.post("/resultater/torvet/besked", data={
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1),
        "key": re.search(r'name="key"[^>]*value="([^"]+)"', page).group(1), "email": "bo@example.dk", "consent": "y"})
    token = db.session.scalar(select(Subscription.token))
    assert first_round_trip(client, f"/afmeld/{token}") <= BUDGET
