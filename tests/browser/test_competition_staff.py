"""In Chromium: an admin builds a competition, moderates its ideas and reads the results; axe checks each page.

Desktop viewport: the staff pages are a work surface for a laptop.
"""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engagement.competitions import services
from engagement.competitions.models import Competition, IdeaStatus
from tests.browser.test_touchpoints import log_in
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.engagement.competitions.staff_photos import webp_photo

pytestmark = pytest.mark.browser


def test_admin_builds_a_competition_by_keyboard_and_the_editor_pages_pass_axe(db, desktop, axe, screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    make_competition(db, org, title="Sommerens byrum")
    log_in(desktop, make_user(db, org, role="admin"))
    desktop.goto("/staff/competitions/?lang=en")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Idea competitions")
    problems = [axe.problems(desktop, "the competition list")]
    screenshot(desktop, "competition-list")

    desktop.get_by_role("link", name="New competition").click()
    desktop.get_by_label("Title").fill("Hvad skal Algade 12 være?")
    desktop.get_by_label("Voting opens (Danish time)").fill("2027-06-01T10:00")
    desktop.get_by_label("Ideas can be sent from (Danish time)").fill("2027-06-10T10:00")
    desktop.get_by_role("button", name="Save").press("Enter")
    expect(desktop.locator("#error-summary")).to_be_focused()
    expect(desktop.get_by_label("Voting opens (Danish time)")).to_have_attribute("aria-invalid", "true")
    problems.append(axe.problems(desktop, "the competition form with errors"))
    screenshot(desktop, "competition-form-error")

    desktop.get_by_label("Ideas can be sent from (Danish time)").fill("2027-05-01T10:00")
    desktop.get_by_label("The question or task").fill("Hvad skal der ske i det tomme butikslokale på Algade 12?")
    desktop.get_by_role("button", name="Save").press("Enter")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Hvad skal Algade 12 være?")
    desktop.get_by_label("New category").fill("Kultur")
    desktop.get_by_label("New category").press("Enter")
    expect(desktop.get_by_label("Name of category 1")).to_have_value("Kultur")
    problems.append(axe.problems(desktop, "the competition page"))
    screenshot(desktop, "competition-page")
    assert not any(problems), "\n\n".join(p for p in problems if p)
    competition = db.session.scalar(select(Competition).where(Competition.slug == "hvad-skal-algade-12-vaere"))
    assert [c.name for c in competition.categories] == ["Kultur"]


def test_admin_moderates_ideas_and_reads_results_and_log_and_the_pages_pass_axe(db, desktop, axe, screenshot):
    org = make_org(db, name="Vordingborg bymidte")
    competition = make_competition(db, org, title="Algade 12", categories=["Kultur", "Sport"])
    kultur, sport = competition.categories
    waiting = make_idea(db, competition, status="pending", title="Værksted for cykler", nickname="Søren",
                        age_band="13-15", photo=webp_photo(), category_id=kultur.id,
                        contact_email="soeren@example.dk", contact_consent=True)
    make_idea(db, competition, status="pending", title="Grimt forslag")
    voted = make_idea(db, competition, title="Boldbur", category_id=sport.id)
    for device in ("a", "b", "c"):
        services.set_vote(db.session, competition, voted, device, 1)
    db.session.commit()
    log_in(desktop, make_user(db, org, role="admin"))
    desktop.goto(f"/staff/competitions/{competition.id}/ideas?lang=en")
    card = desktop.locator(f"#idea-{waiting.id}")
    expect(card.get_by_role("img")).to_have_js_property("naturalWidth", 100)
    problems = [axe.problems(desktop, "the moderation queue")]
    screenshot(desktop, "competition-queue")
    card.get_by_role("button", name=re.compile(r"^Approve\s*: Værksted for cykler$")).press("Enter")
    expect(desktop.get_by_role("status")).to_contain_text("“Værksted for cykler” is approved")

    other = desktop.locator("li", has_text="Grimt forslag")
    other.locator("summary").click()
    other.get_by_label("Reason (optional, only staff see it)").fill("Navngiver en elev")
    other.get_by_role("button", name=re.compile(r"^Reject\s*: Grimt forslag$")).click()
    expect(desktop.get_by_role("status")).to_contain_text("is rejected")

    desktop.goto(f"/staff/competitions/{competition.id}/results")
    expect(desktop.locator("[data-figure=votes] .main-svg").first).to_be_attached()
    problems.append(axe.problems(desktop, "the results page with charts"))
    screenshot(desktop, "competition-results")

    desktop.goto(f"/staff/competitions/{competition.id}/log")
    expect(desktop.get_by_role("cell", name="Reason: Navngiver en elev")).to_be_visible()
    problems.append(axe.problems(desktop, "the audit log"))
    screenshot(desktop, "competition-log")
    assert not any(problems), "\n\n".join(p for p in problems if p)
    db.session.expire_all()
    assert waiting.status is IdeaStatus.approved
