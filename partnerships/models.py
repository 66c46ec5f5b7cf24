from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships.choices import (
    ESTABLISHED_STATUSES,
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
    LinkState,
    OrganisationRole,
    PromotingFactor,
    Status,
)
from partnerships.rules import derive_co_creation_type, derived_type_consistency
from registry.validators import validate_multi_line_text, validate_single_line_text


def listed_link_q(prefix: str = "") -> Q:
    """The links under which a partnership is listed for its municipality or organisation.

    A confirmed link; or a link still awaiting confirmation on a proposal (the municipality
    a proposal is addressed to, while only the partners see the proposal). An established
    partnership is listed, counted and shown for a party only once its link is confirmed;
    a declined link never. ``prefix`` reaches the link from the queried model
    (e.g. ``"municipality_links__"``).
    """
    return Q(**{f"{prefix}state": LinkState.CONFIRMED}) | Q(
        **{
            f"{prefix}state": LinkState.PENDING,
            f"{prefix}partnership__status__in": PROPOSAL_STATUSES,
        }
    )


def is_listed(partnership: "Partnership", link) -> bool:
    """``listed_link_q`` for one link of ``partnership`` (no query)."""
    return link.state == LinkState.CONFIRMED or (
        link.state == LinkState.PENDING and partnership.status in PROPOSAL_STATUSES
    )


def confirmed_link_q(prefix: str = "") -> Q:
    """Links the party agreed to: the statistics count only these."""
    return Q(**{f"{prefix}state": LinkState.CONFIRMED})


class PartnershipQuerySet(models.QuerySet):
    def established(self) -> "PartnershipQuerySet":
        return self.filter(status__in=ESTABLISHED_STATUSES)

    def restrict(self, user, action: str = "view") -> "PartnershipQuerySet":
        """The partnerships on which ``user`` may take ``action`` (one of
        ``partnerships.permissions.ACTIONS``: view, personal_data, history, change, review
        and the workflow's actions); every list, API and page goes through this.

        The conditions are the partnerships app's rules (``partnerships/permissions.py``),
        scoped with id subqueries on the link tables, which stay fast at a million rows.
        """
        from partnerships.permissions import restriction  # the rules import this module

        return self.filter(restriction(user, action))

    def visible_to(self, user) -> "PartnershipQuerySet":
        """``restrict(user, "view")``."""
        return self.restrict(user, "view")


class Partnership(models.Model):
    """A collaboration between one or more municipalities and voluntary actors."""

    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line_text])
    description = models.TextField(
        _("description"), blank=True, validators=[validate_multi_line_text]
    )
    municipalities = models.ManyToManyField(
        "municipalities.Municipality",
        through="PartnershipMunicipality",
        related_name="partnerships",
        verbose_name=_("municipalities"),
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        through="PartnershipOrganisation",
        related_name="partnerships",
        verbose_name=_("organisations"),
    )
    co_creation_type = models.CharField(
        _("declared co-creation type"),
        max_length=20,
        choices=CoCreationType.choices,
        help_text=_("The form of co-creation the partners say the collaboration is."),
    )
    derived_co_creation_type = models.CharField(
        _("derived co-creation type"),
        max_length=20,
        choices=CoCreationType.choices,
        editable=False,
        help_text=_(
            "Computed from who controls goals and content and when the voluntary actors "
            "were first involved."
        ),
    )
    initiator = models.CharField(_("initiative taken by"), max_length=20, choices=Initiator.choices)
    involvement_phase = models.CharField(
        _("voluntary actors first involved in"), max_length=20, choices=InvolvementPhase.choices
    )
    goals_control = models.CharField(
        _("goals and content controlled by"), max_length=20, choices=GoalsControl.choices
    )
    agreement = models.CharField(
        _("agreement"), max_length=24, choices=Agreement.choices, default=Agreement.NONE
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    municipal_contribution = models.DecimalField(
        _("municipal contribution"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The municipality's contribution in money, per year or in total."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.NOK
    )
    volunteer_hours = models.PositiveIntegerField(_("volunteer hours"), null=True, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    promoting_factors = models.JSONField(
        _("what helped"),
        default=list,
        blank=True,
        help_text=_("Values from the promoting factors."),
    )
    hindering_factors = models.JSONField(
        _("what hindered"),
        default=list,
        blank=True,
        help_text=_("Values from the hindering factors."),
    )
    outcomes = models.TextField(_("outcomes"), blank=True, validators=[validate_multi_line_text])
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
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
        excluded_fields=["updated_at"], history_change_reason_field=models.TextField(null=True)
    )
    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="partnership_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(municipal_contribution__isnull=True) | Q(municipal_contribution__gte=0),
                name="partnership_contribution_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PROPOSAL_STATUSES) | Q(start_date__isnull=False),
                name="partnership_established_has_start_date",
            ),
            models.CheckConstraint(
                condition=derived_type_consistency(), name="partnership_derived_type_follows_rule"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "start_date"], name="partnership_status_start"),
            models.Index(fields=["co_creation_type"], name="partnership_declared_type"),
            models.Index(fields=["derived_co_creation_type"], name="partnership_derived_type"),
            models.Index(fields=["initiator"], name="partnership_initiator"),
            models.Index(fields=["agreement"], name="partnership_agreement"),
            # One per ordering the API and the list page offer, the id breaking ties
            # (registry.keyset): a page at any depth is one index range, no sort. The
            # first also serves every start-date range (the statistics' years). Newest
            # first with undated rows last, and the search's trigram indexes, are
            # PostgreSQL's only: migration 0005.
            models.Index(fields=["start_date", "id"], name="partnership_start_id"),
            models.Index(fields=["title", "id"], name="partnership_title_id"),
            models.Index(fields=["created_at", "id"], name="partnership_created_id"),
            models.Index(fields=["status", "id"], name="partnership_status_id"),
            models.Index(fields=["co_creation_type", "id"], name="partnership_declared_id"),
            models.Index(fields=["derived_co_creation_type", "id"], name="partnership_derived_id"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.refresh_derived_type()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"goals_control", "involvement_phase"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "derived_co_creation_type"}
        super().save(*args, **kwargs)

    def refresh_derived_type(self) -> None:
        self.derived_co_creation_type = derive_co_creation_type(
            goals_control=self.goals_control, involvement_phase=self.involvement_phase
        )

    def clean(self) -> None:
        super().clean()
        if (
            self.goals_control in GoalsControl.values
            and self.involvement_phase in InvolvementPhase.values
        ):
            self.refresh_derived_type()
        errors: dict[str, str] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.status not in PROPOSAL_STATUSES and not self.start_date:
            errors["start_date"] = _("An established partnership needs a start date.")
        for name, choices in (
            ("promoting_factors", PromotingFactor),
            ("hindering_factors", HinderingFactor),
        ):
            values = getattr(self, name) or []
            unknown = [v for v in values if v not in choices.values]
            if not isinstance(values, list) or unknown:
                errors[name] = _("Unknown values: %(values)s. Choose from: %(choices)s.") % {
                    "values": ", ".join(map(str, unknown)) or values,
                    "choices": ", ".join(choices.values),
                }
        if errors:
            raise ValidationError(errors)

    @property
    def field_values(self) -> list[str]:
        return [tag.field for tag in self.field_tags.all()]

    @property
    def form_values(self) -> list[str]:
        return [tag.form for tag in self.form_tags.all()]


