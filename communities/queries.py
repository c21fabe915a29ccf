"""Read-only questions about communities: listings with facets, members, featured communities and the
communities of a record. Functions taking a user answer only with what that user may see; the others
(``parent_communities``, ``restricted_communities_of``) serve indexing and the records app's rules."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils import timezone

from rdm.records.models import RecordParent
from rdm.search import search
from rdm.search.index import get_index

from . import permissions
from .models import (
    PUBLIC,
    RESTRICTED,
    Community,
    CommunityRecord,
    Membership,
    live_community_refs,
)

MAX_PAGE_SIZE = 100


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def record_communities(user, parent: RecordParent) -> list[Community]:
    """The live communities co-owning the record that ``user`` may see, default community first."""
    links = CommunityRecord.objects.filter(parent=parent, community__deleted_at__isnull=True)
    links = links.select_related("community").order_by("-is_default", "created")
    return [link.community for link in links if permissions.can_read(user, link.community)]


def parent_communities(parent: RecordParent) -> dict:
    """InvenioRDM's ``parent.communities``: ``{"ids": [uuid, ...], "default": uuid}`` (live ones only)."""
    refs = live_community_refs(parent)
    if not refs:
        return {}
    default = next((ref.uuid for ref in refs if ref.is_default), None)
    return {"ids": [ref.uuid for ref in refs], "default": default}


def restricted_communities_of(parent: RecordParent) -> list[Community]:
    """Restricted communities holding the record: while any exists, the record must stay restricted."""
    return list(Community.objects.alive().filter(record_links__parent=parent, visibility=RESTRICTED))


def community_records_scope(community: Community) -> dict[str, list[str]]:
    """The records-index filter that limits a search to the community's records."""
    return {"community": [str(community.uuid)]}


def community_facet_labels(ids: list[str]) -> dict[str, str]:
    """Titles for the records index's community facet. Labels are computed without a reader, so a
    restricted community's title is never shown there."""
    uuids = [value for value in ids if _is_uuid(value)]
    if not uuids:  # no community among the values: no query to build (it costs more than the rest)
        return {}
    found = Community.objects.alive().filter(uuid__in=uuids).values_list("uuid", "title", "visibility")
    return {str(uid): title if visibility == PUBLIC else "Restricted community"
            for uid, title, visibility in found}


def parent_community_slugs(parent: RecordParent) -> list[str]:
    """Slugs of the live communities holding the record (the records index matches ``community:<slug>``);
    uses the links a bulk caller prefetched."""
    return [ref.slug for ref in live_community_refs(parent)]


def community_ids_for_keys(keys: list[str]) -> list[str]:
    """Ids for a records-index ``community`` filter given ids or current slugs (one query for the slugs).
    Unknown keys stay as they are and match nothing; restricted communities resolve too, since the
    search still filters records by the caller's principals."""
    slugs = [key.lower() for key in keys if not _is_uuid(key)]
    if not slugs:
        return keys
    found = {slug: str(uid) for slug, uid in
             Community.objects.alive().filter(slug__in=slugs).values_list("slug", "uuid")}
    ids = [key if _is_uuid(key) else found.get(key.lower(), key) for key in keys]
    return list(dict.fromkeys(ids))


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def featured_communities(now: datetime.datetime | None = None):
    """Live public communities featured since a past start date, most recently featured first."""
    now = now or timezone.now()
    featured = Community.objects.alive().filter(visibility=PUBLIC, featured_entries__start_date__lte=now)
    return featured.annotate(featured_since=Max("featured_entries__start_date")).order_by("-featured_since")


# --- listing ------------------------------------------------------------------------------------

@dataclass
class CommunitySearch:
    hits: list[Community]
    total: int
    page: int
    size: int
    sort: str
    aggregations: dict = field(default_factory=dict)


def parse_paging(page, size) -> tuple[int, int]:
    try:
        page, size = int(page or 1), int(size or 10)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"page": ["Not a valid integer."]}) from exc
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({"size": [f"Page must be >= 1 and size between 1 and {MAX_PAGE_SIZE}."]})
    return page, size


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _member_community_ids(user) -> list[str]:
    communities = Community.objects.alive().filter(permissions.member_filter(user))
    return [str(uid) for uid in communities.values_list("uuid", flat=True)]


def _empty_aggregations() -> dict:
    index = get_index("communities")
    return {facet.field: {"label": facet.label, "buckets": []} for facet in index.facets}


