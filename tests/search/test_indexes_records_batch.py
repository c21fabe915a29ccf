"""The indexer loads records and drafts in batches (a fixed number of queries, plain values instead of
model instances) and builds them with the garbage collector paused; every document it builds must be
byte for byte what a single record gives."""

import gc
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities import services as community_services
from communities.models import Community
from rdm.records import services
from rdm.records.indexes import drafts_index, records_index
from rdm.records.models import Draft, Record
from rdm.search import indexer
from rdm.search.indexer import build_document
from tests.communities.conftest import community_data, make_user
from tests.records.conftest import future, valid_metadata

pytestmark = pytest.mark.django_db

RESTRICTED = {"record": "restricted", "files": "restricted"}
EMBARGOED = {"record": "public", "files": "restricted",
             "embargo": {"active": True, "until": future(), "reason": "Patent pending"}}


def draft(owner, *, files=("data.csv",), access=None, **metadata):
    data = {"metadata": valid_metadata(**metadata), "files": {"enabled": bool(files)}}
    if access:
        data["access"] = access
    created = services.create_draft(owner, data)
    uploads = [SimpleUploadedFile(key, f"{key}\n1,2\n".encode()) for key in files]
    if uploads:
        services.add_files(owner, created.pid, uploads)
    return created


def publish(owner, **options):
    return services.publish_draft(owner, draft(owner, **options).pid)


@pytest.fixture
def corpus():
    """Open, metadata-only, restricted and embargoed records; two versions of one record; records in
    communities (a default one, a second one, a deleted one); and drafts of every kind."""
    owner = make_user("owner@example.org")
    staff = make_user("staff@example.org", is_staff=True)
    ocean = community_services.create_community(staff, community_data("ocean"))
    river = community_services.create_community(staff, community_data("river", title="Rivers"))
    gone = community_services.create_community(staff, community_data("gone", title="Gone"))
    records = {
        "open": publish(owner, files=("b.csv", "a.csv"), languages=[{"id": "eng"}],
                        rights=[{"id": "cc-by-4.0"}]),
        "metadata_only": publish(owner, files=()),
        "restricted": publish(owner, access=RESTRICTED, title="Secret"),
        "embargoed": publish(owner, access=EMBARGOED),
        "first_version": publish(owner, title="First version"),
    }
    version = services.new_version(owner, records["first_version"].pid)
    services.update_draft(owner, version.pid, {"metadata": valid_metadata(title="Second version")})
    services.add_files(owner, version.pid, [SimpleUploadedFile("v2.csv", b"x\n")])
    records["second_version"] = services.publish_draft(owner, version.pid)
    records["first_version"].refresh_from_db()
    for community in (ocean, river, gone):
        community_services.include_record(staff, community, records["restricted"])
    community_services.include_record(staff, river, records["first_version"])
    Community.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    # An entry removed from its vocabulary since publication keeps its id and gets no title.
    open_record = records["open"]
    rights = [*open_record.metadata["rights"], {"id": "not-in-vocabulary"}]
    Record.objects.filter(pk=open_record.pk).update(metadata={**open_record.metadata, "rights": rights})
    drafts = {
        "new": draft(owner, files=("draft.csv",), access=RESTRICTED),
        "edit": services.edit_record(owner, records["open"].pid),
        "embargoed_edit": services.edit_record(owner, records["embargoed"].pid),
        "new_version": services.new_version(owner, records["embargoed"].pid),
    }
    services.init_files(owner, drafts["new"].pid, ["pending.csv"])  # no content (no blob) yet
    return {"records": records, "drafts": drafts, "ocean": ocean, "river": river}


def single_document(index, obj) -> str:
    """The document of a freshly fetched instance (nothing prefetched), as JSON text."""
    fresh = type(obj).objects.get(pk=obj.pk)
    return as_json(build_document(index, fresh))


def as_json(document) -> str:
    return json.dumps([document.doc_id, document.document, document.principals])


def batch_documents(index, pids: list[str]) -> dict[str, str]:
    return {pid: as_json(build_document(index, obj)) for pid, obj in index.load(pids).items()}


def test_batch_record_documents_are_the_single_record_documents(corpus):
    records = corpus["records"].values()

    batch = batch_documents(records_index, [record.pid for record in records])

    assert batch == {record.pid: single_document(records_index, record) for record in records}


