"""JWS behaviour that mutation testing of ``jwtlite/jws.py`` showed no test pinned down.

Exact texts: PyJWT's where PyJWT fails the same way (b64=false and detached payloads, segment
counts, the padding-segment names, a non-string ``kid``), jwtlite's own on the exception's
``__cause__`` and in hints. Also: which segment a non-ASCII character is blamed on, that an
unencoded (b64=false) payload is never read as base64url, which headers the parse cache holds,
the key a missing-``algorithms`` hint is drawn from, and where a short-key warning points.
"""

from __future__ import annotations

import base64
import json
import os
import re
from typing import Any

import pytest
from conftest import FORMATS, SetEncoder

import jwtlite
from jwtlite import jws
from jwtlite.api import PyJWS
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidTokenError,
)
from jwtlite.jwk import PyJWKSet
from jwtlite.jws import parse_compact

KEY = "k" * 64
UNENCODED = b64url_encode(json.dumps({"alg": "HS256", "b64": False, "crit": ["b64"]}).encode())
SIG = b64url_encode(b"not checked")


def _segment(value: dict[str, Any]) -> str:
    return b64url_encode(json.dumps(value).encode())


# --- b64=false and detached payloads (RFC 7797), PyJWT's texts ----------------------------------


def test_unencoded_payload_without_a_detached_payload_is_refused() -> None:
    token = PyJWS().encode(b"body", KEY, "HS256", is_payload_detached=True)
    assert token.split(".")[1] == ""
    with pytest.raises(DecodeError) as info:
        PyJWS().decode(token, KEY, ["HS256"])
    assert str(info.value) == (
        'It is required that you pass in a value for the "detached_payload" argument to decode'
        " a message having the b64 header set to false."
    )
    assert PyJWS().decode(token, KEY, ["HS256"], detached_payload=b"body") == b"body"


def test_detached_payload_with_a_payload_segment_is_refused() -> None:
    token = PyJWS().encode(b"body", KEY, "HS256", headers={"b64": False, "crit": ["b64"]})
    assert token.split(".")[1] == "body"
    with pytest.raises(DecodeError) as info:
        PyJWS().decode(token, KEY, ["HS256"], detached_payload=b"body")
    assert str(info.value) == "Payload segment must be empty when 'b64' is false."
    encoded = PyJWS().encode(b"body", KEY, "HS256")
    with pytest.raises(DecodeError) as info:
        PyJWS().decode(encoded, KEY, ["HS256"], detached_payload=b"body")
    assert str(info.value) == (
        'It is only valid to pass "detached_payload" when the protected header has "b64" set to'
        " false."
    )


def test_an_unencoded_payload_is_not_blamed_for_a_bad_signature_segment() -> None:
    # "a$b" is no base64url, but with b64=false it is the payload itself: the signature
    # segment ("!!!") is what is malformed.
    with pytest.raises(DecodeError) as info:
        parse_compact(f"{UNENCODED}.a$b.!!!")
    assert str(info.value) == "Invalid crypto padding"
    encoded = _segment({"alg": "HS256"})
    with pytest.raises(DecodeError) as info:
        parse_compact(f"{encoded}.a$b.!!!")
    assert str(info.value) == "Invalid payload padding"  # PyJWT reports the payload first


def test_a_padded_payload_is_allowed_before_a_bad_signature_segment() -> None:
    encoded = _segment({"alg": "HS256"})
    with pytest.raises(DecodeError) as info:
        parse_compact(f"{encoded}.YQ==.!!!", allow_padding=True)
    assert str(info.value) == "Invalid crypto padding"
    with pytest.raises(DecodeError) as info:
        parse_compact(f"{encoded}.YQ==.!!!")
    assert str(info.value) == "Invalid payload padding"


