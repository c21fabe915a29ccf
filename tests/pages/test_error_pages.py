"""The friendly error pages: a visible record someone may not change gives 403, an invisible one 404."""

from django.template.loader import render_to_string
from django.urls import reverse

from rdm.records.models import Draft

from .conftest import RESTRICTED


def test_other_user_gets_a_friendly_403_page_for_edit_and_new_version(viewer, make_record):
    record = make_record()
    client = viewer("other")

    for name in ("records:edit", "records:new_version"):
        response = client.post(reverse(name, args=[record.pid]))

        html = response.content.decode()
        assert response.status_code == 403
        assert "You are not allowed to do this" in html
        assert "You may not change this record." in html
        assert 'class="site-header"' in html  # the site's layout, not a bare error
        assert reverse("front_page") in html
    assert not Draft.objects.exists()


def test_restricted_record_gives_the_friendly_404_page_not_403(viewer, make_record):
    record = make_record(access=RESTRICTED)

    response = viewer("other").post(reverse("records:edit", args=[record.pid]))

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert "not allowed" not in html
    assert 'class="site-header"' in html


def test_anonymous_404_page_offers_to_log_in(client, db):
    response = client.get("/records/aaaaa-bbbbb")

    assert response.status_code == 404
    assert reverse("account_login") in response.content.decode()


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "Something went wrong" in html
    assert "/static/css/site.css" in html
