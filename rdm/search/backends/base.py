"""Contracts every search backend implements, and the tree walker they share.

A backend receives the normalised luqum tree from ``rdm.search.query.parse_query`` and compiles it
through ``BaseQueryCompiler``: the walker handles the structure (operators, groups, fields, dates) and
calls a small set of hooks (``_match_text``, ``_match_keyword``, ``_match_range``...) that each backend
implements in its own terms (ORM ``Q`` objects, Query DSL dicts).
"""

from __future__ import annotations

import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

from luqum import tree as lq

from ..index import DATE, KEYWORD, TEXT, Field, Index, period_end, period_start, tokenize
from ..query import WILDCARDS, QueryError, has_wildcard, is_match_all, term_value


@dataclass
class IndexedDocument:
    """What the indexer hands to a backend: the document and who may read it."""

    doc_id: str
    document: dict
    principals: list[str]


@dataclass
class SearchRequest:
    """A checked search: the parsed tree plus validated filters, sort keys and page window."""

    index: Index
    tree: lq.Item | None
    principals: list[str]
    filters: dict[str, list[str]] = field(default_factory=dict)
    facets: bool = True
    sort: tuple[tuple[str, str], ...] = ()
    page: int = 1
    size: int = 10

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


@dataclass
class SearchResult:
    """Hits (the stored documents), the total number of matches, and facet counts.

    ``aggregations`` follows InvenioRDM: ``{"resource_type": {"label": ..., "buckets": [{"key": ...,
    "doc_count": N, "label": ..., "is_selected": bool}]}}``.
    """

    hits: list[dict]
    total: int
    aggregations: dict = field(default_factory=dict)
    page: int = 1
    size: int = 10
    sort: str = ""
    query: str = ""


def facet_buckets(facet, counts: list[tuple[str, int]], selected: list[str],
                  labels: dict[str, str] | None = None) -> dict:
    """The facet as the API shows it; ``labels`` of the counted values when known (else looked up)."""
    if labels is None:
        labels = facet_labels(facet, counts)
    return {
        "label": facet.label,
        "buckets": [
            {
                "key": value, "doc_count": count, "label": labels.get(value, value),
                "is_selected": value in selected,
            }
            for value, count in counts
        ],
    }


def facet_labels(facet, counts: list[tuple[str, int]]) -> dict[str, str]:
    return facet.labels([value for value, _ in counts]) if facet.labels else {}


def facets_labels(facets, found: dict[str, list[tuple[str, int]]]) -> dict[str, dict[str, str]]:
    """The labels of several facets' counted values, by facet field. Facets whose ``labels`` carry the
    same ``batch`` function (``(function, key)``: ``function({key: values})`` -> ``{key: labels}``, e.g.
    titles of several vocabularies) are looked up together, in one query rather than one each."""
    labels: dict[str, dict[str, str]] = {}
    batches: dict = {}
    for facet in facets:
        counts = found.get(facet.field, [])
        batch = getattr(facet.labels, "batch", None)
        if batch is None:
            labels[facet.field] = facet_labels(facet, counts)
            continue
        function, key = batch
        wanted = batches.setdefault(function, {"keys": {}, "values": {}})
        wanted["keys"][facet.field] = key
        wanted["values"].setdefault(key, set()).update(value for value, _ in counts)
    for function, wanted in batches.items():
        resolved = function(wanted["values"])
        for facet_field, key in wanted["keys"].items():
            labels[facet_field] = resolved.get(key, {})
    return labels


