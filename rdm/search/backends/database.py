"""The default backend: documents in the project database (``SearchDocument`` and ``SearchTerm``).

Text fields are stored normalised (" token token | token ") so that a word query is a substring match
on " word ", a prefix query on " wor", and a phrase on " two words " - token semantics that agree with
Elasticsearch's standard analyser on every database. Keyword values, dates and principals are rows of
``SearchTerm``, so filters, permission checks and facet counts are indexed joins inside the query.
On PostgreSQL the same matching runs against the trigram/tsvector indexes and ``ts_rank_cd`` ranks.
"""

from __future__ import annotations

import json
import re
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    F,
    OuterRef,
    Q,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, RowNumber
from django.db.models.lookups import Contains, Regex
from django.utils import timezone

from ..index import DATE, KEYWORD, TEXT, Field, Index, tokenize, values_at
from ..models import SearchDocument, SearchTerm
from .base import (
    BaseQueryCompiler,
    BaseSearchBackend,
    IndexedDocument,
    SearchRequest,
    SearchResult,
    facet_buckets,
)

PRINCIPALS_FIELD = "_principals"
# A document row and the (field, value) pairs ``SearchTerm`` stores for it (dates; on SQLite every pair).
Prepared = tuple[SearchDocument, list[tuple[str, str]]]
TEXT_COLUMNS = {"text_a": 3, "text_b": 2, "text_c": 1}  # column -> weight in the best-match score
WRITE_BATCH_SIZE = 500  # rows per INSERT; keeps statements under SQLite's variable limit


UPSERT_DOCUMENTS_SQL = f"""
    INSERT INTO {SearchDocument._meta.db_table}
        (index, doc_id, document, text_a, text_b, text_c, fields, sort_keys, keywords, facet_terms, updated)
    SELECT %s, row->>0, row->1, row->>2, row->>3, row->>4, row->5, row->6, row->7, row->>8, %s
    FROM jsonb_array_elements(%s::jsonb) AS row
    ON CONFLICT (index, doc_id) DO UPDATE SET
        document = EXCLUDED.document, text_a = EXCLUDED.text_a, text_b = EXCLUDED.text_b,
        text_c = EXCLUDED.text_c, fields = EXCLUDED.fields, sort_keys = EXCLUDED.sort_keys,
        keywords = EXCLUDED.keywords, facet_terms = EXCLUDED.facet_terms, updated = EXCLUDED.updated
    RETURNING id, doc_id
"""
DELETE_TERMS_SQL = f"DELETE FROM {SearchTerm._meta.db_table} WHERE document_id = ANY(%s)"
INSERT_TERMS_SQL = f"""
    INSERT INTO {SearchTerm._meta.db_table} (document_id, field, value)
    SELECT (term->>0)::bigint, term->>1, term->>2 FROM jsonb_array_elements(%s::jsonb) AS term
"""


# ``facet_terms``: the values of each facet field (in declaration order) joined by U+001F, the fields
# joined by U+001E. Counting groups each field's value *sets* (one GROUPING SETS pass, no unnesting);
# multi-valued sets are split and summed in Python, which gives exact per-value counts. Positions follow
# the index's declared facets, so changing them needs `manage.py rdm_index rebuild`.
FIELD_SEPARATOR, VALUE_SEPARATOR = "\x1e", "\x1f"
FACET_COUNTS_SQL = """
    SELECT {columns}, count(*) FROM (
        SELECT {parts} FROM ({scope}) AS matched
    ) AS facet_values GROUP BY GROUPING SETS ({sets})
"""


def keyword_term(field_name: str, value: str) -> str:
    """How a keyword value (or a principal) is stored in ``SearchDocument.keywords``."""
    return f"{field_name}:{value}"


