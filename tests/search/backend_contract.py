"""Behaviour every search backend must show on the same data. Each backend's test module subclasses
``SearchBackendContract`` and sets ``backend``; the ES module will reuse it unchanged."""

import pytest

from rdm.search import indexer, search
from rdm.search.backends import get_search_backend, reset_backends
from rdm.search.query import ParameterError, QueryError
from rdm.search.services import Suggestion, fuzzy_suggestion


def ids(result):
    return [hit["id"] for hit in result.hits]


def buckets(result, facet):
    return {b["key"]: b["doc_count"] for b in result.aggregations[facet]["buckets"]}


def add_contract_papers(papers) -> None:
    """Four public papers and one only user 7 and staff may read."""
    papers.add("ocean", title="Ocean temperature records", creators=["Smith, Jane", "Doe, John"],
               abstract="Buoys measured the sea surface.", kind="dataset", tags=["ocean", "climate"],
               date="2020-06-01")
    papers.add("oceanic", title="Oceanic circulation models", creators=["Brown, Ada"], kind="software",
               tags=["ocean"], date="2019")
    papers.add("forest", title="Forest soil survey", creators=["Smith, Karl"], abstract="ocean far away",
               kind="dataset", tags=["soil"], date="2021-02")
    papers.add("umlaut", title="Ökologie der Gewässer", creators=["Müller, Jürgen"], kind="article",
               date="2018-12-31")
    papers.add("secret", title="Secret ocean notes", kind="dataset", tags=["ocean"], date="2020",
               principals=["user:7", "staff"])


