"""Security audit of records: every endpoint denies as carefully as it allows.

Invisible objects (someone else's draft, a restricted record, a pid that does not exist) answer 404;
visible objects the caller may not change answer 403; input never sets what the service owns.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rdm.records import services
from rdm.records.models import Draft, Record

from .conftest import valid_metadata

pytestmark = pytest.mark.django_db

JS_LINK = "javascript://example.org/%0aalert(document.domain)"


# --- stored XSS through links --------------------------------------------------------------------

def test_custom_license_link_with_javascript_scheme_is_not_publishable(make_draft, owner):
    draft = make_draft(rights=[{"title": {"en": "My licence"}, "link": JS_LINK}])

    with pytest.raises(ValidationError) as error:
        services.publish_draft(owner, draft.pid)

    assert "metadata.rights.0.link" in error.value.message_dict
    assert not Record.objects.filter(pid=draft.pid).exists()


def test_custom_license_link_with_https_is_published(make_draft, owner):
    draft = make_draft(rights=[{"title": {"en": "My licence"}, "link": "https://example.org/licence"}])

    record = services.publish_draft(owner, draft.pid)

    assert record.metadata["rights"][0]["link"] == "https://example.org/licence"


def test_draft_preview_never_renders_a_javascript_license_link(make_draft, owner):
    draft = make_draft(rights=[{"title": {"en": "My licence"}, "link": JS_LINK}])
    client = Client()
    client.force_login(owner)

    response = client.get(f"/records/{draft.pid}?preview=1")

    assert response.status_code == 200
    assert "My licence" in response.content.decode()
    assert "javascript:" not in response.content.decode()


EVIL_HTML = ('<p>Fine words</p><script>alert(1)</script><img src=x onerror="alert(2)">'
             '<a href="javascript:alert(3)">click</a>')


def test_descriptions_and_title_cannot_inject_html_into_the_landing_page(make_record):
    record = make_record(
        title='<img src=x onerror="alert(4)">Ocean', description=EVIL_HTML,
        additional_descriptions=[{"description": EVIL_HTML, "type": {"id": "methods"}}],
    )

    html = Client().get(f"/records/{record.pid}").content.decode()

    assert html.count("<p>Fine words</p>") == 2
    assert "<script>alert(1)" not in html
    assert 'onerror="alert(2)"' not in html
    assert 'onerror="alert(4)"' not in html
    assert "javascript:alert(3)" not in html
    assert "&lt;img src=x" in html


# --- someone else's draft ------------------------------------------------------------------------

def test_other_user_cannot_publish_someone_elses_draft(make_draft, other, api_as):
    draft = make_draft()

    response = api_as(other).post(f"/api/records/{draft.pid}/draft/actions/publish")

    assert response.status_code == 404
    assert Draft.objects.filter(pid=draft.pid).exists()
    assert not Record.objects.filter(pid=draft.pid).exists()


def test_anonymous_cannot_publish_a_draft(make_draft, api):
    draft = make_draft()

    response = api.post(f"/api/records/{draft.pid}/draft/actions/publish")

    assert response.status_code == 404
    assert not Record.objects.filter(pid=draft.pid).exists()


def test_owner_can_publish_own_draft(make_draft, owner, api_as):
    draft = make_draft()

    response = api_as(owner).post(f"/api/records/{draft.pid}/draft/actions/publish")

    assert response.status_code == 202
    assert Record.objects.filter(pid=draft.pid).exists()


@pytest.mark.parametrize("method, path, body", [
    ("get", "/draft", None),
    ("put", "/draft", {"metadata": {"title": "Hijacked"}}),
    ("delete", "/draft", None),
    ("get", "/draft/files", None),
    ("post", "/draft/files", [{"key": "evil.txt"}]),
    ("get", "/draft/files/data.csv", None),
    ("delete", "/draft/files/data.csv", None),
    ("get", "/draft/files/data.csv/content", None),
    ("post", "/draft/files/data.csv/commit", None),
    ("post", "/draft/actions/files-import", None),
])
def test_other_user_gets_404_on_every_draft_endpoint(make_draft, other, api_as, method, path, body):
    draft = make_draft()

    response = getattr(api_as(other), method)(f"/api/records/{draft.pid}{path}", body, format="json")

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.metadata["title"] == "Ocean temperatures 2020"
    assert list(draft.file_entries.values_list("key", flat=True)) == ["data.csv"]


def test_pending_edit_of_a_public_record_stays_hidden_from_its_readers(make_record, owner, other, api_as):
    record = make_record()
    services.edit_record(owner, record.pid)
    services.update_draft(owner, record.pid, {"metadata": valid_metadata(title="Unreleased new title")})
    client = Client()
    client.force_login(other)

    assert api_as(other).get(f"/api/records/{record.pid}/draft").status_code == 404
    assert client.get(f"/records/{record.pid}?preview=1").status_code == 404
    assert client.get(f"/records/{record.pid}/files/data.csv?preview=1").status_code == 404
    assert "Unreleased new title" not in api_as(other).get(f"/api/records/{record.pid}").content.decode()
    assert "Unreleased new title" not in client.get(f"/records/{record.pid}").content.decode()


def test_other_user_cannot_upload_bytes_into_someone_elses_pending_file(owner, other, api_as):
    draft = services.create_draft(owner, {"metadata": valid_metadata()})
    services.init_files(owner, draft.pid, ["data.csv"])

    response = api_as(other).put(
        f"/api/records/{draft.pid}/draft/files/data.csv/content", b"evil",
        content_type="application/octet-stream",
    )

    assert response.status_code == 404
    assert draft.file_entries.get(key="data.csv").blob is None


def test_nonexistent_pid_gives_404_on_reads_and_actions(owner, api_as):
    client = api_as(owner)

    assert client.get("/api/records/zzzzz-zzzzz").status_code == 404
    assert client.get("/api/records/zzzzz-zzzzz/draft").status_code == 404
    assert client.post("/api/records/zzzzz-zzzzz/draft").status_code == 404
    assert client.post("/api/records/zzzzz-zzzzz/draft/actions/publish").status_code == 404
    assert client.post("/api/records/zzzzz-zzzzz/versions").status_code == 404
    assert client.get("/api/records/zzzzz-zzzzz/versions/latest").status_code == 404


# --- published records ---------------------------------------------------------------------------

def test_reader_of_a_public_record_gets_403_on_edit_and_new_version(make_record, other, api_as):
    record = make_record()
    client = api_as(other)

    assert client.post(f"/api/records/{record.pid}/draft").status_code == 403
    assert client.post(f"/api/records/{record.pid}/versions").status_code == 403
    assert not Draft.objects.filter(parent=record.parent).exists()


@pytest.mark.parametrize("path", [
    "", "/versions", "/versions/latest", "/files", "/files/data.csv", "/files/data.csv/content",
])
def test_restricted_record_is_404_for_outsiders_on_the_api(make_record, other, api_as, path):
    record = make_record(access={"record": "restricted", "files": "restricted"})

    assert api_as(other).get(f"/api/records/{record.pid}{path}").status_code == 404
    assert api_as(None).get(f"/api/records/{record.pid}{path}").status_code == 404


@pytest.mark.parametrize("path", ["", "/latest", "/files/data.csv", "/export/json"])
def test_restricted_record_is_404_for_outsiders_on_pages(make_record, other, path):
    record = make_record(access={"record": "restricted", "files": "restricted"})
    client = Client()
    client.force_login(other)

    assert client.get(f"/records/{record.pid}{path}").status_code == 404
    assert Client().get(f"/records/{record.pid}{path}").status_code == 404


def test_restricted_record_stays_404_for_outsiders_on_edit_pages(make_record, other):
    record = make_record(access={"record": "restricted", "files": "restricted"})
    client = Client()
    client.force_login(other)

    assert client.post(f"/records/{record.pid}/edit").status_code == 404
    assert client.post(f"/records/{record.pid}/new-version").status_code == 404
    assert client.get(f"/uploads/{record.pid}").status_code == 404


def test_restricted_files_of_a_public_record_are_404_for_outsiders(make_record, other, owner, api_as):
    record = make_record(access={"record": "public", "files": "restricted"})

    assert api_as(other).get(f"/api/records/{record.pid}/files/data.csv/content").status_code == 404
    assert api_as(owner).get(f"/api/records/{record.pid}/files/data.csv/content").status_code == 200


def test_old_version_pid_does_not_reach_a_newer_restricted_version(make_record, owner, other, api_as):
    first = make_record()
    draft = services.new_version(owner, first.pid)
    services.update_draft(owner, draft.pid, {"access": {"record": "restricted", "files": "restricted"}})
    services.add_files(owner, draft.pid, [_upload("data.csv")])
    services.update_draft(owner, draft.pid, {"metadata": valid_metadata(version="v2")})
    second = services.publish_draft(owner, draft.pid)

    body = api_as(other).get(f"/api/records/{first.pid}/versions").json()

    assert [hit["id"] for hit in body["hits"]["hits"]] == [first.pid]
    assert api_as(other).get(f"/api/records/{first.pid}/versions/latest").status_code == 404
    assert api_as(owner).get(f"/api/records/{first.pid}/versions/latest")["Location"].endswith(second.pid)


def _upload(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"x,y\n")


# --- mass assignment -----------------------------------------------------------------------------

def test_draft_put_cannot_set_owner_pids_publication_state_or_dates(make_draft, owner, other, api_as):
    draft = make_draft()
    created = draft.created

    response = api_as(owner).put(f"/api/records/{draft.pid}/draft", {
        "id": "aaaaa-aaaaa", "pid": "aaaaa-aaaaa", "is_published": True, "created": "2000-01-01T00:00:00Z",
        "parent": {"id": "bbbbb-bbbbb", "access": {"owned_by": [{"user": other.pk}]}},
        "access": {"record": "public", "files": "public", "owned_by": [{"user": other.pk}],
                   "grants": [{"subject": {"type": "user", "id": str(other.pk)}, "permission": "manage"}]},
        "pids": {"doi": {"identifier": "10.1234/x"}}, "metadata": valid_metadata(),
    }, format="json")

    assert response.status_code == 200
    draft = Draft.objects.get(pk=draft.pk)
    assert draft.pid != "aaaaa-aaaaa" and draft.parent.pid != "bbbbb-bbbbb"
    assert draft.parent.owner == owner
    assert draft.created == created
    assert not Record.objects.filter(pid=draft.pid).exists()
    assert api_as(other).get(f"/api/records/{draft.pid}/draft").status_code == 404


# --- files ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["..", ".", "a/b.csv", "..\\evil", "bad\nname", "x" * 256])
def test_file_keys_with_path_tricks_are_refused(owner, key):
    draft = services.create_draft(owner, {"metadata": valid_metadata()})

    with pytest.raises(ValidationError):
        services.init_files(owner, draft.pid, [key])

    assert not draft.file_entries.exists()


def test_upload_over_the_size_limit_is_refused_and_not_stored(owner, settings, api_as):
    settings.RDM_MAX_FILE_SIZE = 10
    draft = services.create_draft(owner, {"metadata": valid_metadata()})
    services.init_files(owner, draft.pid, ["data.csv"])

    response = api_as(owner).put(
        f"/api/records/{draft.pid}/draft/files/data.csv/content", b"x" * 11,
        content_type="application/octet-stream",
    )

    assert response.status_code == 400
    assert draft.file_entries.get(key="data.csv").blob is None


# --- CSRF ----------------------------------------------------------------------------------------

def test_session_authenticated_api_post_without_csrf_token_is_refused(make_draft, owner):
    draft = make_draft()
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(f"/api/records/{draft.pid}/draft/actions/publish")

    assert response.status_code == 403
    assert not Record.objects.filter(pid=draft.pid).exists()


def test_page_post_without_csrf_token_is_refused(make_draft, owner):
    draft = make_draft()
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(f"/uploads/{draft.pid}/delete")

    assert response.status_code == 403
    assert Draft.objects.filter(pid=draft.pid).exists()


# --- deactivated users ---------------------------------------------------------------------------

def test_session_of_a_deactivated_owner_no_longer_reaches_their_draft(make_draft, owner):
    draft = make_draft()
    client = Client()
    client.force_login(owner)
    owner.is_active = False
    owner.save()

    assert client.get(f"/api/records/{draft.pid}/draft").status_code == 404
    assert client.post(f"/api/records/{draft.pid}/draft/actions/publish").status_code == 404
    assert not Record.objects.filter(pid=draft.pid).exists()


# --- request size --------------------------------------------------------------------------------

def test_json_body_over_the_upload_memory_limit_is_refused(make_draft, owner, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    draft = make_draft()
    huge = {"metadata": valid_metadata(description="x" * 5000)}

    response = api_as(owner).put(f"/api/records/{draft.pid}/draft", huge, format="json")

    assert response.status_code in (400, 413)
    draft.refresh_from_db()
    assert "description" not in draft.metadata


def test_json_body_under_the_limit_is_accepted(make_draft, owner, api_as, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    draft = make_draft()

    response = api_as(owner).put(f"/api/records/{draft.pid}/draft",
                                 {"metadata": valid_metadata(description="x" * 5000)}, format="json")

    assert response.status_code == 200
