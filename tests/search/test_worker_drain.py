"""Scale-out: Celery beat and a worker drain a burst of queued changes, with nobody calling the task."""

import os
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from rdm.records import services as records
from rdm.search import indexer, search
from rdm.search.models import IndexQueueItem
from tests.conftest import skip_unless_required

from .conftest import record_data

BURST = 25
DEADLINE = 90  # seconds for beat (every 5 s) and the worker to empty the queue on a busy CI machine


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        skip_unless_required("worker processes need PostgreSQL: run with DATABASE_URL=postgres://...",
                             "RDM_REQUIRE_SERVICES")
    credentials = f"{quote(db['USER'] or '', safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
    return f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def celery_processes(redis_url, transactional_db):
    queue = f"rdm-search-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "rdm.settings", "SECRET_KEY": "worker-test-secret",
        "DATABASE_URL": database_url(), "CELERY_BROKER_URL": redis_url, "RDM_SEARCH_TASK_QUEUE": queue,
    }
    commands = [
        ["worker", "--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"],
        ["beat", "--max-interval", "1"],
    ]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "rdm", *command, "-l", "warning"],
            cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for command in commands
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_beat_and_worker_drain_a_burst_of_changes(owner, monkeypatch, celery_processes):
    # Nobody drains in this process: only the beat schedule and the worker may empty the queue.
    monkeypatch.setattr(indexer, "start_drain", lambda: None)
    for number in range(BURST):
        draft = records.create_draft(owner, record_data(title=f"Burst record {number}"))
        records.publish_draft(owner, draft.pid)
    assert IndexQueueItem.objects.filter(index="records").count() == BURST
    assert search("records", "burst").total == 0

    started = time.monotonic()
    while time.monotonic() - started < DEADLINE and IndexQueueItem.objects.exists():
        time.sleep(0.5)

    if IndexQueueItem.objects.exists():
        for process in celery_processes:
            process.terminate()
        output = "\n".join(process.communicate(timeout=15)[0][-2000:] for process in celery_processes)
        pytest.fail(f"the queue was not drained within {DEADLINE}s:\n{output}", pytrace=False)
    assert search("records", "burst", size=50).total == BURST
