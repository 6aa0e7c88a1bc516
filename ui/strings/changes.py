"""UI strings for the pages on change over time: Endringer over tid and Hotspots (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {}
