"""PostgreSQL: maintained counts of public documents per count scope (``Index.counted_scopes``).

A match-all search's total and facet counts would otherwise scan every document in the scope. The
triggers of migrations 0009/0010 append (index, scope, term, delta) rows for every statement that changes
``search_searchdocument``; the sum of a term's deltas is the number of documents readable by "public"
in the scope (term "") or holding one facet value (term "<position>:<value>"). The database backend
adds a live count of the non-public documents the caller may read (none for anonymous callers).

A declared scope with an ``ANY`` field is a template, registered once: the triggers count each document
in one concrete scope per value it holds in that field, keyed by the template's key followed by the value.
``ANY`` on a date field counts the date's century ("20") and year ("2015"): a year-aligned range is tiled
by centuries, decades and years (``database.date_range_terms``), a decade is its ten years, and their
counts add up to the range's as long as no document holds dates in two years (those are also counted under
the key + "*").

An index may count a second reader besides "public" (``Index.counted_readers``, e.g. staff): each scope is
then also counted for the documents that reader may read and for those both may read, and a caller
holding both gets the documents either may read as public + other - both.
"""

from __future__ import annotations

import json
import time
from typing import NamedTuple

from django.db import connection, connections, transaction

from ..index import ANY, DATE, PUBLIC, Index, all_indexes
from ..models import FacetCountDelta, FacetCountScope, SearchDocument

DELTAS = FacetCountDelta._meta.db_table
SCOPES = FacetCountScope._meta.db_table
DOCUMENTS = SearchDocument._meta.db_table
# Compaction folds a (concrete) scope's rows into one per term once they are more than twice as many (and
# at least this many): reading the counts sums the rows, so they stay within a small multiple of the terms.
COMPACT_MIN_ROWS = 1000

# Summed per term, for each wanted scope (its number n); a NULL term row says the scope (or its template)
# is registered (else its counts are not maintained).
SCOPES_COUNTS_SQL = f"""
    WITH wanted (n, scope, registered) AS (SELECT * FROM unnest(%s::int[], %s::text[], %s::text[]))
    SELECT wanted.n, delta.term, sum(delta.delta)::bigint
    FROM wanted JOIN {DELTAS} AS delta ON delta.index = %s AND delta.scope = wanted.scope
    GROUP BY wanted.n, delta.term
    UNION ALL
    SELECT wanted.n, NULL, 0
    FROM wanted JOIN {SCOPES} AS registration
        ON registration.index = %s AND registration.scope = wanted.registered
"""
# What the registered scopes of an index count (all of them, or the one registered under the key given),
# derived from its stored documents in one pass: per concrete scope and term, the number of documents (the
# sums the triggers' deltas should add up to). ``search_facet_count_scopes``: migration 0012.
EXPECTED_COUNTS_SQL = f"""
    SELECT scoped.scope, term.term, count(*) AS documents
    FROM {DOCUMENTS} AS doc
    JOIN {SCOPES} AS registration ON registration.index = doc.index AND doc.keywords @> registration.required
    CROSS JOIN LATERAL search_facet_count_scopes(registration.scope, registration.any_field,
                                                 registration.value_lengths, doc.keywords) AS scoped(scope)
    CROSS JOIN LATERAL search_facet_count_terms(doc.facet_terms) AS term(term)
    WHERE doc.index = %s AND (%s::text IS NULL OR registration.scope = %s)
    GROUP BY scoped.scope, term.term
"""
# The counts of a registration (every registration of the index if the key is NULL), as delta rows.
SEED_SQL = f"""
    INSERT INTO {DELTAS} (index, scope, term, delta)
    SELECT %s, scope, term, documents FROM ({EXPECTED_COUNTS_SQL}) AS expected
"""
# The concrete scopes whose maintained sums differ from the stored documents. One statement, one snapshot:
# a write commits its documents and its deltas together, so concurrent writes never show as differences.
MISCOUNTED_SQL = f"""
    WITH expected AS ({EXPECTED_COUNTS_SQL}), maintained AS (
        SELECT scope, term, sum(delta) AS documents FROM {DELTAS} WHERE index = %s GROUP BY scope, term
    )
    SELECT DISTINCT coalesce(expected.scope, maintained.scope) AS scope
    FROM expected FULL JOIN maintained
        ON maintained.scope = expected.scope AND maintained.term = expected.term
    WHERE coalesce(expected.documents, 0) <> coalesce(maintained.documents, 0)
    ORDER BY scope
"""
# The rows of a scope, and of a template's every concrete scope (its key and a value).
DROP_SQL = f"""
    DELETE FROM {DELTAS} WHERE index = %s AND (scope = %s OR (%s AND starts_with(scope, %s)))
"""
# Folds the rows of the given scopes into one per term. One statement, so a reader sees the rows
# before or after it, never both. Safe beside writers and other compactions under READ COMMITTED: it
# moves only the rows in its snapshot (rows inserted meanwhile stay as they are), and a row another
# compaction deleted first is skipped when the DELETE finds it gone, so every delta is moved exactly
# once. The advisory lock (per index) just spares a second compaction the wait.
COMPACT_SQL = f"""
    WITH moved AS (
        DELETE FROM {DELTAS} WHERE index = %s AND scope = ANY(%s) RETURNING scope, term, delta
    )
    INSERT INTO {DELTAS} (index, scope, term, delta)
    SELECT %s, scope, term, sum(delta) FROM moved GROUP BY scope, term HAVING sum(delta) <> 0
"""
# The scopes of an index whose rows outgrew their terms.
OUTGROWN_SQL = f"""
    SELECT scope FROM {DELTAS} WHERE index = %s GROUP BY scope
    HAVING count(*) > %s AND count(*) > 2 * count(DISTINCT term)
"""
COMPACT_LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))"


