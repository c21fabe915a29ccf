"""PostgreSQL: a search that reads every match anyway (to rank them, or to count them live) counts them,
counts their facets and orders its page in one pass (``one_pass_statement``), with the same results as
separate statements, for every reader."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rdm.search import search
from rdm.search.backends import reset_backends
from rdm.search.backends.database import DatabaseSearchBackend
from rdm.search.backends.public_counts import ensure_counted_scopes
from rdm.search.index import register, unregister

from .conftest import MemoryIndex

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one pass is PostgreSQL's"),
]
OWNER = ["public", "user:7"]


@pytest.fixture
def papers_indexed(papers):
    for number in range(30):
        kind = ("dataset", "article", "software")[number % 3]
        title = "Ocean heat" if number % 4 else "Ocean ocean currents"
        papers.add(f"p{number:02d}", title=title, abstract="ocean" if number % 5 == 0 else "land",
                   kind=kind, tags=["ocean", f"tag{number % 7}"], date=f"{1990 + number}-06-15")
    papers.add("secret", title="Ocean secret", kind="secret-kind", tags=["hidden"], principals=["user:7"])
    papers.add("other", title="Forest", kind="dataset")
    papers.index_all()
    return papers


def run(monkeypatch, *, separate=False, **kwargs):
    """The search's result and its statements; ``separate``: without the one pass (the reference)."""
    with monkeypatch.context() as patched:
        if separate:
            patched.setattr(DatabaseSearchBackend, "_one_pass", lambda *args: None)
        with CaptureQueriesContext(connection) as captured:
            result = search("papers", kwargs.pop("q", "ocean"), **kwargs)
    return result, [query["sql"] for query in captured.captured_queries]


def one_passes(statements) -> int:
    return sum("array_agg(doc_id ORDER BY" in sql for sql in statements)


def summary(result):
    return result.total, [hit["id"] for hit in result.hits], result.aggregations


@pytest.mark.parametrize("cache_seconds", [0, 300])
@pytest.mark.parametrize("principals", [["public"], OWNER], ids=["anonymous", "owner"])
@pytest.mark.parametrize("options", [
    {},
    {"page": 2},
    {"page": 4, "size": 10},
    {"filters": {"kind": ["dataset"]}},
    {"filters": {"tag": ["tag1", "tag2"]}},
    {"q": "ocean -currents"},
    {"q": '"ocean heat"'},
    {"q": "oce*"},
    {"facets": False},
], ids=["first-page", "second-page", "last-page", "kind-selected", "tags-selected", "not", "phrase",
        "prefix", "no-facets"])
def test_the_one_pass_gives_what_separate_statements_give(papers_indexed, monkeypatch, settings,
                                                              cache_seconds, principals, options):
    settings.RDM_SEARCH_CACHE_SECONDS = cache_seconds
    settings.RDM_SEARCH_CACHE_WINDOW = 20  # the last page lies beyond it

    expected, _ = run(monkeypatch, separate=True, principals=principals, **options)
    cache.clear()
    found, statements = run(monkeypatch, principals=principals, **options)

    assert one_passes(statements) == 1
    assert summary(found) == summary(expected)
    assert found.total > 0


