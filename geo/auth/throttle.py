"""Slowing, then locking, repeated failed logins of one name: pure functions over an injected clock.

The first `Policy.free` consecutive failures are answered at once; after that each attempt must wait
(`Policy.delay_s`, doubled after each further failure); at `Policy.lock_after` failures the name is
locked for `Policy.lock`, and each failure after a lock ends locks it again, until a success or
`Policy.forget` without failures. With the defaults: failures 1–2 free, a 5 s wait after the 3rd, 10 s
after the 4th, then 15 minutes locked (about four guesses an hour from then on).

Examples
--------
>>> from datetime import datetime
>>> now = datetime(2026, 1, 1, 8, 0)
>>> state = Attempts()
>>> for _ in range(3):
...     state = failed(state, now)
>>> gate(state, now)
Gate(allowed=False, wait_s=5, locked=False)
>>> gate(state, now + timedelta(seconds=5)).allowed
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from geo import settings


@dataclass(frozen=True)
class Policy:
    """Thresholds of the throttle (defaults from `geo.settings`)."""

    free: int = settings.LOGIN_FREE_FAILURES
    delay_s: float = settings.LOGIN_DELAY_S
    lock_after: int = settings.LOGIN_LOCK_AFTER
    lock: timedelta = field(default_factory=lambda: timedelta(minutes=settings.LOGIN_LOCK_MINUTES))
    forget: timedelta = field(default_factory=lambda: timedelta(minutes=settings.LOGIN_FORGET_MINUTES))


DEFAULT = Policy()


@dataclass(frozen=True)
class Attempts:
    """The failed logins of one name so far."""

    failures: int = 0
    last_failure: datetime | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class Gate:
    """Whether an attempt may be checked now; if not, for how many seconds more, and whether locked."""

    allowed: bool
    wait_s: int = 0
    locked: bool = False


def _forgotten(state: Attempts, now: datetime, policy: Policy) -> bool:
    if state.last_failure is None:
        return True
    quiet_since = max(state.last_failure, state.locked_until or state.last_failure)
    return now - quiet_since >= policy.forget


def gate(state: Attempts, now: datetime, policy: Policy = DEFAULT) -> Gate:
    """Return whether a login attempt may be checked at ``now``."""
    if state.locked_until is not None and now < state.locked_until:
        return Gate(False, _seconds(state.locked_until - now), locked=True)
    if state.failures < policy.free or state.last_failure is None or _forgotten(state, now, policy):
        return Gate(True)
    if state.failures >= policy.lock_after:  # a lock has just ended: one more try
        return Gate(True)
    ready = state.last_failure + timedelta(seconds=delay_after(state.failures, policy))
    return Gate(True) if now >= ready else Gate(False, _seconds(ready - now))


def delay_after(failures: int, policy: Policy = DEFAULT) -> float:
    """Return the wait (seconds) after ``failures`` consecutive failures, before any lock."""
    if failures < policy.free:
        return 0.0
    return float(policy.delay_s * 2 ** (failures - policy.free))


def failed(state: Attempts, now: datetime, policy: Policy = DEFAULT) -> Attempts:
    """Return the state after a failed attempt at ``now`` (locking the name when it is due)."""
    failures = 1 if _forgotten(state, now, policy) else state.failures + 1
    locked = now + policy.lock if failures >= policy.lock_after else None
    return Attempts(failures, now, locked)


def succeeded() -> Attempts:
    """Return the state after a successful login: every failure forgotten."""
    return Attempts()


def just_locked(before: Attempts, after: Attempts) -> bool:
    """Return True when the failure that made ``after`` from ``before`` locked the name."""
    return after.locked_until is not None and after.locked_until != before.locked_until


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))
