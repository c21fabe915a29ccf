"""Search index declarations of records: published records ("records") and drafts ("drafts").

Documents are ``record_to_dict`` as the public sees it; who may read them comes from
``rdm.records.permissions``. Queries may use the names below, their aliases, or the full paths.
"""

from collections.abc import Iterator

from rdm.search.index import (
    ANY,
    ID_CHUNK_SIZE,
    INDEX_ONLY,
    PUBLIC,
    STAFF,
    STANDARD_SORTS,
    DateField,
    Facet,
    Index,
    KeywordField,
    SortOption,
    TextField,
    html_text,
    id_chunks,
    path_reader,
    register,
)

from .models import Draft, Record


def _paths_reader(*paths: str):
    """The values at each of ``paths``, in order (``values_at`` for each, compiled once)."""
    readers = [path_reader(path) for path in paths]

    def read(document: dict) -> list:
        values = []
        for reader in readers:
            values += reader(document)
        return values

    return read


_descriptions = _paths_reader("metadata.description", "metadata.additional_descriptions.description")
_resource_type = _paths_reader("metadata.resource_type.id", "metadata.resource_type.title.en")
_affiliations = _paths_reader("metadata.creators.affiliations.name",
                              "metadata.contributors.affiliations.name")
_funders = _paths_reader("metadata.funding.funder.name", "metadata.funding.funder.id")
_award_numbers_and_ids = _paths_reader("metadata.funding.award.number", "metadata.funding.award.id")
_publication_dates = path_reader("metadata.publication_date")


def _html_text(document: dict) -> list[str]:
    return html_text(_descriptions(document))


def _titles(document: dict, path: str) -> list:
    """Values at ``path`` where a title may be a string or a {lang: title} dict (awards)."""
    prefix, _, last = path.rpartition(".")
    values = []
    for holder in _objects_at(document, prefix):
        value = holder.get(last)
        values.extend(value.values() if isinstance(value, dict) else [value])
    return values


def _objects_at(document: dict, path: str) -> list[dict]:
    current = [document]
    for key in path.split("."):
        found = []
        for item in current:
            value = item.get(key) if isinstance(item, dict) else None
            found.extend(value if isinstance(value, list) else [value])
        current = [item for item in found if isinstance(item, dict)]
    return current


def _awards(document: dict) -> list:
    return _titles(document, "metadata.funding.award.title") + _award_numbers_and_ids(document)


def _communities(document: dict) -> list:
    """Community ids only: the facet counts them (slugs are the separate "community_slug" field)."""
    communities = document.get("parent", {}).get("communities", {})
    return communities.get("ids", []) if isinstance(communities, dict) else []


def _publication_year(document: dict) -> list:
    return [date[:4] for date in _publication_dates(document) if str(date)[:4].isdigit()]


RECORD_FIELDS = (
    KeywordField("id", searchable=True),
    TextField("title", path="metadata.title", boost=3, sortable=True),
    TextField("additional_titles", path="metadata.additional_titles.title", boost=2),
    TextField("description", path="metadata.description", extract=_html_text),
    TextField("creator", path="metadata.creators.person_or_org.name",
              aliases=("creators", "author", "authors"), boost=2),
    TextField("contributor", path="metadata.contributors.person_or_org.name", aliases=("contributors",)),
    TextField("affiliation", path="metadata.creators.affiliations.name", aliases=("affiliations",),
              extract=_affiliations),
    TextField("subject", path="metadata.subjects.subject", aliases=("subjects", "keyword", "keywords"),
              boost=2),
    TextField("type", path="metadata.resource_type", extract=_resource_type),
    TextField("publisher", path="metadata.publisher"),
    KeywordField("community", path="parent.communities", aliases=("communities",), extract=_communities,
                 also_matches=("community_slug",)),
    KeywordField("community_slug", path=f"{INDEX_ONLY}.community_slugs"),
    TextField("funder", path="metadata.funding.funder", aliases=("funders",), extract=_funders),
    TextField("award", path="metadata.funding.award", aliases=("awards",), extract=_awards),
    KeywordField("resource_type", path="metadata.resource_type.id"),
    KeywordField("access_status", path="access.status", aliases=("access",)),
    KeywordField("access_record", path="access.record"),
    KeywordField("language", path="metadata.languages.id", aliases=("languages",)),
    KeywordField("license", path="metadata.rights.id", aliases=("rights",)),
    KeywordField("publication_year", extract=_publication_year),
    KeywordField("is_latest", path="versions.is_latest"),
    KeywordField("parent_id", path="parent.id"),
    KeywordField("version_index", path="versions.index"),
    DateField("publication_date", path="metadata.publication_date", aliases=("year", "date"), sortable=True),
    DateField("created", sortable=True),
    DateField("updated", sortable=True),
)


def _vocabulary_labels(vocabulary: str):
    def labels(ids: list[str]) -> dict[str, str]:
        from vocabularies import services

        return services.resolve_titles(vocabulary, ids)

    labels.batch = (_vocabularies_labels, vocabulary)  # several vocabularies' facets: one query
    return labels


