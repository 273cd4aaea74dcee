"""The anchor's settings: what any Django + DRF app needs to answer a token-authenticated list,
and nothing of the project's (no project app, middleware, throttle, pagination or metrics).

The environment gives ANCHOR_DATABASE_URL (postgres://user@host:port/name) and SECRET_KEY.
"""

import os
from urllib.parse import urlsplit

_database = urlsplit(
    os.environ.get("ANCHOR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assistant_bench_anchor")
)

SECRET_KEY = os.environ.get("SECRET_KEY", "anchor-only-" + "k" * 50)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "bench.anchor",
]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "bench.anchor.urls"
WSGI_APPLICATION = "bench.anchor.wsgi.application"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _database.path.lstrip("/"),
        "USER": _database.username or "postgres",
        "PASSWORD": _database.password or "",
        "HOST": _database.hostname or "127.0.0.1",
        "PORT": str(_database.port or 5432),
        # Django's cheapest way to keep a connection (the project uses a pool): bare means the
        # least a Django app can spend, so the ratio includes the project's choices.
        "CONN_MAX_AGE": None,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}
# gunicorn's own error log only; Django logs nothing per request without middleware.
LOGGING = {"version": 1, "disable_existing_loggers": False}
