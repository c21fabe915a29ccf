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

# InvenioRDM's "relationtypes" vocabulary (the ids it stores); used when no such vocabulary is loaded.
RELATION_TYPES = [
    ("iscitedby", "Is cited by"), ("cites", "Cites"),
    ("issupplementto", "Is supplement to"), ("issupplementedby", "Is supplemented by"),
    ("isdescribedby", "Is described by"), ("describes", "Describes"),
    ("isnewversionof", "Is new version of"), ("ispreviousversionof", "Is previous version of"),
    ("isversionof", "Is version of"), ("hasversion", "Has version"),
    ("ispartof", "Is part of"), ("haspart", "Has part"),
    ("isreferencedby", "Is referenced by"), ("references", "References"),
    ("isdocumentedby", "Is documented by"), ("documents", "Documents"),
    ("isderivedfrom", "Is derived from"), ("issourceof", "Is source of"),
    ("isidenticalto", "Is identical to"), ("isrequiredby", "Is required by"), ("requires", "Requires"),
    ("isobsoletedby", "Is obsoleted by"), ("obsoletes", "Obsoletes"),
]
IDENTIFIER_SCHEMES = [
    ("", "Detect automatically"), ("doi", "DOI"), ("url", "URL"), ("handle", "Handle"), ("ark", "ARK"),
    ("arxiv", "arXiv"), ("isbn", "ISBN"), ("issn", "ISSN"), ("pmid", "PubMed ID"), ("urn", "URN"),
    ("w3id", "W3ID"),
]


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

    def __init__(self, *args, file_keys: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_type"].choices = vocabulary_choices("resourcetypes", blank="Select a type…")
        self.fields["license"].choices = vocabulary_choices("licenses", blank="No license selected")
        self.fields["remove_files"].choices = [(key, key) for key in file_keys]


class CreatorForm(forms.Form):
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
    affiliations = forms.CharField(
        label="Affiliations", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line.",
    )
    TEXT_FIELDS = ("family_name", "given_name", "name", "identifier", "affiliations")


class RelatedIdentifierForm(forms.Form):
    identifier = forms.CharField(label="Identifier", required=False, max_length=500)
    scheme = forms.ChoiceField(label="Scheme", choices=IDENTIFIER_SCHEMES, required=False)
    relation_type = forms.ChoiceField(label="Relation", choices=RELATION_TYPES, initial="iscitedby")
    resource_type = forms.ChoiceField(label="Resource type", required=False)
    TEXT_FIELDS = ("identifier",)

    def __init__(self, *args, resource_type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource_type"].choices = resource_type_choices


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
    "name": "name", "identifiers": "identifier", "affiliations": "affiliations",
}
RELATED_FIELDS = {"identifier": "identifier", "scheme": "scheme", "relation_type": "relation_type",
                  "resource_type": "resource_type"}


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
    def build(cls, data: dict | None = None, post=None, files=None, file_keys=()) -> DepositForms:
        initial = initial_from_data(data or {})
        creators, related = initial.pop("creators"), initial.pop("related")
        rt_choices = [("", "Any")] + vocabulary_choices("resourcetypes")
        forms_ = cls(
            form=DepositForm(post, files, initial=initial, file_keys=list(file_keys)),
            creators=CreatorFormSet(post, initial=creators, prefix="creators"),
            related=RelatedIdentifierFormSet(
                post, initial=related, prefix="related",
                form_kwargs={"resource_type_choices": rt_choices},
            ),
        )
        if post is None:  # shown from saved data: list item i is formset row i
            forms_.creators.extra = max(2 - len(creators), 1)
            forms_.related.extra = 0 if related else 1
            forms_.creator_rows = list(range(len(creators)))
            forms_.related_rows = list(range(len(related)))
        return forms_

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.creators.is_valid(), self.related.is_valid()])

    def to_data(self, current: dict | None = None) -> dict:
        """The record data dict for the services; remembers which formset row became which list item.

        ``current`` is the draft's metadata: what the form does not show (contributors, dates, further
        descriptions, licenses without an id...) is kept rather than lost on save.
        """
        cleaned = self.form.cleaned_data
        creators, self.creator_rows = _rows(self.creators, creator_to_data)
        related, self.related_rows = _rows(self.related, related_to_data)
        metadata = {
            "resource_type": {"id": cleaned["resource_type"]} if cleaned["resource_type"] else None,
            "title": cleaned["title"].strip(),
            "publication_date": cleaned["publication_date"].strip(),
            "creators": creators,
            "description": cleaned["description"].strip(),
            "additional_descriptions": [
                {"description": cleaned["additional_description"].strip(), "type": {"id": "other"}}
            ] if cleaned["additional_description"].strip() else [],
            "subjects": [{"subject": subject} for subject in split_list(cleaned["subjects"], ",;")],
            "languages": [{"id": code.lower()} for code in split_list(cleaned["languages"], ",; ")],
            "rights": [{"id": cleaned["license"]}] if cleaned["license"] else [],
            "related_identifiers": related,
            "version": cleaned["version"].strip(),
            "publisher": cleaned["publisher"].strip(),
        }
        metadata = _keep_unshown(metadata, current or {})
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


