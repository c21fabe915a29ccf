"""File storage for records: bytes go through Django's storage API into blobs that drafts and records
share. Uploads are read in chunks, hashed and counted on the way, never held in memory whole."""

import hashlib
import mimetypes

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction

from .models import DraftFile, FileBlob, RecordFile, blob_path

CHUNK_SIZE = 64 * 1024
MAX_KEY_LENGTH = 255


class FileTooLarge(Exception):
    pass


class HashingReader:
    """Wraps an input stream: counts, hashes, and stops past the size limit while storage reads it."""

    closed = False

    def __init__(self, stream, limit: int):
        self.stream = stream
        self.limit = limit
        self.size = 0
        self.md5 = hashlib.md5(usedforsecurity=False)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(CHUNK_SIZE), b""))
        data = self.stream.read(size)
        self.size += len(data)
        if self.size > self.limit:
            raise FileTooLarge()
        self.md5.update(data)
        return data

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.size


def validate_key(key) -> str | None:
    """An error message for a bad file name, or None."""
    if not isinstance(key, str) or not key.strip():
        return "A file name is required."
    if len(key) > MAX_KEY_LENGTH:
        return f"File names are limited to {MAX_KEY_LENGTH} characters."
    if "/" in key or "\\" in key or key in (".", "..") or any(ord(c) < 32 for c in key):
        return "File names may not contain slashes or control characters, nor be '.' or '..'."
    return None


def guess_mimetype(key: str) -> str:
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


def too_large_message() -> str:
    return f"The file exceeds the maximum size of {settings.RDM_MAX_FILE_SIZE} bytes."


def store_blob(stream, key: str) -> FileBlob:
    """Stream ``stream`` into a new blob, with size, md5 checksum and a mimetype guessed from ``key``."""
    blob = FileBlob(mimetype=guess_mimetype(key))
    reader = HashingReader(stream, settings.RDM_MAX_FILE_SIZE)
    name = blob_path(blob, key)
    try:
        blob.file.name = default_storage.save(name, File(reader, name=key))
    except FileTooLarge:
        if default_storage.exists(name):
            default_storage.delete(name)
        raise ValidationError({"content": [too_large_message()]}) from None
    blob.size = reader.size
    blob.checksum = f"md5:{reader.md5.hexdigest()}"
    blob.save()
    return blob


def release_blob(blob: FileBlob) -> None:
    """Delete a blob (and its bytes, once committed) when no draft or record lists it any more."""
    if DraftFile.objects.filter(blob=blob).exists() or RecordFile.objects.filter(blob=blob).exists():
        return
    name = blob.file.name
    blob.delete()
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))
