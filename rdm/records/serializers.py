"""InvenioRDM-shaped JSON for drafts and records: used by the API, the JSON export and the indexer."""

import datetime
from typing import NamedTuple

from django.conf import settings

from . import permissions
from .metadata import vocabulary_title
from .models import Draft, DraftFile, FileEntry, Record, RecordParent
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
    """Load what ``record_to_dict`` and ``read_principals`` need for many objects (an indexing batch) in a
    fixed number of queries: the parents, then as plain values the file facts, the parents' live
    communities, the vocabulary titles the metadata refers to and, for drafts, each parent's latest draft."""
    from communities.models import prefetch_live_community_refs
    from vocabularies.services import resolve_entry_titles

    parents = _attach_parents(objs)
    prefetch_live_community_refs(parents)
    _prefetch_file_facts(objs)
    _prefetch_latest_drafts([obj for obj in objs if isinstance(obj, Draft)])
    titles = resolve_entry_titles(ref for obj in objs for ref in vocabulary_refs(obj.metadata))
    for obj in objs:
        obj.prefetched_vocabulary_titles = titles


def _attach_parents(objs: list[Record | Draft]) -> list[RecordParent]:
    """Give every object its parent, one instance per parent (versions in a batch share it, so it is
    prefetched once); the parents not loaded yet come in one query. (Joining them into the objects'
    query would save that query, but PostgreSQL answers the join by scanning the whole parent table.)"""
    parents: dict[int, RecordParent] = {}
    for obj in objs:
        if type(obj).parent.is_cached(obj):
            parents.setdefault(obj.parent_id, obj.parent)
    parents.update(RecordParent.objects.in_bulk({obj.parent_id for obj in objs} - parents.keys()))
    for obj in objs:
        obj._meta.get_field("parent").set_cached_value(obj, parents[obj.parent_id])
    return list(parents.values())


def _prefetch_file_facts(objs: list[Record | Draft]) -> None:
    """Cache ``file_facts`` on every object: one query per model (records, drafts)."""
    for model in {type(obj) for obj in objs}:
        owners = {obj.pk: obj for obj in objs if type(obj) is model}
        found: dict[int, list[FileFacts]] = {pk: [] for pk in owners}
        entries = model._meta.get_field("file_entries")
        owner_column = entries.field.attname
        rows = entries.related_model._default_manager.filter(**{f"{owner_column}__in": list(owners)})
        for owner_pk, *facts in rows.values_list(owner_column, *FileFacts.COLUMNS):
            found[owner_pk].append(FileFacts(*facts))
        for pk, obj in owners.items():
            obj.prefetched_file_facts = found[pk]


def _prefetch_latest_drafts(drafts: list[Draft]) -> None:
    """What ``latest_draft(draft.parent)`` answers, for every parent of ``drafts`` in one query."""
    if not drafts:
        return
    latest: dict[int, int] = {}
    rows = Draft.objects.filter(parent_id__in={draft.parent_id for draft in drafts})
    for parent_id, pk in rows.order_by("parent_id", "-version_index").values_list("parent_id", "pk"):
        latest.setdefault(parent_id, pk)
    for draft in drafts:
        draft.prefetched_latest_draft_pk = latest.get(draft.parent_id)


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


class FileFacts(NamedTuple):
    """What the JSON says about a file entry: read from a model (``of``) or, for a batch, straight from the
    ``COLUMNS`` of one query (no model instances)."""

    key: str
    status: str
    created: datetime.datetime
    updated: datetime.datetime
    blob_id: int | None
    size: int | None
    checksum: str | None
    mimetype: str | None

    COLUMNS = ("key", "status", "created", "updated", "blob_id", "blob__size", "blob__checksum",
               "blob__mimetype")

    @classmethod
    def of(cls, entry: FileEntry) -> "FileFacts":
        blob = entry.blob
        if blob is None:
            return cls(entry.key, entry.status, entry.created, entry.updated, None, None, None, None)
        return cls(entry.key, entry.status, entry.created, entry.updated, blob.pk, blob.size, blob.checksum,
                   blob.mimetype)


def file_facts(obj: Record | Draft) -> list[FileFacts]:
    """Facts of ``obj``'s file entries, by key: prefetched for a batch, else queried."""
    prefetched = getattr(obj, "prefetched_file_facts", None)
    if prefetched is not None:
        return prefetched
    return [FileFacts.of(entry) for entry in obj.file_entries.select_related("blob")]


