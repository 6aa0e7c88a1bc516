"""UI strings for the Hotspots page (emerging hot and cold spots) (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {}
