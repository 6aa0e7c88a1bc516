"""UI strings for the Endringer over tid page (area history, drift, effective areas) and the period animation (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {}
