from django.urls import reverse


def entry_to_dict(entry, request=None) -> dict:
    """An entry in InvenioRDM's vocabulary JSON shape."""
    path = reverse("vocabularies_api:entry", args=[entry.vocabulary, entry.entry_id])
    data = {
        "id": entry.entry_id,
        "type": entry.vocabulary,
        "title": entry.title,
        "props": entry.props,
        "tags": entry.tags,
        "created": entry.created.isoformat(),
        "updated": entry.updated.isoformat(),
        "links": {"self": request.build_absolute_uri(path) if request else path},
    }
    if entry.description:
        data["description"] = entry.description
    return data
