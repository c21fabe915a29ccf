"""Rebuilding an Elasticsearch index behind its alias: the exact requests (a recording transport) and
the behaviour on a real node (RDM_SEARCH_URL; required in CI, see tests/conftest.py)."""

import copy
import json
import re
import uuid
from urllib.parse import parse_qsl, urlsplit

import pytest
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse
from elasticsearch import Elasticsearch

from rdm.search import indexer, search
from rdm.search.backends import get_search_backend, reset_backends
from rdm.search.backends.base import IndexedDocument
from rdm.search.backends.elasticsearch import (
    ElasticsearchSearchBackend,
    RebuildInProgress,
    document_class,
    es_body,
)

from .conftest import MemoryIndex

# Recording transport.


class RecordingNode(BaseNode):
    """Records requests and answers from ``responses`` ({(method, path): (status, body)}), else 200 {};
    an alias given when an index is created is then found by GET /_alias/<name>."""

    responses: dict = {}
    requests: list = []

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        url = urlsplit(target)
        payload = None
        if body:
            text = body.decode()
            lines = [json.loads(line) for line in text.splitlines() if line]
            payload = lines if url.path.endswith("_bulk") else lines[0]
        self.requests.append((method, url.path, dict(parse_qsl(url.query)), payload))
        if method == "PUT" and payload and "aliases" in payload:
            for alias in payload["aliases"]:
                self.responses[("GET", f"/_alias/{alias}")] = (200, {url.path[1:]: {"aliases": {alias: {}}}})
        status, answer = self.responses.get((method, url.path), (200, {}))
        if url.path.endswith("_bulk") and status == 200:
            answer = {"errors": False, "items": [{"index": {"status": 200}}] * (len(payload) // 2)}
        headers = HttpHeaders({"x-elastic-product": "Elasticsearch", "content-type": "application/json"})
        meta = ApiResponseMeta(status=status, http_version="1.1", headers=headers, duration=0.0,
                               node=self.config)
        return NodeApiResponse(meta, json.dumps(answer).encode())

    def close(self):
        pass


@pytest.fixture
def transport():
    RecordingNode.responses, RecordingNode.requests = {}, []
    client = Elasticsearch("http://es.test:9200", node_class=RecordingNode)
    backend = ElasticsearchSearchBackend({"CLIENT": client, "REBUILD_CHECK_INTERVAL": 0})
    backend.index = MemoryIndex()
    yield backend, RecordingNode
    client.close()


NEW_INDEX = re.compile(r"^/rdm-papers-\d{20}$")
MISSING = (404, {"error": "missing", "status": 404})


def doc(index, doc_id, title="Ocean"):
    index.add(doc_id, title=title, created="2024-01-01T00:00:00")
    return IndexedDocument(doc_id, index.objects[doc_id]["doc"], ["public"])


def test_rebuild_loads_a_new_index_then_swaps_the_alias_in_one_call(transport):
    backend, node = transport
    index = backend.index
    old = "rdm-papers-20250101000000000000"
    node.responses = {
        ("HEAD", "/_alias/rdm-papers-rebuilding"): MISSING,
        ("GET", "/_alias/rdm-papers"): (200, {old: {"aliases": {"rdm-papers": {}}}}),
    }
    document = doc(index, "a")

    with backend.rebuild_session(index):
        new = next(path for method, path, _, _ in node.requests if method == "PUT")[1:]
        node.requests.clear()
        backend.write(index, [document], ["gone"])
        loaded = list(node.requests)
        node.requests.clear()

    assert NEW_INDEX.match("/" + new)
    assert loaded == [
        ("PUT", "/_bulk", {"refresh": "false"}, [{"delete": {"_index": "rdm-papers", "_id": "gone"}}]),
        ("PUT", "/_bulk", {"refresh": "false", "require_alias": "true"}, [
            {"delete": {"_index": "rdm-papers-rebuilding", "_id": "gone"}},
            {"create": {"_index": "rdm-papers-rebuilding", "_id": "a"}}, es_body(index, document),
        ]),
    ]
    assert node.requests == [
        ("PUT", f"/{new}/_settings", {}, {"index": {"refresh_interval": None}}),
        ("POST", f"/{new}/_refresh", {}, None),
        ("POST", "/_aliases", {}, {"actions": [
            {"add": {"index": new, "alias": "rdm-papers"}},
            {"remove": {"index": "rdm-papers-20250101000000000000", "alias": "rdm-papers"}},
            {"remove": {"index": new, "alias": "rdm-papers-rebuilding"}},
        ]}),
        ("DELETE", "/rdm-papers-20250101000000000000", {"ignore_unavailable": "true"}, None),
    ]


def test_the_new_index_is_created_with_the_mapping_and_the_rebuilding_alias(transport):
    backend, node = transport
    node.responses = {
        ("HEAD", "/_alias/rdm-papers-rebuilding"): MISSING,
        ("GET", "/_alias/rdm-papers"): (200, {"rdm-papers-1": {"aliases": {"rdm-papers": {}}}}),
    }

    with pytest.raises(RuntimeError, match="stop"), backend.rebuild_session(backend.index):
        raise RuntimeError("stop")

    creates = [(path, body) for method, path, _, body in node.requests if method == "PUT"]
    assert len(creates) == 1
    path, body = creates[0]
    mapping = document_class(backend.index, path[1:], {})._doc_type.mapping.to_dict()
    assert body == {
        "aliases": {"rdm-papers-rebuilding": {}},
        "settings": {"number_of_replicas": 0, "refresh_interval": "-1"},
        "mappings": mapping,
    }


def test_a_failed_rebuild_deletes_its_index_and_leaves_the_alias_alone(transport):
    backend, node = transport
    node.responses = {
        ("HEAD", "/_alias/rdm-papers-rebuilding"): MISSING,
        ("GET", "/_alias/rdm-papers"): (200, {"rdm-papers-1": {"aliases": {"rdm-papers": {}}}}),
    }

    with pytest.raises(RuntimeError), backend.rebuild_session(backend.index):
        raise RuntimeError("database went away")

    new = next(path for method, path, _, _ in node.requests if method == "PUT")
    assert node.requests[-1] == ("DELETE", new, {"ignore_unavailable": "true"}, None)
    assert not [request for request in node.requests if request[1] == "/_aliases"]


def test_a_concrete_index_named_like_the_alias_is_replaced_in_the_same_alias_call(transport):
    backend, node = transport
    node.responses = {
        ("HEAD", "/_alias/rdm-papers-rebuilding"): MISSING,
        ("GET", "/_alias/rdm-papers"): MISSING,
    }

    with backend.rebuild_session(backend.index):
        new = next(path for method, path, _, _ in node.requests if method == "PUT")[1:]

    aliases = [body for _, path, _, body in node.requests if path == "/_aliases"]
    assert aliases == [{"actions": [
        {"add": {"index": new, "alias": "rdm-papers"}},
        {"remove_index": {"index": "rdm-papers"}},
        {"remove": {"index": new, "alias": "rdm-papers-rebuilding"}},
    ]}]
    assert node.requests[-1][1] == "/_aliases"  # nothing left to delete


def test_a_second_rebuild_is_refused_while_one_is_loading(transport):
    backend, node = transport
    node.responses = {("GET", "/_alias/rdm-papers-rebuilding"): (200, {"rdm-papers-7": {"aliases": {}}})}

    with pytest.raises(RebuildInProgress, match="already loading rdm-papers-7"):
        with backend.rebuild_session(backend.index):
            pass
    assert not [request for request in node.requests if request[0] == "PUT"]


def test_writes_during_another_process_rebuild_also_go_to_the_rebuilding_index(transport):
    backend, node = transport
    document = doc(backend.index, "a")

    backend.write(backend.index, [document], [])

    body = es_body(backend.index, document)
    assert [request[1:] for request in node.requests if request[0] != "HEAD"] == [
        ("/_bulk", {"refresh": "false"}, [{"index": {"_index": "rdm-papers", "_id": "a"}}, body]),
        ("/_bulk", {"refresh": "false", "require_alias": "true"},
         [{"index": {"_index": "rdm-papers-rebuilding", "_id": "a"}}, body]),
    ]


def test_without_a_rebuild_a_write_is_one_bulk_request(transport):
    backend, node = transport
    node.responses = {("HEAD", "/_alias/rdm-papers-rebuilding"): MISSING}

    backend.write(backend.index, [doc(backend.index, "a")], [])

    assert [request[:2] for request in node.requests if request[0] != "HEAD"] == [("PUT", "/_bulk")]


def test_the_first_index_is_a_timestamped_index_behind_the_alias(transport):
    backend, node = transport
    node.responses = {("HEAD", "/rdm-papers"): MISSING}

    backend.ensure_index(backend.index)

    method, path, _, body = node.requests[1]
    assert (method, NEW_INDEX.match(path) is not None, body["aliases"]) == ("PUT", True, {"rdm-papers": {}})


# A real node.

PREFIX = f"rdm-rebuild-{uuid.uuid4().hex[:8]}-"


@pytest.fixture
def node_settings(settings, db, elasticsearch_url):
    params = {
        "BACKEND": "rdm.search.backends.elasticsearch", "URL": elasticsearch_url, "INDEX_PREFIX": PREFIX,
        "REFRESH": True, "REBUILD_CHECK_INTERVAL": 0,
    }
    settings.RDM_SEARCH_BACKEND = "elasticsearch"
    settings.RDM_SEARCH_BACKENDS = {**settings.RDM_SEARCH_BACKENDS, "elasticsearch": params}
    reset_backends()
    client = Elasticsearch(elasticsearch_url)
    yield params
    client.indices.delete(index=f"{PREFIX}*", ignore_unavailable=True, expand_wildcards="all")
    client.close()
    reset_backends()


@pytest.fixture
def corpus(papers, node_settings):
    for number in range(1, 8):
        papers.add(f"d{number}", title=f"Ocean survey {number}")
    papers.index_all()
    return papers


def hit_ids(query="", **kwargs):
    return sorted(hit["id"] for hit in search("papers", query, **kwargs).hits)


def concrete_indexes(client) -> dict[str, list[str]]:
    """Every test index with its aliases."""
    found = client.indices.get(index=f"{PREFIX}*", expand_wildcards="all")
    return {name: sorted(info["aliases"]) for name, info in found.items()}


ALL = [f"d{number}" for number in range(1, 8)]


def test_searches_see_every_document_while_a_rebuild_runs_and_after_the_swap(corpus):
    client = get_search_backend().client
    before = concrete_indexes(client)
    seen = []

    def during_rebuild(done):
        seen.append((hit_ids(), sorted(concrete_indexes(client))))

    indexer.rebuild(corpus, chunk_size=2, progress=during_rebuild)

    after = concrete_indexes(client)
    assert len(seen) == 4
    assert all(ids == ALL for ids, _ in seen)
    assert all(len(names) == 2 for _, names in seen)  # the live index and the one being loaded
    assert list(before.values()) == [[f"{PREFIX}papers"]]
    assert list(after.values()) == [[f"{PREFIX}papers"]]
    assert set(after).isdisjoint(before)
    assert hit_ids() == ALL


def test_changes_written_by_another_process_during_a_rebuild_survive_the_swap(corpus, node_settings):
    other_process = ElasticsearchSearchBackend(node_settings)
    calls = []

    def during_rebuild(done):
        calls.append(done)
        if len(calls) == 2:  # d1..d4 are loaded; d5..d7 not yet
            corpus.add("late", title="Late arrival")
            corpus.objects["d1"]["doc"]["metadata"]["title"] = "Renamed survey"
            corpus.objects["d6"]["doc"]["metadata"]["title"] = "Renamed survey"
            changed = [indexer.build_document(corpus, corpus.objects[key]) for key in ("late", "d1", "d6")]
            del corpus.objects["d2"]
            other_process.write(corpus, changed, ["d2"])

    def load_then_change(ids, load=corpus.load):
        loaded = copy.deepcopy(load(ids))
        if "d5" in ids and "Fresher" not in str(corpus.objects["d5"]):
            # Changed (and written by a worker) after the rebuild read d5: its older copy must not win.
            corpus.objects["d5"]["doc"]["metadata"]["title"] = "Fresher survey"
            other_process.write(corpus, [indexer.build_document(corpus, corpus.objects["d5"])], [])
        return loaded

    corpus.load = load_then_change
    indexer.rebuild(corpus, chunk_size=2, progress=during_rebuild)

    assert hit_ids() == sorted(["d1", "d3", "d4", "d5", "d6", "d7", "late"])
    assert hit_ids("renamed") == ["d1", "d6"]
    assert hit_ids("fresher") == ["d5"]
    assert hit_ids("late") == ["late"]
    assert indexer.check(corpus).ok


def test_a_failing_rebuild_leaves_the_old_index_serving_and_no_stray_index(corpus, node_settings):
    client = get_search_backend().client
    before = concrete_indexes(client)
    slow_checker = ElasticsearchSearchBackend({**node_settings, "REBUILD_CHECK_INTERVAL": 60})
    corpus.broken.add("d5")

    def during_rebuild(done):
        slow_checker.write(corpus, [indexer.build_document(corpus, corpus.objects["d1"])], [])

    with pytest.raises(RuntimeError, match="cannot serialise d5"):
        indexer.rebuild(corpus, chunk_size=2, progress=during_rebuild)
    # It still believes a rebuild runs: its copy must fail quietly, not create an index.
    slow_checker.write(corpus, [indexer.build_document(corpus, corpus.objects["d3"])], [])

    assert concrete_indexes(client) == before
    assert hit_ids() == ALL


def test_a_rebuild_replaces_an_index_created_before_aliases(papers, node_settings):
    backend = get_search_backend()
    alias = backend.es_index(papers)
    document_class(papers, alias, {"number_of_replicas": 0}).init(using=backend.client)
    papers.add("old", title="Stored before")
    papers.index_all()
    assert concrete_indexes(backend.client) == {alias: []}

    indexer.rebuild(papers)

    (name, aliases), = concrete_indexes(backend.client).items()
    assert (name.startswith(f"{alias}-"), aliases) == (True, [alias])
    assert hit_ids() == ["old"]


def test_a_forked_rebuild_worker_opens_its_own_client(monkeypatch):
    backend = ElasticsearchSearchBackend({"URL": "http://es.test:9200"})
    parent_client = backend.client
    assert backend.client is parent_client

    monkeypatch.setattr("rdm.search.backends.elasticsearch.os.getpid", lambda: -1)

    assert backend.client is not parent_client
