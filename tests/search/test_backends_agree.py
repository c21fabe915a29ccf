"""Both backends answer random queries alike on the same documents.

The contract suite (``backend_contract.py``) checks chosen cases. Here a few hundred queries drawn from
the query language's grammar, with a fixed seed so that a failure names queries anyone can rerun, go to
the database backend and to the Elasticsearch node: each must give the same total, the same hits (in
the same order when sorted by date) and the same facet counts, or be refused naming the same parameter.
Scores differ between the engines, so best-match order is not compared.
"""

import random

import pytest

from rdm.search import services
from rdm.search.backends import get_search_backend, reset_backends
from rdm.search.query import SearchError

from .test_elasticsearch_backend import PREFIX, elasticsearch_indexes, wipe_documents  # noqa: F401

SEED = 20261203
WORDS = ["ocean", "oceans", "oceanic", "ocaen", "temperature", "temprature", "sea", "surface", "soil",
         "forest", "survey", "müller", "Ökologie", "buoy", "data", "climate", "zebra", "a", "of", "the",
         "co2", "2020", "x-ray", "ray", "naïve", "東京", "e\\:mail", "smith", "jane", "notes"]
FIELDS = ["title", "creator", "author", "abstract", "kind", "type", "tag", "tags", "year", "date",
          "publication_date", "access_status", "created", "colour"]
KEYWORD_VALUES = ["dataset", "software", "article", "ocean", "climate", "soil", "open", "restricted"]
DATES = ["2018", "2019", "2020-06", "2020-06-01", "2021-02-28", "*"]
READERS = [["public"], ["public", "user:7"], ["public", "staff"]]


def random_query(rng: random.Random, depth: int = 0) -> str:
    parts = [random_term(rng, depth) for _ in range(rng.randint(1, 3))]
    query = parts[0]
    for part in parts[1:]:
        query += rng.choice([" ", " AND ", " OR ", " AND NOT ", " || "]) + part
    return query


def random_term(rng: random.Random, depth: int) -> str:
    word = rng.choice(WORDS)
    shapes = [
        lambda: word,
        lambda: word,
        lambda: f'"{word} {rng.choice(WORDS)}"',
        lambda: f'"{word} {rng.choice(WORDS)}"~{rng.randint(0, 3)}',
        lambda: f"{word[:3]}*",
        lambda: f"{word}~{rng.choice(['', '0', '1', '2'])}",
        lambda: f"{word}^{rng.choice(['2', '0.5'])}",
        lambda: f"{rng.choice(['-', '+', 'NOT '])}{word}",
        lambda: f"{rng.choice(FIELDS)}:{word}",
        lambda: f"{rng.choice(FIELDS)}:{rng.choice(KEYWORD_VALUES)}",
        lambda: f"{rng.choice(FIELDS)}:[{rng.choice(DATES)} TO {rng.choice(DATES)}]",
        lambda: f"{rng.choice(FIELDS)}:{{{rng.choice(DATES)} TO {rng.choice(DATES)}]",
        lambda: f"{rng.choice(FIELDS)}:*",
        lambda: "*",
    ]
    if depth < 2:
        shapes.append(lambda: f"({random_query(rng, depth + 1)})")
        shapes.append(lambda: f"{rng.choice(FIELDS)}:({random_query(rng, depth + 1)})")
    return rng.choice(shapes)()


def add_documents(papers):
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
               principals=["user:7", "staff"], status="restricted")
    papers.add("xray", title="X-ray data of naïve samples", creators=["Tanaka, Yuki"],
               abstract="東京 CO2 data", kind="article", tags=["climate"], date="2020-06-15")
    papers.add("empty", title="Sea", kind="software", date="2017")


@pytest.fixture
def engines(settings, db, elasticsearch_indexes, papers):  # noqa: F811
    """The papers indexed by both backends; ``engines[name]`` is that backend."""
    settings.RDM_SEARCH_BACKENDS = {
        **settings.RDM_SEARCH_BACKENDS,
        "elasticsearch": {"BACKEND": "rdm.search.backends.elasticsearch", "URL": elasticsearch_indexes,
                          "INDEX_PREFIX": PREFIX, "REFRESH": True},
    }
    add_documents(papers)
    found = {}
    for name in ("database", "elasticsearch"):
        settings.RDM_SEARCH_BACKEND = name
        reset_backends()
        papers.index_all()
        found[name] = get_search_backend()
    yield found
    wipe_documents(found["elasticsearch"].client)
    reset_backends()


def answer(monkeypatch, backend, query: str, principals: list[str], sort: str | None):
    monkeypatch.setattr(services, "get_search_backend", lambda: backend)
    try:
        result = services.search("papers", query, principals=principals, sort=sort, size=50)
    except SearchError as error:
        return "refused", error.param
    hits = [hit["id"] for hit in result.hits]
    facets = {name: sorted((b["key"], b["doc_count"]) for b in facet["buckets"])
              for name, facet in result.aggregations.items()}
    return result.total, hits if sort == "newest" else sorted(hits), facets


@pytest.mark.parametrize("principals", READERS, ids=["anonymous", "owner", "staff"])
def test_both_backends_answer_random_queries_alike(engines, monkeypatch, principals):
    rng = random.Random(f"{SEED}-{principals}")
    differences, answered = [], 0
    for _ in range(150):
        query, sort = random_query(rng), rng.choice([None, "newest"])
        expected = answer(monkeypatch, engines["database"], query, principals, sort)
        found = answer(monkeypatch, engines["elasticsearch"], query, principals, sort)
        answered += expected[0] != "refused" and expected[0] > 0
        if found != expected:
            differences.append(f"{query!r} sort={sort}: database {expected}, elasticsearch {found}")
    assert differences == []
    assert answered >= 40  # the grammar mostly draws queries that find something
