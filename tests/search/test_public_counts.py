"""PostgreSQL: match-all totals and facet counts from maintained public counts (``Index.counted_scopes``)
agree with the live counts for every reader, whatever wrote the documents."""

import copy
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rdm.records import services
from rdm.records.indexes import records_index
from rdm.records.models import Record
from rdm.search import indexer, search
from rdm.search.backends import get_search_backend, reset_backends
from rdm.search.backends.base import IndexedDocument
from rdm.search.backends.public_counts import (
    compact,
    ensure_counted_scopes,
    public_counts,
    scope_key,
)
from rdm.search.index import get_index, register, unregister
from rdm.search.models import FacetCountDelta

from .conftest import MemoryIndex, record_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="maintained counts are PostgreSQL's"),
]
LATEST = {"is_latest": "true"}


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 0


def counted(index_name, *, principals, filters, live=False):
    """(total, aggregations) of a match-all search, and the statements that scanned documents to count;
    ``live`` counts without the maintained counts."""
    index = get_index(index_name)
    with pytest.MonkeyPatch.context() as patch:
        if live:
            patch.setattr(index, "counted_scopes", ())
        with CaptureQueriesContext(connection) as captured:
            result = search(index_name, "", filters=filters, principals=principals, size=100)
    scans = [q["sql"] for q in captured.captured_queries if "GROUPING SETS" in q["sql"]]
    return (result.total, result.aggregations), scans


def assert_counts_agree(index_name, readers: dict[str, list[str]], filter_sets: list[dict]):
    scopes = get_index(index_name).counted_scopes
    for reader, principals in readers.items():
        for filters in filter_sets:
            maintained, scans = counted(index_name, principals=principals, filters=filters)
            live, live_scans = counted(index_name, principals=principals, filters=filters, live=True)
            assert maintained == live, (reader, filters)
            assert live_scans
            scoped = {name: values[0] for name, values in filters.items()} in scopes
            if principals == ["public"] and scoped:
                assert not scans, f"anonymous counts scanned the documents ({filters})"


# Records, through the records services (indexed after commit as in production).


@pytest.fixture
def readers(owner, other, staff):
    from rdm.search.services import principals_for

    return {name: principals_for(user) for name, user in
            {"anonymous": None, "owner": owner, "other": other, "staff": staff}.items()}


RECORD_FILTERS = [
    {"is_latest": ["true"]},
    {},
    {"is_latest": ["true"], "resource_type": ["software"]},
    {"resource_type": ["dataset"]},
    {"is_latest": ["true"], "access_status": ["restricted"], "resource_type": ["dataset"]},
]


def edit(owner, record, capture, **changes):
    """Publish an edit of ``record`` with ``changes`` (``access`` and metadata)."""
    with capture(execute=True):
        draft = services.edit_record(owner, record.pid)
        services.update_draft(owner, draft.pid, record_data(**changes))
    with capture(execute=True):
        return services.publish_draft(owner, draft.pid)


