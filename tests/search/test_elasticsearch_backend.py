import uuid

import pytest

from rdm.search.backends import get_search_backend, reset_backends

from .backend_contract import SearchBackendContract


class TestElasticsearchBackend(SearchBackendContract):
    """The shared contract on a real Elasticsearch node (RDM_SEARCH_URL); see tests/conftest.py."""

    backend = "elasticsearch"

    @pytest.fixture(autouse=True)
    def use_backend(self, settings, db, elasticsearch_url):
        settings.RDM_SEARCH_BACKEND = self.backend
        settings.RDM_SEARCH_BACKENDS = {
            **settings.RDM_SEARCH_BACKENDS,
            "elasticsearch": {
                "BACKEND": "rdm.search.backends.elasticsearch",
                "URL": elasticsearch_url,
                "INDEX_PREFIX": f"rdm-test-{uuid.uuid4().hex[:8]}-",
                "REFRESH": "wait_for",
            },
        }
        reset_backends()
        backend = get_search_backend()
        yield
        backend.client.indices.delete(index=f"{backend.prefix}*", ignore_unavailable=True)
        reset_backends()
