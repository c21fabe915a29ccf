"""GET /api/user/records: my drafts and records only, searched through the "drafts" and "records" indexes."""

import pytest
from rest_framework.test import APIClient

from rdm.records import services

from .conftest import record_data

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids(body):
    return sorted(hit["id"] for hit in body["hits"]["hits"])


@pytest.fixture
def make_draft(owner, django_capture_on_commit_callbacks):
    def make(user=None, **metadata):
        with django_capture_on_commit_callbacks(execute=True):
            return services.create_draft(user or owner, record_data(**metadata))

    return make


@pytest.fixture
def uploads(publish, make_draft, other):
    return {
        "public": publish(title="Alpha ocean data"),
        "restricted": publish(title="Bravo closed data", access="restricted",
                              resource_type={"id": "software"}),
        "draft": make_draft(title="Charlie glacier draft"),
        "others_record": publish(other, title="Delta other data"),
        "others_draft": make_draft(other, title="Echo other draft"),
    }


def test_lists_only_my_drafts_and_records(uploads, owner):
    body = client_for(owner).get("/api/user/records").json()

    assert ids(body) == sorted(uploads[name].pid for name in ("public", "restricted", "draft"))
    assert body["hits"]["total"] == 3
    assert {hit["id"]: hit["is_draft"] for hit in body["hits"]["hits"]}[uploads["draft"].pid] is True
    assert set(body["links"]) == {"self"}


def test_the_other_user_sees_only_their_own(uploads, other):
    body = client_for(other).get("/api/user/records").json()

    assert ids(body) == sorted([uploads["others_record"].pid, uploads["others_draft"].pid])


def test_staff_see_their_own_uploads_not_everyones(uploads, staff):
    body = client_for(staff).get("/api/user/records").json()

    assert body["hits"] == {"hits": [], "total": 0}


def test_query_sort_and_paging(uploads, owner):
    api = client_for(owner)

    assert ids(api.get("/api/user/records", {"q": "glacier"}).json()) == [uploads["draft"].pid]
    assert ids(api.get("/api/user/records", {"q": "title:data"}).json()) == sorted(
        [uploads["public"].pid, uploads["restricted"].pid]
    )
    by_title = api.get("/api/user/records", {"sort": "title"}).json()
    assert [hit["metadata"]["title"] for hit in by_title["hits"]["hits"]] == [
        "Alpha ocean data", "Bravo closed data", "Charlie glacier draft",
    ]
    second = api.get("/api/user/records", {"sort": "title", "size": 1, "page": 2}).json()
    assert [hit["metadata"]["title"] for hit in second["hits"]["hits"]] == ["Bravo closed data"]
    assert second["hits"]["total"] == 3
    assert "next" in second["links"] and "prev" in second["links"]
    assert second["links"]["next"].endswith("/api/user/records?page=3&size=1&sort=title")


def test_newest_updated_first_by_default(uploads, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_draft(owner, uploads["draft"].pid, record_data(title="Charlie glacier draft v2"))

    body = client_for(owner).get("/api/user/records").json()

    assert body["sortBy"] == "updated-desc"
    assert body["hits"]["hits"][0]["id"] == uploads["draft"].pid


def test_facet_counts_cover_drafts_and_records(uploads, owner):
    body = client_for(owner).get("/api/user/records").json()

    types = {b["key"]: b["doc_count"] for b in body["aggregations"]["resource_type"]["buckets"]}
    assert types == {"dataset": 2, "software": 1}
    filtered = client_for(owner).get("/api/user/records", {"resource_type": "software"}).json()
    assert ids(filtered) == [uploads["restricted"].pid]


def test_a_record_being_edited_is_listed_once_as_its_draft(uploads, owner,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.edit_record(owner, uploads["public"].pid)

    body = client_for(owner).get("/api/user/records").json()

    assert body["hits"]["total"] == 3
    listed = [(hit["id"], hit["is_draft"]) for hit in body["hits"]["hits"]]
    assert (uploads["public"].pid, True) in listed and (uploads["public"].pid, False) not in listed


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "random"}, "sort"),
    ({"page": "0"}, "page"),
    ({"size": "500"}, "size"),
    ({"q": "colour:red"}, "q"),
    ({"id": "abc"}, "id"),
])
def test_invalid_parameters_are_400_naming_the_parameter(owner, params, field):
    response = client_for(owner).get("/api/user/records", params)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_anonymous_gets_401(db):
    assert APIClient().get("/api/user/records").status_code == 401


def test_later_pages_merge_windows_larger_than_one_search_page(uploads, owner, make_draft, settings):
    settings.RDM_SEARCH_MAX_PAGE_SIZE = 2
    make_draft(title="Foxtrot draft")
    make_draft(title="Golf draft")
    api = client_for(owner)

    pages = [api.get("/api/user/records", {"sort": "title", "size": 2, "page": n}).json() for n in (1, 2, 3)]

    titles = [hit["metadata"]["title"] for body in pages for hit in body["hits"]["hits"]]
    assert titles == ["Alpha ocean data", "Bravo closed data", "Charlie glacier draft", "Foxtrot draft",
                      "Golf draft"]
    assert {body["hits"]["total"] for body in pages} == {5}
    assert "next" not in pages[2]["links"]
