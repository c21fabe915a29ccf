"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live_server.

`playwright install` cannot download browsers here, so the system Chromium is used. Without it the tests
skip, unless RDM_REQUIRE_BROWSER=1 (CI), where they fail.
"""

import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import skip_unless_required

CHROMIUM = Path(os.environ.get("RDM_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(os.environ.get("RDM_BROWSER_ARTIFACTS") or tempfile.gettempdir() + "/rdm-browser-artifacts")

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def chromium_browser():
    # Per test, not per session: a Playwright loop left running between tests hides the serialized test
    # database from the next test's set-up (its serialized_rollback then restores nothing), and would
    # clash with another test starting its own sync_playwright().
    if not CHROMIUM.exists():
        skip_unless_required(f"no Chromium at {CHROMIUM} (apt-get install chromium)", "RDM_REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def page(request, chromium_browser, live_server):
    """A fresh browser tab (own cookies) whose relative URLs resolve against the live server.

    When the test fails, a screenshot and the page's HTML are saved under ARTIFACTS.
    """
    context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        stem = ARTIFACTS / request.node.name
        tab.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(tab.content())
        print(f"browser artifacts: {stem}.png, {stem}.html (last URL {tab.url})")
    context.close()
