"""UI strings for the Situasjonsbilde page (partner situation picture) (nb + en)."""

STRINGS: dict[str, dict[str, str]] = {}
