def navigation(request) -> dict:
    """The site section a page belongs to (``partnerships`` for /partnerships/12/), so the
    main navigation can mark it as current."""
    return {"nav_section": request.path.strip("/").split("/", 1)[0]}


def role_links(request) -> dict:
    """Which role pages the navigation links to: the coordinator's inbox and verification
    queue, the organisation's own proposals. Asked of the access rules, not decided here."""
    from accounts import permissions

    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    return {
        "nav_inbox": permissions.can_answer_proposals(user),
        "nav_verification": permissions.has_verification_queue(user),
        "nav_my_partnerships": permissions.represents_organisations(user),
    }
