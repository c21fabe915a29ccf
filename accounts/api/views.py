from django.contrib.auth.models import Group
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotAuthenticated
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import permissions
from ..avatars import group_avatar, user_avatar
from ..models import User, Visibility
from ..services import get_profile, search_users
from .serializers import user_to_dict

AVATAR_MAX_AGE = 7 * 24 * 3600


def visible_user_or_404(actor, user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None or not permissions.can_read_user(actor, user):
        raise Http404("No such user.")
    return user


class UserDetail(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, user_id):
        return Response(user_to_dict(visible_user_or_404(request.user, user_id), request))


class UserSearch(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        users = list(search_users(request.user, request.query_params.get("q", "")))
        hits = [user_to_dict(user, request) for user in users]
        return Response({"hits": {"hits": hits, "total": len(hits)}})


class CurrentUser(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        return Response(user_to_dict(request.user, request))


class FirstRendererNegotiation(BaseContentNegotiation):
    """Avatars answer in SVG whatever the Accept header; errors are rendered as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


class AvatarView(APIView):
    content_negotiation_class = FirstRendererNegotiation

    def svg_response(self, request, avatar, public: bool):
        response = HttpResponse(avatar.svg(), content_type="image/svg+xml")
        response["Content-Disposition"] = 'inline; filename="avatar.svg"'
        response["ETag"] = avatar.etag()
        audience = {"public": True} if public else {"private": True}
        patch_cache_control(response, max_age=AVATAR_MAX_AGE, **audience)
        return get_conditional_response(request, etag=avatar.etag(), response=response)


class UserAvatar(AvatarView):
    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.BINARY})
    def get(self, request, user_id):
        user = visible_user_or_404(request.user, user_id)
        public = get_profile(user).visibility == Visibility.PUBLIC
        return self.svg_response(request, user_avatar(user), public)


class GroupAvatar(AvatarView):
    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.BINARY})
    def get(self, request, group_id):
        group = get_object_or_404(Group, name=group_id)
        if not permissions.can_read_group(request.user, group):
            raise Http404("No such group.")
        return self.svg_response(request, group_avatar(group.name), public=False)
