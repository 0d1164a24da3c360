"""Tests for behaviour that mutation testing showed no test pinned down (issue #11).

Each test sits on a boundary or a branch whose breakage the older tests let pass: exact
limits (``max_age``, ``exp`` at now, the token size, the nesting depth), a string audience that
must never match per character, key choice from a JWK Set during decode, and TokenService
revocation corners.
"""

from __future__ import annotations

import hmac
import json
from datetime import timedelta
from typing import Any

import pytest
from conftest import KEYS, FakeClock, SetEncoder

import jwtlite
from jwtlite import _json
from jwtlite.api import PyJWS, PyJWT
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKSetError,
    RevokedTokenError,
    UnusableKeyError,
)
from jwtlite.jwk import key_to_jwk
from jwtlite.jws import DEFAULT_MAX_TOKEN_SIZE, parse_compact
from jwtlite.keys import load_key
from jwtlite.tokens import ACCESS_TYP, REFRESH_TYP, TokenService

KEY = "k" * 64
NOW = 1_700_000_000


def _token(payload: dict[str, Any], **kwargs: Any) -> str:
    return jwtlite.encode(payload, KEY, algorithm="HS256", **kwargs)


def _decode(token: str | bytes, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("now", NOW)
    return jwtlite.decode(token, KEY, algorithms=["HS256"], **kwargs)


# --- audience: whole strings, never characters -----------------------------------------------


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("a", "api"),  # "a" is a letter of "api": a substring test would accept it
        ("pi", "api"),
        ("api", "a"),
        (["a", "x"], "api"),  # a list where one member is a letter of the expected string
        (["p", "i"], "api"),
        ("a", ["api"]),
        (["a"], ["api", "web"]),
    ],
)
def test_audience_never_matches_per_character(claim: Any, expected: Any) -> None:
    with pytest.raises(InvalidAudienceError):
        _decode(_token({"aud": claim}), audience=expected)


@pytest.mark.parametrize(
    ("claim", "expected"),
    [("api", "api"), (["x", "api"], "api"), ("api", ["web", "api"]), (["a", "api"], ["api"])],
)
def test_audience_matches_whole_members(claim: Any, expected: Any) -> None:
    assert _decode(_token({"aud": claim}), audience=expected)["aud"] == claim


def test_strict_audience_through_decode() -> None:
    options = {"strict_aud": True}
    assert _decode(_token({"aud": "api"}), audience="api", options=options)["aud"] == "api"
    for claim, expected in [("a", "api"), (["api"], "api"), ("api", ["api"])]:
        with pytest.raises(InvalidAudienceError):
            _decode(_token({"aud": claim}), audience=expected, options=options)


def test_audience_in_token_but_not_expected_is_refused() -> None:
    with pytest.raises(InvalidAudienceError):
        _decode(_token({"aud": "api"}))
    assert _decode(_token({"aud": "api"}), options={"verify_aud": False})["aud"] == "api"
    with pytest.raises(MissingRequiredClaimError, match="aud"):
        _decode(_token({"sub": "x"}), audience="api")


# --- max_age, subject, exp/nbf/iat boundaries, through decode() ------------------------------


def test_max_age_boundary_through_decode() -> None:
    token = _token({"iat": NOW - 100})
    assert _decode(token, max_age=100)["iat"] == NOW - 100  # exactly at the limit: accepted
    assert _decode(token, max_age=timedelta(seconds=100))["iat"] == NOW - 100
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        _decode(token, max_age=99)
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        _decode(token, max_age=timedelta(seconds=99))
    assert _decode(token, max_age=99, leeway=1)["iat"] == NOW - 100  # leeway widens it
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        _decode(token, max_age=98, leeway=1)
    with pytest.raises(MissingRequiredClaimError, match="iat"):
        _decode(_token({"sub": "x"}), max_age=100)
    with pytest.raises(InvalidArgumentError):
        _decode(token, max_age=float("nan"))


def test_max_age_with_a_huge_iat_only_compares() -> None:
    token = _token({"iat": 10**400})
    with pytest.raises(ImmatureSignatureError):
        _decode(token, max_age=100)
    # With max_age set, a future iat is refused even with verify_iat off (issue 20, item 5).
    with pytest.raises(ImmatureSignatureError):
        _decode(token, max_age=100, options={"verify_iat": False})


