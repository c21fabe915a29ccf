"""Fuzzy terms on PostgreSQL: expanded against the index's lexicon (``SearchLexeme``), then matched
through the GIN-indexed tsvector, as Elasticsearch expands them against its term dictionary."""

from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from rdm.search import indexer, search
from rdm.search.backends import get_search_backend
from rdm.search.backends.database import (
    MAX_EXPANSIONS,
    DatabaseQueryCompiler,
    fuzzy_expansions,
    fuzzy_pieces,
)
from rdm.search.models import SearchDocument, SearchLexeme
from rdm.search.query import parse_query

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                     reason="the lexicon is filled and used on PostgreSQL only")


def lexicon(index_name="papers"):
    return set(SearchLexeme.objects.filter(index=index_name).values_list("lexeme", flat=True))


def found(q):
    return sorted(hit["id"] for hit in search("papers", q, principals=["public"], size=100).hits)


def compiled_where(index, q):
    """The WHERE clause the compiled query gives (parameters left out)."""
    matched = SearchDocument.objects.filter(DatabaseQueryCompiler(index).compile(parse_query(index, q)))
    return matched.values("pk").query.sql_with_params()[0].split(" WHERE ", 1)[1]


@postgresql_only
def test_writes_fill_the_lexicon_with_the_tokens_short_enough_to_be_fuzzy_matches(papers, settings):
    settings.RDM_SEARCH_MAX_FUZZY_LENGTH = 10
    papers.add("a", title="Ocean heat", creators=["Müller, Jürgen"], abstract="x" * 13 + " " + "y" * 12)
    papers.index_all()

    assert lexicon() == {"ocean", "heat", "müller", "jürgen", "y" * 12}  # 13 > 10 + 2 characters
    papers.add("b", title="Ocean salinity")
    papers.index_all()
    assert lexicon() == {"ocean", "heat", "müller", "jürgen", "y" * 12, "salinity"}


@postgresql_only
def test_a_rolled_back_write_leaves_no_document_and_no_lexeme(papers):
    papers.add("a", title="Zebra crossing")
    with pytest.raises(RuntimeError), transaction.atomic():
        papers.index_all()
        assert found("zebar~1") == ["a"]
        raise RuntimeError("the write fails")

    assert found("zebar~1") == []
    assert found("zebra") == []
    assert "zebra" not in lexicon()


@postgresql_only
def test_a_search_matches_at_most_the_fifty_nearest_expansions(papers):
    # 26 * 3 tokens one edit from "abcd" (substitution of the last letter, insertion after it, before it)
    # plus the word itself: more than the cap, so only the nearest 50 (ties by lexeme) match.
    near = sorted({f"abc{c}" for c in "abcdefghijklmnopqrstuvwxyz"}
                  | {f"abcd{c}" for c in "abcdefghijklmnopqrstuvwxyz"}
                  | {f"{c}abcd" for c in "abcdefghijklmnopqrstuvwxyz"})
    for number, token in enumerate(near):
        papers.add(f"d{number:03d}", title=token)
    papers.index_all()

    expected = ["abcd", *sorted(token for token in near if token != "abcd")[:MAX_EXPANSIONS - 1]]
    result = search("papers", "abcd~1", principals=["public"], size=100)
    assert result.total == MAX_EXPANSIONS
    assert sorted(hit["metadata"]["title"] for hit in result.hits) == sorted(expected)


def test_the_expansion_keeps_the_nearest_lexemes_ties_by_lexeme(papers):
    words = ["abcd", "abce", "abcf", "bbcd", "abcde", "xabcd", "abdc", "azzz", "ab", "abcdef", "zzzz"]
    SearchLexeme.objects.bulk_create([SearchLexeme(index="papers", lexeme=word) for word in words])
    SearchLexeme.objects.create(index="others", lexeme="abcx")

    assert fuzzy_expansions("papers", "abcd", 1) == ["abcd", "abcde", "abce", "abcf", "abdc", "bbcd", "xabcd"]
    assert fuzzy_expansions("papers", "abcd", 2) == [
        "abcd", "abcde", "abce", "abcf", "abdc", "bbcd", "xabcd", "ab", "abcdef",
    ]
    assert fuzzy_expansions("papers", "qqqq", 1) == []


def test_the_pre_filter_pieces_are_separated_by_one_character():
    assert fuzzy_pieces("temperature", 1) == ["tempe", "ature"]
    assert fuzzy_pieces("temperature", 2) == ["tem", "era", "ure"]
    assert fuzzy_pieces("ocen", 2) is None  # a piece would be empty: no pre-filter


