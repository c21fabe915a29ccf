from django.db import migrations, models

# PostgreSQL only: count scope templates (``ANY`` in ``Index.counted_scopes``). A scope row with an
# ``any_field`` stands for one concrete scope per value of that field, keyed by the row's ``scope`` (which
# ends with "<any_field>:") followed by the value; a document holding several values is counted in each.
# Plain string concatenation, so the key is the same in SQL and Python whatever the value holds. Rows
# without ``any_field`` are counted as in 0009. A document's keywords are unnested once, whatever the
# number of templates, and an update only counts the documents whose keywords or facet values changed.
DELTAS = """
    INSERT INTO search_facetcountdelta (index, scope, term, delta)
    WITH changed AS ({rows}), scoped AS (
        SELECT changed.index, scope.scope, changed.facet_terms, changed.sign
        FROM changed JOIN search_facetcountscope AS scope
            ON scope.index = changed.index AND scope.any_field IS NULL AND changed.keywords @> scope.required
        UNION ALL
        SELECT changed.index, scope.scope || keyword.value, changed.facet_terms, changed.sign
        FROM changed CROSS JOIN LATERAL (
            SELECT split_part(term, ':', 1) AS field, substr(term, strpos(term, ':') + 1) AS value
            FROM jsonb_array_elements_text(changed.keywords) AS term
        ) AS keyword
        JOIN search_facetcountscope AS scope
            ON scope.index = changed.index AND scope.any_field = keyword.field
        WHERE changed.keywords @> scope.required
    )
    SELECT scoped.index, scoped.scope, term.term, sum(scoped.sign)
    FROM scoped CROSS JOIN LATERAL search_facet_count_terms(scoped.facet_terms) AS term(term)
    GROUP BY scoped.index, scoped.scope, term.term
    HAVING sum(scoped.sign) <> 0;
"""
# An update: both sides of the documents whose counted columns changed (unchanged ones would sum to 0).
# A full join, so that rows paired by nothing (an updated id) still count. (``old``/``new`` would name
# PL/pgSQL's trigger variables.)
CHANGED_ROWS = """
    SELECT side.index, side.keywords, side.facet_terms, side.sign
    FROM old_rows AS old_doc FULL JOIN new_rows AS new_doc ON new_doc.id = old_doc.id
    CROSS JOIN LATERAL (VALUES (new_doc.index, new_doc.keywords, new_doc.facet_terms, 1),
                               (old_doc.index, old_doc.keywords, old_doc.facet_terms, -1))
        AS side(index, keywords, facet_terms, sign)
    WHERE side.index IS NOT NULL AND (old_doc.index, old_doc.keywords, old_doc.facet_terms)
        IS DISTINCT FROM (new_doc.index, new_doc.keywords, new_doc.facet_terms)
"""
# 0009's statement, restored when migrating back.
DELTAS_0009 = """
    INSERT INTO search_facetcountdelta (index, scope, term, delta)
    SELECT changed.index, scope.scope, term.term, sum(changed.sign)
    FROM ({rows}) AS changed
    JOIN search_facetcountscope AS scope
        ON scope.index = changed.index AND changed.keywords @> scope.required
    CROSS JOIN LATERAL search_facet_count_terms(changed.facet_terms) AS term(term)
    GROUP BY changed.index, scope.scope, term.term
    HAVING sum(changed.sign) <> 0;
"""
NEW_ROWS = "SELECT index, keywords, facet_terms, 1 AS sign FROM new_rows"
OLD_ROWS = "SELECT index, keywords, facet_terms, -1 AS sign FROM old_rows"
BOTH_ROWS = f"{NEW_ROWS} UNION ALL {OLD_ROWS}"  # an update: unchanged terms sum to 0 and are dropped


def deltas_function(deltas: str, updated_rows: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION search_facet_count_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {deltas.format(rows=NEW_ROWS)}
        ELSIF TG_OP = 'DELETE' THEN
            {deltas.format(rows=OLD_ROWS)}
        ELSE
            {deltas.format(rows=updated_rows)}
        END IF;
        RETURN NULL;
    END
    $$
    """


FORWARD = [
    # The concrete scopes of one scope row a document (``keywords``) is counted in: the row's own key, or
    # for a template the key followed by each value the document holds in ``any_field``. For seeding one
    # row (``public_counts.SEED_SQL``); the triggers do the same for every row at once.
    """
    CREATE OR REPLACE FUNCTION search_facet_count_scopes(scope_key text, any_field text, keywords jsonb)
    RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT scope_key WHERE any_field IS NULL
        UNION ALL
        SELECT scope_key || substr(keyword.term, length(any_field) + 2)
        FROM jsonb_array_elements_text(keywords) AS keyword(term)
        WHERE any_field IS NOT NULL AND starts_with(keyword.term, any_field || ':')
    $$
    """,
    deltas_function(DELTAS, CHANGED_ROWS),
]
BACKWARD = [
    deltas_function(DELTAS_0009, BOTH_ROWS),
    "DROP FUNCTION IF EXISTS search_facet_count_scopes(text, text, jsonb)",
    "DELETE FROM search_facetcountscope WHERE any_field IS NOT NULL",
    "DELETE FROM search_facetcountdelta AS delta WHERE NOT EXISTS (SELECT 1 FROM search_facetcountscope AS "
    "scope WHERE scope.index = delta.index AND scope.scope = delta.scope)",
]


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0009_facet_counts'),
    ]

    operations = [
        migrations.AddField(
            model_name='facetcountscope',
            name='any_field',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD)),
    ]
