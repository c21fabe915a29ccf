"""``GET /api/user/records``: the caller's drafts and published records, through the search layer.

Two indexes answer: "drafts" searched with the caller's own principal only (so staff see their own
drafts, not everyone's), and "records" filtered to the caller's latest records that are not being
edited (the draft stands for them). Both are searched with the same query, filters and sort; the two
top windows are merged, so paging and totals cover both.
"""

from __future__ import annotations

from django.conf import settings

from rdm.search.api.views import BASE_PARAMS
from rdm.search.backends.base import SearchResult
from rdm.search.index import KEYWORD, get_index
from rdm.search.query import ParameterError
from rdm.search.services import clean_int, clean_sort, search

from .. import services

DEFAULT_SORT = "updated-desc"


def search_user_records(user, params) -> SearchResult:
    """Search ``user``'s drafts and records with ``q``, ``sort``, ``page``, ``size`` and filter params."""
    index = get_index("records")
    filters = _filters(index, params)
    query = params.get("q", "")
    sort = clean_sort(index, params.get("sort") or (None if query.strip() else DEFAULT_SORT),
                      has_query=bool(query.strip()))
    page = clean_int("page", params.get("page") or 1, minimum=1)
    size = clean_int("size", params.get("size") or settings.RDM_SEARCH_DEFAULT_PAGE_SIZE, minimum=1,
                     maximum=settings.RDM_SEARCH_MAX_PAGE_SIZE)
    window = page * size
    if window > settings.RDM_SEARCH_MAX_RESULT_WINDOW:
        raise ParameterError(f"Page {page} is beyond the first {settings.RDM_SEARCH_MAX_RESULT_WINDOW} "
                             "results.", "page")

    drafts = _top("drafts", query, filters, sort, window, principals=[f"user:{user.pk}"])
    record_ids = _record_ids(user)
    records = (_top("records", query, {**filters, "id": record_ids}, sort, window, user=user)
               if record_ids else SearchResult(hits=[], total=0))
    hits = _merge(index, sort, drafts.hits, records.hits)
    return SearchResult(
        hits=hits[window - size:window], total=drafts.total + records.total,
        aggregations=_sum_aggregations(drafts.aggregations, records.aggregations),
        page=page, size=size, sort=sort, query=drafts.query,
    )


def _filters(index, params) -> dict[str, list[str]]:
    names = {name for name, field in index.filter_fields().items() if field.kind == KEYWORD} - {"id"}
    unknown = sorted(set(params) - set(BASE_PARAMS) - names)
    if unknown:
        raise ParameterError(f'Unknown parameter "{unknown[0]}".', unknown[0])
    return {name: params.getlist(name) for name in names if name in params}


def _record_ids(user) -> list[str]:
    mine = services.list_user_records(user)
    editing = {draft.pid for draft in mine["drafts"]}
    return [record.pid for record in mine["records"] if record.pid not in editing]


def _top(index_name: str, query: str, filters: dict, sort: str, window: int, **identity) -> SearchResult:
    """The first ``window`` hits (fetched a page of the largest allowed size at a time), total, facets."""
    page_size = settings.RDM_SEARCH_MAX_PAGE_SIZE
    first = search(index_name, query, filters=filters, sort=sort, size=min(window, page_size), **identity)
    page = 1
    while len(first.hits) < min(window, first.total):
        page += 1
        more = search(index_name, query, filters=filters, sort=sort, page=page, size=page_size,
                      facets=False, **identity)
        if not more.hits:
            break
        first.hits.extend(more.hits)
    first.hits = first.hits[:window]
    return first


def _merge(index, sort: str, *lists: list[dict]) -> list[dict]:
    """Both lists in the order of ``sort``; relevance scores of two searches do not compare, so for
    best match the drafts simply come first."""
    merged = [hit for hits in lists for hit in hits]
    keys = index.sort_options[sort].keys
    if any(name == "_score" for name, _ in keys):
        return merged
    for name, direction in reversed(keys):
        field = index.get_field(name)
        merged.sort(key=lambda hit, field=field: field.sort_value(hit) or "", reverse=direction == "desc")
    return merged


def _sum_aggregations(*aggregations: dict) -> dict:
    summed: dict = {}
    for aggregation in aggregations:
        for name, facet in aggregation.items():
            target = summed.setdefault(name, {"label": facet["label"], "buckets": {}})
            for bucket in facet["buckets"]:
                known = target["buckets"].setdefault(bucket["key"], {**bucket, "doc_count": 0})
                known["doc_count"] += bucket["doc_count"]
    return {
        name: {"label": facet["label"],
               "buckets": sorted(facet["buckets"].values(), key=lambda b: (-b["doc_count"], b["key"]))}
        for name, facet in summed.items()
    }
