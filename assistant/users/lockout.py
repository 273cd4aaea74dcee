"""Lockout for guesses at a password or a second factor, which strangers cannot turn against
the account's owner.

Three counters, each over its own window:

- the pair (account, client address) locks quickly (LOGIN_FAILURE_LIMIT): a stranger guessing
  from their address locks only themselves out of this account;
- the client address, across accounts (LOGIN_IP_FAILURE_LIMIT): one address spraying many
  accounts;
- the account as a whole, from every address, only at a much higher count
  (LOGIN_ACCOUNT_FAILURE_LIMIT), for a delay that doubles each time it trips again within a
  day (LOGIN_ACCOUNT_LOCKOUT_SECONDS up to LOGIN_ACCOUNT_LOCKOUT_MAX_SECONDS; counting starts
  again when a lock ends): a distributed attack slows down to at most that many guesses per
  delay without locking the owner out for long.

An attempt is counted *before* its credentials are checked (`attempt_reserve`), with an atomic
counter in the cache (assistant/core/counters.py, in Redis and in local memory alike), so parallel
guesses cannot all slip in before the first failure is recorded: with a limit of 5, at most 5
guesses are ever evaluated. A refused attempt takes its reservation back, so hammering a locked
pair does not add up on the account.

Counters live in the cache (Redis in production), which is shared by every web process;
losing them only forgets recent failures, which is acceptable.
"""

import contextlib
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from assistant.core.counters import counter_incr

# How long an account's past lockouts make the next one longer.
_STRIKE_MEMORY_SECONDS = 24 * 3600


class Locked(Exception):
    """The attempt was refused without being evaluated: something is locked for `seconds`."""

    def __init__(self, seconds: int) -> None:
        super().__init__(f"locked for {seconds} s")
        self.seconds = seconds


@dataclass(frozen=True)
class _Subject:
    key: str
    limit: int
    window_seconds: int
    progressive: bool = False

    @property
    def until_key(self) -> str:
        return f"{self.key}:until"

    def lock_seconds(self) -> int:
        """The lockout this subject gets now that it reached its limit."""
        if not self.progressive:
            return int(settings.LOGIN_LOCKOUT_SECONDS)
        strikes = counter_incr(f"{self.key}:strikes", window_seconds=_STRIKE_MEMORY_SECONDS) or 1
        base, ceiling = settings.LOGIN_ACCOUNT_LOCKOUT_SECONDS, settings.LOGIN_ACCOUNT_LOCKOUT_MAX_SECONDS
        return int(min(base * 2 ** min(strikes - 1, 32), ceiling))


@dataclass
class Attempt:
    """One guess, counted in each of its subjects until it is known to have succeeded."""

    pair: _Subject
    subjects: list[_Subject]
    counts: dict[str, int] = field(default_factory=dict)


def _key(kind: str, value: str) -> str:
    return f"lockout:{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()[:32]}"


def _pair(email: str, ip: str | None) -> _Subject:
    return _Subject(
        _key("pair", f"{email}|{ip or ''}"),
        settings.LOGIN_FAILURE_LIMIT,
        settings.LOGIN_FAILURE_WINDOW_SECONDS,
    )


def _account(email: str) -> _Subject:
    return _Subject(
        _key("account", email),
        settings.LOGIN_ACCOUNT_FAILURE_LIMIT,
        settings.LOGIN_ACCOUNT_FAILURE_WINDOW_SECONDS,
        progressive=True,
    )


def _subjects(email: str, ip: str | None) -> list[_Subject]:
    """The pair first, then the account and (when known) the address."""
    subjects = [_pair(email, ip), _account(email)]
    if ip:
        subjects.append(
            _Subject(_key("ip", ip), settings.LOGIN_IP_FAILURE_LIMIT, settings.LOGIN_FAILURE_WINDOW_SECONDS)
        )
    return subjects


