"""REST API for communities, shaped like InvenioRDM's. Views only translate HTTP to service calls.

Every item endpoint takes ``{id}`` as the UUID or the slug. Communities the caller may not see answer
404; an old slug answers 301 to the current one; a deleted community answers 410 with its tombstone.
"""

import io
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from rdm.search.api.views import request_filters, search_filtered, search_response_body, with_suggestion

from .. import permissions, queries, services
from ..exceptions import CommunityDeleted, SlugMoved
from ..logos import CONTENT_TYPES
from ..models import FeaturedCommunity
from ..serializers import (
    api_url,
    community_to_dict,
    featured_entry_to_dict,
    member_to_dict,
    public_member_to_dict,
    tombstone,
)

JSON_SCHEMA = extend_schema(tags=["communities"], request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
LOGO_MAX_AGE = 24 * 60 * 60  # seconds, for versioned URLs (?v=<revision>) that change with the logo
MAX_MEMBERS_PER_REQUEST = 100


class OctetStreamParser(BaseParser):
    """Declares the logo upload media type; the view reads ``request.stream`` itself."""

    media_type = "application/octet-stream"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


class CommunityAPIView(APIView):
    """Turns the domain outcomes of a lookup into answers: 301 for an old slug, 410 for a tombstone."""

    def handle_exception(self, exc):
        if isinstance(exc, SlugMoved):
            old, new = self.kwargs["key"], exc.community.slug
            location = self.request.path.replace(f"/communities/{old}", f"/communities/{new}", 1)
            if self.request.META.get("QUERY_STRING"):
                location += "?" + self.request.META["QUERY_STRING"]
            return Response(status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location})
        if isinstance(exc, CommunityDeleted):
            body = {
                "status": 410, "message": "The community has been deleted.",
                "id": str(exc.community.uuid), "slug": exc.community.slug,
                "tombstone": tombstone(exc.community),
            }
            return Response(body, status=status.HTTP_410_GONE)
        return super().handle_exception(exc)

    def community(self, **options):
        return services.get_community(self.request.user, self.kwargs["key"], **options)


def require_login(request) -> None:
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()


def page_links(path: str, params: dict, page: int, size: int, total: int) -> dict:
    def link(number):
        return api_url(path) + "?" + urlencode({**params, "page": number, "size": size}, doseq=True)

    links = {"self": link(page)}
    if page > 1:
        links["prev"] = link(page - 1)
    if page * size < total:
        links["next"] = link(page + 1)
    return links


def communities_to_list(communities, user) -> list[dict]:
    checker = permissions.checker_for(user, communities)
    return [community_to_dict(community, user, checker=checker) for community in communities]


def _search_body(request, result, path: str) -> dict:
    params = {key: request.query_params.getlist(key) for key in ("q", "sort", "type", "visibility")
              if key in request.query_params}
    return {
        "hits": {"hits": communities_to_list(result.hits, request.user), "total": result.total},
        "aggregations": result.aggregations,
        "sortBy": result.sort,
        "links": page_links(path, params, result.page, result.size, result.total),
    }


def _search(request, *, mine: bool):
    params = request.query_params
    return queries.search_communities(
        request.user, q=params.get("q", ""), sort=params.get("sort"),
        type=params.getlist("type") or None, visibility=params.getlist("visibility") or None,
        page=params.get("page", 1), size=params.get("size", 10), mine=mine,
    )


@JSON_SCHEMA
class CommunityListView(CommunityAPIView):
    def get(self, request):
        return Response(_search_body(request, _search(request, mine=False), "/communities"))

    def post(self, request):
        require_login(request)
        community = services.create_community(request.user, request.data)
        return Response(community_to_dict(community, request.user), status=status.HTTP_201_CREATED)


@JSON_SCHEMA
class UserCommunitiesView(CommunityAPIView):
    def get(self, request):
        require_login(request)
        return Response(_search_body(request, _search(request, mine=True), "/user/communities"))


@JSON_SCHEMA
class CommunityView(CommunityAPIView):
    def get(self, request, key):
        return Response(community_to_dict(self.community(), request.user))

    def put(self, request, key):
        community = services.update_community(request.user, self.community(), request.data)
        return Response(community_to_dict(community, request.user))

    def delete(self, request, key):
        note = request.data.get("note", "") if isinstance(request.data, dict) else ""
        services.delete_community(request.user, self.community(), note=note)
        return Response(status=status.HTTP_204_NO_CONTENT)