# A date template counts the century and the year of a date: its terms of these lengths.
DATE_PERIOD_LENGTHS = [2, 4]
# A date template's concrete scope of the documents holding dates in more than one year.
SEVERAL_YEARS = "*"


class CountScope(NamedTuple):
    """A concrete count scope: its key in the delta rows, and the key its registration is under (the
    same, or its template's)."""

    key: str
    registered: str


class CountedScopes(NamedTuple):
    """Disjoint concrete scopes whose counts add up to a search's (one, or a date range's tiles), and the
    scope whose documents some of them may share (``SEVERAL_YEARS``): while it counts any, the sum does
    not hold."""

    parts: list[CountScope]
    overlap: CountScope | None = None

    def read(self) -> list[CountScope]:
        """The scopes whose counts summing needs: the parts, then the overlap if any."""
        return [*self.parts, *([self.overlap] if self.overlap else [])]


def any_field(scope: dict[str, str]) -> str | None:
    """The field a scope template takes any value of; None for a plain scope."""
    return next((name for name, value in scope.items() if value == ANY), None)


def scope_terms(scope: dict[str, str]) -> list[str]:
    """The keyword terms every document of ``scope`` holds (besides the public principal), sorted: a
    template's fixed ones."""
    from .database import keyword_term

    return sorted(keyword_term(name, value) for name, value in scope.items() if value != ANY)


def reader_terms(readers: tuple[str, ...]) -> list[str]:
    """The principal terms of a reader set, as a counted document holds them."""
    from .database import PRINCIPALS_FIELD, keyword_term

    return [keyword_term(PRINCIPALS_FIELD, reader) for reader in readers]


def scope_key(scope: dict[str, str], value: str | None = None, readers: tuple[str, ...] = (PUBLIC,)) -> str:
    """How ``scope`` is named in the count tables: its sorted terms as a JSON array ("[]": everything),
    with the reader terms unless the readers are just "public"; a template's key adds "<field>:", and the
    key of its concrete scope for ``value`` that value too."""
    from .database import keyword_term, to_json

    field = any_field(scope)
    terms = scope_terms(scope)
    if readers != (PUBLIC,):
        terms = sorted([*terms, *reader_terms(readers)])
    key = to_json(terms)
    if field is None:
        return key
    return key + keyword_term(field, value or "")


def reader_sets(readers: tuple[str, ...]) -> list[tuple[tuple[str, ...], int]]:
    """The reader sets whose counts make up what any of ``readers`` may read, each with its sign
    (inclusion-exclusion): ("public",) alone, or with another reader R: public + R - (public and R)."""
    if len(readers) == 1:
        return [(readers, 1)]
    public, other = readers
    return [((public,), 1), ((other,), 1), ((public, other), -1)]


def counted_reader_sets(index: Index) -> list[tuple[str, ...]]:
    """The reader sets the index's scopes are counted for."""
    return [readers for readers, _ in reader_sets(tuple(index.counted_readers))]


