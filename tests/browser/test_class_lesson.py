"""In Chromium, a lesson as a class lives it: the pupils' phones follow the phase by themselves (with
JavaScript and without), an idea sent in class leads back to the class, and the projector shows the
class no staff menu, takes the code down when the session ends and draws axes one can read.

The pupils' page asks for the phase every 10 s at first, less often later; the waits below allow for that.
"""
import re

import pytest
from playwright.sync_api import expect

from extensions import utcnow
from tests.builders import PASSWORD, make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.classes.builders import answer_whole_survey, make_class_session

pytestmark = pytest.mark.browser

FOLLOWS = 45_000  # ms: a pupil's page notices a new phase within its polling pause (at most 30 s)


def minutes_ago(minutes: int):
    from datetime import timedelta

    return utcnow() - timedelta(minutes=minutes)


def sign_in(page, user) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page).not_to_have_url(re.compile("/login"))


def mark_page(page) -> None:
    """A marker that survives only as long as the page is not loaded again."""
    page.evaluate("window.notReloaded = true")


def still_the_same_page(page) -> bool:
    return page.evaluate("window.notReloaded === true")


def lesson(db):
    org = make_org(db)
    competition = make_competition(db, org, title="Hvad skal Algade 12 være?", voting_mode="dots")
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, competition=competition, dots_per_pupil=3,
                                       name="8.b Kulsbjerg Skole")
    make_idea(db, competition, class_session_id=class_session.id, title="Skatecafé med værksted")
    return competition, teacher, class_session


def test_pupils_phone_follows_the_lesson_from_ideas_to_the_vote_to_the_end_by_itself(db, new_page, axe, screenshot):
    competition, _teacher, class_session = lesson(db)
    phone = new_page(js=True)
    phone.goto(f"/join/{class_session.code}")
    send = phone.get_by_role("link", name="Send en idé")
    expect(send).to_be_visible()
    expect(phone.get_by_text("Genindlæs")).to_have_count(0)
    problems = [axe.problems(phone, "the class page while ideas are collected")]
    screenshot(phone, "lesson-pupil-1-collecting")

    # An idea from the class page: the receipt speaks of the class and leads back to it.
    send.tap()
    phone.get_by_label("Giv din idé en kort titel").fill("Tag over skaterampen")
    phone.get_by_label("Fortæl om din idé").fill("Så vi kan skate, når det regner.")
    phone.get_by_role("button", name="Send idé").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Tak! Din idé er gemt.")
    expect(phone.get_by_text("Din lærer eller en fra kommunen læser den først")).to_be_visible()
    expect(phone.get_by_text("et par dage")).to_have_count(0)
    problems.append(axe.problems(phone, "the receipt of an idea sent in class"))
    screenshot(phone, "lesson-pupil-2-receipt")
    phone.get_by_role("link", name="Tilbage til klassen").tap()
    expect(phone).to_have_url(re.compile(f"/join/{class_session.code}$"))
    mark_page(phone)

    # The competition stops collecting ideas: the page stops offering to send one.
    competition.voting_opens_at = minutes_ago(1)
    db.session.commit()
    expect(phone.get_by_text("Vi samler ikke flere idéer ind")).to_be_visible(timeout=FOLLOWS)
    expect(phone.get_by_role("link", name="Send en idé")).to_have_count(0)
    problems.append(axe.problems(phone, "the class page waiting for the class vote"))
    screenshot(phone, "lesson-pupil-3-waiting")
    mark_page(phone)

    # The teacher opens the class vote.
    class_session.voting_open = True
    db.session.commit()
    expect(phone.get_by_role("heading", name="Stem på klassens idéer")).to_be_visible(timeout=FOLLOWS)
    assert not still_the_same_page(phone)  # it loaded the new phase itself
    give = phone.get_by_role("button", name=re.compile(r"^Giv en prik\W+Skatecafé med værksted$"))
    give.tap()
    expect(phone.locator(".dots-left")).to_contain_text("Du har 2 prikker tilbage")
    mark_page(phone)

    # A new idea during the vote: a note with a link, no reload under the pupil's thumb.
    make_idea(db, competition, class_session_id=class_session.id, title="Grøn gård med bænke")
    note = phone.get_by_role("link", name="Der er kommet nye idéer. Vis dem")
    expect(note).to_be_visible(timeout=FOLLOWS)
    assert still_the_same_page(phone)
    problems.append(axe.problems(phone, "the class vote with the note about new ideas"))
    note.tap()
    expect(phone.get_by_role("heading", name="Grøn gård med bænke")).to_be_visible()
    screenshot(phone, "lesson-pupil-4-voting")

    # The competition closes: thanks, and where to see what happens next.
    competition.closes_at = minutes_ago(1)
    db.session.commit()
    expect(phone.get_by_role("heading", name="Tak for dine idéer og stemmer!")).to_be_visible(timeout=FOLLOWS)
    expect(phone.get_by_role("button", name=re.compile("Giv en prik"))).to_have_count(0)
    expect(phone.get_by_role("link", name="Se konkurrencens side")).to_have_attribute(
        "href", f"/c/{competition.slug}")
    problems.append(axe.problems(phone, "the class page of a closed competition"))
    screenshot(phone, "lesson-pupil-5-closed")
    assert not any(problems), "\n\n".join(p for p in problems if p)


