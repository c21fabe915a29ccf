"""Record lifecycle signals. Services send them once the transaction commits, so listeners (the search
indexer) never see rolled-back state.

- ``draft_saved(sender=Draft, draft=...)``
- ``draft_deleted(sender=Draft, pid=...)``
- ``record_published(sender=Record, record=...)``
- ``record_changed(sender=Record, record=...)`` (access changed, embargo lifted ...)
"""

from django.db import transaction
from django.dispatch import Signal

draft_saved = Signal()
draft_deleted = Signal()
record_published = Signal()
record_changed = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
