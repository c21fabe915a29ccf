from celery import shared_task

from . import services


@shared_task(name="rdm.records.tasks.lift_embargoes")
def lift_embargoes() -> int:
    """Periodic: make records whose embargo has expired public (scheduled by the beat data migration)."""
    return services.lift_expired_embargoes()
