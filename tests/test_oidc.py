"""jwtlite.oidc.verify_id_token: the published examples, and one refusal per rule.

Each MUST of OpenID Connect Core 1.0 §3.1.3.7 (and of §3.2.2.9-11, §3.3.2.10-12, §2 for the
ID token's claims) has at least one test below that builds a token breaking it and checks that
it is refused with the right error; the test names carry the step. Discovery's issuer check
is in tests/test_oidc_discovery.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import VECTORS, key_pem, load_vector
from hypothesis import given, settings
from hypothesis import strategies as st
from property.strategies import json_values

import jwtlite
from jwtlite import oidc
from jwtlite.b64url import b64url_encode
from jwtlite.backends import Backend
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidACRError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidAuthorizedPartyError,
    InvalidAuthTimeError,
    InvalidHashClaimError,
    InvalidIssuerError,
    InvalidNonceError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    InvalidValueError,
    MissingRequiredClaimError,
    PyJWTError,
)
from jwtlite.jwe_jwt import encrypt_jwt
from jwtlite.jwk import PyJWK, PyJWKSet, key_to_jwk
from jwtlite.keys import load_key

SPEC = load_vector("oidc/core_appendix_a.json")
NOW = 1_700_000_000
ISSUER = "https://op.example.com"
CLIENT = "client-1"
NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "SlAV32hkKG"
CODE = "SplxlOBeZQQYbYS6WxSbIA"
RSA = load_key(key_pem("rsa2048.pem"))
OTHER_RSA = load_key(key_pem("rsa2048_b.pem"))
EC = load_key(key_pem("ec_p256.pem"))
ED25519 = load_key(key_pem("ed25519.pem"))
ED448 = load_key(key_pem("ed448.pem"))
SECRET = "a-client-secret-of-32-bytes-long"


def claims(**changes: Any) -> dict[str, Any]:
    """A valid ID token's claims; ``None`` removes a claim."""
    base: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "248289761001",
        "aud": CLIENT,
        "exp": NOW + 300,
        "iat": NOW - 10,
        "nonce": NONCE,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def mint(
    payload: dict[str, Any] | None = None, key: Any = RSA, alg: str = "RS256", **headers: Any
) -> str:
    """Sign ``payload`` as it is: PyJWS, so that claims ``encode`` refuses can be sent."""
    body = json.dumps(claims() if payload is None else payload).encode()
    return jwtlite.PyJWS().encode(body, key, algorithm=alg, headers=headers or None)


def verify(token: str, key: Any = RSA, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"issuer": ISSUER, "client_id": CLIENT, "nonce": NONCE, "now": NOW}
    options.update(kwargs)
    return oidc.verify_id_token(token, key, **options)


# --- the published values -------------------------------------------------------------------------


def test_the_core_appendix_a_examples_verify() -> None:
    key = PyJWK(SPEC["jwk"])
    ran = 0
    for example in SPEC["examples"]:
        payload = oidc.verify_id_token(
            example["id_token"],
            key,
            issuer=SPEC["issuer"],
            client_id=SPEC["client_id"],
            nonce=SPEC["nonce"],
            access_token=example.get("access_token"),
            code=example.get("code"),
            response_type=example["response_type"],
            now=SPEC["now"],
        )
        assert payload["sub"] == "248289761001"
        for claim in ("at_hash", "c_hash"):
            assert payload.get(claim) == example.get(claim)
        ran += 1
    assert ran == 3


def test_the_core_appendix_a_hashes_are_checked() -> None:
    key = PyJWK(SPEC["jwk"])
    a3, a4 = SPEC["examples"][1], SPEC["examples"][2]
    common = {"issuer": SPEC["issuer"], "client_id": SPEC["client_id"], "nonce": SPEC["nonce"],
              "now": SPEC["now"]}  # fmt: skip
    with pytest.raises(InvalidHashClaimError, match="at_hash"):
        oidc.verify_id_token(a3["id_token"], key, access_token=a4["code"], **common)
    with pytest.raises(InvalidHashClaimError, match="c_hash"):
        oidc.verify_id_token(a4["id_token"], key, code=a3["access_token"], **common)


def test_token_hash_vectors() -> None:
    vectors = SPEC["token_hashes"]["vectors"]
    for vector in vectors:
        got = oidc.token_hash(vector["value"], vector["alg"], curve=vector.get("curve"))
        assert got == vector["hash"], vector
        assert oidc.token_hash(vector["value"].encode(), vector["alg"],
                               curve=vector.get("curve")) == got  # fmt: skip
    assert len(vectors) == 8


@pytest.mark.parametrize(
    ("alg", "length"),
    [("HS256", 16), ("RS384", 24), ("PS512", 32), ("ES256K", 16), ("Ed25519", 32), ("Ed448", 57)],
)
def test_token_hash_is_the_left_half_of_the_algorithms_hash(alg: str, length: int) -> None:
    from jwtlite.b64url import b64url_decode

    assert len(b64url_decode(oidc.token_hash("x", alg))) == length


def test_token_hash_refusals() -> None:
    with pytest.raises(InvalidArgumentError, match="curve"):
        oidc.token_hash("x", "EdDSA")
    for alg in ("none", "XS256", 3):
        with pytest.raises(InvalidArgumentError, match="No ID token hash"):
            oidc.token_hash("x", alg)  # type: ignore[arg-type]
    with pytest.raises(InvalidValueError, match="not ASCII"):
        oidc.token_hash("tökén", "RS256")
    with pytest.raises(InvalidArgumentError, match="must be a string"):
        oidc.token_hash(None, "RS256")  # type: ignore[arg-type]


# --- a valid token, in each shape -----------------------------------------------------------------


def test_a_valid_token_returns_its_claims() -> None:
    assert verify(mint()) == claims()


