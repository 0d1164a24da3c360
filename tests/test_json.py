"""Strict JSON loading and compact dumping."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from hypothesis import given
from property.strategies import json_objects

import jwtlite
from jwtlite import _json
from jwtlite._json import MAX_BRACKETS, MAX_DEPTH, dumps, loads_object
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import DecodeError
from jwtlite.jws import DEFAULT_MAX_TOKEN_SIZE


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
    with pytest.raises(DecodeError, match='Invalid header string: duplicate member name "a"'):
        loads_object(b'{"a":1,"a":2}', "header")
    with pytest.raises(DecodeError, match='Invalid JWK: duplicate member name "a"'):
        loads_object(b'{"a":1,"a":2}', "JWK")


# --- nesting: the exact limit, and a linear-time pre-check (issue 11, item 1) ------------------


def _nested(opening: str, closing: str, levels: int) -> bytes:
    """An object nested ``levels`` deep in total (the top-level object is level 1)."""
    inner = opening * (levels - 1) + ("1" if opening.endswith(":") else "") + closing * (levels - 1)
    return b'{"a":' + inner.encode() + b"}"


@pytest.mark.parametrize(("opening", "closing"), [("[", "]"), ('{"b":', "}")])
def test_exactly_max_depth_levels_are_accepted(opening: str, closing: str) -> None:
    assert MAX_DEPTH == 64
    assert loads_object(_nested(opening, closing, MAX_DEPTH))
    with pytest.raises(DecodeError, match="nested deeper than 64"):
        loads_object(_nested(opening, closing, MAX_DEPTH + 1))


def test_depth_counts_objects_and_arrays_alike() -> None:
    # 1 (top) + 2 * 31 ([{) + 1 ([) = 64 levels; one more "{" makes 65.
    body = '[{"b":' * 31 + "[" + "]" + "}]" * 31
    assert loads_object(b'{"a":' + body.encode() + b"}")
    deeper = '[{"b":' * 31 + '[{"b":1}' + "]" + "}]" * 31
    with pytest.raises(DecodeError, match="nested deeper than 64"):
        loads_object(b'{"a":' + deeper.encode() + b"}")


@pytest.mark.parametrize(
    "text",
    [
        # brackets inside strings never count, however the string is spelled
        '{"a":"' + "[" * 100 + '"}',
        '{"a":"\\\\","b":"' + "{" * 100 + '"}',  # an escaped backslash ends before the quote
        '{"a":"\\"' + "[" * 100 + '\\""}',
        '{"' + "[" * 100 + '":1}',
    ],
)
def test_quoted_brackets_do_not_count(text: str) -> None:
    assert loads_object(text.encode())


def test_escaped_quote_does_not_end_a_string() -> None:
    # If \" ended the string, the 100 brackets after it would count and this would be refused.
    text = '{"a":"\\"' + "[" * 100 + '"}'
    assert loads_object(text.encode()) == {"a": '"' + "[" * 100}
    # ... and if "\\\\" did not end at the following quote, these real brackets would be missed.
    deep = '{"a":"\\\\",' + '"b":' + "[" * 70 + "]" * 70 + "}"
    with pytest.raises(DecodeError, match="nested deeper"):
        loads_object(deep.encode())


def _hostile_token(repeats: int) -> str:
    header = "[" * 65 + '"' + '\\"' * repeats  # an unterminated string full of escaped quotes
    return b64url_encode(header.encode()) + ".e30.AAAA"


@pytest.mark.parametrize("repeats", [20_000, 98_000])  # a 53 KB token, and one near 256 KiB
def test_unterminated_escaped_string_is_rejected_fast(repeats: int) -> None:
    token = _hostile_token(repeats)
    assert len(token) <= DEFAULT_MAX_TOKEN_SIZE
    for call in (
        lambda: jwtlite.get_unverified_header(token),
        lambda: jwtlite.decode(token, "k" * 32, algorithms=["HS256"]),
        lambda: jwtlite.decode(token, options={"verify_signature": False}),
    ):
        started = time.thread_time()
        with pytest.raises(DecodeError):
            call()
        assert time.thread_time() - started < 0.25  # was 12 s (53 KB) and minutes (256 KiB)


# --- compact output ----------------------------------------------------------------------------


class _PlainEncoder(json.JSONEncoder):
    """A user's encoder that adds nothing: NaN must still be refused."""


class _SetEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return sorted(o) if isinstance(o, set) else super().default(o)


def test_nan_is_refused_with_a_custom_encoder() -> None:
    for value in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(ValueError, match="Out of range"):
            dumps({"a": value}, cls=_PlainEncoder)
        with pytest.raises(jwtlite.InvalidArgumentError, match="Out of range"):
            jwtlite.encode({"a": value}, "k" * 32, algorithm="HS256", json_encoder=_PlainEncoder)


