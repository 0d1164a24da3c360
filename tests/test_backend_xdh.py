"""X25519 and X448 (RFC 7748) on every backend: Wycheproof, the RFC vectors, RFC 8037 A.6.

Wycheproof decisions (``acceptable`` cases), asserted below:

- ``ZeroSharedSecret`` (low-order public points, u = 0, u = 1 ...): refused, ``xdh`` returns None
  (RFC 7748 §6.1, §6.2: "check ... whether the result is zero"); JWE has no key to derive.
- Every other ``acceptable`` case (``Twist``, ``NonCanonicalPublic``, ``SmallPublicKey`` or
  ``LowOrderPublic`` with a non-zero result, ``EdgeCase*``, the RFC 7748 vector on the twist)
  computes the function as RFC 7748 §5 defines it, as OpenSSL does: the expected secret.
- X448 ``invalid`` cases are 57-byte public keys (``PublicKeyTooLong``): jwtlite's loader
  refuses them (InvalidKeyError), and the backends return None if handed one anyway.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

import pytest
from conftest import BACKEND_NAMES, load_vector, wycheproof_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._jwkformat import key_from_jwk, key_to_jwk
from jwtlite._keyformats import okp_private, okp_public
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import xdh
from jwtlite.exceptions import InvalidKeyError
from jwtlite.jwk import thumbprint
from jwtlite.keys import OKPPrivateKey, OKPPublicKey, dump_pem, load_key


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Every test builds its native keys itself: mutation testing forks each mutant from a
    process whose caches an earlier run warmed (docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


SIZES = {"X25519": 32, "X448": 56}
WYCHEPROOF = {
    # file: (curve, valid, acceptable computed, acceptable refused as zero, invalid refused)
    "x25519_test.json": ("X25519", 264, 223, 31, 0),
    "x448_test.json": ("X448", 253, 234, 11, 12),
}
RFC7748 = load_vector("rfc/rfc7748_x25519_x448.json")
RFC8037_A6 = load_vector("rfc/rfc8037_A6_x25519.json")


def all_backends() -> list[Backend]:
    return [get_backend(name) for name in BACKEND_NAMES]


def private(curve: str, d: bytes) -> OKPPrivateKey:
    """A private key built by jwtlite's loader (which derives ``x`` on the current backend)."""
    return okp_private(curve, d, None)


# --- Wycheproof ----------------------------------------------------------------------------


def _wycheproof_case(backend: Backend, curve: str, case: dict[str, Any]) -> str:
    """Run one case; return how it was counted."""
    d = bytes.fromhex(case["private"])
    # The public value goes through jwtlite's loader, which is where a peer's key comes in. The
    # private key is built directly (deriving its public key would double the pure backend's
    # time); the private-key edge cases also derive theirs, on every backend.
    key = OKPPrivateKey(curve, d, b"")
    if "EdgeCasePrivateKey" in case["flags"]:
        key = private(curve, d)
        assert {other.xdh_public_key(curve, d) for other in all_backends()} == {key.x}
    try:
        public = okp_public(curve, bytes.fromhex(case["public"]))
    except InvalidKeyError:
        assert case["result"] == "invalid"
        assert "PublicKeyTooLong" in case["flags"]
        # Handed to the backend anyway (a model key built by hand), it gives None.
        raw = OKPPublicKey(curve, bytes.fromhex(case["public"]))
        assert backend.xdh(key, raw) is None
        return "invalid"
    shared = backend.xdh(key, public)
    if "ZeroSharedSecret" in case["flags"]:
        assert case["result"] == "acceptable"
        assert shared is None
        return "zero"
    assert case["result"] in ("valid", "acceptable")
    assert shared == bytes.fromhex(case["shared"])
    return case["result"]


@pytest.mark.parametrize("filename", sorted(WYCHEPROOF))
def test_wycheproof(backend: Backend, filename: str) -> None:
    curve, *expected = WYCHEPROOF[filename]
    seen: Counter[str] = Counter()
    for group, case in wycheproof_cases(filename):
        assert group["curve"] == {"X25519": "curve25519", "X448": "curve448"}[curve]
        seen[_wycheproof_case(backend, curve, case)] += 1
    assert (seen["valid"], seen["acceptable"], seen["zero"], seen["invalid"]) == tuple(expected)


# --- RFC 7748 and RFC 8037 -----------------------------------------------------------------


