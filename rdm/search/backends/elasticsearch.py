"""Elasticsearch 8 backend: the same index declarations as elasticsearch-dsl documents, the luqum tree
compiled to Query DSL, facets as filtered terms aggregations, writes through the bulk helper.

One ES alias per declaration (``<prefix><name>``) in front of a concrete index
``<prefix><name>-<UTC timestamp>``; a rebuild loads a fresh concrete index and swaps the alias (see
``rebuild_session``); the rebuilding process keeps a heartbeat on the index it loads, so a rebuild
left by a killed process can be told from a running one (``discard_stale_rebuild``). Each ES document
holds the declared fields,
``rdm_principals``, ``rdm_sort`` (one keyword per sortable field) and the stored document in
``rdm_document`` (not indexed). Text is tokenised once, in Python (``rdm.search.index.tokenize``), and
sent as space-separated lower-case tokens analysed by the built-in ``whitespace`` analyser: both
backends therefore see exactly the same tokens (and no analysis plugin is needed on the node).
Keyword and date fields are ``keyword``. Ranking is BM25 with the declared boosts.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from elasticsearch import Elasticsearch, NotFoundError, helpers
from elasticsearch_dsl import Document, Keyword, MetaField, Object, Text

from ..index import TEXT, Field, Index, token_strings
from .base import (
    BaseQueryCompiler,
    BaseSearchBackend,
    IndexedDocument,
    RebuildInProgress,
    SearchRequest,
    SearchResult,
    facet_buckets,
)

logger = logging.getLogger(__name__)

DOC_ID, PRINCIPALS, SORT, SOURCE = "rdm_doc_id", "rdm_principals", "rdm_sort", "rdm_document"
TEXT_ANALYZER = "whitespace"  # input is already tokenised and lower-cased by rdm.search.index.tokenize
SCROLL_CHUNK = 1000
REBUILDING_SUFFIX = "-rebuilding"  # the alias marking the concrete index a rebuild is loading
HEARTBEAT_META = "rdm_rebuild"  # key in the loading index's mapping ``_meta``: started, heartbeat, host, pid

@dataclass
class RebuildState:
    """A rebuild as the node shows it: the concrete index it loads, when it started, its last heartbeat
    (the index's creation until the first beat) and how many index operations the index received."""

    index: str
    started: datetime.datetime
    heartbeat: datetime.datetime
    documents: int
    owner: str = ""  # "host pid" of the rebuilding process, once it has beaten

    def heartbeat_age(self) -> float:
        return (datetime.datetime.now(datetime.UTC) - self.heartbeat).total_seconds()

    def describe(self) -> str:
        owner = f" by {self.owner}" if self.owner else ""
        return (f"{self.index}{owner}, started {self.started:%Y-%m-%d %H:%M:%S} UTC, {self.documents} "
                f"documents loaded, heartbeat {max(self.heartbeat_age(), 0):.0f}s ago")


@dataclass
class IndexLayout:
    """What ``rdm_index status`` shows for one index: the concrete index(es) behind the alias (``legacy``:
    the alias name is itself a concrete index) and the rebuilds loading, with their staleness limit."""

    alias: str
    live: list[str]
    legacy: bool
    rebuilds: list[RebuildState]
    stale_after: float


class Heartbeat:
    """Refreshes the loading index's ``_meta`` heartbeat every ``interval`` seconds, in a thread of the
    rebuilding process (so a slow chunk, or forked workers, never make a live rebuild look dead).
    ``lost`` turns true once the index is gone: a ``--force`` elsewhere judged this rebuild dead."""

    def __init__(self, client_of, index_name: str, interval: float):
        self.client_of, self.index_name, self.interval = client_of, index_name, interval
        self.meta = {"started": utc_now_iso(), "host": socket.gethostname(), "pid": os.getpid()}
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rebuild-heartbeat-{index_name}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.beat()

    def beat(self) -> None:
        meta = {HEARTBEAT_META: {**self.meta, "heartbeat": utc_now_iso()}}
        try:
            self.client_of().indices.put_mapping(index=self.index_name, meta=meta)
        except NotFoundError:
            self.lost = True
            self._stop.set()
        except Exception:  # noqa: BLE001 - the next beat tries again; staleness allows several misses
            logger.warning("Rebuild heartbeat on %s failed.", self.index_name, exc_info=True)


def utc_now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


def document_class(index: Index, es_index_name: str, settings: dict | None = None) -> type[Document]:
    """An elasticsearch-dsl ``Document`` class mapping ``index``'s declaration."""
    attrs = {
        DOC_ID: Keyword(),
        PRINCIPALS: Keyword(),
        SOURCE: Object(enabled=False),
        SORT: Object(properties={f.name: Keyword() for f in index.fields if f.sortable}),
    }
    for field in index.fields:
        attrs[field.name] = Text(analyzer=TEXT_ANALYZER) if field.kind == TEXT else Keyword()
        if field.kind != TEXT and field.searchable:
            attrs[text_target(field)] = Text(analyzer=TEXT_ANALYZER)
    attrs["Index"] = type("Index", (), {"name": es_index_name, "settings": settings or {}})
    attrs["Meta"] = type("Meta", (), {"dynamic": MetaField("strict")})
    return type(f"{index.name.title().replace('-', '')}Document", (Document,), attrs)


def text_target(field: Field) -> str:
    """The ES text field holding ``field``'s tokens (a searchable keyword field gets a companion)."""
    return field.name if field.kind == TEXT else f"{field.name}_text"


def es_body(index: Index, doc: IndexedDocument) -> dict:
    """The ES ``_source`` for one indexed document."""
    body = {DOC_ID: doc.doc_id, PRINCIPALS: sorted(set(doc.principals)), SOURCE: doc.document, SORT: {}}
    for field in index.fields:
        found, sort_value = field.read(doc.document)
        values = list(dict.fromkeys(found))
        if values and field.kind == TEXT:
            body[field.name] = token_strings(values)
        elif values:
            body[field.name] = values
            if field.searchable and (tokens := token_strings(values)):
                body[text_target(field)] = tokens
        if sort_value is not None:
            body[SORT][field.name] = sort_value
    return body


class ElasticsearchQueryCompiler(BaseQueryCompiler):
    """Compiles the tree to a Query DSL dict."""

    def _match_all(self):
        return {"match_all": {}}

    def _match_none(self):
        return {"match_none": {}}

    def _match_exists(self, field: Field):
        return {"exists": {"field": field.name}}

    def _match_text(self, field: Field | None, tokens: list[str]):
        if not tokens:
            return self._match_none()
        if field is not None and field.kind != TEXT:
            return self._match_keyword(field, " ".join(tokens))
        if field is not None:
            return self._field_text(text_target(field), tokens, None)
        clauses = [self._field_text(text_target(f), tokens, f.boost) for f in self.index.searchable_fields()]
        return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}

    def _field_text(self, target: str, tokens: list[str], boost: float | None) -> dict:
        extra = {"boost": boost} if boost and boost != 1 else {}
        if not any("*" in token or "?" in token for token in tokens):
            return {"match_phrase": {target: {"query": " ".join(tokens), **extra}}}
        if len(tokens) == 1:
            return {"wildcard": {target: {"value": tokens[0], **extra}}}
        clauses = [self._span(target, token) for token in tokens]
        return {"span_near": {"clauses": clauses, "slop": 0, "in_order": True, **extra}}

    def _span(self, target: str, token: str) -> dict:
        if "*" in token or "?" in token:
            return {"span_multi": {"match": {"wildcard": {target: {"value": token}}}}}
        return {"span_term": {target: {"value": token}}}

    def _match_fuzzy(self, field: Field | None, token: str, distance: int):
        def fuzzy(target: str, boost: float | None) -> dict:
            extra = {"boost": boost} if boost and boost != 1 else {}
            options = {"fuzziness": distance, "prefix_length": 0, "transpositions": True}
            return {"fuzzy": {target: {"value": token, **options, **extra}}}

        return self._per_field(field, fuzzy)

    def _match_proximity(self, field: Field | None, tokens: list[str], slop: int):
        # What query_string makes of "a b"~N: a sloppy PhraseQuery (span_near with in_order false
        # counts differently: "b a" would match with slop 0).
        def phrase(target: str, boost: float | None) -> dict:
            extra = {"boost": boost} if boost and boost != 1 else {}
            return {"match_phrase": {target: {"query": " ".join(tokens), "slop": slop, **extra}}}

        return self._per_field(field, phrase)

    def _per_field(self, field: Field | None, clause) -> dict:
        if field is not None:
            return clause(text_target(field), None)
        clauses = [clause(text_target(f), f.boost) for f in self.index.searchable_fields()]
        return clauses[0] if len(clauses) == 1 else {"bool": {"should": clauses, "minimum_should_match": 1}}

    def _match_keyword(self, field: Field, value: str):
        return {"term": {field.name: {"value": value}}}

    def _match_keyword_pattern(self, field: Field, pattern: str):
        return {"wildcard": {field.name: {"value": pattern}}}

    def _match_range(self, field: Field, bounds: dict[str, str]):
        return {"range": {field.name: dict(bounds)}}

    def _and(self, parts):
        must = [part for part in parts if "_negated" not in part]
        must_not = [part["_negated"] for part in parts if "_negated" in part]
        return self._bool(must=must, must_not=must_not)

    def _or(self, parts):
        return {"bool": {"should": [self._plain(part) for part in parts], "minimum_should_match": 1}}

    def _not(self, part):
        # Kept as a marker so "a AND NOT b" becomes one bool with must_not; _plain() resolves it elsewhere.
        return {"_negated": self._plain(part)}

    def _boost(self, part, boost: float):
        return {"bool": {"must": [self._plain(part)], "boost": boost}}

    def _plain(self, part: dict) -> dict:
        return {"bool": {"must_not": [part["_negated"]]}} if "_negated" in part else part

    def _bool(self, *, must, must_not) -> dict:
        body = {}
        if must:
            body["must"] = [self._plain(part) for part in must]
        if must_not:
            body["must_not"] = must_not
        return {"bool": body}

    def compile(self, tree):
        return self._plain(super().compile(tree))


