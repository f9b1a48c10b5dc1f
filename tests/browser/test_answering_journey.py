"""A young person answers a survey on a phone, with and without JavaScript.

Everything happens through the real Chromium: taps on the option cards, the
Back link, the browser's own back button, and a second tap on Send after the
survey was sent. The database is read only at the end, to prove that what the
person chose is exactly what was stored, once.
"""
import re
from collections import Counter

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveys.models import Response
from tests.browser import (
    BACK,
    NEXT,
    POINT_KINDS,
    SEND,
    THANKS,
    answer,
    answers_no,
    expect_screen,
    option,
    tap_button,
    wait_until_loaded,
)
from tests.builders import EVERY_KIND, make_org, make_survey

pytestmark = pytest.mark.browser

JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


def stored_rows(db, survey) -> Counter:
    """The answer rows of the survey's only response, which must be completed."""
    db.session.rollback()  # a fresh transaction sees what the server committed
    responses = db.session.scalars(select(Response).where(Response.survey_id == survey.id)).all()
    assert len(responses) == 1, f"expected one response, found {len(responses)}"
    assert responses[0].completed
    return Counter((a.question_id, a.choice_id, a.number, a.text) for a in responses[0].answers)


def row(question, value) -> tuple:
    """The stored row for one answer value: a choice label, a number, or a text."""
    if question.choices:
        return (question.id, question.choices[value], None, None)
    if question.kind in POINT_KINDS + ("number",):
        return (question.id, None, float(str(value).replace(",", ".")), None)
    return (question.id, None, None, value)


def expected_rows(steps) -> Counter:
    rows = Counter()
    for question, value, _number, _total in steps:
        for one in value if isinstance(value, list) else [value]:
            rows[row(question, one)] += 1
    return rows


def expect_pictures_loaded(page, width: int) -> None:
    """Both option pictures arrive whole (`width` px wide, as stored); waits for them, they load after the text."""
    pictures = page.locator("label.choice img")
    expect(pictures).to_have_count(2)
    for picture in pictures.all():
        expect(picture).to_have_js_property("complete", True)
        expect(picture).to_have_js_property("naturalWidth", width)


@JS
def test_young_person_who_answers_no_gets_the_follow_up_and_is_counted_once(
        db, new_page, every_kind_survey, screenshot, js):
    survey = every_kind_survey(images=True)
    page = new_page(js=js)
    steps = answers_no(survey)
    page.goto(survey.start_url())
    expect(page.locator(".intro")).to_contain_text("Det tager to minutter.")
    for question, value, number, total in steps:
        expect_screen(page, question, number, total)
        if question.kind == "rating":
            # Back once: the earlier answer is still picked; change nothing and go on.
            page.get_by_role("link", name=BACK, exact=True).tap()
            previous = steps[number - 2]
            expect_screen(page, previous[0], number - 1, total)
            expect(option(page, previous[0], previous[1])).to_be_checked()
            tap_button(page, NEXT)
            expect_screen(page, question, number, total)
        if question.kind == "image_choice":
            expect_pictures_loaded(page, width=160)  # the builder's pictures are 160×100
        answer(page, question, value)
        if js:
            screenshot(page, f"phone-{number}-{question.kind}")
        tap_button(page, SEND if number == total else NEXT)

    thanks = page.get_by_role("heading", level=1)
    expect(thanks).to_have_text(THANKS)
    if js:
        screenshot(page, "phone-thanks")

    # The browser's back button, then Send again: the same thank-you page, nothing stored twice.
    # (This browser reloads the page; a page restored from the back/forward cache is tested below.)
    page.go_back()
    last = steps[-1]
    expect_screen(page, last[0], 9, 9)
    expect(option(page, last[0], last[1][0])).to_be_checked()
    tap_button(page, SEND)
    expect(thanks).to_have_text(THANKS)

    assert stored_rows(db, survey) == expected_rows(steps)


