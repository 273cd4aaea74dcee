"""Settings shared by every environment, read once from the environment.

Each external service has an embedded default so the project runs on one machine with
nothing but Python; setting its variable switches it to the production counterpart.
"""

import builtins
from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Django's generic classes (ModelAdmin, fields, ...) take their type parameters at run time too,
# as mypy's django-stubs wants them written: `admin.ModelAdmin[Todo]`.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parents[2]


class StrictEnv(environ.Env):  # type: ignore[misc]  # environ.Env is Any to mypy (pyproject.toml)
    """django-environ, except that a boolean must be one of a few words. Its own bool() reads any
    unknown word as false, so DEBUG=ture or SECURE_SSL_REDIRECT=on silently meant "off"."""

    BOOLEAN_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def bool(self, var: str, default: Any = environ.Env.NOTSET) -> builtins.bool:
        if var not in self.ENVIRON:
            unset: builtins.bool = super().bool(var, default=default)  # the default, or the error
            return unset
        value = self.ENVIRON[var]
        try:
            return self.BOOLEAN_WORDS[value.strip().lower()]
        except KeyError:
            raise ImproperlyConfigured(
                f"{var}={value!r} is not a boolean: use true, false, 1, 0, yes or no"
            ) from None

    def positive_int(self, var: str, default: int) -> int:
        """A whole number of at least 1, where 0 or less would be a mistake with consequences
        (DATA_RETENTION_DAYS=0 would purge every message at once)."""
        value: int = self.int(var, default=default)
        if value < 1:
            raise ImproperlyConfigured(f"{var}={value!r} is not a positive whole number")
        return value


env = StrictEnv()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

# Production settings turn this on: assistant/core/checks.py then refuses to start on any embedded
# default (SQLite, local cache or broker, console SMS, short tokens, no encryption keys).
REQUIRE_PRODUCTION_CONFIGURATION = False
# Variables with a default here that production must be given anyway (production.py lists
# those the environment left unset, and the checks name them).
PRODUCTION_UNSET_VARIABLES: list[str] = []

SERVICE_NAME = env("SERVICE_NAME", default="assistant-api")
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default=None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])

INSTALLED_APPS = [
    "assistant.users.apps.AssistantAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_prometheus",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "social_django",
    "assistant.core",
    "assistant.users",
    "assistant.planner",
    "assistant.chat",
    "sms",
    "integrations",
    "monitoring",
]

# Off only to measure what the instrumentation costs (bench/): no request metrics, no
# statement or connection metrics, no cache read counters, no JSON request log line and no
# slow-query wrapper. Read once at start (the backends below are chosen by it).
OBSERVABILITY_ENABLED = env.bool("OBSERVABILITY_ENABLED", default=True)