def test_the_pre_filter_never_drops_a_lexeme_within_the_distance(papers):
    # Each edit at the edges of the pieces: the first, the middle and the last piece changed.
    words = ["xemperature", "temperaturx", "tempxrature", "etmperature", "temperatuer", "tmperatur",
             "ttemperature", "temperaturee", "xxmperature", "texperaturx", "tempxrxture"]
    SearchLexeme.objects.bulk_create([SearchLexeme(index="papers", lexeme=word) for word in words])

    assert fuzzy_expansions("papers", "temperature", 1) == sorted(
        ["xemperature", "temperaturx", "tempxrature", "etmperature", "temperatuer", "ttemperature",
         "temperaturee"])
    assert set(fuzzy_expansions("papers", "temperature", 2)) == set(words)


def test_fuzzy_on_a_field_matches_the_token_only_in_that_field(papers):
    papers.add("title", title="Ocean heat")
    papers.add("abstract", title="Heat", abstract="ocean currents")
    papers.add("creator", title="Heat", creators=["Ocean, Ada"])
    papers.index_all()

    assert found("title:oceab~1") == ["title"]
    assert found("abstract:oceab~1") == ["abstract"]
    assert found("creator:oceab~1") == ["creator"]
    assert found("oceab~1") == ["abstract", "creator", "title"]
    assert found("heat~1 -title:oceab~1") == ["abstract", "creator"]
    assert found("title:currents~1") == []


@postgresql_only
def test_a_fuzzy_query_uses_the_text_index_and_no_expression_over_the_text(papers):
    papers.add("a", title="Ocean temperature", abstract="Sea surface")
    papers.index_all()

    unfielded = compiled_where(papers, "temprature~2")
    assert "@@" in unfielded
    assert "text_c" not in unfielded and " ~ " not in unfielded

    fielded = compiled_where(papers, "abstract:surfce~1")
    assert "@@" in fielded
    assert " ~ " in fielded and "text_c" not in fielded  # the regex checks the field, on indexed rows


@postgresql_only
def test_a_fuzzy_term_without_expansions_matches_nothing(papers):
    papers.add("a", title="Ocean temperature")
    papers.index_all()

    assert found("qqqqqq~2") == []
    assert found("ocean -qqqqqq~2") == ["a"]
    assert found("title:qqqqqq~2 OR ocean") == ["a"]


@postgresql_only
def test_a_repeated_fuzzy_search_expands_against_the_lexicon_as_it_is_now(papers):
    papers.add("a", title="Ocean crossing")
    papers.index_all()
    assert found("zebar~1") == []

    papers.add("b", title="Zebra crossing")
    papers.index_all()

    assert found("zebar~1") == ["b"], "a plan holding the first expansions (none) must not be kept"


@contextmanager
def offered_lexemes():
    """The lexemes each lexicon insert of the block offers (its second parameter, space-separated)."""
    offered = []

    def spy(execute, sql, params, many, context):
        if sql.lstrip().startswith("INSERT") and "search_searchlexeme" in sql:
            offered.append(sorted(params[1].split()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        yield offered


@postgresql_only
def test_a_batch_session_offers_only_lexemes_not_committed_before(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Ocean heat")
    papers.add("b", title="Ocean salinity")
    with get_search_backend().batch_session(), offered_lexemes() as offered:
        for doc_id in ("a", "b"):
            with django_capture_on_commit_callbacks(execute=True):
                indexer.index_ids(papers, [doc_id])

    assert offered == [["heat", "ocean"], ["salinity"]]
    assert {"ocean", "heat", "salinity"} <= lexicon()


@postgresql_only
def test_lexemes_of_a_rolled_back_batch_are_offered_again(papers, django_capture_on_commit_callbacks):
    papers.add("a", title="Zebra crossing")
    with get_search_backend().batch_session():
        with pytest.raises(RuntimeError), transaction.atomic():
            indexer.index_ids(papers, ["a"])
            raise RuntimeError("the batch fails")
        with django_capture_on_commit_callbacks(execute=True):
            indexer.index_ids(papers, ["a"])

    assert "zebra" in lexicon()
    assert found("zebar~1") == ["a"]


@postgresql_only
def test_without_a_batch_session_every_write_offers_all_its_lexemes(papers):
    papers.add("a", title="Ocean heat")
    with offered_lexemes() as offered:
        papers.index_all()
        papers.index_all()

    assert offered == [["heat", "ocean"], ["heat", "ocean"]]