class BaseQueryCompiler:
    """Compiles a normalised luqum tree for one index. Subclasses implement the ``_match_*`` hooks."""

    def __init__(self, index: Index):
        self.index = index

    def compile(self, tree: lq.Item | None):
        return self._match_all() if tree is None else self._compile(tree, None)

    def _compile(self, node: lq.Item, field: Field | None):
        if isinstance(node, lq.AndOperation):
            return self._and([self._compile(child, field) for child in node.operands])
        if isinstance(node, lq.OrOperation):
            return self._or([self._compile(child, field) for child in node.operands])
        if isinstance(node, (lq.Not, lq.Prohibit)):
            return self._not(self._compile(node.a, field))
        if isinstance(node, lq.Plus):
            return self._compile(node.a, field)
        if isinstance(node, lq.BaseGroup):
            return self._compile(node.expr, field)
        if isinstance(node, lq.Boost):
            return self._boost(self._compile(node.expr, field), float(node.force))
        if isinstance(node, lq.SearchField):
            return self._compile(node.expr, self.index.get_field(node.name))
        return self._compile_term(node, field)

    def _compile_term(self, node: lq.Item, field: Field | None):
        if isinstance(node, (lq.Range, lq.From, lq.To)):
            return self._compile_range(node, field)
        if is_match_all(node):
            return self._match_all() if field is None else self._match_exists(field)
        if isinstance(node, lq.Fuzzy):
            return self._compile_fuzzy(node, field)
        if isinstance(node, lq.Proximity):
            return self._compile_proximity(node, field)
        if field is not None and field.kind == DATE:
            return self._compile_date(node, field)
        if field is not None and field.kind == KEYWORD:
            value = term_value(node)
            if has_wildcard(node):
                return self._match_keyword_pattern(field, node.value)
            return self._match_keyword(field, value)
        return self._match_text(field, self._tokens(node))

    def _tokens(self, node: lq.Term) -> list[str]:
        if has_wildcard(node):
            return _wildcard_tokens(node.value)
        return tokenize(term_value(node))

    def _compile_fuzzy(self, node: lq.Fuzzy, field: Field | None):
        """``word~N``: tokens within N edits (the parser has made N 0, 1 or 2). Keyword and date fields,
        wildcards and words of several tokens (``foo-bar~``) match exactly, as without the ``~``."""
        distance = int(node.degree)
        if distance == 0 or (field is not None and field.kind != TEXT) or has_wildcard(node.term):
            return self._compile_term(node.term, field)
        tokens = tokenize(term_value(node.term))
        if len(tokens) != 1:
            return self._compile_term(node.term, field)
        return self._match_fuzzy(field, tokens[0], distance)

    def _compile_proximity(self, node: lq.Proximity, field: Field | None):
        """``"a b c"~N``: Lucene's sloppy phrase (see ``_match_proximity``); ~0 is the exact phrase."""
        slop = int(node.degree)
        tokens = tokenize(term_value(node.term))
        if slop == 0 or len(tokens) < 2 or (field is not None and field.kind != TEXT):
            return self._compile_term(node.term, field)
        return self._match_proximity(field, tokens, slop)

    def _compile_date(self, node: lq.Term, field: Field):
        if has_wildcard(node):
            return self._match_keyword_pattern(field, node.value)
        value = term_value(node)
        return self._match_range(field, {"gte": period_start(value), "lte": period_end(value)})

    def _compile_range(self, node, field: Field):
        if isinstance(node, lq.Range):
            bounds = {}
            bounds.update(self._bound(node.low, field, low=True, inclusive=node.include_low))
            bounds.update(self._bound(node.high, field, low=False, inclusive=node.include_high))
        else:
            bounds = self._bound(node.a, field, low=isinstance(node, lq.From), inclusive=node.include)
        return self._match_range(field, bounds) if bounds else self._match_exists(field)

    def _bound(self, node: lq.Term, field: Field, *, low: bool, inclusive: bool) -> dict:
        if is_match_all(node):
            return {}
        value = term_value(node)
        if field.kind == DATE:
            # A period bound covers the whole period: [2019 TO 2020] ends on 2020-12-31, {2019 TO ...
            # starts after 2019-12-31.
            value = period_start(value) if low == inclusive else period_end(value)
        operator = ("gt", "gte", "lt", "lte")[(0 if low else 2) + (1 if inclusive else 0)]
        return {operator: value}

    # Hooks.

    def _match_all(self):
        raise NotImplementedError

    def _match_none(self):
        raise NotImplementedError

    def _match_exists(self, field: Field):
        raise NotImplementedError

    def _match_text(self, field: Field | None, tokens: list[str]):
        """Consecutive ``tokens`` in ``field`` (any searchable field if None); tokens may hold * and ?."""
        raise NotImplementedError

    def _match_fuzzy(self, field: Field | None, token: str, distance: int):
        """A token within ``distance`` (1 or 2) edits of ``token``: Damerau-Levenshtein as Lucene counts
        it (insertion, deletion, substitution, transposition of adjacent characters; no character edited
        twice), no fixed prefix; in ``field``, or any searchable field if None."""
        raise NotImplementedError

    def _match_proximity(self, field: Field | None, tokens: list[str], slop: int):
        """Lucene's sloppy phrase within one value: positions p_i of the tokens (distinct, any order)
        with max(p_i - i) - min(p_i - i) <= ``slop``; "a b"~1 allows one word between, "b a" needs ~2."""
        raise NotImplementedError

    def _match_keyword(self, field: Field, value: str):
        raise NotImplementedError

    def _match_keyword_pattern(self, field: Field, pattern: str):
        raise NotImplementedError

    def _match_range(self, field: Field, bounds: dict[str, str]):
        """``bounds`` has any of gt/gte/lt/lte; dates are already ``YYYY-MM-DD``."""
        raise NotImplementedError

    def _and(self, parts: list):
        raise NotImplementedError

    def _or(self, parts: list):
        raise NotImplementedError

    def _not(self, part):
        raise NotImplementedError

    def _boost(self, part, boost: float):
        return part


