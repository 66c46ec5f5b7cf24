from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    VOLUNTEER_CENTRE = "volunteer_centre", _("Volunteer centre")
    NON_PROFIT = "non_profit", _("Idea-based non-profit")
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social-economic enterprise")
    INFORMAL_GROUP = "informal_group", _("Informal group of volunteers")
    NATIONAL_ORGANISATION = "national_organisation", _("Regional or national organisation")


class OrganisationLevel(models.TextChoices):
    LOCAL = "local", _("Local")
    REGIONAL = "regional", _("Regional")
    NATIONAL = "national", _("National")


class IcnpoCategory(models.TextChoices):
    """The 12 top-level groups of the International Classification of Non-Profit
    Organisations, as Frivillighetsregisteret (the Norwegian register of voluntary
    organisations) uses them. The value is the ICNPO group number."""

    CULTURE_RECREATION = "1", _("Culture and recreation")
    EDUCATION_RESEARCH = "2", _("Education and research")
    HEALTH = "3", _("Health")
    SOCIAL_SERVICES = "4", _("Social services")
    ENVIRONMENT = "5", _("Environment and animal protection")
    DEVELOPMENT_HOUSING = "6", _("Development and housing")
    LAW_ADVOCACY_POLITICS = "7", _("Law, advocacy and politics")
    PHILANTHROPY = "8", _("Philanthropic intermediaries and voluntarism promotion")
    INTERNATIONAL = "9", _("International activities")
    RELIGION = "10", _("Religion")
    PROFESSIONAL_UNIONS = "11", _("Business and professional associations, unions")
    OTHER = "12", _("Not elsewhere classified")


MAX_CATEGORIES = 3