class KeywordExists(Expression):
    """PostgreSQL: whether ``keywords`` holds a value of ``field_name`` meeting every condition
    (``("~", regex)``, ``(">=", value)``...; none: any value). For wildcards, ranges and existence on
    keyword fields; equality uses the GIN-indexed ``@>`` instead."""

    output_field = BooleanField()

    def __init__(self, field_name: str, conditions=()):
        super().__init__()
        self.field_name, self.conditions = field_name, tuple(conditions)
        self.keywords = F("keywords")

    def get_source_expressions(self):
        return [self.keywords]

    def set_source_expressions(self, exprs):
        (self.keywords,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.keywords)
        prefix = keyword_term(self.field_name, "")
        value_sql = f"substr(k.term, {len(prefix) + 1})"
        where = ["starts_with(k.term, %s)"]
        where += [f"{value_sql} {operator} %s" for operator, _ in self.conditions]
        terms = f"jsonb_array_elements_text({column}) AS k(term)"
        sql = f"EXISTS (SELECT 1 FROM {terms} WHERE {' AND '.join(where)})"
        return sql, [*params, prefix, *(value for _, value in self.conditions)]


RANGE_OPERATORS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def to_json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)


def _raw_delete(queryset) -> None:
    """DELETE without Django's collector: nothing references these rows (search_searchterm is a leaf)."""
    queryset._raw_delete(queryset.db)


def text_column(boost: float) -> str:
    return "text_a" if boost >= 3 else "text_b" if boost >= 2 else "text_c"


def has_term(field_name: str, **lookups) -> Exists:
    return Exists(SearchTerm.objects.filter(document=OuterRef("pk"), field=field_name, **lookups))


def pattern_lookup(expression, tokens: list[str]):
    """A lookup matching ``tokens`` consecutively in a normalised text ``expression``."""
    body, last = tokens[:-1], tokens[-1]
    plain = not any("*" in t or "?" in t for t in body) and "?" not in last and "*" not in last.rstrip("*")
    if plain:
        prefix = last.endswith("*")
        text = " " + " ".join([*body, last.rstrip("*")]) + ("" if prefix else " ")
        return Contains(expression, text)
    regex = " " + " ".join(_token_regex(token) for token in tokens) + " "
    return Regex(expression, regex)


def _token_regex(token: str) -> str:
    return "".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c) for c in token)


SIMPLE_TOKEN = re.compile(r"^[^\W_]+\*?$")  # letters/digits only: PostgreSQL's parser keeps it one lexeme


def tsquery_text(tokens: list[str]) -> str | None:
    """The tsquery for consecutive ``tokens`` (``a <-> b:*``), or None when inner wildcards need a regex."""
    body, last = tokens[:-1], tokens[-1]
    if any("*" in t or "?" in t for t in body) or "?" in last or "*" in last.rstrip("*"):
        return None
    if last.endswith("*"):
        last = last.rstrip("*")
        return " <-> ".join([*body, f"{last}:*"]) if last else None
    return " <-> ".join(tokens)


def ts_match(tsquery: str) -> Q:
    return Q(search_vector=SearchQuery(tsquery, search_type="raw", config="simple"))


