from django.db import models
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    """The countries the registry covers, by ISO 3166-1 alpha-2 code (the API's values)."""

    NORWAY = "NO", _("Norway")
    DENMARK = "DK", _("Denmark")
    SWEDEN = "SE", _("Sweden")
