"""The statements every page's footer links to: ``/accessibility/`` (the accessibility
statement, *tilgjengelighetserklæring*, as Norwegian public bodies publish it under the
WCAG rules) and ``/privacy/`` (what personal data the registry keeps, why, for how long,
who sees it, and how to have it exported or deleted).

The text is in the templates (``templates/statements/``); what depends on the settings —
the contact address, how long a session or an invitation lasts — is read from them here,
so the statements say what the running registry does. When the pages, the tests or the
data kept change, update the text and its date below.
"""

import datetime

from django.conf import settings
from django.views.generic import TemplateView

#: When each statement was last written or reviewed against the product (shown on the page).
ACCESSIBILITY_STATEMENT_DATE = datetime.date(2026, 12, 2)
PRIVACY_STATEMENT_DATE = datetime.date(2026, 12, 2)


def contact_email() -> str:
    """Where people write about the registry: ``REGISTRY_CONTACT_EMAIL``, by default
    ``DEFAULT_FROM_EMAIL``."""
    return getattr(settings, "REGISTRY_CONTACT_EMAIL", "") or settings.DEFAULT_FROM_EMAIL


class StatementView(TemplateView):
    statement_date: datetime.date

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact_email=contact_email(), statement_date=self.statement_date, **kwargs
        )


class AccessibilityStatementView(StatementView):
    template_name = "statements/accessibility.html"
    statement_date = ACCESSIBILITY_STATEMENT_DATE


class PrivacyStatementView(StatementView):
    template_name = "statements/privacy.html"
    statement_date = PRIVACY_STATEMENT_DATE

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session_days=settings.SESSION_COOKIE_AGE // (24 * 60 * 60),
            invitation_days=getattr(settings, "INVITATION_EXPIRY_DAYS", 7),
            confirmation_days=getattr(settings, "ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", 3),
            export_hours=settings.EXPORT_EXPIRY_HOURS,
            export_days=settings.EXPORT_FORGET_DAYS,
            **kwargs,
        )


accessibility = AccessibilityStatementView.as_view()
privacy = PrivacyStatementView.as_view()
