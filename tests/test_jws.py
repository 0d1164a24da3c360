"""Compact JWS parsing and header rules (RFC 7515, RFC 7797, RFC 8725)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import jwtlite
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidSignatureError,
    InvalidTokenError,
)
from jwtlite.jws import DEFAULT_MAX_TOKEN_SIZE, parse_compact, typ_matches

KEY = "k" * 32


def forge(header: dict[str, Any], payload: dict[str, Any] | bytes, key: str = KEY) -> str:
    """A token with an arbitrary header, HS256-signed over exactly these bytes."""
    import hmac

    h = b64url_encode(json.dumps(header).encode())
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    p = b64url_encode(body)
    sig = hmac.digest(key.encode(), f"{h}.{p}".encode(), "sha256")
    return f"{h}.{p}.{b64url_encode(sig)}"


def decode(token: str | bytes, **kwargs: Any) -> dict[str, Any]:
    return jwtlite.decode(token, KEY, algorithms=["HS256"], **kwargs)


@pytest.mark.parametrize("token", ["", "a", "a.b", "a.b.c.d", "....", "a.b.c.d.e"])
def test_segment_count(token: str) -> None:
    with pytest.raises(DecodeError):
        decode(token)


def test_size_limit_checked_before_decoding() -> None:
    huge = "x" * (DEFAULT_MAX_TOKEN_SIZE + 1)  # not even a token: must fail on size alone
    with pytest.raises(DecodeError, match="limit"):
        decode(huge)
    with pytest.raises(DecodeError, match="limit"):
        decode(huge.encode())
    token = forge({"alg": "HS256"}, {"blob": "y" * 300})
    with pytest.raises(DecodeError, match="limit"):
        decode(token, options={"max_token_size": 100})
    assert decode(token, options={"max_token_size": 1000})["blob"] == "y" * 300


def test_token_types() -> None:
    token = forge({"alg": "HS256"}, {"a": 1})
    assert decode(token.encode()) == {"a": 1}
    assert decode(bytearray(token.encode())) == {"a": 1}
    for bad in (None, 123, ["a"]):
        with pytest.raises(DecodeError):
            decode(bad)  # type: ignore[arg-type]
    with pytest.raises(DecodeError, match=r"^Invalid crypto padding$") as caught:
        decode(token + "é")
    assert "non-ASCII" in str(caught.value.__cause__)  # the reason rides on the cause


@pytest.mark.parametrize(
    "header",
    [
        {"alg": None},
        {"alg": 256},
        {"alg": "HS256", "kid": 5},
        {"alg": "HS256", "crit": []},
        {"alg": "HS256", "crit": "b64"},
        {"alg": "HS256", "crit": [1]},
        {"alg": "HS256", "crit": ["exp"], "exp": 1},
        {"alg": "HS256", "crit": ["alg"]},
        {"alg": "HS256", "crit": ["b64", "b64"], "b64": True},
        {"alg": "HS256", "crit": ["b64"]},
        {"alg": "HS256", "b64": False},
        {"alg": "HS256", "b64": "false", "crit": ["b64"]},
    ],
)
def test_header_rules(header: dict[str, Any]) -> None:
    token = forge(header, {"a": 1})
    with pytest.raises(InvalidTokenError):
        decode(token)
    with pytest.raises(InvalidTokenError):
        jwtlite.get_unverified_header(token)


def test_missing_alg_fails_verification_only() -> None:
    """PyJWT: a header without "alg" is readable unverified, and never verifies."""
    token = forge({"typ": "JWT"}, {"a": 1})
    with pytest.raises(InvalidAlgorithmError, match=r"^Algorithm not specified$"):
        decode(token)
    assert jwtlite.get_unverified_header(token) == {"typ": "JWT"}
    assert jwtlite.decode(token, options={"verify_signature": False}) == {"a": 1}


def test_signing_may_list_an_extension_only_the_recipient_understands() -> None:
    # RFC 7515 §4.1.11: the recipient must understand a critical extension, not the producer.
    headers = {"crit": ["x-policy"], "x-policy": "mfa"}
    token = jwtlite.encode({"a": 1}, KEY, headers=headers)
    assert json.loads(jwtlite.b64url.b64url_decode(token.split(".")[0]))["crit"] == ["x-policy"]
    with pytest.raises(InvalidTokenError, match="x-policy"):
        decode(token)  # jwtlite, as a recipient, does not understand it


@pytest.mark.parametrize(
    "headers",
    [
        {"crit": []},
        {"crit": "x-policy", "x-policy": 1},
        {"crit": [1]},
        {"crit": ["x-policy"]},  # a listed name must be present
        {"crit": ["kid"], "kid": "k"},  # names RFC 7515 defines must not be listed
    ],
)
def test_signing_keeps_the_producer_duties_of_crit(headers: dict[str, Any]) -> None:
    with pytest.raises(InvalidTokenError):
        jwtlite.encode({"a": 1}, KEY, headers=headers)


def test_crit_b64_true_is_understood() -> None:
    token = forge({"alg": "HS256", "b64": True, "crit": ["b64"]}, {"a": 1})
    assert decode(token) == {"a": 1}


def test_header_must_be_object_and_strict() -> None:
    h = b64url_encode(b'{"alg":"HS256","alg":"none"}')
    with pytest.raises(DecodeError, match="duplicate"):
        decode(f"{h}.e30.AAAA")
    h = b64url_encode(b'["HS256"]')
    with pytest.raises(DecodeError, match="object"):
        decode(f"{h}.e30.AAAA")


def test_payload_must_be_object() -> None:
    token = forge({"alg": "HS256"}, b"[1,2]")
    with pytest.raises(DecodeError, match="payload"):
        decode(token)
    token = forge({"alg": "HS256"}, b'{"a":1,"a":2}')
    with pytest.raises(DecodeError, match="duplicate"):
        decode(token)


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c"])
def test_header_keys_never_choose_the_key(member: str) -> None:
    attacker = "a" * 32
    value: Any = {"kty": "oct", "k": b64url_encode(attacker.encode())}
    if member in ("jku", "x5u"):
        value = "https://attacker.example/keys"
    elif member == "x5c":
        value = ["MIIB"]
    token = forge({"alg": "HS256", member: value}, {"admin": True}, key=attacker)
    with pytest.raises(InvalidSignatureError):
        decode(token)
    honest = forge({"alg": "HS256", member: value}, {"admin": False})
    assert decode(honest) == {"admin": False}


def test_typ_can_be_required() -> None:
    at = jwtlite.encode({"a": 1}, KEY, headers={"typ": "at+jwt"})
    assert decode(at, typ="at+jwt") == {"a": 1}
    assert decode(at, typ="application/AT+JWT") == {"a": 1}
    plain = jwtlite.encode({"a": 1}, KEY)
    with pytest.raises(InvalidTokenError, match="typ"):
        decode(plain, typ="at+jwt")
    untyped = jwtlite.encode({"a": 1}, KEY, headers={"typ": None})
    with pytest.raises(InvalidTokenError, match="typ"):
        decode(untyped, typ="JWT")


def test_typ_matches() -> None:
    assert typ_matches("JWT", "jwt")
    assert typ_matches("application/jwt", "JWT")
    assert not typ_matches(None, "JWT")
    assert not typ_matches("jwt2", "jwt")


def test_header_cache_returns_copies() -> None:
    token = forge({"alg": "HS256", "typ": "JWT"}, {"a": 1})
    first = parse_compact(token).header
    first["alg"] = "none"
    assert parse_compact(token).header["alg"] == "HS256"
    nested = forge({"alg": "HS256", "ext": {"x": 1}}, {"a": 1})
    assert parse_compact(nested).header["ext"] == {"x": 1}


def test_header_cache_is_bounded() -> None:
    from jwtlite import jws

    for i in range(300):
        parse_compact(forge({"alg": "HS256", "n": i}, {"a": 1}))
    assert len(jws._HEADERS) <= 256


def test_padding_opt_in() -> None:
    # AWS ALB pads its segments and signs exactly what it sends.
    import hmac

    def pad(segment: str) -> str:
        return segment + "=" * (-len(segment) % 4)

    h = pad(b64url_encode(b'{"alg":"HS256","x":12}'))
    p = pad(b64url_encode(b'{"ab":1}'))
    sig = hmac.digest(KEY.encode(), f"{h}.{p}".encode(), "sha256")
    padded = f"{h}.{p}.{pad(b64url_encode(sig))}"
    assert padded.count("=") == 4
    with pytest.raises(DecodeError):
        decode(padded)
    assert decode(padded, options={"allow_padding": True}) == {"ab": 1}


def test_detached_payload_rules() -> None:
    token = jwtlite.PyJWS().encode(b"hello", KEY, "HS256", is_payload_detached=True)
    # PyJWT's texts: a payload both detached and in the token; a detached one not given.
    with pytest.raises(DecodeError, match="Payload segment must be empty when 'b64' is false"):
        jwtlite.PyJWS().decode(token.replace("..", ".aGVsbG8."), KEY, ["HS256"], None, b"x")
    with pytest.raises(DecodeError, match='a value for the "detached_payload" argument'):
        jwtlite.PyJWS().decode(token, KEY, ["HS256"])
    assert jwtlite.PyJWS().decode(token, KEY, ["HS256"], detached_payload=b"hello") == b"hello"
    attached = jwtlite.PyJWS().encode(b"hello", KEY, "HS256")
    assert jwtlite.PyJWS().decode(attached, KEY, ["HS256"]) == b"hello"
    with pytest.raises(DecodeError, match='only valid to pass "detached_payload" when'):
        jwtlite.PyJWS().decode(attached, KEY, ["HS256"], None, b"hello")
