"""The search page in a real browser: searching, ticking a facet, and a 375 px wide phone screen."""

import os

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, chromium_browser, page  # noqa: F401 (fixtures)

from .conftest import record_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def records(db):
    """Published through the services; with real transactions the indexer runs after each commit."""
    from accounts.services import create_user
    from rdm.records import services

    owner = create_user(email="browser-owner@example.org", password="secret-pass-1")
    titles = {
        "Ocean temperatures of the North Atlantic": "dataset",
        "Ocean buoy firmware": "software",
        "Glacier photographs": "image-photo",
    }
    for title, resource_type in titles.items():
        draft = services.create_draft(owner, record_data(title=title, resource_type={"id": resource_type}))
        services.publish_draft(owner, draft.pid)
    # With Playwright running, this code gets another connection object than the one the test teardown
    # closes (Django keeps connections per context): without this the test database teardown finds
    # "1 other session" and warns.
    connection.close()
    return titles


def test_search_and_tick_a_facet(page, records):  # noqa: F811
    page.goto("/")
    page.get_by_label("Search records").fill("ocean")
    page.get_by_label("Search records").press("Enter")

    expect(page.get_by_role("heading", name="1–2 of 2 records")).to_be_visible()
    page.get_by_role("checkbox", name="Software 1").click()

    expect(page.get_by_role("heading", name="1–1 of 1 record")).to_be_visible()
    expect(page.get_by_role("link", name="Ocean buoy firmware")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Software 1")).to_have_attribute("aria-checked", "true")
    page.get_by_role("link", name="Remove filter Resource types: Software").click()
    expect(page.get_by_role("heading", name="1–2 of 2 records")).to_be_visible()


def test_usable_on_a_375px_phone(chromium_browser, live_server, records):  # noqa: F811
    context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    tab = context.new_page()
    try:
        tab.goto("/search?q=ocean&sort=title")

        width = tab.evaluate("document.documentElement.scrollWidth")
        results = tab.locator(".search-results").bounding_box()
        facets = tab.locator(".search-facets").bounding_box()
        if os.environ.get("RDM_BROWSER_ARTIFACTS"):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / "search-375.png"), full_page=True)
        assert width <= 375
        assert results["y"] + results["height"] <= facets["y"]  # results first, filters underneath
        expect(tab.get_by_role("combobox", name="Sort by")).to_be_visible()
        expect(tab.get_by_role("link", name="Ocean buoy firmware")).to_be_visible()
    finally:
        context.close()


def test_a_misspelt_search_offers_similar_words_that_find_records(page, records):  # noqa: F811
    page.goto("/")
    box = page.get_by_label("Search records")
    box.fill("ocaen")
    text, background = box.evaluate("box => [getComputedStyle(box).color,"
                                    " getComputedStyle(box).backgroundColor]")
    assert text != background  # what is typed can be read
    box.press("Enter")

    expect(page.get_by_text("No records match")).to_be_visible()
    page.get_by_role("link", name="ocaen~1").click()

    expect(page.get_by_role("heading", name="1–2 of 2 records")).to_be_visible()
    expect(page.get_by_role("link", name="Ocean buoy firmware")).to_be_visible()
