"""Writes to partnerships. Every write — API, pages, CSV import — goes through here."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import MembershipRole
from accounts.models import Membership
from partnerships import permissions, signals
from partnerships.choices import (
    ESTABLISHED_STATUSES,
    SUBMITTED_STATUSES,
    CollaborationForm,
    Field,
    LinkState,
    OrganisationRole,
    Status,
)
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)
from partnerships.workflow import TransitionNotAllowed

#: The partnership's own attributes a write takes as they are (besides its links).
ATTRIBUTE_FIELDS = (
    "title",
    "description",
    "co_creation_type",
    "initiator",
    "involvement_phase",
    "goals_control",
    "agreement",
    "status",
    "start_date",
    "end_date",
    "municipal_contribution",
    "currency",
    "volunteer_hours",
    "people_reached",
    "promoting_factors",
    "hindering_factors",
    "outcomes",
)


def _unknown(values: Iterable[str], choices) -> list[str]:
    return [value for value in values if value not in choices.values]


def with_default_lead(organisations: Mapping) -> dict:
    """The one default rule for the lead partner (form, API and CSV import use it).

    ``organisations`` maps each organisation, in the order given, to its role or ``None``
    (not given: a partner). When no organisation leads, the first one becomes the lead.
    Two or more leads are left as they are for ``validate_links`` to refuse.
    """
    roles = {org: role or OrganisationRole.PARTNER for org, role in organisations.items()}
    if _unknown(roles.values(), OrganisationRole):
        return roles  # validate_links names the unknown role
    if roles and OrganisationRole.LEAD not in roles.values():
        roles[next(iter(roles))] = OrganisationRole.LEAD
    return roles


def validate_links(
    *,
    municipalities: Iterable,
    organisations: Mapping,
    fields: Iterable[str],
    forms: Iterable[str],
) -> None:
    """Check the many-valued parts of a partnership; raise one error naming each bad part."""
    errors: dict[str, str] = {}
    if not list(municipalities):
        errors["municipalities"] = _("Choose at least one municipality.")
    if not organisations:
        errors["organisations"] = _("Choose at least one organisation.")
    elif bad_roles := _unknown(organisations.values(), OrganisationRole):
        errors["organisations"] = _("Unknown role: %(values)s. Choose from: %(choices)s.") % {
            "values": ", ".join(map(str, bad_roles)),
            "choices": ", ".join(OrganisationRole.values),
        }
    elif len(leads := [o for o, r in organisations.items() if r == OrganisationRole.LEAD]) != 1:
        errors["organisations"] = (
            _("Exactly one organisation leads a partnership, but %(count)s are given as lead.")
            % {"count": len(leads)}
            if leads
            else _("Choose the organisation that leads the partnership.")
        )
    fields = list(fields)
    if not fields:
        errors["fields"] = _("Choose at least one field.")
    elif bad := _unknown(fields, Field):
        errors["fields"] = _("Unknown field: %(values)s. Choose from: %(choices)s.") % {
            "values": ", ".join(map(str, bad)),
            "choices": ", ".join(Field.values),
        }
    if bad := _unknown(forms, CollaborationForm):
        errors["forms"] = _(
            "Unknown form of collaboration: %(values)s. Choose from: %(choices)s."
        ) % {
            "values": ", ".join(map(str, bad)),
            "choices": ", ".join(CollaborationForm.values),
        }
    if errors:
        raise ValidationError(errors)


def build_partnership(*, created_by=None, **attributes: Any) -> Partnership:
    """An unsaved, fully validated partnership (model fields only)."""
    partnership = Partnership(created_by=created_by, **attributes)
    # The constraints' rules are checked by clean() and the field validators with messages
    # tied to fields; the database still enforces them. Skipping Django's per-constraint
    # queries here keeps a 50,000-row import from costing four queries a row.
    partnership.full_clean(validate_constraints=False)
    partnership._history_user = created_by
    return partnership


# --- consent for links ----------------------------------------------------------------------


def organisation_has_representatives(organisation) -> bool:
    """Whether anyone represents ``organisation`` (else a coordinator may vouch for it)."""
    return Membership.objects.filter(
        role=MembershipRole.REPRESENTATIVE, organisation=organisation
    ).exists()


def initial_link_state(actor, *, municipality=None, organisation=None) -> tuple[str, bool]:
    """The one rule for a new link: ``(state, vouched)``.

    Confirmed when there is no acting user (the CSV import and the demo data, run by
    administrators), when the actor is an administrator, a coordinator of that
    municipality or a representative of that organisation, or — organisations only —
    when the organisation has no representatives at all (then vouched: a representative
    who joins later can dispute it). Otherwise the link awaits the party's confirmation.
    """
    if actor is None or permissions.is_admin(actor):
        return LinkState.CONFIRMED, False
    if municipality is not None:
        if municipality.pk in permissions.coordinated_municipality_ids(actor):
            return LinkState.CONFIRMED, False
        return LinkState.PENDING, False
    if organisation.pk in permissions.represented_organisation_ids(actor):
        return LinkState.CONFIRMED, False
    if not organisation_has_representatives(organisation):
        return LinkState.CONFIRMED, True
    return LinkState.PENDING, False


def set_links(
    partnership: Partnership,
    *,
    municipalities: Iterable,
    organisations: Mapping,
    fields: Iterable[str],
    forms: Iterable[str],
    actor=None,
) -> list:
    """Make a saved partnership's municipalities, organisations, fields and forms these.

    Links that stay keep their consent; new ones get ``initial_link_state`` for ``actor``
    (``None``: a system write, confirmed); links no longer named are removed, except
    declined ones, which stay for the record. Returns the new links awaiting confirmation.
    """
    municipalities = {m.pk: m for m in municipalities}
    organisations = dict(organisations)
    new_pending = []

    existing_m = {link.municipality_id: link for link in partnership.municipality_links.all()}
    removed = [
        link.pk
        for pk, link in existing_m.items()
        if pk not in municipalities and link.state != LinkState.DECLINED
    ]
    PartnershipMunicipality.objects.filter(pk__in=removed).delete()
    added = []
    for pk, municipality in municipalities.items():
        if pk in existing_m:
            continue
        state, _vouched = initial_link_state(actor, municipality=municipality)
        added.append(
            PartnershipMunicipality(
                partnership=partnership, municipality=municipality, state=state,
                requested_by=actor, answered_at=None,
            )
        )  # fmt: skip
    PartnershipMunicipality.objects.bulk_create(added)
    new_pending += [link for link in added if link.state == LinkState.PENDING]

    existing_o = {link.organisation_id: link for link in partnership.organisation_links.all()}
    by_pk = {o.pk: (o, role) for o, role in organisations.items()}
    PartnershipOrganisation.objects.filter(
        pk__in=[
            link.pk
            for pk, link in existing_o.items()
            if pk not in by_pk and link.state != LinkState.DECLINED
        ]
    ).delete()
    # Demote before promoting: the database allows one lead at any moment.
    changed = [
        (link, by_pk[pk][1])
        for pk, link in existing_o.items()
        if pk in by_pk and link.role != by_pk[pk][1]
    ]
    for link, role in sorted(changed, key=lambda item: item[1] == OrganisationRole.LEAD):
        link.role = role
        link.save(update_fields=["role"])
    added = []
    for pk, (organisation, role) in by_pk.items():
        if pk in existing_o:
            continue
        state, vouched = initial_link_state(actor, organisation=organisation)
        added.append(
            PartnershipOrganisation(
                partnership=partnership, organisation=organisation, role=role, state=state,
                vouched=vouched, requested_by=actor,
            )
        )  # fmt: skip
    PartnershipOrganisation.objects.bulk_create(added)
    new_pending += [link for link in added if link.state == LinkState.PENDING]

    partnership.field_tags.all().delete()
    partnership.form_tags.all().delete()
    PartnershipField.objects.bulk_create(
        [PartnershipField(partnership=partnership, field=f) for f in set(fields)]
    )
    PartnershipForm.objects.bulk_create(
        [PartnershipForm(partnership=partnership, form=f) for f in set(forms)]
    )
    signals.changed([partnership.pk])
    return new_pending


@transaction.atomic
def partnership_create(
    *,
    created_by=None,
    municipalities: Iterable,
    organisations: Mapping,
    fields: Iterable[str],
    forms: Iterable[str] = (),
    acting_user=None,
    **attributes: Any,
) -> Partnership:
    """Create a partnership with its links, or raise ``ValidationError`` and write nothing.

    ``organisations`` maps each organisation to its role (``None``: not given; without a
    lead the first leads). ``acting_user`` is the signed-in user whose links need the
    other parties' consent (``initial_link_state``); without one every link is confirmed.
    """
    municipalities, fields, forms = list(municipalities), list(fields), list(forms)
    organisations = with_default_lead(organisations)
    errors: dict = {}
    try:
        validate_links(
            municipalities=municipalities, organisations=organisations, fields=fields, forms=forms
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        partnership = build_partnership(created_by=created_by, **attributes)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    partnership.save()
    pending = set_links(
        partnership,
        municipalities=municipalities,
        organisations=organisations,
        fields=fields,
        forms=forms,
        actor=acting_user,
    )
    _request_links(partnership, pending, user=acting_user)
    return partnership


def bulk_add_links(
    links: Iterable[tuple[Partnership, Mapping[str, Any]]], *, batch_size: int = 1000
) -> None:
    """Create the link rows of many new, saved partnerships with one ``bulk_create`` per kind.

    For partnerships that have no links yet, written by the system (the CSV import, the
    demo data): every link is confirmed. ``links`` pairs each partnership with
    ``municipalities``, ``organisations`` (organisation → role), ``fields`` and ``forms``;
    give the roles through ``with_default_lead`` and validate with ``validate_links`` first.
    """
    municipality_rows, organisation_rows, field_rows, form_rows = [], [], [], []
    ids = []
    for partnership, values in links:
        ids.append(partnership.pk)
        municipality_rows += [
            PartnershipMunicipality(partnership=partnership, municipality=m)
            for m in set(values["municipalities"])
        ]
        organisation_rows += [
            PartnershipOrganisation(partnership=partnership, organisation=o, role=role)
            for o, role in values["organisations"].items()
        ]
        field_rows += [
            PartnershipField(partnership=partnership, field=f) for f in set(values["fields"])
        ]
        form_rows += [
            PartnershipForm(partnership=partnership, form=f) for f in set(values.get("forms", ()))
        ]
    PartnershipMunicipality.objects.bulk_create(municipality_rows, batch_size=batch_size)
    PartnershipOrganisation.objects.bulk_create(organisation_rows, batch_size=batch_size)
    PartnershipField.objects.bulk_create(field_rows, batch_size=batch_size)
    PartnershipForm.objects.bulk_create(form_rows, batch_size=batch_size)
    signals.changed(ids)


def _record_link_event(
    partnership: Partnership,
    action: str,
    *,
    user,
    municipality=None,
    organisation=None,
    comment: str = "",
) -> PartnershipEvent:
    """A link's consent step in the partnership's events; its messages go to the outbox."""
    from partnerships.notifications import notify_event

    event = PartnershipEvent.objects.create(
        partnership=partnership, action=action, from_status=partnership.status,
        to_status=partnership.status, actor=user, municipality=municipality,
        organisation=organisation, comment=comment,
    )  # fmt: skip
    notify_event(event)
    return event


def _request_links(partnership: Partnership, links: Iterable, *, user) -> None:
    """Ask the parties of ``links`` (awaiting confirmation) to confirm them. Not on a draft
    (private), and not a municipality a proposal is addressed to: it answers the proposal
    itself, and is asked once a coordinator elsewhere has accepted it."""
    if partnership.status == Status.DRAFT:
        return
    for link in links:
        if hasattr(link, "municipality_id") and partnership.status not in ESTABLISHED_STATUSES:
            continue
        _record_link_event(
            partnership,
            "link_requested",
            user=user,
            municipality=getattr(link, "municipality", None),
            organisation=getattr(link, "organisation", None),
        )


def request_pending_links(*, partnership: Partnership, user, organisations_only=False) -> None:
    """Notify the parties whose links await confirmation (after a proposal is submitted the
    other organisations it names; after it is accepted the other municipalities)."""
    links = list(partnership.organisation_links.filter(state=LinkState.PENDING))
    if not organisations_only:
        links += list(partnership.municipality_links.filter(state=LinkState.PENDING))
    _request_links(partnership, links, user=user)


def confirm_links_on_accept(*, partnership: Partnership, user) -> None:
    """Accepting a proposal confirms the accepting coordinator's municipality link (an
    administrator's acceptance confirms them all); the other municipalities of the
    proposal stay pending for their own coordinators, who are asked now."""
    pending = partnership.municipality_links.filter(state=LinkState.PENDING)
    if not permissions.is_admin(user):
        pending = pending.filter(municipality_id__in=permissions.coordinated_municipality_ids(user))
    pending.update(state=LinkState.CONFIRMED, answered_by=user, answered_at=timezone.now())
    signals.changed([partnership.pk])
    others = partnership.municipality_links.filter(state=LinkState.PENDING).select_related(
        "municipality"
    )
    _request_links(partnership, others, user=user)


def _link_for_update(partnership: Partnership, *, municipality=None, organisation=None):
    if (municipality is None) == (organisation is None):
        raise ValidationError({"municipality": _("Give either a municipality or an organisation.")})
    if municipality is not None:
        link = (
            PartnershipMunicipality.objects.select_for_update()
            .filter(partnership=partnership, municipality=municipality)
            .first()
        )
        name = "municipality"
    else:
        link = (
            PartnershipOrganisation.objects.select_for_update()
            .filter(partnership=partnership, organisation=organisation)
            .first()
        )
        name = "organisation"
    if link is None:
        raise ValidationError({name: _("It is not linked to this partnership.")})
    return link, name


def _check_answerable(partnership: Partnership, link, name: str) -> None:
    """A municipality a proposal is addressed to answers the proposal itself (accept,
    decline, ask for changes); a draft is the organisation's own until it is sent."""
    if partnership.status == Status.DRAFT:
        raise TransitionNotAllowed(_("The proposal has not been sent yet."))
    if name == "municipality" and partnership.status not in ESTABLISHED_STATUSES:
        raise TransitionNotAllowed(
            _("Answer the proposal itself: accept it, decline it or ask for changes.")
        )


