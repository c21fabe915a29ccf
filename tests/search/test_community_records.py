"""Searching a community's records: ``GET /api/communities/<id>/records`` and the community front page
return only that community's records, filtered by what the caller may read (hits, totals, facets)."""

import pytest
from django.test import Client

from communities import services as community_services
from rdm.records import services
from rdm.search import indexer
from tests.communities.conftest import Personas, make_user
from tests.records.conftest import valid_metadata

pytestmark = pytest.mark.django_db


def publish(user, title, *, access="public", resource_type="dataset"):
    draft = services.create_draft(user, {
        "metadata": valid_metadata(title=title, resource_type={"id": resource_type}),
        "files": {"enabled": False}, "access": {"record": access, "files": access},
    })
    return services.publish_draft(user, draft.pid)


@pytest.fixture
def corpus(django_capture_on_commit_callbacks):
    """Ocean community: an open dataset and a restricted software record; outside it, another open
    dataset by the same depositor."""
    people = Personas("public")
    people.depositor = make_user("depositor@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        people.open = publish(people.depositor, "Open plankton counts")
        people.secret = publish(people.depositor, "Secret plankton code", access="restricted",
                                resource_type="software")
        people.elsewhere = publish(people.depositor, "Plankton elsewhere")
    with django_capture_on_commit_callbacks(execute=True):
        community_services.include_record(people.staff, people.community, people.open)
        community_services.include_record(people.staff, people.community, people.secret)
    indexer.drain_queue()
    return people


def api_search(people, persona, key=None, **params):
    response = people.client(persona).get(f"/api/communities/{key or people.community.slug}/records", params)
    return response


def hit_ids(body):
    return sorted(hit["id"] for hit in body["hits"]["hits"])


def type_counts(body):
    return {b["key"]: b["doc_count"] for b in body["aggregations"]["resource_type"]["buckets"]}


@pytest.mark.parametrize("persona", ("reader", "curator", "owner", "staff"))
def test_members_who_view_get_both_records_with_counts(corpus, persona):
    body = api_search(corpus, persona).json()

    assert hit_ids(body) == sorted([corpus.open.pid, corpus.secret.pid])
    assert body["hits"]["total"] == 2
    assert type_counts(body) == {"dataset": 1, "software": 1}


@pytest.mark.parametrize("persona", ("outsider", "anonymous"))
def test_others_get_only_the_public_record(corpus, persona):
    body = api_search(corpus, persona).json()

    assert hit_ids(body) == [corpus.open.pid]
    assert body["hits"]["total"] == 1
    assert type_counts(body) == {"dataset": 1}


def test_community_facet_counts_only_this_community(corpus):
    body = api_search(corpus, "reader").json()

    assert {b["key"]: b["doc_count"] for b in body["aggregations"]["community"]["buckets"]} == {
        str(corpus.community.uuid): 2
    }
    assert body["aggregations"]["community"]["buckets"][0]["label"] == "Ocean science"


def test_query_and_filters_apply_within_the_community(corpus):
    assert hit_ids(api_search(corpus, "reader", q="secret").json()) == [corpus.secret.pid]
    assert hit_ids(api_search(corpus, "reader", resource_type="dataset").json()) == [corpus.open.pid]
    assert api_search(corpus, "anonymous", q="secret").json()["hits"]["total"] == 0


def test_a_community_parameter_cannot_widen_the_scope(corpus):
    other = community_services.create_community(corpus.owner, {
        "slug": "elsewhere", "metadata": {"title": "Elsewhere"}, "access": {"visibility": "public"},
    })
    community_services.include_record(corpus.staff, other, corpus.elsewhere)
    indexer.drain_queue()

    body = api_search(corpus, "anonymous", community=str(other.uuid)).json()

    assert hit_ids(body) == [corpus.open.pid]


@pytest.mark.parametrize(("persona", "q", "suggested"), [
    ("anonymous", "plankten", 1),  # the record outside the community is not counted
    ("reader", "plankten", 2),
    ("anonymous", "secrte", None),  # a word of a restricted record alone
    ("reader", "secrte", 1),
])
def test_a_query_that_finds_nothing_suggests_what_its_fuzzy_version_finds_in_the_community(
        corpus, persona, q, suggested):
    body = api_search(corpus, persona, q=q).json()

    assert body["hits"]["total"] == 0
    assert body.get("suggestion", {}).get("total") == suggested


def test_lookup_by_uuid_and_bad_parameters(corpus):
    assert api_search(corpus, "anonymous", key=str(corpus.community.uuid)).status_code == 200
    assert api_search(corpus, "anonymous", sort="nope").status_code == 400
    assert api_search(corpus, "anonymous", key="no-such-community").status_code == 404


def test_restricted_community_records_are_404_for_outsiders(django_capture_on_commit_callbacks):
    people = Personas("restricted", slug="secret")
    with django_capture_on_commit_callbacks(execute=True):
        record = publish(people.owner, "Hidden plankton", access="restricted")
    with django_capture_on_commit_callbacks(execute=True):
        community_services.include_record(people.owner, people.community, record)
    indexer.drain_queue()

    assert api_search(people, "outsider").status_code == 404
    assert api_search(people, "anonymous").status_code == 404
    assert hit_ids(api_search(people, "reader").json()) == [record.pid]


def test_restricted_community_title_is_not_a_facet_label_on_the_main_search(
    django_capture_on_commit_callbacks
):
    people = Personas("restricted", slug="secret")
    depositor = make_user("depositor@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        record = publish(depositor, "Hidden plankton", access="restricted")
    with django_capture_on_commit_callbacks(execute=True):
        community_services.include_record(people.staff, people.community, record)
    indexer.drain_queue()

    client = Client()
    client.force_login(depositor)
    response = client.get("/api/records")
    labels = [b["label"] for b in response.json()["aggregations"]["community"]["buckets"]]
    assert labels == ["Restricted community"]


def test_community_front_page_searches_its_records(corpus):
    page = Client().get(f"/communities/{corpus.community.slug}")
    html = page.content.decode()

    assert page.status_code == 200
    assert "Open plankton counts" in html
    assert "Secret plankton code" not in html
    assert "Plankton elsewhere" not in html
    assert "1 of 1 record" in html


def test_community_front_page_shows_restricted_records_to_readers_and_keeps_the_query(corpus):
    client = Client()
    client.force_login(corpus.reader)

    html = client.get(f"/communities/{corpus.community.slug}", {"q": "plankton"}).content.decode()

    assert "Secret plankton code" in html and "Open plankton counts" in html
    assert 'value="plankton"' in html
    assert "facet-value" in html


def test_community_front_page_reports_a_bad_query_with_400(corpus):
    response = Client().get(f"/communities/{corpus.community.slug}", {"q": 'title:"unclosed'})

    assert response.status_code == 400
    assert "Your search could not be run" in response.content.decode()
