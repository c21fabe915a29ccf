"""PostgreSQL: match-all totals and facet counts from maintained public counts (``Index.counted_scopes``)
agree with the live counts for every reader, whatever wrote the documents."""

import copy
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from rdm.records import services
from rdm.records.indexes import records_index
from rdm.records.models import Record
from rdm.search import indexer, search
from rdm.search.backends import get_search_backend, reset_backends
from rdm.search.backends.base import IndexedDocument
from rdm.search.backends.database import current_version, facet_scopes
from rdm.search.backends.public_counts import (
    compact,
    compact_if_needed,
    ensure_counted_scopes,
    matching_scope,
    miscounted_scopes,
    public_counts,
    scope_key,
)
from rdm.search.index import ANY, get_index, register, unregister
from rdm.search.models import FacetCountDelta, FacetCountScope

from .conftest import MemoryIndex, record_data

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="maintained counts are PostgreSQL's"),
]
LATEST = {"is_latest": "true"}
LATEST_TYPE = {"is_latest": "true", "resource_type": ANY}


@pytest.fixture(autouse=True)
def uncached(settings):
    settings.RDM_SEARCH_CACHE_SECONDS = 0


def counted(index_name, *, principals, filters, live=False, query=""):
    """(total, aggregations) of a search (match-all unless ``query``), and the statements that scanned
    documents to count; ``live`` counts without the maintained counts."""
    index = get_index(index_name)
    with pytest.MonkeyPatch.context() as patch:
        if live:
            patch.setattr(index, "counted_scopes", ())
        with CaptureQueriesContext(connection) as captured:
            result = search(index_name, query, filters=filters, principals=principals, size=100)
    scans = [q["sql"] for q in captured.captured_queries if "GROUPING SETS" in q["sql"]]
    return (result.total, result.aggregations), scans


def all_counted(index, filters: dict) -> bool:
    """Whether every count of a match-all search with ``filters`` has a maintained count scope."""
    return all(matching_scope(index, {name: values for name, values in filters.items() if name != own})
               for own in facet_scopes(index, filters))


def assert_counts_agree(index_name, readers: dict[str, list[str]], filter_sets: list[dict]):
    index = get_index(index_name)
    for reader, principals in readers.items():
        for filters in filter_sets:
            maintained, scans = counted(index_name, principals=principals, filters=filters)
            live, live_scans = counted(index_name, principals=principals, filters=filters, live=True)
            assert maintained == live, (reader, filters)
            assert live_scans
            if principals == ["public"] and all_counted(index, filters):
                assert not scans, f"anonymous counts scanned the documents ({filters})"


# Records, through the records services (indexed after commit as in production).


@pytest.fixture
def readers(owner, other, staff):
    from rdm.search.services import principals_for

    return {name: principals_for(user) for name, user in
            {"anonymous": None, "owner": owner, "other": other, "staff": staff}.items()}


RECORD_FILTERS = [
    {"is_latest": ["true"]},
    {},
    {"is_latest": ["true"], "resource_type": ["software"]},
    {"is_latest": ["true"], "resource_type": ["dataset"]},
    {"is_latest": ["true"], "resource_type": ["image-photo"]},
    {"is_latest": ["true"], "resource_type": ["dataset"], "language": ["eng"]},
    {"is_latest": ["true"], "language": ["deu"]},
    {"is_latest": ["true"], "resource_type": ["dataset", "software"]},  # two values: counted live
    {"is_latest": ["true"], "publication_year": ["2020"]},
    {"resource_type": ["dataset"]},
    {"is_latest": ["true"], "access_status": ["restricted"], "resource_type": ["dataset"]},
]


def edit(owner, record, capture, **changes):
    """Publish an edit of ``record`` with ``changes`` (``access`` and metadata)."""
    with capture(execute=True):
        draft = services.edit_record(owner, record.pid)
        services.update_draft(owner, draft.pid, record_data(**changes))
    with capture(execute=True):
        return services.publish_draft(owner, draft.pid)


