"""Staff read results in the real browser: charts drawn, nothing from respondents becomes markup."""
import pytest

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


def test_project_lead_sees_a_chart_per_question_and_the_page_passes_axe(db, desktop, axe):
    org, survey = seeded(db)
    log_in(desktop, make_user(db, org, role="viewer"))
    desktop.goto(f"/staff/surveys/{survey.id}/results")
    desktop.wait_for_selector(".chart .main-svg")
    drawn = desktop.locator(".chart[data-figure] .main-svg").count()
    assert drawn >= 7  # timeline + every choice, scale, rating and number question
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
        desktop.wait_for_load_state("networkidle")
        for element in desktop.locator("details").all():
            element.evaluate("d => d.open = true")
        assert desktop.locator('a[href*="evil.example"]').count() == 0, url
        assert desktop.locator('img[src="x"]').count() == 0, url
        assert desktop.locator("b:text('fed')").count() == 0, url
        page_text = desktop.locator("main").inner_text()
        assert '<a href="https://evil.example">x</a>' in page_text, url
        assert "<img src=x onerror=alert(1)>" in page_text, url
    # Plotly draws labels as SVG text: the hostile label must be there as plain text.
    desktop.goto(f"/staff/surveys/{survey.id}/results")
    desktop.wait_for_selector(".chart .main-svg")
    svg_text = " ".join(desktop.locator(".chart svg text").all_text_contents())
    assert "<img src=x onerror=alert(1)>" in svg_text
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
    desktop.wait_for_selector(".chart .xtick text")
    ticks = " ".join(desktop.locator(".chart").first.locator(".xtick text").all_text_contents())
    assert "Okt" in ticks and "Oct" not in ticks, ticks
