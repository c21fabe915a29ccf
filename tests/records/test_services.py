import datetime
import hashlib
import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from rdm.records import services, signals
from rdm.records.models import Draft, FileBlob, Record, RecordFile, RecordParent
from rdm.records.pids import PID_PATTERN

from .conftest import future, valid_metadata

pytestmark = pytest.mark.django_db


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def test_a_new_draft_gets_a_short_random_pid_and_a_parent(owner):
    draft = services.create_draft(owner, {"metadata": {"title": "Half done"}})
    assert re.fullmatch(PID_PATTERN, draft.pid)
    assert draft.parent.owner == owner
    assert draft.parent.pid != draft.pid


def test_anonymous_users_cannot_create_drafts(db):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.create_draft(AnonymousUser(), {"metadata": {}})


def test_an_incomplete_draft_is_saved_and_its_errors_are_reported(owner):
    draft = services.create_draft(owner, {"metadata": {"title": "ab"}})
    errors = services.validate_draft(draft)
    assert draft.metadata == {"title": "ab"}
    assert errors["metadata.title"] == ["Shorter than minimum length 3."]
    assert errors["metadata.creators"] == ["Missing data for required field."]
    assert "files.enabled" in errors


def test_publishing_an_incomplete_draft_is_refused_and_keeps_the_draft(owner):
    draft = services.create_draft(owner, {"metadata": {"title": "A title"}, "files": {"enabled": False}})
    with pytest.raises(ValidationError) as excinfo:
        services.publish_draft(owner, draft.pid)
    assert {"metadata.creators", "metadata.resource_type", "metadata.publication_date"} <= error_fields(
        excinfo
    )
    assert Draft.objects.filter(pid=draft.pid).exists()
    assert not Record.objects.exists()


def test_publish_lifecycle_moves_the_draft_to_a_record_with_its_files(make_draft, owner):
    draft = make_draft()
    record = services.publish_draft(owner, draft.pid)
    assert record.pid == draft.pid
    assert record.is_latest and record.version_index == 1
    assert not Draft.objects.filter(pid=draft.pid).exists()
    assert [entry.key for entry in record.file_entries.all()] == ["data.csv"]
    assert services.get_record(owner, record.pid) == record


def test_publish_without_files_is_refused_unless_metadata_only(owner):
    draft = services.create_draft(owner, {"metadata": valid_metadata()})
    with pytest.raises(ValidationError) as excinfo:
        services.publish_draft(owner, draft.pid)
    assert error_fields(excinfo) == {"files.enabled"}
    services.update_draft(owner, draft.pid, {"metadata": valid_metadata(), "files": {"enabled": False}})
    record = services.publish_draft(owner, draft.pid)
    assert record.access_status() == "metadata-only"


def test_publish_with_an_uncommitted_upload_is_refused(owner):
    draft = services.create_draft(owner, {"metadata": valid_metadata()})
    services.init_files(owner, draft.pid, ["late.txt"])
    with pytest.raises(ValidationError) as excinfo:
        services.publish_draft(owner, draft.pid)
    assert error_fields(excinfo) == {"files.entries"}


def test_editing_a_published_record_uses_the_same_pid_and_republishing_updates_it(make_record, owner):
    record = make_record()
    draft = services.edit_record(owner, record.pid)
    assert draft.pid == record.pid and draft.record == record
    assert services.edit_record(owner, record.pid) == draft  # the open edit is reused
    services.update_draft(owner, draft.pid, {"metadata": valid_metadata(title="Corrected title")})
    assert services.get_record(owner, record.pid).title == "Ocean temperatures 2020"
    republished = services.publish_draft(owner, draft.pid)
    assert republished.pk == record.pk
    assert republished.title == "Corrected title"
    assert republished.revision_id > record.revision_id
    assert [entry.key for entry in republished.file_entries.all()] == ["data.csv"]


def test_discarding_an_edit_keeps_the_published_record(make_record, owner):
    record = make_record()
    services.edit_record(owner, record.pid)
    services.delete_draft(owner, record.pid)
    assert Record.objects.filter(pk=record.pk).exists()
    assert record.file_entries.get().blob.file.storage.exists(record.file_entries.get().blob.file.name)


def test_files_of_a_published_record_cannot_change_in_an_edit(make_record, owner):
    record = make_record()
    draft = services.edit_record(owner, record.pid)
    with pytest.raises(ValidationError) as excinfo:
        services.init_files(owner, draft.pid, ["more.txt"])
    assert error_fields(excinfo) == {"files"}
    with pytest.raises(ValidationError):
        services.update_draft(owner, draft.pid, {"metadata": valid_metadata(), "files": {"enabled": False}})


def test_new_version_gets_a_new_pid_same_parent_and_no_files(make_record, owner):
    first = make_record(version="1.0")
    draft = services.new_version(owner, first.pid)
    assert draft.pid != first.pid
    assert draft.parent == first.parent
    assert draft.version_index == 2
    assert not draft.file_entries.exists()
    assert "publication_date" not in draft.metadata and "version" not in draft.metadata
    assert draft.metadata["title"] == first.title


