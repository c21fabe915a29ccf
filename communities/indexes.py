"""Search index declarations of communities: the communities themselves ("communities") and their
memberships ("members").

Community documents are ``community_to_dict`` without the caller-specific ``permissions`` (the API adds
them per request). Who may find a community comes from ``permissions.community_read_principals``;
soft-deleted communities are not loaded, so queueing one removes its document (and its members').
Member documents hold the member's display name, so a profile or group rename re-queues them
(``memberships_of``); see ``rdm.search.receivers``.
"""

import uuid
from collections.abc import Iterator

from django.db.models import Q

from rdm.search.index import (
    ID_CHUNK_SIZE,
    PUBLIC,
    STAFF,
    STANDARD_SORTS,
    DateField,
    Facet,
    Index,
    KeywordField,
    SortOption,
    TextField,
    html_text,
    id_chunks,
    register,
    values_at,
)

from .models import TYPE_CHOICES, VISIBILITY_CHOICES, Community, Membership

TYPE_LABELS = dict(TYPE_CHOICES)
VISIBILITY_LABELS = dict(VISIBILITY_CHOICES)
MEMBER_VISIBILITY_LABELS = {"true": "Public", "false": "Hidden"}


def _description_text(document: dict) -> list[str]:
    descriptions = values_at(document, "metadata.description")
    return html_text(descriptions)


def _organizations(document: dict) -> list[str]:
    organizations = document.get("metadata", {}).get("organizations") or []
    return [item.get("name") or item.get("id") if isinstance(item, dict) else item for item in organizations]


def _labels(mapping: dict):
    return lambda keys: {key: mapping[key] for key in keys if key in mapping}


def _role_labels(keys: list[str]) -> dict[str, str]:
    from .roles import role_title

    return {key: role_title(key) for key in keys}




def _uuids(ids: list[str]) -> list[uuid.UUID]:
    found = []
    for value in ids:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


class CommunitiesIndex(Index):
    """Live communities; restricted ones are readable by their members and staff only."""

    name = "communities"
    fields = (
        KeywordField("id"),
        TextField("title", path="metadata.title", boost=3, sortable=True),
        TextField("description", path="metadata.description", extract=_description_text),
        TextField("slug"),
        TextField("organizations", path="metadata.organizations", aliases=("organization",),
                  extract=_organizations),
        KeywordField("type", path="metadata.type.id"),
        KeywordField("visibility", path="access.visibility"),
        DateField("created", sortable=True),
        DateField("updated", sortable=True),
    )
    facets = (
        Facet("type", "Type", labels=_labels(TYPE_LABELS)),
        Facet("visibility", "Visibility", labels=_labels(VISIBILITY_LABELS)),
    )
    sort_options = STANDARD_SORTS
    default_sort = "newest"
    default_sort_with_query = "bestmatch"

    def to_document(self, obj) -> dict:
        from .serializers import community_to_dict

        document = community_to_dict(obj)
        document.pop("permissions", None)  # depends on the caller: added per request
        return document

    def principals(self, obj) -> list[str]:
        from .permissions import community_read_principals

        return community_read_principals(obj)

    def doc_id(self, obj) -> str:
        return str(obj.uuid)

    def load(self, ids: list[str]) -> dict[str, object]:
        found = Community.objects.alive().filter(uuid__in=_uuids(ids))
        return {str(community.uuid): community for community in found}

    def iter_ids(self, chunk_size: int = ID_CHUNK_SIZE) -> Iterator[list[str]]:
        return id_chunks(Community.objects.alive().order_by("pk").values_list("uuid", flat=True), chunk_size)

    def count(self) -> int:
        return Community.objects.alive().count()


# --- members --------------------------------------------------------------------------------------

def member_doc_id(community: Community, *, user=None, group=None) -> str:
    """``<community uuid>/user/<id>`` or ``.../group/<id>``: derivable from ``membership_changed``'s
    arguments, so a removed membership (whose row is gone) can still be removed from the index."""
    kind, pk = ("user", user.pk) if user is not None else ("group", group.pk)
    return f"{community.uuid}/{kind}/{pk}"