@JSON_SCHEMA
class RenameView(CommunityAPIView):
    def post(self, request, key):
        if not isinstance(request.data, dict) or "slug" not in request.data:
            raise ValidationError({"slug": ["Missing data for required field."]})
        community = services.rename_community(request.user, self.community(), request.data["slug"])
        return Response(community_to_dict(community, request.user))


def logo_to_dict(community) -> dict:
    extension = community.logo.name.rsplit(".", 1)[-1]
    return {
        "key": "logo",
        "size": community.logo.size,
        "mimetype": CONTENT_TYPES.get(extension, "application/octet-stream"),
        "updated": community.logo_updated.isoformat() if community.logo_updated else None,
        "links": {"self": api_url(f"/communities/{community.uuid}/logo")},
    }


def cache_policy(community, versioned: bool) -> dict:
    audience = {"public": True} if community.is_public else {"private": True}
    return {"max_age": LOGO_MAX_AGE, **audience} if versioned else {"no_cache": True, **audience}


def logo_etag(community) -> str:
    stamp = int(community.logo_updated.timestamp()) if community.logo_updated else 0
    return f'"{community.uuid.hex}-{stamp}"'


def paging(request, default_size: int) -> tuple[int, int]:
    params = request.query_params
    return queries.parse_paging(params.get("page", 1), params.get("size", default_size))


def logo_response(request, community, *, versioned: bool = False):
    """The stored logo with caching headers (public communities: shared caches may keep it).

    A versioned URL changes whenever the community does, so it may be cached for long; a plain URL
    is revalidated every time (ETag, 304)."""
    if not community.logo:
        raise Http404("The community has no logo.")
    extension = community.logo.name.rsplit(".", 1)[-1]
    response = FileResponse(community.logo.open("rb"), content_type=CONTENT_TYPES.get(extension))
    etag = logo_etag(community)
    response["ETag"] = etag
    if community.logo_updated:
        response["Last-Modified"] = http_date(community.logo_updated.timestamp())
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="logo.{extension}"'
    patch_cache_control(response, **cache_policy(community, versioned))
    if request.META.get("HTTP_IF_NONE_MATCH") == etag:
        response.close()
        not_modified = Response(status=status.HTTP_304_NOT_MODIFIED)
        not_modified["ETag"] = etag
        return not_modified
    return response


@JSON_SCHEMA
class LogoView(CommunityAPIView):
    parser_classes = [OctetStreamParser, JSONParser]

    def get(self, request, key):
        return logo_response(request, self.community())

    def put(self, request, key):
        community = self.community()
        stream = request.stream or io.BytesIO(b"")
        community = services.set_logo(request.user, community, stream)
        return Response(logo_to_dict(community))

    def delete(self, request, key):
        services.delete_logo(request.user, self.community())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- members --------------------------------------------------------------------------------------

def _members_param(data) -> list[dict]:
    members = data.get("members") if isinstance(data, dict) else None
    if not isinstance(members, list) or not 1 <= len(members) <= MAX_MEMBERS_PER_REQUEST:
        raise ValidationError({"members": [f"Give between 1 and {MAX_MEMBERS_PER_REQUEST} members."]})
    for member in members:
        if not isinstance(member, dict) or "type" not in member or "id" not in member:
            raise ValidationError({"members": ["Each member needs a type and an id."]})
    return members


def _visible_param(data):
    visible = data.get("visible")
    if visible is not None and not isinstance(visible, bool):
        raise ValidationError({"visible": ["Not a valid boolean."]})
    return visible


def _members_body(request, community, serialize, path: str, *, public: bool = False) -> dict:
    """Search the "members" index (``q``, ``sort``, ``page``, ``size``; on the full list also ``role`` and
    ``visibility``) and answer InvenioRDM's shape."""
    params = request.query_params
    found = queries.search_members(
        request.user, community, public=public, q=params.get("q", ""), role=params.getlist("role") or None,
        visibility=params.get("visibility"), sort=params.get("sort"), page=params.get("page", 1),
        size=params.get("size", 25),
    )
    return {
        "hits": {"hits": [serialize(m) for m in found.hits], "total": found.total},
        "aggregations": found.aggregations,
        "links": page_links(path, {}, found.page, found.size, found.total),
    }


