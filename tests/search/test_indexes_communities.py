"""The "communities" and "members" indexes: permission filtering inside the engine (hits, totals and facet
counts), removal of deleted communities, and re-indexing when communities, members and profiles change."""

import pytest
from rest_framework.test import APIClient

from accounts.services import create_user, update_profile
from communities import services
from communities.models import Membership
from rdm.search import search
from rdm.search.backends import get_search_backend
from rdm.search.index import get_index

pytestmark = pytest.mark.django_db


def make_user(email, **kwargs):
    return create_user(email=email, password="secret-pass-1", email_verified=True, **kwargs)


def community_data(slug, visibility, title, type_id="topic"):
    metadata = {"title": title, "type": {"id": type_id}}
    return {"slug": slug, "metadata": metadata, "access": {"visibility": visibility}}


class World:
    def __init__(self):
        self.owner = make_user("owner@example.org", full_name="Olga Owner")
        self.reader = make_user("reader@example.org", full_name="Rita Reader")
        self.outsider = make_user("outsider@example.org")
        self.staff = make_user("staff@example.org", is_staff=True)
        self.public = services.create_community(
            self.owner, community_data("open-ocean", "public", "Open ocean"))
        self.restricted = services.create_community(
            self.owner, community_data("deep-ocean", "restricted", "Deep ocean", "project"))
        services.import_member(self.restricted, self.reader, "reader")
        services.import_member(self.public, self.reader, "reader", visible=False)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs the block's on-commit callbacks (signals, then the indexer), as a commit does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(committed):
    with committed():
        return World()


def slugs(result):
    return {hit["slug"] for hit in result.hits}


def counts(result, facet):
    return {bucket["key"]: bucket["doc_count"] for bucket in result.aggregations[facet]["buckets"]}


@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
def test_restricted_community_is_absent_from_hits_totals_and_facets(world, persona):
    user = getattr(world, persona, None)

    result = search("communities", "", user=user)

    assert slugs(result) == {"open-ocean"}
    assert result.total == 1
    assert counts(result, "visibility") == {"public": 1}
    assert counts(result, "type") == {"topic": 1}


@pytest.mark.parametrize("persona", ["reader", "owner", "staff"])
def test_restricted_community_is_present_for_members_and_staff(world, persona):
    result = search("communities", "", user=getattr(world, persona))

    assert slugs(result) == {"open-ocean", "deep-ocean"}
    assert counts(result, "visibility") == {"public": 1, "restricted": 1}
    assert counts(result, "type") == {"topic": 1, "project": 1}


def test_query_for_a_restricted_title_finds_it_for_members_only(world):
    assert search("communities", "deep", user=world.outsider).total == 0
    assert slugs(search("communities", "deep", user=world.reader)) == {"deep-ocean"}


def test_fields_and_aliases_are_searchable(world):
    assert slugs(search("communities", "title:open", user=None)) == {"open-ocean"}
    assert slugs(search("communities", "slug:open", user=None)) == {"open-ocean"}
    assert search("communities", "type:project", user=None).total == 0


def test_document_holds_no_caller_specific_permissions(world):
    hit = search("communities", "", user=None).hits[0]
    assert "permissions" not in hit
    assert hit["id"] == str(world.public.uuid)


def test_api_counts_come_from_the_index_for_outsiders_and_members(world):
    client = APIClient()
    body = client.get("/api/communities").json()
    assert body["hits"]["total"] == 1
    assert {b["key"] for b in body["aggregations"]["visibility"]["buckets"]} == {"public"}
    client.force_authenticate(world.reader)
    body = client.get("/api/communities", {"visibility": "restricted"}).json()
    assert [hit["slug"] for hit in body["hits"]["hits"]] == ["deep-ocean"]
    assert body["hits"]["hits"][0]["permissions"]["is_member"] is True


def test_my_communities_lists_memberships_only(world):
    client = APIClient()
    client.force_authenticate(world.reader)
    assert {h["slug"] for h in client.get("/api/user/communities").json()["hits"]["hits"]} == {
        "open-ocean", "deep-ocean"}
    client.force_authenticate(world.outsider)
    body = client.get("/api/user/communities").json()
    assert body["hits"] == {"hits": [], "total": 0}
    client.force_authenticate(world.staff)  # staff see everything, but belong to nothing
    assert client.get("/api/user/communities").json()["hits"]["total"] == 0


