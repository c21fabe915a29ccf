import uuid

import pytest

from rdm.search.backends import get_search_backend, reset_backends

from .backend_contract import SearchBackendContract

PREFIX = f"rdm-test-{uuid.uuid4().hex[:8]}-"


@pytest.fixture(scope="module")
def elasticsearch_indexes(elasticsearch_url):
    """Indexes live for the module (creating one per test is slow); documents are wiped per test."""
    from elasticsearch import Elasticsearch

    yield elasticsearch_url
    client = Elasticsearch(elasticsearch_url)
    client.indices.delete(index=f"{PREFIX}*", ignore_unavailable=True)
    client.close()


class TestElasticsearchBackend(SearchBackendContract):
    """The shared contract on a real Elasticsearch node (RDM_SEARCH_URL); see tests/conftest.py."""

    backend = "elasticsearch"

    @pytest.fixture(autouse=True)
    def use_backend(self, settings, db, elasticsearch_indexes):
        settings.RDM_SEARCH_BACKEND = self.backend
        settings.RDM_SEARCH_BACKENDS = {
            **settings.RDM_SEARCH_BACKENDS,
            "elasticsearch": {
                "BACKEND": "rdm.search.backends.elasticsearch",
                "URL": elasticsearch_indexes,
                "INDEX_PREFIX": PREFIX,
                "REFRESH": True,
            },
        }
        reset_backends()
        backend = get_search_backend()
        yield
        wipe_documents(backend.client)
        reset_backends()


def wipe_documents(client):
    """Delete every test document (the node has no delete-by-query module)."""
    from elasticsearch import helpers

    hits = client.search(index=f"{PREFIX}*", size=1000, source=False, allow_no_indices=True)["hits"]["hits"]
    actions = [{"_op_type": "delete", "_index": hit["_index"], "_id": hit["_id"]} for hit in hits]
    if actions:
        helpers.bulk(client, actions, refresh=True)
