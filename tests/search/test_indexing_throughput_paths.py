"""Faster indexing paths give the same results: compact stored records, partitioned rebuild, cheap
orphan checks and the ``workers`` option (inline inside a transaction)."""

import pytest
from rest_framework.test import APIClient

from rdm.records.indexes import records_index
from rdm.records.serializers import (
    file_links_for,
    record_links_for,
    record_to_dict,
    with_links,
    without_links,
)
from rdm.search import indexer
from rdm.search.backends import get_search_backend
from rdm.search.models import IndexQueueItem, SearchDocument

pytestmark = pytest.mark.django_db


def stored_ids(index):
    return sorted(doc_id for chunk in get_search_backend().iter_doc_ids(index) for doc_id in chunk)


def record_document_with_file(pid="abcde-12345"):
    entry = {"key": "data.csv", "size": 3, "links": file_links_for(pid, "data.csv", draft=False)}
    return {"id": pid, "is_draft": False, "files": {"enabled": True, "entries": {"data.csv": entry}},
            "links": record_links_for(pid)}


def test_records_are_stored_without_links_and_hits_get_them_back(publish):
    record = publish(title="Ocean temperatures")

    stored = SearchDocument.objects.get(index="records", doc_id=record.pid).document
    hit = APIClient().get("/api/records", {"q": "ocean"}).json()["hits"]["hits"][0]

    assert "links" not in stored
    assert hit == record_to_dict(record)


def test_file_links_are_dropped_and_rebuilt_exactly():
    document = record_document_with_file()

    compact = without_links(document)

    assert "links" not in compact and "links" not in compact["files"]["entries"]["data.csv"]
    assert with_links(compact) == document


def test_links_that_do_not_follow_from_the_id_are_stored_as_they_are():
    document = {**record_document_with_file(), "links": {"self": "https://elsewhere.example/x"}}

    assert without_links(document) == document
    assert with_links(document) == document


def test_file_links_that_do_not_follow_from_the_id_keep_the_document_as_it_is():
    document = record_document_with_file()
    document["files"]["entries"]["data.csv"]["links"] = {"content": "https://elsewhere.example/x"}

    assert without_links(document) is document


def test_a_document_without_links_is_stored_as_it_is():
    document = {key: value for key, value in record_document_with_file().items() if key != "links"}

    assert without_links(document) is document


def test_check_finds_no_difference_for_compact_documents(publish):
    publish(title="Ocean temperatures")

    assert indexer.check(records_index).ok


def test_partitions_of_a_rebuild_cover_every_id_exactly_once(papers):
    for name in "abcdefgh":
        papers.add(name, title=f"Paper {name}")

    first = indexer._rebuild_part(papers, 3, None, part=0, parts=2)
    assert 0 < first < 8
    second = indexer._rebuild_part(papers, 3, None, part=1, parts=2)

    assert first + second == 8
    assert stored_ids(papers) == list("abcdefgh")


def test_rebuild_with_workers_inside_a_transaction_runs_inline(papers):
    papers.add("a", title="Ocean")
    papers.add("b", title="Sea")

    assert indexer.rebuild(papers, chunk_size=1, workers=2) == 2
    assert stored_ids(papers) == ["a", "b"]


def test_drain_with_workers_inside_a_transaction_runs_inline(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean")
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a", "gone"])

    report = indexer.drain_queue(workers=2)

    assert (report.indexed, report.deleted) == (1, 1)
    assert not IndexQueueItem.objects.exists()


def test_orphan_check_of_records_asks_only_for_existing_ids(publish):
    record = publish(title="Ocean temperatures")

    assert records_index.existing_ids([record.pid, "nope0-00000"]) == {record.pid}