def test_custom_encoder_output_is_compact_and_sorted_on_request() -> None:
    assert dumps({"b": {2, 1}, "a": 1}, cls=_SetEncoder) == b'{"b":[1,2],"a":1}'
    assert dumps({"b": {2, 1}, "a": 1}, cls=_SetEncoder, sort_keys=True) == b'{"a":1,"b":[1,2]}'


# -- exact messages, and inputs that only the general (non-compact) path may decide --

_PROPERTY_NAME = "Expecting property name enclosed in double quotes"
_LOAD_MESSAGES = [
    (b'{"a":1,"b":2,"b":3}', 'Invalid header string: duplicate member name "b"'),
    (b'{"a":NaN}', "Invalid header string: NaN is not a JSON number"),
    (b'{"a":-Infinity}', "Invalid header string: -Infinity is not a JSON number"),
    (b'{"a":1e999999999999999999999}',
     'Invalid header string: number "1e999999999999999999..." overflows'),
    (b"x", "Invalid header string: Expecting value: line 1 column 1 (char 0)"),
    (b"1", "Invalid header string: must be a json object"),
    (b"\xff{}", "Invalid header string: not UTF-8"),
    # A compact-looking text whose tail alone is an object: never read from the middle.
    (b"{{}", f"Invalid header string: {_PROPERTY_NAME}: line 1 column 2 (char 1)"),
    (b'{{"a":1}', f"Invalid header string: {_PROPERTY_NAME}: line 1 column 2 (char 1)"),
    # Many brackets, all inside a string: no depth to measure, and not an object either.
    (b'"' + b"[" * 65 + b'"', "Invalid header string: must be a json object"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), _LOAD_MESSAGES)
def test_load_messages(data: bytes, message: str) -> None:
    with pytest.raises(DecodeError) as info:
        loads_object(data, "header")
    assert str(info.value) == message


def test_whitespace_around_an_object_takes_the_general_path() -> None:
    assert loads_object(b' {"a":1}') == {"a": 1}
    assert loads_object(b'{"a":1} ') == {"a": 1}
    assert loads_object(b'\n{"a":[1]}\n') == {"a": [1]}


def test_depth_scan_at_exactly_the_limit() -> None:
    # More than MAX_DEPTH brackets in all, so the cheap count does not decide: the scan does.
    at_limit = b'{"a":' + b"[" * 63 + b"]" * 63 + b',"b":[1]}'
    assert at_limit.count(b"[") + at_limit.count(b"{") > MAX_DEPTH
    assert loads_object(at_limit)["b"] == [1]
    over = b'{"a":' + b"[" * 64 + b"]" * 64 + b',"b":[1]}'
    with pytest.raises(DecodeError, match="deeper than 64"):
        loads_object(over)


def test_default_name_in_messages() -> None:
    with pytest.raises(DecodeError) as info:
        loads_object(b"[1]")
    assert str(info.value) == "Invalid JSON: must be a JSON object"


# --- breadth: the bracket cap, counted before any per-object work --------------------------------


def _wide(inner: str, count: int, pad: int = 0) -> bytes:
    """``{"a":[inner,...],"x":"[[..."}``: 2 brackets of its own, those of ``count`` inners,
    and ``pad`` more inside a string."""
    return ('{"a":[' + ",".join([inner] * count) + '],"x":"' + "[" * pad + '"}').encode()


@pytest.mark.parametrize("inner", ["[]", "{}", '{"b":[1]}', '"{["'])
def test_at_most_max_brackets_brace_and_bracket_characters(inner: str) -> None:
    # Counted inside strings too ('"{["' is a string): telling strings apart is the
    # per-character work the cap exists to avoid.
    assert MAX_BRACKETS == 10_000
    per = inner.count("{") + inner.count("[")
    count, pad = divmod(MAX_BRACKETS - 2, per)
    at_limit = _wide(inner, count, pad)
    assert at_limit.count(b"{") + at_limit.count(b"[") == MAX_BRACKETS
    parsed = loads_object(at_limit)
    assert len(parsed["a"]) == count
    assert parsed["a"][0] == json.loads(inner)
    with pytest.raises(DecodeError) as info:
        loads_object(_wide(inner, count, pad + 1), "payload")
    assert str(info.value) == "Invalid payload string: more than 10000 '{' and '[' characters"


def test_a_megabyte_of_empty_objects_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 350,000 objects: each would cost a call of the duplicate-name hook, and each bracket a
    # step of the depth scan. Neither may run.
    calls: list[str] = []
    monkeypatch.setattr(_json, "_scan_too_deep", lambda text: calls.append("scan") or False)
    monkeypatch.setattr(_json, "_DECODER", None)  # any use of the decoder fails the test
    monkeypatch.setattr(_json, "_SCAN", None)
    text = _wide("{}", (1 << 20) // 3)
    with pytest.raises(DecodeError, match=re.escape("more than 10000 '{' and '[' characters")):
        loads_object(text)
    assert calls == []
