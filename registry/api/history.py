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


def readable_history_entries(instance) -> list[dict]:
    """``history_entries`` for people: each change also has ``label`` (the field's name in
    the reader's language), choice values as their names, yes/no, user ids as usernames and
    moments in the reader's format. Used by every history page."""
    from django.contrib.auth import get_user_model
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format
    from django.utils.timezone import localtime
    from django.utils.translation import gettext as _

    entries = history_entries(instance)
    meta = type(instance)._meta
    fields = {f.name: f for f in meta.get_fields() if hasattr(f, "verbose_name")}
    user_ids = {
        value
        for entry in entries
        for change in entry["changes"]
        if (field := fields.get(change["field"])) is not None and field.is_relation
        for value in (change["old"], change["new"])
        if value
    }
    usernames = {
        str(pk): name
        for pk, name in get_user_model()
        .objects.filter(pk__in=[int(v) for v in user_ids if str(v).isdigit()])
        .values_list("pk", "username")
    }
    yes_no = {"True": _("yes"), "False": _("no")}
    for entry in entries:
        for change in entry["changes"]:
            field = fields.get(change["field"])
            change["label"] = field.verbose_name if field else change["field"]
            for key in ("old", "new"):
                value = change[key]
                if value is None or value == "" or field is None:
                    change[key] = value or None
                elif getattr(field, "choices", None):
                    change[key] = str(dict(field.flatchoices).get(value, value))
                elif field.get_internal_type() == "BooleanField":
                    change[key] = yes_no.get(value, value)
                elif field.is_relation:
                    change[key] = usernames.get(str(value), value)
                elif field.get_internal_type() == "DateTimeField":
                    moment = parse_datetime(value)
                    if moment is not None:
                        change[key] = date_format(localtime(moment), "SHORT_DATETIME_FORMAT")
    return entries
