"""Permission filtering happens inside the query: hits, totals and facet counts agree per caller."""

import pytest
from django.contrib.auth.models import AnonymousUser

from rdm.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(publish, owner, other):
    return {
        "public": publish(title="Ocean open data", resource_type={"id": "dataset"}),
        "restricted": publish(title="Ocean secret data", access="restricted",
                              resource_type={"id": "software"}),
        "others": publish(other, title="Ocean notes of another", access="restricted",
                          resource_type={"id": "image-photo"}),
    }


def ids(result):
    return sorted(hit["id"] for hit in result.hits)


def type_counts(result):
    return {b["key"]: b["doc_count"] for b in result.aggregations["resource_type"]["buckets"]}


def test_anonymous_sees_only_public_records_in_hits_totals_and_facets(corpus):
    result = search("records", "ocean", user=AnonymousUser())

    assert ids(result) == [corpus["public"].pid]
    assert result.total == 1
    assert type_counts(result) == {"dataset": 1}


def test_owner_also_sees_own_restricted_record(corpus, owner):
    result = search("records", "ocean", user=owner)

    assert ids(result) == sorted([corpus["public"].pid, corpus["restricted"].pid])
    assert result.total == 2
    assert type_counts(result) == {"dataset": 1, "software": 1}


def test_other_user_sees_public_and_own_but_not_the_owners_restricted(corpus, other):
    result = search("records", "ocean", user=other)

    assert ids(result) == sorted([corpus["public"].pid, corpus["others"].pid])
    assert type_counts(result) == {"dataset": 1, "image-photo": 1}


def test_staff_sees_everything(corpus, staff):
    result = search("records", "ocean", user=staff)

    assert result.total == 3
    assert type_counts(result) == {"dataset": 1, "software": 1, "image-photo": 1}


def test_a_query_naming_only_a_restricted_record_reveals_nothing_to_anonymous(corpus):
    result = search("records", "title:secret", user=None)

    assert (result.total, result.hits) == (0, [])
    assert all(not agg["buckets"] for agg in result.aggregations.values())


def test_access_status_facet_counts_respect_permissions(corpus, owner):
    anonymous = search("records", "", user=None)
    mine = search("records", "", user=owner)

    statuses = lambda r: {b["key"]: b["doc_count"] for b in r.aggregations["access_status"]["buckets"]}  # noqa: E731
    assert statuses(anonymous) == {"metadata-only": 1}
    assert statuses(mine) == {"metadata-only": 1, "restricted": 1}


def test_principals_of_each_kind_of_caller(owner, staff):
    from rdm.search.services import principals_for, register_principal_provider

    assert principals_for(None) == ["public"]
    assert principals_for(AnonymousUser()) == ["public"]
    assert principals_for(owner) == ["public", "authenticated", f"user:{owner.pk}"]
    assert principals_for(staff) == ["public", "authenticated", f"user:{staff.pk}", "staff"]

    from rdm.search import services

    registered = list(services._principal_providers)
    register_principal_provider(lambda user: [f"group:{user.pk}-readers"])
    try:
        assert principals_for(owner)[-1] == f"group:{owner.pk}-readers"
        assert principals_for(None) == ["public"]
    finally:
        services._principal_providers[:] = registered
