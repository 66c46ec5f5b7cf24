"""DRF's side of the access rules: views name which rule guards which action.

The rules themselves live in each app's rules module (``accounts/permissions.py``,
``municipalities/permissions.py``, ``organisations/permissions.py``,
``partnerships/permissions.py``); the services check them again, so a page or a task
calling a service is held to the same rules. Checking here as well answers 403 before a
request body is even validated.
"""

from rest_framework.permissions import BasePermission

from accounts import permissions as rules


class ActionRules(BasePermission):
    """Checks ``view.action_rules[action](user)`` and ``view.object_rules[action](user, obj)``.

    An action without a rule is left to the other permission classes.
    """

    def has_permission(self, request, view) -> bool:
        rule = getattr(view, "action_rules", {}).get(view.action)
        return rule is None or rule(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        rule = getattr(view, "object_rules", {}).get(view.action)
        return rule is None or rule(request.user, obj)


class ManagesUsers(BasePermission):
    """Registry administrators only."""

    def has_permission(self, request, view) -> bool:
        return rules.can_manage_users(request.user)
