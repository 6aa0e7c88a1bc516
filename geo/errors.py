"""The base of every error Feltkart reports to a user (printed as one line, never a traceback)."""


class FeltkartError(Exception):
    """Base class of every error Feltkart reports to a user (no traceback)."""
