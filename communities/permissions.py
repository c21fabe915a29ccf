"""Who may do what in a community. Pages, API, admin and search ask these functions.

A role's capabilities are stored as django-guardian object permissions on the community, granted to the
member (user or group). This module is the only place that grants or revokes them. Staff may do
everything. Callers turn "may not read" into 404 and "may read but not do" into 403.
"""

from collections.abc import Callable

from django.conf import settings
from django.db.models import Q
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import assign_perm, get_objects_for_user, remove_perm

from . import roles
from .models import (
    OPEN,
    PUBLIC,
    Community,
    CommunityRecord,
    Membership,
    live_community_refs,
    live_record_links,
)
from .roles import Role

# guardian codename -> which roles hold it (every member may read the community).
CAPABILITIES: dict[str, Callable[[Role], bool]] = {
    "read_community": lambda role: True,
    "view_records_community": lambda role: role.can_view,
    "curate_community": lambda role: role.can_curate,
    "manage_members_community": lambda role: role.can_manage,
    "manage_community": lambda role: role.is_owner,
}


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def _has(user, codename: str, community: Community) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_staff(user):
        return True
    return ObjectPermissionChecker(user).has_perm(codename, community)


# --- granting ------------------------------------------------------------------------------------

def role_permissions(role: Role | None) -> set[str]:
    if role is None:
        return set()
    return {codename for codename, holds in CAPABILITIES.items() if holds(role)}


def grant_membership(membership: Membership) -> None:
    """Give the member exactly the permissions of its role (revoking what the role does not hold)."""
    granted = role_permissions(roles.get_role(membership.role))
    for codename in CAPABILITIES:
        perm = f"communities.{codename}"
        if codename in granted:
            assign_perm(perm, membership.principal, membership.community)
        else:
            remove_perm(perm, membership.principal, membership.community)


def revoke_membership(membership: Membership) -> None:
    for codename in CAPABILITIES:
        remove_perm(f"communities.{codename}", membership.principal, membership.community)


def sync_community(community: Community) -> None:
    """Re-derive every member's permissions from the current ``COMMUNITIES_ROLES``."""
    for membership in community.memberships.select_related("user", "group", "community"):
        grant_membership(membership)


# --- questions -----------------------------------------------------------------------------------

def can_create(user) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if is_staff(user):
        return True
    if settings.COMMUNITIES_ALLOW_CREATE == "staff":
        return False
    return user.emailaddress_set.filter(verified=True).exists()


def can_read(user, community: Community | None) -> bool:
    if community is None:
        return False
    return community.visibility == PUBLIC or _has(user, "read_community", community)


def is_member(user, community: Community | None) -> bool:
    return community is not None and _has(user, "read_community", community)


def can_update(user, community: Community | None) -> bool:
    return community is not None and _has(user, "manage_community", community)


def can_delete(user, community: Community | None) -> bool:
    return can_update(user, community)


def can_curate(user, community: Community | None) -> bool:
    return community is not None and _has(user, "curate_community", community)


def can_view_restricted_records(user, community: Community | None) -> bool:
    return community is not None and _has(user, "view_records_community", community)


def can_read_members(user, community: Community | None) -> bool:
    """The full member list (hidden members included) is for members."""
    return is_member(user, community)


def can_read_public_members(user, community: Community | None) -> bool:
    return can_read(user, community)


def can_submit_record(user, community: Community | None) -> bool:
    """InvenioRDM v9: members may always submit; others only to a public community with an open record
    policy (and only when signed in)."""
    if community is None or community.is_deleted or not (user and user.is_authenticated and user.is_active):
        return False
    if is_member(user, community):
        return True
    return community.visibility == PUBLIC and community.record_policy == OPEN


def can_manage_featured(user) -> bool:
    return is_staff(user)


def actor_roles(user, community: Community) -> list[Role]:
    """Roles the user holds in the community, directly or through one of their groups."""
    if not (user and user.is_authenticated):
        return []
    memberships = Membership.objects.filter(community=community).filter(
        Q(user=user) | Q(group__in=user.groups.all())
    )
    found = (roles.get_role(name) for name in memberships.values_list("role", flat=True))
    return [role for role in found if role is not None]


def manageable_roles(user, community: Community | None) -> set[str]:
    """Role names the user may grant, change or remove in the community."""
    if community is None:
        return set()
    if is_staff(user):
        return set(roles.role_names())
    if not _has(user, "manage_members_community", community):
        return set()
    return {name for role in actor_roles(user, community) for name in role.can_manage_roles}


def can_manage_members(user, community: Community | None, target_role: str | None = None) -> bool:
    """May the user manage members at all (``target_role`` None), or members of ``target_role``."""
    manageable = manageable_roles(user, community)
    return bool(manageable) if target_role is None else target_role in manageable


def is_own_membership(user, membership: Membership) -> bool:
    return bool(user and user.is_authenticated and membership.user_id == user.pk)