# The request metrics' middleware wraps everything else so every response is counted.
MIDDLEWARE = [
    "monitoring.middleware.PrometheusMiddleware",
    "assistant.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# DATABASE_URL selects PostgreSQL (psycopg 3 with Django's connection pool); unset, SQLite.
# On PostgreSQL the backend looks at a pooled connection before lending it: after a database
# restart the idle ones are dead (assistant/core/backends/postgresql). With observability on,
# each engine is swapped for the same backend counting its connections (monitoring/backends),
# and statements are measured by monitoring/db.py's execute wrapper.
_DB_ENGINES = {"django.db.backends.postgresql": "assistant.core.backends.postgresql"}
_COUNTING_DB_ENGINES = {
    "django.db.backends.postgresql": "monitoring.backends.postgresql",
    "django.db.backends.sqlite3": "monitoring.backends.sqlite3",
}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
# psycopg_pool's options for PostgreSQL (also what the tests pool their own servers with).
DATABASE_POOL = {
    "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
    "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
    # How long a request waits for a connection. Short: with the database down, every
    # request waits this long before failing, and holds its worker meanwhile.
    "timeout": env.float("DATABASE_POOL_TIMEOUT", default=3.0),
    # How long the pool goes on replacing a lost connection by itself. Its attempts back off
    # (1, 2, 4 s...), so with psycopg_pool's 5 minutes the next one could come as long after
    # the database is back as the outage lasted, every request failing meanwhile. Given up
    # after 2 s, attempts are never more than about 1 s apart, and the next request that has
    # to wait starts a new one at once.
    "reconnect_timeout": 2.0,
}
_engines = _COUNTING_DB_ENGINES if OBSERVABILITY_ENABLED else _DB_ENGINES
_db["ENGINE"] = _engines.get(_db["ENGINE"], _db["ENGINE"])
if _db["ENGINE"].endswith("postgresql"):
    # A pool replaces persistent connections, so CONN_MAX_AGE must stay 0.
    _db["CONN_MAX_AGE"] = 0
    _db.setdefault("OPTIONS", {})["pool"] = DATABASE_POOL
    _db["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
else:
    # WAL and IMMEDIATE transactions let the web server, worker and beat share one file.
    _db.setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
# The hot paths' compiled reads as prepared statements of each PostgreSQL connection
# (assistant/core/compiled.py); off behind PgBouncer in transaction mode (docs/scaling.md).
DATABASE_PREPARED_READS = env.bool("DATABASE_PREPARED_READS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
# REDIS_URL selects django-redis; unset, local memory. Both through django-prometheus.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="assistant"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                # The cache only holds what can be lost: a dead Redis degrades, never 500s.
                "IGNORE_EXCEPTIONS": env.bool("REDIS_IGNORE_EXCEPTIONS", default=True),
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache"}}


# Monitoring's own reads (the cache health check every few seconds, the business snapshot at
# every scrape) go through this alias: the same cache (same server, prefix and options; local
# memory of the same name), but a backend django-prometheus does not count, so the app's cache
# hit rate (LowCacheHitRate) is the product's reads only.
MONITORING_CACHE_ALIAS = "monitoring"
_UNINSTRUMENTED_BACKENDS = {
    "django_prometheus.cache.backends.redis.RedisCache": "django_redis.cache.RedisCache",
    "django_prometheus.cache.backends.locmem.LocMemCache": "django.core.cache.backends.locmem.LocMemCache",
}


def uninstrumented_cache(cache: dict[str, Any]) -> dict[str, Any]:
    """The same cache configuration through a backend django-prometheus does not count (the
    same one when it counts nothing already)."""
    return {**cache, "BACKEND": _UNINSTRUMENTED_BACKENDS.get(cache["BACKEND"], cache["BACKEND"])}


CACHES[MONITORING_CACHE_ALIAS] = uninstrumented_cache(CACHES["default"])
if not OBSERVABILITY_ENABLED:
    CACHES["default"] = uninstrumented_cache(CACHES["default"])

# --- Auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "users.User"
# Argon2id (assistant/users/hashers.py, parameters in the README) makes new hashes; the others
# only check the PBKDF2 hashes made before it, each re-made with Argon2id at its owner's next
# sign-in. (The test settings use MD5, to keep the suite fast.)
PASSWORD_HASHERS = [
    "assistant.users.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Staff must present a verified TOTP code to enter the admin (forced on in production).
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=False)
# Resetting someone's second factor hands their account to whoever convinced support: the staff
# member doing it must have signed in to the admin with their own code (forced on in production).
SUPPORT_MFA_RESET_REQUIRES_STAFF_MFA = env.bool("SUPPORT_MFA_RESET_REQUIRES_STAFF_MFA", default=False)
# Failed passwords and second-factor codes (see assistant/users/lockout.py): the pair (account,
# client address) locks after a few, one address after more across accounts, and the account
# as a whole only after many, for a delay that doubles each time it trips again.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=20)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("LOGIN_ACCOUNT_FAILURE_LIMIT", default=50)
LOGIN_ACCOUNT_FAILURE_WINDOW_SECONDS = env.int("LOGIN_ACCOUNT_FAILURE_WINDOW_SECONDS", default=3600)
LOGIN_ACCOUNT_LOCKOUT_SECONDS = env.int("LOGIN_ACCOUNT_LOCKOUT_SECONDS", default=60)
LOGIN_ACCOUNT_LOCKOUT_MAX_SECONDS = env.int("LOGIN_ACCOUNT_LOCKOUT_MAX_SECONDS", default=3600)
# Password-reset e-mails: per account and per client address, within the window.
PASSWORD_RESET_ACCOUNT_LIMIT = env.int("PASSWORD_RESET_ACCOUNT_LIMIT", default=3)
PASSWORD_RESET_IP_LIMIT = env.int("PASSWORD_RESET_IP_LIMIT", default=10)
PASSWORD_RESET_WINDOW_SECONDS = env.int("PASSWORD_RESET_WINDOW_SECONDS", default=3600)
# Comma-separated Fernet keys; the first encrypts, all decrypt (prepend a new one to rotate).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
MFA_ISSUER_NAME = env("MFA_ISSUER_NAME", default="TDAH Assistant")
# The site's public address, used in links sent by email (password reset).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# Sign-ups with an address that has an account e-mail its owner at most once per this many
# seconds, so the notice cannot be turned into a way to flood someone's inbox.
REGISTRATION_NOTICE_INTERVAL_SECONDS = env.int("REGISTRATION_NOTICE_INTERVAL_SECONDS", default=3600)
# Client addresses come from X-Forwarded-For only behind this many trusted proxies.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
DEFAULT_PHONE_REGION = env("DEFAULT_PHONE_REGION", default=None)

# --- Email ----------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / ".mail"))  # filebased backend
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="assistant@localhost")

# --- I18N / static --------------------------------------------------------------------
# The languages people are written to in (User.language). Each app keeps its catalogues in
# <app>/locale/<lang>/LC_MESSAGES/django.po; `python -m assistant.core.translations` compiles them.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("es", "Español"), ("pt", "Português")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- REST API -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "assistant.core.authentication.TokenAuthentication",
        "assistant.core.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "assistant.users.access.MfaEnrolled",
    ],
    "DEFAULT_PAGINATION_CLASS": "assistant.core.api.Pagination",
    "PAGE_SIZE": 50,
    # Fixed-window counters, one atomic increment per request (assistant/core/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "assistant.core.throttling.AnonThrottle",
        "assistant.core.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="120/min"),
        "user": env("THROTTLE_USER", default="1200/min"),
        "auth": env("THROTTLE_AUTH", default="30/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "assistant.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["assistant.core.parsers.JSONParser"],
}
# Request bodies larger than this are refused before they are read: a 413 in the error shape on
# the API. The largest real body, a 5000-character chat message, is under 64 KiB even with every
# character JSON-escaped; nginx refuses anything over 1 MB before it reaches us.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)
# Opaque tokens, stored only as a hash, revocable one by one (see README "Tokens").
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("AUTH_TOKEN_TTL_DAYS", default=30)),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_LIMIT_PER_USER": 20,
}
KNOX_TOKEN_MODEL = "users.AuthToken"
# knox's migrations would create its own (swapped-out) token table, referencing users with
# nothing to clean it up; with no migrations for knox, only users.AuthToken exists.
MIGRATION_MODULES = {"knox": None}
SPECTACULAR_SETTINGS = {
    "TITLE": "TDAH Assistant API",
    "DESCRIPTION": "Todos, reminders and nudges for adults with ADHD, by SMS and REST.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI and ReDoc served from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TodoStatusEnum": "assistant.planner.models.Todo.Status",
        "ReminderStatusEnum": "assistant.planner.models.Reminder.Status",
    },
}

