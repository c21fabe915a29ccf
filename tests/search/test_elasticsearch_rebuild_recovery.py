"""Recovering from a rebuild whose process died (`rdm_index rebuild --force`), the heartbeat that tells it
from a running one, `rdm_index status` on Elasticsearch, and `rebuild --workers N` on a real node.

Exact requests through the recording transport of test_elasticsearch_rebuild; the rest on a real node
(RDM_SEARCH_URL; required in CI, see tests/conftest.py)."""

import datetime
import multiprocessing
import os
import re
import signal
import socket
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rdm.records.indexes import records_index
from rdm.search import indexer, search
from rdm.search.backends import get_search_backend, reset_backends
from rdm.search.backends.elasticsearch import HEARTBEAT_META, RebuildInProgress

from . import test_elasticsearch_rebuild as rebuild_tests
from .test_elasticsearch_rebuild import ALL, MISSING, PREFIX, concrete_indexes, doc, hit_ids

# The fixtures of the rebuild tests: a recording transport, and a real node with seven documents.
transport, node_settings, corpus = rebuild_tests.transport, rebuild_tests.node_settings, rebuild_tests.corpus


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("rdm_index", *args, stdout=out, stderr=err)
    return out.getvalue()


def ago(seconds: float) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)


def loading_index(node, *, heartbeat=None, created=None, documents=1200):
    """The node answers that rdm-papers-7 carries the rebuilding alias, with this heartbeat."""
    info = {"settings": {"index": {"creation_date": str(int((created or ago(600)).timestamp() * 1000))}}}
    if heartbeat is not None:
        meta = {"started": ago(600).isoformat(), "heartbeat": heartbeat.isoformat(), "host": "h1", "pid": 123}
        info["mappings"] = {"_meta": {HEARTBEAT_META: meta}}
    node.responses = {
        ("GET", "/_alias/rdm-papers-rebuilding"): (200, {"rdm-papers-7": {"aliases": {}}}),
        ("GET", "/rdm-papers-7"): (200, {"rdm-papers-7": info}),
        ("GET", "/rdm-papers-7/_stats/indexing"): (
            200, {"indices": {"rdm-papers-7": {"primaries": {"indexing": {"index_total": documents}}}}},
        ),
    }


def changes(node):
    return [request[:2] for request in node.requests if request[0] in ("PUT", "POST", "DELETE")]


# Exact requests.


def test_a_refused_rebuild_names_the_loading_index_its_heartbeat_and_force(transport):
    backend, node = transport
    loading_index(node, heartbeat=ago(42))

    with pytest.raises(RebuildInProgress) as refused:
        with backend.rebuild_session(backend.index):
            pass

    message = str(refused.value)
    assert "already loading rdm-papers-7 by h1 pid 123" in message
    assert "1200 documents loaded, heartbeat 42s ago" in message
    assert "`manage.py rdm_index rebuild --index papers --force`" in message
    assert "older than 60s" in message
    assert "\n" not in message
    assert changes(node) == []


def test_force_deletes_a_stale_rebuild_by_its_concrete_index_name(transport):
    backend, node = transport
    loading_index(node, heartbeat=ago(61))

    removed = backend.discard_stale_rebuild(backend.index)

    assert [state.index for state in removed] == ["rdm-papers-7"]
    assert changes(node) == [("DELETE", "/rdm-papers-7")]


def test_force_refuses_while_the_heartbeat_is_fresh(transport):
    backend, node = transport
    loading_index(node, heartbeat=ago(50))

    with pytest.raises(RebuildInProgress, match=r"is running: rdm-papers-7 by h1 pid 123, started .* UTC, "
                                                r"1200 documents loaded, heartbeat 50s ago"):
        backend.discard_stale_rebuild(backend.index)
    assert changes(node) == []


@pytest.mark.parametrize(("created", "removed"), [(120, True), (10, False)])
def test_before_its_first_heartbeat_a_rebuild_is_judged_by_its_creation_time(transport, created, removed):
    backend, node = transport
    loading_index(node, heartbeat=None, created=ago(created))

    if removed:
        backend.discard_stale_rebuild(backend.index)
    else:
        with pytest.raises(RebuildInProgress, match="heartbeat 10s ago"):
            backend.discard_stale_rebuild(backend.index)

    assert changes(node) == ([("DELETE", "/rdm-papers-7")] if removed else [])


