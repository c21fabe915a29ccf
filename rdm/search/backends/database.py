"""The default backend: documents in the project database (``SearchDocument`` and ``SearchTerm``).

Text fields are stored normalised (" token token | token ") so that a word query is a substring match
on " word ", a prefix query on " wor", and a phrase on " two words " - token semantics that agree with
Elasticsearch's standard analyser on every database. On SQLite keyword values, dates and principals are
rows of ``SearchTerm``, so filters, permission checks and facet counts are indexed joins inside the query.
On PostgreSQL they are in the row (``keywords``, GIN-indexed; dates with their prefixes), text matches run
against the tsvector index and ``ts_rank_cd`` ranks.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property, partial, reduce
from itertools import product
from operator import and_, or_
from typing import NamedTuple
from weakref import WeakKeyDictionary

import orjson
import psycopg
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    F,
    Func,
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
from rapidfuzz.distance import OSA

from ..index import DATE, KEYWORD, TEXT, Field, Index, token_strings
from ..index import PUBLIC as PUBLIC_PRINCIPAL
from ..models import IndexVersion, SearchDocument, SearchLexeme, SearchTerm
from ..query import QueryError, is_match_all, tree_key
from . import public_counts
from .base import (
    BaseQueryCompiler,
    BaseSearchBackend,
    IndexedDocument,
    SearchRequest,
    SearchResult,
    facet_buckets,
    facets_labels,
)

PRINCIPALS_FIELD = "_principals"
# A document row and the (field, value) pairs ``SearchTerm`` stores for it (SQLite; none on PostgreSQL).
Prepared = tuple["DocumentRow", list[tuple[str, str]]]
TEXT_COLUMNS = {"text_a": 3, "text_b": 2, "text_c": 1}  # column -> weight in the best-match score
WRITE_BATCH_SIZE = 500  # rows per INSERT; keeps statements under SQLite's variable limit


UPSERT_DOCUMENTS_SQL = f"""
    INSERT INTO {SearchDocument._meta.db_table} AS doc
        (index, doc_id, document, text_a, text_b, text_c, fields, sort_keys, keywords, facet_terms, digest,
         updated)
    SELECT %s, row->>0, row->1, row->>2, row->>3, row->>4, row->5, row->6, row->7, row->>8, row->>9, %s
    FROM jsonb_array_elements(%s::jsonb) AS row
    ON CONFLICT (index, doc_id) DO UPDATE SET
        document = EXCLUDED.document, text_a = EXCLUDED.text_a, text_b = EXCLUDED.text_b,
        text_c = EXCLUDED.text_c, fields = EXCLUDED.fields, sort_keys = EXCLUDED.sort_keys,
        keywords = EXCLUDED.keywords, facet_terms = EXCLUDED.facet_terms, digest = EXCLUDED.digest,
        updated = EXCLUDED.updated
    WHERE doc.digest IS DISTINCT FROM EXCLUDED.digest
    RETURNING id, doc_id
"""
# The digests of a batch's stored rows, locked in one order (concurrent batches never deadlock): the rows
# stay as read until the transaction ends, whatever other writers do.
STORED_DIGESTS_SQL = f"""
    SELECT doc_id, digest FROM {SearchDocument._meta.db_table}
    WHERE index = %s AND doc_id = ANY(%s) ORDER BY doc_id FOR UPDATE
"""
FORGET_DIGESTS_SQL = f"""
    UPDATE {SearchDocument._meta.db_table} SET digest = '' WHERE index = %s AND doc_id = ANY(%s)
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

# The same counts and, in one more row (its count NULL), the ids of a page in order: one pass over the
# matches for a search that reads them all anyway, to count them or to rank them.
ONE_PASS_SQL = """
    WITH matched AS MATERIALIZED ({matched})
    SELECT {columns}count(*), NULL::text[] FROM (
        SELECT {parts} FROM matched
    ) AS facet_values GROUP BY GROUPING SETS ({sets})
    UNION ALL
    SELECT {nulls}NULL, (SELECT array_agg(doc_id ORDER BY {order}) FROM (
        SELECT * FROM matched ORDER BY {order} LIMIT %s OFFSET %s
    ) AS top)
"""


class OrderKey(NamedTuple):
    """A key a search orders by: its alias where it is selected, its expression, its direction."""

    alias: str
    expression: Expression
    descending: bool


class OnePass(NamedTuple):
    """What ``one_pass_statement`` found: the total, the unselected facets' top values, ordered ids."""

    total: int
    facets: dict[str, list[tuple[str, int]]]
    ids: list[str]
    first: int  # the position of ids[0] among the ordered hits

    def page_ids(self, request: SearchRequest) -> list[str]:
        start = request.offset - self.first
        return self.ids[start:start + request.size]


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


# Dates on PostgreSQL: each value ("YYYY-MM-DD") is stored in ``keywords`` with its prefixes - century
# ("20"), decade ("201"), year, month and day - so a date range is a GIN lookup of the few prefixes that
# tile it (Lucene's trie-coded ranges), not a join on one ``SearchTerm`` row per date. Values are
# compared as strings, as ranges compare them elsewhere: with months 01-12 and days 01-31 (whatever the
# month), string order is the order of (year, month, day), so no calendar is needed.
CALENDAR_DATE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"
FIRST_DAY, LAST_DAY = (0, 1, 1), (9999, 12, 31)


def date_prefixes(value: str) -> list[str]:
    """The terms a date value is stored under on PostgreSQL; none for a value that is no calendar-shaped
    date (it cannot be found by date then, as Elasticsearch would refuse it)."""
    if not CALENDAR_DATE.match(value):
        return []
    return [value[:2], value[:3], value[:4], value[:7], value]


def date_range_terms(bounds: dict[str, str]) -> list[str]:
    """The fewest date prefixes whose days are exactly those within ``bounds`` (gt/gte/lt/lte, each
    "YYYY-MM-DD"); none for an empty range."""
    low, high = FIRST_DAY, LAST_DAY
    for operator, value in bounds.items():
        day = _day(value)
        if operator == "gte":
            low = max(low, _first_on_or_after(day))
        elif operator == "gt":
            low = max(low, _next_day(_last_on_or_before(day)))
        elif operator == "lte":
            high = min(high, _last_on_or_before(day))
        else:
            high = min(high, _previous_day(_first_on_or_after(day)))
    terms = []
    day = low
    while day <= high:
        term, last = _widest_block(day, high)
        terms.append(term)
        if last == LAST_DAY:
            break
        day = _next_day(last)
    return terms


class _DateRangeProbe(BaseQueryCompiler):
    """Compiles a tree that is a single range (or period) of a date field to (field name, bounds), any
    other tree to None."""

    def _match_range(self, field: Field, bounds: dict[str, str]):
        return (field.name, bounds) if field.kind == DATE else None

    def _no_range(self, *args):
        return None

    _match_all = _match_none = _match_exists = _match_text = _match_fuzzy = _match_proximity = _no_range
    _match_keyword = _match_keyword_pattern = _and = _or = _not = _no_range


def single_date_range(index: Index, tree) -> tuple[str, dict[str, str]] | None:
    """The date field and bounds of ``tree`` if it is one date range (``year:[2015 TO 2018]``, or a
    period such as ``year:2015``), else None."""
    try:
        return _DateRangeProbe(index).compile(tree)
    except QueryError:
        return None


def _day(value: str) -> tuple[int, int, int]:
    year, month, day = value.split("-")
    return int(year), int(month), int(day)


def _first_on_or_after(day):
    """The first day of the date space (months 1-12, days 1-31) not before ``day``."""
    year, month, number = day
    if month == 0:
        return year, 1, 1
    if month > 12:
        return (year + 1, 1, 1) if year < 9999 else (10000, 1, 1)
    if number == 0:
        return year, month, 1
    return _next_day((year, month, 31)) if number > 31 else day


def _last_on_or_before(day):
    year, month, number = day
    if month == 0:
        return (year - 1, 12, 31) if year > 0 else (-1, 12, 31)
    if month > 12:
        return year, 12, 31
    if number == 0:
        return _previous_day((year, month, 1))
    return (year, month, 31) if number > 31 else day


def _next_day(day):
    year, month, number = day
    if number < 31:
        return year, month, number + 1
    return (year, month + 1, 1) if month < 12 else (year + 1, 1, 1)


def _previous_day(day):
    year, month, number = day
    if number > 1:
        return year, month, number - 1
    return (year, month - 1, 31) if month > 1 else (year - 1, 12, 31)


def _widest_block(day, high) -> tuple[str, tuple[int, int, int]]:
    """The widest prefix block starting on ``day`` and ending by ``high``: (its term, its last day)."""
    year, month, number = day
    if (month, number) == (1, 1):
        for years, width in ((100, 2), (10, 3), (1, 4)):  # a century, a decade, a year
            last = (year + years - 1, 12, 31)
            if year % years == 0 and last <= high:
                return f"{year:04d}"[:width], last
    if number == 1 and (year, month, 31) <= high:
        return f"{year:04d}-{month:02d}", (year, month, 31)
    return f"{year:04d}-{month:02d}-{number:02d}", day


