"""Validation of record data (InvenioRDM v9 rules), reporting every error under its dotted path.

``clean_metadata`` returns the normalised metadata plus ``{"metadata.creators.0.person_or_org.family_name":
["..."]}``. Values of the wrong type are dropped; values of the right type that break a rule are kept, so
a draft can be stored with the user's input and the errors shown beside it.
"""

import datetime

import idutils
import nh3
from edtf import parse_edtf
from edtf.parser.parser_classes import Date, Interval

from .models import ACCESS_CHOICES, RESTRICTED

REQUIRED = "Missing data for required field."
INVALID_STRING = "Not a valid string."
INVALID_LIST = "Not a valid list."
INVALID_OBJECT = "Not a valid object."
DROP = object()

ACCESS_VALUES = {value for value, _ in ACCESS_CHOICES}
REQUIRED_METADATA = ("resource_type", "creators", "title", "publication_date")

HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "i", "li",
    "ol", "p", "pre", "s", "strong", "sub", "sup", "u", "ul",
}
HTML_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}

PERSON_SCHEMES = {"orcid", "gnd", "isni"}
ORGANISATION_SCHEMES = {"ror", "gnd", "isni"}
IDENTIFIER_SCHEMES = (
    "doi", "url", "handle", "arxiv", "isbn", "issn", "ark", "urn", "pmid", "pmcid", "ads", "lsid", "purl",
    "ean13", "istc", "swh",
)
RELATION_TYPES = {
    "iscitedby", "cites", "issupplementto", "issupplementedby", "iscontinuedby", "continues",
    "isdescribedby", "describes", "hasmetadata", "ismetadatafor", "hasversion", "isversionof",
    "isnewversionof", "ispreviousversionof", "ispartof", "haspart", "ispublishedin", "isreferencedby",
    "references", "isdocumentedby", "documents", "iscompiledby", "compiles", "isvariantformof",
    "isoriginalformof", "isidenticalto", "isreviewedby", "reviews", "isderivedfrom", "issourceof",
    "isrequiredby", "requires", "isobsoletedby", "obsoletes",
}
DESCRIPTION_TYPES = {"abstract", "methods", "seriesinformation", "tableofcontents", "technicalinfo", "other"}
TITLE_TYPES = {"alternative-title", "subtitle", "translated-title", "other"}
DATE_TYPES = {
    "accepted", "available", "collected", "copyrighted", "created", "issued", "other", "submitted",
    "updated", "valid", "withdrawn",
}


class ErrorBag:
    def __init__(self):
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.by_path.setdefault(path, []).append(message)

    def has(self, path: str) -> bool:
        return any(key == path or key.startswith(path + ".") for key in self.by_path)


# --- vocabularies ---------------------------------------------------------------------------------

def put_clean(cleaned: dict, key: str, value) -> None:
    """Keep ``value`` under ``key`` unless its cleaner dropped it (its errors are already recorded)."""
    if value is not DROP:
        cleaned[key] = value


def vocabulary_entry(vocabulary: str, entry_id: str):
    from vocabularies import services as vocabulary_services

    return vocabulary_services.get_entry(vocabulary, entry_id)


def vocabulary_title(vocabulary: str, entry_id: str) -> dict | None:
    entry = vocabulary_entry(vocabulary, entry_id)
    return dict(entry.title) if entry is not None else None


# --- primitives -----------------------------------------------------------------------------------

def is_edtf_level0(value: str) -> bool:
    """YYYY, YYYY-MM, YYYY-MM-DD, or an interval of two of them in order."""
    try:
        parsed = parse_edtf(value)
    except Exception:  # the parser raises several exception types for bad input
        return False
    if not all(is_calendar_day(part) for part in value.split("/")):
        return False
    if type(parsed) is Date:
        return True
    if type(parsed) is Interval and type(parsed.lower) is Date and type(parsed.upper) is Date:
        return parsed.lower.lower_strict() <= parsed.upper.upper_strict()
    return False


def is_calendar_day(part: str) -> bool:
    """The edtf parser accepts 29 February in any year; the calendar does not."""
    if len(part) != 10:
        return True
    try:
        datetime.date.fromisoformat(part)
    except ValueError:
        return False
    return True


