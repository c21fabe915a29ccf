"""Every change to communities goes through here: pages, API, admin and commands call these functions.
(Read-only listings live in ``queries.py``.)

Public functions take the acting user first and check permission: communities the actor may not see
raise Http404, visible ones the actor may not change raise PermissionDenied, bad input raises
ValidationError keyed by dotted paths. Member changes lock the community row, so the last-owner rule
holds under concurrent requests.
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from rdm.records import permissions as record_permissions
from rdm.records import services as record_services
from rdm.records.models import Record, RecordParent

from . import permissions, roles
from .exceptions import CommunityDeleted, SlugMoved
from .logos import process_logo
from .models import (
    PUBLIC,
    RESTRICTED,
    Community,
    CommunityRecord,
    FeaturedCommunity,
    Membership,
    SlugHistory,
)
from .signals import community_changed, community_records_changed, membership_changed, send_on_commit
from .validation import clean_access, clean_metadata, clean_slug

LAST_OWNER = "A community must have at least one owner."
RESTRICTED_HOLDS_RESTRICTED = "A restricted community may only hold restricted records."
ACCESS_FIELDS = ("visibility", "member_policy", "record_policy")


# --- lookups --------------------------------------------------------------------------------------

def _find(key: str) -> tuple[Community | None, bool]:
    """The community for a UUID, a slug or an old slug; the flag says the slug is an old one."""
    key = (key or "").strip()
    try:
        return Community.objects.filter(uuid=uuid.UUID(key)).first(), False
    except ValueError:
        pass
    community = Community.objects.filter(slug=key.lower()).first()
    if community is not None:
        return community, False
    old = SlugHistory.objects.select_related("community").filter(slug=key.lower()).first()
    return (old.community, True) if old else (None, False)


def get_community(user, key: str, *, allow_deleted: bool = False) -> Community:
    """The community ``key`` (UUID or slug) names, if ``user`` may see it.

    Raises Http404 when it does not exist or is invisible to the user, SlugMoved for an old slug and
    CommunityDeleted for a deleted community (unless ``allow_deleted``).
    """
    community, moved = _find(key)
    if not permissions.can_read(user, community):
        raise Http404("No such community.")
    if moved:
        raise SlugMoved(community)
    if community.is_deleted and not allow_deleted:
        raise CommunityDeleted(community)
    return community


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _alive(community: Community) -> None:
    if community.is_deleted:
        raise CommunityDeleted(community)


def _lock(community: Community) -> Community:
    """Lock the row and refresh the caller's instance, so callers keep working with their object."""
    list(Community.objects.select_for_update().filter(pk=community.pk).values_list("pk"))
    community.refresh_from_db()
    return community


def _touch(community: Community, **fields) -> Community:
    for name, value in fields.items():
        setattr(community, name, value)
    community.updated = timezone.now()
    community.revision_id += 1
    community.save()
    send_on_commit(community_changed, Community, community=community, changed=tuple(fields))
    return community


# --- communities ----------------------------------------------------------------------------------

def _check_slug_free(slug: str, community: Community | None = None) -> None:
    taken = Community.objects.filter(slug=slug).exclude(pk=getattr(community, "pk", None)).exists()
    old = SlugHistory.objects.filter(slug=slug).exclude(community=community).exists() if community else (
        SlugHistory.objects.filter(slug=slug).exists()
    )
    if taken or old:
        raise ValidationError({"slug": ["A community with this slug already exists."]})