def test_new_version_returns_the_open_new_version_draft(make_record, owner):
    first = make_record()
    assert services.new_version(owner, first.pid) == services.new_version(owner, first.pid)


def test_new_version_can_copy_files_by_linking_the_same_blobs(make_record, owner):
    first = make_record()
    draft = services.new_version(owner, first.pid, copy_files=True)
    assert draft.file_entries.get().blob == first.file_entries.get().blob
    assert FileBlob.objects.count() == 1


def test_files_import_links_the_previous_versions_files(make_record, owner):
    first = make_record()
    draft = services.new_version(owner, first.pid)
    entries = services.import_files(owner, draft.pid)
    assert [entry.key for entry in entries] == ["data.csv"]
    with pytest.raises(ValidationError):
        services.import_files(owner, draft.pid)


def test_publishing_a_new_version_makes_it_the_latest(make_record, owner):
    first = make_record()
    draft = services.new_version(owner, first.pid)
    services.update_draft(owner, draft.pid, {"metadata": valid_metadata(title="Second edition")})
    services.add_files(owner, draft.pid, [SimpleUploadedFile("v2.csv", b"x")])
    second = services.publish_draft(owner, draft.pid)
    first.refresh_from_db()
    assert second.is_latest and not first.is_latest
    assert services.latest_version(owner, first.pid) == second
    assert [r.pid for r in services.list_versions(None, first.pid)] == [second.pid, first.pid]
    assert RecordParent.objects.count() == 1


def test_deleting_a_new_draft_removes_it_its_parent_and_its_bytes(
    make_draft,
    owner,
    django_capture_on_commit_callbacks,
):
    draft = make_draft()
    blob = draft.file_entries.get().blob
    name = blob.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_draft(owner, draft.pid)
    assert not Draft.objects.exists() and not RecordParent.objects.exists()
    assert not FileBlob.objects.exists()
    assert not default_storage.exists(name)


def test_someone_elses_draft_is_not_found(make_draft, other):
    draft = make_draft()
    for action in (services.get_draft, services.delete_draft, services.publish_draft):
        with pytest.raises(Http404):
            action(other, draft.pid)
    with pytest.raises(Http404):
        services.update_draft(other, draft.pid, {"metadata": {}})


def test_staff_can_manage_any_draft(make_draft, staff):
    draft = make_draft()
    assert services.get_draft(staff, draft.pid) == draft
    assert services.publish_draft(staff, draft.pid).pid == draft.pid


def test_other_users_may_see_but_not_edit_or_version_a_public_record(make_record, other):
    record = make_record()
    assert services.get_record(other, record.pid) == record
    with pytest.raises(PermissionDenied):
        services.edit_record(other, record.pid)
    with pytest.raises(PermissionDenied):
        services.new_version(other, record.pid)


def test_upload_computes_size_md5_and_mimetype(owner):
    draft = services.create_draft(owner, {"metadata": {}})
    content = b"col\n" * 50_000
    services.init_files(owner, draft.pid, ["table.csv"])
    entry = services.upload_file_content(owner, draft.pid, "table.csv", io.BytesIO(content))
    assert entry.status == "pending"
    assert entry.blob.size == len(content)
    assert entry.blob.checksum == "md5:" + hashlib.md5(content).hexdigest()
    assert entry.blob.mimetype == "text/csv"
    assert services.commit_file(owner, draft.pid, "table.csv").status == "completed"
    with entry.open() as handle:
        assert handle.read() == content


def test_upload_reads_the_stream_in_chunks(owner):
    class ChunkOnlyStream(io.BytesIO):
        def read(self, size=-1):
            assert 0 < size <= 1024 * 1024, "the whole stream was requested at once"
            return super().read(size)

    draft = services.create_draft(owner, {"metadata": {}})
    services.init_files(owner, draft.pid, ["big.bin"])
    entry = services.upload_file_content(owner, draft.pid, "big.bin", ChunkOnlyStream(b"z" * 300_000))
    assert entry.blob.size == 300_000


def stored_files(root) -> set:
    return {path for path in Path(root).rglob("*") if path.is_file()}


def test_upload_over_the_size_limit_is_refused_and_leaves_no_bytes(owner, settings, tmp_path):
    settings.RDM_MAX_FILE_SIZE = 1000
    settings.MEDIA_ROOT = str(tmp_path)
    draft = services.create_draft(owner, {"metadata": {}})
    services.init_files(owner, draft.pid, ["huge.bin"])
    with pytest.raises(ValidationError) as excinfo:
        services.upload_file_content(owner, draft.pid, "huge.bin", io.BytesIO(b"x" * 5000))
    assert error_fields(excinfo) == {"content"}
    assert not FileBlob.objects.exists()
    assert stored_files(tmp_path) == set()
    with pytest.raises(ValidationError):
        services.upload_file_content(owner, draft.pid, "huge.bin", io.BytesIO(b"x"), content_length=5000)