_django_json_default = DjangoJSONEncoder().default


def row_json(row: DocumentRow, pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """The row as the upsert's JSON array, ending with its digest; and the digest: a fingerprint of
    everything the row and its ``SearchTerm`` pairs are written from."""
    columns = [row.doc_id, row.document, row.text_a, row.text_b, row.text_c, row.fields, row.sort_keys,
               row.keywords, row.facet_terms]
    encoded = json_bytes(columns)
    # A fingerprint, not a defence: MD5 (OpenSSL's) hashes several times faster than BLAKE2 here.
    fingerprint = hashlib.md5(encoded, usedforsecurity=False)
    fingerprint.update(json_bytes(pairs))
    digest = fingerprint.hexdigest()
    return f"{encoded[:-1].decode()},\"{digest}\"]", digest


def server_bound_cursor():
    """PostgreSQL: a cursor that sends parameters apart from the statement (psycopg's server-side
    binding), so a batch's megabytes of JSON are neither escaped into the SQL text by the client nor
    scanned by the server's parser. Django's cursors bind on the client; this one is still wrapped
    by Django (execute wrappers, query logging)."""
    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


def to_json(value) -> str:
    """JSON as DjangoJSONEncoder writes it (dates, decimals, UUIDs), at orjson's speed."""
    return json_bytes(value).decode()


# orjson reads integers beyond 64 bits as floats, and refuses numbers beyond a double: JSON holding a run of
# 19 digits (or that orjson refuses) is decoded by ``json``, as ``JSONField`` decodes it. The run is found
# by mapping every ASCII digit to "0" and anything else to a space (bytes.translate is a table lookup per
# byte; a regular expression trying each position cost four times orjson's decoding).
_DIGITS_AS_ZEROS = bytes(ord("0") if ord("0") <= byte <= ord("9") else ord(" ") for byte in range(256))
_LONG_NUMBER = b"0" * 19


def has_long_number(text: str) -> bool:
    """Whether ``text`` holds a run of 19 or more ASCII digits."""
    return _LONG_NUMBER in text.encode(errors="surrogatepass").translate(_DIGITS_AS_ZEROS)


def from_json(text: str):
    """``json.loads(text)``, at orjson's speed where orjson gives the same values."""
    if has_long_number(text):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def json_bytes(value) -> bytes:
    """``to_json(value)``, UTF-8 encoded (by ``json`` where orjson refuses, as for integers beyond 64
    bits)."""
    try:
        return orjson.dumps(value, default=_django_json_default,
                            option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()


def _raw_delete(queryset) -> int:
    """DELETE without Django's collector: nothing references these rows (search_searchterm is a leaf).
    Returns how many rows went."""
    return queryset._raw_delete(queryset.db)


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
    return wildcard_regex(token, r"\w")


def wildcard_regex(pattern: str, char: str) -> str:
    """``pattern`` (``*`` any run, ``?`` one of ``char``) as a regex. On SQLite (Python's backtracking
    ``re``) the runs between literal segments are atomic, each segment taken at its first occurrence,
    which is what a glob match needs: ``a*a*a*b`` on a long "aaaa..." token is linear instead of taking
    minutes. PostgreSQL's engine does not backtrack (and knows no atomic groups)."""
    def segment(text: str) -> str:
        return "".join(char if c == "?" else re.escape(c) for c in text)

    parts = pattern.split("*")
    if len(parts) == 1 or connection.vendor != "sqlite":
        return f"{char}*".join(segment(part) for part in parts)
    middle = "".join(f"(?>{char}*?{segment(part)})" for part in parts[1:-1] if part)
    return segment(parts[0]) + middle + f"{char}*" + segment(parts[-1])


SIMPLE_TOKEN = re.compile(r"^[^\W_]+\*?$")  # letters/digits only: PostgreSQL's parser keeps it one lexeme


def tsquery_text(tokens: list[str], weight: str = "") -> str | None:
    """The tsquery for consecutive ``tokens`` (``a <-> b:*``), or None when inner wildcards need a regex.
    With ``weight`` (A, B or C) the tokens must come from that weight's text column (``a:B <-> b:*B``)."""
    body, last = tokens[:-1], tokens[-1]
    if any("*" in t or "?" in t for t in body) or "?" in last or "*" in last.rstrip("*"):
        return None
    label = f":{weight}" if weight else ""
    if last.endswith("*"):
        last = last.rstrip("*")
        return " <-> ".join([*(f"{t}{label}" for t in body), f"{last}:*{weight}"]) if last else None
    return " <-> ".join(f"{t}{label}" for t in tokens)


def text_weight(field: Field) -> str:
    """The tsvector weight of a searchable field's tokens: its text column's.

    A fielded query's tokens are looked up with that weight, so the GIN match keeps only documents having
    them in the field's column; the field's own text then decides. (PostgreSQL keeps at most 256
    positions of a lexeme in a tsvector, the heavier columns' first: a word repeated that often in a
    heavier column could hide its lighter occurrences. No real title or name does that.)
    """
    return {"text_a": "A", "text_b": "B", "text_c": "C"}[text_column(field.boost)]


def ts_match(tsquery: str) -> Q:
    return Q(search_vector=SearchQuery(tsquery, search_type="raw", config="simple"))


def replace_version(index_name: str) -> None:
    """Give ``index_name`` a new version token (after a write): cached counts of the old one go unused."""
    IndexVersion.objects.bulk_create(
        [IndexVersion(index=index_name, token=uuid.uuid4().hex)],
        update_conflicts=True, unique_fields=["index"], update_fields=["token"],
    )


def current_version(index_name: str) -> str:
    """The version token of ``index_name``, created on first use (documents written before tokens)."""
    return current_versions([index_name])[index_name]


def current_versions(index_names: list[str]) -> dict[str, str]:
    """The version tokens of ``index_names`` in one statement (every search reads them), created on
    first use."""
    names = list(dict.fromkeys(index_names))
    tokens = _read_versions(names)
    missing = [name for name in names if name not in tokens]
    if missing:
        created = [IndexVersion(index=name, token=uuid.uuid4().hex) for name in missing]
        IndexVersion.objects.bulk_create(created, ignore_conflicts=True)
        tokens.update(_read_versions(missing))
    return tokens


def _read_versions(names: list[str]) -> dict[str, str]:
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "index", token FROM {IndexVersion._meta.db_table} '
                       f'WHERE "index" IN ({placeholders})', names)
        return dict(cursor.fetchall())


@contextmanager
def search_settings(compiler: DatabaseQueryCompiler):
    """Bound the statements of one search to ``RDM_SEARCH_TIMEOUT`` seconds (0: no limit); a search
    that runs out is a ``QueryError`` (400), not a 500 or a worker busy for minutes. PostgreSQL: a
    transaction-local ``statement_timeout``, set in the same round trip as the search's planner settings
    (``planner_values``), right before the first statement the block executes: a search answered from the
    cache sends none (no BEGIN, no settings, no COMMIT). SQLite: a progress handler that interrupts the
    statement. Runs inside the search's ``transaction.atomic()``; inside an outer transaction (where SET
    LOCAL would outlive the search's savepoint) the settings are undone afterwards."""
    seconds = float(getattr(settings, "RDM_SEARCH_TIMEOUT", 10) or 0)
    if connection.vendor != "postgresql":
        with _sqlite_deadline(seconds):
            yield
        return
    values = planner_values(compiler)
    if seconds > 0:
        values["statement_timeout"] = f"{max(1, round(seconds * 1000))}ms"
    nested = len(connection.atomic_blocks) > 1
    applied = False

    def settings_first(execute, sql, params, many, context):
        nonlocal applied
        if not applied:
            applied = True
            set_locally(values)  # (runs through this wrapper again, as applied)
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(settings_first):
            yield
    except OperationalError as error:
        from psycopg.errors import QueryCanceled

        if seconds > 0 and isinstance(error.__cause__, QueryCanceled):
            raise timeout_error(seconds) from error
        raise
    if nested and applied:
        with connection.cursor() as cursor:
            cursor.execute("; ".join(f"SET LOCAL {name} TO DEFAULT" for name in values))


def planner_values(compiler: DatabaseQueryCompiler) -> dict[str, str]:
    """PostgreSQL planner settings for one search."""
    values = {"jit": "off"}  # compiling costs tens of milliseconds and never pays off for these queries
    if compiler.uses_text_index or compiler.uses_date_terms:
        # The planner does not cost detoasting and wide rows: for a frequent word or a broad date range
        # it would rather scan the whole table than take the GIN index, which is several times faster.
        values["enable_seqscan"] = "off"
    return values


def set_locally(values: dict[str, str]) -> None:
    """Transaction-local settings (SET LOCAL), in one round trip."""
    calls = ", ".join("set_config(%s, %s, true)" for _ in values)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", [item for pair in values.items() for item in pair])


def timeout_error(seconds: float) -> QueryError:
    return QueryError(f"The search took too long (the limit is {seconds:g} seconds); simplify the query "
                      "(fewer fuzzy, proximity or wildcard terms).")


@contextmanager
def _sqlite_deadline(seconds: float):
    if seconds <= 0:
        yield
        return
    deadline = _SqliteDeadline(seconds)
    try:
        yield
    except OperationalError as error:
        if not deadline.fired(error):
            raise
        raise timeout_error(seconds) from error
    finally:
        deadline.close()


class _SqliteDeadline:
    CHECK_EVERY = 10_000  # virtual machine instructions between two looks at the clock

    def __init__(self, seconds: float):
        connection.ensure_connection()
        self.raw = connection.connection
        self.limit_at = time.monotonic() + seconds
        self.interrupted = False
        self.raw.set_progress_handler(self._check, self.CHECK_EVERY)

    def _check(self) -> int:
        self.interrupted = self.interrupted or time.monotonic() > self.limit_at
        return int(self.interrupted)  # non-zero interrupts the running statement

    def fired(self, error: Exception) -> bool:
        return self.interrupted

    def close(self) -> None:
        self.raw.set_progress_handler(None, 0)


def cache_key_value(param):
    """A statement parameter as the cache key holds it: whole. psycopg's ``Jsonb`` wrapper (JSON lookups)
    abbreviates its repr after 35 characters, so two long keyword values would share one key."""
    wrapped = getattr(param, "obj", None)
    if wrapped is not None and type(param).__module__.startswith("psycopg"):
        return ("json", to_json(wrapped))
    return param


class RequestCache:
    """Totals and facet counts of one index version, like Elasticsearch's shard request cache.

    A key is the counting statement with its parameters (query, filters, the caller's principals) plus
    the index's version token, so a cached count is exactly what the statement would return now: any
    write replaces the token. With caching off (``RDM_SEARCH_CACHE_SECONDS = 0``) it always computes.
    """

    def __init__(self, index_name: str, label_indexes: tuple[str, ...] = ()):
        """``label_indexes``: the indexes whose tokens key cached facet labels (``Facet.labels_index``),
        read in the same statement as ``index_name``'s."""
        self.timeout = settings.RDM_SEARCH_CACHE_SECONDS
        self.tokens = current_versions([index_name, *label_indexes]) if self.timeout > 0 else {}
        self.token = self.tokens.get(index_name)

    def key(self, kind: str, statement) -> str | None:
        """The cache key of ``statement``: a queryset or (sql, params), or a function returning
        (sql, params); querysets are compiled and functions called only when caching is on."""
        if self.token is None:
            return None
        if callable(statement):
            statement = statement()
        sql, params = statement.query.sql_with_params() if hasattr(statement, "query") else statement
        values = tuple(map(cache_key_value, params))
        return self._digest((kind, self.token, sql, values))

    def labels_key(self, index: Index, facets, found: dict) -> str | None:
        """The cache key of the labels of ``facets``' counted values: each under its ``labels_index``'s
        token."""
        if not self.tokens:
            return None
        material = [(facet.field, self.tokens[facet.labels_index], [value for value, _ in found[facet.field]])
                    for facet in facets]
        return self._digest(("labels", index.name, material))

    @staticmethod
    def _digest(material) -> str:
        return f"rdm-search:{hashlib.sha256(repr(material).encode()).hexdigest()}"

    def get(self, key: str | None):
        return cache.get(key) if key else None

    def set(self, key: str | None, value) -> None:
        if key:
            cache.set(key, value, self.timeout)

    def get_or_compute(self, kind: str, statement, compute):
        key = self.key(kind, statement)
        value = self.get(key)
        if value is None:
            value = compute()
            self.set(key, value)
        return value


# Fuzzy and proximity terms: regular expressions over the normalised text (" tok tok | tok "), built
# from every shape a match can take, so both databases evaluate them in SQL with the same semantics.
# On PostgreSQL a fuzzy term in the searchable text expands against the lexicon instead (see
# ``fuzzy_expansions``), but its expression still counts against ``MAX_PATTERN_SIZE``, so the same
# queries are refused on every database.
ANY_CHAR, ANY_TOKEN = r"[^ |]", r"[^ |]+"  # one character of a token; one whole token of the same value
MAX_PROXIMITY_SHAPES = 20_000  # (slop + 1) ** words placements examined before refusing the query
# Characters of fuzzy/proximity expressions one query may use. PostgreSQL's regex engine slows down far
# faster than linearly with the expression's size (a 67 kB proximity took 10 ms a row), so the sum is
# bounded: "temperature~2" is 7.6 kB, '"a b c"~5' about 1 kB, a 21-letter word ~2 35 kB (refused).
MAX_PATTERN_SIZE = 32_000


def fuzzy_regex(token: str, distance: int) -> str:
    """A regex matching exactly the tokens within ``distance`` edits of ``token`` (between spaces).

    Walks ``token`` left to right, each character kept, substituted, deleted or transposed with the
    next, with insertions anywhere: the optimal-string-alignment distance Lucene's automata use (a
    transposed pair is not edited again, so "ca"~2 does not match "abc"). The variants are merged into
    a prefix tree to keep the expression small.
    """
    variants: dict[tuple[int, int], frozenset] = {}

    def suffixes(i: int, edits: int) -> frozenset:
        key = (i, edits)
        if key not in variants:
            found = {()} if i == len(token) else {(token[i], *rest) for rest in suffixes(i + 1, edits)}
            if edits:
                found |= {(None, *rest) for rest in suffixes(i, edits - 1)}  # insertion
                if i < len(token):
                    found |= {(None, *rest) for rest in suffixes(i + 1, edits - 1)}  # substitution
                    found |= suffixes(i + 1, edits - 1)  # deletion
                if i + 1 < len(token) and token[i] != token[i + 1]:
                    pair = (token[i + 1], token[i])
                    found |= {(*pair, *rest) for rest in suffixes(i + 2, edits - 1)}  # transposition
            variants[key] = frozenset(found)
        return variants[key]

    shapes = suffixes(0, distance) - {()}
    body = prefix_tree_regex(shapes, lambda char: ANY_CHAR if char is None else re.escape(char), "")
    return " " + body + " "


def proximity_regex(tokens: list[str], slop: int) -> str:
    """A regex matching ``tokens`` as Lucene's sloppy phrase ``"..."~slop`` does inside one value.

    Token i at position p_i (all distinct) matches when max(p_i - i) - min(p_i - i) <= slop; every
    such placement (up to a shift) becomes one sequence of tokens and gaps, merged into a prefix tree.
    """
    count = len(tokens)
    if (slop + 1) ** count > MAX_PROXIMITY_SHAPES:
        raise QueryError(f"The proximity search for {count} words within {slop} is too broad; use fewer "
                         "words or a smaller distance.")
    shapes = set()
    for shifts in product(range(slop + 1), repeat=count):
        positions = [i + shift for i, shift in enumerate(shifts)]
        if min(shifts) or len(set(positions)) < count:
            continue
        at = dict(zip(positions, tokens, strict=True))
        shapes.add(tuple(at.get(p) for p in range(min(positions), max(positions) + 1)))
    body = prefix_tree_regex(shapes, lambda token: ANY_TOKEN if token is None else re.escape(token), " ")
    return body + " "


def prefix_tree_regex(sequences, symbol_regex, separator: str) -> str:
    """One regex for a set of symbol sequences, sharing common prefixes: {ab, ac} -> a(?:b|c).
    Each symbol is preceded by ``separator``; ``None`` symbols (wildcards) sort first."""
    end = object()
    tree: dict = {}
    for sequence in sequences:
        node = tree
        for symbol in sequence:
            node = node.setdefault(symbol, {})
        node[end] = {}

    def emit(node: dict) -> str:
        symbols = sorted((s for s in node if s is not end), key=lambda s: (s is not None, s or ""))
        branches = [separator + symbol_regex(symbol) + emit(node[symbol]) for symbol in symbols]
        if not branches:
            return ""
        if len(branches) == 1 and end not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if end in node else "")

    return emit(tree)


