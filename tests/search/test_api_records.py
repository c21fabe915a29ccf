"""GET /api/records through the search layer: InvenioRDM parameters, facets, links, 400s, permissions."""

from urllib.parse import parse_qs, urlsplit

import pytest
from rest_framework.test import APIClient

from rdm.records import services

from .conftest import record_data

pytestmark = pytest.mark.django_db


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ids(body):
    return sorted(hit["id"] for hit in body["hits"]["hits"])


def counts(body, facet):
    return {b["key"]: b["doc_count"] for b in body["aggregations"][facet]["buckets"]}


@pytest.fixture
def corpus(publish, other):
    return {
        "ocean": publish(
            title="Ocean temperatures", description="<p>Buoy data from the Atlantic.</p>",
            publication_date="2020-06-01", languages=[{"id": "eng"}], rights=[{"id": "cc-by-4.0"}],
        ),
        "glacier": publish(
            title="Glacier melt", description="<p>Ocean-adjacent glaciers.</p>",
            resource_type={"id": "software"}, publication_date="2019-03-01", languages=[{"id": "deu"}],
            rights=[{"id": "mit"}],
        ),
        "photo": publish(
            other, title="River photos", resource_type={"id": "image-photo"}, publication_date="2019-05-05",
            languages=[{"id": "eng"}], rights=[{"id": "cc-by-4.0"}],
        ),
    }


def test_free_text_query_matches_title_and_description(corpus):
    body = client_for().get("/api/records", {"q": "ocean"}).json()

    assert ids(body) == sorted([corpus["ocean"].pid, corpus["glacier"].pid])
    assert body["hits"]["total"] == 2
    assert body["sortBy"] == "bestmatch"


def test_fielded_query_matches_only_that_field(corpus):
    body = client_for().get("/api/records", {"q": "title:ocean"}).json()

    assert ids(body) == [corpus["ocean"].pid]
    assert client_for().get("/api/records", {"q": "metadata.title:glacier"}).json()["hits"]["total"] == 1
    assert client_for().get("/api/records", {"q": "year:2019"}).json()["hits"]["total"] == 2


def test_facets_come_back_as_aggregations_with_counts_and_labels(corpus):
    body = client_for().get("/api/records").json()

    assert set(body["aggregations"]) >= {"resource_type", "access_status", "publication_year", "language",
                                         "license"}
    assert counts(body, "resource_type") == {"dataset": 1, "software": 1, "image-photo": 1}
    assert counts(body, "publication_year") == {"2019": 2, "2020": 1}
    assert counts(body, "language") == {"eng": 2, "deu": 1}
    assert counts(body, "license") == {"cc-by-4.0": 2, "mit": 1}
    assert counts(body, "access_status") == {"metadata-only": 3}  # files disabled
    labels = {b["key"]: b["label"] for b in body["aggregations"]["resource_type"]["buckets"]}
    assert labels["dataset"] == "Dataset"
    assert body["aggregations"]["access_status"]["buckets"][0]["label"] == "Metadata only"


