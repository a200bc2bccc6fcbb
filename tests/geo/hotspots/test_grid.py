"""Tests of the analysis grid: cells, counts, kernel density, cell polygons and communes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo._errors import ConfigError, DataError
from geo.hotspots import edges
from geo.hotspots import grid as gridmod

X0, Y0 = 500_000.0, 2_200_000.0


def square(size: float = 1000.0, *, x0: float = X0, y0: float = Y0) -> gpd.GeoDataFrame:
    """One square commune in EPSG:32648."""
    return gpd.GeoDataFrame(
        {"code": ["A"], "name": ["A"]}, geometry=[shapely.box(x0, y0, x0 + size, y0 + size)], crs="EPSG:32648"
    )


def test_square_grid_has_every_cell_inside():
    grid = gridmod.make_grid(square(1000.0), cell_m=250.0)
    assert grid.shape == (4, 4)
    assert (grid.x0, grid.y0) == (X0, Y0)
    assert grid.inside.all()


def test_origin_is_snapped_to_the_cell_size():
    grid = gridmod.make_grid(square(1000.0, x0=X0 + 10, y0=Y0 + 30), cell_m=250.0)
    assert (grid.x0, grid.y0) == (X0, Y0)
    assert grid.shape == (5, 5)


def test_cells_outside_an_l_shape_are_excluded():
    """An L: the north-east quadrant is missing; cells that only touch the outline are out."""
    poly = shapely.Polygon(
        [
            (X0, Y0),
            (X0 + 1000, Y0),
            (X0 + 1000, Y0 + 500),
            (X0 + 500, Y0 + 500),
            (X0 + 500, Y0 + 1000),
            (X0, Y0 + 1000),
        ]
    )
    communes = gpd.GeoDataFrame({"code": ["A"]}, geometry=[poly], crs="EPSG:32648")
    grid = gridmod.make_grid(communes, cell_m=250.0)
    assert grid.n_inside == 12
    assert not grid.inside[2:, 2:].any()


def test_grid_refuses_communes_without_crs():
    naive = gpd.GeoDataFrame({"code": ["A"]}, geometry=[shapely.box(0, 0, 1, 1)])
    with pytest.raises(DataError, match="CRS"):
        gridmod.make_grid(naive)


def test_grid_refuses_a_non_positive_cell():
    with pytest.raises(ConfigError, match="lớn hơn 0"):
        gridmod.make_grid(square(), cell_m=0)


def test_cell_counts_and_points_outside():
    grid = gridmod.make_grid(square(1000.0), cell_m=250.0)
    x = np.array([X0 + 10, X0 + 20, X0 + 990, X0 - 5, X0 + 400])
    y = np.array([Y0 + 10, Y0 + 30, Y0 + 990, Y0 + 5, Y0 + 600])
    counts = gridmod.cell_counts(grid, x, y)
    assert counts[0, 0] == 2
    assert counts[3, 3] == 1
    assert counts[2, 1] == 1
    assert counts.sum() == 4  # the point west of the grid is dropped


def test_project_round_trip():
    lon, lat = np.array([105.6163, 105.7]), np.array([20.06, 20.03])
    back = gridmod.unproject(*gridmod.project(lon, lat))
    assert np.allclose(back[0], lon)
    assert np.allclose(back[1], lat)


def test_quartic_kernel_sums_to_one_and_vanishes_beyond_the_bandwidth():
    kernel = gridmod.quartic_kernel(bandwidth_m=400.0, pixel_m=50.0)
    assert kernel.shape == (17, 17)
    assert kernel.sum() == pytest.approx(1.0)
    assert kernel[8, 0] == 0.0  # exactly 400 m away
    assert kernel[8, 8] == kernel.max()
    assert np.allclose(kernel, kernel.T)
    assert np.allclose(kernel, kernel[::-1])


def test_density_keeps_the_mass_and_peaks_at_the_cluster():
    grid = gridmod.make_grid(square(5000.0), cell_m=250.0)
    rng = np.random.default_rng(1)
    x = X0 + 3100 + rng.normal(0, 60, 400)
    y = Y0 + 1600 + rng.normal(0, 60, 400)
    dens = gridmod.density(grid, x, y, bandwidth_m=400.0)
    assert (dens * grid.cell_km2).sum() == pytest.approx(400.0, rel=1e-6)
    row, col = np.unravel_index(np.argmax(dens), dens.shape)
    assert (row, col) == (6, 12)  # the cell holding (3100, 1600)
    far = np.hypot(*(np.array(np.meshgrid(np.arange(20), np.arange(20))) - np.array([12, 6])[:, None, None]))
    assert (dens[far > 4] == 0).all()  # 4 cells = 1,000 m: beyond bandwidth + spread


def test_density_by_step_adds_up_to_the_whole():
    grid = gridmod.make_grid(square(2000.0), cell_m=250.0)
    rng = np.random.default_rng(2)
    x, y = X0 + rng.uniform(0, 2000, 300), Y0 + rng.uniform(0, 2000, 300)
    steps = rng.integers(0, 3, 300)
    layers = gridmod.density(grid, x, y, steps=steps, n_steps=3)
    assert layers.shape == (3, 8, 8)
    assert np.allclose(layers.sum(axis=0), gridmod.density(grid, x, y))


def test_density_refuses_a_bad_bandwidth():
    grid = gridmod.make_grid(square(), cell_m=250.0)
    with pytest.raises(ConfigError, match="bandwidth"):
        gridmod.density(grid, np.array([X0]), np.array([Y0]), bandwidth_m=-1)


def test_cell_polygons_cover_the_outline():
    poly = shapely.Polygon([(X0, Y0), (X0 + 900, Y0), (X0 + 100, Y0 + 800)])
    communes = gpd.GeoDataFrame({"code": ["A"]}, geometry=[poly], crs="EPSG:32648")
    grid = gridmod.make_grid(communes, cell_m=250.0)
    cells = gridmod.cell_polygons(grid)
    assert cells.crs == "EPSG:4326"
    assert len(cells) == grid.n_inside
    assert cells.to_crs("EPSG:32648").area.sum() == pytest.approx(poly.area, rel=1e-6)


def test_cell_communes_by_centre_and_nearest():
    west = shapely.box(X0, Y0, X0 + 500, Y0 + 1000)
    east = shapely.box(X0 + 500, Y0, X0 + 1000, Y0 + 990)  # leaves a sliver at the north edge
    communes = gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[west, east], crs="EPSG:32648")
    grid = gridmod.make_grid(communes, cell_m=250.0)
    codes = gridmod.cell_communes(grid, communes)
    assert len(codes) == 16
    assert codes[0] == "W"
    assert codes[3] == "E"
    assert codes[15] == "E"  # its centre is in the east commune
    assert set(codes) == {"W", "E"}


def test_demo_density_peaks_at_the_generators_clusters(demo_store):
    """Every place where `geo.demo` concentrates incidents has a peak, and the peaks are those places."""
    from geo.demo import _CLUSTERS

    incidents = demo_store.incidents()
    grid = gridmod.make_grid(demo_store.communes())
    dens = gridmod.density(grid, *gridmod.project(incidents["lon"].to_numpy(), incidents["lat"].to_numpy()))
    xs, ys = grid.centres()
    centres = shapely.points(xs, ys)
    places = []
    for cluster in _CLUSTERS:
        px, py = gridmod.project(*np.array(cluster.coords).T)
        places.append(shapely.LineString(np.c_[px, py]) if len(px) > 1 else shapely.Point(px[0], py[0]))
    high = np.percentile(dens[grid.inside], 95)
    for place in places:
        near = (shapely.distance(place, centres) < 400) & grid.inside
        assert dens[near].max() > 2 * high
    top = np.argsort(dens.ravel())[::-1][:20]
    assert (shapely.distance(shapely.union_all(places), centres.ravel()[top]) < 400).all()


def test_restrict_limits_the_study_area_to_some_communes():
    west = shapely.box(X0, Y0, X0 + 500, Y0 + 1000)
    east = shapely.box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)
    communes = gpd.GeoDataFrame({"code": ["W", "E"]}, geometry=[west, east], crs="EPSG:32648")
    grid = gridmod.make_grid(communes, cell_m=250.0)
    codes = gridmod.cell_communes(grid, communes)
    east_only = gridmod.restrict(grid, codes, ["E"])
    assert east_only.n_inside == 8
    assert east_only.inside[:, 2:].all()
    assert not east_only.inside[:, :2].any()
    assert gridmod.restrict(grid, codes, []) is grid
    assert grid.n_inside == 16  # the input is unchanged


def test_the_grid_is_measured_in_the_areas_own_utm_zone() -> None:
    """Outside Vietnam's zone the cells are square metres of the local UTM zone, not of UTM 48N."""
    import geopandas as gpd
    import shapely

    lyon = gpd.GeoDataFrame({"code": ["1"]}, geometry=[shapely.box(4.80, 45.74, 4.86, 45.78)], crs=4326)
    grid = gridmod.make_grid(lyon, cell_m=250.0)
    assert grid.crs == "EPSG:32631"
    cells = gridmod.cell_polygons(grid, clip=False).to_crs(grid.crs)
    assert cells.area.round(3).unique().tolist() == [62_500.0]
    x, y = grid.project(np.array([4.83]), np.array([45.76]))
    lon, lat = grid.unproject(x, y)
    assert (round(float(lon[0]), 6), round(float(lat[0]), 6)) == (4.83, 45.76)
    vinh_loc = gridmod.make_grid(
        gpd.GeoDataFrame({"code": ["1"]}, geometry=[shapely.box(105.6, 20.0, 105.7, 20.1)], crs=4326)
    )
    assert vinh_loc.crs == "EPSG:32648"


