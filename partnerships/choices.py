"""Every taxonomy of a partnership, in one place. The values are the API's slugs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    CULTURE = "culture", _("Culture")
    SPORT = "sport", _("Sport")
    CHILDREN_YOUTH = "children_youth", _("Children and youth")
    INCLUSION = "inclusion", _("Inclusion and integration")
    HEALTH_CARE = "health_care", _("Health and care")
    ELDERLY = "elderly", _("Elderly")
    EDUCATION = "education", _("Education")
    ENVIRONMENT = "environment", _("Environment")
    EMERGENCY = "emergency", _("Emergency preparedness")
    OTHER = "other", _("Other")


class CoCreationType(models.TextChoices):
    EQUAL = "equal", _("Equal co-creation")
    MUNICIPALITY_LED = "municipality_led", _("Municipality-led")
    ORGANISATION_LED = "organisation_led", _("Organisation-led")


class Initiator(models.TextChoices):
    MUNICIPALITY = "municipality", _("The municipality")
    LOCAL_CIVIC = "local_civic", _("A local civic actor")
    NATIONAL_CIVIC = "national_civic", _("A regional or national civic actor")
    VOLUNTEERS = "volunteers", _("Individual volunteers")
    USERS = "users", _("Users of municipal services")


class InvolvementPhase(models.TextChoices):
    """The earliest phase in which the voluntary actors were involved, in project order."""

    PROBLEM_DEFINITION = "problem_definition", _("Problem definition")
    DESIGN = "design", _("Design")
    IMPLEMENTATION = "implementation", _("Implementation")
    EVALUATION = "evaluation", _("Evaluation")


class GoalsControl(models.TextChoices):
    MUNICIPALITY = "municipality", _("The municipality")
    SHARED = "shared", _("Shared")
    ORGANISATION = "organisation", _("The voluntary actors")


class CollaborationForm(models.TextChoices):
    PREMISES = "premises", _("Premises and facilities")
    GRANT = "grant", _("Grant for activities")
    DIALOGUE = "dialogue", _("Dialogue")
    TASK = "task", _("Task collaboration / service delivery")
    INFORMATION = "information", _("Information exchange")
    CO_DEVELOPMENT = "co_development", _("Co-development")


class Agreement(models.TextChoices):
    NONE = "none", _("No agreement")
    INFORMAL = "informal", _("Informal agreement")
    WRITTEN = "written", _("Written agreement")
    PARTNERSHIP_AGREEMENT = "partnership_agreement", _("Partnership agreement (IOP type)")
    CONTRACT = "contract", _("Service contract")


class Status(models.TextChoices):
    r"""The state machine (``partnerships.workflow``)::

    draft --submit--> under_review --accept--> active --complete--> completed
                         |  ^   \--decline--> declined     \--discontinue--> discontinued
          request_changes|  |submit
                         v  |
                   changes_requested
    """

    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    DISCONTINUED = "discontinued", _("Discontinued")


# Statuses of a collaboration that was actually established (the statistics count these).
ESTABLISHED_STATUSES = (Status.ACTIVE, Status.COMPLETED, Status.DISCONTINUED)
# Statuses that are still only a proposal, and may lack a start date.
PROPOSAL_STATUSES = (
    Status.DRAFT,
    Status.UNDER_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.DECLINED,
)
# Proposals the organisation has sent: the municipality sees them (a draft it never sees),
# and their municipalities no longer change (a new municipality means a new proposal).
SUBMITTED_STATUSES = (Status.UNDER_REVIEW, Status.CHANGES_REQUESTED, Status.DECLINED)
# Statuses only the workflow reaches: nobody creates a partnership in them.
WORKFLOW_ONLY_STATUSES = (Status.UNDER_REVIEW, Status.CHANGES_REQUESTED, Status.DECLINED)


class LinkState(models.TextChoices):
    """Whether a municipality or organisation agreed to be linked to a partnership."""

    CONFIRMED = "confirmed", _("Confirmed")
    PENDING = "pending", _("Awaiting confirmation")
    DECLINED = "declined", _("Declined")


class OrganisationRole(models.TextChoices):
    LEAD = "lead", _("Lead partner")
    PARTNER = "partner", _("Partner")
    SUPPORTER = "supporter", _("Supporting partner")


class PromotingFactor(models.TextChoices):
    """What helps a collaboration (Norwegian health and care study, seed 001)."""

    FACILITATION = "facilitation", _("Practical facilitation")
    ACCESSIBLE_ADMINISTRATION = "accessible_administration", _("An accessible administration")
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and office facilities")
    KEY_INDIVIDUALS = "key_individuals", _("Key individuals")
    LOCAL_ATTACHMENT = "local_attachment", _("Local attachment")
    MOTIVATION = "motivation", _("Volunteers' motivation")


class HinderingFactor(models.TextChoices):
    """What hinders a collaboration (seed 001)."""

    ECONOMIC_UNCERTAINTY = "economic_uncertainty", _("Economic uncertainty")
    INACCESSIBLE_ADMINISTRATION = "inaccessible_administration", _("An inaccessible administration")
    POOR_INFORMATION = "poor_information", _("Poor information flow")


class Currency(models.TextChoices):
    NOK = "NOK", "NOK"
    DKK = "DKK", "DKK"
    SEK = "SEK", "SEK"
