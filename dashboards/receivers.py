"""Mark a partnership for the summary tables whenever it or one of its links is written."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from dashboards import tallies
from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)
from partnerships.signals import partnerships_changed

LINK_MODELS = (PartnershipMunicipality, PartnershipOrganisation, PartnershipField, PartnershipForm)


def _partnership_written(sender, instance, raw=False, **kwargs):
    if not raw:
        tallies.mark([instance.pk])


def _link_written(sender, instance, raw=False, **kwargs):
    if not raw:
        tallies.mark([instance.partnership_id])


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action.startswith("pre_") and action != "pre_clear":
        return
    if not reverse:
        if action.startswith("post_"):
            tallies.mark([instance.pk])
    elif action == "pre_clear":
        # The other side is cleared: the partnerships it was linked to change.
        linked = sender.objects.filter(**{_reverse_field(sender, instance): instance})
        tallies.mark(linked.values_list("partnership_id", flat=True))
    elif pk_set:
        tallies.mark(pk_set)


def _reverse_field(through, instance) -> str:
    for field in through._meta.concrete_fields:
        if field.is_relation and isinstance(instance, field.related_model):
            return field.name
    raise LookupError(through)


def _bulk_changed(sender, ids, **kwargs):
    tallies.mark(ids)


def connect() -> None:
    post_save.connect(_partnership_written, sender=Partnership, dispatch_uid="tally_partnership")
    post_delete.connect(
        _partnership_written, sender=Partnership, dispatch_uid="tally_partnership_del"
    )
    for model in LINK_MODELS:
        post_save.connect(_link_written, sender=model, dispatch_uid=f"tally_{model.__name__}")
        post_delete.connect(_link_written, sender=model, dispatch_uid=f"tally_{model.__name__}_del")
        m2m_changed.connect(
            _links_changed, sender=model, dispatch_uid=f"tally_{model.__name__}_m2m"
        )
    partnerships_changed.connect(_bulk_changed, dispatch_uid="tally_bulk")
