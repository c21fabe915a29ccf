from importlib import import_module

from django.db import migrations, models

# PostgreSQL only: count scope templates over a date field (``ANY`` on a ``DateField`` in
# ``Index.counted_scopes``). Their rows carry ``value_lengths`` ([2, 4]): a document is counted in one
# concrete scope per date term it holds of one of those lengths (its centuries and years), so a year-aligned
# range sums the counts of its tiles (``database.date_range_terms``; a decade is its ten years). A document
# holding dates in more than one year is counted once more under the template's key followed by "*": tiles
# of different years would count it twice, so while that scope counts anything a search sums nothing and
# counts its matches instead. Rows without ``value_lengths`` are counted as in 0010.
DELTAS = """
    INSERT INTO search_facetcountdelta (index, scope, term, delta)
    WITH changed AS ({rows}), templated AS (
        SELECT changed.id, changed.sign, changed.index, changed.facet_terms, scope.scope AS template,
               scope.value_lengths, keyword.value
        FROM changed CROSS JOIN LATERAL (
            SELECT split_part(term, ':', 1) AS field, substr(term, strpos(term, ':') + 1) AS value
            FROM jsonb_array_elements_text(changed.keywords) AS term
        ) AS keyword
        JOIN search_facetcountscope AS scope
            ON scope.index = changed.index AND scope.any_field = keyword.field
            AND (scope.value_lengths IS NULL OR scope.value_lengths @> to_jsonb(length(keyword.value)))
        WHERE changed.keywords @> scope.required
    ), scoped AS (
        SELECT changed.index, scope.scope, changed.facet_terms, changed.sign
        FROM changed JOIN search_facetcountscope AS scope
            ON scope.index = changed.index AND scope.any_field IS NULL AND changed.keywords @> scope.required
        UNION ALL
        SELECT index, template || value, facet_terms, sign FROM templated
        UNION ALL
        SELECT index, template || '*', min(facet_terms), sign FROM templated
        WHERE length(value) = 4
        GROUP BY id, sign, index, template HAVING count(*) > 1
    )
    SELECT scoped.index, scoped.scope, term.term, sum(scoped.sign)
    FROM scoped CROSS JOIN LATERAL search_facet_count_terms(scoped.facet_terms) AS term(term)
    GROUP BY scoped.index, scoped.scope, term.term
    HAVING sum(scoped.sign) <> 0;
"""
# The changed documents, each side with its id (a document's sides differ in sign).
NEW_ROWS = "SELECT id, index, keywords, facet_terms, 1 AS sign FROM new_rows"
OLD_ROWS = "SELECT id, index, keywords, facet_terms, -1 AS sign FROM old_rows"
CHANGED_ROWS = """
    SELECT side.id, side.index, side.keywords, side.facet_terms, side.sign
    FROM old_rows AS old_doc FULL JOIN new_rows AS new_doc ON new_doc.id = old_doc.id
    CROSS JOIN LATERAL (VALUES (new_doc.id, new_doc.index, new_doc.keywords, new_doc.facet_terms, 1),
                               (old_doc.id, old_doc.index, old_doc.keywords, old_doc.facet_terms, -1))
        AS side(id, index, keywords, facet_terms, sign)
    WHERE side.index IS NOT NULL AND (old_doc.index, old_doc.keywords, old_doc.facet_terms)
        IS DISTINCT FROM (new_doc.index, new_doc.keywords, new_doc.facet_terms)
"""
def deltas_function(deltas: str, new_rows: str, old_rows: str, changed_rows: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION search_facet_count_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            {deltas.format(rows=new_rows)}
        ELSIF TG_OP = 'DELETE' THEN
            {deltas.format(rows=old_rows)}
        ELSE
            {deltas.format(rows=changed_rows)}
        END IF;
        RETURN NULL;
    END
    $$
    """


# The concrete scopes of one scope row a document (``keywords``) is counted in, as the triggers count
# them; for seeding one row (``public_counts.SEED_SQL``).
SCOPES_FUNCTION = """
    CREATE OR REPLACE FUNCTION search_facet_count_scopes(scope_key text, any_field text, value_lengths jsonb,
                                                         keywords jsonb)
    RETURNS SETOF text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH value AS (
            SELECT substr(keyword.term, length(any_field) + 2) AS value
            FROM jsonb_array_elements_text(keywords) AS keyword(term)
            WHERE any_field IS NOT NULL AND starts_with(keyword.term, any_field || ':')
            AND (value_lengths IS NULL
                 OR value_lengths @> to_jsonb(length(keyword.term) - length(any_field) - 1))
        )
        SELECT scope_key WHERE any_field IS NULL
        UNION ALL
        SELECT scope_key || value FROM value
        UNION ALL
        SELECT scope_key || '*' WHERE value_lengths IS NOT NULL
            AND (SELECT count(*) FROM value WHERE length(value) = 4) > 1
    $$
"""
FORWARD = [
    "DROP FUNCTION IF EXISTS search_facet_count_scopes(text, text, jsonb)",
    SCOPES_FUNCTION,
    deltas_function(DELTAS, NEW_ROWS, OLD_ROWS, CHANGED_ROWS),
]
# Back: 0010's functions again (its forward statements), after dropping this one's.
PREVIOUS = import_module("rdm.search.migrations.0010_facet_count_templates")
BACKWARD = [
    "DROP FUNCTION IF EXISTS search_facet_count_scopes(text, text, jsonb, jsonb)",
    *PREVIOUS.FORWARD,
    # Date templates did not exist: their rows and counts go (``ensure_counted_scopes`` would not know them).
    "DELETE FROM search_facetcountdelta AS delta USING search_facetcountscope AS scope "
    "WHERE scope.value_lengths IS NOT NULL AND delta.index = scope.index "
    "AND starts_with(delta.scope, scope.scope)",
    "DELETE FROM search_facetcountscope WHERE value_lengths IS NOT NULL",
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
        ('search', '0011_dates_in_row'),
    ]

    operations = [
        migrations.AddField(
            model_name='facetcountscope',
            name='value_lengths',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(run_on_postgresql(FORWARD), run_on_postgresql(BACKWARD)),
    ]
