"""Staff read results in the real browser: charts drawn, nothing from respondents becomes markup."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import log_in
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.surveys.test_results import add_response

pytestmark = pytest.mark.browser

HOSTILE = ['<a href="https://evil.example">x</a>', "<img src=x onerror=alert(1)>", "</script><b>fed</b>"]


def seeded(db, labels=None, texts=()):
    org = make_org(db)
    questions = [dict(q) for q in EVERY_KIND]
    if labels:
        questions[0] = {**questions[0], "choices": labels + ["Almindelig"]}
    survey = make_survey(db, org, questions)
    first = survey.questions[0].choices[0].label
    for n in range(6):
        add_response(db, survey, {0: first, 2: "Nej", 4: n % 5 + 1, 5: n, 6: 10 + n,
                                  7: texts[n % len(texts)] if texts else "Mere lys ved havnen"})
    return org, survey


def expect_charts_drawn(page) -> None:
    """Wait until Plotly has drawn every chart of the page: it draws them after the page is in, one after another."""
    expect(page.locator(".chart[data-figure]:not(:has(.main-svg))"), f"charts not drawn on {page.url}").to_have_count(0)


def test_project_lead_sees_a_chart_per_question_and_the_page_passes_axe(db, desktop, axe):
    org, survey = seeded(db)
    log_in(desktop, make_user(db, org, role="viewer"))
    desktop.goto(f"/staff/surveys/{survey.id}/results")
    # The timeline, and a chart per answered choice, scale, rating and number question (the seeded five).
    expect(desktop.locator(".chart[data-figure]")).to_have_count(6)
    expect_charts_drawn(desktop)
    desktop.locator("details summary").first.click()
    axe(desktop, "the results page")


def test_respondents_text_never_becomes_a_link_an_element_or_a_script(db, desktop):
    org, survey = seeded(db, labels=list(HOSTILE), texts=HOSTILE)
    dialogs = []
    desktop.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(desktop, make_user(db, org))
    for url in (f"/staff/surveys/{survey.id}/results",
                f"/staff/surveys/{survey.id}/results/questions/{survey.questions[7].id}"):
        desktop.goto(url)
        for element in desktop.locator("details").all():
            element.evaluate("d => d.open = true")
        # First what must be there, shown as text (waited for), then, with everything drawn, what must not.
        main = desktop.locator("main")
        expect(main, url).to_contain_text('<a href="https://evil.example">x</a>', use_inner_text=True)
        expect(main, url).to_contain_text("<img src=x onerror=alert(1)>", use_inner_text=True)
        expect_charts_drawn(desktop)
        assert desktop.locator('a[href*="evil.example"]').count() == 0, url
        assert desktop.locator('img[src="x"]').count() == 0, url
        assert desktop.locator("b:text('fed')").count() == 0, url
    # Plotly draws labels as SVG text: the hostile label must be there as plain text.
    desktop.goto(f"/staff/surveys/{survey.id}/results")
    expect_charts_drawn(desktop)
    expect(desktop.locator(".chart svg text").filter(has_text="<img src=x onerror=alert(1)>").first).to_be_attached()
    assert desktop.locator(".chart svg a").count() == 0
    assert dialogs == []


def test_date_axes_speak_danish(db, desktop):
    from datetime import datetime, timedelta

    org = make_org(db)
    survey = make_survey(db, org, [EVERY_KIND[2]])
    for day in range(0, 25, 4):
        add_response(db, survey, {0: "Ja"}, started=datetime(2026, 10, 1, 12) + timedelta(days=day))
    log_in(desktop, make_user(db, org, role="viewer"))
    desktop.goto(f"/staff/surveys/{survey.id}/results")
    ticks = desktop.locator(".chart[data-figure=timeline] .xaxislayer-above")
    expect(ticks).to_contain_text("Okt")
    expect(ticks).not_to_contain_text("Oct")
