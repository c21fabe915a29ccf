"""The whole deposit journey in a real browser: sign up, verify the e-mail, log in, deposit, publish."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EMAIL = "ada@example.org"
PASSWORD = "correct-horse-battery-staple"
TITLE = "Tidal gauge readings, Brest 2021"


def field(scope, label):
    """The input labelled `label`, ignoring the required-field mark and its screen-reader text."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}\s*\*?(\s*\(required to publish\))?$"))


def sign_up(page):
    page.goto(reverse("account_signup"))
    field(page, "Email").fill(EMAIL)
    field(page, "Password").fill(PASSWORD)
    field(page, "Password (again)").fill(PASSWORD)
    field(page, "Full name").fill("Ada Lovelace")
    field(page, "Affiliations").fill("University of London")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()


def log_in(page):
    page.goto(reverse("account_login"))
    field(page, "Email").fill(EMAIL)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def verification_path(mailoutbox) -> str:
    assert len(mailoutbox) == 1, [mail.subject for mail in mailoutbox]
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    link = re.search(r"https?://\S+/confirm-email/\S+", message.body)
    assert link, message.body
    # The host in the e-mail is the site's public URL, not the live server.
    return urlsplit(link.group(0)).path


def fill_creator(item, family_name, given_name):
    field(item, "Family name").fill(family_name)
    field(item, "Given names").fill(given_name)


def test_a_new_user_signs_up_verifies_deposits_and_publishes(page, mailoutbox):
    sign_up(page)

    # Mandatory verification: signing up does not log in, and logging in is refused until verified.
    log_in(page)
    page.goto(reverse("records:deposit_new"))
    assert urlsplit(page.url).path != reverse("records:deposit_new")

    page.goto(verification_path(mailoutbox))
    log_in(page)
    page.goto(reverse("records:deposit_new"))
    assert urlsplit(page.url).path == reverse("records:deposit_new")

    basics = page.get_by_role("region", name="Basic information")
    field(basics, "Resource type").select_option(label="Dataset")
    field(basics, "Title").fill(TITLE)
    field(basics, "Publication date").fill("2021-03-14")
    creators = basics.locator("[data-formset=creators] .repeat-item")
    while creators.count() < 2:  # the form may offer spare entries; "Add creator" adds one in the page
        before = creators.count()
        basics.get_by_role("button", name="Add creator").click()
        expect(creators).to_have_count(before + 1)
    fill_creator(creators.nth(0), "Lovelace", "Ada")
    fill_creator(creators.nth(1), "Babbage", "Charles")
    field(page, "Add files").set_input_files(
        {"name": "brest-2021.csv", "mimeType": "text/csv", "buffer": b"time,level\n2021-03-14T00:00,4.21\n"}
    )

    confirmations = []
    page.once("dialog", lambda dialog: (confirmations.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_load_state()
    confirm = page.get_by_label(re.compile(r"^I understand"))
    if confirm.count():  # the server asks again when the in-page confirmation did not reach it
        confirmations.append(confirm.inner_text())
        confirm.check()
        page.get_by_role("button", name="Publish", exact=True).click()
        page.wait_for_load_state()
    assert confirmations and "publish" in confirmations[0].lower()

    assert re.fullmatch(r"/records/[a-z0-9]{5}-[a-z0-9]{5}", urlsplit(page.url).path), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    creators_list = page.get_by_role("list", name="Creators")
    expect(creators_list).to_contain_text("Lovelace")
    expect(creators_list).to_contain_text("Babbage")
    expect(page.locator("td.filename")).to_contain_text("brest-2021.csv")
