"""The value-shape helpers (jwtlite._values): each refuses with its own text, never raises
anything else, and takes its limits exactly."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from jwtlite import _values
from jwtlite.exceptions import InvalidArgumentError, InvalidKeyError, PyJWTError

FLOAT_MAX = int(sys.float_info.max)


class _Float(float):
    pass


class _Int(int):
    pass


def _text(call: Callable[[], Any]) -> str:
    with pytest.raises(PyJWTError) as caught:
        call()
    assert type(caught.value) is InvalidArgumentError
    return str(caught.value)


def test_finite() -> None:
    assert _values.finite(1.5) == 1.5
    assert _values.finite(_Float(2.5)) == 2.5
    assert type(_values.finite(_Float(2.5))) is float
    assert _values.finite(-0.0) == 0.0
    assert _values.finite(7) == 7.0
    assert type(_values.finite(_Int(7))) is float
    assert _values.finite(FLOAT_MAX) == float(FLOAT_MAX)
    assert _values.finite(-FLOAT_MAX) == -float(FLOAT_MAX)
    for value in (FLOAT_MAX + 1, -FLOAT_MAX - 1, 10**400, float("nan"), float("inf"),
                  float("-inf"), True, False, "1", None, 1j, [1]):  # fmt: skip
        assert _values.finite(value) is None


def test_number_bounds_and_texts() -> None:
    assert _values.number(5, "leeway") == 5.0
    assert _values.number(0, "leeway", low=0) == 0.0
    assert _values.number(10, "leeway", high=10) == 10.0
    assert _values.number(3, "x", low=3, high=3) == 3.0
    assert _text(lambda: _values.number(-1, "leeway", low=0)) == (
        "leeway must be at least 0, not -1"
    )
    assert _text(lambda: _values.number(11, "leeway", high=10.5)) == (
        "leeway must be at most 10.5, not 11"
    )
    assert _text(lambda: _values.number(2.5, "ttl", low=3, high=4)) == (
        "ttl must be between 3 and 4, not 2.5"
    )
    assert _text(lambda: _values.number(5, "ttl", low=3, high=4)) == (
        "ttl must be between 3 and 4, not 5"
    )
    assert _text(lambda: _values.number(True, "ttl")) == "ttl must be a finite number, not bool"
    assert _text(lambda: _values.number("5", "ttl")) == "ttl must be a finite number, not str"
    assert _text(lambda: _values.number(float("nan"), "ttl")) == (
        "ttl must be a finite number, not nan"
    )
    huge = _text(lambda: _values.number(10**400, "ttl"))
    assert huge.startswith("ttl must be a finite number, not ")
    assert len(huge) < 120  # described, not written out


def test_text() -> None:
    assert _values.text("a", "issuer") == "a"
    assert _text(lambda: _values.text(b"a", "issuer")) == "issuer must be a string, not bytes"
    assert _text(lambda: _values.text(None, "issuer")) == "issuer must be a string, not NoneType"


def test_names() -> None:
    assert _values.names("HS256", "algorithms") == ("HS256",)
    assert _values.names(["HS256", "RS256"], "algorithms") == ("HS256", "RS256")
    assert _values.names(iter(("a",)), "algorithms") == ("a",)
    assert _values.names((), "algorithms") == ()
    for value, kind in ((b"HS256", "bytes"), (bytearray(b"x"), "bytearray"), ({"a": 1}, "dict"),
                        (5, "int"), (None, "NoneType")):  # fmt: skip
        assert _text(lambda: _values.names(value, "algorithms")) == (  # noqa: B023
            f"algorithms must be a list of strings, not {kind}"
        )
    assert _text(lambda: _values.names(["a", 5], "require")) == (
        "require must be a list of strings; it holds a int"
    )
    assert _text(lambda: _values.names([b"a"], "require")) == (
        "require must be a list of strings; it holds a bytes"
    )


def test_mapping() -> None:
    assert _values.mapping(None, "headers") is None
    given = {"a": 1}
    assert _values.mapping(given, "headers") is given
    assert _text(lambda: _values.mapping([], "headers")) == "headers must be a dict, not list"
    assert _text(lambda: _values.mapping("x", "options")) == "options must be a dict, not str"


def test_utf8() -> None:
    assert _values.utf8("é", "name") == b"\xc3\xa9"
    assert _text(lambda: _values.utf8("ab\ud800", "the issuer")) == (
        "the issuer is not valid text: it holds a lone surrogate at position 2"
    )
    with pytest.raises(InvalidKeyError) as caught:
        _values.utf8("\udcff", "the HMAC secret", InvalidKeyError)
    assert str(caught.value) == (
        "the HMAC secret is not valid text: it holds a lone surrogate at position 0"
    )
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_numbers_in_messages_are_cut_after_40_characters() -> None:
    whole = 10**39  # 40 digits: shown whole
    assert _text(lambda: _values.number(whole, "ttl", high=0)) == (
        f"ttl must be at most 0, not {whole}"
    )
    cut = 10**40  # 41 digits: the first 40, then an ellipsis
    assert _text(lambda: _values.number(cut, "ttl", high=0)) == (
        f"ttl must be at most 0, not {str(cut)[:40]}..."
    )
