"""InvenioRDM-shaped search over HTTP, reusable by every list endpoint.

Parameters: ``q``, ``sort``, ``page``, ``size`` and one parameter per filter field, repeatable
(``?resource_type=dataset&resource_type=software``). Response: ``{"hits": {"hits": [...], "total": N},
"aggregations": {...}, "sortBy": ..., "links": {"self", "next", "prev"}}``, and when a query finds
nothing but its fuzzy version does, ``"suggestion": {"q", "total", "links": {"self"}}``. Errors are
``ValidationError``s keyed by the parameter, so ``rdm.api.exception_handler`` answers 400 naming it.

A list endpoint subclasses ``IndexSearchView`` (set ``index_name``, optionally override
``default_filters`` and ``serialize_hits``), or calls ``request_filters``, ``search_filtered``,
``search_response_body`` and ``with_suggestion``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from rest_framework.response import Response
from rest_framework.views import APIView

from ..backends.base import SearchResult
from ..index import KEYWORD, get_index
from ..query import ParameterError
from ..services import Suggestion, fuzzy_suggestion, search

BASE_PARAMS = ("q", "sort", "page", "size")


def search_filtered(index_name: str, params, user, filters: dict) -> SearchResult:
    """``rdm.search.search`` with the query, sort and page of ``params`` and the checked ``filters``."""
    return search(
        index_name, params.get("q", ""), filters=filters, sort=params.get("sort") or None,
        page=params.get("page") or 1, size=params.get("size") or None, user=user,
    )


def request_filters(index_name: str, params, *, extra_params=(), default_filters=None) -> dict:
    """``default_filters`` and the filter parameters of ``params``; unknown parameters are a 400."""
    index = get_index(index_name)
    filter_names = {name for name, field in index.filter_fields().items() if field.kind == KEYWORD}
    unknown = sorted(set(params) - set(BASE_PARAMS) - filter_names - set(extra_params))
    if unknown:
        raise ParameterError(f'Unknown parameter "{unknown[0]}".', unknown[0])
    filters = dict(default_filters or {})
    filters.update({name: params.getlist(name) for name in filter_names if name in params})
    return filters


def search_response_body(result: SearchResult, request, hits: list[dict] | None = None) -> dict:
    return {
        "hits": {"hits": result.hits if hits is None else hits, "total": result.total},
        "aggregations": result.aggregations,
        "sortBy": result.sort,
        "links": page_links(request, result),
    }


def page_links(request, result: SearchResult) -> dict:
    base = request.build_absolute_uri(request.path)
    params = {**dict(request.query_params.lists()), "size": [str(result.size)], "sort": [result.sort]}

    def link(page: int) -> str:
        return f"{base}?{urlencode(sorted({**params, 'page': [str(page)]}.items()), doseq=True)}"

    links = {"self": link(result.page)}
    if result.page > 1:
        links["prev"] = link(result.page - 1)
    if result.page * result.size < result.total:
        links["next"] = link(result.page + 1)
    return links


def with_suggestion(body: dict, request, index_name: str, result: SearchResult, filters: dict) -> dict:
    """``body``, plus ``"suggestion"`` when the request's query found nothing but its fuzzy version
    (``fuzzy_suggestion``, as the same caller with the same ``filters``) does."""
    query = request.query_params.get("q")
    if result.total or not query:
        return body
    suggestion = fuzzy_suggestion(index_name, query, filters=filters, user=request.user)
    if suggestion is not None:
        body["suggestion"] = suggestion_body(request, suggestion)
    return body


def suggestion_body(request, suggestion: Suggestion) -> dict:
    """A query that finds what the request's did not: ``{"q", "total", "links": {"self"}}``."""
    params = {**dict(request.query_params.lists()), "q": [suggestion.query]}
    params.pop("page", None)
    link = f"{request.build_absolute_uri(request.path)}?{urlencode(sorted(params.items()), doseq=True)}"
    return {"q": suggestion.query, "total": suggestion.total, "links": {"self": link}}


class IndexSearchView(APIView):
    """GET: search ``index_name`` as the requesting user."""

    index_name = ""
    extra_params: tuple[str, ...] = ()

    def default_filters(self, request) -> dict:
        return {}

    def serialize_hits(self, result: SearchResult, request) -> list[dict]:
        return result.hits

    def get(self, request, *args, **kwargs):
        params = request.query_params
        filters = request_filters(self.index_name, params, extra_params=self.extra_params,
                                  default_filters=self.default_filters(request))
        result = search_filtered(self.index_name, params, request.user, filters)
        body = search_response_body(result, request, self.serialize_hits(result, request))
        return Response(with_suggestion(body, request, self.index_name, result, filters))


class RecordSearchView(IndexSearchView):
    """Published records, latest versions unless ``allversions=true`` (InvenioRDM's parameter)."""

    index_name = "records"
    extra_params = ("allversions",)

    def default_filters(self, request) -> dict:
        all_versions = request.query_params.get("allversions", "").lower() in ("1", "true")
        return {} if all_versions else {"is_latest": ["true"]}
