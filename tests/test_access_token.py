"""RFC 9068 access tokens as a resource server checks them: one refusal per MUST of §4 (and
the REQUIRED claims of §2.2), keys from a JWKS served on loopback, the scope helpers."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import KEYS
from hypothesis import given
from hypothesis import strategies as st
from test_jwks_client import Clock, Server, _serve

import jwtlite
from jwtlite import jwe
from jwtlite.access_token import (
    MAX_LEEWAY,
    REQUIRED_CLAIMS,
    AccessTokenVerifier,
    authorization_values,
    require_scopes,
    scopes,
    verify_access_token,
    verify_access_token_async,
)
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InsufficientScopeError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    JWEDecryptionError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    UnusableKeyError,
)
from jwtlite.jwk import key_to_jwk
from jwtlite.jwks_client import PyJWKClient
from jwtlite.jwks_client_async import AsyncPyJWKClient
from jwtlite.keys import dump_pem, load_key

AS = "https://as.example"
RS = "https://api.example"
NOW = 1_700_000_000
AS_KEY = load_key((KEYS / "rsa2048.pem").read_bytes())
AS_PUBLIC = AS_KEY.public_key()
OTHER_KEY = load_key((KEYS / "rsa2048_b.pem").read_bytes())
EC_KEY = load_key((KEYS / "ec_p256.pem").read_bytes())
SECRET = "a-32-byte-long-secret-for-hs256!"


def _claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": AS, "exp": NOW + 600, "aud": RS, "sub": "alice", "client_id": "app",
        "iat": NOW - 10, "jti": "at-1", "scope": "read write",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _token(claims: dict[str, Any] | None = None, *, key: Any = AS_KEY, alg: str = "RS256",
           **header: Any) -> str:
    """A token signed as given; the header and claims go in as they are (no encode checks)."""
    fields = {"typ": "at+jwt", "kid": "as-1", **header, "alg": alg}
    fields = {name: value for name, value in fields.items() if value is not None}
    signing_input = ".".join(
        b64url_encode(json.dumps(part).encode()) for part in (fields, claims or _claims())
    )
    algorithm = jwtlite.get_algorithm_by_name(alg)
    signature = algorithm.sign(signing_input.encode(), algorithm.prepare_key(key))
    return signing_input + "." + b64url_encode(signature)


def _verify(token: str, key: Any = AS_PUBLIC, **kwargs: Any) -> dict[str, Any]:
    options: dict[str, Any] = {"issuer": AS, "audience": RS, "algorithms": ["RS256"],
                               "now": NOW, **kwargs}
    return verify_access_token(token, key, **options)


def test_a_conforming_token_verifies() -> None:
    claims = _verify(_token())
    assert claims == _claims()


# --- §4 step 1: typ ------------------------------------------------------------------------


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT", "Application/At+Jwt"])
def test_both_spellings_of_the_type_are_accepted(typ: str) -> None:
    # RFC 7515 §4.1.9: media types are case-insensitive and "application/" may be left out.
    assert _verify(_token(typ=typ))["sub"] == "alice"


BAD_TYPES = [None, "JWT", "jwt", "application/jwt", "rt+jwt", "dpop+jwt", "at+jwt+x",
             "application/at+jwt; charset=utf-8", "at+JWT ", 1, ["at+jwt"]]


@pytest.mark.parametrize("typ", BAD_TYPES)
def test_any_other_type_is_refused(typ: Any) -> None:
    """§4 step 1: MUST verify that typ is at+jwt or application/at+jwt and reject any other."""
    with pytest.raises(InvalidTokenError, match="typ"):
        _verify(_token(typ=typ))


def test_an_id_token_is_not_an_access_token() -> None:
    # §5: an OpenID Connect ID token from the same AS, same key, aud = the RS, is refused.
    id_token = _token(_claims(nonce="n", auth_time=NOW - 20), typ="JWT")
    with pytest.raises(InvalidTokenError, match="typ"):
        _verify(id_token)


# --- §4 step 2: encrypted tokens (SHOULD) ----------------------------------------------------


def test_an_encrypted_token_is_refused_as_malformed() -> None:
    header = b64url_encode(json.dumps({"alg": "RSA-OAEP", "enc": "A128GCM",
                                       "typ": "at+jwt"}).encode())
    jwe = ".".join([header, "a", "b", "c", "d"])
    with pytest.raises(DecodeError):
        _verify(jwe)


ENC_KEY = load_key((KEYS / "rsa3072.pem").read_bytes())  # the resource server's
DECRYPTING = {"decryption_key": ENC_KEY, "decryption_algorithms": ["RSA-OAEP-256"],
              "encryptions": ["A256GCM"]}


def _encrypted(inner: str | bytes, *, alg: str = "RSA-OAEP-256", enc: str = "A256GCM",
               key: Any = None, **header: Any) -> str:
    fields = {"cty": "JWT", **header}
    fields = {name: value for name, value in fields.items() if value is not None}
    recipient = ENC_KEY.public_key() if key is None else key
    return jwe.encrypt(inner, recipient, alg=alg, enc=enc, headers=fields)


def _decrypting_verifier(key: Any = AS_PUBLIC, **changes: Any) -> AccessTokenVerifier:
    options: dict[str, Any] = {"issuer": AS, "audience": RS, "algorithms": ["RS256"],
                               "clock": lambda: NOW, **DECRYPTING, **changes}
    return AccessTokenVerifier(key, **options)


def test_an_encrypted_access_token_is_decrypted_then_verified() -> None:
    """§4 step 2: decrypt with the keys and algorithms the RS registered, then check it all."""
    assert _decrypting_verifier().verify(_encrypted(_token())) == _claims()
    assert _decrypting_verifier().verify_with_key(_encrypted(_token()), AS_PUBLIC)["jti"]
    # Every check still applies to the JWT inside: here §4 step 1.
    with pytest.raises(InvalidTokenError, match="typ"):
        _decrypting_verifier().verify(_encrypted(_token(typ="JWT")))
    with pytest.raises(InvalidSignatureError):
        _decrypting_verifier().verify(_encrypted(_token(key=OTHER_KEY)))


def test_an_unencrypted_token_is_refused_once_encryption_was_agreed() -> None:
    """§4 step 2: a token that is not encrypted SHOULD then be rejected."""
    with pytest.raises(DecodeError):
        _decrypting_verifier().verify(_token())


def test_an_encrypted_token_must_hold_a_signed_jwt() -> None:
    # RFC 9068 §2.1: access tokens MUST be signed; a JWE of bare claims is anyone's to make
    # who has the RS's public key.
    bare = json.dumps(_claims()).encode()
    for token in (_encrypted(bare, cty=None), _encrypted(_token(), cty=None),
                  _encrypted(_token(), cty="json")):
        with pytest.raises(InvalidTokenError, match="cty"):
            _decrypting_verifier().verify(token)
    with pytest.raises(DecodeError):
        _decrypting_verifier().verify(_encrypted("caf\u00e9".encode()))


def test_an_encrypted_token_outside_the_registration_is_refused() -> None:
    other = load_key((KEYS / "rsa2048.pem").read_bytes()).public_key()
    with pytest.raises(JWEDecryptionError):
        _decrypting_verifier().verify(_encrypted(_token(), key=other))
    with pytest.raises(InvalidAlgorithmError):
        _decrypting_verifier().verify(_encrypted(_token(), enc="A128GCM"))
    with pytest.raises(InvalidAlgorithmError):
        _decrypting_verifier().verify(_encrypted(_token(), alg="RSA-OAEP"))


def test_decryption_needs_its_allow_lists() -> None:
    for changes in ({"decryption_algorithms": None}, {"encryptions": []},
                    {"decryption_key": None}):
        with pytest.raises(InvalidArgumentError, match=r"decryption|encryptions"):
            _decrypting_verifier(**changes)


# --- §4 step 3: iss ------------------------------------------------------------------------


@pytest.mark.parametrize("iss", [
    "https://as.example/", "https://AS.example", "https://as.example.evil", "as.example",
    "https://evil.example", "", ["https://as.example"], 7,
])
def test_the_issuer_must_match_exactly(iss: Any) -> None:
    """§4 step 3: the issuer identifier MUST exactly match the iss claim."""
    with pytest.raises(InvalidIssuerError):
        _verify(_token(_claims(iss=iss)))


def test_the_issuer_is_one_string() -> None:
    for issuer in ("", None, [AS], ("a", "b")):
        with pytest.raises(InvalidArgumentError, match="issuer"):
            _verify(_token(), issuer=issuer)


# --- §4 step 4: aud ------------------------------------------------------------------------


@pytest.mark.parametrize("aud", [
    "https://other.example", [], ["https://other.example"], "https://api.example/",
    ["https://api.example/x", "https://other.example"], {"aud": RS}, 1,
])
def test_the_audience_must_name_this_resource_server(aud: Any) -> None:
    """§4 step 4: MUST reject a token whose aud does not contain this RS's identifier."""
    with pytest.raises((InvalidAudienceError, MissingRequiredClaimError)):
        _verify(_token(_claims(aud=aud)))


