from .backend_contract import SearchBackendContract


class TestDatabaseBackend(SearchBackendContract):
    backend = "database"
