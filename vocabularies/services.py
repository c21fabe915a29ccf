"""Vocabulary entries: look-ups for other apps, and the changes managers make (admin, command)."""

import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.http import Http404

from .loader import LoadReport, load_default_vocabularies
from .models import VocabularyEntry, title_in
from .permissions import can_manage_vocabularies
from .registry import get_vocabulary_type
from .signals import entry_changed, entry_renamed, vocabulary_loaded

ENTRY_ID_PATTERN = re.compile(r"^[^\s/]+$")
SUGGEST_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")  # ids a prefix query can hold unescaped


# --- Look-ups -------------------------------------------------------------------------------------
def get_entry(vocabulary: str, entry_id: str) -> VocabularyEntry | None:
    return VocabularyEntry.objects.filter(vocabulary=vocabulary, entry_id=entry_id).first()


def list_entries(vocabulary: str) -> QuerySet:
    return VocabularyEntry.objects.filter(vocabulary=vocabulary)


def search_entries(vocabulary: str, query: str = "") -> QuerySet:
    """Entries whose id or English title contains ``query`` (case-insensitive); an exact id comes first."""
    entries = list_entries(vocabulary)
    query = query.strip()
    if query:
        entries = entries.filter(Q(entry_id__icontains=query) | Q(title__en__icontains=query))
        exact_id_first = Case(When(entry_id__iexact=query, then=Value(0)), default=Value(1))
        entries = entries.order_by(exact_id_first, "position", "entry_id")
    return entries


def search_vocabulary(vocabulary: str, *, q: str = "", suggest: str = "", tags: list[str] | None = None,
                      sort: str | None = None, page=1, size=None, max_size: int = 500):
    """Entries of ``vocabulary`` through the "vocabularies" search index (entries are public).

    ``q`` is the query language; ``suggest`` (autocompletion) matches entries whose title words start
    with the typed words, or whose id starts with the typed text; both may be given. Without a query the
    entries come in display order. Raises the search layer's ValidationErrors keyed by the parameter.
    """
    from rdm.search import search

    suggested = suggest_query(suggest)
    _check_suggestion(suggested)
    parts = [f"({text})" for text in (q.strip(), suggested) if text]
    filters = {"vocabulary": [vocabulary], **({"tags": tags} if tags else {})}
    return search("vocabularies", " AND ".join(parts), filters=filters, facets=False, sort=sort,
                  page=page, size=size, max_size=max_size)


def _check_suggestion(query: str) -> None:
    """A suggestion too long or of too many words is refused naming ``suggest``, not the ``q`` it becomes."""
    from rdm.search.index import get_index
    from rdm.search.query import QueryError, SearchError, parse_query

    try:
        parse_query(get_index("vocabularies"), query)
    except QueryError as error:
        raise SearchError(f"The suggestion cannot be searched: {error.detail}", "suggest") from None


def suggest_query(text: str) -> str:
    """Prefix matching as a query: every title word prefixed (``germ`` finds "German"), or the id."""
    from rdm.search.index import tokenize

    words = tokenize(text or "")
    if not words:
        return ""
    alternatives = [" AND ".join(f"title:{word}*" for word in words)]
    typed = (text or "").strip().lower()
    if SUGGEST_ID_PATTERN.match(typed):
        alternatives.append(f"id:{typed}*")
    return " OR ".join(f"({alternative})" for alternative in alternatives)


def resolve_title(vocabulary: str, entry_id: str, lang: str = "en") -> str | None:
    title = (
        VocabularyEntry.objects.filter(vocabulary=vocabulary, entry_id=entry_id)
        .values_list("title", flat=True)
        .first()
    )
    return title_in(title, lang)


def resolve_titles(vocabulary: str, entry_ids: Iterable[str], lang: str = "en") -> dict[str, str]:
    """Titles of many entries in one query (for lists); unknown ids are left out."""
    rows = VocabularyEntry.objects.filter(vocabulary=vocabulary, entry_id__in=set(entry_ids))
    return {entry_id: title_in(title, lang) for entry_id, title in rows.values_list("entry_id", "title")}


def resolve_titles_of(wanted: dict[str, Iterable[str]], lang: str = "en") -> dict[str, dict[str, str]]:
    """``resolve_titles`` of several vocabularies in one query: vocabulary -> {entry id: title}."""
    condition = Q()
    for vocabulary, entry_ids in wanted.items():
        condition |= Q(vocabulary=vocabulary, entry_id__in=set(entry_ids))
    titles: dict[str, dict[str, str]] = {vocabulary: {} for vocabulary in wanted}
    if not wanted:
        return titles
    rows = VocabularyEntry.objects.filter(condition).values_list("vocabulary", "entry_id", "title")
    for vocabulary, entry_id, title in rows:
        titles[vocabulary][entry_id] = title_in(title, lang)
    return titles


