"""In Chromium: staff place a touchpoint by keyboard, and a phone scans an old poster.

axe-core checks the staff list, the form with an error, the touchpoint page
and the public "not open" page. It lives here, not beside the other
touchpoint tests, to use this folder's conftest: one Playwright per thread
is all the sync API allows, so a second copy of the session fixtures in
another folder fails when the whole suite runs.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.touchpoints.models import Touchpoint
from surveys.models import Response
from tests.builders import EVERY_KIND, PASSWORD, make_competition, make_org, make_survey, make_user
from tests.engagement.touchpoints.builders import add_scans, make_touchpoint

pytestmark = pytest.mark.browser


def log_in(page, user):
    page.goto("/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log ind", exact=True).click()


def test_editor_places_a_touchpoint_by_keyboard_and_the_pages_pass_axe(db, desktop, axe, screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    survey = make_survey(db, org, EVERY_KIND[:3], title="Unge i bymidten")
    add_scans(db, make_touchpoint(db, org, survey, name="Biblioteket"), 3)
    log_in(desktop, make_user(db, org, role="editor"))
    desktop.goto("/staff/touchpoints/")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Kontaktpunkter")
    problems = [axe.problems(desktop, "the touchpoint list")]

    desktop.get_by_role("link", name="Nyt kontaktpunkt").click()
    desktop.get_by_label("Breddegrad (valgfri)").fill("nord for kirken")
    desktop.get_by_role("button", name="Gem").press("Enter")
    expect(desktop.locator("#error-summary")).to_be_focused()
    expect(desktop.get_by_label("Stedets navn")).to_have_attribute("aria-invalid", "true")
    expect(desktop.get_by_label("Breddegrad (valgfri)")).to_have_value("nord for kirken")
    problems.append(axe.problems(desktop, "the touchpoint form with errors"))
    screenshot(desktop, "touchpoint-form-error")

    # The error summary links to the field; fix everything from the keyboard.
    desktop.get_by_role("link", name="Stedets navn").click()
    expect(desktop.get_by_label("Stedets navn")).to_be_focused()
    desktop.keyboard.type("Skateparken ved Havnen")
    desktop.get_by_label("Type sted").select_option(label="Skatepark")
    desktop.get_by_label("Hvor koden fører hen").select_option(label="Unge i bymidten (Åben)")
    desktop.get_by_label("Breddegrad (valgfri)").fill("55,0123")
    desktop.get_by_label("Længdegrad (valgfri)").fill("11,9012")
    desktop.get_by_role("button", name="Gem").press("Enter")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Skateparken ved Havnen")
    expect(desktop.locator(".qr-preview")).to_have_js_property("naturalWidth", 256)
    problems.append(axe.problems(desktop, "the touchpoint page"))
    screenshot(desktop, "touchpoint-page")
    assert not any(problems), "\n\n".join(p for p in problems if p)
    touchpoint = db.session.scalar(select(Touchpoint).where(Touchpoint.name == "Skateparken ved Havnen"))
    assert (touchpoint.survey_id, touchpoint.latitude) == (survey.id, 55.0123)


def test_phone_scanning_an_old_poster_finds_what_is_open_and_answers_it(db, new_page, axe, screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    closed = make_survey(db, org, EVERY_KIND[:1], title="Vinterens spørgsmål", status="closed")
    make_survey(db, org, [{"kind": "yes_no", "prompt": "Skal Algade 12 være et værested?"}], slug="algade-12",
                title="Hvad skal Algade 12 være?")
    poster = f"/q/{make_touchpoint(db, org, closed).code}"
    phone = new_page(js=True)
    phone.goto(poster)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Undersøgelsen er lukket")
    axe(phone, "the not-open page of a scanned poster")
    screenshot(phone, "touchpoint-not-open")

    cheap = new_page(js=False)  # the same journey on a phone without JavaScript
    cheap.goto(poster)
    cheap.get_by_role("link", name="Hvad skal Algade 12 være?").click()
    expect(cheap.get_by_role("heading", level=1)).to_contain_text("Skal Algade 12 være et værested?")
    cheap.get_by_text("Ja", exact=True).click()
    cheap.get_by_role("button", name="Send").click()
    expect(cheap).to_have_url(re.compile(r"/s/algade-12/.+/tak$"))
    assert db.session.scalar(select(Response.touchpoint_id)) is None  # not this poster's survey


def test_unknown_code_page_passes_axe_on_a_phone(db, phone, axe):
    phone.goto("/q/zzzzzzzz")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Vi kender ikke denne kode")
    axe(phone, "the unknown-code page")


def test_editor_points_the_shop_window_at_a_competition_and_a_phone_scanning_it_lands_there(
        db, desktop, new_page, axe, screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    make_survey(db, org, EVERY_KIND[:1], title="Unge i bymidten")
    algade = make_competition(db, org, slug="algade-12", title="Hvad skal Algade 12 være?")
    ended = make_competition(db, org, status="closed", slug="sidste-aar", title="Sidste års idékonkurrence")
    old_poster = f"/q/{make_touchpoint(db, org, None, competition_id=ended.id).code}"
    log_in(desktop, make_user(db, org, role="editor"))
    desktop.goto("/staff/touchpoints/new")
    desktop.get_by_label("Stedets navn").fill("Butiksvinduet Algade 12")
    desktop.get_by_label("Hvor koden fører hen").select_option(f"competition:{algade.id}")
    screenshot(desktop, "touchpoint-form-competition")
    desktop.get_by_role("button", name="Gem").press("Enter")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Butiksvinduet Algade 12")
    expect(desktop.locator(".facts")).to_contain_text("Hvad skal Algade 12 være?")
    axe(desktop, "the page of a touchpoint leading to a competition")
    screenshot(desktop, "touchpoint-page-competition")
    code = db.session.scalar(select(Touchpoint.code).where(Touchpoint.name == "Butiksvinduet Algade 12"))

    cheap = new_page(js=False)
    cheap.goto(f"/q/{code}")
    expect(cheap).to_have_url(re.compile(rf"/c/algade-12\?via={code}$"))
    cheap.goto(old_poster)
    cheap.get_by_role("link", name="Hvad skal Algade 12 være?").click()
    expect(cheap).to_have_url(re.compile(r"/c/algade-12$"))
    phone = new_page(js=True)  # axe runs as a script
    phone.goto(old_poster)
    axe(phone, "the page of an ended competition's poster")
    screenshot(phone, "touchpoint-competition-ended")
