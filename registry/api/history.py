"""The audit history of a record, as the API returns it (django-simple-history)."""

from rest_framework import serializers


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class HistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    history_date = serializers.DateTimeField()
    history_type = serializers.ChoiceField(
        choices=[("+", "created"), ("~", "changed"), ("-", "deleted")]
    )
    history_user = serializers.CharField(allow_null=True)
    change_reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


def history_entries(instance) -> list[dict]:
    """Newest first: each version with what changed from the one before it."""
    records = list(instance.history.select_related("history_user").order_by("history_date", "pk"))
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [
                {"field": change.field, "old": _text(change.old), "new": _text(change.new)}
                for change in delta.changes
            ]
        entries.append(
            {
                "history_id": record.history_id,
                "history_date": record.history_date,
                "history_type": record.history_type,
                "history_user": record.history_user.username if record.history_user else None,
                "change_reason": record.history_change_reason,
                "changes": changes,
            }
        )
        previous = record
    return list(reversed(entries))


def _text(value) -> str | None:
    return None if value is None else str(value)