class ElasticsearchSearchBackend(BaseSearchBackend):
    name = "elasticsearch"
    query_compiler_class = ElasticsearchQueryCompiler

    def __init__(self, params: dict | None = None):
        super().__init__(params)
        self.url = self.params.get("URL", "http://127.0.0.1:9200")
        self.prefix = self.params.get("INDEX_PREFIX", "rdm-")
        self.refresh = self.params.get("REFRESH", False)
        self.index_settings = self.params.get("INDEX_SETTINGS", {"number_of_replicas": 0})
        # How long a write may trust its last look for a running rebuild; a rebuild waits as long
        # before loading, so no write it must see can go to the live index alone.
        self.rebuild_check_interval = float(self.params.get("REBUILD_CHECK_INTERVAL", 2.0))
        # A rebuild refreshes its heartbeat this often; one whose heartbeat is older than
        # REBUILD_STALE_AFTER (several missed beats, plus room for clock skew) is taken for dead.
        self.heartbeat_interval = float(self.params.get("REBUILD_HEARTBEAT_INTERVAL", 10.0))
        self.stale_after = float(self.params.get("REBUILD_STALE_AFTER", 6 * self.heartbeat_interval))
        self._heartbeats: dict[str, Heartbeat] = {}  # index name -> this process's running rebuild
        self._client = self.params.get("CLIENT")
        self._client_pid = os.getpid()
        self._ready: set[str] = set()
        self._rebuild_seen: dict[str, tuple[float, bool]] = {}  # index name -> (checked at, running)
        self._loading: set[str] = set()  # indexes whose rebuild this process is loading

    @property
    def client(self) -> Elasticsearch:
        if self._client is not None and self._client_pid != os.getpid() and "CLIENT" not in self.params:
            # A forked rebuild worker must not share the parent's pooled sockets.
            self._client = None
        if self._client is None:
            self._client = Elasticsearch(self.url, request_timeout=self.params.get("TIMEOUT", 30))
            self._client_pid = os.getpid()
        return self._client

    def es_index(self, index: Index) -> str:
        """The alias searches and writes use."""
        return f"{self.prefix}{index.name}"

    def rebuilding_alias(self, index: Index) -> str:
        return f"{self.es_index(index)}{REBUILDING_SUFFIX}"

    def ensure_index(self, index: Index) -> None:
        name = self.es_index(index)
        if name not in self._ready:
            if not self.client.indices.exists(index=name):
                self._create_first_index(index)
            self._ready.add(name)

    def _create_first_index(self, index: Index) -> None:
        alias = self.es_index(index)
        created = self._create_concrete_index(index, {alias: {}})
        behind = sorted(self.client.indices.get_alias(name=alias))
        if len(behind) > 1 and created != behind[0]:
            # Another process created one at the same moment: the oldest name stays.
            self.client.indices.delete(index=created, ignore_unavailable=True)

    def _create_concrete_index(self, index: Index, aliases: dict, settings: dict | None = None) -> str:
        name = f"{self.es_index(index)}-{datetime.datetime.now(datetime.UTC):%Y%m%d%H%M%S%f}"
        body = document_class(index, name, {**self.index_settings, **(settings or {})})._index.to_dict()
        self.client.indices.create(index=name, aliases=aliases, **body)
        return name

    def live_indices(self, index: Index) -> tuple[list[str], bool]:
        """The concrete indexes behind the alias, and whether the alias name is itself a concrete index
        (set up before aliases were used)."""
        alias = self.es_index(index)
        try:
            return sorted(self.client.indices.get_alias(name=alias)), False
        except NotFoundError:
            return ([alias], True) if self.client.indices.exists(index=alias) else ([], False)

    # Searching.

    def search(self, request: SearchRequest) -> SearchResult:
        self.ensure_index(request.index)
        response = self.client.search(index=self.es_index(request.index), body=self.search_body(request))
        hits = [hit["_source"][SOURCE] for hit in response["hits"]["hits"]]
        return SearchResult(
            hits=hits,
            total=response["hits"]["total"]["value"],
            aggregations=self._aggregations(response.get("aggregations", {}), request),
            page=request.page,
            size=request.size,
        )

    def search_body(self, request: SearchRequest) -> dict:
        """The exact request body for ``request`` (tests assert it)."""
        index = request.index
        facet_fields = {facet.field for facet in index.facets} if request.facets else set()
        plain = {name: values for name, values in request.filters.items() if name not in facet_fields}
        faceted = {name: values for name, values in request.filters.items() if name in facet_fields}
        body = {
            "query": {
                "bool": {
                    "must": [self.query_compiler_class(index).compile(request.tree)],
                    "filter": [{"terms": {PRINCIPALS: list(request.principals)}}, *terms_filters(plain)],
                }
            },
            "sort": self._sort(request),
            "from": request.offset,
            "size": request.size,
            "track_total_hits": True,
            "_source": [SOURCE],
        }
        if faceted:
            body["post_filter"] = {"bool": {"filter": terms_filters(faceted)}}
        if request.facets and index.facets:
            body["aggs"] = {facet.field: self._facet_agg(facet, faceted) for facet in index.facets}
        return body

    def _facet_agg(self, facet, faceted: dict[str, list[str]]) -> dict:
        """Counts under every selected facet value except the facet's own (as the database backend)."""
        order = [{"_count": "desc"}, {"_key": "asc"}]
        return {
            "filter": {"bool": {"filter": terms_filters(faceted, exclude=facet.field)}},
            "aggs": {"values": {"terms": {"field": facet.field, "size": facet.size, "order": order}}},
        }

    def _sort(self, request: SearchRequest) -> list:
        sort = []
        for key, direction in request.sort:
            if key == "_score":
                if request.tree is not None:
                    sort.append({"_score": {"order": "desc"}})
            else:
                sort.append({f"{SORT}.{key}": {"order": direction, "missing": "_last"}})
        return [*sort, {DOC_ID: {"order": "asc"}}]

    def _aggregations(self, raw: dict, request: SearchRequest) -> dict:
        if not request.facets:
            return {}
        aggregations = {}
        for facet in request.index.facets:
            buckets = raw.get(facet.field, {}).get("values", {}).get("buckets", [])
            counts = [(bucket["key"], bucket["doc_count"]) for bucket in buckets]
            aggregations[facet.field] = facet_buckets(facet, counts, request.filters.get(facet.field, []))
        return aggregations

    # Writing.

    def write(self, index: Index, documents: list[IndexedDocument], delete_ids: list[str]) -> None:
        self.ensure_index(index)
        if not (documents or delete_ids):
            return
        if index.name in self._loading:
            return self._load(index, documents, delete_ids)
        actions = bulk_actions(index, self.es_index(index), documents, delete_ids)
        # 404: deleting a document that was never indexed is fine.
        helpers.bulk(self.client, actions, refresh=self.refresh, ignore_status=(404,))
        if self._rebuild_running(index):
            self._write_rebuilding(index, bulk_actions(index, self.rebuilding_alias(index), documents,
                                                       delete_ids))

    def _load(self, index: Index, documents: list[IndexedDocument], delete_ids: list[str]) -> None:
        """A rebuild's own bulk load: "create", so a newer copy another process wrote while the rebuild
        ran (a queued change) is never replaced by the state this load read earlier (409: skipped)."""
        self._check_not_taken_over(index)
        if delete_ids:
            live = bulk_actions(index, self.es_index(index), [], delete_ids)
            helpers.bulk(self.client, live, refresh=self.refresh, ignore_status=(404,))
        actions = bulk_actions(index, self.rebuilding_alias(index), documents, delete_ids, op_type="create")
        self._write_rebuilding(index, actions, ignore=(404, 409))

    def _write_rebuilding(self, index: Index, actions: list[dict], ignore=(404,)) -> None:
        # Through the alias with require_alias: once the rebuild ends (swapped or dropped) these writes
        # fail with 404 instead of creating a stray index.
        helpers.bulk(self.client, actions, refresh=self.refresh, require_alias=True, ignore_status=ignore)

    def _rebuild_running(self, index: Index) -> bool:
        now = time.monotonic()
        checked_at, running = self._rebuild_seen.get(index.name, (None, False))
        if checked_at is None or now - checked_at >= self.rebuild_check_interval:
            running = bool(self.client.indices.exists_alias(name=self.rebuilding_alias(index)))
            self._rebuild_seen[index.name] = (now, running)
        return running

    @contextmanager
    def rebuild_session(self, index: Index):
        """Load a fresh concrete index while the alias keeps serving the current one, then swap.

        The new index carries the ``<alias>-rebuilding`` alias, so every process's ``write`` also sends
        its changes there; the writes inside the session (the rebuild's load) go to it alone. On success
        the alias moves to the new index in one atomic ``_aliases`` call and the old index is deleted;
        on failure the new index is deleted and the live one is untouched.
        """
        self.ensure_index(index)
        marker = self.rebuilding_alias(index)
        if self.client.indices.exists_alias(name=marker):
            raise RebuildInProgress(self._already_loading(index))
        old, legacy = self.live_indices(index)
        new = self._create_concrete_index(index, {marker: {}}, {"refresh_interval": "-1"})
        holders = sorted(self.client.indices.get_alias(name=marker))
        if holders[0] != new:  # another rebuild started at the same moment and goes on alone
            self.client.indices.delete(index=new, ignore_unavailable=True)
            raise RebuildInProgress(f"A rebuild of {self.es_index(index)} is already loading {holders[0]}.")
        heartbeat = Heartbeat(lambda: self.client, new, self.heartbeat_interval)
        self._heartbeats[index.name] = heartbeat
        heartbeat.start()
        try:
            time.sleep(self.rebuild_check_interval)  # writers' cached "no rebuild" answers run out
            self._loading.add(index.name)
            try:
                yield
            finally:
                self._loading.discard(index.name)
            self._check_not_taken_over(index)
            self._publish(index, new, old, legacy)
        except BaseException:
            self.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        finally:
            heartbeat.stop()
            self._heartbeats.pop(index.name, None)
        if not legacy and old:
            # After the swap: a failure here leaves an unused index behind, never a missing one.
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True)

    def _check_not_taken_over(self, index: Index) -> None:
        heartbeat = self._heartbeats.get(index.name)
        if heartbeat is not None and heartbeat.lost:
            raise RebuildInProgress(f"The index this rebuild of {self.es_index(index)} was loading, "
                                    f"{heartbeat.index_name}, was removed (`rdm_index rebuild --force`?).")

    def _already_loading(self, index: Index) -> str:
        states = self.rebuilds_in_progress(index)
        loading = "; ".join(state.describe() for state in states) or "an index"
        return (f"A rebuild of {self.es_index(index)} is already loading {loading}. If that process is gone, "
                f"`manage.py rdm_index rebuild --index {index.name} --force` removes its index once the "
                f"heartbeat is older than {self.stale_after:.0f}s.")

    def rebuilds_in_progress(self, index: Index) -> list[RebuildState]:
        """The rebuilds loading ``index`` (normally none or one), as the node shows them now."""
        try:
            names = sorted(self.client.indices.get_alias(name=self.rebuilding_alias(index)))
        except NotFoundError:
            return []
        if not names:
            return []
        found = self.client.indices.get(index=",".join(names), ignore_unavailable=True)
        try:
            stats = self.client.indices.stats(index=",".join(found), metric="indexing") if found else {}
        except NotFoundError:  # removed in between
            stats = {}
        # An index missing from the answer counts as just created: never judged stale on no evidence.
        return [rebuild_state(name, found.get(name, {}), stats.get("indices", {}).get(name, {}))
                for name in names]

    def rebuild_status(self, index: Index) -> IndexLayout:
        live, legacy = self.live_indices(index)
        return IndexLayout(self.es_index(index), live, legacy, self.rebuilds_in_progress(index),
                           self.stale_after)

    def discard_stale_rebuild(self, index: Index) -> list[RebuildState]:
        """Delete the index (and with it the rebuilding alias) of a rebuild whose heartbeat is older than
        ``stale_after``: its process died. Raises ``RebuildInProgress`` (touching nothing) while any
        rebuild's heartbeat is fresher. Deletes by concrete name, so a rebuild that starts meanwhile is
        never hit."""
        states = self.rebuilds_in_progress(index)
        running = [state for state in states if state.heartbeat_age() < self.stale_after]
        if running:
            raise RebuildInProgress(f"A rebuild of {self.es_index(index)} is running: "
                                    f"{'; '.join(state.describe() for state in running)} "
                                    f"(taken for dead after {self.stale_after:.0f}s).")
        for state in states:
            logger.warning("Removing the stale rebuild index %s.", state.describe())
            self.client.indices.delete(index=state.index, ignore_unavailable=True)
        return states

    def _publish(self, index: Index, new: str, old: list[str], legacy: bool) -> None:
        """Make ``new`` searchable and move the alias to it atomically."""
        refresh = self.index_settings.get("refresh_interval")
        self.client.indices.put_settings(index=new, settings={"index": {"refresh_interval": refresh}})
        self.client.indices.refresh(index=new)
        self.client.indices.update_aliases(actions=swap_actions(self.es_index(index), new, old, legacy,
                                                                self.rebuilding_alias(index)))

    def clear(self, index: Index) -> None:
        old, _ = self.live_indices(index)
        if old:
            self.client.indices.delete(index=",".join(old), ignore_unavailable=True)
        self._ready.discard(self.es_index(index))
        self.ensure_index(index)

    def count(self, index: Index) -> int:
        self.ensure_index(index)
        return self.client.count(index=self.es_index(index))["count"]

    def iter_doc_ids(self, index: Index, chunk_size: int = SCROLL_CHUNK):
        self.ensure_index(index)
        after = None
        while True:
            body = {"size": chunk_size, "sort": [{DOC_ID: "asc"}], "_source": False, "fields": [DOC_ID]}
            if after is not None:
                body["search_after"] = after
            hits = self.client.search(index=self.es_index(index), body=body)["hits"]["hits"]
            if not hits:
                return
            yield [hit["fields"][DOC_ID][0] for hit in hits]
            after = hits[-1]["sort"]

    def get_documents(self, index: Index, ids: list[str]) -> dict[str, IndexedDocument]:
        self.ensure_index(index)
        try:
            response = self.client.mget(index=self.es_index(index), ids=ids, source=[SOURCE, PRINCIPALS])
        except NotFoundError:
            return {}
        found = [(doc["_id"], doc["_source"]) for doc in response["docs"] if doc.get("found")]
        return {key: IndexedDocument(key, src[SOURCE], sorted(src[PRINCIPALS])) for key, src in found}