class DeclaredScope(NamedTuple):
    """A count scope as registered: the terms a counted document holds (reader principals included), the
    field a template takes any value of, and the lengths of the values it counts (date templates)."""

    required: list[str]
    any_field: str | None
    value_lengths: list[int] | None


def declared_scopes(index: Index) -> dict[str, DeclaredScope]:
    """The index's count scopes, for every counted reader set, by key."""
    declared = {}
    for scope in index.counted_scopes:
        field = any_field(scope)
        dated = field is not None and index.get_field(field).kind == DATE
        for readers in counted_reader_sets(index):
            declared[scope_key(scope, readers=readers)] = DeclaredScope(
                sorted([*scope_terms(scope), *reader_terms(readers)]), field,
                DATE_PERIOD_LENGTHS if dated else None)
    return declared


def matching_scope(index: Index, filters: dict[str, list[str]],
                   readers: tuple[str, ...] = (PUBLIC,)) -> CountScope | None:
    """The count scope that ``filters`` select exactly (one value per field) for ``readers``, if the
    index declares it or a template of it."""
    wanted = {name: set(values) for name, values in filters.items()}
    if any(len(values) != 1 for values in wanted.values()):
        return None
    for scope in index.counted_scopes:
        field = any_field(scope)
        if wanted.keys() == scope.keys() and all(
                wanted[name] == {value} for name, value in scope.items() if name != field):
            key = scope_key(scope, readers=readers)
            if field is None:
                return CountScope(key, key)
            (value,) = wanted[field]
            return CountScope(scope_key(scope, value, readers), key)
    return None


def matching_date_scopes(index: Index, filters: dict[str, list[str]], date_field: str, periods: list[str],
                         readers: tuple[str, ...] = (PUBLIC,)) -> CountedScopes | None:
    """The concrete scopes of a date template that count the documents ``filters`` select (exactly, as in
    ``matching_scope``) holding a date in one of ``periods`` (centuries, decades, years: the tiles of a
    year-aligned range), for ``readers``; None if the index declares no such template."""
    if not periods or any(len(period) > 4 for period in periods):
        return None
    periods = [counted for period in periods for counted in
               ([period + str(digit) for digit in range(10)] if len(period) == 3 else [period])]
    wanted = {name: set(values) for name, values in filters.items()}
    if date_field in wanted or any(len(values) != 1 for values in wanted.values()):
        return None
    for scope in index.counted_scopes:
        if any_field(scope) == date_field and wanted.keys() == scope.keys() - {date_field} and all(
                wanted[name] == {value} for name, value in scope.items() if name != date_field):
            key = scope_key(scope, readers=readers)
            return CountedScopes([CountScope(scope_key(scope, period, readers), key) for period in periods],
                                 CountScope(scope_key(scope, SEVERAL_YEARS, readers), key))
    return None


def public_counts(index_name: str, scope: str, registered: str | None = None) -> dict[str, int] | None:
    """The maintained counts of ``scope`` by term ("" for documents), or None if it is not registered
    (under ``registered``: its template's key, if it is a template's concrete scope)."""
    return scopes_counts(index_name, [CountScope(scope, registered or scope)])[0]


