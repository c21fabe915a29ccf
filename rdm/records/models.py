"""Records: a parent shared by all versions, drafts, published records and their files.

A draft that edits a published record carries the record's pid; a new version gets a new pid under the
same parent. File bytes live in blobs; drafts and records point at blobs, so publishing and new versions
never copy bytes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

PUBLIC = "public"
RESTRICTED = "restricted"
ACCESS_CHOICES = [(PUBLIC, "Public"), (RESTRICTED, "Restricted")]


class RecordParent(models.Model):
    """The concept shared by every version: owner now, communities and access grants later."""

    pid = models.CharField(max_length=11, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_parents",
    )
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.pid


class RecordState(models.Model):
    """What drafts and published records share: metadata, access and the files switch."""

    parent = models.ForeignKey(RecordParent, on_delete=models.CASCADE)
    pid = models.CharField(max_length=11, unique=True)
    version_index = models.PositiveIntegerField(default=1)
    metadata = models.JSONField(default=dict, blank=True)
    access_record = models.CharField(max_length=10, choices=ACCESS_CHOICES, default=PUBLIC)
    access_files = models.CharField(max_length=10, choices=ACCESS_CHOICES, default=PUBLIC)
    embargo_active = models.BooleanField(default=False)
    embargo_until = models.DateField(null=True, blank=True)
    embargo_reason = models.TextField(blank=True, default="")
    files_enabled = models.BooleanField(default=True)
    revision_id = models.PositiveIntegerField(default=1)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.pid}: {self.title}"

    @property
    def title(self) -> str:
        title = self.metadata.get("title") if isinstance(self.metadata, dict) else None
        return title if isinstance(title, str) else ""

    @property
    def owner(self):
        return self.parent.owner

    def access_status(self) -> str:
        if self.embargo_active:
            return "embargoed"
        if self.access_record == RESTRICTED:
            return "restricted"
        if self.access_files == RESTRICTED or not self.files_enabled:
            return "metadata-only"
        return "open"


class Record(RecordState):
    is_latest = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["parent", "version_index"])]

    is_draft = False
    is_published = True


class Draft(RecordState):
    """Unpublished work: a new record, a new version (``record`` empty) or edits of ``record``."""

    record = models.OneToOneField(
        Record, null=True, blank=True, on_delete=models.CASCADE, related_name="draft",
    )

    class Meta:
        ordering = ["-updated"]

    is_draft = True

    @property
    def is_published(self) -> bool:
        return self.record_id is not None


def blob_path(blob, filename):
    hexid = blob.uuid.hex
    return f"files/{hexid[:2]}/{hexid[2:4]}/{hexid}"


class FileBlob(models.Model):
    """Stored bytes, shared by every draft and record that lists them."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=blob_path, max_length=255)
    size = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=40, blank=True, default="")
    mimetype = models.CharField(max_length=255, default="application/octet-stream")
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.uuid)


PENDING = "pending"
COMPLETED = "completed"


class FileEntry(models.Model):
    key = models.CharField(max_length=255)
    blob = models.ForeignKey(FileBlob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=[(PENDING, "Pending"), (COMPLETED, "Completed")],
                              default=PENDING)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self):
        return self.key

    def open(self):
        """A binary file handle on the stored bytes (callers close it, or hand it to FileResponse)."""
        return self.blob.file.storage.open(self.blob.file.name, "rb")


class DraftFile(FileEntry):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="file_entries")

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["draft", "key"], name="unique_draft_file_key")]


class RecordFile(FileEntry):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="file_entries")

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["record", "key"], name="unique_record_file_key")]
