"""The transformation plan: start date, target communes and evaluation windows."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from geo import settings
from geo._errors import ConfigError
from geo.taxonomy import groups


@dataclass(frozen=True)
class Plan:
    """A plan to transform hotspot communes.

    Attributes
    ----------
    name
        Display name of the plan.
    start
        The day the plan started (S in DESIGN.md §5).
    targets
        GSO codes of the target communes.
    before_months, after_months
        Window lengths before and from the start.
    note
        Free text shown with the plan (e.g. that the demo targets are illustrative).
    selection
        How the targets were chosen (`SELECTIONS`): ``"counts"`` because their incidents were high,
        ``"other"`` for reasons that do not depend on their recent counts, ``""`` not recorded.
        Targets chosen on high counts tend to fall back by themselves (regression to the mean), so
        their baseline spans `geo.settings.SELECTED_BASELINE_MONTHS` (issue 12).
    primary
        The primary outcome of every verdict: ``"all"`` incidents (the default) or one offence
        group code; the other rows are exploratory (false-discovery-rate adjusted).
    """

    name: str
    start: date
    targets: tuple[str, ...]
    before_months: int = 12
    after_months: int = 12
    note: str = field(default="")
    selection: str = ""
    primary: str = "all"

    @classmethod
    def unset(cls) -> Plan:
        """Return the plan of a store that has none yet (no targets: nothing to evaluate)."""
        return cls(name="", start=date(1970, 1, 1), targets=())

    @property
    def baseline_months(self) -> int:
        """Months of the before window the evaluation uses.

        ``before_months``, or at least `geo.settings.SELECTED_BASELINE_MONTHS` when the targets were
        chosen because their counts were high (``selection == "counts"``).

        Examples
        --------
        >>> from dataclasses import replace
        >>> from datetime import date
        >>> plan = Plan(name="x", start=date(2023, 5, 26), targets=("a",))
        >>> plan.baseline_months, replace(plan, selection="counts").baseline_months
        (12, 24)
        """
        if self.selection == "counts":
            return max(self.before_months, settings.SELECTED_BASELINE_MONTHS)
        return self.before_months

    @property
    def is_set(self) -> bool:
        """True once a plan with targets has been saved."""
        return bool(self.targets)

    def validate(self, commune_codes: set[str] | None = None) -> Plan:
        """Return the plan itself, or raise `ConfigError` naming what is wrong."""
        if not self.targets and not self.name:
            raise ConfigError(
                "Chưa đặt kế hoạch: chọn ngày bắt đầu và các đơn vị trọng điểm (trang Xã trọng điểm, hoặc "
                "python -m geo plan set --targets … --start …)."
            )
        if not self.targets:
            raise ConfigError("Kế hoạch phải có ít nhất một xã trọng điểm.")
        if len(set(self.targets)) != len(self.targets):
            raise ConfigError("Danh sách xã trọng điểm có mã bị lặp.")
        if commune_codes is not None:
            unknown = [c for c in self.targets if c not in commune_codes]
            if unknown:
                raise ConfigError(f"Mã xã trọng điểm không có trong ranh giới: {', '.join(unknown)}.")
        if self.selection not in SELECTIONS:
            raise ConfigError(
                f"Cách chọn xã trọng điểm «{self.selection}» không hợp lệ; dùng một trong: "
                f"{', '.join(repr(s) for s in SELECTIONS)}."
            )
        if self.primary not in outcomes():
            raise ConfigError(
                f"Chỉ tiêu chính «{self.primary}» không hợp lệ; dùng all (mọi vụ việc) hoặc mã một nhóm "
                f"tội danh: {', '.join(outcomes()[1:])}."
            )
        for label, months in (("trước", self.before_months), ("sau", self.after_months)):
            if not 1 <= months <= 60:
                raise ConfigError(f"Số tháng giai đoạn {label} phải từ 1 đến 60 (đang là {months}).")
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        data = asdict(self)
        data["start"] = self.start.isoformat()
        data["targets"] = list(self.targets)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        """Build a plan from `to_dict` output, raising `ConfigError` on bad values."""
        try:
            return cls(
                name=str(data["name"]),
                start=date.fromisoformat(str(data["start"])),
                targets=tuple(str(c) for c in data["targets"]),
                before_months=int(data.get("before_months", 12)),
                after_months=int(data.get("after_months", 12)),
                note=str(data.get("note", "")),
                selection=str(data.get("selection", "")),
                primary=str(data.get("primary", "all")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"Kế hoạch không hợp lệ: {exc}") from exc


def outcomes() -> tuple[str, ...]:
    """Return the primary outcomes a plan may name: all incidents, or one offence group of the taxonomy."""
    return ("all", *groups())


SELECTIONS = ("", "counts", "other")
"""How the targets were chosen: not recorded, on their high counts, for other reasons."""


TARGET_MARK = "★ "
"""Prefix that marks a target commune's name on maps, in tables and in charts."""


def marked(name: str, *, target: bool) -> str:
    """Return a commune name, prefixed with `TARGET_MARK` when it is a target.

    Examples
    --------
    >>> marked("Vĩnh Hùng", target=True)
    '★ Vĩnh Hùng'
    """
    return f"{TARGET_MARK}{name}" if target else name


def load_plan(path: Path) -> Plan:
    """Read a plan from a JSON file."""
    return Plan.from_dict(json.loads(path.read_text(encoding="utf-8")))
