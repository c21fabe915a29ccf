"""Every change to records goes through here: pages, API, admin and tasks call these functions.

Each public function takes the acting user first and checks permission. Objects the user may not see
raise Http404 (never reveal that a restricted record or someone's draft exists); visible objects the user
may not change raise PermissionDenied; bad input raises ValidationError keyed by dotted field paths.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from . import permissions
from .files import release_blob, store_blob, too_large_message, validate_key
from .metadata import clean_access, clean_files, clean_metadata
from .models import (
    COMPLETED,
    PUBLIC,
    Draft,
    DraftFile,
    Record,
    RecordFile,
    RecordParent,
)
from .pids import new_pid
from .signals import draft_deleted, draft_saved, record_changed, record_published, send_on_commit

STATE_FIELDS = (
    "metadata", "access_record", "access_files", "embargo_active", "embargo_until", "embargo_reason",
    "files_enabled",
)
PUBLISHED_FILES_LOCKED = "Files of a published record cannot be changed; create a new version instead."
FILES_DISABLED = "Files are disabled for this draft (metadata-only record)."


# --- lookups --------------------------------------------------------------------------------------

def _find_draft(pid: str) -> Draft:
    draft = Draft.objects.select_related("parent", "record").filter(pid=pid).first()
    if draft is None:
        raise Http404("No such draft.")
    return draft


def _find_record(pid: str) -> Record:
    record = Record.objects.select_related("parent").filter(pid=pid).first()
    if record is None:
        raise Http404("No such record.")
    return record


def _lock(obj):
    """Re-read ``obj`` with a row lock so concurrent publishes and new versions queue up."""
    queryset = type(obj).objects.select_for_update(of=("self",))
    if isinstance(obj, Draft):
        queryset = queryset.select_related("parent", "record")
    return queryset.get(pk=obj.pk)


def get_draft(user, pid: str) -> Draft:
    draft = _find_draft(pid)
    if not permissions.can_read_draft(user, draft):
        raise Http404("No such draft.")
    return draft


def get_record(user, pid: str) -> Record:
    record = _find_record(pid)
    if not permissions.can_read_record(user, record):
        raise Http404("No such record.")
    return record


def _get_managed_record(user, pid: str) -> Record:
    record = get_record(user, pid)
    if not permissions.can_manage(user, record.parent):
        raise PermissionDenied("You may not change this record.")
    return record


# --- data -> model fields -------------------------------------------------------------------------

def _state_fields(data, *, current: Draft | None) -> dict:
    """Model field values from InvenioRDM-shaped data. Metadata errors are kept for later display;
    access and files errors stop the save, since those fields decide who sees what."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["Expected a JSON object."]})
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ValidationError({"metadata": ["Not a valid object."]})
    fields, errors = {}, {}
    if "metadata" in data or current is None:
        fields["metadata"], _ = clean_metadata(metadata, complete=False)
    if "access" in data or current is None:
        access, access_errors = clean_access(
            data.get("access"), today=timezone.localdate(), published_until=_published_until(current),
        )
        fields.update(access)
        errors.update(access_errors)
    if "files" in data or current is None:
        files, files_errors = clean_files(data.get("files"))
        fields.update(files)
        errors.update(files_errors)
    if _changes_published_files_switch(current, fields):
        errors["files.enabled"] = [PUBLISHED_FILES_LOCKED]
    if errors:
        raise ValidationError(errors)
    return fields


def _changes_published_files_switch(current: Draft | None, fields: dict) -> bool:
    if current is None or not current.record_id:
        return False
    return fields.get("files_enabled", current.files_enabled) != current.record.files_enabled


def _published_until(draft: Draft | None):
    record = draft.record if draft is not None and draft.record_id else None
    return record.embargo_until if record is not None and record.embargo_active else None


def _copy_state(source, **overrides) -> dict:
    values = {name: getattr(source, name) for name in STATE_FIELDS}
    values.update(overrides)
    return values


