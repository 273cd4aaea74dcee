"""Password hashing: Argon2id at the parameters this deployment chose (README, "Passwords")."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id at one of the OWASP Password Storage Cheat Sheet's equivalent settings (19 MiB
    of memory, 2 passes, 1 lane), lighter than RFC 9106's (64 MiB, 3 passes, 4 lanes).

    Django's defaults (100 MiB, 2 passes, 8 lanes) are sized for a dedicated host: here each
    sync gunicorn worker hashes on one of two shared cores, so eight lanes only queue behind
    one another, and 100 MiB per login in flight is a memory spike per worker. The algorithm
    name stays Django's "argon2": the hashes read the same, and a hash made at other parameters
    is made again at these when its owner next signs in (must_update).
    """

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
