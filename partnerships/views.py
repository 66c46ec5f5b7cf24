"""The partnership pages: list, profile, logging and proposing, editing, the workflow's
actions, the audit history, a coordinator's inbox and a representative's own partnerships.

Thin views: reads go through ``partnerships.selectors`` (scoped with ``visible_to``), the
access questions through ``partnerships.permissions``, and every write is one call of
``partnerships.services`` or ``partnerships.workflow``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from partnerships import permissions, selectors, services
from partnerships.choices import (
    ESTABLISHED_STATUSES,
    PROPOSAL_STATUSES,
    CoCreationType,
    HinderingFactor,
    LinkState,
    PromotingFactor,
    Status,
)
from partnerships.exports import PartnershipExport
from partnerships.forms import (
    FIRST_INVOLVED_AT,
    GOALS_DECIDED_BY,
    PartnershipForm,
    PartnershipPageFilterSet,
    TransitionForm,
    explain_derived_type,
)
from partnerships.models import Partnership
from partnerships.tables import PartnershipTable
from partnerships.workflow import (
    TRANSITIONS,
    TransitionNotAllowed,
    available_transitions,
    partnership_transition,
)
from registry import keyset
from registry.api.history import readable_history_entries
from registry.generic import ObjectListView

#: How many rows the inbox and "my partnerships" show per section before linking to the list.
SECTION_LIMIT = 50

#: What each workflow event says in the profile's list of events.
EVENT_LABELS = {
    "submit": gettext_lazy("Sent to the municipality"),
    "accept": gettext_lazy("Accepted"),
    "decline": gettext_lazy("Declined"),
    "request_changes": gettext_lazy("Changes asked for"),
    "complete": gettext_lazy("Marked as completed"),
    "discontinue": gettext_lazy("Discontinued"),
    "link_requested": gettext_lazy("Asked to confirm the link"),
    "link_confirmed": gettext_lazy("Link confirmed"),
    "link_declined": gettext_lazy("Link declined"),
}
SUCCESS_MESSAGES = {
    "submit": gettext_lazy("The proposal was sent to the municipality."),
    "accept": gettext_lazy("The proposal was accepted: the partnership is now active."),
    "decline": gettext_lazy("The proposal was declined. The organisation is told why."),
    "request_changes": gettext_lazy("The organisation was asked for changes."),
    "complete": gettext_lazy("The partnership is marked as completed."),
    "discontinue": gettext_lazy("The partnership is discontinued."),
}


def _url_or_none(viewname: str, *args) -> str | None:
    try:
        return reverse(viewname, args=args)
    except NoReverseMatch:
        return None


def _visible_or_404(user, pk: int) -> Partnership:
    """The partnership if ``user`` may see it; a 404 otherwise, as the API answers."""
    try:
        return selectors.partnership_detail(user=user, pk=pk)
    except Partnership.DoesNotExist:
        raise Http404(_("No such partnership.")) from None


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _explain_forbidden(request, *, title, reasons, links):
    """A 403 page that says why and where to go instead."""
    links = [(url, text) for url, text in links if url]
    context = {"title": title, "reasons": reasons, "links": links}
    return render(request, "partnerships/forbidden.html", context, status=403)


# --- list ------------------------------------------------------------------------------------


class PartnershipListView(ObjectListView):
    model = Partnership
    filterset_class = PartnershipPageFilterSet
    table_class = PartnershipTable
    export_spec = PartnershipExport()
    template_name = "partnerships/partnership_list.html"
    title = gettext_lazy("Partnerships")
    intro = gettext_lazy(
        "Collaborations between municipalities and the voluntary sector. Filter by place, "
        "field, form of co-creation or status; download what you find as CSV or Excel."
    )

    #: Filters given by id in the address only (``?municipality=12``, linked from a
    #: municipality's or an organisation's page), shown as a notice that removes them: as
    #: select boxes they would list every municipality and organisation, megabytes a page.
    by_id_filters = ("municipality", "organisation")

    def get_queryset(self):
        # Newest first, undated proposals after the rest (registry.keyset), the id breaking
        # ties: one index range at any page (partnerships/migrations/0005).
        return selectors.partnership_list(user=self.request.user).order_by(
            *keyset.order_by(keyset.keys_for(Partnership, ["-start_date"]))
        )

    def get_table_data(self):
        # The page's rows only; the downloads read ``object_list`` with every link.
        return selectors.for_list_page(super().get_table_data())

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for name in self.by_id_filters:
            filter_ = filterset.filters[name]
            filter_.extra["widget"] = forms.HiddenInput
            filter_.__dict__.pop("_field", None)  # built again with the widget
        filterset.filters["county"].extra["help_text"] = gettext_lazy(
            "For one municipality or organisation, follow the link to its partnerships on its page."
        )
        filterset.filters["county"].__dict__.pop("_field", None)
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        role = permissions.partnership_creation_role(user)
        context.update(
            can_create=role is not None,
            proposes=role == "representative",
            has_inbox=permissions.can_answer_proposals(user),
            has_own=permissions.represents_organisations(user),
        )
        return context


# --- profile and workflow actions ------------------------------------------------------------


def _event_rows(user, partnership) -> list[dict]:
    """Workflow events with who did it: the person only where personal data may be shown,
    otherwise the side (the organisation, the municipality)."""
    personal = permissions.can_view_partnership_personal_data(user, partnership)
    rows = []
    for event in partnership.events.all():
        transition = TRANSITIONS.get(event.action)
        if personal and event.actor:
            actor = event.actor.get_full_name() or event.actor.username
        elif event.action in ("link_confirmed", "link_declined"):
            actor = str(event.municipality or event.organisation or "")
        elif transition and transition.notify == "coordinators":
            actor = _("The organisation")
        else:
            actor = _("The municipality")
        rows.append(
            {
                "event": event,
                "label": EVENT_LABELS.get(event.action, event.action),
                "actor": actor,
                "party": event.municipality or event.organisation,
            }
        )
    return rows


def _detail_context(request, partnership, *, failed: TransitionForm | None = None) -> dict:
    user = request.user
    transition_forms = []
    for transition in available_transitions(user, partnership):
        if failed is not None and failed.transition.action == transition.action:
            transition_forms.append(failed)
        else:
            transition_forms.append(TransitionForm(transition=transition, partnership=partnership))
    # The workflow box is for those it concerns: the partners themselves and administrators
    # (the rule that also shows them who took each step), and only when there is something
    # to do or to read in it: never an empty box, never a public one.
    concerned = bool(transition_forms) or permissions.can_view_partnership_personal_data(
        user, partnership
    )
    events = _event_rows(user, partnership) if concerned else []
    return {
        "partnership": partnership,
        "municipality_links": [
            (link, _url_or_none("municipality-detail", link.municipality_id))
            for link in partnership.municipality_links.all()
            if link.state != LinkState.DECLINED
        ],
        "organisation_links": [
            (link, _url_or_none("organisation-detail", link.organisation_id))
            for link in partnership.organisation_links.all()
            if link.state != LinkState.DECLINED
        ],
        "link_answers": _link_answers(user, partnership),
        "first_involved_at": FIRST_INVOLVED_AT.get(partnership.involvement_phase),
        "goals_decided_by": GOALS_DECIDED_BY.get(partnership.goals_control),
        "derived": explain_derived_type(
            goals_control=partnership.goals_control,
            involvement_phase=partnership.involvement_phase,
        ),
        "promoting_factors": _labels(PromotingFactor, partnership.promoting_factors),
        "hindering_factors": _labels(HinderingFactor, partnership.hindering_factors),
        "transition_forms": transition_forms,
        "events": events,
        "show_workflow": bool(transition_forms or events),
        "change_request": selectors.last_change_request(partnership),
        "can_edit": permissions.can_edit_partnership(user, partnership),
        "can_read_history": permissions.can_read_history(user, partnership),
        "show_personal_data": permissions.can_view_partnership_personal_data(user, partnership),
    }


def _labels(choices, values) -> list[str]:
    return [choices(value).label for value in values or [] if value in choices.values]


@require_GET
def partnership_detail(request, pk: int):
    partnership = _visible_or_404(request.user, pk)
    return render(
        request, "partnerships/partnership_detail.html", _detail_context(request, partnership)
    )


@require_POST
def partnership_transition_view(request, pk: int, action: str):
    """One workflow action (a small form on the profile or in the inbox), then back."""
    partnership = _visible_or_404(request.user, pk)
    transition = TRANSITIONS[action]
    detail_url = reverse("partnership-detail", args=[partnership.pk])
    form = TransitionForm(request.POST, transition=transition, partnership=partnership)
    if form.is_valid():
        try:
            partnership_transition(
                partnership=partnership, user=request.user, action=action, **form.service_data()
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
            return redirect(_safe_next(request, detail_url))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, SUCCESS_MESSAGES[action])
            return redirect(_safe_next(request, detail_url))
    # Show the error beside the comment box, with what was typed.
    context = _detail_context(request, partnership, failed=form)
    return render(request, "partnerships/partnership_detail.html", context)


# --- logging, proposing and editing ----------------------------------------------------------


def _cannot_create(request):
    user = request.user
    if permissions.is_analyst(user):
        reasons = [
            _(
                "As an analyst you read every partnership and statistic in the registry, "
                "but you do not log or propose partnerships."
            )
        ]
    else:
        reasons = [
            _(
                "A municipality's volunteer coordinator logs the municipality's partnerships, "
                "and a representative of a registered organisation proposes new ones. Your "
                "account is neither yet."
            ),
            _(
                "If you act for a voluntary organisation, register it; if it is registered "
                "already, ask one of its representatives to invite you. A coordinator is "
                "invited by the municipality or the registry's administrators."
            ),
        ]
    links = [
        (
            _url_or_none("organisation-create") or _url_or_none("account_signup"),
            _("Register your organisation"),
        ),
        (reverse("partnership-list"), _("Browse the partnerships")),
        (_url_or_none("dashboard"), _("See the dashboard")),
    ]
    if permissions.is_analyst(user):
        links = links[1:]
    return _explain_forbidden(
        request, title=_("You cannot log partnerships"), reasons=reasons, links=links
    )


def _create_and_maybe_submit(request, form: PartnershipForm, role: str):
    data = form.service_data()
    if role == "representative":
        data["status"] = Status.DRAFT
    # Sending is the form's primary action (its first submit button, which Enter presses);
    # only the secondary "Save as draft" button keeps it a draft.
    submit = role == "representative" and request.POST.get("then") != "draft"
    with transaction.atomic():
        partnership = services.partnership_create_as(user=request.user, **data)
        if submit:
            partnership_transition(partnership=partnership, user=request.user, action="submit")
    if submit:
        messages.success(request, _("Your proposal was sent to the municipality."))
    elif role == "representative":
        messages.success(
            request,
            _("Your proposal is saved as a draft. Send it to the municipality when it is ready."),
        )
    else:
        messages.success(request, _("The partnership is logged."))
    return partnership


@login_required
def partnership_create(request):
    role = permissions.partnership_creation_role(request.user)
    if role is None:
        return _cannot_create(request)
    form = PartnershipForm(request.POST or None, user=request.user, role=role)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            partnership = _create_and_maybe_submit(request, form, role)
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            # Keep what was typed: say why beside the form, with the 403 it is.
            form.add_error(None, str(error))
            status = 403
        else:
            return redirect("partnership-detail", pk=partnership.pk)
    context = {"form": form, "role": role, "partnership": None, "creating": True}
    return render(request, "partnerships/partnership_form.html", context, status=status)


def _role_on(user, partnership) -> str:
    if permissions.is_admin(user):
        return "admin"
    if permissions.is_partnership_coordinator(user, partnership):
        return "coordinator"
    return "representative"


@login_required
def partnership_edit(request, pk: int):
    user = request.user
    partnership = _visible_or_404(user, pk)
    editable = permissions.editable_partnership_fields(user, partnership)
    if not editable:
        raise PermissionDenied(_("You may not change this partnership."))
    only = None if editable == "all" else editable
    role = _role_on(user, partnership)
    form = PartnershipForm(
        request.POST or None, user=user, role=role, partnership=partnership, only=only
    )
    can_submit = permissions.can_take_action(user, "submit", partnership)
    if request.method == "POST" and form.is_valid():
        submit = can_submit and request.POST.get("then") == "submit"
        try:
            with transaction.atomic():
                services.partnership_update(
                    partnership=partnership, user=user, data=form.service_data()
                )
                if submit:
                    partnership_transition(partnership=partnership, user=user, action="submit")
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("The changes are saved and the proposal is sent to the municipality.")
                if submit
                else _("The changes are saved."),
            )
            return redirect("partnership-detail", pk=partnership.pk)
    context = {
        "form": form,
        "role": role,
        "partnership": partnership,
        "creating": False,
        "outcomes_only": only is not None,
        "can_submit": can_submit,
        "change_request": selectors.last_change_request(partnership),
    }
    return render(request, "partnerships/partnership_form.html", context)


@require_GET
def derived_type(request):
    """The htmx fragment beside the co-creation questions: the derived co-creation type of
    the answers so far, computed by ``partnerships.rules`` (the one rule)."""
    declared = request.GET.get("co_creation_type")
    context = {
        "derived": explain_derived_type(
            goals_control=request.GET.get("goals_control"),
            involvement_phase=request.GET.get("involvement_phase"),
        ),
        "declared": CoCreationType(declared) if declared in CoCreationType.values else None,
    }
    return render(request, "partnerships/derived_type.html", context)


# --- history ---------------------------------------------------------------------------------


@require_GET
def partnership_history(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    partnership = _visible_or_404(request.user, pk)
    if not permissions.can_read_history(request.user, partnership):
        raise PermissionDenied(
            _("Only the municipality's coordinators and administrators may read the history.")
        )
    context = {
        "partnership": partnership,
        "entries": readable_history_entries(partnership),
    }
    return render(request, "partnerships/partnership_history.html", context)


# --- the coordinator's inbox and the representative's own partnerships -----------------------


def _limited(queryset) -> tuple[list, int]:
    """At most ``SECTION_LIMIT`` rows, and how many there are in all."""
    rows = list(queryset[: SECTION_LIMIT + 1])
    total = len(rows) if len(rows) <= SECTION_LIMIT else queryset.count()
    return rows[:SECTION_LIMIT], total


def _list_url(**params) -> str:
    from urllib.parse import urlencode

    return f"{reverse('partnership-list')}?{urlencode(params, doseq=True)}"


@login_required
def inbox(request):
    user = request.user
    if not permissions.can_answer_proposals(user):
        links = [(reverse("partnership-list"), _("Browse the partnerships"))]
        if permissions.represents_organisations(user):
            links.insert(0, (reverse("my-partnerships"), _("Your organisation's partnerships")))
        return _explain_forbidden(
            request,
            title=_("The inbox is for municipal coordinators"),
            reasons=[
                _(
                    "Proposals from organisations are answered by the volunteer coordinators "
                    "of the municipality they are sent to. Your account does not coordinate "
                    "a municipality."
                )
            ],
            links=links,
        )
    to_answer, to_answer_total = _limited(selectors.proposals_to_answer(user=user))
    in_rework, in_rework_total = _limited(selectors.proposals_in_rework(user=user))
    municipality_ids = sorted(permissions.coordinated_municipality_ids(user))
    scope = {"municipality": municipality_ids[0]} if len(municipality_ids) == 1 else {}
    rows = []
    for partnership in to_answer:
        actions = {t.action: t for t in available_transitions(user, partnership)}
        rows.append(
            {
                "partnership": partnership,
                "accept": actions.get("accept"),
                "answer": [actions[a] for a in ("request_changes", "decline") if a in actions],
            }
        )
    context = {
        "rows": rows,
        "to_answer_total": to_answer_total,
        "to_answer_url": _list_url(status=Status.UNDER_REVIEW, **scope),
        "in_rework": [
            {"partnership": p, "change_request": selectors.last_change_request(p)}
            for p in in_rework
        ],
        "in_rework_total": in_rework_total,
        "in_rework_url": _list_url(status=Status.CHANGES_REQUESTED, **scope),
        "link_requests": _link_request_rows(user),
        "limit": SECTION_LIMIT,
    }
    return render(request, "partnerships/inbox.html", context)


NEXT_STEPS = {
    Status.DRAFT: gettext_lazy(
        "A draft, not sent yet: only your organisation sees it. Check it and send it to "
        "the municipality."
    ),
    Status.CHANGES_REQUESTED: gettext_lazy(
        "The municipality asked for changes — edit and send again."
    ),
    Status.UNDER_REVIEW: gettext_lazy(
        "Waiting for the municipality's answer. You can still edit the proposal."
    ),
    Status.DECLINED: gettext_lazy("The municipality declined the proposal."),
    Status.ACTIVE: gettext_lazy(
        "Running. Record the outcomes as you go: volunteer hours, people reached, what helped "
        "and what hindered."
    ),
    Status.COMPLETED: gettext_lazy("Completed."),
    Status.DISCONTINUED: gettext_lazy("Discontinued."),
}


def _own_row(user, partnership) -> dict:
    change_request = selectors.last_change_request(partnership)
    last = selectors.last_event(partnership)
    next_step = NEXT_STEPS[partnership.status]
    comment = ""
    if change_request is not None:
        comment = change_request.comment
    elif partnership.status in (Status.DECLINED, Status.DISCONTINUED) and last is not None:
        comment = last.comment
    return {
        "partnership": partnership,
        "next_step": next_step,
        "comment": comment,
        "can_edit": permissions.can_edit_partnership(user, partnership),
        "submit": next(
            (t for t in available_transitions(user, partnership) if t.action == "submit"), None
        ),
    }


@login_required
def my_partnerships(request):
    user = request.user
    if not permissions.represents_organisations(user):
        links = [(reverse("partnership-list"), _("Browse the partnerships"))]
        if permissions.can_answer_proposals(user):
            links.insert(0, (reverse("inbox"), _("Your inbox of proposals")))
        else:
            links.insert(
                0,
                (
                    _url_or_none("organisation-create") or _url_or_none("account_signup"),
                    _("Register your organisation"),
                ),
            )
        return _explain_forbidden(
            request,
            title=_("This page is for organisations"),
            reasons=[
                _(
                    "Here the representatives of a voluntary organisation follow their "
                    "proposals and partnerships. Your account does not represent an "
                    "organisation."
                )
            ],
            links=links,
        )
    proposals = list(selectors.organisation_partnerships(user=user, statuses=PROPOSAL_STATUSES))
    established, established_total = _limited(
        selectors.organisation_partnerships(user=user, statuses=ESTABLISHED_STATUSES)
    )
    by_status: dict[str, list] = {status: [] for status in Status.values}
    for partnership in proposals + established:
        by_status[partnership.status].append(_own_row(user, partnership))
    # Proposals sent back for changes come first: they are what waits for the user.
    order = [Status.CHANGES_REQUESTED, *(s for s in Status.values if s != Status.CHANGES_REQUESTED)]
    by_status = {status: by_status[status] for status in order}
    groups = [
        {"status": status, "label": Status(status).label, "rows": rows}
        for status, rows in by_status.items()
        if rows
    ]
    organisation_ids = sorted(permissions.represented_organisation_ids(user))
    context = {
        "groups": groups,
        "link_requests": _link_request_rows(user),
        "established_total": established_total,
        "established_shown": len(established),
        "list_url": _list_url(organisation=organisation_ids[0])
        if len(organisation_ids) == 1
        else reverse("partnership-list"),
    }
    return render(request, "partnerships/my_partnerships.html", context)


# --- consent for links -----------------------------------------------------------------------

LINK_MESSAGES = {
    "confirm": gettext_lazy("The link is confirmed: the partnership now counts for %(party)s."),
    "decline": gettext_lazy("The link is declined: the partnership does not count for %(party)s."),
}


def _link_answers(user, partnership) -> list[dict]:
    """The links on ``partnership`` that ``user`` may answer now, for buttons on the page."""
    if not user.is_authenticated:
        return []
    return _link_request_rows(user, partnership=partnership)


def _link_row(partnership, link, kind: str, party) -> dict:
    return {
        "partnership": partnership,
        "link": link,
        "kind": kind,
        "party": party,
        "party_id": party.pk,
        "disputes": link.state == LinkState.CONFIRMED,
    }


def _link_request_rows(user, partnership=None) -> list[dict]:
    rows = []
    links = selectors.link_requests(user=user, limit=SECTION_LIMIT, partnership=partnership)
    for link in links:
        kind = "municipality" if hasattr(link, "municipality_id") else "organisation"
        rows.append(_link_row(link.partnership, link, kind, getattr(link, kind)))
    return rows


@require_POST
def link_answer(request, pk: int, answer: str):
    """Confirm or decline a link (a button in the inbox, on "mine" or on the profile)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("partnership-detail", args=[pk]))
    partnership = _visible_or_404(request.user, pk)
    detail_url = reverse("partnership-detail", args=[partnership.pk])
    kind = "municipality" if request.POST.get("municipality") else "organisation"
    from municipalities.models import Municipality
    from organisations.models import Organisation

    model = Municipality if kind == "municipality" else Organisation
    try:
        party = model.objects.get(pk=int(request.POST.get(kind) or 0))
    except (model.DoesNotExist, ValueError):
        raise Http404(_("No such link.")) from None
    if not permissions.can_answer_link(request.user, partnership, **{kind: party}):
        raise PermissionDenied(_("Only the linked party's own people may answer this link."))
    try:
        if answer == "confirm":
            services.link_confirm(partnership=partnership, user=request.user, **{kind: party})
        else:
            services.link_decline(
                partnership=partnership,
                user=request.user,
                comment=request.POST.get("comment", ""),
                **{kind: party},
            )
    except (TransitionNotAllowed, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, LINK_MESSAGES[answer] % {"party": party})
    return redirect(_safe_next(request, detail_url))