def validate_draft(draft: Draft, *, include_files: bool = True) -> dict[str, list[str]]:
    """Everything that would stop ``draft`` from being published, keyed by dotted path."""
    _, errors = clean_metadata(draft.metadata, complete=True)
    errors = dict(errors)
    _, access_errors = clean_access(
        access_data(draft), today=timezone.localdate(), published_until=_published_until(draft),
    )
    errors.update(access_errors)
    errors.update(_community_access_errors(draft))
    if include_files:
        errors.update(_files_errors(draft))
    return errors


RESTRICTED_COMMUNITY_RECORD = "Records in a restricted community must be restricted."


def _community_access_errors(draft: Draft) -> dict[str, list[str]]:
    """A restricted community may only hold restricted records (checked when publishing)."""
    from communities.queries import restricted_communities_of

    if draft.access_record != PUBLIC or draft.parent_id is None:
        return {}
    communities = restricted_communities_of(draft.parent)
    if not communities:
        return {}
    names = ", ".join(community.title for community in communities)
    return {"access.record": [f"{RESTRICTED_COMMUNITY_RECORD} This record is part of: {names}."]}


def access_data(obj) -> dict:
    until = obj.embargo_until.isoformat() if obj.embargo_until else None
    return {
        "record": obj.access_record,
        "files": obj.access_files,
        "embargo": {"active": obj.embargo_active, "until": until, "reason": obj.embargo_reason or None},
    }


def _files_errors(draft: Draft) -> dict[str, list[str]]:
    entries = list(draft.file_entries.all())
    if not draft.files_enabled:
        if entries:
            return {"files.enabled": ["Delete the uploaded files, or enable files for this record."]}
        return {}
    if not entries:
        return {"files.enabled": [
            "Missing uploaded files. To publish without files, make it a metadata-only record "
            "(files.enabled = false)."
        ]}
    pending = [entry.key for entry in entries if entry.status != COMPLETED]
    if pending:
        return {"files.entries": [f"The upload of '{key}' is not completed." for key in pending]}
    return {}


# --- drafts and records ---------------------------------------------------------------------------

@transaction.atomic
def create_draft(user, data: dict) -> Draft:
    if not permissions.can_create(user):
        raise PermissionDenied("Log in to create a record.")
    fields = _state_fields(data, current=None)
    parent = RecordParent.objects.create(pid=new_pid(), owner=user)
    draft = Draft.objects.create(parent=parent, pid=new_pid(), **fields)
    send_on_commit(draft_saved, Draft, draft=draft)
    return draft


@transaction.atomic
def update_draft(user, pid: str, data: dict) -> Draft:
    draft = get_draft(user, pid)
    for name, value in _state_fields(data, current=draft).items():
        setattr(draft, name, value)
    _touch(draft)
    send_on_commit(draft_saved, Draft, draft=draft)
    return draft


def _touch(obj) -> None:
    obj.revision_id += 1
    obj.updated = timezone.now()
    obj.save()


@transaction.atomic
def delete_draft(user, pid: str) -> None:
    draft = get_draft(user, pid)
    parent = draft.parent
    blobs = [entry.blob for entry in draft.file_entries.select_related("blob") if entry.blob]
    draft.delete()
    for blob in blobs:
        release_blob(blob)
    if not Record.objects.filter(parent=parent).exists() and not Draft.objects.filter(parent=parent).exists():
        parent.delete()
    send_on_commit(draft_deleted, Draft, pid=pid)


@transaction.atomic
def publish_draft(user, pid: str) -> Record:
    draft = get_draft(user, pid)
    _lock(draft.parent)
    draft = _lock(draft)
    errors = validate_draft(draft)
    if errors:
        raise ValidationError(errors)
    metadata, _ = clean_metadata(draft.metadata, complete=True)
    if draft.record_id:
        record = _publish_edit(draft, metadata)
    else:
        record = _publish_new(draft, metadata)
    draft.delete()
    send_on_commit(record_published, Record, record=record)
    return record