def test_subject_through_decode() -> None:
    token = _token({"sub": "alice"})
    assert _decode(token, subject="alice")["sub"] == "alice"
    with pytest.raises(InvalidSubjectError, match="Invalid subject"):
        _decode(token, subject="alic")
    with pytest.raises(InvalidSubjectError, match="Invalid subject"):
        _decode(_token({"iss": "x"}), subject="alice")
    # jwtlite refuses to write a non-string sub, so this token is signed at the JWS layer.
    with pytest.raises(InvalidArgumentError, match=r"^Subject \(sub\) must be a string\. "):
        _token({"sub": 7})
    numeric = PyJWS().encode(b'{"sub":7}', KEY, "HS256")
    with pytest.raises(InvalidSubjectError, match="must be a string"):
        _decode(numeric)
    assert _decode(token, subject="bob", options={"verify_sub": False})["sub"] == "alice"


def test_exp_exactly_now_is_expired_with_zero_leeway() -> None:
    with pytest.raises(ExpiredSignatureError):
        _decode(_token({"exp": NOW}), leeway=0)
    assert _decode(_token({"exp": NOW + 1}), leeway=0)["exp"] == NOW + 1
    assert _decode(_token({"exp": NOW}), leeway=1)["exp"] == NOW
    with pytest.raises(ExpiredSignatureError):
        _decode(_token({"exp": NOW - 1}), leeway=1)
    assert _decode(_token({"exp": NOW}), options={"verify_exp": False})["exp"] == NOW


def test_nbf_and_iat_exactly_now_are_valid() -> None:
    for name in ("nbf", "iat"):
        assert _decode(_token({name: NOW}))[name] == NOW
        with pytest.raises(ImmatureSignatureError, match=name):
            _decode(_token({name: NOW + 1}))
        assert _decode(_token({name: NOW + 1}), leeway=1)[name] == NOW + 1
        assert _decode(_token({name: NOW + 1}), options={f"verify_{name}": False})[name] == NOW + 1


# --- size and depth limits --------------------------------------------------------------------


def test_token_of_exactly_max_token_size() -> None:
    token = _token({"pad": "x" * 500})
    size = len(token)
    assert _decode(token, options={"max_token_size": size})["pad"] == "x" * 500
    assert _decode(token.encode(), options={"max_token_size": size})["pad"] == "x" * 500
    for form in (token, token.encode()):
        with pytest.raises(DecodeError, match=f"larger than the {size - 1}-character limit"):
            _decode(form, options={"max_token_size": size - 1})


def test_parse_compact_default_limit_is_the_default_size() -> None:
    header = b64url_encode(b'{"alg":"HS256"}')
    filler = "A" * (DEFAULT_MAX_TOKEN_SIZE - len(header) - 2)
    at_limit = f"{header}.{filler}."
    assert len(at_limit) == DEFAULT_MAX_TOKEN_SIZE
    assert parse_compact(at_limit).header == {"alg": "HS256"}
    with pytest.raises(DecodeError, match="larger than"):
        parse_compact(at_limit + "A")
    with pytest.raises(DecodeError, match="larger than"):
        parse_compact((at_limit + "A").encode())


def test_parse_compact_is_strict_by_default() -> None:
    token = _token({"sub": "x"})
    parsed = parse_compact(token)
    h, p, s = token.split(".")
    assert parsed.signing_input == f"{h}.{p}".encode()
    assert parsed.payload_segment == p.encode()
    assert parsed.signature == b64url_decode(s)
    assert parse_compact(bytearray(token.encode())).signature == parsed.signature
    padded_sig = s + "=" * (-len(s) % 4)
    assert padded_sig != s
    with pytest.raises(DecodeError):
        parse_compact(f"{h}.{p}.{padded_sig}")
    assert parse_compact(f"{h}.{p}.{padded_sig}", allow_padding=True).signature == parsed.signature
    for bad in (f"{h}.{p}", f"{h}.{p}.{s}.", f"{h} .{p}.{s}", f"{h}.{p}.{s}é"):
        with pytest.raises(DecodeError):
            parse_compact(bad)
    with pytest.raises(DecodeError, match="Token must be"):
        parse_compact(12)  # type: ignore[arg-type]