def test_pupils_phone_asks_nothing_while_the_tab_is_hidden_and_asks_at_once_when_it_is_back(db, new_page, screenshot):
    _competition, _teacher, class_session = lesson(db)
    phone = new_page(js=True)
    asked = []
    phone.on("request", lambda request: asked.append(request.url) if request.url.endswith("/state") else None)
    phone.goto(f"/join/{class_session.code}")
    expect(phone.get_by_role("link", name="Send en idé")).to_be_visible()
    # The phone goes into a pocket (Chromium has no real hidden tab in a headless test: say so to the page).
    phone.evaluate("""() => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
                              document.dispatchEvent(new Event('visibilitychange')); }""")
    phone.wait_for_timeout(13_000)  # longer than the first pause (10 s): absence needs a time span
    assert asked == []
    with phone.expect_request(re.compile(r"/state$"), timeout=3_000):
        phone.evaluate("""() => { Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
                                  document.dispatchEvent(new Event('visibilitychange')); }""")
    # The teacher ends the session: the page says so by itself.
    class_session.ended_at = utcnow()
    db.session.commit()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Dette klasseforløb er slut", timeout=FOLLOWS)
    screenshot(phone, "lesson-pupil-6-ended")


def test_pupils_phone_without_javascript_follows_the_teacher_opening_the_vote(db, new_page, screenshot):
    _competition, _teacher, class_session = lesson(db)
    cheap = new_page(js=False)
    cheap.goto(f"/join/{class_session.code}")
    expect(cheap.get_by_role("link", name="Send en idé")).to_be_visible()
    class_session.voting_open = True
    db.session.commit()
    expect(cheap.get_by_role("heading", name="Stem på klassens idéer")).to_be_visible(timeout=FOLLOWS)
    screenshot(cheap, "lesson-pupil-no-js-voting")


def test_projector_shows_the_class_no_staff_menu_and_takes_the_code_down_when_the_session_ends(
        db, new_page, axe, screenshot):
    _competition, teacher, class_session = lesson(db)
    projector = new_page(viewport={"width": 1600, "height": 1000})
    sign_in(projector, teacher)
    projector.goto(f"/staff/classes/{class_session.id}/projector")
    expect(projector.locator(".join-qr")).to_have_js_property("naturalWidth", 1024)
    expect(projector.get_by_text(teacher.email)).to_have_count(0)
    expect(projector.get_by_role("button", name="Log ud")).to_have_count(0)
    expect(projector.get_by_role("link", name="Forløbets side")).to_be_visible()
    mark_page(projector)

    # The teacher ends the session from the session page in another tab; the projector stays open.
    tab = projector.context.new_page()
    tab.goto(f"/staff/classes/{class_session.id}")
    tab.get_by_role("button", name="Afslut forløbet").click()
    expect(tab.get_by_text("Forløbet er slut. Koden virker ikke længere")).to_be_visible()

    expect(projector.get_by_role("heading", name="Forløbet er slut")).to_be_visible(timeout=15_000)
    expect(projector.locator(".join-qr")).to_have_count(0)
    expect(projector.locator(".join-code")).to_have_count(0)
    expect(projector.get_by_text("Kom med på din telefon")).to_have_count(0)
    assert still_the_same_page(projector)
    axe(projector, "the projector after the session ended")
    screenshot(projector, "lesson-projector-ended")
    # The ended session changes no more: the projector stops asking.
    asked = []
    projector.on("request", lambda request: asked.append(request.url) if "/live" in request.url else None)
    projector.wait_for_timeout(7_000)  # more than two of its 3 s pauses
    assert asked == []


SCALE = [{"kind": "scale", "prompt": "Hvor tryg føler du dig om aftenen?",
          "settings": {"low_label": "Utryg", "high_label": "Tryg"}},
         {"kind": "single_choice", "prompt": "Hvad mangler du på Torvet?", "choices": ["Bænke", "Træer", "Læ"]}]

# The tick labels of a chart's x axis as Plotly drew them: their texts, and whether any two overlap.
TICKS = """element => {
    const labels = Array.from(element.querySelectorAll('.xaxislayer-above .xtick text'));
    const boxes = labels.map(label => label.getBoundingClientRect());
    const overlap = boxes.some((a, i) => boxes.slice(i + 1).some(
        b => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom));
    return {texts: labels.map(label => label.textContent), overlap};
}"""
READABLE = f"""element => {{
    const ticks = ({TICKS})(element);
    return ticks.texts.length >= 3 && ticks.texts.length <= 12 && !ticks.overlap;
}}"""


def expect_readable_axis(page, chart) -> None:
    """Wait until the chart's x axis has 3 to 12 labels and none overlaps.

    :raise AssertionError: naming the labels drawn, if that does not happen within the page's timeout.
    """
    try:
        page.wait_for_function(READABLE, arg=chart.element_handle())
    except Exception:
        raise AssertionError(f"the axis is not readable: {chart.evaluate(TICKS)}") from None


def test_projector_chart_of_a_scale_where_everyone_answered_low_has_a_few_readable_axis_labels(
        app, db, new_page, screenshot):
    org = make_org(db)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, make_survey(db, org, SCALE))
    for _pupil in range(6):
        answer_whole_survey(app.test_client(), f"/join/{class_session.code}")  # 1 on the scale, "Bænke"
    projector = new_page(viewport={"width": 1280, "height": 900})
    sign_in(projector, teacher)
    projector.goto(f"/staff/classes/{class_session.id}/projector")
    scale, choices = projector.locator(".chart[data-figure]").all()
    expect(scale.locator(".main-svg").first).to_be_visible()
    expect_readable_axis(projector, scale)
    # Six pupils are counted in whole pupils: 0 to 6, no halves.
    expect(choices.locator(".xaxislayer-above .xtick text")).to_have_text([str(n) for n in range(7)])
    expect_readable_axis(projector, choices)
    screenshot(projector, "lesson-projector-low-scale")