def field_text(field: Field):
    """The normalised text of ``field``; "" for a document without it (so it does not match, also
    under NOT)."""
    return Coalesce(KeyTextTransform(field.name, "fields"), Value(""), output_field=TextField())


# Fuzzy terms on PostgreSQL: expanded against ``SearchLexeme``, the tokens of the index's searchable text.
MAX_EXPANSIONS = 50  # Elasticsearch's default max_expansions of a fuzzy query
LIKE_SPECIAL = re.compile(r"[\\%_]")
LEXEME_CANDIDATES_SQL = f"""
    SELECT lexeme FROM {SearchLexeme._meta.db_table}
    WHERE "index" = %s AND length(lexeme) BETWEEN %s AND %s{{pieces}}
"""
INSERT_LEXEMES_SQL = f"""
    INSERT INTO {SearchLexeme._meta.db_table} (index, lexeme)
    SELECT %s, token FROM unnest(string_to_array(%s, ' ')) AS token
    WHERE NOT EXISTS (SELECT 1 FROM {SearchLexeme._meta.db_table} WHERE index = %s AND lexeme = token)
    ON CONFLICT DO NOTHING
"""


def max_lexeme_length() -> int:
    """The longest token a fuzzy term can match: the longest fuzzy word plus two insertions."""
    return int(getattr(settings, "RDM_SEARCH_MAX_FUZZY_LENGTH", 30)) + 2


