"""Index declarations: what a document type puts in the search engine and how users may query it.

Each document type (records, later communities, users, requests...) declares one ``Index`` subclass and
registers it with ``register(index)`` from its app's ``indexes.py`` (imported by ``SearchConfig.ready``).
The declaration is engine-neutral; every backend builds its storage and queries from it.

Field kinds:
- ``TextField``: tokenised full text (case-insensitive words and phrases), optionally part of the
  default free-text search with a boost.
- ``KeywordField``: exact values for filters, facets, sorting and ``field:value`` queries.
- ``DateField``: ISO dates (``2020``, ``2020-05``, ``2020-05-17``), stored as the first day of the
  period; ``year:2020`` and ``date:[2019 TO 2021]`` match whole periods.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import islice

TEXT = "text"
KEYWORD = "keyword"
DATE = "date"

PUBLIC = "public"
AUTHENTICATED = "authenticated"
STAFF = "staff"
# In ``Index.counted_scopes``: the field takes any single value (a scope template, one concrete scope per
# value the documents hold).
ANY = "*"

# A document key for values the document is found by but hits never show (``rdm.search.search`` drops
# it), such as the slugs of a record's communities, which the record's JSON does not carry.
INDEX_ONLY = "_index_only"

KEYWORD_MAX_LENGTH = 400  # keeps every value under the btree key size of PostgreSQL and ES's keyword limit
_TOKEN = re.compile(r"\w+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class Field:
    """One field of an index.

    ``name`` is the canonical name used in query trees, filters, facets and sorts. ``path`` is the
    dotted path in the document (lists are walked transparently); users may type the name, any alias,
    or the full path. ``extract`` replaces the path lookup when the values need computing.
    ``also_matches`` names other fields a fielded query on this one searches as well (OR-ed), e.g. the
    records' ``community:x`` matching a community id or slug while the facet counts ids only.
    ``readers``, when set, limits fielded queries on the field to callers holding one of those
    principals (e.g. staff matching hidden e-mail addresses); others are told the field does not exist,
    and an ``also_matches`` alternative they may not query is left out.
    """

    name: str
    path: str = ""
    aliases: tuple[str, ...] = ()
    boost: float = 1.0
    searchable: bool = False
    sortable: bool = False
    extract: Callable[[dict], Iterable] | None = None
    also_matches: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()
    kind: str = field(default=TEXT, init=False)

    def values(self, document: dict) -> list[str]:
        raw = self.extract(document) if self.extract else values_at(document, self.path or self.name)
        return [value for value in (self.clean(item) for item in raw) if value]

    def sort_value(self, document: dict) -> str | None:
        """The value a sort on this field uses: the first value, as given (dates keep their time)."""
        raw = self.extract(document) if self.extract else values_at(document, self.path or self.name)
        first = next((Field.clean(self, item) for item in raw if Field.clean(self, item)), None)
        return first.casefold() if first is not None and self.kind == TEXT else first

    def clean(self, value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value).strip()

    def read(self, document: dict) -> tuple[list[str], str | None]:
        """``(self.values(document), self.sort_value(document) if self.sortable else None)``: what
        indexing needs, the raw values extracted once, through a reader compiled for this field."""
        return self._reader(document)

    @cached_property
    def _reader(self) -> Callable[[dict], tuple[list[str], str | None]]:
        return compile_reader(self)

    def queryable_by(self, principals: Iterable[str]) -> bool:
        return not self.readers or any(principal in self.readers for principal in principals)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a user may type for this field."""
        return tuple(dict.fromkeys((self.name, *self.aliases, *([self.path] if self.path else []))))


@dataclass(frozen=True)
class TextField(Field):
    searchable: bool = True
    kind: str = field(default=TEXT, init=False)


@dataclass(frozen=True)
class KeywordField(Field):
    kind: str = field(default=KEYWORD, init=False)

    def clean(self, value) -> str:
        return super().clean(value)[:KEYWORD_MAX_LENGTH]


@dataclass(frozen=True)
class DateField(Field):
    kind: str = field(default=DATE, init=False)

    def clean(self, value) -> str:
        return period_start(super().clean(value)) or ""


