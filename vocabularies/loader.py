"""Load the default vocabulary entries from vocabularies/fixtures/ (idempotent upsert).

Used by the data migration (with the historical model) and by ``manage.py rdm_vocabularies load``.
Entries are matched by (vocabulary, id); entries not in the files are left alone.
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .registry import VOCABULARY_TYPES

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
LOADED_FIELDS = ("title", "description", "props", "tags", "position")


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    renamed: list = field(default_factory=list)  # entry ids whose title changed


def read_fixture(filename: str) -> list[dict]:
    with open(FIXTURES_DIR / filename, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def fixture_values(item: dict, position: int) -> dict:
    return {
        "title": item["title"],
        "description": item.get("description") or {},
        "props": item.get("props") or {},
        "tags": item.get("tags") or [],
        "position": position,
    }


def load_vocabulary(model, vocabulary: str, items: list[dict]) -> LoadReport:
    report = LoadReport()
    existing = {entry.entry_id: entry for entry in model.objects.filter(vocabulary=vocabulary)}
    new_entries = []
    for position, item in enumerate(items):
        values = fixture_values(item, position)
        entry = existing.get(item["id"])
        if entry is None:
            new_entries.append(model(vocabulary=vocabulary, entry_id=item["id"], **values))
        elif all(getattr(entry, name) == values[name] for name in LOADED_FIELDS):
            report.unchanged += 1
        else:
            if entry.title != values["title"]:
                report.renamed.append(entry.entry_id)
            for name, value in values.items():
                setattr(entry, name, value)
            entry.save()
            report.updated += 1
    model.objects.bulk_create(new_entries)
    report.created = len(new_entries)
    return report


def load_default_vocabularies(model=None, names=None) -> dict[str, LoadReport]:
    """Upsert the default entries of the named vocabularies (all with a fixture when ``names`` is None)."""
    if model is None:
        from .models import VocabularyEntry as model
    reports = {}
    for vocabulary_type in VOCABULARY_TYPES.values():
        if vocabulary_type.fixture and (names is None or vocabulary_type.name in names):
            items = read_fixture(vocabulary_type.fixture)
            reports[vocabulary_type.name] = load_vocabulary(model, vocabulary_type.name, items)
    return reports
