"""Permission questions: no object means no permission, staff may do everything, inactive users nothing."""

import pytest

from communities import permissions, services

CHECKS = [
    permissions.can_read, permissions.can_update, permissions.can_delete, permissions.can_curate,
    permissions.can_view_restricted_records, permissions.can_read_members, permissions.is_member,
    permissions.can_manage_members,
]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_no_community_never_passes_even_for_staff(public, check):
    assert check(public.staff, None) is False


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_staff_passes_on_restricted_community(restricted, check):
    assert check(restricted.staff, restricted.community) is True


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_inactive_owner_has_no_member_rights(restricted, check):
    restricted.owner.is_active = False
    restricted.owner.save()
    assert check(restricted.owner, restricted.community) is False


def test_anonymous_reads_public_only(public, restricted):
    assert permissions.can_read(None, public.community)
    assert not permissions.can_read(None, restricted.community)
    assert permissions.search_principals(None) == []


def test_capabilities_summary_matches_role(public):
    assert permissions.capabilities(public.curator, public.community) == {
        "can_update": False, "can_delete": False, "can_manage_members": False, "can_curate": True,
        "can_view_restricted_records": True, "is_member": True,
    }
    assert all(permissions.capabilities(public.staff, public.community).values())
    assert not any(permissions.capabilities(public.outsider, public.community).values())


def test_community_read_principals(public, restricted):
    assert permissions.community_read_principals(public.community) == ["public"]
    assert permissions.community_read_principals(restricted.community) == [
        f"community:{restricted.community.uuid}:member", "staff",
    ]


def test_submission_follows_record_policy(public, restricted):
    assert permissions.can_submit_record(public.outsider, public.community)
    assert not permissions.can_submit_record(None, public.community)
    assert not permissions.can_submit_record(restricted.outsider, restricted.community)
    assert permissions.can_submit_record(restricted.reader, restricted.community)
    services.update_community(public.owner, public.community, {"access": {"record_policy": "closed"}})
    assert not permissions.can_submit_record(public.outsider, public.community)
    assert permissions.can_submit_record(public.reader, public.community)