def resolve_entry_titles(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Title dicts of many ``(vocabulary, entry_id)`` pairs in one query (e.g. an indexing batch).

    Nothing is cached across calls, so a renamed title is seen by the next batch. Unknown pairs are
    left out.
    """
    wanted: dict[str, set[str]] = {}
    for vocabulary, entry_id in refs:
        wanted.setdefault(vocabulary, set()).add(entry_id)
    if not wanted:
        return {}
    condition = Q()
    for vocabulary, entry_ids in wanted.items():
        condition |= Q(vocabulary=vocabulary, entry_id__in=entry_ids)
    rows = VocabularyEntry.objects.filter(condition).values_list("vocabulary", "entry_id", "title")
    return {(vocabulary, entry_id): title for vocabulary, entry_id, title in rows}


# --- Changes --------------------------------------------------------------------------------------
@transaction.atomic
def create_entry(
    actor, vocabulary: str, entry_id: str, title: dict, *, description: dict | None = None,
    props: dict | None = None, tags: list | None = None,
) -> VocabularyEntry:
    check_can_manage(actor)
    errors = {**validate_vocabulary(vocabulary), **validate_entry_id(vocabulary, entry_id)}
    errors.update(validate_content(title=title, description=description, props=props, tags=tags))
    if errors:
        raise ValidationError(errors)
    position = list_entries(vocabulary).count()
    entry = VocabularyEntry.objects.create(
        vocabulary=vocabulary, entry_id=entry_id, title=title, description=description or {},
        props=props or {}, tags=tags or [], position=position,
    )
    notify_changed(entry)
    return entry


@transaction.atomic
def update_entry(
    actor, vocabulary: str, entry_id: str, *, title: dict | None = None, description: dict | None = None,
    props: dict | None = None, tags: list | None = None,
) -> VocabularyEntry:
    """Change the given fields of an entry (its id never changes). A new title sends ``entry_renamed``."""
    check_can_manage(actor)
    entry = get_entry_for_update(vocabulary, entry_id)
    errors = validate_content(title=title, description=description, props=props, tags=tags)
    if errors:
        raise ValidationError(errors)
    changes = {"title": title, "description": description, "props": props, "tags": tags}
    renamed = title is not None and title != entry.title
    for name, value in changes.items():
        if value is not None:
            setattr(entry, name, value)
    entry.save()
    notify_changed(entry)
    if renamed:
        notify_renamed(entry)
    return entry


def rename_entry(actor, vocabulary: str, entry_id: str, title: dict) -> VocabularyEntry:
    return update_entry(actor, vocabulary, entry_id, title=title)


@transaction.atomic
def load_defaults(names: Iterable[str] | None = None) -> dict[str, LoadReport]:
    """System action (migration, command): upsert the default entries; renamed entries are announced."""
    reports = load_default_vocabularies(names=set(names) if names is not None else None)
    for vocabulary, report in reports.items():
        if report.created or report.updated:
            transaction.on_commit(
                lambda name=vocabulary: vocabulary_loaded.send(sender=VocabularyEntry, vocabulary=name)
            )
        for entry_id in report.renamed:
            notify_renamed(get_entry(vocabulary, entry_id))
    return reports


# --- Helpers --------------------------------------------------------------------------------------
def check_can_manage(actor) -> None:
    if not can_manage_vocabularies(actor):
        raise PermissionDenied("You may not change vocabularies.")


def get_entry_for_update(vocabulary: str, entry_id: str) -> VocabularyEntry:
    entries = VocabularyEntry.objects.select_for_update()
    entry = entries.filter(vocabulary=vocabulary, entry_id=entry_id).first()
    if entry is None:
        raise Http404(f"No entry {entry_id!r} in vocabulary {vocabulary!r}.")
    return entry


def notify_changed(entry: VocabularyEntry) -> None:
    transaction.on_commit(lambda: entry_changed.send(sender=VocabularyEntry, entry=entry))


def notify_renamed(entry: VocabularyEntry) -> None:
    transaction.on_commit(lambda: entry_renamed.send(sender=VocabularyEntry, entry=entry))


def validate_vocabulary(vocabulary: str) -> dict:
    if get_vocabulary_type(vocabulary) is None:
        return {"vocabulary": [f"Unknown vocabulary {vocabulary!r}."]}
    return {}


def validate_entry_id(vocabulary: str, entry_id: str) -> dict:
    if not isinstance(entry_id, str) or not ENTRY_ID_PATTERN.match(entry_id) or len(entry_id) > 255:
        return {"id": ["Enter an id without spaces or slashes (at most 255 characters)."]}
    if get_entry(vocabulary, entry_id) is not None:
        return {"id": [f"The id {entry_id!r} is already used in this vocabulary."]}
    return {}


def validate_content(*, title=None, description=None, props=None, tags=None) -> dict:
    errors = {}
    if title is not None and not is_language_dict(title, require_english=True):
        errors["title"] = ['Give the title by language, with English at least: {"en": "..."}.']
    if description is not None and description != {} and not is_language_dict(description):
        errors["description"] = ['Give the description by language: {"en": "..."}.']
    if props is not None and not isinstance(props, dict):
        errors["props"] = ["Properties must be an object."]
    if tags is not None and not (isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)):
        errors["tags"] = ["Tags must be a list of strings."]
    return errors


def is_language_dict(value, require_english: bool = False) -> bool:
    if not isinstance(value, dict) or not value:
        return False
    if require_english and not str(value.get("en") or "").strip():
        return False
    return all(
        isinstance(lang, str) and 2 <= len(lang) <= 8 and isinstance(text, str) and text.strip()
        for lang, text in value.items()
    )