@transaction.atomic
def link_confirm(
    *, partnership: Partnership, user, municipality=None, organisation=None
) -> PartnershipMunicipality | PartnershipOrganisation:
    """Confirm a link awaiting ``user``'s municipality's or organisation's confirmation.

    Raises ``PermissionDenied`` (not the party's coordinator or representative, nor an
    administrator), ``ValidationError`` naming ``municipality``/``organisation`` (not
    linked), ``TransitionNotAllowed`` (the link is not awaiting confirmation).
    """
    if not permissions.can_answer_link(
        user, partnership, municipality=municipality, organisation=organisation
    ):
        raise PermissionDenied(_("Only the linked party's own people may answer this link."))
    link, name = _link_for_update(partnership, municipality=municipality, organisation=organisation)
    _check_answerable(partnership, link, name)
    if link.state != LinkState.PENDING:
        raise TransitionNotAllowed(_("This link is not awaiting confirmation."))
    link.state = LinkState.CONFIRMED
    link.answered_by = user
    link.answered_at = timezone.now()
    link.save(update_fields=["state", "answered_by", "answered_at"])
    _record_link_event(
        partnership, "link_confirmed", user=user, municipality=municipality,
        organisation=organisation,
    )  # fmt: skip
    return link


@transaction.atomic
def link_decline(
    *, partnership: Partnership, user, municipality=None, organisation=None, comment: str = ""
) -> PartnershipMunicipality | PartnershipOrganisation:
    """Decline a link awaiting confirmation, or dispute an organisation link a coordinator
    vouched for. The link is kept, declined, for the record; the partnership keeps its
    other links. Errors as ``link_confirm``."""
    if not permissions.can_answer_link(
        user, partnership, municipality=municipality, organisation=organisation
    ):
        raise PermissionDenied(_("Only the linked party's own people may answer this link."))
    comment = PartnershipEvent.clean_comment(comment)
    link, name = _link_for_update(partnership, municipality=municipality, organisation=organisation)
    disputed = name == "organisation" and link.state == LinkState.CONFIRMED and link.vouched
    if not disputed:
        _check_answerable(partnership, link, name)
        if link.state != LinkState.PENDING:
            raise TransitionNotAllowed(_("This link is not awaiting confirmation."))
    link.state = LinkState.DECLINED
    link.answered_by = user
    link.answered_at = timezone.now()
    link.save(update_fields=["state", "answered_by", "answered_at"])
    _record_link_event(
        partnership, "link_declined", user=user, municipality=municipality,
        organisation=organisation, comment=comment,
    )  # fmt: skip
    return link


