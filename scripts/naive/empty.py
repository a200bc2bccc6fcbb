"""Naive build for the scale benchmark (scripts/bench_scale.py): an empty Streamlit page, the floor of every page time."""

import streamlit as st

st.title("Trang trống")
