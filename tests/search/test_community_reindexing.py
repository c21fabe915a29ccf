"""Which community changes re-index records: links between records and communities do (every version
and draft of the record); memberships and community settings do not (principals are per query)."""

import pytest

from communities import services as community_services
from rdm.records import services
from rdm.search.models import IndexQueueItem
from tests.communities.conftest import Personas, make_user
from tests.records.conftest import valid_metadata

pytestmark = pytest.mark.django_db


def queued():
    return sorted(IndexQueueItem.objects.values_list("index", "doc_id"))


@pytest.fixture
def versions(db):
    """A public community and a record with two published versions and an open edit draft."""
    people = Personas("public")
    draft = services.create_draft(people.owner, {"metadata": valid_metadata(), "files": {"enabled": False}})
    first = services.publish_draft(people.owner, draft.pid)
    new_version = services.new_version(people.owner, first.pid)
    services.update_draft(people.owner, new_version.pid, {
        "metadata": valid_metadata(publication_date="2021-01-01"), "files": {"enabled": False},
    })
    second = services.publish_draft(people.owner, new_version.pid)
    services.edit_record(people.owner, second.pid)
    people.pids = sorted([first.pid, second.pid])
    people.second = second
    IndexQueueItem.objects.all().delete()
    return people


def test_joining_a_community_queues_every_version_and_draft(versions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        community_services.include_record(versions.owner, versions.community, versions.second)
    for callback in callbacks:
        if getattr(callback, "__name__", "") == "<lambda>":
            callback()

    assert queued() == sorted([("records", pid) for pid in versions.pids] + [("drafts", versions.second.pid)])


def test_leaving_a_community_queues_the_record_again(versions, django_capture_on_commit_callbacks):
    community_services.include_record(versions.owner, versions.community, versions.second)
    IndexQueueItem.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        community_services.remove_record(versions.owner, versions.community, versions.second)
    for callback in callbacks:
        if getattr(callback, "__name__", "") == "<lambda>":
            callback()

    assert ("records", versions.second.pid) in queued()


def test_membership_and_community_changes_queue_no_records(versions, django_capture_on_commit_callbacks):
    community_services.include_record(versions.owner, versions.community, versions.second)
    IndexQueueItem.objects.all().delete()
    newcomer = make_user("newcomer@example.org")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        membership = community_services.import_member(versions.community, newcomer, "reader")
        community_services.change_role(versions.owner, membership, "curator")
        community_services.update_community(versions.owner, versions.community,
                                            {"metadata": {"title": "Renamed ocean"}})
    for callback in callbacks:
        if getattr(callback, "__name__", "") == "<lambda>":
            callback()

    assert [item for item in queued() if item[0] in ("records", "drafts")] == []