def _publish_edit(draft: Draft, metadata: dict) -> Record:
    record = draft.record
    for name, value in _copy_state(draft, metadata=metadata).items():
        setattr(record, name, value)
    _touch(record)
    return record


def _publish_new(draft: Draft, metadata: dict) -> Record:
    now = timezone.now()
    record = Record.objects.create(
        parent=draft.parent, pid=draft.pid, version_index=draft.version_index, created=now, updated=now,
        **_copy_state(draft, metadata=metadata),
    )
    _mark_latest(draft.parent)
    RecordFile.objects.bulk_create([
        RecordFile(record=record, key=entry.key, blob=entry.blob, status=COMPLETED, created=entry.created)
        for entry in draft.file_entries.all()
    ])
    record.refresh_from_db()
    return record


def _mark_latest(parent: RecordParent) -> None:
    latest = Record.objects.filter(parent=parent).order_by("-version_index").first()
    Record.objects.filter(parent=parent).exclude(pk=latest.pk).update(is_latest=False)
    Record.objects.filter(pk=latest.pk).update(is_latest=True)


@transaction.atomic
def edit_record(user, pid: str) -> Draft:
    """The draft that edits a published record (same pid); created on first call, reused after."""
    record = _get_managed_record(user, pid)
    _lock(record.parent)
    existing = Draft.objects.filter(record=record).first()
    if existing is not None:
        return existing
    draft = Draft.objects.create(
        parent=record.parent, pid=record.pid, record=record, version_index=record.version_index,
        revision_id=record.revision_id, **_copy_state(record),
    )
    _link_files(record.file_entries.all(), draft)
    send_on_commit(draft_saved, Draft, draft=draft)
    return draft


def _link_files(entries, draft: Draft) -> list[DraftFile]:
    return DraftFile.objects.bulk_create([
        DraftFile(draft=draft, key=entry.key, blob=entry.blob, status=COMPLETED) for entry in entries
    ])


@transaction.atomic
def new_version(user, pid: str, *, copy_files: bool = False) -> Draft:
    """A new record (new pid) under the same parent, prefilled from the latest version.

    Files stay behind unless ``copy_files``; an unpublished new version already open is returned as is.
    """
    record = _get_managed_record(user, pid)
    parent = _lock(record.parent)
    pending = Draft.objects.filter(parent=parent, record__isnull=True).first()
    if pending is not None:
        return pending
    latest = Record.objects.filter(parent=parent).order_by("-version_index").first()
    metadata = {k: v for k, v in latest.metadata.items() if k not in ("publication_date", "version")}
    draft = Draft.objects.create(
        parent=parent, pid=new_pid(), version_index=latest.version_index + 1,
        **_copy_state(latest, metadata=metadata, embargo_active=False, embargo_until=None, embargo_reason=""),
    )
    if copy_files:
        _link_files(latest.file_entries.all(), draft)
    send_on_commit(draft_saved, Draft, draft=draft)
    return draft


@transaction.atomic
def import_files(user, pid: str) -> list[DraftFile]:
    """Link the files of the previous version into a new-version draft (no bytes copied)."""
    draft = _files_draft(user, pid)
    previous = (Record.objects.filter(parent=draft.parent, version_index__lt=draft.version_index)
                .order_by("-version_index").first())
    if previous is None:
        raise ValidationError({"files": ["There is no previous version to import files from."]})
    if draft.file_entries.exists():
        raise ValidationError({"files": ["Files can only be imported into a draft without files."]})
    entries = _link_files(previous.file_entries.all(), draft)
    send_on_commit(draft_saved, Draft, draft=draft)
    return entries


