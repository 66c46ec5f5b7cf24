"""Forms of the municipality profile page.

They check the shape of the input only (like the API's ``MunicipalityProfileSerializer``);
the rules of the profile live in ``municipalities.services.municipality_update_profile``,
whose errors the view puts back beside the fields.

A centre may link the organisation record it has in the registry. Organisations are an
app above this one, so the forms do not name them: the page that composes the form
(``registry.municipality_pages``) gives the organisations to choose from.
"""

from django import forms
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from registry.widgets import ComboboxSelect

#: Empty rows offered below the existing centres, so that centres can be added without
#: JavaScript (with it, a button adds more).
EXTRA_CENTRE_ROWS = 3


class MunicipalityProfileForm(forms.Form):
    volunteer_policy_adopted = forms.BooleanField(
        label=_("The municipality has adopted a volunteer policy"), required=False
    )
    volunteer_policy_year = forms.IntegerField(
        label=_("Year the volunteer policy was adopted"),
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("Four digits, for example 2017."),
    )
    volunteer_policy_url = forms.URLField(
        label=_("Link to the volunteer policy"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("The web address where the policy document can be read."),
    )
    population = forms.IntegerField(label=_("Population"), required=False, min_value=0)

    @classmethod
    def initial_for(cls, municipality: Municipality) -> dict:
        return {name: getattr(municipality, name) for name in cls.base_fields}


class VolunteerCentreForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    organisation = forms.ModelChoiceField(
        label=_("Its record in the registry"),
        queryset=None,  # the ``organisations`` given to the form
        required=False,
        empty_label=_("(none)"),
        # The municipality's own organisations: a short list, searched in the page.
        widget=ComboboxSelect(),
    )

    def __init__(self, *args, organisations: QuerySet, organisation_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisation_choices is not None:
            # Read once by the formset, instead of once per row.
            self.fields["organisation"].choices = organisation_choices


class BaseVolunteerCentreFormSet(forms.BaseFormSet):
    """The municipality's volunteer centres: one row per centre, a few empty rows to add
    more, and a "Remove" box on each row."""

    def __init__(self, *args, organisations: QuerySet, **kwargs):
        """``organisations``: those a centre may link (the composing page's choice)."""
        self.organisations = organisations
        super().__init__(*args, **kwargs)

    @cached_property
    def organisation_choices(self) -> list:
        empty_label = VolunteerCentreForm.base_fields["organisation"].empty_label
        field = forms.ModelChoiceField(queryset=self.organisations, empty_label=empty_label)
        return list(field.choices)

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "organisations": self.organisations,
            "organisation_choices": self.organisation_choices,
        }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this centre")

    def centres(self) -> list[dict]:
        """The centres to keep, in the shape the service takes (call after ``is_valid``)."""
        return [
            {
                "name": data["name"],
                "website": data.get("website", ""),
                "organisation": data.get("organisation"),
            }
            for data in self.cleaned_data
            if data and data.get("name") and not data.get("DELETE")
        ]

    def add_non_form_errors(self, messages) -> None:
        """Show errors of the whole list (from the service) above the rows."""
        self.non_form_errors().extend(messages)


VolunteerCentreFormSet = forms.formset_factory(
    VolunteerCentreForm,
    formset=BaseVolunteerCentreFormSet,
    extra=EXTRA_CENTRE_ROWS,
    can_delete=True,
    can_delete_extra=False,
    max_num=200,
)
