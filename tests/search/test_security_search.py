"""Adversarial checks of the search layer: expensive queries get a 400 naming the problem (never a 500 or
a minute-long query), the request cache never mixes up two statements, and hidden values stay hidden."""

import time

import pytest
from django.urls import path
from rest_framework.test import APIClient

from rdm.search import search
from rdm.search.api.views import IndexSearchView
from rdm.search.backends.database import (
    MAX_PATTERN_SIZE,
    DatabaseQueryCompiler,
    RequestCache,
    fuzzy_regex,
)
from rdm.search.query import QueryError, parse_query

pytestmark = pytest.mark.django_db


class PapersView(IndexSearchView):
    index_name = "papers"


urlpatterns = [path("api/papers", PapersView.as_view())]


@pytest.fixture
def api(settings, papers):
    settings.ROOT_URLCONF = __name__
    papers.add("a", title="Ocean heat salinity temperature", kind="dataset")
    papers.add("b", title="Temperature of the ocean", kind="software")
    papers.index_all()
    return APIClient()


def refusal(api, q):
    started = time.monotonic()
    response = api.get("/api/papers", {"q": q})
    elapsed = time.monotonic() - started
    return response, elapsed


# --- fuzzy and proximity: bounded regular expressions ---------------------------------------------

def test_a_long_fuzzy_word_is_a_400_naming_the_problem(api):
    response, elapsed = refusal(api, "abcdefghijklmnopqrstuvwxyzabcdefghijklmn~2")

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "q"
    assert "fuzzy" in error["messages"][0] and "40 characters" in error["messages"][0]
    assert elapsed < 1


def test_a_very_long_fuzzy_word_is_refused_before_any_expression_is_built(papers, db):
    # 200 characters ~2 used to build a regular expression of gigabytes (the process was killed).
    with pytest.raises(QueryError, match="fuzzy"):
        parse_query(papers, "a" * 200 + "~2")


@pytest.mark.parametrize("q", [
    '"ocean heat salinity temperature"~10',
    '"ocean heat salinity temperature measurement"~6',
    " ".join(f"temperatures{letter}~2" for letter in "abcde"),
])
def test_fuzzy_and_proximity_terms_beyond_the_size_budget_are_a_400(api, q):
    response, elapsed = refusal(api, q)

    assert response.status_code == 400, response.content
    message = response.json()["errors"][0]["messages"][0]
    assert "too expensive" in message
    assert elapsed < 2


@pytest.mark.parametrize(("q", "total"), [
    ("temperature~2", 2),
    ("temprature~1", 2),
    ('"ocean temperature"~3', 1),
    ('"heat salinity temperature"~2', 1),
    ("ocaen~1 heta~1", 1),
])
def test_ordinary_fuzzy_and_proximity_queries_stay_within_the_budget(api, q, total):
    response = api.get("/api/papers", {"q": q})

    assert response.status_code == 200, response.content
    assert response.json()["hits"]["total"] == total


def test_the_budget_counts_every_fuzzy_term_of_a_query(papers, db):
    compiler = DatabaseQueryCompiler(papers)
    word = "temperatures"
    per_term = len(fuzzy_regex(word, 2))
    fitting = MAX_PATTERN_SIZE // per_term

    def query(terms):
        return parse_query(papers, " ".join(f"{word}~2" for _ in range(terms)))

    compiler.compile(query(fitting))
    with pytest.raises(QueryError, match="too expensive"):
        DatabaseQueryCompiler(papers).compile(query(fitting + 1))


# --- wildcards: no catastrophic backtracking ------------------------------------------------------

@pytest.fixture
def long_token(papers):
    papers.add("long", title="a" * 2000, tags=["a" * 400])
    papers.add("short", title="axbxc aab", tags=["axbyc"])
    papers.index_all()
    return papers


@pytest.mark.parametrize("q", ["a*a*a*b", "title:a*a*a*a*a*b", "tag:a*a*a*a*a*a*a*b"])
def test_many_wildcards_against_a_long_token_answer_quickly(long_token, q):
    started = time.monotonic()
    result = search("papers", q, principals=["public"])

    assert result.total == 0
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("q", "expected"), [
    ("a*b*c", {"short"}), ("a*a*", {"long", "short"}), ("a?b", {"short"}), ("a*x*c", {"short"}),
    ("title:a*b", {"short"}), ("tag:a*b*c", {"short"}), ("tag:a*y?", {"short"}), ("tag:a*a*a", {"long"}),
    ("a*c aa*", {"short"}), ("*b", {"short"}),
])
def test_wildcards_keep_their_meaning(long_token, q, expected):
    assert {hit["id"] for hit in search("papers", q, principals=["public"]).hits} == expected


# --- a time limit on every search ------------------------------------------------------------------

