"""Creating, validating, renaming and deleting communities."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from accounts.services import create_user
from communities import services
from communities.exceptions import SlugMoved
from communities.models import Community, Membership

from .conftest import community_data, make_user


def test_creator_becomes_owner(db):
    user = make_user("maker@example.org")
    community = services.create_community(user, community_data("makers"))
    assert Membership.objects.get(community=community, user=user).role == "owner"


def test_api_create_returns_invenio_shape(client, db):
    client.force_login(make_user("maker@example.org"))
    response = client.post("/api/communities", community_data("Makers"), content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["slug"] == "makers"
    assert body["metadata"]["type"]["id"] == "topic"
    assert body["access"] == {"visibility": "public", "member_policy": "open", "record_policy": "open"}
    assert body["links"]["self"].endswith(f"/api/communities/{body['id']}")
    assert "pk" not in body and str(Community.objects.get().pk) != body["id"]


def test_unverified_user_cannot_create(db):
    user = create_user(email="new@example.org", password="secret-pass-1")
    with pytest.raises(PermissionDenied):
        services.create_community(user, community_data("nope"))


@override_settings(COMMUNITIES_ALLOW_CREATE="staff")
def test_staff_only_creation_setting(db):
    with pytest.raises(PermissionDenied):
        services.create_community(make_user("maker@example.org"), community_data("nope"))
    assert services.create_community(make_user("boss@example.org", is_staff=True), community_data("yes"))


def test_anonymous_create_is_401(client, db):
    response = client.post("/api/communities", community_data(), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("slug", ["has space", "ümlaut", "a/b", "", "x" * 101,
                                  "6f1c2d3e-4b5a-4c3d-9e8f-7a6b5c4d3e2f", "new"])
def test_invalid_slugs_are_refused(db, slug):
    with pytest.raises(ValidationError) as error:
        services.create_community(make_user("maker@example.org"), community_data(slug))
    assert "slug" in error.value.message_dict


def test_duplicate_slug_is_refused(db):
    user = make_user("maker@example.org")
    services.create_community(user, community_data("twin"))
    with pytest.raises(ValidationError, match="already exists"):
        services.create_community(user, community_data("TWIN"))


def test_missing_title_reports_dotted_path(client, db):
    client.force_login(make_user("maker@example.org"))
    data = {"slug": "untitled", "metadata": {}}
    response = client.post("/api/communities", data, content_type="application/json")
    assert response.status_code == 400
    expected = [{"field": "metadata.title", "messages": ["Missing data for required field."]}]
    assert response.json()["errors"] == expected


def test_description_is_sanitised(db):
    data = community_data("clean", description='<p onclick="x()">Hi<script>alert(1)</script></p>')
    community = services.create_community(make_user("maker@example.org"), data)
    assert community.description == "<p>Hi</p>"


def test_invalid_type_and_website_are_refused(db):
    data = community_data("bad", type={"id": "party"}, website="javascript:alert(1)")
    with pytest.raises(ValidationError) as error:
        services.create_community(make_user("maker@example.org"), data)
    assert set(error.value.message_dict) == {"metadata.type", "metadata.website"}


def test_read_by_uuid_or_slug(client, public):
    by_uuid = client.get(f"/api/communities/{public.community.uuid}")
    by_slug = client.get("/api/communities/ocean")
    assert by_uuid.status_code == by_slug.status_code == 200
    assert by_uuid.json()["id"] == by_slug.json()["id"]


def test_old_slug_redirects_after_rename(client, public):
    services.rename_community(public.owner, public.community, "sea")
    response = client.get("/api/communities/ocean/members/public")
    assert response.status_code == 301
    assert response["Location"] == "/api/communities/sea/members/public"
    assert client.get("/api/communities/sea").json()["slug"] == "sea"


def test_old_slug_of_restricted_community_is_404_for_outsiders(client, restricted):
    services.rename_community(restricted.owner, restricted.community, "hidden")
    assert client.get("/api/communities/secret").status_code == 404


def test_old_slug_cannot_be_taken_by_another_community(public):
    services.rename_community(public.owner, public.community, "sea")
    with pytest.raises(ValidationError, match="already exists"):
        services.create_community(public.outsider, community_data("ocean"))


def test_community_may_take_back_its_old_slug(public):
    services.rename_community(public.owner, public.community, "sea")
    services.rename_community(public.owner, public.community, "ocean")
    with pytest.raises(SlugMoved):
        services.get_community(public.owner, "sea")


def test_rename_without_slug_is_400(public):
    response = public.client("owner").post("/api/communities/ocean/rename", {}, format="json")
    assert response.status_code == 400


def test_update_cannot_change_slug(public):
    data = {"slug": "elsewhere", "metadata": {"title": "Ocean"}}
    response = public.client("owner").put("/api/communities/ocean", data, format="json")
    assert response.status_code == 400
    assert Community.objects.get(pk=public.community.pk).slug == "ocean"


def test_update_access_keeps_unmentioned_fields(public):
    services.update_community(public.owner, public.community, {"access": {"record_policy": "closed"}})
    community = Community.objects.get(pk=public.community.pk)
    assert (community.visibility, community.record_policy) == ("public", "closed")


def test_deleted_community_refuses_changes(public):
    services.delete_community(public.owner, public.community)
    body = {"metadata": {"title": "X"}}
    response = public.client("owner").put("/api/communities/ocean", body, format="json")
    assert response.status_code == 410
    assert Community.objects.get(pk=public.community.pk).title == "Ocean science"


def test_old_slug_named_like_a_path_segment_redirects_correctly(client, db):
    owner = make_user("maker@example.org")
    community = services.create_community(owner, community_data("api"))
    services.rename_community(owner, community, "apis")
    assert client.get("/api/communities/api")["Location"] == "/api/communities/apis"
    assert client.get("/communities/api/members")["Location"] == "/communities/apis/members"
