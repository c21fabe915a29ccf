from django.db import migrations

# PostgreSQL only: keep the tsvector in the row (compressed with lz4 where available) instead of TOAST.
# Ranking reads the vector of every match; fetching each one from the TOAST table made a best-match
# search for a frequent word ten times slower than the ranking itself. Rows written before this change
# move when they are next written (`manage.py rdm_index rebuild` moves them all).
FORWARD = ["ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET STORAGE MAIN"]
# lz4 compresses several times faster than the default pglz: the text columns are compressed on every
# write (the document and fields columns have used lz4 since 0003).
LZ4 = ("ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET COMPRESSION lz4, "
       "ALTER COLUMN text_a SET COMPRESSION lz4, ALTER COLUMN text_b SET COMPRESSION lz4, "
       "ALTER COLUMN text_c SET COMPRESSION lz4")
BACKWARD = ["ALTER TABLE search_searchdocument ALTER COLUMN search_vector SET STORAGE EXTENDED"]


def run_on_postgresql(statements, *, lz4=False):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)
        if lz4 and _has_lz4(schema_editor.connection):
            schema_editor.execute(LZ4)

    return run


def _has_lz4(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_settings WHERE name = 'default_toast_compression' "
                       "AND 'lz4' = ANY(enumvals)")
        return cursor.fetchone()[0] > 0


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0005_index_version"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FORWARD, lz4=True), run_on_postgresql(BACKWARD)),
    ]
