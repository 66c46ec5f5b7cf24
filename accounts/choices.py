from django.db import models
from django.utils.translation import gettext_lazy as _


class MembershipRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Volunteer coordinator of a municipality")
    REPRESENTATIVE = "representative", _("Representative of an organisation")