def membership_doc_id(membership: Membership) -> str:
    if membership.user_id:
        return f"{membership.community.uuid}/user/{membership.user_id}"
    return f"{membership.community.uuid}/group/{membership.group_id}"


def memberships_of(*, user_id: int | None = None, group_id: int | None = None) -> list[str]:
    """Member document ids of a user or a group in every community (their name is embedded)."""
    condition = Q(user_id=user_id) if user_id is not None else Q(group_id=group_id)
    memberships = Membership.objects.filter(condition).select_related("community")
    return [membership_doc_id(m) for m in memberships]


def community_member_ids(community: Community) -> list[str]:
    memberships = community.memberships.select_related("community")
    return [membership_doc_id(m) for m in memberships]


def _parse_member_id(doc_id: str) -> tuple[str, str, int] | None:
    parts = str(doc_id).split("/")
    if len(parts) != 3 or parts[1] not in ("user", "group") or not parts[2].isdigit():
        return None
    return parts[0], parts[1], int(parts[2])


class MembersIndex(Index):
    """Memberships of live communities, for member listings and member search.

    Visible members of public communities are public (the public member list); every other membership
    is for the community's members and staff.
    """

    name = "members"
    fields = (
        KeywordField("id"),
        TextField("name", path="member.name", boost=3, sortable=True),
        TextField("description", path="member.description", aliases=("affiliation", "affiliations")),
        KeywordField("community", path="community"),
        KeywordField("role"),
        KeywordField("visibility", path="visible", aliases=("visible",)),
        KeywordField("member_type", path="member.type"),
        DateField("created", sortable=True),
        DateField("updated", sortable=True),
    )
    facets = (
        Facet("role", "Role", labels=_role_labels),
        Facet("visibility", "Visibility", labels=_labels(MEMBER_VISIBILITY_LABELS)),
    )
    sort_options = {
        "bestmatch": SortOption("Best match", (("_score", "desc"), ("name", "asc"))),
        "name": SortOption("Name", (("name", "asc"),)),
        "newest": SortOption("Newest", (("created", "desc"),)),
        "oldest": SortOption("Oldest", (("created", "asc"),)),
    }
    default_sort = "name"
    default_sort_with_query = "bestmatch"

    def to_document(self, obj) -> dict:
        from .serializers import public_member_to_dict

        return {
            **public_member_to_dict(obj),
            "community": str(obj.community.uuid),
            "role": obj.role,
            "visible": obj.visible,
            "created": obj.created.isoformat(),
            "updated": obj.updated.isoformat(),
        }

    def principals(self, obj) -> list[str]:
        community = obj.community
        if community.is_public and obj.visible:
            return [PUBLIC]
        return [f"community:{community.uuid}:member", STAFF]

    def doc_id(self, obj) -> str:
        return membership_doc_id(obj)

    def load(self, ids: list[str]) -> dict[str, object]:
        parsed = [key for key in (_parse_member_id(doc_id) for doc_id in ids) if key]
        if not parsed:
            return {}
        users = [pk for _, kind, pk in parsed if kind == "user"]
        groups = [pk for _, kind, pk in parsed if kind == "group"]
        found = Membership.objects.filter(
            community__uuid__in=_uuids([community for community, _, _ in parsed]),
            community__deleted_at__isnull=True,
        ).filter(Q(user_id__in=users) | Q(group_id__in=groups)).select_related(
            "community", "user__profile", "group")
        wanted = set(map(str, ids))
        by_id = {membership_doc_id(m): m for m in found}
        return {doc_id: m for doc_id, m in by_id.items() if doc_id in wanted}

    def iter_ids(self, chunk_size: int = ID_CHUNK_SIZE) -> Iterator[list[str]]:
        live = Membership.objects.filter(community__deleted_at__isnull=True).order_by("pk")
        rows = live.values_list("community__uuid", "user_id", "group_id")
        chunk = []
        for community, user_id, group_id in rows.iterator(chunk_size=chunk_size):
            chunk.append(f"{community}/user/{user_id}" if user_id else f"{community}/group/{group_id}")
            if len(chunk) == chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def count(self) -> int:
        return Membership.objects.filter(community__deleted_at__isnull=True).count()


communities_index = register(CommunitiesIndex())
members_index = register(MembersIndex())
