"""The partnership forms of the web pages and the list page's filter widgets.

The forms check only the shape of the input; the rules (who may, which statuses, what a
partnership needs) are ``partnerships.services``' and ``partnerships.workflow``', whose
errors the views put back beside the fields.
"""

from collections import Counter

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import ChoiceFilter, ModelChoiceFilter, MultipleChoiceFilter
from django_filters.widgets import DateRangeWidget

from municipalities.choices import Country
from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships import permissions
from partnerships.choices import (
    PROPOSAL_STATUSES,
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    Field,
    GoalsControl,
    HinderingFactor,
    Initiator,
    InvolvementPhase,
    OrganisationRole,
    PromotingFactor,
    Status,
)
from partnerships.filtersets import PartnershipFilterSet
from partnerships.rules import derive_co_creation_type
from partnerships.services import ATTRIBUTE_FIELDS
from registry.forms import Checkboxes, Select
from registry.widgets import (
    MUNICIPALITY_SEARCH,
    ORGANISATION_SEARCH,
    ComboboxSelect,
    ComboboxSelectMultiple,
)

# --- the co-creation questions, in plain words ------------------------------------------------

INITIATOR_HELP = {
    Initiator.MUNICIPALITY: gettext_lazy(
        "The municipality invited or recruited the voluntary actors."
    ),
    Initiator.LOCAL_CIVIC: gettext_lazy(
        "A local association, group or volunteer centre invited the municipality."
    ),
    Initiator.NATIONAL_CIVIC: gettext_lazy(
        "A regional or national organisation invited the municipality."
    ),
    Initiator.VOLUNTEERS: gettext_lazy(
        "People who are not organised in an association came with the idea."
    ),
    Initiator.USERS: gettext_lazy("People who use the municipality's services proposed it."),
}
PHASE_HELP = {
    InvolvementPhase.PROBLEM_DEFINITION: gettext_lazy(
        "Before anything was decided: in working out what the problem or need is."
    ),
    InvolvementPhase.DESIGN: gettext_lazy(
        "When the activity or service was planned and shaped, before it started."
    ),
    InvolvementPhase.IMPLEMENTATION: gettext_lazy(
        "When it was carried out: the plan had already been made."
    ),
    InvolvementPhase.EVALUATION: gettext_lazy("Only in looking back at how it went."),
}
GOALS_HELP = {
    GoalsControl.MUNICIPALITY: gettext_lazy(
        "The municipality sets the task; the voluntary actors help to carry it out."
    ),
    GoalsControl.SHARED: gettext_lazy("The municipality and the voluntary actors decide together."),
    GoalsControl.ORGANISATION: gettext_lazy(
        "The voluntary actors decide; the municipality supports them."
    ),
}
TYPE_HELP = {
    CoCreationType.EQUAL: gettext_lazy(
        "The municipality and the voluntary actors define content and purpose together and "
        "govern the collaboration jointly."
    ),
    CoCreationType.MUNICIPALITY_LED: gettext_lazy(
        "The municipality defines the task and recruits volunteers to it."
    ),
    CoCreationType.ORGANISATION_LED: gettext_lazy(
        "The voluntary actors define and run it; the municipality supports."
    ),
}
#: "Goals and content are decided by …", for the detail page.
GOALS_DECIDED_BY = {
    GoalsControl.MUNICIPALITY: gettext_lazy("the municipality"),
    GoalsControl.SHARED: gettext_lazy("the municipality and the voluntary actors together"),
    GoalsControl.ORGANISATION: gettext_lazy("the voluntary actors"),
}
#: "The voluntary actors were first involved at …", for the detail page.
FIRST_INVOLVED_AT = {
    InvolvementPhase.PROBLEM_DEFINITION: gettext_lazy(
        "problem definition, before anything was decided"
    ),
    InvolvementPhase.DESIGN: gettext_lazy("design, when the activity was planned"),
    InvolvementPhase.IMPLEMENTATION: gettext_lazy(
        "implementation, when the plan had already been made"
    ),
    InvolvementPhase.EVALUATION: gettext_lazy("evaluation, looking back at how it went"),
}


