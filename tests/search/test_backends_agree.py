"""Both backends answer random queries alike on the same documents.

The contract suite (``backend_contract.py``) checks chosen cases. Here a few hundred queries drawn from
the query language's grammar, with a fixed seed so that a failure names queries anyone can rerun, go to
the database backend and to the Elasticsearch node: each must give the same total, the same hits (in
the same order when sorted by date) and the same facet counts, or be refused naming the same parameter.
Scores differ between the engines, so best-match order is not compared.
"""

import random
from typing import NamedTuple

import pytest

from rdm.records.indexes import records_index
from rdm.search import indexer, services
from rdm.search.backends import get_search_backend, reset_backends
from rdm.search.query import SearchError

from .backend_contract import add_contract_papers
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


class Vocabulary(NamedTuple):
    words: list[str]
    fields: list[str]
    keyword_values: list[str]


PAPERS = Vocabulary(WORDS, FIELDS, KEYWORD_VALUES)
RECORDS = Vocabulary(
    ["ocean", "ocaen", "glacier", "glaciers", "alpine", "lakes", "moraine", "curie", "marie", "smith", "cern",
     "temperatures", "retreat", "valleys", "data", "2020", "zebra", "sea-ice", "Ökologie", "press"],
    ["title", "creator", "creators", "author", "affiliation", "subject", "type", "resource_type", "year",
     "date", "publication_date", "access", "language", "license", "community", "description",
     "publisher", "metadata.title", "colour"],
    ["dataset", "software", "open", "restricted", "metadata-only", "eng", "deu", "cc-by-4.0", "2020",
     "2019"],
)


def random_query(rng: random.Random, vocabulary: Vocabulary = PAPERS, depth: int = 0) -> str:
    parts = [random_term(rng, vocabulary, depth) for _ in range(rng.randint(1, 3))]
    query = parts[0]
    for part in parts[1:]:
        query += rng.choice([" ", " AND ", " OR ", " AND NOT ", " || "]) + part
    return query


def random_term(rng: random.Random, vocabulary: Vocabulary, depth: int) -> str:
    word, fields = rng.choice(vocabulary.words), vocabulary.fields
    shapes = [
        lambda: word,
        lambda: word,
        lambda: f'"{word} {rng.choice(vocabulary.words)}"',
        lambda: f'"{word} {rng.choice(vocabulary.words)}"~{rng.randint(0, 3)}',
        lambda: f"{word[:3]}*",
        lambda: f"{word}~{rng.choice(['', '0', '1', '2'])}",
        lambda: f"{word}^{rng.choice(['2', '0.5'])}",
        lambda: f"{rng.choice(['-', '+', 'NOT '])}{word}",
        lambda: f"{rng.choice(fields)}:{word}",
        lambda: f"{rng.choice(fields)}:{rng.choice(vocabulary.keyword_values)}",
        lambda: f"{rng.choice(fields)}:[{rng.choice(DATES)} TO {rng.choice(DATES)}]",
        lambda: f"{rng.choice(fields)}:{{{rng.choice(DATES)} TO {rng.choice(DATES)}]",
        lambda: f"{rng.choice(fields)}:*",
        lambda: "*",
    ]
    if depth < 2:
        shapes.append(lambda: f"({random_query(rng, vocabulary, depth + 1)})")
        shapes.append(lambda: f"{rng.choice(fields)}:({random_query(rng, vocabulary, depth + 1)})")
    return rng.choice(shapes)()


def add_documents(papers):
    add_contract_papers(papers)
    papers.add("xray", title="X-ray data of naïve samples", creators=["Tanaka, Yuki"],
               abstract="東京 CO2 data", kind="article", tags=["climate"], date="2020-06-15")
    papers.add("empty", title="Sea", kind="software", date="2017")


def use_elasticsearch_node(settings, url: str) -> None:
    settings.RDM_SEARCH_BACKENDS = {
        **settings.RDM_SEARCH_BACKENDS,
        "elasticsearch": {"BACKEND": "rdm.search.backends.elasticsearch", "URL": url, "INDEX_PREFIX": PREFIX,
                          "REFRESH": True},
    }


