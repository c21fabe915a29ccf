"""PostgreSQL: what a search reads for each match stays in the row; what only hits show moves to TOAST."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="TOAST is PostgreSQL's"),
]


def buffers_reading(column: str, doc_id: str) -> int:
    """Shared buffers touched reading ``column`` of one stored document (found through its unique index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT length({column}::text) "
            "FROM search_searchdocument WHERE index = 'papers' AND doc_id = %s", [doc_id])
        (plan,) = cursor.fetchone()[0]
    return plan["Plan"]["Shared Hit Blocks"] + plan["Plan"]["Shared Read Blocks"]


def test_the_normalised_texts_a_phrase_is_checked_against_stay_in_the_row(papers):
    """A title, creators and abstract beside a document too big for the row."""
    papers.add("big", title="Sea surface temperature", creators=["Marie Curie"],
               abstract=" ".join(f"word{number}" for number in range(600)))
    papers.index_all()

    buffers_reading("doc_id", "big")  # (the first read of the row may touch more)
    in_row = buffers_reading("doc_id", "big")

    assert buffers_reading("document", "big") > in_row  # hits only: in TOAST
    for column in ("text_a", "text_b", "text_c"):
        assert buffers_reading(column, "big") <= in_row, column


def test_what_every_match_is_filtered_by_is_compressed_with_lz4(papers):
    papers.add("tagged", title="Tagged", tags=[f"tag number {number}" for number in range(60)],
               abstract=" ".join(f"word{number}" for number in range(600)))
    papers.index_all()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_compression(keywords) FROM search_searchdocument "
                       "WHERE index = 'papers' AND doc_id = 'tagged'")
        assert cursor.fetchone()[0] == "lz4"  # decompressed for every match a search filters
