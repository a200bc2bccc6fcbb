"""Typed settings of the dashboard: paths, CRS codes, thresholds and payload caps.

Every value can be read from the environment (``ANTT_<NAME>``) where noted; everything
else is a constant chosen here so that pages and modules never hold magic numbers.

Attributes
----------
ROOT
    The project's root folder.
DATA_DIR
    ``data/``: demo data and the default SQLite store.
REFERENCE_DIR
    ``data/reference/``: the public facts the demo generator is built from.
DEMO_COMMUNES_PATH
    The demo commune polygons (GeoJSON, approximate Voronoi cells).
DEMO_INCIDENTS_PATH
    The demo incidents (CSV, synthetic).
DEMO_PLAN_PATH
    The demo transformation plan (JSON).
DISTRICT_HISTORY_PATH
    The demo district's unit history (2019 mergers, the 2025 communes), stored with the district.
DEFAULT_DB_PATH
    The default SQLite store (created from the demo data on first run).
DATABASE_URL
    SQLAlchemy URL of the store; ``ANTT_DATABASE_URL`` or ``DATABASE_URL`` overrides the default SQLite file.
STATIC_DIR
    ``static/``: front-end assets installed from npm, served by Streamlit at ``/app/static``.
STATIC_URL
    The URL prefix under which Streamlit serves ``static/``.
CRS_WGS84
    Geographic CRS of stored coordinates and of everything sent to the browser.
CRS_METRIC
    Projected CRS for distances, areas and densities (WGS 84 / UTM zone 48N covers Thanh Hóa).
TIMEZONE
    Time zone of every incident timestamp (stored as naive local wall-clock time).
DISTRICT_TOLERANCE_M
    How far outside the district outline a point may lie and still be accepted.
POINTS_MAX
    Above this many matching incidents the map shows server-aggregated cells instead of points.
HEAT_CELL_M
    Cell size (metres) of the server-side aggregation behind the heat layer and the points above
    `POINTS_MAX`: two of the prepared aggregates' 62.5 m pixels, so the database can make the cells.
HEAT_MAX_CELLS
    Cap on the number of heat cells sent to the browser.
RASTER_CELLS_ABOVE
    A density layer of more cells than this (a province's 250 m grid) is drawn as one image, not as
    cell shapes (`geo.maps.raster`).
RASTER_MAX_PX
    Widest such image, in pixels.
MAP_BUDGET_BYTES
    Upper bound of the HTML of one map sent to the browser.
COORD_DECIMALS
    Decimals kept in coordinates sent to the browser (5 decimals is about 1 m).
TILE_URL
    Optional basemap tile URL template (``ANTT_TILE_URL``); empty means no basemap (offline).
TILE_ATTRIBUTION
    Attribution shown with ``TILE_URL``.
BASEMAP_DIR
    Where the basemap file imported on /data (MBTiles or PMTiles) and the basemap settings are kept
    (``ANTT_BASEMAP_DIR``, default ``DATA_DIR/basemap``; not in git).
BASEMAP_MAX_BYTES
    Largest basemap file accepted for import (``ANTT_BASEMAP_MAX_MB``, default 500 MB: a district's
    raster tiles down to zoom 17 take a few hundred MB). ``ui.serve`` raises Streamlit's upload
    limit to it (an upload is held in memory while it is checked); the other importers keep theirs.
BASEMAP_TILE_PATH
    URL path under which ``ui.serve`` answers the imported basemap's tiles (``…/{z}/{x}/{y}``).
BASEMAP_MAX_ZOOM
    Deepest zoom a basemap tile is served or looked up at (Leaflet's maps stop at 18).
MIN_COUNT_FOR_VERDICT
    Fewest incidents (before + after, target) needed before a verdict other than "insufficient".
GRID_CELL_M
    Default cell size of the hotspot grid (metres, EPSG:32648).
KDE_BANDWIDTH_M
    Default kernel density bandwidth (metres, quartic kernel).
DEMO_BANNER_VI
    The banner shown on every page while demo data is loaded.
METRIC_CRS_BOUNDS
    Longitude/latitude box (west, south, east, north) of Vietnam inside UTM zone 48N, where
    ``CRS_METRIC`` is used for boundaries; elsewhere the local UTM zone is used.
NEIGHBOUR_TOLERANCE_M
    Largest gap (metres) between two commune polygons still counted as a shared border when
    building displacement buffers (absorbs digitising slivers and gaps).
CONFIDENCE_LEVEL
    Confidence level of every interval in the evaluation (RES, WDD, panel model, trend).
CHANGE_FLAT_PCT
    Changes smaller than this (in %) are described to leaders as "about the same".
POWER
    Power at which the smallest detectable fall of every verdict is stated (with the 5% level of
    `CONFIDENCE_LEVEL`).
MAX_DETECTABLE_FALL
    A comparison that could only detect a fall larger than this (a fraction: 0.5 = 50%) is judged
    "insufficient": too noisy to be useful (``ANTT_MAX_DETECTABLE_FALL``).
RANDOMISATION_MAX
    Randomisation inference compares every way to assign the plan to as many units while there are
    at most this many per start date, else a seeded sample of this many.
RANDOMISATION_SEED
    Seed of that sample, so the same data always gives the same p-value.
SELECTED_BASELINE_MONTHS
    Baseline (before window) of a plan whose targets were chosen because their counts were high:
    the selection year's chance excess then weighs at most half (regression to the mean;
    docs/verdicts.md compares it with a baseline before the selection year).
TREND_MONTHS_BEFORE
    Months before the plan's start used by the interrupted time series (as far as the data
    reaches; at least the plan's before window): a 12-month pre-trend is too noisy to extrapolate.
KDE_SUBCELLS
    Pixels per grid-cell side on which the kernel density is smoothed before it is averaged per cell
    (4: 62.5 m pixels for 250 m cells; on the demo, edge-corrected, within 1.9 % (median) and 8 %
    (95th percentile) of 25 m pixels, where 125 m pixels were 3.6 % and 16 %; 70 monthly layers take
    about 0.3 s instead of 0.1 s, see docs/performance.md).
KDE_EDGE_CORRECTION
    Divide the kernel density by the share of each kernel inside the study area, so places on the
    district's edge are not read too low (`geo.hotspots.grid.density` states what it still misses).
KDE_EDGE_MIN_SHARE
    Smallest kernel share the edge correction divides by (0.25: a density is raised at most
    fourfold, what a right-angled corner needs; a strip narrower than the bandwidth stays too low).
DENSITY_BREAKS
    Fixed class breaks of the density layer (incidents per km² per year): the same colour means the
    same density at every zoom level, in every period and for every filter.
GISTAR_PERMUTATIONS
    Conditional permutations behind each Gi* pseudo p-value (9,999 give p down to 0.0001, which the
    FDR correction over thousands of cells needs).
GISTAR_SEED
    Seed of the Gi* permutations, so the same data always gives the same map.
EMERGING_MAX_MONTHLY_STEPS
    Longest span (in months) analysed month by month; longer spans use quarters.
EMERGING_MIN_STEPS
    Fewest time steps an emerging hot spot analysis accepts (ArcGIS requires 10).
EMERGING_TIME_LAGS
    Previous time steps included in each bin's space-time Gi* neighbourhood (ArcGIS's neighbourhood
    time step).
EMERGING_ALPHA
    Significance level of a hot or cold bin (FDR-corrected) and of the Mann–Kendall trend.
EMERGING_INFERENCE
    p-values of the space-time bins: ``"normal"`` (from the Gi* z-score, as ArcGIS does for the
    cube). Permutations are too coarse there: the FDR correction over tens of thousands of bins asks
    for p-values far below 1 / (permutations + 1), and the permutation pool holds the hot bins of
    every other step, which hides a hot spot that has weakened but not gone.
EMERGING_STANDARDISE
    Each space-time bin's Gi* against the mean and variance of its own time step (``"step"``: an
    area-wide rise or fall makes no "new" or "intensifying" hot spots) or of the whole cube
    (``"cube"``, ArcGIS's definition); the map page offers both.
IMPORT_MAX_BYTES
    Largest file accepted for import (``ANTT_IMPORT_MAX_MB``, default 50 MB); larger uploads are refused.
    Checked before the file is read (its size on disk, or the upload's length); Streamlit's own
    upload limit (``server.maxUploadSize`` in ``.streamlit/config.toml``) is the same 50 MB.
IMPORT_MAX_UNZIPPED_BYTES
    Largest total uncompressed size of a zip archive (an XLSX workbook, a zipped Shapefile), read
    from its directory before anything is inflated (``ANTT_IMPORT_MAX_UNZIPPED_MB``, default 200 MB).
IMPORT_MAX_ZIP_RATIO
    Largest compression ratio of a zip member over 1 MB uncompressed (spreadsheets compress about
    5–20 times; a zip bomb thousands of times).
IMPORT_MAX_ZIP_MEMBERS
    Most members a zip archive may hold (an XLSX has a few dozen, a zipped Shapefile a handful).
IMPORT_MAX_ROWS
    Most rows (empty ones too) a table may have, or features a layer (``ANTT_IMPORT_MAX_ROWS``,
    default 500,000); an XLSX sheet is checked from its declared dimension before it is read.
IMPORT_MAX_CELLS
    Most cells (rows × columns) a table may have (``ANTT_IMPORT_MAX_CELLS``, default 10 million):
    the bound on the memory a table takes once read.
CLI_IMPORT_MAX_BYTES, CLI_IMPORT_MAX_ROWS, CLI_IMPORT_MAX_CELLS
    The same limits for a file the command line imports (``python -m geo import incidents``,
    ``evaluate --incidents``), where an administrator brings a province's ledger: ``ANTT_CLI_IMPORT_MAX_MB``
    (default 1,024 MB), ``ANTT_CLI_IMPORT_MAX_ROWS`` (default 2 million), ``ANTT_CLI_IMPORT_MAX_CELLS``
    (default 30 million). The page's upload limits stay as above.
IMPORT_EARLIEST_DATE
    Incident dates before this day are rejected as implausible (a mistyped year).
IMPORT_PREVIEW_ROWS
    Rows shown in the import preview.
BOUNDARY_ALIGN_WARN_M
    An imported boundary set whose outer edge strays further than this from the district outline is
    reported (wrong CRS or wrong district).
BCRYPT_ROUNDS
    Cost factor of new password hashes (``ANTT_BCRYPT_ROUNDS``, default 12: about 0.25 s a check on
    one core of a 2-core machine; the tests use 4).
PASSWORD_MIN_LENGTH
    Fewest characters of a new password (bcrypt reads at most 72 bytes, which is the upper limit).
LOGIN_FREE_FAILURES
    Consecutive failed logins of one name answered at once; from then on each attempt must wait.
LOGIN_DELAY_S
    Wait after the first slowed failure, doubled after each further one.
LOGIN_LOCK_AFTER
    Consecutive failed logins that lock the name for `LOGIN_LOCK_MINUTES` (again after each
    further failure until a success or `LOGIN_FORGET_MINUTES` of quiet).
LOGIN_LOCK_MINUTES
    How long a locked name stays locked (``users reset`` unlocks it at once).
LOGIN_FORGET_MINUTES
    Failures older than this (and not locked) are forgotten.
SESSION_IDLE_MINUTES
    A logged-in session without any interaction for this long ends (``ANTT_SESSION_IDLE_MIN``).
PROXY_USER_KEY
    Optional (``ANTT_PROXY_USER_KEY``): the ``st.user`` key that Streamlit fills from a reverse proxy's
    header (``server.trustedUserHeaders``); the name it holds logs in as that user of the store.
OIDC_PROVIDER
    Optional (``ANTT_OIDC_PROVIDER``): log in through the unit's OpenID Connect identity provider
    (``st.login``): ``default`` for the settings directly in ``[auth]`` of ``.streamlit/secrets.toml``,
    else the name of its ``[auth.NAME]`` section. Empty: no OIDC (docs/auth.md).
OIDC_USER_CLAIM
    The claims of the identity token that name the store's account (``ANTT_OIDC_USER_CLAIM``, default
    ``email``; a comma-separated list is tried in order, e.g. ``preferred_username,email``).
OIDC_PASSWORDS
    Whether the app's own passwords stay allowed beside OIDC (``ANTT_OIDC_PASSWORDS``, default ``1``;
    ``0``: the identity provider only).
OIDC_MAX_HOURS
    An OIDC login older than this (the token's ``iat``) is ended and must be repeated, whatever
    Streamlit's 30-day identity cookie says (``ANTT_OIDC_MAX_HOURS``).
OIDC_COOKIE_SECRET_MIN
    Fewest characters of ``cookie_secret`` in ``[auth]`` (it signs the identity cookie).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
DATA_DIR: Final = Path(os.environ.get("ANTT_DATA_DIR", str(ROOT / "data")))
REFERENCE_DIR: Final = ROOT / "data" / "reference"
DEMO_COMMUNES_PATH: Final = ROOT / "data" / "demo_communes.geojson"
DEMO_INCIDENTS_PATH: Final = ROOT / "data" / "demo_incidents.csv"
DEMO_PLAN_PATH: Final = ROOT / "data" / "demo_plan.json"
DISTRICT_HISTORY_PATH: Final = REFERENCE_DIR / "unit_history.csv"
DEFAULT_DB_PATH: Final = DATA_DIR / "antt.sqlite"
STATIC_DIR: Final = ROOT / "static"
STATIC_URL: Final = "/app/static"

CRS_WGS84: Final = "EPSG:4326"
CRS_METRIC: Final = "EPSG:32648"
TIMEZONE: Final = "Asia/Ho_Chi_Minh"

DISTRICT_TOLERANCE_M: Final = 500.0

POINTS_MAX: Final = 3000
HEAT_CELL_M: Final = 125.0
HEAT_MAX_CELLS: Final = 6000
RASTER_CELLS_ABOVE: Final = 20_000
RASTER_MAX_PX: Final = 1600
MAP_BUDGET_BYTES: Final = 2_000_000
COORD_DECIMALS: Final = 5

TILE_URL: Final = os.environ.get("ANTT_TILE_URL", "")
TILE_ATTRIBUTION: Final = os.environ.get("ANTT_TILE_ATTRIBUTION", "© OpenStreetMap contributors")
BASEMAP_DIR: Final = Path(os.environ.get("ANTT_BASEMAP_DIR", str(DATA_DIR / "basemap")))
BASEMAP_MAX_BYTES: Final = int(float(os.environ.get("ANTT_BASEMAP_MAX_MB", "500")) * 1024 * 1024)
BASEMAP_TILE_PATH: Final = "/_antt/basemap"
BASEMAP_MAX_ZOOM: Final = 22

MIN_COUNT_FOR_VERDICT: Final = 20
GRID_CELL_M: Final = 250.0
KDE_BANDWIDTH_M: Final = 400.0

DEMO_BANNER_VI: Final = "Dữ liệu minh họa — không phải số liệu thực"
DEMO_BANNER_EN: Final = "Demo data — not real figures"

# Evaluation of the plan (issue 3)
METRIC_CRS_BOUNDS: Final = (102.0, 8.0, 108.0, 23.5)
NEIGHBOUR_TOLERANCE_M: Final = 30.0
CONFIDENCE_LEVEL: Final = 0.95
TREND_MONTHS_BEFORE: Final = 36
CHANGE_FLAT_PCT: Final = 2.5
POWER: Final = 0.8
MAX_DETECTABLE_FALL: Final = float(os.environ.get("ANTT_MAX_DETECTABLE_FALL", "0.5"))
RANDOMISATION_MAX: Final = 5000
RANDOMISATION_SEED: Final = 20230526
SELECTED_BASELINE_MONTHS: Final = 24

# Hotspot analytics (issue 5)
KDE_SUBCELLS: Final = 4
KDE_EDGE_CORRECTION: Final = True
KDE_EDGE_MIN_SHARE: Final = 0.25
DENSITY_BREAKS: Final = (5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)
GISTAR_PERMUTATIONS: Final = 9999
GISTAR_SEED: Final = 20230526
EMERGING_MAX_MONTHLY_STEPS: Final = 36
EMERGING_MIN_STEPS: Final = 10
EMERGING_TIME_LAGS: Final = 1
EMERGING_ALPHA: Final = 0.05
EMERGING_INFERENCE: Final = "normal"
EMERGING_STANDARDISE: Final = "step"

# Import of incident and boundary files (issue 4).
IMPORT_MAX_BYTES: Final = int(float(os.environ.get("ANTT_IMPORT_MAX_MB", "50")) * 1024 * 1024)
IMPORT_MAX_UNZIPPED_BYTES: Final = int(
    float(os.environ.get("ANTT_IMPORT_MAX_UNZIPPED_MB", "200")) * 1024 * 1024
)
IMPORT_MAX_ZIP_RATIO: Final = 100.0
IMPORT_MAX_ZIP_MEMBERS: Final = 1000
IMPORT_MAX_ROWS: Final = int(os.environ.get("ANTT_IMPORT_MAX_ROWS", "500000"))
IMPORT_MAX_CELLS: Final = int(os.environ.get("ANTT_IMPORT_MAX_CELLS", "10000000"))
CLI_IMPORT_MAX_BYTES: Final = int(float(os.environ.get("ANTT_CLI_IMPORT_MAX_MB", "1024")) * 1024 * 1024)
CLI_IMPORT_MAX_ROWS: Final = int(os.environ.get("ANTT_CLI_IMPORT_MAX_ROWS", "2000000"))
CLI_IMPORT_MAX_CELLS: Final = int(os.environ.get("ANTT_CLI_IMPORT_MAX_CELLS", "30000000"))
IMPORT_EARLIEST_DATE: Final = date(2000, 1, 1)
IMPORT_PREVIEW_ROWS: Final = 20
BOUNDARY_ALIGN_WARN_M: Final = 1000.0

# Accounts, login and sessions (issue 11).
BCRYPT_ROUNDS: Final = int(os.environ.get("ANTT_BCRYPT_ROUNDS", "12"))
PASSWORD_MIN_LENGTH: Final = 8
LOGIN_FREE_FAILURES: Final = 3
LOGIN_DELAY_S: Final = 5
LOGIN_LOCK_AFTER: Final = 5
LOGIN_LOCK_MINUTES: Final = 15
LOGIN_FORGET_MINUTES: Final = 30
SESSION_IDLE_MINUTES: Final = float(os.environ.get("ANTT_SESSION_IDLE_MIN", "30"))
PROXY_USER_KEY: Final = os.environ.get("ANTT_PROXY_USER_KEY", "")
OIDC_PROVIDER: Final = os.environ.get("ANTT_OIDC_PROVIDER", "").strip()
OIDC_USER_CLAIM: Final = os.environ.get("ANTT_OIDC_USER_CLAIM", "email")
OIDC_PASSWORDS: Final = os.environ.get("ANTT_OIDC_PASSWORDS", "1").strip() != "0"
OIDC_MAX_HOURS: Final = float(os.environ.get("ANTT_OIDC_MAX_HOURS", "12"))
OIDC_COOKIE_SECRET_MIN: Final = 32


def require_login() -> bool:
    """Return True when ``ANTT_REQUIRE_LOGIN=1`` asks for a login on localhost too (always beyond it)."""
    return os.environ.get("ANTT_REQUIRE_LOGIN", "") == "1"


def database_url() -> str:
    """Return the SQLAlchemy URL of the store (``DATABASE_URL`` or the default SQLite file)."""
    url = os.environ.get("ANTT_DATABASE_URL") or os.environ.get("DATABASE_URL")
    return url or f"sqlite:///{DEFAULT_DB_PATH}"


def pushdown(url: str | None = None) -> bool:
    """Return True when pages count in the database instead of holding every incident (issue 14, item 3).

    ``ANTT_PUSHDOWN=1`` always, ``0`` never; unset or ``auto``: when the store is PostgreSQL, where
    a province's ten million incidents are too many for every dashboard process to hold. The counts
    are the same either way (the prepared aggregates, `geo.store.counts`); on SQLite the arrays in
    the process are faster.
    """
    value = os.environ.get("ANTT_PUSHDOWN", "auto").strip().lower()
    if value in {"1", "on", "true", "yes"}:
        return True
    if value in {"0", "off", "false", "no"}:
        return False
    return (url or database_url()).startswith("postgresql")
