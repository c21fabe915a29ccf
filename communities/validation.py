"""Community input (InvenioRDM JSON) -> model field values, with errors keyed by dotted paths."""

import re
import uuid

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .models import CLOSED, OPEN, PUBLIC, RESTRICTED, TYPE_CHOICES

SLUG_RE = re.compile(r"^[-\w]+$", re.ASCII)
SLUG_MAX_LENGTH = 100
# Paths under /communities/ and /api/communities/ that a slug must not shadow.
RESERVED_SLUGS = {"new", "featured"}
TITLE_MAX_LENGTH = 250
HTML_MAX_LENGTH = 2000
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "strong", "sub", "sup", "u", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ACCESS_CHOICES = {
    "visibility": (PUBLIC, RESTRICTED),
    "member_policy": (OPEN, CLOSED),
    "record_policy": (OPEN, CLOSED),
}
TYPE_IDS = {value for value, _ in TYPE_CHOICES}


def sanitize_html(value: str) -> str:
    return nh3.clean(value, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer")


def slug_errors(value) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return ["Missing data for required field."]
    slug = value.strip().lower()
    if len(slug) > SLUG_MAX_LENGTH:
        return [f"At most {SLUG_MAX_LENGTH} characters."]
    if not SLUG_RE.match(slug):
        return ["Use only letters, digits, hyphens and underscores."]
    if _is_uuid(slug):
        return ["The slug must not be a UUID."]
    if slug in RESERVED_SLUGS:
        return ["This slug is reserved."]
    return []


def clean_slug(value) -> str:
    errors = slug_errors(value)
    if errors:
        raise ValidationError({"slug": errors})
    return value.strip().lower()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def clean_metadata(metadata) -> tuple[dict, dict]:
    """Fields and errors for a full ``metadata`` object (title required)."""
    if not isinstance(metadata, dict):
        return {}, {"metadata": ["Not a valid object."]}
    fields, errors = {}, {}
    title = metadata.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["metadata.title"] = ["Missing data for required field."]
    elif len(title.strip()) > TITLE_MAX_LENGTH:
        errors["metadata.title"] = [f"At most {TITLE_MAX_LENGTH} characters."]
    else:
        fields["title"] = title.strip()
    for name in ("description", "curation_policy", "page"):
        _clean_html(metadata.get(name), name, fields, errors)
    fields["type"] = _clean_type(metadata.get("type"), errors)
    fields["website"] = _clean_website(metadata.get("website"), errors)
    fields["organizations"] = _clean_organizations(metadata.get("organizations"), errors)
    return fields, errors


def _clean_html(value, name: str, fields: dict, errors: dict) -> None:
    if value in (None, ""):
        fields[name] = ""
    elif not isinstance(value, str):
        errors[f"metadata.{name}"] = ["Not a valid string."]
    elif len(value) > HTML_MAX_LENGTH:
        errors[f"metadata.{name}"] = [f"At most {HTML_MAX_LENGTH} characters."]
    else:
        fields[name] = sanitize_html(value)


def _clean_type(value, errors: dict) -> str:
    type_id = value.get("id") if isinstance(value, dict) else value
    if type_id in (None, ""):
        return ""
    if type_id not in TYPE_IDS:
        errors["metadata.type"] = [f"Must be one of: {', '.join(sorted(TYPE_IDS))}."]
        return ""
    return type_id


def _clean_website(value, errors: dict) -> str:
    if value in (None, ""):
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        errors["metadata.website"] = ["Not a valid URL."]
        return ""
    return value


def _clean_organizations(value, errors: dict) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors["metadata.organizations"] = ["Not a valid list."]
        return []
    organizations = []
    for index, item in enumerate(value):
        item = {"name": item} if isinstance(item, str) else item
        if not isinstance(item, dict) or not any(isinstance(item.get(k), str) and item[k].strip()
                                                 for k in ("id", "name")):
            errors[f"metadata.organizations.{index}"] = ["Give an id or a name."]
            continue
        organizations.append({k: item[k].strip() for k in ("id", "name") if isinstance(item.get(k), str)})
    return organizations


def clean_access(access, current: dict | None = None) -> tuple[dict, dict]:
    """Fields and errors for ``access``; keys left out keep ``current`` values (or the defaults)."""
    if access is None:
        access = {}
    if not isinstance(access, dict):
        return {}, {"access": ["Not a valid object."]}
    fields, errors = {}, {}
    for name, allowed in ACCESS_CHOICES.items():
        value = access.get(name, (current or {}).get(name, allowed[0]))
        if value not in allowed:
            errors[f"access.{name}"] = [f"Must be one of: {', '.join(allowed)}."]
        else:
            fields[name] = value
    return fields, errors
