"""Records co-owned by communities: community readers view restricted records (InvenioRDM's can_view),
curators manage them (can_manage), everyone else keeps getting 404 - on API, pages, files and search."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from communities import services as community_services
from rdm.records import permissions, services
from rdm.records.models import Record
from rdm.search import indexer, search
from tests.communities.conftest import Personas, make_user
from tests.records.conftest import valid_metadata

pytestmark = pytest.mark.django_db

FILE_BODY = b"a,b\n1,2\n"


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """A public community holding a depositor's restricted record (with a restricted file)."""
    people = Personas("public")
    people.depositor = make_user("depositor@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.create_draft(people.depositor, {
            "metadata": valid_metadata(title="Coral reef survey"), "files": {"enabled": True},
            "access": {"record": "restricted", "files": "restricted"},
        })
        services.add_files(people.depositor, draft.pid, [SimpleUploadedFile("data.csv", FILE_BODY)])
    with django_capture_on_commit_callbacks(execute=True):
        people.record = services.publish_draft(people.depositor, draft.pid)
    with django_capture_on_commit_callbacks(execute=True):
        community_services.include_record(people.staff, people.community, people.record)
    indexer.drain_queue()
    return people


def page_client(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def search_ids(user, **filters):
    result = search("records", "coral", user=user, filters=filters or None)
    return [hit["id"] for hit in result.hits], result.total


VIEWERS = ("depositor", "owner", "manager", "curator", "reader", "staff")
OUTSIDERS = ("outsider", "anonymous")


@pytest.mark.parametrize("persona", VIEWERS)
def test_community_members_and_owner_read_the_restricted_record(world, persona):
    user = getattr(world, persona)
    pid = world.record.pid

    assert permissions.can_read_record(user, world.record)
    assert world.client(persona).get(f"/api/records/{pid}").status_code == 200
    assert page_client(user).get(f"/records/{pid}").status_code == 200
    download = page_client(user).get(f"/records/{pid}/files/data.csv")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == FILE_BODY
    assert world.client(persona).get(f"/api/records/{pid}/files/data.csv/content").status_code == 200
    assert search_ids(user) == ([pid], 1)


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_everywhere_and_find_nothing(world, persona):
    user = getattr(world, persona)
    pid = world.record.pid

    assert not permissions.can_read_record(user, world.record)
    assert world.client(persona).get(f"/api/records/{pid}").status_code == 404
    assert page_client(user).get(f"/records/{pid}").status_code == 404
    assert page_client(user).get(f"/records/{pid}/files/data.csv").status_code == 404
    assert world.client(persona).get(f"/api/records/{pid}/files/data.csv/content").status_code == 404
    assert search_ids(user) == ([], 0)


def test_restricted_facet_counts_follow_the_reader(world):
    reader = search("records", "", user=world.reader)
    outsider = search("records", "", user=world.outsider)

    assert {b["key"]: b["doc_count"] for b in reader.aggregations["community"]["buckets"]} == {
        str(world.community.uuid): 1
    }
    assert outsider.aggregations["community"]["buckets"] == []
    assert outsider.total == 0


@pytest.mark.parametrize("persona", ("curator", "manager", "owner"))
def test_curators_edit_and_version_the_communitys_records(world, persona):
    user = getattr(world, persona)
    client = world.client(persona)
    pid = world.record.pid

    assert permissions.can_manage(user, world.record.parent)
    assert client.post(f"/api/records/{pid}/draft").status_code in (200, 201)
    changed = client.put(f"/api/records/{pid}/draft", {
        "metadata": valid_metadata(title="Coral reef survey, revised"), "files": {"enabled": True},
        "access": {"record": "restricted", "files": "restricted"},
    }, format="json")
    assert changed.status_code == 200
    assert client.post(f"/api/records/{pid}/draft/actions/publish").status_code == 202
    assert services.get_record(user, pid).metadata["title"] == "Coral reef survey, revised"
    new_version = client.post(f"/api/records/{pid}/versions")
    assert new_version.status_code == 201


@pytest.mark.parametrize("persona", ("reader",))
def test_readers_see_but_cannot_edit(world, persona):
    """Visible records answer 403 (not 404) to those who may not change them."""
    client = world.client(persona)
    pid = world.record.pid

    assert not permissions.can_manage(getattr(world, persona), world.record.parent)
    assert client.post(f"/api/records/{pid}/draft").status_code == 403
    assert client.post(f"/api/records/{pid}/versions").status_code == 403
    assert page_client(getattr(world, persona)).post(f"/records/{pid}/edit").status_code == 403


def test_outsider_cannot_edit_and_gets_404(world):
    assert world.client("outsider").post(f"/api/records/{world.record.pid}/draft").status_code == 404


def test_curator_reads_and_publishes_the_edit_draft(world):
    draft = services.edit_record(world.curator, world.record.pid)

    assert permissions.can_read_draft(world.curator, draft)
    assert not permissions.can_read_draft(world.reader, draft)
    published = services.publish_draft(world.curator, draft.pid)
    assert published.pid == world.record.pid


def test_removal_from_the_community_revokes_access_and_search_visibility(
    world, django_capture_on_commit_callbacks
):
    pid = world.record.pid
    with django_capture_on_commit_callbacks(execute=True):
        community_services.remove_record(world.staff, world.community, world.record)
    indexer.drain_queue()

    assert world.client("reader").get(f"/api/records/{pid}").status_code == 404
    assert world.client("curator").post(f"/api/records/{pid}/draft").status_code == 404
    assert search_ids(world.reader) == ([], 0)
    assert search_ids(world.depositor) == ([pid], 1)


def test_leaving_the_community_revokes_access_without_reindexing(world):
    community_services.leave_community(world.reader, world.community)

    assert world.client("reader").get(f"/api/records/{world.record.pid}").status_code == 404
    assert search_ids(world.reader) == ([], 0)


def test_a_new_reader_finds_the_record_without_reindexing(world):
    newcomer = make_user("newcomer@example.org")
    assert search_ids(newcomer) == ([], 0)

    community_services.import_member(world.community, newcomer, "reader")

    assert search_ids(newcomer) == ([world.record.pid], 1)


def test_community_visibility_change_keeps_search_visibility(world):
    """Documents carry community ids and capability principals only, so nothing needs re-indexing."""
    restrict = {"access": {"visibility": "restricted"}}
    community_services.update_community(world.owner, world.community, restrict)

    assert search_ids(world.reader) == ([world.record.pid], 1)
    assert search_ids(world.outsider) == ([], 0)


def test_group_readers_read_the_record(world):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="reef-lab")
    member = make_user("lab@example.org")
    member.groups.add(group)
    community_services.add_group_member(world.owner, world.community, group, "reader")

    assert permissions.can_read_record(member, world.record)
    assert search_ids(member) == ([world.record.pid], 1)