def _communities_in_order(hits: list[dict]) -> list[Community]:
    """The live communities of ``hits``, in hit order (a community deleted since it was indexed is left
    out until the indexer removes it)."""
    ids = [hit["id"] for hit in hits]
    found = {str(c.uuid): c for c in Community.objects.alive().filter(uuid__in=ids)}
    return [found[uid] for uid in ids if uid in found]


def search_communities(user, *, q: str = "", sort: str | None = None, type: str | None = None,
                       visibility: str | None = None, page=1, size=10, mine: bool = False) -> CommunitySearch:
    """Communities the user may see (or belongs to, with ``mine``), with type and visibility facets,
    through the "communities" search index.

    The permission filter runs inside the engine, so restricted communities never show in hits, totals or
    facet counts for those who may not read them; facet counts ignore their own facet's filter (a post
    filter). Raises ValidationError (keyed "q", "sort", "page"...) on invalid parameters.
    """
    page, size = parse_paging(page, size)
    filters = {}
    if type:
        filters["type"] = _as_list(type)
    if visibility:
        filters["visibility"] = _as_list(visibility)
    if mine:
        filters["id"] = _member_community_ids(user)
        if not filters["id"]:
            sort = sort or ("bestmatch" if (q or "").strip() else "newest")
            return CommunitySearch([], 0, page, size, sort, _empty_aggregations())
    result = search("communities", q, filters=filters, sort=sort or None, page=page, size=size, user=user)
    return CommunitySearch(_communities_in_order(result.hits), result.total, result.page, result.size,
                           result.sort, result.aggregations)


@dataclass
class MemberSearch:
    hits: list[Membership]
    total: int
    page: int
    size: int
    aggregations: dict = field(default_factory=dict)


def search_members(actor, community: Community, *, public: bool = False, q: str = "", role=None,
                   visibility: str | None = None, sort: str | None = None, page=1, size=25) -> MemberSearch:
    """Members shown to ``actor`` through the "members" index: every member for members (filters ``role``
    and ``visibility`` "true"|"false"), visible ones otherwise (``public``); sorted by name by default."""
    if public:
        _require(permissions.can_read_public_members(actor, community), "You may not see the members.")
    else:
        _require(permissions.can_read_members(actor, community), "Only members may see the member list.")
    page, size = parse_paging(page, size)
    filters = {"community": [str(community.uuid)]}
    if public:
        _check_public_member_query(q)
        filters["visibility"] = ["true"]
    else:
        if role:
            filters["role"] = _as_list(role)
        if visibility in ("true", "false"):
            filters["visibility"] = [visibility]
    # The public list has no facets: role counts would reveal what it hides.
    result = search("members", q, filters=filters, facets=not public, sort=sort or None, page=page, size=size,
                    user=actor)
    hits = _memberships_in_order(community, result.hits, visible_only=public)
    return MemberSearch(hits, result.total, result.page, result.size, result.aggregations)


PUBLIC_MEMBER_FIELDS = ("name", "description", "member_type")  # what the public list shows of a member


def _check_public_member_query(q: str | None) -> None:
    """The public list shows ``{id, member}`` only: a query naming another field (``role:owner``,
    ``created:...``) would reveal what it hides, so it is answered like an unknown field."""
    from luqum import tree as lq

    from rdm.search.query import QueryError, parse_query

    index = get_index("members")
    tree = parse_query(index, q)
    named = {node.name for node in _walk(tree) if isinstance(node, lq.SearchField)}
    if named - set(PUBLIC_MEMBER_FIELDS):
        hidden = sorted(named - set(PUBLIC_MEMBER_FIELDS))[0]
        fields = [index.get_field(name) for name in PUBLIC_MEMBER_FIELDS]
        allowed = ", ".join(sorted({name for f in fields for name in (f.name, *f.aliases)}))
        raise QueryError(f'Unknown search field "{hidden}". Allowed fields: {allowed}.')


def _walk(node):
    if node is None:
        return
    yield node
    for child in node.children:
        yield from _walk(child)


def _memberships_in_order(community: Community, hits: list[dict], *,
                          visible_only: bool = False) -> list[Membership]:
    """The memberships of ``hits`` (documents carry the membership uuid as ``id``), in hit order. With
    ``visible_only``, a member who hid themselves since the last drain stays out of the public list."""
    ids = [hit["id"] for hit in hits]
    memberships = community.memberships.select_related("user__profile", "group", "community")
    if visible_only:
        memberships = memberships.filter(visible=True)
    found = {str(m.uuid): m for m in memberships.filter(uuid__in=ids)}
    return [found[uid] for uid in ids if uid in found]
