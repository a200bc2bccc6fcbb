"""The JSON contract of `python -m geo evaluate --json` (issue 3), pinned once for the tests."""

from __future__ import annotations

TARGET_KEYS = {
    "code",
    "name",
    "before",
    "after",
    "buffer_before",
    "buffer_after",
    "control_before",
    "control_after",
    "res",
    "res_ci",
    "wdd",
    "wdd_se",
    "wdd_z",
    "wdq",
    "verdict",
}
"""Keys of every target (and of the targets together) in the JSON output."""
