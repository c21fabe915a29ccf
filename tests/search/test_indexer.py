"""The durable indexer queue: duplicates collapse, batches drain until empty, failures stay queued."""

import pytest
from django.db import transaction

from rdm.search import indexer, search
from rdm.search.backends import get_search_backend
from rdm.search.models import IndexQueueItem

pytestmark = pytest.mark.django_db


def queued(index="papers"):
    return sorted(IndexQueueItem.objects.filter(index=index).values_list("doc_id", flat=True))


def test_enqueue_collapses_duplicates(papers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a", "b", "a"])
        indexer.enqueue("papers", ["b", "c"])

    assert queued() == ["a", "b", "c"]


def test_enqueue_again_refreshes_the_timestamp(papers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a"])
        first = IndexQueueItem.objects.get(doc_id="a").enqueued_at
        indexer.enqueue("papers", ["a"])

    assert IndexQueueItem.objects.get(doc_id="a").enqueued_at >= first
    assert IndexQueueItem.objects.count() == 1


def test_enqueue_refuses_unknown_index(db):
    with pytest.raises(LookupError):
        indexer.enqueue("nope", ["a"])


def test_items_are_indexed_right_after_commit_when_celery_is_eager(
    papers, django_capture_on_commit_callbacks,
):
    papers.add("a", title="Ocean")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        indexer.enqueue("papers", ["a"])

    assert search("papers", "ocean").total == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert search("papers", "ocean").total == 1
    assert queued() == []


def test_nothing_is_indexed_when_the_transaction_rolls_back(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            indexer.enqueue("papers", ["a"])
            raise RuntimeError("rollback")

    assert queued() == []
    assert search("papers", "ocean").total == 0


def test_drain_processes_every_batch_until_the_queue_is_empty(papers, django_capture_on_commit_callbacks):
    for number in range(7):
        papers.add(f"d{number}", title="Ocean")
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", sorted(papers.objects))

    report = indexer.drain_queue(batch_size=3)

    assert (report.indexed, report.deleted, report.failed) == (7, 0, {})
    assert queued() == []
    assert search("papers", "ocean").total == 7


def test_items_without_object_are_removed_from_the_index(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean")
    papers.index_all()
    del papers.objects["a"]
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a"])

    report = indexer.drain_queue()

    assert report.deleted == 1
    assert get_search_backend().count(papers) == 0


def test_a_failing_batch_leaves_its_items_queued(papers, django_capture_on_commit_callbacks, monkeypatch):
    papers.add("a", title="Ocean")
    papers.add("b", title="Ocean")
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a", "b"])
    backend = get_search_backend()

    def broken_write(*args, **kwargs):
        raise ConnectionError("engine down")

    monkeypatch.setattr(backend, "write", broken_write)
    report = indexer.drain_queue()

    assert queued() == ["a", "b"]
    assert len(report.failed) == 2
    monkeypatch.undo()
    assert indexer.drain_queue().indexed == 2
    assert queued() == []


def test_one_broken_document_does_not_block_the_others(papers, django_capture_on_commit_callbacks):
    for doc_id in ("a", "b", "c"):
        papers.add(doc_id, title="Ocean")
    papers.broken.add("b")
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a", "b", "c"])

    report = indexer.drain_queue(batch_size=10)

    assert report.indexed == 2
    assert list(report.failed.values()) == ["papers/b: RuntimeError('cannot serialise b')"]
    assert queued() == ["b"]
    assert sorted(hit["id"] for hit in search("papers", "ocean").hits) == ["a", "c"]


def test_drain_task_reports_items_processed(papers, django_capture_on_commit_callbacks):
    from rdm.search.tasks import drain_index_queue

    papers.add("a", title="Ocean")
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a"])

    assert drain_index_queue.delay(batch_size=10).get() == 1
    assert queued() == []


def test_queue_status_counts_items_and_documents(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean")
    papers.index_all()
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a", "b"])

    status = indexer.queue_status()["papers"]

    assert (status["queued"], status["documents"]) == (2, 1)
    assert status["oldest"] is not None


def test_rebuild_writes_everything_and_drops_orphans(papers):
    papers.add("a", title="Ocean")
    papers.add("b", title="Sea")
    papers.index_all()
    del papers.objects["b"]
    papers.add("c", title="Lake")

    written = indexer.rebuild(papers, chunk_size=1)

    assert written == 2
    assert sorted(chunk for ids in get_search_backend().iter_doc_ids(papers) for chunk in ids) == ["a", "c"]


def test_check_reports_missing_stale_and_orphaned_documents(papers):
    papers.add("a", title="Ocean")
    papers.add("b", title="Sea")
    papers.add("c", title="Lake")
    papers.index_all()
    papers.objects["a"]["doc"]["metadata"]["title"] = "Changed"
    del papers.objects["b"]
    papers.add("d", title="River")

    report = indexer.check(papers)

    assert (report.missing, report.stale, report.orphaned) == (["d"], ["a"], ["b"])
    assert not report.ok
