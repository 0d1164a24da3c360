"""Only jwtlite's exceptions leave the public API, whatever a caller passes (hypothesis).

Each entry point below is called with one argument replaced by a hostile value (a wrong type,
NaN, an integer no float can hold, a lone surrogate, ...) and every other argument valid. It
may succeed or raise a :class:`~jwtlite.exceptions.PyJWTError` (``InvalidArgumentError`` is
one, and a ``TypeError`` as PyJWT's callers expect); any other exception fails the test, and so
does a call slower than half a second or one that allocates more than 32 MiB
(``tests/_sweep_support.py``: tracemalloc's peak per call, and an address-space limit per call
that turns a runaway allocation into a ``MemoryError`` instead of a process killed for
memory). The hostile *token* contents are swept in
``tests/test_properties.py``, ``tests/test_jwe_hostile.py`` and at the bottom of this file.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import _sweep_support
import pytest
from _sweep_support import ADDRESS_SPACE_BOUNDED, address_space_bound, call_quietly, sizelike
from conftest import key_pem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property.strategies import HOSTILE_FIXED, hostile_values, json_hostile

import jwtlite
from jwtlite import access_token, b64url, bearer, claims, dpop, jwe, jws, keys, oidc, tokens, x5c
from jwtlite.b64url import b64url_encode
from jwtlite.jwks_client import PyJWKClient
from jwtlite.jwks_client_async import AsyncPyJWKClient
from jwtlite.revocation import MemoryStore, SQLiteStore

SECRET = "a-32-byte-long-secret-for-hs256!"
NOW = 1_700_000_000
_CLAIMS = {"sub": "u", "iss": "https://as", "aud": "api", "exp": NOW + 60, "iat": NOW, "jti": "1"}
TOKEN = jwtlite.encode(_CLAIMS, SECRET)
AT_TOKEN = jwtlite.encode({**_CLAIMS, "client_id": "c"}, SECRET, headers={"typ": "at+jwt"})
JWE_TOKEN = jwtlite.encrypt_jwt(_CLAIMS, bytes(32), alg="dir", enc="A256GCM")
NESTED = jwtlite.encrypt_jwt(
    _CLAIMS, bytes(32), alg="dir", enc="A256GCM", sign_key=SECRET, sign_algorithm="HS256"
)
EC_KEY = keys.load_key(key_pem("ec_p256.pem"))
JWE_JSON = json.loads(jwe.encrypt_json(b"x", [(bytes(32), "dir")], enc="A256GCM", flattened=True))
PROOF = dpop.make_proof(EC_KEY, "GET", "https://api/x", access_token="tok", iat=NOW)


def _decode(**kw: Any) -> object:
    return jwtlite.decode(TOKEN, SECRET, **{"algorithms": ["HS256"], "audience": "api", **kw})


def _decrypt_jwt(**kw: Any) -> object:
    given = {"algorithms": ["dir"], "encryptions": ["A256GCM"], "verify_key": SECRET,
             "verify_algorithms": ["HS256"], "audience": "api", **kw}  # fmt: skip
    return jwtlite.decrypt_jwt(NESTED, bytes(32), **given)


def _id_token(**kw: Any) -> object:
    given = {"client_id": "api", "issuer": "https://as", "algorithms": ["HS256"], "now": NOW}
    return oidc.verify_id_token(TOKEN, SECRET, **{**given, **kw})


def _jwe_decrypt(token: str = JWE_TOKEN, key: Any = bytes(32), **kw: Any) -> object:
    alg, enc = ("dir", "A256GCM") if token is JWE_TOKEN else ("PBES2-HS256+A128KW", "A128GCM")
    return jwe.decrypt(token, key, algorithms=[alg], encryptions=[enc], **kw)


PBES2_TOKEN = jwe.encrypt(b"x", "pw", alg="PBES2-HS256+A128KW", enc="A128GCM")


def _access(**kw: Any) -> object:
    given = {"issuer": "https://as", "audience": "api", "algorithms": ["HS256"], "now": NOW, **kw}
    return access_token.verify_access_token(AT_TOKEN, SECRET, **given)


def _proof(**kw: Any) -> object:
    given = {"htm": "GET", "htu": "https://api/x", "store": None, "access_token": "tok",
             "now": NOW, **kw}  # fmt: skip
    return dpop.verify_proof(PROOF, **given)


def _service(**kw: Any) -> tokens.TokenService:
    given = {"issuer": "i", "audience": "a", "clock": lambda: NOW, **kw}
    return tokens.TokenService(SECRET, "HS256", **given)


ISSUED = _service().issue("s").access_token
#: A JWS with an unencoded, detached payload (RFC 7797): decode takes the payload beside it.
DETACHED = jwtlite.PyJWS().encode(b"p", SECRET, headers={"b64": False}, is_payload_detached=True)
_HS256 = jwtlite.get_algorithm_by_name("HS256")
_ES256 = jwtlite.get_algorithm_by_name("ES256")


def _in_sqlite(use: Callable[[SQLiteStore], object], **kw: Any) -> object:
    """``use`` an in-memory SQLiteStore, closed after: an unclosed connection collected later
    is a ResourceWarning (Python 3.13), an error under filterwarnings=error in another test."""
    with SQLiteStore(":memory:", **kw) as store:
        return use(store)


CALLS: dict[str, Callable[[Any], object]] = {
    # jwtlite / api
    "decode(jwt)": lambda v: jwtlite.decode(v, SECRET, algorithms=["HS256"]),
    "decode(key)": lambda v: jwtlite.decode(TOKEN, v, algorithms=["HS256"]),
    "decode(algorithms)": lambda v: _decode(algorithms=v),
    "decode(options)": lambda v: _decode(options=v),
    "decode(options.require)": lambda v: _decode(options={"require": v}),
    "decode(options.max_token_size)": lambda v: _decode(options={"max_token_size": v}),
    "decode(audience)": lambda v: _decode(audience=v),
    "decode(issuer)": lambda v: _decode(issuer=v),
    "decode(subject)": lambda v: _decode(subject=v),
    "decode(leeway)": lambda v: _decode(leeway=v),
    "decode(max_age)": lambda v: _decode(max_age=v),
    "decode(now)": lambda v: _decode(now=v),
    "decode(typ)": lambda v: _decode(typ=v),
    "decode(detached_payload)": lambda v: _decode(detached_payload=v),
    "decode(detached_payload, b64 false)": lambda v: jwtlite.decode(
        DETACHED, SECRET, algorithms=["HS256"], detached_payload=v
    ),
    "PyJWS.decode_complete(detached_payload)": lambda v: jwtlite.PyJWS().decode_complete(
        DETACHED, SECRET, algorithms=["HS256"], detached_payload=v
    ),
    "get_unverified_header": jwtlite.get_unverified_header,
    "encode(payload)": lambda v: jwtlite.encode(v, SECRET),
    "encode(key)": lambda v: jwtlite.encode({}, v),
    "encode(algorithm)": lambda v: jwtlite.encode({}, SECRET, algorithm=v),
    "encode(headers)": lambda v: jwtlite.encode({}, SECRET, headers=v),
    "encode(headers.kid)": lambda v: jwtlite.encode({}, SECRET, headers={"kid": v}),
    "encode(claims.exp)": lambda v: jwtlite.encode({"exp": v}, SECRET),
    "encode(json_encoder)": lambda v: jwtlite.encode({}, SECRET, json_encoder=v),
    "encode(sort_headers)": lambda v: jwtlite.encode({}, SECRET, sort_headers=v),
    "PyJWS(algorithms)": lambda v: jwtlite.PyJWS(algorithms=v),
    "PyJWS(options)": lambda v: jwtlite.PyJWS(options=v),
    "PyJWT(options)": lambda v: jwtlite.PyJWT(options=v),
    "PyJWT(jws)": lambda v: jwtlite.PyJWT(jws=v),
    "PyJWS.register_algorithm": lambda v: jwtlite.PyJWS().register_algorithm(v, v),
    "PyJWS.unregister_algorithm": lambda v: jwtlite.PyJWS().unregister_algorithm(v),
    "get_algorithm_by_name": jwtlite.get_algorithm_by_name,
    "generate_key(alg)": jwtlite.generate_key,
    "generate_key(HS256, size)": lambda v: jwtlite.generate_key("HS256", size=v),
    "load_key": jwtlite.load_key,
    "load_key(password)": lambda v: jwtlite.load_key(key_pem("ec_p256.pem"), password=v),
    "PyJWK": jwtlite.PyJWK,
    "PyJWKSet": jwtlite.PyJWKSet,
    "PyJWKClient(lifespan)": lambda v: PyJWKClient("https://x/jwks", lifespan=v),
    "PyJWKClient(headers)": lambda v: PyJWKClient("https://x/jwks", headers=v),
    "PyJWKClient(max_response_bytes)": lambda v: PyJWKClient(
        "https://x/jwks", max_response_bytes=v
    ),
    "AsyncPyJWKClient(max_response_bytes)": lambda v: AsyncPyJWKClient(
        "https://x/jwks", max_response_bytes=v
    ),
    "oidc.OpenIDProvider(max_response_bytes)": lambda v: oidc.OpenIDProvider(
        "https://as", max_response_bytes=v
    ),
    "oidc.AsyncOpenIDProvider(max_response_bytes)": lambda v: oidc.AsyncOpenIDProvider(
        "https://as", max_response_bytes=v
    ),
    # JWE
    "encrypt_jwt(claims)": lambda v: jwtlite.encrypt_jwt(v, bytes(32), alg="dir", enc="A256GCM"),
    "encrypt_jwt(headers)": lambda v: jwtlite.encrypt_jwt(
        {}, bytes(32), alg="dir", enc="A256GCM", headers=v
    ),
    "encrypt_jwt(sign_headers)": lambda v: jwtlite.encrypt_jwt(
        {}, bytes(32), alg="dir", enc="A256GCM", sign_key=SECRET, sign_algorithm="HS256",
        sign_headers=v,
    ),
    "decrypt_jwt(token)": lambda v: jwtlite.decrypt_jwt(
        v, bytes(32), algorithms=["dir"], encryptions=["A256GCM"]
    ),
    "decrypt_jwt(verify_algorithms)": lambda v: _decrypt_jwt(verify_algorithms=v),
    "decrypt_jwt(now)": lambda v: _decrypt_jwt(now=v),
    "decrypt_jwt(typ)": lambda v: _decrypt_jwt(typ=v),
    "decrypt_jwt(options)": lambda v: _decrypt_jwt(options=v),
    "jwe.decrypt(key)": lambda v: jwe.decrypt(
        JWE_TOKEN, v, algorithms=["dir"], encryptions=["A256GCM"]
    ),
    "jwe.encrypt(plaintext)": lambda v: jwe.encrypt(v, bytes(32), alg="dir", enc="A256GCM"),
    "jwe.encrypt_json(plaintext)": lambda v: jwe.encrypt_json(
        v, [(bytes(32), "dir")], enc="A256GCM"
    ),
    "jwe.encrypt_json(aad)": lambda v: jwe.encrypt_json(
        b"x", [(bytes(32), "dir")], enc="A256GCM", aad=v
    ),
    "jwe.encrypt(alg)": lambda v: jwe.encrypt(b"x", bytes(32), alg=v, enc="A256GCM"),
    "jwe.encrypt(enc)": lambda v: jwe.encrypt(b"x", bytes(32), alg="dir", enc=v),
    "jwe.encrypt(zip)": lambda v: jwe.encrypt(b"x", bytes(32), alg="dir", enc="A256GCM", zip=v),
    "jwe.encrypt(headers.enc)": lambda v: jwe.encrypt(
        b"x", bytes(32), alg="dir", enc="A256GCM", headers={"enc": v}
    ),
    "jwe.decrypt(algorithms)": lambda v: jwe.decrypt(
        JWE_TOKEN, bytes(32), algorithms=["dir", v], encryptions=["A256GCM"]
    ),
    "jwe.decrypt(JSON zip)": lambda v: jwe.decrypt(
        {**JWE_JSON, "unprotected": {"zip": v}}, bytes(32), algorithms=["dir"],
        encryptions=["A256GCM"],
    ),
    "jwe.decrypt(JSON header.use of a JWK)": lambda v: jwe.decrypt(
        JWE_TOKEN, {"kty": "oct", "k": b64url_encode(bytes(32)), "use": v},
        algorithms=["dir"], encryptions=["A256GCM"],
    ),
    "jwk.thumbprint(hash_name)": lambda v: jwtlite.jwk.thumbprint(EC_KEY, v),
    "jwk.resolve_key(operation)": lambda v: jwtlite.jwk.resolve_key(
        {"kty": "oct", "k": "AAAA"}, alg="HS256", kid=None, operation=v
    ),
    "dpop.DPoPKey(algorithm)": lambda v: dpop.DPoPKey(EC_KEY, algorithm=v),
    # the limits a caller sets: sizes and counts, each checked before it bounds anything
    "jwe.decrypt(max_token_size)": lambda v: _jwe_decrypt(max_token_size=v),
    "jwe.decrypt(max_header_size)": lambda v: _jwe_decrypt(max_header_size=v),
    "jwe.decrypt(max_recipients)": lambda v: _jwe_decrypt(max_recipients=v),
    "jwe.decrypt(max_decompressed_size)": lambda v: _jwe_decrypt(max_decompressed_size=v),
    "jwe.decrypt(max_p2c)": lambda v: _jwe_decrypt(PBES2_TOKEN, "pw", max_p2c=v),
    "jwe.encrypt(headers.p2c)": lambda v: jwe.encrypt(
        b"x", "pw", alg="PBES2-HS256+A128KW", enc="A128GCM", headers={"p2c": v}
    ),
    "jwe.encrypt(PBES2 password)": lambda v: jwe.encrypt(
        b"x", v, alg="PBES2-HS256+A128KW", enc="A128GCM"
    ),
    # algorithm objects (PyJWT's methods: hmac, hashlib and cryptography raise TypeError)
    "Algorithm[HS256].sign(msg)": lambda v: _HS256.sign(v, SECRET),
    "Algorithm[HS256].verify(sig)": lambda v: _HS256.verify(b"m", SECRET, v),
    "Algorithm[HS256].to_jwk": _HS256.to_jwk,
    "Algorithm[HS256].compute_hash_digest": _HS256.compute_hash_digest,
    "Algorithm[ES256].sign(msg)": lambda v: _ES256.sign(v, EC_KEY),
    "Algorithm[ES256].verify(msg)": lambda v: _ES256.verify(v, EC_KEY, bytes(64)),
    "Algorithm[ES256].verify(sig)": lambda v: _ES256.verify(b"m", EC_KEY, v),
    "PyJWKSet[kid]": lambda v: jwtlite.PyJWKSet([{"kty": "oct", "k": "AAAA", "kid": "k"}])[v],
    # jws
    "jws.typ_matches": lambda v: jws.typ_matches("JWT", v),
    "jws.decode_json": lambda v: jws.decode_json(v, SECRET, algorithms=["HS256"]),
    # jwk / keys
    "jwk.thumbprint": jwtlite.jwk.thumbprint,
    "jwk.key_to_jwk": jwtlite.jwk.key_to_jwk,
    "keys.is_public_key_material": keys.is_public_key_material,
    # claims
    "claims.validate(payload)": lambda v: claims.validate(v, {}, now=NOW),
    "claims.validate(options)": lambda v: claims.validate({}, v, now=NOW),
    "claims.validate(now)": lambda v: claims.validate({"exp": 1}, {}, now=v),
    "claims.timestamp": claims.timestamp,
    "claims.seconds": claims.seconds,
    "claims.utc_seconds": claims.utc_seconds,
    "claims.encode_time_claims": claims.encode_time_claims,
    "claims.claims_json": claims.claims_json,
    "claims.check_string_claims": claims.check_string_claims,
    # b64url
    "b64url_encode": b64url.b64url_encode,
    "b64url_decode": b64url.b64url_decode,
    "b64url_decode_segments": b64url.b64url_decode_segments,
    "uint_to_b64(value)": b64url.uint_to_b64,
    "uint_to_b64(length)": lambda v: b64url.uint_to_b64(5, v),
    "b64_to_uint": b64url.b64_to_uint,
    # bearer
    "parse_authorization_header": bearer.parse_authorization_header,
    "parse_authorization_header(scheme)": lambda v: bearer.parse_authorization_header(
        "Bearer abc", scheme=v
    ),
    "authorization_scheme": bearer.authorization_scheme,
    "bearer.www_authenticate(error)": lambda v: bearer.www_authenticate(error=v),
    "bearer.www_authenticate(realm)": lambda v: bearer.www_authenticate(realm=v),
    # OpenID Connect
    "verify_id_token(token)": lambda v: oidc.verify_id_token(
        v, SECRET, client_id="api", issuer="https://as", algorithms=["HS256"], now=NOW
    ),
    "verify_id_token(nonce)": lambda v: _id_token(nonce=v),
    "verify_id_token(now)": lambda v: _id_token(now=v),
    "verify_id_token(algorithms)": lambda v: _id_token(algorithms=v),
    "verify_id_token(max_age)": lambda v: _id_token(max_age=v),
    "verify_id_token(leeway)": lambda v: _id_token(leeway=v),
    "verify_id_token(access_token)": lambda v: _id_token(access_token=v),
    "oidc.well_known_uri": oidc.well_known_uri,
    "oidc.token_hash": lambda v: oidc.token_hash(v, "RS256"),
    # RFC 9068 access tokens
    "verify_access_token(now)": lambda v: _access(now=v),
    "verify_access_token(leeway)": lambda v: _access(leeway=v),
    "verify_access_token(algorithms)": lambda v: _access(algorithms=v),
    "verify_access_token(required_scopes)": lambda v: _access(required_scopes=v),
    "access_token.scopes": access_token.scopes,
    "access_token.authorization_values": lambda v: access_token.authorization_values(v, "roles"),
    "access_token.authorization_values(name)": lambda v: access_token.authorization_values(
        {"roles": ["a"]}, v
    ),
    # DPoP
    "dpop.verify_proof(proof)": lambda v: dpop.verify_proof(
        v, htm="GET", htu="https://api/x", store=None
    ),
    "dpop.verify_proof(now)": lambda v: _proof(now=v),
    "dpop.verify_proof(max_age)": lambda v: _proof(max_age=v),
    "dpop.verify_proof(leeway)": lambda v: _proof(leeway=v),
    "dpop.verify_proof(algorithms)": lambda v: _proof(algorithms=v),
    "dpop.verify_proof(store)": lambda v: _proof(store=v),
    "dpop.verify_proof(htu)": lambda v: _proof(htu=v),
    "dpop.single_proof": dpop.single_proof,
    "dpop.bound_jkt": dpop.bound_jkt,
    "dpop.check_binding": lambda v: dpop.check_binding(v, "x"),
    "dpop.make_proof(key)": lambda v: dpop.make_proof(v, "GET", "https://x/"),
    "dpop.make_proof(iat)": lambda v: dpop.make_proof(EC_KEY, "GET", "https://x/", iat=v),
    "dpop.DPoPPolicy(algorithms)": lambda v: dpop.DPoPPolicy(algorithms=v),
    "dpop.DPoPPolicy(max_age)": lambda v: dpop.DPoPPolicy(max_age=v),
    "dpop.NonceIssuer(secret)": lambda v: dpop.NonceIssuer(secret=v),
    "dpop.NonceIssuer(interval)": lambda v: dpop.NonceIssuer(interval=v),
    "dpop.NonceIssuer.issue(now)": lambda v: dpop.NonceIssuer().issue(now=v),
    "dpop.NonceIssuer.check(now)": lambda v: dpop.NonceIssuer().check("x", now=v),
    # tokens and revocation
    "TokenService(clock)": lambda v: _service(clock=v),
    "TokenService(leeway)": lambda v: _service(leeway=v).verify_access(ISSUED),
    "TokenService(refresh_reuse_interval)": lambda v: _service(refresh_reuse_interval=v),
    "TokenService.verify_access": lambda v: _service().verify_access(v),
    "TokenService.refresh": lambda v: _service().refresh(v),
    "TokenService.revoke_subject": lambda v: _service().revoke_subject(v),
    "MemoryStore(clock)": lambda v: MemoryStore(clock=v),
    "MemoryStore.revoke(jti)": lambda v: MemoryStore().revoke(v, NOW),
    "MemoryStore.is_revoked": lambda v: MemoryStore().is_revoked(v),
    "MemoryStore.revoke_subject": lambda v: MemoryStore().revoke_subject(v, NOW, NOW),
    "MemoryStore.spend(successor)": lambda v: MemoryStore().spend(
        "j", NOW, successor=v, reuse_until=NOW
    ),
    # (SQLiteStore(path) is left to tests/test_revocation_sqlite.py: a str path would make a file.)
    "SQLiteStore.revoke(jti)": lambda v: _in_sqlite(lambda store: store.revoke(v, NOW)),
    "MemoryStore(purge_every)": lambda v: MemoryStore(purge_every=v),
    "MemoryStore(purge_batch)": lambda v: MemoryStore(purge_batch=v),
    "SQLiteStore(purge_batch)": lambda v: _in_sqlite(lambda store: None, purge_batch=v),
    "PyJWKClient(max_cached_keys)": lambda v: PyJWKClient(
        "https://x/jwks", cache_keys=True, max_cached_keys=v
    ),
    "AsyncPyJWKClient(max_cached_keys)": lambda v: AsyncPyJWKClient(
        "https://x/jwks", cache_keys=True, max_cached_keys=v
    ),
    # x5c (cryptography's X.509 verification; without it, MissingCryptographyError)
    "x5c.verify_chain(header)": lambda v: x5c.verify_chain(v, []),
    "x5c.verify_chain(header.x5c)": lambda v: x5c.verify_chain({"x5c": v}, []),
    "x5c.verify_chain(header.x5c member)": lambda v: x5c.verify_chain({"x5c": [v]}, []),
    "x5c.verify_chain(trust)": lambda v: x5c.verify_chain({"x5c": ["MAA"]}, v),
    "x5c.verify_chain(now)": lambda v: x5c.verify_chain({"x5c": ["MAA"]}, [], now=v),
    "x5c.decode(token)": lambda v: x5c.decode(v, [], algorithms=["ES256"]),
    "x5c.decode(now)": lambda v: x5c.decode(TOKEN, [], algorithms=["HS256"], now=v),
}  # fmt: skip


def _call_quietly(name: str, value: Any, *, trace: bool = True) -> None:
    call_quietly(CALLS[name], value, name, trace=trace)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")
@pytest.mark.parametrize("name", sorted(CALLS))
def test_fixed_hostile_values_raise_only_jwtlite_errors(name: str) -> None:
    ran = 0
    for value in HOSTILE_FIXED:
        _call_quietly(name, value, trace=sizelike(value))
        ran += 1
    assert ran == len(HOSTILE_FIXED)


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CALLS)), value=hostile_values)
def test_any_hostile_value_raises_only_jwtlite_errors(name: str, value: Any) -> None:
    _call_quietly(name, value, trace=sizelike(value))


# --- hostile values inside signed tokens: the sender chose them ---------------------------------


def _hs256(claim_set: dict[str, Any], header: dict[str, Any] | None = None) -> str:
    """A token signed with SECRET whose JSON holds what ``json.dumps`` writes for any value
    (a lone surrogate as a ``\\ud800`` escape, a huge integer in full)."""
    segments = [
        b64url_encode(json.dumps(part).encode())
        for part in ({"alg": "HS256", **(header or {})}, claim_set)
    ]
    signing_input = ".".join(segments).encode()
    signature = hmac.new(SECRET.encode(), signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode()}.{b64url_encode(signature)}"


def _signed_proof(claim_set: dict[str, Any]) -> str:
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": dpop.DPoPKey(EC_KEY).public_jwk}
    segments = [b64url_encode(json.dumps(part).encode()) for part in (header, claim_set)]
    signing_input = ".".join(segments).encode()
    signature = jwtlite.get_algorithm_by_name("ES256").sign(signing_input, EC_KEY)
    return f"{signing_input.decode()}.{b64url_encode(signature)}"


_ID_CLAIMS = {**_CLAIMS, "aud": "rp", "nonce": "n", "at_hash": "x", "auth_time": NOW, "azp": "rp"}
_PROOF_CLAIMS = {"jti": "j", "htm": "GET", "htu": "https://api/x", "iat": NOW}


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from([*sorted(_ID_CLAIMS), "acr", "amr", "sid"]), value=json_hostile)
def test_hostile_id_token_claims_raise_only_jwtlite_errors(name: str, value: Any) -> None:
    call_quietly(
        lambda token: oidc.verify_id_token(
            token, SECRET, client_id="rp", issuer="https://as", nonce="n", access_token="t",
            max_age=100, algorithms=["HS256"], now=NOW,
        ),
        _hs256({**_ID_CLAIMS, name: value}), f"verify_id_token({name})", trace=sizelike(value),
    )  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from([*sorted(_PROOF_CLAIMS), "ath", "nonce"]), value=json_hostile)
def test_hostile_dpop_proof_claims_raise_only_jwtlite_errors(name: str, value: Any) -> None:
    call_quietly(
        lambda proof: dpop.verify_proof(
            proof, htm="GET", htu="https://api/x", store=MemoryStore(), access_token="tok",
            nonce="n", now=NOW,
        ),
        _signed_proof({**_PROOF_CLAIMS, name: value}), f"dpop.verify_proof({name})",
        trace=sizelike(value),
    )  # fmt: skip


def test_timedelta_arguments_of_any_size_raise_only_jwtlite_errors() -> None:
    # timedelta.max is 86 400 000 000 000 seconds: a float holds it, datetime arithmetic not.
    for value in (timedelta.max, timedelta.min, timedelta(0)):
        for name in ("decode(leeway)", "decode(max_age)", "verify_id_token(max_age)",
                     "verify_access_token(leeway)", "TokenService(leeway)"):  # fmt: skip
            _call_quietly(name, value)


# --- the bounds can fail: a call that allocates what the caller asked for -------------------------


def _old_long_to_bytes(blocksize: int) -> bytes:
    """python-jose's ``long_to_bytes(5, blocksize)`` as the jose face had it before its cap."""
    return (5).to_bytes(blocksize, "big")