def test_batch_draft_documents_are_the_single_draft_documents(corpus):
    drafts = list(Draft.objects.all())

    batch = batch_documents(drafts_index, [obj.pid for obj in drafts])

    assert len(batch) == len(drafts) == 4
    assert batch == {obj.pid: single_document(drafts_index, obj) for obj in drafts}


def test_the_corpus_covers_every_shape_the_batch_path_handles(corpus):
    pids = [record.pid for record in corpus["records"].values()]
    documents = {pid: json.loads(text) for pid, text in batch_documents(records_index, pids).items()}
    by_name = {name: documents[record.pid][1] for name, record in corpus["records"].items()}

    assert {doc["access"]["status"] for doc in by_name.values()} == {
        "open", "metadata-only", "restricted", "embargoed"}
    assert list(by_name["open"]["files"]["entries"]) == ["a.csv", "b.csv"]
    assert "entries" not in by_name["embargoed"]["files"] and by_name["embargoed"]["files"]["count"] == 1
    assert by_name["restricted"]["parent"]["communities"] == {
        "ids": [str(corpus["ocean"].uuid), str(corpus["river"].uuid)], "default": str(corpus["ocean"].uuid)}
    assert by_name["first_version"]["parent"] == by_name["second_version"]["parent"]
    assert by_name["first_version"]["parent"]["communities"]["ids"] == [str(corpus["river"].uuid)]
    assert [by_name[name]["versions"]["is_latest"] for name in ("first_version", "second_version")] == [
        False, True]
    assert by_name["open"]["metadata"]["rights"][1] == {"id": "not-in-vocabulary"}


def test_restricted_record_principals_name_only_live_communities(corpus):
    record = corpus["records"]["restricted"]

    principals = build_document(records_index, records_index.load([record.pid])[record.pid]).principals

    assert principals == sorted([f"user:{record.parent.owner_id}", "staff",
                                 f"community:{corpus['ocean'].uuid}:view",
                                 f"community:{corpus['river'].uuid}:view"])


def test_only_the_latest_draft_of_a_parent_is_the_latest_draft(corpus):
    newest = corpus["drafts"]["new_version"]
    documents = batch_documents(drafts_index, [obj.pid for obj in corpus["drafts"].values()])

    versions = {pid: json.loads(text)[1]["versions"] for pid, text in documents.items()}

    assert versions[newest.pid] == {"index": 2, "is_latest": False, "is_latest_draft": True}
    assert versions[corpus["drafts"]["embargoed_edit"].pid]["is_latest_draft"] is False
    assert versions[corpus["drafts"]["new"].pid]["is_latest_draft"] is True


def test_a_file_without_content_counts_but_adds_no_bytes(corpus):
    new = corpus["drafts"]["new"]

    files = json.loads(batch_documents(drafts_index, [new.pid])[new.pid])[1]["files"]

    assert files["count"] == 2
    assert files["total_bytes"] == len(b"draft.csv\n1,2\n")


def queries_to_index(index, pids: list[str]) -> int:
    with CaptureQueriesContext(connection) as captured:
        for obj in index.load(pids).values():
            build_document(index, obj)
    return len(captured.captured_queries)


@pytest.mark.parametrize("index, model", [(records_index, Record), (drafts_index, Draft)])
def test_a_batch_takes_as_many_queries_as_a_single_document(corpus, index, model):
    pids = list(model.objects.values_list("pid", flat=True))

    assert queries_to_index(index, pids) == queries_to_index(index, pids[:1])


def test_ids_without_an_object_are_left_out_of_a_batch(corpus):
    record = corpus["records"]["open"]

    assert list(records_index.load([record.pid, "nope0-00000"])) == [record.pid]


def test_a_batch_is_built_with_the_garbage_collector_paused(papers, monkeypatch):
    papers.add("a", title="Ocean")
    seen = []
    monkeypatch.setattr(papers, "principals", lambda obj: seen.append(gc.isenabled()) or ["public"])

    indexer.index_ids(papers, ["a"])

    assert seen == [False]
    assert gc.isenabled()


def test_a_failing_batch_turns_the_garbage_collector_back_on(papers):
    papers.add("a", title="Ocean")
    papers.broken.add("a")

    with pytest.raises(RuntimeError):
        indexer.index_ids(papers, ["a"])

    assert gc.isenabled()
