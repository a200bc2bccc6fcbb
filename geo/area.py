"""The study area's own words and frame: its name, the word for its units, the metric CRS it is measured in.

The area belongs to the data: its extent is the union of the imported units; these settings are
stored with it (never hard-coded), so a commune, a former district, a province or a city abroad
reads in its own terms.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from geo._errors import ConfigError


@dataclass(frozen=True)
class Area:
    """Settings of a study area.

    Attributes
    ----------
    name
        How the area is called on every page and in reports ("Huyện Vĩnh Lộc, tỉnh Thanh Hóa").
    unit_word
        The word for one of its units, in the area's language ("xã", "phường", "ward"); pages say
        "3 {unit_word} trọng điểm".
    metric_crs
        A projected CRS the user chose for distances, areas and grids (e.g. ``"EPSG:9210"``); empty:
        chosen from the area (`geo.communes.metric_crs`).
    """

    name: str = ""
    unit_word: str = "xã"
    metric_crs: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Area:
        """Build the settings from `to_dict` output, raising `ConfigError` on bad values."""
        if not isinstance(data, dict):
            raise ConfigError("Thiết lập khu vực không hợp lệ.")
        area = cls(
            name=str(data.get("name", "")).strip(),
            unit_word=str(data.get("unit_word", "xã")).strip() or "xã",
            metric_crs=str(data.get("metric_crs", "")).strip(),
        )
        return area.validate()

    def validate(self) -> Area:
        """Return the settings, or raise `ConfigError` naming what is wrong."""
        if len(self.name) > 200:
            raise ConfigError("Tên khu vực dài quá 200 ký tự.")
        if not 1 <= len(self.unit_word) <= 40:
            raise ConfigError("Từ chỉ đơn vị phải có từ 1 đến 40 ký tự (vd «xã», «phường», «ward»).")
        return self


DEMO_AREA = Area(name="Huyện Vĩnh Lộc, tỉnh Thanh Hóa", unit_word="xã")
"""The demo district's settings."""
