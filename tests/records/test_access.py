"""Every access rule, for owner, other user, anonymous and staff, on the API and file downloads."""

import datetime

import pytest
from django.utils import timezone

from rdm.records import permissions, services
from rdm.records.models import Record
from rdm.records.tasks import lift_embargoes

from .conftest import future

pytestmark = pytest.mark.django_db

RESTRICTED = {"record": "restricted", "files": "restricted"}
FILES_RESTRICTED = {"record": "public", "files": "restricted"}


@pytest.fixture
def clients(api_as, owner, other, staff):
    return {"owner": api_as(owner), "other": api_as(other), "anonymous": api_as(None), "staff": api_as(staff)}


def record_urls(pid):
    return [f"/api/records/{pid}", f"/api/records/{pid}/versions", f"/api/records/{pid}/versions/latest"]


def file_urls(pid):
    return [
        f"/api/records/{pid}/files",
        f"/api/records/{pid}/files/data.csv",
        f"/api/records/{pid}/files/data.csv/content",
    ]


def statuses(client, urls):
    return {client.get(url).status_code for url in urls}


@pytest.mark.parametrize("who", ["owner", "staff", "other", "anonymous"])
def test_public_record_and_files_are_visible_to_everyone(clients, make_record, who):
    record = make_record()
    assert statuses(clients[who], record_urls(record.pid)) <= {200, 302}
    assert statuses(clients[who], file_urls(record.pid)) == {200}


@pytest.mark.parametrize(
    "who,visible", [("owner", True), ("staff", True), ("other", False), ("anonymous", False)]
)
def test_restricted_record_is_404_for_everyone_but_owner_and_staff(clients, make_record, who, visible):
    record = make_record(access=RESTRICTED)
    expected_record = {200, 302} if visible else {404}
    assert statuses(clients[who], record_urls(record.pid)) <= expected_record
    assert statuses(clients[who], file_urls(record.pid)) == ({200} if visible else {404})


@pytest.mark.parametrize(
    "who,visible", [("owner", True), ("staff", True), ("other", False), ("anonymous", False)]
)
def test_restricted_files_hide_only_the_files(clients, make_record, who, visible):
    record = make_record(access=FILES_RESTRICTED)
    response = clients[who].get(f"/api/records/{record.pid}")
    assert response.status_code == 200
    assert response.json()["access"]["status"] == "metadata-only"
    assert response.json()["files"]["count"] == 1
    assert ("entries" in response.json()["files"]) is visible
    assert statuses(clients[who], file_urls(record.pid)) == ({200} if visible else {404})


@pytest.mark.parametrize(
    "who,visible", [("owner", True), ("staff", True), ("other", False), ("anonymous", False)]
)
def test_drafts_are_404_for_everyone_but_owner_and_staff(clients, make_draft, who, visible):
    draft = make_draft()
    client = clients[who]
    base = f"/api/records/{draft.pid}/draft"
    expected = {200} if visible else {404}
    assert (
        statuses(client, [base, f"{base}/files", f"{base}/files/data.csv", f"{base}/files/data.csv/content"])
        == expected
    )
    assert client.get(f"/api/records/{draft.pid}").status_code == 404  # never published
    if not visible:
        assert client.put(base, {"metadata": {"title": "Hijacked"}}, format="json").status_code == 404
        assert client.post(f"{base}/actions/publish").status_code == 404
        assert client.post(f"{base}/files", [{"key": "x.txt"}], format="json").status_code == 404
        assert client.delete(f"{base}/files/data.csv").status_code == 404
        assert client.delete(base).status_code == 404
        assert services.Draft.objects.filter(
            pid=draft.pid, metadata__title="Ocean temperatures 2020"
        ).exists()


@pytest.mark.parametrize(
    "who,visible", [("owner", True), ("staff", True), ("other", False), ("anonymous", False)]
)
def test_embargoed_files_are_hidden_until_the_embargo_ends(clients, make_record, who, visible):
    record = make_record(
        access={
            "record": "public",
            "files": "public",
            "embargo": {"active": True, "until": future(), "reason": "Patent pending"},
        }
    )
    body = clients[who].get(f"/api/records/{record.pid}").json()
    assert body["access"]["status"] == "embargoed"
    assert body["access"]["embargo"] == {"active": True, "until": future(), "reason": "Patent pending"}
    assert statuses(clients[who], file_urls(record.pid)) == ({200} if visible else {404})


def test_restricted_records_are_left_out_of_search_for_others(clients, make_record,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # indexes after commit, as in production
        record = make_record(access=RESTRICTED)
    for who, expected in (("owner", 1), ("staff", 1), ("other", 0), ("anonymous", 0)):
        assert clients[who].get("/api/records").json()["hits"]["total"] == expected, who
    assert permissions.read_principals(record) == [f"user:{record.parent.owner_id}", "staff"]


def test_public_records_have_public_read_principals(make_record):
    assert permissions.read_principals(make_record()) == ["public"]


def embargoed_record(make_record, record_access="public"):
    record = make_record(
        access={
            "record": record_access,
            "files": "restricted",
            "embargo": {"active": True, "until": future(), "reason": "Thesis"},
        }
    )
    Record.objects.filter(pk=record.pk).update(
        embargo_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    return record


def test_the_periodic_task_lifts_expired_embargoes(make_record, clients, django_capture_on_commit_callbacks):
    record = embargoed_record(make_record, record_access="restricted")
    still_embargoed = make_record(
        access={
            "record": "public",
            "files": "public",
            "embargo": {"active": True, "until": future(), "reason": "Later"},
        }
    )
    changed = []
    services.record_changed.connect(
        lambda sender, record, **kw: changed.append(record.pid), weak=False, dispatch_uid="test-lift"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert lift_embargoes.delay().get() == 1
    finally:
        services.record_changed.disconnect(dispatch_uid="test-lift")
    record.refresh_from_db()
    assert (record.embargo_active, record.access_record, record.access_files) == (False, "public", "public")
    assert changed == [record.pid]
    assert clients["anonymous"].get(f"/api/records/{record.pid}/files/data.csv/content").status_code == 200
    still_embargoed.refresh_from_db()
    assert still_embargoed.embargo_active


def test_lifting_also_updates_an_open_edit(make_record, owner):
    record = embargoed_record(make_record)
    draft = services.edit_record(owner, record.pid)
    services.lift_expired_embargoes()
    draft.refresh_from_db()
    assert not draft.embargo_active and draft.access_files == "public"


def test_only_managers_can_lift_an_embargo_early(make_record, owner, other, staff):
    record = make_record(
        access={
            "record": "public",
            "files": "public",
            "embargo": {"active": True, "until": future(), "reason": "x"},
        }
    )
    with pytest.raises(services.PermissionDenied):
        services.lift_embargo(other, record.pid)
    assert services.lift_embargo(staff, record.pid).embargo_active is False


def test_superuser_counts_as_staff(db):
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser(email="root@example.org", password="x")
    assert permissions.is_staff(root)
