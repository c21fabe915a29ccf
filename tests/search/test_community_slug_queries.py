"""``community:<slug>`` on the records index: record documents carry their communities' slugs (index
only, never in hits), a slug change re-queues the community's records, and the ``community`` filter of
GET /api/records takes a slug as well as an id. Restricted communities never leak through either."""

import pytest
from django.test import Client

from communities import services as community_services
from rdm.records import services
from rdm.search import indexer
from rdm.search.index import INDEX_ONLY
from rdm.search.models import IndexQueueItem
from tests.communities.conftest import Personas, make_user
from tests.records.conftest import valid_metadata

pytestmark = pytest.mark.django_db


def publish(user, title, *, access="public"):
    draft = services.create_draft(user, {
        "metadata": valid_metadata(title=title), "files": {"enabled": False},
        "access": {"record": access, "files": access},
    })
    return services.publish_draft(user, draft.pid)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """Public "ocean" with an open and a restricted record, restricted "secret" with a restricted record,
    and an open record in no community."""
    with django_capture_on_commit_callbacks(execute=True):
        people = Personas("public")
        people.secret_people = Personas("restricted", slug="secret")
    people.secret_community = people.secret_people.community
    people.depositor = make_user("depositor@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        people.open = publish(people.depositor, "Open plankton counts")
        people.closed = publish(people.depositor, "Closed plankton counts", access="restricted")
        people.hidden = publish(people.depositor, "Hidden plankton counts", access="restricted")
        people.loose = publish(people.depositor, "Loose plankton counts")
    with django_capture_on_commit_callbacks(execute=True):
        community_services.include_record(people.staff, people.community, people.open)
        community_services.include_record(people.staff, people.community, people.closed)
        community_services.include_record(people.staff, people.secret_community, people.hidden)
    indexer.drain_queue()
    return people


def records(people, persona, **params):
    response = people.client(persona).get("/api/records", params)
    assert response.status_code == 200, response.content
    return response.json()


def records_as(client, **params):
    response = client.get("/api/records", params)
    assert response.status_code == 200, response.content
    return response.json()


def hit_ids(body):
    return sorted(hit["id"] for hit in body["hits"]["hits"])


def community_counts(body):
    return {b["key"]: b["doc_count"] for b in body["aggregations"]["community"]["buckets"]}


@pytest.mark.parametrize("field", ("community", "communities"))
def test_a_slug_query_matches_the_community_records_the_caller_may_read(world, field):
    anonymous = records(world, "anonymous", q=f"{field}:ocean")
    reader = records(world, "reader", q=f"{field}:ocean")

    assert hit_ids(anonymous) == [world.open.pid]
    assert anonymous["hits"]["total"] == 1
    assert hit_ids(reader) == sorted([world.open.pid, world.closed.pid])
    assert reader["hits"]["total"] == 2


def test_an_id_query_still_matches(world):
    body = records(world, "reader", q=f'community:"{world.community.uuid}"')

    assert hit_ids(body) == sorted([world.open.pid, world.closed.pid])


def test_a_slug_query_combines_with_other_terms_and_negation(world):
    assert hit_ids(records(world, "anonymous", q="plankton AND NOT community:ocean")) == [world.loose.pid]
    assert hit_ids(records(world, "anonymous", q="community:oce*")) == [world.open.pid]


def test_hits_never_show_the_index_only_slugs(world):
    body = records(world, "reader", q="community:ocean")

    assert body["hits"]["hits"]
    for hit in body["hits"]["hits"]:
        assert INDEX_ONLY not in hit
        assert set(hit["parent"]["communities"]) == {"ids", "default"}


def test_the_community_filter_takes_a_slug_or_an_id(world):
    uid = str(world.community.uuid)
    by_slug = records(world, "anonymous", community="ocean")
    by_id = records(world, "anonymous", community=uid)

    assert hit_ids(by_slug) == hit_ids(by_id) == [world.open.pid]
    assert community_counts(by_slug) == {uid: 1}
    assert [b["is_selected"] for b in by_slug["aggregations"]["community"]["buckets"]] == [True]


def test_an_unknown_slug_filter_matches_nothing(world):
    body = records(world, "anonymous", community="no-such-community")

    assert body["hits"] == {"hits": [], "total": 0}


@pytest.mark.parametrize("persona", ("anonymous", "outsider"))
def test_a_restricted_community_slug_reveals_nothing(world, persona):
    client = world.client(persona)
    by_query = records_as(client, q="community:secret")
    by_filter = records_as(client, community="secret")
    everything = records_as(client)

    assert by_query["hits"] == {"hits": [], "total": 0}
    assert by_filter["hits"] == {"hits": [], "total": 0}
    assert str(world.secret_community.uuid) not in community_counts(everything)
    assert world.hidden.pid not in hit_ids(everything)
    assert everything["hits"]["total"] == 2  # the open records only


def test_a_restricted_community_slug_matches_for_its_readers(world):
    reader = world.secret_people.client("reader")
    body = records_as(reader, q="community:secret")

    assert hit_ids(body) == [world.hidden.pid]
    filtered = records_as(reader, community="secret")
    assert hit_ids(filtered) == [world.hidden.pid]
    assert community_counts(filtered)[str(world.secret_community.uuid)] == 1


def test_other_communities_members_do_not_see_restricted_records_by_slug(world):
    body = records(world, "reader", q="community:secret")  # a reader of "ocean", not of "secret"

    assert body["hits"] == {"hits": [], "total": 0}


def test_renaming_the_slug_moves_the_matches_after_the_drain(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        community_services.rename_community(world.owner, world.community, "sea")
    indexer.drain_queue()

    assert records(world, "reader", q="community:ocean")["hits"]["total"] == 0
    assert hit_ids(records(world, "reader", q="community:sea")) == sorted([world.open.pid, world.closed.pid])
    assert records(world, "anonymous", community="ocean")["hits"]["total"] == 0
    assert hit_ids(records(world, "anonymous", community="sea")) == [world.open.pid]
    assert IndexQueueItem.objects.count() == 0


def test_renaming_the_slug_queues_the_community_records_and_drafts(world, django_capture_on_commit_callbacks):
    services.edit_record(world.depositor, world.open.pid)
    IndexQueueItem.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        community_services.rename_community(world.owner, world.community, "sea")
    for callback in callbacks:
        if getattr(callback, "__name__", "") == "<lambda>":
            callback()

    queued = set(IndexQueueItem.objects.values_list("index", "doc_id"))
    assert {("records", world.open.pid), ("records", world.closed.pid), ("drafts", world.open.pid)} <= queued
    assert ("records", world.hidden.pid) not in queued
    assert ("records", world.loose.pid) not in queued


def test_a_title_change_queues_no_record(world, django_capture_on_commit_callbacks):
    IndexQueueItem.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        community_services.update_community(world.owner, world.community, {"metadata": {"title": "Seas"}})
    for callback in callbacks:
        if getattr(callback, "__name__", "") == "<lambda>":
            callback()

    assert not IndexQueueItem.objects.filter(index__in=("records", "drafts")).exists()


@pytest.mark.parametrize("params", ({"q": "community:ocean"}, {"community": "ocean"}))
def test_the_search_page_finds_by_slug_without_leaking(world, params):
    anonymous = world.client("anonymous").get("/search", params)
    reader = Client()
    reader.force_login(world.reader)
    member = reader.get("/search", params)

    assert anonymous.status_code == member.status_code == 200
    assert b"Open plankton counts" in anonymous.content
    assert b"Closed plankton counts" not in anonymous.content
    assert b"Closed plankton counts" in member.content
    assert b"Loose plankton counts" not in member.content
