"""The Elasticsearch backend's exact request bodies: queries, aggregations, bulk actions and mapping."""

import pytest

from rdm.search.backends.base import IndexedDocument, SearchRequest
from rdm.search.backends.elasticsearch import (
    ElasticsearchQueryCompiler,
    ElasticsearchSearchBackend,
    bulk_actions,
    document_class,
)
from rdm.search.query import parse_query

from .conftest import MemoryIndex

TEXT_FIELDS = (("title", 3), ("creator", None), ("abstract", None))


@pytest.fixture
def index():
    return MemoryIndex()


def compiled(index, text):
    return ElasticsearchQueryCompiler(index).compile(parse_query(index, text))


def any_field(kind, value):
    clauses = [{kind: {name: {**({"query": value} if kind == "match_phrase" else {"value": value}),
                              **({"boost": boost} if boost else {})}}} for name, boost in TEXT_FIELDS]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def test_a_free_word_searches_every_searchable_field_with_its_boost(index):
    assert compiled(index, "Ocean") == {"bool": {"should": [
        {"match_phrase": {"title": {"query": "ocean", "boost": 3}}},
        {"match_phrase": {"creator": {"query": "ocean"}}},
        {"match_phrase": {"abstract": {"query": "ocean"}}},
    ], "minimum_should_match": 1}}


def test_fielded_phrase_and_negated_keyword(index):
    assert compiled(index, 'title:"Temperature Records" -kind:software') == {"bool": {
        "must": [{"match_phrase": {"title": {"query": "temperature records"}}}],
        "must_not": [{"term": {"kind": {"value": "software"}}}],
    }}


def test_wildcards_become_wildcard_queries_on_tokens(index):
    assert compiled(index, "creator:smi*") == {"wildcard": {"creator": {"value": "smi*"}}}
    assert compiled(index, "ocean* OR te?perature") == {"bool": {"should": [
        any_field("wildcard", "ocean*"), any_field("wildcard", "te?perature"),
    ], "minimum_should_match": 1}}


def test_a_multi_token_wildcard_is_a_span_near(index):
    assert compiled(index, "title:temperature-rec*") == {"span_near": {"clauses": [
        {"span_term": {"title": {"value": "temperature"}}},
        {"span_multi": {"match": {"wildcard": {"title": {"value": "rec*"}}}}},
    ], "slop": 0, "in_order": True}}


def test_date_terms_and_ranges_cover_whole_periods(index):
    assert compiled(index, "year:2020") == {
        "range": {"publication_date": {"gte": "2020-01-01", "lte": "2020-12-31"}},
    }
    assert compiled(index, "year:{2019 TO 2021]") == {
        "range": {"publication_date": {"gt": "2019-12-31", "lte": "2021-12-31"}},
    }
    assert compiled(index, "year:>=2020") == {"range": {"publication_date": {"gte": "2020-01-01"}}}


def test_exists_match_all_and_pure_negation(index):
    assert compiled(index, "abstract:*") == {"exists": {"field": "abstract"}}
    assert compiled(index, "*") == {"match_all": {}}
    assert compiled(index, "") == {"match_all": {}}
    assert compiled(index, "NOT kind:article") == {
        "bool": {"must_not": [{"term": {"kind": {"value": "article"}}}]},
    }


def test_or_of_a_negation_keeps_it_inside_a_bool(index):
    assert compiled(index, "kind:a OR NOT kind:b") == {"bool": {"should": [
        {"term": {"kind": {"value": "a"}}},
        {"bool": {"must_not": [{"term": {"kind": {"value": "b"}}}]}},
    ], "minimum_should_match": 1}}


def test_search_body_filters_permissions_in_the_query_and_facets_in_post_filter(index):
    backend = ElasticsearchSearchBackend({"CLIENT": object()})
    request = SearchRequest(
        index=index, tree=parse_query(index, "kind:dataset"), principals=["public", "user:3"],
        filters={"kind": ["dataset"], "tag": ["ocean", "soil"]}, facets=True,
        sort=index.sort_options["bestmatch"].keys, page=2, size=5,
    )
    order = [{"_count": "desc"}, {"_key": "asc"}]

    assert backend.search_body(request) == {
        "query": {"bool": {
            "must": [{"term": {"kind": {"value": "dataset"}}}],
            "filter": [{"terms": {"rdm_principals": ["public", "user:3"]}}],
        }},
        "post_filter": {"bool": {"filter": [
            {"terms": {"kind": ["dataset"]}}, {"terms": {"tag": ["ocean", "soil"]}},
        ]}},
        "aggs": {
            "kind": {
                "filter": {"bool": {"filter": [{"terms": {"tag": ["ocean", "soil"]}}]}},
                "aggs": {"values": {"terms": {"field": "kind", "size": 20, "order": order}}},
            },
            "tag": {
                "filter": {"bool": {"filter": [{"terms": {"kind": ["dataset"]}}]}},
                "aggs": {"values": {"terms": {"field": "tag", "size": 20, "order": order}}},
            },
        },
        "sort": [
            {"_score": {"order": "desc"}},
            {"rdm_sort.created": {"order": "desc", "missing": "_last"}},
            {"rdm_doc_id": {"order": "asc"}},
        ],
        "from": 5,
        "size": 5,
        "track_total_hits": True,
        "_source": ["rdm_document"],
    }