def _keep_unshown(metadata: dict, current: dict) -> dict:
    kept = {key: value for key, value in current.items() if key not in metadata}
    extra_descriptions = (current.get("additional_descriptions") or [])[1:]
    custom_rights = [
        right for right in current.get("rights") or [] if isinstance(right, dict) and not right.get("id")
    ]
    return {
        **kept, **metadata,
        "additional_descriptions": metadata["additional_descriptions"] + extra_descriptions,
        "rights": metadata["rights"] + custom_rights,
    }


def _rows(formset, convert) -> tuple[list[dict], list[int]]:
    items, rows = [], []
    for index, form in enumerate(formset.forms):
        cleaned = getattr(form, "cleaned_data", None) or {}
        if cleaned.get("DELETE") or not any((cleaned.get(name) or "").strip() for name in form.TEXT_FIELDS):
            continue
        items.append(convert(cleaned))
        rows.append(index)
    return items, rows


def _access_data(cleaned: dict) -> dict:
    until = cleaned["embargo_until"]
    embargo = {"active": bool(until), "until": until.isoformat() if until else None,
               "reason": cleaned["embargo_reason"].strip() or None}
    return {"record": cleaned["access_record"], "files": cleaned["access_files"],
            "embargo": embargo if until else {"active": False}}


def creator_to_data(cleaned: dict) -> dict:
    kind = cleaned["type"]
    person = {"type": kind}
    if kind == "personal":
        person.update(family_name=cleaned["family_name"].strip(), given_name=cleaned["given_name"].strip())
    else:
        person["name"] = cleaned["name"].strip()
    identifier = cleaned["identifier"].strip()
    if identifier:
        scheme = "orcid" if kind == "personal" else "ror"
        person["identifiers"] = [{"scheme": scheme, "identifier": identifier}]
    creator = {"person_or_org": person}
    affiliations = split_list(cleaned["affiliations"], "\n")
    if affiliations:
        creator["affiliations"] = [{"name": name} for name in affiliations]
    return creator


def related_to_data(cleaned: dict) -> dict:
    item = {"identifier": cleaned["identifier"].strip(), "relation_type": {"id": cleaned["relation_type"]}}
    if cleaned["scheme"]:
        item["scheme"] = cleaned["scheme"]
    else:
        item["scheme"] = _detect_scheme(item["identifier"])
    if cleaned.get("resource_type"):
        item["resource_type"] = {"id": cleaned["resource_type"]}
    return item


def _detect_scheme(identifier: str) -> str:
    import idutils

    schemes = idutils.detect_identifier_schemes(identifier)
    preferred = [scheme for scheme, _ in IDENTIFIER_SCHEMES if scheme in schemes]
    return preferred[0] if preferred else (schemes[0] if schemes else "")


def initial_from_data(data: dict) -> dict:
    """Form initial values from a draft's data dict (the inverse of DepositForms.to_data)."""
    metadata = data.get("metadata") or {}
    access = data.get("access") or {}
    embargo = access.get("embargo") or {}
    descriptions = metadata.get("additional_descriptions") or []
    rights = metadata.get("rights") or []
    return {
        "resource_type": _id(metadata.get("resource_type")),
        "title": metadata.get("title", ""),
        "publication_date": metadata.get("publication_date", ""),
        "description": metadata.get("description", ""),
        "additional_description": descriptions[0].get("description", "") if descriptions else "",
        "subjects": ", ".join(s.get("subject", "") for s in metadata.get("subjects") or []),
        "languages": ", ".join(_id(lang) for lang in metadata.get("languages") or []),
        "license": _id(rights[0]) if rights else "",
        "version": metadata.get("version", ""),
        "publisher": metadata.get("publisher", ""),
        "access_record": access.get("record", "public"),
        "access_files": access.get("files", "public"),
        "embargo_until": embargo.get("until") or None,
        "embargo_reason": embargo.get("reason") or "",
        "metadata_only": (data.get("files") or {}).get("enabled") is False,
        "creators": [creator_initial(creator) for creator in metadata.get("creators") or []],
        "related": [related_initial(item) for item in metadata.get("related_identifiers") or []],
    }


def _id(value) -> str:
    return (value or {}).get("id", "") if isinstance(value, dict) else (value or "")


def creator_initial(creator: dict) -> dict:
    person = creator.get("person_or_org") or {}
    identifiers = person.get("identifiers") or []
    return {
        "type": person.get("type", "personal"),
        "family_name": person.get("family_name", ""),
        "given_name": person.get("given_name", ""),
        "name": person.get("name", "") if person.get("type") == "organizational" else "",
        "identifier": identifiers[0].get("identifier", "") if identifiers else "",
        "affiliations": "\n".join(
            item.get("name") or item.get("id", "") for item in creator.get("affiliations") or []
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

