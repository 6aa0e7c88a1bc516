"""Every UI string exists in both languages, and every literal key the code uses exists."""

from __future__ import annotations

import re
import string

import pytest

from tests.conftest import REPO
from ui.i18n import LANGUAGES, STRINGS
from ui.strings import merge_string_tables

UI_SOURCES = [REPO / "dashboard.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "ui").rglob("*.py"))]
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.]+)["']\s*[,)]""")
LABEL_PREFIX = re.compile(r"""\blabels\(\s*["']([a-z0-9_.]+)["']""")


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_key_has_both_languages_with_the_same_placeholders(key):
    entry = STRINGS[key]
    assert set(entry) == set(LANGUAGES), f"{key}: languages {sorted(entry)}"
    assert all(entry[lang].strip() for lang in LANGUAGES), f"{key}: empty text"
    assert _placeholders(entry["nb"]) == _placeholders(entry["en"]), f"{key}: placeholders differ"


def test_every_literal_key_used_in_the_ui_exists():
    used = {(path.name, key) for path in UI_SOURCES for key in LITERAL_KEY.findall(path.read_text())}
    missing = sorted((name, key) for name, key in used if key not in STRINGS)
    assert not missing, f"keys used but not defined: {missing}"


def test_every_label_prefix_used_in_the_ui_has_strings():
    prefixes = {key for path in UI_SOURCES for key in LABEL_PREFIX.findall(path.read_text())}
    empty = sorted(p for p in prefixes if not any(k.startswith(p + ".") for k in STRINGS))
    assert not empty, f"labels() prefixes with no strings: {empty}"


def test_a_key_defined_in_two_tables_is_refused():
    with pytest.raises(ValueError, match="defined twice"):
        merge_string_tables({"a.b": {"nb": "x", "en": "x"}}, {"a.b": {"nb": "y", "en": "y"}})


def test_every_audit_action_has_a_label_in_both_languages():
    from geo.store.audit import ACTIONS
    from ui.i18n import STRINGS

    for action in ACTIONS:
        assert set(STRINGS[f"audit.action.{action}"]) == {"nb", "en"}, action
