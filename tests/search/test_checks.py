"""System checks catch inconsistent index declarations."""

import pytest

from rdm.records.indexes import drafts_index, records_index
from rdm.search.checks import check_index
from rdm.search.index import ANY, DateField, Facet, Index, KeywordField, SortOption, TextField


class BrokenIndex(Index):
    name = "broken"
    fields = (
        TextField("title", aliases=("name",)),
        TextField("name"),
        KeywordField("rdm_secret"),
    )
    facets = (Facet("title", "Titles"),)
    sort_options = {"odd": SortOption("Odd", (("title", "up"),))}
    default_sort = "missing"


def test_the_project_indexes_pass():
    assert check_index(records_index) == []
    assert check_index(drafts_index) == []


def test_each_inconsistency_is_reported():
    ids = sorted(error.id for error in check_index(BrokenIndex()))

    assert ids == ["search.E001", "search.E002", "search.E002", "search.E003", "search.E004", "search.E005"]


def test_messages_name_the_index_and_the_problem():
    messages = [error.msg for error in check_index(BrokenIndex())]

    assert 'Search index "broken": facet "title" must name a KeywordField.' in messages
    assert 'Search index "broken": "name" names both "title" and "name".' in messages


def test_counted_scopes_must_name_keyword_fields():
    class Counted(BrokenIndex):
        counted_scopes = ({"title": "x"}, {"rdm_secret": "y"})

    ids = [error.id for error in check_index(Counted())]

    assert ids.count("search.E007") == 1


def test_a_date_field_may_take_any_in_a_counted_scope_but_no_fixed_value():
    class Dated(Index):
        name = "dated"
        fields = (KeywordField("kind"), DateField("published"))
        counted_scopes = ({"kind": "a", "published": ANY}, {"published": "2015"})

    messages = [error.msg for error in check_index(Dated())]

    assert messages == ["Search index \"dated\": counted scope {'published': '2015'} must map KeywordField "
                        "names to one value each (or a DateField name to ANY)."]


def test_a_counted_scope_template_takes_any_value_of_one_field_only():
    class Templates(Index):
        name = "templates"
        fields = (KeywordField("kind"), KeywordField("tag"))
        counted_scopes = ({"kind": ANY}, {"kind": "a", "tag": ANY}, {"kind": ANY, "tag": ANY})

    messages = [error.msg for error in check_index(Templates())]

    assert messages == ["Search index \"templates\": counted scope {'kind': '*', 'tag': '*'} "
                        "may give ANY to one field at most."]


@pytest.mark.parametrize("readers, valid", [
    (("public",), True), (("public", "staff"), True), (("staff",), False), (("public", "public"), False),
    (("public", "staff", "user:1"), False), ((), False),
])
def test_counted_readers_are_public_and_at_most_one_other_principal(readers, valid):
    class Counted(Index):
        name = "counted"
        fields = (KeywordField("kind"),)
        counted_scopes = ({"kind": "a"},)
        counted_readers = readers

    ids = [error.id for error in check_index(Counted())]

    assert ids.count("search.E007") == (0 if valid else 1)