@dataclass(frozen=True)
class Facet:
    """A facet: counts of a keyword field's values. ``labels`` turns values into display titles.

    ``labels_index`` names the index whose documents carry what the labels are made of (vocabulary
    titles: "vocabularies"): the database backend then caches the labels under that index's version
    token, which every write to it replaces. Without it, labels are looked up on every search.
    """

    field: str
    label: str
    size: int = 20
    labels: Callable[[list[str]], dict[str, str]] | None = None
    labels_index: str = ""


ID_CHUNK_SIZE = 1000  # ids per chunk when an index streams its ids (rebuild, check, propagation)


@dataclass(frozen=True)
class SortOption:
    """A named sort. ``keys`` are (field name, "asc"|"desc"); the field "_score" means relevance."""

    title: str
    keys: tuple[tuple[str, str], ...]


# InvenioRDM's sorts of records and communities alike: they need sortable "title", "created", "updated".
STANDARD_SORTS = {
    "bestmatch": SortOption("Best match", (("_score", "desc"), ("created", "desc"))),
    "newest": SortOption("Newest", (("created", "desc"),)),
    "oldest": SortOption("Oldest", (("created", "asc"),)),
    "title": SortOption("Title", (("title", "asc"),)),
    "updated-desc": SortOption("Recently updated", (("updated", "desc"),)),
    "updated-asc": SortOption("Least recently updated", (("updated", "asc"),)),
}


class Index:
    """Declaration of one document type. Subclasses set the attributes and implement the loaders."""

    name: str = ""
    fields: tuple[Field, ...] = ()
    facets: tuple[Facet, ...] = ()
    sort_options: dict[str, SortOption] = {}
    default_sort: str = ""
    default_sort_with_query: str = ""
    # Sort options the database backend on PostgreSQL backs with a btree index, besides the default
    # sort (each costs a little on every write; unindexed sorts are correct, just slower on big sets).
    indexed_sorts: tuple[str, ...] = ()
    # Filter sets ({keyword field: value}, {} for none) whose public total and facet counts the database
    # backend maintains on PostgreSQL, so a match-all search with exactly these filters counts nothing
    # for anonymous callers (each costs a little on every write; others are counted per search). At most
    # one field per set may take ``ANY``: the set stands for every filter on one value of that field. ``ANY``
    # on a date field stands for every range of whole years of it (``year:[2015 TO 2018]``), each document
    # counted in its year and century.
    counted_scopes: tuple[dict[str, str], ...] = ()
    # Whose readable documents the scopes count: "public", and at most one more principal (e.g. staff,
    # who browse everything): then each scope is counted for it and for documents both may read too.
    counted_readers: tuple[str, ...] = (PUBLIC,)
    default_operator: str = "AND"
    # Rows of this index arrive through data migrations, which send no signals (the default
    # vocabularies): after ``migrate`` the missing documents are queued (``receivers.index_migrated_data``).
    seeded_by_migrations: bool = False

    def to_document(self, obj) -> dict:
        """The denormalised JSON document returned in search hits."""
        raise NotImplementedError

    def principals(self, obj) -> list[str]:
        """Who may read the document: "public", "user:<id>", "staff", later "group:<id>" ..."""
        raise NotImplementedError

    def doc_id(self, obj) -> str:
        raise NotImplementedError

    def load(self, ids: list[str]) -> dict[str, object]:
        """The indexable objects for ``ids``; ids missing from the answer are removed from the index."""
        raise NotImplementedError

    def iter_ids(self, chunk_size: int = ID_CHUNK_SIZE) -> Iterator[list[str]]:
        """Every id that belongs in the index, in chunks, without loading all objects at once."""
        raise NotImplementedError

    def count(self) -> int:
        return sum(len(chunk) for chunk in self.iter_ids())

    def filter_values(self, name: str, values: list[str]) -> list[str]:
        """The stored values a filter parameter's ``values`` stand for (e.g. a slug for an id)."""
        return values

    def ids_embedding(self, vocabulary: str, entry_id: str) -> Iterator[list[str]]:
        """Ids (in chunks) of documents that embed the vocabulary entry and need reindexing on rename."""
        return iter(())

    # Lookups derived from the declaration.

    def get_field(self, name: str) -> Field | None:
        return self._fields_by_name.get(name)

    def resolve_field(self, typed: str) -> Field | None:
        """The field a user means by ``typed`` (its name, an alias or its full path)."""
        return self._fields_by_typed_name.get(typed)

    def queryable_names(self, principals: Iterable[str] = ()) -> list[str]:
        fields = [f for f in self.fields if f.queryable_by(principals)]
        return sorted({f.name for f in fields} | {a for f in fields for a in f.aliases})

    def filter_fields(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields if f.kind in (KEYWORD, DATE)}

    def searchable_fields(self) -> list[Field]:
        return [f for f in self.fields if f.searchable]

    def get_facet(self, name: str) -> Facet | None:
        return next((facet for facet in self.facets if facet.field == name), None)

    @cached_property
    def _fields_by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def _fields_by_typed_name(self) -> dict[str, Field]:
        mapping: dict[str, Field] = {}
        for f in self.fields:
            for typed in f.names:
                mapping.setdefault(typed, f)
        return mapping

    def __repr__(self):
        return f"<Index {self.name}>"


