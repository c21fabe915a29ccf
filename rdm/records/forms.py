"""Deposit form: Django forms for the page, converted to and from the InvenioRDM record data dict.

The forms only check what a browser can get wrong on its own (a date that is not a date); the records
service does the real validation and its errors, keyed by dotted paths, are put back on the fields with
`DepositForms.add_service_errors`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms

CREATOR_TYPES = [("personal", "Person"), ("organizational", "Organisation")]
ACCESS_CHOICES = [("public", "Public"), ("restricted", "Restricted")]

# InvenioRDM's "relationtypes" vocabulary: every id the records service accepts, in the order offered.
RELATION_TYPES = [
    ("iscitedby", "Is cited by"), ("cites", "Cites"),
    ("issupplementto", "Is supplement to"), ("issupplementedby", "Is supplemented by"),
    ("iscontinuedby", "Is continued by"), ("continues", "Continues"),
    ("isdescribedby", "Is described by"), ("describes", "Describes"),
    ("hasmetadata", "Has metadata"), ("ismetadatafor", "Is metadata for"),
    ("isnewversionof", "Is new version of"), ("ispreviousversionof", "Is previous version of"),
    ("isversionof", "Is version of"), ("hasversion", "Has version"),
    ("ispartof", "Is part of"), ("haspart", "Has part"), ("ispublishedin", "Is published in"),
    ("isreferencedby", "Is referenced by"), ("references", "References"),
    ("isdocumentedby", "Is documented by"), ("documents", "Documents"),
    ("iscompiledby", "Is compiled by"), ("compiles", "Compiles"),
    ("isvariantformof", "Is variant form of"), ("isoriginalformof", "Is original form of"),
    ("isidenticalto", "Is identical to"), ("isreviewedby", "Is reviewed by"), ("reviews", "Reviews"),
    ("isderivedfrom", "Is derived from"), ("issourceof", "Is source of"),
    ("isrequiredby", "Is required by"), ("requires", "Requires"),
    ("isobsoletedby", "Is obsoleted by"), ("obsoletes", "Obsoletes"),
]
# The schemes the records service accepts for related identifiers.
IDENTIFIER_SCHEMES = [
    ("", "Detect automatically"), ("doi", "DOI"), ("url", "URL"), ("handle", "Handle"), ("ark", "ARK"),
    ("arxiv", "arXiv"), ("isbn", "ISBN"), ("issn", "ISSN"), ("pmid", "PubMed ID"),
    ("pmcid", "PubMed Central ID"), ("urn", "URN"), ("purl", "PURL"), ("ads", "ADS bibcode"),
    ("lsid", "LSID"), ("ean13", "EAN-13"), ("istc", "ISTC"), ("swh", "Software Heritage ID"),
]
# The identifier a creator card edits; further identifiers (GND, ISNI...) are kept as they are.
PRIMARY_SCHEMES = {"personal": "orcid", "organizational": "ror"}


def vocabulary_choices(vocabulary: str, blank: str | None = None) -> list[tuple[str, str]]:
    from vocabularies import services as vocabularies

    choices = [(entry.entry_id, _title(entry)) for entry in vocabularies.list_entries(vocabulary)]
    choices.sort(key=lambda choice: choice[1].lower())
    return ([("", blank)] if blank is not None else []) + choices


def _title(entry) -> str:
    title = entry.title
    if isinstance(title, dict):
        return title.get("en") or next(iter(title.values()), entry.entry_id)
    return str(title or entry.entry_id)


def split_list(text: str, separators: str = ",;\n") -> list[str]:
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", text or "") if part.strip()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class DepositForm(forms.Form):
    resource_type = forms.ChoiceField(label="Resource type", required=False)
    title = forms.CharField(label="Title", required=False, max_length=250)
    publication_date = forms.CharField(
        label="Publication date", required=False,
        help_text="YYYY, YYYY-MM or YYYY-MM-DD; an interval as start/end (e.g. 2020/2021).",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Basic HTML is allowed (paragraphs, lists, links, emphasis).",
    )
    additional_description = forms.CharField(
        label="Additional description", required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )
    subjects = forms.CharField(label="Keywords and subjects", required=False, help_text="Comma separated.")
    languages = forms.CharField(
        label="Languages", required=False,
        help_text="ISO 639-3 codes, comma separated (e.g. eng, deu, fra).",
    )
    license = forms.ChoiceField(label="License", required=False)
    version = forms.CharField(label="Version", required=False, max_length=100, help_text="e.g. v1.0")
    publisher = forms.CharField(label="Publisher", required=False, max_length=250)
    access_record = forms.ChoiceField(
        label="Record visibility", choices=ACCESS_CHOICES, initial="public", widget=forms.RadioSelect,
        help_text="Restricted records are visible only to you and the repository staff.",
    )
    access_files = forms.ChoiceField(
        label="Files visibility", choices=ACCESS_CHOICES, initial="public", widget=forms.RadioSelect,
    )
    embargo_until = forms.DateField(
        label="Embargo until", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for no embargo. Until then, files (and restricted metadata) stay hidden.",
    )
    embargo_reason = forms.CharField(label="Embargo reason", required=False, max_length=500)
    metadata_only = forms.BooleanField(
        label="Metadata-only record (no files)", required=False,
        help_text="Tick this if the record describes data you do not upload here.",
    )
    files = MultipleFileField(label="Add files", required=False, help_text="You can select several files.")
    remove_files = forms.MultipleChoiceField(
        label="Remove files", required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, file_keys: list[str] = (), current: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = current or {}
        self.fields["resource_type"].choices = with_values(
            vocabulary_choices("resourcetypes", blank="Select a type…"), [_id(current.get("resource_type"))],
        )
        self.fields["license"].choices = with_values(
            vocabulary_choices("licenses", blank="No license selected"), [_first_license(current)],
        )
        self.fields["remove_files"].choices = [(key, key) for key in file_keys]


class SourceIndexField(forms.CharField):
    """Hidden position of the saved list item a card was shown from ("" for a new card).

    Saving merges the card over that item, so what the card does not show is kept. Anything that is not a
    position reads as "new card": a broken hidden value must not stop the user from saving.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return int(value) if value.isdigit() else None


