from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self) -> None:
        # Connect the receivers: allauth's account events; sign-up through an invitation.
        from accounts import invitation_signals, signals  # noqa: F401