# Registered indexes (each app's ``indexes.py``): records and drafts (rdm.records), communities and
# members (communities), users and groups (accounts), vocabularies (vocabularies). Requests and request
# events get their indexes ("requests", "request_events") with the requests issue.
_registry: dict[str, Index] = {}


def register(index: Index) -> Index:
    """Add ``index`` to the registry (replacing one of the same name) and return it."""
    if not index.name:
        raise ValueError("An index needs a name.")
    _registry[index.name] = index
    return index


def unregister(name: str) -> None:
    _registry.pop(name, None)


def get_index(name: str) -> Index:
    try:
        return _registry[name]
    except KeyError:
        known = ", ".join(sorted(_registry))
        raise LookupError(f'No search index named "{name}" (known: {known}).') from None


def all_indexes() -> list[Index]:
    return [_registry[name] for name in sorted(_registry)]


# Value helpers shared by the backends.


_TAG = re.compile(r"<[^>]+>")


def html_text(values: list) -> list[str]:
    """The text of HTML values, tags replaced by spaces, for full-text fields."""
    return [_TAG.sub(" ", value) for value in values if isinstance(value, str)]


def id_chunks(queryset, size: int) -> Iterator[list[str]]:
    """Stream the ids of a ``values_list(..., flat=True)`` queryset as strings, ``size`` at a time."""
    ids = (str(value) for value in queryset.iterator(chunk_size=size))
    while chunk := list(islice(ids, size)):
        yield chunk


def compile_reader(field: Field) -> Callable[[dict], tuple[list[str], str | None]]:
    """``field.read`` without per-call dispatch: the path reader and cleaner are chosen once. Indexing
    calls it for every field of every document, so the common cases (plain strings, dicts all the way
    down) get direct code; everything else takes the generic path, which defines the results."""
    generic_clean = type(field).clean
    if type(field).values is not Field.values or type(field).sort_value is not Field.sort_value or (
        generic_clean not in _FAST_CLEANERS
    ):
        def read_generic(document: dict) -> tuple[list[str], str | None]:
            return field.values(document), field.sort_value(document) if field.sortable else None

        return read_generic
    raw_values = field.extract or path_reader(field.path or field.name)
    clean, plain = _FAST_CLEANERS[generic_clean], _FAST_CLEANERS[Field.clean]
    sortable, fold = field.sortable, field.kind == TEXT

    def read(document: dict) -> tuple[list[str], str | None]:
        raw = raw_values(document)
        values = [value for value in map(clean, raw) if value]
        if not sortable:
            return values, None
        first = values[0] if values and clean is plain else next(filter(None, map(plain, raw)), None)
        return values, first.casefold() if first is not None and fold else first

    return read


def _clean_plain(value) -> str:
    return value.strip() if type(value) is str else Field.clean(None, value)