def fuzzy_expansions(index_name: str, token: str, distance: int) -> list[str]:
    """The lexemes of ``index_name`` within ``distance`` edits (optimal string alignment, as
    ``fuzzy_regex``) of ``token``: the ``MAX_EXPANSIONS`` nearest, ties by lexeme. Elasticsearch also
    keeps its max_expansions nearest terms but breaks ties its own way (and per shard and field), so
    with more candidates than the cap the two may pick different ones."""
    sql, params = LEXEME_CANDIDATES_SQL, [index_name, len(token) - distance, len(token) + distance]
    conditions = []
    pieces = fuzzy_pieces(token, distance)
    if pieces:  # the same SQL on SQLite (where the lexicon only fills in tests)
        first, *middle, last = pieces
        conditions = ["substr(lexeme, 1, %s) = %s", "substr(lexeme, length(lexeme) - %s) = %s"]
        params += [len(first), first, len(last) - 1, last]
        conditions += ["lexeme LIKE %s ESCAPE '\\'"] * len(middle)
        params += ["%" + like_escape(piece) + "%" for piece in middle]
    sql = sql.format(pieces=f" AND ({' OR '.join(conditions)})" if conditions else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        candidates = [lexeme for (lexeme,) in cursor.fetchall()]
    near = []
    for lexeme in candidates:
        edits = OSA.distance(token, lexeme, score_cutoff=distance)
        if edits <= distance:
            near.append((edits, lexeme))
    return [lexeme for _, lexeme in sorted(near)[:MAX_EXPANSIONS]]


class DocumentRow(NamedTuple):
    """The columns of a ``SearchDocument`` derived from one document (``RowPlan.prepare``)."""

    doc_id: str
    document: dict
    text_a: str
    text_b: str
    text_c: str
    fields: dict[str, str]
    sort_keys: dict[str, str]
    keywords: list[str]
    facet_terms: str


class RowPlan:
    """How an index's documents become rows, worked out once per index declaration: each field's
    reader, text column and kind. Indexing runs ``prepare`` for every field of every document."""

    def __init__(self, index: Index):
        self.fields, self.facets = index.fields, index.facets
        self.steps = [
            (field.name, field.read, text_column(field.boost) if field.searchable else None,
             field.kind == TEXT, field.kind)
            for field in index.fields
        ]
        self.facet_fields = [facet.field for facet in index.facets]
        self.compact = getattr(index, "compact_document", None)

    def prepare(self, doc: IndexedDocument, *, keywords_in_row: bool) -> Prepared:
        """The document's row and its ``SearchTerm`` pairs, extracting and tokenising each field once."""
        columns: dict[str, list[str]] = {column: [] for column in TEXT_COLUMNS}
        fields, sort_keys, date_pairs = {}, {}, set()
        keywords: dict[str, set[str]] = {PRINCIPALS_FIELD: set(doc.principals)}
        for name, read, column, is_text, kind in self.steps:
            values, sort_value = read(doc.document)
            if sort_value is not None:
                sort_keys[name] = sort_value
            if not values:
                continue
            if column or is_text:
                parts = token_strings(values)
                if column:
                    columns[column].extend(parts)
                if is_text:
                    fields[name] = join_parts(parts)
            if kind == KEYWORD:
                keywords.setdefault(name, set()).update(values)
            elif kind == DATE and keywords_in_row:
                keywords.setdefault(name, set()).update(term for value in values
                                                        for term in date_prefixes(value))
            elif kind == DATE:
                date_pairs.update((name, value) for value in values)
        facet_terms = FIELD_SEPARATOR.join(
            VALUE_SEPARATOR.join(sorted(keywords.get(name, ()))) for name in self.facet_fields
        )
        row = DocumentRow(
            doc.doc_id, self.compact(doc.document) if self.compact else doc.document,
            *(join_parts(parts) for parts in columns.values()), fields, sort_keys,
            sorted(keyword_term(name, value) for name, values in keywords.items() for value in values),
            facet_terms,
        )
        if not keywords_in_row:
            date_pairs.update((name, value) for name, values in keywords.items() for value in values)
        return row, sorted(date_pairs)


_row_plans: WeakKeyDictionary[Index, RowPlan] = WeakKeyDictionary()


def row_plan(index: Index) -> RowPlan:
    """The index's plan, made again if its fields or facets were replaced since."""
    plan = _row_plans.get(index)
    if plan is None or plan.fields is not index.fields or plan.facets is not index.facets:
        plan = _row_plans[index] = RowPlan(index)
    return plan


# Per batch session (``batch_session``): index name -> lexemes known stored, added once their batch
# commits. Lexemes are never removed, so what a committed batch stored stays stored.
_committed_lexemes: ContextVar[dict[str, set[str]] | None] = ContextVar("committed_lexemes", default=None)
KNOWN_LEXEMES_LIMIT = 500_000  # per index and session: bounds the memory of a rebuild of any size


def unseen_lexemes(index: Index, lexemes: set[str]) -> set[str]:
    """``lexemes`` less those this batch session knows stored; the rest are remembered on commit."""
    sessions = _committed_lexemes.get()
    if sessions is None:
        return lexemes
    known = sessions.setdefault(index.name, set())
    unseen = lexemes - known
    if unseen and len(known) < KNOWN_LEXEMES_LIMIT:
        transaction.on_commit(partial(known.update, unseen))
    return unseen


def batch_lexemes(rows) -> set[str]:
    """The distinct tokens of the rows' searchable text that a fuzzy term could match."""
    found: set[str] = set()
    for row in rows:
        found.update(row.text_a.split(), row.text_b.split(), row.text_c.split())
    found.discard("|")
    longest = max_lexeme_length()
    return {token for token in found if len(token) <= longest}


def like_escape(text: str) -> str:
    return LIKE_SPECIAL.sub(lambda special: "\\" + special.group(), text)


def fuzzy_pieces(token: str, distance: int) -> list[str] | None:
    """``distance + 1`` pieces of ``token`` separated by one character each, or None if one would be
    empty. An edit (a transposition too) changes at most one piece, so a token within ``distance``
    edits keeps one piece intact: it starts with the first, ends with the last or contains another.
    A cheap exact pre-filter in SQL; the distance itself is computed in Python."""
    count = distance + 1
    letters = len(token) - distance
    if letters < count:
        return None
    sizes = [letters // count + (1 if i < letters % count else 0) for i in range(count)]
    pieces, start = [], 0
    for size in sizes:
        pieces.append(token[start:start + size])
        start += size + 1
    return pieces


class DatabaseQueryCompiler(BaseQueryCompiler):
    """Compiles the tree to a ``Q`` object over ``SearchDocument``.

    On PostgreSQL each text term is also matched against the GIN-indexed ``search_vector``: the index
    narrows the candidates, the substring match keeps the exact token semantics of every database.
    """

    def __init__(self, index, *, use_tsvector: bool | None = None):
        super().__init__(index)
        self.use_tsvector = connection.vendor == "postgresql" if use_tsvector is None else use_tsvector
        self.keywords_in_row = keywords_in_row()
        self.uses_text_index = False  # set when a term is matched through the GIN-indexed tsvector
        self.uses_date_terms = False  # set when a date range is matched through the keywords GIN index
        self.reads_database = False  # set when compiling looked something up (the fuzzy lexicon)
        self.pattern_size = 0  # characters of fuzzy/proximity expressions so far (MAX_PATTERN_SIZE)

    def _match_all(self):
        return Q()

    def _match_none(self):
        # A condition, not ``pk__in=[]``: that raises EmptyResultSet when a statement is compiled to SQL.
        return Q(Value(False, output_field=BooleanField()))

    def _match_exists(self, field: Field):
        if field.kind == TEXT:
            return Q(fields__has_key=field.name)
        if field.kind in (KEYWORD, DATE) and self.keywords_in_row:
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
            exact = Q(pattern_lookup(field_text(field), tokens))
        tsquery = None
        if self.use_tsvector and (field is None or field.searchable):
            tsquery = tsquery_text(tokens, text_weight(field) if field is not None else "")
        if tsquery is None:
            return exact
        self.uses_text_index = True
        if field is None and len(tokens) == 1 and SIMPLE_TOKEN.match(tokens[0]):
            # One plain word (or prefix): its lexeme is exactly the token, so the index alone decides.
            return ts_match(tsquery)
        return ts_match(tsquery) & exact

    def _match_keyword(self, field: Field, value: str):
        if field.kind == KEYWORD and self.keywords_in_row:
            return Q(keywords__contains=[keyword_term(field.name, value)])
        return Q(has_term(field.name, value=value))

    def _match_keyword_pattern(self, field: Field, pattern: str):
        regex = "^" + wildcard_regex(pattern, ".") + "$"
        if field.kind == KEYWORD and self.keywords_in_row:
            return Q(KeywordExists(field.name, [("~", regex)]))
        if field.kind == DATE and self.keywords_in_row:  # the whole dates, not their prefixes
            return Q(KeywordExists(field.name, [("~", regex), ("~", DATE_SHAPE)]))
        return Q(has_term(field.name, value__regex=regex))

    def _match_fuzzy(self, field: Field | None, token: str, distance: int):
        """PostgreSQL: the term expands against the index's lexicon (as Elasticsearch expands it against
        its term dictionary) and the expansions are looked up in the GIN-indexed tsvector; elsewhere, and
        for text fields outside the searchable text, an expression over every row's text decides."""
        regex = fuzzy_regex(token, distance)
        if not (self.use_tsvector and (field is None or field.searchable)):
            return self._match_regex(field, regex)
        self._charge(regex)
        self.reads_database = True
        lexemes = fuzzy_expansions(self.index.name, token, distance)
        if not lexemes:
            # FALSE in SQL: ``pk__in=[]`` would make a query without other conditions unprintable.
            return Q(Value(False, output_field=BooleanField()))
        self.uses_text_index = True
        if field is not None:
            # The tsvector narrows the rows; the field's own text decides (the lexicon spans all fields).
            words = " (?:" + "|".join(map(re.escape, lexemes)) + ") "
            return ts_match(" | ".join(lexemes)) & Q(Regex(field_text(field), words))
        simple = [lexeme for lexeme in lexemes if SIMPLE_TOKEN.match(lexeme)]
        parts = [ts_match(" | ".join(simple))] if simple else []
        # Tokens PostgreSQL's parser splits (``a_b``) are several lexemes there: matched as phrases.
        parts += [self._match_text(None, [lexeme]) for lexeme in lexemes if not SIMPLE_TOKEN.match(lexeme)]
        return reduce(or_, parts)

    def _match_proximity(self, field: Field | None, tokens: list[str], slop: int):
        matched = self._match_regex(field, proximity_regex(tokens, slop))
        words = sorted({token for token in tokens if SIMPLE_TOKEN.match(token)})
        if not (self.use_tsvector and words and (field is None or field.searchable)):
            return matched
        # Every word must be there: the GIN index narrows the rows the expression is checked on.
        self.uses_text_index = True
        return ts_match(" & ".join(words)) & matched

    def _match_regex(self, field: Field | None, regex: str) -> Q:
        self._charge(regex)
        if field is None:
            return reduce(or_, (Q(Regex(F(column), regex)) for column in TEXT_COLUMNS))
        return Q(Regex(field_text(field), regex))

    def _charge(self, regex: str) -> None:
        self.pattern_size += len(regex)
        if self.pattern_size > MAX_PATTERN_SIZE:
            raise QueryError("The fuzzy and proximity searches of this query are too expensive; use fewer or "
                             "shorter fuzzy words (or ~1), fewer words in a proximity search or a smaller "
                             "distance.")

    def _match_range(self, field: Field, bounds: dict[str, str]):
        if field.kind == KEYWORD and self.keywords_in_row:
            conditions = [(RANGE_OPERATORS[op], value) for op, value in bounds.items()]
            return Q(KeywordExists(field.name, conditions))
        if field.kind == DATE and self.keywords_in_row:
            terms = date_range_terms(bounds)
            if not terms:
                return self._match_none()
            self.uses_date_terms = True
            return Q(keywords__has_any_keys=[keyword_term(field.name, term) for term in terms])
        return Q(has_term(field.name, **{f"value__{op}": value for op, value in bounds.items()}))

    def _and(self, parts):
        return reduce(and_, parts)

    def _or(self, parts):
        # Django drops an empty Q (everything) from an OR, which would make "* OR x" mean "x".
        if any(matches_everything(part) for part in parts):
            return self._match_all()
        return reduce(or_, parts)

    def _not(self, part):
        return self._match_none() if matches_everything(part) else ~part


def matches_everything(condition: Q) -> bool:
    """Whether ``condition`` is ``_match_all``'s empty Q, which filters nothing."""
    return not condition


class DatabaseSearchBackend(BaseSearchBackend):
    name = "database"
    query_compiler_class = DatabaseQueryCompiler

    # Searching.

    def __init__(self, params: dict | None = None):
        super().__init__(params)
        self._plans: dict[tuple, SearchPlan] = {}

    def search(self, request: SearchRequest) -> SearchResult:
        """Counts and page ids inside a transaction with the search's settings, sent with its first
        statement (none when all of them are cached); the version read before and the page's documents
        after, by id."""
        index = request.index
        plan = self._plan(request)
        counts = RequestCache(index.name, label_indexes(index) if request.facets else ())
        with transaction.atomic(), search_settings(plan.compiler):
            total_key = counts.key("total", plan.total_statement)
            cached_total = total = counts.get(total_key)
            one_pass = None if cached_total is not None else self._one_pass(plan, request, counts)
            aggregations = {}
            if request.facets:
                aggregations, counted = self._aggregations(plan, request, counts, one_pass)
                total = counted if counted is not None else total
            if one_pass is not None:
                total = one_pass.total
            if total is None and keywords_in_row():
                total = self._counted_total(plan)
            if one_pass is not None:
                ids, page = one_pass.page_ids(request), None
            else:
                ids, page, total = self._page(plan, request, total, counts)
            if cached_total is None:
                counts.set(total_key, total)
        if page is None:
            page = self._documents_in_order(plan, ids, index)
        return SearchResult(
            hits=page, total=total, aggregations=aggregations, page=request.page, size=request.size
        )

    def _plan(self, request: SearchRequest) -> SearchPlan:
        """The plan of ``request``'s shape: a kept one, or a new one, kept unless it read the database."""
        key = plan_key(request)
        plan = self._plans.get(key)
        if plan is None:
            plan = SearchPlan(self, request)
            if not plan.compiler.reads_database:
                if len(self._plans) >= MAX_PLANS:
                    self._plans.clear()
                self._plans[key] = plan
        return plan

    def _one_pass(self, plan: SearchPlan, request: SearchRequest, counts: RequestCache) -> OnePass | None:
        """PostgreSQL: the total, the counts of the facets without a selected value and the ordered ids of
        the page (or of the cached window) in one pass over the matches (``one_pass_statement``), which
        separate statements would each read again, whenever the search reads every match anyway: to rank
        them (best match of a text query) or to count them (no maintained counts). Its page then never
        hangs on walking a sort index past rows that do not match (a range of old dates sorted newest
        first). Cached as the separate statements would have been. None for a search whose counts are
        maintained (its page comes from the sort index), or when part of it is cached already."""
        if not keywords_in_row() or (not plan.ranked and plan.counted_scopes(None) is not None):
            return None
        facets = facet_scopes(request.index, request.filters).get(None, []) if request.facets else []
        window = settings.RDM_SEARCH_CACHE_WINDOW
        ids_key = counts.key("ids", plan.ids_statement) if request.offset + request.size <= window else None
        facets_key = counts.key("facets", lambda: plan.facet_counts_statement(None, facets, with_total=True)
                                ) if facets else None
        if counts.get(ids_key) is not None or counts.get(facets_key) is not None:
            return None
        first, limit = (0, window) if ids_key else (request.offset, request.size)
        found, total, ids = run_one_pass(plan.one_pass_statement(facets), facets, first, limit)
        facet_values = {facet.field: top_values(found[facet.field], facet.size) for facet in facets}
        counts.set(ids_key, ids)
        counts.set(facets_key, (facet_values, total))
        return OnePass(total, facet_values, ids, first)

    def _page(self, plan: SearchPlan, request: SearchRequest, total: int | None,
              counts: RequestCache) -> tuple[list[str] | None, list[dict] | None, int]:
        """The ids of the page's documents (or the documents themselves, read in the ordering scan beyond
        the cached window) and the total (counted in the ordering scan when not known yet).

        The first ``RDM_SEARCH_CACHE_WINDOW`` ids in order are cached like the counts (Solr's query
        result cache), so paging through the first results ranks the matches once per index version.
        """
        end = request.offset + request.size
        window = settings.RDM_SEARCH_CACHE_WINDOW
        ids_key = counts.key("ids", plan.ids_statement) if end <= window else None
        ids = counts.get(ids_key)
        if ids is None and ids_key is None:
            documents, total = self._ordered_rows(plan, "document", slice(request.offset, end), total)
            expand = document_expander(request.index)
            return None, [expand(from_json(document)) for document in documents], total
        if ids is None:
            ids, total = self._ordered_rows(plan, "doc_id", slice(0, window), total)
            counts.set(ids_key, ids)
        if total is None:
            total = plan.hits.count()
        return ids[request.offset:end], None, total

    @staticmethod
    def _ordered_rows(plan: SearchPlan, column: str, window: slice, total: int | None) -> tuple[list, int]:
        """``column`` of the ordered hits in ``window`` as stored (documents as JSON text), and the total
        (counted in the same scan unless given)."""
        sql, params = plan.page_statement(column, with_total=total is None)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, window.stop - window.start, window.start])
            rows = cursor.fetchall()
        if total is not None:
            return [value for value, in rows], total
        if rows:
            return [value for value, _ in rows], rows[0][1]
        return [], (plan.hits.count() if window.start else 0)

    @staticmethod
    def _documents_in_order(plan: SearchPlan, ids: list[str], index: Index) -> list[dict]:
        """The documents of cached ``ids``, read through the hits again, so a document that changed or
        became unreadable since the ids were cached drops out rather than showing."""
        if not ids:
            return []
        with connection.cursor() as cursor:
            cursor.execute(*plan.documents_statement(ids))
            found = {doc_id: from_json(document) for doc_id, document in cursor.fetchall()}
        expand = document_expander(index)
        return [expand(found[doc_id]) for doc_id in ids if doc_id in found]

    def _filters_q(self, filters: dict[str, list[str]], *, exclude: str | None = None) -> Q:
        conditions = [
            self._any_keyword_q(name, values) for name, values in filters.items() if name != exclude
        ]
        return reduce(and_, conditions, Q())

    def _readable_q(self, principals: list[str]) -> Q:
        """Documents one of ``principals`` may read.

        On PostgreSQL, with "public" among them the condition holds for most documents, and the planner
        underrates scanning the keywords GIN index for so frequent a term: it ANDs that scan into a text
        or filter lookup where it costs more than it saves (``creator:smith AND title:forest`` at 100,000
        records: 44 -> 19 ms). So it is checked on the rows the other conditions find, through the
        equivalent function, which no index serves. Narrower principal sets keep the index.
        """
        if keywords_in_row() and PUBLIC_PRINCIPAL in principals:
            terms = [keyword_term(PRINCIPALS_FIELD, principal) for principal in principals]
            return Q(Func(F("keywords"), Value(terms, output_field=ArrayField(TextField())),
                          function="jsonb_exists_any", output_field=BooleanField()))
        return self._any_keyword_q(PRINCIPALS_FIELD, principals)

    def _any_keyword_q(self, name: str, values: list[str]) -> Q:
        """Documents holding one of ``values`` in the keyword field ``name`` (or principals)."""
        if keywords_in_row():
            return Q(keywords__has_any_keys=[keyword_term(name, value) for value in values])
        return Q(has_term(name, value__in=values))

    def _order_keys(self, request: SearchRequest) -> list[OrderKey]:
        """The keys ``request`` orders by before the final ``doc_id``; best match only where it ranks."""
        keys = []
        for key, direction in request.sort:
            if key == "_score":
                score = self._score(request)
                if score is not None:
                    keys.append(OrderKey("_score", score, descending=True))
            else:
                expression = KeyTextTransform(key, "sort_keys")
                keys.append(OrderKey(f"_sort{len(keys)}", expression, descending=direction == "desc"))
        return keys

    def _order(self, queryset, request: SearchRequest):
        order = []
        for key in self._order_keys(request):
            if key.alias == "_score":
                queryset = queryset.annotate(_score=key.expression)
                order.append(F("_score").desc())
            else:  # as the sort indexes (``sort_index_statements``) spell it
                ordered = key.expression.desc if key.descending else key.expression.asc
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

    def _aggregations(self, plan: SearchPlan, request: SearchRequest, counts: RequestCache,
                      one_pass: OnePass | None = None) -> tuple[dict, int | None]:
        """Facet counts, and (on PostgreSQL, usually) the total, counted in the same pass.

        Facets without a selected value share one scope - the hits themselves - so usually one query
        (none when ``one_pass`` counted them).
        """
        found: dict[str, list[tuple[str, int]]] = {}
        total = None
        for own_filter, facets in facet_scopes(request.index, request.filters).items():
            if own_filter is None and one_pass is not None:
                scope_counts, total = one_pass.facets, one_pass.total
            elif own_filter is None and keywords_in_row():
                scope_counts, total = self._facet_counts_in_row(plan, own_filter, facets, counts,
                                                                with_total=True)
            else:
                scope_counts = self._facet_counts(plan, own_filter, facets, counts)
            found.update(scope_counts)
        selected, labels = request.filters, self._labels(request.index, found, counts)
        return {
            facet.field: facet_buckets(facet, found.get(facet.field, []), selected.get(facet.field, []),
                                       labels.get(facet.field))
            for facet in request.index.facets
        }, total

    @staticmethod
    def _labels(index: Index, found: dict, counts: RequestCache) -> dict[str, dict[str, str]]:
        """The labels of facets declaring a ``labels_index``, cached under its token (the others are
        looked up by ``facet_buckets``)."""
        facets = [facet for facet in index.facets if facet.labels and facet.labels_index]
        if not facets:
            return {}
        found = {facet.field: found.get(facet.field, []) for facet in facets}
        key = counts.labels_key(index, facets, found)
        labels = counts.get(key)
        if labels is None:
            labels = facets_labels(facets, found)
            counts.set(key, labels)
        return labels

    def _facet_counts(self, plan: SearchPlan, own_filter: str | None, facets,
                      counts: RequestCache) -> dict[str, list[tuple[str, int]]]:
        if keywords_in_row():
            return self._facet_counts_in_row(plan, own_filter, facets, counts)[0]
        fields = [facet.field for facet in facets]
        ranked = (
            SearchTerm.objects.filter(field__in=fields, document__in=plan.scope(own_filter).values("pk"))
            .values("field", "value")
            .annotate(doc_count=Count("id"))
            .annotate(rank=Window(RowNumber(), partition_by=F("field"),
                                  order_by=[F("doc_count").desc(), F("value").asc()]))
            .filter(rank__lte=max(facet.size for facet in facets))
            .order_by("field", "rank")
        )
        sizes = {facet.field: facet.size for facet in facets}

        def compute():
            found: dict[str, list[tuple[str, int]]] = {}
            for row in ranked:
                if row["rank"] <= sizes[row["field"]]:
                    found.setdefault(row["field"], []).append((row["value"], row["doc_count"]))
            return found

        return counts.get_or_compute("facets", ranked, compute)

    def _facet_counts_in_row(self, plan: SearchPlan, own_filter: str | None, facets, counts: RequestCache, *,
                             with_total: bool = False) -> tuple[dict[str, list[tuple[str, int]]], int | None]:
        """PostgreSQL: the value counts of ``facets`` over ``plan.scope(own_filter)`` (and with ``with_total``
        its number of rows): from the maintained counts when the scope has them (``_maintained_counts``),
        else in one pass over its rows (``facet_counts_statement``). Cached under that statement either
        way: both give the same counts."""
        statement = plan.facet_counts_statement(own_filter, facets, with_total=with_total)

        def compute():
            found, total = (self._maintained_counts(plan, own_filter, facets, with_total)
                            or run_facet_counts(statement, facets, with_total))
            return {facet.field: top_values(found[facet.field], facet.size) for facet in facets}, total

        return counts.get_or_compute("facets", statement, compute)

    @staticmethod
    def _maintained_counts(plan: SearchPlan, own_filter: str | None, facets,
                           with_total: bool) -> tuple[dict[str, dict[str, int]], int | None] | None:
        """PostgreSQL: every value count of ``facets`` (and the total) over ``plan.scope(own_filter)`` as
        the maintained counts of its count scope for the caller's counted readers (``maintained_counts``)
        plus the caller's documents none of those may read, which anonymous callers have none of. None
        when the scope's counts are not maintained."""
        counted = plan.maintained_counts(own_filter)
        if counted is None:
            return None
        readers, maintained = counted
        found: dict[str, dict[str, int]] = {facet.field: {} for facet in facets}
        by_position = {str(position): found[facet.field]
                       for position, facet in enumerate(plan.request.index.facets, 1) if facet.field in found}
        for term, count in maintained.items():
            position, _, value = term.partition(":")
            if term and position in by_position:
                by_position[position][value] = count
        total = maintained.get("", 0)
        if any(principal not in readers for principal in plan.request.principals):
            private, private_total = plan.private_counts(own_filter, facets, readers)
            for field, values in private.items():
                for value, count in values.items():
                    found[field][value] = found[field].get(value, 0) + count
            total += private_total
        return found, total if with_total else None

    def _counted_total(self, plan: SearchPlan) -> int | None:
        """The total from maintained counts (see ``_maintained_counts``), or None."""
        counted = self._maintained_counts(plan, None, (), True)
        return None if counted is None else counted[1]

    # Writing.

    def write(self, index: Index, documents: list[IndexedDocument], delete_ids: list[str]) -> None:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # The index is derived data: a crash may lose the last batches' commits, but atomically
                # with the removal of their queue rows, so those items are simply drained again.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            changed = bool(delete_ids and self._delete(index, delete_ids))
            changed = bool(documents and self._upsert(index, documents)) or changed
            if changed:
                replace_version(index.name)
            if (changed or delete_ids) and index.counted_scopes and connection.vendor == "postgresql":
                # After the commit, outside the write's transaction (its triggers added count deltas).
                transaction.on_commit(partial(public_counts.compact_if_needed, index.name), robust=True)

    def _delete(self, index: Index, ids: list[str]) -> int:
        documents = SearchDocument.objects.filter(index=index.name, doc_id__in=ids)
        _raw_delete(SearchTerm.objects.filter(document__in=documents.values("pk")))
        return _raw_delete(documents)

    def _upsert(self, index: Index, documents: list[IndexedDocument]) -> bool:
        """Write ``documents``; whether anything changed (PostgreSQL skips identical rows)."""
        now = timezone.now()
        in_row = keywords_in_row()
        plan = row_plan(index)
        prepared = [plan.prepare(doc, keywords_in_row=in_row) for doc in documents]
        if connection.vendor == "postgresql":
            return self._upsert_postgresql(index, prepared, now)
        SearchDocument.objects.bulk_create(
            [SearchDocument(index=index.name, updated=now, **row._asdict()) for row, _ in prepared],
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
        return True

    def _upsert_postgresql(self, index: Index, prepared: list[Prepared], now) -> bool:
        """A few statements per batch, whatever its size: one JSON array in, unpacked by the database.

        Rows whose digest equals the stored one are not even sent (no tsvector or JSON work, no new row
        version, no index entries, no WAL): rebuilding an up-to-date index writes almost nothing. Every
        term is in the row (``keywords``), so no ``SearchTerm`` rows are written.
        """
        encoded = [row_json(row, pairs) for row, pairs in prepared]
        with server_bound_cursor() as cursor:
            cursor.execute(STORED_DIGESTS_SQL, [index.name, [row.doc_id for row, _ in prepared]])
            stored = dict(cursor.fetchall())
            changed = [(item, text) for item, (text, digest) in zip(prepared, encoded, strict=True)
                       if stored.get(item[0].doc_id) != digest]
            written = []
            if changed:
                batch = f"[{','.join(text for _, text in changed)}]"
                cursor.execute(UPSERT_DOCUMENTS_SQL, [index.name, now, batch])
                written = cursor.fetchall()
            # Every row's tokens, written or unchanged, so a rebuild fills the lexicon too (less those
            # this batch session saw committed). Sorted: two batches adding the same new lexemes wait
            # for each other in one order, never deadlock.
            lexemes = sorted(unseen_lexemes(index, batch_lexemes(row for row, _ in prepared)))
            if lexemes:  # one string: adapting thousands of list items costs more than the insert
                cursor.execute(INSERT_LEXEMES_SQL, [index.name, " ".join(lexemes), index.name])
        return bool(written)

    def forget_written(self, index: Index, ids: list[str]) -> None:
        """PostgreSQL: make the next write of ``ids`` rewrite them even if they look up to date (stored
        rows that differ from their digest, e.g. edited behind the indexer's back)."""
        if ids and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(FORGET_DIGESTS_SQL, [index.name, ids])

    def miscounted(self, index: Index) -> list[str]:
        if not index.counted_scopes or connection.vendor != "postgresql":
            return []
        return public_counts.miscounted_scopes(index.name)

    def recount(self, index: Index) -> None:
        if index.counted_scopes and connection.vendor == "postgresql":
            with transaction.atomic():  # totals and facet counts cached from the old counts go with them
                public_counts.recount(index.name)
                replace_version(index.name)

    @contextmanager
    def batch_session(self):
        """Remembers the lexemes each committed batch stored, so later batches offer only new ones."""
        token = _committed_lexemes.set({})
        try:
            yield
        finally:
            _committed_lexemes.reset(token)

    # Maintenance.

    def clear(self, index: Index) -> None:
        with transaction.atomic():
            SearchTerm.objects.filter(document__index=index.name).delete()
            SearchDocument.objects.filter(index=index.name).delete()
            replace_version(index.name)

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


MAX_PLANS = 256  # search shapes whose plan a backend keeps (each holds a few compiled querysets)


def plan_key(request: SearchRequest) -> tuple:
    """What a plan depends on: the search's shape, not its page."""
    filters = tuple((name, tuple(values)) for name, values in request.filters.items())
    return request.index, tree_key(request.tree), tuple(request.principals), filters, request.sort


class SearchPlan:
    """The querysets and statements of one search shape (``plan_key``), built once per backend and
    shared by every search of that shape, so a search answered from the request cache compiles nothing.

    A plan holds nothing read from the database: a compiler that reads it (fuzzy terms expand against
    the lexicon) marks the plan to be used once. Built lazily and without locks: two threads at worst
    compile the same statement twice.
    """

    def __init__(self, backend: DatabaseSearchBackend, request: SearchRequest):
        self.backend, self.request = backend, request  # only the request's shape is used, never its page
        self.compiler = backend.query_compiler_class(request.index)
        documents = SearchDocument.objects.filter(index=request.index.name)
        readable = documents.filter(backend._readable_q(request.principals))
        self.condition = self.compiler.compile(request.tree)
        self.matched = readable.filter(self.condition)
        self.hits = self.matched.filter(backend._filters_q(request.filters))
        self.order_keys = backend._order_keys(request)
        # Whether ordering ranks every match (best match of a text query), rather than reading the first
        # rows of a sort index.
        self.ranked = any(key.alias == "_score" for key in self.order_keys)
        self._scopes: dict[str | None, object] = {}
        self._statements: dict[tuple, tuple[str, list]] = {}

    @cached_property
    def ordered(self):
        return self.backend._order(self.hits, self.request)

    def total_statement(self) -> tuple[str, list]:
        return self._compiled(("total",), lambda: self.hits.values("pk"))

    def ids_statement(self) -> tuple[str, list]:
        return self._compiled(("ids",), lambda: self.ordered.values("doc_id"))

    def page_statement(self, column: str, *, with_total: bool) -> tuple[str, list]:
        """``column`` of the ordered hits, with their number in every row if ``with_total``: compiled once,
        its LIMIT and OFFSET the last two parameters."""
        def rows():
            if not with_total:
                return self.ordered.values_list(column)
            return self.ordered.annotate(_total=Window(Count("pk"))).values_list(column, "_total")

        sql, params = self._compiled(("page", column, with_total), rows)
        return f"{sql} LIMIT %s OFFSET %s", params

    def scope(self, own_filter: str | None):
        """What the facets of ``own_filter`` (None: the unselected ones) count: hits minus that filter."""
        if own_filter not in self._scopes:
            conditions = self.backend._filters_q(self.request.filters, exclude=own_filter)
            self._scopes[own_filter] = self.matched.filter(conditions)
        return self._scopes[own_filter]

    def private_scope(self, own_filter: str | None, readers: tuple[str, ...] = (PUBLIC_PRINCIPAL,)):
        """``scope(own_filter)`` less the documents one of ``readers`` may read: what maintained counts
        leave out. Selected by the caller's other principals, which the GIN index finds (few rows)."""
        request, backend = self.request, self.backend
        others = [principal for principal in request.principals if principal not in readers]
        counted = public_counts.reader_terms(readers)
        return (SearchDocument.objects.filter(index=request.index.name)
                .filter(backend._any_keyword_q(PRINCIPALS_FIELD, others), ~Q(keywords__has_any_keys=counted))
                .filter(self.condition, backend._filters_q(request.filters, exclude=own_filter)))

    def private_counts(self, own_filter: str | None, facets, readers: tuple[str, ...] = (PUBLIC_PRINCIPAL,),
                       ) -> tuple[dict[str, dict[str, int]], int]:
        """The value counts of ``facets`` and the number of documents in ``private_scope``."""
        key = ("private", own_filter, tuple(facet.field for facet in facets), readers)
        if not facets:
            sql, params = self._compiled(key, lambda: self.private_scope(own_filter, readers).values("pk"))
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM ({sql}) AS private", params)
                return {}, cursor.fetchone()[0]
        if key not in self._statements:
            self._statements[key] = facet_counts_statement(self.private_scope(own_filter, readers), facets,
                                                           self.request.index, True)
        found, total = run_facet_counts(self._statements[key], facets, True)
        return found, total or 0

    def maintained_counts(self, own_filter: str | None) -> tuple[tuple[str, ...], dict[str, int]] | None:
        """The caller's counted readers ("public", and the index's other counted reader if the caller
        holds it) and the maintained counts by term of the documents one of them may read in
        ``scope(own_filter)``; with public alone if the other's are not maintained. None if neither are."""
        index, principals = self.request.index, self.request.principals
        other = tuple(reader for reader in index.counted_readers[1:] if reader in principals)
        for readers in ([(PUBLIC_PRINCIPAL, *other)] if other else []) + [(PUBLIC_PRINCIPAL,)]:
            counts = self._reader_counts(own_filter, readers)
            if counts is not None:
                return readers, counts
        return None

    def _reader_counts(self, own_filter: str | None, readers: tuple[str, ...]) -> dict[str, int] | None:
        """The maintained counts by term of what one of ``readers`` may read in ``scope(own_filter)``
        (inclusion-exclusion over their reader sets, each the sum of its disjoint scopes), read in one
        statement; None if some are not maintained, or their sum does not hold."""
        sets = public_counts.reader_sets(readers)
        counted = [self.counted_scopes(own_filter, subset) for subset, _ in sets]
        if None in counted:
            return None
        wanted = [scope for scopes in counted for scope in scopes.read()]
        found = iter(public_counts.scopes_counts(self.request.index.name, wanted))
        combined: dict[str, int] = {}
        for scopes, (_, sign) in zip(counted, sets, strict=True):
            for _ in scopes.parts:
                counts = next(found)
                if counts is None:
                    return None
                for term, count in counts.items():
                    combined[term] = combined.get(term, 0) + sign * count
            if scopes.overlap is not None and next(found) != {}:
                return None  # unregistered, or documents in several of the parts: the sum would not hold
        return {term: count for term, count in combined.items() if count > 0}

    def counted_scopes(self, own_filter: str | None,
                       readers: tuple[str, ...] = (PUBLIC_PRINCIPAL,)) -> public_counts.CountedScopes | None:
        """PostgreSQL: the maintained count scopes (``Index.counted_scopes``) for ``readers`` whose counts
        add up, with ``private_scope``'s, to what ``scope(own_filter)`` counts. Either the tree matches
        everything and the filters less ``own_filter`` are exactly a scope's (or one value of a template's
        ``ANY`` field); or the tree is a year-aligned range of a date field a template takes ``ANY`` of,
        and the filters are exactly its others: the range's periods (``date_range_terms``) are concrete
        scopes. None if there are none."""
        request = self.request
        if not (keywords_in_row() and request.index.counted_scopes
                and PUBLIC_PRINCIPAL in request.principals):
            return None
        filters = {name: values for name, values in request.filters.items() if name != own_filter}
        if request.tree is None or is_match_all(request.tree):
            scope = public_counts.matching_scope(request.index, filters, readers)
            return None if scope is None else public_counts.CountedScopes([scope])
        if self.date_range is None:
            return None
        field_name, periods = self.date_range
        return public_counts.matching_date_scopes(request.index, filters, field_name, periods, readers)

    @cached_property
    def date_range(self) -> tuple[str, list[str]] | None:
        """The date field and the periods that tile it, if the tree is one range of a date field."""
        found = single_date_range(self.request.index, self.request.tree)
        return None if found is None else (found[0], date_range_terms(found[1]))

    def facet_counts_statement(self, own_filter: str | None, facets, *,
                               with_total: bool = False) -> tuple[str, list]:
        key = ("facets", own_filter, with_total)
        if key not in self._statements:
            scope = self.scope(own_filter)
            self._statements[key] = facet_counts_statement(scope, facets, self.request.index, with_total)
        return self._statements[key]

    def one_pass_statement(self, facets) -> tuple[str, list]:
        key = ("one pass", tuple(facet.field for facet in facets))
        if key not in self._statements:
            statement = one_pass_statement(self.hits, self.order_keys, facets, self.request.index)
            self._statements[key] = statement
        return self._statements[key]

    def documents_statement(self, ids: list[str]) -> tuple[str, list]:
        """(doc_id, document) of the hits among ``ids``; compiled once per number of ids, with markers
        that the ids replace."""
        markers = [f"\x00id{number}\x00" for number in range(len(ids))]
        sql, params = self._compiled(("documents", len(ids)), lambda: self.hits.filter(
            doc_id__in=markers).values_list("doc_id", "document"))
        slots = dict(zip(markers, ids, strict=True))
        return sql, [slots.get(param, param) if isinstance(param, str) else param for param in params]

    def _compiled(self, key: tuple, queryset) -> tuple[str, list]:
        if key not in self._statements:
            sql, params = queryset().query.sql_with_params()
            self._statements[key] = sql, list(params)
        return self._statements[key]


def facet_scopes(index: Index, filters: dict[str, list[str]]) -> dict[str | None, list]:
    """The facets by the filter their counts leave out: their own selected one, or None."""
    scopes: dict[str | None, list] = {}
    for facet in index.facets:
        scopes.setdefault(facet.field if facet.field in filters else None, []).append(facet)
    return scopes


def facet_columns(facets, index: Index) -> tuple[list[str], list[str]]:
    """The column of each of ``facets`` ("f<position>") and its value set split out of ``facet_terms``."""
    positions = {facet.field: position for position, facet in enumerate(index.facets, 1)}
    columns = [f"f{positions[facet.field]}" for facet in facets]
    parts = [f"split_part(matched.facet_terms, chr(30), {column[1:]}) AS {column}" for column in columns]
    return columns, parts


def facet_counts_statement(scope, facets, index: Index, with_total: bool) -> tuple[str, list]:
    """PostgreSQL: one pass over the ``scope`` rows' ``facet_terms`` counting every facet's value sets
    (and with ``with_total`` the rows themselves: the empty grouping set)."""
    columns, parts = facet_columns(facets, index)
    sql, params = scope.values("facet_terms").query.sql_with_params()
    sets = [f"({column})" for column in columns] + (["()"] if with_total else [])
    statement = FACET_COUNTS_SQL.format(
        columns=", ".join(columns), parts=", ".join(parts), scope=sql, sets=", ".join(sets),
    )
    return statement, list(params)


def one_pass_statement(hits, order_keys: list[OrderKey], facets, index: Index) -> tuple[str, list]:
    """PostgreSQL: one pass over the ``hits`` rows giving ``facet_counts_statement``'s rows with the total,
    then a row of doc ids in the order of ``order_keys`` (then doc_id); its LIMIT and OFFSET are the last
    two parameters, left to ``run_one_pass``."""
    columns, parts = facet_columns(facets, index)
    keys = hits.annotate(**{key.alias: key.expression for key in order_keys})
    selected = keys.values("doc_id", "facet_terms", *(key.alias for key in order_keys))
    sql, params = selected.query.sql_with_params()
    order = ", ".join([*(order_term(key) for key in order_keys), "doc_id"])
    statement = ONE_PASS_SQL.format(
        matched=sql, columns="".join(f"{column}, " for column in columns), parts=", ".join(parts) or "1",
        sets=", ".join([*(f"({column})" for column in columns), "()"]),
        nulls="".join("NULL, " for _ in columns), order=order,
    )
    return statement, list(params)


def order_term(key: OrderKey) -> str:
    """``key`` in an ORDER BY over its alias, as ``DatabaseSearchBackend._order`` orders by it."""
    direction = "DESC" if key.descending else "ASC"
    return f"{key.alias} {direction}" if key.alias == "_score" else f"{key.alias} {direction} NULLS LAST"


def run_one_pass(statement: tuple[str, list], facets, offset: int,
                    limit: int) -> tuple[dict[str, dict[str, int]], int, list[str]]:
    """Run a ``one_pass_statement``: every facet's count per value, the total and the ``limit`` ids in
    order from ``offset``."""
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    ids = next((row[-1] for row in rows if row[-2] is None), None) or []
    found, total = facet_counts_from_rows([row[:-1] for row in rows if row[-2] is not None], facets, True)
    return found, total or 0, ids


def run_facet_counts(statement: tuple[str, list], facets,
                     with_total: bool) -> tuple[dict[str, dict[str, int]], int | None]:
    """Run a ``facet_counts_statement``: every facet's count per value (multi-valued sets split and
    summed), and with ``with_total`` the number of rows (the empty grouping set)."""
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        rows = cursor.fetchall()
    return facet_counts_from_rows(rows, facets, with_total)


def facet_counts_from_rows(rows, facets, with_total: bool) -> tuple[dict[str, dict[str, int]], int | None]:
    found: dict[str, dict[str, int]] = {facet.field: {} for facet in facets}
    total = 0 if with_total else None
    for *keys, count in rows:
        position = next((i for i, key in enumerate(keys) if key is not None), None)
        if position is None:  # split_part never gives NULL: this is the empty grouping set
            total = count
            continue
        field_counts = found[facets[position].field]
        for value in keys[position].split(VALUE_SEPARATOR) if keys[position] else ():
            field_counts[value] = field_counts.get(value, 0) + count
    return found, total


SORT_INDEX_SQL = "CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns}, doc_id) WHERE index = '{index}'"
SAFE_NAME = re.compile(r"^[\w-]+$")


def sort_index_statements(index: Index) -> list[str]:
    """PostgreSQL: partial btree indexes serving the index's default (and ``indexed_sorts``) order, so a
    sorted page of a broad search reads its first rows instead of sorting every match."""
    statements = []
    for name in dict.fromkeys([index.default_sort, *index.indexed_sorts]):
        option = index.sort_options.get(name)
        if option is None or any(key == "_score" for key, _ in option.keys):
            continue
        names = [index.name, *(key for key, _ in option.keys)]
        if not all(SAFE_NAME.match(part) for part in names):
            raise ValueError(f"Unsafe name in the sort option {name!r} of index {index.name!r}.")
        columns = ", ".join(f"(sort_keys ->> '{key}') {direction.upper()} NULLS LAST" for key, direction in
                            option.keys)
        digest = hashlib.sha256(repr((index.name, option.keys)).encode()).hexdigest()[:16]
        statements.append(SORT_INDEX_SQL.format(name=f"search_sort_{digest}", columns=columns,
                                                table=SearchDocument._meta.db_table, index=index.name))
    return statements


def ensure_sort_indexes(using: str = "default") -> None:
    """Create the missing sort indexes of every declared index (run after ``migrate``)."""
    from django.db import connections

    from ..index import all_indexes

    target = connections[using]
    if target.vendor != "postgresql":
        return
    with target.cursor() as cursor:
        for index in all_indexes():
            for statement in sort_index_statements(index):
                cursor.execute(statement)


def label_indexes(index: Index) -> tuple[str, ...]:
    return tuple(facet.labels_index for facet in index.facets if facet.labels and facet.labels_index)


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
