"""Tables of the search layer: the database backend's documents and the durable indexer queue."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Length
from django.utils import timezone


class WeightedVector(models.Expression):
    """PostgreSQL: the weighted tsvector of the three text columns. Elsewhere: NULL (unused)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        return "NULL", []

    def as_postgresql(self, compiler, connection):
        parts = [
            f"setweight(to_tsvector('simple'::regconfig, coalesce({column}, '')), '{weight}')"
            for column, weight in (("text_a", "A"), ("text_b", "B"), ("text_c", "C"))
        ]
        return " || ".join(parts), []


class SearchDocument(models.Model):
    """One indexed document of the database backend (all indexes share the table).

    ``document`` is what hits return. The other columns are derived from the index declaration:
    ``text_a``/``text_b``/``text_c`` hold the free-text fields by boost (A: boost >= 3, B: >= 2, C: the
    rest); on PostgreSQL they feed ``search_vector``, a generated weighted tsvector with a GIN index.
    ``fields`` holds the normalised text of every text field for ``field:value`` queries, ``sort_keys``
    the first value of every sortable field. ``keywords`` lists the keyword values and principals as
    "field:value" strings: on PostgreSQL a GIN index serves filters and permission checks from it and
    facets count ``facet_terms`` (the facet fields' "field:value" strings joined by U+001F) in-row; dates
    are there too, each with its prefixes (century, decade, year, month, day), so a date range is a GIN
    lookup. Elsewhere (SQLite) ``SearchTerm`` rows hold keyword values, dates and principals, and filters
    and facets are indexed joins. ``updated`` is when
    the row last changed (on PostgreSQL, writing an identical document leaves the row alone: ``digest``
    fingerprints what the row was written from, so an identical row is recognised before it is sent).
    """

    index = models.CharField(max_length=64)
    doc_id = models.CharField(max_length=128)
    document = models.JSONField()
    text_a = models.TextField(blank=True, default="")
    text_b = models.TextField(blank=True, default="")
    text_c = models.TextField(blank=True, default="")
    fields = models.JSONField(default=dict)
    sort_keys = models.JSONField(default=dict)
    keywords = models.JSONField(default=list)
    facet_terms = models.TextField(blank=True, default="")
    digest = models.CharField(max_length=32, blank=True, default="")
    updated = models.DateTimeField(default=timezone.now)
    search_vector = models.GeneratedField(expression=WeightedVector(), output_field=SearchVectorField(),
                                          db_persist=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["index", "doc_id"], name="search_document_unique_id"),
        ]

    def __str__(self):
        return f"{self.index}/{self.doc_id}"


class SearchTerm(models.Model):
    """A keyword value of a document (SQLite): filter and facet values, dates, and "_principals" (who may
    read). Unused on PostgreSQL, where they are all in ``SearchDocument.keywords``."""

    document = models.ForeignKey(SearchDocument, on_delete=models.CASCADE, related_name="terms")
    field = models.CharField(max_length=64)
    value = models.CharField(max_length=400)

    class Meta:
        indexes = [models.Index(fields=["field", "value", "document"], name="search_term_lookup")]

    def __str__(self):
        return f"{self.field}={self.value}"


class SearchLexeme(models.Model):
    """A token of an index's searchable text (PostgreSQL): the term dictionary fuzzy terms expand
    against, as Elasticsearch expands them against its own. Only tokens short enough to be fuzzy
    matches are kept (``RDM_SEARCH_MAX_FUZZY_LENGTH`` + 2 characters). Lexemes are never removed: one
    whose documents are gone or changed matches no document through the tsvector."""

    pk = models.CompositePrimaryKey("index", "lexeme")  # one btree, no id sequence to advance
    index = models.CharField(max_length=64)
    lexeme = models.TextField()

    class Meta:
        # The candidates of a fuzzy term are the lexemes whose length is within its distance.
        indexes = [models.Index(models.F("index"), Length("lexeme"), models.F("lexeme"),
                                name="search_lexeme_length")]

    def __str__(self):
        return f"{self.index}:{self.lexeme}"


class IndexVersion(models.Model):
    """A random token replaced by every write to an index: the key under which the database backend
    caches totals and facet counts. Random rather than a counter, so a rolled-back write can never hand
    out a token again that cached results of its uncommitted documents."""

    index = models.CharField(max_length=64, primary_key=True)
    token = models.CharField(max_length=32)

    def __str__(self):
        return f"{self.index}@{self.token}"


class IndexQueueItem(models.Model):
    """A document waiting to be (re)indexed. One row per (index, doc_id): repeated changes collapse.

    Enqueuing again bumps ``enqueued_at``; the drain deletes a row only if it still carries the
    timestamp it read, so a change made while its batch was being written is indexed again.
    """

    index = models.CharField(max_length=64)
    doc_id = models.CharField(max_length=128)
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["index", "doc_id"], name="search_queue_unique_item"),
        ]
        indexes = [models.Index(fields=["enqueued_at"], name="search_queue_age")]

    def __str__(self):
        return f"{self.index}/{self.doc_id}"


class FacetCountScope(models.Model):
    """A count scope maintained on PostgreSQL (``Index.counted_scopes``): the documents of ``index``
    whose ``keywords`` hold every ``required`` term (the scope's keyword terms and "_principals:public").
    With ``any_field``, a template: one concrete scope per value of that field, keyed ``scope`` + value.
    Written by ``ensure_counted_scopes`` after ``migrate``; the triggers of migration 0010 read it."""

    index = models.CharField(max_length=64)
    # The scope's fixed keyword terms, sorted, as a JSON array; a template's ends with "<any_field>:".
    scope = models.TextField()
    required = models.JSONField()
    any_field = models.CharField(max_length=64, null=True, blank=True)
    # A date template (``ANY`` on a date field): the lengths of the field's terms it counts, [2, 4]: each
    # document in its centuries and years (migration 0012).
    value_lengths = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["index", "scope"], name="search_count_scope_unique"),
        ]

    def __str__(self):
        return f"{self.index}{self.scope}"


class FacetCountDelta(models.Model):
    """A change of a maintained public count: the sum of ``delta`` over an (index, scope, term) is the
    number of public documents in the (concrete) scope ("" term) or holding one facet value
    ("<position>:<value>", the facet's position in ``Index.facets`` from 1). PostgreSQL triggers insert a
    row per changed term and statement, never update one, so concurrent writers do not wait on each other;
    compaction (``public_counts.compact``) folds the rows of a scope into one per term."""

    index = models.CharField(max_length=64)
    scope = models.TextField()
    term = models.TextField()
    delta = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["index", "scope"], name="search_count_delta_scope")]

    def __str__(self):
        return f"{self.index}{self.scope} {self.term} {self.delta:+d}"