def list_versions(user, pid: str) -> list[Record]:
    record = get_record(user, pid)
    versions = Record.objects.filter(parent=record.parent).filter(permissions.readable_records_filter(user))
    return list(versions.select_related("parent").order_by("-version_index"))


def latest_version(user, pid: str) -> Record:
    record = get_record(user, pid)
    latest = Record.objects.select_related("parent").get(parent=record.parent, is_latest=True)
    if not permissions.can_read_record(user, latest):
        raise Http404("No such record.")
    return latest


def parent_versions(parent: RecordParent) -> list[Record]:
    """Every published version of ``parent``, newest first, for other apps' rules and indexing (no
    reader: callers decide what to reveal)."""
    return list(Record.objects.filter(parent=parent).select_related("parent").order_by("-version_index"))


def find_parent(pid: str) -> RecordParent | None:
    """The parent of the record or draft ``pid`` (no reader: for other apps' display of what the caller
    already checked, e.g. the landing page's community branding)."""
    found = Record.objects.filter(pid=pid).select_related("parent").first()
    found = found or Draft.objects.filter(pid=pid).select_related("parent").first()
    return found.parent if found else None


def latest_draft(parent: RecordParent) -> Draft | None:
    return Draft.objects.filter(parent=parent).order_by("-version_index").first()


def list_user_records(user) -> dict:
    """The user's drafts and the latest published version of each of their records."""
    if not (user and user.is_authenticated):
        return {"drafts": [], "records": []}
    drafts = Draft.objects.filter(parent__owner=user).select_related("parent", "record").order_by("-updated")
    records = Record.objects.filter(parent__owner=user, is_latest=True).select_related("parent")
    return {"drafts": list(drafts), "records": list(records.order_by("-updated"))}


# --- embargoes ------------------------------------------------------------------------------------

def _lift(obj) -> None:
    from communities.queries import restricted_communities_of

    obj.embargo_active = False
    # A record in a restricted community stays restricted (only its files open up to its readers).
    if not restricted_communities_of(obj.parent):
        obj.access_record = PUBLIC
    obj.access_files = PUBLIC
    _touch(obj)


@transaction.atomic
def lift_expired_embargoes(today: datetime.date | None = None) -> int:
    """Make public every record whose embargo ended; returns how many records changed."""
    today = today or timezone.localdate()
    expired = Record.objects.select_for_update().filter(embargo_active=True, embargo_until__lte=today)
    count = 0
    for record in expired:
        _lift_record(record)
        count += 1
    return count


def _lift_record(record: Record) -> None:
    _lift(record)
    draft = Draft.objects.filter(record=record).first()
    if draft is not None and draft.embargo_active:
        _lift(draft)
        send_on_commit(draft_saved, Draft, draft=draft)
    send_on_commit(record_changed, Record, record=record)


@transaction.atomic
def lift_embargo(user, pid: str) -> Record:
    """Lift an embargo now, before its date (staff and owners)."""
    record = _get_managed_record(user, pid)
    if not record.embargo_active:
        raise ValidationError({"access.embargo": ["This record is not under embargo."]})
    _lift_record(record)
    return record


# --- files ----------------------------------------------------------------------------------------

def _files_draft(user, pid: str) -> Draft:
    draft = get_draft(user, pid)
    if draft.record_id:
        raise ValidationError({"files": [PUBLISHED_FILES_LOCKED]})
    if not draft.files_enabled:
        raise ValidationError({"files.enabled": [FILES_DISABLED]})
    return draft


def _draft_file(draft: Draft, key: str) -> DraftFile:
    entry = draft.file_entries.select_related("blob").filter(key=key).first()
    if entry is None:
        raise Http404("No such file.")
    return entry


def list_draft_files(user, pid: str) -> tuple[Draft, list[DraftFile]]:
    draft = get_draft(user, pid)
    return draft, list(draft.file_entries.select_related("blob"))


def get_draft_file(user, pid: str, key: str) -> DraftFile:
    return _draft_file(get_draft(user, pid), key)


