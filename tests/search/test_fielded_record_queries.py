"""Fielded queries on records match only the field's own text, whichever text weight the field has
(on PostgreSQL the GIN lookup is narrowed to the field's weight: title A, creator and subject B,
description and publisher C)."""

import pytest

from rdm.search import search

pytestmark = pytest.mark.django_db


def ids(query):
    return sorted(hit["id"] for hit in search("records", query).hits)


@pytest.fixture
def lakes(publish):
    return publish(
        title="Alpine lakes",
        creators=[{"person_or_org": {"type": "personal", "family_name": "Glacier", "given_name": "Ann"}}],
        subjects=[{"subject": "moraine"}],
        description="<p>Lakes near a glacier.</p>",
        publisher="Moraine Press",
    ).pid


@pytest.fixture
def retreat(publish):
    return publish(title="Glacier retreat", description="<p>Alpine valleys.</p>").pid


def test_a_word_in_several_fields_is_found_in_each_field_only(lakes, retreat):
    assert ids("title:glacier") == [retreat]
    assert ids("creator:glacier") == [lakes]
    assert ids("description:glacier") == [lakes]
    assert sorted(ids("glacier")) == sorted([lakes, retreat])


def test_fields_of_the_same_weight_stay_apart(lakes, retreat):
    assert ids("subject:moraine") == [lakes]
    assert ids("publisher:moraine") == [lakes]
    assert ids("title:moraine") == []
    assert ids("creator:moraine") == []


def test_prefixes_and_phrases_in_a_field(lakes, retreat):
    assert ids("creator:glac*") == [lakes]
    assert ids("title:glac*") == [retreat]
    assert ids('title:"glacier retreat"') == [retreat]
    assert ids('description:"alpine valleys"') == [retreat]
    assert ids("title:alpine") == [lakes]
    assert ids("description:alpine") == [retreat]