# --- Celery ---------------------------------------------------------------------------
# CELERY_BROKER_URL selects Redis or RabbitMQ; unset, kombu's filesystem transport, which
# lets the web process, worker and beat on one machine share a queue with no server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")


def filesystem_broker_options(queue_dir: Path) -> dict[str, Any]:
    """kombu's filesystem transport on queue_dir, created if missing."""
    queue_dir.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue_dir),
        "data_folder_out": str(queue_dir),
        # Broadcast (worker control) state; kombu's default is ./control in the cwd.
        "control_folder": str(queue_dir / "control"),
    }


if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(
        Path(env("CELERY_FILESYSTEM_DIR", default=str(BASE_DIR / ".celery" / "queue")))
    )
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
# A task is acknowledged after it ran, so a killed worker's task is redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Leave print() output (the console email backend's mails) as plain text on stdout rather
# than turning each line into a log record.
CELERY_WORKER_REDIRECT_STDOUTS = False
# django-celery-beat's DatabaseScheduler, which also records that beat is alive (monitoring).
CELERY_BEAT_SCHEDULER = "monitoring.beat:MonitoredDatabaseScheduler"
# --- Reminders ------------------------------------------------------------------------
REMINDER_DISPATCH_INTERVAL_SECONDS = env.float("REMINDER_DISPATCH_INTERVAL_SECONDS", default=30)
REMINDER_DISPATCH_BATCH_SIZE = env.int("REMINDER_DISPATCH_BATCH_SIZE", default=500)
# A run stops claiming new batches after this long, so beat ticks never pile up.
REMINDER_DISPATCH_TIME_BUDGET_SECONDS = env.float("REMINDER_DISPATCH_TIME_BUDGET_SECONDS", default=25)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=8)
REMINDER_RETRY_BASE_SECONDS = env.float("REMINDER_RETRY_BASE_SECONDS", default=30)
# Recurrence rules (API, chat, admin): how often a series may repeat on each delivery channel,
# how soon it must first occur, and how long one evaluation of a rule may take.
REMINDER_RRULE_MIN_INTERVAL_SECONDS = {
    "chat": env.int("REMINDER_RRULE_MIN_INTERVAL_CHAT_SECONDS", default=900),
    "sms": env.int("REMINDER_RRULE_MIN_INTERVAL_SMS_SECONDS", default=3600),
}
REMINDER_RRULE_HORIZON_DAYS = env.int("REMINDER_RRULE_HORIZON_DAYS", default=730)
REMINDER_RRULE_BUDGET_SECONDS = env.float("REMINDER_RRULE_BUDGET_SECONDS", default=0.05)
CHAT_MESSAGE_MAX_LENGTH = 5000
# How long a question the assistant asked ("08:00 or 20:00?") waits for its answer.
CHAT_CLARIFICATION_TTL_SECONDS = env.int("CHAT_CLARIFICATION_TTL_SECONDS", default=600)