def test_an_audience_list_that_names_us_is_accepted() -> None:
    assert _verify(_token(_claims(aud=["https://other.example", RS])))["sub"] == "alice"
    assert _verify(_token(), audience=["https://old.example", RS])["sub"] == "alice"


@pytest.mark.parametrize("audience", ["", [], [""], [1], None, 5])
def test_the_expected_audience_must_be_given(audience: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="audience"):
        _verify(_token(), audience=audience)


# --- §4 step 5: signature, alg, the AS's keys -------------------------------------------------


def test_a_tampered_token_is_refused() -> None:
    header, _payload, signature = _token().split(".")
    forged = b64url_encode(json.dumps(_claims(sub="admin")).encode())
    with pytest.raises(InvalidSignatureError):
        _verify(".".join([header, forged, signature]))


def test_a_token_signed_by_another_key_is_refused() -> None:
    """§4 step 5: MUST use the keys provided by the AS (same kid, another key)."""
    with pytest.raises(InvalidSignatureError):
        _verify(_token(key=OTHER_KEY))


def test_a_key_carried_in_the_header_is_never_used() -> None:
    # The attacker signs with their own key and ships its public half in the header (jwk),
    # or points at it (jku, x5u): the AS's key is the only one tried.
    jwk = key_to_jwk(OTHER_KEY.public_key(), include_private=False)
    for extra in ({"jwk": jwk}, {"jku": "https://evil.example/jwks"},
                  {"x5u": "https://evil.example/cert"}):
        with pytest.raises(InvalidSignatureError):
            _verify(_token(key=OTHER_KEY, **extra))


