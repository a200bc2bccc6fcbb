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

CURRENT = "#111111"
"""Outline of the target a presentation slide is about (over its verdict fill, with a white halo)."""

PRESENT_MAP_HEIGHT = 640
"""Height the presentation map is built with; its stylesheet then fits it to the window's height."""

PRESENT_CSS = """
.stApp:has(.st-key-present-bar) [data-testid="stSidebar"],
.stApp:has(.st-key-present-bar) [data-testid="stSidebarCollapsedControl"],
.stApp:has(.st-key-present-bar) [data-testid="stExpandSidebarButton"],
.stApp:has(.st-key-present-bar) [data-testid="stHeader"],
.stApp:has(.st-key-present-bar) [data-testid="stToolbar"],
.stApp:has(.st-key-present-bar) [data-testid="stDecoration"],
.st-key-present-keys { display: none !important; }
.stApp:has(.st-key-present-bar) [data-testid="stMainBlockContainer"] {
  padding: 0.6rem 1.2rem 0 1.2rem !important; max-width: none !important;
}
.stApp:has(.st-key-present-bar) [data-testid="stMainBlockContainer"] > div { gap: 0.5rem; }
.st-key-present-bar { gap: 0.6rem; }
.st-key-present-bar button p { font-size: clamp(1rem, 1.4vw, 1.35rem); font-weight: 700; }
.st-key-present-bar { min-height: 4.2rem; flex-wrap: nowrap !important; }
.st-key-present-bar [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.antt-present-title { font-size: clamp(1.3rem, min(2.2vw, 3.6vh), 2.4rem); font-weight: 800; color: #222;
  line-height: 1.2; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.antt-present-place { font-size: clamp(0.9rem, min(1.2vw, 2vh), 1.3rem); font-weight: 600; color: #555;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.antt-present-demo { font-size: 0.9em; font-weight: 700; color: #8a4b00; background: #fff3cd;
  border: 1px solid #e0b000; border-radius: 4px; padding: 0 8px; margin-left: 0.4em; }
.antt-present-card { background: #fafafa; border-radius: 8px; padding: clamp(8px, 1.2vh, 16px) 18px;
  margin-bottom: clamp(6px, 1vh, 12px); }
.antt-present-card .name { font-size: clamp(1.5rem, min(2.9vw, 5vh), 3.4rem); font-weight: 800; color: #222;
  line-height: 1.15; }
.antt-present-card .verdict { font-size: clamp(1.8rem, min(3.8vw, 6.4vh), 4.4rem); font-weight: 800; line-height: 1.15; }
.antt-present-card .change { font-size: clamp(1.05rem, min(1.9vw, 3.3vh), 2.2rem); color: #222; line-height: 1.3;
  margin-top: 0.3em; }
.antt-present-card .more { font-size: clamp(0.95rem, min(1.5vw, 2.6vh), 1.75rem); color: #444; line-height: 1.3;
  margin-top: 0.3em; }
.antt-present-card .window { font-size: clamp(0.85rem, min(1.2vw, 2.1vh), 1.4rem); font-weight: 600; color: #555; }
.antt-present-card .now { font-size: clamp(0.95rem, min(1.5vw, 2.6vh), 1.75rem); font-weight: 700; line-height: 1.3;
  border-top: 1px solid #ddd; margin-top: 0.35em; padding-top: 0.2em; }
.antt-present-row { display: flex; flex-wrap: wrap; align-items: baseline; column-gap: 0.5em; border-radius: 6px;
  padding: clamp(3px, 0.7vh, 8px) 12px; margin-bottom: clamp(3px, 0.6vh, 8px);
  font-size: clamp(0.9rem, calc(min(1.8vw, 3.2vh) * var(--k, 1)), 2.2rem); background: #fafafa; border: 3px solid transparent; }
.antt-present-row[aria-current="true"] { border-color: #111; background: #fff; }
.antt-present-row .name { font-weight: 800; color: #222; white-space: nowrap; }
.antt-present-row .verdict { font-weight: 700; }
.antt-present-row .change { color: #444; margin-left: auto; white-space: nowrap; font-size: 0.85em; }
.antt-present-note { font-size: clamp(0.8rem, min(1.05vw, 1.9vh), 1.2rem); color: #555; line-height: 1.35; }
.antt-present-legend { font-size: clamp(0.85rem, min(1.15vw, 2vh), 1.3rem); color: #333; line-height: 1.6; }
[class*="st-key-present-map-"] iframe { height: calc(96vh - 76px) !important; min-height: 320px; }
"""
"""Presentation mode (/present): no sidebar or header, large type scaled to the window, the map as tall as it.

Every rule is scoped to a page holding the presentation bar, so leaving the mode restores the chrome.
"""

PRINT_CSS = """
@media print {
  @page { size: A4 landscape; margin: 10mm; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stElementToolbar"], [data-testid="stBottom"], .st-key-present-bar, .st-key-present-keys {
    display: none !important;
  }
  html, body, #root, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"], [data-testid="stVerticalBlock"], [data-testid="stHorizontalBlock"],
  [data-testid="stColumn"], [data-testid="stElementContainer"] {
    overflow: visible !important; height: auto !important; max-height: none !important;
  }
  .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { position: static !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none !important; }
  iframe, [data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stVegaLiteChart"],
  [data-testid="stImage"], [data-testid="stMetric"], [data-testid="stElementContainer"]:has(iframe),
  .antt-card, .antt-headline, .antt-present-card, .antt-present-row {
    break-inside: avoid !important; page-break-inside: avoid !important;
  }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  [class*="st-key-present-map-"] iframe { height: 150mm !important; }
}
"""
"""The print stylesheet of every page: A4 landscape, no sidebar or toolbars, maps and tables never cut.

Streamlit draws the page in a scrolling box of the window's height; printed as it is, only what
is in view reaches the paper. Here the boxes grow to their content and a map or table moves whole
to the next sheet rather than split.
"""
