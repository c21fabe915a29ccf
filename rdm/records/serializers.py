"""InvenioRDM-shaped JSON for drafts and records: used by the API, the JSON export and the indexer."""

from django.conf import settings

from . import permissions
from .metadata import vocabulary_title
from .models import Draft, DraftFile, FileEntry, Record
from .services import access_data, latest_draft

DEREFERENCED = {"resource_type": "resourcetypes"}
VOCABULARY_LISTS = (("languages", "languages"), ("rights", "licenses"))


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
        "metadata": dereference_metadata(obj.metadata, getattr(obj, "prefetched_vocabulary_titles", None)),
        "access": {**access_data(obj), "status": obj.access_status()},
        "files": files_summary(obj, user),
        "parent": parent_to_dict(obj.parent, user),
        "versions": versions_info(obj),
        "links": draft_links(obj) if is_draft else record_links(obj),
    }
    return data


def prefetch_for_dicts(objs: list[Record | Draft]) -> None:
    """Load what ``record_to_dict`` needs for many objects in a few queries (an indexing batch):
    file entries with their blobs, and the vocabulary titles the metadata refers to."""
    from vocabularies.services import resolve_entry_titles

    _prefetch_reverse(objs, "file_entries", "blob")
    parents = list({obj.parent_id: obj.parent for obj in objs}.values())
    _prefetch_reverse(parents, "community_links", "community")
    titles = resolve_entry_titles(ref for obj in objs for ref in vocabulary_refs(obj.metadata))
    for obj in objs:
        obj.prefetched_vocabulary_titles = titles


def _prefetch_reverse(objs: list, relation: str, select: str) -> None:
    """What ``prefetch_related_objects(objs, f"{relation}__{select}")`` caches, in one query (joined
    with ``select``) and without building a queryset per object, which dominated indexing batches."""
    by_type: dict[type, list] = {}
    for obj in objs:
        by_type.setdefault(type(obj), []).append(obj)
    for model, instances in by_type.items():
        rel = model._meta.get_field(relation)
        found: dict[int, list] = {obj.pk: [] for obj in instances}
        rows = rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": instances})
        owners = {obj.pk: obj for obj in instances}
        for row in rows.select_related(select):
            owner_pk = getattr(row, rel.field.attname)
            rel.field.set_cached_value(row, owners[owner_pk])
            found[owner_pk].append(row)
        for obj in instances:
            obj.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = found[obj.pk]


def vocabulary_refs(metadata) -> list[tuple[str, str]]:
    """The (vocabulary, id) pairs ``dereference_metadata`` looks up."""
    if not isinstance(metadata, dict):
        return []
    refs = []
    resource_type = metadata.get("resource_type")
    if isinstance(resource_type, dict) and resource_type.get("id"):
        refs.append(("resourcetypes", resource_type["id"]))
    for field, vocabulary in VOCABULARY_LISTS:
        if isinstance(metadata.get(field), list):
            items = [item for item in metadata[field] if isinstance(item, dict) and item.get("id")]
            refs += [(vocabulary, item["id"]) for item in items]
    return refs


def dereference_metadata(metadata: dict, titles: dict | None = None) -> dict:
    """Copy of ``metadata`` with vocabulary titles filled in next to each id.

    ``titles`` maps (vocabulary, id) to title dicts resolved beforehand for a batch; without it each
    title is looked up.
    """
    metadata = dict(metadata)
    resource_type = metadata.get("resource_type")
    if isinstance(resource_type, dict) and resource_type.get("id"):
        metadata["resource_type"] = _with_title(resource_type, "resourcetypes", titles)
    for field, vocabulary in VOCABULARY_LISTS:
        if isinstance(metadata.get(field), list):
            metadata[field] = [
                _with_title(item, vocabulary, titles) if isinstance(item, dict) and item.get("id") else item
                for item in metadata[field]
            ]
    return metadata


def _with_title(ref: dict, vocabulary: str, titles: dict | None = None) -> dict:
    if titles is None:
        title = vocabulary_title(vocabulary, ref["id"])
    else:
        title = titles.get((vocabulary, ref["id"]))
        title = dict(title) if title is not None else None
    return {**ref, "title": title} if title is not None else dict(ref)


def files_summary(obj: Record | Draft, user=None) -> dict:
    if "file_entries" in getattr(obj, "_prefetched_objects_cache", {}):
        entries = list(obj.file_entries.all())
    else:
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
    return file_links_for(obj.pid, entry.key, draft=isinstance(entry, DraftFile))


def file_links_for(pid: str, key: str, *, draft: bool) -> dict:
    if draft:
        base = f"/records/{pid}/draft/files/{key}"
        return {
            "self": api_url(base), "content": api_url(f"{base}/content"), "commit": api_url(f"{base}/commit"),
        }
    base = f"/records/{pid}/files/{key}"
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
    from communities.queries import parent_communities

    data = {"id": parent.pid, "communities": parent_communities(parent)}
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
    return record_links_for(record.pid)


def record_links_for(pid: str) -> dict:
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
    return draft_links_for(draft.pid)


def draft_links_for(pid: str) -> dict:
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


# Compact storage in the search index: the links of a document follow from its id, so the database
# backend stores documents without them (a quarter less to write) and adds them back to every hit.


def without_links(document: dict) -> dict:
    """``document`` without the links ``with_links`` rebuilds; unchanged if they could not be rebuilt."""
    compact = {key: value for key, value in document.items() if key != "links"}
    entries = _file_entries(document)
    if entries is not None:
        compact["files"] = {**document["files"], "entries": {
            key: {name: value for name, value in entry.items() if name != "links"}
            for key, entry in entries.items()
        }}
    return compact if with_links(compact) == document else document


def with_links(document: dict) -> dict:
    """``document`` with the links ``record_to_dict`` gives a record or draft of its id."""
    pid, draft = document.get("id"), document.get("is_draft")
    if "links" in document or not isinstance(pid, str):
        return document
    full = {**document, "links": draft_links_for(pid) if draft else record_links_for(pid)}
    entries = _file_entries(document)
    if entries is not None:
        full["files"] = {**document["files"], "entries": {
            key: {**entry, "links": file_links_for(pid, entry.get("key", key), draft=bool(draft))}
            for key, entry in entries.items()
        }}
    return full


def _file_entries(document: dict) -> dict | None:
    files = document.get("files")
    entries = files.get("entries") if isinstance(files, dict) else None
    ok = isinstance(entries, dict) and all(isinstance(entry, dict) for entry in entries.values())
    return entries if ok else None