def test_without_facets_every_filter_is_a_query_filter(index):
    backend = ElasticsearchSearchBackend({"CLIENT": object()})
    request = SearchRequest(index=index, tree=None, principals=["public"], filters={"kind": ["x"]},
                            facets=False, sort=index.sort_options["title"].keys)

    body = backend.search_body(request)

    assert body["query"]["bool"]["filter"] == [
        {"terms": {"rdm_principals": ["public"]}}, {"terms": {"kind": ["x"]}},
    ]
    assert "aggs" not in body and "post_filter" not in body
    assert body["sort"] == [
        {"rdm_sort.title": {"order": "asc", "missing": "_last"}}, {"rdm_doc_id": {"order": "asc"}},
    ]


def test_bulk_actions_delete_then_index_full_documents(index):
    index.add("a", title="Ocean Temperature", creators=["Smith, Jane"], tags=["x", "x"], date="2020",
              created="2024-01-01T00:00:00")
    document = index.objects["a"]["doc"]

    actions = bulk_actions(index, "rdm-papers", [IndexedDocument("a", document, ["user:2", "public"])], ["b"])

    assert actions == [
        {"_op_type": "delete", "_index": "rdm-papers", "_id": "b"},
        {"_op_type": "index", "_index": "rdm-papers", "_id": "a", "_source": {
            "rdm_doc_id": "a",
            "rdm_principals": ["public", "user:2"],
            "rdm_document": document,
            "rdm_sort": {
                "title": "ocean temperature", "publication_date": "2020", "created": "2024-01-01T00:00:00",
            },
            "title": ["ocean temperature"],
            "creator": ["smith jane"],
            "kind": ["article"],
            "tag": ["x"],
            "access_status": ["open"],
            "publication_date": ["2020-01-01"],
            "created": ["2024-01-01T00:00:00"],
        }},
    ]


def test_mapping_follows_the_declaration(index):
    mapping = document_class(index, "rdm-papers")._doc_type.mapping.to_dict()

    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["title"] == {"type": "text", "analyzer": "whitespace"}
    assert mapping["properties"]["kind"] == {"type": "keyword"}
    assert mapping["properties"]["publication_date"] == {"type": "keyword"}
    assert mapping["properties"]["rdm_document"] == {"type": "object", "enabled": False}
    assert mapping["properties"]["rdm_sort"]["properties"] == {
        "title": {"type": "keyword"}, "publication_date": {"type": "keyword"}, "created": {"type": "keyword"},
    }


def test_fuzzy_terms_are_fuzzy_queries_with_lucene_edit_distance(index):
    options = {"fuzziness": 1, "prefix_length": 0, "transpositions": True}
    assert compiled(index, "title:Oceon~1") == {"fuzzy": {"title": {"value": "oceon", **options}}}
    assert compiled(index, "oceon~") == {"bool": {"should": [
        {"fuzzy": {"title": {"value": "oceon", **options, "fuzziness": 2, "boost": 3}}},
        {"fuzzy": {"creator": {"value": "oceon", **options, "fuzziness": 2}}},
        {"fuzzy": {"abstract": {"value": "oceon", **options, "fuzziness": 2}}},
    ], "minimum_should_match": 1}}


def test_fuzzy_without_edits_or_on_keywords_is_an_exact_term(index):
    assert compiled(index, "title:ocean~0") == {"match_phrase": {"title": {"query": "ocean"}}}
    assert compiled(index, "kind:dataset~1") == {"term": {"kind": {"value": "dataset"}}}


def test_proximity_is_a_sloppy_match_phrase(index):
    assert compiled(index, 'title:"Ocean Records"~3') == {
        "match_phrase": {"title": {"query": "ocean records", "slop": 3}},
    }
    assert compiled(index, '"ocean records"~2') == {"bool": {"should": [
        {"match_phrase": {"title": {"query": "ocean records", "slop": 2, "boost": 3}}},
        {"match_phrase": {"creator": {"query": "ocean records", "slop": 2}}},
        {"match_phrase": {"abstract": {"query": "ocean records", "slop": 2}}},
    ], "minimum_should_match": 1}}
    exact = {"match_phrase": {"title": {"query": "ocean records"}}}
    assert compiled(index, 'title:"ocean records"~') == exact
