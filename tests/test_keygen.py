"""generate_key: every algorithm, on every backend; results export to JWK and PEM and sign."""

from __future__ import annotations

from typing import Any

import pytest

import jwtlite
from jwtlite.backends import Backend
from jwtlite.exceptions import InvalidAlgorithmError, InvalidKeyError
from jwtlite.jwk import key_from_jwk, key_to_jwk
from jwtlite.keygen import generate_key
from jwtlite.keys import (
    ECPrivateKey,
    OKPPrivateKey,
    RSAPrivateKey,
    dump_pem,
    load_key,
)

ASYMMETRIC = [
    ("RS256", RSAPrivateKey, None),
    ("PS512", RSAPrivateKey, None),
    ("ES256", ECPrivateKey, "P-256"),
    ("ES384", ECPrivateKey, "P-384"),
    ("ES512", ECPrivateKey, "P-521"),
    ("ES256K", ECPrivateKey, "secp256k1"),
    ("EdDSA", OKPPrivateKey, "Ed25519"),
    ("Ed25519", OKPPrivateKey, "Ed25519"),
    ("Ed448", OKPPrivateKey, "Ed448"),
]


@pytest.mark.parametrize(("alg", "kind", "curve"), ASYMMETRIC)
def test_asymmetric_keys_export_and_sign(
    backend: Backend, alg: str, kind: type, curve: str | None
) -> None:
    key: Any = generate_key(alg)
    assert isinstance(key, kind)
    if curve is None:
        assert key.n.bit_length() == 2048
        assert key.e == 65537
    else:
        assert key.curve == curve
    assert key_from_jwk(key_to_jwk(key)) == key
    assert load_key(dump_pem(key)) == key
    token = jwtlite.encode({"sub": "k"}, key, algorithm=alg)
    assert jwtlite.decode(token, key.public_key(), algorithms=[alg]) == {"sub": "k"}


def test_rsa_size_argument(backend: Backend) -> None:
    key: Any = generate_key("PS256", size=2304)
    assert key.n.bit_length() == 2304


@pytest.mark.parametrize(("alg", "size"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_hmac_secrets_have_the_hash_size(alg: str, size: int) -> None:
    first, second = generate_key(alg), generate_key(alg)
    assert isinstance(first, bytes)
    assert len(first) == size
    assert first != second  # 2^-256 chance of a false failure
    longer = generate_key(alg, size=size * 8 + 64)
    assert isinstance(longer, bytes)
    assert len(longer) == size + 8
    token = jwtlite.encode({"a": 1}, first, algorithm=alg)
    assert jwtlite.decode(token, first, algorithms=[alg]) == {"a": 1}


@pytest.mark.parametrize(
    ("alg", "size", "error", "message"),
    [
        ("RS256", 1024, InvalidKeyError, "2048-16384 bits"),
        ("RS256", 2047, InvalidKeyError, "2048-16384 bits"),
        ("RS256", 32768, InvalidKeyError, "2048-16384 bits"),
        ("RS256", True, InvalidKeyError, "integer"),
        ("RS256", 2048.0, InvalidKeyError, "integer"),
        ("HS256", 128, InvalidKeyError, "at least 256 bits"),
        ("HS512", 513, InvalidKeyError, "at least 512 bits"),
        ("ES256", 256, InvalidKeyError, "fixed size"),
        ("EdDSA", 256, InvalidKeyError, "fixed size"),
        ("none", None, InvalidAlgorithmError, "'none'"),
        ("RSA-OAEP", None, InvalidAlgorithmError, "'RSA-OAEP'"),
        (["HS256"], None, InvalidAlgorithmError, "must be a string"),
    ],
)
def test_refusals(alg: str, size: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        generate_key(alg, size=size)


@pytest.mark.parametrize(("curve", "size"), [("X25519", 32), ("X448", 56)])
def test_key_agreement_keys_by_curve_name(backend: Backend, curve: str, size: int) -> None:
    # RFC 8037 §3.2: ECDH-ES keys, named by their curve; they export and load, never sign.
    key = generate_key(curve)
    assert isinstance(key, OKPPrivateKey)
    assert (key.curve, len(key.d), len(key.x)) == (curve, size, size)
    assert backend.xdh_public_key(curve, key.d) == key.x
    assert load_key(dump_pem(key)) == key
    assert key_from_jwk(key_to_jwk(key)) == key
    with pytest.raises(InvalidKeyError, match="key agreement"):
        jwtlite.encode({"a": 1}, key, algorithm="EdDSA")
    with pytest.raises(InvalidKeyError, match="fixed size"):
        generate_key(curve, size=256)  # type: ignore[call-overload]
    with pytest.raises(InvalidAlgorithmError):
        generate_key(curve.lower())


def test_exported_from_the_package() -> None:
    assert jwtlite.generate_key is generate_key


def test_generated_hmac_secrets_never_print_their_value() -> None:
    secret = generate_key("HS256")
    shown = [repr(secret), str(secret), f"{secret}", repr([secret]), repr({"k": secret})]
    assert all("256 bits (value hidden)" in text for text in shown)
    assert not any(repr(bytes(secret)) in text or secret.hex() in text for text in shown)
    # Still plain bytes to every consumer: hmac, equality, slicing, the library itself.
    assert secret == bytes(secret)
    assert secret[:4] == bytes(secret)[:4]
    token = jwtlite.encode({"a": 1}, secret, algorithm="HS256")
    assert jwtlite.decode(token, bytes(secret), algorithms=["HS256"]) == {"a": 1}