def files_summary(obj: Record | Draft, user=None) -> dict:
    entries = file_facts(obj)
    summary = {
        "enabled": obj.files_enabled,
        "count": len(entries),
        "total_bytes": sum(entry.size for entry in entries if entry.blob_id is not None),
        "order": [],
    }
    if permissions.can_read_files(user, obj):
        draft = isinstance(obj, Draft)
        summary["entries"] = {entry.key: file_facts_to_dict(entry, obj.pid, draft=draft) for entry in entries}
    return summary


def file_to_dict(entry: FileEntry, obj: Record | Draft) -> dict:
    return file_facts_to_dict(FileFacts.of(entry), obj.pid, draft=isinstance(entry, DraftFile))


def file_facts_to_dict(entry: FileFacts, pid: str, *, draft: bool) -> dict:
    data = {
        "key": entry.key,
        "status": entry.status,
        "created": entry.created.isoformat(),
        "updated": entry.updated.isoformat(),
        "metadata": None,
        "links": file_links_for(pid, entry.key, draft=draft),
    }
    if entry.blob_id is not None:
        data.update(checksum=entry.checksum or None, size=entry.size, mimetype=entry.mimetype)
    return data


def file_links_for(pid: str, key: str, *, draft: bool) -> dict:
    if draft:
        base = api_url(f"/records/{pid}/draft/files/{key}")
        return {"self": base, "content": f"{base}/content", "commit": f"{base}/commit"}
    base = api_url(f"/records/{pid}/files/{key}")
    return {"self": base, "content": f"{base}/content"}


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
        is_latest_draft = _latest_draft_pk(obj) == obj.pk
        return {"index": obj.version_index, "is_latest": False, "is_latest_draft": is_latest_draft}
    return {"index": obj.version_index, "is_latest": obj.is_latest, "is_latest_draft": True}


def _latest_draft_pk(draft: Draft) -> int | None:
    if hasattr(draft, "prefetched_latest_draft_pk"):
        return draft.prefetched_latest_draft_pk
    latest = latest_draft(draft.parent)
    return latest.pk if latest is not None else None


def record_links(record: Record) -> dict:
    return record_links_for(record.pid)


def record_links_for(pid: str) -> dict:
    api, html = api_url(f"/records/{pid}"), absolute(f"/records/{pid}")
    return {
        "self": api,
        "self_html": html,
        "draft": f"{api}/draft",
        "files": f"{api}/files",
        "versions": f"{api}/versions",
        "latest": f"{api}/versions/latest",
        "latest_html": f"{html}/latest",
    }


def draft_links(draft: Draft) -> dict:
    return draft_links_for(draft.pid)


def draft_links_for(pid: str) -> dict:
    api = api_url(f"/records/{pid}")
    return {
        "self": f"{api}/draft",
        "self_html": absolute(f"/uploads/{pid}"),
        "record": api,
        "files": f"{api}/draft/files",
        "publish": f"{api}/draft/actions/publish",
        "versions": f"{api}/versions",
        "latest": f"{api}/versions/latest",
        "files_import": f"{api}/draft/actions/files-import",
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
    return compact if _links_rebuildable(document) else document


def _links_rebuildable(document: dict) -> bool:
    """Whether ``with_links(without the links) == document``, comparing only the links: everything
    else ``with_links`` copies unchanged."""
    pid, draft = document.get("id"), document.get("is_draft")
    entries = _file_entries(document)
    if not isinstance(pid, str):
        return "links" not in document and not any("links" in entry for entry in (entries or {}).values())
    if document.get("links") != _document_links(pid, draft):
        return False
    return entries is None or all(entry.get("links") == _entry_links(pid, key, entry, draft)
                                  for key, entry in entries.items())


def _document_links(pid: str, draft) -> dict:
    return draft_links_for(pid) if draft else record_links_for(pid)


def _entry_links(pid: str, key: str, entry: dict, draft) -> dict:
    return file_links_for(pid, entry.get("key", key), draft=bool(draft))


def with_links(document: dict) -> dict:
    """``document`` with the links ``record_to_dict`` gives a record or draft of its id."""
    pid, draft = document.get("id"), document.get("is_draft")
    if "links" in document or not isinstance(pid, str):
        return document
    full = {**document, "links": _document_links(pid, draft)}
    entries = _file_entries(document)
    if entries is not None:
        full["files"] = {**document["files"], "entries": {
            key: {**entry, "links": _entry_links(pid, key, entry, draft)}
            for key, entry in entries.items()
        }}
    return full


def _file_entries(document: dict) -> dict | None:
    files = document.get("files")
    entries = files.get("entries") if isinstance(files, dict) else None
    ok = isinstance(entries, dict) and all(isinstance(entry, dict) for entry in entries.values())
    return entries if ok else None
