"""Changes in records and vocabularies reach the indexes through the queue, right after commit."""

import pytest

from rdm.records import indexes as record_indexes
from rdm.records import services as records
from rdm.search import search
from rdm.search.models import IndexQueueItem

from .conftest import record_data

pytestmark = pytest.mark.django_db


def ids(result):
    return sorted(hit["id"] for hit in result.hits)


def test_saving_a_draft_indexes_it_for_its_owner_only(owner, other, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = records.create_draft(owner, record_data(title="Unfinished ocean study"))

    assert ids(search("drafts", "ocean", user=owner)) == [draft.pid]
    assert search("drafts", "ocean", user=other).total == 0
    assert search("records", "ocean", user=owner).total == 0


def test_publishing_moves_the_document_from_drafts_to_records(publish, owner):
    record = publish(title="Published ocean study")

    assert ids(search("records", "ocean", user=None)) == [record.pid]
    assert search("drafts", "ocean", user=owner).total == 0
    assert IndexQueueItem.objects.count() == 0


def test_deleting_a_draft_removes_it(owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = records.create_draft(owner, record_data(title="Ocean"))
    with django_capture_on_commit_callbacks(execute=True):
        records.delete_draft(owner, draft.pid)

    assert search("drafts", "ocean", user=owner).total == 0


def test_a_new_version_reindexes_the_previous_one(publish, owner, django_capture_on_commit_callbacks):
    first = publish(title="Ocean v1")
    with django_capture_on_commit_callbacks(execute=True):
        draft = records.new_version(owner, first.pid)
        records.update_draft(owner, draft.pid, record_data(title="Ocean v2"))
    with django_capture_on_commit_callbacks(execute=True):
        second = records.publish_draft(owner, draft.pid)

    latest = search("records", "ocean", filters={"is_latest": "true"})
    assert ids(latest) == [second.pid]
    assert ids(search("records", "ocean", filters={"is_latest": "false"})) == [first.pid]


def test_changing_access_reaches_the_index(publish, owner, django_capture_on_commit_callbacks):
    record = publish(title="Ocean", access="restricted")
    assert search("records", "ocean").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        draft = records.edit_record(owner, record.pid)
        records.update_draft(owner, draft.pid, record_data(title="Ocean"))
    with django_capture_on_commit_callbacks(execute=True):
        records.publish_draft(owner, draft.pid)

    assert ids(search("records", "ocean")) == [record.pid]


def test_renaming_a_resource_type_reindexes_every_record_embedding_it(
    publish, staff, django_capture_on_commit_callbacks, monkeypatch,
):
    from vocabularies import services as vocabularies

    monkeypatch.setattr(record_indexes, "ID_CHUNK_SIZE", 2)
    datasets = [publish(title=f"Ocean {n}", resource_type={"id": "dataset"}) for n in range(3)]
    software = publish(title="Ocean code", resource_type={"id": "software"})
    assert search("records", 'type:"data collection"').total == 0

    with django_capture_on_commit_callbacks(execute=True):
        vocabularies.rename_entry(staff, "resourcetypes", "dataset", {"en": "Data collection"})

    result = search("records", 'type:"data collection"')
    assert ids(result) == sorted(record.pid for record in datasets)
    assert {hit["metadata"]["resource_type"]["title"]["en"] for hit in result.hits} == {"Data collection"}
    labels = {b["key"]: b["label"] for b in result.aggregations["resource_type"]["buckets"]}
    assert labels == {"dataset": "Data collection"}
    assert software.pid not in ids(search("records", "ocean", filters={"resource_type": "dataset"}))
    assert IndexQueueItem.objects.count() == 0


def test_rename_queues_ids_in_chunks(publish, monkeypatch):
    monkeypatch.setattr(record_indexes, "ID_CHUNK_SIZE", 2)
    publishing = [publish(title=f"Ocean {n}") for n in range(5)]

    chunks = list(record_indexes.records_index.ids_embedding("resourcetypes", "dataset"))

    assert [len(chunk) for chunk in chunks] == [2, 2, 1]
    assert sorted(pid for chunk in chunks for pid in chunk) == sorted(r.pid for r in publishing)
    assert list(record_indexes.records_index.ids_embedding("resourcetypes", "software")) == []


def test_renaming_an_unrelated_vocabulary_queues_nothing(publish, staff, django_capture_on_commit_callbacks):
    from vocabularies import services as vocabularies

    publish(title="Ocean")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        vocabularies.rename_entry(staff, "creatorsroles", "editor", {"en": "Editor in chief"})
    for callback in callbacks:
        callback()

    # Only the entry's own document in the vocabularies index: no record embeds a creator role title.
    queued = IndexQueueItem.objects.values_list("index", "doc_id")
    assert list(queued) == [("vocabularies", "creatorsroles/editor")]


def test_lifting_an_embargo_reaches_the_index(owner, django_capture_on_commit_callbacks):
    import datetime

    from django.utils import timezone

    until = timezone.localdate() + datetime.timedelta(days=10)
    data = record_data(title="Embargoed ocean")
    data["access"] = {"record": "restricted", "files": "restricted",
                      "embargo": {"active": True, "until": until.isoformat(), "reason": "Patent"}}
    with django_capture_on_commit_callbacks(execute=True):
        draft = records.create_draft(owner, data)
    with django_capture_on_commit_callbacks(execute=True):
        record = records.publish_draft(owner, draft.pid)
    assert search("records", "ocean").total == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert records.lift_expired_embargoes(today=until) == 1

    result = search("records", "ocean")
    assert ids(result) == [record.pid]
    assert result.hits[0]["access"]["status"] != "embargoed"
