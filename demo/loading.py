"""Writing and deleting rows in bulk, below the ORM: what seeding a million rows needs.

- ``Table`` writes plain tuples straight into a table: ``COPY ... FROM STDIN`` on
  PostgreSQL, ``executemany`` of one ``INSERT`` elsewhere (SQLite). Columns the caller does
  not generate get their model default (``auto_now``/``auto_now_add`` fields: ``now``), so a
  field added to a model later is still filled.
- ``reserve_ids`` allocates a block of primary keys up front, so that link rows can be
  written without reading the rows back.
- ``without_secondary_indexes`` and ``without_foreign_keys`` drop the non-unique indexes
  and the foreign keys of some tables for the time of a large load or deletion and put
  them back afterwards (PostgreSQL), checked and built once instead of row by row.
- ``made_aside`` computes the rows in a second process while this one writes them.
- ``delete_all`` deletes rows and whatever cascades from them in a few statements, without
  loading them (and so without signals: no history rows are written for the deletion).

Everything runs on the default connection, inside the caller's transaction.
"""

import multiprocessing
import sys
import traceback
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, models
from django.db.models.deletion import ProtectedError, get_candidate_relations_to_delete


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


class Table:
    """One table written in bulk: ``columns`` (attribute names, e.g. ``partnership_id``)
    come from each row, every other column is a constant: the value in ``constants`` (by
    field name), else ``now`` for ``auto_now``/``auto_now_add`` fields, else the field's
    default. An automatic primary key is left to the database unless it is in ``columns``.
    """

    def __init__(self, model, columns: Sequence[str], now, **constants):
        self.model = model
        fields = {field.attname: field for field in model._meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{model._meta.label} has no column {', '.join(sorted(unknown))}")
        tail_fields = [
            field
            for attname, field in fields.items()
            if attname not in columns
            and not (field.primary_key and isinstance(field, models.AutoField))
        ]
        tail = []
        for field in tail_fields:
            if field.name in constants:
                value = constants.pop(field.name)
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            else:
                value = field.get_default()
            tail.append(field.get_db_prep_save(value, connection))
        if constants:
            raise ValueError(f"{model._meta.label} has no field {', '.join(sorted(constants))}")
        self.tail = tuple(tail)
        names = [fields[attname].column for attname in columns] + [f.column for f in tail_fields]
        quoted = ", ".join(connection.ops.quote_name(name) for name in names)
        table = connection.ops.quote_name(model._meta.db_table)
        if is_postgresql():
            self.sql = f"COPY {table} ({quoted}) FROM STDIN"
        else:
            placeholders = ", ".join(["%s"] * len(names))
            self.sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"

    def _complete(self, rows: Iterable[tuple]) -> Iterable[tuple]:
        tail = self.tail
        return (row + tail for row in rows) if tail else rows

    def write(self, rows: Iterable[tuple]) -> None:
        """Write ``rows`` (tuples in the order of ``columns``)."""
        with connection.cursor() as cursor:
            if is_postgresql():
                self.copy(cursor.cursor, rows)  # psycopg's own cursor: Django's has no COPY
            else:
                cursor.executemany(self.sql, self._complete(rows))

    def copy(self, cursor, rows: Iterable[tuple]) -> None:
        """Write ``rows`` with ``COPY`` through the psycopg ``cursor`` (PostgreSQL)."""
        with cursor.copy(self.sql) as copy:
            write_row = copy.write_row
            for row in self._complete(rows):
                write_row(row)


@contextmanager
def made_aside(items: Iterator, *, enabled: bool = True) -> Iterator[Iterator]:
    """Iterate over ``items``, computed in a forked child process while this one goes on.

    Drawing the rows is Python work and writing them is the database server's: in one
    process each waits for the other; here the child draws chunk n + 1 while the server
    writes chunk n. The child starts as a copy of this process (``fork``), so ``items``
    continues exactly where it stands here (the same random numbers), and sends each item
    back pickled; it never touches the database connection it inherits, and leaves with
    ``os._exit`` (``multiprocessing``'s), which closes nothing of it. Where ``fork`` does
    not exist, or not ``enabled``, the items are computed here, one after the other.
    """
    if not enabled or "fork" not in multiprocessing.get_all_start_methods():
        yield items
        return
    # The child starts with a copy of the output buffers: empty them, or it would repeat them.
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_all, args=(items, sender), daemon=True)
    child.start()
    sender.close()
    try:
        yield _receive_all(receiver)
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _send_all(items: Iterator, sender) -> None:
    try:
        for item in items:
            sender.send((True, item))
    except BaseException:
        sender.send((False, traceback.format_exc()))
    else:
        sender.send((False, None))
    finally:
        sender.close()


def _receive_all(receiver) -> Iterator:
    while True:
        try:
            more, item = receiver.recv()
        except EOFError:
            raise RuntimeError("The process making the rows stopped without a word.") from None
        if more:
            yield item
        elif item is None:
            return
        else:
            raise RuntimeError(f"The process making the rows failed:\n{item}")


