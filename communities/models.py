"""Communities: a slug-addressed group of people (members with roles) co-owning records.

Public identifiers are the UUID and the slug; integer keys never leave the database. Roles are plain
names from the ``COMMUNITIES_ROLES`` setting (see ``roles.py``); what a role may do is stored as
django-guardian object permissions on the community, granted and revoked only by ``permissions.py``.
"""

import uuid
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

PUBLIC = "public"
RESTRICTED = "restricted"
VISIBILITY_CHOICES = [(PUBLIC, "Public"), (RESTRICTED, "Restricted")]
OPEN = "open"
CLOSED = "closed"
POLICY_CHOICES = [(OPEN, "Open"), (CLOSED, "Closed")]
TYPE_CHOICES = [
    ("organization", "Organization"),
    ("event", "Event"),
    ("topic", "Topic"),
    ("project", "Project"),
]


def logo_path(community, filename):
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"communities/{community.uuid.hex}/logo-{uuid.uuid4().hex[:8]}.{extension}"


class CommunityQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Community(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True, default="")
    type = models.CharField(max_length=20, choices=TYPE_CHOICES, blank=True, default="")
    website = models.URLField(max_length=500, blank=True, default="")
    organizations = models.JSONField(default=list, blank=True)
    curation_policy = models.TextField(blank=True, default="")
    page = models.TextField(blank=True, default="")
    visibility = models.CharField(max_length=10, choices=VISIBILITY_CHOICES, default=PUBLIC)
    member_policy = models.CharField(max_length=10, choices=POLICY_CHOICES, default=OPEN)
    record_policy = models.CharField(max_length=10, choices=POLICY_CHOICES, default=OPEN)
    logo = models.FileField(upload_to=logo_path, max_length=255, blank=True, default="")
    logo_updated = models.DateTimeField(null=True, blank=True)
    revision_id = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deletion_note = models.TextField(blank=True, default="")

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "communities"
        permissions = [
            ("read_community", "Read the community and its full member list (every member)"),
            ("view_records_community", "View the community's restricted records (can_view)"),
            ("curate_community", "Curate the community's records (can_curate)"),
            ("manage_members_community", "Manage members (can_manage)"),
            ("manage_community", "Administer settings, logo, slug and deletion (is_owner)"),
        ]

    def __str__(self):
        return self.slug

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_public(self) -> bool:
        return self.visibility == PUBLIC


class SlugHistory(models.Model):
    """A slug a community used before; requests for it redirect to the current one."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="old_slugs")
    slug = models.CharField(max_length=100, unique=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "slug history"

    def __str__(self):
        return f"{self.slug} -> {self.community.slug}"


class Membership(models.Model):
    """One member (a user or a group, never both) of a community, with a role name."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="community_memberships",
    )
    group = models.ForeignKey(
        "auth.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="community_memberships",
    )
    role = models.CharField(max_length=50)
    visible = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False, group__isnull=True)
                           | Q(user__isnull=True, group__isnull=False)),
                name="membership_user_xor_group",
            ),
            models.UniqueConstraint(
                fields=["community", "user"], condition=Q(user__isnull=False), name="unique_community_user",
            ),
            models.UniqueConstraint(
                fields=["community", "group"], condition=Q(group__isnull=False),
                name="unique_community_group",
            ),
        ]

    def __str__(self):
        return f"{self.principal} ({self.role}) in {self.community_id}"

    @property
    def principal(self):
        return self.user if self.user_id else self.group

    @property
    def member_type(self) -> str:
        return "user" if self.user_id else "group"


class CommunityRecord(models.Model):
    """A record (through its parent, so every version) co-owned by a community."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="record_links")
    parent = models.ForeignKey(
        "records.RecordParent", on_delete=models.CASCADE, related_name="community_links",
    )
    is_default = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created"]
        constraints = [
            models.UniqueConstraint(fields=["community", "parent"], name="unique_community_record"),
        ]

    def __str__(self):
        return f"{self.parent_id} in {self.community_id}"


class FeaturedCommunity(models.Model):
    """The community is featured from ``start_date`` on (future entries do not count yet)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="featured_entries")
    start_date = models.DateTimeField()

    class Meta:
        ordering = ["-start_date"]
        verbose_name = "featured community"

    def __str__(self):
        return f"{self.community.slug} from {self.start_date:%Y-%m-%d}"


def live_record_links(parent) -> list[CommunityRecord]:
    """The parent's links to live communities, default first, then oldest. Uses the prefetched
    ``parent.community_links`` (with their communities) when a bulk caller loaded them."""
    if parent is None or parent.pk is None:
        return []
    cache = getattr(parent, "_prefetched_objects_cache", {})
    if "community_links" in cache:
        links = [link for link in cache["community_links"] if link.community.deleted_at is None]
        return sorted(links, key=lambda link: (not link.is_default, link.created))
    links = CommunityRecord.objects.filter(parent=parent, community__deleted_at__isnull=True)
    return list(links.select_related("community").order_by("-is_default", "created"))


class CommunityRef(NamedTuple):
    """What indexing needs of one of a parent's live community links."""

    uuid: str
    slug: str
    is_default: bool


def live_community_refs(parent) -> list[CommunityRef]:
    """``live_record_links(parent)`` as refs, in its order; from ``prefetch_live_community_refs`` when a
    bulk caller ran it (no query then)."""
    prefetched = getattr(parent, "prefetched_community_refs", None)
    if prefetched is not None:
        return prefetched
    return [CommunityRef(str(link.community.uuid), link.community.slug, link.is_default)
            for link in live_record_links(parent)]


def prefetch_live_community_refs(parents: list) -> None:
    """Cache ``live_community_refs`` on every parent of an indexing batch, with one query."""
    found: dict[int, list[CommunityRef]] = {parent.pk: [] for parent in parents}
    links = CommunityRecord.objects.filter(parent_id__in=list(found), community__deleted_at__isnull=True)
    rows = links.order_by("-is_default", "created").values_list(
        "parent_id", "community__uuid", "community__slug", "is_default"
    )
    for parent_id, community_uuid, slug, is_default in rows:
        found[parent_id].append(CommunityRef(str(community_uuid), slug, is_default))
    for parent in parents:
        parent.prefetched_community_refs = found[parent.pk]
