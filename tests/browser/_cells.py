"""Hot spot cells drawn on a canvas (`geo.maps.hotspot_layers`): what a map frame shows of them.

A cell layer paints its cells on one canvas in a pane with the layer's class (``.antt-cells.antt-density``, …)
whose ``data-cells`` is the number of cells it drew while the layer is shown. `CELLS_JS` reads, for one class,
that count and the canvas pixels at the centres of the layer's whole cells in view: each must be the cell's own
colour at the layers' fill opacity (a canvas that drew nothing, or drew a cell elsewhere or in another colour,
fails), and a pixel of the canvas that no cell covers must be transparent.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from geo.maps.hotspot_layers import DENSITY_COLOURS, density_class

CELLS_JS = """async (cls) => {
  const map = (window.map instanceof L.Map) ? window.map
    : Object.values(window).find((v) => v instanceof L.Map);
  // A zoom or pan under way scales or moves the canvas before it is redrawn: read it once the map is still.
  const still = () => !map._animatingZoom && !(map._panAnim && map._panAnim._inProgress);
  for (let i = 0; i < 100 && !still(); i++) { await new Promise((r) => setTimeout(r, 50)); }
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const pane = map.getContainer().querySelector('.antt-cells.' + cls);
  const canvas = pane && pane.querySelector('canvas');
  const svg = map.getContainer().querySelectorAll('path.' + cls).length;
  if (!canvas) { return {drawn: null, svg: svg, samples: [], empty: null, layers: 0, tally: {}}; }
  const ctx = canvas.getContext('2d');
  const box = canvas.getBoundingClientRect(), frame = map.getContainer().getBoundingClientRect();
  const sx = canvas.width / box.width, sy = canvas.height / box.height;
  const view = map.getSize();
  const pixel = (p) => {
    const x = Math.floor((frame.left + p.x - box.left) * sx), y = Math.floor((frame.top + p.y - box.top) * sy);
    return Array.from(ctx.getImageData(x, y, 1, 1).data);
  };
  const samples = [], tally = {};
  let layers = 0;
  const inside = (p) => p.x > 2 && p.y > 2 && p.x < view.x - 2 && p.y < view.y - 2;
  map.eachLayer((l) => {
    if (!(l instanceof L.Polygon) || l.options.className !== cls) { return; }
    layers += 1;
    tally[l.options.fillColor] = (tally[l.options.fillColor] || 0) + 1;
    if (!(l instanceof L.Rectangle)) { return; }
    const c = l.getCenter(), p = map.latLngToContainerPoint(c);
    if (inside(p)) { samples.push([l.options.fillColor, pixel(p), c.lat.toFixed(6) + ',' + c.lng.toFixed(6), l.anttTip]); }
  });
  // A point of the view no cell covers (the corners of the cells' bounds, outside every cell).
  let empty = null;
  for (const [x, y] of [[3, 3], [view.x - 4, 3], [3, view.y - 4], [view.x - 4, view.y - 4]]) {
    const ll = map.containerPointToLatLng([x, y]);
    let covered = false;
    map.eachLayer((l) => {
      if (l instanceof L.Polygon && l.options.className === cls && l.getBounds().pad(0.01).contains(ll)) {
        covered = true;
      }
    });
    if (!covered) { empty = pixel(L.point(x, y)); break; }
  }
  return {drawn: Number(pane.getAttribute('data-cells')), svg: svg, samples: samples, empty: empty, layers: layers,
    tally: tally};
}"""

FILL_ALPHA = round(0.62 * 255)
"""The canvas alpha of a cell's fill (`geo.maps.cell_canvas.FILL_OPACITY`)."""


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def cells(frame: Any, cls: str = "antt-density") -> dict[str, Any]:
    """Return what the canvas of the cell layer ``cls`` drew in ``frame`` (see `CELLS_JS`)."""
    return dict(frame.evaluate(CELLS_JS, cls))


def drawn(frame: Any, cls: str = "antt-density") -> int:
    """Return how many cells the layer ``cls`` drew on its canvas (0 when hidden or absent)."""
    return int(frame.evaluate(CELLS_JS, cls)["drawn"] or 0)