def is_web_url(value: str) -> bool:
    """An http(s) URL: links shown on pages must never carry another scheme (javascript: is a script)."""
    return value.lower().startswith(("https://", "http://")) and idutils.is_url(value)


def sanitize_html(value: str) -> str:
    return nh3.clean(value, tags=HTML_TAGS, attributes=HTML_ATTRIBUTES)


def html_text(value: str) -> str:
    return nh3.clean(value, tags=set()).strip()


def clean_string(value, path, errors, *, required=False, min_length=0, max_length=None):
    if not isinstance(value, str):
        errors.add(path, INVALID_STRING)
        return DROP
    value = value.strip()
    if not value:
        if required:
            errors.add(path, REQUIRED)
        return value
    if len(value) < min_length:
        errors.add(path, f"Shorter than minimum length {min_length}.")
    if max_length and len(value) > max_length:
        errors.add(path, f"Longer than maximum length {max_length}.")
    return value


def clean_html(value, path, errors, *, required=False):
    if not isinstance(value, str):
        errors.add(path, INVALID_STRING)
        return DROP
    value = sanitize_html(value).strip()
    text = html_text(value)
    if not text and required:
        errors.add(path, REQUIRED)
    elif text and len(text) < 3:
        errors.add(path, "Shorter than minimum length 3.")
    return value


def clean_list(value, path, errors, clean_item):
    if not isinstance(value, list):
        errors.add(path, INVALID_LIST)
        return DROP
    cleaned = []
    for index, item in enumerate(value):
        result = clean_item(item, f"{path}.{index}", errors)
        if result is not DROP:
            cleaned.append(result)
    return cleaned


def require_object(value, path, errors) -> bool:
    if not isinstance(value, dict):
        errors.add(path, INVALID_OBJECT)
        return False
    return True


def clean_vocabulary_ref(value, path, errors, vocabulary, *, required=False):
    """``{"id": ...}`` pointing at a vocabulary entry."""
    if not require_object(value, path, errors):
        return DROP
    entry_id = value.get("id")
    if entry_id in (None, ""):
        errors.add(f"{path}.id" if value else path, REQUIRED)
        return {}
    if not isinstance(entry_id, str):
        errors.add(f"{path}.id", INVALID_STRING)
        return DROP
    if vocabulary_entry(vocabulary, entry_id) is None:
        errors.add(f"{path}.id", f"Unknown value '{entry_id}'.")
    return {"id": entry_id}


def clean_choice_ref(value, path, errors, choices):
    """``{"id": ...}`` from a fixed list."""
    if not require_object(value, path, errors):
        return DROP
    entry_id = value.get("id")
    if not entry_id:
        errors.add(f"{path}.id", REQUIRED)
        return {}
    if entry_id not in choices:
        errors.add(f"{path}.id", f"Invalid value. Choose one of: {', '.join(sorted(choices))}.")
    return {"id": entry_id}


def clean_identifier(value, path, errors, allowed_schemes, *, detect=True):
    """``{"identifier", "scheme"}``; the scheme is detected when missing and checked with idutils."""
    if not require_object(value, path, errors):
        return DROP
    identifier = clean_string(value.get("identifier", ""), f"{path}.identifier", errors, required=True)
    if identifier is DROP or not identifier:
        return {**value, "identifier": identifier if identifier is not DROP else ""}
    scheme = value.get("scheme") or ""
    if not isinstance(scheme, str):
        errors.add(f"{path}.scheme", INVALID_STRING)
        return DROP
    scheme = scheme.lower()
    if not scheme and detect:
        detected = [s for s in idutils.detect_identifier_schemes(identifier) if s in allowed_schemes]
        scheme = detected[0] if detected else ""
    if not scheme:
        errors.add(f"{path}.scheme", "Could not detect the scheme of this identifier; please give one.")
        return {"identifier": identifier}
    if scheme not in allowed_schemes:
        errors.add(f"{path}.scheme", f"Invalid scheme. Choose one of: {', '.join(sorted(allowed_schemes))}.")
        return {"identifier": identifier, "scheme": scheme}
    checker = getattr(idutils, f"is_{scheme}", None)
    if checker is not None and not checker(identifier):
        errors.add(f"{path}.identifier", f"Invalid {scheme.upper()} identifier.")
        return {"identifier": identifier, "scheme": scheme}
    return {"identifier": normalize_identifier(identifier, scheme), "scheme": scheme}


