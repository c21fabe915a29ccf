import pytest

from rdm.search import indexer
from rdm.search.backends import reset_backends
from rdm.search.index import (
    DateField,
    Facet,
    Index,
    KeywordField,
    SortOption,
    TextField,
    register,
    unregister,
)


class MemoryIndex(Index):
    """A test index over plain dicts: {"id": ..., "doc": {...}, "principals": [...]}."""

    name = "papers"
    fields = (
        TextField("title", path="metadata.title", boost=3, sortable=True),
        TextField("creator", path="metadata.creators.name", aliases=("creators", "author")),
        TextField("abstract", path="metadata.abstract"),
        KeywordField("kind", path="metadata.kind", aliases=("type",)),
        KeywordField("tag", path="metadata.tags", aliases=("tags",)),
        KeywordField("access_status", path="access.status"),
        DateField("publication_date", path="metadata.date", aliases=("year", "date"), sortable=True),
        KeywordField("created", sortable=True),
    )
    facets = (Facet("kind", "Kinds", labels=lambda keys: {k: k.title() for k in keys}), Facet("tag", "Tags"))
    sort_options = {
        "bestmatch": SortOption("Best match", (("_score", "desc"), ("created", "desc"))),
        "newest": SortOption("Newest", (("created", "desc"),)),
        "title": SortOption("Title", (("title", "asc"),)),
    }
    default_sort = "newest"
    default_sort_with_query = "bestmatch"

    def __init__(self):
        self.objects: dict[str, dict] = {}
        self.broken: set[str] = set()

    def add(self, doc_id, *, title="", creators=(), abstract="", kind="article", tags=(), date="2020-01-01",
            created=None, principals=("public",), status="open"):
        self.objects[doc_id] = {
            "id": doc_id,
            "principals": list(principals),
            "doc": {
                "id": doc_id,
                "created": created or f"2024-01-{len(self.objects) + 1:02d}T00:00:00",
                "metadata": {
                    "title": title, "creators": [{"name": name} for name in creators], "abstract": abstract,
                    "kind": kind, "tags": list(tags), "date": date,
                },
                "access": {"status": status},
            },
        }
        return doc_id

    def to_document(self, obj):
        if obj["id"] in self.broken:
            raise RuntimeError(f"cannot serialise {obj['id']}")
        return obj["doc"]

    def principals(self, obj):
        return obj["principals"]

    def doc_id(self, obj):
        return obj["id"]

    def load(self, ids):
        return {doc_id: self.objects[doc_id] for doc_id in ids if doc_id in self.objects}

    def iter_ids(self, chunk_size=1000):
        ids = sorted(self.objects)
        for start in range(0, len(ids), chunk_size):
            yield ids[start : start + chunk_size]

    def index_all(self):
        indexer.index_ids(self, sorted(self.objects))


@pytest.fixture
def papers():
    index = register(MemoryIndex())
    reset_backends()
    yield index
    unregister(index.name)


# Records: real services, with on-commit callbacks executed so the receivers index as in production.


@pytest.fixture
def owner(db):
    from accounts.services import create_user

    return create_user(email="owner@example.org", password="secret-pass-1", full_name="Olga Owner")


@pytest.fixture
def other(db):
    from accounts.services import create_user

    return create_user(email="other@example.org", password="secret-pass-1")


@pytest.fixture
def staff(db):
    from accounts.services import create_user

    return create_user(email="staff@example.org", password="secret-pass-1", is_staff=True)


def record_data(*, access="public", **metadata):
    data = {
        "metadata": {
            "resource_type": {"id": "dataset"},
            "title": "Ocean temperatures 2020",
            "publication_date": "2020-06-01",
            "creators": [
                {"person_or_org": {"type": "personal", "family_name": "Curie", "given_name": "Marie"}},
            ],
            **metadata,
        },
        "access": {"record": access, "files": access},
        "files": {"enabled": False},
    }
    return data


@pytest.fixture
def publish(owner, django_capture_on_commit_callbacks):
    """Publish a record through the records services and let the indexer run after commit."""
    from rdm.records import services

    def make(user=None, *, access="public", **metadata):
        with django_capture_on_commit_callbacks(execute=True):
            draft = services.create_draft(user or owner, record_data(access=access, **metadata))
        with django_capture_on_commit_callbacks(execute=True):
            return services.publish_draft(user or owner, draft.pid)

    return make
