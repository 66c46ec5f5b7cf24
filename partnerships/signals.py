"""Signals the partnerships app sends for writes that Django's model signals do not see.

``partnerships_changed`` is sent with ``ids`` (partnership ids) after a bulk write to a
partnership's links, fields or forms (``bulk_create`` and ``QuerySet.update`` send no
``post_save``). Apps that keep derived data (the statistics' summary tables) listen to it
and to the model signals; this app does not know who listens.
"""

from django.dispatch import Signal

partnerships_changed = Signal()


def changed(ids) -> None:
    partnerships_changed.send(sender=None, ids=list(ids))
