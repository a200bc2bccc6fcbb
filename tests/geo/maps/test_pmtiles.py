"""The PMTiles v3 format: tile ids along the Hilbert curve, as the specification numbers them."""

from __future__ import annotations

from geo.maps import pmtiles


def test_pmtiles_tile_ids_follow_the_specification() -> None:
    # The ids the reference implementation (the pmtiles package) gives.
    assert pmtiles.tile_id(0, 0, 0) == 0
    assert pmtiles.tile_id(1, 1, 0) == 4
    assert pmtiles.tile_id(2, 1, 3) == 11
    assert pmtiles.tile_id(3, 3, 0) == 26
    assert pmtiles.tile_id(20, 0, 0) == 366503875925