def test_record_json_lists_parent_communities(world):
    body = world.client("reader").get(f"/api/records/{world.record.pid}").json()

    assert body["parent"]["communities"] == {
        "ids": [str(world.community.uuid)], "default": str(world.community.uuid),
    }


def test_record_without_community_has_empty_parent_communities(world):
    record = services.publish_draft(world.depositor, services.create_draft(world.depositor, {
        "metadata": valid_metadata(), "files": {"enabled": False},
    }).pid)

    assert world.client("anonymous").get(f"/api/records/{record.pid}").json()["parent"]["communities"] == {}


def test_checks_never_pass_without_the_object(world):
    assert not permissions.can_manage(world.staff, None)
    assert not permissions.can_read_record(world.staff, None)
    assert not permissions.can_read_files(world.staff, None)
    assert not permissions.can_read_draft(world.staff, None)
    from communities import permissions as community_permissions

    assert not community_permissions.can_view_parent_records(world.reader, None)
    assert not community_permissions.can_curate_parent(world.curator, None)
    assert community_permissions.record_view_principals(None) == []


def test_index_principals_carry_the_community_view_principal(world):
    principals = permissions.read_principals(world.record)

    assert f"community:{world.community.uuid}:view" in principals
    assert "public" not in principals
    assert f"community:{world.community.uuid}:view" in permissions.files_read_principals(world.record)


def test_landing_page_shows_the_default_community_first(world):
    other = community_services.create_community(world.owner, {
        "slug": "reefs", "metadata": {"title": "Reef watchers"}, "access": {"visibility": "public"},
    })
    community_services.include_record(world.owner, other, world.record)

    html = page_client(world.reader).get(f"/records/{world.record.pid}").content.decode()

    assert "Part of" in html
    assert html.index("Ocean science") < html.index("Reef watchers")
    assert f"/communities/{world.community.slug}/logo" in html