@pytest.mark.parametrize("curve", sorted(SIZES))
def test_rfc7748_scalar_vectors(backend: Backend, curve: str) -> None:
    for vector in RFC7748[curve.lower()]["scalar_vectors"]:
        # The scalars are not keys anyone derived a public key for; the function is all that
        # matters here, so the model key is built directly.
        key = OKPPrivateKey(curve, bytes.fromhex(vector["scalar"]), b"")
        out = backend.xdh(key, OKPPublicKey(curve, bytes.fromhex(vector["u"])))
        assert out == bytes.fromhex(vector["output"])


@pytest.mark.parametrize("curve", sorted(SIZES))
def test_rfc7748_iterated(backend: Backend, curve: str) -> None:
    # §5.2: k = u = the base point; then k, u = X(k, u), k. The 1,000,000-iteration value is
    # not run: minutes in pure Python.
    vectors = RFC7748[curve.lower()]["iterated"]
    k = u = bytes.fromhex(vectors["start"])
    for i in range(1, 1001):
        out = backend.xdh(OKPPrivateKey(curve, k, b""), OKPPublicKey(curve, u))
        assert out is not None
        k, u = out, k
        if i == 1:
            assert k == bytes.fromhex(vectors["after_1"])
    assert k == bytes.fromhex(vectors["after_1000"])


@pytest.mark.parametrize("curve", sorted(SIZES))
def test_rfc7748_diffie_hellman(backend: Backend, curve: str) -> None:
    # §6.1 / §6.2: public keys from private keys, and both sides agree on K.
    values = RFC7748[curve.lower()]["diffie_hellman"]
    dh = {name: bytes.fromhex(value) for name, value in values.items()}
    alice, bob = private(curve, dh["alice_private"]), private(curve, dh["bob_private"])
    assert (alice.x, bob.x) == (dh["alice_public"], dh["bob_public"])
    assert backend.xdh_public_key(curve, dh["alice_private"]) == dh["alice_public"]
    assert backend.xdh(alice, bob.public_key()) == dh["shared"]
    assert backend.xdh(bob, alice.public_key()) == dh["shared"]


def test_rfc8037_a6_ecdh_es_with_x25519(backend: Backend) -> None:
    # The recipient's JWK and the ephemeral key through jwtlite's JWK loader, then Z.
    bob_public = key_from_jwk(RFC8037_A6["bob_public_jwk"])
    bob = key_from_jwk(dict(RFC8037_A6["bob_public_jwk"], d=RFC8037_A6["bob_private_d"]))
    ephemeral = private("X25519", bytes.fromhex(RFC8037_A6["ephemeral_secret"]))
    epk = key_from_jwk(RFC8037_A6["epk"])
    assert isinstance(bob, OKPPrivateKey)
    assert isinstance(bob_public, OKPPublicKey)
    assert isinstance(epk, OKPPublicKey)
    assert ephemeral.public_key() == epk
    assert bob.public_key() == bob_public
    z = bytes.fromhex(RFC8037_A6["shared_secret_z"])
    assert backend.xdh(ephemeral, bob_public) == z  # the sender's side
    assert backend.xdh(bob, epk) == z  # the recipient's side


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize("curve", sorted(SIZES))
def test_low_order_points_give_none(backend: Backend, curve: str) -> None:
    # RFC 7748 §6.1: u = 0 and u = 1 are of order dividing the cofactor on both functions; the
    # clamped scalar is a multiple of the cofactor, so the result is zero, and refused.
    size = SIZES[curve]
    key = backend.generate_okp(curve)
    for u in (0, 1):
        assert backend.xdh(key, OKPPublicKey(curve, u.to_bytes(size, "little"))) is None


def test_mismatched_curves_and_lengths_give_none(backend: Backend) -> None:
    x25519, x448 = backend.generate_okp("X25519"), backend.generate_okp("X448")
    assert backend.xdh(x25519, x448.public_key()) is None
    assert backend.xdh(x448, x25519.public_key()) is None
    for bad in (b"", bytes(31), bytes(33), b"\x09" + bytes(56)):
        assert backend.xdh(x25519, OKPPublicKey("X25519", bad)) is None
        assert backend.xdh(x448, OKPPublicKey("X448", bad)) is None
    ed = backend.generate_okp("Ed25519")
    assert backend.xdh(x25519, ed.public_key()) is None


def test_private_keys_of_another_kind_are_programming_errors(backend: Backend) -> None:
    ed = backend.generate_okp("Ed25519")
    for peer in (ed.public_key(), backend.generate_okp("X25519").public_key()):
        with pytest.raises(InvalidKeyError):
            backend.xdh(ed, peer)
    for curve, bad in (("X25519", bytes(31)), ("X448", bytes(57)), ("X9", bytes(32))):
        with pytest.raises(InvalidKeyError):
            backend.xdh_public_key(curve, bad)
    with pytest.raises(InvalidKeyError):
        backend.xdh(OKPPrivateKey("X25519", bytes(33), b""), OKPPublicKey("X25519", bytes(32)))