# --- SMS ------------------------------------------------------------------------------
# Like EMAIL_BACKEND: console (logs), locmem (tests), or Twilio.
SMS_BACKEND = env("SMS_BACKEND", default="sms.backends.console.ConsoleSmsBackend")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="https://api.twilio.com")
TWILIO_TIMEOUT_SECONDS = env.float("TWILIO_TIMEOUT_SECONDS", default=10)
# The address Twilio calls us at, as Twilio sees it (signatures are computed on it): set it
# when a proxy sits in front. Empty: the request's own URL.
SMS_PUBLIC_BASE_URL = env("SMS_PUBLIC_BASE_URL", default="").rstrip("/")
SMS_STATUS_CALLBACK_URL = env(
    "SMS_STATUS_CALLBACK_URL", default=f"{SMS_PUBLIC_BASE_URL or PUBLIC_BASE_URL}/sms/twilio/status"
)
SMS_MAX_SEGMENTS = env.int("SMS_MAX_SEGMENTS", default=4)
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=8)
SMS_RETRY_BASE_SECONDS = env.float("SMS_RETRY_BASE_SECONDS", default=30)
SMS_RETRY_MAX_SECONDS = env.float("SMS_RETRY_MAX_SECONDS", default=300)
SMS_SWEEP_GRACE_SECONDS = env.int("SMS_SWEEP_GRACE_SECONDS", default=300)
# USD per segment by country calling code (longest prefix wins), for estimates until
# Twilio's callback gives the real price.
SMS_RATES_USD = env.json(
    "SMS_RATES_USD",
    default={"1": 0.0083, "33": 0.0798, "34": 0.0730, "351": 0.0410, "44": 0.0463, "default": 0.08},
)
SMS_SIGNUP_URL = env("SMS_SIGNUP_URL", default=f"{PUBLIC_BASE_URL}/api/docs/")
# What strangers and the keywords (HELP, STOP, START) are answered. Empty (the default): our
# texts, in the person's language (sms/locale). Set: that text as given, in every language.
SMS_SIGNUP_MESSAGE = env("SMS_SIGNUP_MESSAGE", default="")
SMS_HELP_MESSAGE = env("SMS_HELP_MESSAGE", default="")
SMS_STOP_MESSAGE = env("SMS_STOP_MESSAGE", default="")
SMS_START_MESSAGE = env("SMS_START_MESSAGE", default="")
PHONE_VERIFICATION_TTL_SECONDS = 600
PHONE_VERIFICATION_MAX_ATTEMPTS = 5
PHONE_VERIFICATION_RESEND_SECONDS = env.int("PHONE_VERIFICATION_RESEND_SECONDS", default=60)
# Caps that keep SMS from being aimed at a stranger or run up as a bill (sms/caps.py). Codes
# to one number count across all accounts; windows are rolling, except the spend, which is a
# budget per calendar day in TIME_ZONE (Twilio's price when known, else the SMS_RATES_USD
# estimate). Reaching the spend stops every SMS but on-call pages and keyword answers.
SMS_VERIFICATION_PER_NUMBER_PER_HOUR = env.int("SMS_VERIFICATION_PER_NUMBER_PER_HOUR", default=3)
SMS_VERIFICATION_PER_NUMBER_PER_DAY = env.int("SMS_VERIFICATION_PER_NUMBER_PER_DAY", default=5)
SMS_VERIFICATION_PER_ACCOUNT_PER_DAY = env.int("SMS_VERIFICATION_PER_ACCOUNT_PER_DAY", default=5)
SMS_PER_USER_PER_DAY = env.int("SMS_PER_USER_PER_DAY", default=40)
SMS_DAILY_SPEND_LIMIT_USD = env.float("SMS_DAILY_SPEND_LIMIT_USD", default=50.0)