def test_force_without_a_leftover_rebuild_removes_nothing(transport):
    backend, node = transport
    node.responses = {("GET", "/_alias/rdm-papers-rebuilding"): MISSING}

    assert backend.discard_stale_rebuild(backend.index) == []
    assert changes(node) == []


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_rebuilding_process_refreshes_its_heartbeat_until_the_swap(transport):
    backend, node = transport
    backend.heartbeat_interval = 0.02
    node.responses = {("HEAD", "/_alias/rdm-papers-rebuilding"): MISSING}

    with backend.rebuild_session(backend.index):
        new = next(path for method, path, _, _ in node.requests if method == "PUT")
        wait_for(lambda: len([r for r in node.requests if r[:2] == ("PUT", f"{new}/_mapping")]) >= 2)

    beats = [body for method, path, _, body in node.requests if (method, path) == ("PUT", f"{new}/_mapping")]
    meta = beats[-1]["_meta"][HEARTBEAT_META]
    assert (meta["host"], meta["pid"]) == (socket.gethostname(), os.getpid())
    assert 0 <= (datetime.datetime.now(datetime.UTC) - datetime.datetime.fromisoformat(meta["heartbeat"])
                 ).total_seconds() < 5
    assert beats[0]["_meta"][HEARTBEAT_META]["started"] == meta["started"]
    count = len(node.requests)
    time.sleep(0.1)
    assert len(node.requests) == count  # the heartbeat stopped with the session


def test_a_rebuild_whose_index_was_removed_by_force_stops_without_publishing(transport):
    backend, node = transport
    backend.heartbeat_interval = 0.02
    node.responses = {("HEAD", "/_alias/rdm-papers-rebuilding"): MISSING}
    document = doc(backend.index, "a")

    with pytest.raises(RebuildInProgress, match="was removed"):
        with backend.rebuild_session(backend.index):
            new = next(path for method, path, _, _ in node.requests if method == "PUT")
            node.responses[("PUT", f"{new}/_mapping")] = MISSING  # another process's --force deleted it
            wait_for(lambda: backend._heartbeats["papers"].lost)
            node.requests.clear()
            backend.write(backend.index, [document], [])

    assert changes(node) == [("DELETE", new)]  # nothing loaded, no alias moved


# A real node.


def papers_indexes(client) -> dict[str, list[str]]:
    """The test's concrete papers indexes with their aliases (`status` also creates the other indexes)."""
    return {name: aliases for name, aliases in concrete_indexes(client).items()
            if name.startswith(f"{PREFIX}papers")}


@pytest.fixture
def fast_heartbeat(node_settings):
    node_settings.update({"REBUILD_HEARTBEAT_INTERVAL": 0.1, "REBUILD_STALE_AFTER": 2.0})
    reset_backends()
    return node_settings


def load_then_die(index):
    """A rebuild process killed (SIGKILL) after loading three documents: nothing of it cleans up."""
    backend = get_search_backend()
    session = backend.rebuild_session(index)
    session.__enter__()
    loaded = [indexer.build_document(index, index.objects[key]) for key in ("d1", "d2", "d3")]
    backend.write(index, loaded, [])
    time.sleep(0.3)  # a few heartbeats
    os.kill(os.getpid(), signal.SIGKILL)