@transaction.atomic
def init_files(user, pid: str, keys: list[str]) -> list[DraftFile]:
    draft = _files_draft(user, pid)
    if not isinstance(keys, list) or not keys:
        raise ValidationError({"files": ["Give a list of files to upload, like [{\"key\": \"data.csv\"}]."]})
    existing = set(draft.file_entries.values_list("key", flat=True))
    errors = {}
    for index, key in enumerate(keys):
        message = validate_key(key)
        if message is None and (key in existing or keys.index(key) != index):
            message = f"A file named '{key}' already exists."
        if message:
            errors[f"{index}.key"] = [message]
    if errors:
        raise ValidationError(errors)
    entries = [DraftFile.objects.create(draft=draft, key=key) for key in keys]
    _touch(draft)
    return entries


@transaction.atomic
def upload_file_content(user, pid: str, key: str, stream, *, content_length: int | None = None) -> DraftFile:
    """Store the bytes of a pending file, read from ``stream`` in chunks (never all at once)."""
    draft = _files_draft(user, pid)
    entry = _draft_file(draft, key)
    if entry.status == COMPLETED:
        raise ValidationError({"key": [f"The file '{key}' is already committed; delete it to upload again."]})
    if content_length is not None and content_length > settings.RDM_MAX_FILE_SIZE:
        raise ValidationError({"content": [too_large_message()]})
    old_blob = entry.blob
    entry.blob = store_blob(stream, key)
    entry.updated = timezone.now()
    entry.save()
    if old_blob is not None:
        release_blob(old_blob)
    return entry


@transaction.atomic
def commit_file(user, pid: str, key: str) -> DraftFile:
    draft = _files_draft(user, pid)
    entry = _draft_file(draft, key)
    if entry.blob is None:
        raise ValidationError({"key": [f"No content has been uploaded for '{key}'."]})
    entry.status = COMPLETED
    entry.updated = timezone.now()
    entry.save()
    _touch(draft)
    send_on_commit(draft_saved, Draft, draft=draft)
    return entry


@transaction.atomic
def delete_draft_file(user, pid: str, key: str) -> None:
    draft = _files_draft(user, pid)
    entry = _draft_file(draft, key)
    blob = entry.blob
    entry.delete()
    if blob is not None:
        release_blob(blob)
    _touch(draft)
    send_on_commit(draft_saved, Draft, draft=draft)


@transaction.atomic
def add_files(user, pid: str, uploaded_files) -> list[DraftFile]:
    """For forms: init, upload and commit each uploaded file (a file with the same name is replaced)."""
    draft = _files_draft(user, pid)
    entries = []
    for uploaded in uploaded_files:
        key = uploaded.name
        if draft.file_entries.filter(key=key).exists():
            delete_draft_file(user, pid, key)
        init_files(user, pid, [key])
        upload_file_content(user, pid, key, uploaded, content_length=uploaded.size)
        entries.append(commit_file(user, pid, key))
    return entries


def list_record_files(user, pid: str) -> tuple[Record, list[RecordFile]]:
    record = get_record(user, pid)
    if not permissions.can_read_files(user, record):
        raise Http404("No such file.")
    return record, list(record.file_entries.select_related("blob"))


def open_record_file(user, pid: str, key: str) -> RecordFile:
    """The published file to download, if ``user`` may read it (``entry.open()`` gives the bytes)."""
    record = get_record(user, pid)
    if not permissions.can_read_files(user, record):
        raise Http404("No such file.")
    entry = record.file_entries.select_related("blob").filter(key=key, status=COMPLETED).first()
    if entry is None or entry.blob is None:
        raise Http404("No such file.")
    return entry


def open_draft_file(user, pid: str, key: str) -> DraftFile:
    entry = get_draft_file(user, pid, key)
    if entry.blob is None:
        raise Http404("No such file.")
    return entry
