"""Signal receivers that keep the indexes current: each change queues the documents it affects."""

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
