"""A permission change reaches the next search at once, request cache or not: totals, hits and facet counts
never keep showing what the reader may no longer see (a record made restricted, a member removed from its
community, a user made non-staff, an e-mail address hidden)."""

import pytest
from rest_framework.test import APIClient

from accounts.services import create_user, update_profile
from communities import services as community_services
from rdm.records import services as record_services
from rdm.search import search

from .conftest import record_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 300


def seen(user, q=""):
    result = search("records", q, user=user)
    types = {b["key"]: b["doc_count"] for b in result.aggregations["resource_type"]["buckets"]}
    return result.total, sorted(hit["id"] for hit in result.hits), types


def test_a_record_made_restricted_leaves_anonymous_totals_and_facets(publish, owner,
                                                                     django_capture_on_commit_callbacks):
    record = publish(title="Ocean secrets")
    assert seen(None, "ocean") == (1, [record.pid], {"dataset": 1})

    with django_capture_on_commit_callbacks(execute=True):
        draft = record_services.edit_record(owner, record.pid)
        restricted = record_data(access="restricted", title="Ocean secrets")
        record_services.update_draft(owner, draft.pid, restricted)
    with django_capture_on_commit_callbacks(execute=True):
        record_services.publish_draft(owner, draft.pid)

    assert seen(None, "ocean") == (0, [], {})
    assert seen(owner, "ocean")[0] == 1


@pytest.fixture
def community_record(publish, django_capture_on_commit_callbacks):
    member = create_user(email="member@example.org", password="secret-pass-1", email_verified=True)
    boss = create_user(email="boss@example.org", password="secret-pass-1", email_verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        community = community_services.create_community(boss, {
            "slug": "ocean", "metadata": {"title": "Ocean", "type": {"id": "topic"}},
            "access": {"visibility": "public"},
        })
        community_services.import_member(community, member, "reader")
    record = publish(boss, access="restricted", title="Ocean inside")
    with django_capture_on_commit_callbacks(execute=True):
        community_services.include_record(boss, community, record)
    return community, member, record, boss


def test_a_member_removed_from_the_community_loses_its_records_at_once(community_record,
                                                                       django_capture_on_commit_callbacks):
    community, member, record, owner = community_record
    assert seen(member, "ocean") == (1, [record.pid], {"dataset": 1})

    with django_capture_on_commit_callbacks(execute=True):
        community_services.remove_members(owner, community, [{"type": "user", "id": str(member.pk)}])

    assert seen(member, "ocean") == (0, [], {})


def test_a_user_made_non_staff_loses_restricted_records_at_once(publish, staff):
    record = publish(access="restricted", title="Ocean staff only")
    assert seen(staff, "ocean") == (1, [record.pid], {"dataset": 1})

    staff.is_staff = False
    staff.save()

    assert seen(staff, "ocean") == (0, [], {})


def test_an_email_made_hidden_stops_matching_for_other_users(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ada = create_user(email="quiet.ada@example.org", password="secret-pass-1", email_verified=True,
                          full_name="Ada Quiet", profile_visibility="public", email_visibility="public")
        viewer = create_user(email="viewer@example.org", password="secret-pass-1", email_verified=True)
    client = APIClient()
    client.force_authenticate(viewer)
    assert client.get("/api/users", {"q": "email:quiet"}).json()["hits"]["total"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        update_profile(ada, ada, full_name="Ada Quiet", affiliations=[], visibility="public",
                       email_visibility="restricted")

    body = client.get("/api/users", {"q": "email:quiet"}).json()
    assert body["hits"]["total"] == 0
    everyone = client.get("/api/users", {"q": "ada"}).json()["hits"]["hits"]
    assert [hit["profile"]["full_name"] for hit in everyone] == ["Ada Quiet"]
    assert "quiet.ada" not in str(everyone)


@pytest.mark.parametrize("q", [
    "email:quiet~1", "email:quiet~2", "email:quiet*", 'email:"quiet ada"~3', "email:*", "quiet~1",
    '"quiet ada"~2', "email:qu?et",
])
def test_no_fuzzy_proximity_or_exists_query_reaches_a_hidden_email(db, django_capture_on_commit_callbacks, q):
    with django_capture_on_commit_callbacks(execute=True):
        create_user(email="quiet.ada@example.org", password="secret-pass-1", email_verified=True,
                    full_name="Ada Hidden", profile_visibility="public", email_visibility="restricted")
        viewer = create_user(email="viewer@example.org", password="secret-pass-1", email_verified=True,
                             profile_visibility="restricted")

    result = search("users", q, user=viewer)

    assert result.total == 0
    assert all("_index_only" not in hit for hit in search("users", "ada", user=viewer).hits)


@pytest.mark.parametrize("q", ["email_hidden:*", "_index_only.email:*", "_exists_:email_hidden",
                               "email:[a TO z]", "_index_only:*"])
def test_naming_the_hidden_email_field_is_a_400_for_non_staff(db, q):
    viewer = create_user(email="viewer@example.org", password="secret-pass-1", email_verified=True)
    client = APIClient()
    client.force_authenticate(viewer)

    response = client.get("/api/users", {"q": q})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "q"
