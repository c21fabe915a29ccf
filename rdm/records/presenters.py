"""What the record pages show, computed from records and drafts (no database writes, no permission rules
of its own: it asks ``permissions`` and reads through ``services``)."""

from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import Truncator

from . import permissions, services
from .metadata import is_web_url
from .models import Draft, Record
from .serializers import record_to_dict


def can_manage(user, obj: Record | Draft) -> bool:
    return permissions.can_manage(user, obj.parent)


def draft_data(draft: Draft) -> dict:
    """The draft as the deposit form edits it: raw metadata (ids, not titles), access and files switch."""
    return {
        "metadata": draft.metadata,
        "access": services.access_data(draft),
        "files": {"enabled": draft.files_enabled},
    }


def file_row(entry) -> dict:
    blob = entry.blob
    return {"key": entry.key, "size": blob.size if blob else 0, "checksum": blob.checksum if blob else "",
            "mimetype": blob.mimetype if blob else ""}


def record_json(record: Record, user) -> dict:
    return record_to_dict(record, user=user)


def _title(value) -> str:
    if isinstance(value, dict):
        return value.get("en") or next(iter(value.values()), "")
    return value or ""


def landing(user, obj: Record | Draft) -> dict:
    data = record_to_dict(obj, user=user)
    metadata = data["metadata"]
    creators, affiliations = _creators(metadata.get("creators") or [])
    is_preview = isinstance(obj, Draft)
    page = {
        "pid": obj.pid,
        "is_preview": is_preview,
        "title": metadata.get("title", ""),
        "creators": creators,
        "affiliations": affiliations,
        "publication_date": metadata.get("publication_date", ""),
        "resource_type": _title((metadata.get("resource_type") or {}).get("title"))
        or (metadata.get("resource_type") or {}).get("id", ""),
        "description": metadata.get("description", ""),
        "additional_descriptions": [
            {"description": item.get("description", ""), "type": _description_type(item)}
            for item in metadata.get("additional_descriptions") or []
        ],
        "subjects": [item.get("subject", "") for item in metadata.get("subjects") or []],
        "languages": [_vocabulary_title(lang) for lang in metadata.get("languages") or []],
        "licenses": [_license(item) for item in metadata.get("rights") or []],
        "related": [_related(item) for item in metadata.get("related_identifiers") or []],
        "version": metadata.get("version", ""),
        "publisher": metadata.get("publisher", ""),
        "status": data["access"]["status"],
        "embargo": data["access"]["embargo"],
        "files_enabled": obj.files_enabled,
        "can_read_files": permissions.can_read_files(user, obj),
        "files": _files(obj, data, is_preview),
        "can_manage": permissions.can_manage(user, obj.parent),
        "is_latest": data["versions"]["is_latest"],
        "versions": [] if is_preview else _versions(user, obj),
        "draft_pending": not is_preview and permissions.can_manage(user, obj.parent) and _has_draft(obj),
    }
    page["latest_pid"] = next((v["pid"] for v in page["versions"] if v["is_latest"]), None)
    page["citation"] = "" if is_preview else citation(metadata, page["resource_type"], _landing_url(obj.pid))
    return page


def _vocabulary_title(ref: dict) -> str:
    return _title(ref.get("title")) or ref.get("id", "")


def _has_draft(record: Record) -> bool:
    return Draft.objects.filter(record=record).exists()


def _creators(items: list) -> tuple[list[dict], list[str]]:
    affiliations: list[str] = []
    creators = []
    for item in items:
        person = item.get("person_or_org") or {}
        numbers = []
        for affiliation in item.get("affiliations") or []:
            name = affiliation.get("name") or affiliation.get("id", "")
            if name not in affiliations:
                affiliations.append(name)
            numbers.append(affiliations.index(name) + 1)
        identifiers = {i.get("scheme"): i.get("identifier") for i in person.get("identifiers") or []}
        creators.append({
            "name": person.get("name") or _person_name(person),
            "orcid": identifiers.get("orcid"),
            "ror": identifiers.get("ror"),
            "affiliation_numbers": numbers,
        })
    return creators, affiliations


def _person_name(person: dict) -> str:
    return ", ".join(part for part in (person.get("family_name"), person.get("given_name")) if part)


def _description_type(item: dict) -> str:
    kind = (item.get("type") or {}).get("id", "")
    return "" if kind in ("", "other") else kind.replace("info", " info").capitalize()


