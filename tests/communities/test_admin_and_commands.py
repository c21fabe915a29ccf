"""Admin and management commands go through the same services and rules."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from guardian.shortcuts import get_perms

from communities import permissions
from communities.models import Community, FeaturedCommunity, Membership

from .conftest import make_user


@pytest.fixture
def admin_client(public):
    superuser = make_user("root@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    return client


def inline_data(community, **changes):
    memberships = list(community.memberships.order_by("pk"))
    data = {
        "slug": community.slug, "title": community.title, "description": community.description,
        "type": community.type, "website": "", "curation_policy": "", "page": "", "organizations": "[]",
        "visibility": community.visibility, "member_policy": "open", "record_policy": "open",
        "memberships-TOTAL_FORMS": str(len(memberships)), "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    for index, membership in enumerate(memberships):
        prefix = f"memberships-{index}"
        data.update({
            f"{prefix}-id": str(membership.pk), f"{prefix}-community": str(community.pk),
            f"{prefix}-user": str(membership.user_id or ""),
            f"{prefix}-group": str(membership.group_id or ""),
            f"{prefix}-role": membership.role, f"{prefix}-visible": "on" if membership.visible else "",
        })
    data.update(changes)
    return data


def test_admin_lists_and_searches_communities(admin_client):
    params = {"q": "ocean", "visibility__exact": "public"}
    response = admin_client.get("/admin/communities/community/", params)
    assert response.status_code == 200
    assert b"ocean" in response.content


def form_index(community, user) -> int:
    return list(community.memberships.order_by("pk")).index(Membership.objects.get(user=user))


def change_url(community) -> str:
    return f"/admin/communities/community/{community.pk}/change/"


def test_admin_changes_role_through_services(admin_client, public):
    index = form_index(public.community, public.reader)
    data = inline_data(public.community, **{f"memberships-{index}-role": "manager"})
    response = admin_client.post(f"/admin/communities/community/{public.community.pk}/change/", data)
    assert response.status_code == 302
    assert Membership.objects.get(user=public.reader).role == "manager"
    assert "manage_members_community" in get_perms(public.reader, public.community)


def test_admin_cannot_demote_last_owner(admin_client, public):
    index = form_index(public.community, public.owner)
    data = inline_data(public.community, **{f"memberships-{index}-role": "reader"})
    response = admin_client.post(change_url(public.community), data, follow=True)
    assert b"at least one owner" in response.content
    assert Membership.objects.get(user=public.owner).role == "owner"


def test_admin_slug_change_renames(admin_client, public):
    data = inline_data(public.community, slug="sea")
    admin_client.post(f"/admin/communities/community/{public.community.pk}/change/", data)
    assert Community.objects.get(pk=public.community.pk).slug == "sea"
    assert public.community.old_slugs.filter(slug="ocean").exists()


def test_admin_soft_delete_action(admin_client, public):
    admin_client.post("/admin/communities/community/", {
        "action": "soft_delete", "_selected_action": [public.community.pk],
    })
    assert Community.objects.get(pk=public.community.pk).is_deleted


def test_admin_features_public_community(admin_client, public):
    response = admin_client.post("/admin/communities/featuredcommunity/add/", {
        "community": public.community.pk, "start_date_0": "2024-01-01", "start_date_1": "00:00:00",
    })
    assert response.status_code == 302
    assert FeaturedCommunity.objects.filter(community=public.community).exists()


def test_admin_refuses_featuring_restricted_community(admin_client, restricted):
    response = admin_client.post("/admin/communities/featuredcommunity/add/", {
        "community": restricted.community.pk, "start_date_0": "2024-01-01", "start_date_1": "00:00:00",
    })
    assert response.status_code == 200
    assert not FeaturedCommunity.objects.exists()


def test_add_member_command(public):
    user = make_user("newbie@example.org")
    call_command("add_community_member", "ocean", "--user", "newbie@example.org", "--role", "curator",
                 verbosity=0)
    assert permissions.can_curate(user, public.community)


def test_add_member_command_with_group(public):
    Group.objects.create(name="lab")
    call_command("add_community_member", str(public.community.uuid), "--group", "lab", "--role", "reader",
                 verbosity=0)
    assert Membership.objects.get(group__name="lab").role == "reader"


def test_add_member_command_rejects_unknown_role(public):
    make_user("newbie@example.org")
    with pytest.raises(CommandError, match="Invalid role"):
        call_command("add_community_member", "ocean", "--user", "newbie@example.org", "--role", "king")


def test_sync_command_applies_new_capabilities(public):
    changed = [
        {"name": "reader", "title": "Reader", "can_view": True, "can_curate": True},
        {"name": "curator", "title": "Curator", "can_curate": True, "can_view": True},
        {"name": "manager", "title": "Manager", "can_manage": True, "can_curate": True, "can_view": True,
         "can_manage_roles": ["reader"]},
        {"name": "owner", "title": "Owner", "is_owner": True, "can_manage": True, "can_curate": True,
         "can_view": True, "can_manage_roles": ["owner", "manager", "curator", "reader"]},
    ]
    with override_settings(COMMUNITIES_ROLES=changed):
        call_command("sync_community_permissions", verbosity=0)
        assert permissions.can_curate(public.reader, public.community)


def test_admin_creates_community_with_staff_as_owner(admin_client, db):
    data = {
        "slug": "made-in-admin", "title": "Made in admin", "description": "", "type": "event", "website": "",
        "curation_policy": "", "page": "", "organizations": "[]", "visibility": "public",
        "member_policy": "open", "record_policy": "open",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post("/admin/communities/community/add/", data)
    assert response.status_code == 302
    community = Community.objects.get(slug="made-in-admin")
    assert Membership.objects.get(community=community).user.email == "root@example.org"


def test_admin_refuses_invalid_slug(admin_client, db):
    data = {"slug": "bad slug", "title": "Bad", "visibility": "public", "member_policy": "open",
            "record_policy": "open", "organizations": "[]",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    response = admin_client.post("/admin/communities/community/add/", data)
    assert response.status_code == 200
    assert not Community.objects.filter(title="Bad").exists()
