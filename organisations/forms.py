"""The organisation form of the web pages: registration (with or without a new account) and
profile editing. It checks only the shape of the input; the rules (organisation number,
duplicates, categories) are ``organisations.services``', whose errors the views put back
beside the fields."""

from itertools import groupby

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.permissions import coordinated_municipality_ids, represented_organisation_ids
from municipalities.choices import Country
from municipalities.models import Municipality
from organisations.choices import MAX_CATEGORIES, IcnpoCategory
from organisations.identifiers import normalise_org_number, org_id
from organisations.models import Organisation
from organisations.services import EDITABLE_FIELDS
from registry.widgets import MUNICIPALITY_SEARCH, ComboboxSelectMultiple

#: Where the organisation number is checked as it is typed (an htmx fragment).
NUMBER_CHECK_ID = "org-number-check"
CATEGORY_FIELDS = tuple(f"category_{rank}" for rank in range(1, MAX_CATEGORIES + 1))
#: The service's field names that the form calls differently.
SERVICE_TO_FORM_FIELD = {"categories": "category_1"}


VALID_NUMBER_MESSAGES = {
    Country.NORWAY: _("Valid Norwegian organisation number: %(org_id)s"),
    Country.DENMARK: _("Valid Danish CVR number: %(org_id)s"),
    Country.SWEDEN: _("Valid Swedish organisation number: %(org_id)s"),
}


def check_org_number(country: str, value: str, *, exclude: int | None = None) -> dict:
    """What the form says beside the organisation number as it is typed: ``state`` "ok"
    (with the org-id), "error" (``organisations.identifiers``' message), "taken" (the
    ``existing`` organisation) or "" for nothing typed. The service checks again on save."""
    value = (value or "").strip()
    if not value:
        return {"state": "", "message": "", "existing": None}
    if country not in Country.values:
        return {"state": "error", "message": _("Choose the country first."), "existing": None}
    try:
        number = normalise_org_number(country, value)
    except ValidationError as error:
        return {"state": "error", "message": error.messages[0], "existing": None}
    existing = Organisation.objects.filter(country=country, org_number=number)
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    if found := existing.only("pk", "name").first():
        return {"state": "taken", "message": "", "existing": found}
    message = VALID_NUMBER_MESSAGES[Country(country)] % {"org_id": org_id(country, number)}
    return {"state": "ok", "message": message, "existing": None}


def _model_field(name: str, **kwargs):
    """The form field Django makes of the model field: its label, choices and length."""
    return Organisation._meta.get_field(name).formfield(**kwargs)


CATEGORY_LABELS = (_("Main category"), _("Second category"), _("Third category"))


def _category_field(rank: int) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=CATEGORY_LABELS[rank - 1],
        choices=[("", _("(none)")), *IcnpoCategory.choices],
        required=False,
    )


def municipality_choices(extra_ids=()) -> list:
    """Current municipalities grouped by county (Norway, then Denmark, then Sweden);
    ``extra_ids`` keeps municipalities merged away that an organisation is linked to."""
    countries = list(Country.values)
    municipalities = sorted(
        Municipality.objects.filter(Q(is_current=True) | Q(pk__in=list(extra_ids)))
        .select_related("county")
        .only("pk", "name", "country", "county__name", "county__short_name"),
        key=lambda m: (countries.index(m.country), str(m.county), m.name),
    )
    return [
        (f"{county} ({country_label})", [(m.pk, m.name) for m in members])
        for (country_label, county), members in groupby(
            municipalities, key=lambda m: (m.get_country_display(), m.county)
        )
    ]


def default_country(user) -> str:
    """The country a new organisation most likely is in: that of a municipality the user
    coordinates, else of an organisation they represent, else Norway."""
    if user is not None and user.is_authenticated:
        for queryset in (
            Municipality.objects.filter(pk__in=coordinated_municipality_ids(user)),
            Organisation.objects.filter(pk__in=represented_organisation_ids(user)),
        ):
            country = queryset.order_by("pk").values_list("country", flat=True).first()
            if country:
                return country
    return Country.NORWAY