@pytest.mark.parametrize(
    ("key", "alg", "curve"),
    [(ED25519, "EdDSA", "Ed25519"), (ED25519, "Ed25519", None), (ED448, "EdDSA", "Ed448"),
     (ED448, "Ed448", None)],
)  # fmt: skip
def test_eddsa_hashes_follow_the_curve(
    backend: Backend, key: Any, alg: str, curve: str | None
) -> None:
    at_hash = oidc.token_hash(ACCESS_TOKEN, alg, curve=curve)
    c_hash = oidc.token_hash(CODE, alg, curve=curve)
    token = mint(claims(at_hash=at_hash, c_hash=c_hash), key, alg)
    payload = verify(token, key, algorithms=[alg], access_token=ACCESS_TOKEN, code=CODE,
                     response_type="code id_token token")  # fmt: skip
    assert payload["at_hash"] == at_hash
    # SHA-256's half, which some providers got wrong, is refused.
    wrong = oidc.token_hash(ACCESS_TOKEN, "RS256")
    with pytest.raises(InvalidHashClaimError):
        verify(mint(claims(at_hash=wrong), key, alg), key, algorithms=[alg],
               access_token=ACCESS_TOKEN)  # fmt: skip


@pytest.mark.parametrize("alg", ["RS256", "PS384", "RS512"])
def test_rsa_hashes_follow_the_alg(alg: str) -> None:
    token = mint(claims(at_hash=oidc.token_hash(ACCESS_TOKEN, alg)), RSA, alg)
    assert verify(token, algorithms=[alg], access_token=ACCESS_TOKEN)["sub"]
    token = mint(claims(at_hash=oidc.token_hash(ACCESS_TOKEN, "RS256")), RSA, alg)
    if alg != "RS256":
        with pytest.raises(InvalidHashClaimError):
            verify(token, algorithms=[alg], access_token=ACCESS_TOKEN)


def test_keys_in_every_form() -> None:
    token = mint(key=RSA, kid="k1")
    public = key_to_jwk(RSA, kid="k1", include_private=False)
    other = key_to_jwk(OTHER_RSA, kid="k2", include_private=False)
    for key in (RSA, public, PyJWK(public), PyJWKSet([other, public]), {"keys": [other, public]}):
        assert verify(token, key)["sub"] == "248289761001"


def test_the_registered_algorithms_of_the_module_do_not_leak_in() -> None:
    """A private PyJWT: unregistering RS256 globally does not change ID token verification."""
    token = mint()
    rs256 = jwtlite.get_algorithm_by_name("RS256")
    jwtlite.unregister_algorithm("RS256")
    try:
        assert verify(token)["sub"]
    finally:
        jwtlite.register_algorithm("RS256", rs256)


def test_time_in_every_form() -> None:
    token = mint()
    assert verify(token, now=datetime.fromtimestamp(NOW, timezone.utc))
    assert verify(token, now=datetime.fromtimestamp(NOW, timezone.utc).replace(tzinfo=None))
    with pytest.raises(InvalidArgumentError, match="now must be"):
        verify(token, now="now")


# --- §3.1.3.7, step by step -----------------------------------------------------------------------


#: The client's encryption key (registered with the provider) and the agreed JWE algorithms.
CLIENT_KEY = OTHER_RSA
JWE_ARGS: dict[str, Any] = {
    "decryption_key": CLIENT_KEY,
    "jwe_algorithms": ["RSA-OAEP-256"],
    "jwe_encryptions": ["A256GCM"],
}


def encrypted(payload: dict[str, Any] | None = None, sign: bool = True, **kwargs: Any) -> str:
    """An ID token signed by the provider (RSA) and encrypted to the client (RSA-OAEP-256)."""
    options: dict[str, Any] = {"alg": "RSA-OAEP-256", "enc": "A256GCM"}
    if sign:
        options.update(sign_key=RSA, sign_algorithm="RS256")
    options.update(kwargs)
    public = key_to_jwk(CLIENT_KEY, include_private=False)
    return encrypt_jwt(claims() if payload is None else payload, public, **options)


def test_step_1_an_encrypted_token_is_decrypted_then_verified() -> None:
    token = encrypted()
    assert token.count(".") == 4
    assert verify(token, **JWE_ARGS) == claims()
    assert verify(token.encode(), **JWE_ARGS) == claims()
    payload = asyncio.run(oidc.verify_id_token_async(
        token, RSA, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, now=NOW, **JWE_ARGS))  # fmt: skip
    assert payload == claims()
    # everything inside is checked as for a signed token
    with pytest.raises(InvalidNonceError):
        verify(encrypted(claims(nonce="other")), **JWE_ARGS)


def test_step_1_an_encrypted_token_needs_the_decryption_key() -> None:
    with pytest.raises(DecodeError, match="decryption_key"):
        verify(encrypted())
    with pytest.raises(InvalidTokenError):
        verify(encrypted(), **{**JWE_ARGS, "decryption_key": RSA})  # not the client's key
    with pytest.raises(InvalidAlgorithmError):
        verify(encrypted(alg="RSA-OAEP"), **JWE_ARGS)  # not the agreed alg
    with pytest.raises(InvalidArgumentError, match="jwe_algorithms"):
        verify(encrypted(), decryption_key=CLIENT_KEY)


def test_step_1_with_encryption_agreed_a_plain_token_is_refused() -> None:
    with pytest.raises(InvalidTokenError, match="not encrypted"):
        verify(mint(), **JWE_ARGS)


def test_2_an_encrypted_token_must_hold_a_signed_one() -> None:
    """Anyone can encrypt to the client's public key: bare encrypted claims prove nothing."""
    with pytest.raises(InvalidTokenError, match="must hold a signed one"):
        verify(encrypted(sign=False), **JWE_ARGS)
    forged = encrypted(sign_key=OTHER_RSA, sign_algorithm="RS256")  # signed, not by the issuer
    with pytest.raises(InvalidSignatureError):
        verify(forged, **JWE_ARGS)


