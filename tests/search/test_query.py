"""The query language: field mappings, normalisation, and every error the parser reports."""

import pytest
from django.test import override_settings
from luqum import tree as lq

from rdm.records.indexes import records_index
from rdm.search.index import Index, KeywordField, TextField
from rdm.search.query import QueryError, fuzzy_variant, parse_query


class UsersIndex(Index):
    """The users mapping of InvenioRDM v9 (the accounts app will register the real one)."""

    name = "users-test"
    fields = (
        TextField("full_name", path="profile.full_name", aliases=("name", "fullname"), boost=3),
        TextField("affiliations", path="profile.affiliations", aliases=("affiliation",)),
        TextField("email", boost=2),
        TextField("username", boost=2),
    )


def parsed(text, index=records_index):
    tree = parse_query(index, text)
    return None if tree is None else str(tree).strip()


def error(text, index=records_index):
    with pytest.raises(QueryError) as caught:
        parse_query(index, text)
    assert caught.value.message_dict == {"q": [caught.value.detail]}
    return caught.value.detail


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("title", "title"),
        ("metadata.title", "title"),
        ("creator", "creator"),
        ("creators", "creator"),
        ("author", "creator"),
        ("metadata.creators.person_or_org.name", "creator"),
        ("affiliation", "affiliation"),
        ("affiliations", "affiliation"),
        ("subject", "subject"),
        ("subjects", "subject"),
        ("type", "type"),
        ("metadata.resource_type", "type"),
        ("funder", "funder"),
        ("award", "award"),
        ("access", "access_status"),
        ("resource_type", "resource_type"),
    ],
)
def test_record_field_names_map_to_canonical_fields(typed, canonical):
    assert parsed(f"{typed}:ocean") == f"{canonical}:ocean"


@pytest.mark.parametrize("typed", ["community", "communities", "parent.communities"])
def test_community_queries_match_the_id_or_the_slug(typed):
    assert parsed(f"{typed}:ocean") == "(community:ocean OR community_slug:ocean)"


def test_a_negated_community_query_excludes_both_id_and_slug():
    expected = "dataset AND NOT (community:ocean OR community_slug:ocean)"
    assert parsed("dataset NOT community:ocean") == expected


@pytest.mark.parametrize("typed", ["year", "date", "publication_date", "metadata.publication_date"])
def test_date_aliases_map_to_publication_date(typed):
    assert parsed(f"{typed}:2020") == "publication_date:2020"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [("name", "full_name"), ("full_name", "full_name"), ("fullname", "full_name"),
     ("profile.full_name", "full_name"), ("affiliation", "affiliations"), ("affiliations", "affiliations"),
     ("email", "email"), ("username", "username")],
)
def test_user_field_names_map_like_invenio(typed, canonical):
    assert parsed(f"{typed}:x", UsersIndex()) == f"{canonical}:x"


def test_empty_query_means_match_all():
    assert parse_query(records_index, "") is None
    assert parse_query(records_index, "   ") is None
    assert parse_query(records_index, None) is None


def test_implicit_operator_becomes_and():
    tree = parse_query(records_index, "ocean temperature")

    assert isinstance(tree, lq.AndOperation)
    assert str(tree) == "ocean AND temperature"


def test_boolean_structure_is_kept_with_groups():
    assert parsed("(ocean OR sea) AND NOT title:draft -author:smith") == (
        "(ocean OR sea) AND NOT title:draft AND -creator:smith"
    )


def test_words_without_tokens_are_dropped():
    assert parsed("rock & roll") == "rock AND roll"
    assert parsed("&& ||") is None


def test_ranges_and_open_ranges_on_dates_are_allowed():
    assert parsed("year:[2019 TO 2021]") == "publication_date:[2019 TO 2021]"
    assert parsed("year:>=2019") == "publication_date:>=2019"
    assert parsed("date:{2019 TO *]") == "publication_date:{2019 TO *]"


def test_wildcards_phrases_fuzzy_and_boosts_parse():
    expected = 'tit* AND "open data"~2 AND ocean~1 AND title:sea^2'
    assert parsed('tit* "open data"~2 ocean~1 title:sea^2') == expected


def test_unknown_field_is_an_error_naming_it_and_the_allowed_fields():
    message = error("colour:blue")

    assert message.startswith('Unknown search field "colour". Allowed fields: ')
    assert "title" in message and "creator" in message


def test_undeclared_full_path_is_not_allowed():
    assert 'Unknown search field "metadata.version"' in error("metadata.version:1")


def test_malformed_query_is_an_error():
    assert error("ocean AND").startswith("The query could not be parsed: ")
    assert error('"unterminated phrase').startswith("The query could not be parsed: ")
    assert error("(ocean").startswith("The query could not be parsed: ")


def test_nested_fields_are_an_error():
    assert error("title:creator:x") == 'A field cannot contain another field: "creator:x".'


def test_regular_expressions_are_refused():
    assert error("title:/oce.n/") == "Regular expressions are not supported: /oce.n/"


def test_range_without_field_is_an_error():
    assert error("[2019 TO 2020]").startswith("A range needs a field")


def test_range_on_a_text_field_is_an_error():
    assert error("title:[a TO b]") == 'The field "title" does not support ranges.'


