import pytest

pytestmark = pytest.mark.django_db


def test_list_has_the_invenio_shape(client):
    response = client.get("/api/vocabularies/resourcetypes")
    assert response.status_code == 200
    body = response.json()
    assert body["hits"]["total"] == 44
    first = body["hits"]["hits"][0]
    assert first["id"] == "publication"
    assert first["type"] == "resourcetypes"
    assert first["title"] == {"en": "Publication"}
    assert first["links"]["self"] == "http://testserver/api/vocabularies/resourcetypes/publication"
    assert {"props", "tags", "created", "updated"} <= set(first)


def test_list_filters_with_q(client):
    body = client.get("/api/vocabularies/licenses", {"q": "creative commons zero"}).json()
    assert [hit["id"] for hit in body["hits"]["hits"]] == ["cc0-1.0"]
    assert body["hits"]["total"] == 1


def test_suggest_works_like_q(client):
    body = client.get("/api/vocabularies/languages", {"suggest": "germ"}).json()
    assert [hit["id"] for hit in body["hits"]["hits"]] == ["deu"]


def test_list_pages_with_links(client):
    first = client.get("/api/vocabularies/languages", {"size": 10}).json()
    assert len(first["hits"]["hits"]) == 10
    assert first["hits"]["total"] == 42
    assert "prev" not in first["links"]
    second = client.get(first["links"]["next"]).json()
    assert second["hits"]["hits"][0]["id"] == "est"
    assert "page=1" in second["links"]["prev"]
    last = client.get("/api/vocabularies/languages", {"size": 10, "page": 5}).json()
    assert len(last["hits"]["hits"]) == 2
    assert "next" not in last["links"]


def test_default_page_is_the_first_25_in_display_order(client):
    body = client.get("/api/vocabularies/languages").json()
    assert body["hits"]["hits"][0]["id"] == "ara"
    assert len(body["hits"]["hits"]) == 25


def test_unknown_vocabulary_is_404(client):
    response = client.get("/api/vocabularies/colours")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_read_one_entry(client):
    response = client.get("/api/vocabularies/licenses/cc-by-4.0")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "cc-by-4.0"
    assert body["props"]["url"] == "https://creativecommons.org/licenses/by/4.0/legalcode"


def test_unknown_entry_is_404(client):
    response = client.get("/api/vocabularies/licenses/no-such-license")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "message": "The requested resource does not exist."}


def test_the_api_is_read_only(client, superuser):
    client.force_login(superuser)
    response = client.post("/api/vocabularies/licenses", {"id": "x"}, content_type="application/json")
    assert response.status_code == 405


def test_a_declared_vocabulary_without_entries_lists_nothing(client):
    body = client.get("/api/vocabularies/affiliations").json()
    assert body["hits"] == {"hits": [], "total": 0}
