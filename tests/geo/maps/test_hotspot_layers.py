"""Tests of the hotspot map layers: compact cells, fixed classes, escaped text, legends, pane and control order."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.hotspots import grid as gridmod
from geo.maps import cell_canvas
from geo.maps import hotspot_layers as hm

X0, Y0 = 500_000.0, 2_200_000.0


def triangle_grid() -> gridmod.Grid:
    """A right triangle 1 km a side: whole cells near the corner, clipped ones along the hypotenuse."""
    poly = shapely.Polygon([(X0, Y0), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    return gridmod.make_grid(
        gpd.GeoDataFrame({"code": ["A"]}, geometry=[poly], crs="EPSG:32648"), cell_m=250.0
    )


def rendered(group: folium.FeatureGroup) -> str:
    fmap = hm.ensure_pane(folium.Map(tiles=None))
    group.add_to(fmap)
    return fmap.get_root().render()


def shapes(group: folium.FeatureGroup) -> cell_canvas.CellShapes:
    return next(c for c in group._children.values() if isinstance(c, cell_canvas.CellShapes))


def test_density_layer_keeps_cells_above_the_first_break_with_fixed_colours():
    grid = triangle_grid()
    cells = gridmod.cell_polygons(grid)
    values = np.linspace(0.0, 800.0, len(cells))
    group = hm.density_layer(cells, density=values, communes=["A"] * len(cells), fmt=lambda v: f"{v:.0f}")
    layer = shapes(group)
    kept = hm.density_class(values) >= 0
    assert len(layer.rows) == kept.sum()
    assert [r[0] for r in layer.rows] == hm.density_class(values)[kept].tolist()
    assert layer.colours == list(hm.DENSITY_COLOURS)
    assert "antt-density" in rendered(group)


def test_whole_cells_are_rectangles_and_border_cells_polygons():
    grid = triangle_grid()
    cells = gridmod.cell_polygons(grid)
    group = hm.density_layer(cells, density=np.full(len(cells), 50.0), communes=["A"] * len(cells))
    rows = shapes(group).rows
    whole = cells["whole"].to_numpy()
    assert whole.any()
    assert not whole.all()
    assert [len(r) == 7 for r in rows] == whole.tolist()
    south, west, north, east = rows[int(np.argmax(whole))][3:]
    assert south < north
    assert west < east


def test_text_is_escaped():
    grid = triangle_grid()
    cells = gridmod.cell_polygons(grid).head(2)
    group = hm.gi_layer(
        cells, bins=np.array([3, -2]), counts=np.array([9, 0]), communes=["<script>x</script>", "B&B"]
    )
    assert shapes(group).names == ["&lt;script&gt;x&lt;/script&gt;", "B&amp;B"]
    assert "<script>x</script>" not in rendered(group)


def test_gi_and_emerging_layers_skip_cells_without_a_class():
    grid = triangle_grid()
    cells = gridmod.cell_polygons(grid).head(4)
    gi = shapes(
        hm.gi_layer(cells, bins=np.array([0, 3, 0, -1]), counts=np.array([1, 9, 0, 0]), communes=["A"] * 4)
    )
    assert [r[0] for r in gi.rows] == [0, 3]  # indexes of 3 and -1 in (3, 2, 1, -1, -2, -3)
    em = shapes(
        hm.emerging_layer(
            cells, category=np.array(["none", "new_hot", "", "historical_cold"]), communes=["A"] * 4
        )
    )
    assert [em.colours[r[0]] for r in em.rows] == [
        hm.EMERGING_COLOURS["new_hot"],
        hm.EMERGING_COLOURS["historical_cold"],
    ]


def test_density_legend_is_fixed_and_lists_every_class():
    texts = hm.HotspotTexts()
    legend = hm.density_legend(texts)
    assert legend == hm.density_legend(texts)
    assert legend.count("antt-density-class") == len(hm.DENSITY_COLOURS)
    assert "5–10" in legend
    assert "≥ 500" in legend


def test_emerging_legend_explains_the_classes_shown():
    texts = hm.HotspotTexts(emerging_labels={"new_hot": ("Điểm nóng mới", "Chỉ nóng ở kỳ gần nhất.")})
    legend = hm.emerging_legend(texts, present=["new_hot", "none"])
    assert "<b>Điểm nóng mới</b>: Chỉ nóng ở kỳ gần nhất." in legend
    assert legend.count("antt-emerging-class") == 1


def test_pane_once_and_layer_control_last():
    fmap = folium.Map(tiles=None)
    folium.LayerControl().add_to(fmap)
    hm.ensure_pane(fmap)
    hm.ensure_pane(fmap)
    folium.FeatureGroup(name="x").add_to(fmap)
    hm.controls_last(fmap)
    kinds = [type(c).__name__ for c in fmap._children.values()]
    assert kinds.count("CustomPane") == 1
    assert kinds[-1] == "LayerControl"


def test_per_cell_arrays_of_the_wrong_length_are_refused() -> None:
    """A value array that does not match the cells (e.g. two arrays swapped) never draws a silently wrong map."""
    cells = gridmod.cell_polygons(triangle_grid()).iloc[:3]
    with pytest.raises(ValueError, match="one value per cell"):
        hm.gi_layer(cells, bins=np.array([3, 0, 0]), counts=np.array([1, 2]), communes=["A"] * 3)
    with pytest.raises(ValueError, match="lon has 2 values and lat 1"):
        hm.points_layer(lon=np.array([105.6, 105.7]), lat=np.array([20.0]), name="x")


def _script(group: folium.FeatureGroup, fmap: folium.Map) -> str:
    """The cell layer's own script in ``fmap``'s page (from its group's name to the end of its function)."""
    html = fmap.get_root().render()
    start = html.index(f"var group = {group.get_name()};")
    return html[start : html.index("})();", start)]


def test_cells_are_painted_on_a_canvas_of_their_own_per_layer():
    cells = gridmod.cell_polygons(triangle_grid()).to_crs("EPSG:4326")
    fmap = hm.ensure_pane(folium.Map(tiles=None))
    density = hm.density_layer(cells, density=np.full(len(cells), 300.0), communes=["A"] * len(cells))
    gi = hm.gi_layer(
        cells, bins=np.full(len(cells), 3), counts=np.ones(len(cells)), communes=["A"] * len(cells)
    )
    density.add_to(fmap)
    gi.add_to(fmap)
    html = fmap.get_root().render()
    assert html.count("L.canvas(") == 2  # one canvas per layer, not one SVG path per cell
    for group, cls in ((density, "antt-density"), (gi, "antt-gi")):
        script = _script(group, fmap)
        assert f'var paneName = "{cell_canvas.cell_pane(cls)}";' in script
        assert f"L.canvas({{pane: paneName, padding: {cell_canvas.CANVAS_PADDING}}})" in script
        assert "c.options.renderer = renderer;" in script  # every cell on it
        assert (
            f'L.DomUtil.addClass(pane, "antt-cells " + "{cls}")' in script
        )  # the class, for styles and tests
        assert f'm.getPane("{cell_canvas.PANE}")' in script  # inside the hot spot pane, above the boundaries
        assert 'pane.setAttribute("data-cells", String(cells.length))' in script
    assert cell_canvas.cell_pane("antt-density") != cell_canvas.cell_pane("antt-gi")
    assert 0 < cell_canvas.CANVAS_PADDING < 0.5


def test_a_hidden_layer_drops_its_canvas_and_lets_the_mouse_through():
    cells = gridmod.cell_polygons(triangle_grid()).to_crs("EPSG:4326")
    fmap = hm.ensure_pane(folium.Map(tiles=None))
    group = hm.density_layer(cells, density=np.full(len(cells), 300.0), communes=["A"] * len(cells))
    group.add_to(fmap)
    script = _script(group, fmap)
    shown = script[script.index('group.on("add"') : script.index('group.on("remove"')]
    hidden = script[script.index('group.on("remove"') :]
    assert 'map.on("mousemove", onCell)' in shown
    assert 'map.off("mousemove", onCell)' in hidden
    assert "map.removeLayer(renderer)" in hidden  # no empty canvas redrawn on every move
    assert 'pane.removeAttribute("data-cells")' in hidden
    assert 'pane.style.pointerEvents = "none"' in hidden
    # A new canvas each time it is shown: Leaflet does not repaint a canvas renderer removed and added back.
    before_add = script[script.index("group.beforeAdd") : script.index('group.on("add"')]
    assert "renderer = L.canvas(" in before_add


def test_a_cell_layer_script_needs_no_map_name():
    """The month slider sends its layers as st_folium feature groups, run against a map named ``map_div``: the
    cells' script takes the map Leaflet adds them to (``beforeAdd``), never a map variable of its own page."""
    from streamlit_folium import _get_feature_group_string

    cells = gridmod.cell_polygons(triangle_grid()).to_crs("EPSG:4326")
    fmap = hm.ensure_pane(folium.Map(tiles=None))
    group = hm.density_layer(cells, density=np.full(len(cells), 300.0), communes=["A"] * len(cells))
    text = _get_feature_group_string(group, map=fmap)
    body = text[text.index("var paneName") : text.index("})();", text.index("var paneName"))]
    assert "map_div" not in body
    assert fmap.get_name() not in body
    assert "group.beforeAdd = function (m)" in body
