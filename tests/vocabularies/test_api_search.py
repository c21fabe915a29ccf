"""GET /api/vocabularies/<type> runs on the "vocabularies" search index: the query language in ``q``,
prefix autocompletion in ``suggest``, 400s naming the parameter, and renames visible after the drain."""

import pytest

from rdm.search import indexer
from rdm.search.backends import get_search_backend
from rdm.search.index import get_index
from rdm.search.receivers import index_migrated_data
from vocabularies import services
from vocabularies.models import VocabularyEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def listing(client, vocabulary="languages", **params):
    response = client.get(f"/api/vocabularies/{vocabulary}", params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(body):
    return [hit["id"] for hit in body["hits"]["hits"]]


def error_fields(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == 400
    return [error["field"] for error in body["errors"]]


def test_the_listing_reads_the_index_not_the_table(client):
    # A row written without the service (no signal) is not indexed, so the listing cannot show it.
    VocabularyEntry.objects.create(vocabulary="languages", entry_id="zzz", title={"en": "Unindexed"})

    assert "zzz" not in ids(listing(client, size=100))
    assert listing(client, q="unindexed")["hits"]["total"] == 0


@pytest.mark.parametrize(("typed", "expected"), [
    ("germ", ["deu"]),
    ("GER", ["deu"]),
    ("engl", ["eng"]),
    ("mandarin chin", ["cmn"]),
    ("chin mandarin", ["cmn"]),
])
def test_suggest_matches_title_word_prefixes(client, typed, expected):
    assert ids(listing(client, suggest=typed)) == expected


def test_suggest_matches_id_prefixes(client):
    found = ids(listing(client, "licenses", suggest="cc-by-n"))

    assert sorted(found) == ["cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0"]


def test_suggest_is_a_prefix_not_a_substring_match(client):
    assert listing(client, suggest="erman")["hits"]["total"] == 0


def test_suggest_with_only_punctuation_lists_everything(client):
    assert listing(client, suggest="--")["hits"]["total"] == 42


def test_suggest_stays_in_its_vocabulary(client):
    # "dat" prefixes the "Dataset" resource type, but the licenses listing has no such title.
    assert "dataset" in ids(listing(client, "resourcetypes", suggest="dat"))
    assert "dataset" not in ids(listing(client, "licenses", suggest="dat", size=100))


def test_q_uses_the_query_language(client):
    assert ids(listing(client, "licenses", q="title:mozilla")) == ["mpl-2.0"]
    assert ids(listing(client, "licenses", q='"zero v1.0"')) == ["cc0-1.0"]
    assert "mit" not in ids(listing(client, "licenses", q="NOT title:mit", size=100))


def test_q_and_suggest_combine(client):
    assert ids(listing(client, "licenses", q="tags:software", suggest="gnu lesser")) == ["lgpl-3.0-or-later"]


def test_tags_filter(client):
    body = listing(client, "licenses", tags="software", size=100)

    assert "mit" in ids(body)
    assert "cc-by-4.0" not in ids(body)


def test_sort_by_title(client):
    titles = [hit["title"]["en"] for hit in listing(client, sort="title", size=100)["hits"]["hits"]]
    assert titles == sorted(titles, key=str.casefold)
    assert titles != [hit["title"]["en"] for hit in listing(client, size=100)["hits"]["hits"]]


def test_hits_have_the_entry_shape_without_index_bookkeeping(client):
    hit = listing(client, "licenses", suggest="mit")["hits"]["hits"][0]

    assert hit == client.get("/api/vocabularies/licenses/mit").json()
    assert "position" not in hit


def test_a_whole_vocabulary_fits_one_page_of_500(client):
    body = listing(client, size=500)

    assert len(body["hits"]["hits"]) == body["hits"]["total"] == 42
    assert "next" not in body["links"]


@pytest.mark.parametrize(("params", "field"), [
    ({"size": "lots"}, "size"),
    ({"size": "0"}, "size"),
    ({"size": "501"}, "size"),
    ({"page": "-3"}, "page"),
    ({"page": "two"}, "page"),
    ({"sort": "colour"}, "sort"),
    ({"q": "title:(unclosed"}, "q"),
    ({"q": "colour:red"}, "q"),
    ({"vocabulary": "licenses"}, "vocabulary"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_params_are_400_naming_the_param(client, params, field):
    response = client.get("/api/vocabularies/languages", params)

    assert error_fields(response) == [field]


def test_renaming_an_entry_updates_the_listing_after_the_drain(client, superuser, committed):
    with committed():
        services.rename_entry(superuser, "languages", "deu", {"en": "Deutsch"})
    indexer.drain_queue()

    assert listing(client, suggest="germ")["hits"]["total"] == 0
    renamed = listing(client, suggest="deuts")
    assert ids(renamed) == ["deu"]
    assert renamed["hits"]["hits"][0]["title"] == {"en": "Deutsch"}


def test_an_entry_created_through_the_service_is_listed(client, superuser, committed):
    with committed():
        services.create_entry(superuser, "languages", "tlh", {"en": "Klingon"})
    indexer.drain_queue()

    assert ids(listing(client, suggest="kling")) == ["tlh"]


def test_migrating_queues_entries_the_index_is_missing(db):
    index = get_index("vocabularies")
    backend = get_search_backend()
    backend.write(index, [], ["languages/deu", "languages/eng"])
    assert backend.count(index) == index.count() - 2

    index_migrated_data(sender=None)
    indexer.drain_queue()

    assert backend.count(index) == index.count()


def test_migrating_queues_nothing_when_the_index_is_complete(db):
    from rdm.search.models import IndexQueueItem

    index_migrated_data(sender=None)

    assert not IndexQueueItem.objects.filter(index="vocabularies").exists()