def _license(item: dict) -> dict:
    link = item.get("link") or ""
    if item.get("id"):
        from vocabularies import services as vocabularies

        entry = vocabularies.get_entry("licenses", item["id"])
        link = link or ((entry.props or {}).get("url", "") if entry else "")
    # Drafts keep invalid input for display; a link that is not http(s) is never rendered as one.
    link = link if isinstance(link, str) and is_web_url(link) else ""
    return {"title": _title(item.get("title")) or item.get("id", ""), "link": link}


def _related(item: dict) -> dict:
    from .forms import RELATION_TYPES

    relation = (item.get("relation_type") or {}).get("id", "")
    identifier, scheme = item.get("identifier", ""), item.get("scheme", "")
    return {
        "identifier": identifier,
        "scheme": scheme,
        "relation": dict(RELATION_TYPES).get(relation, relation),
        "resource_type": (item.get("resource_type") or {}).get("id", ""),
        "url": _identifier_url(identifier, scheme),
    }


def _identifier_url(identifier: str, scheme: str) -> str:
    import idutils

    try:
        url = idutils.to_url(identifier, scheme, url_scheme="https")
    except Exception:  # idutils raises on schemes it has no resolver for
        return ""
    return url if url and url.startswith(("https://", "http://")) else ""


def _files(obj, data: dict, is_preview: bool) -> list[dict]:
    entries = (data.get("files") or {}).get("entries") or {}
    rows = []
    for key, entry in sorted(entries.items()):
        url = reverse("records:file_download", args=[obj.pid, key])
        rows.append({
            "key": key, "size": entry.get("size") or 0, "checksum": entry.get("checksum") or "",
            "url": f"{url}?preview=1" if is_preview else url,
        })
    return rows


def _versions(user, record: Record) -> list[dict]:
    return [
        {
            "pid": version.pid,
            "label": version.metadata.get("version") or f"{version.version_index}",
            "publication_date": version.metadata.get("publication_date", ""),
            "is_latest": version.is_latest,
            "current": version.pk == record.pk,
        }
        for version in services.list_versions(user, record.pid)
    ]


def _landing_url(pid: str) -> str:
    return f"{settings.RDM_SITE_URL}{reverse('records:landing', args=[pid])}"


def citation(metadata: dict, resource_type: str, url: str) -> str:
    """APA-like: "Family, G., & Other, X. (2024). Title (Version v1) [Data set]. Publisher. <url>"."""
    names = [_citation_name(c.get("person_or_org") or {}) for c in metadata.get("creators") or []]
    authors = _join_authors([name for name in names if name])
    year = (metadata.get("publication_date") or "")[:4]
    parts = [f"{authors} ({year})." if authors else f"({year})." if year else ""]
    title = metadata.get("title", "")
    version = metadata.get("version")
    title += f" (Version {version})" if version else ""
    title += f" [{resource_type}]" if resource_type else ""
    parts.append(title.strip() + ".")
    if metadata.get("publisher"):
        parts.append(f"{metadata['publisher']}.")
    parts.append(url)
    return " ".join(part for part in parts if part)


def _join_authors(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _citation_name(person: dict) -> str:
    if person.get("type") == "organizational":
        return person.get("name", "")
    family, given = person.get("family_name", ""), person.get("given_name", "")
    if not family and not given:
        return person.get("name", "")
    initials = " ".join(f"{part[0]}." for part in given.replace("-", " ").split() if part)
    return f"{family}, {initials}" if initials else family


def summary_item(obj: Record | Draft, resource_types: dict[str, str]) -> dict:
    metadata = obj.metadata or {}
    resource_type = (metadata.get("resource_type") or {}).get("id", "")
    return {
        "pid": obj.pid,
        "title": obj.title,
        "is_draft": isinstance(obj, Draft),
        "is_published": obj.is_published,
        "status": obj.access_status(),
        "resource_type": resource_types.get(resource_type, resource_type),
        "publication_date": metadata.get("publication_date", ""),
        "version": metadata.get("version", ""),
        "updated": obj.updated,
        "creators": [
            (c.get("person_or_org") or {}).get("name", "") for c in metadata.get("creators") or []
            if isinstance(c, dict)
        ][:5],
        "summary": Truncator(strip_tags(metadata.get("description") or "")).words(40),
    }


def summary_items(objects) -> list[dict]:
    from vocabularies import services as vocabularies

    ids = [((o.metadata or {}).get("resource_type") or {}).get("id", "") for o in objects]
    titles = vocabularies.resolve_titles("resourcetypes", [i for i in ids if i])
    return [summary_item(obj, titles) for obj in objects]


def dashboard_items(uploads: dict) -> list[dict]:
    objects = [*uploads["drafts"], *uploads["records"]]
    objects.sort(key=lambda obj: obj.updated, reverse=True)
    return summary_items(objects)
