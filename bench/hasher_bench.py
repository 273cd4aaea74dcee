"""CPU and wall time of one password hash plus one check, per hasher: Django's PBKDF2 (what
passwords used before Argon2id), Django's stock Argon2 parameters, RFC 9106's lighter
recommendation, and ours.

    .venv/bin/python bench/hasher_bench.py [--rounds 20]

A sign-up costs one hash; a sign-in one check (plus one hash the first time, when an older
hash is upgraded). CPU time is the process's (all its threads: Argon2's lanes run in threads),
so a figure above the wall time means the hash used more than one core.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, PBKDF2PasswordHasher

from assistant.users.hashers import Argon2idPasswordHasher

PASSWORD = "correct horse battery staple"


class Rfc9106SecondOption(Argon2PasswordHasher):
    """RFC 9106's recommendation for when 2 GiB per hash is too much (section 4)."""

    time_cost, memory_cost, parallelism = 3, 64 * 1024, 4


def measure(hasher: BasePasswordHasher, rounds: int) -> tuple[list[float], list[float]]:
    """(CPU seconds, wall seconds) of each round's hash + check."""
    cpu, wall = [], []
    for _ in range(rounds):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        encoded = hasher.encode(PASSWORD, hasher.salt())
        assert hasher.verify(PASSWORD, encoded)
        cpu.append(time.process_time() - cpu_start)
        wall.append(time.perf_counter() - wall_start)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    hashers = {
        f"PBKDF2-SHA256 {PBKDF2PasswordHasher.iterations:,} iterations (Django's)": PBKDF2PasswordHasher(),
        "Argon2id m=100 MiB t=2 p=8 (Django's default)": Argon2PasswordHasher(),
        "Argon2id m=64 MiB t=3 p=4 (RFC 9106's second option)": Rfc9106SecondOption(),
        "Argon2id m=19 MiB t=2 p=1 (ours)": Argon2idPasswordHasher(),
    }
    print(f"hash + check, {rounds} rounds each, medians (min-max), ms; {os.cpu_count()} cores seen")
    print(f"{'hasher':<58} {'CPU':>22} {'wall':>22}")
    for name, hasher in hashers.items():
        measure(hasher, 1)  # warm-up
        cpu, wall = measure(hasher, rounds)
        row = [
            f"{statistics.median(s) * 1000:.1f} ({min(s) * 1000:.0f}-{max(s) * 1000:.0f})"
            for s in (cpu, wall)
        ]
        print(f"{name:<58} {row[0]:>22} {row[1]:>22}")


if __name__ == "__main__":
    main()
