"""The public list's own index: established partnerships by start date, newest first.

Anonymous visitors and the API see established partnerships only, and their default order
is the newest start date first (``registry.keyset``). ``partnership_start_desc_id`` holds
every partnership, so a page of that order steps over the proposals and drafts it meets,
and a deep page (``registry.paginators``: its ids first, then its rows) reads the table
for every row it skips to learn its status. A partial index of the established ones only
answers both from the index alone. PostgreSQL only, as the other ``NULLS LAST`` index
(``0005_list_orderings``).
"""

from importlib import import_module

from django.db import migrations

# Its PostgreSQL-only index step (a module name that starts with a digit).
list_orderings = import_module("partnerships.migrations.0005_list_orderings")

INDEX = "partnership_public_start_desc_id"


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0006_refuse_control_characters")]

    operations = [
        list_orderings.postgresql_index(
            INDEX,
            '("start_date" DESC NULLS LAST, "id" DESC)'
            # Written as PostgreSQL prints it back (pg_get_indexdef), so the bulk seeding,
            # which drops the indexes and makes them again from that text, makes it alike.
            " WHERE ((status)::text = ANY (ARRAY['active'::text, 'completed'::text,"
            " 'discontinued'::text]))",
        )
    ]