@pytest.mark.parametrize(
    "iss", [ISSUER + "/", "https://OP.example.com", "https://op.example.com.evil", "op.example",
            [ISSUER], 42]
)  # fmt: skip
def test_step_2_the_issuer_must_match_exactly(iss: Any) -> None:
    with pytest.raises(InvalidIssuerError):
        verify(mint(claims(iss=iss)))


def test_step_2_the_issuer_claim_is_required() -> None:
    with pytest.raises(MissingRequiredClaimError, match='"iss"'):
        verify(mint(claims(iss=None)))
    with pytest.raises(InvalidArgumentError, match="issuer is required"):
        oidc.verify_id_token(mint(), RSA, client_id=CLIENT, nonce=NONCE, now=NOW)


@pytest.mark.parametrize("aud", ["client-2", ["client-2"], [], ["client-2", "client-3"]])
def test_step_3_the_audience_must_contain_the_client_id(aud: Any) -> None:
    with pytest.raises((InvalidAudienceError, MissingRequiredClaimError)):
        verify(mint(claims(aud=aud)))
    with pytest.raises(MissingRequiredClaimError, match='"aud"'):
        verify(mint(claims(aud=None)))


def test_step_3_untrusted_extra_audiences_are_refused() -> None:
    token = mint(claims(aud=[CLIENT, "api.example"], azp=CLIENT))
    with pytest.raises(InvalidAudienceError, match="does not trust"):
        verify(token)
    assert verify(token, trusted_audiences=["api.example"])["aud"] == [CLIENT, "api.example"]
    assert verify(token, trusted_audiences="api.example")["azp"] == CLIENT
    # a trusted name never trusts a substring of itself
    with pytest.raises(InvalidAudienceError):
        verify(mint(claims(aud=[CLIENT, "api"], azp=CLIENT)), trusted_audiences="api.example")


def test_steps_4_and_5_azp_rules() -> None:
    several = claims(aud=[CLIENT, "api.example"])
    with pytest.raises(InvalidAuthorizedPartyError, match="several audiences"):
        verify(mint(several), trusted_audiences=["api.example"])
    assert verify(mint(several), trusted_audiences=["api.example"],
                  require_azp_with_several_audiences=False)  # fmt: skip
    for token in (mint(claims(azp="client-2")), mint({**several, "azp": "api.example"})):
        with pytest.raises(InvalidAuthorizedPartyError, match="another party"):
            verify(token, trusted_audiences=["api.example"])
    assert verify(mint(claims(azp=CLIENT)))["azp"] == CLIENT  # the sole audience, as azp too
    assert issubclass(InvalidAuthorizedPartyError, InvalidAudienceError)


def test_step_6_the_signature_must_verify() -> None:
    token = mint()
    header, _, signature = token.split(".")
    forged = claims(sub="admin")
    tampered = ".".join((header, b64url_encode(json.dumps(forged).encode()), signature))
    with pytest.raises(InvalidSignatureError):
        verify(tampered)
    with pytest.raises(InvalidSignatureError):
        verify(mint(key=OTHER_RSA))  # not the issuer's key


def test_step_6_a_key_named_in_the_header_is_never_used() -> None:
    attacker = key_to_jwk(OTHER_RSA, include_private=False)
    token = mint(key=OTHER_RSA, jwk=attacker)
    with pytest.raises(InvalidSignatureError):
        verify(token)


def test_step_6_none_is_never_accepted() -> None:
    unsigned = b64url_encode(b'{"alg":"none"}') + "." + b64url_encode(
        json.dumps(claims()).encode()) + "."  # fmt: skip
    for algorithms in (None, ["none"], ["RS256", "none"]):
        with pytest.raises(InvalidAlgorithmError):
            verify(unsigned, algorithms=algorithms)


def test_step_7_rs256_is_the_default_algorithm() -> None:
    token = mint(key=EC, alg="ES256")
    with pytest.raises(InvalidAlgorithmError, match="not allowed"):
        verify(token, EC)
    assert verify(token, EC, algorithms=["ES256"])["sub"]


def test_step_8_a_mac_uses_the_client_secret() -> None:
    token = mint(key=SECRET, alg="HS256")
    assert verify(token, SECRET, algorithms=["HS256"])["sub"]
    with pytest.raises(InvalidSignatureError):
        verify(token, SECRET + "x", algorithms=["HS256"])


def test_step_8_a_mac_with_several_audiences_is_refused() -> None:
    token = mint(claims(aud=[CLIENT, "client-2"], azp=CLIENT), SECRET, "HS256")
    with pytest.raises(InvalidAudienceError, match="MAC-signed"):
        verify(token, SECRET, algorithms=["HS256"], trusted_audiences=["client-2"])


def test_step_9_an_expired_token_is_refused() -> None:
    with pytest.raises(ExpiredSignatureError):
        verify(mint(claims(exp=NOW - 1)))
    assert verify(mint(claims(exp=NOW - 1)), leeway=5)
    assert verify(mint(claims(exp=NOW - 1)), leeway=timedelta(seconds=5))
    # A falsy leeway of a wrong type is refused like any other, not read as "no leeway".
    for wrong in (None, False, ""):
        with pytest.raises(InvalidArgumentError, match=r"^expected seconds as a number"):
            verify(mint(claims()), leeway=wrong)
    with pytest.raises(MissingRequiredClaimError, match='"exp"'):
        verify(mint(claims(exp=None)))


def test_step_10_iat_is_required_and_not_in_the_future() -> None:
    with pytest.raises(MissingRequiredClaimError, match='"iat"'):
        verify(mint(claims(iat=None)))
    with pytest.raises(ImmatureSignatureError):
        verify(mint(claims(iat=NOW + 60)))


def test_step_10_max_iat_age_bounds_the_token_age() -> None:
    token = mint(claims(iat=NOW - 600))
    assert verify(token)
    with pytest.raises(ExpiredSignatureError, match="max_age"):
        verify(token, max_iat_age=300)
    assert verify(token, max_iat_age=timedelta(minutes=10))