# --- writes on behalf of a signed-in user (API and pages) -----------------------------------


def _require_own_partner(user, *, municipalities, organisations) -> None:
    """Non-administrators must stay among the partners they act for."""
    if permissions.is_admin(user):
        return
    mine_m = permissions.coordinated_municipality_ids(user)
    mine_o = permissions.represented_organisation_ids(user)
    if mine_m & {m.pk for m in municipalities} or mine_o & {o.pk for o in organisations}:
        return
    raise ValidationError(
        {
            "municipalities" if mine_m else "organisations": _(
                "Include your own municipality or organisation among the partners."
            )
        }
    )


def partnership_create_as(
    *, user, municipalities, organisations: Mapping, **attributes: Any
) -> Partnership:
    """Create a partnership for ``user``, who must be allowed to (raises ``PermissionDenied``).

    The status is optional, with a default by role (``permissions.default_creation_status``):
    a representative creates a ``draft`` with their own organisation; a coordinator logs an
    established partnership (``active`` by default, ``completed`` or ``discontinued``) with
    their own municipality; no one creates one ``under_review``, ``changes_requested`` or
    ``declined`` (``ValidationError`` naming ``status``). Links to other parties await
    their confirmation (``initial_link_state``).
    """
    if attributes.get("status") in (None, ""):
        attributes["status"] = permissions.default_creation_status(user) or Status.DRAFT
    status = attributes["status"]
    if refusal := permissions.partnership_creation_refusal(
        user,
        municipality_ids={m.pk for m in municipalities},
        organisation_ids={o.pk for o in organisations},
        status=status,
    ):
        raise PermissionDenied(refusal)
    creatable = permissions.creatable_statuses(user)
    if status not in creatable:
        raise ValidationError(
            {
                "status": _(
                    "A partnership cannot be created as “%(status)s”: that status is reached "
                    "only through the workflow. Choose from: %(choices)s."
                )
                % {"status": status, "choices": ", ".join(map(str, creatable))}
            }
        )
    partnership = partnership_create(
        created_by=user,
        municipalities=municipalities,
        organisations=organisations,
        acting_user=user,
        **attributes,
    )
    return partnership


