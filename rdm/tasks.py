"""Project-level Celery tasks."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import connection


@shared_task(name="rdm.tasks.ping")
def ping(token: str) -> dict:
    """Health probe for workers: echoes `token` and shows which database the worker reads."""
    return {
        "pong": token,
        "database": connection.settings_dict["NAME"],
        "users": get_user_model().objects.count(),
    }
