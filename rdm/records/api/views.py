"""REST API for records, shaped like InvenioRDM's. Views only translate HTTP to service calls."""

import io
import json

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from rdm.api import flatten_errors
from rdm.search.api.views import RecordSearchView, search_response_body

from .. import services
from ..indexes import RECORD_FACETS
from ..indexes import SORT_OPTIONS as RECORD_SORTS
from ..serializers import api_url, file_to_dict, files_list_to_dict, record_to_dict
from .search import search_user_records
from .serializers import FileKeySerializer, RecordInputSerializer

RECORD = OpenApiTypes.OBJECT
TAGS = ["records"]


class OctetStreamParser(BaseParser):
    """Declares the upload media type; the view reads ``request.stream`` itself, chunk by chunk."""

    media_type = "application/octet-stream"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


class AnyMediaRenderer(BaseRenderer):
    """Lets download clients send ``Accept: application/octet-stream``; errors still come out as JSON."""

    media_type = "*/*"
    format = "bin"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if data is not None else b""


DOWNLOAD_RENDERERS = [JSONRenderer, AnyMediaRenderer]


def require_login(request) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()


def draft_response(draft, request, status_code=status.HTTP_200_OK) -> Response:
    body = record_to_dict(draft, request.user)
    errors = services.validate_draft(draft, include_files=False)
    if errors:
        body["errors"] = flatten_errors(errors)
    return Response(body, status=status_code)


def list_body(hits: list, total: int, links: dict) -> dict:
    return {"hits": {"hits": hits, "total": total}, "links": links}


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Query in Lucene syntax, e.g. title:ocean AND year:2020"),
    OpenApiParameter("sort", str, enum=list(RECORD_SORTS)),
    OpenApiParameter("page", int), OpenApiParameter("size", int),
    *[OpenApiParameter(facet.field, str, many=True, description=f"Filter: {facet.label}")
      for facet in RECORD_FACETS],
]


class RecordListView(RecordSearchView):
    """GET searches the published records (latest versions unless ``allversions=true``); POST creates."""

    @extend_schema(tags=TAGS, parameters=[*SEARCH_PARAMETERS, OpenApiParameter("allversions", bool)],
                   responses=RECORD, summary="Search published records")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=TAGS, request=RecordInputSerializer, responses={201: RECORD},
                   summary="Create a draft")
    def post(self, request):
        require_login(request)
        draft = services.create_draft(request.user, request.data)
        return draft_response(draft, request, status.HTTP_201_CREATED)


class RecordView(APIView):
    @extend_schema(tags=TAGS, responses=RECORD, summary="Read a published record")
    def get(self, request, pid):
        return Response(record_to_dict(services.get_record(request.user, pid), request.user))


class DraftView(APIView):
    @extend_schema(tags=TAGS, responses=RECORD, summary="Read a draft")
    def get(self, request, pid):
        return draft_response(services.get_draft(request.user, pid), request)

    @extend_schema(tags=TAGS, request=RecordInputSerializer, responses=RECORD, summary="Update a draft")
    def put(self, request, pid):
        return draft_response(services.update_draft(request.user, pid, request.data), request)

    @extend_schema(tags=TAGS, request=None, responses={204: None}, summary="Discard a draft")
    def delete(self, request, pid):
        services.delete_draft(request.user, pid)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=TAGS, request=None, responses={201: RECORD}, summary="Edit a published record")
    def post(self, request, pid):
        require_login(request)
        return draft_response(services.edit_record(request.user, pid), request, status.HTTP_201_CREATED)


class PublishView(APIView):
    @extend_schema(tags=TAGS, request=None, responses={202: RECORD}, summary="Publish a draft")
    def post(self, request, pid):
        record = services.publish_draft(request.user, pid)
        return Response(record_to_dict(record, request.user), status=status.HTTP_202_ACCEPTED)


class FilesImportView(APIView):
    @extend_schema(tags=TAGS, request=None, responses={201: RECORD},
                   summary="Link the files of the previous version into this draft")
    def post(self, request, pid):
        entries = services.import_files(request.user, pid)
        draft = services.get_draft(request.user, pid)
        return Response(files_list_to_dict(draft, entries), status=status.HTTP_201_CREATED)