def _uniform_in(poly: shapely.Polygon, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points drawn uniformly inside ``poly`` (rejection from its bounding box)."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = poly.bounds
    xs, ys = [], []
    while sum(len(a) for a in xs) < n:
        x, y = rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)
        keep = shapely.contains_xy(poly, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def test_edge_correction_keeps_uniform_points_uniform_up_to_the_edge():
    """200,000 points uniform over a 5 km square: the true density is 8,000 per km² everywhere."""
    grid = gridmod.make_grid(square(5000.0), cell_m=250.0)
    x, y = _uniform_in(shapely.box(X0, Y0, X0 + 5000, Y0 + 5000), 200_000, seed=4)
    interior = slice(3, -3)
    ring = np.zeros(grid.shape, dtype=bool)
    ring[[0, -1], :] = ring[:, [0, -1]] = True

    corrected = gridmod.density(grid, x, y, bandwidth_m=400.0)
    middle = corrected[interior, interior].mean()
    assert middle == pytest.approx(8000, rel=0.02)
    assert np.abs(corrected[ring] / middle - 1).max() < 0.15
    assert corrected[0, 0] / middle == pytest.approx(1, abs=0.15)  # a corner too

    raw = gridmod.density(grid, x, y, bandwidth_m=400.0, edge_correction=False)
    assert raw[interior, interior].mean() == pytest.approx(middle, rel=1e-6)  # the inside is unchanged
    assert raw[ring].mean() / middle < 0.85
    assert raw[0, 0] / middle < 0.7


def test_edge_correction_follows_the_outline_not_the_grid():
    """An L-shaped area (the north-east quadrant missing): cells along its inner edges are not low."""
    poly = shapely.Polygon(
        [
            (X0, Y0),
            (X0 + 4000, Y0),
            (X0 + 4000, Y0 + 2000),
            (X0 + 2000, Y0 + 2000),
            (X0 + 2000, Y0 + 4000),
            (X0, Y0 + 4000),
        ]
    )
    grid = gridmod.make_grid(
        gpd.GeoDataFrame({"code": ["A"]}, geometry=[poly], crs="EPSG:32648"), cell_m=250.0
    )
    x, y = _uniform_in(poly, 150_000, seed=5)
    truth = 150_000 / (poly.area / 1e6)
    corrected = gridmod.density(grid, x, y, bandwidth_m=400.0)
    raw = gridmod.density(grid, x, y, bandwidth_m=400.0, edge_correction=False)
    inner_edge = np.zeros(grid.shape, dtype=bool)
    inner_edge[7, 8:16] = inner_edge[8:16, 7] = True  # the cells just inside the missing quadrant
    assert np.abs(corrected[grid.inside] / truth - 1).max() < 0.15
    assert raw[inner_edge].mean() / truth < 0.85
    assert (corrected[~grid.inside] == 0).all()


def test_kernel_share_of_a_half_plane_is_one_half_on_its_edge():
    kernel = gridmod.quartic_kernel(bandwidth_m=400.0, pixel_m=50.0)
    mask = np.zeros((41, 41), dtype=bool)
    mask[:, :20] = True  # columns 0–19 inside; the edge runs between columns 19 and 20
    share = edges.kernel_share(mask, kernel)
    assert share[20, 10] == pytest.approx(1.0)  # 10 pixels from each edge, beyond the 8-pixel radius
    assert share[20, 19] + share[20, 20] == pytest.approx(1.0)  # two pixels astride the edge
    assert share[20, 30] == pytest.approx(0.0, abs=1e-12)


def test_the_edge_arrays_are_made_once_per_study_area_and_read_only() -> None:
    grid = gridmod.make_grid(square(1000.0), cell_m=250.0)
    kernel = gridmod.quartic_kernel(bandwidth_m=300.0, pixel_m=62.5)
    first = edges.edge_correction_arrays(grid, 4, kernel, 300.0)
    again = edges.edge_correction_arrays(gridmod.make_grid(square(1000.0), cell_m=250.0), 4, kernel, 300.0)
    assert again[0] is first[0]  # the same area: remembered, not made again
    assert again[1] is first[1]
    assert not first[0].flags.writeable
    assert not first[1].flags.writeable
    other = edges.edge_correction_arrays(gridmod.make_grid(square(1500.0), cell_m=250.0), 4, kernel, 300.0)
    assert other[0].shape != first[0].shape
    np.testing.assert_array_equal(first[0], edges.pixel_mask(grid, 4))


def test_a_cell_goes_to_the_first_unit_holding_its_centre_even_where_units_overlap() -> None:
    first = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)
    second = shapely.box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)  # overlaps the first's east half
    communes = gpd.GeoDataFrame(
        {"code": ["B", "A"], "name": ["B", "A"]}, geometry=[first, second], crs="EPSG:32648"
    )
    grid = gridmod.make_grid(communes, cell_m=250.0)
    codes = gridmod.cell_communes(grid, communes)
    xs, _ = grid.centres()
    for flat, code in codes.items():
        x = xs.ravel()[flat]
        assert code == ("B" if x < X0 + 1000 else "A")
    polygons = gridmod.cell_polygons(grid)
    assert bool(polygons["whole"].all())
    assert len(polygons) == int(grid.inside.sum())
