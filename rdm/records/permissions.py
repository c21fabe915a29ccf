"""Who may see and change records. Pages, API and search all ask these functions.

InvenioRDM's rules reduced to day one: owners and staff manage; a restricted record, a draft, or
restricted (or embargoed) files are visible to managers only. Callers turn "may not read" into 404.
"""

from django.db.models import Q

from .models import PUBLIC, Draft, Record, RecordParent


def is_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or user.is_staff))


def can_create(user) -> bool:
    return bool(user and user.is_authenticated)


def can_manage(user, parent: RecordParent) -> bool:
    if not (user and user.is_authenticated):
        return False
    return is_staff(user) or parent.owner_id == user.pk


def can_read_record(user, record: Record) -> bool:
    return record.access_record == PUBLIC or can_manage(user, record.parent)


def can_read_files(user, record: Record | Draft) -> bool:
    if isinstance(record, Draft):
        return can_read_draft(user, record)
    if not can_read_record(user, record):
        return False
    files_open = record.access_files == PUBLIC and not record.embargo_active
    return files_open or can_manage(user, record.parent)


def can_read_draft(user, draft: Draft) -> bool:
    return can_manage(user, draft.parent)


def readable_records_filter(user) -> Q:
    """A filter on Record matching what ``can_read_record`` allows, for listing and search."""
    if is_staff(user):
        return Q()
    readable = Q(access_record=PUBLIC)
    if user and user.is_authenticated:
        readable |= Q(parent__owner=user)
    return readable


def read_principals(record: Record) -> list[str]:
    """Who may read the record, as search-index principals ("public", "user:<id>", "staff")."""
    if record.access_record == PUBLIC:
        return ["public"]
    return [f"user:{record.parent.owner_id}", "staff"]


def files_read_principals(record: Record) -> list[str]:
    if record.access_record == PUBLIC and record.access_files == PUBLIC and not record.embargo_active:
        return ["public"]
    return [f"user:{record.parent.owner_id}", "staff"]