def test_step_11_the_nonce_must_be_present_and_equal() -> None:
    with pytest.raises(InvalidNonceError, match="no nonce"):
        verify(mint(claims(nonce=None)))
    for wrong in ("n-0S6_WzA2Mk", NONCE[:-1], "", 42, [NONCE], "ñ"):
        with pytest.raises(InvalidNonceError, match="not the one"):
            verify(mint(claims(nonce=wrong)))


def test_claims_holding_a_lone_surrogate_are_refused_not_crashed_on() -> None:
    # A JSON "\ud800" escape decodes to a lone surrogate, which UTF-8 cannot encode: comparing
    # it as UTF-8 raised UnicodeEncodeError out of verify_id_token.
    with pytest.raises(InvalidNonceError, match="not the one"):
        verify(mint(claims(nonce="\ud800")))
    with pytest.raises(InvalidNonceError, match="not the one"):
        verify(mint(claims(nonce="n\udcff")), nonce="n\udcfe")
    assert verify(mint(claims(nonce="n\udcff")), nonce="n\udcff")  # equal code points
    with pytest.raises(InvalidHashClaimError, match="at_hash claim does not match"):
        verify(mint(claims(at_hash="\ud800")), access_token=ACCESS_TOKEN)


def test_a_clock_no_float_holds_is_refused() -> None:
    for now in (10**400, -(10**400), float("nan"), float("inf")):
        with pytest.raises(InvalidArgumentError, match="now must be a finite number"):
            verify(mint(), now=now)


def test_step_11_a_nonce_nobody_checks_is_refused() -> None:
    with pytest.raises(InvalidNonceError, match="none was given"):
        verify(mint(), nonce=None)
    assert verify(mint(claims(nonce=None)), nonce=None)  # no nonce sent, none received


def test_step_12_acr_when_required() -> None:
    token = mint(claims(acr="urn:mace:incommon:iap:silver"))
    assert verify(token, acr_values=["urn:mace:incommon:iap:silver", "gold"])
    assert verify(token, acr_values="urn:mace:incommon:iap:silver")
    with pytest.raises(InvalidACRError):
        verify(token, acr_values=["urn:mace:incommon:iap:gold"])
    with pytest.raises(InvalidACRError):
        verify(mint(claims(acr=["urn:mace:incommon:iap:silver"])), acr_values=["x"])
    with pytest.raises(MissingRequiredClaimError, match='"acr"'):
        verify(mint(), acr_values=["urn:mace:incommon:iap:silver"])


def test_step_13_auth_time_with_max_age() -> None:
    token = mint(claims(auth_time=NOW - 100))
    assert verify(token, max_age=100)
    assert verify(token, max_age=timedelta(seconds=90), leeway=10)
    with pytest.raises(InvalidAuthTimeError, match="authenticate again"):
        verify(token, max_age=99)
    with pytest.raises(MissingRequiredClaimError, match='"auth_time"'):
        verify(mint(), max_age=3600)
    with pytest.raises(InvalidAuthTimeError, match="future"):
        verify(mint(claims(auth_time=NOW + 60)), max_age=3600)
    for bad in ("1700000000", True, None, [NOW]):
        with pytest.raises((InvalidAuthTimeError, MissingRequiredClaimError)):
            verify(mint(claims(auth_time=bad)), max_age=3600)
    with pytest.raises(InvalidAuthTimeError, match="number"):
        verify(mint(claims(auth_time="yesterday")))  # checked even without max_age


# --- §3.2.2 (Implicit) and §3.3.2 (Hybrid) --------------------------------------------------------


def test_3_2_2_9_at_hash_must_match() -> None:
    token = mint(claims(at_hash=oidc.token_hash(ACCESS_TOKEN, "RS256")))
    assert verify(token, access_token=ACCESS_TOKEN, response_type="id_token token")
    for other in (ACCESS_TOKEN + "x", ACCESS_TOKEN.lower(), "ünicode", "ünicode".encode()):
        with pytest.raises(InvalidHashClaimError):
            verify(token, access_token=other)
    with pytest.raises(InvalidHashClaimError, match="must be a string"):
        verify(mint(claims(at_hash=42)), access_token=ACCESS_TOKEN)


def test_3_2_2_11_the_implicit_flow_requires_at_hash_and_a_nonce() -> None:
    with pytest.raises(MissingRequiredClaimError, match='"at_hash"'):
        verify(mint(), access_token=ACCESS_TOKEN, response_type="token id_token")
    assert verify(mint(), access_token=ACCESS_TOKEN)  # from the Token Endpoint: optional
    with pytest.raises(InvalidArgumentError, match="require a nonce"):
        verify(mint(), nonce=None, response_type="id_token")
    with pytest.raises(InvalidArgumentError, match="access_token"):
        verify(mint(), response_type="id_token token")


def test_3_3_2_10_c_hash_must_match_and_3_3_2_12_is_required() -> None:
    token = mint(claims(c_hash=oidc.token_hash(CODE, "RS256")))
    assert verify(token, code=CODE, response_type="code id_token")
    with pytest.raises(InvalidHashClaimError, match="c_hash"):
        verify(token, code=CODE + "x")
    with pytest.raises(MissingRequiredClaimError, match='"c_hash"'):
        verify(mint(), code=CODE, response_type="code id_token")
    with pytest.raises(InvalidArgumentError, match="code"):
        verify(mint(), response_type="code id_token")


@pytest.mark.parametrize("response_type", ["code", "token", "code token", "id_token id", "", 1])
def test_response_types_without_a_front_channel_id_token_are_refused(response_type: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="response_type"):
        verify(mint(), response_type=response_type)


# --- §2: the ID token's claims --------------------------------------------------------------------


def test_2_sub_is_required_and_bounded() -> None:
    with pytest.raises(MissingRequiredClaimError, match='"sub"'):
        verify(mint(claims(sub=None)))
    for bad in ("", "x" * 256):
        with pytest.raises(InvalidSubjectError, match="255"):
            verify(mint(claims(sub=bad)))
    with pytest.raises(InvalidSubjectError):
        verify(mint(claims(sub=42)))
    assert verify(mint(claims(sub="x" * 255)))