def test_unverified_header_never_reads_an_unencoded_payload_as_base64url() -> None:
    header = PyJWS().get_unverified_header(f"{UNENCODED}.a$b.{SIG}")
    assert header == {"alg": "HS256", "b64": False, "crit": ["b64"]}
    encoded = _segment({"alg": "HS256"})
    with pytest.raises(DecodeError, match=re.escape("Invalid payload padding")):
        PyJWS().get_unverified_header(f"{encoded}.a$b.{SIG}")


def test_unverified_header_follows_allow_padding_for_the_payload() -> None:
    token = f"{_segment({'alg': 'HS256'})}.YQ==.{SIG}"
    padded = PyJWS(options={"allow_padding": True})
    assert padded.get_unverified_header(token) == {"alg": "HS256"}
    with pytest.raises(DecodeError, match=re.escape("Invalid payload padding")):
        PyJWS().get_unverified_header(token)


# --- segments: counts, non-ASCII text, header members ------------------------------------------


@pytest.mark.parametrize("count", [4, 5])
def test_extra_segments_name_the_count_on_the_cause(count: int) -> None:
    token = ".".join([_segment({"alg": "HS256"})] + ["e30"] * (count - 1))
    with pytest.raises(DecodeError) as info:
        parse_compact(token)
    assert str(info.value) == "Invalid payload padding"  # PyJWT's text
    assert str(info.value.__cause__) == f"A compact JWS has 3 segments, this one has {count}"


@pytest.mark.parametrize("token", ["e30", "e30.e30", "é", "é.e30", "e30.é"])
def test_not_enough_segments(token: str) -> None:
    for form in (token, token.encode()):
        with pytest.raises(DecodeError) as info:
            parse_compact(form)
        assert str(info.value) == "Not enough segments"


@pytest.mark.parametrize(
    ("token", "name"),
    [
        ("é.e30.e30", "header"),
        ("e30.é.e30", "payload"),
        ("e30.e30.é", "crypto"),
        # PyJWT's payload is everything between the first and the last dot.
        ("e30.é.e30.e30", "payload"),
        ("e30.e30.é.e30", "payload"),
        ("e30.e30.e30.é", "crypto"),
    ],
)
def test_a_non_ascii_character_names_its_segment(token: str, name: str) -> None:
    with pytest.raises(DecodeError) as info:
        parse_compact(token)
    assert str(info.value) == f"Invalid {name} padding"
    assert str(info.value.__cause__) == "Invalid token: non-ASCII character"


def test_a_non_string_alg_says_why_on_the_cause() -> None:
    token = f"{_segment({'alg': 5})}.e30.{SIG}"
    with pytest.raises(InvalidAlgorithmError) as info:
        jwtlite.decode(token, KEY, algorithms=["HS256"])
    assert str(info.value) == "The specified alg value is not allowed"
    assert isinstance(info.value.__cause__, DecodeError)
    assert str(info.value.__cause__) == 'The header "alg" member must be a string'


# --- the parse cache ---------------------------------------------------------------------------


def test_header_cache_holds_only_strict_all_scalar_headers() -> None:
    jwtlite.clear_caches()  # an earlier parse of the same segment must not answer for this one
    strict = _segment({"alg": "HS256", "cache": "strict"}).encode()
    parsed = parse_compact(strict + b".e30." + SIG.encode()).header
    assert jws._HEADERS.get(strict) == parsed == {"alg": "HS256", "cache": "strict"}
    # A header parsed under allow_padding must never answer a strict caller from the cache.
    raw = json.dumps({"alg": "HS256", "cache": "pad"}).encode()
    padded = base64.urlsafe_b64encode(raw)
    assert padded.endswith(b"=")
    token = padded + b".e30." + SIG.encode()
    assert parse_compact(token, allow_padding=True).header == {"alg": "HS256", "cache": "pad"}
    assert padded not in jws._HEADERS
    with pytest.raises(DecodeError, match=re.escape("Invalid header padding")):
        parse_compact(token)
    nested = _segment({"alg": "HS256", "cache": ["list"]}).encode()
    parse_compact(nested + b".e30." + SIG.encode())
    assert nested not in jws._HEADERS