def _decr(key: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to take back
        cache.decr(key)


def _remaining(subjects: list[_Subject]) -> int:
    now = time.time()
    deadlines = cache.get_many([subject.until_key for subject in subjects]).values()
    return max([int(until - now + 0.999) for until in deadlines if until > now], default=0)


def attempt_reserve(*, email: str, ip: str | None) -> Attempt:
    """Count a guess before checking it; raises Locked (counting nothing) when a subject is
    locked or already has as many guesses counted or in flight as its limit allows."""
    subjects = _subjects(email, ip)
    if remaining := _remaining(subjects):
        raise Locked(remaining)
    attempt = Attempt(pair=subjects[0], subjects=subjects)
    for subject in subjects:
        count = counter_incr(subject.key, window_seconds=subject.window_seconds)
        if count is None:  # cache unreachable: degrade to no lockout rather than fail
            continue
        attempt.counts[subject.key] = count
        if count > subject.limit:
            attempt_release(attempt)
            # The guesses before this one are still being checked: they decide the lockout.
            raise Locked(_remaining(subjects) or settings.LOGIN_LOCKOUT_SECONDS)
    return attempt


def attempt_release(attempt: Attempt) -> None:
    """Take the guess back: it was neither a failure nor a success (a second factor is asked)."""
    for key in attempt.counts:
        _decr(key)
    attempt.counts.clear()


def attempt_succeeded(attempt: Attempt) -> None:
    """The right credentials from this address: forget its failures here; elsewhere they stay."""
    attempt_release(attempt)
    cache.delete(attempt.pair.key)


def attempt_failed(attempt: Attempt) -> int:
    """Keep the guess counted; returns the lockout in seconds it triggered (0 if none)."""
    locked_for = 0
    for subject in attempt.subjects:
        count = attempt.counts.get(subject.key)
        if count is None or count < subject.limit:
            continue
        seconds = subject.lock_seconds()
        cache.set(subject.until_key, time.time() + seconds, timeout=seconds)
        # The counter now lives exactly as long as the lock: until then it keeps refusing new
        # guesses even if the lock's own key were lost; after it, counting starts again.
        cache.touch(subject.key, timeout=seconds)
        locked_for = max(locked_for, seconds)
    attempt.counts.clear()
    return locked_for


def login_failures_reset(*, email: str, ip: str | None) -> None:
    """The owner proved who they are (a new password): clear the account's counters and lock,
    and those of the pair at their address. Strangers' pairs elsewhere stay locked."""
    keys = []
    for subject in (_pair(email, ip), _account(email)):
        keys += [subject.key, subject.until_key]
    cache.delete_many([*keys, f"{_account(email).key}:strikes"])


def account_unlock(*, email: str, ips: Iterable[str | None]) -> None:
    """Support's unlock, once staff know the person: the account's counter, lock and strikes,
    its pairs at every address its failures came from (and without one), and its count of
    password-reset e-mails, so the person can sign in or ask for a link at once. The counters of
    the addresses stay: they count guesses at every account from there, not only this one's."""
    account = _account(email)
    subjects = [account, *(_pair(email, ip) for ip in {*ips, None})]
    keys = [key for subject in subjects for key in (subject.key, subject.until_key)]
    cache.delete_many([*keys, f"{account.key}:strikes", _key("reset-account", email)])


def password_reset_refusal(*, email: str, ip: str | None) -> str:
    """Count one reset request: "" when its e-mail may go, else the limit that refuses it
    ("address" or "account"). Addresses that have no account count too, so the answer never
    depends on whether one exists."""
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    if ip:
        count = counter_incr(_key("reset-ip", ip), window_seconds=window)
        if count is not None and count > settings.PASSWORD_RESET_IP_LIMIT:
            return "address"
    count = counter_incr(_key("reset-account", email), window_seconds=window)
    if count is not None and count > settings.PASSWORD_RESET_ACCOUNT_LIMIT:
        return "account"
    return ""
