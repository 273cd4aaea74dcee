"""The embedded default: one machine, nothing to install beyond Python."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-only-key-never-used-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# No collectstatic needed locally: whitenoise finds static files in the apps.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