def _nested(depth: int, opener: str) -> bytes:
    """A JSON object nested ``depth`` levels deep (the top object counts as one)."""
    if opener == "[":
        return ('{"n":' + "[" * (depth - 1) + "]" * (depth - 1) + "}").encode()
    return ('{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)).encode()


def _depth(value: Any) -> int:
    children = value.values() if isinstance(value, dict) else value
    if not isinstance(value, (dict, list)):
        return 0
    return 1 + max((_depth(child) for child in children), default=0)


@pytest.mark.parametrize("opener", ["[", "{"])
def test_exactly_64_levels_of_nesting(opener: str) -> None:
    assert _json.MAX_DEPTH == 64
    assert _depth(_json.loads_object(_nested(64, opener))) == 64
    with pytest.raises(DecodeError, match="deeper than 64"):
        _json.loads_object(_nested(65, opener))


def test_nesting_limit_through_decode() -> None:
    deep_ok = json.loads(_nested(64, "["))
    assert _decode(_token(deep_ok))["n"] == deep_ok["n"]
    too_deep = json.loads(_nested(65, "["))
    with pytest.raises(DecodeError, match="deeper than 64"):
        _decode(_token(too_deep))


def test_brackets_inside_strings_do_not_count() -> None:
    text = '{"a":"' + "[{" * 100 + '\\"' + "]}" * 3 + '","b":[[1]]}'
    assert _json.loads_object(text.encode())["b"] == [[1]]
    escaped = '{"a":"\\\\","b":' + "[" * 64 + "]" * 64 + "}"
    with pytest.raises(DecodeError, match="deeper than 64"):
        _json.loads_object(escaped.encode())


# --- JWK Sets: key choice during decode -------------------------------------------------------

EC_A = load_key((KEYS / "ec_p256.pem").read_bytes())
RSA_B = load_key((KEYS / "rsa2048_b.pem").read_bytes())


def _oct(secret: str, **meta: Any) -> dict[str, Any]:
    return {"kty": "oct", "k": b64url_encode(secret.encode()), **meta}


SECRET_A, SECRET_B = "a" * 32, "b" * 32


def test_decode_picks_the_key_by_kid() -> None:
    jwks = {"keys": [_oct(SECRET_A, kid="one"), _oct(SECRET_B, kid="two")]}
    for kid, secret in (("one", SECRET_A), ("two", SECRET_B)):
        token = jwtlite.encode({"k": kid}, secret, algorithm="HS256", headers={"kid": kid})
        assert jwtlite.decode(token, jwks, algorithms=["HS256"]) == {"k": kid}
        assert jwtlite.decode(token, jwtlite.PyJWKSet.from_dict(jwks), algorithms=["HS256"]) == {
            "k": kid
        }
    swapped = jwtlite.encode({}, SECRET_A, algorithm="HS256", headers={"kid": "two"})
    with pytest.raises(InvalidSignatureError):
        jwtlite.decode(swapped, jwks, algorithms=["HS256"])


def test_decode_picks_the_key_by_key_ops() -> None:
    # Two keys share a kid; only one may verify (RFC 7517 §4.3).
    jwks = {
        "keys": [
            _oct(SECRET_A, kid="k", key_ops=["sign"]),
            _oct(SECRET_B, kid="k", key_ops=["verify"]),
        ]
    }
    token = jwtlite.encode({"n": 1}, SECRET_B, algorithm="HS256", headers={"kid": "k"})
    assert jwtlite.decode(token, jwks, algorithms=["HS256"]) == {"n": 1}
    # Signing with the same set picks the other member.
    signed = jwtlite.encode({"n": 2}, jwks, algorithm="HS256", headers={"kid": "k"})
    assert jwtlite.decode(signed, SECRET_A, algorithms=["HS256"]) == {"n": 2}
    # Without kid, key_ops alone picks the single verifier.
    no_kid = jwtlite.encode({"n": 3}, SECRET_B, algorithm="HS256")
    assert jwtlite.decode(no_kid, jwks, algorithms=["HS256"]) == {"n": 3}
    only_sign = {"keys": [_oct(SECRET_B, kid="k", key_ops=["sign"])]}
    with pytest.raises(UnusableKeyError, match="key_ops"):
        jwtlite.decode(token, only_sign, algorithms=["HS256"])


def test_decode_between_public_and_private_members_sharing_a_kid(backend: Any) -> None:
    private = key_to_jwk(EC_A, kid="ec", key_ops=["sign"])
    public = key_to_jwk(EC_A, kid="ec", key_ops=["verify"], include_private=False)
    token = jwtlite.encode({"n": 1}, {"keys": [public, private]}, algorithm="ES256",
                           headers={"kid": "ec"})  # fmt: skip
    # Signing took the private member; verifying takes the public one.
    assert jwtlite.decode(token, {"keys": [private, public]}, algorithms=["ES256"]) == {"n": 1}
    # Both members fit "verify" without key_ops: refused, never guessed.
    bare = [key_to_jwk(EC_A, kid="ec"), key_to_jwk(EC_A, kid="ec", include_private=False)]
    with pytest.raises(UnusableKeyError, match="2 keys share kid"):
        jwtlite.decode(token, {"keys": bare}, algorithms=["ES256"])
    # A kid shared by keys of different types: the algorithm separates them.
    mixed = {"keys": [key_to_jwk(RSA_B, kid="ec", include_private=False), public]}
    assert jwtlite.decode(token, mixed, algorithms=["ES256"]) == {"n": 1}


@pytest.mark.parametrize(
    ("jwks", "headers", "match"),
    [
        ({"keys": [_oct(SECRET_A, kid="one")]}, {"kid": "two"}, 'kid "two"'),
        ({"keys": [_oct(SECRET_A, kid="one", use="enc")]}, {"kid": "one"}, "use"),
        ({"keys": [_oct(SECRET_A), _oct(SECRET_B)]}, {}, "refusing to guess"),
        ({"keys": [_oct(SECRET_A, use="enc")]}, {}, "No key in the JWK Set"),
        (_oct(SECRET_A, key_ops=["sign"]), {}, "key_ops"),
    ],
)
def test_key_selection_failures_during_decode_are_unusable_key_errors(
    jwks: dict[str, Any], headers: dict[str, Any], match: str
) -> None:
    token = jwtlite.encode({}, SECRET_A, algorithm="HS256", headers=headers)
    with pytest.raises(UnusableKeyError, match=match) as info:
        jwtlite.decode(token, jwks, algorithms=["HS256"])
    assert isinstance(info.value, InvalidTokenError)
    assert isinstance(info.value, InvalidKeyError)


def test_a_jwk_for_another_algorithm_is_an_algorithm_error_during_decode() -> None:
    # PyJWT's error and text: the key's own "alg" decides, and the token's differs.
    jwks = {"keys": [_oct(SECRET_A, kid="one", alg="HS512")]}
    token = jwtlite.encode({}, SECRET_A, algorithm="HS256", headers={"kid": "one"})
    with pytest.raises(InvalidAlgorithmError) as info:
        jwtlite.decode(token, jwks, algorithms=["HS256"])
    assert str(info.value) == "Token algorithm 'HS256' does not match the key's algorithm 'HS512'"
    assert isinstance(info.value, InvalidTokenError)


def test_key_selection_failures_when_signing_are_not_token_errors() -> None:
    # No token chose the key: these are the caller's key errors, not InvalidTokenError.
    jwks = {"keys": [_oct(SECRET_A, kid="a", use="enc")]}
    with pytest.raises(PyJWKSetError, match='kid "b"') as missing:
        jwtlite.encode({}, jwks, algorithm="HS256", headers={"kid": "b"})
    with pytest.raises(InvalidKeyError, match="use") as refused:
        jwtlite.encode({}, jwks, algorithm="HS256", headers={"kid": "a"})
    for info in (missing, refused):
        assert not isinstance(info.value, InvalidTokenError)


# --- encoding: custom json_encoder, b64=false -------------------------------------------------


def test_nan_is_refused_with_a_custom_json_encoder() -> None:
    token = jwtlite.encode({"s": {2, 1}}, KEY, algorithm="HS256", json_encoder=SetEncoder)
    assert _decode(token) == {"s": [1, 2]}
    for bad in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(InvalidArgumentError, match="JSON"):
            jwtlite.encode({"x": bad}, KEY, algorithm="HS256", json_encoder=SetEncoder)
        with pytest.raises(InvalidArgumentError, match="Header"):
            PyJWS().encode(b"{}", KEY, "HS256", headers={"x": bad}, json_encoder=SetEncoder)
        with pytest.raises(ValueError, match="JSON"):
            _json.dumps({"x": bad}, cls=SetEncoder)
    assert _json.dumps({"b": 1, "a": 2}, cls=SetEncoder, sort_keys=True) == b'{"a":2,"b":1}'
    assert _json.dumps({"b": 1, "a": 2}, cls=SetEncoder) == b'{"b":1,"a":2}'


def test_b64_false_attached_payload() -> None:
    payload = b"$,02 is not base64"
    headers = {"b64": False, "crit": ["b64"]}
    token = PyJWS().encode(payload, KEY, "HS256", headers=headers)
    h, body, s = token.split(".")
    assert body.encode() == payload  # RFC 7797 §5: the payload travels as is
    expected = hmac.digest(KEY.encode(), f"{h}.".encode() + payload, "sha256")
    assert b64url_decode(s) == expected
    assert PyJWS().decode(token, KEY, ["HS256"]) == payload
    tampered = f"{h}.{body[:-1]}X.{s}"
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(tampered, KEY, ["HS256"])
    with pytest.raises(InvalidTokenError, match="crit"):
        PyJWS().encode(payload, KEY, "HS256", headers={"b64": False})


# --- PyJWS.decode_complete and per-call options -----------------------------------------------


def test_pyjws_decode_complete() -> None:
    token = PyJWS().encode(b"raw bytes", KEY, "HS256", headers={"kid": "x"})
    result = PyJWS().decode_complete(token, KEY, ["HS256"])
    assert set(result) == {"payload", "header", "signature"}
    assert result["payload"] == b"raw bytes"
    assert result["header"] == {"alg": "HS256", "kid": "x", "typ": "JWT"}
    assert result["signature"] == b64url_decode(token.split(".")[2])
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode_complete(token, "x" * 64, ["HS256"])
    detached = PyJWS().encode(b"body", KEY, "HS256", is_payload_detached=True)
    complete = PyJWS().decode_complete(detached, KEY, ["HS256"], detached_payload=b"body")
    assert complete["payload"] == b"body"


def test_pyjws_decode_per_call_options() -> None:
    jws = PyJWS()
    token = jws.encode(b"payload", KEY, "HS256")
    assert jws.decode(token, "wrong" * 13, ["HS256"], {"verify_signature": False}) == b"payload"
    assert jws.decode_complete(token, "", options={"verify_signature": False})["payload"] == (
        b"payload"
    )
    with pytest.raises(InvalidSignatureError):
        jws.decode(token, "wrong" * 13, ["HS256"])  # the call's options did not stick
    with pytest.raises(DecodeError, match="larger than the 10-character limit"):
        jws.decode(token, KEY, ["HS256"], {"max_token_size": 10})
    # The call's limit did not stick; PyJWT's options dict shows a jwtlite option only when set.
    assert "max_token_size" not in jws.options
    assert jws.decode(token, KEY, ["HS256"]) == b"payload"
    strict = PyJWS(options={"verify_signature": False})
    assert strict.decode(token, "x", ["HS256"]) == b"payload"
    with pytest.raises(InvalidSignatureError):
        strict.decode(token, "wrong" * 13, ["HS256"], {"verify_signature": True})


# --- TokenService corners ---------------------------------------------------------------------

ISS, AUD = "https://issuer.test", "https://api.test"


def _service(clock: FakeClock, **kwargs: Any) -> TokenService:
    return TokenService(KEY, "HS256", issuer=ISS, audience=AUD, clock=clock, **kwargs)


def test_revoke_subject_in_the_same_second() -> None:
    clock = FakeClock(NOW + 0.2)
    service = _service(clock)
    before = service.issue("alice")
    clock.now = NOW + 0.5
    service.revoke_subject("alice")
    clock.now = NOW + 0.8  # same whole second as the revocation
    same_second = service.issue("alice")
    other = service.issue("bob")
    for pair in (before, same_second):
        with pytest.raises(RevokedTokenError, match="subject"):
            service.verify_access(pair.access_token)
        with pytest.raises(RevokedTokenError, match="subject"):
            service.refresh(pair.refresh_token)
    assert service.verify_access(other.access_token)["sub"] == "bob"
    clock.now = NOW + 1.0
    later = service.issue("alice")
    assert service.verify_access(later.access_token)["iat"] == NOW + 1


def test_revoke_of_a_foreign_typ_is_refused() -> None:
    clock = FakeClock(NOW)
    service = _service(clock)
    pair = service.issue("alice")
    claims = PyJWT().decode(pair.access_token, options={"verify_signature": False})
    for typ in ("JWT", "foo+jwt", ""):  # "" leaves typ out of the header
        forged = jwtlite.encode(claims, KEY, algorithm="HS256", headers={"typ": typ})
        with pytest.raises(InvalidTokenError, match="typ"):
            service.revoke(forged)
    assert len(service.store) == 0  # nothing was revoked
    assert service.verify_access(pair.access_token)["sub"] == "alice"
    # Each kind revokes as itself: the refresh token by its own typ.
    service.revoke(pair.refresh_token, family=False)
    assert service.store.is_revoked(
        PyJWT().decode(pair.refresh_token, options={"verify_signature": False})["jti"]
    )
    assert service.verify_access(pair.access_token)["sub"] == "alice"


def test_revocation_inside_the_leeway_window() -> None:
    clock = FakeClock(NOW)
    service = _service(clock, leeway=30)
    pair = service.issue("alice")
    exp = NOW + 900
    clock.now = exp + 10  # expired, but within the leeway: still accepted
    assert service.verify_access(pair.access_token)["exp"] == exp
    service.revoke(pair.access_token, family=False)
    with pytest.raises(RevokedTokenError, match="token has been revoked"):
        service.verify_access(pair.access_token)
    clock.now = exp + 29
    with pytest.raises(RevokedTokenError, match="token has been revoked"):
        service.verify_access(pair.access_token)
    clock.now = exp + 30
    with pytest.raises(ExpiredSignatureError):
        service.verify_access(pair.access_token)


def test_family_revocation_outlives_every_token_of_the_family() -> None:
    clock = FakeClock(NOW)
    service = _service(clock, leeway=30)
    pair = service.issue("alice")
    service.revoke(pair.access_token)
    refresh_exp = NOW + 14 * 86400
    clock.now = refresh_exp + 29  # the refresh token is still inside its leeway
    with pytest.raises(RevokedTokenError, match="family"):
        service.refresh(pair.refresh_token)


def test_wrong_verify_key_is_refused() -> None:
    clock = FakeClock(NOW)
    signer = _service(clock)
    pair = signer.issue("alice")
    wrong = _service(clock, verify_key="w" * 64)
    with pytest.raises(InvalidSignatureError):
        wrong.verify_access(pair.access_token)
    with pytest.raises(InvalidSignatureError):
        wrong.refresh(pair.refresh_token)
    with pytest.raises(InvalidSignatureError):
        wrong.revoke(pair.access_token)
    own = wrong.issue("bob")  # signs with key, verifies with verify_key: its own tokens fail
    with pytest.raises(InvalidSignatureError):
        wrong.verify_access(own.access_token)
    right = _service(clock, verify_key=KEY)
    assert right.verify_access(pair.access_token)["sub"] == "alice"


def test_asymmetric_verify_key(backend: Any) -> None:
    clock = FakeClock(NOW)
    private = load_key((KEYS / "ec_p256.pem").read_bytes())
    other = load_key((KEYS / "ec_p384.pem").read_bytes())
    service = TokenService(private, "ES256", issuer=ISS, audience=AUD, clock=clock,
                           verify_key=private.public_key())  # fmt: skip
    pair = service.issue("alice")
    assert service.verify_access(pair.access_token)["sub"] == "alice"
    wrong = TokenService(private, "ES256", issuer=ISS, audience=AUD, clock=clock,
                         verify_key=other.public_key())  # fmt: skip
    with pytest.raises(InvalidTokenError):
        wrong.verify_access(pair.access_token)


def test_token_kinds_never_cross() -> None:
    clock = FakeClock(NOW)
    service = _service(clock)
    pair = service.issue("alice")
    assert PyJWS().get_unverified_header(pair.access_token)["typ"] == ACCESS_TYP
    assert PyJWS().get_unverified_header(pair.refresh_token)["typ"] == REFRESH_TYP
    with pytest.raises(InvalidTokenError, match="typ"):
        service.verify_access(pair.refresh_token)
    with pytest.raises(InvalidTokenError, match="typ"):
        service.refresh(pair.access_token)


# --- claims: string claims at encode ----------------------------------------------------------


@pytest.mark.parametrize(("name", "section"), [("sub", "4.1.2"), ("jti", "4.1.7")])
def test_a_non_string_claim_at_encode_names_the_claim_in_its_hint(name: str, section: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        jwtlite.encode({name: 5}, KEY, algorithm="HS256")
    text = str(caught.value)
    assert text.startswith(("Subject (sub)", "JWT ID (jti)")[name == "jti"])
    assert f"{{{name!r}: str(value)}}" in text
    assert f"RFC 7519 §{section}" in text


def test_string_claims_accept_str_subclasses_at_encode() -> None:
    class Name(str):
        pass

    token = jwtlite.encode({"sub": Name("alice"), "jti": Name("j1")}, KEY, algorithm="HS256")
    assert jwtlite.decode(token, KEY, algorithms=["HS256"]) == {"sub": "alice", "jti": "j1"}
