"""Hypothesis strategies shared by the test modules (one place, as in pypa/packaging)."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import strategies as st

#: JSON scalars as Python's json module produces them (finite floats only: JSON has no NaN).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)

#: Arbitrary JSON values of modest size and depth.
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

#: JSON objects usable as JWT payloads (registered claim names are avoided so claim checks
#: do not reject them; the claim tests cover those names on purpose).
_RESERVED = {"exp", "nbf", "iat", "aud", "iss", "sub", "jti"}
json_objects: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.text(max_size=10).filter(lambda k: k not in _RESERVED), json_values, max_size=6
)

#: Extra protected-header members that jwtlite must carry through untouched.
_HEADER_RESERVED = {"alg", "crit", "b64", "kid", "typ"}
extra_headers: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    st.text(min_size=1, max_size=10).filter(lambda k: k not in _HEADER_RESERVED),
    json_scalars,
    max_size=4,
)

#: Text made only of base64url characters (valid or not as an encoding).
b64url_text = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=40
)

#: Token-shaped junk: dots, base64url characters, and a few hostile ones.
token_like = st.text(
    alphabet='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \n{}"\\é\x00',
    max_size=120,
)

#: Secrets long enough for every HS* algorithm (64 bytes), so no key-length warning fires.
hmac_secrets = st.binary(min_size=64, max_size=96)

#: Attacker text for header and claim values: CR/LF, escape codes, separators, quotes, and
#: lengths from one character to tens of kilobytes (CWE-117 log forging, log flooding).
_HOSTILE_PIECES = st.sampled_from(
    ["\r", "\n", "\r\n", "\x00", "\x1b[31m", "\u2028", "\u202e", '"', "\\", "A", "é", "kid"]
)
hostile_text: st.SearchStrategy[str] = st.builds(
    lambda pieces, times: "".join(pieces) * times,
    st.lists(_HOSTILE_PIECES, min_size=1, max_size=4),
    st.sampled_from([1, 2, 400, 3000]),
)

# --- JWS JSON Serialization documents (RFC 7515 §7.2) ---------------------------------------------

#: Header members of every kind a JWS JSON document may hold: the registered ones with any
#: JSON value, and others.
_jose_headers = st.dictionaries(
    st.sampled_from(["alg", "kid", "crit", "b64", "typ", "x"]) | st.text(max_size=5),
    st.sampled_from(["HS256", "none", "ES256", "b64", "x"]) | json_values,
    max_size=4,
)
#: A ``protected`` member: the base64url of a (maybe non-object, maybe duplicated) JSON text,
#: or junk.
_protected_members = (
    st.builds(lambda h: _b64url(json.dumps(h).encode()), _jose_headers)
    | st.sampled_from(["", "e30", "W10", "eyJhIjoxLCJhIjoyfQ", "eyJhbGciOiJIUzI1NiJ9"])
    | b64url_text
    | json_values
)
_signature_members = st.fixed_dictionaries(
    {},
    optional={
        "protected": _protected_members,
        "header": _jose_headers | json_values,
        "signature": b64url_text | json_values,
    },
)
#: JWS JSON documents, general, flattened, both or neither, well formed or not.
jws_json_documents: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {},
    optional={
        "payload": b64url_text | st.text(max_size=10) | json_values,
        "signatures": st.lists(_signature_members, max_size=3) | json_values,
        "protected": _protected_members,
        "header": _jose_headers | json_values,
        "signature": b64url_text | json_values,
    },
)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

# --- hostile arguments: what a caller (or a bug upstream of it) may pass instead --------------

#: Values of every shape an argument should not have: wrong types, NaN and infinities,
#: integers a float cannot hold (``float()`` and ``math.isfinite`` raise OverflowError on them),
#: more digits than ``str()`` writes (Python 3.11's 4300-digit limit), lone surrogates (UTF-8
#: cannot encode them; a JSON ``\ud800`` escape decodes to one), bytes where text is expected.
#: As sizes: 2**27 (128 MiB) is above the sweeps' per-call memory bound and below their
#: address-space headroom (a cap set too high allocates it and fails), 2**33 above both.
HOSTILE_FIXED: tuple[Any, ...] = (
    None, True, False, 0, -1, 1.5, float("nan"), float("inf"), float("-inf"), 2**27, 2**33, 2**64,
    10**400, -(10**400), 10**5000, "", "x", "\ud800", "a\udcffb", b"", b"\xff", [], [1], [None],
    ["\ud800"], {}, {"a": 1}, {1: 2}, object(),
)  # fmt: skip
hostile_values: st.SearchStrategy[Any] = (
    st.sampled_from(HOSTILE_FIXED)
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.binary(max_size=12)
    | st.lists(st.integers() | st.text(max_size=4) | st.none(), max_size=3)
    | st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4), max_size=3)
)


def json_safe(value: Any) -> bool:
    """Whether ``json.dumps`` writes ``value`` (NaN and a lone surrogate it does write)."""
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


#: JSON values of every shape: what json.dumps writes of the hostile values, for claims and
#: header members inside correctly signed tokens.
json_hostile: st.SearchStrategy[Any] = (
    st.sampled_from([v for v in HOSTILE_FIXED if json_safe(v)])
    | st.integers()
    | st.text(max_size=6)
)
