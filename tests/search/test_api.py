"""The reusable search view: InvenioRDM parameters and response shape, 400s naming the parameter."""

import pytest
from django.urls import path
from rest_framework.test import APIClient

from rdm.search.api.views import IndexSearchView, RecordSearchView

pytestmark = pytest.mark.django_db


class PapersView(IndexSearchView):
    index_name = "papers"


urlpatterns = [
    path("api/papers", PapersView.as_view()),
    path("api/records-search", RecordSearchView.as_view()),
]


@pytest.fixture
def api(settings, papers):
    settings.ROOT_URLCONF = __name__
    papers.add("a", title="Ocean one", kind="dataset", created="2024-01-01")
    papers.add("b", title="Ocean two", kind="software", created="2024-01-02")
    papers.add("c", title="Ocean three", kind="dataset", created="2024-01-03")
    papers.index_all()
    return APIClient()


def test_response_has_invenio_shape_and_paging_links(api):
    response = api.get("/api/papers", {"q": "ocean", "sort": "newest", "size": 1, "page": 2})

    body = response.json()
    assert response.status_code == 200
    assert (body["hits"]["total"], [hit["id"] for hit in body["hits"]["hits"]]) == (3, ["b"])
    assert body["sortBy"] == "newest"
    assert body["links"] == {
        "self": "http://testserver/api/papers?page=2&q=ocean&size=1&sort=newest",
        "prev": "http://testserver/api/papers?page=1&q=ocean&size=1&sort=newest",
        "next": "http://testserver/api/papers?page=3&q=ocean&size=1&sort=newest",
    }
    kinds = {b["key"]: b["doc_count"] for b in body["aggregations"]["kind"]["buckets"]}
    assert kinds == {"dataset": 2, "software": 1}


def test_one_parameter_per_facet_filters_hits(api):
    body = api.get("/api/papers?kind=software&kind=article").json()

    assert [hit["id"] for hit in body["hits"]["hits"]] == ["b"]
    assert "next" not in body["links"] and "prev" not in body["links"]


@pytest.mark.parametrize(("params", "field"), [
    ({"q": "colour:blue"}, "q"),
    ({"q": "ocean AND"}, "q"),
    ({"sort": "colour"}, "sort"),
    ({"page": "zero"}, "page"),
    ({"size": "1000"}, "size"),
    ({"colour": "blue"}, "colour"),
])
def test_invalid_parameters_are_400_naming_the_parameter(api, params, field):
    response = api.get("/api/papers", params)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_record_search_shows_latest_versions_unless_allversions(publish, owner, settings,
                                                                django_capture_on_commit_callbacks):
    from rdm.records import services

    from .conftest import record_data

    settings.ROOT_URLCONF = __name__
    first = publish(title="Ocean v1")
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.new_version(owner, first.pid)
        services.update_draft(owner, draft.pid, record_data(title="Ocean v2"))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.publish_draft(owner, draft.pid)
    client = APIClient()

    latest = client.get("/api/records-search", {"q": "ocean"}).json()
    every = client.get("/api/records-search", {"q": "ocean", "allversions": "true"}).json()

    assert [hit["id"] for hit in latest["hits"]["hits"]] == [second.pid]
    assert sorted(hit["id"] for hit in every["hits"]["hits"]) == sorted([first.pid, second.pid])