@JS
def test_young_person_who_answers_yes_never_sees_the_follow_up(db, new_page, every_kind_survey, js):
    survey = every_kind_survey(images=False)
    q = survey.questions
    yes = list(q["yes_no"].choices)[0]
    steps = [
        (q["single_choice"], ["Over 25"], 1, 8),
        (q["multiple_choice"], ["Torvet"], 2, 8),
        (q["yes_no"], [yes], 3, 8),
        (q["scale"], 1, 4, 8),
        (q["rating"], 10, 5, 8),
        (q["number"], "7,5", 6, 8),  # a Danish decimal comma
        (q["long_text"], "", 7, 8),  # optional: left empty
        (q["image_choice"], ["Træ"], 8, 8),
    ]
    page = new_page(js=js)
    page.goto(survey.start_url())
    for question, value, number, total in steps:
        expect_screen(page, question, number, total)
        answer(page, question, value)
        tap_button(page, SEND if number == total else NEXT)
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)

    stored = stored_rows(db, survey)
    assert stored == expected_rows([s for s in steps if s[1] != ""])
    assert q["short_text"].id not in {question_id for question_id, *_ in stored}


def test_person_who_sends_a_one_question_survey_twice_with_the_back_button_is_counted_once(db, phone):
    survey = make_survey(db, make_org(db), [EVERY_KIND[2]])
    question = survey.questions[0]
    yes = question.choices[0].label
    phone.goto(f"/s/{survey.slug}")
    phone.get_by_label(yes, exact=True).tap()
    tap_button(phone, SEND)
    expect(phone.get_by_role("heading", level=1)).to_have_text(THANKS)
    phone.go_back()
    phone.get_by_label(yes, exact=True).tap()
    tap_button(phone, SEND)
    expect(phone.get_by_role("heading", level=1)).to_have_text(THANKS)
    db.session.rollback()
    assert len(db.session.scalars(select(Response).where(Response.survey_id == survey.id)).all()) == 1


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_person_back_from_the_thank_you_page_on_a_phone_with_bfcache_can_send_again(db, new_page, js):
    survey = make_survey(db, make_org(db), [EVERY_KIND[0], EVERY_KIND[2]])
    prompt, yes = survey.questions[1].prompt, survey.questions[1].choices[0].label
    page = new_page(js=js, bfcache=True)
    page.goto(f"/s/{survey.slug}")
    page.get_by_label("13-17", exact=True).tap()
    tap_button(page, NEXT)
    page.get_by_label(yes, exact=True).tap()
    if js:
        page.evaluate("window.leftAt = 'last screen'")
        # survey.js ignores Send for 4 s after a tap; on a slow machine those 4 s would pass before the
        # second tap. Keep them from ending, so only the page's own `pageshow` handler lets the tap through.
        page.evaluate("window.setTimeout = () => 0")
    tap_button(page, SEND)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(THANKS)

    page.go_back(wait_until="commit")  # a page restored from the cache fires no load event
    expect(heading).to_contain_text(prompt)
    if js and page.evaluate("window.leftAt") != "last screen":
        pytest.skip("this Chromium reloaded the page instead of restoring it from the back/forward cache")
    tap_button(page, SEND)
    expect(heading).to_have_text(THANKS)
    db.session.rollback()
    assert len(db.session.scalars(select(Response).where(Response.survey_id == survey.id)).all()) == 1


@JS
def test_person_who_sends_an_empty_required_answer_sees_the_error_summary(
        db, new_page, every_kind_survey, screenshot, js):
    survey = every_kind_survey(images=False)
    first = survey.questions["single_choice"]
    page = new_page(js=js)
    page.goto(survey.start_url())
    tap_button(page, NEXT)

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Tjek dit svar")
    expect(page).to_have_title(re.compile(r"^Fejl: "))
    # Focus moves to the summary, by survey.js and, without JavaScript, by its autofocus attribute.
    expect(summary).to_be_focused()
    if js:
        assert page.evaluate("document.activeElement.id") == "error-summary"
        screenshot(page, "phone-error-required")
    for radio in page.get_by_role("radio").all():
        expect(radio).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("group")).to_have_attribute("aria-describedby", f"q{first.id}-error")

    # The summary's link leads to the field; answering it clears the error.
    summary.get_by_role("link").tap()
    expect(page).to_have_url(re.compile(rf"#q{first.id}$"))
    answer(page, first, ["18-25"])
    tap_button(page, NEXT)
    expect_screen(page, survey.questions["multiple_choice"], 2, 8)
    expect(page.locator("#error-summary")).to_have_count(0)


