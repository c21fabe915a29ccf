"""PostgreSQL: rows whose digest matches the stored one are not sent again; check marks stale rows so
that the next write repairs them."""

import json
from contextlib import contextmanager

import pytest
from django.db import connection

from rdm.search import indexer, search
from rdm.search.models import SearchDocument

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="digests are used on PostgreSQL only"),
]


@contextmanager
def upserted_rows():
    """The number of rows each document upsert of the block sends."""
    counts = []

    def spy(execute, sql, params, many, context):
        if sql.lstrip().startswith("INSERT INTO search_searchdocument"):
            counts.append(len(json.loads(params[2])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        yield counts


def stored(doc_id):
    return SearchDocument.objects.get(index="papers", doc_id=doc_id)


def test_identical_documents_are_not_sent_again(papers):
    papers.add("a", title="Ocean heat")
    papers.add("b", title="Ocean salinity")
    papers.index_all()
    before = {doc_id: (stored(doc_id).updated, stored(doc_id).digest) for doc_id in ("a", "b")}

    with upserted_rows() as sent:
        papers.index_all()

    assert sent == []
    assert {doc_id: (stored(doc_id).updated, stored(doc_id).digest) for doc_id in ("a", "b")} == before


def test_only_the_changed_document_of_a_batch_is_sent(papers):
    papers.add("a", title="Ocean heat")
    papers.add("b", title="Ocean salinity")
    papers.index_all()
    digest_b = stored("b").digest
    papers.objects["a"]["doc"]["metadata"]["title"] = "Ocean warming"

    with upserted_rows() as sent:
        papers.index_all()

    assert sent == [1]
    assert stored("a").document["metadata"]["title"] == "Ocean warming"
    assert stored("b").digest == digest_b


def test_a_document_whose_date_terms_changed_gets_a_new_digest(papers):
    papers.add("a", title="Ocean heat", date="2020-01-01")
    papers.index_all()
    digest = stored("a").digest
    papers.objects["a"]["doc"]["metadata"]["date"] = "1999-05-01"

    papers.index_all()

    assert stored("a").digest != digest
    assert search("papers", "date:1999", principals=["public"]).total == 1
    assert search("papers", "date:2020", principals=["public"]).total == 0


def test_check_marks_a_row_edited_behind_the_indexer_so_the_rebuild_repairs_it(papers):
    papers.add("a", title="Ocean heat")
    papers.index_all()
    original = stored("a").document
    SearchDocument.objects.filter(index="papers", doc_id="a").update(document={"id": "a", "forged": True})

    report = indexer.check(papers)
    indexer.rebuild(papers)

    assert report.stale == ["a"]
    assert stored("a").document == original
    assert indexer.check(papers).ok
