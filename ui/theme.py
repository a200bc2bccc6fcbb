"""Colours and sizes of the dashboard, written once: charts, cards, tables and map heights.

The map layers' own colours live with the maps (`geo.maps.district`), which also draw the print
maps; they are re-exported here so a page names every colour from one place.
"""

from __future__ import annotations

from geo.maps.district import BOUNDARY_COLOUR, POINT_COLOUR, TARGET_COLOUR

TARGET = TARGET_COLOUR
"""Target communes and the plan's start line (dark red)."""

OTHERS = BOUNDARY_COLOUR
"""The other communes, the control series (dark grey)."""

POINTS = POINT_COLOUR
"""Incidents and the displacement buffer series (blue)."""

RISE = "#d6604d"
"""A rise (red), in change charts."""

FALL = "#4393c3"
"""A fall (blue), in change charts."""

INK = "#111"
"""Rules and annotations on charts."""

VERDICT_STYLE: dict[str, tuple[str, str, str]] = {
    "improving": ("✔", "#1a9850", "#13612f"),
    "unclear": ("?", "#fdae61", "#8a4b00"),
    "worsening": ("✖", "#d73027", "#a50f15"),
    "insufficient": ("○", "#bdbdbd", "#4d4d4d"),
}
"""Verdict → (icon, map fill colour, text colour): words, icon and colour together, never colour alone."""

BUFFER_OUTLINE = "#3b3b3b"
"""Outline colour of the buffer communes on the verdict map (dashed)."""

MAP_HEIGHT = 640
"""Height in pixels of the main map on /map."""

OVERVIEW_MAP_HEIGHT = 560
"""Height of the verdict map on the overview (fits 1920×1080 with the cards)."""

SIDE_MAP_HEIGHT = 460
"""Height of each of two maps side by side (before/after on /targets)."""

COMPARE_MAP_HEIGHT = 440
"""Height of each before/after density map on /map."""

TIME_MAP_HEIGHT = 520
"""Height of the month-slider map on /map."""

CHART_HEIGHT = 340
"""Height of a full-width time chart."""

TREND_CHART_HEIGHT = 320
"""Height of a monthly series chart on /trends."""

SMALL_CHART_HEIGHT = 230
"""Height of a small chart in a column."""

TABLE_HEIGHT = 320
"""Height of a scrolling table."""