def test_alg_none_is_refused() -> None:
    """§4 step 5: MUST reject any JWT in which alg is none."""
    header = b64url_encode(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    body = b64url_encode(json.dumps(_claims()).encode())
    unsigned = f"{header}.{body}."
    with pytest.raises(InvalidAlgorithmError):
        _verify(unsigned)
    for algorithms in (["none"], ["RS256", "NONE"]):
        with pytest.raises(InvalidArgumentError, match="none"):
            _verify(unsigned, algorithms=algorithms)


def test_an_alg_the_caller_did_not_list_is_refused() -> None:
    with pytest.raises(InvalidAlgorithmError):
        _verify(_token(key=EC_KEY, alg="ES256"), key=EC_KEY.public_key())


def test_the_as_public_key_is_never_an_hmac_secret() -> None:
    # The classic forgery: HS256 "signed" with the AS's public key, as PEM text.
    public_pem = dump_pem(AS_PUBLIC)
    header = b64url_encode(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode())
    body = b64url_encode(json.dumps(_claims(sub="admin")).encode())
    mac = hmac.new(public_pem.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{body}.{b64url_encode(mac)}"
    with pytest.raises(InvalidArgumentError, match="mix"):
        _verify(forged, key=public_pem, algorithms=["RS256", "HS256"])
    with pytest.raises(InvalidKeyError):
        _verify(forged, key=public_pem, algorithms=["HS256"])
    with pytest.raises(InvalidAlgorithmError):
        _verify(forged, key=public_pem)


def test_a_shared_secret_works_only_with_hmac() -> None:
    token = _token(key=SECRET, alg="HS256")
    assert _verify(token, key=SECRET, algorithms=["HS256"])["sub"] == "alice"
    with pytest.raises(InvalidAlgorithmError):
        _verify(token, key=SECRET, algorithms=["RS256"])


@pytest.mark.parametrize("algorithms", ["RS256", [], None, [1], ("RS256", None)])
def test_algorithms_must_be_a_list_of_names(algorithms: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="algorithms"):
        _verify(_token(), algorithms=algorithms)


def test_a_key_is_required() -> None:
    with pytest.raises(InvalidArgumentError, match="key"):
        _verify(_token(), key=None)


# --- §4 step 6: exp ------------------------------------------------------------------------


def test_an_expired_token_is_refused() -> None:
    """§4 step 6: the current time MUST be before exp."""
    with pytest.raises(ExpiredSignatureError):
        _verify(_token(), now=NOW + 600)
    assert _verify(_token(), now=NOW + 599)["sub"] == "alice"


def test_a_small_leeway_is_allowed_and_a_large_one_refused() -> None:
    assert _verify(_token(), now=NOW + 650, leeway=60)["sub"] == "alice"
    with pytest.raises(ExpiredSignatureError):
        _verify(_token(), now=NOW + 600 + MAX_LEEWAY, leeway=MAX_LEEWAY)
    for leeway in (MAX_LEEWAY + 1, -1, float("inf"), float("nan")):
        with pytest.raises(InvalidArgumentError, match=r"leeway|NaN"):
            _verify(_token(), leeway=leeway)
    # A falsy leeway of a wrong type is refused like any other, not read as "no leeway".
    for wrong in (None, False, ""):
        with pytest.raises(InvalidArgumentError, match=r"^expected seconds as a number"):
            _verify(_token(), leeway=wrong)


def test_a_token_issued_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidTokenError):
        _verify(_token(_claims(iat=NOW + 60)))


# --- §2.2: the REQUIRED claims -------------------------------------------------------------


def test_every_required_claim_is_required() -> None:
    ran = 0
    for name in REQUIRED_CLAIMS:
        with pytest.raises(MissingRequiredClaimError) as caught:
            _verify(_token(_claims(**{name: None})))
        assert caught.value.claim == name
        ran += 1
    assert ran == 7


@pytest.mark.parametrize(("name", "value"), [
    ("client_id", 7), ("client_id", ""), ("client_id", ["app"]), ("sub", 7), ("jti", 1),
    ("iat", "yesterday"), ("exp", "tomorrow"), ("auth_time", "now"), ("auth_time", True),
    ("acr", 2), ("amr", "pwd"), ("amr", [1]), ("scope", ["read"]), ("scope", 'a"b'),
])
def test_claims_of_the_wrong_type_are_refused(name: str, value: Any) -> None:
    with pytest.raises(InvalidTokenError):
        _verify(_token(_claims(**{name: value})))


def test_optional_claims_of_the_right_type_pass() -> None:
    claims = _claims(auth_time=NOW - 100, acr="urn:mace:incommon:iap:silver", amr=["pwd", "otp"],
                     roles=["admin"], groups=[{"value": "staff", "display": "Staff"}])
    assert _verify(_token(claims)) == claims


# --- keys from the AS's JWKS, served on loopback -------------------------------------------


@pytest.fixture
def jwks() -> Iterator[tuple[Server, str]]:
    state = Server()
    state.jwks(key_to_jwk(AS_PUBLIC, kid="as-1", include_private=False))
    with _serve(state) as base:
        yield state, base + "/jwks"


def test_keys_come_from_the_jwks(jwks: tuple[Server, str]) -> None:
    state, url = jwks
    verifier = AccessTokenVerifier(PyJWKClient(url, clock=Clock()), issuer=AS, audience=RS,
                                   algorithms=["RS256"], clock=lambda: NOW)
    assert verifier.verify(_token())["sub"] == "alice"
    assert verifier.verify(_token(), required_scopes=["read"])["sub"] == "alice"
    assert state.count == 1
    with pytest.raises(InvalidSignatureError):
        verifier.verify(_token(key=OTHER_KEY))


def test_a_token_without_kid_is_matched_by_alg(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    assert _verify(_token(kid=None), key=PyJWKClient(url, clock=Clock()))["sub"] == "alice"


def test_a_kid_the_as_does_not_publish_is_the_tokens_fault(jwks: tuple[Server, str]) -> None:
    state, url = jwks
    client = PyJWKClient(url, clock=Clock())
    with pytest.raises(UnusableKeyError, match="signing key"):
        _verify(_token(kid="nope"), key=client)
    with pytest.raises(InvalidTokenError, match="Key ID"):
        _verify(_token(kid=7), key=client)
    assert state.count == 2  # the first fetch, and the one refetch an unknown kid allows


def test_a_rotated_key_is_fetched(jwks: tuple[Server, str]) -> None:
    state, url = jwks
    client = PyJWKClient(url, clock=Clock())
    assert _verify(_token(), key=client)["sub"] == "alice"
    state.jwks(key_to_jwk(AS_PUBLIC, kid="as-1", include_private=False),
               key_to_jwk(OTHER_KEY.public_key(), kid="as-2", include_private=False))
    assert _verify(_token(key=OTHER_KEY, kid="as-2"), key=client)["sub"] == "alice"
    assert state.count == 2


def test_an_unreachable_jwks_is_not_the_tokens_fault(jwks: tuple[Server, str]) -> None:
    state, url = jwks
    state.status = 500
    with pytest.raises(PyJWKClientConnectionError):
        _verify(_token(), key=PyJWKClient(url, clock=Clock()))
    state.status = 200
    state.body = b"not json"
    with pytest.raises(PyJWKClientError) as caught:
        _verify(_token(), key=PyJWKClient(url, clock=Clock()))
    assert not isinstance(caught.value, InvalidTokenError)


def test_an_encrypted_token_finds_its_key_by_the_inner_kid(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    verifier = _decrypting_verifier(PyJWKClient(url, clock=Clock()))
    assert verifier.verify(_encrypted(_token(), kid="rs-enc-1"))["sub"] == "alice"
    with pytest.raises(UnusableKeyError):
        verifier.verify(_encrypted(_token(kid="nope")))

    async def scenario() -> str:
        client = AsyncPyJWKClient(url, clock=Clock())
        claims = await _decrypting_verifier(client).verify_async(_encrypted(_token()))
        return str(claims["sub"])

    assert asyncio.run(scenario()) == "alice"


def test_hmac_with_a_jwks_is_refused(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    with pytest.raises(InvalidArgumentError, match="JWKS"):
        _verify(_token(), key=PyJWKClient(url), algorithms=["HS256"])


def test_from_jwks_uri_insists_on_https() -> None:
    with pytest.raises(PyJWKClientError, match="https"):
        AccessTokenVerifier.from_jwks_uri("http://as.example/jwks", issuer=AS, audience=RS,
                                          algorithms=["RS256"])
    with pytest.raises(InvalidArgumentError, match="https"):
        AccessTokenVerifier.from_jwks_uri("http://as.example/jwks", issuer=AS, audience=RS,
                                          algorithms=["RS256"], require_https=False)
    verifier = AccessTokenVerifier.from_jwks_uri(
        "https://as.example/jwks", issuer=AS, audience=RS, algorithms=["RS256"], timeout=5
    )
    assert isinstance(verifier.key, PyJWKClient)
    assert "as.example" in repr(verifier)


def test_the_async_path_awaits_the_async_client(jwks: tuple[Server, str]) -> None:
    state, url = jwks

    async def scenario() -> list[Any]:
        client = AsyncPyJWKClient(url, clock=Clock())
        options: dict[str, Any] = {"issuer": AS, "audience": RS, "algorithms": ["RS256"],
                                   "now": NOW}
        good = await verify_access_token_async(_token(), client, **options)
        no_kid = await verify_access_token_async(_token(kid=None), client, **options)
        with pytest.raises(UnusableKeyError):
            await verify_access_token_async(_token(kid="nope"), client, **options)
        shared = await verify_access_token_async(
            _token(key=SECRET, alg="HS256"), SECRET, **{**options, "algorithms": ["HS256"]}
        )
        return [good["sub"], no_kid["sub"], shared["sub"]]

    assert asyncio.run(scenario()) == ["alice"] * 3
    assert state.count == 2


def test_each_client_kind_has_its_own_entry_point(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    with pytest.raises(InvalidArgumentError, match="async"):
        _verify(_token(), key=AsyncPyJWKClient(url))
    with pytest.raises(InvalidArgumentError, match="thread"):
        asyncio.run(verify_access_token_async(
            _token(), PyJWKClient(url), issuer=AS, audience=RS, algorithms=["RS256"], now=NOW
        ))


# --- scopes and authorization claims (§2.2.3) -----------------------------------------------


def test_scopes_are_space_delimited() -> None:
    assert scopes({"scope": "read  write admin:all"}) == {"read", "write", "admin:all"}
    assert scopes({}) == frozenset()
    for bad in (["read"], 7, "caf\u00e9", 'a"b', "a\\b", "a\tb"):
        with pytest.raises(InvalidTokenError, match="scope"):
            scopes({"scope": bad})


def test_require_scopes() -> None:
    bad: Any
    require_scopes({"scope": "read write"}, "read", "write")
    require_scopes({})  # nothing needed
    with pytest.raises(InsufficientScopeError) as caught:
        require_scopes({"scope": "read"}, "read", "write")
    assert caught.value.scope == "read write"
    assert isinstance(caught.value, InvalidTokenError)
    with pytest.raises(InsufficientScopeError):
        require_scopes({}, "read")
    for bad in ("", "two words", 'q"', 7):
        with pytest.raises(InvalidArgumentError):
            require_scopes({"scope": "read"}, bad)


def test_required_scopes_at_verification() -> None:
    assert _verify(_token(), required_scopes=["write"])["sub"] == "alice"
    with pytest.raises(InsufficientScopeError):
        _verify(_token(), required_scopes=["admin"])


def test_authorization_values() -> None:
    claims = {"roles": ["admin", {"value": "auditor"}], "groups": "staff"}
    assert authorization_values(claims, "roles") == {"admin", "auditor"}
    assert authorization_values(claims, "groups") == {"staff"}
    assert authorization_values(claims, "entitlements") == frozenset()
    for bad in ({"roles": 7}, {"roles": [7]}, {"roles": [{"display": "x"}]}):
        with pytest.raises(InvalidTokenError, match="roles"):
            authorization_values(bad, "roles")
    with pytest.raises(InvalidArgumentError):
        authorization_values(claims, "scope")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                  max_size=4),
    max_leaves=10,
)


@given(JSON_VALUES)
def test_the_claim_readers_raise_only_jwtlite_errors(value: Any) -> None:
    for read in (scopes, lambda c: authorization_values(c, "roles")):
        try:
            result = read({"scope": value, "roles": value})
        except InvalidTokenError:
            continue
        assert isinstance(result, frozenset)
        assert all(isinstance(item, str) for item in result)


@given(st.one_of(st.text(max_size=200), st.binary(max_size=200), JSON_VALUES))
def test_hostile_tokens_raise_only_jwtlite_errors(token: Any) -> None:
    with pytest.raises(InvalidTokenError):
        _verify(token)


@given(JSON_VALUES, JSON_VALUES)
def test_hostile_headers_and_claims_raise_only_jwtlite_errors(header: Any, claim: Any) -> None:
    # Signed by the AS's own key, so every check past the signature sees the hostile values.
    fields = {"typ": header, "kid": header} if not isinstance(header, dict) else header
    token = _token(_claims(client_id=claim, amr=claim, scope=claim, aud=claim),
                   **{name: value for name, value in fields.items() if name != "alg"})
    with contextlib.suppress(InvalidTokenError):
        _verify(token)


def test_a_kid_unknown_while_the_jwks_is_down(jwks: tuple[Server, str]) -> None:
    state, url = jwks
    # With the set cached, the client serves it while the endpoint is down (stale-if-error):
    # a kid it lacks is then unknown, the token's fault as far as anyone can tell.
    client = PyJWKClient(url, clock=Clock())
    assert _verify(_token(), key=client)["sub"] == "alice"
    state.status = 500
    with pytest.raises(UnusableKeyError):
        _verify(_token(kid="as-9"), key=client)


def test_a_connection_error_for_the_kid_passes_through(jwks: tuple[Server, str]) -> None:
    # The set was there a moment ago, and the fetch for the kid failed with nothing stale to
    # serve (the stale limit ran out in between): not the token's fault (503).
    _state, url = jwks

    class Flaky(PyJWKClient):
        def get_signing_key(self, kid: str) -> Any:
            raise PyJWKClientConnectionError("down")

    class AsyncFlaky(AsyncPyJWKClient):
        async def get_signing_key(self, kid: str) -> Any:
            raise PyJWKClientConnectionError("down")

    with pytest.raises(PyJWKClientConnectionError):
        _verify(_token(), key=Flaky(url, clock=Clock()))
    with pytest.raises(PyJWKClientConnectionError):
        asyncio.run(verify_access_token_async(
            _token(), AsyncFlaky(url, clock=Clock()), issuer=AS, audience=RS,
            algorithms=["RS256"], now=NOW,
        ))


# --- mutation testing (docs/architecture.md): defaults, arguments passed on, whole texts ------


def _refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises((InvalidArgumentError, InvalidTokenError)) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def test_the_default_leeway_is_none_at_all(jwks: tuple[Server, str]) -> None:
    _state, url = jwks
    # exp is NOW + 600: from that moment on the token is expired, without a second's grace.
    verifier = AccessTokenVerifier(AS_PUBLIC, issuer=AS, audience=RS, algorithms=["RS256"])
    assert verifier.leeway == 0.0
    with pytest.raises(ExpiredSignatureError):
        verifier.verify(_token(), now=NOW + 600)
    assert AccessTokenVerifier.from_jwks_uri(
        "https://as.example/jwks", issuer=AS, audience=RS, algorithms=["RS256"]
    ).leeway == 0.0
    with pytest.raises(ExpiredSignatureError):
        asyncio.run(verify_access_token_async(
            _token(), AsyncPyJWKClient(url, clock=Clock()), issuer=AS, audience=RS,
            algorithms=["RS256"], now=NOW + 600,
        ))


def test_from_jwks_uri_keeps_the_clock_and_the_leeway() -> None:
    verifier = AccessTokenVerifier.from_jwks_uri(
        "https://as.example/jwks", issuer=AS, audience=RS, algorithms=["RS256"], leeway=5,
        clock=lambda: NOW + 603,
    )
    assert verifier.verify_with_key(_token(), AS_PUBLIC)["sub"] == "alice"


def test_the_moment_given_wins_over_the_clock() -> None:
    expired = lambda: NOW + 10_000.0  # noqa: E731
    verifier = AccessTokenVerifier(AS_PUBLIC, issuer=AS, audience=RS, algorithms=["RS256"],
                                   clock=expired)
    assert verifier.verify(_token(), now=NOW)["sub"] == "alice"
    assert verifier.verify_with_key(_token(), AS_PUBLIC, now=NOW)["sub"] == "alice"
    with pytest.raises(ExpiredSignatureError):
        verifier.verify(_token())
    # With neither a clock nor a moment, the time is the system's.
    fresh = _token(_claims(exp=2**40))
    assert verify_access_token(fresh, AS_PUBLIC, issuer=AS, audience=RS,
                               algorithms=["RS256"])["sub"] == "alice"


def test_the_async_function_passes_leeway_and_scopes(jwks: tuple[Server, str]) -> None:
    _state, url = jwks

    async def scenario() -> None:
        options: dict[str, Any] = {"issuer": AS, "audience": RS, "algorithms": ["RS256"]}
        client = AsyncPyJWKClient(url, clock=Clock())
        claims = await verify_access_token_async(_token(), client, now=NOW + 603, leeway=5,
                                                 **options)
        assert claims["sub"] == "alice"
        with pytest.raises(InsufficientScopeError):
            await verify_access_token_async(_token(), client, now=NOW,
                                            required_scopes=["admin"], **options)
        # The async path names a kid the AS lacks as the sync one does.
        with pytest.raises(UnusableKeyError) as caught:
            await verify_access_token_async(_token(kid="nope"), client, now=NOW, **options)
        with pytest.raises(UnusableKeyError) as sync:
            _verify(_token(kid="nope"), key=PyJWKClient(url, clock=Clock()))
        assert str(caught.value) == str(sync.value)
        assert "nope" in str(caught.value)

    asyncio.run(scenario())


def test_required_scopes_are_a_list_of_scope_tokens() -> None:
    listed = 'scopes must be a list of scope tokens, such as ["read"]'
    token = "each required scope must be an RFC 6749 §3.3 scope-token"
    for needed, message in [("read", listed), (5, listed), ({"read": 1}, listed),
                            (["two words"], token), ([""], token)]:
        assert _refused(_verify, _token(), required_scopes=needed) == message


def test_verifier_arguments_whole_texts() -> None:
    pyjwk = PyJWKClient("https://as.example/jwks")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"key": None}, "key is required: the authorization server's keys"),
        ({"issuer": ""}, "issuer must be a non-empty string (RFC 9068 §4)"),
        ({"audience": ""}, "audience must be a non-empty string (RFC 9068 §4)"),
        ({"audience": 5}, "audience must be a string or strings"),
        ({"audience": [""]}, "audience must be a string or non-empty strings"),
        ({"algorithms": "RS256"}, 'algorithms must be a non-empty list, such as ["RS256"]'),
        ({"algorithms": [1]}, "algorithms must be strings"),
        ({"algorithms": ["none"]}, '"none" is never accepted for an access token (RFC 9068 §4)'),
        ({"algorithms": ["RS256", "HS256"]},
         "algorithms must not mix HMAC with public-key algorithms"),
        ({"key": pyjwk, "algorithms": ["HS256"]},
         "a JWKS holds public keys: HMAC algorithms cannot use it"),
        ({"decryption_algorithms": ["RSA-OAEP-256"]},
         "decryption_algorithms and encryptions need decryption_key"),
        ({"encryptions": ["A256GCM"]}, "decryption_algorithms and encryptions need decryption_key"),
        ({"decryption_key": ENC_KEY, "encryptions": ["A256GCM"]},
         ("decryption_key needs decryption_algorithms and encryptions (the JWE alg and enc"
          " allow-lists)")),
    ]
    for changes, message in cases:
        options: dict[str, Any] = {"key": AS_PUBLIC, "issuer": AS, "audience": RS,
                                   "algorithms": ["RS256"], **changes}
        assert _refused(AccessTokenVerifier, options.pop("key"), **options) == message
    assert len(cases) == 13
    assert _refused(AccessTokenVerifier.from_jwks_uri, "http://as.example/jwks", issuer=AS,
                    audience=RS, algorithms=["RS256"], require_https=False) == (
        "from_jwks_uri requires https://; pass a PyJWKClient as key to do otherwise"
    )


