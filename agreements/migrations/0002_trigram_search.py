"""Trigram GIN indexes on the folded search keys, on PostgreSQL only.

Search filters with `search_key LIKE '%key%'`; on PostgreSQL a pg_trgm GIN index
serves that pattern. SQLite has no such index type: there the migration does nothing
and search scans, which is fine at the size of one province.
"""

from django.db import migrations

TABLES = ["agreements_agreement", "agreements_agency", "agreements_contentitem", "agreements_area"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm "
            f"ON {table} USING gin (search_key gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
