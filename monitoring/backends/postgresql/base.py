from assistant.core.backends.postgresql import base
from monitoring.backends import Instrumented


class DatabaseWrapper(Instrumented, base.DatabaseWrapper):
    pass
