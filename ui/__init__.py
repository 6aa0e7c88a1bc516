"""Streamlit-side helpers shared by the pages: sidebar state and cached store access.

Only this package and ``pages/`` import streamlit; analysis lives in ``geo/``.
"""
