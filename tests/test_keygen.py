"""generate_key: every algorithm, on every backend; results export to JWK and PEM and sign."""

from __future__ import annotations

from typing import Any

import pytest

import jwtlite
from jwtlite._keymodel import HMACSecret
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


# --- what the mutation run of keygen found untested -----------------------------------------


class _RecordingBackend:
    """Records what generate_key asks the backend for, without the cost of making RSA primes."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def generate_rsa(self, bits: int) -> str:
        self.calls.append(("rsa", bits))
        return "rsa-key"

    def generate_ec(self, curve: str) -> str:
        self.calls.append(("ec", curve))
        return "ec-key"

    def generate_okp(self, curve: str) -> str:
        self.calls.append(("okp", curve))
        return "okp-key"


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> _RecordingBackend:
    backend = _RecordingBackend()
    monkeypatch.setattr("jwtlite.keygen.get_backend", lambda: backend)
    return backend


def test_rsa_sizes_at_the_bounds(recording: _RecordingBackend) -> None:
    # 2048 (RFC 7518 §3.3) to 16384 bits, in whole bytes; the default is 2048.
    assert generate_key("RS256") == "rsa-key"
    for size in (2048, 2056, 16376, 16384):
        generate_key("PS384", size=size)
    assert recording.calls == [("rsa", 2048), ("rsa", 2048), ("rsa", 2056), ("rsa", 16376),
                               ("rsa", 16384)]  # fmt: skip
    for size in (2040, 2047, 2052, 16385, 16392):
        with pytest.raises(InvalidKeyError) as info:
            generate_key("RS512", size=size)
        assert str(info.value) == "RSA keys must be 2048-16384 bits and a multiple of 8"
    assert len(recording.calls) == 5


def test_curves_and_edwards_keys_come_from_the_backend(recording: _RecordingBackend) -> None:
    for alg in ("ES256", "ES384", "ES512", "ES256K", "EdDSA", "Ed25519", "Ed448", "X25519", "X448"):
        generate_key(alg)
    assert recording.calls == [
        ("ec", "P-256"), ("ec", "P-384"), ("ec", "P-521"), ("ec", "secp256k1"),
        ("okp", "Ed25519"), ("okp", "Ed25519"), ("okp", "Ed448"), ("okp", "X25519"),
        ("okp", "X448"),
    ]  # fmt: skip


def test_hmac_sizes_at_the_bounds() -> None:
    largest = generate_key("HS256", size=65536)
    assert isinstance(largest, HMACSecret)
    assert len(largest) == 8192
    assert len(generate_key("HS384", size=392)) == 49
    cases = [
        ("HS256", 65544, "HS256 secrets are at most 65536 bits"),
        ("HS256", 2**64, "HS256 secrets are at most 65536 bits"),
        ("HS384", 376, "HS384 needs a secret of at least 384 bits, in bytes"),
        ("HS384", 388, "HS384 needs a secret of at least 384 bits, in bytes"),
        ("HS512", 0, "HS512 needs a secret of at least 512 bits, in bytes"),
    ]
    for alg, size, message in cases:
        with pytest.raises(InvalidKeyError) as info:
            generate_key(alg, size=size)
        assert str(info.value) == message
    assert len(cases) == 5


@pytest.mark.parametrize(
    ("alg", "size", "error", "message"),
    [
        ("RS256", True, InvalidKeyError, "size must be an integer number of bits"),
        ("HS256", "256", InvalidKeyError, "size must be an integer number of bits"),
        ("ES256", 256, InvalidKeyError, "ES256 keys have a fixed size; do not pass size"),
        ("X448", 448, InvalidKeyError, "X448 keys have a fixed size; do not pass size"),
        ("none", None, InvalidAlgorithmError, "Cannot generate a key for algorithm 'none'"),
        ("x25519", None, InvalidAlgorithmError, "Cannot generate a key for algorithm 'x25519'"),
        (b"HS256", None, InvalidAlgorithmError, "Algorithm must be a string, not bytes"),
    ],
)
def test_refusals_word_for_word(
    recording: _RecordingBackend, alg: Any, size: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        generate_key(alg, size=size)
    assert type(info.value) is error
    assert str(info.value) == message
    assert recording.calls == []
