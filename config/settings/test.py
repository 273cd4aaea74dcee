"""Settings for the test suite: the embedded default unless DATABASE_URL / REDIS_URL are set."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, CACHES, DATABASES, LOGGING, REDIS_URL, REST_FRAMEWORK, env

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

if REDIS_URL:
    # Tests must see a dead Redis, not have it silently ignored.
    CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] = False
    CACHES["default"]["KEY_PREFIX"] = "assistant-test"
# No collectstatic in tests: find files in the apps instead of STATIC_ROOT.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