def test_deleting_a_community_removes_it_and_its_members_from_the_indexes(world, committed):
    uuid = str(world.public.uuid)
    assert get_search_backend().get_documents(get_index("communities"), [uuid])
    with committed():
        services.delete_community(world.owner, world.public)

    assert get_search_backend().get_documents(get_index("communities"), [uuid]) == {}
    assert search("communities", "", user=world.staff, filters={"id": uuid}).total == 0
    assert search("members", "", user=world.staff, filters={"community": uuid}).total == 0


def test_updating_a_community_reindexes_it(world, committed):
    assert search("communities", "pacific", user=None).total == 0
    with committed():
        services.update_community(world.owner, world.public, {"metadata": {"title": "Pacific"}})

    assert slugs(search("communities", "pacific", user=None)) == {"open-ocean"}


def test_making_a_community_restricted_hides_it_from_outsiders(world, committed):
    with committed():
        services.update_community(world.owner, world.public, {"access": {"visibility": "restricted"}})

    assert search("communities", "", user=world.outsider).total == 0
    assert "open-ocean" in slugs(search("communities", "", user=world.reader))


def test_joining_a_community_shows_it_without_reindexing_documents(world, committed):
    assert "deep-ocean" not in slugs(search("communities", "", user=world.outsider))
    with committed():
        services.import_member(world.restricted, world.outsider, "reader")

    assert "deep-ocean" in slugs(search("communities", "", user=world.outsider))


# --- members ----------------------------------------------------------------------------------------

def member_names(result):
    return {hit["member"]["name"] for hit in result.hits}


def test_visible_members_of_a_public_community_are_public_hidden_ones_are_not(world):
    scope = {"community": str(world.public.uuid)}
    assert member_names(search("members", "", user=None, filters=scope)) == {"Olga Owner"}
    assert member_names(search("members", "", user=world.reader, filters=scope)) == {
        "Olga Owner", "Rita Reader"}


def test_members_of_a_restricted_community_are_for_members_and_staff(world):
    scope = {"community": str(world.restricted.uuid)}
    assert search("members", "", user=None, filters=scope).total == 0
    assert search("members", "", user=world.outsider, filters=scope).total == 0
    assert search("members", "", user=world.reader, filters=scope).total == 2
    assert search("members", "", user=world.staff, filters=scope).total == 2


def test_role_change_and_removal_reach_the_members_index(world, committed):
    scope = {"community": str(world.restricted.uuid)}
    membership = Membership.objects.get(community=world.restricted, user=world.reader)
    with committed():
        services.change_role(world.owner, membership, "curator")
    assert counts(search("members", "", user=world.owner, filters=scope), "role") == {
        "owner": 1, "curator": 1}

    with committed():
        services.remove_member(world.owner, membership)
    assert member_names(search("members", "", user=world.owner, filters=scope)) == {"Olga Owner"}


def test_renaming_a_user_reindexes_their_member_documents(world, committed):
    with committed():
        update_profile(world.reader, world.reader, full_name="Rita Renamed", affiliations=[],
                       visibility="restricted", email_visibility="restricted")

    result = search("members", "renamed", user=world.owner)
    assert result.total == 2
    assert member_names(result) == {"Rita Renamed"}


def test_member_api_lists_come_from_the_index(world):
    client = APIClient()
    public_list = client.get(f"/api/communities/{world.public.slug}/members/public").json()
    assert [hit["member"]["name"] for hit in public_list["hits"]["hits"]] == ["Olga Owner"]
    client.force_authenticate(world.reader)
    full = client.get(f"/api/communities/{world.public.slug}/members", {"visibility": "false"}).json()
    assert [hit["member"]["name"] for hit in full["hits"]["hits"]] == ["Rita Reader"]
    assert full["hits"]["hits"][0]["is_current_user"] is True
    assert {b["key"]: b["doc_count"] for b in full["aggregations"]["visibility"]["buckets"]} == {
        "true": 1, "false": 1}
    assert client.get(f"/api/communities/{world.public.slug}/members", {"sort": "loudest"}).status_code == 400
