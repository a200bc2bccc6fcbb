"""Domain package of the ANTT hotspot dashboard: pure functions, no Streamlit."""
