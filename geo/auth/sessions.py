"""When a login is required, and when a logged-in session ends for lack of use.

Examples
--------
>>> login_required("127.0.0.1"), login_required("0.0.0.0"), login_required(None)
(False, True, True)
>>> login_required("localhost", forced=True)
True
>>> from datetime import datetime
>>> idle_expired(datetime(2026, 1, 1, 8, 0), datetime(2026, 1, 1, 8, 31), timedelta(minutes=30))
True
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from geo import settings


def is_loopback(address: str | None) -> bool:
    """Return True when a server bound to ``address`` is reachable from this machine only.

    An empty or missing address means every interface (Streamlit's default), which is not loopback.
    """
    if not address:
        return False
    host = address.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to anything
        return False


def login_required(address: str | None, *, forced: bool = False) -> bool:
    """Return True when the app bound to ``address`` must ask for a login (always beyond localhost)."""
    return forced or not is_loopback(address)


def idle_limit() -> timedelta:
    """Return how long a session may stay without interaction (`settings.SESSION_IDLE_MINUTES`)."""
    return timedelta(minutes=settings.SESSION_IDLE_MINUTES)


def idle_expired(last_seen: datetime | None, now: datetime, limit: timedelta | None = None) -> bool:
    """Return True when a session last used at ``last_seen`` has ended by ``now`` (None: never used)."""
    if last_seen is None:
        return True
    return now - last_seen >= (limit if limit is not None else idle_limit())
