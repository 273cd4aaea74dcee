from django.db.backends.sqlite3 import base

from monitoring.backends import Instrumented


class DatabaseWrapper(Instrumented, base.DatabaseWrapper):
    pass
