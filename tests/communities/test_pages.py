"""Community pages: visibility (404 for outsiders), redirects, tombstones, forms calling the services."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory

from communities import services
from communities.models import Community, Membership

from .conftest import PERSONAS, image_bytes, make_user


def page_client(personas, persona):
    client = Client()
    user = getattr(personas, persona)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_restricted_front_page_is_404_for_non_members(restricted, persona):
    response = page_client(restricted, persona).get("/communities/secret")
    expected = 404 if persona in ("outsider", "anonymous") else 200
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_settings_page_is_for_owners(public, persona):
    response = page_client(public, persona).get("/communities/ocean/settings")
    if persona == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if persona in ("owner", "staff") else 403)


def test_front_page_shows_title_description_and_logo(public, client):
    metadata = {"title": "Ocean science", "description": "<p>Waves</p>"}
    community = services.update_community(public.owner, public.community, {"metadata": metadata})
    response = client.get("/communities/ocean")
    assert b"Ocean science" in response.content and b"<p>Waves</p>" in response.content
    assert f'src="/communities/ocean/logo?v={community.revision_id}"'.encode() in response.content


def test_default_logo_is_generated_svg(public, client):
    response = client.get("/communities/ocean/logo")
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b">O<" in response.content


def test_uploaded_logo_replaces_default(public, client):
    services.set_logo(public.owner, public.community, SimpleUploadedFile("l.png", image_bytes()))
    response = client.get("/communities/ocean/logo")
    assert response["Content-Type"] == "image/png"


def test_list_page_hides_restricted(public, restricted, client):
    response = client.get("/communities")
    assert b"Ocean science" in response.content
    assert b"/communities/secret" not in response.content
    assert b"Restricted</a>" not in response.content


def test_old_slug_page_redirects(public, client):
    services.rename_community(public.owner, public.community, "sea")
    response = client.get("/communities/ocean/members")
    assert response.status_code == 301
    assert response["Location"] == "/communities/sea/members"


def test_deleted_community_shows_tombstone(public, client):
    services.delete_community(public.owner, public.community, "Merged elsewhere.")
    response = client.get("/communities/ocean")
    assert response.status_code == 410
    assert b"Merged elsewhere." in response.content


def test_create_form_creates_community(db, client):
    client.force_login(make_user("maker@example.org"))
    data = {"title": "Glaciers", "slug": "glaciers", "visibility": "restricted", "type": "project"}
    response = client.post("/communities/new", data)
    assert response.status_code == 302
    community = Community.objects.get(slug="glaciers")
    assert (community.visibility, community.type) == ("restricted", "project")


def test_create_form_shows_service_errors(db, client):
    client.force_login(make_user("maker@example.org"))
    response = client.post("/communities/new", {"title": "Bad", "slug": "bad slug", "visibility": "public"})
    assert response.status_code == 200
    assert b"Use only letters" in response.content
    assert not Community.objects.exists()


def test_settings_logo_upload_and_rename(public):
    client = page_client(public, "owner")
    upload = SimpleUploadedFile("logo.png", image_bytes(), content_type="image/png")
    client.post("/communities/ocean/settings", {"action": "logo", "logo": upload})
    assert Community.objects.get(pk=public.community.pk).logo
    response = client.post("/communities/ocean/settings", {"action": "rename", "slug": "sea"})
    assert response.status_code == 302
    assert Community.objects.get(pk=public.community.pk).slug == "sea"


def test_settings_svg_upload_shows_error(public):
    client = page_client(public, "owner")
    upload = SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    response = client.post("/communities/ocean/settings", {"action": "logo", "logo": upload})
    assert response.status_code == 200
    assert b"SVG logos are not accepted" in response.content


def test_settings_delete_needs_confirmation(public):
    client = page_client(public, "owner")
    client.post("/communities/ocean/settings", {"action": "delete", "confirm": "wrong"})
    assert not Community.objects.get(pk=public.community.pk).is_deleted
    client.post("/communities/ocean/settings", {"action": "delete", "confirm": "ocean"})
    assert Community.objects.get(pk=public.community.pk).is_deleted


def test_members_page_role_change_by_manager(public):
    target = Membership.objects.get(user=public.reader)
    page_client(public, "manager").post(f"/communities/ocean/members/{target.uuid}", {"role": "curator"})
    assert Membership.objects.get(pk=target.pk).role == "curator"


def test_members_page_role_change_denied_for_curator(public):
    target = Membership.objects.get(user=public.reader)
    url = f"/communities/ocean/members/{target.uuid}"
    response = page_client(public, "curator").post(url, {"role": "curator"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=target.pk).role == "reader"


def test_members_page_leave(public):
    own = Membership.objects.get(user=public.reader)
    page_client(public, "reader").post(f"/communities/ocean/members/{own.uuid}/remove")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_last_owner_leave_shows_message(public):
    own = Membership.objects.get(user=public.owner)
    response = page_client(public, "owner").post(f"/communities/ocean/members/{own.uuid}/remove", follow=True)
    assert b"at least one owner" in response.content
    assert Membership.objects.filter(pk=own.pk).exists()


def test_members_page_add_group(public):
    Group.objects.create(name="lab")
    data = {"group": "lab", "role": "reader"}
    page_client(public, "manager").post("/communities/ocean/members/add-group", data)
    assert Membership.objects.get(group__name="lab").role == "reader"


def test_outsider_sees_only_public_members(public):
    services.change_visibility(public.reader, Membership.objects.get(user=public.reader), False)
    response = page_client(public, "outsider").get("/communities/ocean/members")
    assert b"Olivia Owner" in response.content
    assert b"Rita Reader" not in response.content


def test_featured_tag_renders_featured_public_communities(public):
    services.set_featured(public.staff, public.community, "2020-01-01")
    html = Template("{% load community_tags %}{% featured_communities %}").render(Context({}))
    assert "Ocean science" in html


def test_branding_tag_respects_viewer(restricted, make_record):
    record = make_record(restricted.owner, access="restricted")
    services.include_record(restricted.staff, restricted.community, record)
    template = Template("{% load community_tags %}{% record_communities record %}")
    request = RequestFactory().get("/")
    request.user = restricted.reader
    assert "Part of" in template.render(Context({"record": record, "request": request}))
    request.user = restricted.outsider
    assert "Part of" not in template.render(Context({"record": record, "request": request}))


def test_my_communities_page_lists_memberships_only(public, restricted):
    response = page_client(restricted, "reader").get("/communities", {"mine": "1"})
    assert b"/communities/secret" in response.content
    assert b"/communities/ocean" not in response.content


def test_list_pagination_keeps_filters(committed, client):
    owner = make_user("many@example.org")
    with committed():
        for number in range(21):
            data = {"slug": f"c{number}", "metadata": {"title": f"C {number}", "type": "event"}}
            services.create_community(owner, data)
    response = client.get("/communities", {"type": "event"})
    assert b'href="?type=event&amp;page=2"' in response.content
