"""Feltkart benchmarks: presence engine vs a naive GIS pipeline, GPX reader vs gpxpy.

Entry point: ``python -m bench.run`` (``make bench``). See ``bench/README.md``.
"""