def normalize_identifier(identifier: str, scheme: str) -> str:
    try:
        return idutils.normalize_pid(identifier, scheme) or identifier
    except Exception:  # idutils raises on some schemes it cannot normalise; keep what was given
        return identifier


# --- people and organisations ---------------------------------------------------------------------

def clean_person_or_org(value, path, errors):
    if not require_object(value, path, errors):
        return DROP
    kind = value.get("type")
    if kind not in ("personal", "organizational"):
        message = REQUIRED if not kind else "Invalid value. Choose personal or organizational."
        errors.add(f"{path}.type", message)
        return {key: item for key, item in value.items() if isinstance(item, str)}
    cleaned = {"type": kind}
    if kind == "personal":
        family = clean_string(value.get("family_name", ""), f"{path}.family_name", errors, required=True)
        given = clean_string(value.get("given_name", ""), f"{path}.given_name", errors)
        cleaned["family_name"] = family if family is not DROP else ""
        cleaned["given_name"] = given if given is not DROP else ""
        cleaned["name"] = ", ".join(part for part in (cleaned["family_name"], cleaned["given_name"]) if part)
        schemes = PERSON_SCHEMES
    else:
        name = clean_string(value.get("name", ""), f"{path}.name", errors, required=True)
        cleaned["name"] = name if name is not DROP else ""
        schemes = ORGANISATION_SCHEMES
    identifiers = value.get("identifiers")
    if identifiers:
        cleaned["identifiers"] = clean_list(
            identifiers, f"{path}.identifiers", errors,
            lambda item, item_path, bag: clean_identifier(item, item_path, bag, schemes),
        )
        if cleaned["identifiers"] is DROP:
            del cleaned["identifiers"]
    return cleaned


def clean_affiliation(value, path, errors):
    if not require_object(value, path, errors):
        return DROP
    if value.get("id"):
        title = vocabulary_title("affiliations", value["id"]) if isinstance(value["id"], str) else None
        if title is None:
            errors.add(f"{path}.id", f"Unknown affiliation '{value['id']}'.")
            return {"id": value["id"]}
        return {"id": value["id"], "name": title.get("en") or next(iter(title.values()), "")}
    name = clean_string(value.get("name", ""), f"{path}.name", errors, required=True)
    return {"name": name} if name is not DROP else DROP


def make_creatibutor_cleaner(*, role_required: bool):
    def clean_creatibutor(value, path, errors):
        if not require_object(value, path, errors):
            return DROP
        cleaned = {}
        if "person_or_org" not in value:
            errors.add(f"{path}.person_or_org", REQUIRED)
        else:
            put_clean(
                cleaned, "person_or_org",
                clean_person_or_org(value["person_or_org"], f"{path}.person_or_org", errors),
            )
        if value.get("role"):
            put_clean(
                cleaned, "role",
                clean_vocabulary_ref(value["role"], f"{path}.role", errors, "creatorsroles"),
            )
        elif role_required:
            errors.add(f"{path}.role", REQUIRED)
        if value.get("affiliations"):
            affiliations = clean_list(
                value["affiliations"], f"{path}.affiliations", errors, clean_affiliation,
            )
            if affiliations is not DROP:
                cleaned["affiliations"] = affiliations
        return cleaned

    return clean_creatibutor


# --- metadata fields ------------------------------------------------------------------------------

def clean_resource_type(value, path, errors):
    return clean_vocabulary_ref(value, path, errors, "resourcetypes")


def clean_creators(value, path, errors):
    return clean_list(value, path, errors, make_creatibutor_cleaner(role_required=False))


def clean_contributors(value, path, errors):
    return clean_list(value, path, errors, make_creatibutor_cleaner(role_required=True))


def clean_title(value, path, errors):
    return clean_string(value, path, errors, required=True, min_length=3)


def clean_description(value, path, errors):
    return clean_html(value, path, errors)


def clean_additional_description(value, path, errors):
    if not require_object(value, path, errors):
        return DROP
    cleaned = {}
    put_clean(
        cleaned, "description",
        clean_html(value.get("description", ""), f"{path}.description", errors, required=True),
    )
    if "type" not in value:
        errors.add(f"{path}.type", REQUIRED)
    else:
        put_clean(cleaned, "type", clean_choice_ref(value["type"], f"{path}.type", errors, DESCRIPTION_TYPES))
    if value.get("lang"):
        put_clean(cleaned, "lang", clean_vocabulary_ref(value["lang"], f"{path}.lang", errors, "languages"))
    return cleaned


