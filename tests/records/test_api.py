import hashlib

import pytest

from rdm.records import services
from rdm.records.models import Record

from .conftest import valid_metadata

pytestmark = pytest.mark.django_db


def error_fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def upload(client, pid, key, content: bytes):
    assert client.post(f"/api/records/{pid}/draft/files", [{"key": key}], format="json").status_code == 201
    response = client.put(
        f"/api/records/{pid}/draft/files/{key}/content", content, content_type="application/octet-stream"
    )
    assert response.status_code == 200, response.content
    return client.post(f"/api/records/{pid}/draft/files/{key}/commit")


def test_create_draft_returns_201_with_the_invenio_shape(api_as, owner):
    response = api_as(owner).post("/api/records", {"metadata": {"title": "First steps"}}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["is_draft"] is True and body["is_published"] is False
    assert body["metadata"]["title"] == "First steps"
    assert body["access"] == {
        "record": "public",
        "files": "public",
        "status": "open",
        "embargo": {"active": False, "until": None, "reason": None},
    }
    assert body["files"]["enabled"] is True
    assert body["links"]["publish"].endswith(f"/api/records/{body['id']}/draft/actions/publish")
    assert body["parent"]["access"]["owned_by"] == {"user": str(owner.pk)}
    assert "metadata.creators" in {error["field"] for error in body["errors"]}


def test_anonymous_cannot_create_a_draft(api):
    response = api.post("/api/records", {"metadata": {}}, format="json")
    assert response.status_code == 401
    assert not services.Draft.objects.exists()


def test_saving_a_draft_with_bad_values_keeps_it_and_lists_the_errors(api_as, owner):
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {"title": "Good title"}}, format="json").json()["id"]
    response = client.put(f"/api/records/{pid}/draft", {"metadata": {"title": "ab"}}, format="json")
    assert response.status_code == 200
    assert response.json()["metadata"]["title"] == "ab"
    assert {"field": "metadata.title", "messages": ["Shorter than minimum length 3."]} in response.json()[
        "errors"
    ]


def test_bad_access_values_are_a_400_and_nothing_is_saved(api_as, owner):
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {"title": "Good title"}}, format="json").json()["id"]
    response = client.put(
        f"/api/records/{pid}/draft",
        {"metadata": {"title": "New title"}, "access": {"record": "secret"}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["status"] == 400
    assert error_fields(response) == {"access.record"}
    assert services.get_draft(owner, pid).title == "Good title"


def test_full_lifecycle_over_the_api(api_as, owner, api):
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": valid_metadata()}, format="json").json()["id"]
    content = b"temperature\n12.5\n"
    commit = upload(client, pid, "ocean.csv", content)
    assert commit.status_code == 200
    assert commit.json()["status"] == "completed"
    assert commit.json()["checksum"] == "md5:" + hashlib.md5(content).hexdigest()
    assert commit.json()["size"] == len(content)

    published = client.post(f"/api/records/{pid}/draft/actions/publish")
    assert published.status_code == 202
    assert published.json()["is_published"] is True and published.json()["is_draft"] is False
    assert published.json()["metadata"]["resource_type"] == {"id": "dataset", "title": {"en": "Dataset"}}

    public = api.get(f"/api/records/{pid}")
    assert public.status_code == 200
    assert "access" not in public.json()["parent"]  # owners are shown to managers only
    download = api.get(f"/api/records/{pid}/files/ocean.csv/content")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"] == 'attachment; filename="ocean.csv"'
    assert api.get(f"/api/records/{pid}/draft").status_code == 404


def test_publish_of_an_invalid_draft_is_a_400_naming_each_field(api_as, owner):
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {"title": "ab"}}, format="json").json()["id"]
    response = client.post(f"/api/records/{pid}/draft/actions/publish")
    assert response.status_code == 400
    assert {
        "metadata.title",
        "metadata.creators",
        "metadata.resource_type",
        "metadata.publication_date",
        "files.enabled",
    } <= error_fields(response)


def test_edit_a_published_record_and_publish_again(api_as, owner, make_record):
    record = make_record()
    client = api_as(owner)
    response = client.post(f"/api/records/{record.pid}/draft")
    assert response.status_code == 201
    assert response.json()["id"] == record.pid and response.json()["is_published"] is True
    client.put(
        f"/api/records/{record.pid}/draft", {"metadata": valid_metadata(title="Better title")}, format="json"
    )
    assert client.get(f"/api/records/{record.pid}").json()["metadata"]["title"] == "Ocean temperatures 2020"
    response = client.post(f"/api/records/{record.pid}/draft/actions/publish")
    assert response.status_code == 202
    assert client.get(f"/api/records/{record.pid}").json()["metadata"]["title"] == "Better title"