def _vocabularies_labels(wanted: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    from vocabularies import services

    return services.resolve_titles_of(wanted)


_resource_type_labels = _vocabulary_labels("resourcetypes")

ACCESS_STATUS_LABELS = {
    "open": "Open", "embargoed": "Embargoed", "restricted": "Restricted", "metadata-only": "Metadata only",
}


def _community_labels(ids: list[str]) -> dict[str, str]:
    from communities.queries import community_facet_labels

    return community_facet_labels(ids)


def _access_status_labels(ids: list[str]) -> dict[str, str]:
    return {value: ACCESS_STATUS_LABELS[value] for value in ids if value in ACCESS_STATUS_LABELS}


RECORD_FACETS = (
    Facet("resource_type", "Resource types", labels=_resource_type_labels, labels_index="vocabularies"),
    Facet("access_status", "Access status", labels=_access_status_labels),
    Facet("publication_year", "Publication year", size=50),
    Facet("language", "Languages", labels=_vocabulary_labels("languages"), labels_index="vocabularies"),
    Facet("license", "Licenses", labels=_vocabulary_labels("licenses"), labels_index="vocabularies"),
    # Looked up on every search: whether a title may be shown follows the community's visibility at once.
    Facet("community", "Communities", labels=_community_labels),
)

SORT_OPTIONS = {
    **STANDARD_SORTS,
    "publication-desc": SortOption("Publication date (newest)", (("publication_date", "desc"),)),
    "publication-asc": SortOption("Publication date (oldest)", (("publication_date", "asc"),)),
}


class RecordsIndex(Index):
    """Published records, every version (filter ``is_latest=true`` for the latest ones)."""

    name = "records"
    fields = RECORD_FIELDS
    facets = RECORD_FACETS
    sort_options = SORT_OPTIONS
    default_sort = "newest"
    default_sort_with_query = "bestmatch"
    # The records list without a query: latest versions (the default) and every version (allversions);
    # a community's records (its page filters by community); latest versions of one resource type or
    # language; latest versions published within whole years (``year:[2015 TO 2018]``). Each template
    # costs a document change in a facet value about 0.1 ms in the triggers.
    counted_scopes = (
        {"is_latest": "true"}, {},
        {"is_latest": "true", "community": ANY}, {"community": ANY},
        {"is_latest": "true", "resource_type": ANY}, {"is_latest": "true", "language": ANY},
        {"is_latest": "true", "publication_date": ANY},
    )
    # Staff browse every record: their counts are maintained too (each scope also for staff, and for
    # records both may read), rather than counting every restricted record per search.
    counted_readers = (PUBLIC, STAFF)
    model = Record

    def to_document(self, obj) -> dict:
        from communities.queries import parent_community_slugs

        from .serializers import record_to_dict

        document = record_to_dict(obj)
        # The record JSON names its communities by id (InvenioRDM v9); ``community:<slug>`` needs the
        # slugs too. A slug change re-queues the community's records (rdm.search.receivers).
        slugs = parent_community_slugs(obj.parent)
        if slugs:
            document[INDEX_ONLY] = {"community_slugs": slugs}
        return document

    def filter_values(self, name: str, values: list[str]) -> list[str]:
        """The ``community`` filter takes slugs as well as ids (facet buckets are ids)."""
        if name != "community":
            return values
        from communities.queries import community_ids_for_keys

        return community_ids_for_keys(values)

    def compact_document(self, document: dict) -> dict:
        """The document as the database backend stores it: without links (``expand_document`` adds them)."""
        from .serializers import without_links

        return without_links(document)

    def expand_document(self, document: dict) -> dict:
        from .serializers import with_links

        return with_links(document)

    def principals(self, obj) -> list[str]:
        from .permissions import read_principals

        return read_principals(obj)

    def doc_id(self, obj) -> str:
        return obj.pid

    def load(self, ids: list[str]) -> dict[str, object]:
        from .serializers import prefetch_for_dicts

        objects = list(self.model.objects.filter(pid__in=ids).order_by())
        prefetch_for_dicts(objects)  # and their parents
        return {obj.pid: obj for obj in objects}

    def existing_ids(self, ids: list[str]) -> set[str]:
        """The ``ids`` that ``load`` would return, without loading (orphan checks of rebuild/check)."""
        return set(self.model.objects.filter(pid__in=ids).values_list("pid", flat=True))

    def iter_ids(self, chunk_size: int = ID_CHUNK_SIZE) -> Iterator[list[str]]:
        return id_chunks(self.model.objects.order_by("pk").values_list("pid", flat=True), chunk_size)

    def count(self) -> int:
        return self.model.objects.count()

    def ids_embedding(self, vocabulary: str, entry_id: str) -> Iterator[list[str]]:
        paths = {
            "resourcetypes": "metadata__resource_type__id",
            "languages": "metadata__languages__icontains",
            "licenses": "metadata__rights__icontains",
        }
        if vocabulary not in paths:
            return iter(())
        # icontains on the JSON list text is a superset for languages/licenses: reindexing a few extra
        # documents is harmless, missing one is not.
        matching = self.model.objects.filter(**{paths[vocabulary]: entry_id}).order_by("pk")
        return id_chunks(matching.values_list("pid", flat=True), ID_CHUNK_SIZE)


class DraftsIndex(RecordsIndex):
    """Drafts (new records, new versions, edits of published records): owners and staff only."""

    name = "drafts"
    model = Draft
    default_sort = "updated-desc"
    counted_scopes = ()  # drafts are never public

    def principals(self, obj) -> list[str]:
        return [f"user:{obj.parent.owner_id}", "staff"]




def version_pids(record: Record) -> list[str]:
    """Pids of every published version of ``record``'s parent (their is_latest may have changed)."""
    return list(Record.objects.filter(parent_id=record.parent_id).values_list("pid", flat=True))


records_index = register(RecordsIndex())
drafts_index = register(DraftsIndex())