def test_a_date_field_needs_a_date():
    assert error("year:last") == '"last" is not a date for the field "year" (use YYYY-MM-DD).'


@override_settings(RDM_SEARCH_MAX_QUERY_LENGTH=20)
def test_too_long_query_is_an_error():
    assert error("x" * 21) == "The query is too long (21 characters; the limit is 20)."


@override_settings(RDM_SEARCH_MAX_QUERY_DEPTH=5)
def test_too_deep_query_is_an_error():
    assert parsed("((ocean))") == "((ocean))"
    assert error("((((((ocean))))))") == "The query is nested too deeply (the limit is 5 levels)."


@override_settings(RDM_SEARCH_MAX_QUERY_TERMS=3)
def test_too_many_terms_is_an_error():
    assert parsed("a b c") == "a AND b AND c"
    assert error("a b c d") == "The query has too many terms (the limit is 3)."


def test_query_error_is_a_validation_error_for_the_api():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_query(records_index, "nope:x")
    assert list(caught.value.message_dict) == ["q"]


def test_keyword_fields_keep_their_value_verbatim():
    index = type("I", (Index,), {"name": "kw", "fields": (KeywordField("kind"),)})()

    assert parsed("kind:Data-Set", index) == "kind:Data-Set"


@pytest.mark.parametrize(("text", "normalised"), [
    ("ocean~", "ocean~2"),  # a bare ~ allows Lucene's default of two edits
    ("ocean~1", "ocean~1"),
    ("ocean~2.0", "ocean~2"),
    ("ocean~0", "ocean~0"),
    ('"open data"~', '"open data"~0'),  # as Elasticsearch: a bare ~ after a phrase is slop 0
    ('"open data"~50', '"open data"~50'),
])
def test_fuzziness_and_slop_are_normalised(text, normalised):
    assert parsed(text) == normalised


@override_settings(RDM_SEARCH_DEFAULT_FUZZINESS="AUTO")
def test_a_bare_tilde_can_follow_elasticsearchs_auto_fuzziness():
    assert parsed("ab~ ocean~ temperature~") == "ab~0 AND ocean~1 AND temperature~2"


@pytest.mark.parametrize("text", ["ocean~3", "ocean~0.5", "title:ocean~10"])
def test_fuzziness_beyond_two_edits_is_refused_as_elasticsearch_does(text):
    assert "must be 0, 1 or 2" in error(text)


def test_too_large_a_proximity_is_refused():
    assert error('"open data"~51') == 'The distance of "open data"~51 is too large (the limit is 50).'


@pytest.mark.parametrize("text", ['"open data"~1.5', "ocean~1.2.3", "title:sea^1.2.3"])
def test_malformed_numbers_after_tilde_or_caret_are_query_errors(text):
    assert "the number after ~ or ^ is malformed" in error(text)


# --- tree keys: plans are kept per normalised tree ----------------------------------------------------

def key_of(text):
    from rdm.search.query import tree_key

    return tree_key(parse_query(records_index, text))


def test_equal_queries_share_a_tree_key_whatever_the_spacing():
    assert key_of("ocean   AND  heat") == key_of("ocean AND heat") == key_of("ocean heat")
    assert hash(key_of('title:"sea ice"~2 AND year:[2019 TO 2020]')) is not None
    assert key_of("") is None


@pytest.mark.parametrize(("one", "other"), [
    ("ocean", "oceans"), ("ocean", '"ocean"'), ("title:ocean", "creator:ocean"), ("ocean~1", "ocean~2"),
    ('"sea ice"~1', '"sea ice"~2'), ("ocean^2", "ocean^3"), ("year:[2019 TO 2020]", "year:[2019 TO 2020}"),
    ("year:{2019 TO 2020]", "year:[2019 TO 2020]"), ("year:>2019", "year:>=2019"),
    ("ocean OR heat", "ocean AND heat"), ("-ocean heat", "NOT ocean heat"), ("(ocean)", "ocean"),
])
def test_queries_that_differ_have_different_tree_keys(one, other):
    assert key_of(one) != key_of(other)


@pytest.mark.parametrize(("text", "variant"), [
    ("ocaen", "ocaen~1"),  # Elasticsearch's AUTO: one edit up to 5 characters, then two
    ("temprature", "temprature~2"),
    ("ocaen AND (tempreture OR -argo)", "ocaen~1 AND (tempreture~2 OR -argo)"),  # a negation stays
    ("+ocaen oceon", "+ocaen~1 oceon~1"),
    ('ocaen "sea surfce" title:ocaen ocea* ab', 'ocaen~1 "sea surfce" title:ocaen ocea* ab'),
])
def test_the_fuzzy_variant_makes_plain_words_fuzzy(text, variant):
    assert fuzzy_variant(text) == variant


@pytest.mark.parametrize("text", [
    "", None, "ab", "*", "ocea*", "NOT ocaen", "title:ocaen", '"sea surfce"', "ocaen~1", "ocaen~",
    "ocean AND", "x(",
])
def test_the_fuzzy_variant_is_none_without_a_plain_word_to_change(text):
    assert fuzzy_variant(text) is None
