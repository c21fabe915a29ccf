"""InvenioRDM-shaped JSON for drafts and records: used by the API, the JSON export and the indexer."""

from django.conf import settings

from . import permissions
from .metadata import vocabulary_title
from .models import Draft, DraftFile, FileEntry, Record
from .services import access_data, latest_draft

DEREFERENCED = {"resource_type": "resourcetypes"}


def absolute(path: str) -> str:
    return f"{settings.RDM_SITE_URL}{path}"


def api_url(path: str) -> str:
    return absolute(f"/api{path}")


def record_to_dict(obj: Record | Draft, user=None) -> dict:
    is_draft = isinstance(obj, Draft)
    data = {
        "id": obj.pid,
        "pids": {},
        "created": obj.created.isoformat(),
        "updated": obj.updated.isoformat(),
        "revision_id": obj.revision_id,
        "is_published": obj.is_published,
        "is_draft": is_draft,
        "metadata": dereference_metadata(obj.metadata),
        "access": {**access_data(obj), "status": obj.access_status()},
        "files": files_summary(obj, user),
        "parent": parent_to_dict(obj.parent, user),
        "versions": versions_info(obj),
        "links": draft_links(obj) if is_draft else record_links(obj),
    }
    return data


def dereference_metadata(metadata: dict) -> dict:
    """Copy of ``metadata`` with vocabulary titles filled in next to each id."""
    metadata = dict(metadata)
    resource_type = metadata.get("resource_type")
    if isinstance(resource_type, dict) and resource_type.get("id"):
        metadata["resource_type"] = _with_title(resource_type, "resourcetypes")
    for field, vocabulary in (("languages", "languages"), ("rights", "licenses")):
        if isinstance(metadata.get(field), list):
            metadata[field] = [
                _with_title(item, vocabulary) if isinstance(item, dict) and item.get("id") else item
                for item in metadata[field]
            ]
    return metadata


def _with_title(ref: dict, vocabulary: str) -> dict:
    title = vocabulary_title(vocabulary, ref["id"])
    return {**ref, "title": title} if title is not None else dict(ref)


def files_summary(obj: Record | Draft, user=None) -> dict:
    entries = list(obj.file_entries.select_related("blob"))
    summary = {
        "enabled": obj.files_enabled,
        "count": len(entries),
        "total_bytes": sum(entry.blob.size for entry in entries if entry.blob),
        "order": [],
    }
    if permissions.can_read_files(user, obj):
        summary["entries"] = {entry.key: file_to_dict(entry, obj) for entry in entries}
    return summary


def file_to_dict(entry: FileEntry, obj: Record | Draft) -> dict:
    blob = entry.blob
    data = {
        "key": entry.key,
        "status": entry.status,
        "created": entry.created.isoformat(),
        "updated": entry.updated.isoformat(),
        "metadata": None,
        "links": file_links(entry, obj),
    }
    if blob is not None:
        data.update(checksum=blob.checksum or None, size=blob.size, mimetype=blob.mimetype)
    return data


def file_links(entry: FileEntry, obj: Record | Draft) -> dict:
    if isinstance(entry, DraftFile):
        base = f"/records/{obj.pid}/draft/files/{entry.key}"
        return {
            "self": api_url(base), "content": api_url(f"{base}/content"), "commit": api_url(f"{base}/commit"),
        }
    base = f"/records/{obj.pid}/files/{entry.key}"
    return {"self": api_url(base), "content": api_url(f"{base}/content")}


def files_list_to_dict(obj: Record | Draft, entries: list[FileEntry]) -> dict:
    prefix = f"/records/{obj.pid}/draft/files" if isinstance(obj, Draft) else f"/records/{obj.pid}/files"
    return {
        "enabled": obj.files_enabled,
        "entries": [file_to_dict(entry, obj) for entry in entries],
        "default_preview": None,
        "order": [],
        "links": {"self": api_url(prefix)},
    }


def parent_to_dict(parent, user=None) -> dict:
    data = {"id": parent.pid, "communities": {}}
    if permissions.can_manage(user, parent):
        data["access"] = {"owned_by": {"user": str(parent.owner_id)}, "links": []}
    return data


def versions_info(obj: Record | Draft) -> dict:
    if isinstance(obj, Draft):
        latest = latest_draft(obj.parent)
        return {"index": obj.version_index, "is_latest": False,
                "is_latest_draft": latest is not None and latest.pk == obj.pk}
    return {"index": obj.version_index, "is_latest": obj.is_latest, "is_latest_draft": True}


def record_links(record: Record) -> dict:
    pid = record.pid
    return {
        "self": api_url(f"/records/{pid}"),
        "self_html": absolute(f"/records/{pid}"),
        "draft": api_url(f"/records/{pid}/draft"),
        "files": api_url(f"/records/{pid}/files"),
        "versions": api_url(f"/records/{pid}/versions"),
        "latest": api_url(f"/records/{pid}/versions/latest"),
        "latest_html": absolute(f"/records/{pid}/latest"),
    }


def draft_links(draft: Draft) -> dict:
    pid = draft.pid
    return {
        "self": api_url(f"/records/{pid}/draft"),
        "self_html": absolute(f"/uploads/{pid}"),
        "record": api_url(f"/records/{pid}"),
        "files": api_url(f"/records/{pid}/draft/files"),
        "publish": api_url(f"/records/{pid}/draft/actions/publish"),
        "versions": api_url(f"/records/{pid}/versions"),
        "latest": api_url(f"/records/{pid}/versions/latest"),
        "files_import": api_url(f"/records/{pid}/draft/actions/files-import"),
    }