def test_a_search_beyond_the_time_limit_is_a_400(papers, settings):
    for number in range(300):
        papers.add(f"p{number}", title=f"temperature record {number}", abstract="ocean " * 50)
    papers.index_all()
    settings.RDM_SEARCH_CACHE_SECONDS = 0
    settings.RDM_SEARCH_TIMEOUT = 0.0001

    with pytest.raises(QueryError, match="took too long"):
        # On PostgreSQL a fuzzy word is a few index lookups; the proximity scans every row's text.
        search("papers", 'temprature~2 OR ocaen~2 OR "ocean record temperature"~4', principals=["public"])

    settings.RDM_SEARCH_TIMEOUT = 30
    assert search("papers", "temprature~2", principals=["public"]).total == 300


# --- the request cache ------------------------------------------------------------------------------

def test_cache_keys_differ_for_json_parameters_that_differ_only_at_the_end(papers, settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 300
    first, second = "t" * 60 + "1", "t" * 60 + "2"
    papers.add("a", title="one", tags=[first])
    papers.add("b", title="two", tags=[first])
    papers.add("c", title="three", tags=[second])
    papers.index_all()

    one = search("papers", f"tag:{first}", principals=["public"])
    two = search("papers", f"tag:{second}", principals=["public"])

    assert (one.total, two.total) == (2, 1)
    assert [hit["id"] for hit in two.hits] == ["c"]
    assert {b["key"]: b["doc_count"] for b in two.aggregations["tag"]["buckets"]} == {second: 1}


def test_cache_keys_of_jsonb_parameters_hold_the_whole_value(papers, settings):
    from psycopg.types.json import Jsonb

    settings.RDM_SEARCH_CACHE_SECONDS = 300
    counts = RequestCache.__new__(RequestCache)
    counts.token = "t"
    keys = {counts.key("total", ("SELECT %s", [Jsonb(["x" * 60 + last])])) for last in "12"}

    assert len(keys) == 2


# --- Elasticsearch: the principals filter in every request --------------------------------------------

@pytest.mark.parametrize(("q", "filters", "facets"), [
    ("", {}, True), ("ocean~2", {}, True), ('"ocean heat"~3', {"kind": ["dataset"]}, True),
    ("title:oc*an OR tag:x*", {"tag": ["a"], "access_status": ["open"]}, False), ("NOT ocean", {}, True),
])
def test_every_elasticsearch_search_body_filters_by_the_callers_principals(papers, q, filters, facets):
    from rdm.search.backends.base import SearchRequest
    from rdm.search.backends.elasticsearch import PRINCIPALS, ElasticsearchSearchBackend

    principals = ["public", "user:7"]
    request = SearchRequest(index=papers, tree=parse_query(papers, q), principals=principals,
                            filters=filters, facets=facets)
    body = ElasticsearchSearchBackend({"CLIENT": object()}).search_body(request)

    assert {"terms": {PRINCIPALS: principals}} in body["query"]["bool"]["filter"]
    # Aggregations run inside the query (never a global scope), the post filter only narrows hits.
    assert "global" not in str(body.get("aggs", {}))


def test_every_elasticsearch_bulk_write_carries_the_documents_principals(papers):
    from rdm.search.backends.base import IndexedDocument
    from rdm.search.backends.elasticsearch import PRINCIPALS, SOURCE, bulk_actions

    papers.add("a", title="Ocean", principals=["user:7", "staff"])
    document = IndexedDocument("a", papers.objects["a"]["doc"], ["staff", "user:7"])
    for op_type in ("index", "create"):
        (action,) = bulk_actions(papers, "rdm-papers-rebuilding", [document], [], op_type=op_type)
        assert action["_source"][PRINCIPALS] == ["staff", "user:7"]
        assert action["_source"][SOURCE] == document.document


# --- fields with readers: filters follow the same rule as queries -------------------------------------

@pytest.fixture
def reviewed(papers):
    from rdm.search.index import STAFF, KeywordField

    reviewer = KeywordField("reviewer", path="metadata.reviewer", readers=(STAFF,))
    papers.fields = (*type(papers).fields, reviewer)
    papers.__dict__.pop("_fields_by_name", None)
    papers.__dict__.pop("_fields_by_typed_name", None)
    papers.add("a", title="Ocean")
    papers.objects["a"]["doc"]["metadata"]["reviewer"] = "rex"
    papers.add("b", title="Ocean too")
    papers.index_all()
    return papers


def test_a_reader_restricted_field_is_no_filter_for_others(reviewed):
    from rdm.search.query import ParameterError

    with pytest.raises(ParameterError, match='Unknown filter "reviewer"'):
        search("papers", "", filters={"reviewer": "rex"}, principals=["public"])
    with pytest.raises(QueryError, match='Unknown search field "reviewer"'):
        search("papers", "reviewer:rex", principals=["public"])

    staff = search("papers", "", filters={"reviewer": "rex"}, principals=["public", "staff"])
    assert [hit["id"] for hit in staff.hits] == ["a"]
