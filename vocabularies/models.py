from django.db import models


class VocabularyEntry(models.Model):
    """One term of a controlled vocabulary (resource type, license, language, role...).

    Every vocabulary shares this table; what differs between vocabularies lives in ``props`` (e.g. a
    license's ``url``, a resource type's DataCite mapping, later a funder's ``country`` and identifiers).
    ``entry_id`` is the public identifier records refer to and never changes.
    """

    vocabulary = models.CharField(max_length=64)
    entry_id = models.CharField("id", max_length=255)
    title = models.JSONField(default=dict, help_text='Titles by language, e.g. {"en": "Dataset"}.')
    description = models.JSONField(default=dict, blank=True)
    props = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Display order within the vocabulary.")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "vocabulary entry"
        verbose_name_plural = "vocabulary entries"
        ordering = ["vocabulary", "position", "entry_id"]
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "entry_id"], name="vocabulary_entry_unique_id"),
        ]
        indexes = [models.Index(fields=["vocabulary", "position"], name="vocabulary_entry_order")]

    def __str__(self):
        return f"{self.vocabulary}:{self.entry_id}"

    def title_in(self, lang: str = "en") -> str:
        return title_in(self.title, lang) or self.entry_id


def title_in(title: dict, lang: str = "en") -> str | None:
    """The title in ``lang``, else English, else any language given."""
    if not title:
        return None
    return title.get(lang) or title.get("en") or next(iter(title.values()), None)
