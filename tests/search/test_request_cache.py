"""The database backend's request cache: totals and facet counts cached per index version."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from rdm.search import indexer, search
from rdm.search.backends.database import current_version, sort_index_statements
from rdm.search.models import IndexVersion

pytestmark = pytest.mark.django_db


def counting_statements(captured) -> list[str]:
    """The statements that count (the total's window or facet grouping), not the page or the token."""
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


def run(**kwargs):
    with CaptureQueriesContext(connection) as captured:
        result = search("papers", kwargs.pop("q", ""), **kwargs)
    return result, counting_statements(captured)


@pytest.fixture
def papers_indexed(papers, settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 300
    papers.add("p1", title="Ocean heat", kind="dataset", tags=["ocean"])
    papers.add("p2", title="Ocean salt", kind="article", tags=["ocean", "salt"])
    papers.add("p3", title="Secret ocean", kind="dataset", principals=["user:7"])
    papers.index_all()
    return papers


def test_repeating_a_search_reuses_its_total_and_facet_counts(papers_indexed):
    first, counted_first = run(q="ocean", principals=["public"])
    second, counted_second = run(q="ocean", principals=["public"])

    assert counted_first and not counted_second
    assert (second.total, second.aggregations) == (first.total, first.aggregations) != (0, {})
    assert [hit["id"] for hit in second.hits] == [hit["id"] for hit in first.hits]


def test_a_write_to_the_index_makes_the_next_search_count_again(papers_indexed):
    before, _ = run(q="ocean", principals=["public"])
    papers_indexed.add("p4", title="Ocean ice", kind="software")
    indexer.index_ids(papers_indexed, ["p4"])

    after, counted = run(q="ocean", principals=["public"])

    assert counted
    assert after.total == before.total + 1
    kinds = {bucket["key"]: bucket["doc_count"] for bucket in after.aggregations["kind"]["buckets"]}
    assert kinds["software"] == 1


def test_cached_counts_are_kept_apart_per_reader(papers_indexed):
    anonymous, _ = run(q="ocean", principals=["public"])
    reader, counted = run(q="ocean", principals=["public", "user:7"])
    anonymous_again, _ = run(q="ocean", principals=["public"])

    assert counted, "another reader's principals must not hit the anonymous entry"
    assert (anonymous.total, reader.total, anonymous_again.total) == (2, 3, 2)
    datasets = {
        name: next(b["doc_count"] for b in result.aggregations["kind"]["buckets"] if b["key"] == "dataset")
        for name, result in {"anonymous": anonymous_again, "reader": reader}.items()
    }
    assert datasets == {"anonymous": 1, "reader": 2}


def test_a_rolled_back_write_never_leaves_its_counts_behind(papers_indexed):
    committed, _ = run(q="ocean", principals=["public"])
    with pytest.raises(RuntimeError), transaction.atomic():
        papers_indexed.add("p8", title="Ocean ghost")
        papers_indexed.add("p9", title="Ocean phantom")
        indexer.index_ids(papers_indexed, ["p8", "p9"])
        inside, _ = run(q="ocean", principals=["public"])
        assert inside.total == committed.total + 2
        raise RuntimeError("roll back")
    del papers_indexed.objects["p8"], papers_indexed.objects["p9"]

    after, _ = run(q="ocean", principals=["public"])
    papers_indexed.add("p5", title="Ocean wave")
    indexer.index_ids(papers_indexed, ["p5"])
    later, _ = run(q="ocean", principals=["public"])

    assert after.total == committed.total
    assert later.total == committed.total + 1
    assert {"p8", "p9"}.isdisjoint(hit["id"] for hit in later.hits)


def test_with_caching_off_every_search_counts(papers_indexed, settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 0
    run(q="ocean", principals=["public"])
    _, counted = run(q="ocean", principals=["public"])

    assert counted


def test_every_write_and_clear_replaces_the_version_token(papers_indexed):
    from rdm.search.backends import get_search_backend

    first = current_version("papers")
    papers_indexed.objects["p1"]["doc"]["metadata"]["title"] = "Ocean heat, revised"
    indexer.index_ids(papers_indexed, ["p1"])
    second = current_version("papers")
    get_search_backend().clear(papers_indexed)
    third = current_version("papers")

    assert len({first, second, third}) == 3
    assert IndexVersion.objects.filter(index="papers").count() == 1


def test_a_write_that_only_deletes_replaces_the_token_and_the_cached_counts(papers_indexed):
    run(q="ocean", principals=["public"])
    token = current_version("papers")

    del papers_indexed.objects["p1"]
    indexer.index_ids(papers_indexed, ["p1"])
    result, counted = run(q="ocean", principals=["public"])

    assert current_version("papers") != token
    assert counted and result.total == 1


def test_deleting_what_is_not_stored_keeps_the_token(papers_indexed):
    token = current_version("papers")

    indexer.index_ids(papers_indexed, ["never-indexed"])

    assert current_version("papers") == token


def test_sort_indexes_cover_the_default_sort_but_not_relevance(papers_indexed):
    statements = sort_index_statements(papers_indexed)

    assert len(statements) == 1
    assert "(sort_keys ->> 'created') DESC NULLS LAST" in statements[0]
    assert statements[0].endswith("WHERE index = 'papers'")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="sort indexes exist on PostgreSQL only")
def test_migrate_creates_the_records_sort_index_on_postgresql():
    from rdm.search.index import get_index

    (statement,) = sort_index_statements(get_index("records"))
    name = statement.split()[5]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
    assert "sort_keys ->> 'created'" in definition and "'records'" in definition


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL skips identical rows")
def test_rewriting_identical_documents_keeps_the_token_and_the_cached_counts(papers_indexed):
    run(q="ocean", principals=["public"])
    token = current_version("papers")

    indexer.index_ids(papers_indexed, ["p1", "p2", "p3"])
    result, counted = run(q="ocean", principals=["public"])

    assert current_version("papers") == token
    assert not counted and result.total == 2


def test_a_changed_date_moves_the_document_between_date_ranges(papers_indexed):
    papers_indexed.objects["p1"]["doc"]["metadata"]["date"] = "1999-05-01"
    indexer.index_ids(papers_indexed, ["p1", "p2"])

    old_range = search("papers", "date:[2019 TO 2021]", principals=["public"])
    new_range = search("papers", "date:1999", principals=["public"])

    assert {hit["id"] for hit in old_range.hits} == {"p2"}
    assert {hit["id"] for hit in new_range.hits} == {"p1"}


def test_pages_within_the_cached_window_match_the_uncached_order(papers_indexed, settings):
    for number in range(12):
        papers_indexed.add(f"w{number:02d}", title=f"Ocean wave {number}",
                           created=f"2023-02-{number + 1:02d}")
    papers_indexed.index_all()
    settings.RDM_SEARCH_CACHE_WINDOW = 10

    def pages(**kwargs):
        return [[hit["id"] for hit in search("papers", "ocean", principals=["public"], page=page, size=4,
                                             **kwargs).hits] for page in (1, 2, 3, 4)]

    cached_first, cached_again = pages(), pages()
    settings.RDM_SEARCH_CACHE_SECONDS = 0
    uncached = pages()

    assert cached_first == cached_again == uncached
    assert sum(map(len, uncached)) == 14  # p1, p2 and the twelve waves; p3 is not public


def test_a_cached_page_never_shows_a_document_that_became_unreadable(papers_indexed):
    from rdm.search.models import SearchDocument, SearchTerm

    first = search("papers", "ocean", principals=["public"])
    assert "p1" in {hit["id"] for hit in first.hits}
    # A write that commits between reading the token and reading the page (simulated: the row
    # changes without a new token) must not leak through the cached ids.
    row = SearchDocument.objects.get(index="papers", doc_id="p1")
    row.keywords = [term for term in row.keywords if term != "_principals:public"] + ["_principals:user:7"]
    row.save(update_fields=["keywords"])
    SearchTerm.objects.filter(document=row, field="_principals").update(value="user:7")  # SQLite's copy

    again = search("papers", "ocean", principals=["public"])

    assert "p1" not in {hit["id"] for hit in again.hits}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings exist on PostgreSQL only")
def test_a_search_inside_a_transaction_leaves_the_planner_settings_as_it_found_them(papers_indexed):
    def setting(name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s)", [name])
            return cursor.fetchone()[0]

    with transaction.atomic():
        before = {name: setting(name) for name in ("enable_seqscan", "jit", "statement_timeout")}
        search("papers", "ocean", principals=["public"])
        after = {name: setting(name) for name in ("enable_seqscan", "jit", "statement_timeout")}

    assert after == before


# --- plans: what a search shape compiles to, kept by the backend --------------------------------------

def compile_calls(monkeypatch) -> list:
    from rdm.search.backends.database import DatabaseQueryCompiler

    calls, original = [], DatabaseQueryCompiler.compile

    def compile(self, tree):
        calls.append(tree)
        return original(self, tree)

    monkeypatch.setattr(DatabaseQueryCompiler, "compile", compile)
    return calls


def test_a_repeated_search_compiles_its_query_once(papers_indexed, monkeypatch):
    calls = compile_calls(monkeypatch)

    first = search("papers", "ocean", principals=["public"])
    again = search("papers", "ocean", principals=["public"], page=2, size=1)
    search("papers", "ocean", principals=["public"], filters={"kind": "dataset"})
    search("papers", "ocean", principals=["public", "user:7"])
    search("papers", "ocean", principals=["public"], sort="title")

    assert len(calls) == 4, "page and size share a plan; filters, principals and sort do not"
    assert (again.total, [hit["id"] for hit in again.hits]) == (first.total, [first.hits[1]["id"]])


def test_a_repeated_cached_search_runs_only_the_token_and_the_page_statements(papers_indexed):
    search("papers", "ocean", principals=["public"])

    with CaptureQueriesContext(connection) as captured:
        result = search("papers", "ocean", principals=["public"])

    statements = [q["sql"] for q in captured.captured_queries  # (savepoints: inside the test's transaction)
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 2, statements  # no planner settings either: nothing scans
    assert "search_indexversion" in statements[0] and "search_searchdocument" in statements[1]
    assert result.total == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings exist on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_search_answered_from_the_cache_opens_no_transaction(papers_indexed, monkeypatch):
    import psycopg

    search("papers", "ocean", principals=["public"])
    commands, original = [], psycopg.Connection._exec_command

    def recording(self, command, *args, **kwargs):
        commands.append(bytes(command))
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "_exec_command", recording)
    cached = search("papers", "ocean", principals=["public"])
    assert commands == []
    assert cached.total == 2

    papers_indexed.add("p4", title="Ocean floor")
    papers_indexed.index_all()
    commands.clear()
    with CaptureQueriesContext(connection) as captured:
        counted = search("papers", "ocean", principals=["public"])

    assert commands == [b"BEGIN", b"COMMIT"]
    reads = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().startswith(("SELECT", "WITH"))]
    assert "search_indexversion" in reads[0]
    assert "set_config" in reads[1]  # before the first statement that scans
    assert "search_searchdocument" in reads[2]
    assert counted.total == 3


def test_queries_that_differ_only_in_range_ends_get_their_own_plans(papers_indexed):
    papers_indexed.add("p6", title="Ocean edge", date="2021-01-01")
    papers_indexed.index_all()

    inclusive = search("papers", "date:[2020 TO 2021]", principals=["public"])
    exclusive = search("papers", "date:[2020 TO 2021}", principals=["public"])

    assert "p6" in {hit["id"] for hit in inclusive.hits}
    assert "p6" not in {hit["id"] for hit in exclusive.hits}


# --- facet labels: cached under the token of the index they come from ---------------------------------

@pytest.fixture
def labelled_papers(papers_indexed, monkeypatch):
    """The papers' "kind" labels come from the "kind_names" index (its writes replace their token)."""
    from dataclasses import replace

    from rdm.search.backends.database import replace_version

    looked_up = []

    def labels(keys):
        looked_up.append(sorted(keys))
        return {key: key.title() for key in keys}

    kind, tag = papers_indexed.facets
    kind = replace(kind, labels=labels, labels_index="kind_names")
    monkeypatch.setattr(papers_indexed, "facets", (kind, tag))
    replace_version("kind_names")
    return looked_up


def test_facet_labels_are_looked_up_once_per_version_of_their_index(labelled_papers):
    from rdm.search.backends.database import replace_version

    first = search("papers", "ocean", principals=["public"])
    search("papers", "ocean", principals=["public"])
    search("papers", "salt", principals=["public"])
    looked_up_before_the_write = list(labelled_papers)
    replace_version("kind_names")
    again = search("papers", "ocean", principals=["public"])

    assert looked_up_before_the_write == [["article", "dataset"], ["article"]]
    assert labelled_papers[2:] == [["article", "dataset"]]
    labels = {b["key"]: b["label"] for b in again.aggregations["kind"]["buckets"]}
    assert labels == {"dataset": "Dataset", "article": "Article"} == {
        b["key"]: b["label"] for b in first.aggregations["kind"]["buckets"]}


def test_facet_labels_are_looked_up_on_every_search_with_caching_off(labelled_papers, settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 0
    search("papers", "ocean", principals=["public"])
    search("papers", "ocean", principals=["public"])

    assert len(labelled_papers) == 2


def test_facets_sharing_a_label_batch_are_labelled_in_one_call(papers_indexed, monkeypatch, settings):
    from dataclasses import replace

    settings.RDM_SEARCH_CACHE_SECONDS = 0
    calls = []

    def names(wanted):
        calls.append({key: sorted(values) for key, values in wanted.items()})
        return {key: {value: f"{key}/{value}" for value in values} for key, values in wanted.items()}

    def labels_of(key):
        def labels(values):
            raise AssertionError("batched labels are not looked up one facet at a time")

        labels.batch = (names, key)
        return labels

    kind, tag = papers_indexed.facets
    facets = (replace(kind, labels=labels_of("kinds"), labels_index="kind_names"),
              replace(tag, labels=labels_of("tags"), labels_index="tag_names"))
    monkeypatch.setattr(papers_indexed, "facets", facets)

    result = search("papers", "ocean", principals=["public"])

    assert calls == [{"kinds": ["article", "dataset"], "tags": ["ocean", "salt"]}]
    assert {b["key"]: b["label"] for b in result.aggregations["tag"]["buckets"]} == {
        "ocean": "tags/ocean", "salt": "tags/salt"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings exist on PostgreSQL only")
def test_a_search_sets_its_deadline_and_planner_settings_in_one_statement(papers_indexed):
    with CaptureQueriesContext(connection) as captured:
        search("papers", "ocean", principals=["public"])

    statements = [q["sql"] for q in captured.captured_queries]
    setting = [sql for sql in statements if "set_config" in sql]
    undoing = [sql for sql in statements if sql.upper().startswith("SET")]  # inside the test's transaction
    assert len(setting) == 1 and len(undoing) == 1
    for name in ("statement_timeout", "jit", "enable_seqscan"):
        assert name in setting[0] and name in undoing[0]
