"""Communities in a real browser: create a community, upload a logo, see it on its front page."""

import re

import pytest
from playwright.sync_api import expect

from tests.communities.conftest import image_bytes, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def field(scope, label):
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?$"))


def log_in(page, email, password):
    page.goto("/account/login/")
    field(page, "Email").fill(email)
    field(page, "Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_create_community_upload_logo_and_see_it(page, tmp_path):
    make_user("founder@example.org")
    log_in(page, "founder@example.org", "secret-pass-1")

    page.goto("/communities/new")
    field(page, "Title").fill("Coral reefs")
    field(page, "Identifier (URL)").fill("coral-reefs")
    page.get_by_role("button", name="Create community").click()
    expect(page.get_by_role("heading", name="Coral reefs", level=1)).to_be_visible()

    logo = tmp_path / "reef.png"
    logo.write_bytes(image_bytes(size=(300, 120), color=(0, 120, 200)))
    page.goto("/communities/coral-reefs/settings")
    field(page, "Logo").set_input_files(str(logo))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_text("Saved.")).to_be_visible()

    page.goto("/communities/coral-reefs")
    image = page.locator("img.community-logo")
    expect(image).to_be_visible()
    loaded = image.evaluate("img => [img.complete, img.naturalWidth, img.getBoundingClientRect().height]")
    assert loaded[0] and loaded[1] == 300  # the uploaded PNG, not the generated letter
    assert loaded[2] <= 80  # shown at the fixed maximum height