def test_one_statement_reads_the_matches_of_a_best_match_search(papers_indexed, monkeypatch, settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 0

    _, separate = run(monkeypatch, separate=True, principals=["public"])
    _, combined = run(monkeypatch, principals=["public"])

    def reading_matches(statements):
        return [sql for sql in statements if "@@" in sql]

    assert len(reading_matches(separate)) == 2  # the counts, then the ordered page
    # The one pass, then the page's documents (the ten ids looked up, re-checked against the query).
    assert len(reading_matches(combined)) == 2 and one_passes(combined) == 1
    assert "LIMIT 10 OFFSET 0" in next(sql for sql in combined if "array_agg" in sql)


@pytest.mark.parametrize("cache_seconds, page, window", [
    (0, 3, "LIMIT 10 OFFSET 20"), (300, 1, "LIMIT 20 OFFSET 0"), (300, 3, "LIMIT 10 OFFSET 20"),
])
def test_the_one_pass_orders_only_the_ids_it_needs(papers_indexed, monkeypatch, settings, cache_seconds,
                                                      page, window):
    """The page's ids, or with caching those of the cached window (``RDM_SEARCH_CACHE_WINDOW``) when the
    page lies within it."""
    settings.RDM_SEARCH_CACHE_SECONDS = cache_seconds
    settings.RDM_SEARCH_CACHE_WINDOW = 20

    result, statements = run(monkeypatch, principals=["public"], page=page)

    assert window in next(sql for sql in statements if "array_agg" in sql)
    assert len(result.hits) == 10


def test_anonymous_one_pass_never_counts_or_returns_a_restricted_document(papers_indexed, monkeypatch):
    anonymous, _ = run(monkeypatch, principals=["public"], size=50)
    owner, _ = run(monkeypatch, principals=OWNER, size=50)

    assert "secret" not in [hit["id"] for hit in anonymous.hits]
    assert "secret" in [hit["id"] for hit in owner.hits]
    assert owner.total == anonymous.total + 1
    anonymous_kinds = {bucket["key"] for bucket in anonymous.aggregations["kind"]["buckets"]}
    owner_kinds = {bucket["key"] for bucket in owner.aggregations["kind"]["buckets"]}
    assert "secret-kind" not in anonymous_kinds and "secret-kind" in owner_kinds


def test_best_match_orders_by_rank_then_newest(papers_indexed, monkeypatch):
    result, _ = run(monkeypatch, principals=["public"], size=50)

    ids = [hit["id"] for hit in result.hits]
    numbers = [int(doc_id[1:]) for doc_id in ids if doc_id != "secret"]
    # Both in the title twice and in the abstract (p00, p20) first, the newer first; the plain
    # "Ocean heat" papers (same rank) last, newest first.
    assert numbers[:2] == [20, 0]
    plain = [number for number in numbers if number % 4 and number % 5]
    assert numbers[-len(plain):] == plain == sorted(plain, reverse=True)


def test_a_cached_search_runs_no_one_pass(papers_indexed, monkeypatch, settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 300

    first, first_statements = run(monkeypatch, principals=["public"])
    again, again_statements = run(monkeypatch, principals=["public"], page=2)

    assert one_passes(first_statements) == 1 and one_passes(again_statements) == 0
    assert again.total == first.total
    assert not {hit["id"] for hit in again.hits} & {hit["id"] for hit in first.hits}


@pytest.mark.parametrize("q, options", [
    ("ocean", {"sort": "newest"}),
    ("", {}),
    ("kind:dataset", {}),
    ("", {"filters": {"kind": ["article"]}}),
    ("date:[2005 TO *]", {}),
    ("date:[* TO 1995-06-15}", {"sort": "newest"}),  # the oldest papers: a sort index would walk past all
    ("date:[1992-06-16 TO 2001-06-15]", {"page": 2, "size": 3}),
], ids=["text-newest", "match-all", "keyword-query", "filter", "open-range", "old-dates-newest-first",
        "range-second-page"])
def test_searches_counted_live_take_their_page_from_the_same_pass(papers_indexed, monkeypatch, settings, q,
                                                                   options):
    settings.RDM_SEARCH_CACHE_SECONDS = 0
    expected, _ = run(monkeypatch, separate=True, q=q, principals=OWNER, **options)
    found, statements = run(monkeypatch, q=q, principals=OWNER, **options)

    assert one_passes(statements) == 1
    assert summary(found) == summary(expected)
    assert found.total > 0 and found.hits


class CountedPapers(MemoryIndex):
    counted_scopes = ({}, {"kind": "dataset"})


@pytest.fixture
def counted_papers():
    index = register(CountedPapers())
    reset_backends()
    ensure_counted_scopes()
    for number in range(12):
        index.add(f"p{number}", title="Ocean", kind=("dataset", "article")[number % 2])
    index.index_all()
    yield index
    unregister(index.name)
    ensure_counted_scopes()


@pytest.mark.parametrize("filters, one_pass", [
    ({}, 0), ({"kind": ["dataset"]}, 0), ({"kind": ["article"]}, 1),
])
def test_a_search_with_maintained_counts_reads_its_page_from_the_sort_index(counted_papers, monkeypatch,
                                                                            settings, filters, one_pass):
    settings.RDM_SEARCH_CACHE_SECONDS = 0
    found, statements = run(monkeypatch, q="", filters=filters, principals=["public"])

    assert one_passes(statements) == one_pass
    assert found.total == (12 if not filters else 6)
    created = [counted_papers.objects[hit["id"]]["doc"]["created"] for hit in found.hits]
    assert created == sorted(created, reverse=True)
