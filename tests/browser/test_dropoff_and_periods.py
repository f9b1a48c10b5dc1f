"""Staff see where people stop and compare two periods in the real browser: charts drawn, axe clean."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import log_in
from tests.browser.test_results_page import expect_charts_drawn
from tests.builders import make_org, make_survey, make_user
from tests.surveys.test_dropoff import build, expected
from tests.surveys.test_periods import BEFORE, DURING, QUESTIONS
from tests.surveys.test_results import add_response

pytestmark = pytest.mark.browser


def test_project_lead_reads_where_people_stop_and_compares_two_periods(db, desktop, axe):
    org = make_org(db)
    _org, survey = build(db, org=org)
    trial = make_survey(db, org, QUESTIONS)
    for started, answers in BEFORE + DURING:
        add_response(db, trial, answers, started=started)
    log_in(desktop, make_user(db, org, role="viewer"))

    desktop.goto(f"/staff/surveys/{survey.id}/results")
    desktop.get_by_role("link", name="Hvor folk stopper").click()
    section = desktop.locator("#dropoff")
    _saw, _answered, stopped = expected()
    worst = section.locator("tr.most-stopped")
    expect(worst).to_contain_text("Hvor tryg føler du dig?")
    expect(worst.locator('[data-count="stopped"]')).to_contain_text(str(stopped[2]))
    expect(section.locator("#dropoff-said")).to_contain_text("Flest stoppede ved spørgsmål 3")
    expect(section.locator('.chart[data-figure="dropoff"] .main-svg').first).to_be_attached()
    expect_charts_drawn(desktop)
    section.locator("details summary").first.click()
    axe(desktop, "where people stop")

    # From the results page to the periods page, then two periods typed in.
    desktop.locator(".crumbs a").click()
    desktop.get_by_role("link", name="Sammenlign to perioder").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Sammenlign to perioder")
    desktop.goto(f"/staff/surveys/{trial.id}/periods")
    desktop.locator("#a-since").fill("2026-03-01")
    desktop.locator("#a-until").fill("2026-03-31")
    desktop.locator("#b-since").fill("2026-04-01")
    desktop.locator("#b-until").fill("2026-04-30")
    desktop.get_by_role("button", name="Sammenlign perioderne").click()
    expect(desktop.locator("dl.figures")).to_contain_text("3 svar")
    expect(desktop.locator("dl.figures")).to_contain_text("4 svar")
    first = desktop.locator("table.periods").first
    expect(first.locator("tr", has_text="Bil").locator("td").nth(0)).to_have_text("2")
    expect(first.locator("tr", has_text="Cykel").locator("td").nth(2)).to_have_text("2")
    expect_charts_drawn(desktop)
    axe(desktop, "the periods page")

    # An end before its start: a message, the dates kept, no comparison.
    desktop.locator("#b-until").fill("2026-03-15")
    desktop.get_by_role("button", name="Sammenlign perioderne").click()
    expect(desktop.locator("#period-problems")).to_contain_text("før den starter")
    expect(desktop.locator("#b-until")).to_have_value("2026-03-15")
    expect(desktop.locator("table.periods")).to_have_count(0)
    axe(desktop, "the periods page with a period that ends before it starts")
