"""Only jwtlite's exceptions leave the two compatibility faces, whatever a caller passes.

tests/test_only_our_errors.py sweeps jwtlite's own API; this file sweeps ``jwtlite.jose``
(python-jose's API, ``import jose`` after ``install_as_jose``) and ``jwtlite.pyjwt`` (PyJWT's,
``import jwt``) the same way. Each entry point is called with one argument replaced by a
hostile value (a wrong type, NaN, an integer no float holds, a lone surrogate, bytes that are
not UTF-8, ...) and every other argument valid. It may succeed or raise a
:class:`~jwtlite.exceptions.PyJWTError` (the faces' classes all derive from it; the few that
are also a builtin, such as ``InvalidArgumentError``, keep the suites of python-jose and PyJWT
passing); any other exception fails the test, and so does a call slower than half a second
or one that allocates more than 32 MiB (``tests/_sweep_support.py``: tracemalloc's peak per
call, and an address-space limit per call that turns a runaway allocation into a
``MemoryError`` instead of a process killed for memory).
Below the arguments: hostile tokens (garbage, bad base64url, deep JSON, hostile header and
claim values under a valid signature) and hostile JWK members.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from _sweep_support import call_quietly, sizelike
from conftest import key_pem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property.strategies import HOSTILE_FIXED, hostile_values, json_hostile, token_like

from jwtlite import jwk as native_jwk
from jwtlite import keys
from jwtlite import pyjwt as pj
from jwtlite.b64url import b64url_encode
from jwtlite.jose import jwe, jws, jwt, utils
from jwtlite.jose import jwk as jose_jwk
from jwtlite.jose.backends import _asn1, ecdsa_backend, native, rsa_backend
from jwtlite.jose.backends.base import Key
from jwtlite.pyjwt import algorithms as pj_algorithms
from jwtlite.pyjwt import api_jwk, api_jws, jwk_set_cache
from jwtlite.pyjwt import utils as pj_utils

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")

SECRET = "a-32-byte-long-secret-for-hs256!"
NOW = 1_700_000_000
RSA_PEM = key_pem("rsa2048.pem")
EC_PEM = key_pem("ec_p256.pem")
ED_PEM = key_pem("ed25519.pem")
RSA_PUB = keys.dump_pem(keys.load_key(RSA_PEM).public_key()).encode()
RSA_JWK = native_jwk.key_to_jwk(keys.load_key(RSA_PEM))
EC_JWK = native_jwk.key_to_jwk(keys.load_key(EC_PEM))
OKP_JWK = native_jwk.key_to_jwk(keys.load_key(ED_PEM))
OCT_JWK = {"kty": "oct", "k": b64url_encode(SECRET.encode())}
_CLAIMS = {"sub": "u", "iss": "https://as", "aud": "api", "exp": NOW + 10**6, "iat": NOW}
JOSE_TOKEN = jwt.encode(_CLAIMS, SECRET)
PJ_TOKEN = pj.encode(_CLAIMS, SECRET)
#: An unencoded, detached payload (RFC 7797): decode takes the payload beside the token.
PJ_DETACHED = api_jws.encode(b"p", SECRET, headers={"b64": False}, is_payload_detached=True)
JWE_TOKEN = jwe.encrypt(b"x", bytes(32), "A256GCM", "dir")


def _jose_decode(**kw: Any) -> object:
    given = {"algorithms": ["HS256"], "audience": "api", "issuer": "https://as", **kw}
    return jwt.decode(JOSE_TOKEN, SECRET, **given)


def _pj_decode(**kw: Any) -> object:
    return pj.decode(PJ_TOKEN, SECRET, **{"algorithms": ["HS256"], "audience": "api", **kw})


def _jwe_encrypt(**kw: Any) -> object:
    return jwe.encrypt(**{"plaintext": b"x", "key": bytes(32), "encryption": "A256GCM",
                          "algorithm": "dir", **kw})  # fmt: skip


class _StubClient(pj.PyJWKClient):
    """A JWKS client that never fetches: its set is one HMAC JWK with kid "k"."""

    def fetch_data(self) -> Any:
        return {"keys": [{**OCT_JWK, "kid": "k"}]}


# --- the key classes of jose.backends: each method, each argument -------------------------

#: (class, valid key, algorithm) for every key class of every backend module; the
#: cryptography_backend's only where cryptography is installed (CI's pure rows have none).
_KEY_CLASSES: list[tuple[Any, Any, str]] = [
    (native.HMACKey, SECRET, "HS256"),
    (rsa_backend.RSAKey, RSA_PEM, "RS256"),
    (ecdsa_backend.ECDSAECKey, EC_PEM, "ES256"),
    (native.AESKey, bytes(16), "A128CBC"),
    (native.AESKey, bytes(16), "A128KW"),
    (rsa_backend.RSAKey, RSA_PEM, "RSA1_5"),
    (jose_jwk.DIRKey, bytes(32), "dir"),
]
try:
    from jwtlite.jose.backends import cryptography_backend
except ImportError:  # pragma: no cover - the rows without cryptography
    pass
else:
    _KEY_CLASSES += [
        (cryptography_backend.CryptographyHMACKey, SECRET, "HS256"),
        (cryptography_backend.CryptographyRSAKey, RSA_PEM, "RS256"),
        (cryptography_backend.CryptographyECKey, EC_PEM, "ES256"),
        (cryptography_backend.CryptographyAESKey, bytes(16), "A128GCM"),
        (cryptography_backend.CryptographyRSAKey, RSA_PEM, "RSA-OAEP"),
    ]
_METHODS: dict[str, Callable[[Any, Any], object]] = {
    "sign(msg)": lambda k, v: k.sign(v),
    "verify(msg)": lambda k, v: k.verify(v, b"sig"),
    "verify(sig)": lambda k, v: k.verify(b"msg", v),
    "encrypt(plain_text)": lambda k, v: k.encrypt(v),
    "encrypt(aad)": lambda k, v: k.encrypt(b"x", v),
    "decrypt(cipher_text)": lambda k, v: k.decrypt(v, bytes(16), None, bytes(16)),
    "decrypt(iv)": lambda k, v: k.decrypt(bytes(16), v, None, bytes(16)),
    "decrypt(aad)": lambda k, v: k.decrypt(bytes(16), bytes(12), v, bytes(16)),
    "decrypt(tag)": lambda k, v: k.decrypt(bytes(16), bytes(12), None, v),
    "wrap_key": lambda k, v: k.wrap_key(v),
    "unwrap_key": lambda k, v: k.unwrap_key(v),
    "to_pem(pem_format)": lambda k, v: k.to_pem(v),
}


def _key_calls() -> dict[str, Callable[[Any], object]]:
    calls: dict[str, Callable[[Any], object]] = {}
    for cls, key, alg in _KEY_CLASSES:
        name = f"jose.{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}[{alg}]"
        calls[f"{name}(key)"] = lambda v, cls=cls, alg=alg: cls(v, alg)
        calls[f"{name}(algorithm)"] = lambda v, cls=cls, key=key: cls(key, v)
        obj = cls(key, alg)
        for method, call in _METHODS.items():
            attr = method.split("(")[0]
            # Only what the class offers: the base class's NotImplementedError is python-jose's
            # contract, and an EC key's to_pem takes no format.
            if getattr(cls, attr) is getattr(Key, attr) or (attr == "to_pem" and "EC" in name):
                continue
            calls[f"{name}.{method}"] = lambda v, obj=obj, call=call: call(obj, v)
    return calls


# --- PyJWT's algorithm objects: each method, each argument ---------------------------------

_ALGS = pj_algorithms.get_default_algorithms()
_ALG_KEYS = {"HS256": SECRET, "RS256": RSA_PEM, "PS256": RSA_PEM, "ES256": EC_PEM,
             "EdDSA": ED_PEM, "none": None}  # fmt: skip


def _algorithm_calls() -> dict[str, Callable[[Any], object]]:
    calls: dict[str, Callable[[Any], object]] = {}
    for name, key in _ALG_KEYS.items():
        alg = _ALGS[name]
        prepared = alg.prepare_key(key)
        pre = f"jwt.algorithms[{name}]"
        calls[f"{pre}.prepare_key"] = alg.prepare_key
        calls[f"{pre}.sign(msg)"] = lambda v, a=alg, k=prepared: a.sign(v, k)
        calls[f"{pre}.sign(key)"] = lambda v, a=alg: a.sign(b"m", v)
        calls[f"{pre}.verify(msg)"] = lambda v, a=alg, k=prepared: a.verify(v, k, b"s")
        calls[f"{pre}.verify(key)"] = lambda v, a=alg: a.verify(b"m", v, b"s")
        calls[f"{pre}.verify(sig)"] = lambda v, a=alg, k=prepared: a.verify(b"m", k, v)
        calls[f"{pre}.to_jwk"] = alg.to_jwk
        calls[f"{pre}.from_jwk"] = alg.from_jwk
        calls[f"{pre}.compute_hash_digest"] = alg.compute_hash_digest
        calls[f"{pre}.check_crypto_key_type"] = alg.check_crypto_key_type
        calls[f"{pre}.check_key_length"] = alg.check_key_length
    return calls


CALLS: dict[str, Callable[[Any], object]] = {
    # jose.jwt
    "jose.jwt.encode(claims)": lambda v: jwt.encode(v, SECRET),
    "jose.jwt.encode(claims.exp)": lambda v: jwt.encode({"exp": v}, SECRET),
    "jose.jwt.encode(key)": lambda v: jwt.encode({}, v),
    "jose.jwt.encode(algorithm)": lambda v: jwt.encode({}, SECRET, algorithm=v),
    "jose.jwt.encode(headers)": lambda v: jwt.encode({}, SECRET, headers=v),
    "jose.jwt.encode(headers.kid)": lambda v: jwt.encode({}, SECRET, headers={"kid": v}),
    "jose.jwt.encode(access_token)": lambda v: jwt.encode({}, SECRET, access_token=v),
    "jose.jwt.decode(token)": lambda v: jwt.decode(v, SECRET, algorithms=["HS256"]),
    "jose.jwt.decode(key)": lambda v: jwt.decode(JOSE_TOKEN, v, algorithms=["HS256"]),
    "jose.jwt.decode(key, no algorithms)": lambda v: jwt.decode(JOSE_TOKEN, v),
    "jose.jwt.decode(key set member)": lambda v: jwt.decode(JOSE_TOKEN, {"keys": [v]}),
    "jose.jwt.decode(algorithms)": lambda v: _jose_decode(algorithms=v),
    "jose.jwt.decode(options)": lambda v: _jose_decode(options=v),
    "jose.jwt.decode(options.leeway)": lambda v: _jose_decode(options={"leeway": v}),
    "jose.jwt.decode(options.verify_exp)": lambda v: _jose_decode(options={"verify_exp": v}),
    "jose.jwt.decode(options key)": lambda v: _jose_decode(options={v: True})
    if _hashable(v) else None,
    "jose.jwt.decode(audience)": lambda v: _jose_decode(audience=v),
    "jose.jwt.decode(issuer)": lambda v: _jose_decode(issuer=v),
    "jose.jwt.decode(subject)": lambda v: _jose_decode(subject=v),
    "jose.jwt.decode(access_token)": lambda v: _jose_decode(access_token=v),
    "jose.jwt.get_unverified_header": jwt.get_unverified_header,
    "jose.jwt.get_unverified_headers": jwt.get_unverified_headers,
    "jose.jwt.get_unverified_claims": jwt.get_unverified_claims,
    # jose.jws
    "jose.jws.sign(payload)": lambda v: jws.sign(v, SECRET),
    "jose.jws.sign(key)": lambda v: jws.sign(b"x", v),
    "jose.jws.sign(key, RS256)": lambda v: jws.sign(b"x", v, algorithm="RS256"),
    "jose.jws.sign(headers)": lambda v: jws.sign(b"x", SECRET, headers=v),
    "jose.jws.sign(algorithm)": lambda v: jws.sign(b"x", SECRET, algorithm=v),
    "jose.jws.verify(token)": lambda v: jws.verify(v, SECRET, ["HS256"]),
    "jose.jws.verify(key)": lambda v: jws.verify(JOSE_TOKEN, v, ["HS256"]),
    "jose.jws.verify(algorithms)": lambda v: jws.verify(JOSE_TOKEN, SECRET, v),
    "jose.jws.verify(verify)": lambda v: jws.verify(JOSE_TOKEN, SECRET, ["HS256"], verify=v),
    "jose.jws.get_unverified_header": jws.get_unverified_header,
    "jose.jws.get_unverified_headers": jws.get_unverified_headers,
    "jose.jws.get_unverified_claims": jws.get_unverified_claims,
    # jose.jwe
    "jose.jwe.encrypt(plaintext)": lambda v: _jwe_encrypt(plaintext=v),
    "jose.jwe.encrypt(key)": lambda v: _jwe_encrypt(key=v),
    "jose.jwe.encrypt(key, A128KW)": lambda v: _jwe_encrypt(key=v, algorithm="A128KW"),
    "jose.jwe.encrypt(key, RSA-OAEP)": lambda v: _jwe_encrypt(key=v, algorithm="RSA-OAEP"),
    "jose.jwe.encrypt(encryption)": lambda v: _jwe_encrypt(encryption=v),
    "jose.jwe.encrypt(algorithm)": lambda v: _jwe_encrypt(algorithm=v),
    "jose.jwe.encrypt(zip)": lambda v: _jwe_encrypt(zip=v),
    "jose.jwe.encrypt(cty)": lambda v: _jwe_encrypt(cty=v),
    "jose.jwe.encrypt(kid)": lambda v: _jwe_encrypt(kid=v),
    "jose.jwe.decrypt(jwe_str)": lambda v: jwe.decrypt(v, bytes(32)),
    "jose.jwe.decrypt(key)": lambda v: jwe.decrypt(JWE_TOKEN, v),
    "jose.jwe.get_unverified_header": jwe.get_unverified_header,
    # jose.jwk
    "jose.jwk.get_key": jose_jwk.get_key,
    "jose.jwk.register_key(key_class)": lambda v: jose_jwk.register_key("X-SWEEP", v),
    "jose.jwk.construct(key_data, HS256)": lambda v: jose_jwk.construct(v, "HS256"),
    "jose.jwk.construct(key_data, RS256)": lambda v: jose_jwk.construct(v, "RS256"),
    "jose.jwk.construct(key_data, ES256)": lambda v: jose_jwk.construct(v, "ES256"),
    "jose.jwk.construct(key_data, A256KW)": lambda v: jose_jwk.construct(v, "A256KW"),
    "jose.jwk.construct(key_data, dir)": lambda v: jose_jwk.construct(v, "dir"),
    "jose.jwk.construct(key_data, no alg)": jose_jwk.construct,
    "jose.jwk.construct(algorithm)": lambda v: jose_jwk.construct(SECRET, v),
    "jose.jwk.construct(JWK alg)": lambda v: jose_jwk.construct({**OCT_JWK, "alg": v}),
    # jose.utils
    "jose.utils.long_to_bytes(n)": utils.long_to_bytes,
    "jose.utils.long_to_bytes(blocksize)": lambda v: utils.long_to_bytes(5, v),
    "jose.utils.long_to_base64(data)": utils.long_to_base64,
    "jose.utils.long_to_base64(size)": lambda v: utils.long_to_base64(5, v),
    "jose.utils.int_arr_to_long": utils.int_arr_to_long,
    "jose.utils.base64_to_long": utils.base64_to_long,
    "jose.utils.calculate_at_hash(access_token)": lambda v: utils.calculate_at_hash(
        v, hashlib.sha256
    ),
    "jose.utils.calculate_at_hash(hash_alg)": lambda v: utils.calculate_at_hash("t", v),
    "jose.utils.base64url_decode": utils.base64url_decode,
    "jose.utils.base64url_encode": utils.base64url_encode,
    "jose.utils.timedelta_total_seconds": utils.timedelta_total_seconds,
    "jose.utils.ensure_binary": utils.ensure_binary,
    "jose.utils.is_pem_format": utils.is_pem_format,
    "jose.utils.is_ssh_key": utils.is_ssh_key,
    # jose.backends
    "jose._asn1.rsa_private_key_pkcs8_to_pkcs1": _asn1.rsa_private_key_pkcs8_to_pkcs1,
    "jose._asn1.rsa_private_key_pkcs1_to_pkcs8": _asn1.rsa_private_key_pkcs1_to_pkcs8,
    "jose._asn1.rsa_public_key_pkcs1_to_pkcs8": _asn1.rsa_public_key_pkcs1_to_pkcs8,
    "jose._asn1.rsa_public_key_pkcs8_to_pkcs1": _asn1.rsa_public_key_pkcs8_to_pkcs1,
    "jose.rsa_backend.pem_to_spki(pem)": rsa_backend.pem_to_spki,
    "jose.rsa_backend.pem_to_spki(fmt)": lambda v: rsa_backend.pem_to_spki(RSA_PUB, v),
    "jose.native.get_random_bytes": native.get_random_bytes,
    **_key_calls(),
    # jwt (PyJWT's face): api_jwt
    "jwt.encode(payload)": lambda v: pj.encode(v, SECRET),
    "jwt.encode(payload.exp)": lambda v: pj.encode({"exp": v}, SECRET),
    "jwt.encode(payload.iss)": lambda v: pj.encode({"iss": v}, SECRET),
    "jwt.encode(key)": lambda v: pj.encode({}, v),
    "jwt.encode(key, RS256)": lambda v: pj.encode({}, v, algorithm="RS256"),
    "jwt.encode(algorithm)": lambda v: pj.encode({}, SECRET, algorithm=v),
    "jwt.encode(headers)": lambda v: pj.encode({}, SECRET, headers=v),
    "jwt.encode(headers.b64)": lambda v: pj.encode({}, SECRET, headers={"b64": v}),
    "jwt.encode(json_encoder)": lambda v: pj.encode({}, SECRET, json_encoder=v),
    "jwt.encode(sort_headers)": lambda v: pj.encode({}, SECRET, sort_headers=v),
    "jwt.decode(jwt)": lambda v: pj.decode(v, SECRET, algorithms=["HS256"]),
    "jwt.decode(key)": lambda v: pj.decode(PJ_TOKEN, v, algorithms=["HS256"]),
    "jwt.decode(algorithms)": lambda v: _pj_decode(algorithms=v),
    "jwt.decode(options)": lambda v: _pj_decode(options=v),
    "jwt.decode(options.require)": lambda v: _pj_decode(options={"require": v}),
    "jwt.decode(verify)": lambda v: _pj_decode(verify=v),
    "jwt.decode(detached_payload)": lambda v: _pj_decode(detached_payload=v),
    "jwt.api_jws.decode(detached_payload, b64 false)": lambda v: api_jws.decode(
        PJ_DETACHED, SECRET, algorithms=["HS256"], detached_payload=v
    ),
    "jwt.decode(audience)": lambda v: _pj_decode(audience=v),
    "jwt.decode(issuer)": lambda v: _pj_decode(issuer=v),
    "jwt.decode(subject)": lambda v: _pj_decode(subject=v),
    "jwt.decode(leeway)": lambda v: _pj_decode(leeway=v),
    "jwt.decode(typ)": lambda v: _pj_decode(typ=v),
    "jwt.decode(max_age)": lambda v: _pj_decode(max_age=v),
    "jwt.decode(now)": lambda v: _pj_decode(now=v),
    "jwt.decode_complete(jwt)": lambda v: pj.decode_complete(v, SECRET, algorithms=["HS256"]),
    "jwt.PyJWT(options)": lambda v: pj.PyJWT(options=v),
    # api_jws
    "jwt.api_jws.encode(payload)": lambda v: api_jws.encode(v, SECRET),
    "jwt.api_jws.encode(key)": lambda v: api_jws.encode(b"x", v),
    "jwt.api_jws.encode(algorithm)": lambda v: api_jws.encode(b"x", SECRET, algorithm=v),
    "jwt.api_jws.encode(headers)": lambda v: api_jws.encode(b"x", SECRET, headers=v),
    "jwt.api_jws.encode(is_payload_detached)": lambda v: api_jws.encode(
        b"x", SECRET, is_payload_detached=v
    ),
    "jwt.api_jws.decode(jwt)": lambda v: api_jws.decode(v, SECRET, algorithms=["HS256"]),
    "jwt.api_jws.decode(key)": lambda v: api_jws.decode(PJ_TOKEN, v, algorithms=["HS256"]),
    "jwt.api_jws.decode(algorithms)": lambda v: api_jws.decode(PJ_TOKEN, SECRET, algorithms=v),
    "jwt.api_jws.decode(options)": lambda v: api_jws.decode(
        PJ_TOKEN, SECRET, algorithms=["HS256"], options=v
    ),
    "jwt.api_jws.decode_complete(jwt)": lambda v: api_jws.decode_complete(
        v, SECRET, algorithms=["HS256"]
    ),
    "jwt.get_unverified_header": pj.get_unverified_header,
    "jwt.PyJWS(algorithms)": lambda v: pj.PyJWS(algorithms=v),
    "jwt.PyJWS(options)": lambda v: pj.PyJWS(options=v),
    "jwt.PyJWS.register_algorithm(alg_id)": lambda v: pj.PyJWS().register_algorithm(
        v, _ALGS["HS256"]
    ),
    "jwt.PyJWS.register_algorithm(alg_obj)": lambda v: pj.PyJWS().register_algorithm("X", v),
    "jwt.PyJWS.unregister_algorithm": lambda v: pj.PyJWS().unregister_algorithm(v),
    "jwt.get_algorithm_by_name": pj.get_algorithm_by_name,
    # api_jwk
    "jwt.PyJWK(jwk_data)": pj.PyJWK,
    "jwt.PyJWK(algorithm)": lambda v: pj.PyJWK(OCT_JWK, v),
    "jwt.PyJWK.from_dict": api_jwk.PyJWK.from_dict,
    "jwt.PyJWK.from_json": api_jwk.PyJWK.from_json,
    "jwt.PyJWKSet(keys)": pj.PyJWKSet,
    "jwt.PyJWKSet.from_dict": api_jwk.PyJWKSet.from_dict,
    "jwt.PyJWKSet.from_json": api_jwk.PyJWKSet.from_json,
    "jwt.PyJWKSet[kid]": lambda v: pj.PyJWKSet([{**OCT_JWK, "kid": "k"}])[v],
    # algorithms
    "jwt.algorithms.HMACAlgorithm(hash_alg)": pj_algorithms.HMACAlgorithm,
    "jwt.algorithms.RSAAlgorithm(hash_alg)": pj_algorithms.RSAAlgorithm,
    "jwt.algorithms.RSAPSSAlgorithm(hash_alg)": pj_algorithms.RSAPSSAlgorithm,
    "jwt.algorithms.ECAlgorithm(hash_alg)": pj_algorithms.ECAlgorithm,
    "jwt.algorithms.ECAlgorithm(expected_curve)": lambda v: pj_algorithms.ECAlgorithm(
        pj_algorithms.ECAlgorithm.SHA256, v
    ),
    **_algorithm_calls(),
    # utils
    "jwt.utils.force_bytes": pj_utils.force_bytes,
    "jwt.utils.base64url_decode": pj_utils.base64url_decode,
    "jwt.utils.base64url_encode": pj_utils.base64url_encode,
    "jwt.utils.bytes_from_int(val)": pj_utils.bytes_from_int,
    "jwt.utils.bytes_from_int(bit_length)": lambda v: pj_utils.bytes_from_int(5, bit_length=v),
    "jwt.utils.to_base64url_uint(val)": pj_utils.to_base64url_uint,
    "jwt.utils.to_base64url_uint(bit_length)": lambda v: pj_utils.to_base64url_uint(
        5, bit_length=v
    ),
    "jwt.utils.from_base64url_uint": pj_utils.from_base64url_uint,
    "jwt.utils.number_to_bytes(num)": lambda v: pj_utils.number_to_bytes(v, 32),
    "jwt.utils.number_to_bytes(num_bytes)": lambda v: pj_utils.number_to_bytes(5, v),
    "jwt.utils.bytes_to_number": pj_utils.bytes_to_number,
    "jwt.utils.der_to_raw_signature(der_sig)": lambda v: pj_utils.der_to_raw_signature(
        v, _ALGS["ES256"].expected_curve
    ),
    "jwt.utils.der_to_raw_signature(curve)": lambda v: pj_utils.der_to_raw_signature(
        b"0\x06\x02\x01\x01\x02\x01\x01", v
    ),
    "jwt.utils.raw_to_der_signature(raw_sig)": lambda v: pj_utils.raw_to_der_signature(
        v, _ALGS["ES256"].expected_curve
    ),
    "jwt.utils.raw_to_der_signature(curve)": lambda v: pj_utils.raw_to_der_signature(
        bytes(64), v
    ),
    "jwt.utils.is_pem_format": pj_utils.is_pem_format,
    "jwt.utils.is_ssh_key": pj_utils.is_ssh_key,
    # jwks_client and jwk_set_cache (the stub client never opens a connection)
    "jwt.PyJWKClient(uri)": pj.PyJWKClient,
    "jwt.PyJWKClient(lifespan)": lambda v: pj.PyJWKClient("https://x/", lifespan=v),
    "jwt.PyJWKClient(headers)": lambda v: pj.PyJWKClient("https://x/", headers=v),
    "jwt.PyJWKClient(timeout)": lambda v: pj.PyJWKClient("https://x/", timeout=v),
    "jwt.PyJWKClient(max_cached_keys)": lambda v: pj.PyJWKClient(
        "https://x/", cache_keys=True, max_cached_keys=v
    ),
    "jwt.PyJWKClient(cooldown_duration)": lambda v: pj.PyJWKClient(
        "https://x/", cooldown_duration=v
    ),
    "jwt.PyJWKClient.get_signing_key(kid)": lambda v: _StubClient("https://x/").get_signing_key(
        v
    ),
    "jwt.PyJWKClient.get_signing_key_from_jwt": lambda v: _StubClient(
        "https://x/"
    ).get_signing_key_from_jwt(v),
    "jwt.jwk_set_cache.JWKSetCache(lifespan)": jwk_set_cache.JWKSetCache,
    "jwt.jwk_set_cache.JWKSetCache.put": lambda v: jwk_set_cache.JWKSetCache(60).put(v),
}  # fmt: skip


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


_call_quietly = call_quietly


@pytest.mark.parametrize("name", sorted(CALLS))
def test_fixed_hostile_values_raise_only_jwtlite_errors(name: str) -> None:
    ran = 0
    for value in HOSTILE_FIXED:
        _call_quietly(CALLS[name], value, name, trace=sizelike(value))
        ran += 1
    assert ran == len(HOSTILE_FIXED)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(CALLS)), value=hostile_values)
def test_any_hostile_value_raises_only_jwtlite_errors(name: str, value: Any) -> None:
    _call_quietly(CALLS[name], value, name, trace=sizelike(value))


def test_the_sweep_covers_both_faces() -> None:
    # Every key class of jose.backends and every algorithm family of jwt.algorithms is in
    # (the cryptography_backend's five key classes only where cryptography is installed).
    crypto = "cryptography_backend" in globals()
    assert len(CALLS) >= (300 if crypto else 270)
    assert sum(name.startswith("jose.") for name in CALLS) >= (150 if crypto else 120)
    assert sum(name.startswith("jwt.") for name in CALLS) >= 130


# --- hostile tokens: garbage, and hostile values under a valid signature -----------------------


def _signed(header: Any, claim_set: Any, *, raw: bool = False) -> str:
    """A compact JWS signed with SECRET whose header and payload hold what ``json.dumps``
    writes (a lone surrogate as a ``\\ud800`` escape, a huge integer in full); ``raw``: the
    two are already text."""
    parts = (header, claim_set) if raw else (json.dumps(header), json.dumps(claim_set))
    signing_input = ".".join(b64url_encode(p.encode("utf-8", "surrogatepass")) for p in parts)
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url_encode(signature)}"


#: Every function that reads a compact token, with the other arguments valid.
TOKEN_READERS: dict[str, Callable[[Any], object]] = {
    "jose.jwt.decode": lambda t: jwt.decode(t, SECRET, algorithms=["HS256"], audience="api"),
    "jose.jwt.decode(no algorithms)": lambda t: jwt.decode(t, SECRET, audience="api"),
    "jose.jwt.decode(JWK set)": lambda t: jwt.decode(
        t, {"keys": [{**OCT_JWK, "kid": "k"}, RSA_JWK]}, audience="api"
    ),
    "jose.jwt.decode(access_token)": lambda t: jwt.decode(
        t, SECRET, algorithms=["HS256"], audience="api", access_token="at"
    ),
    "jose.jwt.get_unverified_claims": jwt.get_unverified_claims,
    "jose.jwt.get_unverified_header": jwt.get_unverified_header,
    "jose.jws.verify": lambda t: jws.verify(t, SECRET, None),
    "jose.jwe.decrypt": lambda t: jwe.decrypt(t, bytes(32)),
    "jose.jwe.get_unverified_header": jwe.get_unverified_header,
    "jwt.decode": lambda t: pj.decode(t, SECRET, algorithms=["HS256"], audience="api"),
    "jwt.decode(JWK set)": lambda t: pj.decode(
        t, pj.PyJWKSet([{**OCT_JWK, "kid": "k"}]), algorithms=["HS256"], audience="api"
    ),
    "jwt.api_jws.decode_complete": lambda t: api_jws.decode_complete(
        t, SECRET, algorithms=["HS256"]
    ),
    "jwt.get_unverified_header": pj.get_unverified_header,
    "jwt.PyJWKClient.get_signing_key_from_jwt": lambda t: _StubClient(
        "https://x/"
    ).get_signing_key_from_jwt(t),
}


_JSON_HOSTILE = json_hostile | st.lists(st.integers() | st.text(max_size=3), max_size=3)
_HEADER_NAMES = ["alg", "kid", "typ", "crit", "b64", "cty", "jku", "jwk", "x5c", "x5t", "enc",
                 "zip"]  # fmt: skip
_CLAIM_NAMES = ["exp", "nbf", "iat", "aud", "iss", "sub", "jti", "at_hash"]
_DEEP = "[" * 100_000 + "]" * 100_000
_DEEP_ENC = b64url_encode(b'{"alg":"dir","enc":' + b"[" * 50_000 + b"]" * 50_000 + b"}") + "...."
_DEEP_KEYS = ("{" * 50_000, '{"keys":' + "[" * 50_000 + "]" * 50_000 + "}")
#: Inputs whose only danger is their nesting: the linear depth check makes an integer per
#: bracket, which tracemalloc slows tenfold (7 s of the sweep); they keep the address-space
#: bound and the time bound, everything else (the zip bomb included) is traced too.
_UNTRACED = frozenset(map(id, (_DEEP_ENC, *_DEEP_KEYS)))
#: 40 MiB of zeros, deflated to 40 KB (zip "DEF"): above the memory bound once inflated.
_ZIP_BOMB = jwe.encrypt(bytes(40 << 20), bytes(32), "A256GCM", "dir", zip="DEF")
#: Tokens every reader must refuse cleanly (or accept): shapes, sizes, encodings, JSON.
FIXED_TOKENS: tuple[Any, ...] = (
    *HOSTILE_FIXED, ".", "..", "....", "a.b.c", "a.b.c.d.e", "\ud800.\ud800.\ud800",
    "é.é.é", "eyJ.eyJ.", "e30.e30.", "e30=.e30.", "W10.W10.", "bnVsbA.bnVsbA.",
    "x" * 2_000_000, "." * 100_000, b"\xff.\xff.\xff", bytearray(b"e30.e30."),
    _signed(_DEEP, "{}", raw=True), _signed("{}", _DEEP, raw=True),
    _signed('{"alg":"HS256","alg":"none"}', "{}", raw=True),
    _signed('{"alg":"HS256"}', '{"exp":1e400}', raw=True),
    _signed('{"alg":"HS256"}', '{"exp":NaN}', raw=True),
    _signed('{"alg":"HS256","kid":"\\ud800"}', '{"aud":"api"}', raw=True),
    _signed('{"alg":"HS256"}', '{"aud":"api","sub":"\\udcff"}', raw=True),
    _signed('{"alg":"HS256"}', '{"aud":"api","exp":' + "9" * 5000 + "}", raw=True),
    _signed('"alg"', "{}", raw=True), _signed("{}", '"x"', raw=True),
    "e30." * 4 + "e30", b64url_encode(b'{"alg":"dir","enc":"A256GCM","zip":"\\ud800"}') + "....",
    _DEEP_ENC, _ZIP_BOMB,
)  # fmt: skip


@pytest.mark.parametrize("name", sorted(TOKEN_READERS))
def test_fixed_hostile_tokens_raise_only_jwtlite_errors(name: str) -> None:
    ran = 0
    for token in FIXED_TOKENS:
        _call_quietly(TOKEN_READERS[name], token, name, trace=id(token) not in _UNTRACED)
        ran += 1
    assert ran == len(FIXED_TOKENS)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(TOKEN_READERS)), token=token_like | st.binary(max_size=60))
def test_garbage_tokens_raise_only_jwtlite_errors(name: str, token: Any) -> None:
    _call_quietly(TOKEN_READERS[name], token, name, trace=False)  # 120 characters at most


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(TOKEN_READERS)),
    member=st.sampled_from(_HEADER_NAMES),
    value=_JSON_HOSTILE,
)
def test_hostile_signed_headers_raise_only_jwtlite_errors(
    name: str, member: str, value: Any
) -> None:
    token = _signed({"alg": "HS256", "kid": "k", member: value}, _CLAIMS)
    _call_quietly(TOKEN_READERS[name], token, name, trace=sizelike(value))


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(TOKEN_READERS)),
    claim=st.sampled_from(_CLAIM_NAMES),
    value=_JSON_HOSTILE,
)
def test_hostile_signed_claims_raise_only_jwtlite_errors(name: str, claim: str, value: Any) -> None:
    token = _signed({"alg": "HS256", "kid": "k"}, {**_CLAIMS, claim: value})
    _call_quietly(TOKEN_READERS[name], token, name, trace=sizelike(value))


# --- hostile JWK members: every reader of a JWK dict --------------------------------------------

_JWKS = {"oct": (OCT_JWK, "HS256"), "RSA": (RSA_JWK, "RS256"), "EC": (EC_JWK, "ES256"),
         "OKP": (OKP_JWK, "EdDSA")}  # fmt: skip
_JWK_MEMBERS = ["kty", "k", "n", "e", "d", "p", "q", "dp", "dq", "qi", "crv", "x", "y", "alg",
                "use", "key_ops", "kid", "x5c", "oth"]  # fmt: skip
#: Every function that reads a JWK dict: (the JWK, its algorithm) -> the call.
JWK_READERS: dict[str, Callable[[dict[str, Any], str], object]] = {
    "jose.jwk.construct": lambda k, a: jose_jwk.construct(k, a if a != "EdDSA" else None),
    "jose.jws.verify": lambda k, a: jws.verify(JOSE_TOKEN, k, ["HS256"]),
    "jose.jws.sign": lambda k, a: jws.sign(b"x", k, algorithm=a),
    "jose.jwt.decode(JWK set)": lambda k, a: jwt.decode(JOSE_TOKEN, {"keys": [k, k]}),
    "jose.jwe.decrypt": lambda k, a: jwe.decrypt(JWE_TOKEN, k),
    "jwt.PyJWK": lambda k, a: pj.PyJWK(k),
    "jwt.PyJWKSet": lambda k, a: pj.PyJWKSet([k]),
    "jwt.algorithms.from_jwk": lambda k, a: _ALGS[a].from_jwk(k),
    "jwt.decode": lambda k, a: pj.decode(PJ_TOKEN, k, algorithms=["HS256"]),
}


def _jwk_reader(
    name: str, jwk_dict: dict[str, Any], member: str, alg: str
) -> Callable[[Any], object]:
    """The reader ``name`` called on ``jwk_dict`` with ``member`` set to its argument."""
    return lambda value: JWK_READERS[name]({**jwk_dict, member: value}, alg)


@pytest.mark.parametrize("name", sorted(JWK_READERS))
def test_fixed_hostile_jwk_members_raise_only_jwtlite_errors(name: str) -> None:
    # Traced where the member is a large integer (sizelike): many of these calls sign with a still
    # valid RSA key; without cryptography this test took 39 s traced throughout.
    ran = 0
    for kty, (jwk_dict, alg) in _JWKS.items():
        for member in _JWK_MEMBERS:
            for value in HOSTILE_FIXED:
                call = _jwk_reader(name, jwk_dict, member, alg)
                trace = sizelike(value)
                _call_quietly(call, value, f"{name}({kty}.{member})", trace=trace)
                ran += 1
    assert ran == len(_JWKS) * len(_JWK_MEMBERS) * len(HOSTILE_FIXED)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(JWK_READERS)),
    kty=st.sampled_from(sorted(_JWKS)),
    member=st.sampled_from(_JWK_MEMBERS),
    value=_JSON_HOSTILE | hostile_values,
)
def test_any_hostile_jwk_member_raises_only_jwtlite_errors(
    name: str, kty: str, member: str, value: Any
) -> None:
    jwk_dict, alg = _JWKS[kty]
    _call_quietly(_jwk_reader(name, jwk_dict, member, alg), value, name, trace=sizelike(value))


#: The members that hold a number or octets, and lengths just past RSA-16384 and of 64 KiB:
#: a reader must refuse an oversized one before its arithmetic (within the time bound) and
#: without copies of it beyond the memory bound.
_SIZED_MEMBERS = ["k", "n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y"]
_OVERSIZED = tuple(b64url_encode(b"\xff" * size) for size in (2049, 1 << 16))


@pytest.mark.parametrize("name", sorted(JWK_READERS))
def test_oversized_jwk_numbers_raise_only_jwtlite_errors(name: str) -> None:
    ran = 0
    for kty, (jwk_dict, alg) in _JWKS.items():
        for member in _SIZED_MEMBERS:
            for value in _OVERSIZED:
                call = _jwk_reader(name, jwk_dict, member, alg)
                _call_quietly(call, value, f"{name}({kty}.{member}, {len(value)} characters)")
                ran += 1
    assert ran == len(_JWKS) * len(_SIZED_MEMBERS) * len(_OVERSIZED)


def test_timedelta_arguments_of_any_size_raise_only_jwtlite_errors() -> None:
    ran = 0
    for value in (timedelta.max, timedelta.min, timedelta(0)):
        for name in ("jwt.decode(leeway)", "jwt.decode(max_age)", "jose.jwt.decode(options.leeway)",
                     "jose.utils.timedelta_total_seconds"):  # fmt: skip
            _call_quietly(CALLS[name], value, name)
            ran += 1
    assert ran == 12


# --- key garbage: PEM, DER, OpenSSH and JWK text that is almost a key ---------------------------

_RSA_TEXT = RSA_PEM.decode("ascii")
#: Key material every key reader must refuse cleanly: broken armour, base64 and DER, lone
#: surrogates, truncation, and nesting or sizes meant to exhaust a parser.
KEY_GARBAGE: tuple[Any, ...] = (
    b"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\n\ud800\n-----END PRIVATE KEY-----\n",
    "-----BEGIN RSA PRIVATE KEY-----\n", RSA_PEM[:200], _RSA_TEXT[:-40], _RSA_TEXT + "\ud800",
    RSA_PEM.replace(b"M", b"\xff", 3), b"0\x82\xff\xff" + bytes(10), b"0\x80" * 10_000,
    "ssh-rsa AAAA\ud800", b"ssh-ed25519 " + b"A" * 5000, "ecdsa-sha2-nistp256 AAAA x",
    '{"kty":"RSA","n":"\\ud800","e":"AQAB"}', *_DEEP_KEYS,
    "-----BEGIN CERTIFICATE-----\n" + "A" * 100_000 + "\n-----END CERTIFICATE-----\n",
)  # fmt: skip
#: The entries above whose hostile argument is a key.
KEY_TAKERS = sorted(
    name
    for name in CALLS
    if "(key" in name
    or "jwk_data" in name
    or name.endswith((".prepare_key", ".from_jwk", ".check_key_length", ".from_json"))
    or name.startswith("jose._asn1.")
    or name == "jose.rsa_backend.pem_to_spki(pem)"
)


def test_every_key_reader_is_in_the_key_sweep() -> None:
    assert len(KEY_TAKERS) >= 60


@pytest.mark.parametrize("name", KEY_TAKERS)
def test_key_garbage_raises_only_jwtlite_errors(name: str) -> None:
    ran = 0
    for key in KEY_GARBAGE:
        _call_quietly(CALLS[name], key, name, trace=id(key) not in _UNTRACED)
        ran += 1
    assert ran == len(KEY_GARBAGE)
