"""Signals of the vocabularies app, sent with ``transaction.on_commit`` by the services.

``entry_renamed(sender=VocabularyEntry, entry=entry)``: an entry's title changed; records showing the
dereferenced title (resource type, license, language...) need reindexing.
"""

from django.dispatch import Signal

entry_renamed = Signal()
