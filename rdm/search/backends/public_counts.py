"""PostgreSQL: maintained counts of public documents per count scope (``Index.counted_scopes``).

A match-all search's total and facet counts would otherwise scan every document in the scope. The
triggers of migration 0009 append (index, scope, term, delta) rows for every statement that changes
``search_searchdocument``; the sum of a term's deltas is the number of documents readable by "public"
in the scope (term "") or holding one facet value (term "<position>:<value>"). The database backend
adds a live count of the non-public documents the caller may read (none for anonymous callers).
"""

from __future__ import annotations

from django.db import connection, connections, transaction

from ..index import PUBLIC, Index, all_indexes
from ..models import FacetCountDelta, FacetCountScope, SearchDocument

DELTAS = FacetCountDelta._meta.db_table
SCOPES = FacetCountScope._meta.db_table
DOCUMENTS = SearchDocument._meta.db_table
# Compaction folds a scope's rows into one per term once they are more than twice as many (and at
# least this many): reading the counts sums the rows, so they stay within a small multiple of the terms.
COMPACT_MIN_ROWS = 1000

# Summed per term; a NULL term row says the scope is registered (else its counts are not maintained).
PUBLIC_COUNTS_SQL = f"""
    SELECT term, sum(delta)::bigint FROM {DELTAS} WHERE index = %s AND scope = %s GROUP BY term
    UNION ALL
    SELECT NULL, 0 FROM {SCOPES} WHERE index = %s AND scope = %s
"""
SEED_SQL = f"""
    INSERT INTO {DELTAS} (index, scope, term, delta)
    SELECT %s, %s, term.term, count(*)
    FROM {DOCUMENTS} AS doc CROSS JOIN LATERAL search_facet_count_terms(doc.facet_terms) AS term(term)
    WHERE doc.index = %s AND doc.keywords @> %s::jsonb
    GROUP BY term.term
"""
# One statement, so a reader sees the rows before or after it, never both. Safe beside writers and other
# compactions under READ COMMITTED: it moves only the rows in its snapshot (rows inserted meanwhile stay
# as they are), and a row another compaction deleted first is skipped when the DELETE finds it gone, so
# every delta is moved exactly once. The advisory lock just spares a second compaction the wait.
COMPACT_SQL = f"""
    WITH moved AS (
        DELETE FROM {DELTAS} WHERE index = %s AND scope = %s RETURNING term, delta
    )
    INSERT INTO {DELTAS} (index, scope, term, delta)
    SELECT %s, %s, term, sum(delta) FROM moved GROUP BY term HAVING sum(delta) <> 0
"""
COMPACT_LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))"
SCOPE_SIZES_SQL = f"""
    SELECT scope, count(*), count(DISTINCT term) FROM {DELTAS} WHERE index = %s GROUP BY scope
"""


def scope_terms(scope: dict[str, str]) -> list[str]:
    """The keyword terms a document of ``scope`` holds (besides the public principal), sorted."""
    from .database import keyword_term

    return sorted(keyword_term(name, value) for name, value in scope.items())


def scope_key(scope: dict[str, str]) -> str:
    """How ``scope`` is named in the count tables: its sorted terms as a JSON array ("[]": everything)."""
    from .database import to_json

    return to_json(scope_terms(scope))


def declared_scopes(index: Index) -> dict[str, list[str]]:
    """The index's count scopes: key -> the terms a counted document holds (the public principal too)."""
    from .database import PRINCIPALS_FIELD, keyword_term

    public = keyword_term(PRINCIPALS_FIELD, PUBLIC)
    return {scope_key(scope): sorted([*scope_terms(scope), public]) for scope in index.counted_scopes}


def matching_scope(index: Index, filters: dict[str, list[str]]) -> str | None:
    """The key of the count scope that ``filters`` select exactly, if the index declares one."""
    wanted = {name: set(values) for name, values in filters.items()}
    for scope in index.counted_scopes:
        if wanted == {name: {value} for name, value in scope.items()}:
            return scope_key(scope)
    return None


def public_counts(index_name: str, scope: str) -> dict[str, int] | None:
    """The maintained counts of ``scope`` by term ("" for documents), or None if it is not registered."""
    with connection.cursor() as cursor:
        cursor.execute(PUBLIC_COUNTS_SQL, [index_name, scope, index_name, scope])
        rows = cursor.fetchall()
    if not any(term is None for term, _ in rows):
        return None
    return {term: count for term, count in rows if term is not None and count > 0}


def ensure_counted_scopes(using: str = "default") -> None:
    """Register the declared count scopes (run after ``migrate``): seed the counts of new ones from the
    stored documents, drop those no longer declared.

    The table lock makes writers wait while a scope is seeded: a write committed before is in the seed,
    one after sees the registered scope in its trigger. It is taken only when something changed.
    """
    target = connections[using]
    if target.vendor != "postgresql" or SCOPES not in target.introspection.table_names():
        return  # (migrated back before 0009)
    declared = {(index.name, key): required for index in all_indexes()
                for key, required in declared_scopes(index).items()}
    with transaction.atomic(using), target.cursor() as cursor:
        if _registered_scopes(cursor) == set(declared):
            return
        cursor.execute(f"LOCK TABLE {DOCUMENTS} IN SHARE ROW EXCLUSIVE MODE")
        registered = _registered_scopes(cursor)
        for index_name, scope in registered - set(declared):
            cursor.execute(f"DELETE FROM {SCOPES} WHERE index = %s AND scope = %s", [index_name, scope])
            cursor.execute(f"DELETE FROM {DELTAS} WHERE index = %s AND scope = %s", [index_name, scope])
        for (index_name, scope), required in declared.items():
            if (index_name, scope) not in registered:
                _seed(cursor, index_name, scope, required)


def _registered_scopes(cursor) -> set[tuple[str, str]]:
    cursor.execute(f"SELECT index, scope FROM {SCOPES}")
    return set(cursor.fetchall())


def _seed(cursor, index_name: str, scope: str, required: list[str]) -> None:
    from .database import to_json

    cursor.execute(f"DELETE FROM {DELTAS} WHERE index = %s AND scope = %s", [index_name, scope])
    cursor.execute(f"INSERT INTO {SCOPES} (index, scope, required) VALUES (%s, %s, %s::jsonb)",
                   [index_name, scope, to_json(required)])
    cursor.execute(SEED_SQL, [index_name, scope, index_name, to_json(required)])


def compact(index_name: str, scope: str) -> bool:
    """Fold the delta rows of ``scope`` into one per term (sums unchanged); False if another
    compaction of it was running. Runs in its own transaction: call it outside write transactions."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(COMPACT_LOCK_SQL, [f"{DELTAS}:{index_name}:{scope}"])
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(COMPACT_SQL, [index_name, scope, index_name, scope])
    return True


def compact_if_needed(index_name: str) -> None:
    """Compact the scopes of ``index_name`` whose rows outgrew their terms (after a write commits)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DELTAS} WHERE index = %s", [index_name])
        if cursor.fetchone()[0] <= COMPACT_MIN_ROWS:
            return
        cursor.execute(SCOPE_SIZES_SQL, [index_name])
        sizes = cursor.fetchall()
    for scope, rows, terms in sizes:
        if rows > COMPACT_MIN_ROWS and rows > 2 * terms:
            compact(index_name, scope)