@pytest.mark.parametrize("typ", ["at+jwt", "application/AT+JWT", "logout+jwt", "dpop+jwt"])
def test_tokens_of_other_profiles_are_refused(typ: str) -> None:
    with pytest.raises(InvalidTokenError, match="not an ID token"):
        verify(mint(typ=typ))


def test_typ_jwt_is_fine() -> None:
    assert verify(mint(typ="JWT"))
    assert verify(mint(typ="id_token+jwt"))


# --- arguments ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"client_id": ""}, "client_id"),
        ({"client_id": 3}, "client_id"),
        ({"issuer": ""}, "issuer"),
        ({"nonce": ""}, "nonce"),
        ({"nonce": b"n"}, "nonce"),
        ({"max_age": -1}, "max_age"),
        ({"max_age": float("inf")}, "max_age"),
        ({"max_age": "1"}, "seconds"),
        ({"max_iat_age": -1}, "max_iat_age"),
        ({"acr_values": [1]}, "acr_values"),
        ({"trusted_audiences": None}, "trusted_audiences"),
        ({"algorithms": 5}, "algorithms"),
        ({"access_token": 5}, "access_token"),
    ],
)
def test_bad_arguments(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        verify(mint(claims(at_hash="x")), **changes)


def test_async_refuses_the_blocking_clients_and_sync_the_async_ones() -> None:
    blocking = jwtlite.PyJWKClient("https://op.example.com/jwks")
    with pytest.raises(InvalidArgumentError, match="blocks the event loop"):
        asyncio.run(oidc.verify_id_token_async(mint(), blocking, issuer=ISSUER, client_id=CLIENT))
    nonblocking = jwtlite.AsyncPyJWKClient("https://op.example.com/jwks")
    with pytest.raises(InvalidArgumentError, match="verify_id_token_async"):
        verify(mint(), nonblocking)


def test_async_with_a_key() -> None:
    payload = asyncio.run(oidc.verify_id_token_async(
        mint(), RSA, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, now=NOW))  # fmt: skip
    assert payload == claims()


# --- hostile input --------------------------------------------------------------------------------

_CLAIM_NAMES = st.sampled_from(
    ["iss", "sub", "aud", "exp", "iat", "nonce", "azp", "at_hash", "c_hash", "auth_time", "acr"]
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_CLAIM_NAMES, json_values, max_size=8), st.booleans())
def test_any_claims_raise_only_jwtlite_errors(changes: dict[str, Any], strict: bool) -> None:
    token = mint(claims(**changes), SECRET, "HS256")
    kwargs: dict[str, Any] = {"access_token": ACCESS_TOKEN, "code": CODE, "max_age": 600}
    if strict:
        kwargs.update(response_type="code id_token token", acr_values=["a"],
                      trusted_audiences=["x"])  # fmt: skip
    with contextlib.suppress(PyJWTError):  # anything else escaping fails the test
        verify(token, SECRET, algorithms=["HS256"], **kwargs)


def test_vectors_readme_names_the_oidc_source() -> None:
    assert "oidc/" in (VECTORS / "README.md").read_text(encoding="utf-8")


# --- mutation testing: whole texts, exact limits, the provider and client paths -------------------


def _refusal(token: Any, key: Any = RSA, **kwargs: Any) -> tuple[type[Exception], str]:
    with pytest.raises(PyJWTError) as info:
        verify(token, key, **kwargs)
    return type(info.value), str(info.value)


def test_the_claim_refusals_say_why() -> None:
    several = [CLIENT, "api.example"]
    cases: list[tuple[str, dict[str, Any], type[Exception], str]] = [
        (mint(claims(aud=several, azp=CLIENT)), {}, InvalidAudienceError,
         ("The ID token is also meant for ['api.example'], which the client does not trust"
         " (OpenID Connect Core §3.1.3.7 step 3; see trusted_audiences)")),
        (mint(claims(aud=several, azp=CLIENT), SECRET, "HS256"),
         {"key": SECRET, "algorithms": ["HS256"], "trusted_audiences": ["api.example"]},
         InvalidAudienceError,
         ("A MAC-signed ID token with several audiences is refused: whose client secret signed"
         " it is unspecified (OpenID Connect Core §3.1.3.7 step 8)")),
        (mint(claims(azp="client-2")), {}, InvalidAuthorizedPartyError,
         ("The ID token was issued to another party: azp is not the client id"
         " (OpenID Connect Core §2)")),
        (mint(claims(aud=several)), {"trusted_audiences": ["api.example"]},
         InvalidAuthorizedPartyError,
         ("An ID token with several audiences must name the party it was issued to in azp"
         " (OpenID Connect Core 1.0 §3.1.3.7 step 4, before errata set 2)")),
        (mint(claims(nonce=None)), {}, InvalidNonceError,
         "The ID token has no nonce, but one was sent"),
        (mint(), {"nonce": None}, InvalidNonceError,
         ("The ID token carries a nonce, but none was given to check it against: pass the nonce"
         " sent in the authentication request")),
        (mint(claims(nonce="other")), {}, InvalidNonceError,
         "The ID token's nonce is not the one that was sent"),
        (mint(claims(auth_time="yesterday")), {}, InvalidAuthTimeError,
         "The auth_time claim must be a number (a NumericDate)"),
        (mint(claims(auth_time=NOW + 1)), {"max_age": 60}, InvalidAuthTimeError,
         "The End-User's authentication (auth_time) is in the future"),
        (mint(claims(auth_time=NOW - 61)), {"max_age": 60}, InvalidAuthTimeError,
         ("The End-User authenticated longer ago than max_age allows: authenticate again"
         " (OpenID Connect Core §3.1.3.7 step 13)")),
        (mint(claims(acr="bronze")), {"acr_values": ["gold"]}, InvalidACRError,
         "The acr bronze is not one of those accepted"),
        (mint(claims(sub="")), {}, InvalidSubjectError,
         "The ID token's sub must be 1 to 255 characters long (OpenID Connect Core §2)"),
        (mint(typ="application/at+jwt"), {}, InvalidTokenError,
         "A token of type application/at+jwt is not an ID token (RFC 8725 §3.11)"),
        (mint(claims(at_hash="x")), {"access_token": ACCESS_TOKEN}, InvalidHashClaimError,
         ("The at_hash claim does not match the access token (OpenID Connect Core §3.2.2.9,"
         " §3.3.2.10): it was not issued with this token")),
        (mint(claims(c_hash="x")), {"code": CODE}, InvalidHashClaimError,
         ("The c_hash claim does not match the authorization code (OpenID Connect Core"
         " §3.2.2.9, §3.3.2.10): it was not issued with this token")),
        (mint(claims(at_hash="x")), {"access_token": "tökén"}, InvalidHashClaimError,
         "The access token is not ASCII, so no ID token hash can match it"),
        (mint(claims(c_hash="x")), {"code": "cöde"}, InvalidHashClaimError,
         "The authorization code is not ASCII, so no ID token hash can match it"),
        (mint(claims(c_hash=7)), {"code": CODE}, InvalidHashClaimError,
         "The c_hash claim must be a string"),
    ]  # fmt: skip
    for token, kwargs, error, message in cases:
        key = kwargs.pop("key", RSA)
        assert _refusal(token, key, **kwargs) == (error, message)
    assert len(cases) == 18


