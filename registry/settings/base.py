"""Settings for every environment, read from the environment.

The defaults give the embedded set-up a newcomer runs with ``make run``:
SQLite, tasks run eagerly, no Redis. Production sets ``DATABASE_URL``,
``CELERY_BROKER_URL``/``REDIS_URL``, ``SECRET_KEY`` and ``DEBUG=0``; with
``DEBUG`` off the settings refuse to start without a real secret key.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
_INSECURE_KEY = "django-insecure-local-development-only"
SECRET_KEY = env("SECRET_KEY", default=_INSECURE_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "django_tables2",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "municipalities",
    "organisations",
    "partnerships",
    "notifications",
    "dashboards",
    "opendata",
    "downloads",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"
ASGI_APPLICATION = "registry.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registry.context_processors.navigation",
                "registry.context_processors.role_links",
                "registry.context_processors.notification_counts",
            ],
        },
    },
]

# Forms render each field with its label, help and errors next to it (templates/forms/).
FORM_RENDERER = "registry.forms.FormRenderer"
DJANGO_TABLES2_TEMPLATE = "generic/table.html"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "my-page"
LOGOUT_REDIRECT_URL = "home"

# Accounts: django-allauth. Only the owner of an address holds a role: a new account confirms
# its e-mail address through a link before it can sign in (and so before it can hold a role,
# register an organisation or propose). Sign in with the username or the e-mail address.
# allauth's backend is Django's ModelBackend that also takes an e-mail address.
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
# Sign-up also asks for the person's name; both forms have labels, not placeholders.
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
# Counts failed sign-ins per account, whether the username or the e-mail address is typed.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_REDIRECT_URL = "my-page"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's rate limits (login failures, sign-up, password reset, confirmation mails) keep
# their counters in the cache: set CACHE_URL (e.g. redis://...) when more than one process
# serves the site, so that every process counts together.
# "amount/period/per": per "ip" (the client's address), "key" (the account or address the
# request names) or "user" (the signed-in user); period in s, m, h or d. When one is hit the
# page says so (the login form: "Too many failed login attempts"; the others: templates/429.html).
# Tests that need a limit reached lower it with the ``settings`` fixture.
ACCOUNT_RATE_LIMITS = {
    # Wrong passwords: 5 per account in 5 minutes, 10 a minute from one address. Once hit,
    # even the right password is refused until the window passes.
    "login_failed": "10/m/ip,5/300s/key",
    # Sign-in attempts of any outcome from one address.
    "login": "30/m/ip",
    # New accounts from one address.
    "signup": "10/h/ip",
    # Password-reset mails: 20 an hour from one address, 3 an hour to one address.
    "reset_password": "20/h/ip,3/h/key",
    # Following a reset link (guessing keys).
    "reset_password_from_key": "20/m/ip",
    # Confirmation mails: one per address every 3 minutes.
    "confirm_email": "1/180s/key",
    # Signed-in users changing their password or e-mail addresses, or re-entering a password.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# The API token endpoint (accounts.throttling): failed attempts per login (username or e-mail
# address) and per client address, as (attempts, seconds). Once either is reached, every
# attempt answers 429 with Retry-After until the window passes.
API_TOKEN_FAILURE_LIMITS = {"login": (5, 300), "ip": (20, 300)}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Frivillighetsregisteret"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Keep a worker's connection between requests (checked before reuse) instead of opening one
# per request: under load the connection set-up was a large part of each request's time.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves several threads: take the write lock at the start of a
    # transaction and wait for it, instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Norwegian bokmål first; English is the second language.
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers in each language's own style: English in the British style
# (registry/formats/en); Norwegian keeps Django's nb formats.
FORMAT_MODULE_PATH = ["registry.formats"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic fills STATIC_ROOT for production; in debug whitenoise serves from the finders.
STATIC_ROOT = None if DEBUG else BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="registry@localhost")
# Where people write about the registry: named on /accessibility/ and /privacy/.
REGISTRY_CONTACT_EMAIL = env("REGISTRY_CONTACT_EMAIL", default=DEFAULT_FROM_EMAIL)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with WWW-Authenticate.
        # "Authorization: Token <key>" or "Authorization: Bearer <key>".
        "registry.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # JSON is the API's one request format; the pages post their own forms, not to the API.
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "registry.api.throttling.AnonRateThrottle",
        "registry.api.throttling.UserRateThrottle",
        "registry.api.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
        # Scopes that views name (throttle_scope) for work an attacker would repeat.
        "token": env("API_THROTTLE_TOKEN", default="10/min"),
        "invitations": env("API_THROTTLE_INVITATIONS", default="30/hour"),
        "exports": env("API_THROTTLE_EXPORTS", default="30/hour"),
    },
    "DEFAULT_FILTER_BACKENDS": [
        "registry.api.filtering.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "registry.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    # ASCII (a plain hyphen): generated clients derive their package name from it.
    "TITLE": "Nordic registry of municipal-voluntary collaborations API",
    "DESCRIPTION": (
        "Municipalities, voluntary organisations and their partnerships, with the "
        "statistics the national dashboards show. `GET /api/v1/` lists the endpoints. "
        "Read endpoints are open to everyone (no personal data); writes need a session or "
        "a token (`Authorization: Bearer <key>` or `Authorization: Token <key>`, the key "
        "from `POST /api/v1/auth/token/`). Request bodies are JSON.\n\n"
        "Lists come in pages, in one of two styles, each shown on its list: the large lists "
        "(organisations, partnerships) by cursor (`next`, `previous`, `results`; pass "
        "`page_size`, then follow `next` as it is until it is null), the others by page "
        "number (`count`, `next`, `previous`, `results`; `page` and `page_size`). "
        "`page_size` is at most 500. This document is in English whatever the caller's "
        "language; error messages follow `Accept-Language` (`nb` or `en`)."
    ),
    "VERSION": "1.0.0",
    # The schema in English for every caller (registry.api.schema).
    "DEFAULT_GENERATOR_CLASS": "registry.api.schema.SchemaGenerator",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.api.schema.add_common_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CoCreationTypeEnum": "partnerships.choices.CoCreationType",
        "StatusEnum": "partnerships.choices.Status",
        "MembershipRoleEnum": "accounts.choices.MembershipRole",
        "OrganisationRoleEnum": "partnerships.choices.OrganisationRole",
        "LinkStateEnum": "partnerships.choices.LinkState",
        "InvitationStatusEnum": "accounts.models.InvitationStatus",
    },
}

# Celery: a broker URL switches from eager, in-process tasks to a real queue.
# With no broker (the embedded default) tasks run in the web process right after the commit;
# e-mail still goes through the outbox (notifications), so a mail server that is down loses
# nothing: `manage.py deliver_notifications` sends it later. With DEBUG off, `check --deploy`
# warns about it (notifications.W001).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_BROKER_CONFIGURED = bool(CELERY_BROKER_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# Tasks are acknowledged after they ran, and redelivered when their worker dies: every task
# must be idempotent (the outbox's delivery is). One message at a time per worker process, so
# a killed worker holds back no other tasks.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=270)
# Redis redelivers a task not acknowledged within the visibility timeout (default: an hour).
# Longer than any task's time limit, so a running task is never handed to a second worker.
# Publishing retries briefly, so a request never waits long for a broker that is down.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Whatever waits in the outbox: lost tasks (the broker was down), retries, dead claims.
    "deliver-notifications": {
        "task": "notifications.tasks.deliver_due_notifications",
        "schedule": 60.0,
    },
    # Partnerships written but not yet folded into the statistics' summary tables (each
    # write also queues this task after its commit, and every statistics read folds in
    # what is pending first).
    "apply-pending-tallies": {
        "task": "dashboards.tasks.apply_pending_tallies",
        "schedule": 60.0,
    },
    # The open-data bulk files (/open-data/), regenerated every night.
    "publish-open-data": {
        "task": "opendata.tasks.publish_open_data",
        "schedule": crontab(hour=3, minute=30),
    },
    # Background downloads (downloads): files past EXPORT_EXPIRY_HOURS deleted, their jobs
    # marked expired, then forgotten; jobs lost with their worker marked failed.
    "expire-export-jobs": {
        "task": "downloads.tasks.expire_export_jobs",
        "schedule": 15 * 60.0,
    },
    # Sessions past their expiry (sign-ins that were never signed out), every night.
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=15),
    },
}
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"

# The outbox (notifications.delivery): attempts before a row is marked failed, the backoff
# between attempts (base × 2^n seconds, at most max), and how long a claim by a worker holds
# before another may take the row (longer than the delivery task's time limit).
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)
NOTIFICATIONS_BACKOFF_BASE = env.int("NOTIFICATIONS_BACKOFF_BASE", default=60)
NOTIFICATIONS_BACKOFF_MAX = env.int("NOTIFICATIONS_BACKOFF_MAX", default=3600)
NOTIFICATIONS_CLAIM_TIMEOUT = env.int("NOTIFICATIONS_CLAIM_TIMEOUT", default=600)
NOTIFICATIONS_TASK_SOFT_TIME_LIMIT = 60
NOTIFICATIONS_TASK_TIME_LIMIT = 90
NOTIFICATIONS_SWEEP_SOFT_TIME_LIMIT = 240
NOTIFICATIONS_SWEEP_TIME_LIMIT = 270
NOTIFICATIONS_SWEEP_LIMIT = 500
NOTIFICATIONS_PUBLISH_RETRY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# No SMTP conversation may hang a request (embedded default) or a worker for long.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Content Security Policy (django-csp), in every environment so that the tests and the
# browser tests run under it: the pages load scripts and styles only from the site itself,
# with no inline script or style; nothing may frame them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if not DEBUG:
    # Production is served over HTTPS only. Behind a proxy that terminates TLS, set
    # BEHIND_TLS_PROXY=1 — and only if that proxy sets X-Forwarded-Proto itself and strips
    # any value a client sent, since Django then trusts the header.
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The container's health check asks over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Open data (opendata): where the bulk files are written (and served from), and who publishes
# them (named in the DCAT-AP-NO catalogue and the 360Giving file).
OPEN_DATA_ROOT = Path(env("OPEN_DATA_ROOT", default=str(BASE_DIR / "var" / "open-data")))
OPEN_DATA_PUBLISHER_NAME = env("OPEN_DATA_PUBLISHER_NAME", default="Frivillighetsregisteret")
OPEN_DATA_PUBLISHER_ORG_NUMBER = env("OPEN_DATA_PUBLISHER_ORG_NUMBER", default="")
OPEN_DATA_CONTACT_EMAIL = env("OPEN_DATA_CONTACT_EMAIL", default=REGISTRY_CONTACT_EMAIL)

# Background downloads of the lists (downloads; registry.exports): a list of more than
# EXPORT_BACKGROUND_ROWS rows (for Excel, also one longer than a sheet) is written by a Celery
# task into EXPORT_ROOT (shared by the worker and the web app) and downloaded from its own page.
# The file is deleted EXPORT_EXPIRY_HOURS after it was asked for, the job's page then says it
# has expired; the job itself is forgotten EXPORT_FORGET_DAYS later. One caller (an account, or
# an anonymous visitor's session) has at most EXPORT_JOBS_PER_OWNER jobs waiting or running.
EXPORT_ROOT = Path(env("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")))
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=50_000)
EXPORT_EXPIRY_HOURS = env.int("EXPORT_EXPIRY_HOURS", default=24)
EXPORT_FORGET_DAYS = env.int("EXPORT_FORGET_DAYS", default=7)
EXPORT_JOBS_PER_OWNER = env.int("EXPORT_JOBS_PER_OWNER", default=3)

# Invitations (accounts.services.invitation_create): how long a link works, and how many one
# inviter may send in 24 hours.
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=7)
INVITATION_RATE_LIMIT = env.int("INVITATION_RATE_LIMIT", default=20)
