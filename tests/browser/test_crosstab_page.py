"""A project lead picks a cross-tab in the real browser: the form keeps the filters, the bars are drawn,
the table holds the counts, and axe finds nothing."""
import random

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import log_in
from tests.browser.test_results_page import expect_charts_drawn
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.surveys.test_crosstabs import PLACES, WEEKLY, picked, random_answers, store

pytestmark = pytest.mark.browser


def test_project_lead_breaks_a_question_down_and_the_page_passes_axe(db, desktop, axe):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND)
    rng = random.Random(3)
    people = [random_answers(rng, survey) for _ in range(30)]
    for answers in people:
        store(db, survey, answers)
    log_in(desktop, make_user(db, org, role="viewer"))
    since = "2020-01-01"
    desktop.goto(f"/staff/surveys/{survey.id}/results?from={since}")
    desktop.get_by_role("link", name="Krydstabel").click()
    desktop.locator("#crosstab-q").select_option(str(survey.questions[PLACES].id))
    desktop.locator("#crosstab-by").select_option(str(survey.questions[WEEKLY].id))
    desktop.get_by_role("button", name="Vis").click()
    expect(desktop.locator("#crosstab-table")).to_be_visible()
    assert f"from={since}" in desktop.url  # the results' filter came along
    expect_charts_drawn(desktop)
    expect(desktop.locator(".chart[data-figure=crosstab] .legendtext")).to_have_count(4)
    yes_row = desktop.locator("#crosstab-table tbody tr").filter(has=desktop.locator("th", has_text="Ja"))
    said_yes = [a for a in people if picked(a, WEEKLY) == {"Ja"} and picked(a, PLACES)]
    expect(yes_row.locator("td.total")).to_have_text(str(len(said_yes)))
    skate = sum("Skateparken" in picked(a, PLACES) for a in said_yes)
    expect(yes_row.locator("td.cell").first).to_have_attribute("data-count", str(skate))
    axe(desktop, "the cross-tab page")

    # A question broken down by itself: a message, the form still there with what was picked.
    desktop.locator("#crosstab-by").select_option(str(survey.questions[PLACES].id))
    desktop.get_by_role("button", name="Vis").click()
    expect(desktop.locator("#crosstab-problem")).to_contain_text("ikke deles op efter sig selv")
    expect(desktop.locator("#crosstab-q")).to_have_value(str(survey.questions[PLACES].id))
