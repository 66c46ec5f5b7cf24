"""The organisation pages: list, history, registration, editing and verification.

Thin views: reads are scoped with ``organisations.permissions``; every write is one call of
``organisations.services``. The profile page lists the organisation's partnerships, an app
above this one, so it is composed in ``registry.organisation_pages``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from municipalities.models import Municipality
from organisations.exports import OrganisationExport
from organisations.filtersets import OrganisationFilterSet
from organisations.forms import OrganisationForm, check_org_number, default_country
from organisations.models import Organisation, OrganisationCategory
from organisations.permissions import (
    can_create_organisation,
    can_edit_organisation,
    can_read_organisation_history,
    has_verification_queue,
)
from organisations.selectors import organisation_list, verification_queue
from organisations.services import (
    IDENTITY_FIELDS,
    organisation_create,
    organisation_update,
    organisation_verify,
)
from organisations.tables import OrganisationTable
from registry.api.history import readable_history_entries
from registry.generic import ObjectListView

#: Organisations per page of the verification queue.
QUEUE_PAGE_SIZE = 50


def profile_queryset():
    return Organisation.objects.prefetch_related(
        Prefetch("categories", queryset=OrganisationCategory.objects.order_by("rank")),
        Prefetch(
            "municipalities",
            queryset=Municipality.objects.select_related("county").order_by("name"),
        ),
    )


class OrganisationListView(ObjectListView):
    model = Organisation
    filterset_class = OrganisationFilterSet
    table_class = OrganisationTable
    export_spec = OrganisationExport()
    title = gettext_lazy("Voluntary organisations")
    intro = gettext_lazy(
        "Associations, volunteer centres, idea-based non-profits, social-economic enterprises "
        "and groups of volunteers that work with municipalities."
    )

    template_name = "organisations/organisation_list.html"

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        form = filterset.form
        form.label_suffix = ""
        for field in form.fields.values():
            field.label = capfirst(field.label)
        form.fields["verified"].widget = forms.Select(
            choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        )
        for name in ("country", "kind", "level", "municipality", "category"):
            form.fields[name].empty_label = _("Any")
            form.fields[name].widget.choices = form.fields[name].choices
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = can_create_organisation(self.request.user)
        return context

    def _is_export(self) -> bool:
        return self.export_class.is_valid_format(self.request.GET.get(self.export_trigger_param))

    def get_queryset(self):
        # The downloads keep their order (by name).
        if self._is_export():
            return organisation_list()
        # The user's own country first (where they coordinate or represent; else Norway),
        # then the others, as on the municipality list. A sort chosen on the page
        # (``?sort=``) replaces this order.
        return organisation_list(home_country=default_country(self.request.user))

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not self._is_export():
            # The table's own default sort (by name, ``OrganisationTable.Meta.order_by``)
            # would replace the queryset's order: none, so the queryset's stands until a
            # sort is chosen (django-tables2's RequestConfig then sets it from ``?sort=``).
            kwargs["order_by"] = ()
        return kwargs


@login_required
def organisation_history(request, pk: int):
    organisation = get_object_or_404(profile_queryset(), pk=pk)
    if not can_read_organisation_history(request.user, organisation):
        raise PermissionDenied
    entries = readable_history_entries(organisation)
    return render(
        request,
        "organisations/organisation_history.html",
        {"organisation": organisation, "entries": entries},
    )


def _save_form(request, form: OrganisationForm, write):
    """Call the service ``write(form)``; its ``ValidationError`` goes beside the fields and
    nothing is written. Returns the organisation, or None on error."""
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            return write(form)
    except ValidationError as error:
        form.add_service_errors(error)
        return None


@login_required
def organisation_create_view(request):
    if not can_create_organisation(request.user):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST":
        organisation = _save_form(
            request,
            form,
            lambda form: organisation_create(user=request.user, **form.service_data()),
        )
        if organisation is not None:
            messages.success(
                request,
                _(
                    "%(name)s is registered, with you as its representative. It awaits "
                    "verification by a coordinator of a municipality where it operates."
                )
                % {"name": organisation.name},
            )
            return redirect("organisation-detail", pk=organisation.pk)
    return render(
        request,
        "organisations/organisation_form.html",
        {
            "form": form,
            "forms": [form],
            "has_errors": bool(form.errors),
            "title": _("Register an organisation"),
        },
    )


@login_required
def organisation_edit(request, pk: int):
    organisation = get_object_or_404(profile_queryset(), pk=pk)
    if not can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, organisation=organisation)
    was_verified = organisation.verified
    if was_verified:
        note = _(
            "Changing this clears the organisation's verification until a volunteer "
            "coordinator of a municipality where it operates verifies it again."
        )
        for name in IDENTITY_FIELDS:
            field = form.fields[name]
            field.help_text = f"{field.help_text} {note}" if field.help_text else note
    if request.method == "POST":
        saved = _save_form(
            request,
            form,
            lambda form: organisation_update(
                organisation=organisation, user=request.user, data=form.service_data()
            ),
        )
        if saved is not None:
            if was_verified and not saved.verified:
                messages.warning(
                    request,
                    _(
                        "The profile is saved. Since its name, country or organisation number "
                        "changed, the organisation is no longer verified: the volunteer "
                        "coordinators of its municipalities are asked to verify it again."
                    ),
                )
            else:
                messages.success(request, _("The profile is saved."))
            return redirect("organisation-detail", pk=organisation.pk)
        organisation.refresh_from_db()  # the name in the heading, not the one typed
    return render(
        request,
        "organisations/organisation_form.html",
        {
            "form": form,
            "forms": [form],
            "has_errors": bool(form.errors),
            "organisation": organisation,
            "title": _("Edit %(name)s") % {"name": organisation.name},
        },
    )


@require_POST
@login_required
def organisation_verify_view(request, pk: int):
    organisation = get_object_or_404(Organisation.objects.prefetch_related("municipalities"), pk=pk)
    if _verify(request, organisation):
        messages.success(request, _("%(name)s is verified.") % {"name": organisation.name})
    return redirect("organisation-detail", pk=organisation.pk)


def _verify(request, organisation: Organisation) -> bool:
    """Verify as the POST asks, if the name, country and number it was shown (posted
    beside it) are still the organisation's; say so in a message if not."""
    seen = {name: request.POST[name] for name in IDENTITY_FIELDS if name in request.POST}
    try:
        organisation_verify(organisation=organisation, user=request.user, seen=seen)
    except ValidationError:
        messages.error(
            request,
            _(
                "%(name)s changed its name, country or number while you were looking: "
                "check it again before verifying."
            )
            % {"name": organisation.name},
        )
        return False
    return True


@login_required
def verification_queue_view(request):
    """The organisations waiting for the user's verification; POST ``organisation`` (its id,
    with the ``name``, ``country`` and ``org_number`` shown) verifies one."""
    if not has_verification_queue(request.user):
        raise PermissionDenied
    queue = verification_queue(request.user)
    if request.method == "POST":
        pk = request.POST.get("organisation", "")
        organisation = get_object_or_404(
            Organisation.objects.prefetch_related("municipalities"),
            pk=int(pk) if pk.isdigit() else 0,
        )
        if _verify(request, organisation):
            messages.success(request, _("%(name)s is verified.") % {"name": organisation.name})
        return redirect("organisation-verification-queue")
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/verification_queue.html",
        {"page": page, "organisations": page.object_list, "count": page.paginator.count},
    )


@require_GET
def check_number(request):
    """The organisation number as typed: valid (with its org-id), invalid (why), or already
    registered (by whom). An htmx fragment for the registration and edit forms."""
    exclude = request.GET.get("exclude", "")
    context = check_org_number(
        request.GET.get("country", ""),
        request.GET.get("org_number", ""),
        exclude=int(exclude) if exclude.isdigit() else None,
    )
    return render(request, "organisations/check_number.html", context)