# --- Integrations (Google, Microsoft, Notion) ---------------------------------------------
# Client credentials of the apps registered with each provider; a provider without them is
# listed as not configured. Each must list {PUBLIC_BASE_URL}/integrations/<provider>/callback
# as a redirect URI.
SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = env("GOOGLE_CLIENT_ID", default="")
SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = env("GOOGLE_CLIENT_SECRET", default="")
SOCIAL_AUTH_MICROSOFT_GRAPH_KEY = env("MICROSOFT_CLIENT_ID", default="")
SOCIAL_AUTH_MICROSOFT_GRAPH_SECRET = env("MICROSOFT_CLIENT_SECRET", default="")
SOCIAL_AUTH_NOTION_KEY = env("NOTION_CLIENT_ID", default="")
SOCIAL_AUTH_NOTION_SECRET = env("NOTION_CLIENT_SECRET", default="")
# social-auth only links provider accounts to signed-in users here (no social login), and
# keeps no token: the last step moves them, encrypted, onto our Integration row.
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    "social_core.pipeline.social_auth.social_user",
    "social_core.pipeline.social_auth.associate_user",
    "integrations.oauth.integration_store",
)
SOCIAL_AUTH_JSONFIELD_ENABLED = True
SOCIAL_AUTH_REQUESTS_TIMEOUT = env.float("INTEGRATION_HTTP_TIMEOUT_SECONDS", default=10)
# Provider endpoints: the real hosts unless pointed elsewhere (a proxy, or tests' local fakes).
GOOGLE_ACCOUNTS_URL = env("GOOGLE_ACCOUNTS_URL", default="https://accounts.google.com").rstrip("/")
GOOGLE_OAUTH2_URL = env("GOOGLE_OAUTH2_URL", default="https://oauth2.googleapis.com").rstrip("/")
GOOGLE_API_URL = env("GOOGLE_API_URL", default="https://www.googleapis.com").rstrip("/")
MICROSOFT_LOGIN_URL = env("MICROSOFT_LOGIN_URL", default="https://login.microsoftonline.com").rstrip("/")
MICROSOFT_TENANT = env("MICROSOFT_TENANT", default="common")
MICROSOFT_GRAPH_URL = env("MICROSOFT_GRAPH_URL", default="https://graph.microsoft.com").rstrip("/")
NOTION_API_URL = env("NOTION_API_URL", default="https://api.notion.com").rstrip("/")
INTEGRATION_HTTP_TIMEOUT_SECONDS = SOCIAL_AUTH_REQUESTS_TIMEOUT
# How long the link from "connect" stays usable.
INTEGRATION_AUTHORIZATION_TTL_SECONDS = env.int("INTEGRATION_AUTHORIZATION_TTL_SECONDS", default=600)
# Tokens expiring within this are refreshed by the beat task.
INTEGRATION_REFRESH_LEAD_SECONDS = env.int("INTEGRATION_REFRESH_LEAD_SECONDS", default=600)
INTEGRATION_SYNC_INTERVAL_SECONDS = env.int("INTEGRATION_SYNC_INTERVAL_SECONDS", default=600)
INTEGRATION_SYNC_WINDOW_DAYS = env.int("INTEGRATION_SYNC_WINDOW_DAYS", default=7)
# A sync holds its integration this long at most (a crashed worker's claim then lapses).
INTEGRATION_SYNC_LEASE_SECONDS = env.int("INTEGRATION_SYNC_LEASE_SECONDS", default=600)
INTEGRATION_RETRY_BASE_SECONDS = env.float("INTEGRATION_RETRY_BASE_SECONDS", default=60)
# Consecutive failed syncs before the integration shows as "error" (it keeps retrying).
INTEGRATION_SYNC_MAX_FAILURES = env.int("INTEGRATION_SYNC_MAX_FAILURES", default=5)