def _wildcard_tokens(value: str) -> list[str]:
    """Tokens of a word with wildcards, keeping ``*`` and ``?`` inside tokens: ``Foo-ba*`` -> foo, ba*."""
    value = unicodedata.normalize("NFKC", value)
    cleaned = "".join(char if char in WILDCARDS or char.isalnum() or char == "_" else " " for char in value)
    tokens = [token.casefold() for token in cleaned.split()]
    if not tokens:
        raise QueryError(f"The wildcard query is empty: {value}")
    return tokens


class RebuildInProgress(RuntimeError):
    """Another rebuild of the index is loading (or one crashed and left its index behind)."""


class BaseSearchBackend:
    """A search engine. ``params`` come from the ``RDM_SEARCH_BACKENDS`` entry (minus ``BACKEND``)."""

    name = ""

    def __init__(self, params: dict | None = None):
        self.params = params or {}

    def search(self, request: SearchRequest) -> SearchResult:
        raise NotImplementedError

    def write(self, index: Index, documents: list[IndexedDocument], delete_ids: list[str]) -> None:
        """Insert or replace ``documents`` and remove ``delete_ids``, in bulk."""
        raise NotImplementedError

    def clear(self, index: Index) -> None:
        raise NotImplementedError

    def count(self, index: Index) -> int:
        raise NotImplementedError

    def iter_doc_ids(self, index: Index, chunk_size: int = 1000):
        """Every stored id of ``index``, in chunks (for ``rdm_index check``)."""
        raise NotImplementedError

    def get_documents(self, index: Index, ids: list[str]) -> dict[str, IndexedDocument]:
        raise NotImplementedError

    @contextmanager
    def rebuild_session(self, index: Index):
        """Wraps a full rebuild of ``index`` (``rdm.search.indexer.rebuild``): the writes inside load
        every document, while searches keep using the current documents. A backend that upserts in
        place (the database) needs nothing; Elasticsearch loads a fresh index and swaps an alias."""
        yield

    def forget_written(self, index: Index, ids: list[str]) -> None:
        """Make the next write of ``ids`` rewrite them even where they look up to date (``check`` found
        them stale). Nothing to do for backends that always rewrite."""

    def miscounted(self, index: Index) -> list[str]:
        """The counts this backend maintains for ``index`` that differ from its stored documents (``rdm_index
        check``); none for a backend that counts on every search."""
        return []

    def recount(self, index: Index) -> None:
        """Derive the counts this backend maintains for ``index`` from its stored documents again
        (``rdm_index recount``). Nothing to do for a backend that counts on every search."""

    @contextmanager
    def batch_session(self):
        """Wraps the many batches one process writes in a row (a rebuild part, a drain run): what a
        backend learns writing one batch may spare work in the next. Nothing by default."""
        yield

    def rebuild_status(self, index: Index):
        """Where ``index`` is stored and any rebuild loading it (``rdm_index status``); None when the
        backend has nothing to add (the database rebuilds in place)."""
        return None

    def discard_stale_rebuild(self, index: Index) -> list:
        """Remove what a rebuild that died left behind (``rdm_index rebuild --force``) and return it;
        raise ``RebuildInProgress`` when a rebuild is still running. Nothing to do by default."""
        return []
