from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipalities.choices import Country
from organisations.choices import MAX_CATEGORIES, IcnpoCategory, OrganisationKind, OrganisationLevel
from organisations.identifiers import normalise_org_number, org_id
from registry.validators import validate_multi_line_text, validate_single_line_text


def home_country_first(country: str) -> Case:
    """0 for an organisation in ``country``, 1 for the others: ordered by it, the list opens
    on the user's own country. The list pages order by exactly this expression, and each
    country has an index on it (``Organisation.Meta.indexes``), which PostgreSQL uses only
    when the query's expression is the same as the index's: change both or neither."""
    return Case(When(country=country, then=Value(0)), default=Value(1))


class OrganisationQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "OrganisationQuerySet":
        """The organisations on which ``user`` may take ``action`` (``view``, ``contact``,
        ``change``, ``verify``, ``history``): the rules of ``organisations/permissions.py``."""
        from organisations.permissions import restriction  # the rules import this module

        return self.filter(restriction(user, action))

    def visible_to(self, user) -> "OrganisationQuerySet":
        return self.restrict(user, "view")


class Organisation(models.Model):
    """A voluntary organisation, volunteer centre, non-profit, social enterprise or group."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line_text])
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    org_number = models.CharField(
        _("organisation number"),
        max_length=20,
        blank=True,
        validators=[validate_single_line_text],
        help_text=_(
            "Norwegian organisation number, Danish CVR or Swedish organisation number. "
            "Only an informal group may have none."
        ),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    level = models.CharField(
        _("level"),
        max_length=16,
        choices=OrganisationLevel.choices,
        default=OrganisationLevel.LOCAL,
    )
    municipalities = models.ManyToManyField(
        "municipalities.Municipality",
        related_name="organisations",
        blank=True,
        verbose_name=_("municipalities where it operates"),
    )
    description = models.TextField(
        _("description"), blank=True, validators=[validate_multi_line_text]
    )
    website = models.URLField(_("website"), blank=True, validators=[validate_single_line_text])
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_single_line_text]
    )
    contact_person = models.CharField(
        _("contact person"), max_length=200, blank=True, validators=[validate_single_line_text]
    )
    address = models.CharField(
        _("postal address"), max_length=300, blank=True, validators=[validate_single_line_text]
    )
    verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    # Why it waits for verification: since when, and the verified values that changed since
    # (empty for a new registration). Kept by organisations.services.
    verification_requested_at = models.DateTimeField(
        _("verification requested"), null=True, blank=True
    )
    verification_changes = models.JSONField(
        _("changed since verification"),
        default=dict,
        blank=True,
        help_text=_("The verified name, country or number that changed, by field."),
    )
    verification_notified_at = models.DateTimeField(
        _("coordinators notified"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    # Change reasons carry workflow comments and link summaries: no length limit.
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "verification_requested_at",
            "verification_changes",
            "verification_notified_at",
        ],
        history_change_reason_field=models.TextField(null=True),
    )
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "org_number"],
                condition=~Q(org_number=""),
                name="organisation_unique_org_number",
            ),
            models.CheckConstraint(
                condition=Q(kind=OrganisationKind.INFORMAL_GROUP) | ~Q(org_number=""),
                name="organisation_number_required_unless_informal",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "kind"], name="organisation_country_kind"),
            models.Index(
                fields=["verification_requested_at", "id"],
                condition=Q(verified=False),
                name="organisation_unverified",
            ),
            # The API's orderings and the list page's, the id breaking ties
            # (registry.keyset): a page at any depth is one index range, no sort.
            models.Index(fields=["name", "id"], name="organisation_name_id"),
            models.Index(fields=["created_at", "id"], name="organisation_created_id"),
            # The list page's default order, one country's organisations first
            # (organisations.selectors.organisation_list): the first page is read from
            # the start of one index, not sorted from every row.
            *(
                models.Index(
                    home_country_first(country),
                    "country",
                    "name",
                    "id",
                    name=f"organisation_home_{country.lower()}",
                )
                for country in Country.values
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def org_id(self) -> str:
        """The org-id.guide identifier, e.g. ``NO-BRC-974760673``."""
        return org_id(self.country, self.org_number)

    def clean(self) -> None:
        super().clean()
        if self.org_number:
            try:
                self.org_number = normalise_org_number(self.country, self.org_number)
            except ValidationError as error:
                raise ValidationError({"org_number": error}) from None
        elif self.kind and self.kind != OrganisationKind.INFORMAL_GROUP:
            raise ValidationError(
                {
                    "org_number": _(
                        "An organisation number is required unless this is an informal group."
                    )
                }
            )


class OrganisationCategory(models.Model):
    """One of up to three ranked ICNPO categories of an organisation (rank 1 is the main one)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="categories"
    )
    category = models.CharField(_("ICNPO category"), max_length=4, choices=IcnpoCategory.choices)
    rank = models.PositiveSmallIntegerField(_("rank"))

    class Meta:
        verbose_name = _("ICNPO category")
        verbose_name_plural = _("ICNPO categories")
        ordering = ["organisation", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "rank"], name="category_unique_rank"),
            models.UniqueConstraint(
                fields=["organisation", "category"], name="category_unique_per_organisation"
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1, rank__lte=MAX_CATEGORIES), name="category_rank_range"
            ),
        ]
        indexes = [models.Index(fields=["category", "rank"], name="category_category_rank")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.get_category_display()}"
