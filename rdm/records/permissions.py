"""Who may see and change records. Pages, API and search all ask these functions.

InvenioRDM's rules: owners, staff and curators of a community holding the record manage it (edit, new
version, drafts); a restricted record or restricted (or embargoed) files are visible to managers and to
members of those communities whose role may view restricted records (InvenioRDM's ``can_view``). Callers
turn "may not read" into 404. Community questions are asked of ``communities.permissions`` (imported
lazily: the communities app builds on this one).
"""

from django.db.models import Q

from .models import PUBLIC, Draft, Record, RecordParent


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff))


def can_create(user) -> bool:
    return bool(user and user.is_authenticated)


def _communities():
    from communities import permissions as community_permissions

    return community_permissions


def can_manage(user, parent: RecordParent | None) -> bool:
    if parent is None or not (user and user.is_authenticated):
        return False
    if is_staff(user) or parent.owner_id == user.pk:
        return True
    return _communities().can_curate_parent(user, parent)


def _can_view_restricted(user, parent: RecordParent | None) -> bool:
    """Managers, and members whose community role may view the community's restricted records."""
    if parent is None or not (user and user.is_authenticated):
        return False
    return can_manage(user, parent) or _communities().can_view_parent_records(user, parent)


def can_read_record(user, record: Record | None) -> bool:
    if record is None:
        return False
    return record.access_record == PUBLIC or _can_view_restricted(user, record.parent)


def can_read_files(user, record: Record | Draft | None) -> bool:
    if record is None:
        return False
    if isinstance(record, Draft):
        return can_read_draft(user, record)
    if not can_read_record(user, record):
        return False
    files_open = record.access_files == PUBLIC and not record.embargo_active
    return files_open or _can_view_restricted(user, record.parent)


def can_read_draft(user, draft: Draft | None) -> bool:
    return draft is not None and can_manage(user, draft.parent)


def readable_records_filter(user) -> Q:
    """A filter on Record matching what ``can_read_record`` allows, for listing and search."""
    if is_staff(user):
        return Q()
    readable = Q(access_record=PUBLIC)
    if user and user.is_authenticated:
        readable |= Q(parent__owner=user)
        readable |= Q(parent_id__in=_communities().parents_viewable_by(user))
    return readable


def _restricted_principals(record: Record) -> list[str]:
    # Community curators hold the "view" principal too (their role may view), so it covers can_manage.
    return [f"user:{record.parent.owner_id}", "staff", *_communities().record_view_principals(record.parent)]


def read_principals(record: Record) -> list[str]:
    """Who may read the record, as search-index principals ("public", "user:<id>", "staff",
    "community:<uuid>:view")."""
    if record.access_record == PUBLIC:
        return ["public"]
    return _restricted_principals(record)


def files_read_principals(record: Record) -> list[str]:
    if record.access_record == PUBLIC and record.access_files == PUBLIC and not record.embargo_active:
        return ["public"]
    return _restricted_principals(record)