def can_update_member(user, membership: Membership, new_role: str | None = None,
                      *, manageable: set[str] | None = None) -> bool:
    """Change another member's role (never one's own, staff aside). ``manageable`` (the user's
    ``manageable_roles``) may be passed in when asking about many members."""
    if is_own_membership(user, membership) and not is_staff(user):
        return False
    if manageable is None:
        manageable = manageable_roles(user, membership.community)
    return membership.role in manageable and (new_role is None or new_role in manageable)


def can_remove_member(user, membership: Membership) -> bool:
    return is_own_membership(user, membership) or can_update_member(user, membership)


def can_update_visibility(user, membership: Membership) -> bool:
    return is_own_membership(user, membership) or can_update_member(user, membership)


def checker_for(user, communities=()) -> ObjectPermissionChecker | None:
    """A permission checker with the user's permissions on ``communities`` loaded in two queries."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    checker = ObjectPermissionChecker(user)
    if communities:
        checker.prefetch_perms(list(communities))
    return checker


def capabilities(user, community: Community, checker: ObjectPermissionChecker | None = None) -> dict:
    """What the user may do in the community, from one look at their permissions (for JSON and pages)."""
    if is_staff(user):
        held = set(CAPABILITIES)
    else:
        checker = checker or checker_for(user)
        held = set(checker.get_perms(community)) if checker else set()
    return {
        "can_update": "manage_community" in held,
        "can_delete": "manage_community" in held,
        "can_manage_members": "manage_members_community" in held,
        "can_curate": "curate_community" in held,
        "can_view_restricted_records": "view_records_community" in held,
        "is_member": "read_community" in held,
    }


# --- listing and search --------------------------------------------------------------------------

def _member_communities(user, codename: str):
    return get_objects_for_user(
        user, f"communities.{codename}", klass=Community, accept_global_perms=False, with_superuser=False,
    )


def readable_filter(user) -> Q:
    """A filter on Community matching ``can_read``, for listings and counts."""
    if is_staff(user):
        return Q()
    readable = Q(visibility=PUBLIC)
    if user and user.is_authenticated and user.is_active:
        readable |= Q(pk__in=_member_communities(user, "read_community").values("pk"))
    return readable


def member_filter(user) -> Q:
    """Communities the user belongs to (directly or through a group)."""
    if not (user and user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    return Q(pk__in=_member_communities(user, "read_community").values("pk"))


def search_principals(user) -> list[str]:
    """Index principals the user holds through communities.

    ``community:<uuid>:member`` for every community the user belongs to (reads a restricted community),
    ``community:<uuid>:view`` where their role may view (or curate) restricted records. Capability-based,
    so the strings do not change when roles are renamed in ``COMMUNITIES_ROLES``.
    """
    if not (user and user.is_authenticated and user.is_active):
        return []
    members = _member_communities(user, "read_community").values_list("uuid", flat=True)
    return [f"community:{uid}:member" for uid in members] + [
        f"community:{uid}:view" for uid in _record_viewer_communities(user).values_list("uuid", flat=True)
    ]


def _record_viewer_communities(user):
    """Communities whose restricted records the user may read: a role that views or curates them (a
    curator manages the records, so a custom role set without ``can_view`` must not hide them)."""
    viewers = _member_communities(user, "view_records_community").values("pk")
    curators = _member_communities(user, "curate_community").values("pk")
    return Community.objects.alive().filter(Q(pk__in=viewers) | Q(pk__in=curators))


def community_read_principals(community: Community) -> list[str]:
    """Who may find the community itself in an index."""
    if community.visibility == PUBLIC:
        return ["public"]
    return [f"community:{community.uuid}:member", "staff"]


def _parent_communities(parent) -> list[Community]:
    # Never filter on a missing parent (``record_links__parent=None`` would match unlinked communities):
    # live_record_links answers [] for it.
    return [link.community for link in live_record_links(parent)]


def record_view_principals(parent) -> list[str]:
    """Principals that may read restricted records co-owned by communities (for the records index)."""
    return [f"community:{ref.uuid}:view" for ref in live_community_refs(parent)]


def _any_community_allows(user, parent, codenames: tuple[str, ...]) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    communities = _parent_communities(parent)
    if not communities:
        return False
    if is_staff(user):
        return True
    checker = checker_for(user, communities)
    held = (set(checker.get_perms(community)) for community in communities)
    return any(held_here.intersection(codenames) for held_here in held)


def can_view_parent_records(user, parent) -> bool:
    """Does a community role let the user read the restricted records of this record parent?"""
    return _any_community_allows(user, parent, ("view_records_community", "curate_community"))


def can_curate_parent(user, parent) -> bool:
    """Does a community role let the user curate (manage) the records of this record parent?"""
    return _any_community_allows(user, parent, ("curate_community",))


def parents_viewable_by(user):
    """Ids of record parents whose restricted records a community role lets the user read (a subquery
    for ``rdm.records.permissions.readable_records_filter``)."""
    if not (user and user.is_authenticated and user.is_active):
        return CommunityRecord.objects.none().values("parent_id")
    return CommunityRecord.objects.filter(community__in=_record_viewer_communities(user)).values("parent_id")
