"""Browser tests, and how a person answers a survey screen in them.

The helpers act as a person on a phone does: tap the option card, type in the
field, tap the button by its visible name. Button names are the Danish UI
(checked against translations/da).
"""
import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

NEXT, SEND, BACK = "Næste", "Send", "Tilbage"
THANKS = "Tak! Dine svar er gemt."
TEXT_KINDS = ("short_text", "long_text", "number")
POINT_KINDS = ("scale", "rating")


# Milliseconds to wait for a page to load, as the contexts' default timeout (conftest.new_page).
LOAD_TIMEOUT = 10_000

# Whole as a person sees it: the load event has fired (stylesheet, scripts, eager pictures), the fonts
# are in, and every picture in the window has arrived. A lazy picture outside the window is not
# asked for until someone scrolls to it, so it is not waited for.
WHOLE = """() => document.readyState === 'complete' && document.fonts.status === 'loaded'
    && Array.from(document.images).every(img => img.complete || (img.loading === 'lazy'
        && !Array.from(img.getClientRects()).some(box => box.bottom > 0 && box.top < innerHeight)))"""
STILL_LOADING = """() => ({readyState: document.readyState, fonts: document.fonts.status,
    pictures: Array.from(document.images).filter(img => !img.complete).map(img => img.currentSrc || img.src)})"""


def wait_until_loaded(page, timeout: float = LOAD_TIMEOUT) -> None:
    """Wait until the page is whole, so that what is measured, checked or photographed is what a person sees.

    Call it after waiting for something of the new page itself: just after a click, the page being
    left is still the loaded one. Works with JavaScript off too (Playwright's own scripts still run).

    :raise AssertionError: after `timeout` ms, naming what is still loading.
    """
    try:
        # Polled, not checked per animation frame: a still page without JavaScript may draw no new frame
        # after its load event, and the check would then never run again.
        page.wait_for_function(WHOLE, timeout=timeout, polling=100)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{page.url} had not loaded after {timeout / 1000:g} s: "
                             f"{page.evaluate(STILL_LOADING)}") from None


def expect_screen(page, question, number: int, total: int) -> None:
    """The screen shows `question` as number `number` of `total` (waits for the page to load)."""
    expect(page.get_by_role("heading", level=1)).to_contain_text(question.prompt)
    progress = page.locator("progress")
    expect(progress).to_have_attribute("value", str(number))
    expect(progress).to_have_attribute("max", str(total))
    expect(page.locator("#progress")).to_have_text(f"Spørgsmål {number} af {total}")


def option(page, question, value):
    """The radio or check box a person means by `value`: an option label, or a point on a scale."""
    if question.kind in POINT_KINDS:
        # A point's name is its number, plus the end label on the first and last point: "1 (Utryg)".
        # (By role: get_by_label would read the label's whole text, drawn faces included.)
        return page.get_by_role("radio", name=re.compile(rf"^{value}\b"))
    return page.get_by_label(value, exact=True)


def tap_option(page, question, value) -> None:
    """Tap the option's card (its <label>), as a thumb would, not the small input inside it."""
    target = option(page, question, value)
    page.locator(f"label[for='{target.get_attribute('id')}']").tap()
    expect(target).to_be_checked()


def answer(page, question, value) -> None:
    """Answer the screen: text for text kinds, a point for scales, a list of labels for choices."""
    if question.kind in TEXT_KINDS:
        field = page.get_by_label(question.prompt)
        field.tap()
        field.fill(value)
    elif question.kind in POINT_KINDS:
        tap_option(page, question, value)
    else:
        for label in value:
            tap_option(page, question, label)


def tap_button(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).tap()


def answers_no(survey) -> list[tuple]:
    """(question, value, number, total) of every screen of the EVERY_KIND survey for a person who
    answers "Nej" to the yes/no question and so also sees its follow-up."""
    q = survey.questions
    no = list(q["yes_no"].choices)[1]
    return [
        (q["single_choice"], ["13-17"], 1, 8),
        (q["multiple_choice"], ["Skateparken", "Havnen"], 2, 8),
        (q["yes_no"], [no], 3, 8),
        (q["short_text"], "Der sker ikke noget for unge", 4, 9),
        (q["scale"], 4, 5, 9),
        (q["rating"], 8, 6, 9),
        (q["number"], "15", 7, 9),
        (q["long_text"], "Et sted at sidde i læ, når det regner", 8, 9),
        (q["image_choice"], ["Beton"], 9, 9),
    ]