def test_each_client_kind_whole_texts() -> None:
    verifier = AccessTokenVerifier(AsyncPyJWKClient("https://as.example/jwks"), issuer=AS,
                                   audience=RS, algorithms=["RS256"])
    assert _refused(verifier.verify, _token()) == (
        "an AsyncPyJWKClient needs verify_access_token_async"
    )
    blocking = AccessTokenVerifier(PyJWKClient("https://as.example/jwks"), issuer=AS,
                                   audience=RS, algorithms=["RS256"])
    assert _refused(asyncio.run, blocking.verify_async(_token())) == (
        "a PyJWKClient blocks: use verify() in a thread"
    )


def test_token_refusals_whole_texts() -> None:
    cases: list[tuple[str, str]] = [
        (_token(typ="at+JWT "), "The token \"typ\" header is not 'at+jwt' (RFC 9068 §4)"),
        (_token(_claims(client_id="")),
         "the client_id claim must be a non-empty string (RFC 9068 §2.2)"),
        (_token(_claims(auth_time=True)), "the auth_time claim must be a number (RFC 9068 §2.2.1)"),
        (_token(_claims(acr=2)), "the acr claim must be a string (RFC 9068 §2.2.1)"),
        (_token(_claims(amr=[1])), "the amr claim must be a list of strings (RFC 9068 §2.2.1)"),
        (_token(_claims(scope=["read"])),
         "the scope claim must be a space-delimited string (RFC 8693 §4.2)"),
    ]
    for token, message in cases:
        assert _refused(_verify, token) == message
    assert len(cases) == 6
    encrypted = [
        (_encrypted(_token(), cty=None),
         "an encrypted access token must hold a signed JWT, cty JWT (RFC 9068 §2.1)"),
        (_encrypted("caf\u00e9".encode()),
         "the encrypted access token does not hold a compact JWS"),
    ]
    for token, message in encrypted:
        assert _refused(_decrypting_verifier().verify, token) == message


def test_claim_readers_whole_texts() -> None:
    assert _refused(scopes, []) == "claims must be a dict, not list"
    assert _refused(authorization_values, {}, "scope") == (
        "name must be one of groups, roles, entitlements"
    )
