"""Orderings in which every row has one place, and the rows after a place (keyset paging).

A list ordered by a field alone puts rows with the same value in any order the database
likes, and missing values (a proposal has no start date yet) wherever each database likes.
Both make a page boundary ambiguous. Here an ordering is a list of ``Key``s that always
ends with the primary key, in the first key's direction, and missing values come *last*
in both directions, on every database: newest first or oldest first, the dated rows come
before the undated proposals, which most readers may not see anyway (had they come first,
a public "newest first" page would have to step over every proposal to find its rows).

``rows_after`` answers "the rows that come after this row" without an ``OFFSET``: the
comparison ``(field, id) > (value, id)`` is one range of the index on ``(field, id)`` on
PostgreSQL, however deep the place. Where the missing values follow, the rows after a
dated place are two ranges (the rest of the dated rows, then the undated ones):
``rows_after`` returns them as separate querysets, to be read one after the other.
Walking backwards reverses everything, missing values included (they then come first).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, QuerySet, Value
from django.db.models.expressions import Expression


@dataclass(frozen=True)
class Key:
    """One column of an ordering: a model field, its direction, and where its missing
    values go (last, unless walking backwards)."""

    field: models.Field
    descending: bool = False
    nulls_first: bool = False

    @property
    def name(self) -> str:
        return self.field.attname

    @property
    def nullable(self) -> bool:
        return self.field.null

    def reversed(self) -> Key:
        return replace(self, descending=not self.descending, nulls_first=not self.nulls_first)

    def order_by(self) -> models.OrderBy:
        """The ``ORDER BY`` term, with the missing values where they belong."""
        nulls = {}
        if self.nullable:
            nulls = {"nulls_first": True} if self.nulls_first else {"nulls_last": True}
        return F(self.name).desc(**nulls) if self.descending else F(self.name).asc(**nulls)

    def value_of(self, instance) -> object:
        return getattr(instance, self.name)

    def parse(self, value: object) -> object:
        """A value read back from a cursor; ``ValidationError`` if it does not fit the field."""
        if value is None:
            if not self.nullable:
                raise ValidationError("missing value")
            return None
        if isinstance(value, (list, dict, bool)):
            raise ValidationError("not a value")
        try:
            value = self.field.to_python(value)
        except (TypeError, ValueError) as error:
            raise ValidationError(str(error)) from None
        self.field.run_validators(value)  # the column's range and length: no database error
        return value

    @staticmethod
    def dump(value: object) -> object:
        """``value`` for a cursor (JSON), exactly: dates and times in ISO form, microseconds
        included (a timestamp cut to milliseconds would no longer name its row)."""
        if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
            return value.isoformat()
        return value


def keys_for(model: type[models.Model], ordering: tuple[str, ...] | list[str]) -> list[Key]:
    """The keys of ``ordering`` (``["-start_date"]``, ``["title", "-id"]``) on ``model``, with
    the primary key added as the last one (in the first key's direction) unless a key is
    already unique. Raises ``FieldDoesNotExist`` for a name that is not a model field."""
    pk = model._meta.pk
    keys: list[Key] = []
    for term in ordering:
        name = term.lstrip("-")
        field = pk if name == "pk" else model._meta.get_field(name)
        keys.append(Key(field=field, descending=term.startswith("-")))
        if field.primary_key or (field.unique and not field.null):
            return keys
    return [*keys, Key(field=pk, descending=keys[0].descending if keys else False)]


def order_by(keys: list[Key]) -> list[models.OrderBy]:
    return [key.order_by() for key in keys]


class RowComparison(Expression):
    """``(a, b) > (x, y)``: SQL's row comparison, which PostgreSQL reads as one range of an
    index on ``(a, b)`` (SQLite understands it too). Never true where a column is null."""

    output_field = models.BooleanField()

    def __init__(self, keys: list[Key], operator: str, values: tuple):
        super().__init__()
        if operator not in (">", "<"):
            raise ValueError(operator)
        self.operator = operator
        self.columns = [F(key.name) for key in keys]
        self.values = [
            Value(value, output_field=key.field) for key, value in zip(keys, values, strict=True)
        ]

    def get_source_expressions(self):
        return [*self.columns, *self.values]

    def set_source_expressions(self, exprs):
        count = len(self.columns)
        self.columns, self.values = list(exprs[:count]), list(exprs[count:])

    def as_sql(self, compiler, connection):
        params: list = []

        def row(expressions) -> str:
            parts = []
            for expression in expressions:
                sql, part_params = compiler.compile(expression)
                parts.append(sql)
                params.extend(part_params)
            return ", ".join(parts)

        lhs = row(self.columns)
        rhs = row(self.values)
        return f"({lhs}) {self.operator} ({rhs})", params


def _after(key: Key, value: object) -> Q | None:
    """Rows whose ``key`` comes after ``value``; None if none can."""
    if value is None:
        return Q(**{f"{key.name}__isnull": False}) if key.nulls_first else None
    after = Q(**{f"{key.name}__{'lt' if key.descending else 'gt'}": value})
    if key.nullable and not key.nulls_first:
        after |= Q(**{f"{key.name}__isnull": True})
    return after


def _same(key: Key, value: object) -> Q:
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def _lexicographic_after(keys: list[Key], position: tuple) -> Q:
    """Rows after ``position`` in any ordering, as one condition (correct for every mix of
    directions and missing values; not one index range)."""
    condition = Q(pk__in=[])
    for index, key in enumerate(keys):
        after = _after(key, position[index])
        if after is None:
            continue
        same = Q()
        for earlier, value in zip(keys[:index], position[:index], strict=False):
            same &= _same(earlier, value)
        condition |= same & after
    return condition


def rows_after(queryset: QuerySet, keys: list[Key], position: tuple | None) -> list[QuerySet]:
    """The rows of ``queryset`` after ``position`` (the key values of one row; None: from
    the start) in the order of ``keys``: querysets, each ordered, to be read one after the
    other until enough rows are read."""
    ordered = queryset.order_by(*order_by(keys))
    if position is None:
        return [ordered]
    if len(position) != len(keys):
        raise ValidationError("position does not fit the ordering")
    first, *rest = keys
    simple = len(keys) <= 2 and all(key.descending == first.descending for key in keys)
    if not simple or any(key.nullable for key in rest):
        return [ordered.filter(_lexicographic_after(keys, position))]
    operator = "<" if first.descending else ">"
    if len(keys) == 1:
        return [ordered.filter(RowComparison(keys, operator, position))]
    value, tie = position
    null = f"{first.name}__isnull"
    if value is not None:
        # The rest of the rows with a value: one index range (a row comparison is never
        # true where the value is missing), then the rows without one if they follow.
        parts = [ordered.filter(RowComparison(keys, operator, position))]
        if first.nullable and not first.nulls_first:
            parts.append(ordered.filter(**{null: True}))
        return parts
    # The rest of the rows without a value, by id; then the rows with one if they follow.
    tie_after = {f"{rest[0].name}__{'lt' if rest[0].descending else 'gt'}": tie}
    parts = [ordered.filter(**{null: True}, **tie_after)]
    if first.nulls_first:
        parts.append(ordered.filter(**{null: False}))
    return parts