def test_new_version_latest_and_versions_list(api_as, owner, make_record, api):
    first = make_record()
    client = api_as(owner)
    response = client.post(f"/api/records/{first.pid}/versions")
    assert response.status_code == 201
    new_pid = response.json()["id"]
    assert new_pid != first.pid
    assert response.json()["parent"]["id"] == first.parent.pid
    assert response.json()["files"]["count"] == 0
    imported = client.post(f"/api/records/{new_pid}/draft/actions/files-import")
    assert imported.status_code == 201
    assert [entry["key"] for entry in imported.json()["entries"]] == ["data.csv"]
    body = valid_metadata(title="Second version")
    client.put(f"/api/records/{new_pid}/draft", {"metadata": body}, format="json")
    assert client.post(f"/api/records/{new_pid}/draft/actions/publish").status_code == 202

    versions = api.get(f"/api/records/{first.pid}/versions").json()
    assert versions["hits"]["total"] == 2
    assert [hit["id"] for hit in versions["hits"]["hits"]] == [new_pid, first.pid]
    assert versions["hits"]["hits"][0]["versions"] == {"index": 2, "is_latest": True, "is_latest_draft": True}
    latest = api.get(f"/api/records/{first.pid}/versions/latest")
    assert latest.status_code == 302
    assert latest["Location"].endswith(f"/api/records/{new_pid}")


def test_other_users_cannot_edit_or_version_someone_elses_record(api_as, other, make_record):
    record = make_record()
    client = api_as(other)
    assert client.post(f"/api/records/{record.pid}/draft").status_code == 403
    assert client.post(f"/api/records/{record.pid}/versions").status_code == 403


def test_draft_file_endpoints(api_as, owner):
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {}}, format="json").json()["id"]
    init = client.post(f"/api/records/{pid}/draft/files", [{"key": "a.txt"}, {"key": "b.txt"}], format="json")
    assert init.status_code == 201
    assert [(e["key"], e["status"]) for e in init.json()["entries"]] == [
        ("a.txt", "pending"),
        ("b.txt", "pending"),
    ]
    client.put(
        f"/api/records/{pid}/draft/files/a.txt/content", b"hello", content_type="application/octet-stream"
    )
    entry = client.get(f"/api/records/{pid}/draft/files/a.txt").json()
    assert entry["size"] == 5 and entry["mimetype"] == "text/plain"
    content = client.get(
        f"/api/records/{pid}/draft/files/a.txt/content", HTTP_ACCEPT="application/octet-stream"
    )
    assert b"".join(content.streaming_content) == b"hello"
    assert client.delete(f"/api/records/{pid}/draft/files/b.txt").status_code == 204
    listing = client.get(f"/api/records/{pid}/draft/files").json()
    assert [e["key"] for e in listing["entries"]] == ["a.txt"]
    assert client.get(f"/api/records/{pid}/draft/files/b.txt").status_code == 404


def test_bad_file_init_is_a_400(api_as, owner):
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {}}, format="json").json()["id"]
    response = client.post(f"/api/records/{pid}/draft/files", [{"key": "../etc/passwd"}], format="json")
    assert response.status_code == 400
    assert error_fields(response) == {"0.key"}
    assert client.post(f"/api/records/{pid}/draft/files", {"key": "x"}, format="json").status_code == 400


def test_upload_over_the_limit_is_a_400(api_as, owner, settings):
    settings.RDM_MAX_FILE_SIZE = 10
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {}}, format="json").json()["id"]
    client.post(f"/api/records/{pid}/draft/files", [{"key": "a.bin"}], format="json")
    response = client.put(
        f"/api/records/{pid}/draft/files/a.bin/content", b"x" * 100, content_type="application/octet-stream"
    )
    assert response.status_code == 400
    assert error_fields(response) == {"content"}


