"""Production: nothing falls back to the embedded defaults.

SECRET_KEY and ALLOWED_HOSTS have no default, so a missing one stops the import. Everything else
production needs (PostgreSQL, Redis, a real broker, an explicit SMS backend and proxy count,
long tokens, Fernet keys) is checked by the system checks in assistant/core/checks.py, which
name each missing piece and stop `migrate` (run before the app starts) and `check --deploy`.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import TRUSTED_PROXY_COUNT, env

DEBUG = False
REQUIRE_PRODUCTION_CONFIGURATION = True
PRODUCTION_UNSET_VARIABLES = [
    name for name in ("SMS_BACKEND", "TRUSTED_PROXY_COUNT") if name not in env.ENVIRON
]
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
ADMIN_REQUIRE_MFA = True
SUPPORT_MFA_RESET_REQUIRES_STAFF_MFA = True

# TLS ends at the proxy (the shipped nginx), which overwrites X-Forwarded-Proto with the
# scheme the client used. Without a trusted proxy in front, a client could send the header
# itself: it is believed exactly when X-Forwarded-For is (TRUSTED_PROXY_COUNT).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health probes and Prometheus talk plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$", r"^monitoring/alerts/webhook$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
