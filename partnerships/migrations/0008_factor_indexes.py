"""GIN indexes on what helped and what hindered (PostgreSQL only): the partnership list's
``promoting_factors``/``hindering_factors`` filters (``@>``), linked from the dashboard's
bars, read the index instead of every partnership."""

from django.db import migrations

COLUMNS = ("promoting_factors", "hindering_factors")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS partnership_{column}_gin "
            f"ON partnerships_partnership USING gin ({column} jsonb_path_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS partnership_{column}_gin")


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0007_public_start_date_index")]

    operations = [migrations.RunPython(create, drop)]