# --- Data retention ---------------------------------------------------------------------
# Chat messages, SMS bodies and numbers, and reminder deliveries older than this are purged by
# the beat task (assistant/core/retention.py; the README's "Data retention" says what stays).
DATA_RETENTION_DAYS = env.positive_int("DATA_RETENTION_DAYS", default=365)
# Rows per statement, so that no purge holds many row locks or a long transaction; a run goes
# on batch after batch until every kind is done or its time budget is spent.
DATA_RETENTION_BATCH_SIZE = env.positive_int("DATA_RETENTION_BATCH_SIZE", default=1000)
DATA_RETENTION_TIME_BUDGET_SECONDS = env.float("DATA_RETENTION_TIME_BUDGET_SECONDS", default=120)

CELERY_BEAT_SCHEDULE = {
    "integrations-refresh-due": {
        "task": "integrations.tasks.integrations_refresh_due",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
    "integrations-sync-due": {
        "task": "integrations.tasks.integrations_sync_due",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
    "sms-outbox-sweep": {
        "task": "sms.tasks.sms_outbox_sweep",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 60},
    },
    "reminders-dispatch": {
        "task": "assistant.planner.tasks.reminders_dispatch",
        "schedule": timedelta(seconds=REMINDER_DISPATCH_INTERVAL_SECONDS),
        # A run that could not start in time is dropped: the next one picks up its rows.
        "options": {"expires": REMINDER_DISPATCH_INTERVAL_SECONDS},
    },
    "auth-tokens-purge-expired": {
        "task": "assistant.users.tasks.auth_tokens_purge_expired",
        "schedule": timedelta(hours=1),
    },
    # Hourly, so each run has about an hour's worth of rows and a backlog (the first run, or
    # after an outage) drains over a few runs within the time budget.
    "data-retention-purge": {
        "task": "assistant.core.tasks.data_retention_purge",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3600},
    },
}

# --- Metrics --------------------------------------------------------------------------
# /metrics requires "Authorization: Bearer <METRICS_TOKEN>" when the token is set.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Monitoring: health checks ------------------------------------------------------------
# Results are cached per process this long; a probe that finds them older is answered with
# them while one background run refreshes them, unless they are older than MAX_STALE (then it
# waits for a run). Kept in memory, not in Redis, so the checks work when Redis is down.
HEALTH_CHECK_CACHE_SECONDS = env.float("HEALTH_CHECK_CACHE_SECONDS", default=5)
HEALTH_CHECK_MAX_STALE_SECONDS = env.float("HEALTH_CHECK_MAX_STALE_SECONDS", default=30)
# Each check's own time limit, in seconds: past it the component reads "timed out" (unhealthy).
# Short, since a probe waits for the slowest; HEALTH_CHECK_TIMEOUTS='{"database": 5}' overrides.
HEALTH_CHECK_TIMEOUTS = {
    "database": 3.0,
    "migrations": 3.0,
    "database_performance": 3.0,
    "cache": 1.5,
    "broker": 2.0,
    # The ping waits 80% of this for the first answer; the broker's reply polling can take about
    # a second. gunicorn runs the checks as each worker starts (deploy/gunicorn.conf.py), so
    # probes are answered from results and never wait for this.
    "celery_workers": 2.0,
    "celery_beat": 2.0,
    "disk": 1.0,
    "memory": 1.0,
    **env.json("HEALTH_CHECK_TIMEOUTS", default={}),
}
# The database check's own connection (outside the pool) gives up after this many seconds, so a
# server that does not answer is reported as a timeout before the check's limit above (libpq
# counts whole seconds, 2 at least), and a refused connection is reported as refused at once.
HEALTH_CHECK_DATABASE_CONNECT_TIMEOUT = max(env.int("HEALTH_CHECK_DATABASE_CONNECT_TIMEOUT", default=2), 2)
# For apps' checks (their health.py) that name no timeout.
HEALTH_CHECK_DEFAULT_TIMEOUT_SECONDS = env.float("HEALTH_CHECK_DEFAULT_TIMEOUT_SECONDS", default=2.0)
# Where the data lives, for the disk check's free space.
HEALTH_CHECK_DISK_PATH = env("HEALTH_CHECK_DISK_PATH", default=str(BASE_DIR))

