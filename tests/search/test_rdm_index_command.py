"""manage.py rdm_index: status, drain, rebuild and check."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rdm.records.indexes import records_index
from rdm.search import indexer, search
from rdm.search.backends import get_search_backend
from rdm.search.models import IndexQueueItem

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("rdm_index", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_status_lists_documents_and_queue_per_index(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean")
    papers.index_all()
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a", "b"])

    output = run("status", "--index", "papers")

    assert output.startswith("papers: 1 documents, 2 queued, oldest 20")


def test_drain_indexes_what_is_queued(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean")
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a"])

    assert run("drain") == "Indexed 1, removed 0, failed 0.\n"
    assert IndexQueueItem.objects.count() == 0


def test_drain_fails_loudly_when_items_cannot_be_indexed(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean")
    papers.broken.add("a")
    with django_capture_on_commit_callbacks(execute=False):
        indexer.enqueue("papers", ["a"])

    with pytest.raises(CommandError, match="1 queued items could not be indexed"):
        run("drain")
    assert IndexQueueItem.objects.count() == 1


def test_rebuild_then_check_is_clean(papers):
    for doc_id in ("a", "b", "c"):
        papers.add(doc_id, title="Ocean")

    assert run("rebuild", "--index", "papers", "--batch-size", "2") == "papers: 3 documents written.\n"
    assert get_search_backend().count(papers) == 3
    assert run("check", "--index", "papers") == "papers: OK\n"


def test_check_names_documents_that_differ(papers):
    papers.add("a", title="Ocean")
    papers.index_all()
    papers.add("b", title="Sea")

    with pytest.raises(CommandError, match="1 documents differ"):
        run("check", "--index", "papers")


def test_unknown_index_is_an_error(db):
    with pytest.raises(CommandError, match='No search index named "nope"'):
        run("status", "--index", "nope")


def test_rebuild_covers_the_records_index(publish):
    record = publish(title="Ocean")
    get_search_backend().clear(records_index)
    assert search("records", "ocean").total == 0

    output = run("rebuild", "--index", "records")

    assert output == "records: 1 documents written.\n"
    assert run("check", "--index", "records") == "records: OK\n"
    assert [hit["id"] for hit in search("records", "ocean").hits] == [record.pid]
