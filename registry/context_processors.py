def navigation(request) -> dict:
    """The site section a page belongs to (``partnerships`` for /partnerships/12/), so the
    main navigation can mark it as current."""
    return {"nav_section": request.path.strip("/").split("/", 1)[0]}