def test_the_argument_refusals_say_why() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"client_id": ""}, "client_id must be a non-empty string"),
        ({"issuer": None}, "issuer is required (or pass a discovered provider)"),
        ({"issuer": ""}, "issuer must be a non-empty string"),
        ({"nonce": 5}, "nonce must be a non-empty string"),
        ({"max_age": -1}, "max_age must be a finite, non-negative number of seconds"),
        ({"max_iat_age": float("inf")},
         "max_iat_age must be a finite, non-negative number of seconds"),
        ({"acr_values": [1]}, "acr_values must be a collection of strings"),
        ({"trusted_audiences": 5}, "trusted_audiences must be a collection of strings"),
        ({"algorithms": [b"RS256"]}, "algorithms must be a collection of strings"),
        ({"access_token": 5}, "access_token must be a string, not int"),
        ({"code": 5.0}, "code must be a string, not float"),
        ({"nonce": None, "response_type": "id_token"},
         "The Implicit and Hybrid flows require a nonce (OpenID Connect Core §3.2.2.11)"),
        ({"response_type": "id_token token"},
         ("response_type id_token token returns an access_token: pass it, so that its hash can"
         " be checked")),
        ({"response_type": "code id_token", "access_token": ACCESS_TOKEN},
         ("response_type code id_token returns a code: pass it, so that its hash can be"
         " checked")),
        ({"response_type": "code"},
         ("response_type must name an ID token from the Authorization Endpoint ('id_token',"
         " 'id_token token', 'code id_token' or 'code id_token token'), not code; leave it out"
         " for an ID token from the Token Endpoint")),
        ({"decryption_key": CLIENT_KEY, "jwe_algorithms": ["RSA-OAEP-256"]},
         ("decryption_key needs jwe_algorithms and jwe_encryptions (the id_token_encrypted_"
         "response_alg and _enc agreed at registration)")),
        ({"decryption_key": CLIENT_KEY, "jwe_encryptions": ["A256GCM"]},
         ("decryption_key needs jwe_algorithms and jwe_encryptions (the id_token_encrypted_"
         "response_alg and _enc agreed at registration)")),
    ]  # fmt: skip
    for kwargs, message in cases:
        assert _refusal(mint(), **kwargs) == (InvalidArgumentError, message)
    assert len(cases) == 17


def test_the_token_hash_refusals_say_why() -> None:
    cases: list[tuple[Any, str, str | None, type[Exception], str]] = [
        ("x", "XS256", None, InvalidArgumentError, "No ID token hash for the algorithm XS256"),
        ("x", "none", None, InvalidArgumentError, "No ID token hash for the algorithm none"),
        ("x", "EdDSA", None, InvalidArgumentError,
         'EdDSA needs the key\'s curve: curve="Ed25519" or "Ed448"'),
        ("x", "EdDSA", "X25519", InvalidArgumentError,
         'EdDSA needs the key\'s curve: curve="Ed25519" or "Ed448"'),
        ("tökén", "RS256", None, InvalidValueError,
         "The value is not ASCII, so no ID token hash can match it"),
        (None, "RS256", None, InvalidArgumentError, "value must be a string, not NoneType"),
        (5, "RS256", None, InvalidArgumentError, "value must be a string, not int"),
    ]  # fmt: skip
    for value, alg, curve, error, message in cases:
        with pytest.raises(error) as info:
            oidc.token_hash(value, alg, curve=curve)
        assert str(info.value) == message
    assert len(cases) == 7


def test_the_encryption_refusals_say_why() -> None:
    assert _refusal(encrypted()) == (
        DecodeError,
        ("The ID token is encrypted: pass decryption_key, jwe_algorithms and jwe_encryptions"
        " (OpenID Connect Core §3.1.3.7 step 1)"),
    )
    assert _refusal(mint(), **JWE_ARGS) == (
        InvalidTokenError,
        "The ID token is not encrypted, though encryption was agreed (decryption_key)",
    )
    assert _refusal(encrypted(sign=False), **JWE_ARGS) == (
        InvalidTokenError, "An encrypted ID token must hold a signed one (a JWS)"
    )


@pytest.mark.parametrize("token", [None, 42, 4.0, ["a.b.c"]])
def test_a_token_of_the_wrong_type_is_a_decode_error(token: Any) -> None:
    with pytest.raises(DecodeError):
        verify(token)


