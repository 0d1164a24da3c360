"""Compact JWS parsing and header rules (RFC 7515, RFC 7797, RFC 8725)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import KEYS

import jwtlite
from jwtlite._options import Options
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
)
from jwtlite.jws import DEFAULT_MAX_TOKEN_SIZE, parse_compact, sign, typ_matches, unverified_header
from jwtlite.keys import load_key

KEY = "k" * 32
_CRIT_LIST = "Invalid 'crit' header: must be a non-empty list"


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
    ("header", "message"),
    [
        ({"alg": None}, "The specified alg value is not allowed"),
        ({"alg": 256}, "The specified alg value is not allowed"),
        ({"alg": "HS256", "kid": 5}, "Key ID header parameter must be a string"),
        ({"alg": "HS256", "crit": []}, _CRIT_LIST),
        ({"alg": "HS256", "crit": "b64"}, _CRIT_LIST),
        ({"alg": "HS256", "crit": [1]}, "Invalid 'crit' header: values must be strings"),
        ({"alg": "HS256", "crit": ["exp"], "exp": 1}, "Unsupported critical extension: exp"),
        ({"alg": "HS256", "crit": ["alg"]},
         "Unsupported critical extension: alg (RFC 7515 defines it; it must not be listed)"),
        ({"alg": "HS256", "crit": ["b64", "b64"], "b64": True},
         "Invalid 'crit' header: values must be unique"),
        ({"alg": "HS256", "crit": ["b64"]}, "Critical extension 'b64' is missing from headers"),
        ({"alg": "HS256", "b64": False},
         "The 'b64' header parameter requires 'b64' to be listed in 'crit'."),
        ({"alg": "HS256", "b64": "false", "crit": ["b64"]},
         'The "b64" header parameter must be a boolean'),
    ],
)  # fmt: skip
def test_header_rules(header: dict[str, Any], message: str) -> None:
    token = forge(header, {"a": 1})
    with pytest.raises(InvalidTokenError) as decoding:
        decode(token)
    with pytest.raises(InvalidTokenError) as reading:
        jwtlite.get_unverified_header(token)
    assert str(decoding.value) == str(reading.value) == message


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
    # Headers holding lists or objects are never cached: a caller's change cannot leak.
    parse_compact(nested).header["ext"]["x"] = 2
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


# -- exact messages and the rarer paths (mutation survivors) --


def _message(error: type[Exception], call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(error) as info:
        call(*args, **kwargs)
    return str(info.value)


def test_parse_and_verify_messages() -> None:
    good = forge({"alg": "HS256"}, {"a": 1})
    # PyJWT's text; the exact reason rides on the cause.
    with pytest.raises(DecodeError) as non_ascii:
        decode(good + "é")
    assert str(non_ascii.value) == "Invalid crypto padding"
    assert str(non_ascii.value.__cause__) == "Invalid token: non-ASCII character"
    assert _message(DecodeError, decode, "a.b") == "Not enough segments"
    assert _message(DecodeError, decode, "x" * 11, options={"max_token_size": 10}) == (
        "Token is larger than the 10-character limit"
    )
    bad_header = b64url_encode(b'{"alg":"HS256",}')
    # PyJWT's prefix, then the standard library's own reason (its wording varies by Python:
    # 3.13 names the trailing comma).
    try:
        json.loads('{"alg":"HS256",}')
    except ValueError as exc:
        stdlib_reason = str(exc)
    assert _message(DecodeError, decode, f"{bad_header}.e30.AAAA") == (
        f"Invalid header string: {stdlib_reason}"
    )
    assert _message(InvalidSignatureError, decode, good[:-2] + "AA") == (
        "Signature verification failed"
    )

    def not_allowed(alg: str) -> str:
        return (
            f"The specified alg value is not allowed (hint: The token is signed with {alg!r},"
            " and algorithms= allows only ['HS256']. Add it only if your key is meant for that"
            " algorithm; otherwise the token is not for you.)"
        )

    unsecured = forge({"alg": "none"}, {"a": 1})
    assert _message(InvalidAlgorithmError, decode, unsecured) == not_allowed("none")
    assert _message(
        InvalidAlgorithmError, jwtlite.decode, unsecured, "", algorithms=["none"]
    ) == 'The "none" algorithm is never accepted for verification'  # fmt: skip
    other = forge({"alg": "HS384"}, {"a": 1})
    assert _message(InvalidAlgorithmError, decode, other) == not_allowed("HS384")


def test_algorithms_are_required_even_with_a_key_object() -> None:
    def required(alg: str) -> str:
        return (
            'It is required that you pass in a value for the "algorithms" argument when calling'
            " decode(). (hint: Pass the algorithms your tokens are signed with, e.g."
            f' algorithms=["{alg}"]; never take them from the token itself.)'
        )

    token = forge({"alg": "HS256"}, {"a": 1})
    assert _message(DecodeError, jwtlite.decode, token, KEY) == required("HS256")
    public = load_key((KEYS / "ec_p256.pem").read_bytes()).public_key()
    assert _message(DecodeError, jwtlite.decode, token, public) == required("ES256")
    assert _message(DecodeError, jwtlite.decode, token, KEY, algorithms=[]) == required("HS256")


def test_unverified_header_reads_the_callers_options() -> None:
    # Also: a padded header accepted under allow_padding is not then served from the header
    # cache to a strict caller (it was, before the cache skipped padded segments).
    options = Options(allow_padding=True, max_token_size=60)
    h = b64url_encode(b'{"alg":"HS256","x":12}')
    padded = f"{h}{'=' * (-len(h) % 4)}.e30.AAAA"
    assert padded != f"{h}.e30.AAAA"
    assert unverified_header(padded, options) == {"alg": "HS256", "x": 12}
    with pytest.raises(DecodeError):
        unverified_header(padded, Options())
    with pytest.raises(DecodeError, match="60-character"):
        unverified_header(f"{h}.{'e' * 60}.AAAA", options)


def test_detached_content_with_an_encoded_payload() -> None:
    # RFC 7515 Appendix F: the payload segment left out of an ordinary (b64) token.
    token = forge({"alg": "HS256"}, b'{"a":1}')
    h, _, s = token.split(".")
    detached = f"{h}..{s}"
    assert jwtlite.PyJWS().decode(detached, KEY, ["HS256"], detached_payload=b'{"a":1}') == (
        b'{"a":1}'
    )
    with pytest.raises(InvalidSignatureError):
        jwtlite.PyJWS().decode(detached, KEY, ["HS256"], detached_payload=b'{"a":2}')
    assert (
        _message(DecodeError, jwtlite.PyJWS().decode, token, KEY, ["HS256"], detached_payload=b"x")
        == 'It is only valid to pass "detached_payload" when the protected header has "b64" set'
        " to false."
    )


def test_build_header_rules() -> None:
    jws = jwtlite.PyJWS()
    detached = jws.encode(b"x", KEY, "HS256", is_payload_detached=True)
    assert jws.get_unverified_header(detached) == {
        "alg": "HS256", "b64": False, "crit": ["b64"], "typ": "JWT"
    }  # fmt: skip
    # RFC 7515 §4.1.11: a producer may list an extension only its recipient understands; this
    # library, as a recipient, still refuses it.
    extended = jws.encode(
        b"x", KEY, "HS256", headers={"crit": ["x"], "x": 1}, is_payload_detached=True
    )
    assert json.loads(b64url_decode(extended.split(".")[0])) == {
        "alg": "HS256", "b64": False, "crit": ["b64", "x"], "typ": "JWT", "x": 1
    }  # fmt: skip
    assert _message(
        InvalidTokenError, jws.decode, extended, KEY, ["HS256"], detached_payload=b"x"
    ) == "Unsupported critical extension: x"  # fmt: skip
    assert _message(InvalidTokenError, jws.get_unverified_header, extended) == (
        "Unsupported critical extension: x"
    )
    assert _message(InvalidTokenError, jws.encode, b"x", KEY, "HS256", headers={"kid": 5}) == (
        "Key ID header parameter must be a string"
    )
    assert _message(InvalidAlgorithmError, jws.encode, b"x", KEY, None) == (
        'No algorithm given; pass algorithm="none" explicitly for an unsecured token'
    )
    assert _message(InvalidArgumentError, jws.encode, "x", KEY, "HS256") == (
        "The JWS payload must be bytes"
    )
    untyped = jws.encode(b"x", KEY, "HS256", headers={"typ": None})
    assert jws.get_unverified_header(untyped) == {"alg": "HS256"}


class _SetEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return sorted(o) if isinstance(o, set) else super().default(o)


def test_header_uses_the_json_encoder() -> None:
    token = jwtlite.PyJWS().encode(
        b"x", KEY, "HS256", headers={"s": {2, 1}}, json_encoder=_SetEncoder
    )
    assert jwtlite.get_unverified_header(token)["s"] == [1, 2]


def test_sign_defaults_sort_the_header_and_attach_the_payload() -> None:
    table = jwtlite.PyJWS().get_algorithm_by_name
    header = {"typ": "JWT", "alg": "HS256", "b": 1}
    token = sign(b"body", KEY, header=header, get_algorithm=table, options=Options())
    h, body, _ = token.split(".")
    assert json.loads(b64url_decode(h)) == header
    assert b64url_decode(h) == b'{"alg":"HS256","b":1,"typ":"JWT"}'
    assert b64url_decode(body) == b"body"


def test_enforced_minimum_key_length_when_verifying() -> None:
    short = "s" * 16
    token = forge({"alg": "HS256"}, {"a": 1}, key=short)
    options = {"enforce_minimum_key_length": True}
    text = (
        "The HMAC key is 16 bytes long, which is below the minimum recommended length of 32"
        " bytes for SHA256. See RFC 7518 Section 3.2."
    )
    with pytest.raises(InvalidKeyError) as refused:
        jwtlite.decode(token, short, algorithms=["HS256"], options=options)
    assert str(refused.value) == text
    with pytest.warns(InsecureKeyLengthWarning) as caught:
        assert jwtlite.decode(token, short, algorithms=["HS256"]) == {"a": 1}
    assert len(caught) == 1
    assert str(caught[0].message) == text


def test_legacy_rsa_verification_is_opt_in(backend: Any) -> None:
    small = load_key((KEYS / "rsa1024.pem").read_bytes())
    legacy_alg = jwtlite.PyJWS().get_algorithm_by_name("RS256").with_min_bits(1024)  # type: ignore[attr-defined]
    h, p = b64url_encode(b'{"alg":"RS256"}'), b64url_encode(b'{"a":1}')
    signature = legacy_alg.sign(f"{h}.{p}".encode(), small)
    token = f"{h}.{p}.{b64url_encode(signature)}"
    # PyJWT's policy: a short key warns, and is refused only with enforce_minimum_key_length.
    text = (
        "The RSA key is 1024 bits long, which is below the minimum recommended size of 2048"
        " bits. See NIST SP 800-131A."
    )
    with pytest.warns(InsecureKeyLengthWarning) as caught:
        assert jwtlite.decode(token, small.public_key(), algorithms=["RS256"]) == {"a": 1}
    assert [str(w.message) for w in caught] == [text]
    enforce = {"enforce_minimum_key_length": True}
    with pytest.raises(InvalidKeyError) as refused:
        jwtlite.decode(token, small.public_key(), algorithms=["RS256"], options=enforce)
    assert str(refused.value) == text
    # The opt-in accepts the legacy key without a warning, even where short keys are refused.
    options = {"allow_small_rsa_verify": True}
    for opts in (options, {**options, **enforce}):
        assert jwtlite.decode(token, small.public_key(), algorithms=["RS256"], options=opts) == {
            "a": 1
        }
    # The opt-in lowers the RSA floor only: HMAC keys keep theirs.
    hs = forge({"alg": "HS256"}, {"a": 1})
    assert jwtlite.decode(hs, KEY, algorithms=["HS256"], options=options) == {"a": 1}
    short_hs = forge({"alg": "HS256"}, {"a": 1}, key="s" * 16)
    with pytest.raises(InvalidKeyError, match="HMAC key is 16 bytes"):
        jwtlite.decode(short_hs, "s" * 16, algorithms=["HS256"], options={**options, **enforce})