def clean_additional_title(value, path, errors):
    if not require_object(value, path, errors):
        return DROP
    cleaned = {}
    put_clean(
        cleaned, "title",
        clean_string(value.get("title", ""), f"{path}.title", errors, required=True, min_length=3),
    )
    if "type" not in value:
        errors.add(f"{path}.type", REQUIRED)
    else:
        put_clean(cleaned, "type", clean_choice_ref(value["type"], f"{path}.type", errors, TITLE_TYPES))
    return cleaned


def clean_edtf(value, path, errors, *, required=True):
    value = clean_string(value, path, errors, required=required)
    if value and value is not DROP and not is_edtf_level0(value):
        errors.add(path, "Please provide a valid date or interval: YYYY, YYYY-MM, YYYY-MM-DD or start/end.")
    return value


def clean_publication_date(value, path, errors):
    return clean_edtf(value, path, errors)


def clean_date(value, path, errors):
    if not require_object(value, path, errors):
        return DROP
    cleaned = {}
    put_clean(cleaned, "date", clean_edtf(value.get("date", ""), f"{path}.date", errors))
    if "type" not in value:
        errors.add(f"{path}.type", REQUIRED)
    else:
        put_clean(cleaned, "type", clean_choice_ref(value["type"], f"{path}.type", errors, DATE_TYPES))
    if value.get("description"):
        put_clean(cleaned, "description", clean_string(value["description"], f"{path}.description", errors))
    return cleaned


def clean_subject(value, path, errors):
    if not require_object(value, path, errors):
        return DROP
    subject = clean_string(value.get("subject", ""), f"{path}.subject", errors, required=True)
    return {"subject": subject} if subject is not DROP else DROP


def clean_language(value, path, errors):
    return clean_vocabulary_ref(value, path, errors, "languages", required=True)


def clean_right(value, path, errors):
    if not require_object(value, path, errors):
        return DROP
    if value.get("id"):
        return clean_vocabulary_ref(value, path, errors, "licenses")
    cleaned = {}
    title = value.get("title")
    if isinstance(title, dict):
        title = title.get("en", "")
    title = clean_string(title if title is not None else "", f"{path}.title", errors, required=True)
    if title is not DROP:
        cleaned["title"] = {"en": title}
    if value.get("description"):
        description = value["description"]
        description = description.get("en", "") if isinstance(description, dict) else description
        description = clean_string(description, f"{path}.description", errors)
        if description is not DROP:
            cleaned["description"] = {"en": description}
    if value.get("link"):
        link = clean_string(value["link"], f"{path}.link", errors)
        if link is not DROP:
            if not is_web_url(link):
                errors.add(f"{path}.link", "Not a valid URL.")
            cleaned["link"] = link
    return cleaned


def clean_related_identifier(value, path, errors):
    cleaned = clean_identifier(value, path, errors, IDENTIFIER_SCHEMES)
    if cleaned is DROP:
        return DROP
    if "relation_type" not in value:
        errors.add(f"{path}.relation_type", REQUIRED)
    else:
        put_clean(
            cleaned, "relation_type",
            clean_choice_ref(value["relation_type"], f"{path}.relation_type", errors, RELATION_TYPES),
        )
    if value.get("resource_type"):
        put_clean(
            cleaned, "resource_type",
            clean_resource_type(value["resource_type"], f"{path}.resource_type", errors),
        )
    return cleaned


def clean_alternate_identifier(value, path, errors):
    return clean_identifier(value, path, errors, IDENTIFIER_SCHEMES)


def clean_short_string(value, path, errors):
    return clean_string(value, path, errors, max_length=500)