@pytest.mark.parametrize("key", ["", "a/b.txt", "..", ".", "back\\slash", "x" * 256, "tab\there"])
def test_bad_file_names_are_refused(owner, key):
    draft = services.create_draft(owner, {"metadata": {}})
    with pytest.raises(ValidationError) as excinfo:
        services.init_files(owner, draft.pid, [key])
    assert error_fields(excinfo) == {"0.key"}


def test_duplicate_file_names_are_refused(owner):
    draft = services.create_draft(owner, {"metadata": {}})
    services.init_files(owner, draft.pid, ["a.txt"])
    with pytest.raises(ValidationError) as excinfo:
        services.init_files(owner, draft.pid, ["b.txt", "a.txt"])
    assert error_fields(excinfo) == {"1.key"}


def test_committing_without_content_is_refused(owner):
    draft = services.create_draft(owner, {"metadata": {}})
    services.init_files(owner, draft.pid, ["empty.txt"])
    with pytest.raises(ValidationError):
        services.commit_file(owner, draft.pid, "empty.txt")


def test_metadata_only_drafts_refuse_uploads(owner):
    draft = services.create_draft(owner, {"metadata": {}, "files": {"enabled": False}})
    with pytest.raises(ValidationError) as excinfo:
        services.init_files(owner, draft.pid, ["a.txt"])
    assert error_fields(excinfo) == {"files.enabled"}


def test_deleting_a_draft_file_keeps_blobs_a_record_still_uses(make_record, owner):
    first = make_record()
    draft = services.new_version(owner, first.pid, copy_files=True)
    services.delete_draft_file(owner, draft.pid, "data.csv")
    assert RecordFile.objects.get(record=first).blob.pk is not None
    assert FileBlob.objects.count() == 1


def test_add_files_replaces_a_file_with_the_same_name(owner):
    draft = services.create_draft(owner, {"metadata": {}})
    services.add_files(owner, draft.pid, [SimpleUploadedFile("a.txt", b"one")])
    services.add_files(owner, draft.pid, [SimpleUploadedFile("a.txt", b"three")])
    assert draft.file_entries.get().blob.size == 5
    assert FileBlob.objects.count() == 1


def test_signals_are_sent_after_commit(make_draft, owner, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, **kwargs):
        received.append((sender, kwargs["record"]))

    signals.record_published.connect(listener)
    try:
        draft = make_draft()
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.publish_draft(owner, draft.pid)
        assert received == []
        for callback in callbacks:
            callback()
        assert received and received[0][0] is Record and received[0][1].pid == draft.pid
    finally:
        signals.record_published.disconnect(listener)


def test_draft_saved_and_deleted_signals(owner, django_capture_on_commit_callbacks):
    saved, deleted = [], []

    def on_saved(sender, draft, **kwargs):
        saved.append(draft.pid)

    def on_deleted(sender, pid, **kwargs):
        deleted.append(pid)

    signals.draft_saved.connect(on_saved)
    signals.draft_deleted.connect(on_deleted)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            draft = services.create_draft(owner, {"metadata": {}})
        with django_capture_on_commit_callbacks(execute=True):
            services.delete_draft(owner, draft.pid)
    finally:
        signals.draft_saved.disconnect(on_saved)
        signals.draft_deleted.disconnect(on_deleted)
    assert saved == [draft.pid] and deleted == [draft.pid]


def test_user_records_lists_drafts_and_latest_records(make_record, make_draft, owner, other):
    record = make_record()
    draft = make_draft(title="Unfinished work")
    make_record(other)
    mine = services.list_user_records(owner)
    assert [d.pid for d in mine["drafts"]] == [draft.pid]
    assert [r.pid for r in mine["records"]] == [record.pid]


def test_update_without_metadata_keeps_the_metadata(make_draft, owner):
    draft = make_draft()
    services.update_draft(owner, draft.pid, {"access": {"record": "restricted", "files": "restricted"}})
    draft.refresh_from_db()
    assert draft.title == "Ocean temperatures 2020" and draft.access_record == "restricted"


def test_an_expired_but_not_yet_lifted_embargo_does_not_block_editing(make_record, owner):
    embargo = {"active": True, "until": future(), "reason": "Thesis"}
    record = make_record(access={"record": "public", "files": "restricted", "embargo": embargo})
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Record.objects.filter(pk=record.pk).update(embargo_until=yesterday)
    draft = services.edit_record(owner, record.pid)
    expired = {**embargo, "until": yesterday.isoformat()}
    services.update_draft(
        owner,
        draft.pid,
        {
            "metadata": valid_metadata(title="Fixed typo"),
            "access": {"files": "restricted", "embargo": expired},
        },
    )
    assert services.publish_draft(owner, draft.pid).title == "Fixed typo"
    with pytest.raises(ValidationError):  # a new past date is still refused
        draft = services.edit_record(owner, record.pid)
        past = {**embargo, "until": (yesterday - datetime.timedelta(days=1)).isoformat()}
        services.update_draft(owner, draft.pid, {"access": {"embargo": past}})
