from django.db import migrations

# PostgreSQL only: the normalised text columns stay in the row. With ``toast_tuple_target`` at 128
# (migration 0004) every EXTENDED value moved to TOAST, even a 50-byte title, and a phrase (checked
# against the text of one value, ``database._match_text``) fetched each candidate's texts from TOAST: for
# "sea surface temperature" three quarters of the statement. MAIN keeps them in the row, compressed if
# the row needs it, and out of it only as a last resort. The in-row JSON columns every broad search reads
# for each match (``keywords`` for permissions and filters, ``sort_keys``, ``facet_terms``) are compressed
# with lz4 rather than pglz: decompressing ``keywords`` was a fifth of a frequent word's statement. Stored
# rows are rewritten once so their values move in and are compressed again (an unchanged value would keep
# its TOAST pointer and its compression); that rewrites every row, so ``VACUUM FULL search_searchdocument``
# afterwards gives the space back.
FORWARD = [
    "ALTER TABLE search_searchdocument ALTER COLUMN text_a SET STORAGE MAIN, "
    "ALTER COLUMN text_b SET STORAGE MAIN, ALTER COLUMN text_c SET STORAGE MAIN, "
    "ALTER COLUMN keywords SET COMPRESSION lz4, ALTER COLUMN sort_keys SET COMPRESSION lz4, "
    "ALTER COLUMN facet_terms SET COMPRESSION lz4",
    "UPDATE search_searchdocument SET text_a = text_a || '', text_b = text_b || '', text_c = text_c || '', "
    "keywords = keywords || '[]'::jsonb, sort_keys = sort_keys || '{}'::jsonb",
]
BACKWARD = [
    "ALTER TABLE search_searchdocument ALTER COLUMN text_a SET STORAGE EXTENDED, "
    "ALTER COLUMN text_b SET STORAGE EXTENDED, ALTER COLUMN text_c SET STORAGE EXTENDED, "
    "ALTER COLUMN keywords SET COMPRESSION DEFAULT, ALTER COLUMN sort_keys SET COMPRESSION DEFAULT, "
    "ALTER COLUMN facet_terms SET COMPRESSION DEFAULT",
]


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0012_date_count_templates'),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD)),
    ]
