"""Member rules: last owner, own role, leaving, visibility, groups flag and permissions kept in guardian."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from guardian.shortcuts import get_perms

from communities import permissions, services
from communities.models import Membership

from .conftest import make_user


def membership(personas, user):
    return Membership.objects.get(community=personas.community, user=user)


def members_url(personas, suffix=""):
    return f"/api/communities/{personas.community.slug}/members{suffix}"


def test_last_owner_cannot_leave(public):
    with pytest.raises(ValidationError, match="at least one owner"):
        services.leave_community(public.owner, public.community)
    assert membership(public, public.owner).role == "owner"


def test_last_owner_cannot_leave_over_api(public):
    body = {"members": [{"type": "user", "id": public.owner.pk}]}
    response = public.client("owner").delete(members_url(public), body, format="json")
    assert response.status_code == 400
    assert "at least one owner" in response.json()["errors"][0]["messages"][0]
    assert Membership.objects.filter(user=public.owner).exists()


def test_last_owner_cannot_be_demoted_by_staff(public):
    with pytest.raises(ValidationError, match="at least one owner"):
        services.change_role(public.staff, membership(public, public.owner), "manager")
    assert membership(public, public.owner).role == "owner"


def test_last_owner_cannot_be_removed_by_staff(public):
    with pytest.raises(ValidationError, match="at least one owner"):
        services.remove_member(public.staff, membership(public, public.owner))


def test_owner_may_leave_when_another_owner_remains(public):
    second = make_user("second-owner@example.org")
    services.import_member(public.community, second, "owner")
    services.leave_community(public.owner, public.community)
    assert not Membership.objects.filter(user=public.owner).exists()
    assert not permissions.can_update(public.owner, public.community)


def test_member_cannot_change_own_role(public):
    with pytest.raises(ValidationError, match="your own role"):
        services.change_role(public.manager, membership(public, public.manager), "reader")


def test_reader_leaves_and_loses_access_to_restricted_community(restricted):
    body = {"members": [{"type": "user", "id": restricted.reader.pk}]}
    response = restricted.client("reader").delete(members_url(restricted), body, format="json")
    assert response.status_code == 204
    assert restricted.client("reader").get(f"/api/communities/{restricted.community.slug}").status_code == 404


def test_manager_removes_curator(public):
    services.remove_member(public.manager, membership(public, public.curator))
    assert not permissions.can_curate(public.curator, public.community)
    assert get_perms(public.curator, public.community) == []


def test_curator_cannot_remove_reader(public):
    with pytest.raises(PermissionDenied):
        services.remove_member(public.curator, membership(public, public.reader))
    assert Membership.objects.filter(user=public.reader).exists()


def test_role_change_replaces_guardian_permissions(public):
    services.change_role(public.owner, membership(public, public.reader), "manager")
    assert set(get_perms(public.reader, public.community)) == {
        "read_community", "view_records_community", "curate_community", "manage_members_community",
    }
    services.change_role(public.owner, membership(public, public.reader), "reader")
    assert set(get_perms(public.reader, public.community)) == {"read_community", "view_records_community"}


def test_duplicate_group_is_refused(public, group):
    services.add_group_member(public.owner, public.community, group, "reader")
    with pytest.raises(ValidationError, match="already added"):
        services.add_group_member(public.owner, public.community, group, "reader")


def test_group_members_inherit_role_permissions(restricted, group):
    person = make_user("lab-person@example.org")
    person.groups.add(group)
    assert not permissions.can_read(person, restricted.community)
    services.add_group_member(restricted.owner, restricted.community, group, "curator")
    assert permissions.can_read(person, restricted.community)
    assert permissions.can_curate(person, restricted.community)
    assert not permissions.can_manage_members(person, restricted.community)
    assert f"community:{restricted.community.uuid}:view" in permissions.search_principals(person)


def test_removing_group_revokes_its_permissions(restricted, group):
    person = make_user("lab-person@example.org")
    person.groups.add(group)
    entry = services.add_group_member(restricted.owner, restricted.community, group, "reader")
    services.remove_member(restricted.owner, entry)
    assert not permissions.can_read(person, restricted.community)
    assert permissions.search_principals(person) == []


@override_settings(COMMUNITIES_GROUPS_ENABLED=False)
def test_groups_disabled_refuses_group_members(public, group):
    body = {"members": [{"type": "group", "id": group.name}], "role": "reader"}
    response = public.client("owner").post(members_url(public), body, format="json")
    assert response.status_code == 403
    assert not Membership.objects.filter(group=group).exists()


def test_groups_enabled_accepts_group_members(public, group):
    body = {"members": [{"type": "group", "id": group.name}], "role": "reader"}
    response = public.client("owner").post(members_url(public), body, format="json")
    assert response.status_code == 204
    assert Membership.objects.get(group=group).role == "reader"


def test_unknown_group_is_invalid(public):
    body = {"members": [{"type": "group", "id": "nope"}], "role": "reader"}
    response = public.client("owner").post(members_url(public), body, format="json")
    assert response.status_code == 400


def test_owner_cannot_add_users_directly(public):
    body = {"members": [{"type": "user", "id": public.outsider.pk}], "role": "reader"}
    response = public.client("owner").post(members_url(public), body, format="json")
    assert response.status_code == 400
    assert not Membership.objects.filter(user=public.outsider).exists()


def test_staff_adds_user_directly(public):
    body = {"members": [{"type": "user", "id": public.outsider.pk}], "role": "reader"}
    response = public.client("staff").post(members_url(public), body, format="json")
    assert response.status_code == 204
    assert membership(public, public.outsider).role == "reader"


def test_invalid_role_is_refused(public, group):
    body = {"members": [{"type": "group", "id": group.name}], "role": "emperor"}
    response = public.client("owner").post(members_url(public), body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "role"


# --- visibility ---------------------------------------------------------------------------------

def test_members_of_restricted_community_are_hidden_by_default(restricted):
    assert not membership(restricted, restricted.owner).visible
    response = restricted.client("reader").get(members_url(restricted, "/public"))
    assert response.json()["hits"]["total"] == 0


def test_members_of_public_community_are_listed_publicly(public):
    response = public.client("anonymous").get(members_url(public, "/public"))
    names = {hit["member"]["name"] for hit in response.json()["hits"]["hits"]}
    assert "Olivia Owner" in names
    assert all(set(hit) == {"id", "member"} for hit in response.json()["hits"]["hits"])


def test_member_may_hide_and_show_themself(public):
    services.change_visibility(public.reader, membership(public, public.reader), False)
    assert not membership(public, public.reader).visible
    services.change_visibility(public.reader, membership(public, public.reader), True)
    assert membership(public, public.reader).visible


def test_manager_may_hide_others_but_not_show_them(public):
    services.change_visibility(public.manager, membership(public, public.reader), False)
    assert not membership(public, public.reader).visible
    with pytest.raises(ValidationError, match="your own membership"):
        services.change_visibility(public.manager, membership(public, public.reader), True)


def test_reader_cannot_hide_others(public):
    with pytest.raises(PermissionDenied):
        services.change_visibility(public.reader, membership(public, public.curator), False)


def test_member_list_flags_for_current_user(public):
    response = public.client("reader").get(members_url(public))
    mine = next(hit for hit in response.json()["hits"]["hits"] if hit["is_current_user"])
    assert mine["role"] == "reader"
    assert mine["permissions"]["can_leave"] is True
    assert mine["permissions"]["can_update_role"] is False


def test_public_member_list_ignores_role_filter(public):
    response = public.client("anonymous").get(members_url(public, "/public"), {"role": "owner"})
    assert response.json()["hits"]["total"] == 4  # the filter would reveal who holds which role
