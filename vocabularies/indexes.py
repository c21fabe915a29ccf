"""Search index declaration of vocabulary entries ("vocabularies"): every vocabulary in one index,
``vocabulary`` being a filter. Entries are public. Document ids are ``<vocabulary>/<entry id>`` (entry
ids never contain "/")."""

from collections.abc import Iterator

from django.db.models import Q

from rdm.search.index import (
    ID_CHUNK_SIZE,
    PUBLIC,
    DateField,
    Facet,
    Index,
    KeywordField,
    SortOption,
    TextField,
    register,
)

from .models import VocabularyEntry


def _titles(document: dict) -> list[str]:
    title = document.get("title") or {}
    english = title.get("en")
    return ([english] if english else []) + [value for lang, value in title.items() if lang != "en"]


def entry_doc_id(vocabulary: str, entry_id: str) -> str:
    return f"{vocabulary}/{entry_id}"


class VocabulariesIndex(Index):
    name = "vocabularies"
    fields = (
        KeywordField("vocabulary", path="type", aliases=("type",)),
        KeywordField("id", searchable=True, sortable=True),
        TextField("title", extract=_titles, boost=3, sortable=True),
        TextField("description", extract=lambda document: list((document.get("description") or {}).values())),
        KeywordField("tags", aliases=("tag",)),
        KeywordField("position", sortable=True),
        DateField("created", sortable=True),
        DateField("updated", sortable=True),
    )
    facets = (Facet("vocabulary", "Vocabulary"), Facet("tags", "Tags"))
    sort_options = {
        "bestmatch": SortOption("Best match", (("_score", "desc"), ("position", "asc"))),
        "position": SortOption("Display order", (("position", "asc"), ("id", "asc"))),
        "title": SortOption("Title", (("title", "asc"),)),
        "newest": SortOption("Newest", (("created", "desc"),)),
        "updated-desc": SortOption("Recently updated", (("updated", "desc"),)),
    }
    default_sort = "position"
    default_sort_with_query = "bestmatch"
    seeded_by_migrations = True  # the default entries arrive by a data migration

    def to_document(self, obj) -> dict:
        document = {
            "id": obj.entry_id,
            "type": obj.vocabulary,
            "title": obj.title,
            "props": obj.props,
            "tags": obj.tags,
            "position": f"{obj.position:08d}",  # zero-padded: keyword sort order is numeric order
            "created": obj.created.isoformat(),
            "updated": obj.updated.isoformat(),
        }
        if obj.description:
            document["description"] = obj.description
        return document

    def principals(self, obj) -> list[str]:
        return [PUBLIC]

    def doc_id(self, obj) -> str:
        return entry_doc_id(obj.vocabulary, obj.entry_id)

    def load(self, ids: list[str]) -> dict[str, object]:
        keys = [tuple(str(doc_id).split("/", 1)) for doc_id in ids if "/" in str(doc_id)]
        if not keys:
            return {}
        condition = Q()
        for vocabulary in {vocabulary for vocabulary, _ in keys}:
            entry_ids = [entry_id for voc, entry_id in keys if voc == vocabulary]
            condition |= Q(vocabulary=vocabulary, entry_id__in=entry_ids)
        found = VocabularyEntry.objects.filter(condition)
        return {self.doc_id(entry): entry for entry in found}

    def iter_ids(self, chunk_size: int = ID_CHUNK_SIZE) -> Iterator[list[str]]:
        rows = VocabularyEntry.objects.order_by("pk").values_list("vocabulary", "entry_id")
        chunk = []
        for vocabulary, entry_id in rows.iterator(chunk_size=chunk_size):
            chunk.append(entry_doc_id(vocabulary, entry_id))
            if len(chunk) == chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def count(self) -> int:
        return VocabularyEntry.objects.count()


vocabularies_index = register(VocabulariesIndex())
