"""Compiled field readers and the row plan give exactly what the generic declarations define."""

import random
from collections import OrderedDict
from dataclasses import dataclass

import pytest

from rdm.search.backends.base import IndexedDocument
from rdm.search.backends.database import row_plan
from rdm.search.index import (
    KEYWORD_MAX_LENGTH,
    DateField,
    Facet,
    Field,
    Index,
    KeywordField,
    TextField,
    normalize_text,
    path_reader,
    values_at,
)

PATHS = ("a", "a.b", "a.b.c", "list.name", "list.inner.name", "deep.x.y.z")
SCALARS = ("  Ocean  ", "", "   ", "Ünïcödé ﬁsh", "2020-05", "2021-02-03T10:00:00", None, True, False, 0, 7,
           3.5, "x" * (KEYWORD_MAX_LENGTH + 20), "a\x1fb")


def random_value(rng: random.Random, depth: int):
    roll = rng.random()
    if depth > 3 or roll < 0.45:
        return rng.choice(SCALARS)
    keys = ("a", "b", "c", "x", "y", "z", "name", "inner", "list", "deep")
    if roll < 0.7:
        kind = OrderedDict if rng.random() < 0.1 else dict
        return kind((key, random_value(rng, depth + 1)) for key in rng.sample(keys, rng.randint(0, 4)))
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]


def random_documents(count: int, seed: int = 7) -> list:
    rng = random.Random(seed)
    documents = []
    for _ in range(count):
        document = random_value(rng, 0)
        documents.append(document if isinstance(document, dict) else {"a": document, "list": [document]})
    return documents


@pytest.mark.parametrize("path", PATHS)
def test_path_reader_matches_values_at_over_every_shape(path):
    read = path_reader(path)

    for document in random_documents(600):
        assert read(document) == values_at(document, path)


@dataclass(frozen=True)
class ShoutingField(TextField):
    """A field that cleans in its own way: the reader must keep to its ``clean``."""

    def clean(self, value) -> str:
        return super().clean(value).upper()


FIELDS = [
    kind(f"{kind.__name__}-{path}-{sortable}", path=path, sortable=sortable)
    for kind in (Field, TextField, KeywordField, DateField, ShoutingField)
    for path in PATHS
    for sortable in (False, True)
] + [KeywordField("computed", extract=lambda document: [document.get("a"), " b ", None], sortable=True)]


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.name)
def test_field_read_gives_its_values_and_sort_value(field):
    for document in random_documents(300):
        expected = (field.values(document), field.sort_value(document) if field.sortable else None)
        assert field.read(document) == expected


class TinyIndex(Index):
    name = "tiny"
    fields = (
        TextField("title", path="a", boost=3, sortable=True),
        TextField("note", path="list.name"),
        KeywordField("kind", path="a.b", searchable=True),
        KeywordField("tag", path="list.inner.name"),
        DateField("date", path="a.b.c", sortable=True),
    )
    facets = (Facet("kind", "Kind"), Facet("tag", "Tag"))


def test_row_plan_derives_every_column_from_the_declared_fields():
    index = TinyIndex()
    plan = row_plan(index)

    for number, document in enumerate(random_documents(300)):
        row, pairs = plan.prepare(IndexedDocument(str(number), document, ["user:1", "public"]),
                                  keywords_in_row=False)

        values = {field.name: field.values(document) for field in index.fields}
        assert row.text_a == normalize_text(values["title"])
        assert row.text_b == ""
        assert row.text_c == normalize_text(values["kind"])
        texts = ("title", "note")
        assert row.fields == {name: normalize_text(values[name]) for name in texts if values[name]}
        keyword_pairs = {("_principals", "user:1"), ("_principals", "public")}
        keyword_pairs |= {(name, value) for name in ("kind", "tag") for value in values[name]}
        assert row.keywords == sorted(f"{name}:{value}" for name, value in keyword_pairs)
        facets = ("\x1f".join(sorted(set(values[name]))) for name in ("kind", "tag"))
        assert row.facet_terms == "\x1e".join(facets)
        assert pairs == sorted(keyword_pairs | {("date", value) for value in values["date"]})
        sort_keys = {name: field.sort_value(document) for name, field in (("title", index.fields[0]),
                                                                          ("date", index.fields[4]))}
        assert row.sort_keys == {name: value for name, value in sort_keys.items() if value is not None}


def test_row_plan_follows_fields_replaced_on_the_index():
    index = TinyIndex()
    row_plan(index)
    index.fields = (*TinyIndex.fields, KeywordField("extra", path="a"))

    row, _ = row_plan(index).prepare(IndexedDocument("1", {"a": "yes"}, []), keywords_in_row=True)

    assert "extra:yes" in row.keywords