def test_a_call_that_allocates_tens_of_megabytes_fails_the_sweep() -> None:
    with pytest.raises(AssertionError, match=r"allocated 64\.0 MiB"):
        call_quietly(_old_long_to_bytes, 64 << 20, "long_to_bytes(blocksize)")


@pytest.mark.skipif(not ADDRESS_SPACE_BOUNDED, reason="no RLIMIT_AS or /proc/self/statm")
def test_a_runaway_allocation_fails_the_sweep_instead_of_the_machine() -> None:
    # 8 GiB, filled: before the address-space bound, this got a CI row killed for memory.
    with pytest.raises(AssertionError, match="MemoryError"):
        call_quietly(_old_long_to_bytes, 2**33, "long_to_bytes(blocksize)", trace=False)


@pytest.mark.skipif(not ADDRESS_SPACE_BOUNDED, reason="no RLIMIT_AS or /proc/self/statm")
def test_a_memory_error_behind_a_jwtlite_error_fails_the_sweep() -> None:
    def translated(size: int) -> bytes:
        try:
            return bytes(size)
        except MemoryError as exc:
            raise jwtlite.exceptions.InvalidValueError("too large") from exc

    with pytest.raises(AssertionError, match="MemoryError behind"):
        call_quietly(translated, 2**40, "translated", trace=False)


