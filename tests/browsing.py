"""Chromium for the tests that drive a real browser (tests/browser/, tests/deploy/).

One Playwright per process is all its sync API allows, so the `chromium` fixture
that launches it lives in tests/conftest.py, shared by both folders.
"""
import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
AXE_JS = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Opt-in: BYPULS_SCREENSHOTS=/tmp/shots keeps phone screenshots for a human to look at.
SCREENSHOTS = os.environ.get("BYPULS_SCREENSHOTS")


def missing_tool(reason: str):
    """Fail when CI demands the browser (BYPULS_REQUIRE_BROWSER=1), otherwise skip with the reason."""
    if os.environ.get("BYPULS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def launch_chromium():
    if not os.path.exists(CHROMIUM):
        missing_tool(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) "
                     "to run the browser tests")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    return playwright, browser