def rebuild_state(name: str, info: dict, stats: dict) -> RebuildState:
    """A ``RebuildState`` from ``GET /<index>`` and its indexing stats; until the first heartbeat (or for
    an index a version without heartbeats left) the node's creation time stands in."""
    created_ms = info.get("settings", {}).get("index", {}).get("creation_date")
    created = (datetime.datetime.fromtimestamp(int(created_ms) / 1000, datetime.UTC) if created_ms
               else datetime.datetime.now(datetime.UTC))
    meta = info.get("mappings", {}).get("_meta", {}).get(HEARTBEAT_META, {})
    owner = f"{meta['host']} pid {meta['pid']}" if meta.get("host") and meta.get("pid") else ""
    return RebuildState(
        index=name,
        started=parse_time(meta.get("started"), created),
        heartbeat=parse_time(meta.get("heartbeat"), created),
        documents=stats.get("primaries", {}).get("indexing", {}).get("index_total", 0),
        owner=owner,
    )


def parse_time(value: str | None, default: datetime.datetime) -> datetime.datetime:
    try:
        parsed = datetime.datetime.fromisoformat(value) if value else default
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def terms_filters(filters: dict[str, list[str]], *, exclude: str | None = None) -> list[dict]:
    return [{"terms": {name: list(values)}} for name, values in filters.items() if name != exclude]


def bulk_actions(
    index: Index, es_index: str, documents: list[IndexedDocument], delete_ids: list[str],
    op_type: str = "index",
) -> list[dict]:
    """Bulk helper actions: deletes first, then full-document index (or create) operations."""
    actions = [{"_op_type": "delete", "_index": es_index, "_id": doc_id} for doc_id in delete_ids]
    actions += [
        {"_op_type": op_type, "_index": es_index, "_id": doc.doc_id, "_source": es_body(index, doc)}
        for doc in documents
    ]
    return actions


def swap_actions(alias: str, new: str, old: list[str], legacy: bool, marker: str) -> list[dict]:
    """One atomic ``_aliases`` call: ``alias`` leaves ``old`` for ``new``, the rebuilding mark goes.
    A concrete index named like the alias (``legacy``) is dropped by ``remove_index`` in the same
    call, so even then no search finds the alias missing."""
    actions = [{"add": {"index": new, "alias": alias}}]
    if legacy:
        actions += [{"remove_index": {"index": name}} for name in old]
    else:
        actions += [{"remove": {"index": name, "alias": alias}} for name in old]
    return [*actions, {"remove": {"index": new, "alias": marker}}]


SearchBackend = ElasticsearchSearchBackend