LINK_NAMES = ("municipalities", "organisations", "fields", "forms")


def _current_links(partnership: Partnership) -> dict[str, Any]:
    """The links as a write names them (declined ones are kept aside, for the record)."""
    return {
        "municipalities": [
            link.municipality
            for link in partnership.municipality_links.all()
            if link.state != LinkState.DECLINED
        ],
        "organisations": {
            link.organisation: link.role
            for link in partnership.organisation_links.all()
            if link.state != LinkState.DECLINED
        },
        "fields": partnership.field_values,
        "forms": partnership.form_values,
    }


def _describe_link_changes(before: dict, after: dict) -> str:
    """A line for the audit history, e.g. ``fields: +sport -culture``."""
    parts = []
    for name in LINK_NAMES:
        old = before[name]
        new = after[name]
        if isinstance(old, Mapping):
            old = {f"{o}:{r}" for o, r in old.items()}
            new = {f"{o}:{r}" for o, r in new.items()}
        old, new = {str(v) for v in old}, {str(v) for v in new}
        if old != new:
            added = " ".join(f"+{v}" for v in sorted(new - old))
            removed = " ".join(f"-{v}" for v in sorted(old - new))
            parts.append(f"{name}: {' '.join(filter(None, [added, removed]))}")
    return "; ".join(parts)


