import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import MembershipRole
from accounts.permissions import (
    coordinated_municipality_ids,
    is_admin,
    represented_organisation_ids,
)
from registry.validators import validate_single_line_text


class User(AbstractUser):
    """The registry's user.

    Roles: a *registry administrator* is a superuser; an *analyst* (KS or ministry
    staff) reads everything that is not personal data and writes nothing; municipal
    coordinators and organisation representatives get their rights from memberships.
    """

    # AbstractUser's name fields, refusing control characters (registry.validators).
    first_name = models.CharField(
        _("first name"), max_length=150, blank=True, validators=[validate_single_line_text]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_single_line_text]
    )
    is_analyst = models.BooleanField(
        _("analyst"),
        default=False,
        help_text=_("KS or ministry analyst: reads every record and statistic, writes nothing."),
    )


def role_matches_place() -> Q:
    """A coordinator belongs to a municipality, a representative to an organisation: the
    rule both a membership and an invitation to one are held to."""
    return Q(
        role=MembershipRole.COORDINATOR, municipality__isnull=False, organisation__isnull=True
    ) | Q(role=MembershipRole.REPRESENTATIVE, organisation__isnull=False, municipality__isnull=True)


class MembershipQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view") -> "MembershipQuerySet":
        """The memberships ``user`` may see (``action`` ``"view"``, the only one: removal
        depends on the other members, see ``accounts.permissions.membership_removal_refusal``).

        All for administrators; for everyone else their own and those of the
        municipalities and organisations they coordinate or represent. Memberships name
        people, so analysts see only their own. ``accounts.permissions.can_view_membership``
        states the same rule for one membership.
        """
        if action != "view":
            raise ValueError(f"Unknown membership action: {action!r}")
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

    def visible_to(self, user) -> "MembershipQuerySet":
        return self.restrict(user, "view")


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
                condition=role_matches_place(),
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


def invitation_expiry():
    """When a new invitation stops working: ``INVITATION_EXPIRY_DAYS`` (default 7) from now."""
    return timezone.now() + timedelta(days=getattr(settings, "INVITATION_EXPIRY_DAYS", 7))


def hash_invitation_key(key: str) -> str:
    """The SHA-256 of an invitation key: only this is stored; the key itself is in the link."""
    return hashlib.sha256(key.encode()).hexdigest()


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class InvitationQuerySet(models.QuerySet):
    def open(self) -> "InvitationQuerySet":
        """Neither accepted nor revoked (an open one may still have expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def pending(self) -> "InvitationQuerySet":
        """Open and not expired: the link works."""
        return self.open().filter(expires_at__gt=timezone.now())

    def with_status(self, status: str) -> "InvitationQuerySet":
        now = timezone.now()
        if status == InvitationStatus.PENDING:
            return self.pending()
        if status == InvitationStatus.ACCEPTED:
            return self.filter(accepted_at__isnull=False)
        if status == InvitationStatus.REVOKED:
            return self.filter(accepted_at__isnull=True, revoked_at__isnull=False)
        if status == InvitationStatus.EXPIRED:
            return self.open().filter(expires_at__lte=now)
        return self.none()

    def restrict(self, user, action: str = "view") -> "InvitationQuerySet":
        """The invitations ``user`` manages (``action`` ``"view"`` or ``"delete"``, i.e.
        revoke: the same people): all for administrators; for coordinators and
        representatives those of their municipalities and organisations.
        ``accounts.permissions.can_manage_invitation`` states it for one invitation."""
        if action not in ("view", "delete"):
            raise ValueError(f"Unknown invitation action: {action!r}")
        if is_admin(user):
            return self.all()
        condition = Q()
        if municipality_ids := coordinated_municipality_ids(user):
            condition |= Q(municipality_id__in=municipality_ids)
        if organisation_ids := represented_organisation_ids(user):
            condition |= Q(organisation_id__in=organisation_ids)
        return self.filter(condition) if condition else self.none()

    def visible_to(self, user) -> "InvitationQuerySet":
        return self.restrict(user, "view")


class Invitation(models.Model):
    """An offer of a role, sent to an e-mail address: it becomes a ``Membership`` only when
    the owner of that address accepts it through the link (``accounts.services``).

    Nothing is attached to any account before that. The link's key is stored only as its
    SHA-256 (``key_hash``); it is made when the e-mail is sent (``accounts.tasks``).
    """

    email = models.EmailField(_("e-mail address"), help_text=_("Stored in lower case."))
    role = models.CharField(_("role"), max_length=16, choices=MembershipRole.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("municipality"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), default=invitation_expiry)
    key_hash = models.CharField(
        _("key (SHA-256)"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    sent_at = models.DateTimeField(_("e-mail sent"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=role_matches_place(),
                name="invitation_target_matches_role",
                violation_error_message=_(
                    "A coordinator needs a municipality and a representative an organisation."
                ),
            ),
            models.CheckConstraint(
                condition=Q(email=Lower("email")),
                name="invitation_email_lower_case",
            ),
            models.UniqueConstraint(
                fields=["email", "municipality"],
                condition=Q(
                    municipality__isnull=False, accepted_at__isnull=True, revoked_at__isnull=True
                ),
                name="invitation_one_open_per_municipality",
            ),
            models.UniqueConstraint(
                fields=["email", "organisation"],
                condition=Q(
                    organisation__isnull=False, accepted_at__isnull=True, revoked_at__isnull=True
                ),
                name="invitation_one_open_per_organisation",
            ),
        ]
        indexes = [models.Index(fields=["invited_by", "created_at"])]

    def __str__(self) -> str:
        return f"{self.email} – {self.get_role_display()}: {self.place}"

    @property
    def place(self):
        """The municipality or the organisation the invitation is to."""
        return self.municipality or self.organisation

    @property
    def status(self) -> str:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def is_pending(self) -> bool:
        return self.status == InvitationStatus.PENDING

    def get_status_display(self) -> str:
        return str(InvitationStatus(self.status).label)

    def new_key(self) -> str:
        """Make a new secret key, keep its hash and return the key (for the link only)."""
        key = secrets.token_urlsafe(32)
        self.key_hash = hash_invitation_key(key)
        return key
