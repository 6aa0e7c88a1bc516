"""Situation picture (situasjonsbilde) for partner forums: content, narrative, exports, audit log."""