# --- hints: the key a missing algorithms= hint is drawn from -----------------------------------


def _jwk(name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(FORMATS[name]["jwk_public"])
    return value


@pytest.mark.parametrize(
    ("names", "alg"),
    [
        (["rsa2048"], "RS256"),
        (["rsa2048", "ec_p256"], "RS256"),
        (["ec_p256", "rsa2048"], "ES256"),
        (["ec_p384"], "ES384"),
    ],
)
def test_missing_algorithms_hint_follows_the_first_key_of_a_set(names: list[str], alg: str) -> None:
    token = jwtlite.encode({"a": 1}, KEY, algorithm="HS256")
    keys = PyJWKSet([_jwk(name) for name in names])
    with pytest.raises(DecodeError) as info:
        jwtlite.decode(token, keys)
    assert str(info.value) == (
        'It is required that you pass in a value for the "algorithms" argument when calling'
        " decode(). (hint: Pass the algorithms your tokens are signed with, e.g."
        f' algorithms=["{alg}"]; never take them from the token itself.)'
    )


# --- signing: kid, typ, unserialisable headers, short keys --------------------------------------


def test_a_non_string_kid_is_refused_before_the_algorithm_when_signing() -> None:
    # As PyJWT: the headers' kid is checked first, even when their alg is unusable too.
    for headers in ({"kid": 1}, {"kid": 1, "alg": 5}, {"kid": None, "alg": ["HS256"]}):
        with pytest.raises(InvalidTokenError) as info:
            PyJWS().encode(b"x", KEY, "HS256", headers=headers)
        assert not isinstance(info.value, InvalidAlgorithmError)
        assert str(info.value) == "Key ID header parameter must be a string"
    token = PyJWS().encode(b"x", KEY, "HS256", headers={"kid": "k1"})
    assert PyJWS().get_unverified_header(token)["kid"] == "k1"


@pytest.mark.parametrize("typ", [None, ""])
def test_an_empty_typ_header_is_left_out(typ: str | None) -> None:
    token = PyJWS().encode(b"x", KEY, "HS256", headers={"typ": typ, "kid": "a"})
    assert PyJWS().get_unverified_header(token) == {"alg": "HS256", "kid": "a"}
    token = jwtlite.encode({"a": 1}, KEY, algorithm="HS256", headers={"typ": typ})
    assert jwtlite.get_unverified_header(token) == {"alg": "HS256"}


def test_header_hint_uses_the_callers_json_encoder() -> None:
    # The encoder writes the set; the hint must name the value it could not write.
    headers = {"a": {1, 2}, "b": object()}
    with pytest.raises(InvalidArgumentError) as info:
        PyJWS().encode(b"x", KEY, "HS256", headers=headers, json_encoder=SetEncoder)
    assert str(info.value).startswith("Header is not JSON-serialisable: ")
    assert str(info.value).endswith(
        ' (hint: headers["b"] is an object; convert it to a string, number, list or dict first,'
        " or pass json_encoder=.)"
    )
    with pytest.raises(InvalidArgumentError) as info:
        PyJWS().encode(b"x", KEY, "HS256", headers=headers)
    assert ' (hint: headers["a"] is a set;' in str(info.value)


def test_short_key_warning_points_outside_jwtlite() -> None:
    """The warning names the caller's code, never a line of jwtlite (the exact line is checked
    in test_api.py; this holds even when a tool adds frames between caller and library)."""
    package = os.path.dirname(os.path.abspath(jwtlite.__file__))
    with pytest.warns(InsecureKeyLengthWarning) as record:
        token = jwtlite.encode({"a": 1}, "short", algorithm="HS256")
    with pytest.warns(InsecureKeyLengthWarning) as decoded:
        jwtlite.decode(token, "short", algorithms=["HS256"])
    for warning in (*record, *decoded):
        assert not os.path.abspath(warning.filename).startswith(package + os.sep)
