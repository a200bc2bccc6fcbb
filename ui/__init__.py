"""Streamlit glue shared by pages: cached loaders, filter widgets, i18n, asset registration."""
