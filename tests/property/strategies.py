"""Hypothesis strategies shared by the test modules (one place, as in pypa/packaging)."""

from __future__ import annotations

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