class LinkConsent(models.Model):
    """Whether the linked party agreed: who asked, who answered and when.

    Rows default to confirmed (bulk inserts, the CSV import, links made by the party
    itself); ``partnerships.services.initial_link_state`` is the one rule for new links.
    """

    state = models.CharField(
        _("state"), max_length=12, choices=LinkState.choices, default=LinkState.CONFIRMED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_confirmed(self) -> bool:
        return self.state == LinkState.CONFIRMED

    @property
    def is_pending(self) -> bool:
        return self.state == LinkState.PENDING


class PartnershipMunicipality(LinkConsent):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="municipality_links"
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality", on_delete=models.PROTECT, related_name="partnership_links"
    )

    class Meta:
        verbose_name = _("participating municipality")
        verbose_name_plural = _("participating municipalities")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "municipality"], name="partnership_municipality_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.municipality)


class PartnershipOrganisation(LinkConsent):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="organisation_links"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="partnership_links"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=OrganisationRole.choices, default=OrganisationRole.PARTNER
    )
    vouched = models.BooleanField(
        _("vouched for"),
        default=False,
        help_text=_(
            "Linked without its confirmation because the organisation had no "
            "representatives; a representative can dispute it."
        ),
    )

    class Meta:
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "organisation"], name="partnership_organisation_unique"
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(role=OrganisationRole.LEAD),
                name="partnership_one_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class PartnershipField(models.Model):
    """A field (culture, sport, ...) a partnership works in; a partnership may have several."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="field_tags"
    )
    field = models.CharField(_("field"), max_length=20, choices=Field.choices)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "field"], name="partnership_field_unique"
            ),
        ]
        indexes = [models.Index(fields=["field", "partnership"], name="partnership_field_by_field")]

    def __str__(self) -> str:
        return self.get_field_display()


class PartnershipForm(models.Model):
    """A form of collaboration (premises, grant, dialogue, ...) a partnership takes."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="form_tags")
    form = models.CharField(
        _("form of collaboration"), max_length=20, choices=CollaborationForm.choices
    )

    class Meta:
        verbose_name = _("form of collaboration")
        verbose_name_plural = _("forms of collaboration")
        constraints = [
            models.UniqueConstraint(fields=["partnership", "form"], name="partnership_form_unique"),
        ]
        indexes = [models.Index(fields=["form", "partnership"], name="partnership_form_by_form")]

    def __str__(self) -> str:
        return self.get_form_display()


class PartnershipEvent(models.Model):
    """One workflow step (submit, accept, decline, ...): who, when, with what comment.

    A link's consent is recorded here too (``link_requested``, ``link_confirmed``,
    ``link_declined``), naming the municipality or organisation of the link.

    ``notified_at`` is set once the e-mails for the event have gone out, so a
    retried or duplicated task never sends them twice.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from status"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("to status"), max_length=20, choices=Status.choices)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    comment = models.TextField(_("comment"), blank=True, validators=[validate_multi_line_text])
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")
        ordering = ["partnership", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.action} ({self.from_status} → {self.to_status})"

    @classmethod
    def clean_comment(cls, comment: str | None) -> str:
        """``comment`` as an event stores it (without surrounding blanks), or a
        ``ValidationError`` naming ``comment`` (a control character: the field's validators,
        ``registry.validators``). The workflow and the link answers create events without
        ``full_clean``; they pass the comment through this first."""
        comment = (comment or "").strip()
        try:
            cls._meta.get_field("comment").run_validators(comment)
        except ValidationError as error:
            raise ValidationError({"comment": error.error_list}) from None
        return comment