# --- restricted communities -------------------------------------------------------------------------

@pytest.fixture
def secret(db):
    return Personas("restricted", slug="secret")


def restricted_record(people):
    draft = services.create_draft(people.owner, {
        "metadata": valid_metadata(), "files": {"enabled": False}, "access": {"record": "restricted"},
    })
    record = services.publish_draft(people.owner, draft.pid)
    community_services.include_record(people.owner, people.community, record)
    return record


def test_restricted_community_refuses_making_its_record_public(secret):
    record = restricted_record(secret)
    draft = services.edit_record(secret.curator, record.pid)
    services.update_draft(secret.curator, draft.pid, {
        "metadata": valid_metadata(), "files": {"enabled": False}, "access": {"record": "public"},
    })

    with pytest.raises(ValidationError) as refused:
        services.publish_draft(secret.curator, draft.pid)

    message = refused.value.message_dict["access.record"][0]
    assert "Records in a restricted community must be restricted" in message
    assert services.get_record(secret.owner, record.pid).access_record == "restricted"


def test_publish_refusal_is_a_400_on_access_record(secret):
    record = restricted_record(secret)
    client = secret.client("owner")
    client.post(f"/api/records/{record.pid}/draft")
    client.put(f"/api/records/{record.pid}/draft", {
        "metadata": valid_metadata(), "files": {"enabled": False}, "access": {"record": "public"},
    }, format="json")

    response = client.post(f"/api/records/{record.pid}/draft/actions/publish")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["access.record"]


def test_restricted_community_record_stays_restricted_when_its_embargo_ends(secret):
    import datetime

    record = restricted_record(secret)
    Record.objects.filter(pk=record.pk).update(
        embargo_active=True, embargo_until=datetime.date(2000, 1, 1), access_files="restricted",
    )

    services.lift_expired_embargoes()

    record.refresh_from_db()
    state = (record.access_record, record.access_files, record.embargo_active)
    assert state == ("restricted", "public", False)


# --- custom roles and pages ----------------------------------------------------------------------------

CURATE_ONLY_ROLES = [
    {"name": "boss", "title": "Boss", "description": "Owns.", "is_owner": True, "can_manage": True,
     "can_curate": True, "can_view": True, "can_manage_roles": ["boss", "fixer", "peeker"]},
    {"name": "fixer", "title": "Fixer", "description": "Curates without can_view.", "can_curate": True},
    {"name": "peeker", "title": "Peeker", "description": "A member who may not view.", "can_view": False},
]


def test_custom_roles_decide_who_reads_and_who_curates(django_capture_on_commit_callbacks):
    from django.test import override_settings

    with override_settings(COMMUNITIES_ROLES=CURATE_ONLY_ROLES):
        boss, fixer, peeker = (make_user(f"{name}@example.org") for name in ("boss", "fixer", "peeker"))
        community = community_services.create_community(boss, {
            "slug": "custom", "metadata": {"title": "Custom"}, "access": {"visibility": "public"},
        })
        community_services.import_member(community, fixer, "fixer")
        community_services.import_member(community, peeker, "peeker")
        with django_capture_on_commit_callbacks(execute=True):
            draft = services.create_draft(boss, {
                "metadata": valid_metadata(title="Coral custom"), "files": {"enabled": False},
                "access": {"record": "restricted"},
            })
        with django_capture_on_commit_callbacks(execute=True):
            record = services.publish_draft(boss, draft.pid)
        with django_capture_on_commit_callbacks(execute=True):
            community_services.include_record(boss, community, record)
        indexer.drain_queue()

        # A curator manages (so reads and finds) the record even though its role lacks can_view.
        assert permissions.can_manage(fixer, record.parent) and permissions.can_read_record(fixer, record)
        assert search_ids(fixer) == ([record.pid], 1)
        # A member whose role may not view gets nothing.
        assert not permissions.can_read_record(peeker, record)
        assert search_ids(peeker) == ([], 0)


def test_curator_edits_through_the_pages(world):
    response = page_client(world.curator).post(f"/records/{world.record.pid}/edit")

    assert response.status_code == 302
    assert page_client(world.curator).get(response["Location"]).status_code == 200
    landing = page_client(world.curator).get(f"/records/{world.record.pid}").content.decode()
    assert "New version" in landing
    assert "New version" not in page_client(world.reader).get(f"/records/{world.record.pid}").content.decode()