class VersionsView(APIView):
    @extend_schema(tags=TAGS, responses=RECORD, summary="List the versions of a record")
    def get(self, request, pid):
        versions = services.list_versions(request.user, pid)
        hits = [record_to_dict(record, request.user) for record in versions]
        return Response(list_body(hits, len(hits), {"self": api_url(f"/records/{pid}/versions")}))

    @extend_schema(tags=TAGS, request=None, responses={201: RECORD}, summary="Create a new version")
    def post(self, request, pid):
        require_login(request)
        return draft_response(services.new_version(request.user, pid), request, status.HTTP_201_CREATED)


class LatestVersionView(APIView):
    @extend_schema(tags=TAGS, responses={302: None}, summary="Redirect to the latest version")
    def get(self, request, pid):
        latest = services.latest_version(request.user, pid)
        response = Response(status=status.HTTP_302_FOUND)
        response["Location"] = api_url(f"/records/{latest.pid}")
        return response


class UserRecordsView(APIView):
    @extend_schema(tags=TAGS, parameters=SEARCH_PARAMETERS, responses=RECORD, summary="My drafts and records")
    def get(self, request):
        require_login(request)
        result = search_user_records(request.user, request.query_params)
        return Response(search_response_body(result, request))


# --- draft files ----------------------------------------------------------------------------------

class DraftFilesView(APIView):
    @extend_schema(tags=TAGS, responses=RECORD, summary="List the files of a draft")
    def get(self, request, pid):
        draft, entries = services.list_draft_files(request.user, pid)
        return Response(files_list_to_dict(draft, entries))

    @extend_schema(tags=TAGS, request=FileKeySerializer(many=True), responses={201: RECORD},
                   summary="Start file uploads")
    def post(self, request, pid):
        data = request.data
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise exceptions.ValidationError({"files": ['Expected a list like [{"key": "data.csv"}].']})
        entries = services.init_files(request.user, pid, [item.get("key") for item in data])
        draft = services.get_draft(request.user, pid)
        return Response(files_list_to_dict(draft, entries), status=status.HTTP_201_CREATED)


class DraftFileView(APIView):
    @extend_schema(tags=TAGS, responses=RECORD, summary="Read a draft file entry")
    def get(self, request, pid, key):
        entry = services.get_draft_file(request.user, pid, key)
        return Response(file_to_dict(entry, entry.draft))

    @extend_schema(tags=TAGS, request=None, responses={204: None}, summary="Delete a draft file")
    def delete(self, request, pid, key):
        services.delete_draft_file(request.user, pid, key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DraftFileContentView(APIView):
    parser_classes = [OctetStreamParser]
    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(tags=TAGS, request={"application/octet-stream": OpenApiTypes.BINARY}, responses=RECORD,
                   summary="Upload the bytes of a draft file")
    def put(self, request, pid, key):
        stream = request.stream or io.BytesIO(b"")
        length = request.META.get("CONTENT_LENGTH")
        content_length = int(length) if length and length.isdigit() else None
        entry = services.upload_file_content(request.user, pid, key, stream, content_length=content_length)
        return Response(file_to_dict(entry, entry.draft))

    @extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   summary="Download a draft file")
    def get(self, request, pid, key):
        return download(services.open_draft_file(request.user, pid, key))


class DraftFileCommitView(APIView):
    @extend_schema(tags=TAGS, request=None, responses=RECORD, summary="Complete a draft file upload")
    def post(self, request, pid, key):
        entry = services.commit_file(request.user, pid, key)
        return Response(file_to_dict(entry, entry.draft))


# --- published files ------------------------------------------------------------------------------

class RecordFilesView(APIView):
    @extend_schema(tags=TAGS, responses=RECORD, summary="List the files of a record")
    def get(self, request, pid):
        record, entries = services.list_record_files(request.user, pid)
        return Response(files_list_to_dict(record, entries))


class RecordFileView(APIView):
    @extend_schema(tags=TAGS, responses=RECORD, summary="Read a record file entry")
    def get(self, request, pid, key):
        entry = services.open_record_file(request.user, pid, key)
        return Response(file_to_dict(entry, entry.record))


class RecordFileContentView(APIView):
    renderer_classes = DOWNLOAD_RENDERERS

    @extend_schema(tags=TAGS, responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
                   summary="Download a record file")
    def get(self, request, pid, key):
        return download(services.open_record_file(request.user, pid, key))


def download(entry) -> FileResponse:
    response = FileResponse(entry.open(), as_attachment=True, filename=entry.key,
                            content_type=entry.blob.mimetype)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(entry.blob.size)
    return response