def explained_choices(choices, explanations) -> list[tuple[str, str]]:
    """Radio choices whose labels carry a one-line explanation below the name."""
    return [
        (
            value,
            format_html(
                '<span class="choice-name">{}</span> <span class="choice-help">{}</span>',
                label,
                explanations[value],
            ),
        )
        for value, label in choices
    ]


def explain_derived_type(*, goals_control, involvement_phase) -> dict | None:
    """The derived co-creation type for two answers, with one sentence saying why.

    The type comes from ``partnerships.rules.derive_co_creation_type`` (the one rule);
    the sentence only names the answers that led to it. ``None`` if an answer is missing.
    """
    if goals_control not in GoalsControl.values or involvement_phase not in InvolvementPhase.values:
        return None
    derived = derive_co_creation_type(
        goals_control=goals_control, involvement_phase=involvement_phase
    )
    phase = InvolvementPhase(involvement_phase).label.lower()
    if derived == CoCreationType.ORGANISATION_LED:
        sentence = _("The voluntary actors decide the goals and content.")
    elif derived == CoCreationType.EQUAL:
        sentence = _(
            "Goals and content are decided together, and the voluntary actors were involved "
            "from the %(phase)s phase."
        ) % {"phase": phase}
    elif goals_control == GoalsControl.SHARED:
        sentence = _(
            "Goals and content are shared, but the voluntary actors were first involved only "
            "at %(phase)s, after the problem and the design had been settled."
        ) % {"phase": phase}
    else:
        sentence = _("The municipality decides the goals and content.")
    return {"value": derived.value, "label": derived.label, "sentence": sentence}


# --- the list page's filters -----------------------------------------------------------------


class DateRangeInputs(DateRangeWidget):
    """Two labelled date inputs ("from", "to") in a fieldset, instead of two bare text boxes."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets = [
            forms.DateInput(attrs={"type": "date", "aria-label": gettext_lazy("from")}),
            forms.DateInput(attrs={"type": "date", "aria-label": gettext_lazy("to")}),
        ]


class PartnershipPageFilterSet(PartnershipFilterSet):
    """The API's partnership filters, with widgets for a page: a search box first,
    checkboxes for the multiple choices and date pickers for the start date."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        widgets = {
            "q": forms.TextInput(attrs={"type": "search"}),
            "start_date": DateRangeInputs(),
        }
        for name, filter_ in self.filters.items():
            widget = widgets.get(name)
            if widget is None and isinstance(filter_, MultipleChoiceFilter):
                widget = Checkboxes
            elif widget is None and isinstance(filter_, ChoiceFilter | ModelChoiceFilter):
                widget = Select
                filter_.extra["empty_label"] = gettext_lazy("Any")  # not "---------"
            if widget is not None:
                filter_.extra["widget"] = widget
                filter_.__dict__.pop("_field", None)
        self.filters["q"].extra["help_text"] = gettext_lazy("Words in the title or description.")
        self.filters = {"q": self.filters.pop("q"), **self.filters}


# --- logging, proposing and editing a partnership --------------------------------------------

#: The service's names for the links that the form calls differently.
SERVICE_TO_FORM_FIELD = {"fields": "fields_of_work", "forms": "collaboration_forms"}
#: Fields only a coordinator or administrator fills in (a proposal has no status or dates).
COORDINATOR_FIELDS = ("status", "start_date", "end_date")


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _municipality_choices(*, own_ids, extra_ids, own_label) -> list:
    """All current municipalities grouped by country, the user's own in a group first.

    A name that occurs twice in a country (Herøy, Våler) gets its county.
    """
    municipalities = list(
        Municipality.objects.filter(Q(is_current=True) | Q(pk__in=list(extra_ids)))
        .select_related("county")
        .only("pk", "name", "country", "county__name", "county__short_name")
        .order_by("country", "name")
    )
    repeated = Counter((m.country, m.name) for m in municipalities)

    def label(m):
        return f"{m.name} ({m.county})" if repeated[(m.country, m.name)] > 1 else m.name

    own = [(m.pk, label(m)) for m in municipalities if m.pk in own_ids]
    # The user's own country first, then Norway, Denmark, Sweden.
    own_countries = {m.country for m in municipalities if m.pk in own_ids}
    order = {code: i for i, code in enumerate(Country.values)}
    by_country: dict[str, list] = {}
    for m in sorted(
        municipalities, key=lambda m: (m.country not in own_countries, order[m.country], m.name)
    ):
        if m.pk not in own_ids:
            by_country.setdefault(m.get_country_display(), []).append((m.pk, label(m)))
    groups = [(own_label, own)] if own else []
    return groups + list(by_country.items())