@JSON_SCHEMA
class MembersView(CommunityAPIView):
    def get(self, request, key):
        community = self.community()
        manageable = permissions.manageable_roles(request.user, community)

        def serialize(membership):
            return member_to_dict(membership, request.user, manageable=manageable)

        body = _members_body(request, community, serialize, f"/communities/{community.uuid}/members")
        return Response(body)

    def post(self, request, key):
        """Add groups directly (staff may add users as well); invitations for users come later."""
        community = self.community()
        services.add_members(request.user, community, _members_param(request.data), request.data.get("role"),
                             visible=_visible_param(request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def put(self, request, key):
        community = self.community()
        services.update_members(request.user, community, _members_param(request.data),
                                role=request.data.get("role"), visible=_visible_param(request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def delete(self, request, key):
        services.remove_members(request.user, self.community(), _members_param(request.data))
        return Response(status=status.HTTP_204_NO_CONTENT)


@JSON_SCHEMA
class PublicMembersView(CommunityAPIView):
    def get(self, request, key):
        community = self.community()
        body = _members_body(request, community, public_member_to_dict,
                             f"/communities/{community.uuid}/members/public", public=True)
        body.pop("aggregations")
        return Response(body)


# --- featured -------------------------------------------------------------------------------------

@JSON_SCHEMA
class FeaturedListView(CommunityAPIView):
    def get(self, request):
        page, size = paging(request, 10)
        featured = queries.featured_communities()
        total = featured.count()
        hits = featured[(page - 1) * size: page * size]
        return Response({
            "hits": {"hits": communities_to_list(list(hits), request.user), "total": total},
            "sortBy": "featured",
            "links": page_links("/communities/featured", {}, page, size, total),
        })


@JSON_SCHEMA
class CommunityFeaturedView(CommunityAPIView):
    def get(self, request, key):
        community = self.community()
        if not permissions.can_manage_featured(request.user):
            raise exceptions.PermissionDenied("Only staff may manage featured communities.")
        entries = list(community.featured_entries.all())
        hits = [featured_entry_to_dict(entry) for entry in entries]
        return Response({"hits": {"hits": hits, "total": len(entries)}})

    def post(self, request, key):
        start_date = request.data.get("start_date") if isinstance(request.data, dict) else None
        entry = services.set_featured(request.user, self.community(), start_date)
        return Response(featured_entry_to_dict(entry), status=status.HTTP_201_CREATED)


@JSON_SCHEMA
class FeaturedEntryView(CommunityAPIView):
    def entry(self):
        community = self.community()
        entry = FeaturedCommunity.objects.filter(community=community, uuid=self.kwargs["featured_id"]).first()
        if entry is None:
            raise Http404("No such featured entry.")
        return entry

    def put(self, request, key, featured_id):
        start_date = request.data.get("start_date") if isinstance(request.data, dict) else None
        entry = services.update_featured(request.user, self.entry(), start_date)
        return Response(featured_entry_to_dict(entry))

    def delete(self, request, key, featured_id):
        services.delete_featured(request.user, self.entry())
        return Response(status=status.HTTP_204_NO_CONTENT)


@JSON_SCHEMA
class CommunityRecordsView(CommunityAPIView):
    """GET: the community's published records, searched like ``/api/records`` (``q``, sort, paging,
    facets, ``allversions``) as the caller, so hits, totals and facet counts hold only what they may read."""

    def get(self, request, key):
        community = self.community()
        params = request.query_params.copy()
        params.pop("community", None)  # the scope is the community in the URL, never widened
        scope = queries.community_records_scope(community)
        all_versions = params.get("allversions", "").lower() in ("1", "true")
        latest = {} if all_versions else {"is_latest": ["true"]}
        filters = request_filters("records", params, extra_params=("allversions",),
                                  default_filters={**latest, **scope})
        result = search_filtered("records", params, request.user, filters)
        return Response(with_suggestion(search_response_body(result, request), request, "records", result,
                                        filters))
