"""The offline basemap: the imported file kept in the data folder, or a tile server, drawn under every map.

The user brings a basemap made elsewhere (raster PNG/JPEG/WebP tiles or vector MVT tiles). `install`
checks it (`geo.maps.tilefile.inspect`) and keeps it in `geo.settings.BASEMAP_DIR` with a small JSON
description. ``ui.serve`` answers ``BASEMAP_TILE_PATH/{z}/{x}/{y}`` from it with `read_tile`, so the
browser never leaves the app: raster tiles are drawn by Leaflet's own tile layer, vector tiles by the
vendored protomaps-leaflet. `add_basemap` is the one place a map gets its base: the imported file,
else the tile-server URL saved on /data, else ``ANTT_TILE_URL``.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from geo import settings
from geo._errors import DataError
from geo.maps import tilefile
from geo.maps.assets import VENDOR
from geo.maps.tilefile import TILE_TYPES, Basemap, Kind, inspect

__all__ = [
    "CONFIG_NAME",
    "TILE_TYPES",
    "WATER_WORDS",
    "Basemap",
    "Config",
    "Kind",
    "VectorBasemap",
    "add_basemap",
    "check_tile_url",
    "current",
    "file_tile_url",
    "inspect",
    "install",
    "read_config",
    "read_tile",
    "remove",
    "save_tile_url",
    "staging_path",
]

CONFIG_NAME: Final = "basemap.json"
"""The description of the imported file and the saved tile-server URL, beside the file."""

WATER_WORDS: Final = ("water", "ocean", "river", "lake", "sea")
"""Vector layers whose name holds one of these are drawn blue."""


@dataclass(frozen=True)
class Config:
    """What `CONFIG_NAME` holds: the imported file (if any) and the tile-server URL saved on /data."""

    basemap: Basemap | None = None
    tile_url: str = ""


# --- Keeping the file and the settings ------------------------------------------------------------


def _directory_path(directory: Path | None) -> Path:
    return settings.BASEMAP_DIR if directory is None else directory


def read_config(directory: Path | None = None) -> Config:
    """Return what is saved in ``directory`` (`geo.settings.BASEMAP_DIR`): the imported file and the URL."""
    path = _directory_path(directory) / CONFIG_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Config()
    if not isinstance(raw, dict):
        return Config()
    found = None
    described = raw.get("basemap")
    if isinstance(described, dict):
        try:
            bounds = described.get("bounds")
            described = {**described, "bounds": tuple(bounds) if bounds else None}
            described["layers"] = tuple(described.get("layers") or ())
            found = Basemap(**described)
        except TypeError:
            found = None
        if found is not None and not (_directory_path(directory) / found.file).is_file():
            found = None
    url = raw.get("tile_url")
    return Config(basemap=found, tile_url=url if isinstance(url, str) else "")


def _write_config(config: Config, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# The imported basemap is data, not code.\n*\n", encoding="utf-8")
    payload = {"basemap": asdict(config.basemap) if config.basemap else None, "tile_url": config.tile_url}
    temporary = directory / f".{CONFIG_NAME}.tmp"
    temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(directory / CONFIG_NAME)


def current(directory: Path | None = None) -> Basemap | None:
    """Return the imported basemap, or None."""
    return read_config(directory).basemap


def staging_path(directory: Path | None = None) -> Path:
    """Return where an upload is written before `install` checks it (in the same folder: one rename)."""
    folder = _directory_path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f".upload-{os.getpid()}-{datetime.now(UTC):%Y%m%d%H%M%S%f}.part"


def install(path: Path, *, name: str, directory: Path | None = None) -> Basemap:
    """Check the file at ``path`` (`inspect`) and make it the basemap of every map.

    The file is moved (renamed when it is in the same folder, else copied) to ``directory``;
    the previous basemap file is removed. On a refusal nothing changes and ``path`` is left as it was.
    """
    folder = _directory_path(directory)
    found = inspect(path, name=name)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"basemap.{found.kind}"
    target = folder / stored
    previous = read_config(folder)
    staged = folder / f".{stored}.new"
    if path.parent.resolve() == folder.resolve():
        path.replace(staged)
    else:
        with path.open("rb") as src, staged.open("wb") as dst:
            while chunk := src.read(1024 * 1024):
                dst.write(chunk)
    staged.replace(target)
    if previous.basemap is not None and previous.basemap.file != stored:
        (folder / previous.basemap.file).unlink(missing_ok=True)
    now = datetime.now(UTC)
    version = hashlib.sha256(f"{name}|{found.size}|{now.isoformat()}".encode()).hexdigest()[:12]
    final = Basemap(**{**asdict(found), "file": stored, "imported_at": now.isoformat(), "version": version})
    _write_config(Config(basemap=final, tile_url=previous.tile_url), folder)
    tilefile.clear_readers()
    return final


def remove(directory: Path | None = None) -> None:
    """Remove the imported basemap (the saved tile-server URL stays)."""
    folder = _directory_path(directory)
    config = read_config(folder)
    if config.basemap is not None:
        (folder / config.basemap.file).unlink(missing_ok=True)
    _write_config(Config(basemap=None, tile_url=config.tile_url), folder)
    tilefile.clear_readers()


_URL_PATTERN: Final = re.compile(r"^https?://[^\s\"'<>`\\]+$")


def check_tile_url(url: str) -> str:
    """Return ``url`` stripped when it is a usable tile URL template (empty is allowed: none).

    Examples
    --------
    >>> check_tile_url(" http://10.0.0.5/tiles/{z}/{x}/{y}.png ")
    'http://10.0.0.5/tiles/{z}/{x}/{y}.png'
    """
    text = url.strip()
    if not text:
        return ""
    if not _URL_PATTERN.match(text) or not all(part in text for part in ("{z}", "{x}", "{y}")):
        raise DataError(
            "địa chỉ máy chủ nền bản đồ phải bắt đầu bằng http:// hoặc https:// và có {z}, {x}, {y} "
            "(ví dụ http://10.0.0.5/tiles/{z}/{x}/{y}.png).",
            field="URL",
            value=text[:200],
        )
    return text


def save_tile_url(url: str, directory: Path | None = None) -> str:
    """Save the tile-server URL set on /data (`check_tile_url`; empty: none); return it."""
    folder = _directory_path(directory)
    text = check_tile_url(url)
    _write_config(Config(basemap=read_config(folder).basemap, tile_url=text), folder)
    return text


def read_tile(basemap: Basemap, z: int, x: int, y: int, *, directory: Path | None = None) -> bytes | None:
    """Return the tile ``z/x/y`` (XYZ numbering, decompressed) of the imported basemap, or None.

    Vector tiles stored gzipped (as MBTiles usually hold them) are returned decompressed.
    """
    return tilefile.read_tile(_directory_path(directory) / basemap.file, basemap, z, x, y)


# --- Drawing -----------------------------------------------------------------------------------


def file_tile_url(basemap: Basemap) -> str:
    """Return the URL template the browser asks the imported basemap's tiles from (this app, no internet)."""
    return f"{settings.BASEMAP_TILE_PATH}/{{z}}/{{x}}/{{y}}?v={basemap.version}"


