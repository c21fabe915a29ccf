"""The one entry point for searching: pages, DRF views, OAI-PMH sets and commands call ``search``.

Permission filtering happens inside the engine's query: the caller's principals ("public",
"user:<id>", "staff", later "group:<id>", "community:<id>:reader") must meet the document's, so totals,
pages and facet counts never reveal a document the caller may not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings

from .backends import get_search_backend
from .backends.base import SearchRequest, SearchResult
from .index import AUTHENTICATED, INDEX_ONLY, KEYWORD, PUBLIC, STAFF, Index, get_index
from .query import ParameterError, SearchError, fuzzy_variant, parse_query

PrincipalProvider = Callable[[object], Iterable[str]]
_principal_providers: list[PrincipalProvider] = []


def register_principal_provider(provider: PrincipalProvider) -> None:
    """Add a function ``user -> principals`` (e.g. communities adding "community:<id>:reader")."""
    if provider not in _principal_providers:
        _principal_providers.append(provider)


def principals_for(user) -> list[str]:
    """What ``user`` may read as: always "public"; "authenticated" and "user:<id>" when signed in
    (e.g. user profiles visible to signed-in users only); "staff" for staff; then the providers'."""
    principals = [PUBLIC]
    if user is not None and getattr(user, "is_authenticated", False):
        principals += [AUTHENTICATED, f"user:{user.pk}"]
        if user.is_staff or user.is_superuser:
            principals.append(STAFF)
        for provider in _principal_providers:
            principals.extend(provider(user))
    return list(dict.fromkeys(principals))


def search(
    index_name: str,
    query: str | None = "",
    *,
    filters: Mapping[str, str | Iterable[str]] | None = None,
    facets: bool = True,
    sort: str | None = None,
    page: int | str = 1,
    size: int | str | None = None,
    user=None,
    principals: list[str] | None = None,
    max_size: int | None = None,
) -> SearchResult:
    """Search ``index_name`` as ``user`` (anonymous if None).

    ``query`` is Lucene syntax (see ``rdm.search.query``); ``filters`` maps keyword fields to one value
    or a list of values (values of one field are OR-ed, fields AND-ed); ``sort`` names one of the
    index's sort options (default: best match with a query, the index's default without); ``principals``
    replaces the user's for system callers; ``max_size`` replaces ``RDM_SEARCH_MAX_PAGE_SIZE`` for
    lists that serve larger pages (vocabulary pickers). Raises ``QueryError``/``ParameterError``
    (ValidationErrors keyed by the parameter: the API answers 400).
    """
    index = get_index(index_name)
    principals = principals if principals is not None else principals_for(user)
    tree = parse_query(index, query, principals)
    sort_name = clean_sort(index, sort, has_query=tree is not None)
    request = SearchRequest(
        index=index,
        tree=tree,
        principals=principals,
        filters=clean_filters(index, filters or {}, principals),
        facets=facets,
        sort=index.sort_options[sort_name].keys if sort_name else (),
        page=clean_int("page", page, minimum=1),
        size=clean_int("size", size or settings.RDM_SEARCH_DEFAULT_PAGE_SIZE, minimum=1,
                       maximum=max_size or settings.RDM_SEARCH_MAX_PAGE_SIZE),
    )
    check_window(request)
    result = get_search_backend().search(request)
    result.hits = [shown_part(hit) for hit in result.hits]
    result.sort = sort_name
    result.query = "" if tree is None else str(tree).strip()
    return result


@dataclass(frozen=True)
class Suggestion:
    """A query worth trying instead, and how many documents it finds."""

    query: str
    total: int


def fuzzy_suggestion(index_name: str, query: str | None, *,
                     filters: Mapping[str, str | Iterable[str]] | None = None, user=None,
                     principals: list[str] | None = None) -> Suggestion | None:
    """For a query that found nothing: the same query with its plain words fuzzy (``fuzzy_variant``),
    if that finds something with the same filters. It is searched as the same caller, so a suggestion
    never hints at a word of a document the caller may not read."""
    variant = fuzzy_variant(query)
    if variant is None:
        return None
    try:
        found = search(index_name, variant, filters=filters, facets=False, size=1, user=user,
                       principals=principals)
    except SearchError:  # e.g. a fuzzy word beyond the length limit
        return None
    return Suggestion(variant, found.total) if found.total else None


def clean_filters(index: Index, filters: Mapping[str, str | Iterable[str]],
                  principals: Iterable[str] = ()) -> dict[str, list[str]]:
    # A field with ``readers`` filters for them only, as it is queried (``Field.queryable_by``).
    principals = list(principals)
    allowed = {name for name, field in index.filter_fields().items()
               if field.kind == KEYWORD and field.queryable_by(principals)}
    cleaned = {}
    for name, values in filters.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise ParameterError(f'Unknown filter "{name}". Allowed filters: {known}.', name)
        values = [values] if isinstance(values, str) else [str(value) for value in values]
        if values:
            cleaned[name] = index.filter_values(name, values)
    return cleaned


def shown_part(hit: dict) -> dict:
    """The hit without its index-only values (see ``rdm.search.index.INDEX_ONLY``)."""
    if isinstance(hit, dict) and INDEX_ONLY in hit:
        return {key: value for key, value in hit.items() if key != INDEX_ONLY}
    return hit


def clean_sort(index: Index, sort: str | None, *, has_query: bool) -> str:
    if not sort:
        return index.default_sort_with_query if has_query else index.default_sort
    if sort not in index.sort_options:
        allowed = ", ".join(index.sort_options)
        raise ParameterError(f'Unknown sort option "{sort}". Allowed: {allowed}.', "sort")
    return sort


def clean_int(param: str, value, *, minimum: int, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ParameterError(f'"{value}" is not a whole number.', param) from None
    if number < minimum or (maximum is not None and number > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ParameterError(f"{param.capitalize()} must be {bound}.", param)
    return number


def check_window(request: SearchRequest) -> None:
    window = settings.RDM_SEARCH_MAX_RESULT_WINDOW
    if request.page * request.size > window:
        raise ParameterError(f"Page {request.page} is beyond the first {window} results.", "page")
