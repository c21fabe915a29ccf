"""Celery tasks of the search layer. Beat starts ``drain_index_queue`` every few seconds; every
enqueue also starts one when its transaction commits."""

from celery import shared_task
from django.conf import settings

from . import indexer

DRAIN_TIME_BUDGET = 60.0  # seconds per task run; a longer backlog continues in a fresh task


@shared_task(name="rdm.search.tasks.drain_index_queue", ignore_result=True)
def drain_index_queue(batch_size: int = indexer.DEFAULT_BATCH_SIZE) -> int:
    """Drain the indexer queue in batches of ``batch_size`` until it is empty; returns items processed."""
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    report = indexer.drain_queue(batch_size=batch_size, time_budget=None if eager else DRAIN_TIME_BUDGET)
    if not eager and indexer.pending(exclude=list(report.failed)):
        drain_index_queue.delay(batch_size)
    return report.processed