def test_auth_time_limits() -> None:
    # §3.1.3.7 step 13: at most max_age seconds ago, and not in the future (with leeway).
    assert verify(mint(claims(auth_time=NOW)), max_age=60)  # authenticated this very second
    assert verify(mint(claims(auth_time=NOW - 60)), max_age=60)
    assert verify(mint(claims(auth_time=NOW + 5)), max_age=60, leeway=5)
    with pytest.raises(InvalidAuthTimeError, match="future"):
        verify(mint(claims(auth_time=NOW + 6)), max_age=60, leeway=5)
    assert verify(mint(claims(auth_time=NOW - 65)), max_age=60, leeway=5)
    # max_age=0 is a valid request (Core §3.1.2.1: re-authenticate now).
    assert verify(mint(claims(auth_time=NOW)), max_age=0)
    assert verify(mint(claims(auth_time=NOW - 0.5)), max_age=0.5)
    with pytest.raises(InvalidAuthTimeError, match="authenticate again"):
        verify(mint(claims(auth_time=NOW - 1)), max_age=0)
    # a finite float is a NumericDate (RFC 7519 §2); a JSON null is no number
    assert verify(mint(claims(auth_time=NOW - 10.25)), max_age=60)["auth_time"] == NOW - 10.25
    with pytest.raises(InvalidAuthTimeError, match="must be a number"):
        verify(mint({**claims(), "auth_time": None}))


def test_without_now_the_current_time_is_used() -> None:
    import time

    real = int(time.time())
    token = mint(claims(iat=real - 10, exp=real + 300, auth_time=real - 10))
    options = {"issuer": ISSUER, "client_id": CLIENT, "nonce": NONCE}
    assert oidc.verify_id_token(token, RSA, max_age=3600, **options)["auth_time"] == real - 10
    with pytest.raises(InvalidAuthTimeError, match="authenticate again"):
        oidc.verify_id_token(token, RSA, max_age=1, **options)


def _outcome(call: Any) -> tuple[Any, ...]:
    try:
        return ("ok", call())
    except PyJWTError as exc:
        return (type(exc), str(exc))


def _sync_and_async(token: Any, key: Any = RSA, **kwargs: Any) -> tuple[Any, ...]:
    """verify_id_token's outcome, which verify_id_token_async must share exactly."""
    options: dict[str, Any] = {"issuer": ISSUER, "client_id": CLIENT, "nonce": NONCE, "now": NOW}
    options.update(kwargs)
    sync = _outcome(lambda: oidc.verify_id_token(token, key, **options))
    asynchronous = _outcome(lambda: asyncio.run(oidc.verify_id_token_async(token, key, **options)))
    assert asynchronous == sync
    return sync


def test_the_async_verifier_passes_every_argument_on() -> None:
    several = mint(claims(aud=[CLIENT, "api.example"]))
    refused: list[tuple[str, dict[str, Any], type[Exception]]] = [
        (several, {"trusted_audiences": ["api.example"]}, InvalidAuthorizedPartyError),
        (mint(claims(exp=NOW)), {}, ExpiredSignatureError),  # no leeway by default
        (mint(claims(at_hash="x")), {"access_token": ACCESS_TOKEN}, InvalidHashClaimError),
        (mint(claims(c_hash="x")), {"code": CODE}, InvalidHashClaimError),
        (mint(claims(auth_time=NOW - 61)), {"max_age": 60}, InvalidAuthTimeError),
        (mint(), {"access_token": ACCESS_TOKEN, "response_type": "id_token token"},
         MissingRequiredClaimError),
        (mint(), {"acr_values": ["gold"]}, MissingRequiredClaimError),
        (mint(claims(iat=NOW - 61)), {"max_iat_age": 60}, ExpiredSignatureError),
        (mint(), {"decryption_key": CLIENT_KEY}, InvalidArgumentError),
        (mint(key=EC, alg="ES256"), {"key": EC}, InvalidAlgorithmError),
    ]  # fmt: skip
    for token, kwargs, error in refused:
        key = kwargs.pop("key", RSA)
        assert _sync_and_async(token, key, **kwargs)[0] is error
    assert len(refused) == 10
    accepted: list[tuple[str, dict[str, Any]]] = [
        (several, {"trusted_audiences": ["api.example"],
                   "require_azp_with_several_audiences": False}),
        (mint(claims(exp=NOW)), {"leeway": 1}),
        (mint(key=EC, alg="ES256"), {"key": EC, "algorithms": ["ES256"]}),
    ]  # fmt: skip
    for token, kwargs in accepted:
        key = kwargs.pop("key", RSA)
        assert _sync_and_async(token, key, **kwargs)[0] == "ok"


def test_each_verifier_names_the_client_it_refuses() -> None:
    blocking = jwtlite.PyJWKClient("https://op.example.com/jwks")
    with pytest.raises(InvalidArgumentError) as info:
        asyncio.run(oidc.verify_id_token_async(mint(), blocking, issuer=ISSUER, client_id=CLIENT))
    assert str(info.value) == (
        "PyJWKClient blocks the event loop: use its asyncio counterpart (AsyncOpenIDProvider,"
        " AsyncPyJWKClient) or verify_id_token"
    )
    nonblocking = jwtlite.AsyncPyJWKClient("https://op.example.com/jwks")
    with pytest.raises(InvalidArgumentError) as info:
        verify(mint(), nonblocking)
    assert str(info.value) == "AsyncPyJWKClient is for asyncio code: use verify_id_token_async"


#: The provider's keys: an RSA and an EC key, each with its kid.
JWKS: dict[str, Any] = {"keys": [key_to_jwk(RSA, kid="rsa", include_private=False),
                                 key_to_jwk(EC, kid="ec", include_private=False)]}  # fmt: skip


