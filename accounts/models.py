from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The registry's user. A custom model from the start, so that roles and
    profile fields can be added without a painful swap later."""
