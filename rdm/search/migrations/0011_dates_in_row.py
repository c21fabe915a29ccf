from django.db import migrations

# PostgreSQL only: dates move from ``SearchTerm`` rows into ``keywords``, each value with its prefixes
# (century, decade, year, month, day: ``database.date_prefixes``), so a date range is one GIN lookup of
# the prefixes that tile it. Existing rows are converted in place; their digest is cleared, so the next
# write of each document rewrites it whatever it holds. Elsewhere (SQLite) nothing changes.
CALENDAR_DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
FORWARD = [
    rf"""
    UPDATE search_searchdocument AS doc SET digest = '', keywords = (
        SELECT jsonb_agg(term ORDER BY term COLLATE "C") FROM (
            SELECT jsonb_array_elements_text(doc.keywords) AS term
            UNION
            SELECT date.field || ':' || prefix.value
            FROM search_searchterm AS date
            CROSS JOIN LATERAL unnest(ARRAY[left(date.value, 2), left(date.value, 3), left(date.value, 4),
                                            left(date.value, 7), date.value]) AS prefix(value)
            WHERE date.document_id = doc.id AND date.value ~ '{CALENDAR_DATE}'
        ) AS terms
    )
    WHERE EXISTS (SELECT 1 FROM search_searchterm AS date WHERE date.document_id = doc.id)
    """,
    "DELETE FROM search_searchterm",
]
# Back: the whole dates of the date fields the indexes declare become ``SearchTerm`` rows again, and their
# terms leave ``keywords``.
BACKWARD_TERMS = r"""
    INSERT INTO search_searchterm (document_id, field, value)
    SELECT doc.id, %s, substr(term, length(%s) + 2)
    FROM search_searchdocument AS doc CROSS JOIN LATERAL jsonb_array_elements_text(doc.keywords) AS term
    WHERE doc.index = %s AND starts_with(term, %s || ':') AND substr(term, length(%s) + 2) ~ '^\d{4}-\d{2}-\d{2}$'
"""
BACKWARD_KEYWORDS = """
    UPDATE search_searchdocument AS doc SET digest = '', keywords = (
        SELECT coalesce(jsonb_agg(term ORDER BY term COLLATE "C"), '[]'::jsonb)
        FROM jsonb_array_elements_text(doc.keywords) AS term WHERE NOT starts_with(term, %s || ':')
    )
    WHERE doc.index = %s AND EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(doc.keywords) AS term WHERE starts_with(term, %s || ':'))
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from rdm.search.index import DATE, all_indexes

    for index in all_indexes():
        for field in index.fields:
            if field.kind == DATE:
                name = field.name
                schema_editor.execute(BACKWARD_TERMS, [name, name, index.name, name, name])
                schema_editor.execute(BACKWARD_KEYWORDS, [name, index.name, name])


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0010_facet_count_templates'),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