def _clean_keyword(value) -> str:
    return _clean_plain(value)[:KEYWORD_MAX_LENGTH]


def _clean_date(value) -> str:
    return period_start(_clean_plain(value)) or ""


# The cleaners of the field kinds, each as a plain function that returns what the method returns.
_FAST_CLEANERS = {Field.clean: _clean_plain, KeywordField.clean: _clean_keyword, DateField.clean: _clean_date}


def path_reader(path: str) -> Callable[[dict], list]:
    """``values_at(document, path)`` as a function of the document, with the remaining keys at each
    depth computed once; anything but plain dicts and lists on the way hands over to ``values_at``."""
    keys = _path_keys(path)
    steps = [(key, keys[depth:]) for depth, key in enumerate(keys)]

    def read(document) -> list:
        current = document
        for key, rest in steps:
            kind = type(current)
            if kind is list:
                return _values_in_items(current, rest)
            if kind is not dict:
                return values_at(document, path)
            current = current.get(key, _MISSING)
            if current is _MISSING:
                return []
        if isinstance(current, list):
            return [value for value in current if not isinstance(value, (dict, list))]
        return [] if isinstance(current, dict) else [current]

    return read


_MISSING = object()


def values_at(document, path: str) -> list:
    """The values at a dotted ``path``, walking into every list element on the way."""
    keys = _path_keys(path)
    current = document
    for depth, key in enumerate(keys):  # the common case first: nested dicts, no list on the way
        if isinstance(current, list):
            return _values_in_items(current, keys[depth:])
        if not isinstance(current, dict) or key not in current:
            return []
        current = current[key]
    return _values_in_items(current if isinstance(current, list) else [current], ())


def _values_in_items(items: list, keys: tuple[str, ...]) -> list:
    current = items
    for key in keys:
        found = []
        for item in current:
            if isinstance(item, dict) and key in item:
                value = item[key]
                found.extend(value if isinstance(value, list) else [value])
        current = found
    return [value for value in current if not isinstance(value, (dict, list))]


@lru_cache(maxsize=4096)
def _path_keys(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens: the unit of matching for text fields in every backend."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def token_strings(values: Iterable[str]) -> list[str]:
    """Each value's tokens joined by spaces, values without tokens dropped: ``normalize_text``'s parts.

    Short values (names, affiliations, subjects, vocabulary titles) recur across thousands of
    documents, so their token strings are remembered; the memo is emptied when it fills up.
    """
    parts = []
    for value in values:
        part = _token_string_memo.get(value)
        if part is None:
            part = " ".join(tokenize(value))
            if len(value) <= MEMO_VALUE_LENGTH:
                if len(_token_string_memo) >= MEMO_SIZE:
                    _token_string_memo.clear()
                _token_string_memo[value] = part
        if part:
            parts.append(part)
    return parts


MEMO_VALUE_LENGTH, MEMO_SIZE = 120, 100_000
_token_string_memo: dict[str, str] = {}


def normalize_text(values: Iterable[str]) -> str:
    """The stored form of a text field: tokens joined by spaces, values separated by " | ".

    Every token is surrounded by spaces, so " word " matches a whole token and " word" a prefix; the
    separator keeps phrases from matching across two values.
    """
    parts = token_strings(values)
    return f" {' | '.join(parts)} " if parts else ""


def period_start(value: str) -> str | None:
    """``2020`` -> ``2020-01-01``; ``2020-05`` -> ``2020-05-01``; EDTF intervals use their start."""
    match = _DATE.match(value or "")
    if not match:
        return None
    year, month, day = match.group(1), match.group(2) or "01", match.group(3) or "01"
    return f"{year}-{month}-{day}"


def period_end(value: str) -> str | None:
    """The last day of the period ``value`` names: ``2020`` -> ``2020-12-31``."""
    match = _DATE.match(value or "")
    if not match:
        return None
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    if day:
        return f"{year:04d}-{month}-{day}"
    if month:
        next_month = datetime.date(year + int(month) // 12, int(month) % 12 + 1, 1)
        return (next_month - datetime.timedelta(days=1)).isoformat()
    return f"{year:04d}-12-31"