# --- Monitoring: Celery metrics ------------------------------------------------------------
# The worker's and beat's own /metrics exporters (monitoring/celery_metrics.py). 0 or empty
# turns one off: scripts/run does, since web, worker and beat share one metrics directory
# there and the web's /metrics already shows it all.
CELERY_WORKER_METRICS_PORT = int(env("CELERY_WORKER_METRICS_PORT", default="9808") or 0)
CELERY_BEAT_METRICS_PORT = int(env("CELERY_BEAT_METRICS_PORT", default="9809") or 0)
# Loopback unless told otherwise; containers set 0.0.0.0 so Prometheus can reach them.
CELERY_METRICS_ADDR = env("CELERY_METRICS_ADDR", default="127.0.0.1")
# How often the worker and beat count the messages waiting in each queue (one broker call
# per queue), rather than on every scrape.
CELERY_QUEUE_LENGTH_INTERVAL_SECONDS = env.float("CELERY_QUEUE_LENGTH_INTERVAL_SECONDS", default=15)

# --- Monitoring: business metrics and slow queries -----------------------------------------
# Statements slower than this are counted (database_slow_queries_total) and logged
# (event=slow_query), with the SQL's shape but never its parameters.
DATABASE_SLOW_QUERY_MS = env.float("DATABASE_SLOW_QUERY_MS", default=500)
# The business gauges (active users, retention, adoption) are computed by a beat task this
# often and read from the cache by /metrics; they describe days and months, so minutes of
# delay cost nothing, while each run reads the month's messages (monitoring/business.py).
BUSINESS_METRICS_REFRESH_SECONDS = env.int("BUSINESS_METRICS_REFRESH_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["monitoring-business-metrics"] = {
    "task": "monitoring.tasks.business_metrics_refresh",
    "schedule": timedelta(seconds=BUSINESS_METRICS_REFRESH_SECONDS),
    "options": {"expires": BUSINESS_METRICS_REFRESH_SECONDS},
}

# --- Monitoring: Alertmanager webhook ------------------------------------------------------
# Alertmanager sends "Authorization: Bearer <token>" (http_config.authorization); unset, the
# webhook refuses everything with a 503.
ALERTMANAGER_WEBHOOK_TOKEN = env("ALERTMANAGER_WEBHOOK_TOKEN", default="")
# The staff member texted (through the SMS outbox) when a critical alert fires: an active staff
# account with a verified phone. Unset: nobody is paged by the app.
ALERT_ONCALL_EMAIL = env("ALERT_ONCALL_EMAIL", default="")

# --- Logging --------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
# dictConfig, then no per-record caller or thread lookups: the JSON lines never carry them.
LOGGING_CONFIG = "assistant.core.logging.configure"
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "assistant.core.logging.RequestContextFilter"},
        "only_tracebacks": {"()": "assistant.core.logging.OnlyTracebacks"},
    },
    "formatters": {"json": {"()": "assistant.core.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["context"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Our request middleware writes one line per request; these would repeat it. Django's
        # defaults stop runserver's logger propagating: without a handler here its lines fell
        # to Python's plain-text last resort on stderr.
        "django.server": {"level": "WARNING", "propagate": True},
        "django.request": {"level": "ERROR", "filters": ["only_tracebacks"]},
        "django.db.backends": {"level": "WARNING"},
        # Five lines per API call (URL and headers); our own events say what matters.
        "twilio.http_client": {"level": "WARNING"},
    },
}
