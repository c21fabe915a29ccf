import pytest

from .backend_contract import SearchBackendContract


class TestDatabaseBackend(SearchBackendContract):
    backend = "database"


def test_a_proximity_search_too_broad_to_express_is_a_query_error(papers, db):
    from rdm.search import search
    from rdm.search.query import QueryError

    papers.add("a", title="one two three four five")
    papers.index_all()

    assert [hit["id"] for hit in search("papers", '"one two three four five"~4').hits] == ["a"]
    with pytest.raises(QueryError, match="too broad"):
        search("papers", '"one two three four five"~9')
