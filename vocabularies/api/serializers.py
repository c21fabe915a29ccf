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


INDEX_ONLY_KEYS = ("position",)  # display order, kept in the index for sorting


def hit_to_dict(hit: dict, request=None) -> dict:
    """A "vocabularies" search hit in the shape of ``entry_to_dict``."""
    path = reverse("vocabularies_api:entry", args=[hit["type"], hit["id"]])
    data = {key: value for key, value in hit.items() if key not in INDEX_ONLY_KEYS}
    data["links"] = {"self": request.build_absolute_uri(path) if request else path}
    return data
