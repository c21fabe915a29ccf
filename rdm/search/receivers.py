"""Signal receivers that keep the indexes current: each change queues the documents it affects.

Records and drafts: a record document carries its parent's community ids and "community:<uuid>:view"
principals, so a record joining or leaving a community re-indexes every version (and draft) of it.
Membership and role changes re-index no record: a user's community principals are computed per query
(``communities.permissions.search_principals``), and the documents name communities, not people.
Community changes (visibility, title, logo) re-index no record either: record documents hold only the
community's uuid and capability principals, which do not depend on them (facet labels are looked up at
query time). The slug is the exception: record documents carry their communities' slugs for
``community:<slug>`` queries, so a slug change re-queues the community's records and drafts. Deleting
a community removes its record links one by one, and each removal is a ``community_records_changed``.
A user's name change re-indexes no record: records embed creators as typed text, not references to
users.

Communities, members, users, groups, vocabularies: a community change re-indexes the community and its
member documents (their principals follow the community's visibility; a deleted community drops them);
a membership change re-indexes that member document; a user's or group's change re-indexes their user
or group document and their member documents, which embed the display name. Requests and request
events get their indexes and receivers with the requests issue.
"""

import logging

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_migrate

from accounts import signals as account_signals
from communities import signals as community_signals
from communities.models import Membership
from rdm.records import signals as record_signals
from vocabularies import signals as vocabulary_signals

from .backends import get_search_backend
from .index import all_indexes
from .indexer import enqueue

logger = logging.getLogger(__name__)


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


def community_changed(sender, community, changed=(), **kwargs):
    from communities.indexes import community_member_ids

    enqueue("communities", [str(community.uuid)])
    enqueue("members", community_member_ids(community))
    if "slug" in changed:
        enqueue_community_records(community)


def enqueue_community_records(community) -> None:
    """Queue every record and draft the community holds, streamed in chunks (no list in memory)."""
    from rdm.records.models import Draft, Record

    for model, index_name in ((Record, "records"), (Draft, "drafts")):
        held = model.objects.filter(parent__community_links__community=community).order_by("pk")
        enqueue(index_name, held.values_list("pid", flat=True).iterator(chunk_size=1000))


def membership_changed(sender, community, user=None, group=None, **kwargs):
    from communities.indexes import member_doc_id

    enqueue("members", [member_doc_id(community, user=user, group=group)])


def membership_deleted(sender, instance, **kwargs):
    """Memberships deleted with their user or group (cascades send no ``membership_changed``)."""
    from communities.indexes import membership_doc_id

    try:
        doc_id = membership_doc_id(instance)
    except ObjectDoesNotExist:  # the community went first: its documents are dropped with it
        return
    transaction.on_commit(lambda: enqueue("members", [doc_id]), robust=True)


def user_changed(sender, user_id, **kwargs):
    from communities.indexes import memberships_of

    enqueue("users", [str(user_id)])
    enqueue("members", memberships_of(user_id=user_id))


def group_changed(sender, group_id, **kwargs):
    from communities.indexes import memberships_of

    enqueue("groups", [str(group_id)])
    enqueue("members", memberships_of(group_id=group_id))


def vocabulary_entry_changed(sender, entry, **kwargs):
    from vocabularies.indexes import entry_doc_id

    enqueue("vocabularies", [entry_doc_id(entry.vocabulary, entry.entry_id)])


def vocabulary_loaded(sender, vocabulary, **kwargs):
    from vocabularies.indexes import entry_doc_id
    from vocabularies.models import VocabularyEntry

    entry_ids = VocabularyEntry.objects.filter(vocabulary=vocabulary).order_by("pk")
    entry_ids = entry_ids.values_list("entry_id", flat=True).iterator(chunk_size=1000)
    enqueue("vocabularies", (entry_doc_id(vocabulary, entry_id) for entry_id in entry_ids))


def index_migrated_data(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After ``migrate``: queue the documents of indexes seeded by data migrations when the engine holds
    fewer than the database (a fresh database, or new default entries). A search engine that cannot be
    reached must not fail the migration: ``rdm_index rebuild`` can catch up later."""
    if using != DEFAULT_DB_ALIAS:
        return
    for index in all_indexes():
        if not index.seeded_by_migrations:
            continue
        try:
            if get_search_backend().count(index) >= index.count():
                continue
            for ids in index.iter_ids():
                enqueue(index.name, ids)
        except Exception:  # noqa: BLE001 - logged; the migration itself succeeded
            logger.exception("Could not queue the %s index after migrating.", index.name)


def connect() -> None:
    record_signals.draft_saved.connect(draft_saved, dispatch_uid="search.draft_saved")
    record_signals.draft_deleted.connect(draft_deleted, dispatch_uid="search.draft_deleted")
    record_signals.record_published.connect(record_published, dispatch_uid="search.record_published")
    record_signals.record_changed.connect(record_changed, dispatch_uid="search.record_changed")
    vocabulary_signals.entry_renamed.connect(entry_renamed, dispatch_uid="search.entry_renamed")
    community_signals.community_records_changed.connect(
        community_records_changed, dispatch_uid="search.community_records_changed"
    )
    community_signals.community_changed.connect(community_changed, dispatch_uid="search.community_changed")
    community_signals.membership_changed.connect(membership_changed, dispatch_uid="search.membership_changed")
    post_delete.connect(membership_deleted, sender=Membership, dispatch_uid="search.membership_deleted")
    account_signals.user_changed.connect(user_changed, dispatch_uid="search.user_changed")
    account_signals.group_changed.connect(group_changed, dispatch_uid="search.group_changed")
    vocabulary_signals.entry_changed.connect(vocabulary_entry_changed, dispatch_uid="search.entry_changed")
    vocabulary_signals.vocabulary_loaded.connect(vocabulary_loaded, dispatch_uid="search.vocabulary_loaded")
    post_migrate.connect(index_migrated_data, sender=apps.get_app_config("search"),
                         dispatch_uid="search.index_migrated_data")
