from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.response import Response

from rdm.search.api.views import page_links
from rdm.search.query import ParameterError
from vocabularies import services
from vocabularies.registry import get_vocabulary_type

from .serializers import entry_to_dict, hit_to_dict

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 500  # whole vocabularies in one page for pickers
LIST_PARAMS = ("q", "suggest", "tags", "sort", "page", "size")


def check_params(params) -> None:
    unknown = sorted(set(params) - set(LIST_PARAMS))
    if unknown:
        allowed = ", ".join(LIST_PARAMS)
        raise ParameterError(f'Unknown parameter "{unknown[0]}". Allowed: {allowed}.', unknown[0])


@extend_schema(
    operation_id="vocabularies_list",
    parameters=[
        OpenApiParameter("q", str, description="A query (Lucene syntax) on ids, titles and descriptions."),
        OpenApiParameter("suggest", str, description="Autocompletion: title words or the id starting so."),
        OpenApiParameter("tags", str, many=True),
        OpenApiParameter("sort", str, description="bestmatch, position, title, newest, updated-desc"),
        OpenApiParameter("page", int),
        OpenApiParameter("size", int, description=f"At most {MAX_PAGE_SIZE}."),
    ],
    responses=dict,
)
@api_view(["GET"])
def list_vocabulary(request, vocabulary):
    """The entries of one vocabulary, through the "vocabularies" search index (InvenioRDM's shape)."""
    if get_vocabulary_type(vocabulary) is None:
        raise Http404
    params = request.query_params
    check_params(params)
    result = services.search_vocabulary(
        vocabulary, q=params.get("q", ""), suggest=params.get("suggest", ""),
        tags=params.getlist("tags") or None, sort=params.get("sort") or None,
        page=params.get("page") or 1, size=params.get("size") or DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE,
    )
    hits = [hit_to_dict(hit, request) for hit in result.hits]
    return Response({
        "hits": {"hits": hits, "total": result.total},
        "sortBy": result.sort,
        "links": page_links(request, result),
    })


@extend_schema(operation_id="vocabularies_read", responses=dict)
@api_view(["GET"])
def read_entry(request, vocabulary, entry_id):
    entry = services.get_entry(vocabulary, entry_id)
    if entry is None:
        raise Http404
    return Response(entry_to_dict(entry, request))