def reserve_ids(model, count: int) -> int:
    """Reserve ``count`` consecutive primary keys of ``model``'s table; return the first.

    On PostgreSQL the table is locked against other writers until the transaction ends and
    the block is taken from its sequence, which then stands after the block, so rows
    created later (through the ORM) carry on from there. On SQLite the next ids are those
    after the largest ever used; inserting them moves ``sqlite_sequence`` on by itself.
    """
    table = model._meta.db_table
    pk = model._meta.pk.column
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if is_postgresql():
            if count == 0:
                return 0
            cursor.execute(f"LOCK TABLE {quote(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(table), pk])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s)", [sequence])
            (first,) = cursor.fetchone()
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")
        (largest,) = cursor.fetchone()
        largest = largest or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            largest = max(largest, row[0] if row else 0)
        return largest + 1


@contextmanager
def without_secondary_indexes(models_: Sequence, *, enabled: bool = True) -> Iterator[list]:
    """Drop the non-unique indexes of ``models_``' tables (PostgreSQL), then build them again.

    Unique indexes and primary keys stay: they are the constraints the load must still
    meet. Yields the names of the dropped indexes. It all happens in the caller's
    transaction, so a failed load leaves the indexes as they were.
    """
    if not (enabled and is_postgresql()):
        yield []
        return
    tables = [model._meta.db_table for model in models_]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s)
              AND t.relnamespace = current_schema()::regnamespace
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield [name for name, _ in indexes]
    with connection.cursor() as cursor:
        # Memory for the sorts, for this transaction only (the server's default is 64 MB).
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


@contextmanager
def without_foreign_keys(models_: Sequence, *, enabled: bool = True) -> Iterator[list]:
    """Drop the foreign keys from and to ``models_``' tables (PostgreSQL), then add them back.

    A foreign key is checked row by row, by a trigger queued for each row written (and,
    on the referenced side, for each row deleted) and run at the commit: about 20 µs a
    row, minutes for a million partnerships and their links. Added back, each key is
    checked once for the whole table, in one query, and the commit has nothing left to
    check. It all happens in the caller's transaction, so nothing is ever committed
    unchecked. Keys already dropped (by an enclosing ``without_foreign_keys``) are left to
    it. Yields the names of the dropped keys.
    """
    if not (enabled and is_postgresql()):
        yield []
        return
    tables = [model._meta.db_table for model in models_]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT DISTINCT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c
            WHERE c.contype = 'f'
              AND (c.conrelid = ANY(%s::regclass[]) OR c.confrelid = ANY(%s::regclass[]))
            ORDER BY 1, 2
            """,
            [[quote(t) for t in tables], [quote(t) for t in tables]],
        )
        keys = cursor.fetchall()
        if keys:
            # A table with checks still queued cannot be altered: run them now (all of the
            # transaction's so far), then defer checks to the commit again, as Django's
            # keys (DEFERRABLE INITIALLY DEFERRED) are.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield [name for _, name, _ in keys]
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def delete_all(queryset: models.QuerySet, *, truncate: bool = False) -> None:
    """Delete the rows of ``queryset`` and what cascades from them, a statement per table.

    As ``QuerySet.delete()`` would (CASCADE deletes, SET_NULL empties, PROTECT and RESTRICT
    refuse while a protected row remains), but with ``DELETE ... WHERE ... IN (SELECT ...)``
    instead of loading every row, so it takes seconds at a million rows. No signals are
    sent: ``django-simple-history`` writes no history row for the deletion (the caller
    deletes the history itself), and no other receiver hears of it.

    ``truncate``: a table emptied entirely is emptied with ``TRUNCATE`` (PostgreSQL), which
    leaves no dead rows behind for what the transaction does next; it needs the foreign
    keys that refer to it gone (``without_foreign_keys``).
    """
    everything = not queryset.query.where
    for relation in get_candidate_relations_to_delete(queryset.model._meta):
        field = relation.field
        on_delete = field.remote_field.on_delete
        manager = relation.related_model._base_manager
        if everything and not field.null:
            related = manager.all()  # every row refers to one of the rows deleted
        else:
            related = manager.filter(**{f"{field.name}__in": queryset})
        if on_delete is models.CASCADE:
            delete_all(related, truncate=truncate)
        elif on_delete is models.SET_NULL:
            related.update(**{field.name: None})
        elif on_delete in (models.PROTECT, models.RESTRICT):
            if related.exists():
                raise ProtectedError(
                    f"{relation.related_model._meta.label} rows still refer to the "
                    f"{queryset.model._meta.label} rows to delete.",
                    set(related[:10]),
                )
        elif on_delete is not models.DO_NOTHING:
            raise NotImplementedError(f"{field} has on_delete={on_delete.__name__}")
    if truncate and everything and is_postgresql():
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(queryset.model._meta.db_table)
            cursor.execute(f"TRUNCATE {table}")
    else:
        queryset._raw_delete(queryset.db)


def analyze(models_: Sequence = ()) -> None:
    """Refresh the planner's statistics of ``models_``' tables (all tables if none) after a
    large load (PostgreSQL): without them the planner takes the tables for as small as they
    were, and checking a foreign key over a million rows can take a nested loop."""
    if is_postgresql():
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