class OrganisationForm(forms.Form):
    name = _model_field("name")
    country = _model_field("country")
    org_number = _model_field(
        "org_number",
        help_text=_(
            "Norwegian organisation number (9 digits), Danish CVR number (8 digits) or "
            "Swedish organisation number (10 digits); spaces and dashes are fine. An informal "
            "group of volunteers without a number leaves this empty."
        ),
        template_name="organisations/org_number_field.html",
    )
    kind = _model_field("kind")
    level = _model_field("level")
    municipalities = forms.TypedMultipleChoiceField(
        label=_("Municipalities where it operates"),
        coerce=int,
        required=False,
        help_text=_(
            "Type the first letters of a municipality's name and choose it from the list; "
            "choose every municipality where it works."
        ),
        widget=ComboboxSelectMultiple(attrs={"size": 8}, endpoint=MUNICIPALITY_SEARCH),
    )
    category_1 = _category_field(1)
    category_2 = _category_field(2)
    category_3 = _category_field(3)
    description = _model_field("description", widget=forms.Textarea(attrs={"rows": 5}))
    website = _model_field(
        "website", assume_scheme="https", help_text=_("For example https://www.example.no/")
    )
    email = _model_field("email")
    phone = _model_field("phone")
    contact_person = _model_field("contact_person")
    address = _model_field("address")

    def __init__(self, *args, organisation: Organisation | None = None, user=None, **kwargs):
        if organisation is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(organisation)
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # Every organisation has a country: the list starts at the user's own (a new
        # registration) or the organisation's, never at an empty "---------".
        self.fields["country"].choices = Country.choices
        if organisation is None:
            self.fields["country"].initial = default_country(user)
        linked = kwargs.get("initial", {}).get("municipalities", ())
        self.fields["municipalities"].choices = municipality_choices(extra_ids=linked)
        # The organisation number is checked as it is typed, and again when the country
        # changes (htmx; the answer lands in an aria-live region beside the field).
        check = {
            "hx-get": reverse_lazy("organisation-check-number"),
            "hx-target": f"#{NUMBER_CHECK_ID}",
            "hx-swap": "innerHTML",
        }
        if organisation is not None:
            check["hx-vals"] = f'{{"exclude": "{organisation.pk}"}}'
        self.fields["org_number"].widget.attrs.update(
            check,
            **{
                "hx-trigger": "keyup changed delay:500ms, change",
                "hx-include": "[name='country']",
                "autocomplete": "off",
                "inputmode": "numeric",
            },
        )
        self.fields["country"].widget.attrs.update(
            check, **{"hx-trigger": "change", "hx-include": "[name='org_number']"}
        )
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["website"].widget.attrs["autocomplete"] = "url"

    @staticmethod
    def initial_for(organisation: Organisation) -> dict:
        initial = {name: getattr(organisation, name) for name in EDITABLE_FIELDS}
        initial["municipalities"] = [m.pk for m in organisation.municipalities.all()]
        ranked = sorted(organisation.categories.all(), key=lambda link: link.rank)
        for field_name, link in zip(CATEGORY_FIELDS, ranked, strict=False):
            initial[field_name] = link.category
        return initial

    @property
    def number_check(self) -> dict | None:
        """After a submit, the check of the number as typed, shown beside the field unless
        the field has its own error (the service may not have run: another part of the page
        was wrong)."""
        if not self.is_bound or self["org_number"].errors:
            return None
        return check_org_number(
            self.data.get("country", ""),
            self.data.get("org_number", ""),
            exclude=self.organisation.pk if self.organisation else None,
        )

    @property
    def category_fields(self):
        return [self[name] for name in CATEGORY_FIELDS]

    @property
    def contact_fields(self):
        return [self[name] for name in ("contact_person", "email", "phone", "address")]

    def service_data(self) -> dict:
        """The cleaned input as ``organisation_create``/``organisation_update`` take it."""
        data = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        data["categories"] = [
            self.cleaned_data[name] for name in CATEGORY_FIELDS if self.cleaned_data.get(name)
        ]
        data["municipalities"] = self.cleaned_data["municipalities"]
        return data

    def add_service_errors(self, error) -> None:
        """Put a service's ``ValidationError`` beside the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = SERVICE_TO_FORM_FIELD.get(name, name)
            self.add_error(field if field in self.fields else None, messages)
