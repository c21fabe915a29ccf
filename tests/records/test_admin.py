import pytest
from django.contrib.auth import get_user_model

from rdm.records.models import Draft, Record

from .conftest import future

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser(email="admin@example.org", password="x")
    client.force_login(admin)
    return client


def test_staff_can_search_records_by_pid_and_title(admin_client, make_record):
    wanted = make_record(title="Glacier melt")
    make_record(title="Desert winds")
    by_title = admin_client.get("/admin/records/record/", {"q": "glacier"})
    assert by_title.status_code == 200
    assert wanted.pid.encode() in by_title.content and b"Desert winds" not in by_title.content
    by_pid = admin_client.get("/admin/records/record/", {"q": wanted.pid})
    assert b"Glacier melt" in by_pid.content


def test_record_detail_shows_metadata_read_only(admin_client, make_record):
    record = make_record(title="Glacier melt")
    response = admin_client.get(f"/admin/records/record/{record.pk}/change/")
    assert response.status_code == 200
    assert b"Glacier melt" in response.content
    assert b'name="_save"' not in response.content


def test_publish_action_calls_the_service(admin_client, make_draft, owner):
    ready = make_draft()
    incomplete = make_draft(title="ab")
    response = admin_client.post(
        "/admin/records/draft/",
        {
            "action": "publish",
            "_selected_action": [ready.pk, incomplete.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert Record.objects.filter(pid=ready.pid).exists()
    assert not Record.objects.filter(pid=incomplete.pid).exists()
    assert Draft.objects.filter(pid=incomplete.pid).exists()
    assert b"metadata.title" in response.content


def test_lift_embargo_action(admin_client, make_record):
    record = make_record(access={"embargo": {"active": True, "until": future(), "reason": "x"}})
    admin_client.post(
        "/admin/records/record/", {"action": "lift_embargo_now", "_selected_action": [record.pk]}
    )
    record.refresh_from_db()
    assert not record.embargo_active and record.access_files == "public"


def test_staff_can_search_drafts_and_open_one(admin_client, make_draft):
    draft = make_draft(title="Unfinished survey")
    listing = admin_client.get("/admin/records/draft/", {"q": "survey"})
    assert listing.status_code == 200 and draft.pid.encode() in listing.content
    detail = admin_client.get(f"/admin/records/draft/{draft.pk}/change/")
    assert detail.status_code == 200 and b"data.csv" in detail.content
