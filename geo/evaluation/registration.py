"""A pre-registered evaluation: when the evaluation settings were first saved and every later change.

Issue 12, item 11. A verdict is only as honest as the settings behind it: choosing the start date,
the targets, the windows, the baseline or the primary outcome after seeing the figures can make any
plan look good. The store's audit trail already keeps every saved plan with its time and user; this
module reads those saves (oldest first) and says when the evaluation was registered and what changed
since — in particular what changed after the plan had started.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

FIELDS = ("start", "targets", "before_months", "after_months", "selection", "primary")
"""The plan's fields that decide the verdict (its name and note do not)."""

_DEFAULTS: dict[str, Any] = {"selection": "", "primary": "all"}


@dataclass(frozen=True)
class Revision:
    """One saved change of the evaluation settings.

    ``changes`` maps a field of `FIELDS` to its (previous, new) value; ``after_start`` says whether the
    change was saved on or after the plan's start day (then the data after the start could be seen).
    """

    time: datetime
    user: str
    changes: dict[str, tuple[Any, Any]]
    after_start: bool


@dataclass(frozen=True)
class Registration:
    """When the evaluation settings were first saved, by whom, and the changes since (oldest first)."""

    time: datetime
    user: str
    revisions: tuple[Revision, ...]


def _settings(plan: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: plan.get(name, _DEFAULTS.get(name)) for name in FIELDS}
    values["targets"] = tuple(values["targets"] or ())
    return values


def registration(saves: Sequence[tuple[datetime, str, Mapping[str, Any]]]) -> Registration | None:
    """Return the registration of the evaluation from the saved plans, oldest first.

    Parameters
    ----------
    saves
        (time, user, the plan as saved: `geo.plan.Plan.to_dict`) of every plan save.

    Returns
    -------
    Registration or None
        ``None`` when the plan was never saved (a store made with the demo plan in place).

    Examples
    --------
    >>> first = {"start": "2023-05-26", "targets": ["a"], "before_months": 12, "after_months": 12}
    >>> later = first | {"selection": "counts"}
    >>> r = registration([(datetime(2023, 5, 1), "an", first), (datetime(2024, 6, 1), "an", later)])
    >>> r.time, r.revisions[0].changes, r.revisions[0].after_start
    (datetime.datetime(2023, 5, 1, 0, 0), {'selection': ('', 'counts')}, True)
    """
    if not saves:
        return None
    first_time, first_user, first_plan = saves[0]
    previous = _settings(first_plan)
    revisions = []
    for time, user, plan in saves[1:]:
        current = _settings(plan)
        changes = {
            name: (previous[name], current[name]) for name in FIELDS if previous[name] != current[name]
        }
        if changes:
            start = date.fromisoformat(str(current["start"]))
            revisions.append(Revision(time, user, changes, after_start=time.date() >= start))
        previous = current
    return Registration(first_time, first_user, tuple(revisions))