class DatabaseQueryCompiler(BaseQueryCompiler):
    """Compiles the tree to a ``Q`` object over ``SearchDocument``.

    On PostgreSQL each text term is also matched against the GIN-indexed ``search_vector``: the index
    narrows the candidates, the substring match keeps the exact token semantics of every database.
    """

    def __init__(self, index, *, use_tsvector: bool | None = None):
        super().__init__(index)
        self.use_tsvector = connection.vendor == "postgresql" if use_tsvector is None else use_tsvector
        self.keywords_in_row = keywords_in_row()

    def _match_all(self):
        return Q()

    def _match_none(self):
        return Q(pk__in=[])

    def _match_exists(self, field: Field):
        if field.kind == TEXT:
            return Q(fields__has_key=field.name)
        if field.kind == KEYWORD and self.keywords_in_row:
            return Q(KeywordExists(field.name))
        return Q(has_term(field.name))

    def _match_text(self, field: Field | None, tokens: list[str]):
        if not tokens:
            return self._match_none()
        if field is not None and field.kind != TEXT:
            return self._match_keyword(field, " ".join(tokens))
        if field is None:
            exact = reduce(or_, (Q(pattern_lookup(F(column), tokens)) for column in TEXT_COLUMNS))
        else:
            # Coalesce: a document without the field must count as "not matching", also under NOT.
            field_text = Coalesce(KeyTextTransform(field.name, "fields"), Value(""), output_field=TextField())
            exact = Q(pattern_lookup(field_text, tokens))
        tsquery = tsquery_text(tokens) if self.use_tsvector and (field is None or field.searchable) else None
        if tsquery is None:
            return exact
        if field is None and len(tokens) == 1 and SIMPLE_TOKEN.match(tokens[0]):
            # One plain word (or prefix): its lexeme is exactly the token, so the index alone decides.
            return ts_match(tsquery)
        return ts_match(tsquery) & exact

    def _match_keyword(self, field: Field, value: str):
        if field.kind == KEYWORD and self.keywords_in_row:
            return Q(keywords__contains=[keyword_term(field.name, value)])
        return Q(has_term(field.name, value=value))

    def _match_keyword_pattern(self, field: Field, pattern: str):
        regex = "^" + "".join(r".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + "$"
        if field.kind == KEYWORD and self.keywords_in_row:
            return Q(KeywordExists(field.name, [("~", regex)]))
        return Q(has_term(field.name, value__regex=regex))

    def _match_range(self, field: Field, bounds: dict[str, str]):
        if field.kind == KEYWORD and self.keywords_in_row:
            conditions = [(RANGE_OPERATORS[op], value) for op, value in bounds.items()]
            return Q(KeywordExists(field.name, conditions))
        return Q(has_term(field.name, **{f"value__{op}": value for op, value in bounds.items()}))

    def _and(self, parts):
        return reduce(and_, parts)

    def _or(self, parts):
        return reduce(or_, parts)

    def _not(self, part):
        return ~part


class DatabaseSearchBackend(BaseSearchBackend):
    name = "database"
    query_compiler_class = DatabaseQueryCompiler

    # Searching.

    def search(self, request: SearchRequest) -> SearchResult:
        index = request.index
        documents = SearchDocument.objects.filter(index=index.name)
        readable = documents.filter(self._any_keyword_q(PRINCIPALS_FIELD, request.principals))
        matched = readable.filter(self.query_compiler_class(index).compile(request.tree))
        hits = matched.filter(self._filters_q(request.filters))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # JIT compiling costs tens of milliseconds and never pays off for these short queries.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
            page, total = self._page(hits, request)
            aggregations = self._aggregations(matched, request) if request.facets else {}
        return SearchResult(
            hits=page, total=total, aggregations=aggregations, page=request.page, size=request.size
        )

    def _page(self, hits, request: SearchRequest) -> tuple[list[dict], int]:
        """The page of documents and the total, counted in the same scan (a window over all matches)."""
        window = self._order(hits, request).annotate(_total=Window(Count("pk")))
        rows = list(window.values_list("document", "_total")[request.offset : request.offset + request.size])
        total = rows[0][1] if rows else (hits.count() if request.offset else 0)
        expand = document_expander(request.index)
        return [expand(document) for document, _ in rows], total

    def _filters_q(self, filters: dict[str, list[str]], *, exclude: str | None = None) -> Q:
        conditions = [
            self._any_keyword_q(name, values) for name, values in filters.items() if name != exclude
        ]
        return reduce(and_, conditions, Q())

    def _any_keyword_q(self, name: str, values: list[str]) -> Q:
        """Documents holding one of ``values`` in the keyword field ``name`` (or principals)."""
        if keywords_in_row():
            return Q(keywords__has_any_keys=[keyword_term(name, value) for value in values])
        return Q(has_term(name, value__in=values))

    def _order(self, queryset, request: SearchRequest):
        order = []
        for key, direction in request.sort:
            if key == "_score":
                score = self._score(request)
                if score is not None:
                    queryset = queryset.annotate(_score=score)
                    order.append(F("_score").desc())
            else:
                expression = KeyTextTransform(key, "sort_keys")
                ordered = expression.desc if direction == "desc" else expression.asc
                order.append(ordered(nulls_last=True))
        return queryset.order_by(*order, "doc_id")

    def _score(self, request: SearchRequest):
        """Best match: ``ts_rank_cd`` on PostgreSQL; elsewhere the weights of the columns each term hits."""
        compiler = self.query_compiler_class(request.index)
        if compiler.use_tsvector:
            return self._ts_rank(request, compiler)
        whens = [
            Case(When(pattern_lookup(F(column), tokens), then=Value(weight)), default=Value(0))
            for tokens in positive_text_terms(request.tree, compiler)
            for column, weight in TEXT_COLUMNS.items()
        ]
        return reduce(lambda a, b: a + b, whens) if whens else None

    def _ts_rank(self, request: SearchRequest, compiler):
        queries = [tsquery_text(tokens) for tokens in positive_text_terms(request.tree, compiler)]
        queries = [f"({query})" for query in queries if query]
        if not queries:
            return None
        query = SearchQuery(" | ".join(queries), search_type="raw", config="simple")
        return SearchRank(F("search_vector"), query, cover_density=True)

    def _aggregations(self, matched, request: SearchRequest) -> dict:
        """Facet counts; facets without a selected value share one scope, so usually one query."""
        scopes: dict[str | None, list] = {}
        for facet in request.index.facets:
            scopes.setdefault(facet.field if facet.field in request.filters else None, []).append(facet)
        counts: dict[str, list[tuple[str, int]]] = {}
        for own_filter, facets in scopes.items():
            scope = matched.filter(self._filters_q(request.filters, exclude=own_filter))
            counts.update(self._facet_counts(scope, facets, request.index))
        selected = request.filters
        return {
            facet.field: facet_buckets(facet, counts.get(facet.field, []), selected.get(facet.field, []))
            for facet in request.index.facets
        }

    def _facet_counts(self, scope, facets, index: Index) -> dict[str, list[tuple[str, int]]]:
        if keywords_in_row():
            return self._facet_counts_in_row(scope, facets, index)
        fields = [facet.field for facet in facets]
        ranked = (
            SearchTerm.objects.filter(field__in=fields, document__in=scope.values("pk"))
            .values("field", "value")
            .annotate(doc_count=Count("id"))
            .annotate(rank=Window(RowNumber(), partition_by=F("field"),
                                  order_by=[F("doc_count").desc(), F("value").asc()]))
            .filter(rank__lte=max(facet.size for facet in facets))
            .order_by("field", "rank")
        )
        sizes = {facet.field: facet.size for facet in facets}
        counts: dict[str, list[tuple[str, int]]] = {}
        for row in ranked:
            if row["rank"] <= sizes[row["field"]]:
                counts.setdefault(row["field"], []).append((row["value"], row["doc_count"]))
        return counts

    def _facet_counts_in_row(self, scope, facets, index: Index) -> dict[str, list[tuple[str, int]]]:
        """PostgreSQL: one pass over the matched rows' ``facet_terms`` counting every facet's value sets."""
        positions = {facet.field: position for position, facet in enumerate(index.facets, 1)}
        columns = [f"f{positions[facet.field]}" for facet in facets]
        parts = [f"split_part(matched.facet_terms, chr(30), {column[1:]}) AS {column}" for column in columns]
        sql, params = scope.values("facet_terms").query.sql_with_params()
        statement = FACET_COUNTS_SQL.format(
            columns=", ".join(columns), parts=", ".join(parts), scope=sql,
            sets=", ".join(f"({column})" for column in columns),
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        counts: dict[str, dict[str, int]] = {facet.field: {} for facet in facets}
        for *keys, count in rows:
            position = next(i for i, key in enumerate(keys) if key is not None)
            field_counts = counts[facets[position].field]
            for value in keys[position].split(VALUE_SEPARATOR) if keys[position] else ():
                field_counts[value] = field_counts.get(value, 0) + count
        return {facet.field: top_values(counts[facet.field], facet.size) for facet in facets}

    # Writing.

    def write(self, index: Index, documents: list[IndexedDocument], delete_ids: list[str]) -> None:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The index is derived data: a crash may lose the last batches' commits, but atomically
                # with the removal of their queue rows, so those items are simply drained again.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            if delete_ids:
                self._delete(index, delete_ids)
            if documents:
                self._upsert(index, documents)

    def _delete(self, index: Index, ids: list[str]) -> None:
        documents = SearchDocument.objects.filter(index=index.name, doc_id__in=ids)
        _raw_delete(SearchTerm.objects.filter(document__in=documents.values("pk")))
        _raw_delete(documents)

    def _upsert(self, index: Index, documents: list[IndexedDocument]) -> None:
        now = timezone.now()
        in_row = keywords_in_row()
        prepared = [self._prepare(index, doc, now, keywords_in_row=in_row) for doc in documents]
        if connection.vendor == "postgresql":
            return self._upsert_postgresql(index, prepared, now)
        SearchDocument.objects.bulk_create(
            [row for row, _ in prepared],
            batch_size=WRITE_BATCH_SIZE,
            update_conflicts=True,
            unique_fields=["index", "doc_id"],
            update_fields=["document", "text_a", "text_b", "text_c", "fields", "sort_keys", "keywords",
                           "facet_terms", "updated"],
        )
        stored = SearchDocument.objects.filter(index=index.name, doc_id__in=[d.doc_id for d in documents])
        pks = dict(stored.values_list("doc_id", "pk"))
        _raw_delete(SearchTerm.objects.filter(document_id__in=pks.values()))
        terms = [
            SearchTerm(document_id=pks[row.doc_id], field=name, value=value)
            for row, pairs in prepared
            for name, value in pairs
        ]
        SearchTerm.objects.bulk_create(terms, batch_size=WRITE_BATCH_SIZE)

    def _upsert_postgresql(self, index: Index, prepared: list[Prepared], now) -> None:
        """Three statements per batch, whatever its size: one JSON array in, unpacked by the database."""
        batch = [
            [row.doc_id, row.document, row.text_a, row.text_b, row.text_c, row.fields, row.sort_keys,
             row.keywords, row.facet_terms]
            for row, _ in prepared
        ]
        with connection.cursor() as cursor:
            cursor.execute(UPSERT_DOCUMENTS_SQL, [index.name, now, to_json(batch)])
            pks = {doc_id: pk for pk, doc_id in cursor.fetchall()}
            cursor.execute(DELETE_TERMS_SQL, [list(pks.values())])
            terms = [(pks[row.doc_id], *pair) for row, pairs in prepared for pair in pairs]
            if terms:
                cursor.execute(INSERT_TERMS_SQL, [to_json(terms)])

    def _prepare(self, index: Index, doc: IndexedDocument, now, *, keywords_in_row: bool) -> Prepared:
        """The document row and its ``SearchTerm`` pairs, extracting and tokenising each field once."""
        columns: dict[str, list[str]] = {column: [] for column in TEXT_COLUMNS}
        fields, sort_keys = {}, {}
        keyword_pairs = {(PRINCIPALS_FIELD, principal) for principal in doc.principals}
        date_pairs = set()
        for field in index.fields:
            values, sort_value = field_values(field, doc.document)
            if values and (field.searchable or field.kind == TEXT):
                parts = normalized_parts(values)
                if field.searchable:
                    columns[text_column(field.boost)].extend(parts)
                if field.kind == TEXT:
                    fields[field.name] = join_parts(parts)
            if field.kind == KEYWORD:
                keyword_pairs.update((field.name, value) for value in values)
            elif field.kind == DATE:
                date_pairs.update((field.name, value) for value in values)
            if sort_value is not None:
                sort_keys[field.name] = sort_value
        texts = {column: join_parts(parts) for column, parts in columns.items()}
        facet_values = {facet.field: [] for facet in index.facets}
        for name, value in sorted(keyword_pairs):
            if name in facet_values:
                facet_values[name].append(value)
        facet_terms = FIELD_SEPARATOR.join(VALUE_SEPARATOR.join(values) for values in facet_values.values())
        compact = getattr(index, "compact_document", None)
        row = SearchDocument(
            index=index.name, doc_id=doc.doc_id, document=compact(doc.document) if compact else doc.document,
            fields=fields, sort_keys=sort_keys,
            keywords=sorted(keyword_term(name, value) for name, value in keyword_pairs),
            facet_terms=facet_terms, updated=now, **texts,
        )
        pairs = date_pairs if keywords_in_row else date_pairs | keyword_pairs
        return row, sorted(pairs)

    # Maintenance.

    def clear(self, index: Index) -> None:
        SearchTerm.objects.filter(document__index=index.name).delete()
        SearchDocument.objects.filter(index=index.name).delete()

    def count(self, index: Index) -> int:
        return SearchDocument.objects.filter(index=index.name).count()

    def iter_doc_ids(self, index: Index, chunk_size: int = 1000):
        last = ""
        while True:
            chunk = list(
                SearchDocument.objects.filter(index=index.name, doc_id__gt=last)
                .order_by("doc_id")
                .values_list("doc_id", flat=True)[:chunk_size]
            )
            if not chunk:
                return
            yield chunk
            last = chunk[-1]

    def get_documents(self, index: Index, ids: list[str]) -> dict[str, IndexedDocument]:
        rows = SearchDocument.objects.filter(index=index.name, doc_id__in=ids).only("doc_id", "document",
                                                                                       "keywords")
        prefix = keyword_term(PRINCIPALS_FIELD, "")
        expand = document_expander(index)
        return {
            row.doc_id: IndexedDocument(
                row.doc_id, expand(row.document),
                sorted(term[len(prefix):] for term in row.keywords if term.startswith(prefix)),
            )
            for row in rows
        }


def document_expander(index: Index):
    """Stored document -> hit. An index may store documents compacted (``compact_document``, e.g.
    without links derived from the id) and declare ``expand_document`` to restore them."""
    return getattr(index, "expand_document", None) or (lambda document: document)


def top_values(counts: dict[str, int], size: int) -> list[tuple[str, int]]:
    """The ``size`` most frequent values (ties by value), as the SQL ranking elsewhere orders them."""
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:size]


def keywords_in_row() -> bool:
    """Whether keyword filters, principals and facets use ``SearchDocument.keywords`` (PostgreSQL: GIN
    and in-row counting) rather than joins on ``SearchTerm`` rows."""
    return connection.vendor == "postgresql"


def field_values(field: Field, document: dict) -> tuple[list[str], str | None]:
    """``field.values(document)`` and, for a sortable field, ``field.sort_value(document)``: the same
    results as those methods, extracting the raw values once instead of twice."""
    if type(field).values is not Field.values or type(field).sort_value is not Field.sort_value:
        return field.values(document), field.sort_value(document) if field.sortable else None
    raw = field.extract(document) if field.extract else values_at(document, field.path or field.name)
    raw = raw if isinstance(raw, list) else list(raw)
    clean = field.clean
    values = [value for value in map(clean, raw) if value]
    if not field.sortable:
        return values, None
    first = values[0] if values and type(field).clean is Field.clean else next(
        (value for value in (Field.clean(field, item) for item in raw) if value), None
    )
    return values, first.casefold() if first is not None and field.kind == TEXT else first


def normalized_parts(values: list[str]) -> list[str]:
    """Each value's tokens joined by spaces (values without tokens dropped): ``normalize_text``'s parts."""
    return [" ".join(tokens) for tokens in map(tokenize, values) if tokens]


def join_parts(parts: list[str]) -> str:
    """``normalize_text`` from its parts: every token surrounded by spaces, values separated by " | "."""
    return f" {' | '.join(parts)} " if parts else ""


def positive_text_terms(tree, compiler: BaseQueryCompiler) -> list[list[str]]:
    """Token lists of the text terms a document should contain (not under NOT/-), for scoring."""
    from luqum import tree as lq

    found: list[list[str]] = []

    def walk(node, field):
        if node is None or isinstance(node, (lq.Not, lq.Prohibit)):
            return
        if isinstance(node, lq.SearchField):
            return walk(node.expr, compiler.index.get_field(node.name))
        if isinstance(node, (lq.Word, lq.Phrase)) and (field is None or field.kind == TEXT):
            if node.value != "*":
                found.append(compiler._tokens(node))
            return
        for child in node.children:
            walk(child, field)

    walk(tree, None)
    return [tokens for tokens in found if tokens]


SearchBackend = DatabaseSearchBackend
