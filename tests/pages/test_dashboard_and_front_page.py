from django.urls import reverse

from .conftest import RESTRICTED


def test_dashboard_needs_login(client):
    response = client.get(reverse("records:dashboard"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_dashboard_lists_my_drafts_and_records_only(viewer, make_record, make_draft, other):
    mine = make_record(title="My published data")
    my_draft = make_draft(title="My draft in progress")
    make_record(other, title="Someone else's data")
    make_draft(other, title="Someone else's draft")

    response = viewer("owner").get(reverse("records:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "My published data" in html and "My draft in progress" in html
    assert "Someone else" not in html
    assert reverse("records:deposit_edit", args=[my_draft.pid]) in html
    assert reverse("records:landing", args=[mine.pid]) in html


def test_staff_dashboard_lists_only_their_own_uploads(viewer, make_record):
    make_record(title="Owner's data")

    html = viewer("staff").get(reverse("records:dashboard")).content.decode()

    assert "Owner&#x27;s data" not in html and "Owner's data" not in html
    assert "You have not uploaded anything yet." in html


def test_front_page_lists_recent_public_records_only(viewer, make_record, make_draft,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # indexes after commit, as in production
        make_record(title="Public ocean data")
        make_record(title="Secret sediment cores", access=RESTRICTED)
        make_draft(title="Unpublished glacier draft")

    for who in (None, "owner", "staff"):
        response = viewer(who).get("/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "Public ocean data" in html
        assert "Secret sediment cores" not in html
        assert "Unpublished glacier draft" not in html


def test_front_page_shows_the_five_newest(client, make_record, django_capture_on_commit_callbacks):
    for number in range(7):
        with django_capture_on_commit_callbacks(execute=True):
            make_record(title=f"Record number {number}")

    html = client.get("/").content.decode()

    assert "Record number 6" in html and "Record number 2" in html
    assert "Record number 1" not in html and "Record number 0" not in html


def test_front_page_links_to_upload_and_search(client, db):
    html = client.get("/").content.decode()

    assert reverse("records:deposit_new") in html
    assert 'action="/search"' in html and 'name="q"' in html
    assert reverse("account_login") in html and reverse("account_signup") in html
