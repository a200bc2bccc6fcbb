from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from geo.auth.sessions import idle_expired, idle_limit, is_loopback, login_required


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("dashboard.local", False),
        ("", False),
        (None, False),
    ],
)
def test_loopback_addresses(address: str | None, loopback: bool) -> None:
    assert is_loopback(address) is loopback
    assert login_required(address) is not loopback
    assert login_required(address, forced=True)


def test_idle_sessions_end_after_thirty_minutes() -> None:
    assert idle_limit() == timedelta(minutes=30)
    seen = datetime(2026, 3, 1, 8, 0)
    assert not idle_expired(seen, seen + timedelta(minutes=29, seconds=59))
    assert idle_expired(seen, seen + timedelta(minutes=30))
    assert idle_expired(seen, seen + timedelta(minutes=2), timedelta(minutes=1))
    assert idle_expired(None, seen)
