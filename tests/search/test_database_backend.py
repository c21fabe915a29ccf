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


@pytest.mark.parametrize("value", [123456789012345678901234567890, -9223372036854775809, 2**63 - 1, 1.5])
def test_documents_keep_their_numbers_exactly_whatever_their_size(papers, db, value):
    from rdm.search import search

    papers.add("a", title="Big numbers")
    papers.objects["a"]["doc"]["metadata"]["count"] = value
    papers.index_all()

    (hit,) = search("papers", "big", principals=["public"]).hits
    assert hit["metadata"]["count"] == value
    assert type(hit["metadata"]["count"]) is type(value)


@pytest.mark.parametrize("text, expected", [
    ('{"n": 1234567890123456789}', True),
    ('{"n": -98765432109876543210}', True),
    ('{"n": 123456789012345678, "m": 123456789012345678}', False),
    ('{"t": "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠"}', False),  # only ASCII digits make JSON numbers
    ('{"t": "' + "é" * 3000 + '", "n": ' + "9" * 25 + "}", True),
])
def test_long_digit_runs_are_found_wherever_they_are(text, expected):
    from rdm.search.backends.database import has_long_number

    assert has_long_number(text) is expected
