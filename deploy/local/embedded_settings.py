"""Production settings for the one-machine stack when it runs on SQLite or without Redis.

deploy/local/stack.py picks this module only then (it uses config.settings.production as is
when given PostgreSQL and Redis, as CI does), as do the tests that start gunicorn on SQLite.
It silences the three checks that refuse the embedded database, cache and broker; every other
production check still holds. Never for a real deployment.
"""

from config.settings.production import *  # noqa: F403

SILENCED_SYSTEM_CHECKS = ["production.E001", "production.E002", "production.E003"]
