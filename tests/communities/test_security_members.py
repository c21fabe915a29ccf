"""The public member list shows ``{id, member}`` only: a query must not reveal what it hides (roles, join
dates), and invisible or deleted communities answer 404/410 on the API as on the page."""

import pytest

from communities import services

pytestmark = pytest.mark.django_db

PUBLIC_NAMES = ["Cleo Curator", "Manny Manager", "Olivia Owner", "Rita Reader"]


def public_list(personas, persona, **params):
    return personas.client(persona).get(f"/api/communities/{personas.community.uuid}/members/public", params)


@pytest.mark.parametrize("persona", ("outsider", "anonymous"))
@pytest.mark.parametrize("q", ("role:owner", "role:reader OR name:nobody", "created:[* TO *]",
                               "visibility:true", "updated:2020"))
def test_the_public_list_refuses_fields_it_does_not_show(public, persona, q):
    response = public_list(public, persona, q=q)

    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "q"
    assert "Allowed fields: affiliation, affiliations, description, member_type, name" in error["messages"][0]


@pytest.mark.parametrize("q", ("name:rita", "affiliation:nowhere OR rita", "rita",
                               "member_type:user AND rita"))
def test_the_public_list_still_searches_names_and_descriptions(public, q):
    response = public_list(public, "outsider", q=q)

    assert response.status_code == 200, response.content
    assert [hit["member"]["name"] for hit in response.json()["hits"]["hits"]] == ["Rita Reader"]


def test_members_may_still_query_roles_on_the_full_list(public):
    response = public.client("reader").get(f"/api/communities/{public.community.uuid}/members",
                                           {"q": "role:owner"})

    assert response.status_code == 200, response.content
    assert [hit["member"]["name"] for hit in response.json()["hits"]["hits"]] == ["Olivia Owner"]


def test_the_public_list_counts_no_roles_while_the_full_list_does(public):
    from communities import queries

    shown = queries.search_members(public.outsider, public.community, public=True)
    full = queries.search_members(public.reader, public.community)

    assert shown.total == len(PUBLIC_NAMES)
    assert shown.aggregations == {}
    assert {bucket["key"] for bucket in full.aggregations["role"]["buckets"]} >= {"owner", "reader"}


@pytest.mark.parametrize("path", ("members", "members/public"))
@pytest.mark.parametrize("persona", ("outsider", "anonymous"))
def test_a_restricted_communitys_members_are_404_for_others(restricted, persona, path):
    response = restricted.client(persona).get(f"/api/communities/{restricted.community.uuid}/{path}")

    assert response.status_code == 404


@pytest.mark.parametrize("path", ("members", "members/public"))
def test_a_deleted_communitys_members_are_gone_even_for_members(public, committed, path):
    with committed():
        services.delete_community(public.owner, public.community)

    response = public.client("reader").get(f"/api/communities/{public.community.uuid}/{path}")

    assert response.status_code in (404, 410)
    assert b"Rita Reader" not in response.content
