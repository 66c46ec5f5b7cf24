from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities.choices import Country
from registry.validators import validate_single_line_text


class County(models.Model):
    """A county (Norwegian *fylke*), region (Denmark) or *län* (Sweden)."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    code = models.CharField(_("code"), max_length=8, help_text=_("The official code."))
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    is_current = models.BooleanField(
        _("in the current division"),
        default=True,
        help_text=_("False for a county that no longer exists after a reform."),
    )

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["country", "code"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="county_unique_code"),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class MunicipalityQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "MunicipalityQuerySet":
        """The municipalities on which ``user`` may take ``action`` (``view``, ``change``):
        the rules of ``municipalities/permissions.py``."""
        from municipalities.permissions import restriction  # the rules import this module

        return self.filter(restriction(user, action))

    def visible_to(self, user) -> "MunicipalityQuerySet":
        return self.restrict(user, "view")


class Municipality(models.Model):
    """A municipality (*kommune*, *kommun*) with its volunteer-policy profile."""

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    code = models.CharField(_("code"), max_length=8, help_text=_("The official code."))
    name = models.CharField(_("name"), max_length=120)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )
    org_number = models.CharField(
        _("organisation number"),
        max_length=20,
        blank=True,
        help_text=_("The municipality's own organisation number, where known."),
    )
    is_current = models.BooleanField(
        _("in the current division"),
        default=True,
        help_text=_("False for a municipality merged away or split; its partnerships are kept."),
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    volunteer_policy_adopted = models.BooleanField(_("volunteer policy adopted"), default=False)
    volunteer_policy_year = models.PositiveSmallIntegerField(
        _("year the volunteer policy was adopted"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
    )
    volunteer_policy_url = models.URLField(
        _("link to the volunteer policy"), blank=True, validators=[validate_single_line_text]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "code"], name="municipality_unique_code"),
            models.CheckConstraint(
                condition=Q(volunteer_policy_year__isnull=True)
                | Q(volunteer_policy_year__gte=1990, volunteer_policy_year__lte=2100),
                name="municipality_policy_year_range",
            ),
            models.CheckConstraint(
                condition=Q(volunteer_policy_adopted=True) | Q(volunteer_policy_year__isnull=True),
                name="municipality_policy_year_needs_policy",
            ),
        ]
        indexes = [models.Index(fields=["country", "county"], name="municipality_country_county")]

    def __str__(self) -> str:
        return self.name


class VolunteerCentre(models.Model):
    """A volunteer centre (*frivilligsentral*, *frivilligcenter*) a municipality runs or hosts."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="volunteer_centres",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line_text])
    website = models.URLField(_("website"), blank=True, validators=[validate_single_line_text])
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_centres",
        verbose_name=_("registered organisation"),
        help_text=_("The centre's own record in the registry, if it has one."),
    )

    class Meta:
        verbose_name = _("volunteer centre")
        verbose_name_plural = _("volunteer centres")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="volunteer_centre_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name
