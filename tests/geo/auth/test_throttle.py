from __future__ import annotations

from datetime import datetime, timedelta

from geo.auth.throttle import (
    DEFAULT,
    Attempts,
    Gate,
    Policy,
    delay_after,
    failed,
    gate,
    just_locked,
    succeeded,
)

T0 = datetime(2026, 3, 1, 8, 0, 0)


def _fail(state: Attempts, at: datetime, times: int = 1) -> Attempts:
    for _ in range(times):
        state = failed(state, at)
    return state


def test_the_defaults() -> None:
    assert (DEFAULT.free, DEFAULT.delay_s, DEFAULT.lock_after) == (3, 5, 5)
    assert (DEFAULT.lock, DEFAULT.forget) == (timedelta(minutes=15), timedelta(minutes=30))
    assert [delay_after(n) for n in range(1, 5)] == [0, 0, 5, 10]


def test_the_first_failures_are_answered_at_once() -> None:
    state = _fail(Attempts(), T0, 2)
    assert state.failures == 2
    assert gate(state, T0) == Gate(True)


def test_then_each_attempt_waits_longer() -> None:
    state = _fail(Attempts(), T0, 3)
    assert gate(state, T0 + timedelta(seconds=1)) == Gate(False, 4)
    assert gate(state, T0 + timedelta(seconds=5)).allowed
    state = failed(state, T0 + timedelta(seconds=5))
    assert gate(state, T0 + timedelta(seconds=5)) == Gate(False, 10)
    assert gate(state, T0 + timedelta(seconds=14.5)) == Gate(False, 1)
    assert gate(state, T0 + timedelta(seconds=15)).allowed


def test_the_fifth_failure_locks_for_fifteen_minutes_then_each_failure_locks_again() -> None:
    state = _fail(Attempts(), T0, 4)
    locked = failed(state, T0 + timedelta(seconds=20))
    assert just_locked(state, locked)
    assert locked.locked_until == T0 + timedelta(minutes=15, seconds=20)
    assert gate(locked, T0 + timedelta(minutes=1)) == Gate(False, 860, locked=True)
    after_lock = T0 + timedelta(minutes=16)
    assert gate(locked, after_lock) == Gate(True)
    again = failed(locked, after_lock)
    assert just_locked(locked, again)
    assert gate(again, after_lock).locked


def test_failures_are_forgotten_after_a_quiet_half_hour_and_on_success() -> None:
    state = _fail(Attempts(), T0, 4)
    later = T0 + timedelta(minutes=30)
    assert gate(state, later) == Gate(True)
    assert failed(state, later).failures == 1
    locked = _fail(Attempts(), T0, 5)
    assert failed(locked, T0 + timedelta(minutes=44)).failures == 6  # 29 minutes after the lock ended
    assert failed(locked, T0 + timedelta(minutes=45)).failures == 1
    assert succeeded() == Attempts()


def test_a_policy_can_be_stricter() -> None:
    policy = Policy(free=1, delay_s=1, lock_after=2, lock=timedelta(minutes=1), forget=timedelta(minutes=2))
    state = failed(Attempts(), T0, policy)
    assert gate(state, T0, policy) == Gate(False, 1)
    state = failed(state, T0 + timedelta(seconds=1), policy)
    assert gate(state, T0 + timedelta(seconds=2), policy) == Gate(False, 59, locked=True)
