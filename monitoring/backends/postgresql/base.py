from django.db.backends.postgresql import base

from monitoring.backends import Instrumented


class DatabaseWrapper(Instrumented, base.DatabaseWrapper):
    pass
