"""POST data for the deposit form, as a browser without JavaScript would send it."""

CREATOR_FIELDS = ("type", "family_name", "given_name", "name", "identifier", "role", "affiliations")
RELATED_FIELDS = ("identifier", "scheme", "relation_type", "resource_type")


def deposit_post(*, creators=None, related=(), action="save", confirmed="", **fields):
    creators = creators if creators is not None else [{"family_name": "Curie", "given_name": "Marie"}]
    data = {
        "resource_type": "dataset",
        "title": "Glacier melt observations",
        "publication_date": "2024-05-01",
        "description": "<p>Daily melt rates.</p>",
        "additional_description": "",
        "subjects": "",
        "languages": "",
        "license": "",
        "version": "",
        "publisher": "",
        "access_record": "public",
        "access_files": "public",
        "embargo_until": "",
        "embargo_reason": "",
        "action": action,
        "confirmed": confirmed,
    }
    data.update(fields)
    data.update(_formset("creators", creators, CREATOR_FIELDS, {"type": "personal"}))
    data.update(_formset("related", list(related), RELATED_FIELDS, {"relation_type": "iscitedby"}))
    return data


def _formset(prefix, rows, names, defaults):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        for name in names:
            value = row.get(name, defaults.get(name, ""))
            if value is True:
                value = "on"
            if value is not False:
                data[f"{prefix}-{index}-{name}"] = value
        if row.get("DELETE"):
            data[f"{prefix}-{index}-DELETE"] = "on"
    return data


def field_block(html: str, field_id: str) -> str:
    """The markup of one field group: from its label to the start of the next field."""
    start = html.index(f'for="{field_id}"')
    end = html.find('<div class="field', start)
    return html[start:end if end != -1 else None]