def test_vocabulary_facet_labels_are_read_in_one_query(corpus, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.RDM_SEARCH_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as captured:
        body = client_for().get("/api/records").json()

    vocabulary_reads = [q for q in captured.captured_queries if "vocabularies_vocabularyentry" in q["sql"]]
    assert len(vocabulary_reads) == 1
    labels = {facet: {b["key"]: b["label"] for b in body["aggregations"][facet]["buckets"]}
              for facet in ("resource_type", "language", "license")}
    assert labels["resource_type"]["software"] == "Software"
    assert labels["language"]["deu"] == "German"
    assert labels["license"]["mit"] == "MIT License"


def test_one_parameter_per_facet_filters_and_repeats_are_ored(corpus):
    api = client_for()

    assert ids(api.get("/api/records", {"resource_type": "software"}).json()) == [corpus["glacier"].pid]
    both = api.get("/api/records?resource_type=software&resource_type=image-photo").json()
    assert ids(both) == sorted([corpus["glacier"].pid, corpus["photo"].pid])
    combined = api.get("/api/records", {"license": "cc-by-4.0", "publication_year": "2019"}).json()
    assert ids(combined) == [corpus["photo"].pid]
    assert api.get("/api/records", {"language": "fra"}).json()["hits"]["total"] == 0


def test_sort_options_order_the_hits(corpus):
    api = client_for()

    by_title = api.get("/api/records", {"sort": "title"}).json()
    assert [hit["metadata"]["title"] for hit in by_title["hits"]["hits"]] == [
        "Glacier melt", "Ocean temperatures", "River photos",
    ]
    newest = api.get("/api/records", {"sort": "newest"}).json()
    assert [hit["id"] for hit in newest["hits"]["hits"]][0] == corpus["photo"].pid
    oldest = api.get("/api/records", {"sort": "oldest"}).json()
    assert [hit["id"] for hit in oldest["hits"]["hits"]][0] == corpus["ocean"].pid
    updated = api.get("/api/records", {"sort": "updated-desc"}).json()
    assert updated["sortBy"] == "updated-desc" and updated["hits"]["total"] == 3


def test_paging_links_keep_the_parameters(corpus):
    api = client_for()

    body = api.get("/api/records", {"sort": "title", "size": 1, "page": 2, "resource_type": "dataset"}).json()
    assert body["hits"]["total"] == 1 and body["hits"]["hits"] == []
    assert "next" not in body["links"]
    assert body["links"]["prev"] == (
        "http://testserver/api/records?page=1&resource_type=dataset&size=1&sort=title"
    )

    second = api.get("/api/records", {"sort": "title", "size": 1, "page": 2}).json()
    assert [hit["metadata"]["title"] for hit in second["hits"]["hits"]] == ["Ocean temperatures"]
    assert second["links"]["next"] == "http://testserver/api/records?page=3&size=1&sort=title"
    assert second["links"]["self"] == "http://testserver/api/records?page=2&size=1&sort=title"


@pytest.mark.parametrize(("params", "field"), [
    ({"q": "colour:blue"}, "q"),
    ({"q": "title:(ocean"}, "q"),
    ({"q": "ocean AND"}, "q"),
    ({"q": "x" * 1001}, "q"),
    ({"sort": "random"}, "sort"),
    ({"page": "0"}, "page"),
    ({"page": "two"}, "page"),
    ({"page": "101", "size": "100"}, "page"),
    ({"size": "0"}, "size"),
    ({"size": "101"}, "size"),
    ({"colour": "blue"}, "colour"),
    ({"parent": "x"}, "parent"),
])
def test_invalid_parameters_are_400_naming_the_parameter(db, params, field):
    response = client_for().get("/api/records", params)

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    assert [error["field"] for error in body["errors"]] == [field]
    assert body["errors"][0]["messages"][0]


def test_only_latest_versions_unless_allversions(publish, owner, django_capture_on_commit_callbacks):
    first = publish(title="Ocean v1")
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.new_version(owner, first.pid)
        services.update_draft(owner, draft.pid, record_data(title="Ocean v2"))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.publish_draft(owner, draft.pid)

    latest = client_for().get("/api/records").json()
    every = client_for().get("/api/records", {"allversions": "true"}).json()

    assert ids(latest) == [second.pid]
    assert ids(every) == sorted([first.pid, second.pid])


def test_post_still_creates_a_draft(owner):
    response = client_for(owner).post("/api/records", {"metadata": {"title": "New"}}, format="json")

    assert response.status_code == 201
    assert response.json()["is_draft"] is True


# Permissions: a restricted record never appears in hits, totals or facet counts.


@pytest.fixture
def mixed(publish, other):
    return {
        "public": publish(title="Ocean open", resource_type={"id": "dataset"}),
        "restricted": publish(title="Ocean closed", access="restricted", resource_type={"id": "software"}),
        "others": publish(other, title="Ocean private notes", access="restricted",
                          resource_type={"id": "image-photo"}),
    }


@pytest.mark.parametrize(("who", "visible", "types"), [
    (None, ["public"], {"dataset": 1}),
    ("owner", ["public", "restricted"], {"dataset": 1, "software": 1}),
    ("other", ["public", "others"], {"dataset": 1, "image-photo": 1}),
    ("staff", ["public", "restricted", "others"], {"dataset": 1, "software": 1, "image-photo": 1}),
])
def test_hits_totals_and_facets_respect_permissions(request, mixed, who, visible, types):
    user = request.getfixturevalue(who) if who else None

    body = client_for(user).get("/api/records", {"q": "ocean"}).json()

    assert ids(body) == sorted(mixed[name].pid for name in visible)
    assert body["hits"]["total"] == len(visible)
    assert counts(body, "resource_type") == types
    restricted = len([name for name in visible if name != "public"])
    expected_status = {"metadata-only": 1, **({"restricted": restricted} if restricted else {})}
    assert counts(body, "access_status") == expected_status


def test_a_query_that_finds_nothing_suggests_its_fuzzy_version(corpus):
    client = client_for()

    body = client.get("/api/records", {"q": "temperaturs", "size": "5", "page": "1"}).json()

    assert body["hits"]["total"] == 0
    assert {key: body["suggestion"][key] for key in ("q", "total")} == {"q": "temperaturs~2", "total": 1}
    link = urlsplit(body["suggestion"]["links"]["self"])
    assert parse_qs(link.query) == {"q": ["temperaturs~2"], "size": ["5"]}
    assert ids(client.get(link.path, parse_qs(link.query)).json()) == [corpus["ocean"].pid]


@pytest.mark.parametrize("q", ["temperatures", "qqqqqqq", ""])
def test_no_suggestion_when_the_query_finds_records_or_its_fuzzy_version_does_not(corpus, q):
    assert "suggestion" not in client_for().get("/api/records", {"q": q}).json()


@pytest.mark.parametrize(("who", "total"), [(None, None), ("owner", 1), ("other", None), ("staff", 1)])
def test_a_suggestion_counts_only_records_the_caller_may_read(request, mixed, who, total):
    user = request.getfixturevalue(who) if who else None

    body = client_for(user).get("/api/records", {"q": "closd"}).json()  # "closed": the owner's alone

    assert body.get("suggestion", {}).get("total") == total


def test_filtering_on_a_restricted_records_facet_value_reveals_nothing(mixed):
    body = client_for().get("/api/records", {"resource_type": "software", "q": "title:closed"}).json()

    assert body["hits"] == {"hits": [], "total": 0}
    assert counts(body, "resource_type") == {}


# --- a repeated search: counts, ids and vocabulary labels come from the request cache ------------------

def vocabulary_reads(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "vocabularies_vocabularyentry" in q["sql"]]


def test_a_repeated_search_reads_no_vocabulary_titles(corpus, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.RDM_SEARCH_CACHE_SECONDS = 300
    first = client_for().get("/api/records", {"q": "ocean"})
    with CaptureQueriesContext(connection) as captured:
        again = client_for().get("/api/records", {"q": "ocean"})

    assert again.content == first.content
    assert vocabulary_reads(captured) == []
    assert len([q for q in captured.captured_queries if "search_searchdocument" in q["sql"]]) == 1


def test_a_renamed_vocabulary_entry_relabels_cached_facets(corpus, staff, settings,
                                                          django_capture_on_commit_callbacks):
    from vocabularies import services as vocabularies

    settings.RDM_SEARCH_CACHE_SECONDS = 300
    before = client_for().get("/api/records").json()
    with django_capture_on_commit_callbacks(execute=True):
        vocabularies.rename_entry(staff, "licenses", "mit", {"en": "MIT Licence"})
    after = client_for().get("/api/records").json()

    def labels(body):
        return {b["key"]: b["label"] for b in body["aggregations"]["license"]["buckets"]}

    assert labels(before)["mit"] != "MIT Licence"
    assert labels(after) == {**labels(before), "mit": "MIT Licence"}


def test_the_body_is_drfs_json_byte_for_byte(corpus):
    from rest_framework.renderers import JSONRenderer

    response = client_for().get("/api/records", {"q": "ocean OR river"})

    assert response.json()["hits"]["total"] == 3
    assert response.content == JSONRenderer().render(response.data)
