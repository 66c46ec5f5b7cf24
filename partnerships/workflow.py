"""The proposal workflow: which transitions exist, who may take them, and what they record.

An organisation's representatives draft a proposal (status ``draft``: private to the
organisation) and *submit* it to the municipality (``under_review``: the ball is with
the municipality, whose coordinators are notified). A coordinator *accepts* it
(``active``; the link to the accepting coordinator's municipality is confirmed),
*declines* it with a reason, or *requests changes* with a comment
(``changes_requested``: the municipality still sees it, waiting for the organisation;
the representatives are notified) after which the organisation edits and submits
again. Coordinators later *complete* or *discontinue* an active partnership::

    draft ──submit──▶ under_review ──accept──▶ active ──complete──▶ completed
                       │    ▲    └──decline──▶ declined  └──discontinue──▶ discontinued
        request_changes│    │submit
                       ▼    │
                  changes_requested
 Every step is a ``PartnershipEvent`` with who,
when and the comment; its messages are written to the outbox in the same transaction and
delivered after the commit (``notifications``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnerships import permissions
from partnerships.choices import Status
from partnerships.models import Partnership, PartnershipEvent


class TransitionNotAllowed(Exception):
    """The transition does not exist from the partnership's current status (HTTP 409)."""


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: tuple[str, ...]
    target: str
    allowed: Callable
    comment_required: bool
    notify: str  # "coordinators" or "representatives"


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", gettext_lazy("Submit to the municipality"),
                   (Status.DRAFT, Status.CHANGES_REQUESTED),
                   Status.UNDER_REVIEW, permissions.can_submit_partnership, False, "coordinators"),
        Transition("accept", gettext_lazy("Accept"), (Status.UNDER_REVIEW,), Status.ACTIVE,
                   permissions.can_review_partnership, False, "representatives"),
        Transition("decline", gettext_lazy("Decline"), (Status.UNDER_REVIEW,), Status.DECLINED,
                   permissions.can_review_partnership, True, "representatives"),
        Transition("request_changes", gettext_lazy("Ask for changes"), (Status.UNDER_REVIEW,),
                   Status.CHANGES_REQUESTED, permissions.can_review_partnership, True,
                   "representatives"),
        Transition("complete", gettext_lazy("Mark as completed"), (Status.ACTIVE,),
                   Status.COMPLETED, permissions.can_review_partnership, False, "representatives"),
        Transition("discontinue", gettext_lazy("Discontinue"), (Status.ACTIVE,),
                   Status.DISCONTINUED, permissions.can_review_partnership, True,
                   "representatives"),
    )
}  # fmt: skip


def available_transitions(user, partnership: Partnership) -> list[Transition]:
    """The transitions ``user`` may take on ``partnership`` now (for buttons on pages)."""
    return [
        t
        for t in TRANSITIONS.values()
        if partnership.status in t.sources and t.allowed(user, partnership)
    ]


@transaction.atomic
def partnership_transition(
    *, partnership: Partnership, user, action: str, comment: str = "", start_date=None
) -> PartnershipEvent:
    """Take ``action`` on ``partnership`` as ``user``; record it; notify after the commit.

    Raises ``PermissionDenied`` when the user may not, ``TransitionNotAllowed`` when
    the partnership's status does not allow it, ``ValidationError`` for a missing comment.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("There is no action “%(action)s”.") % {"action": action})
    # Lock the row so two coordinators answering at once cannot both succeed.
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if not transition.allowed(user, partnership):
        raise PermissionDenied(_("You may not do this to this partnership."))
    if partnership.status not in transition.sources:
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the partnership is %(status)s.")
            % {"action": transition.label, "status": partnership.get_status_display().lower()}
        )
    comment = PartnershipEvent.clean_comment(comment)
    if transition.comment_required and not comment:
        raise ValidationError({"comment": _("Please give a reason.")})
    from_status = partnership.status
    partnership.status = transition.target
    if transition.target == Status.ACTIVE and partnership.start_date is None:
        partnership.start_date = start_date or timezone.localdate()
    if transition.target in (Status.COMPLETED, Status.DISCONTINUED) and not partnership.end_date:
        partnership.end_date = max(timezone.localdate(), partnership.start_date)
    partnership._history_user = user
    partnership._change_reason = f"{action}: {comment}" if comment else action
    partnership.full_clean()
    partnership.save()
    event = PartnershipEvent.objects.create(
        partnership=partnership,
        action=action,
        from_status=from_status,
        to_status=transition.target,
        actor=user,
        comment=comment,
    )
    from partnerships import services
    from partnerships.notifications import notify_event

    notify_event(event)  # outbox rows in this transaction, delivered after the commit
    if action == "accept":
        services.confirm_links_on_accept(partnership=partnership, user=user)
    if action == "submit" and from_status == Status.DRAFT:
        # Other organisations named in the proposal are asked now that it is no longer private.
        services.request_pending_links(partnership=partnership, user=user, organisations_only=True)
    return event