class CreatorForm(forms.Form):
    source = SourceIndexField()
    type = forms.ChoiceField(
        label="Type", choices=CREATOR_TYPES, initial="personal",
        widget=forms.Select(attrs={"data-creator-type": ""}),
    )
    family_name = forms.CharField(label="Family name", required=False, max_length=250)
    given_name = forms.CharField(label="Given names", required=False, max_length=250)
    name = forms.CharField(label="Organisation name", required=False, max_length=250)
    identifier = forms.CharField(
        label="ORCID or ROR identifier", required=False, max_length=100,
        help_text="ORCID for a person (0000-0002-1825-0097), ROR for an organisation (03yrm5c26).",
    )
    role = forms.ChoiceField(label="Role", required=False)
    affiliations = forms.CharField(
        label="Affiliations", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )
    TEXT_FIELDS = ("family_name", "given_name", "name", "identifier", "affiliations")

    def __init__(self, *args, role_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices


class RelatedIdentifierForm(forms.Form):
    source = SourceIndexField()
    identifier = forms.CharField(label="Identifier", required=False, max_length=500)
    scheme = forms.ChoiceField(label="Scheme", choices=IDENTIFIER_SCHEMES, required=False)
    relation_type = forms.ChoiceField(label="Relation", choices=RELATION_TYPES, initial="iscitedby")
    resource_type = forms.ChoiceField(label="Resource type", required=False)
    TEXT_FIELDS = ("identifier",)

    def __init__(self, *args, resource_type_choices=(), scheme_choices=(), relation_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_type"].choices = resource_type_choices
        self.fields["scheme"].choices = scheme_choices or IDENTIFIER_SCHEMES
        self.fields["relation_type"].choices = relation_choices or RELATION_TYPES


CreatorFormSet = forms.formset_factory(CreatorForm, can_delete=True, extra=0)
RelatedIdentifierFormSet = forms.formset_factory(RelatedIdentifierForm, can_delete=True, extra=0)

# Dotted service paths (after "metadata.") that belong to a single top-level form field.
METADATA_FIELDS = {
    "resource_type": "resource_type", "title": "title", "publication_date": "publication_date",
    "description": "description", "additional_descriptions": "additional_description",
    "subjects": "subjects", "languages": "languages", "rights": "license", "version": "version",
    "publisher": "publisher",
}
ACCESS_FIELDS = {"record": "access_record", "files": "access_files", "embargo": "embargo_until"}
EMBARGO_FIELDS = {"until": "embargo_until", "reason": "embargo_reason", "active": "embargo_until"}
CREATOR_FIELDS = {
    "person_or_org": None, "type": "type", "family_name": "family_name", "given_name": "given_name",
    "name": "name", "identifiers": "identifier", "affiliations": "affiliations", "role": "role",
}
RELATED_FIELDS = {"identifier": "identifier", "scheme": "scheme", "relation_type": "relation_type",
                  "resource_type": "resource_type"}
NEW_DRAFT_CREATOR_SLOTS = 2


@dataclass
class DepositForms:
    """The deposit form with its two repeated groups, bound or unbound."""

    form: DepositForm
    creators: forms.BaseFormSet
    related: forms.BaseFormSet
    creator_rows: list[int] = field(default_factory=list)  # data index -> formset form index
    related_rows: list[int] = field(default_factory=list)
    non_field_errors: list[str] = field(default_factory=list)

    @classmethod
    def build(cls, data: dict | None = None, post=None, files=None, file_keys=(),
              current: dict | None = None) -> DepositForms:
        """Unbound from a draft's ``data``, or bound to ``post``; ``current`` is the saved metadata.

        Without JavaScript, the unbound form shows exactly the saved creators and related works plus one
        empty slot each (two creator slots on a new draft); a bound form shows what was posted.
        """
        current = current if current is not None else (data or {}).get("metadata") or {}
        initial = initial_from_data(data or {})
        creators, related = initial.pop("creators"), initial.pop("related")
        forms_ = cls(
            form=DepositForm(post, files, initial=initial, file_keys=list(file_keys), current=current),
            creators=CreatorFormSet(
                post, initial=creators, prefix="creators",
                form_kwargs={"role_choices": _role_choices(current)},
            ),
            related=RelatedIdentifierFormSet(
                post, initial=related, prefix="related", form_kwargs=_related_choices(current),
            ),
        )
        if post is None:  # shown from saved data: list item i is formset row i
            forms_.creators.extra = max(NEW_DRAFT_CREATOR_SLOTS - len(creators), 1)
            forms_.related.extra = 1
            forms_.creator_rows = list(range(len(creators)))
            forms_.related_rows = list(range(len(related)))
        return forms_

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.creators.is_valid(), self.related.is_valid()])

    def to_data(self, current: dict | None = None) -> dict:
        """The record data dict for the services; remembers which formset row became which list item.

        ``current`` is the draft's metadata. The form edits it rather than replacing it: fields left as
        shown keep their saved value exactly, each card is merged over the saved item it was shown from,
        and what the form does not show (contributors, dates, a creator's GND, an affiliation's id...) is
        kept rather than lost on save.
        """
        current = current or {}
        cleaned = self.form.cleaned_data
        creators, self.creator_rows = _rows(self.creators, current.get("creators"), creator_to_data)
        related, self.related_rows = _rows(self.related, current.get("related_identifiers"), related_to_data)
        metadata = {
            **_top_level_fields(cleaned, current),
            "creators": creators,
            "related_identifiers": related,
            "additional_descriptions": _additional_descriptions(
                cleaned["additional_description"], current.get("additional_descriptions") or [],
            ),
            "rights": _rights(cleaned["license"], current.get("rights") or []),
        }
        metadata = {**{key: value for key, value in current.items() if key not in metadata}, **metadata}
        return {
            "metadata": {key: value for key, value in metadata.items() if value not in (None, "", [])},
            "access": _access_data(cleaned),
            "files": {"enabled": not cleaned["metadata_only"]},
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put a service ValidationError's {dotted path: messages} beside the matching field."""
        for path, messages in errors.items():
            for message in messages:
                self._add_error(path, str(message))

    def _add_error(self, path: str, message: str) -> None:
        parts = path.split(".")
        if parts[0] == "metadata" and len(parts) > 1:
            rest = parts[2:]
            if parts[1] == "creators":
                return self._add_row_error(self.creators, self.creator_rows, rest, CREATOR_FIELDS, message)
            if parts[1] == "related_identifiers":
                return self._add_row_error(self.related, self.related_rows, rest, RELATED_FIELDS, message)
            if parts[1] in METADATA_FIELDS:
                return add_form_error(self.form, METADATA_FIELDS[parts[1]], message)
        if parts[0] == "access" and len(parts) > 1:
            if parts[1] == "embargo" and len(parts) > 2:
                return add_form_error(self.form, EMBARGO_FIELDS.get(parts[2], "embargo_until"), message)
            if parts[1] in ACCESS_FIELDS:
                return add_form_error(self.form, ACCESS_FIELDS[parts[1]], message)
        if parts[0] == "files":
            return add_form_error(self.form, "files", message)
        self.non_field_errors.append(message)

    def _add_row_error(self, formset, rows, parts, field_map, message) -> None:
        if not parts or not parts[0].isdigit() or int(parts[0]) >= len(rows):
            self._formset_error(formset, message)
            return
        form = formset.forms[rows[int(parts[0])]]
        names = [field_map[part] for part in parts[1:] if field_map.get(part)]
        add_form_error(form, names[0] if names else None, message)

    @staticmethod
    def _formset_error(formset, message: str) -> None:
        formset._non_form_errors = formset.error_class(
            [*formset.non_form_errors(), message], error_class="nonform", renderer=formset.renderer,
        )

    @property
    def has_errors(self) -> bool:
        rows = [*self.creators.forms, *self.related.forms]
        return bool(
            self.non_field_errors or self.form.errors or self.creators.non_form_errors()
            or self.related.non_form_errors() or any(form.errors for form in rows)
        )


def add_form_error(form: forms.Form, name: str | None, message: str) -> None:
    """``form.add_error`` that also works on an unbound form (a saved draft shown with its errors)."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    form.add_error(name, message)


# --- choices: the vocabulary, plus any saved value it lacks (so showing a draft never drops a value) ----

def with_values(choices: list[tuple[str, str]], values) -> list[tuple[str, str]]:
    known = {value for value, _ in choices}
    missing = [value for value in dict.fromkeys(values) if isinstance(value, str) and value not in known]
    return choices + [(value, value) for value in missing if value]


def _role_choices(current: dict) -> list[tuple[str, str]]:
    roles = [_id(creator.get("role")) for creator in _dicts(current.get("creators"))]
    return with_values(vocabulary_choices("creatorsroles", blank="No role given"), roles)


def _related_choices(current: dict) -> dict:
    items = _dicts(current.get("related_identifiers"))
    return {
        "resource_type_choices": with_values(
            [("", "Any"), *vocabulary_choices("resourcetypes")],
            [_id(item.get("resource_type")) for item in items],
        ),
        "scheme_choices": with_values(IDENTIFIER_SCHEMES, [item.get("scheme") for item in items]),
        "relation_choices": with_values(RELATION_TYPES, [_id(item.get("relation_type")) for item in items]),
    }


def _dicts(items) -> list[dict]:
    return [item for item in items or [] if isinstance(item, dict)] if isinstance(items, list) else []


# --- from the form back to metadata, merged over what is saved ----------------------------------------

def _top_level_fields(cleaned: dict, current: dict) -> dict:
    """Single-value fields; one the user left as shown keeps its saved value untouched."""
    shown = initial_from_data({"metadata": current})
    edited = {
        "resource_type": lambda text: {"id": text} if text else None,
        "title": str.strip,
        "publication_date": str.strip,
        "description": str.strip,
        "subjects": lambda text: [{"subject": subject} for subject in split_list(text, ",;")],
        "languages": lambda text: [{"id": code.lower()} for code in split_list(text, ",; ")],
        "version": str.strip,
        "publisher": str.strip,
    }
    return {
        name: current.get(name) if _same_text(cleaned[name], shown[name]) and name in current
        else convert(cleaned[name])
        for name, convert in edited.items()
    }


def _same_text(submitted, shown) -> bool:
    def normal(text):
        return (text or "").replace("\r\n", "\n").strip()

    return normal(submitted) == normal(shown)


def _additional_descriptions(text: str, saved: list) -> list:
    """The form edits the first additional description (keeping its type and language)."""
    first, rest = (saved[0], saved[1:]) if saved else (None, [])
    text = text.replace("\r\n", "\n").strip()
    if not text:
        return rest
    if isinstance(first, dict) and _same_text(text, first.get("description")):
        return saved
    merged = {**first} if isinstance(first, dict) else {"type": {"id": "other"}}
    merged["description"] = text
    return [merged, *rest]


def _first_license(current: dict) -> str:
    return next((right["id"] for right in _dicts(current.get("rights")) if right.get("id")), "")


def _rights(license_id: str, saved: list) -> list:
    """The form's license select edits the first license with an id; other rights are kept in place."""
    rights, placed = [], False
    for right in saved:
        if not placed and isinstance(right, dict) and right.get("id"):
            placed = True
            if license_id:
                rights.append(right if right["id"] == license_id else {"id": license_id})
            continue
        rights.append(right)
    if license_id and not placed:
        rights.insert(0, {"id": license_id})
    return rights


def _rows(formset, saved, convert) -> tuple[list[dict], list[int]]:
    """The list items of a formset (in card order) and, for each, the index of the card it came from."""
    saved = saved if isinstance(saved, list) else []
    items, rows = [], []
    for index, form in enumerate(formset.forms):
        cleaned = getattr(form, "cleaned_data", None) or {}
        if not cleaned or cleaned.get("DELETE"):
            continue
        source = cleaned.get("source")
        original = saved[source] if source is not None and source < len(saved) else None
        item = convert(cleaned, original if isinstance(original, dict) else None)
        if item is None:
            continue
        items.append(item)
        rows.append(index)
    return items, rows


def _access_data(cleaned: dict) -> dict:
    until = cleaned["embargo_until"]
    embargo = {"active": bool(until), "until": until.isoformat() if until else None,
               "reason": cleaned["embargo_reason"].strip() or None}
    return {"record": cleaned["access_record"], "files": cleaned["access_files"],
            "embargo": embargo if until else {"active": False}}


PERSON_FORM_KEYS = ("type", "family_name", "given_name", "name", "identifiers")
CREATOR_FORM_KEYS = ("person_or_org", "role", "affiliations")


def creator_to_data(cleaned: dict, original: dict | None = None) -> dict | None:
    """A creator card merged over the saved creator it was shown from; None for an empty card."""
    original = original or {}
    saved_person = original.get("person_or_org") if isinstance(original.get("person_or_org"), dict) else {}
    kind = cleaned["type"]
    person = {key: value for key, value in saved_person.items() if key not in PERSON_FORM_KEYS}
    person["type"] = kind
    if kind == "personal":
        person.update(family_name=cleaned["family_name"].strip(), given_name=cleaned["given_name"].strip())
    else:
        person["name"] = cleaned["name"].strip()
    identifiers = _merge_identifiers(saved_person, kind, cleaned["identifier"].strip())
    if identifiers:
        person["identifiers"] = identifiers
    creator = {key: value for key, value in original.items() if key not in CREATOR_FORM_KEYS}
    creator["person_or_org"] = person
    if cleaned.get("role"):
        same_role = _id(original.get("role")) == cleaned["role"]
        creator["role"] = original["role"] if same_role else {"id": cleaned["role"]}
    affiliations = _merge_affiliations(
        _dicts(original.get("affiliations")), split_list(cleaned["affiliations"], "\n"),
    )
    if affiliations:
        creator["affiliations"] = affiliations
    names = [person.get(key) for key in ("family_name", "given_name", "name")]
    return creator if any(names) or identifiers or affiliations else None


def _merge_identifiers(saved_person: dict, kind: str, value: str) -> list:
    """The card's ORCID/ROR replaces the saved one of that scheme; other identifiers stay in place."""
    primary = PRIMARY_SCHEMES[kind]
    type_changed = saved_person.get("type") not in (None, kind)
    merged, placed = [], False
    for item in _dicts(saved_person.get("identifiers")):
        scheme = str(item.get("scheme") or "").lower()
        if type_changed and scheme in PRIMARY_SCHEMES.values() and scheme != primary:
            continue  # an ORCID does not fit an organisation (nor a ROR a person)
        if scheme == primary and not placed:
            placed = True
            if value:
                same = item.get("identifier") == value
                merged.append(item if same else {"scheme": primary, "identifier": value})
            continue
        merged.append(item)
    if value and not placed:
        merged.insert(0, {"scheme": primary, "identifier": value})
    return merged


def _merge_affiliations(saved: list[dict], names: list[str]) -> list[dict]:
    """One affiliation per line; a line naming a saved affiliation keeps it whole (with its id)."""
    unused, merged = list(saved), []
    for name in names:
        match = next((item for item in unused if name in (item.get("name"), item.get("id"))), None)
        if match is not None:
            unused.remove(match)
        merged.append(match if match is not None else {"name": name})
    return merged


def related_to_data(cleaned: dict, original: dict | None = None) -> dict | None:
    identifier = cleaned["identifier"].strip()
    if not identifier:
        return None
    item = {**(original or {}), "identifier": identifier, "relation_type": {"id": cleaned["relation_type"]}}
    item["scheme"] = cleaned["scheme"] or _detect_scheme(identifier)
    if cleaned.get("resource_type"):
        item["resource_type"] = {"id": cleaned["resource_type"]}
    else:
        item.pop("resource_type", None)
    return item


def _detect_scheme(identifier: str) -> str:
    import idutils

    schemes = idutils.detect_identifier_schemes(identifier)
    preferred = [scheme for scheme, _ in IDENTIFIER_SCHEMES if scheme in schemes]
    return preferred[0] if preferred else (schemes[0] if schemes else "")


# --- from metadata to the form ------------------------------------------------------------------------

def initial_from_data(data: dict) -> dict:
    """Form initial values from a draft's data dict (the inverse of DepositForms.to_data)."""
    metadata = data.get("metadata") or {}
    access = data.get("access") or {}
    embargo = access.get("embargo") or {}
    descriptions = _dicts(metadata.get("additional_descriptions"))
    return {
        "resource_type": _id(metadata.get("resource_type")),
        "title": metadata.get("title", ""),
        "publication_date": metadata.get("publication_date", ""),
        "description": metadata.get("description", ""),
        "additional_description": descriptions[0].get("description", "") if descriptions else "",
        "subjects": ", ".join(s.get("subject", "") for s in _dicts(metadata.get("subjects"))),
        "languages": ", ".join(_id(lang) for lang in metadata.get("languages") or []),
        "license": _first_license(metadata),
        "version": metadata.get("version", ""),
        "publisher": metadata.get("publisher", ""),
        "access_record": access.get("record", "public"),
        "access_files": access.get("files", "public"),
        "embargo_until": embargo.get("until") or None,
        "embargo_reason": embargo.get("reason") or "",
        "metadata_only": (data.get("files") or {}).get("enabled") is False,
        "creators": [
            {**creator_initial(creator), "source": index}
            for index, creator in enumerate(metadata.get("creators") or []) if isinstance(creator, dict)
        ],
        "related": [
            {**related_initial(item), "source": index}
            for index, item in enumerate(metadata.get("related_identifiers") or []) if isinstance(item, dict)
        ],
    }


def _id(value) -> str:
    return (value or {}).get("id", "") if isinstance(value, dict) else (value or "")


def creator_initial(creator: dict) -> dict:
    person = creator.get("person_or_org") or {}
    kind = person.get("type") if person.get("type") in PRIMARY_SCHEMES else "personal"
    primary = next(
        (item for item in _dicts(person.get("identifiers"))
         if str(item.get("scheme") or "").lower() == PRIMARY_SCHEMES[kind]),
        {},
    )
    return {
        "type": kind,
        "family_name": person.get("family_name", ""),
        "given_name": person.get("given_name", ""),
        "name": person.get("name", "") if kind == "organizational" else "",
        "identifier": primary.get("identifier", ""),
        "role": _id(creator.get("role")),
        "affiliations": "\n".join(
            item.get("name") or item.get("id", "") for item in _dicts(creator.get("affiliations"))
        ),
    }


def related_initial(item: dict) -> dict:
    return {
        "identifier": item.get("identifier", ""),
        "scheme": item.get("scheme", ""),
        "relation_type": _id(item.get("relation_type")),
        "resource_type": _id(item.get("resource_type")),
    }


class PublishConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that publishing makes this record citable and that its files can then no "
              "longer be changed.",
    )
