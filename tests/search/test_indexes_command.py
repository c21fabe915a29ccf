"""``manage.py rdm_index`` covers every index, and the vocabularies index follows entry changes."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.services import create_user
from communities import services as communities
from rdm.search import search
from rdm.search.backends import get_search_backend
from rdm.search.index import get_index
from rdm.search.models import SearchDocument
from vocabularies import services as vocabularies

pytestmark = pytest.mark.django_db

EVERY_INDEX = ("communities", "drafts", "groups", "members", "records", "users", "vocabularies")


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("rdm_index", *args, stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def unindexed_community(db):
    # Created without running on-commit callbacks: nothing reached the index.
    owner = create_user(email="owner@example.org", password="secret-pass-1", email_verified=True)
    data = {"slug": "reef", "metadata": {"title": "Coral reef"}, "access": {"visibility": "public"}}
    return communities.create_community(owner, data)


def test_status_lists_every_index(db):
    output = run("status")
    listed = {line.split(":")[0] for line in output.splitlines()}
    assert set(EVERY_INDEX) <= listed


def test_rebuild_of_the_communities_index_only(unindexed_community):
    assert search("communities", "reef").total == 0

    output = run("rebuild", "--index", "communities")

    assert "communities: 1 documents written." in output
    assert [hit["slug"] for hit in search("communities", "reef").hits] == ["reef"]
    assert get_search_backend().count(get_index("users")) == 0  # other indexes untouched


def test_check_finds_a_tampered_community_document(unindexed_community):
    run("rebuild", "--index", "communities")
    assert "communities: OK" in run("check", "--index", "communities")
    row = SearchDocument.objects.get(index="communities", doc_id=str(unindexed_community.uuid))
    row.document = {**row.document, "slug": "tampered"}
    row.save(update_fields=["document"])

    with pytest.raises(CommandError, match="differ from the database"):
        run("check", "--index", "communities")


def test_full_rebuild_then_check_is_clean_for_every_index(unindexed_community):
    run("rebuild")
    output = run("check")
    for name in EVERY_INDEX:
        assert f"{name}: OK" in output
    assert get_search_backend().count(get_index("vocabularies")) > 0
    assert get_search_backend().count(get_index("members")) == 1


def test_vocabulary_entries_are_searchable_by_vocabulary(db):
    run("rebuild", "--index", "vocabularies")
    result = search("vocabularies", "dataset", filters={"vocabulary": "resourcetypes"})
    assert "dataset" in {hit["id"] for hit in result.hits}
    assert {hit["type"] for hit in result.hits} == {"resourcetypes"}


def test_vocabulary_changes_reach_the_index(db, django_capture_on_commit_callbacks):
    staff = create_user(email="staff@example.org", password="secret-pass-1", is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        vocabularies.create_entry(staff, "licenses", "ocean-1.0", {"en": "Ocean licence"})
    assert [hit["id"] for hit in search("vocabularies", "ocean").hits] == ["ocean-1.0"]
    with django_capture_on_commit_callbacks(execute=True):
        vocabularies.rename_entry(staff, "licenses", "ocean-1.0", {"en": "Sea licence"})
    assert search("vocabularies", "title:ocean").total == 0
    assert [hit["id"] for hit in search("vocabularies", "title:sea").hits] == ["ocean-1.0"]