@JS
def test_person_who_types_letters_as_a_number_keeps_what_they_typed(db, new_page, screenshot, js):
    number = EVERY_KIND[6]
    survey = make_survey(db, make_org(db), [number])
    field_id = f"q{survey.questions[0].id}"
    page = new_page(js=js)
    page.goto(f"/s/{survey.slug}")
    field = page.get_by_label(number["prompt"])
    field.tap()
    field.fill("abc")
    tap_button(page, SEND)

    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator(f"#{field_id}-error")).to_contain_text("15")  # "Skriv et tal, for eksempel 15."
    expect(page.locator("#error-summary")).to_be_focused()
    if js:
        screenshot(page, "phone-error-number")
    expect(field).to_have_value("abc")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", f"{field_id}-error")

    field.fill("15")
    tap_button(page, SEND)
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)


# What a thumb taps on a survey screen. The skip link is off screen until focused.
TAPPABLE = "label.choice, label.point, button, a.back, .language a, input[type=text], textarea"
SMALL_PHONE = {"width": 320, "height": 568}


def layout_problems(page, where: str) -> list[str]:
    """Sideways scrolling at this width, and tappable controls less than 44 px high."""
    # Measure the page as a person sees it: with its stylesheet, fonts and pictures, not mid-load.
    wait_until_loaded(page)
    problems = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > SMALL_PHONE["width"]:
        problems.append(f"{where}: the page is {scroll_width} px wide and scrolls sideways")
    small = page.eval_on_selector_all(TAPPABLE, """els => els
        .map(el => ({html: el.outerHTML.slice(0, 90), height: el.getBoundingClientRect().height}))
        .filter(c => c.height < 44)""")
    problems += [f"{where}: {c['height']:.0f} px high: {c['html']}" for c in small]
    return problems


def test_no_screen_scrolls_sideways_and_every_control_is_big_enough_at_320_px(
        db, new_page, every_kind_survey):
    survey = every_kind_survey(images=True, title="Unge i Vordingborg bymidte: hvad mangler du, og hvor mødes I?")
    page = new_page(js=True, viewport=SMALL_PHONE)
    page.goto(survey.start_url())
    problems = []
    tap_button(page, NEXT)  # the error state of the first screen, with its summary
    expect(page.locator("#error-summary")).to_be_visible()
    problems += layout_problems(page, "error on screen 1")
    for question, value, number, total in answers_no(survey):
        expect_screen(page, question, number, total)
        problems += layout_problems(page, f"screen {number} ({question.kind})")
        answer(page, question, value)
        tap_button(page, SEND if number == total else NEXT)
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    problems += layout_problems(page, "thank-you page")
    assert problems == [], "\n".join(problems)


def test_with_javascript_each_screen_is_one_request_and_back_still_shows_the_answer_given(db, new_page, screenshot):
    survey = make_survey(db, make_org(db), [EVERY_KIND[0], EVERY_KIND[2], EVERY_KIND[1]])
    first, second, third = survey.questions
    page = new_page(js=True)
    page.goto(f"/s/{survey.slug}")
    expect_screen(page, first, 1, 3)
    page.evaluate("window.sameDocument = true")  # gone if the browser loads a page the ordinary way
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url))
            if "/static/" not in request.url else None)

    answer(page, first, ["18-25"])
    tap_button(page, NEXT)
    expect_screen(page, second, 2, 3)
    expect(page).to_have_url(re.compile(rf"/{second.id}$"))
    answer(page, second, [second.choices[0].label])
    tap_button(page, NEXT)
    expect_screen(page, third, 3, 3)
    screenshot(page, "phone-screen-shown-in-place")

    # Back: the screen before, with the answer given, still without loading a page.
    page.go_back()
    expect_screen(page, second, 2, 3)
    expect(option(page, second, second.choices[0].label)).to_be_checked()
    page.go_forward()
    expect_screen(page, third, 3, 3)
    answer(page, third, ["Skateparken"])
    tap_button(page, SEND)
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS)
    expect(page).to_have_url(re.compile(r"/tak$"))
    screenshot(page, "phone-thanks-shown-in-place")

    assert page.evaluate("window.sameDocument") is True
    # One request per screen sent: the post, whose answer is the next page; the two GETs are Back and Forward.
    assert [method for method, _url in sent] == ["POST", "POST", "GET", "GET", "POST"], sent
    stored = stored_rows(db, survey)
    assert sum(stored.values()) == 3
