"""In Chromium on a phone: a young person sends an idea with a photo, others see it and vote.

axe-core checks the brief with its form, the form's error state, the gallery
and an idea page; the layout check looks for sideways scrolling at 320 px and
tap targets under 44 px. Texts are read in English (`?lang=en`, kept in the
session) so the tests do not depend on the Danish catalogue.
"""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from engagement.competitions.models import Idea, IdeaPhoto, IdeaStatus, Vote, VotingMode
from engagement.competitions.photos import clean_photo
from extensions import utcnow
from tests.browser import wait_until_loaded
from tests.builders import make_competition, make_idea, make_org

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 568}
# What a thumb taps. A checkbox is tapped through its label; the skip link is off screen until focused.
TAPPABLE = ("main button, main input:not([type=hidden]):not([type=checkbox]), main select, main textarea, "
            ".check label, .chips a, .pager a, .survey-title a, .see-ideas a, a.button, .idea-card h2 a, .language a")
BRIEF = "Hvad skal der ske i det tomme butikslokale på Algade 12?\n\nSend en idé – en tegning er fint."


def sketch(colour="#e67e22", size=(900, 1200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def layout_problems(page, where: str) -> list[str]:
    """Sideways scrolling at the page's width, and tappable controls less than 44 px high or wide."""
    wait_until_loaded(page)  # with its stylesheet, fonts and pictures, as a person sees it
    problems = []
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        problems.append(f"{where}: the page is {scroll_width} px wide at {width} px and scrolls sideways")
    small = page.eval_on_selector_all(TAPPABLE, """els => els
        .filter(el => el.getClientRects().length)
        .map(el => ({html: el.outerHTML.slice(0, 90), box: el.getBoundingClientRect()}))
        .filter(c => c.box.height < 44 || c.box.width < 44)
        .map(c => ({html: c.html, height: c.box.height, width: c.box.width}))""")
    return problems + [f"{where}: {c['width']:.0f}×{c['height']:.0f} px: {c['html']}" for c in small]


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def voting(db, org):
    """A competition in its voting phase with two published ideas, one with a photo and one a winner."""
    competition = make_competition(db, org, title="Algade 12", brief=BRIEF, categories=["Kultur", "Sport"],
                                   voting_opens_at=utcnow() - timedelta(hours=1))
    culture = competition.categories[0].id
    make_idea(db, competition, title="Et værksted for cykler", nickname="Sofie", category_id=culture,
              photo=clean_photo(sketch()))
    make_idea(db, competition, status="winner", title="Lektiecafé med kage")
    return competition


def test_competition_pages_pass_axe_and_fit_a_small_phone(db, org, voting, new_page, axe, screenshot):
    collecting = make_competition(db, org, title="Hvad skal Algade 12 være?", brief=BRIEF,
                                  categories=["Kultur", "Sport", "Natur"])
    make_idea(db, collecting)
    problems, layout = [], []
    for viewport in ({"width": 390, "height": 844}, SMALL_PHONE):
        page = new_page(js=True, viewport=viewport)
        name = f"{viewport['width']}"
        page.goto(f"/c/{collecting.slug}")
        expect(page.locator("h1")).to_have_text("Hvad skal Algade 12 være?")
        problems.append(axe.problems(page, "the brief with the idea form"))
        layout += layout_problems(page, "the brief")
        screenshot(page, f"competition-brief-{name}")
        page.locator("#description").fill("Et sted at være, når det regner.")
        page.locator(".idea-form button[type=submit]").click()
        expect(page.locator("#error-summary")).to_be_focused()
        expect(page.locator("#title")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#description")).to_have_value("Et sted at være, når det regner.")
        problems.append(axe.problems(page, "the idea form with errors"))
        layout += layout_problems(page, "the form with errors")
        screenshot(page, f"competition-form-error-{name}")
        page.goto(f"/c/{voting.slug}/ideas")
        expect(page.locator(".idea-card")).to_have_count(2)
        problems.append(axe.problems(page, "the gallery while voting"))
        layout += layout_problems(page, "the gallery")
        screenshot(page, f"competition-gallery-{name}")
        page.locator(".idea-card:has(img) h2 a").click()
        expect(page.locator(".idea-photo")).to_be_visible()
        problems.append(axe.problems(page, "an idea page"))
        layout += layout_problems(page, "an idea page")
        screenshot(page, f"competition-idea-{name}")
    dots = make_competition(db, org, title="Prikker", voting_mode=VotingMode.dots, dots_per_device=1,
                            voting_opens_at=utcnow() - timedelta(hours=1))
    make_idea(db, dots, title="Bænke ved åen"), make_idea(db, dots, title="Flere skraldespande")
    page.goto(f"/c/{dots.slug}/ideas")
    page.locator(".idea-card").first.locator("button").click()  # gives the only dot: the rest are disabled
    expect(page.locator("button[disabled]")).to_have_count(2)
    problems.append(axe.problems(page, "the gallery in dot voting with no dots left"))
    layout += layout_problems(page, "the gallery in dot voting")
    screenshot(page, "competition-gallery-dots")
    assert not any(problems), "\n\n".join(p for p in problems if p)
    assert layout == [], "\n".join(layout)


def test_phone_without_javascript_sends_an_idea(db, org, new_page, screenshot):
    competition = make_competition(db, org, title="Algade 12", brief=BRIEF)
    page = new_page(js=False)
    page.goto(f"/c/{competition.slug}?lang=en")
    page.locator("#title").fill("Et øvelokale for bands")
    page.locator("#description").fill("Med trommer og forstærkere, som alle kan låne.")
    page.locator("#age_band").select_option("16-17")
    page.locator(".idea-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Thank you! Your idea is saved.")
    expect(page.get_by_text("reads it before it is shown in the gallery")).to_be_visible()
    screenshot(page, "competition-receipt")
    page.get_by_role("link", name="Send another idea").click()
    expect(page.locator("#title")).to_have_value("")
    idea = db.session.scalar(select(Idea))
    assert (idea.title, idea.age_band, idea.status) == ("Et øvelokale for bands", "16-17", IdeaStatus.pending)


def test_idea_with_a_photo_is_approved_shown_and_voted_for_by_two_phones(db, org, new_page, axe, screenshot):
    competition = make_competition(db, org, title="Algade 12", brief=BRIEF, categories=["Kultur", "Sport"])
    sender = new_page(js=True)
    sender.goto(f"/c/{competition.slug}?lang=en")
    sender.locator("#title").fill("Klatrevæg i gården")
    sender.locator("#description").fill("Se min model af pap.")
    sender.locator("#category").select_option(label="Sport")
    sender.locator("#photo").set_input_files(files=[
        {"name": "model.jpg", "mimeType": "image/jpeg", "buffer": sketch("#27ae60", (1600, 1200))}])
    sender.locator(".idea-form button[type=submit]").click()
    expect(sender.locator("h1")).to_have_text("Thank you! Your idea is saved.")
    axe(sender, "the receipt")  # not on the no-JavaScript phone: axe itself is JavaScript
    assert db.session.scalar(select(func.count(IdeaPhoto.id))) == 1

    # A moderator approves it (the staff page is built elsewhere), and voting opens.
    idea = db.session.scalar(select(Idea))
    idea.status = IdeaStatus.approved
    competition.voting_opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    idea_id, slug = idea.id, competition.slug

    sender.goto(f"/c/{slug}/ideas")
    card = sender.locator(f"#idea-{idea_id}")
    expect(card.locator("h2")).to_have_text("Klatrevæg i gården")
    thumb = card.locator("img")
    expect(thumb).to_have_attribute("alt", "Klatrevæg i gården")
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_have_js_property("naturalWidth", 480)
    card.get_by_role("button", name=re.compile("^Vote")).click()
    expect(sender).to_have_url(re.compile(rf"/c/{slug}/ideas#idea-{idea_id}$"))
    expect(card.locator(".votes")).to_have_text("1 vote")
    screenshot(sender, "competition-voted")

    friend = new_page(js=False)  # a second phone, without JavaScript, votes from the idea page
    friend.goto(f"/c/{slug}/idea/{idea_id}?lang=en")
    expect(friend.locator(".idea-photo")).to_have_js_property("naturalWidth", 1600)
    friend.get_by_role("button", name=re.compile("^Vote")).click()
    expect(friend).to_have_url(re.compile(rf"/c/{slug}/idea/{idea_id}#idea-{idea_id}$"))
    expect(friend.locator(".votes")).to_have_text("2 votes")
    sender.reload()
    expect(sender.locator(f"#idea-{idea_id} .votes")).to_have_text("2 votes")
    assert db.session.scalar(select(func.count(Vote.id))) == 2