def _same_links(name: str, before, after) -> bool:
    if name == "organisations":
        return {o.pk: r for o, r in before.items()} == {o.pk: r for o, r in after.items()}
    if name == "municipalities":
        return {m.pk for m in before} == {m.pk for m in after}
    return set(before) == set(after)


@transaction.atomic
def partnership_update(*, partnership: Partnership, user, data: Mapping[str, Any]) -> Partnership:
    """Change a partnership's fields and links as ``user``; all or nothing.

    The status is not changed here: it moves only through the workflow's actions. An
    organisation does not change the municipalities of a submitted proposal (a new
    municipality means a new proposal); new links await the parties' confirmation.
    """
    data = dict(data)
    data.pop("status", None)
    if refusal := permissions.partnership_change_refusal(user, partnership, data):
        raise PermissionDenied(refusal)
    before = _current_links(partnership)
    links = {name: data.pop(name, before[name]) for name in LINK_NAMES}
    links["organisations"] = with_default_lead(links["organisations"])
    errors: dict = {}
    if (
        partnership.status in SUBMITTED_STATUSES
        and not permissions.is_admin(user)
        and not permissions.is_partnership_coordinator(user, partnership)
        and not _same_links("municipalities", before["municipalities"], links["municipalities"])
    ):
        errors["municipalities"] = [
            _(
                "The proposal has been sent: its municipalities no longer change. "
                "A new municipality means a new proposal."
            )
        ]
    try:
        validate_links(**links)
    except ValidationError as error:
        errors.update(error.message_dict)
    for name, value in data.items():
        setattr(partnership, name, value)
    try:
        partnership.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if not errors:
        try:
            _require_own_partner(
                user, municipalities=links["municipalities"], organisations=links["organisations"]
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    partnership._history_user = user
    partnership._change_reason = _describe_link_changes(before, links) or None
    partnership.save()
    if not all(_same_links(name, before[name], links[name]) for name in LINK_NAMES):
        pending = set_links(partnership, actor=user, **links)
        _request_links(partnership, pending, user=user)
    return partnership
