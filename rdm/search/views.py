"""The /search page: published records through ``rdm.search.search`` as the visitor.

Everything is a plain GET link or form (no JavaScript needed): facet values toggle filters, active
filters are removable, and a refused query is shown as a message with status 400.
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.utils.html import strip_tags
from django.utils.text import Truncator

from .index import get_index
from .query import SearchError
from .services import fuzzy_suggestion, search

INDEX = "records"
PAGE_SIZES = (10, 20, 50, 100)
PAGE_SORTS = {
    "bestmatch": "Best match",
    "newest": "Newest",
    "oldest": "Oldest",
    "title": "Title",
    "updated-desc": "Most recently updated",
}
PAGE_WINDOW = 2  # page links shown either side of the current page


def search_page(request):
    context, status = search_context(request)
    return render(request, "search/search.html", context, status=status)


def search_context(request, *, scope: dict[str, list[str]] | None = None) -> tuple[dict, int]:
    """The context of a records search page and its HTTP status (400 for a refused query).

    ``scope`` holds filters the visitor cannot remove or widen (e.g. a community's front page passes
    ``{"community": [uuid]}``); links and forms keep the current path, so any page can show the results.
    """
    params = request.GET
    index = get_index(INDEX)
    scope = scope or {}
    filters = {f.field: params.getlist(f.field) for f in index.facets
               if params.getlist(f.field) and f.field not in scope}
    all_versions = params.get("allversions", "").lower() in ("1", "true")
    context = {
        "q": params.get("q", ""),
        "all_versions": all_versions,
        "sort_choices": PAGE_SORTS,
        "size_choices": PAGE_SIZES,
        "hidden_filters": [(name, value) for name, values in filters.items() for value in values],
    }
    latest = {} if all_versions else {"is_latest": ["true"]}
    searched_filters = {**filters, **latest, **scope}
    try:
        result = search(
            INDEX, context["q"], filters=searched_filters,
            sort=params.get("sort") or None, page=params.get("page") or 1, size=params.get("size") or None,
            user=request.user,
        )
    except SearchError as error:
        context.update(error=error.detail, error_param=error.param, sort=params.get("sort", ""))
        return context, 400
    context.update(
        result=result,
        sort=result.sort,
        size=result.size,
        items=[hit_summary(hit) for hit in result.hits],
        facets=[group for group in facet_groups(index, result, params) if group["field"] not in scope],
        active_filters=active_filters(index, result, filters, params),
        pages=pagination(result, params),
    )
    if not result.total and context["q"]:
        context["suggestion"] = suggested_search(request, searched_filters)
    if result.size not in PAGE_SIZES:
        context["size_choices"] = sorted({*PAGE_SIZES, result.size})
    if result.sort not in PAGE_SORTS:
        context["sort_choices"] = {**PAGE_SORTS, result.sort: index.sort_options[result.sort].title}
    return context, 200


def url_with(params, *, drop_page: bool = True, **changes) -> str:
    """``?query`` of ``params`` with ``changes`` applied (a list replaces every value of the name)."""
    query = params.copy()
    if drop_page:
        query.pop("page", None)
    for name, value in changes.items():
        if isinstance(value, list):
            query.setlist(name, value)
        else:
            query[name] = str(value)
    return "?" + urlencode(sorted((k, v) for k, values in query.lists() for v in values if v != ""))


def facet_groups(index, result, params) -> list[dict]:
    groups = []
    for facet in index.facets:
        aggregation = result.aggregations.get(facet.field)
        if not aggregation or not aggregation["buckets"]:
            continue
        selected = params.getlist(facet.field)
        buckets = []
        for bucket in aggregation["buckets"]:
            key = bucket["key"]
            values = [v for v in selected if v != key] if key in selected else [*selected, key]
            buckets.append({**bucket, "is_selected": key in selected,
                            "url": url_with(params, **{facet.field: values})})
        groups.append({"field": facet.field, "label": aggregation["label"], "buckets": buckets,
                       "is_active": bool(selected)})
    return groups


def active_filters(index, result, filters: dict[str, list[str]], params) -> list[dict]:
    chips = []
    for name, values in filters.items():
        facet = index.get_facet(name)
        buckets = result.aggregations.get(name, {}).get("buckets", [])
        labels = {bucket["key"]: bucket["label"] for bucket in buckets}
        if facet and facet.labels:
            labels = {**facet.labels([v for v in values if v not in labels]), **labels}
        for value in values:
            chips.append({
                "facet": facet.label if facet else name,
                "label": labels.get(value, value),
                "url": url_with(params, **{name: [v for v in values if v != value]}),
            })
    return chips


def pagination(result, params) -> dict:
    last = min(math.ceil(result.total / result.size), settings.RDM_SEARCH_MAX_RESULT_WINDOW // result.size)
    current = result.page

    def link(number):
        return url_with(params, drop_page=False, page=number)

    numbers = sorted({1, last, *range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)})
    pages, previous = [], 0
    for number in numbers:
        if number - previous > 1:
            pages.append({"gap": True})
        pages.append({"number": number, "url": link(number), "current": number == current})
        previous = number
    return {
        "pages": pages if last > 1 else [],
        "prev": link(current - 1) if current > 1 else "",
        "next": link(current + 1) if current < last else "",
        "first_shown": (current - 1) * result.size + 1 if result.hits else 0,
        "last_shown": (current - 1) * result.size + len(result.hits),
        "truncated": math.ceil(result.total / result.size) > last,
    }


def suggested_search(request, filters: dict[str, list[str]]) -> dict | None:
    """A fuzzy version of the visitor's query that finds records where theirs found none, as a link."""
    suggestion = fuzzy_suggestion(INDEX, request.GET.get("q"), filters=filters, user=request.user)
    if suggestion is None:
        return None
    params = request.GET.copy()
    params["q"] = suggestion.query
    params.pop("page", None)
    return {"query": suggestion.query, "total": suggestion.total, "url": f"?{params.urlencode()}"}


# Summaries of hits (the stored JSON documents).


def hit_summary(document: dict) -> dict:
    """What a result list shows of a record document (``record_to_dict`` output)."""
    metadata = document.get("metadata") or {}
    resource_type = metadata.get("resource_type") or {}
    return {
        "pid": document.get("id", ""),
        "title": metadata.get("title", ""),
        "status": (document.get("access") or {}).get("status", ""),
        "resource_type": _title(resource_type.get("title")) or resource_type.get("id", ""),
        "publication_date": metadata.get("publication_date", ""),
        "version": metadata.get("version", ""),
        "is_latest": (document.get("versions") or {}).get("is_latest", True),
        "creators": [_creator_name(c) for c in metadata.get("creators") or [] if isinstance(c, dict)][:5],
        "summary": Truncator(strip_tags(metadata.get("description") or "")).words(40),
    }


def recent_uploads(size: int) -> list[dict]:
    """The newest published records, as an anonymous visitor sees them (for the front page)."""
    result = search(INDEX, "", filters={"is_latest": ["true"]}, facets=False, sort="newest", size=size,
                    user=None)
    return [hit_summary(hit) for hit in result.hits]


def _title(value) -> str:
    if isinstance(value, dict):
        return value.get("en") or next(iter(value.values()), "")
    return value or ""


def _creator_name(item: dict) -> str:
    person = item.get("person_or_org") or {}
    if person.get("name"):
        return person["name"]
    return ", ".join(part for part in (person.get("family_name"), person.get("given_name")) if part)
