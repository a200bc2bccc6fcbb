"""The incidents and communes are shared by every session (issue 14): one read-only object, never changed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.store.store import Store
from ui import loaders

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("pages/overview.py", "pages/map.py", "pages/trends.py", "pages/targets.py", "pages/data.py")


def _arrays(frame: pd.DataFrame) -> list[np.ndarray]:
    return [np.asarray(frame[column].array) for column in frame.columns if frame[column].dtype != "geometry"]


def test_a_frozen_frame_refuses_writes_in_place() -> None:
    frame = loaders.freeze(
        pd.DataFrame({"n": [1, 2, 3], "x": [0.5, 1.5, 2.5], "when": pd.date_range("2024", periods=3)})
    )
    with pytest.raises(ValueError, match="read-only"):
        frame.loc[0, "n"] = 9
    with pytest.raises(ValueError, match="read-only"):
        frame["x"].to_numpy()[1] = 0.0
    with pytest.raises(ValueError, match="read-only"):
        frame.iloc[0:2]["when"].to_numpy()[0] = np.datetime64("2020-01-01")
    copy = frame.copy()
    copy.loc[0, "n"] = 9  # a copy is the caller's own
    assert frame["n"].tolist() == [1, 2, 3]


@pytest.mark.usefixtures("demo_env")
def test_every_page_shares_the_same_frames_and_leaves_them_as_stored(demo_store: Store) -> None:
    incidents, communes = loaders.incidents(), loaders.communes()
    assert loaders.incidents() is incidents  # one object per process and store version, not a copy per call
    assert loaders.communes() is communes
    assert all(not a.flags.writeable for a in _arrays(incidents) + _arrays(communes))

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        if page == "pages/map.py":
            layers = ["boundaries", "choropleth", "points", "heat", "density", "gistar", "emerging"]
            at.pills(key="map.layers").set_value(layers).run()
            at.multiselect(key="flt.groups").set_value(["ma_tuy"]).run()
            at.multiselect(key="flt.communes").set_value(["15388"]).run()
            assert not at.exception, at.exception
        assert loaders.incidents() is incidents, page
        assert loaders.communes() is communes, page

    pd.testing.assert_frame_equal(incidents, demo_store.incidents())
    pd.testing.assert_frame_equal(communes, demo_store.communes())
