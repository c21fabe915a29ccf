"""InvenioRDM-shaped JSON for communities and members: used by the API, pages and (later) the indexer."""

from django.conf import settings
from django.utils import timezone

from accounts.services import get_profile

from . import permissions, roles
from .models import TYPE_CHOICES, Community, FeaturedCommunity, Membership

TYPE_TITLES = dict(TYPE_CHOICES)


def absolute(path: str) -> str:
    return f"{settings.RDM_SITE_URL}{path}"


def api_url(path: str) -> str:
    return absolute(f"/api{path}")


def community_links(community: Community) -> dict:
    base = f"/communities/{community.uuid}"
    return {
        "self": api_url(base),
        "self_html": absolute(f"/communities/{community.slug}"),
        "settings_html": absolute(f"/communities/{community.slug}/settings"),
        "logo": api_url(f"{base}/logo"),
        "rename": api_url(f"{base}/rename"),
        "members": api_url(f"{base}/members"),
        "public_members": api_url(f"{base}/members/public"),
        "records": api_url(f"{base}/records"),
        "featured": api_url(f"{base}/featured"),
    }


def community_to_dict(community: Community, user=None, *, checker=None) -> dict:
    """The community as InvenioRDM's JSON; ``permissions`` tells ``user`` what they may do.

    ``checker`` (from ``permissions.checker_for``) saves queries when serialising many communities."""
    data = {
        "id": str(community.uuid),
        "slug": community.slug,
        "created": community.created.isoformat(),
        "updated": community.updated.isoformat(),
        "revision_id": community.revision_id,
        "metadata": metadata_to_dict(community),
        "access": {
            "visibility": community.visibility,
            "member_policy": community.member_policy,
            "record_policy": community.record_policy,
        },
        "has_logo": bool(community.logo),
        "is_deleted": community.is_deleted,
        "links": community_links(community),
        "permissions": permissions.capabilities(user, community, checker),
    }
    if community.is_deleted:
        data["tombstone"] = tombstone(community)
    return data


def metadata_to_dict(community: Community) -> dict:
    metadata = {"title": community.title}
    if community.description:
        metadata["description"] = community.description
    if community.type:
        title = TYPE_TITLES.get(community.type, community.type)
        metadata["type"] = {"id": community.type, "title": {"en": title}}
    for name in ("website", "curation_policy", "page"):
        if getattr(community, name):
            metadata[name] = getattr(community, name)
    if community.organizations:
        metadata["organizations"] = community.organizations
    return metadata


def tombstone(community: Community) -> dict:
    return {"removal_date": community.deleted_at.isoformat(), "note": community.deletion_note}


def featured_dates(community: Community) -> dict:
    """``{past, future}`` start dates, InvenioRDM's index-only ``featured`` field."""
    now = timezone.now()
    dates = list(community.featured_entries.values_list("start_date", flat=True))
    return {
        "past": [d.isoformat() for d in sorted(dates) if d <= now],
        "future": [d.isoformat() for d in sorted(dates) if d > now],
    }


def featured_entry_to_dict(entry: FeaturedCommunity) -> dict:
    return {"id": str(entry.uuid), "start_date": entry.start_date.isoformat()}


# --- members --------------------------------------------------------------------------------------

def member_entity(membership: Membership) -> dict:
    if membership.user_id:
        user = membership.user
        profile = get_profile(user)
        return {
            "type": "user",
            "id": str(user.pk),
            "name": profile.full_name or user.username or "Untitled",
            "description": "; ".join(profile.affiliations or []),
            "avatar": api_url(f"/users/{user.pk}/avatar.svg"),
        }
    group = membership.group
    return {
        "type": "group",
        "id": group.name,
        "name": group.name,
        "description": "",
        "avatar": api_url(f"/groups/{group.name}/avatar.svg"),
    }


def public_member_to_dict(membership: Membership) -> dict:
    return {"id": str(membership.uuid), "member": member_entity(membership)}


def member_to_dict(membership: Membership, user=None, *, manageable: set[str] | None = None) -> dict:
    own = permissions.is_own_membership(user, membership)
    can_update = permissions.can_update_member(user, membership, manageable=manageable)
    return {
        "id": str(membership.uuid),
        "member": member_entity(membership),
        "role": membership.role,
        "role_title": roles.role_title(membership.role),
        "visible": membership.visible,
        "is_current_user": own,
        "permissions": {
            "can_leave": own,
            "can_delete": can_update and not own,
            "can_update_role": can_update and not own,
            "can_update_visible": (membership.visible and can_update) or own,
        },
        "created": membership.created.isoformat(),
        "updated": membership.updated.isoformat(),
    }