def create_community(actor, data: dict) -> Community:
    """Create a community; the creator becomes its owner."""
    _require(permissions.can_create(actor), "You may not create communities.")
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
    errors = {}
    try:
        slug = clean_slug(data.get("slug"))
    except ValidationError as exc:
        slug, errors = None, dict(exc.message_dict)
    metadata, metadata_errors = clean_metadata(data.get("metadata"))
    access, access_errors = clean_access(data.get("access"))
    errors.update(metadata_errors)
    errors.update(access_errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _check_slug_free(slug)
        try:
            with transaction.atomic():
                community = Community.objects.create(slug=slug, **metadata, **access)
        except IntegrityError as exc:
            raise ValidationError({"slug": ["A community with this slug already exists."]}) from exc
        _do_add_member(community, actor, roles.owner_role().name, visible=community.is_public)
        send_on_commit(community_changed, Community, community=community)
    return community


def update_community(actor, community: Community, data: dict) -> Community:
    """Replace the metadata (when given) and change the access fields given. The slug changes only
    through ``rename_community``."""
    _alive(community)
    _require(permissions.can_update(actor, community), "Only owners may change the community.")
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
    if "slug" in data and str(data["slug"]).strip().lower() != community.slug:
        raise ValidationError({"slug": ["Change the slug with rename."]})
    fields, errors = {}, {}
    if "metadata" in data:
        fields, errors = clean_metadata(data["metadata"])
    if "access" in data:
        current = {name: getattr(community, name) for name in ACCESS_FIELDS}
        access, access_errors = clean_access(data["access"], current)
        fields.update(access)
        errors.update(access_errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        community = _lock(community)
        if fields.get("visibility") == RESTRICTED and community.visibility != RESTRICTED:
            _check_all_records_restricted(community)
        return _touch(community, **fields)


def rename_community(actor, community: Community, slug) -> Community:
    """Change the slug; the old one keeps redirecting to the community."""
    _alive(community)
    _require(permissions.can_update(actor, community), "Only owners may rename the community.")
    slug = clean_slug(slug)
    if slug == community.slug:
        return community
    with transaction.atomic():
        community = _lock(community)
        _check_slug_free(slug, community)
        SlugHistory.objects.filter(community=community, slug=slug).delete()
        SlugHistory.objects.create(community=community, slug=community.slug)
        return _touch(community, slug=slug)


def delete_community(actor, community: Community, note: str = "") -> Community:
    """Soft delete: the tombstone stays (slug reserved), records stay and lose the link."""
    _alive(community)
    _require(permissions.can_delete(actor, community), "Only owners may delete the community.")
    with transaction.atomic():
        community = _lock(community)
        for link in community.record_links.select_related("parent"):
            _do_remove_record(link)
        community.featured_entries.all().delete()
        return _touch(community, deleted_at=timezone.now(), deletion_note=note or "")


# --- logo -----------------------------------------------------------------------------------------

def set_logo(actor, community: Community, stream) -> Community:
    """Store a new logo from a stream of bytes (checked and re-encoded; see ``logos.py``)."""
    _alive(community)
    _require(permissions.can_update(actor, community), "Only owners may change the logo.")
    logo = process_logo(stream)
    with transaction.atomic():
        community = _lock(community)
        old_name = community.logo.name
        community.logo.save(f"logo.{logo.extension}", ContentFile(logo.content), save=False)
        _touch(community, logo_updated=timezone.now())
        _delete_file_on_commit(community.logo.storage, old_name)
    return community


def delete_logo(actor, community: Community) -> Community:
    _alive(community)
    _require(permissions.can_update(actor, community), "Only owners may change the logo.")
    if not community.logo:
        raise Http404("The community has no logo.")
    with transaction.atomic():
        community = _lock(community)
        _delete_file_on_commit(community.logo.storage, community.logo.name)
        return _touch(community, logo="", logo_updated=timezone.now())


def _delete_file_on_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- members --------------------------------------------------------------------------------------

def _do_add_member(community: Community, principal, role: str, *, visible: bool) -> Membership:
    """Create the membership and grant its permissions. Assumes the checks are done."""
    is_group = isinstance(principal, Group)
    membership = Membership(
        community=community, role=role, visible=visible,
        user=None if is_group else principal, group=principal if is_group else None,
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as exc:
        raise ValidationError({"members": ["A member was already added or invited."]}) from exc
    permissions.grant_membership(membership)
    _membership_changed(membership)
    return membership


def _membership_changed(membership: Membership) -> None:
    send_on_commit(
        membership_changed, Membership, community=membership.community,
        user=membership.user, group=membership.group,
    )


def _clean_role(role) -> str:
    if roles.get_role(role) is None:
        raise ValidationError({"role": [f"Invalid role. Choose one of: {', '.join(roles.role_names())}."]})
    return role


def _default_visible(community: Community, visible: bool | None) -> bool:
    return community.is_public if visible is None else bool(visible)


def add_group_member(actor, community: Community, group: Group, role: str,
                     *, visible: bool | None = None) -> Membership:
    """Owners and managers add a group directly, with a role they may manage."""
    _alive(community)
    _require(settings.COMMUNITIES_GROUPS_ENABLED, "Groups cannot be community members on this site.")
    role = _clean_role(role)
    allowed = permissions.can_manage_members(actor, community, role)
    _require(allowed, "You may not add members with this role.")
    with transaction.atomic():
        community = _lock(community)
        return _do_add_member(community, group, role, visible=_default_visible(community, visible))


def add_user_member(actor, community: Community, user, role: str,
                    *, visible: bool | None = None) -> Membership:
    """Staff add a user directly (invitations arrive with the requests app)."""
    _alive(community)
    _require(permissions.is_staff(actor), "Only staff may add users directly; invite them instead.")
    role = _clean_role(role)
    with transaction.atomic():
        community = _lock(community)
        return _do_add_member(community, user, role, visible=_default_visible(community, visible))


def import_member(community: Community, principal, role: str, *, visible: bool | None = None) -> Membership:
    """For operators (``manage.py add_community_member``): no permission check, as InvenioRDM's system
    identity."""
    role = _clean_role(role)
    with transaction.atomic():
        community = _lock(community)
        return _do_add_member(community, principal, role, visible=_default_visible(community, visible))


def get_membership(actor, community: Community, member_type: str, member_id) -> Membership:
    """The membership of ``{type, id}`` (user id or group name) in a community the actor may see."""
    memberships = Membership.objects.select_related("community", "user", "group").filter(community=community)
    if member_type == "user":
        # A missing id must match nothing: ``user_id=None`` would match every group membership.
        user_id = _int_or_none(member_id)
        membership = memberships.filter(user_id=user_id).first() if user_id is not None else None
    elif member_type == "group":
        membership = memberships.filter(group__name=str(member_id)).first()
    else:
        raise ValidationError({"members": ["Invalid member type."]})
    if membership is None:
        raise ValidationError({"members": ["Invalid member specified."]})
    return membership


def add_members(actor, community: Community, members: list[dict], role: str,
                *, visible: bool | None = None) -> list[Membership]:
    """Add ``[{type, id}]`` members at once (groups by name; users by id, staff only), all or nothing."""
    with transaction.atomic():
        return [_add_reference(actor, community, member, role, visible) for member in members]


def _add_reference(actor, community: Community, member: dict, role: str, visible) -> Membership:
    if member.get("type") == "group":
        group = Group.objects.filter(name=str(member.get("id"))).first()
        if group is None:
            raise ValidationError({"members": ["Invalid member specified."]})
        return add_group_member(actor, community, group, role, visible=visible)
    if member.get("type") == "user" and permissions.is_staff(actor):
        user = get_user_model().objects.filter(pk=_int_or_none(member.get("id"))).first()
        if user is None:
            raise ValidationError({"members": ["Invalid member specified."]})
        return add_user_member(actor, community, user, role, visible=visible)
    raise ValidationError({"members": ["Users join by invitation; only groups can be added directly."]})


def update_members(actor, community: Community, members: list[dict], *, role: str | None = None,
                   visible: bool | None = None) -> list[Membership]:
    """Change the role and/or visibility of ``[{type, id}]`` members, all or nothing."""
    if role is None and visible is None:
        raise ValidationError({"role": ["Give a role or a visibility."]})
    changed = []
    with transaction.atomic():
        for member in members:
            membership = get_membership(actor, community, member.get("type"), member.get("id"))
            if role is not None and role != membership.role:
                membership = change_role(actor, membership, role)
            if visible is not None:
                membership = change_visibility(actor, membership, visible)
            changed.append(membership)
    return changed


def remove_members(actor, community: Community, members: list[dict]) -> None:
    """Remove ``[{type, id}]`` members (or leave, for one's own membership), all or nothing."""
    with transaction.atomic():
        for member in members:
            remove_member(actor, get_membership(actor, community, member.get("type"), member.get("id")))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_owner_remains(community: Community) -> None:
    if not community.memberships.filter(role__in=roles.owner_role_names()).exists():
        raise ValidationError({"members": [LAST_OWNER]})


def change_role(actor, membership: Membership, role: str) -> Membership:
    community = membership.community
    _alive(community)
    role = _clean_role(role)
    if permissions.is_own_membership(actor, membership) and not permissions.is_staff(actor):
        raise ValidationError({"role": ["You cannot change your own role."]})
    _require(permissions.can_update_member(actor, membership, role), "You may not change this member's role.")
    with transaction.atomic():
        _lock(community)
        membership.role = role
        membership.updated = timezone.now()
        membership.save(update_fields=["role", "updated"])
        _check_owner_remains(community)
        permissions.grant_membership(membership)
        _membership_changed(membership)
    return membership


def change_visibility(actor, membership: Membership, visible: bool) -> Membership:
    """Members choose to appear on the public list; managers may hide others (never show them)."""
    _alive(membership.community)
    own = permissions.is_own_membership(actor, membership)
    if visible and not own and membership.user_id:
        raise ValidationError({"visible": ["You can only set public visibility on your own membership."]})
    _require(permissions.can_update_visibility(actor, membership), "You may not change this member.")
    membership.visible = bool(visible)
    membership.updated = timezone.now()
    membership.save(update_fields=["visible", "updated"])
    _membership_changed(membership)
    return membership


def remove_member(actor, membership: Membership) -> None:
    """Remove a member (managers, for roles they manage) or leave (the member themself)."""
    _alive(membership.community)
    _require(permissions.can_remove_member(actor, membership), "You may not remove this member.")
    _do_remove_member(membership)


def leave_community(actor, community: Community) -> None:
    _alive(community)
    membership = Membership.objects.filter(community=community, user=actor).first() if (
        actor and actor.is_authenticated) else None
    if membership is None:
        raise ValidationError({"members": ["You are not a member of this community."]})
    _do_remove_member(membership)


def _do_remove_member(membership: Membership) -> None:
    community = membership.community
    with transaction.atomic():
        _lock(community)
        permissions.revoke_membership(membership)
        membership.delete()
        _check_owner_remains(community)
        _membership_changed(membership)


# --- records --------------------------------------------------------------------------------------

def _published_versions(parent: RecordParent) -> list[Record]:
    return record_services.parent_versions(parent)


def _access_of(obj) -> str:
    return record_services.access_data(obj)["record"]


def _is_all_restricted(parent: RecordParent) -> bool:
    versions = _published_versions(parent) or [record_services.latest_draft(parent)]
    return all(_access_of(version) == RESTRICTED for version in versions if version is not None)


def _check_all_records_restricted(community: Community) -> None:
    for link in community.record_links.select_related("parent"):
        if not _is_all_restricted(link.parent):
            raise ValidationError({"access.visibility": [
                "The community holds public records; a restricted community may only hold restricted "
                "records. Remove them or restrict them first."
            ]})


def include_record(actor, community: Community, record: Record | RecordParent) -> CommunityRecord:
    """Make the community co-own the record (all versions, through the parent).

    Used by staff and tests now; the review and inclusion requests call it once a curator accepts.
    """
    _alive(community)
    _require(permissions.can_curate(actor, community), "You may not add records to this community.")
    parent = record.parent if isinstance(record, Record) else record
    # Curating a community gives no right over other people's records: joining it would grant the
    # community's members access to the record. Until inclusion requests exist, only the record's
    # managers (owners, staff) may bring it in.
    _require(record_permissions.can_manage(actor, parent), "You may only add records you manage.")
    if community.visibility == RESTRICTED and not _is_all_restricted(parent):
        raise ValidationError({"access.record": [RESTRICTED_HOLDS_RESTRICTED]})
    with transaction.atomic():
        is_default = not CommunityRecord.objects.filter(parent=parent).exists()
        try:
            with transaction.atomic():
                link = CommunityRecord.objects.create(
                    community=community, parent=parent, is_default=is_default,
                )
        except IntegrityError as exc:
            raise ValidationError({"communities": ["The record is already in this community."]}) from exc
        send_on_commit(community_records_changed, CommunityRecord, community=community, parent=parent)
    return link


def remove_record(actor, community: Community, record: Record | RecordParent) -> None:
    _alive(community)
    _require(permissions.can_curate(actor, community), "You may not remove records from this community.")
    parent = record.parent if isinstance(record, Record) else record
    link = CommunityRecord.objects.filter(community=community, parent=parent).first()
    if link is None:
        raise ValidationError({"communities": ["The record is not in this community."]})
    with transaction.atomic():
        _do_remove_record(link)


def _do_remove_record(link: CommunityRecord) -> None:
    """Remove the link; the oldest remaining community becomes the default."""
    link.delete()
    if link.is_default:
        successor = CommunityRecord.objects.filter(parent=link.parent).order_by("created").first()
        if successor is not None:
            successor.is_default = True
            successor.save(update_fields=["is_default"])
    send_on_commit(community_records_changed, CommunityRecord, community=link.community, parent=link.parent)


# --- featured -------------------------------------------------------------------------------------

def _clean_start_date(value) -> datetime.datetime:
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            value = None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if not isinstance(value, datetime.datetime):
        raise ValidationError({"start_date": ["Not a valid datetime."]})
    return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)


def set_featured(actor, community: Community, start_date) -> FeaturedCommunity:
    _require(permissions.can_manage_featured(actor), "Only staff may feature communities.")
    _alive(community)
    if community.visibility != PUBLIC:
        raise ValidationError({"community": ["Only public communities can be featured."]})
    entry = FeaturedCommunity.objects.create(community=community, start_date=_clean_start_date(start_date))
    send_on_commit(community_changed, Community, community=community)
    return entry


def update_featured(actor, entry: FeaturedCommunity, start_date) -> FeaturedCommunity:
    _require(permissions.can_manage_featured(actor), "Only staff may feature communities.")
    entry.start_date = _clean_start_date(start_date)
    entry.save(update_fields=["start_date"])
    send_on_commit(community_changed, Community, community=entry.community)
    return entry


def delete_featured(actor, entry: FeaturedCommunity) -> None:
    _require(permissions.can_manage_featured(actor), "Only staff may feature communities.")
    entry.delete()
    send_on_commit(community_changed, Community, community=entry.community)
