"""Scale-out: a real Celery worker takes tasks from the Redis broker; without a broker tasks run eagerly."""

import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from celery import Celery
from celery.result import EagerResult
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

from rdm.tasks import ping
from tests.conftest import skip_unless_required

WORKER_START_TIMEOUT = 30


def test_without_a_broker_tasks_run_eagerly_in_process(db):
    get_user_model().objects.create_user(email="eager@example.org", password="secret-pass-1")

    result = ping.delay("eager")

    assert isinstance(result, EagerResult)
    assert result.get() == {"pong": "eager", "database": connection.settings_dict["NAME"], "users": 1}


def database_url_for_subprocess() -> str:
    """DATABASE_URL naming the test database (test_<name>) that this session created."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        skip_unless_required(
            "a worker process cannot reach the in-memory SQLite test database; run with DATABASE_URL=postgres://...",
            "RDM_REQUIRE_SERVICES",
        )
    credentials = f"{quote(db['USER'] or '', safe='')}:{quote(db['PASSWORD'] or '', safe='')}@"
    return f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(redis_url, transactional_db):
    """A `celery worker` subprocess on the test database, consuming a queue private to this test."""
    queue = f"rdm-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rdm.settings",
        "SECRET_KEY": "worker-test-secret",
        "DATABASE_URL": database_url_for_subprocess(),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rdm", "worker", "--pool=solo", "-l", "warning", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    app = Celery("rdm-test-client", broker=redis_url, backend=redis_url, set_as_current=False)
    try:
        yield app, queue, process
    finally:
        process.terminate()
        try:
            process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        app.close()


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_sent_through_the_broker_runs_in_a_worker_on_the_same_database(worker):
    app, queue, process = worker
    get_user_model().objects.create_user(email="committed@example.org", password="secret-pass-1")
    token = uuid.uuid4().hex

    result = app.send_task("rdm.tasks.ping", args=[token], queue=queue)
    try:
        value = result.get(timeout=WORKER_START_TIMEOUT)
    except Exception:
        process.terminate()
        output = process.communicate(timeout=15)[0]
        pytest.fail(f"the worker did not run the task:\n{output[-3000:]}", pytrace=False)

    assert not isinstance(result, EagerResult)
    assert value == {"pong": token, "database": connection.settings_dict["NAME"], "users": 1}