class _Keys(jwtlite.PyJWKClient):
    """A JWKS client whose fetches answer from ``sets`` in turn (the last one repeats)."""

    def __init__(self, *sets: dict[str, Any]) -> None:
        super().__init__(f"{ISSUER}/jwks")
        self.sets = list(sets)
        self.fetches = 0

    def fetch_data(self) -> Any:
        self.fetches += 1
        return self.sets[min(self.fetches, len(self.sets)) - 1]


class _Provider(oidc.OpenIDProvider):
    """A provider whose discovery document and keys need no network."""

    def __init__(self, algs: tuple[str, ...] = (), keys: _Keys | None = None) -> None:
        super().__init__(ISSUER)
        self.metadata = oidc.ProviderMetadata(ISSUER, f"{ISSUER}/jwks", algs, {})
        self.keys = keys or _Keys(JWKS)

    def get_metadata(self, refresh: bool = False) -> oidc.ProviderMetadata:
        return self.metadata

    def get_jwks_client(self) -> jwtlite.PyJWKClient:
        return self.keys


def _fetcher(algs: list[str] | None, *sets: dict[str, Any]) -> Any:
    """An async transport answering the discovery document and, in turn, the key ``sets``."""
    document: dict[str, Any] = {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/jwks"}
    if algs is not None:
        document["id_token_signing_alg_values_supported"] = algs
    answers = {"jwks": list(sets or (JWKS,))}

    async def fetch(uri: str, headers: Any, timeout: float) -> bytes:
        if uri.endswith("/jwks"):
            queue = answers["jwks"]
            return json.dumps(queue.pop(0) if len(queue) > 1 else queue[0]).encode()
        return json.dumps(document).encode()

    return fetch


def _async_provider(algs: list[str] | None, *sets: dict[str, Any]) -> oidc.AsyncOpenIDProvider:
    return oidc.AsyncOpenIDProvider(ISSUER, fetch=_fetcher(algs, *sets))


def _with_provider(token: Any, algs: list[str] | None, **kwargs: Any) -> tuple[Any, ...]:
    """The outcome through a (sync) OpenIDProvider, which the async one must share."""
    options: dict[str, Any] = {"client_id": CLIENT, "nonce": NONCE, "now": NOW, **kwargs}
    provider = _Provider(tuple(algs or ()))
    sync = _outcome(lambda: oidc.verify_id_token(token, provider, **options))
    asynchronous = _outcome(lambda: asyncio.run(
        oidc.verify_id_token_async(token, _async_provider(algs), **options)))  # fmt: skip
    assert asynchronous == sync
    return sync


def test_a_provider_gives_the_issuer() -> None:
    token = mint(kid="rsa")
    assert _with_provider(token, None) == ("ok", claims())
    assert _with_provider(token, None, issuer=ISSUER) == ("ok", claims())
    assert _with_provider(token, None, issuer="https://other.example") == (
        InvalidArgumentError,
        "issuer https://other.example is not the provider's issuer https://op.example.com",
    )
    wrong = mint(claims(iss="https://other.example"), kid="rsa")
    assert _with_provider(wrong, None)[0] is InvalidIssuerError


def test_a_provider_gives_its_algorithms_but_never_none_or_a_mac() -> None:
    published = ["none", "HS256", "XX999", "ES256"]
    assert _with_provider(mint(key=EC, alg="ES256", kid="ec"), published)[0] == "ok"
    assert _with_provider(mint(kid="rsa"), published)[0] is InvalidAlgorithmError
    # A MAC is refused by its alg before any key is tried (the provider's keys are public).
    mac = _with_provider(mint(key=SECRET, alg="HS256"), published)
    assert mac[0] is InvalidAlgorithmError
    # "none" is dropped from the list, so it is refused as by algorithms=["ES256"].
    unsigned = b64url_encode(b'{"alg":"none"}') + "." + b64url_encode(
        json.dumps(claims()).encode()) + "."  # fmt: skip
    alone = _outcome(lambda: verify(unsigned, PyJWKSet.from_dict(JWKS), algorithms=["ES256"]))
    assert _with_provider(unsigned, published) == alone
    # Nothing usable published: RS256, the default.
    assert _with_provider(mint(kid="rsa"), ["HS256"])[0] == "ok"
    assert _with_provider(mint(key=EC, alg="ES256", kid="ec"), [])[0] is InvalidAlgorithmError
    # The caller's list wins over the provider's.
    assert _with_provider(mint(kid="rsa"), published, algorithms=["RS256"])[0] == "ok"


def test_clients_choose_the_key_by_kid_or_give_the_whole_set() -> None:
    for token in (mint(kid="rsa"), mint()):  # with a kid, and without: the one RSA key
        assert _outcome(lambda: verify(token, _Keys(JWKS))) == ("ok", claims())  # noqa: B023
        assert _with_provider(token, None) == ("ok", claims())
        client = jwtlite.AsyncPyJWKClient(f"{ISSUER}/jwks", fetch=_fetcher(None))
        payload = asyncio.run(oidc.verify_id_token_async(
            token, client, issuer=ISSUER, client_id=CLIENT, nonce=NONCE, now=NOW))  # fmt: skip
        assert payload == claims()


def test_a_rotated_key_is_found_by_its_kid() -> None:
    # A kid the cached set lacks makes the client fetch the set again (the provider rotated
    # its keys): the whole cached set would not hold it.
    rotated = {"keys": [key_to_jwk(OTHER_RSA, kid="new", include_private=False)]}
    keys = _Keys(JWKS, rotated)
    assert verify(mint(kid="rsa"), keys) == claims()
    assert verify(mint(key=OTHER_RSA, kid="new"), keys) == claims()
    assert keys.fetches == 2
    provider = _async_provider(None, JWKS, rotated)

    async def both() -> None:
        for token in (mint(kid="rsa"), mint(key=OTHER_RSA, kid="new")):
            assert await oidc.verify_id_token_async(
                token, provider, client_id=CLIENT, nonce=NONCE, now=NOW) == claims()  # fmt: skip

    asyncio.run(both())
