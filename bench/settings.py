"""Production settings plus /bench/reference, the project's stack with an empty view (bench/urls.py)."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
