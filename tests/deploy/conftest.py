"""Fixtures for the deployed shape: one stack (tests/deploy/stack.py) for the module, a Chromium that
trusts its self-signed certificate, and HTTP clients from chosen loopback addresses.

The stack always runs on PostgreSQL and Redis, as production with two app servers does, so these
tests run once, in the PostgreSQL pass of `make test` (TEST_DATABASE_URL set), not in the SQLite one.
"""
import os
import shutil

import pytest

from tests.browsing import PHONE, missing_tool
from tests.deploy.stack import StackError, start_stack

if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="module")
def stack(request, tmp_path_factory):
    """The stack for the test module; a module's STACK_SETTINGS override lines of deploy/.env.example."""
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        missing_tool("nginx is missing: install Debian's nginx (apt-get install -y nginx) to test the "
                     "deployed shape")
    try:
        running = start_stack(tmp_path_factory.mktemp("stack"),
                              settings=getattr(request.module, "STACK_SETTINGS", None))
    except StackError as error:
        pytest.fail(str(error), pytrace=False)
    yield running
    running.stop()


@pytest.fixture
def open_page(chromium, stack):
    """`open_page(js=True, viewport=PHONE)`: a page over HTTPS through nginx, in a fresh context."""
    contexts = []

    def open_one(js: bool = True, viewport: dict = PHONE):
        mobile = viewport["width"] < 800
        context = chromium.new_context(
            base_url=stack.https_url, ignore_https_errors=True, viewport=viewport, locale="da-DK",
            is_mobile=mobile, has_touch=mobile, java_script_enabled=js)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()