class SearchBackendContract:
    backend = ""

    @pytest.fixture(autouse=True)
    def use_backend(self, settings, db):
        settings.RDM_SEARCH_BACKEND = self.backend
        reset_backends()
        yield
        reset_backends()

    @pytest.fixture
    def corpus(self, papers):
        add_contract_papers(papers)
        papers.index_all()
        return papers

    def run(self, query="", **kwargs):
        return search("papers", query, **kwargs)

    # Text matching.

    def test_a_word_matches_whole_tokens_only(self, corpus):
        assert sorted(ids(self.run("ocean"))) == ["forest", "ocean"]

    def test_matching_ignores_case_and_handles_unicode(self, corpus):
        assert ids(self.run("ökologie")) == ["umlaut"]
        assert ids(self.run("MÜLLER")) == ["umlaut"]

    def test_a_phrase_needs_consecutive_tokens(self, corpus):
        assert ids(self.run('"temperature records"')) == ["ocean"]
        assert ids(self.run('"records temperature"')) == []

    def test_a_phrase_does_not_span_two_values(self, corpus):
        assert ids(self.run('creator:"jane doe"')) == []
        assert ids(self.run('creator:"smith jane"')) == ["ocean"]

    def test_prefix_and_inner_wildcards(self, corpus):
        assert sorted(ids(self.run("ocean*"))) == ["forest", "ocean", "oceanic"]
        assert ids(self.run("te?perature")) == ["ocean"]
        assert ids(self.run("circ*tion")) == ["oceanic"]

    def test_fielded_text_search_uses_only_that_field(self, corpus):
        assert ids(self.run("title:ocean")) == ["ocean"]
        assert ids(self.run("abstract:ocean")) == ["forest"]
        assert sorted(ids(self.run("author:smith"))) == ["forest", "ocean"]

    def test_boolean_operators(self, corpus):
        assert sorted(ids(self.run("ocean OR soil"))) == ["forest", "ocean"]
        assert ids(self.run("ocean AND soil")) == ["forest"]
        assert ids(self.run("ocean -soil")) == ["ocean"]
        assert ids(self.run("ocean AND NOT title:forest")) == ["ocean"]
        assert sorted(ids(self.run("(ocean OR oceanic) AND type:dataset"))) == ["forest", "ocean"]

    def test_negating_a_field_keeps_documents_without_that_field(self, corpus):
        assert sorted(ids(self.run("ocean* -abstract:buoys"))) == ["forest", "oceanic"]
        assert sorted(ids(self.run("NOT abstract:*"))) == ["oceanic", "umlaut"]

    # Fuzzy terms (word~N) and proximity (sloppy phrases "a b"~N), as Elasticsearch's Lucene counts them.

    def test_fuzzy_terms_allow_up_to_n_edits(self, corpus):
        assert ids(self.run("temprature~1")) == ["ocean"]  # insertion
        assert ids(self.run("oceanik~1")) == ["oceanic"]  # substitution
        assert sorted(ids(self.run("oceans~1"))) == ["forest", "ocean"]  # deletion; "oceanic" needs 2
        assert sorted(ids(self.run("oceans~2"))) == ["forest", "ocean", "oceanic"]
        assert ids(self.run("temprature~0")) == []

    def test_a_bare_tilde_allows_two_edits(self, corpus):
        assert sorted(ids(self.run("oceanik~"))) == ["forest", "ocean", "oceanic"]
        assert ids(self.run("temperatuer~")) == ["ocean"]

    def test_fuzzy_counts_a_transposition_as_one_edit_and_never_edits_it_again(self, corpus):
        assert ids(self.run("tempreature~1")) == ["ocean"]
        assert ids(self.run("forets~1")) == ["forest"]
        # "forte" -> "forest" is two edits only if the swapped letters are edited again (Lucene: no).
        assert ids(self.run("forte~2")) == []

    def test_fuzzy_has_no_fixed_prefix_and_handles_unicode(self, corpus):
        assert sorted(ids(self.run("xcean~1"))) == ["forest", "ocean"]
        assert ids(self.run("muller~1")) == ["umlaut"]
        assert ids(self.run("MÜLER~1")) == ["umlaut"]

    def test_fuzzy_matches_whole_tokens_in_the_given_field(self, corpus):
        assert ids(self.run("title:oceon~1")) == ["ocean"]
        assert ids(self.run("abstract:oceon~1")) == ["forest"]
        assert ids(self.run("ocean~1 -title:ocean")) == ["forest"]
        assert sorted(ids(self.run("jnae~1 OR brwon~1"))) == ["ocean", "oceanic"]

    def test_fuzzy_on_a_keyword_field_matches_exactly(self, corpus):
        assert ids(self.run("kind:softwar~1")) == []
        assert ids(self.run("kind:software~1")) == ["oceanic"]

    # A query that found nothing: its fuzzy version, offered only if it finds what the caller may read.

    def test_a_fuzzy_suggestion_finds_misspelt_words(self, corpus):
        assert fuzzy_suggestion("papers", "temprature") == Suggestion("temprature~2", 1)
        assert fuzzy_suggestion("papers", "oceam AND models") is None  # no paper has both
        assert fuzzy_suggestion("papers", "oceam AND survy") == Suggestion("oceam~1 AND survy~1", 1)

    def test_a_fuzzy_suggestion_keeps_the_filters(self, corpus):
        assert fuzzy_suggestion("papers", "oceam", filters={"kind": "dataset"}) == Suggestion("oceam~1", 2)
        assert fuzzy_suggestion("papers", "oceam", filters={"kind": "software"}) is None

    def test_a_fuzzy_suggestion_counts_only_what_the_caller_may_read(self, corpus):
        # "notes" is a word of the restricted paper alone.
        assert fuzzy_suggestion("papers", "notse") is None
        assert fuzzy_suggestion("papers", "notse", principals=["public", "user:8"]) is None
        owner = ["public", "user:7"]
        assert fuzzy_suggestion("papers", "notse", principals=owner) == Suggestion("notse~1", 1)

    def test_proximity_allows_words_between_in_order(self, corpus):
        assert ids(self.run('"ocean records"~0')) == []
        assert ids(self.run('"ocean records"~1')) == ["ocean"]
        assert ids(self.run('title:"oceanic models"~1')) == ["oceanic"]
        assert ids(self.run('abstract:"ocean away"~1')) == ["forest"]

    def test_proximity_counts_reordering_as_lucene_does(self, corpus):
        assert ids(self.run('"temperature ocean"~1')) == []
        assert ids(self.run('"temperature ocean"~2')) == ["ocean"]  # a swapped pair costs 2
        assert ids(self.run('"records ocean"~2')) == []
        assert ids(self.run('"records ocean"~3')) == ["ocean"]
        assert ids(self.run('"records ocean temperature"~2')) == []
        assert ids(self.run('"records ocean temperature"~3')) == ["ocean"]

    def test_proximity_stays_within_one_value(self, corpus):
        assert ids(self.run('creator:"jane doe"~5')) == []
        assert ids(self.run('creator:"jane smith"~2')) == ["ocean"]
        assert ids(self.run('"surface ocean"~20')) == []  # abstract and title are different fields

    def test_proximity_of_one_word_or_on_a_keyword_field_is_exact(self, corpus):
        assert sorted(ids(self.run('"ocean"~3'))) == ["forest", "ocean"]
        assert sorted(ids(self.run('kind:"dataset"~3'))) == ["forest", "ocean"]

    def test_match_all_and_field_exists(self, corpus):
        assert self.run("*").total == 4
        assert sorted(ids(self.run("abstract:*"))) == ["forest", "ocean"]

    def test_match_all_inside_operators_means_every_document(self, corpus):
        assert self.run("* OR zebra").total == 4
        assert self.run("zebra OR (* AND kind:software)").total == 1
        assert sorted(ids(self.run("soil OR (forest AND *)"))) == ["forest"]
        assert self.run("NOT *").total == 0
        assert self.run("ocean AND -*").total == 0
        assert sorted(ids(self.run("* AND NOT ocean"))) == ["oceanic", "umlaut"]

    # Keywords and dates.

    def test_keyword_values_match_exactly(self, corpus):
        assert sorted(ids(self.run("kind:dataset"))) == ["forest", "ocean"]
        assert ids(self.run("kind:Dataset")) == []
        assert ids(self.run("tags:climate")) == ["ocean"]

    def test_keyword_wildcards(self, corpus):
        assert sorted(ids(self.run("kind:soft*"))) == ["oceanic"]

    def test_a_year_matches_the_whole_year(self, corpus):
        assert ids(self.run("year:2020")) == ["ocean"]
        assert ids(self.run("date:2021-02")) == ["forest"]
        assert ids(self.run("date:2018-12-31")) == ["umlaut"]

    def test_date_ranges_cover_whole_periods(self, corpus):
        assert sorted(ids(self.run("year:[2019 TO 2020]"))) == ["ocean", "oceanic"]
        assert sorted(ids(self.run("year:{2019 TO 2021]"))) == ["forest", "ocean"]
        assert sorted(ids(self.run("year:>=2020"))) == ["forest", "ocean"]
        assert sorted(ids(self.run("year:<2019"))) == ["umlaut"]
        assert sorted(ids(self.run("year:[2020 TO *]"))) == ["forest", "ocean"]

    # Filters and facets.

    def test_filters_combine_values_with_or_and_fields_with_and(self, corpus):
        either = self.run(filters={"kind": ["dataset", "article"]})
        assert sorted(ids(either)) == ["forest", "ocean", "umlaut"]
        assert ids(self.run(filters={"kind": "dataset", "tag": "soil"})) == ["forest"]

    def test_unknown_filter_is_a_parameter_error(self, corpus):
        with pytest.raises(ParameterError) as caught:
            self.run(filters={"colour": "blue"})
        assert caught.value.param == "colour"

    def test_facets_count_documents_per_value(self, corpus):
        result = self.run("")

        assert buckets(result, "kind") == {"dataset": 2, "software": 1, "article": 1}
        assert buckets(result, "tag") == {"ocean": 2, "climate": 1, "soil": 1}
        assert result.aggregations["kind"]["label"] == "Kinds"
        assert result.aggregations["kind"]["buckets"][0] == {
            "key": "dataset", "doc_count": 2, "label": "Dataset", "is_selected": False,
        }

    def test_a_facet_ignores_its_own_filter_but_respects_the_others(self, corpus):
        result = self.run("", filters={"kind": "dataset", "tag": "ocean"})

        assert ids(result) == ["ocean"]
        assert buckets(result, "kind") == {"dataset": 1, "software": 1}
        assert buckets(result, "tag") == {"ocean": 1, "climate": 1, "soil": 1}
        assert [b["is_selected"] for b in result.aggregations["kind"]["buckets"]] == [True, False]

    def test_facets_can_be_skipped(self, corpus):
        assert self.run("", facets=False).aggregations == {}

    # Permissions.

    def test_restricted_documents_are_invisible_in_hits_totals_and_facets(self, corpus):
        result = self.run("secret")

        assert (result.total, ids(result)) == (0, [])
        assert buckets(result, "kind") == {}

    def test_principals_grant_access(self, corpus):
        mine = self.run("ocean", principals=["public", "user:7"])

        assert sorted(ids(mine)) == ["forest", "ocean", "secret"]
        assert buckets(mine, "kind") == {"dataset": 3}

    # Sorting and paging.

    def test_sort_options(self, corpus):
        assert ids(self.run("", sort="newest")) == ["umlaut", "forest", "oceanic", "ocean"]
        assert ids(self.run("", sort="title")) == ["forest", "ocean", "oceanic", "umlaut"]

    def test_best_match_ranks_title_matches_first(self, corpus):
        assert ids(self.run("ocean")) == ["ocean", "forest"]

    def test_unknown_sort_is_a_parameter_error(self, corpus):
        with pytest.raises(ParameterError) as caught:
            self.run("", sort="colour")
        assert caught.value.param == "sort"

    def test_pages_slice_hits_and_keep_the_total(self, corpus):
        first = self.run("", sort="title", size=3)
        second = self.run("", sort="title", size=3, page=2)

        assert (ids(first), first.total) == (["forest", "ocean", "oceanic"], 4)
        assert (ids(second), second.total) == (["umlaut"], 4)

    @pytest.mark.parametrize(("params", "param"), [
        ({"page": 0}, "page"), ({"page": "x"}, "page"), ({"size": 1000}, "size"),
        ({"page": 5000, "size": 10}, "page"),
    ])
    def test_invalid_paging_is_a_parameter_error(self, corpus, params, param):
        with pytest.raises(ParameterError) as caught:
            self.run("", **params)
        assert caught.value.param == param

    def test_invalid_query_is_a_query_error(self, corpus):
        with pytest.raises(QueryError):
            self.run("colour:blue")

    # Writing.

    def test_reindexing_replaces_the_document_and_its_terms(self, corpus):
        corpus.objects["ocean"]["doc"]["metadata"].update(title="Sea level", kind="article", tags=[])
        indexer.index_ids(corpus, ["ocean"])

        assert ids(self.run("title:temperature")) == []
        assert ids(self.run('title:"sea level"')) == ["ocean"]
        assert buckets(self.run(""), "kind") == {"article": 2, "dataset": 1, "software": 1}

    def test_ids_without_object_are_removed(self, corpus):
        del corpus.objects["forest"]
        indexer.index_ids(corpus, ["forest"])

        assert ids(self.run("soil")) == []
        assert get_search_backend().count(corpus) == 4

    def test_stored_documents_round_trip_with_principals(self, corpus):
        stored = get_search_backend().get_documents(corpus, ["secret", "ocean"])

        assert stored["secret"].principals == ["staff", "user:7"]
        assert stored["ocean"].document == corpus.objects["ocean"]["doc"]