class VectorBasemap(JSCSSMixin, MacroElement):
    """The imported vector basemap, drawn in the browser by the vendored protomaps-leaflet."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var o = {{ this.options|tojson }};
            var G = protomapsL.GeomType;
            var opts = {url: o.url, maxDataZoom: o.maxDataZoom, attribution: o.attribution,
                        bounds: o.bounds || undefined};
            if (o.flavor) {
                opts.flavor = o.flavor; opts.lang = o.lang;
            } else {
                opts.backgroundColor = "#f2efe9";
                opts.paintRules = [];
                o.layers.forEach(function (name) {
                    var water = o.water.indexOf(name) >= 0;
                    opts.paintRules.push({dataLayer: name,
                        filter: function (z, f) { return f.geomType === G.Polygon; },
                        symbolizer: new protomapsL.PolygonSymbolizer({fill: water ? "#a9cde8" : "#e3ded3", opacity: 0.9})});
                    opts.paintRules.push({dataLayer: name,
                        filter: function (z, f) { return f.geomType === G.Line; },
                        symbolizer: new protomapsL.LineSymbolizer({color: water ? "#7fb2dc" : "#9a948a", width: 1.2})});
                });
                opts.labelRules = [];
            }
            var layer = protomapsL.leafletLayer(opts);
            layer.addTo({{ this._parent.get_name() }});
            window.anttBasemap = layer;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, basemap: Basemap) -> None:
        super().__init__()
        self.default_js = [("protomaps-leaflet", f"{VENDOR}/protomaps-leaflet/protomaps-leaflet.js")]
        self._name = "VectorBasemap"
        layers = list(basemap.layers) or ["*"]
        protomaps = {"earth", "water", "roads"} <= set(basemap.layers)
        self.options = {
            "url": file_tile_url(basemap),
            "maxDataZoom": basemap.max_zoom,
            "attribution": html.escape(basemap.attribution),
            "bounds": _leaflet_bounds(basemap.bounds),
            "flavor": "light" if protomaps else "",
            "lang": "vi",
            "layers": layers,
            "water": [name for name in layers if any(word in name.lower() for word in WATER_WORDS)],
        }


def _leaflet_bounds(bounds: tuple[float, float, float, float] | None) -> list[list[float]] | None:
    if bounds is None:
        return None
    west, south, east, north = bounds
    return [[south, west], [north, east]]


def add_basemap(fmap: folium.Map, *, tile_url: str = "", directory: Path | None = None) -> str:
    """Draw the basemap under everything on ``fmap``; return which: "file", "url" or "" (none).

    The imported file comes first; then the tile-server URL saved on /data; then ``tile_url``
    (``ANTT_TILE_URL`` by default). Drawn in Leaflet's tile pane, below every layer of ours.
    """
    config = read_config(directory)
    found = config.basemap
    if found is not None and found.vector:
        VectorBasemap(found).add_to(fmap)
        fmap.options["attributionControl"] = True
        return "file"
    if found is not None:
        options: dict[str, Any] = {"min_native_zoom": found.min_zoom}
        if found.bounds is not None:
            options["bounds"] = _leaflet_bounds(found.bounds)
        folium.TileLayer(
            tiles=file_tile_url(found),
            attr=html.escape(found.attribution) or "&nbsp;",
            name="basemap",
            control=False,
            max_zoom=settings.BASEMAP_MAX_ZOOM,
            max_native_zoom=found.max_zoom,
            **options,
        ).add_to(fmap)
        fmap.options["attributionControl"] = bool(found.attribution)
        return "file"
    url = config.tile_url or tile_url
    if url:
        folium.TileLayer(
            tiles=url, attr=html.escape(settings.TILE_ATTRIBUTION), name="basemap", control=False
        ).add_to(fmap)
        fmap.options["attributionControl"] = True
        return "url"
    return ""
