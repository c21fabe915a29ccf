"""Signals of the vocabularies app, sent with ``transaction.on_commit`` by the services.

``entry_renamed(sender=VocabularyEntry, entry=entry)``: an entry's title changed; records showing the
dereferenced title (resource type, license, language...) need reindexing.
``entry_changed(sender=VocabularyEntry, entry=entry)``: an entry was created or updated (any field); the
vocabularies search index re-indexes it.
``vocabulary_loaded(sender=VocabularyEntry, vocabulary=name)``: default entries of a vocabulary were
created or updated in bulk (``load_defaults``); its entries are re-indexed.
"""

from django.dispatch import Signal

entry_renamed = Signal()
entry_changed = Signal()
vocabulary_loaded = Signal()
