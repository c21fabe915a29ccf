"""Records join communities through their parent; restricted communities hold restricted records only."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communities import permissions, queries, services
from communities.exceptions import CommunityDeleted
from communities.models import CommunityRecord


def test_restricted_community_refuses_public_record(restricted, make_record):
    record = make_record(restricted.owner, access="public")
    with pytest.raises(ValidationError) as error:
        services.include_record(restricted.staff, restricted.community, record)
    assert error.value.message_dict == {"access.record": [services.RESTRICTED_HOLDS_RESTRICTED]}
    assert not CommunityRecord.objects.exists()


def test_restricted_community_accepts_restricted_record(restricted, make_record):
    record = make_record(restricted.curator, access="restricted")
    link = services.include_record(restricted.curator, restricted.community, record)
    assert link.parent == record.parent and link.is_default


def test_public_community_accepts_both(public, make_record):
    services.include_record(public.staff, public.community, make_record(public.owner, access="public"))
    services.include_record(public.staff, public.community, make_record(public.owner, access="restricted"))
    assert CommunityRecord.objects.filter(community=public.community).count() == 2


def test_reader_cannot_include_records(public, make_record):
    with pytest.raises(PermissionDenied):
        services.include_record(public.reader, public.community, make_record(public.owner))


def test_same_record_twice_is_refused(public, make_record):
    record = make_record(public.owner)
    services.include_record(public.staff, public.community, record)
    with pytest.raises(ValidationError, match="already in this community"):
        services.include_record(public.staff, public.community, record)


def test_cannot_restrict_community_holding_public_records(public, make_record):
    services.include_record(public.staff, public.community, make_record(public.owner, access="public"))
    with pytest.raises(ValidationError) as error:
        services.update_community(public.owner, public.community, {"access": {"visibility": "restricted"}})
    assert "access.visibility" in error.value.message_dict


def test_community_roles_open_the_records_restricted_content(public, make_record):
    record = make_record(public.owner, access="restricted")
    services.include_record(public.staff, public.community, record)
    assert permissions.can_view_parent_records(public.reader, record.parent)
    assert not permissions.can_curate_parent(public.reader, record.parent)
    assert permissions.can_curate_parent(public.curator, record.parent)
    assert not permissions.can_view_parent_records(public.outsider, record.parent)
    assert permissions.record_view_principals(record.parent) == [f"community:{public.community.uuid}:view"]


def test_deleting_community_unlinks_records(public, make_record):
    record = make_record(public.owner)
    services.include_record(public.staff, public.community, record)
    services.delete_community(public.owner, public.community)
    assert not CommunityRecord.objects.exists()
    assert queries.record_communities(None, record.parent) == []


def test_removing_default_promotes_the_next(public, restricted, make_record):
    record = make_record(public.owner, access="restricted")
    services.include_record(public.staff, public.community, record)
    services.include_record(restricted.staff, restricted.community, record)
    services.remove_record(public.curator, public.community, record)
    link = CommunityRecord.objects.get(parent=record.parent)
    assert link.community == restricted.community and link.is_default


def test_branding_lists_only_visible_communities(public, restricted, make_record):
    record = make_record(public.owner, access="restricted")
    services.include_record(public.staff, public.community, record)
    services.include_record(restricted.staff, restricted.community, record)
    assert queries.record_communities(None, record.parent) == [public.community]
    seen_by_reader = queries.record_communities(restricted.reader, record.parent)
    assert seen_by_reader == [public.community, restricted.community]


def test_parent_communities_in_invenio_shape(public, make_record):
    record = make_record(public.owner)
    assert queries.parent_communities(record.parent) == {}
    services.include_record(public.staff, public.community, record)
    uid = str(public.community.uuid)
    assert queries.parent_communities(record.parent) == {"ids": [uid], "default": uid}


def test_restricted_communities_of_lists_only_restricted(public, restricted, make_record):
    record = make_record(public.owner, access="restricted")
    services.include_record(public.staff, public.community, record)
    services.include_record(restricted.staff, restricted.community, record)
    assert queries.restricted_communities_of(record.parent) == [restricted.community]


def test_curator_cannot_pull_someone_elses_record_into_the_community(public, make_record):
    record = make_record(public.owner, access="restricted")
    outsider_record = make_record(public.reader, access="restricted")

    with pytest.raises(PermissionDenied):
        services.include_record(public.curator, public.community, outsider_record)

    assert not permissions.can_view_parent_records(public.curator, outsider_record.parent)
    services.include_record(public.owner, public.community, record)  # the record's owner may


def test_records_cannot_be_removed_from_a_deleted_community(public, make_record):
    record = make_record(public.owner)
    services.include_record(public.staff, public.community, record)
    services.delete_community(public.owner, public.community)

    with pytest.raises(CommunityDeleted):
        services.remove_record(public.staff, public.community, record)
