"""Domain package of the ANTT hotspot dashboard: pure functions, no Streamlit.

The root holds the core (settings, errors, dates, taxonomy, the commune and incident schemas,
plan, filters, aggregation, trends, demo data); the subpackages follow the data flow: `geo.io`
(files in and out), `geo.store`, `geo.evaluation`, `geo.hotspots`, `geo.maps` and `geo.cli`.
"""

from geo._errors import AppError, BoundaryError, ConfigError, DataError, StoreError

__all__ = ["AppError", "BoundaryError", "ConfigError", "DataError", "StoreError"]
