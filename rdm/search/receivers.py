"""Signal receivers that keep the indexes current: each change queues the documents it affects.

Communities: a record document carries its parent's community ids and "community:<uuid>:view"
principals, so a record joining or leaving a community re-indexes every version (and draft) of it.
Membership and role changes re-index nothing: a user's community principals are computed per query
(``communities.permissions.search_principals``), and the documents name communities, not people.
Community changes (visibility, title, slug, logo) re-index nothing either: documents hold only the
community's uuid and capability principals, which do not depend on them; deleting a community removes
its record links one by one, and each removal is a ``community_records_changed``.
"""

from communities import signals as community_signals
from rdm.records import signals as record_signals
from vocabularies import signals as vocabulary_signals

from .index import all_indexes
from .indexer import enqueue


def draft_saved(sender, draft, **kwargs):
    enqueue("drafts", [draft.pid])


def draft_deleted(sender, pid, **kwargs):
    enqueue("drafts", [pid])


def record_published(sender, record, **kwargs):
    from rdm.records.indexes import version_pids

    # Publishing changes which version is the latest, so every version's document changes.
    enqueue("records", version_pids(record))
    enqueue("drafts", [record.pid])


def record_changed(sender, record, **kwargs):
    enqueue("records", [record.pid])


def community_records_changed(sender, community, parent, **kwargs):
    from rdm.records.models import Draft, Record

    for model, index_name in ((Record, "records"), (Draft, "drafts")):
        pids = model.objects.filter(parent_id=parent.pk).order_by("pk").values_list("pid", flat=True)
        enqueue(index_name, pids.iterator(chunk_size=1000))


def entry_renamed(sender, entry, **kwargs):
    for index in all_indexes():
        for ids in index.ids_embedding(entry.vocabulary, entry.entry_id):
            enqueue(index.name, ids)


def connect() -> None:
    record_signals.draft_saved.connect(draft_saved, dispatch_uid="search.draft_saved")
    record_signals.draft_deleted.connect(draft_deleted, dispatch_uid="search.draft_deleted")
    record_signals.record_published.connect(record_published, dispatch_uid="search.record_published")
    record_signals.record_changed.connect(record_changed, dispatch_uid="search.record_changed")
    vocabulary_signals.entry_renamed.connect(entry_renamed, dispatch_uid="search.entry_renamed")
    community_signals.community_records_changed.connect(
        community_records_changed, dispatch_uid="search.community_records_changed"
    )
