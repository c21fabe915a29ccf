"""Listings and facet counts only ever show communities the caller may see."""

import pytest

from communities import services

from .conftest import community_data, make_user


@pytest.fixture
def catalogue(committed):
    with committed():  # indexed after commit, as in production
        alice = make_user("alice@example.org")
        bob = make_user("bob@example.org")
        services.create_community(alice, community_data("open-ocean", "public", title="Open ocean"))
        services.create_community(alice, community_data("deep-ocean", "restricted", title="Deep ocean",
                                                         type={"id": "project"}))
        services.create_community(bob, community_data("mountains", "public", title="Mountains",
                                                      type={"id": "event"}))
    return alice, bob


def slugs(response):
    return {hit["slug"] for hit in response.json()["hits"]["hits"]}


def buckets(response, facet):
    return {b["key"]: b["doc_count"] for b in response.json()["aggregations"][facet]["buckets"]}


def test_anonymous_sees_public_communities_only(client, catalogue):
    response = client.get("/api/communities")
    assert slugs(response) == {"open-ocean", "mountains"}
    assert response.json()["hits"]["total"] == 2


def test_restricted_community_absent_from_facet_counts(client, catalogue):
    response = client.get("/api/communities")
    assert buckets(response, "visibility") == {"public": 2}
    assert "project" not in buckets(response, "type")


def test_restricted_community_absent_from_query_results(client, catalogue):
    response = client.get("/api/communities", {"q": "deep"})
    assert response.json()["hits"]["total"] == 0
    assert buckets(response, "visibility") == {}


def test_member_sees_their_restricted_community(client, catalogue):
    alice, bob = catalogue
    client.force_login(alice)
    response = client.get("/api/communities")
    assert "deep-ocean" in slugs(response)
    assert buckets(response, "visibility") == {"public": 2, "restricted": 1}


def test_outsider_does_not_see_restricted_community(client, catalogue):
    alice, bob = catalogue
    client.force_login(bob)
    assert "deep-ocean" not in slugs(client.get("/api/communities"))


def test_query_matches_title(client, catalogue):
    assert slugs(client.get("/api/communities", {"q": "ocean"})) == {"open-ocean"}


def test_type_facet_filters_hits_not_counts(client, catalogue):
    response = client.get("/api/communities", {"type": "event"})
    assert slugs(response) == {"mountains"}
    assert buckets(response, "type") == {"topic": 1, "event": 1}


def test_sort_oldest_and_newest(client, catalogue):
    oldest = client.get("/api/communities", {"sort": "oldest"}).json()["hits"]["hits"]
    newest = client.get("/api/communities", {"sort": "newest"}).json()["hits"]["hits"]
    assert [h["slug"] for h in oldest] == ["open-ocean", "mountains"]
    assert [h["slug"] for h in newest] == ["mountains", "open-ocean"]


def test_invalid_sort_is_400(client, catalogue):
    assert client.get("/api/communities", {"sort": "loudest"}).status_code == 400


def test_user_communities_lists_memberships_only(client, catalogue):
    alice, bob = catalogue
    client.force_login(bob)
    assert slugs(client.get("/api/user/communities")) == {"mountains"}


def test_user_communities_needs_login(client, catalogue):
    assert client.get("/api/user/communities").status_code == 401


def test_deleted_community_leaves_listings(client, catalogue, committed):
    alice, _ = catalogue
    community = services.get_community(alice, "open-ocean")
    with committed():
        services.delete_community(alice, community)
    assert "open-ocean" not in slugs(client.get("/api/communities"))


def test_featured_lists_public_communities_from_past_start_dates(client, catalogue):
    alice, _ = catalogue
    staff = make_user("boss@example.org", is_staff=True)
    services.set_featured(staff, services.get_community(staff, "open-ocean"), "2020-01-01T00:00:00Z")
    services.set_featured(staff, services.get_community(staff, "mountains"), "2999-01-01T00:00:00Z")
    response = client.get("/api/communities/featured")
    assert slugs(response) == {"open-ocean"}


def test_featured_refuses_restricted_community(catalogue):
    staff = make_user("boss@example.org", is_staff=True)
    with pytest.raises(services.ValidationError, match="Only public"):
        services.set_featured(staff, services.get_community(staff, "deep-ocean"), "2020-01-01")
