def navigation(request) -> dict:
    """The site section a page belongs to (``partnerships`` for /partnerships/12/), so the
    main navigation can mark it as current."""
    return {"nav_section": request.path.strip("/").split("/", 1)[0]}


def role_links(request) -> dict:
    """Which role pages the navigation links to: the coordinator's inbox and verification
    queue, the organisation's own proposals. Asked of the access rules, not decided here."""
    from organisations.permissions import has_verification_queue
    from partnerships.permissions import can_answer_proposals, represents_organisations

    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {
        "nav_inbox": can_answer_proposals(user),
        "nav_verification": has_verification_queue(user),
        "nav_my_partnerships": represents_organisations(user),
    }


def waiting_counts(user) -> dict[str, int]:
    """The numbers beside the navigation: unread notifications, and what waits for the user.

    "What waits" is what the pages list (``partnerships.selectors``), counted: the
    coordinator's inbox (proposals to answer and links to confirm), the organisation's
    proposals (sent back for changes, and links to confirm). A few COUNT queries per page.
    Composed here, in the project package, since it reads both the outbox and partnerships.
    """
    from notifications.services import unread_count
    from partnerships import selectors
    from partnerships.choices import Status
    from partnerships.permissions import can_answer_proposals, represents_organisations

    counts = {"nav_unread": unread_count(user)}
    inbox, mine = can_answer_proposals(user), represents_organisations(user)
    links = len(selectors.link_requests(user=user)) if inbox or mine else 0
    if inbox:
        counts["nav_inbox_count"] = selectors.proposals_to_answer(user=user).count() + links
    if mine:
        counts["nav_mine_count"] = (
            selectors.organisation_partnerships(
                user=user, statuses=[Status.CHANGES_REQUESTED]
            ).count()
            + links
        )
    return counts


def notification_counts(request) -> dict:
    """The numbers in the header: unread notifications (the account menu), and beside
    "Inbox" and "Our proposals" what waits for the user (``waiting_counts``)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    # Once per request, however many templates of the page ask.
    if not hasattr(request, "_notification_counts"):
        request._notification_counts = waiting_counts(user)
    return request._notification_counts