def test_counts_agree_for_every_reader_through_record_changes(
        publish, owner, other, readers, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    check = lambda: assert_counts_agree("records", readers, RECORD_FILTERS)  # noqa: E731
    data_set = publish(title="Ocean data")
    tool = publish(title="Ocean tool", resource_type={"id": "software"})
    secret = publish(title="Ocean secret", access="restricted")
    publish(other, title="Other's photo", resource_type={"id": "image-photo"}, languages=[{"id": "deu"}])
    check()

    data_set = edit(owner, data_set, capture, access="restricted", title="Ocean data")
    check()
    data_set = edit(owner, data_set, capture, access="public", title="Ocean data")
    tool = edit(owner, tool, capture, title="Ocean tool", resource_type={"id": "image-photo"})
    check()

    with capture(execute=True):
        draft = services.new_version(owner, tool.pid)
        services.update_draft(owner, draft.pid, record_data(title="Ocean tool v2"))
    with capture(execute=True):
        services.publish_draft(owner, draft.pid)
    check()

    Record.objects.filter(pid=secret.pid).delete()
    Record.objects.filter(pid=data_set.pid).delete()
    indexer.index_ids(records_index, [secret.pid, data_set.pid])
    check()

    get_search_backend().clear(records_index)
    assert public_counts("records", scope_key(LATEST)) == {}
    indexer.rebuild(records_index)
    check()
    latest, _ = counted("records", principals=["public"], filters={"is_latest": ["true"]})
    assert latest[0] == 2  # the tool's second version and the other user's photo


def test_a_restricted_record_is_never_counted_for_anonymous_callers(publish, owner, readers):
    publish(title="Open", resource_type={"id": "software"})
    publish(title="Hidden", access="restricted", resource_type={"id": "image-photo"})

    (total, aggregations), scans = counted("records", principals=["public"], filters={"is_latest": ["true"]})

    assert not scans
    assert total == 1
    assert {bucket["key"] for bucket in aggregations["resource_type"]["buckets"]} == {"software"}
    access = {bucket["key"]: bucket["doc_count"] for bucket in aggregations["access_status"]["buckets"]}
    assert access == {"metadata-only": 1}
    (owner_total, owner_aggregations), _ = counted("records", principals=readers["owner"],
                                                    filters={"is_latest": ["true"]})
    assert owner_total == 2
    assert "image-photo" in {bucket["key"] for bucket in owner_aggregations["resource_type"]["buckets"]}


# A plain test index, written through the backend directly.


class CountedPapers(MemoryIndex):
    counted_scopes = ({}, {"access_status": "open"})


@pytest.fixture
def counted_papers():
    index = register(CountedPapers())
    reset_backends()
    ensure_counted_scopes()
    yield index
    unregister(index.name)
    ensure_counted_scopes()


PAPER_READERS = {"anonymous": ["public"], "reader": ["public", "user:7"]}
PAPER_FILTERS = [{}, {"access_status": ["open"]}, {"kind": ["dataset"]}]


def write(index, ids, *, delete=(), kind=None):
    """Write ``ids`` through the backend (with ``kind`` replacing their kind), delete ``delete``."""
    documents = []
    for doc_id in ids:
        document = copy.deepcopy(index.to_document(index.objects[doc_id]))
        document["metadata"]["kind"] = kind or document["metadata"]["kind"]
        documents.append(IndexedDocument(doc_id, document, index.principals(index.objects[doc_id])))
    get_search_backend().write(index, documents, list(delete))


def test_compaction_keeps_the_sums_and_folds_the_rows(counted_papers):
    for number in range(30):
        counted_papers.add(f"p{number}", kind=["dataset", "article"][number % 2], tags=[f"t{number % 3}"],
                           principals=["public"] if number % 4 else ["user:7"])
        write(counted_papers, [f"p{number}"])
    for number in range(0, 30, 5):
        write(counted_papers, [], delete=[f"p{number}"])
    scope = scope_key({})
    before = public_counts("papers", scope)
    rows = FacetCountDelta.objects.filter(index="papers", scope=scope)
    rows_before = rows.count()

    assert compact("papers", scope)

    assert public_counts("papers", scope) == before
    assert rows.count() == len(before) < rows_before
    assert before[""] == 22 - 4  # public (not every 4th), less the public ones of every 5th (deleted)
    assert_counts_agree("papers", PAPER_READERS, PAPER_FILTERS)


def test_a_committed_write_compacts_scopes_that_outgrew_their_terms(counted_papers, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    monkeypatch.setattr("rdm.search.backends.public_counts.COMPACT_MIN_ROWS", 10)
    rows = FacetCountDelta.objects.filter(index="papers", scope=scope_key({}))
    for number in range(8):
        counted_papers.add(f"p{number}", kind="dataset", tags=["a"])
        write(counted_papers, [f"p{number}"])
    assert rows.count() == 24  # no commit yet: "", kind and tag once per write

    counted_papers.add("last", kind="dataset", tags=["a"])
    with django_capture_on_commit_callbacks(execute=True):
        write(counted_papers, ["last"])

    assert sorted(rows.values_list("term", "delta")) == [("", 9), ("1:dataset", 9), ("2:a", 9)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_counts_right(counted_papers):
    for number in range(12):
        counted_papers.add(f"p{number}", kind="dataset", tags=["a"])
    counted_papers.add("shared", kind="dataset", tags=["a"])
    write(counted_papers, ["shared"])
    both_written, errors = threading.Barrier(2, timeout=20), []

    def writer(ids, kind, *, hold: bool):
        try:
            with transaction.atomic():
                if not hold:
                    both_written.wait()  # the other transaction has written and not committed
                write(counted_papers, ids, kind=kind)
                if hold:
                    both_written.wait()
                    threading.Event().wait(0.3)  # the other writer now waits for "shared"
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    documents = {number: f"p{number}" for number in range(12)}
    first = [*(documents[n] for n in range(0, 6)), "shared"]
    second = [*(documents[n] for n in range(6, 12)), "shared"]
    threads = [threading.Thread(target=writer, args=(first, "article"), kwargs={"hold": True}),
               threading.Thread(target=writer, args=(second, "software"), kwargs={"hold": False})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    counts = public_counts("papers", scope_key({}))
    assert counts[""] == 13
    assert (counts.get("1:article", 0), counts.get("1:software", 0)) in {(6, 7), (7, 6)}
    assert "1:dataset" not in counts
    assert_counts_agree("papers", PAPER_READERS, PAPER_FILTERS)
