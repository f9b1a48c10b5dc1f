"""In Chromium: an editor uploads a map of the town centre, georeferences it by clicking on it, and draws the
named areas of a place question on it; axe-core checks the maps pages and the question editor.

Desktop viewport: the staff pages are a work surface for a laptop. A phone's view of the same pages is
photographed too, to see that they do not break there."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveys.maps import SurveyMap
from surveys.models import Question
from tests.browser.test_touchpoints import log_in
from tests.browsing import PHONE
from tests.builders import make_map, make_org, make_place_survey, make_user, map_picture

pytestmark = pytest.mark.browser


def click_map(page, x: float, y: float) -> None:
    """Click the map at shares (x, y) of its width and height."""
    frame = page.locator(".map-overlay")
    box = frame.bounding_box()
    frame.click(position={"x": x * box["width"], "y": y * box["height"]})


def numbers(locator) -> list[float]:
    """The numbers in a field, once it has any ("24.9" or "50 60, 60.1 60"); a click lands on a whole pixel."""
    expect(locator).to_have_value(re.compile(r"\d"))
    return [float(n) for n in re.findall(r"[\d.]+", locator.input_value())]


def near(found: list[float], wanted: list[float]) -> bool:
    return len(found) == len(wanted) and all(abs(a - b) <= 0.3 for a, b in zip(found, wanted, strict=True))


def test_editor_uploads_and_georeferences_a_map_and_the_pages_pass_axe(db, desktop, new_page, axe, screenshot,
                                                                         tmp_path):
    org = make_org(db, name="Vordingborg bymidte")
    user = make_user(db, org, role="editor")
    picture = tmp_path / "bymidten.png"
    picture.write_bytes(map_picture((1500, 1000)))
    log_in(desktop, user)
    desktop.goto("/staff/maps/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Kort")
    problems = [axe.problems(desktop, "the empty map list")]

    desktop.get_by_role("link", name="Læg et kort op").click()
    desktop.get_by_role("button", name="Læg op").click()
    expect(desktop.locator("#error-summary")).to_be_focused()
    expect(desktop.get_by_label("Kortets navn")).to_have_attribute("aria-invalid", "true")
    problems.append(axe.problems(desktop, "the upload form with errors"))
    desktop.get_by_label("Kortets navn").fill("Bymidten")
    # A file bigger than the app takes is refused before it is sent, so the typed name stays.
    huge = tmp_path / "luftfoto.jpg"
    huge.write_bytes(b"\xff" * (16 * 1024 * 1024))
    desktop.get_by_label("Kortbillede (PNG, JPEG eller WebP)").set_input_files(huge)
    expect(desktop.locator("#picture-size-error")).to_have_text(
        "Filen er for stor. Den må højst fylde 15 MB: vælg en mindre.")
    desktop.get_by_role("button", name="Læg op").click()
    expect(desktop.get_by_label("Kortbillede (PNG, JPEG eller WebP)")).to_be_focused()
    expect(desktop.get_by_label("Kortets navn")).to_have_value("Bymidten")
    desktop.get_by_label("Kortbillede (PNG, JPEG eller WebP)").set_input_files(picture)
    expect(desktop.locator("#picture-size-error")).to_have_text("")
    desktop.get_by_role("button", name="Læg op").click()
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Bymidten")
    expect(desktop.get_by_role("img", name="Kort: Bymidten")).to_have_js_property("naturalWidth", 1500)
    problems.append(axe.problems(desktop, "the map page"))
    screenshot(desktop, "map-page")

    desktop.get_by_role("link", name="Georeferér kortet").click()
    expect(desktop.get_by_role("heading", level=1)).to_contain_text("Bymidten")
    # A click on the map fills in the first empty row, and the cursor goes on to its latitude.
    click_map(desktop, 0.25, 0.5)
    assert near(numbers(desktop.locator("#points-0-x")) + numbers(desktop.locator("#points-0-y")), [25, 50])
    expect(desktop.locator("#points-0-lat")).to_be_focused()
    expect(desktop.locator(".map-points circle")).to_have_count(1)
    desktop.keyboard.type("55,0070")
    desktop.locator("#points-0-lon").fill("11,9038")
    click_map(desktop, 0.75, 0.1)
    assert near(numbers(desktop.locator("#points-1-x")), [75])
    desktop.keyboard.type("55,0094")
    desktop.locator("#points-1-lon").fill("11,9113")
    # Staff go back to the first row and click again: that row's point moves.
    desktop.locator("#points-0-x").focus()
    click_map(desktop, 0.2, 0.5)
    assert near(numbers(desktop.locator("#points-0-x")), [20])
    desktop.locator("#points-0-x").fill("25")
    desktop.locator("#points-0-y").fill("50")
    desktop.locator("#points-1-x").fill("75")
    desktop.locator("#points-1-y").fill("10")
    desktop.get_by_role("button", name="Gem georefereringen").click()
    expect(desktop.locator(".flash")).to_contain_text("Georefereringen er gemt.")
    expect(desktop.locator("main")).to_contain_text("To punkter passer altid præcist")
    expect(desktop.locator(".map-points circle")).to_have_count(2)
    problems.append(axe.problems(desktop, "the georeference page"))
    screenshot(desktop, "map-georeference")

    desktop.locator("#points-1-lat").fill("95")
    desktop.get_by_role("button", name="Gem georefereringen").click()
    expect(desktop.locator("#error-summary")).to_be_focused()
    expect(desktop.locator("#points-1-lat")).to_have_value("95")
    problems.append(axe.problems(desktop, "the georeference page with an error"))
    screenshot(desktop, "map-georeference-error")

    desktop.goto("/staff/maps/")
    expect(desktop.get_by_role("cell", name="Ja, 2 punkter")).to_be_visible()
    problems.append(axe.problems(desktop, "the map list"))
    screenshot(desktop, "map-list")
    assert not any(problems), "\n\n".join(p for p in problems if p)

    survey_map = db.session.scalar(select(SurveyMap))
    assert [(p["x"], p["y"], p["lat"]) for p in survey_map.control_points] == [(0.25, 0.5, 55.007),
                                                                                (0.75, 0.1, 55.0094)]
    phone = new_page(viewport=PHONE)
    log_in(phone, user)
    for url, name in ((f"/staff/maps/{survey_map.id}", "map-page-phone"),
                      (f"/staff/maps/{survey_map.id}/georeference", "map-georeference-phone")):
        phone.goto(url)
        expect(phone.get_by_role("heading", level=1)).to_contain_text("Bymidten")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
        screenshot(phone, name)


def test_editor_draws_the_areas_of_a_place_question_and_the_editor_passes_axe(db, desktop, new_page, axe,
                                                                                screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    survey_map = make_map(db, org, name="Bymidten")
    make_map(db, org, name="Havneområdet", size=(900, 900))
    survey = make_place_survey(db, org, survey_map, status="draft")
    question = survey.questions[0]
    user = make_user(db, org, role="editor")
    log_in(desktop, user)
    desktop.goto(f"/staff/surveys/{survey.id}/questions/{question.id}")
    expect(desktop.get_by_label("Kort", exact=True)).to_have_value(str(survey_map.id))
    expect(desktop.locator(".map-areas polygon")).to_have_count(2)
    expect(desktop.locator(".map-areas text")).to_have_text(["Torvet", "Havnen"])
    problems = [axe.problems(desktop, "the question editor with a map")]
    screenshot(desktop, "question-areas")

    # A third area: its name, then three clicks on the map make its corners.
    desktop.get_by_label("Navn på område 3").fill("Skateparken")
    desktop.get_by_label("Område 3 på kortet").focus()
    for x, y in ((0.5, 0.6), (0.6, 0.6), (0.55, 0.7)):
        click_map(desktop, x, y)
    assert near(numbers(desktop.get_by_label("Område 3 på kortet")), [50, 60, 60, 60, 55, 70])
    expect(desktop.get_by_label("Område 3 på kortet")).to_be_focused()
    desktop.keyboard.press("Control+A")
    desktop.keyboard.type("50 60, 60 60, 55 70")
    expect(desktop.locator(".map-areas polygon")).to_have_count(3)
    # A typing slip in another area: refused at its row, and what was typed stays.
    desktop.get_by_label("Område 2 på kortet").fill("70 70, 170 100")
    desktop.get_by_role("button", name="Gem spørgsmålet").click()
    expect(desktop.locator("#error-summary")).to_be_focused()
    expect(desktop.get_by_label("Område 2 på kortet")).to_have_attribute("aria-invalid", "true")
    expect(desktop.get_by_label("Område 2 på kortet")).to_have_value("70 70, 170 100")
    expect(desktop.get_by_label("Område 3 på kortet")).to_have_value("50 60, 60 60, 55 70")
    problems.append(axe.problems(desktop, "the question editor with a bad area"))
    screenshot(desktop, "question-areas-error")

    desktop.get_by_role("link", name=re.compile("^Område 2: ")).click()
    expect(desktop.get_by_label("Område 2 på kortet")).to_be_focused()
    desktop.get_by_label("Område 2 på kortet").fill("70 70, 100 100")
    # Another map picked: the preview shows it at once, with the areas on it.
    desktop.get_by_label("Kort", exact=True).select_option(label="Havneområdet")
    expect(desktop.get_by_role("img", name="Kort: Havneområdet")).to_have_js_property("naturalWidth", 900)
    expect(desktop.locator(".map-areas polygon")).to_have_count(3)
    desktop.get_by_label("Kort", exact=True).select_option(label="Bymidten")
    desktop.get_by_role("button", name="Gem spørgsmålet").click()
    expect(desktop.locator(".flash")).to_contain_text("Spørgsmålet er gemt.")
    assert not any(problems), "\n\n".join(p for p in problems if p)

    db.session.expire_all()
    saved = db.session.get(Question, question.id)
    assert [(c.label, c.shape) for c in saved.choices] == [
        ("Torvet", [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]),
        ("Havnen", [[0.7, 0.7], [1.0, 0.7], [1.0, 1.0], [0.7, 1.0]]),
        ("Skateparken", [[0.5, 0.6], [0.6, 0.6], [0.55, 0.7]])]
    phone = new_page(viewport=PHONE)
    log_in(phone, user)
    phone.goto(f"/staff/surveys/{survey.id}/questions/{question.id}")
    expect(phone.locator(".map-areas polygon")).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "question-areas-phone")