def _organisation_choices(*, queryset, first_ids, first_label, others_label) -> list:
    organisations = list(queryset.only("pk", "name").order_by("name", "pk"))
    first = [(o.pk, o.name) for o in organisations if o.pk in first_ids]
    others = [(o.pk, o.name) for o in organisations if o.pk not in first_ids]
    if not first:
        return others
    return [(first_label, first), (others_label, others)] if others else first


#: The resources and outcomes of a collaboration: known only once it runs. A
#: representative's proposal does not ask for them (a proposal saved without them has the
#: model's defaults: none, empty lists, the default currency); the edit form of an existing
#: partnership and a coordinator's log of one, which may have run for years, do. The
#: municipal contribution is the municipality's to record, so a proposal leaves it out too.
OUTCOME_FIELDS = (
    "municipal_contribution",
    "currency",
    "volunteer_hours",
    "people_reached",
    "promoting_factors",
    "hindering_factors",
    "outcomes",
)


class PartnershipForm(forms.Form):
    """Log (coordinator), propose (representative) or change a partnership.

    ``role`` is "admin", "coordinator" or "representative": a representative's form has no
    status or dates and offers only their own organisations; a new proposal has no
    ``OUTCOME_FIELDS`` either. ``only`` limits the form to some fields (a representative's
    outcomes of an active partnership).
    """

    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        help_text=gettext_lazy(
            "A short name people recognise, e.g. “Homework help at the library”."
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the collaboration does, for whom, and where."),
    )
    municipalities = forms.MultipleChoiceField(
        label=gettext_lazy("Municipalities"),
        widget=ComboboxSelectMultiple(attrs={"size": 8}, endpoint=MUNICIPALITY_SEARCH),
        help_text=gettext_lazy(
            "Type the first letters of a municipality's name and choose it from the list; "
            "choose every municipality that takes part."
        ),
    )
    organisations = forms.MultipleChoiceField(
        label=gettext_lazy("Voluntary organisations"),
        widget=ComboboxSelectMultiple(attrs={"size": 8}, endpoint=ORGANISATION_SEARCH),
        help_text=gettext_lazy(
            "Type a name or an organisation number and choose from the list; choose every "
            "organisation that takes part."
        ),
    )
    lead_organisation = forms.ChoiceField(
        label=gettext_lazy("Lead partner"),
        required=False,
        widget=ComboboxSelect(endpoint=ORGANISATION_SEARCH),
        help_text=gettext_lazy(
            "The organisation that leads the collaboration; one of those chosen above."
        ),
    )
    fields_of_work = forms.MultipleChoiceField(
        label=gettext_lazy("Fields"),
        choices=Field.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Choose every field the collaboration works in."),
    )
    collaboration_forms = forms.MultipleChoiceField(
        label=gettext_lazy("Forms of collaboration"),
        choices=CollaborationForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agreement = forms.ChoiceField(
        label=gettext_lazy("Agreement"), choices=Agreement.choices, initial=Agreement.NONE
    )
    initiator = forms.ChoiceField(
        label=gettext_lazy("Who took the initiative?"), widget=forms.RadioSelect
    )
    involvement_phase = forms.ChoiceField(
        label=gettext_lazy("When were the voluntary actors first involved?"),
        widget=forms.RadioSelect,
    )
    goals_control = forms.ChoiceField(
        label=gettext_lazy("Who decides the goals and content?"), widget=forms.RadioSelect
    )
    co_creation_type = forms.ChoiceField(
        label=gettext_lazy("What do you call the collaboration?"),
        widget=forms.RadioSelect,
        help_text=gettext_lazy("The form of co-creation you would say it is."),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=Status.choices,
        initial=Status.ACTIVE,
        help_text=gettext_lazy(
            "Log a collaboration that runs already as active (it needs a start date)."
        ),
    )
    start_date = forms.DateField(label=gettext_lazy("Start date"), required=False)
    end_date = forms.DateField(label=gettext_lazy("End date"), required=False)
    municipal_contribution = forms.DecimalField(
        label=gettext_lazy("Municipal contribution"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=gettext_lazy("The municipality's contribution in money, per year or in total."),
    )
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency"), choices=Currency.choices, initial=Currency.NOK
    )
    volunteer_hours = forms.IntegerField(
        label=gettext_lazy("Volunteer hours"), required=False, min_value=0, max_value=2_000_000_000
    )
    people_reached = forms.IntegerField(
        label=gettext_lazy("People reached"), required=False, min_value=0, max_value=2_000_000_000
    )
    promoting_factors = forms.MultipleChoiceField(
        label=gettext_lazy("What helped?"),
        choices=PromotingFactor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hindering_factors = forms.MultipleChoiceField(
        label=gettext_lazy("What hindered?"),
        choices=HinderingFactor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outcomes = forms.CharField(
        label=gettext_lazy("Outcomes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What came out of it: activities, results, what was learnt."),
    )

    def __init__(self, *args, user, role: str, partnership=None, only=None, **kwargs):
        self.user = user
        self.role = role
        self.partnership = partnership
        if partnership is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(partnership)
        super().__init__(*args, **kwargs)
        self.fields["start_date"].widget = _date_input()
        self.fields["end_date"].widget = _date_input()
        self.fields["initiator"].choices = explained_choices(Initiator.choices, INITIATOR_HELP)
        self.fields["involvement_phase"].choices = explained_choices(
            InvolvementPhase.choices, PHASE_HELP
        )
        self.fields["goals_control"].choices = explained_choices(GoalsControl.choices, GOALS_HELP)
        self.fields["co_creation_type"].choices = explained_choices(
            CoCreationType.choices, TYPE_HELP
        )
        if role == "representative" or partnership is not None:
            # A proposal has no status: it moves through the workflow (and so does any
            # partnership once it exists).
            del self.fields["status"]
        else:
            creatable = permissions.creatable_statuses(user)
            self.fields["status"].choices = [
                (value, label) for value, label in Status.choices if value in creatable
            ]
        if role == "representative":
            del self.fields["start_date"], self.fields["end_date"]
            if partnership is None or partnership.status in PROPOSAL_STATUSES:
                # A proposal, new or being edited: nothing has started, so there is nothing
                # to report yet (what was saved stays: the form saves only its fields).
                for name in OUTCOME_FIELDS:
                    del self.fields[name]
        if only is not None:
            for name in list(self.fields):
                if name not in only:
                    del self.fields[name]
        if "municipalities" in self.fields:
            self._set_municipality_choices()
        if "organisations" in self.fields:
            self._set_organisation_choices()

    # The choices depend on who is asking -------------------------------------------------

    def _linked_ids(self, relation: str, attribute: str) -> set[int]:
        """Ids already linked to the partnership being edited (kept among the choices even
        when they would not be offered now, e.g. a municipality merged away)."""
        if self.partnership is None:
            return set()
        return {getattr(link, attribute) for link in getattr(self.partnership, relation).all()}

    def _set_municipality_choices(self):
        if self.role == "representative":
            own_ids = set(
                Municipality.objects.filter(
                    organisations__in=permissions.represented_organisation_ids(self.user)
                ).values_list("pk", flat=True)
            )
            own_label = _("Where your organisation works")
        else:
            own_ids = set(permissions.coordinated_municipality_ids(self.user))
            own_label = _("Your municipality")
        self.fields["municipalities"].choices = _municipality_choices(
            own_ids=own_ids,
            extra_ids=self._linked_ids("municipality_links", "municipality_id"),
            own_label=own_label,
        )
        creating = self.partnership is None and not self.is_bound
        if creating and (self.role == "coordinator" or len(own_ids) == 1):
            self.initial.setdefault("municipalities", sorted(own_ids))

    def _set_organisation_choices(self):
        own_ids = set(permissions.represented_organisation_ids(self.user))
        linked = self._linked_ids("organisation_links", "organisation_id")
        if self.role == "representative":
            # Only the representative's own organisations (and partners already linked) are
            # offered: a few boxes to tick, not a search among thousands.
            self.fields["organisations"].widget = forms.CheckboxSelectMultiple()
            choices = _organisation_choices(
                queryset=Organisation.objects.filter(pk__in=own_ids | linked),
                first_ids=own_ids,
                first_label=_("Your organisation"),
                others_label=_("Other partners"),
            )
            if self.partnership is None and not self.is_bound:
                self.initial.setdefault("organisations", sorted(own_ids))
            self.fields["organisations"].help_text = _(
                "You propose on behalf of your own organisation. The municipality can add "
                "other partners."
            )
        else:
            local_ids = set(
                Organisation.objects.filter(
                    municipalities__in=permissions.coordinated_municipality_ids(self.user)
                ).values_list("pk", flat=True)
            )
            if not local_ids:
                first_label = _("Partners now")
            elif linked:
                first_label = _("Partners now, or working in your municipality")
            else:
                first_label = _("Working in your municipality")
            choices = _organisation_choices(
                queryset=Organisation.objects.all(),
                first_ids=local_ids | linked,
                first_label=first_label,
                others_label=_("Other organisations"),
            )
        self.fields["organisations"].choices = choices
        if self.role == "representative" and len(own_ids | linked) < 2:
            # One organisation leads by itself.
            self.fields.pop("lead_organisation", None)
        if "lead_organisation" in self.fields:
            if self.role == "representative":
                # A short list: searched in the page rather than through the API.
                self.fields["lead_organisation"].widget.endpoint = None
            self.fields["lead_organisation"].choices = [
                ("", _("(the first chosen, or your own)")),
                *choices,
            ]

    @staticmethod
    def initial_from(partnership) -> dict:
        initial = {name: getattr(partnership, name) for name in ATTRIBUTE_FIELDS}
        initial["municipalities"] = [
            link.municipality_id for link in partnership.municipality_links.all()
        ]
        organisation_links = list(partnership.organisation_links.all())
        initial["organisations"] = [link.organisation_id for link in organisation_links]
        initial["lead_organisation"] = next(
            (link.organisation_id for link in organisation_links if link.role == "lead"), ""
        )
        initial["fields_of_work"] = partnership.field_values
        initial["collaboration_forms"] = partnership.form_values
        return initial

    # Cleaned data in the shape the services take ----------------------------------------

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("organisations")
        lead = cleaned.get("lead_organisation")
        if chosen is not None and lead and lead not in chosen:
            self.add_error(
                "lead_organisation", _("Choose the lead partner among the organisations above.")
            )
        return cleaned

    def _organisation_roles(self) -> dict:
        chosen_ids = [int(pk) for pk in self.cleaned_data["organisations"]]
        organisations = Organisation.objects.in_bulk(chosen_ids)
        ordered = sorted(organisations.values(), key=lambda o: (o.name, o.pk))
        previous = {}
        if self.partnership is not None:
            previous = {
                link.organisation_id: link.role
                for link in self.partnership.organisation_links.all()
            }
        # Without a lead chosen (or kept), the services' one default rule makes the first
        # organisation the lead: the user's own come first, then the others by name.
        own = permissions.represented_organisation_ids(self.user)
        ordered.sort(key=lambda o: o.pk not in own)
        lead_id = self.cleaned_data.get("lead_organisation")
        lead_id = int(lead_id) if lead_id else None
        roles = {}
        for organisation in ordered:
            role = previous.get(organisation.pk, OrganisationRole.PARTNER)
            if lead_id is not None:
                if organisation.pk == lead_id:
                    role = OrganisationRole.LEAD
                elif role == OrganisationRole.LEAD:
                    role = OrganisationRole.PARTNER
            roles[organisation] = role
        return roles

    def service_data(self) -> dict:
        """The form's answers as ``partnership_create_as`` and ``partnership_update`` take
        them: only the fields the form has."""
        data = {name: self.cleaned_data[name] for name in ATTRIBUTE_FIELDS if name in self.fields}
        if "municipalities" in self.fields:
            ids = [int(pk) for pk in self.cleaned_data["municipalities"]]
            data["municipalities"] = list(Municipality.objects.filter(pk__in=ids))
        if "organisations" in self.fields:
            data["organisations"] = self._organisation_roles()
        if "fields_of_work" in self.fields:
            data["fields"] = self.cleaned_data["fields_of_work"]
        if "collaboration_forms" in self.fields:
            data["forms"] = self.cleaned_data["collaboration_forms"]
        return data

    def add_service_errors(self, error) -> None:
        """Put a service's ``ValidationError`` beside the fields it names."""
        for name, messages in error.message_dict.items():
            field = SERVICE_TO_FORM_FIELD.get(name, name)
            if field in self.fields:
                self.add_error(field, messages)
            elif name == NON_FIELD_ERRORS:
                self.add_error(None, messages)
            else:
                self.add_error(None, [f"{name}: {message}" for message in messages])

    # Sections of the page ---------------------------------------------------------------

    def section(self, *names):
        return [self[name] for name in names if name in self.fields]

    def about_fields(self):
        return self.section(
            "title",
            "description",
            "municipalities",
            "organisations",
            "lead_organisation",
            "fields_of_work",
            "collaboration_forms",
            "agreement",
        )

    def co_creation_fields(self):
        return self.section("initiator", "involvement_phase", "goals_control")

    def status_fields(self):
        return self.section("status", "start_date", "end_date")

    def outcome_fields(self):
        return self.section(*OUTCOME_FIELDS)

    def derived_type(self) -> dict | None:
        """The derived type for the answers as they stand (typed or saved)."""
        values = {}
        for name in ("goals_control", "involvement_phase"):
            if name not in self.fields:
                return None
            values[name] = self[name].value()
        return explain_derived_type(**values)


# --- workflow actions ------------------------------------------------------------------------

COMMENT_LABELS = {
    "decline": gettext_lazy("Why is the proposal declined?"),
    "request_changes": gettext_lazy("What should the organisation change?"),
    "discontinue": gettext_lazy("Why is the partnership discontinued?"),
}


class TransitionForm(forms.Form):
    """One workflow action's small form: a comment where the action needs one, and the start
    date when accepting a proposal that has none. Whether a comment is needed is the
    workflow's (``Transition.comment_required``); the workflow's error is shown here."""

    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    start_date = forms.DateField(
        label=gettext_lazy("Start date"),
        required=False,
        help_text=gettext_lazy("Today if left empty."),
    )

    def __init__(self, *args, transition, partnership, id_prefix="", **kwargs):
        kwargs.setdefault("auto_id", f"{id_prefix}{transition.action}-%s")
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.fields["start_date"].widget = _date_input()
        if not transition.comment_required:
            del self.fields["comment"]
        else:
            comment = self.fields["comment"]
            comment.label = COMMENT_LABELS.get(transition.action, _("Comment"))
            comment.help_text = _("Required. The other partners see this comment.")
            comment.widget.attrs.update({"required": True})
        if transition.action != "accept" or partnership.start_date is not None:
            del self.fields["start_date"]

    def add_service_errors(self, error) -> None:
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)
        if "comment" in self.errors:
            # The page is drawn again from the top; take the user to the box to fill in.
            self.fields["comment"].widget.attrs["autofocus"] = True

    def service_data(self) -> dict:
        names = ("comment", "start_date")
        return {name: self.cleaned_data[name] for name in names if name in self.fields}
