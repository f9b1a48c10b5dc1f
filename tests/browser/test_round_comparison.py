"""Staff compare two rounds in the real browser: every comparison chart is drawn and the page passes axe."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import log_in
from tests.browser.test_results_page import expect_charts_drawn
from tests.builders import make_user
from tests.engagement.dashboard.test_round_comparison import series  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def test_project_lead_sees_the_rounds_side_by_side_and_the_page_passes_axe(db, desktop, axe, series):  # noqa: F811
    org, first, second, third = series
    log_in(desktop, make_user(db, org, role="viewer"))
    desktop.goto(f"/staff/surveys/{second.id}/rounds")
    # Bars for the two choice questions and the added yes/no question, a line for the scale.
    expect(desktop.locator(".chart[data-figure]")).to_have_count(4)
    expect_charts_drawn(desktop)
    expect(desktop.locator("table.compare").first).to_contain_text("ikke stillet i Runde 2")
    axe(desktop, "the round comparison page")


def test_editor_starts_the_next_round_by_keyboard_on_pages_that_pass_axe(db, desktop, axe, series):  # noqa: F811
    org, first, second, third = series
    log_in(desktop, make_user(db, org, role="editor"))
    desktop.goto(f"/staff/surveys/{third.id}")
    expect(desktop.get_by_role("link", name="Sammenlign runderne")).to_be_visible()
    axe(desktop, "a survey page with its rounds")
    desktop.get_by_role("link", name="Start en ny runde").click()
    expect(desktop.get_by_label("Lad denne rundes kontaktpunkter føre til den nye runde")).to_be_checked()
    axe(desktop, "the new round form")
    desktop.get_by_label("Flyt den offentlige adresse med").check()
    desktop.get_by_role("button", name="Start runde 4").press("Enter")
    expect(desktop.locator("h1")).to_contain_text(third.title)
    expect(desktop.locator(".rounds")).to_contain_text("Runde 4 (denne)")
