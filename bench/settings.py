"""Settings of the benchmark: production's (``registry.settings.base`` with ``DEBUG`` off),
with only what a benchmark on one machine needs changed:

- served over plain HTTP (no HTTPS redirect, cookies not marked secure): the test client and
  wrk speak HTTP to 127.0.0.1;
- static files collected under ``bench/.staticfiles`` (``collectstatic`` is run by
  ``bench/run.py``), with production's storage (whitenoise, hashed names);
- the API's rate limits raised far above what one machine can send, so the benchmark
  measures the views rather than 429 answers (the throttles still run, at their cost).
"""

import os

os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

from registry.settings.base import *  # noqa: F403
from registry.settings.base import BASE_DIR, REST_FRAMEWORK

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = BASE_DIR / "bench" / ".staticfiles"

#: High enough never to answer 429 here; per second, so a throttle's history stays short.
UNLIMITED_RATE = "1000000/s"
_RATES = REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": dict.fromkeys(_RATES, UNLIMITED_RATE)}
