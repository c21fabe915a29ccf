from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from vocabularies import services
from vocabularies.registry import get_vocabulary_type

from .serializers import entry_to_dict

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 500


def positive_int(value, default: int, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    number = max(number, 1)
    return min(number, maximum) if maximum else number


def page_link(request, page: int, size: int) -> str:
    params = request.query_params.copy()
    params["page"], params["size"] = str(page), str(size)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


@extend_schema(
    operation_id="vocabularies_list",
    parameters=[
        OpenApiParameter("q", str, description="Matches ids and English titles."),
        OpenApiParameter("suggest", str, description="Alias of q, for autocompletion."),
        OpenApiParameter("page", int),
        OpenApiParameter("size", int),
    ],
    responses=dict,
)
@api_view(["GET"])
def list_vocabulary(request, vocabulary):
    # Stays on the ORM, not the "vocabularies" search index: the default entries arrive by a data
    # migration (indexed only by `rdm_index rebuild`), and autocompletion needs substring matching on ids
    # and titles with exact ids first and pages of up to 500 - none of which the index offers as is.
    if get_vocabulary_type(vocabulary) is None:
        raise Http404
    query = request.query_params.get("q") or request.query_params.get("suggest") or ""
    entries = services.search_entries(vocabulary, query)
    page = positive_int(request.query_params.get("page"), 1)
    size = positive_int(request.query_params.get("size"), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    total = entries.count()
    hits = entries[(page - 1) * size : page * size]
    links = {"self": page_link(request, page, size)}
    if page > 1:
        links["prev"] = page_link(request, page - 1, size)
    if page * size < total:
        links["next"] = page_link(request, page + 1, size)
    return Response(
        {"hits": {"hits": [entry_to_dict(entry, request) for entry in hits], "total": total}, "links": links}
    )


@extend_schema(operation_id="vocabularies_read", responses=dict)
@api_view(["GET"])
def read_entry(request, vocabulary, entry_id):
    entry = services.get_entry(vocabulary, entry_id)
    if entry is None:
        raise Http404
    return Response(entry_to_dict(entry, request))
