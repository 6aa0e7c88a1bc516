"""Deterministic demo data: real Oslo geography, synthetic outreach activity.

- :func:`demo_areas`: field-area versions built from real OSM streets and
  places and the real Hovseter sub-district (EPSG:4326).
- :func:`generate_activity`: synthetic patrols, GPS track points and
  encounters, one :class:`DemoActivity` per calendar year.

Reads only the committed files in ``data/`` (see ``data/README.md``).
"""

from geo.demo.activity import DemoActivity, generate_activity
from geo.demo.areas import demo_areas

__all__ = ["DemoActivity", "demo_areas", "generate_activity"]