def indexed_by_both(settings, index_documents) -> dict:
    """``index_documents()`` run with each backend in turn; the backends by name."""
    found = {}
    for name in ("database", "elasticsearch"):
        settings.RDM_SEARCH_BACKEND = name
        reset_backends()
        index_documents()
        found[name] = get_search_backend()
    return found


@pytest.fixture
def engines(settings, db, elasticsearch_indexes, papers):  # noqa: F811
    """The papers indexed by both backends."""
    use_elasticsearch_node(settings, elasticsearch_indexes)
    add_documents(papers)
    found = indexed_by_both(settings, papers.index_all)
    yield found
    wipe_documents(found["elasticsearch"].client)
    reset_backends()


@pytest.fixture
def record_engines(settings, elasticsearch_indexes, publish, other):  # noqa: F811
    """Records published through the services (indexed by the database backend as they commit), then
    indexed by the Elasticsearch node too."""
    use_elasticsearch_node(settings, elasticsearch_indexes)
    settings.RDM_SEARCH_BACKEND = "database"
    reset_backends()
    creator = {"person_or_org": {"type": "personal", "family_name": "Smith", "given_name": "Ann"},
               "affiliations": [{"name": "CERN"}]}
    pids = [
        publish(title="Alpine lakes", creators=[creator], subjects=[{"subject": "moraine"}],
                description="<p>Lakes near a glacier.</p>", publisher="Moraine Press",
                languages=[{"id": "eng"}], rights=[{"id": "cc-by-4.0"}]).pid,
        publish(title="Glacier retreat", description="<p>Alpine valleys.</p>", publication_date="2019-03",
                resource_type={"id": "software"}, languages=[{"id": "deu"}]).pid,
        publish(title="Ocean temperatures", publication_date="2020-06-01").pid,
        publish(title="Sea-ice glaciers", access="restricted", publication_date="2021").pid,
        publish(other, title="Ökologie der Seen", access="restricted", resource_type={"id": "software"},
                publication_date="2018-12-31").pid,
    ]
    found = indexed_by_both(settings, lambda: indexer.index_ids(records_index, pids))
    yield found
    wipe_documents(found["elasticsearch"].client)
    reset_backends()


def answer(monkeypatch, backend, index_name: str, query: str, sort: str | None, **caller):
    monkeypatch.setattr(services, "get_search_backend", lambda: backend)
    try:
        result = services.search(index_name, query, sort=sort, size=50, **caller)
    except SearchError as error:
        return "refused", error.param
    hits = [hit["id"] for hit in result.hits]
    facets = {name: sorted((b["key"], b["doc_count"]) for b in facet["buckets"])
              for name, facet in result.aggregations.items()}
    return result.total, hits if sort == "newest" else sorted(hits), facets


def differences(monkeypatch, engines, rng, vocabulary, index_name, **caller) -> tuple[list[str], int]:
    """What the backends answer differently to 150 random queries, and how many queries found something."""
    found_differently, answered = [], 0
    for _ in range(150):
        query, sort = random_query(rng, vocabulary), rng.choice([None, "newest"])
        expected, found = (answer(monkeypatch, engines[name], index_name, query, sort, **caller)
                           for name in ("database", "elasticsearch"))
        answered += expected[0] != "refused" and expected[0] > 0
        if found != expected:
            found_differently.append(f"{query!r} sort={sort}: database {expected}, elasticsearch {found}")
    return found_differently, answered


@pytest.mark.parametrize("principals", READERS, ids=["anonymous", "owner", "staff"])
def test_both_backends_answer_random_queries_alike(engines, monkeypatch, principals):
    rng = random.Random(f"{SEED}-{principals}")

    found_differently, answered = differences(monkeypatch, engines, rng, PAPERS, "papers",
                                              principals=principals)

    assert found_differently == []
    assert answered >= 40  # the grammar mostly draws queries that find something


@pytest.mark.parametrize("who", [None, "owner", "other", "staff"])
def test_both_backends_answer_random_record_queries_alike(record_engines, monkeypatch, request, who):
    rng = random.Random(f"{SEED}-records-{who}")
    user = request.getfixturevalue(who) if who else None

    found_differently, answered = differences(monkeypatch, record_engines, rng, RECORDS, "records", user=user)

    assert found_differently == []
    assert answered >= 30
