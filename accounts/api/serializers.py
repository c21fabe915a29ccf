"""User JSON shaped like InvenioRDM's (invenio-users-resources), fields shown by permission."""

from django.urls import reverse

from .. import permissions
from ..services import get_profile


def user_links(request, user) -> dict:
    return {
        "self": request.build_absolute_uri(reverse("accounts_api:user", args=[user.pk])),
        "avatar": request.build_absolute_uri(reverse("accounts_api:user_avatar", args=[user.pk])),
    }


def user_to_dict(user, request) -> dict:
    actor = request.user
    profile = get_profile(user)
    data = {
        "id": str(user.pk),
        "username": user.username,
        "profile": {"full_name": profile.full_name, "affiliations": list(profile.affiliations)},
        "is_current_user": bool(actor.is_authenticated and actor.pk == user.pk),
        "links": user_links(request, user),
    }
    if permissions.can_read_email(actor, user):
        data["email"] = user.email
    if permissions.can_read_details(actor, user):
        data.update(_details(user, profile))
    return data


def _details(user, profile) -> dict:
    return {
        "created": user.date_joined.isoformat(),
        "updated": profile.updated.isoformat(),
        "active": user.is_active,
        "confirmed": user.emailaddress_set.filter(verified=True).exists(),
        "preferences": {"visibility": profile.visibility, "email_visibility": profile.email_visibility},
    }