FIELDS = {
    "resource_type": clean_resource_type,
    "creators": clean_creators,
    "title": clean_title,
    "additional_titles": lambda v, p, e: clean_list(v, p, e, clean_additional_title),
    "description": clean_description,
    "additional_descriptions": lambda v, p, e: clean_list(v, p, e, clean_additional_description),
    "publication_date": clean_publication_date,
    "dates": lambda v, p, e: clean_list(v, p, e, clean_date),
    "subjects": lambda v, p, e: clean_list(v, p, e, clean_subject),
    "languages": lambda v, p, e: clean_list(v, p, e, clean_language),
    "rights": lambda v, p, e: clean_list(v, p, e, clean_right),
    "related_identifiers": lambda v, p, e: clean_list(v, p, e, clean_related_identifier),
    "identifiers": lambda v, p, e: clean_list(v, p, e, clean_alternate_identifier),
    "contributors": clean_contributors,
    "version": clean_short_string,
    "publisher": clean_short_string,
}


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def clean_metadata(metadata, *, complete: bool) -> tuple[dict, dict[str, list[str]]]:
    """Normalise ``metadata``; with ``complete`` also report missing required fields."""
    errors = ErrorBag()
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        errors.add("metadata", INVALID_OBJECT)
        return {}, errors.by_path
    cleaned = {}
    for key, value in metadata.items():
        path = f"metadata.{key}"
        if key not in FIELDS:
            errors.add(path, "Unknown field.")
        elif not is_empty(value):
            result = FIELDS[key](value, path, errors)
            if result is not DROP and not is_empty(result):
                cleaned[key] = result
    if complete:
        for key in REQUIRED_METADATA:
            if is_empty(cleaned.get(key)) and not errors.has(f"metadata.{key}"):
                errors.add(f"metadata.{key}", REQUIRED)
    return cleaned, errors.by_path


# --- access and files -----------------------------------------------------------------------------

def clean_access(access, *, today: datetime.date, published_until: datetime.date | None = None,
                 ) -> tuple[dict, dict[str, list[str]]]:
    """``{"record", "files", "embargo": {"active", "until", "reason"}}`` -> model field values.

    An active embargo restricts the files (and the record, if it is restricted) until its date.
    ``published_until`` is the end date already published: it may have passed without the periodic lift
    having run yet, and editing the record's metadata must not fail because of that.
    """
    errors = ErrorBag()
    if access is None:
        access = {}
    if not isinstance(access, dict):
        errors.add("access", INVALID_OBJECT)
        return {}, errors.by_path
    fields = {}
    for name in ("record", "files"):
        value = access.get(name, "public")
        if value not in ACCESS_VALUES:
            errors.add(f"access.{name}", "Invalid value. Choose public or restricted.")
        fields[f"access_{name}"] = value
    fields.update(clean_embargo(access.get("embargo"), errors, today, published_until))
    if fields.get("embargo_active"):
        fields["access_files"] = RESTRICTED
    return fields, errors.by_path


def clean_embargo(embargo, errors: ErrorBag, today: datetime.date, published_until=None) -> dict:
    if embargo in (None, {}):
        return {"embargo_active": False, "embargo_until": None, "embargo_reason": ""}
    if not require_object(embargo, "access.embargo", errors):
        return {}
    active = embargo.get("active", False)
    if not isinstance(active, bool):
        errors.add("access.embargo.active", "Not a valid boolean.")
        return {}
    reason = embargo.get("reason") or ""
    if not isinstance(reason, str):
        errors.add("access.embargo.reason", INVALID_STRING)
        reason = ""
    until = parse_date(embargo.get("until"), "access.embargo.until", errors)
    if active and until is None and not errors.has("access.embargo.until"):
        errors.add("access.embargo.until", REQUIRED)
    if active and until is not None and until <= today and until != published_until:
        errors.add("access.embargo.until", "The embargo end date must be in the future.")
    return {
        "embargo_active": active,
        "embargo_until": until if active else None,
        "embargo_reason": reason.strip(),
    }


def parse_date(value, path, errors) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        errors.add(path, "Not a valid date (YYYY-MM-DD).")
        return None


def clean_files(files) -> tuple[dict, dict[str, list[str]]]:
    errors = ErrorBag()
    if files is None:
        return {"files_enabled": True}, {}
    if not isinstance(files, dict):
        errors.add("files", INVALID_OBJECT)
        return {}, errors.by_path
    enabled = files.get("enabled", True)
    if not isinstance(enabled, bool):
        errors.add("files.enabled", "Not a valid boolean.")
        return {}, errors.by_path
    return {"files_enabled": enabled}, {}
