"""Compact JSON out, strict JSON in.

Strict loading (RFC 7515 §5.2 step 4, RFC 8259 §4, RFC 7519 §4): duplicate member names are rejected
(RFC 7515 §4: "the JWS Parser MUST either reject JWSs with duplicate Header Parameter names or
use a JSON parser that returns only the lexically last duplicate" - we reject, because two
parsers choosing differently is how claim-smuggling starts), as are ``NaN``/``Infinity`` and
numbers that overflow to infinity (not JSON at all, RFC 8259 §6), nesting deeper than
:data:`MAX_DEPTH`, text holding more than :data:`MAX_BRACKETS` ``{`` and ``[`` characters,
and anything but a JSON object at the top. Every failure is a
:class:`~jwtlite.exceptions.DecodeError`; ``RecursionError``, ``ValueError`` (including
CPython's int-from-string digit limit) and ``UnicodeDecodeError`` never escape.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any, Callable

from ._escape import escape
from .exceptions import DecodeError

__all__ = ["MAX_BRACKETS", "MAX_DEPTH", "dumps", "loads_object"]

#: Deepest array/object nesting accepted. JWT headers and claims are shallow in practice;
#: 64 leaves room for rich claims while staying far below the interpreter's recursion limit.
MAX_DEPTH = 64

#: Most ``{`` and ``[`` characters a text may hold, counted inside strings too. A JOSE header,
#: claims set, JWK set or metadata document holds tens to hundreds of objects and arrays.
#: Every object costs a call of the duplicate-name hook and every bracket a step of the depth
#: scan, both in Python: without a cap, a 1.7 kB JWE that anyone can encrypt to a public key
#: inflated to 1 MiB of claims (``{"a":[{},{},...]}``) and took 0.15 s to refuse. Counted
#: with ``str.count`` before anything else, such text costs about a millisecond. Strings are
#: not told apart here, since telling them apart is the per-character work being avoided; a
#: string holding thousands of brackets is not a JOSE value.
MAX_BRACKETS = 10_000

# Everything that is not a structural bracket: a string (escapes skipped, RFC 8259 §7; the
# closing quote optional so an unterminated string is consumed once instead of being rescanned
# from each of its quotes) or a run of other characters. The pattern is "unrolled"
# (``[^"\\]*(?:\\.[^"\\]*)*``) so it never backtracks: one left-to-right pass over the text.
_NOT_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[^"\[\]{}]+', re.DOTALL)
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


# Built once: json.dumps() with non-default arguments would build an encoder on every call.
_ENCODERS = {
    sort: json.JSONEncoder(separators=(",", ":"), allow_nan=False, sort_keys=sort)
    for sort in (False, True)
}


def dumps(obj: Any, *, cls: type[json.JSONEncoder] | None = None, sort_keys: bool = False) -> bytes:
    """Compact UTF-8 JSON; non-finite floats are refused (they are not JSON)."""
    if cls is None:
        # bool(): json.dumps reads sort_keys by truth value, and so does PyJWT's encode
        return _ENCODERS[bool(sort_keys)].encode(obj).encode("utf-8")
    text = json.dumps(obj, separators=(",", ":"), cls=cls, allow_nan=False, sort_keys=sort_keys)
    return text.encode("utf-8")


class _StrictnessError(ValueError):
    """Raised inside json's hooks; translated to DecodeError at the edge of loads_object."""


def _pairs_to_dict(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
        raise _StrictnessError(f'duplicate member name "{escape(dup)}"')
    return result


def _reject_constant(name: str) -> Any:
    raise _StrictnessError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _StrictnessError(f'number "{escape(text, 20)}" overflows')
    return value


def _too_deep(text: str) -> bool:
    """Whether ``text`` nests arrays/objects deeper than MAX_DEPTH, in time linear in its size.

    Strings are skipped, so quoted brackets do not count. The running depth of the brackets
    left equals the parser's depth for as long as the text is valid JSON, and the parser stops
    at the first error, so the maximum of that running sum bounds its recursion.
    """
    # Cheap bound first: depth cannot exceed the number of opening brackets.
    return text.count("[") + text.count("{") > MAX_DEPTH and _scan_too_deep(text)


def _scan_too_deep(text: str) -> bool:
    """:func:`_too_deep`'s linear scan, for text with more than MAX_DEPTH opening brackets."""
    brackets = _NOT_BRACKET.sub("", text)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


# One decoder, built once: json.loads() with hooks would construct a new one on every call.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_pairs_to_dict,
    parse_constant=_reject_constant,
    parse_float=_finite_float,
)


# Compact input ("{...}" with no surrounding whitespace, which every JWT encoder writes) goes
# straight to the C scanner (in loads_object); anything else takes JSONDecoder.decode's
# whitespace handling.
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]


#: The token parts whose error messages follow PyJWT's text.
_PYJWT_PARTS = frozenset({"header", "payload"})


def loads_object(data: bytes, what: str = "JSON") -> dict[str, Any]:
    """Parse UTF-8 JSON that must be an object; ``what`` names it in error messages.

    For a token's ``header`` and ``payload`` the messages start as PyJWT's do ("Invalid header
    string: ..."), since applications compare them.
    """
    try:
        text = data.decode("utf-8")
        opening = text.count("{") + text.count("[")
        if opening > MAX_BRACKETS:
            raise _StrictnessError(f"more than {MAX_BRACKETS} '{{' and '[' characters")
        if opening > MAX_DEPTH and _scan_too_deep(text):  # depth cannot exceed the count
            raise _StrictnessError(f"nested deeper than {MAX_DEPTH} levels")
        end = -1  # compact "{...}" goes straight to the C scanner; anything else below
        if text[:1] == "{" and text[-1:] == "}":
            try:
                value, end = _SCAN(text, 0)
            except StopIteration:  # the scanner's way of saying "no value here"
                end = -1
        if end != len(text):
            value = _DECODER.decode(text)  # the general path, with its precise error messages
    except UnicodeDecodeError:
        raise DecodeError(f"Invalid {_name(what)}: not UTF-8") from None
    except (ValueError, RecursionError) as exc:
        # ValueError covers our hooks, JSONDecodeError and CPython's int digit limit (>= 3.11).
        raise DecodeError(f"Invalid {_name(what)}: {exc}") from None
    if type(value) is not dict:
        # PyJWT's spelling for token parts ("json object"), ours elsewhere.
        kind = "json" if what in _PYJWT_PARTS else "JSON"
        raise DecodeError(f"Invalid {_name(what)}: must be a {kind} object")
    return value


def _name(what: str) -> str:
    """How error messages name the text: PyJWT's "header string" for token parts."""
    return f"{what} string" if what in _PYJWT_PARTS else what
