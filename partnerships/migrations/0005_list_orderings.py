"""Indexes for the lists at a million partnerships.

- A B-tree per ordering the API and the list page offer, the id breaking ties
  (``registry.keyset``): every page, however deep, is one range of one index. The start
  date has two: missing dates (proposals) come last in both directions, and a B-tree read
  backwards puts them first; ``(start_date DESC NULLS LAST, id DESC)`` is PostgreSQL's only
  (SQLite cannot say ``NULLS LAST`` in an index; its small tables are sorted).
- Trigram GIN indexes for the search (``PartnershipFilterSet.filter_q``: a case-insensitive
  substring of the title or the description), PostgreSQL only. Django writes ``icontains``
  as ``UPPER(column::text) LIKE UPPER('%word%')`` there, so the indexes are on
  ``UPPER(column)``: the same expression, and the same results as before, found through
  the index instead of by reading every row. SQLite has neither the extension nor GIN
  indexes; there the search reads the rows, as before. The trigram indexes are not in the
  models' state (as ``Meta.indexes`` SQLite would have to create them too, and Django's
  ``OpClass`` in an index needs ``django.contrib.postgres`` installed): plain SQL here.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

TABLE = "partnerships_partnership"


def on_postgresql(sql: str):
    """A ``RunPython`` step that runs ``sql`` on PostgreSQL and does nothing elsewhere."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def postgresql_index(name: str, definition: str) -> migrations.RunPython:
    create = f'CREATE INDEX "{name}" ON "{TABLE}" {definition}'
    drop = f'DROP INDEX IF EXISTS "{name}"'
    return migrations.RunPython(on_postgresql(create), on_postgresql(drop))


def trigram_index(column: str, name: str) -> migrations.RunPython:
    return postgresql_index(name, f'USING gin (UPPER("{column}") gin_trgm_ops)')


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0004_link_consent_drafts_one_lead"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["start_date", "id"], name="partnership_start_id"),
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["title", "id"], name="partnership_title_id"),
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["created_at", "id"], name="partnership_created_id"),
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["status", "id"], name="partnership_status_id"),
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(fields=["co_creation_type", "id"], name="partnership_declared_id"),
        ),
        migrations.AddIndex(
            model_name="partnership",
            index=models.Index(
                fields=["derived_co_creation_type", "id"], name="partnership_derived_id"
            ),
        ),
        postgresql_index("partnership_start_desc_id", '("start_date" DESC NULLS LAST, "id" DESC)'),
        # CREATE EXTENSION IF NOT EXISTS pg_trgm; does nothing on other databases.
        TrigramExtension(),
        trigram_index("title", "partnership_title_trgm"),
        trigram_index("description", "partnership_description_trgm"),
    ]
