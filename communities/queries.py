"""Read-only questions about communities: listings with facets, members, featured communities and the
communities of a record. Functions taking a user answer only with what that user may see; the others
(``parent_communities``, ``restricted_communities_of``) serve indexing and the records app's rules."""

import datetime
import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.utils import timezone

from rdm.records.models import RecordParent

from . import permissions
from .models import (
    PUBLIC,
    RESTRICTED,
    TYPE_CHOICES,
    VISIBILITY_CHOICES,
    Community,
    CommunityRecord,
    live_record_links,
)

SORT_OPTIONS = {
    "newest": ("-created",),
    "oldest": ("created",),
    "updated-desc": ("-updated",),
    "updated-asc": ("updated",),
    "title": ("title",),
}
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
    links = live_record_links(parent)
    if not links:
        return {}
    default = next((str(link.community.uuid) for link in links if link.is_default), None)
    return {"ids": [str(link.community.uuid) for link in links], "default": default}


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
    found = Community.objects.alive().filter(uuid__in=uuids).values_list("uuid", "title", "visibility")
    return {str(uid): title if visibility == PUBLIC else "Restricted community"
            for uid, title, visibility in found}


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


def _matching(queryset, q: str):
    for term in q.split():
        queryset = queryset.filter(Q(title__icontains=term) | Q(slug__icontains=term) |
                                   Q(description__icontains=term))
    return queryset


def _bucket_counts(queryset, name: str, labels: dict) -> dict:
    counts = queryset.order_by().values(name).annotate(n=Count("pk"))
    buckets = [{"key": row[name], "doc_count": row["n"], "label": labels.get(row[name], row[name])}
               for row in counts if row[name]]
    return {"buckets": sorted(buckets, key=lambda b: (-b["doc_count"], b["key"]))}


def _as_list(value) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def search_communities(user, *, q: str = "", sort: str | None = None, type: str | None = None,
                       visibility: str | None = None, page=1, size=10, mine: bool = False) -> CommunitySearch:
    """Communities the user may see (or belongs to, with ``mine``), with type and visibility facets.

    Facet counts are computed before the facet filters apply (as a search engine's post filter), and
    always under the permission filter, so restricted communities never show in counts.
    """
    page, size = parse_paging(page, size)
    q = (q or "").strip()
    sort = sort or ("bestmatch" if q else "newest")
    if sort not in SORT_OPTIONS and sort != "bestmatch":
        raise ValidationError({"sort": [f"Invalid sort option: {sort}."]})
    base = Community.objects.alive().filter(
        permissions.member_filter(user) if mine else permissions.readable_filter(user)
    )
    base = _matching(base, q)
    aggregations = {
        "type": _bucket_counts(base, "type", dict(TYPE_CHOICES)),
        "visibility": _bucket_counts(base, "visibility", dict(VISIBILITY_CHOICES)),
    }
    hits = base
    if type:
        hits = hits.filter(type__in=_as_list(type))
    if visibility:
        hits = hits.filter(visibility__in=_as_list(visibility))
    if sort == "bestmatch" and q:
        title_hit = Case(When(title__icontains=q, then=Value(1)), default=Value(0),
                         output_field=IntegerField())
        hits = hits.annotate(title_hit=title_hit).order_by("-title_hit", "-created")
    else:
        hits = hits.order_by(*SORT_OPTIONS.get(sort, ("-created",)))
    total = hits.count()
    start = (page - 1) * size
    return CommunitySearch(list(hits[start:start + size]), total, page, size, sort, aggregations)


def list_members(actor, community: Community, *, public: bool = False):
    """Members shown to ``actor``: every member for members, visible ones otherwise (``public``)."""
    if public:
        _require(permissions.can_read_public_members(actor, community), "You may not see the members.")
    else:
        _require(permissions.can_read_members(actor, community), "Only members may see the member list.")
    memberships = community.memberships.select_related("user", "group", "community")
    if public:
        memberships = memberships.filter(visible=True)
    return memberships.order_by("created")