def scopes_counts(index_name: str, scopes: list[CountScope]) -> list[dict[str, int] | None]:
    """``public_counts`` of several scopes, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(SCOPES_COUNTS_SQL, [list(range(len(scopes))), [scope.key for scope in scopes],
                                           [scope.registered for scope in scopes], index_name, index_name])
        rows = cursor.fetchall()
    counts: list[dict[str, int] | None] = [None] * len(scopes)
    for number, term, _ in rows:
        if term is None:
            counts[number] = {}
    for number, term, count in rows:
        if term is not None and count > 0 and counts[number] is not None:
            counts[number][term] = count
    return counts


def ensure_counted_scopes(using: str = "default") -> None:
    """Register the declared count scopes (run after ``migrate``): seed the counts of new ones from the
    stored documents, drop those no longer declared.

    The table lock makes writers wait while a scope is seeded: a write committed before is in the seed,
    one after sees the registered scope in its trigger. It is taken only when something changed.
    """
    target = connections[using]
    if target.vendor != "postgresql" or not _has_templates(target):
        return  # (migrated back before 0012)
    declared = {(index.name, key): scope for index in all_indexes()
                for key, scope in declared_scopes(index).items()}
    with transaction.atomic(using), target.cursor() as cursor:
        if _registered_scopes(cursor) == _as_registered(declared):
            return
        cursor.execute(f"LOCK TABLE {DOCUMENTS} IN SHARE ROW EXCLUSIVE MODE")
        registered = _registered_scopes(cursor)
        wanted = _as_registered(declared)
        for (index_name, scope), counted in registered.items():
            if wanted.get((index_name, scope)) != counted:
                cursor.execute(f"DELETE FROM {SCOPES} WHERE index = %s AND scope = %s", [index_name, scope])
                _drop_deltas(cursor, index_name, scope, template=counted[0] is not None)
        for (index_name, scope), declaration in declared.items():
            if registered.get((index_name, scope)) != wanted[index_name, scope]:
                _seed(cursor, index_name, scope, declaration)


def _has_templates(target) -> bool:
    if SCOPES not in target.introspection.table_names():
        return False
    with target.cursor() as cursor:
        return any(column.name == "value_lengths"
                   for column in target.introspection.get_table_description(cursor, SCOPES))


def _registered_scopes(cursor) -> dict[tuple[str, str], tuple[str | None, int | None]]:
    """(index, scope) -> the template's ``any_field`` and ``value_lengths`` (None for a plain scope)."""
    cursor.execute(f"SELECT index, scope, any_field, value_lengths FROM {SCOPES}")
    return {(index_name, scope): (field, json.loads(lengths) if isinstance(lengths, str) else lengths)
            for index_name, scope, field, lengths in cursor.fetchall()}


def _as_registered(declared: dict[tuple[str, str], DeclaredScope]):
    return {key: (scope.any_field, scope.value_lengths) for key, scope in declared.items()}


def _drop_deltas(cursor, index_name: str, scope: str, *, template: bool) -> None:
    cursor.execute(DROP_SQL, [index_name, scope, template, scope])


def _seed(cursor, index_name: str, scope: str, declared: DeclaredScope) -> None:
    from .database import to_json

    required, field, lengths = declared
    lengths = None if lengths is None else to_json(lengths)
    _drop_deltas(cursor, index_name, scope, template=field is not None)
    cursor.execute(f"INSERT INTO {SCOPES} (index, scope, required, any_field, value_lengths) "
                   "VALUES (%s, %s, %s::jsonb, %s, %s::jsonb)",
                   [index_name, scope, to_json(required), field, lengths])
    cursor.execute(SEED_SQL, [index_name, index_name, scope, scope])


def miscounted_scopes(index_name: str) -> list[str]:
    """The concrete count scopes of ``index_name`` whose maintained counts differ from what its stored
    documents hold (triggers disabled or rows edited behind their back); ``recount`` repairs them."""
    with connection.cursor() as cursor:
        cursor.execute(MISCOUNTED_SQL, [index_name, None, None, index_name])
        return [scope for (scope,) in cursor.fetchall()]


def recount(index_name: str) -> None:
    """Derive the maintained counts of ``index_name`` from its stored documents again, replacing its delta
    rows in one transaction (searches see the old counts or the new ones). Writers wait meanwhile, as
    while a scope is seeded; searches do not."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {DOCUMENTS} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {DELTAS} WHERE index = %s", [index_name])
        cursor.execute(SEED_SQL, [index_name, index_name, None, None])


def compact(index_name: str, scopes: list[str]) -> bool:
    """Fold the delta rows of ``scopes`` into one per term (sums unchanged); False if another
    compaction of the index was running. Runs in its own transaction: call it outside write transactions."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(COMPACT_LOCK_SQL, [f"{DELTAS}:{index_name}"])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(COMPACT_SQL, [index_name, scopes, index_name])
    return True


# Checking costs a scan of the index's delta rows, so each process checks an index at most this often.
COMPACT_CHECK_SECONDS = 10.0
_last_checks: dict[str, float] = {}


def compact_if_needed(index_name: str) -> None:
    """Compact the scopes of ``index_name`` whose rows outgrew their terms, in one statement (after a
    write commits; at most every ``COMPACT_CHECK_SECONDS`` per process and index)."""
    now = time.monotonic()
    if now - _last_checks.get(index_name, -COMPACT_CHECK_SECONDS) < COMPACT_CHECK_SECONDS:
        return
    _last_checks[index_name] = now
    with connection.cursor() as cursor:
        cursor.execute(OUTGROWN_SQL, [index_name, COMPACT_MIN_ROWS])
        outgrown = [scope for (scope,) in cursor.fetchall()]
    if outgrown:
        compact(index_name, outgrown)
