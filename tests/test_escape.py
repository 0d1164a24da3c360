"""escape_kid: attacker-chosen kids in messages (CWE-117), the one helper every message uses."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jwtlite._escape import KID_SHOWN, escape_kid


@pytest.mark.parametrize(
    ("kid", "shown"),
    [
        ("plain-kid_1", "plain-kid_1"),
        ("a\r\nb", "a\\x0d\\x0ab"),
        ("\x1b[31m", "\\x1b[31m"),
        ("\x7f\x85", "\\x7f\\x85"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("bidi\u202e", "bidi\\u202e"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone\ud800", "lone\\ud800"),
        ('q"\\', 'q\\"\\\\'),
        ("é ü 鍵", "é ü 鍵"),
    ],
)
def test_escapes(kid: str, shown: str) -> None:
    assert escape_kid(kid) == shown


def test_long_kids_are_cut_and_non_strings_shown_by_repr() -> None:
    assert escape_kid("k" * 5000) == "k" * KID_SHOWN + "..."
    assert escape_kid(42) == "42"
    assert escape_kid(None) == "None"


@given(st.text(max_size=200))
def test_no_unprintable_survives(kid: str) -> None:
    out = escape_kid(kid)
    assert all(unicodedata.category(c)[0] not in "C" for c in out)
    assert all(unicodedata.category(c) not in ("Zl", "Zp") for c in out)
    assert len(out) <= 10 * KID_SHOWN + 3
