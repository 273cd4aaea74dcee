"""Settings for the test suite: the embedded default unless DATABASE_URL / REDIS_URL are set."""

from urllib.parse import urlsplit, urlunsplit

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    BASE_DIR,
    CACHES,
    CELERY_BROKER_URL,
    DATABASES,
    LOGGING,
    MONITORING_CACHE_ALIAS,
    REDIS_URL,
    REST_FRAMEWORK,
    env,
    filesystem_broker_options,
    uninstrumented_cache,
)

# pytest-xdist runs the suite in worker processes named gw0, gw1, ... (`-n 2`); each needs
# state of its own where tests empty or share it. pytest-django gives each its own test
# database (the name suffixed with the worker's); the cache and the queue are done below.
XDIST_WORKER = env("PYTEST_XDIST_WORKER", default="")

SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "sms.backends.locmem.LocmemSmsBackend"
TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
TWILIO_FROM_NUMBER = "+15005550006"
SMS_PUBLIC_BASE_URL = ""
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests assert on throttling explicitly; generous defaults keep the rest of the suite clear.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/min", "user": "10000/min", "auth": "10000/min"},
}
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
LOGGING["root"]["level"] = LOG_LEVEL

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: threads in concurrency tests then get their own connections that
    # wait on SQLite's write lock instead of failing on shared-cache table locks.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".pytest-db.sqlite3")}

if REDIS_URL and XDIST_WORKER not in ("", "gw0"):
    # Every test empties the cache (FLUSHDB on Redis): another worker's would vanish under it.
    # The first worker keeps REDIS_URL's database, the others take 8, 9, ... (Redis has 16),
    # past those of the benchmarks (2) and of the local stacks (3-7, deploy/local/stack.py).
    REDIS_URL = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{7 + int(XDIST_WORKER.removeprefix('gw'))}"))
    CACHES["default"]["LOCATION"] = REDIS_URL
if REDIS_URL:
    # Tests must see a dead Redis, not have it silently ignored.
    CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] = False
    CACHES["default"]["KEY_PREFIX"] = "assistant-test"
# Monitoring's alias follows the default cache it shadows.
CACHES[MONITORING_CACHE_ALIAS] = uninstrumented_cache(CACHES["default"])
if CELERY_BROKER_URL == "filesystem://":
    # A queue of the tests' own, per worker: what a test sends or broadcasts (a ping) reaches
    # neither a worker started by scripts/run nor the other xdist workers' tests.
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(
        BASE_DIR / ".celery" / f"test-{XDIST_WORKER or 'main'}" / "queue"
    )
# No collectstatic in tests: find files in the apps instead of STATIC_ROOT.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Django's own dictConfig, without assistant.core.logging.configure's switches: a failing test's
# captured log lines keep the file and line that logged them (the JSON lines never show those).
LOGGING_CONFIG = "logging.config.dictConfig"
