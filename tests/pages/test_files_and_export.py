import json

import pytest
from django.urls import reverse

from .conftest import RESTRICTED, RESTRICTED_FILES


def download_url(pid, key="data.csv"):
    return reverse("records:file_download", args=[pid, key])


def test_anyone_downloads_a_public_file(client, make_record):
    record = make_record()

    response = client.get(download_url(record.pid))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"a,b\n1,2\n"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="data.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize(("who", "status"), [(None, 404), ("other", 404), ("owner", 200), ("staff", 200)])
def test_restricted_files_download_only_for_owner_and_staff(viewer, make_record, who, status):
    record = make_record(access=RESTRICTED_FILES)

    assert viewer(who).get(download_url(record.pid)).status_code == status


def test_embargoed_files_are_not_found_for_anonymous(viewer, make_record):
    record = make_record(access={"record": "public", "files": "restricted",
                                 "embargo": {"active": True, "until": "2999-01-01", "reason": "Paper"}})

    assert viewer(None).get(download_url(record.pid)).status_code == 404
    assert "under embargo" in viewer(None).get(reverse("records:landing", args=[record.pid])).content.decode()


def test_unknown_file_is_not_found(client, make_record):
    record = make_record()

    assert client.get(download_url(record.pid, "nope.csv")).status_code == 404


@pytest.mark.parametrize(("who", "status"), [(None, 404), ("other", 404), ("owner", 200)])
def test_draft_files_download_from_the_preview_only_for_the_owner(viewer, make_draft, who, status):
    draft = make_draft()

    assert viewer(who).get(download_url(draft.pid) + "?preview=1").status_code == status
    assert viewer(who).get(download_url(draft.pid)).status_code == 404


def test_export_json_is_an_attachment_with_the_record(client, make_record):
    record = make_record()

    response = client.get(reverse("records:export_json", args=[record.pid]))

    data = json.loads(response.content)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="{record.pid}.json"'
    assert data["id"] == record.pid
    assert data["metadata"]["title"] == "Ocean temperatures 2020"
    assert data["metadata"]["resource_type"]["title"]["en"] == "Dataset"


@pytest.mark.parametrize(("who", "status"), [(None, 404), ("other", 404), ("owner", 200), ("staff", 200)])
def test_export_of_a_restricted_record(viewer, make_record, who, status):
    record = make_record(access=RESTRICTED)

    assert viewer(who).get(reverse("records:export_json", args=[record.pid])).status_code == status


def test_export_of_a_draft_is_not_found(viewer, make_draft):
    draft = make_draft()

    assert viewer("owner").get(reverse("records:export_json", args=[draft.pid])).status_code == 404