def colours_at_cells(found: dict[str, Any]) -> list[str]:
    """Check every sampled pixel is its cell's colour at the fill opacity; return the cells' colours, in order.

    Raises AssertionError on a pixel of another colour (or none).
    """
    out = []
    for colour, (r, g, b, a), *_ in found["samples"]:
        want = _rgb(colour)
        assert abs(a - FILL_ALPHA) <= 2, f"alpha {a} at a {colour} cell (want {FILL_ALPHA})"
        assert max(abs(x - y) for x, y in zip((r, g, b), want, strict=True)) <= 3, (
            f"{(r, g, b)} at a {colour} cell"
        )
        out.append(colour)
    return out


def _number(text: str) -> float:
    """A tooltip's number in either language's marks ("1.234,5" or "1,234.5")."""
    if "," in text and (text.rfind(",") > text.rfind(".")):
        text = text.replace(".", "").replace(",", ".")
    return float(text.replace(",", ""))


def density_colours_match_values(found: dict[str, Any]) -> int:
    """Check each sampled density cell's colour is the class of the density its tooltip shows; return how many."""
    checked = 0
    for colour, _, _, tip in found["samples"]:
        match = re.search(r":\s*([0-9.,]+)\s*$", tip)
        assert match, tip
        shown = match.group(1)
        half = 0.5 * 10.0 ** -len(re.split(r"[.,]", shown)[-1]) if re.search(r"[.,]\d$", shown) else 0.5
        value = _number(shown)  # rounded as shown: the class of a value within half its last digit
        classes = density_class(np.array([value - half, value + half]))
        assert colour in {DENSITY_COLOURS[int(c)] for c in classes if c >= 0}, (colour, tip)
        checked += 1
    return checked


def assert_canvas_cells(
    frame: Any, cls: str = "antt-density", *, at_least: int = 1, sampled: int | None = None
) -> dict[str, Any]:
    """Check the layer ``cls`` is drawn on its canvas (no SVG paths), at least ``at_least`` cells, and at least
    ``sampled`` whole cells in view (default: ``min(at_least, 10)``) each with its pixel in the cell's colour (for
    density: the class of the value its tooltip shows), and an uncovered pixel transparent; return what `cells`
    found."""
    found = cells(frame, cls)
    assert found["svg"] == 0, f"{found['svg']} SVG paths of {cls}: the cells should be on a canvas"
    assert found["drawn"] is not None, f"no canvas of {cls}"
    assert found["drawn"] == found["layers"] >= at_least, found["drawn"]
    assert len(found["samples"]) >= (min(at_least, 10) if sampled is None else sampled), len(found["samples"])
    colours_at_cells(found)
    if cls == "antt-density":
        density_colours_match_values(found)
    if found["empty"] is not None:
        assert found["empty"][3] == 0, f"an uncovered pixel of the {cls} canvas is {found['empty']}"
    return found


def colour_by_cell(found: dict[str, Any]) -> dict[str, str]:
    """Return each sampled cell's colour by its centre (``"lat,lon"``), its pixel checked (`colours_at_cells`)."""
    colours_at_cells(found)
    return {key: colour for colour, _, key, _ in found["samples"]}


CELL_POINT_JS = """([cls, start]) => {
  const map = (window.map instanceof L.Map) ? window.map
    : Object.values(window).find((v) => v instanceof L.Map);
  const found = [];
  map.eachLayer((l) => {
    if (l instanceof L.Rectangle && l.options.className === cls && (!start || l.anttTip.startsWith(start))) {
      found.push(l);
    }
  });
  return found.map((l) => { const p = map.latLngToContainerPoint(l.getCenter()); return [p.x, p.y, l.anttTip]; });
}"""


def cell_points(
    frame: Any, cls: str = "antt-density", *, tip_start: str = ""
) -> list[tuple[float, float, str]]:
    """Return the map-container point of each whole cell of ``cls`` (whose tooltip starts with ``tip_start``)
    and its tooltip's HTML."""
    return [(float(x), float(y), str(tip)) for x, y, tip in frame.evaluate(CELL_POINT_JS, [cls, tip_start])]


def hover(page: Any, x: float, y: float) -> None:
    """Move the mouse to page point (``x``, ``y``) as a user does: there and one pixel on (the canvas takes the
    mouse from the first move on a cell, its tooltip opens on the next)."""
    page.mouse.move(x - 1, y)
    page.wait_for_timeout(60)
    page.mouse.move(x, y)
    page.wait_for_timeout(60)
