"""Roles come from COMMUNITIES_ROLES: a custom set changes titles and capabilities everywhere."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from communities import permissions, roles, services
from communities.models import Membership

from .conftest import community_data, make_user

CUSTOM_ROLES = [
    {"name": "viewer", "title": "Viewer", "description": "Sees restricted records.", "can_view": True},
    {"name": "editor", "title": "Editor", "description": "Curates and adds viewers.", "can_curate": True,
     "can_view": True, "can_manage": True, "can_manage_roles": ["viewer"]},
    {"name": "chief", "title": "Chief", "description": "Runs everything.", "is_owner": True,
     "can_manage": True, "can_curate": True, "can_view": True,
     "can_manage_roles": ["chief", "editor", "viewer"]},
]


@pytest.fixture
def custom(committed):
    with override_settings(COMMUNITIES_ROLES=CUSTOM_ROLES):
        with committed():  # indexed after commit, as in production
            chief = make_user("chief@example.org")
            editor = make_user("editor@example.org", full_name="Ed Editor")
            viewer = make_user("viewer@example.org")
            community = services.create_community(chief, community_data("custom", "restricted"))
            services.import_member(community, editor, "editor")
            services.import_member(community, viewer, "viewer")
        yield community, chief, editor, viewer


def test_creator_gets_the_custom_owner_role(custom):
    community, chief, *_ = custom
    assert Membership.objects.get(community=community, user=chief).role == "chief"
    assert permissions.can_update(chief, community)


def test_custom_capabilities_apply(custom):
    community, _, editor, viewer = custom
    assert permissions.can_curate(editor, community)
    assert permissions.can_manage_members(editor, community, "viewer")
    assert not permissions.can_manage_members(editor, community, "editor")
    assert permissions.can_view_restricted_records(viewer, community)
    assert not permissions.can_curate(viewer, community)


def test_editor_may_not_promote_viewer_to_editor(custom):
    community, _, editor, viewer = custom
    entry = Membership.objects.get(community=community, user=viewer)
    with pytest.raises(PermissionDenied):
        services.change_role(editor, entry, "editor")


def test_default_role_names_are_invalid_under_custom_roles(custom):
    community, chief, _, viewer = custom
    entry = Membership.objects.get(community=community, user=viewer)
    with pytest.raises(ValidationError, match="Invalid role"):
        services.change_role(chief, entry, "reader")


def test_titles_come_from_the_setting_in_member_json(custom):
    community, chief, *_ = custom
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(chief)
    response = client.get(f"/api/communities/{community.slug}/members")
    titles = {hit["role"]: hit["role_title"] for hit in response.json()["hits"]["hits"]}
    assert titles == {"chief": "Chief", "editor": "Editor", "viewer": "Viewer"}
    labels = {bucket["label"] for bucket in response.json()["aggregations"]["role"]["buckets"]}
    assert labels == {"Chief", "Editor", "Viewer"}


@override_settings(COMMUNITIES_ROLES=CUSTOM_ROLES)
def test_roles_module_reads_the_setting():
    assert roles.role_names() == ["viewer", "editor", "chief"]
    assert roles.owner_role().name == "chief"
    assert roles.role_title("editor") == "Editor"


def test_role_set_without_owner_fails_the_system_check():
    with override_settings(COMMUNITIES_ROLES=[{"name": "solo", "title": "Solo"}]):
        ids = [error.id for error in roles.check_roles_setting(None)]
    assert "communities.E002" in ids


def test_sync_applies_changed_capabilities(db):
    owner = make_user("sync-owner@example.org")
    reader = make_user("sync-reader@example.org")
    community = services.create_community(owner, community_data("sync"))
    services.import_member(community, reader, "reader")
    assert not permissions.can_curate(reader, community)
    curating_readers = [dict(role, can_curate=True) if role["name"] == "reader" else role
                        for role in roles.settings.COMMUNITIES_ROLES]
    with override_settings(COMMUNITIES_ROLES=curating_readers):
        permissions.sync_community(community)
        assert permissions.can_curate(reader, community)
