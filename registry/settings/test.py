"""Test settings: the base settings with a fixed key and fast hashing.

The database comes from ``DATABASE_URL`` like everywhere else: SQLite by
default, PostgreSQL in the second CI run.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from registry.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests run without DEBUG but over plain HTTP (the test client, the browser tests' live
# server); the HTTPS redirect itself is tested in a production-configured subprocess.
SECURE_SSL_REDIRECT = False
