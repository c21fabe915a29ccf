"""The indexer: a durable queue of (index, id) pairs drained in bulk batches, plus rebuild and check.

Every change that affects a document calls ``enqueue``; the row survives crashes and duplicates
collapse. ``drain_queue`` takes batches in queue order, writes them through the backend and deletes
the rows in the same transaction, so an item leaves the queue only once its document is written.
In the embedded default (Celery eager) the drain runs right after the enqueuing transaction commits.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import queue
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby, islice

from django.db import connection, connections, transaction
from django.db.models import Count, Min
from django.utils import timezone

from .backends import get_search_backend
from .backends.base import IndexedDocument
from .index import Index, all_indexes, get_index
from .models import IndexQueueItem

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 500  # one bulk write and one SELECT per 500 documents: the InvenioRDM chunk size
ENQUEUE_CHUNK_SIZE = 2000  # rows per upsert statement when queueing large id sets
REBUILD_CHUNK_SIZE = 500


# Queueing.


def enqueue(index_name: str, ids: Iterable[str]) -> int:
    """Queue ``ids`` of ``index_name`` for (re)indexing; returns how many ids were queued.

    Works in chunks, so a generator of a million ids never sits in memory. Queueing an id that is
    already waiting only refreshes its timestamp. A drain is started when the transaction commits.
    """
    get_index(index_name)
    total = 0
    for chunk in chunked((str(doc_id) for doc_id in ids), ENQUEUE_CHUNK_SIZE):
        _upsert_queue_items(index_name, list(dict.fromkeys(chunk)))
        total += len(chunk)
    if total:
        transaction.on_commit(start_drain, robust=True)
    return total


def _upsert_queue_items(index_name: str, ids: list[str]) -> None:
    now = timezone.now()
    IndexQueueItem.objects.bulk_create(
        [IndexQueueItem(index=index_name, doc_id=doc_id, enqueued_at=now) for doc_id in ids],
        update_conflicts=True,
        unique_fields=["index", "doc_id"],
        update_fields=["enqueued_at"],
    )


def start_drain() -> None:
    """Run the drain task: inline when Celery is eager, else on a worker."""
    from .tasks import drain_index_queue

    drain_index_queue.delay()


# Draining.


@dataclass
class DrainReport:
    indexed: int = 0
    deleted: int = 0
    failed: dict[int, str] = field(default_factory=dict)  # queue item pk -> "index/id: error"

    @property
    def processed(self) -> int:
        return self.indexed + self.deleted


def drain_queue(batch_size: int = DEFAULT_BATCH_SIZE, time_budget: float | None = None,
                workers: int = 1) -> DrainReport:
    """Index queued items batch by batch until the queue is empty (or ``time_budget`` seconds pass).

    A batch that fails is retried item by item; items that still fail stay queued (and are skipped
    for the rest of this run) so one broken document never blocks the others. With ``workers`` > 1,
    that many processes drain at once (claims skip rows locked by another drain); inside an open
    transaction it runs inline.
    """
    if workers > 1 and not connection.in_atomic_block:
        report = DrainReport()
        for part in _in_processes(workers, _drain_worker, (batch_size, time_budget), None):
            report.indexed, report.deleted = report.indexed + part.indexed, report.deleted + part.deleted
            report.failed.update(part.failed)
        return report
    report = DrainReport()
    started = time.monotonic()
    with get_search_backend().batch_session():
        while time_budget is None or time.monotonic() - started < time_budget:
            if not _drain_batch(batch_size, report):
                break
    return report


def _drain_worker(part: int, parts: int, messages, batch_size: int, time_budget: float | None) -> DrainReport:
    return drain_queue(batch_size, time_budget)


def _drain_batch(batch_size: int, report: DrainReport) -> bool:
    skipped = list(report.failed)
    try:
        with transaction.atomic():
            items = _claim(batch_size, exclude=skipped)
            if not items:
                return False
            counts = _index_items(items)
            IndexQueueItem.objects.filter(pk__in=[item.pk for item in items]).delete()
        report.indexed, report.deleted = report.indexed + counts[0], report.deleted + counts[1]
        return True
    except Exception:
        logger.exception("Indexing a batch failed; retrying its items one by one.")
    return _drain_one_by_one(batch_size, skipped, report)


def _claim(batch_size: int, exclude: list[int]) -> list[IndexQueueItem]:
    """The oldest queued items, locked; concurrent drains skip rows another drain holds."""
    queryset = IndexQueueItem.objects.exclude(pk__in=exclude).order_by("enqueued_at", "pk")
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return list(queryset[:batch_size])


def _drain_one_by_one(batch_size: int, skipped: list[int], report: DrainReport) -> bool:
    with transaction.atomic():
        items = _claim(batch_size, exclude=skipped)
    progressed = False
    for item in items:
        try:
            with transaction.atomic():
                locked = _claim_item(item)
                if locked is None:
                    continue
                indexed, deleted = _index_items([locked])
                locked.delete()
            report.indexed, report.deleted = report.indexed + indexed, report.deleted + deleted
            progressed = True
        except Exception as exc:
            logger.exception("Indexing %s/%s failed; it stays queued.", item.index, item.doc_id)
            report.failed[item.pk] = f"{item.index}/{item.doc_id}: {exc!r}"
    return progressed


def _claim_item(item: IndexQueueItem) -> IndexQueueItem | None:
    queryset = IndexQueueItem.objects.filter(pk=item.pk)
    if connection.features.has_select_for_update_skip_locked:
        queryset = queryset.select_for_update(skip_locked=True)
    return queryset.first()


def _index_items(items: list[IndexQueueItem]) -> tuple[int, int]:
    indexed = deleted = 0
    for index_name, group in groupby(sorted(items, key=lambda i: i.index), key=lambda i: i.index):
        try:
            index = get_index(index_name)
        except LookupError:
            logger.warning("Dropping queued items of the unknown index %r.", index_name)
            continue
        written, removed = index_ids(index, [item.doc_id for item in group])
        indexed, deleted = indexed + written, deleted + removed
    return indexed, deleted


def index_ids(index: Index, ids: list[str]) -> tuple[int, int]:
    """Write the current state of ``ids`` to the backend now; ids without an object are removed."""
    with collector_paused():
        objects = index.load(ids)
        documents = [build_document(index, obj) for obj in objects.values()]
        missing = [doc_id for doc_id in ids if doc_id not in objects]
        get_search_backend().write(index, documents, missing)
    return len(documents), len(missing)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one batch.

    A batch allocates a hundred-odd containers per document and keeps them all alive until written, so
    the collections their allocation triggers find nothing to free yet rescan them again and again (a
    quarter of the load-and-build time). Reference counting frees the batch as usual; cycles wait for the
    next collection after it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_document(index: Index, obj) -> IndexedDocument:
    return IndexedDocument(index.doc_id(obj), index.to_document(obj), sorted(set(index.principals(obj))))


# Rebuild, status and check.


Progress = Callable[[int], object] | None


def rebuild(index: Index, chunk_size: int = REBUILD_CHUNK_SIZE, progress: Progress = None,
            workers: int = 1) -> int:
    """Re-index every object of ``index`` in chunks and drop stored documents that no longer exist.

    Existing documents stay searchable throughout, so the site keeps serving: the database backend
    upserts in place; Elasticsearch loads a fresh index (receiving every other write meanwhile) and
    swaps it in atomically at the end, or drops it if the rebuild fails (``rebuild_session``).
    With ``workers`` > 1, that many processes (each with its own database connection) share the ids by
    hash; inside an open transaction (uncommitted data other connections cannot see) it runs inline.
    """
    with get_search_backend().rebuild_session(index):
        if workers > 1 and not connection.in_atomic_block:
            written = sum(_in_processes(workers, _rebuild_worker, (index.name, chunk_size), progress))
        else:
            written = _rebuild_part(index, chunk_size, progress)
    # After the swap: also drops documents a concurrent delete removed before the load re-created them.
    remove_orphans(index, chunk_size)
    return written


def _rebuild_part(index: Index, chunk_size: int, progress: Progress, part: int = 0, parts: int = 1) -> int:
    """Index the ids of ``index`` whose hash falls in ``part`` of ``parts`` (all of them by default)."""
    ids = index.iter_ids(chunk_size)
    if parts > 1:
        mine = (doc_id for chunk in ids for doc_id in chunk if zlib.crc32(doc_id.encode()) % parts == part)
        ids = chunked(mine, chunk_size)
    written = 0
    with get_search_backend().batch_session():
        for chunk in ids:
            written += index_ids(index, chunk)[0]
            if progress:
                progress(len(chunk))
    return written


def _rebuild_worker(part: int, parts: int, messages, index_name: str, chunk_size: int) -> int:
    return _rebuild_part(get_index(index_name), chunk_size, lambda done: messages.put(("progress", done)),
                         part, parts)


def _in_processes(workers: int, target: Callable, args: tuple, progress: Progress) -> list:
    """Run ``target(part, workers, messages, *args)`` in ``workers`` forked processes; their results.

    Children open their own database connections (the parent's are closed before forking) and report
    progress and their result through a queue; a failing or vanished child makes the whole run fail.
    """
    context = multiprocessing.get_context("fork")
    messages = context.Queue()
    connections.close_all()
    processes = [
        context.Process(target=_child, args=(target, part, workers, messages, *args), daemon=True)
        for part in range(workers)
    ]
    for process in processes:
        process.start()
    results, errors = [], []
    while len(results) + len(errors) < workers:
        try:
            kind, value = messages.get(timeout=1)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in processes) and messages.empty():
                errors.append("a worker process died")
                break
            continue
        if kind == "progress":
            if progress:
                progress(value)
        else:
            (results if kind == "done" else errors).append(value)
    for process in processes:
        process.join()
    if errors:
        raise RuntimeError(f"Parallel indexing failed: {'; '.join(errors)}")
    return results


def _child(target: Callable, part: int, parts: int, messages, *args) -> None:
    try:
        messages.put(("done", target(part, parts, messages, *args)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
        logger.exception("Indexing worker %s failed.", part)
        messages.put(("error", repr(exc)))
    finally:
        connections.close_all()


def remove_orphans(index: Index, chunk_size: int = REBUILD_CHUNK_SIZE) -> int:
    backend = get_search_backend()
    orphans = []
    for ids in backend.iter_doc_ids(index, chunk_size):
        present = existing_ids(index, ids)
        orphans.extend(doc_id for doc_id in ids if doc_id not in present)
    for chunk in chunked(orphans, chunk_size):
        backend.write(index, [], list(chunk))
    return len(orphans)


def existing_ids(index: Index, ids: list[str]):
    """Which of ``ids`` still belong in ``index``: the index's cheap ``existing_ids(ids)`` when it has
    one (no documents built), else the keys of ``load``."""
    exists = getattr(index, "existing_ids", None)
    return exists(ids) if exists else index.load(ids)


def queue_status() -> dict:
    """Queue length and oldest item per index, plus documents stored per index."""
    backend = get_search_backend()
    queued = {
        row["index"]: row
        for row in IndexQueueItem.objects.values("index").annotate(
            length=Count("id"), oldest=Min("enqueued_at")
        )
    }
    return {
        index.name: {
            "queued": queued.get(index.name, {}).get("length", 0),
            "oldest": queued.get(index.name, {}).get("oldest"),
            "documents": backend.count(index),
        }
        for index in all_indexes()
    }


@dataclass
class CheckReport:
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    miscounted: list[str] = field(default_factory=list)  # maintained count scopes (``recount`` repairs them)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphaned or self.miscounted)


def check(index: Index, chunk_size: int = REBUILD_CHUNK_SIZE, progress: Progress = None) -> CheckReport:
    """Compare stored documents with what the database would produce now, and the backend's maintained
    counts with the stored documents. Stale documents are marked for rewriting (``forget_written``), so the
    next rebuild or drain repairs them."""
    backend = get_search_backend()
    report = CheckReport()
    for ids in index.iter_ids(chunk_size):
        stored = backend.get_documents(index, ids)
        for obj in index.load(ids).values():
            expected = build_document(index, obj)
            current = stored.get(expected.doc_id)
            if current is None:
                report.missing.append(expected.doc_id)
            elif current != _roundtrip(expected):
                report.stale.append(expected.doc_id)
        if progress:
            progress(len(ids))
    for ids in backend.iter_doc_ids(index, chunk_size):
        present = existing_ids(index, ids)
        report.orphaned.extend(doc_id for doc_id in ids if doc_id not in present)
    for stale in chunked(report.stale, chunk_size):  # so that a rebuild or drain repairs them
        backend.forget_written(index, stale)
    report.miscounted = backend.miscounted(index)
    return report


def _roundtrip(document: IndexedDocument) -> IndexedDocument:
    """``document`` as storage returns it (JSON types only), to compare with what is stored."""
    content = json.loads(json.dumps(document.document, default=str))
    return IndexedDocument(document.doc_id, content, document.principals)


def chunked(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def pending(exclude: list[int] | None = None) -> bool:
    """Whether items are waiting (ignoring the ``exclude`` queue pks, e.g. those that just failed)."""
    return IndexQueueItem.objects.exclude(pk__in=exclude or []).exists()
