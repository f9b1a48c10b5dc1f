"""Fixtures for tests that drive the real Chromium through Playwright.

One live server and one browser serve the whole run; every test gets its own
browser context (fresh cookies, fresh history), closed after the test. The
server uses the session `app`, so it shares the test database: builders write,
the browser answers, the test reads back, and the autouse `db` fixture empties
the tables afterwards.
"""
import io
import os
import threading
from dataclasses import dataclass

import pytest
from PIL import Image
from werkzeug.serving import WSGIRequestHandler, make_server

from surveys.images import store_image
from tests.browser import wait_until_loaded
from tests.browsing import AXE_JS, AXE_TAGS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, SCREENSHOTS, missing_tool
from tests.builders import EVERY_KIND, make_org, make_survey


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: a failing test's output shows the failure, not 200 GETs."""

    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="session")
def live_server(app):
    """The base URL of the app served on a free port of 127.0.0.1 for the whole run."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium_with_bfcache(chromium):
    """A second browser with the back/forward cache on, as on real phones.

    Playwright switches the cache off by default because a page restored from it
    fires no load event; a test using this browser must go back with
    `page.go_back(wait_until="commit")`.
    """
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                           ignore_default_args=["--disable-back-forward-cache"])
    yield browser
    browser.close()


@pytest.fixture
def new_page(request, chromium, live_server):
    """`new_page(js=True, viewport=PHONE, bfcache=False)`: a page in a fresh context, closed after
    the test; `js=False` is the same phone with JavaScript switched off.

    Phone pages are a Danish mobile browser with touch. The app's
    Content-Security-Policy stays in force (no `bypass_csp`), so pages render
    as they do for real people; see `Axe.problems` for how axe gets in anyway.
    """
    contexts = []

    def open_page(js: bool = True, viewport: dict = PHONE, bfcache: bool = False):
        browser = request.getfixturevalue("chromium_with_bfcache") if bfcache else chromium
        mobile = viewport["width"] < 800
        context = browser.new_context(
            base_url=live_server, viewport=viewport, locale="da-DK", is_mobile=mobile, has_touch=mobile,
            java_script_enabled=js)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def phone(new_page):
    return new_page(js=True)


@pytest.fixture
def desktop(new_page):
    return new_page(js=True, viewport=DESKTOP)


class Axe:
    """`axe(page, where)` asserts that axe-core finds no WCAG 2.1 A/AA violation on the page;
    `axe.problems(page, where)` returns them as readable text ("" if none), for a test that
    checks several pages and reports them all at once."""

    def __call__(self, page, where: str = "") -> None:
        problems = self.problems(page, where)
        assert not problems, problems

    def problems(self, page, where: str = "") -> str:
        # axe judges what is rendered (contrast needs the stylesheet): only a page that has loaded.
        wait_until_loaded(page)
        # Not add_script_tag: it inlines the file, which the app's `script-src 'self'` blocks.
        # Code evaluated through the DevTools protocol is not subject to the page's CSP.
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.evaluate(AXE_JS.read_text(encoding="utf-8"))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            AXE_TAGS)
        return describe_violations(where or page.url, result["violations"]) if result["violations"] else ""


@pytest.fixture
def axe():
    if not AXE_JS.exists():
        missing_tool(f"{AXE_JS} is missing: run `npm install` (package.json pins axe-core)")
    return Axe()


def describe_violations(where: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} violation(s) on {where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.fixture
def screenshot():
    """`screenshot(page, name)`: saves a full-page PNG when BYPULS_SCREENSHOTS names a folder."""
    def take(page, name: str):
        if SCREENSHOTS:
            os.makedirs(SCREENSHOTS, exist_ok=True)
            wait_until_loaded(page)
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)
    return take


@dataclass(frozen=True)
class ShownQuestion:
    """What a test needs of a question, read once so no lazy load happens mid-journey."""
    id: int
    kind: str
    prompt: str
    choices: dict  # label -> choice id


@dataclass(frozen=True)
class BuiltSurvey:
    id: int
    slug: str
    questions: dict  # kind -> ShownQuestion (EVERY_KIND has one question of each kind)

    def start_url(self) -> str:
        return f"/s/{self.slug}"


INTRO = "Vi vil gerne vide, hvordan du bruger bymidten.\n\nDet tager to minutter."


def png(colour: str, size=(160, 100)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def every_kind_survey(db):
    """`every_kind_survey(images=True, org=None, **overrides)`: the EVERY_KIND survey, open, with an
    intro; with `images` its image-choice options get small pictures stored as staff upload them."""
    def build(images: bool = True, org=None, **overrides) -> BuiltSurvey:
        survey = make_survey(db, org or make_org(db), EVERY_KIND, **{"intro": INTRO, **overrides})
        if images:
            image_choice = next(q for q in survey.questions if q.kind == "image_choice")
            for choice, colour in zip(image_choice.choices, ("#8b5a2b", "#9e9e9e"), strict=True):
                choice.image_id = store_image(db.session, survey.id, png(colour)).id
            db.session.commit()
        return BuiltSurvey(survey.id, survey.slug, {
            q.kind: ShownQuestion(q.id, q.kind, q.prompt, {c.label: c.id for c in q.choices})
            for q in survey.questions})
    return build