def test_key_agreement_keys_never_sign(backend: Backend) -> None:
    for curve in SIZES:
        key = backend.generate_okp(curve)
        with pytest.raises(InvalidKeyError):
            backend.eddsa_sign(key, b"m")
        assert backend.eddsa_verify(key.public_key(), b"m", bytes(64)) is False
        assert backend.eddsa_verify(key.public_key(), b"m", bytes(114)) is False


# --- generated keys, formats, properties ---------------------------------------------------


@pytest.mark.parametrize("curve", sorted(SIZES))
def test_generated_keys_load_everywhere(backend: Backend, curve: str) -> None:
    key = backend.generate_okp(curve)
    size = SIZES[curve]
    assert (key.curve, len(key.d), len(key.x)) == (curve, size, size)
    for other in all_backends():
        assert other.xdh_public_key(curve, key.d) == key.x
    # JWK (RFC 8037 §2) and PKCS#8/SPKI (RFC 8410) round trips through jwtlite's loaders.
    jwk = key_to_jwk(key)
    assert (jwk["kty"], jwk["crv"], b64url_decode(jwk["d"])) == ("OKP", curve, key.d)
    assert key_from_jwk(jwk) == key
    assert load_key(dump_pem(key)) == key
    assert load_key(dump_pem(key.public_key())) == key.public_key()


@settings(max_examples=15, deadline=None)
@given(
    curve=st.sampled_from(sorted(SIZES)),
    seed_a=st.binary(min_size=56, max_size=56),
    seed_b=st.binary(min_size=56, max_size=56),
)
def test_backends_agree_and_both_sides_agree(curve: str, seed_a: bytes, seed_b: bytes) -> None:
    size = SIZES[curve]
    a, b = seed_a[:size], seed_b[:size]
    results = set()
    for backend in all_backends():
        alice = OKPPrivateKey(curve, a, backend.xdh_public_key(curve, a))
        bob = OKPPrivateKey(curve, b, backend.xdh_public_key(curve, b))
        results.add((alice.x, bob.x, backend.xdh(alice, bob.public_key())))
        assert backend.xdh(alice, bob.public_key()) == backend.xdh(bob, alice.public_key())
    assert len(results) == 1


@settings(max_examples=40, deadline=None)
@given(curve=st.sampled_from(sorted(SIZES)), garbage=st.binary(max_size=70))
def test_garbage_public_keys_give_none_or_the_same_secret(curve: str, garbage: bytes) -> None:
    d = bytes(range(1, SIZES[curve] + 1))
    outcomes = set()
    for backend in all_backends():
        key = OKPPrivateKey(curve, d, b"")
        out = backend.xdh(key, OKPPublicKey(curve, garbage))
        assert out is None or len(out) == SIZES[curve]
        outcomes.add(out)
    assert len(outcomes) == 1  # non-canonical and twist values included (RFC 7748 §5)
    try:
        okp_public(curve, garbage)
    except InvalidKeyError:
        assert len(garbage) != SIZES[curve]


def test_thumbprint_follows_rfc7638_with_the_okp_members() -> None:
    # RFC 8037 §2 / A.3: the required members of an OKP key are crv, kty and x.
    key = key_from_jwk(RFC8037_A6["bob_public_jwk"])
    members = {"crv": "X25519", "kty": "OKP", "x": RFC8037_A6["bob_public_jwk"]["x"]}
    text = json.dumps(members, sort_keys=True, separators=(",", ":")).encode()
    expected = b64url_encode(hashlib.sha256(text).digest())
    assert thumbprint(key) == thumbprint(RFC8037_A6["bob_public_jwk"]) == expected


def test_refusal_texts() -> None:
    with pytest.raises(
        InvalidKeyError, match=r"^unsupported key-agreement curve 'X9' \(X25519 or X448\)$"
    ):
        xdh.public_key("X9", bytes(32))
    with pytest.raises(
        InvalidKeyError, match=r"^unsupported key-agreement curve \['X25519'\] \(X25519 or X448\)$"
    ):
        xdh.public_key(["X25519"], bytes(32))  # type: ignore[arg-type]  # not hashable
    ran = 0
    for curve, size in SIZES.items():
        text = rf"^an {curve} private key must be {size} bytes$"
        for bad in (bytes(size - 1), bytes(size + 1), bytearray(size), "x" * size):
            with pytest.raises(InvalidKeyError, match=text):
                xdh.public_key(curve, bad)  # type: ignore[arg-type]
            ran += 1
    assert ran == 8
