import pytest

from rdm.records import services
from rdm.records.serializers import record_to_dict

from .conftest import valid_metadata

pytestmark = pytest.mark.django_db


def test_vocabulary_titles_are_filled_in(make_record, owner):
    record = make_record(languages=[{"id": "eng"}], rights=[{"id": "cc-by-4.0"}])
    metadata = record_to_dict(record)["metadata"]
    assert metadata["resource_type"]["title"]["en"] == "Dataset"
    assert metadata["languages"][0]["title"]["en"]
    assert metadata["rights"][0]["title"]["en"]
    assert record.metadata["languages"] == [{"id": "eng"}]  # stored data stays ids only


def test_versions_block_for_records_and_drafts(make_record, owner):
    first = make_record()
    draft = services.new_version(owner, first.pid)
    assert record_to_dict(draft, owner)["versions"] == {
        "index": 2,
        "is_latest": False,
        "is_latest_draft": True,
    }
    assert record_to_dict(first, owner)["versions"]["is_latest"] is True


def test_owner_is_shown_to_managers_only(make_record, owner, other, staff):
    record = make_record()
    assert "access" in record_to_dict(record, owner)["parent"]
    assert "access" in record_to_dict(record, staff)["parent"]
    assert "access" not in record_to_dict(record, other)["parent"]
    assert "access" not in record_to_dict(record, None)["parent"]


def test_draft_links_point_at_the_draft_endpoints(owner):
    draft = services.create_draft(owner, {"metadata": valid_metadata()})
    links = record_to_dict(draft, owner)["links"]
    assert links["self"].endswith(f"/api/records/{draft.pid}/draft")
    assert links["self_html"].endswith(f"/uploads/{draft.pid}")
    assert links["files"].endswith(f"/api/records/{draft.pid}/draft/files")


def test_no_integer_keys_in_the_json(make_record, owner):
    record = make_record()
    data = record_to_dict(record)
    assert data["id"] == record.pid and data["parent"]["id"] == record.parent.pid
    assert str(record.pk) not in {data["id"], data["parent"]["id"]}
