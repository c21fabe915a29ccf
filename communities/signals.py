"""Community signals, sent once the transaction commits so listeners (the indexer) see committed state.

- ``community_changed(sender=Community, community=..., changed=(field names...))``: created, updated,
  renamed, logo, deleted; ``changed`` names the model fields that changed (empty on creation).
- ``membership_changed(sender=Membership, community=..., user=... | None, group=... | None)``: a member
  was added, changed role or visibility, or removed: what that principal may see changed.
- ``community_records_changed(sender=CommunityRecord, community=..., parent=...)``: a record joined or
  left the community (its parent's communities changed).
"""

from django.db import transaction
from django.dispatch import Signal

community_changed = Signal()
membership_changed = Signal()
community_records_changed = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