def test_counts_agree_for_every_reader_through_record_changes(
        publish, owner, other, readers, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    check = lambda: assert_counts_agree("records", readers, RECORD_FILTERS)  # noqa: E731
    data_set = publish(title="Ocean data", languages=[{"id": "eng"}, {"id": "deu"}])
    tool = publish(title="Ocean tool", resource_type={"id": "software"})
    secret = publish(title="Ocean secret", access="restricted")
    publish(other, title="Other's photo", resource_type={"id": "image-photo"}, languages=[{"id": "deu"}])
    check()

    data_set = edit(owner, data_set, capture, access="restricted", title="Ocean data")
    check()
    data_set = edit(owner, data_set, capture, access="public", title="Ocean data", languages=[{"id": "eng"}])
    tool = edit(owner, tool, capture, title="Ocean tool", resource_type={"id": "image-photo"})
    check()

    with capture(execute=True):
        draft = services.new_version(owner, tool.pid)
        services.update_draft(owner, draft.pid, record_data(title="Ocean tool v2"))
    with capture(execute=True):
        services.publish_draft(owner, draft.pid)
    check()

    Record.objects.filter(pid=secret.pid).delete()
    Record.objects.filter(pid=data_set.pid).delete()
    indexer.index_ids(records_index, [secret.pid, data_set.pid])
    check()

    get_search_backend().clear(records_index)
    assert public_counts("records", scope_key(LATEST)) == {}
    assert public_counts("records", scope_key(LATEST_TYPE, "image-photo"), scope_key(LATEST_TYPE)) == {}
    indexer.rebuild(records_index)
    check()
    latest, _ = counted("records", principals=["public"], filters={"is_latest": ["true"]})
    assert latest[0] == 2  # the tool's second version and the other user's photo
    photos, _ = counted("records", principals=["public"],
                        filters={"is_latest": ["true"], "resource_type": ["image-photo"]})
    assert photos[0] == 1  # the tool's second version is a dataset again (``record_data``'s default)


def test_a_concrete_scope_of_a_template_counts_the_documents_holding_its_value(publish):
    publish(title="Two languages", languages=[{"id": "eng"}, {"id": "deu"}])
    publish(title="English", languages=[{"id": "eng"}], resource_type={"id": "software"})
    template = {"is_latest": "true", "language": ANY}

    english = public_counts("records", scope_key(template, "eng"), scope_key(template))
    german = public_counts("records", scope_key(template, "deu"), scope_key(template))

    assert (english[""], german[""]) == (2, 1)
    assert public_counts("records", scope_key(template, "fra"), scope_key(template)) == {}
    assert public_counts("records", scope_key(template, "eng")) is None  # registered as the template
    (total, aggregations), scans = counted("records", principals=["public"],
                                           filters={"is_latest": ["true"], "language": ["deu"]})
    assert not scans
    assert total == 1
    languages = {bucket["key"]: bucket["doc_count"] for bucket in aggregations["language"]["buckets"]}
    assert languages == {"eng": 2, "deu": 1}  # the language facet counts without its own filter


def test_a_restricted_record_is_never_counted_for_anonymous_callers(publish, owner, readers):
    publish(title="Open", resource_type={"id": "software"})
    publish(title="Hidden", access="restricted", resource_type={"id": "image-photo"})

    (total, aggregations), scans = counted("records", principals=["public"], filters={"is_latest": ["true"]})

    assert not scans
    assert total == 1
    assert {bucket["key"] for bucket in aggregations["resource_type"]["buckets"]} == {"software"}
    access = {bucket["key"]: bucket["doc_count"] for bucket in aggregations["access_status"]["buckets"]}
    assert access == {"metadata-only": 1}
    (owner_total, owner_aggregations), _ = counted("records", principals=readers["owner"],
                                                    filters={"is_latest": ["true"]})
    assert owner_total == 2
    assert "image-photo" in {bucket["key"] for bucket in owner_aggregations["resource_type"]["buckets"]}


# A plain test index, written through the backend directly.


def registered_with_counts(index):
    """``index`` registered, with its count scopes, for one test."""
    register(index)
    reset_backends()
    ensure_counted_scopes()
    yield index
    unregister(index.name)
    ensure_counted_scopes()


class CountedPapers(MemoryIndex):
    counted_scopes = ({}, {"access_status": "open"}, {"kind": ANY}, {"access_status": "open", "tag": ANY})


@pytest.fixture
def counted_papers():
    yield from registered_with_counts(CountedPapers())


PAPER_READERS = {"anonymous": ["public"], "reader": ["public", "user:7"]}
PAPER_FILTERS = [{}, {"access_status": ["open"]}, {"kind": ["dataset"]}, {"kind": ["article"]},
                 {"access_status": ["open"], "tag": ["a"]}, {"access_status": ["open"], "tag": ["t1"]},
                 {"kind": ["article", "software"]}]


def write(index, ids, *, delete=(), kind=None):
    """Write ``ids`` through the backend (with ``kind`` replacing their kind), delete ``delete``."""
    documents = []
    for doc_id in ids:
        document = copy.deepcopy(index.to_document(index.objects[doc_id]))
        document["metadata"]["kind"] = kind or document["metadata"]["kind"]
        documents.append(IndexedDocument(doc_id, document, index.principals(index.objects[doc_id])))
    get_search_backend().write(index, documents, list(delete))


def test_compaction_keeps_the_sums_and_folds_the_rows(counted_papers):
    for number in range(30):
        counted_papers.add(f"p{number}", kind=["dataset", "article"][number % 2], tags=[f"t{number % 3}"],
                           principals=["public"] if number % 4 else ["user:7"])
        write(counted_papers, [f"p{number}"])
    for number in range(0, 30, 5):
        write(counted_papers, [], delete=[f"p{number}"])
    scope = scope_key({})
    before = public_counts("papers", scope)
    rows = FacetCountDelta.objects.filter(index="papers", scope=scope)
    rows_before = rows.count()

    assert compact("papers", [scope])

    assert public_counts("papers", scope) == before
    assert rows.count() == len(before) < rows_before
    assert before[""] == 22 - 4  # public (not every 4th), less the public ones of every 5th (deleted)
    assert_counts_agree("papers", PAPER_READERS, PAPER_FILTERS)


def test_a_committed_write_compacts_scopes_that_outgrew_their_terms(counted_papers, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    monkeypatch.setattr("rdm.search.backends.public_counts.COMPACT_MIN_ROWS", 10)
    monkeypatch.setattr("rdm.search.backends.public_counts.COMPACT_CHECK_SECONDS", 0)
    rows = FacetCountDelta.objects.filter(index="papers", scope=scope_key({}))
    for number in range(8):
        counted_papers.add(f"p{number}", kind="dataset", tags=["a"])
        write(counted_papers, [f"p{number}"])
    assert rows.count() == 24  # no commit yet: "", kind and tag once per write

    counted_papers.add("last", kind="dataset", tags=["a"])
    with django_capture_on_commit_callbacks(execute=True):
        write(counted_papers, ["last"])

    assert sorted(rows.values_list("term", "delta")) == [("", 9), ("1:dataset", 9), ("2:a", 9)]


def test_compaction_folds_every_outgrown_concrete_scope_in_one_statement(counted_papers, monkeypatch):
    monkeypatch.setattr("rdm.search.backends.public_counts.COMPACT_MIN_ROWS", 10)
    monkeypatch.setattr("rdm.search.backends.public_counts.COMPACT_CHECK_SECONDS", 0)
    for number in range(40):
        counted_papers.add(f"p{number}", kind=f"k{number % 4}", tags=[f"t{number % 5}", "all"])
        write(counted_papers, [f"p{number}"])
    write(counted_papers, [f"p{number}" for number in range(40)], kind="moved")  # every kind moves
    kinds, tags = {"kind": ANY}, {"access_status": "open", "tag": ANY}
    concrete = [(kinds, "moved"), (kinds, "k1"), (tags, "t3"), (tags, "all")]
    scope_counts = lambda: [public_counts("papers", scope_key(template, value), scope_key(template))  # noqa: E731
                            for template, value in concrete]
    before = scope_counts()

    with CaptureQueriesContext(connection) as captured:
        compact_if_needed("papers")

    assert len([q for q in captured.captured_queries if "DELETE" in q["sql"]]) == 1
    assert scope_counts() == before
    assert before[0][""] == 40 and before[1] == {} and before[3][""] == 40
    sizes = (FacetCountDelta.objects.filter(index="papers").values("scope")
             .annotate(rows=Count("id"), terms=Count("term", distinct=True)))
    assert all(size["rows"] <= max(10, 2 * size["terms"]) for size in sizes)
    assert_counts_agree("papers", PAPER_READERS, PAPER_FILTERS)


def test_a_process_checks_an_index_for_compaction_at_most_once_per_interval(counted_papers, monkeypatch):
    monkeypatch.setattr("rdm.search.backends.public_counts._last_checks", {})

    def checks():
        with CaptureQueriesContext(connection) as captured:
            compact_if_needed("papers")
        return len([q for q in captured.captured_queries if "GROUP BY scope" in q["sql"]])

    assert checks() + checks() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_counts_right(counted_papers):
    for number in range(12):
        counted_papers.add(f"p{number}", kind="dataset", tags=["a"])
    counted_papers.add("shared", kind="dataset", tags=["a"])
    write(counted_papers, ["shared"])
    both_written, errors = threading.Barrier(2, timeout=20), []

    def writer(ids, kind, *, hold: bool):
        try:
            with transaction.atomic():
                if not hold:
                    both_written.wait()  # the other transaction has written and not committed
                write(counted_papers, ids, kind=kind)
                if hold:
                    both_written.wait()
                    threading.Event().wait(0.3)  # the other writer now waits for "shared"
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    documents = {number: f"p{number}" for number in range(12)}
    first = [*(documents[n] for n in range(0, 6)), "shared"]
    second = [*(documents[n] for n in range(6, 12)), "shared"]
    threads = [threading.Thread(target=writer, args=(first, "article"), kwargs={"hold": True}),
               threading.Thread(target=writer, args=(second, "software"), kwargs={"hold": False})]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    counts = public_counts("papers", scope_key({}))
    assert counts[""] == 13
    assert (counts.get("1:article", 0), counts.get("1:software", 0)) in {(6, 7), (7, 6)}
    assert "1:dataset" not in counts
    assert_counts_agree("papers", PAPER_READERS, PAPER_FILTERS)


# Community records: a community's page is a match-all search filtered by the community.


@pytest.fixture
def community(staff, other):
    from communities import services as community_services

    community = community_services.create_community(staff, {
        "slug": "ocean", "metadata": {"title": "Ocean science", "type": {"id": "topic"}},
        "access": {"visibility": "public"},
    })
    community_services.import_member(community, other, "reader")
    return community


def test_community_counts_agree_as_records_join_and_leave(publish, staff, community, readers,
                                                          django_capture_on_commit_callbacks):
    from communities import services as community_services

    capture = django_capture_on_commit_callbacks
    open_data = publish(title="Open data")
    secret = publish(title="Secret code", access="restricted", resource_type={"id": "software"})
    outside = publish(title="Elsewhere", languages=[{"id": "eng"}])
    with capture(execute=True):
        for record in (open_data, secret, outside):
            community_services.include_record(staff, community, record)
    indexer.drain_queue()
    uuid = str(community.uuid)
    filter_sets = [{"is_latest": ["true"], "community": [uuid]}, {"community": [uuid]},
                   {"is_latest": ["true"], "community": [uuid], "resource_type": ["dataset"]}]
    check = lambda: assert_counts_agree("records", readers, filter_sets)  # noqa: E731
    check()

    with capture(execute=True):
        community_services.remove_record(staff, community, outside)
    indexer.drain_queue()
    check()
    (total, aggregations), scans = counted("records", principals=["public"],
                                           filters={"is_latest": ["true"], "community": [uuid]})
    assert not scans
    assert total == 1  # the restricted record is never counted for anonymous callers
    assert {bucket["key"] for bucket in aggregations["resource_type"]["buckets"]} == {"dataset"}
    (member_total, _), _ = counted("records", principals=readers["other"],
                                   filters={"is_latest": ["true"], "community": [uuid]})
    assert member_total == 2  # the community's reader sees the restricted record too



# A second counted reader (staff): each scope is counted for staff and for documents both may read too.


class StaffCountedPapers(CountedPapers):
    counted_readers = ("public", "staff")


@pytest.fixture
def staff_counted_papers():
    yield from registered_with_counts(StaffCountedPapers())


def spy_private_counts(monkeypatch) -> list[tuple[str, ...]]:
    """The reader sets the live private counts were asked to leave out, call by call."""
    from rdm.search.backends.database import SearchPlan

    calls, original = [], SearchPlan.private_counts

    def recording(plan, own_filter, facets, readers=("public",)):
        calls.append(readers)
        return original(plan, own_filter, facets, readers)

    monkeypatch.setattr(SearchPlan, "private_counts", recording)
    return calls


STAFF_READERS = {"anonymous": ["public"], "staff": ["public", "authenticated", "user:3", "staff"],
                 "staff-and-reader": ["public", "user:7", "staff"], "reader": ["public", "user:7"]}


def test_counts_of_documents_public_and_staff_both_read_are_not_counted_twice(staff_counted_papers,
                                                                             monkeypatch):
    paper = staff_counted_papers
    paper.add("open", kind="dataset", tags=["a"])
    paper.add("both", kind="dataset", tags=["a"], principals=["public", "staff"])
    paper.add("staff-only", kind="article", tags=["a"], principals=["staff"], status="restricted")
    paper.add("mine", kind="software", tags=["t1"], principals=["user:7"])
    paper.add("mine-and-staff", kind="article", principals=["user:7", "staff"])
    paper.index_all()
    calls = spy_private_counts(monkeypatch)

    assert_counts_agree(paper.name, STAFF_READERS, PAPER_FILTERS)

    (total, aggregations), _ = counted(paper.name, principals=STAFF_READERS["staff-and-reader"], filters={})
    assert total == 5
    kinds = {bucket["key"]: bucket["doc_count"] for bucket in aggregations["kind"]["buckets"]}
    assert kinds == {"dataset": 2, "article": 2, "software": 1}
    assert ("public", "staff") in calls


def test_staff_counts_follow_writes_and_deletes(staff_counted_papers):
    paper = staff_counted_papers
    for number in range(12):
        principals = [["public"], ["staff"], ["public", "staff"], ["user:7", "staff"]][number % 4]
        paper.add(f"p{number}", kind=["dataset", "article", "software"][number % 3], tags=[f"t{number % 2}"],
                  principals=principals)
    paper.index_all()
    assert_counts_agree(paper.name, STAFF_READERS, PAPER_FILTERS)

    write(paper, ["p1", "p2", "p3"], kind="software")
    write(paper, [], delete=["p5", "p6"])
    assert_counts_agree(paper.name, STAFF_READERS, PAPER_FILTERS)


def test_staff_browsing_records_counts_only_what_staff_cannot_read_live(publish, other, readers, monkeypatch):
    publish(title="Ocean data")
    publish(title="Ocean secret", access="restricted", resource_type={"id": "software"})
    publish(other, title="Other's secret", access="restricted", resource_type={"id": "image-photo"})
    calls = spy_private_counts(monkeypatch)

    latest = {"is_latest": ["true"]}
    (total, aggregations), _ = counted("records", principals=readers["staff"], filters=latest)

    assert total == 3
    types = {bucket["key"] for bucket in aggregations["resource_type"]["buckets"]}
    assert {"software", "image-photo"} <= types
    assert calls and set(calls) == {("public", "staff")}
    assert_counts_agree("records", readers, RECORD_FILTERS)


def test_staff_counts_fall_back_to_public_ones_while_the_staff_scopes_are_not_registered(
        publish, readers, monkeypatch):
    publish(title="Ocean data")
    publish(title="Ocean secret", access="restricted")
    FacetCountScope.objects.filter(index="records", required__contains=["_principals:staff"]).delete()
    calls = spy_private_counts(monkeypatch)

    (total, _), _ = counted("records", principals=readers["staff"], filters={"is_latest": ["true"]})

    assert total == 2
    assert set(calls) == {("public",)}


# Year-aligned ranges of a date field a template takes ANY of: the sums of their periods' counts.


class DatedPapers(MemoryIndex):
    counted_scopes = ({"publication_date": ANY}, {"access_status": "open", "publication_date": ANY})


@pytest.fixture
def dated_papers():
    yield from registered_with_counts(DatedPapers())


ALIGNED_RANGES = ["year:[2015 TO 2018]", "year:2015", "year:[2000 TO *]", "year:[* TO 1999]",
                  "publication_date:[2015-01-01 TO 2018-12-31]", "year:{2014 TO 2019}", "year:[1990 TO 2101]",
                  "year:[2016 TO 2016]"]
# (An empty range matches nothing by construction: nothing to sum.)
UNALIGNED_RANGES = ["year:[2015-03-01 TO 2018]", "year:2015-06", "year:[2015 TO 2018-06-30]",
                    "year:[2018 TO 2015]"]
DATED_FILTERS = [{}, {"access_status": ["open"]}, {"kind": ["dataset"]}]
IN_2015_2018 = "year:[2015 TO 2018]"


def add_dated(paper):
    for number, date in enumerate(["1999-12-31", "2000-01-01", "2015-01-01", "2015-06-30", "2016-02-29",
                                   "2018-12-31", "2019-01-01", "2101-07-04", "0800-05-05"]):
        paper.add(f"p{number}", kind=["dataset", "article"][number % 2], tags=[f"t{number % 3}"], date=date,
                  principals=[["public"], ["public"], ["user:7"]][number % 3],
                  status=["open", "closed"][number % 2])


def assert_ranges_agree(index_name, queries, filter_sets, *, maintained: bool):
    """Counts with and without maintained counts agree for every reader; anonymous ones counted nothing
    live if ``maintained``, and scanned if not."""
    for query in queries:
        for filters in filter_sets:
            for reader, principals in PAPER_READERS.items():
                found, scans = counted(index_name, principals=principals, filters=filters, query=query)
                live, _ = counted(index_name, principals=principals, filters=filters, query=query, live=True)
                assert found == live, (query, filters, reader)
                if reader == "anonymous" and "kind" not in filters:
                    assert bool(scans) != maintained, (query, filters)


def test_year_ranges_sum_the_counts_of_their_periods(dated_papers):
    """Centuries and years are counted; a decade is its ten years."""
    add_dated(dated_papers)
    dated_papers.index_all()

    assert_ranges_agree(dated_papers.name, ALIGNED_RANGES, DATED_FILTERS[:2], maintained=True)
    (total, aggregations), scans = counted(dated_papers.name, principals=["public"], filters={},
                                           query="year:[2015 TO 2018]")
    assert not scans
    assert total == 2  # 2015-06-30 and 2016-02-29; 2015-01-01 and 2018-12-31 are user 7's
    (total, _), _ = counted(dated_papers.name, principals=PAPER_READERS["reader"], filters={},
                            query="year:[2015 TO 2018]")
    assert total == 4


def test_ranges_not_aligned_on_years_and_other_filters_are_counted_live(dated_papers):
    add_dated(dated_papers)
    dated_papers.index_all()

    assert_ranges_agree(dated_papers.name, UNALIGNED_RANGES, DATED_FILTERS[:2], maintained=False)
    assert_ranges_agree(dated_papers.name, ["year:[2015 TO 2018]"], DATED_FILTERS[2:], maintained=False)
    for query in ["year:[2015 TO 2018] AND tag:t1", "year:2015 OR year:2018", "-year:2015"]:
        found, scans = counted(dated_papers.name, principals=["public"], filters={}, query=query)
        live, _ = counted(dated_papers.name, principals=["public"], filters={}, query=query, live=True)
        assert found == live
        assert scans, query


def test_year_range_counts_follow_writes_and_deletes(dated_papers):
    add_dated(dated_papers)
    dated_papers.index_all()
    dated_papers.objects["p2"]["principals"] = ["public"]
    dated_papers.objects["p4"]["doc"]["metadata"]["date"] = "2019-03-03"
    write(dated_papers, ["p2", "p4"])
    write(dated_papers, [], delete=["p3"])

    assert_ranges_agree(dated_papers.name, ALIGNED_RANGES, DATED_FILTERS[:2], maintained=True)
    (total, _), _ = counted(dated_papers.name, principals=["public"], filters={}, query="year:[2015 TO 2018]")
    assert total == 1  # 2015-01-01, now public; 2016-02-29 moved to 2019, 2015-06-30 deleted


def test_a_document_dated_in_two_years_makes_year_ranges_count_live_until_it_goes(dated_papers):
    add_dated(dated_papers)
    dated_papers.add("twice", date=["2015-05-05", "2017-05-05"])
    dated_papers.add("same-year", date=["2016-05-05", "2016-07-07"])
    dated_papers.index_all()

    (total, _), scans = counted(dated_papers.name, principals=["public"], filters={}, query=IN_2015_2018)
    assert scans
    assert total == 4  # counted once, though its years are two periods of the range
    assert_ranges_agree(dated_papers.name, ALIGNED_RANGES, DATED_FILTERS[:2], maintained=False)

    write(dated_papers, [], delete=["twice"])

    (total, _), scans = counted(dated_papers.name, principals=["public"], filters={}, query=IN_2015_2018)
    assert not scans
    assert total == 3  # a document with two dates in one year is counted once in that year
    assert_ranges_agree(dated_papers.name, ALIGNED_RANGES, DATED_FILTERS[:2], maintained=True)


def test_record_year_ranges_agree_for_every_reader(publish, other, readers):
    publish(title="Old", publication_date="2014-12-31")
    publish(title="Inside", publication_date="2015-01-01", resource_type={"id": "software"})
    publish(title="Hidden", publication_date="2016-06-01", access="restricted")
    publish(other, title="Other's hidden", publication_date="2018-12-31", access="restricted")
    publish(other, title="Late", publication_date="2018-12-31")

    latest = {"is_latest": ["true"]}
    for query in [IN_2015_2018, "publication_date:2018", "year:[* TO 2015]", "year:[2015-02 TO 2018]"]:
        for reader, principals in readers.items():
            found, scans = counted("records", principals=principals, filters=latest, query=query)
            live, _ = counted("records", principals=principals, filters=latest, query=query, live=True)
            assert found == live, (query, reader)
            if reader == "anonymous":
                assert bool(scans) == ("-02" in query), query
    (total, _), _ = counted("records", principals=readers["anonymous"], filters={"is_latest": ["true"]},
                            query="year:[2015 TO 2018]")
    (staff_total, _), _ = counted("records", principals=readers["staff"], filters={"is_latest": ["true"]},
                                  query="year:[2015 TO 2018]")
    assert (total, staff_total) == (2, 4)


# Counts changed behind the triggers' back: found by ``rdm_index check``, repaired by ``rdm_index recount``.


def add_papers(index, count):
    for number in range(count):
        index.add(f"p{number}", kind=["dataset", "article"][number % 2], tags=[f"t{number % 3}"],
                  principals=["public"] if number % 4 else ["user:7"])


def write_uncounted(index, ids):
    """Write ``ids`` with the count triggers off, as a restore or a careless operator might."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_searchdocument DISABLE TRIGGER USER")
    write(index, ids)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE search_searchdocument ENABLE TRIGGER USER")


def test_counts_changed_behind_the_triggers_back_are_found_and_recounted(counted_papers):
    add_papers(counted_papers, 12)
    counted_papers.index_all()
    assert miscounted_scopes("papers") == []
    counted_papers.add("p12", kind="dataset", tags=["t1"])
    write_uncounted(counted_papers, ["p12"])
    articles = scope_key({"kind": ANY}, "article")
    FacetCountDelta.objects.create(index="papers", scope=articles, term="", delta=5)  # an edited row
    maintained, _ = counted("papers", principals=["public"], filters={})
    live, _ = counted("papers", principals=["public"], filters={}, live=True)
    assert maintained != live

    assert miscounted_scopes("papers") == sorted([
        scope_key({}), scope_key({"access_status": "open"}), scope_key({"kind": ANY}, "dataset"),
        scope_key({"access_status": "open", "tag": ANY}, "t1"), scope_key({"kind": ANY}, "article"),
    ])
    version = current_version("papers")
    get_search_backend().recount(counted_papers)

    assert miscounted_scopes("papers") == []
    assert current_version("papers") != version  # counts cached from the wrong ones are not reused
    assert_counts_agree("papers", PAPER_READERS, PAPER_FILTERS)


def test_check_command_names_miscounted_scopes_and_recount_repairs_them(counted_papers):
    add_papers(counted_papers, 6)
    counted_papers.index_all()
    counted_papers.add("p6", kind="dataset")
    write_uncounted(counted_papers, ["p6"])

    out = StringIO()
    with pytest.raises(CommandError, match=r"run `rdm_index recount --index papers`"):
        call_command("rdm_index", "check", "--index", "papers", stdout=out)
    scopes = sorted([scope_key({}), scope_key({"access_status": "open"}),
                     scope_key({"kind": ANY}, "dataset")])
    assert out.getvalue() == f"papers: 3 count scopes differ from the stored documents: {', '.join(scopes)}\n"

    out = StringIO()
    call_command("rdm_index", "recount", "--index", "papers", stdout=out)
    assert out.getvalue() == "papers: recounted.\n"
    out = StringIO()
    call_command("rdm_index", "check", "--index", "papers", stdout=out)
    assert out.getvalue() == "papers: OK\n"


def test_a_scope_declared_over_stored_documents_is_seeded_from_them(counted_papers):
    add_papers(counted_papers, 12)
    counted_papers.index_all()
    counted_papers.counted_scopes = (*CountedPapers.counted_scopes, {"tag": ANY})

    ensure_counted_scopes()

    tagged_t1 = public_counts("papers", scope_key({"tag": ANY}, "t1"), scope_key({"tag": ANY}))
    assert tagged_t1[""] == 3  # p1, p7 and p10: p4 is not public
    assert miscounted_scopes("papers") == []
    assert_counts_agree("papers", PAPER_READERS, [{"tag": ["t0"]}, {"tag": ["t1"]}, {"tag": ["t2"]}])