def test_force_recovers_from_a_rebuild_whose_process_was_killed(corpus, fast_heartbeat):
    backend = get_search_backend()
    live = sorted(papers_indexes(backend.client))
    child = multiprocessing.get_context("fork").Process(target=load_then_die, args=(corpus,))
    child.start()
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    (crashed,) = set(papers_indexes(backend.client)) - set(live)
    assert papers_indexes(backend.client)[crashed] == [f"{PREFIX}papers-rebuilding"]
    time.sleep(2.2)  # its heartbeat goes stale

    with pytest.raises(CommandError, match=f"already loading {crashed} by .* pid {child.pid}.*--force"):
        run("rebuild", "--index", "papers")
    status = run("status", "--index", "papers").splitlines()
    forced = run("rebuild", "--index", "papers", "--force").splitlines()

    assert status[1] == f"  serving: {live[0]}"
    assert re.fullmatch(
        rf"  rebuilding: {crashed} by {re.escape(socket.gethostname())} pid {child.pid}, "
        r"started [-\d]+ [:\d]+ UTC, 3 documents loaded, heartbeat \d+s ago; "
        r"STALE, `rdm_index rebuild --index papers --force` removes it", status[2])
    assert forced[0].startswith(f"papers: removed the stale rebuild {crashed} by ")
    assert forced[1:] == ["papers: 7 documents written."]
    (name, aliases), = papers_indexes(backend.client).items()
    assert (name not in (crashed, live[0]), aliases) == (True, [f"{PREFIX}papers"])
    assert hit_ids() == ALL


def test_force_never_removes_a_rebuild_that_is_running(corpus, fast_heartbeat):
    client = get_search_backend().client
    seen = []

    def during_rebuild(done):
        if not seen:
            time.sleep(2.5)  # longer than REBUILD_STALE_AFTER: only the heartbeat keeps it fresh
            with pytest.raises(CommandError) as refused:
                run("rebuild", "--index", "papers", "--force")
            status = run("status", "--index", "papers")
            seen.append((str(refused.value), status, sorted(papers_indexes(client))))

    indexer.rebuild(corpus, chunk_size=2, progress=during_rebuild)

    (message, status, during), = seen
    assert message.startswith(f"A rebuild of {PREFIX}papers is running: {PREFIX}papers-")
    assert "(taken for dead after 2s)" in message and "\n" not in message
    assert "  rebuilding: " in status and "STALE" not in status
    assert len(during) == 2  # the live index and the one loading; the refused run created none
    (name, aliases), = papers_indexes(client).items()
    assert name in during and aliases == [f"{PREFIX}papers"]
    assert hit_ids() == ALL


def test_status_shows_the_concrete_index_serving_and_no_rebuild(corpus):
    (live,) = papers_indexes(get_search_backend().client)

    status = run("status", "--index", "papers")

    assert status == f"papers: 7 documents, 0 queued, oldest -\n  serving: {live}\n"


def test_force_with_nothing_left_behind_just_rebuilds(corpus):
    assert run("rebuild", "--index", "papers", "--force") == "papers: 7 documents written.\n"
    assert hit_ids() == ALL


@pytest.mark.django_db(transaction=True)
def test_rebuild_with_workers_loads_every_record_in_parallel_processes(publish, fast_heartbeat, monkeypatch):
    pids = sorted(publish(title=f"Ocean survey {number}").pid for number in range(5))
    backend = get_search_backend()
    backend.clear(records_index)
    assert search("records", "ocean").total == 0
    parts = []

    def spy(workers, target, args, progress):
        results = in_processes(workers, target, args, progress)
        parts.append((workers, target.__name__, results))
        return results

    in_processes = indexer._in_processes
    monkeypatch.setattr(indexer, "_in_processes", spy)

    output = run("rebuild", "--index", "records", "--workers", "2", "--batch-size", "2")

    assert output == "records: 5 documents written.\n"
    (workers, target, results), = parts
    assert (workers, target, len(results), sum(results)) == (2, "_rebuild_worker", 2, 5)
    assert sorted(hit["id"] for hit in search("records", "ocean").hits) == pids
    assert run("check", "--index", "records") == "records: OK\n"
    records = {name: aliases for name, aliases in concrete_indexes(backend.client).items()
               if name.startswith(f"{PREFIX}records")}
    assert list(records.values()) == [[f"{PREFIX}records"]]


def test_database_status_and_force_are_as_before(papers, db):
    papers.add("a", title="Ocean")
    papers.index_all()

    assert run("status", "--index", "papers").count("\n") == 1
    assert run("rebuild", "--index", "papers", "--force") == "papers: 1 documents written.\n"
    with pytest.raises(CommandError, match="--force only applies to rebuild"):
        run("status", "--force")
