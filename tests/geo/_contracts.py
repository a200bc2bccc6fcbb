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

CALIBRATED_KEYS = {
    "rate_ratio",
    "rate_ratio_ci",
    "rate_ratio_p",
    "detectable_fall_pct",
    "buffer_ratio",
    "buffer_ratio_ci",
    "buffer_ratio_p",
    "pretrend_ratio",
    "pretrend_ratio_p",
    "randomisation_p",
    "verdict_reason",
}
"""Keys added by issue 12 to every target: the calibrated verdict's figures."""
