"""Pieces every app's API serializers share."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class RefusesReadOnlyFields:
    """An input serializer that answers 400 naming each read-only field a body tries to set.

    The API returns fields a client cannot write (``id``, ``status`` after creation,
    ``created_by``, derived values). A client that sends one back expects it to take effect;
    ignoring it silently would answer 200 for a change that never happened.
    ``read_only_names`` lists them; ``read_only_on_update`` adds those writable only on
    create (a PUT or PATCH request is an update).
    """

    read_only_names: tuple[str, ...] = ()
    read_only_on_update: tuple[str, ...] = ()
    read_only_message = _("This field is read-only.")

    def _refused_names(self) -> tuple[str, ...]:
        request = self.context.get("request")
        updating = getattr(request, "method", None) in ("PUT", "PATCH")
        return self.read_only_names + (self.read_only_on_update if updating else ())

    def to_internal_value(self, data):
        keys = data.keys() if hasattr(data, "keys") else ()
        if named := [name for name in self._refused_names() if name in keys]:
            raise serializers.ValidationError({name: [self.read_only_message] for name in named})
        return super().to_internal_value(data)
