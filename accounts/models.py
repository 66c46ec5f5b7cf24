from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import MembershipRole
from accounts.permissions import (
    coordinated_municipality_ids,
    is_admin,
    represented_organisation_ids,
)


class User(AbstractUser):
    """The registry's user.

    Roles: a *registry administrator* is a superuser; an *analyst* (KS or ministry
    staff) reads everything that is not personal data and writes nothing; municipal
    coordinators and organisation representatives get their rights from memberships.
    """

    is_analyst = models.BooleanField(
        _("analyst"),
        default=False,
        help_text=_("KS or ministry analyst: reads every record and statistic, writes nothing."),
    )


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user) -> "MembershipQuerySet":
        """The memberships ``user`` may see: all for administrators; for everyone else
        their own and those of the municipalities and organisations they coordinate or
        represent. Memberships name people, so analysts see only their own."""
        if is_admin(user):
            return self.all()
        if not (user and user.is_authenticated):
            return self.none()
        condition = Q(user=user)
        if municipality_ids := coordinated_municipality_ids(user):
            condition |= Q(municipality_id__in=municipality_ids)
        if organisation_ids := represented_organisation_ids(user):
            condition |= Q(organisation_id__in=organisation_ids)
        return self.filter(condition)


class Membership(models.Model):
    """Makes a user the coordinator of a municipality or a representative of an organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    invitation_sent_at = models.DateTimeField(
        _("invitation sent"),
        null=True,
        blank=True,
        help_text=_("When the e-mail inviting a new user to set a password was sent."),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role=MembershipRole.COORDINATOR,
                        municipality__isnull=False,
                        organisation__isnull=True,
                    )
                    | Q(
                        role=MembershipRole.REPRESENTATIVE,
                        organisation__isnull=False,
                        municipality__isnull=True,
                    )
                ),
                name="membership_target_matches_role",
                violation_error_message=_(
                    "A coordinator needs a municipality and a representative an organisation."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "municipality"],
                condition=Q(municipality__isnull=False),
                name="membership_unique_municipality",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="membership_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}: {self.municipality or self.organisation}"
