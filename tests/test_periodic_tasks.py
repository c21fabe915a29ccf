import importlib
from unittest import mock

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from rdm.celery import app


def test_the_embargo_lift_is_scheduled():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "rdm.records.tasks.lift_embargoes" in tasks


@pytest.mark.parametrize("name", sorted(settings.CELERY_BEAT_SCHEDULE))
def test_every_scheduled_task_is_importable_and_registered(name):
    task_name = settings.CELERY_BEAT_SCHEDULE[name]["task"]
    module_name, function_name = task_name.rsplit(".", 1)
    task = getattr(importlib.import_module(module_name), function_name)
    assert task.name == task_name
    assert task_name in app.tasks


@pytest.mark.django_db
def test_beat_copies_the_schedule_into_the_database_at_start_up():
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    # Beat closes stale connections between ticks, which would end the test's transaction on PostgreSQL.
    with mock.patch("django_celery_beat.schedulers.close_old_connections"):
        scheduler = DatabaseScheduler(app=app)
        scheduler._finalize.cancel()  # no sync (and connection close) when it is garbage-collected later
    periodic = PeriodicTask.objects.get(name="lift-expired-embargoes")
    assert periodic.task == "rdm.records.tasks.lift_embargoes"
    assert periodic.enabled
    assert periodic.interval.every == 3600