def test_delete_draft(api_as, owner):
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {}}, format="json").json()["id"]
    assert client.delete(f"/api/records/{pid}/draft").status_code == 204
    assert client.get(f"/api/records/{pid}/draft").status_code == 404


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Runs the on-commit callbacks (signals -> index queue -> drain), as production does after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_search_lists_latest_public_records(api, make_record, other, indexed):
    with indexed():
        first = make_record(title="Alpha glaciers")
        make_record(other, title="Beta rivers")
        make_record(title="Hidden secret", access={"record": "restricted", "files": "restricted"})
    body = api.get("/api/records").json()
    assert body["hits"]["total"] == 2
    assert {hit["metadata"]["title"] for hit in body["hits"]["hits"]} == {"Alpha glaciers", "Beta rivers"}
    assert "self" in body["links"]
    found = api.get("/api/records", {"q": "glaciers"}).json()
    assert [hit["id"] for hit in found["hits"]["hits"]] == [first.pid]
    assert api.get("/api/records", {"q": "secret"}).json()["hits"]["total"] == 0


def test_search_sorts_and_pages(api, make_record, indexed):
    for title in ("Charlie", "Alpha", "Bravo"):
        with indexed():
            make_record(title=title)
    titles = [
        h["metadata"]["title"] for h in api.get("/api/records", {"sort": "title"}).json()["hits"]["hits"]
    ]
    assert titles == ["Alpha", "Bravo", "Charlie"]
    newest = api.get("/api/records", {"sort": "newest", "size": 1}).json()
    assert newest["hits"]["total"] == 3 and len(newest["hits"]["hits"]) == 1
    assert newest["hits"]["hits"][0]["metadata"]["title"] == "Bravo"
    assert "next" in newest["links"] and "prev" not in newest["links"]
    oldest = api.get("/api/records", {"sort": "oldest", "size": 1, "page": 3}).json()
    assert oldest["hits"]["hits"][0]["metadata"]["title"] == "Bravo"
    assert "prev" in oldest["links"] and "next" not in oldest["links"]


@pytest.mark.parametrize(
    "params,field",
    [
        ({"sort": "random"}, "sort"),
        ({"size": "1000"}, "size"),
        ({"size": "0"}, "size"),
        ({"page": "x"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "5000", "size": "100"}, "page"),
    ],
)
def test_invalid_search_parameters_are_a_400_naming_the_parameter(api, params, field):
    response = api.get("/api/records", params)
    assert response.status_code == 400
    assert error_fields(response) == {field}


def test_user_records_lists_my_drafts_and_records(api_as, owner, other, make_record, make_draft, indexed):
    with indexed():
        record = make_record()
        draft = make_draft(title="Work in progress")
        make_record(other)
    body = api_as(owner).get("/api/user/records").json()
    assert {hit["id"] for hit in body["hits"]["hits"]} == {record.pid, draft.pid}
    assert body["hits"]["total"] == 2
    with indexed():
        services.edit_record(owner, record.pid)
    hits = api_as(owner).get("/api/user/records").json()["hits"]["hits"]
    assert sorted((hit["id"], hit["is_draft"]) for hit in hits) == sorted(
        [(record.pid, True), (draft.pid, True)]
    )


def test_user_records_needs_login(api):
    assert api.get("/api/user/records").status_code == 401


def test_integer_keys_never_appear_in_urls(api, make_record):
    record = make_record()
    assert api.get(f"/api/records/{record.pk}").status_code == 404
    assert Record.objects.get(pid=record.pid)


def test_openapi_schema_is_generated(api):
    response = api.get("/api/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert b"/api/records/{pid}/draft/actions/publish" in response.content


def test_a_client_with_a_bearer_token_can_deposit_and_publish(api, owner):
    from accounts.services import create_token

    _, raw = create_token(owner, name="deposit script")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    created = api.post("/api/records", {"metadata": valid_metadata()}, format="json")
    assert created.status_code == 201
    pid = created.json()["id"]
    assert upload(api, pid, "data.bin", b"\x00\x01").status_code == 200
    assert api.post(f"/api/records/{pid}/draft/actions/publish").status_code == 202
    assert services.get_record(owner, pid).parent.owner == owner


def test_an_invalid_bearer_token_is_a_401(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.post("/api/records", {"metadata": {}}, format="json").status_code == 401


def test_uploads_larger_than_the_request_body_limit_stream_through(api_as, owner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = api_as(owner)
    pid = client.post("/api/records", {"metadata": {}}, format="json").json()["id"]
    client.post(f"/api/records/{pid}/draft/files", [{"key": "big.bin"}], format="json")
    content = b"0123456789" * 100_000
    response = client.put(
        f"/api/records/{pid}/draft/files/big.bin/content", content, content_type="application/octet-stream"
    )
    assert response.status_code == 200
    assert response.json()["size"] == len(content)
