"""Request bodies for fields that match through companions: ``community:`` (id or slug) on records and
``email:`` on users (the hidden address only for staff), and the mapping of the index-only fields."""

from accounts.indexes import users_index
from rdm.records.indexes import records_index
from rdm.search.backends.elasticsearch import ElasticsearchQueryCompiler, document_class
from rdm.search.query import parse_query


def compiled(index, text, principals=()):
    return ElasticsearchQueryCompiler(index).compile(parse_query(index, text, principals))


def test_a_community_query_matches_the_id_or_the_slug_keyword():
    assert compiled(records_index, "community:ocean") == {"bool": {"should": [
        {"term": {"community": {"value": "ocean"}}},
        {"term": {"community_slug": {"value": "ocean"}}},
    ], "minimum_should_match": 1}}


def test_email_reaches_the_hidden_address_for_staff_only():
    public_only = {"match_phrase": {"email": {"query": "quiet"}}}
    assert compiled(users_index, "email:quiet", ["public", "authenticated", "user:7"]) == public_only
    assert compiled(users_index, "email:quiet", ["public", "authenticated", "user:1", "staff"]) == {"bool": {
        "should": [public_only, {"match_phrase": {"email_hidden": {"query": "quiet"}}}],
        "minimum_should_match": 1,
    }}


def test_index_only_fields_are_mapped_like_any_other():
    records_mapping = document_class(records_index, "rdm-records")._doc_type.mapping.to_dict()["properties"]
    users_mapping = document_class(users_index, "rdm-users")._doc_type.mapping.to_dict()["properties"]

    assert records_mapping["community_slug"] == {"type": "keyword"}
    assert users_mapping["email_hidden"]["type"] == "text"