@pytest.mark.skipif(not ADDRESS_SPACE_BOUNDED, reason="no RLIMIT_AS or /proc/self/statm")
def test_the_address_space_limit_is_restored_after_each_call() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    with address_space_bound():
        assert resource.getrlimit(resource.RLIMIT_AS) != before
        with pytest.raises(MemoryError):
            bytes(2**40)  # zero pages, never touched: harmless where the limit did not hold
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    call_quietly(len, b"x", "len")
    assert resource.getrlimit(resource.RLIMIT_AS) == before


# --- the time bound can fail, and counts computing, not the machine's load -----------------------


def _spin(seconds: float) -> None:
    """Compute (not wait) for ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_a_call_that_computes_too_long_fails_the_sweep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sweep_support, "SLOW", 0.05)
    with pytest.raises(AssertionError, match=r"spin with float took 0\.\d\d s"):
        call_quietly(_spin, 0.1, "spin", trace=False)


def test_a_wait_counts_only_past_the_wall_clock_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    # A call that waits (here: sleeps) 0.2 s uses almost no CPU: within the bound at a
    # slack of 10 (0.02 s), a finding at a slack of 2 (0.1 s), as a hang would be.
    monkeypatch.setattr(_sweep_support, "SLOW", 0.05)
    call_quietly(time.sleep, 0.2, "sleep", trace=False)
    monkeypatch.setattr(_sweep_support, "WALL_SLACK", 2)
    with pytest.raises(AssertionError, match=r"sleep with float took 0\.1\d s"):
        call_quietly(time.sleep, 0.2, "sleep", trace=False)
