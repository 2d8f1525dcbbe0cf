"""Word-pair GIN indexes for phrase searches, on PostgreSQL only.

pg_trgm cuts a pattern into trigrams word by word, so for "quang hop" or "dan chu co
so" (syllables in most rows, the phrase in few) its index selects most of the table
and every row is rechecked: 1–2 s at national scale. `dinvan_search_pairs(text)` is
the set of adjacent word pairs of a folded text (words: runs of a-z and 0-9), one
lexeme each ("dan_chu", "chu_co", "co_so"); a GIN index over it answers which rows
hold every pair of a phrase (`AgreementQuerySet.search`). The index is an expression
over the existing `search_key`: no column to fill, and PostgreSQL keeps it up to date
on every write. Building it reads every row once (about 4–5 minutes for the 2.4
million rows of a national deployment). SQLite: nothing (search scans there).
"""

from django.db import migrations

TABLES = ["agreements_agreement", "agreements_agreementparty", "agreements_contentitem"]

# COST 1000: where a plan filters rows by it, PostgreSQL evaluates every cheaper
# condition (the LIKE) first. Words are cut to their first 100 characters (a lexeme
# may not exceed 2,047 bytes; `pairs_query` cuts the same way).
FUNCTION = r"""
CREATE OR REPLACE FUNCTION dinvan_search_pairs(folded text) RETURNS tsvector
IMMUTABLE STRICT PARALLEL SAFE COST 1000 LANGUAGE sql AS $$
  SELECT array_to_tsvector(ARRAY(
    SELECT left(words[i], 100) || '_' || left(words[i + 1], 100)
    FROM generate_series(1, cardinality(words) - 1) AS i))
  FROM string_to_array(trim(regexp_replace(folded, '[^a-z0-9]+', ' ', 'g')), ' ') AS words
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_pairs "
            f"ON {table} USING gin (dinvan_search_pairs(search_key))"
        )
        schema_editor.execute(f"ANALYZE {table}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_pairs")
    schema_editor.execute("DROP FUNCTION IF EXISTS dinvan_search_pairs(text)")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0008_agency_change_order")]

    operations = [migrations.RunPython(create, drop)]
