"""The two backends against each other (RFC 7518 §3): identical RS* bytes, and every signature
made by one verifies on the other, for every algorithm.

Keys come from the fixed pool in tests/vectors/keys, read by jwtlite's own parser, so both
backends receive identical neutral keys (and the cryptography backend converts from numbers).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import pytest
from conftest import key_pem, openssl_rsa_signs_with
from hypothesis import given, settings
from hypothesis import strategies as st
from test_backend_eddsa import (
    CRAFTED_COUNTS,
    EDWARDS,
    MESSAGE,
    challenge,
    crafted_cases,
    encoding_cases,
    secret_scalar,
)

from jwtlite import _cache
from jwtlite._curves import CURVES
from jwtlite._jwa import ALGORITHMS, SIGNATURE_HASHES, curve_algorithm
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import rsa as _pure_rsa
from jwtlite.exceptions import InvalidAlgorithmError, InvalidKeyError
from jwtlite.keys import (
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    RSAPrivateKey,
    dump_pem,
    load_key,
)

pytest.importorskip("cryptography")


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Every test builds its native keys itself: mutation testing forks each mutant from a
    process whose caches an earlier run warmed (docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


RSA_POOL = [
    "rsa2048.pem",
    "rsa2048_b.pem",
    "rsa2304.pem",
    "rsa2560.pem",
    "rsa3072.pem",
    "rsa3584.pem",
    "rsa4096.pem",
]
EC_POOL = {
    "P-256": "ec_p256.pem",
    "P-384": "ec_p384.pem",
    "P-521": "ec_p521.pem",
    "secp256k1": "ec_secp256k1.pem",
}
OKP_POOL = {"Ed25519": "ed25519.pem", "Ed448": "ed448.pem"}
HASHES = ["sha256", "sha384", "sha512"]
#: The hashes of ``_jwa.SIGNATURE_HASHES`` that no JWA row uses, written out so tests can fail.
EXTRA_HASHES = ("sha1", "sha224", "sha512_224", "sha512_256",
                "sha3_224", "sha3_256", "sha3_384", "sha3_512")  # fmt: skip
# Pure RSA signing at 4096 bits costs tens of milliseconds; keep the examples modest.
FEW = settings(max_examples=25, deadline=None)


def _curve_hash(curve: str) -> str:
    """The hash of the JWS algorithm bound to ``curve`` (from the JWA table)."""
    return ALGORITHMS[curve_algorithm(curve)].hash_name



@functools.cache
def _pool(name: str) -> Any:
    return load_key(key_pem(name))


def _pure() -> Backend:
    return get_backend("pure")


def _crypto() -> Backend:
    return get_backend("cryptography")


def _flip(data: bytes, bit: int) -> bytes:
    index = (bit // 8) % len(data)
    return data[:index] + bytes([data[index] ^ (1 << (bit % 8))]) + data[index + 1 :]


def _both_ways(
    sign: str, verify: str, key: Any, args: tuple[Any, ...], message: bytes
) -> list[bytes]:
    """Sign with each backend and verify on the other; returns [pure's, cryptography's]."""
    signatures = []
    for signer, verifier in ((_pure(), _crypto()), (_crypto(), _pure())):
        signature = getattr(signer, sign)(key, *args, message)
        check = getattr(verifier, verify)
        assert check(key.public_key(), *args, message, signature) is True
        assert check(key.public_key(), *args, message + b"!", signature) is False
        signatures.append(signature)
    return signatures


@pytest.mark.parametrize("hash_name", HASHES)
@pytest.mark.parametrize("name", ["rsa2048.pem", "rsa4096.pem"])
def test_rs_signatures_are_byte_identical(name: str, hash_name: str) -> None:
    key = _pool(name)
    assert isinstance(key, RSAPrivateKey)
    pure_sig, crypto_sig = _both_ways(
        "rsa_pkcs1v15_sign", "rsa_pkcs1v15_verify", key, (hash_name,), b"eyJhbGciOi.e30"
    )
    assert pure_sig == crypto_sig
    assert len(pure_sig) == (key.n.bit_length() + 7) // 8


@pytest.mark.parametrize("hash_name", HASHES)
def test_ps_signatures_cross_verify(hash_name: str) -> None:
    key = _pool("rsa2048.pem")
    pure_sig, crypto_sig = _both_ways(
        "rsa_pss_sign", "rsa_pss_verify", key, (hash_name,), b"eyJhbGciOi.e30"
    )
    assert pure_sig != crypto_sig  # random salts (RFC 8017 §9.1.1 step 4)


@pytest.mark.parametrize("curve", sorted(EC_POOL))
def test_es_signatures_cross_verify(curve: str) -> None:
    key = _pool(EC_POOL[curve])
    assert isinstance(key, ECPrivateKey)
    assert key.curve == curve
    signatures = _both_ways(
        "ecdsa_sign", "ecdsa_verify", key, (_curve_hash(curve),), b"eyJhbGciOi.e30"
    )
    assert [len(sig) for sig in signatures] == [2 * CURVES[curve].size] * 2


@pytest.mark.parametrize("curve", sorted(OKP_POOL))
def test_eddsa_signatures_are_byte_identical(curve: str) -> None:
    key = _pool(OKP_POOL[curve])
    assert isinstance(key, OKPPrivateKey)
    assert key.curve == curve
    pure_sig, crypto_sig = _both_ways("eddsa_sign", "eddsa_verify", key, (), b"eyJhbGciOi.e30")
    assert pure_sig == crypto_sig  # RFC 8032 signing is deterministic


@FEW
@given(
    name=st.sampled_from(RSA_POOL),
    hash_name=st.sampled_from(HASHES),
    message=st.binary(max_size=200),
    bit=st.integers(0, 4095),
)
def test_rsa_property(name: str, hash_name: str, message: bytes, bit: int) -> None:
    key = _pool(name)
    public = key.public_key()
    pure_v15, crypto_v15 = _both_ways(
        "rsa_pkcs1v15_sign", "rsa_pkcs1v15_verify", key, (hash_name,), message
    )
    assert pure_v15 == crypto_v15
    pss = _both_ways("rsa_pss_sign", "rsa_pss_verify", key, (hash_name,), message)
    for backend in (_pure(), _crypto()):
        assert not backend.rsa_pkcs1v15_verify(public, hash_name, message, _flip(pure_v15, bit))
        for signature in pss:
            assert not backend.rsa_pss_verify(public, hash_name, message, _flip(signature, bit))


@settings(max_examples=40, deadline=None)
@given(
    curve=st.sampled_from(sorted(EC_POOL) + sorted(OKP_POOL)),
    message=st.binary(max_size=200),
    bit=st.integers(0, 1055),
)
def test_ec_and_eddsa_property(curve: str, message: bytes, bit: int) -> None:
    if curve in EC_POOL:
        key = _pool(EC_POOL[curve])
        args: tuple[Any, ...] = (_curve_hash(curve),)
        sign, verify = "ecdsa_sign", "ecdsa_verify"
    else:
        key = _pool(OKP_POOL[curve])
        args, sign, verify = (), "eddsa_sign", "eddsa_verify"
    signatures = _both_ways(sign, verify, key, args, message)
    for backend in (_pure(), _crypto()):
        for signature in signatures:
            flipped = _flip(signature, bit)
            assert getattr(backend, verify)(key.public_key(), *args, message, flipped) is False


@pytest.mark.parametrize("curve", sorted(EC_POOL))
def test_generated_ec_keys_work_on_the_other_backend(curve: str) -> None:
    for generator in (_pure(), _crypto()):
        key = generator.generate_ec(curve)
        _both_ways("ecdsa_sign", "ecdsa_verify", key, (_curve_hash(curve),), b"m")


@pytest.mark.parametrize("curve", sorted(OKP_POOL))
def test_generated_okp_keys_work_on_the_other_backend(curve: str) -> None:
    for generator in (_pure(), _crypto()):
        key = generator.generate_okp(curve)
        pure_sig, crypto_sig = _both_ways("eddsa_sign", "eddsa_verify", key, (), b"m")
        assert pure_sig == crypto_sig


def test_generated_rsa_key_works_on_the_pure_backend() -> None:
    # Pure RSA generation is benchmarked elsewhere; it is too slow to repeat here.
    key = _crypto().generate_rsa(2048)
    pure_sig, crypto_sig = _both_ways(
        "rsa_pkcs1v15_sign", "rsa_pkcs1v15_verify", key, ("sha256",), b"m"
    )
    assert pure_sig == crypto_sig
    _both_ways("rsa_pss_sign", "rsa_pss_verify", key, ("sha256",), b"m")


@pytest.mark.parametrize("hash_name", sorted(EXTRA_HASHES))
def test_hashes_only_hand_built_algorithms_use_agree_across_backends(hash_name: str) -> None:
    # PyJWT's RSAAlgorithm(hashes.SHA1) and the like (OAuth 1.0a's RSA-SHA1, RFC 5849 §3.4.3):
    # the pure DigestInfo (RFC 8017 §9.2 note 1) must be OpenSSL's, byte for byte.
    if not openssl_rsa_signs_with(hash_name):
        pytest.skip(f"this cryptography/OpenSSL build cannot RSA-sign with {hash_name}")
    rsa_key, ec_key = _pool("rsa2048.pem"), _pool("ec_p384.pem")
    message = b"GET&http%3A%2F%2Fexample.com&oauth_nonce%3D1"
    pure_sig, crypto_sig = _both_ways(
        "rsa_pkcs1v15_sign", "rsa_pkcs1v15_verify", rsa_key, (hash_name,), message
    )
    assert pure_sig == crypto_sig
    _both_ways("rsa_pss_sign", "rsa_pss_verify", rsa_key, (hash_name,), message)
    _both_ways("ecdsa_sign", "ecdsa_verify", ec_key, (hash_name,), message)
    # A signature under one hash never verifies under another.
    for backend in (_pure(), _crypto()):
        assert not backend.rsa_pkcs1v15_verify(rsa_key.public_key(), "sha256", message, pure_sig)


def test_every_signature_hash_is_covered() -> None:
    assert frozenset(EXTRA_HASHES) | frozenset(HASHES) == SIGNATURE_HASHES
    assert set(_pure_rsa._DIGEST_INFO_PREFIX) == SIGNATURE_HASHES


@pytest.mark.parametrize("hash_name", ["md5", "sm3", "shake_128", "SHA256", "sha-1", ""])
def test_unknown_hash_behaves_the_same(hash_name: str) -> None:
    rsa_key, ec_key = _pool("rsa2048.pem"), _pool("ec_p256.pem")
    for backend in (_pure(), _crypto()):
        assert not backend.rsa_pkcs1v15_verify(rsa_key.public_key(), hash_name, b"m", b"\x01" * 256)
        assert not backend.rsa_pss_verify(rsa_key.public_key(), hash_name, b"m", b"\x01" * 256)
        assert not backend.ecdsa_verify(ec_key.public_key(), hash_name, b"m", b"\x01" * 64)
        for sign, key, error in (
            (backend.rsa_pkcs1v15_sign, rsa_key, InvalidKeyError),
            (backend.rsa_pss_sign, rsa_key, InvalidKeyError),
            (backend.ecdsa_sign, ec_key, InvalidAlgorithmError),
        ):
            with pytest.raises(error, match="unsupported"):
                sign(key, hash_name, b"m")


@settings(max_examples=60, deadline=None)
@given(signature=st.binary(max_size=300), message=st.binary(max_size=40))
def test_garbage_never_verifies_and_never_raises(signature: bytes, message: bytes) -> None:
    rsa_public = _pool("rsa2048.pem").public_key()
    for backend in (_pure(), _crypto()):
        results = [
            backend.rsa_pkcs1v15_verify(rsa_public, "sha256", message, signature),
            backend.rsa_pss_verify(rsa_public, "sha512", message, signature),
            backend.ecdsa_verify(ECPublicKey("P-256", 1, 2), "sha256", message, signature),
            backend.eddsa_verify(OKPPublicKey("Ed25519", signature[:32]), message, signature[32:]),
            backend.eddsa_verify(OKPPublicKey("Ed448", signature[:57]), message, signature[57:]),
        ]
        for curve, name in sorted(EC_POOL.items()):
            public, hash_name = _pool(name).public_key(), _curve_hash(curve)
            results.append(backend.ecdsa_verify(public, hash_name, message, signature))
        assert results == [False] * 9


@pytest.mark.parametrize("curve", sorted(OKP_POOL))
def test_small_order_components_are_judged_alike(curve: str) -> None:
    p, _, _, order, size = EDWARDS[curve]
    key, other = _pool(OKP_POOL[curve]), _crypto().generate_okp(curve)
    sign_bit = 8 * size - 1
    # R = [r]B + T for T = (0, -1), of order 2: adding T negates both coordinates, so R's
    # encoding is p - y with the x sign bit flipped. [r]B is the public key of another seed.
    r_point = int.from_bytes(other.x, "little")
    y, x_odd = r_point & ((1 << sign_bit) - 1), r_point >> sign_bit
    r_enc = ((p - y) | ((x_odd ^ 1) << sign_bit)).to_bytes(size, "little")

    def sign_with(r_enc: bytes) -> bytes:  # §5.1.6 / §5.2.6 steps 4-5 with r = other's scalar
        k = challenge(curve, r_enc, key.x, b"m")
        s = (secret_scalar(curve, other.d) + k * secret_scalar(curve, key.d)) % order
        return r_enc + s.to_bytes(size, "little")

    for backend in (_pure(), _crypto()):  # the construction is sound: without T it verifies
        assert backend.eddsa_verify(key.public_key(), b"m", sign_with(other.x))
    signature = sign_with(r_enc)
    # And the neutral point as A: R = [S]B satisfies [S]B = R + [k]A for every message.
    neutral = OKPPublicKey(curve, (1).to_bytes(size, "little"))
    neutral_sig = key.x + (secret_scalar(curve, key.d) % order).to_bytes(size, "little")
    verdicts = [
        (
            backend.eddsa_verify(key.public_key(), b"m", signature),
            backend.eddsa_verify(neutral, b"m", neutral_sig),
        )
        for backend in (_pure(), _crypto())
    ]
    # Ed25519 is cofactorless: R's order-2 part breaks [S]B = R + [k]A; the neutral A is fine.
    # Ed448 is cofactored, so it drops out; but OpenSSL's decoder refuses the neutral A (x = 0).
    assert verdicts[0] == verdicts[1] == {"Ed25519": (False, True), "Ed448": (True, False)}[curve]


@pytest.mark.parametrize("curve", sorted(OKP_POOL))
def test_non_canonical_public_keys_are_refused_by_both(curve: str) -> None:
    p, _, _, order, size = EDWARDS[curve]
    key = _pool(OKP_POOL[curve])
    # With the neutral point as A, R = [S]B verifies any message; its spellings other than y = 1
    # (y + p, or the sign bit set while x = 0; §5.1.3 / §5.2.3 decoding steps 1 and 4) must
    # fail decoding on both backends, or one key would have two spellings on one backend only.
    signature = key.x + (secret_scalar(curve, key.d) % order).to_bytes(size, "little")
    sign_bit = 1 << (8 * size - 1)
    spellings = {
        "y + p": p + 1,
        "sign bit": sign_bit | 1,
        "order 2, sign bit": sign_bit | (p - 1),
        # (x, 0) has order 4 on both curves; y = p spells it again, with either sign.
        "order 4, y + p": p,
        "order 4, y + p, sign bit": sign_bit | p,
    }
    verdicts = {}
    for label, value in spellings.items():
        public = OKPPublicKey(curve, value.to_bytes(size, "little"))
        verdicts[label] = [b.eddsa_verify(public, b"any", signature) for b in (_pure(), _crypto())]
    assert verdicts == {label: [False, False] for label in spellings}


@pytest.mark.parametrize("curve", sorted(OKP_POOL))
def test_crafted_eddsa_cases_are_judged_alike(curve: str) -> None:
    # Small-order, mixed-order and neutral A and R, non-canonical R, S + 1 and S + L: both
    # backends give the verdict that the equation documented in _edwards predicts.
    key, other = _pool(OKP_POOL[curve]), _crypto().generate_okp(curve)
    cases = crafted_cases(curve, key.d, other.d) + encoding_cases(curve, key.d)
    assert len(cases) == CRAFTED_COUNTS[curve]
    verdicts = {
        label: [
            b.eddsa_verify(OKPPublicKey(curve, pub), MESSAGE, sig) for b in (_pure(), _crypto())
        ]
        for label, pub, sig, _ in cases
    }
    assert {label: v for label, v in verdicts.items() if v[0] != v[1]} == {}
    assert {label: verdicts[label][0] for label, _, _, _ in cases} == {
        label: ok for label, _, _, ok in cases
    }


# --- both backends accept the same RSA keys (issue #11 item 3) -------------------------------

#: Smallest exponent sizes tried: e = 3 (or the next odd value coprime to lambda) up to 2^255.
EXPONENT_BITS = [2, 17, 33, 64, 65, 129, 256]


def _with_exponent(key: RSAPrivateKey, bits: int) -> RSAPrivateKey:
    """``key``'s primes with the smallest valid odd exponent of at least ``bits`` bits."""
    lam = math.lcm(key.p - 1, key.q - 1)
    e = (1 << (bits - 1)) | 1
    while math.gcd(e, lam) != 1:
        e += 2
    d = pow(e, -1, lam)
    return RSAPrivateKey(
        key.n, e, d, key.p, key.q, d % (key.p - 1), d % (key.q - 1), pow(key.q, -1, key.p)
    )


@pytest.mark.parametrize("name", ["rsa2048.pem", "rsa3584.pem", "rsa4096.pem"])
def test_both_backends_accept_the_same_exponents(name: str) -> None:
    checked = 0
    for bits in EXPONENT_BITS:
        key = _with_exponent(_pool(name), bits)
        assert bits <= key.e.bit_length() <= bits + 1  # e = 3 may become 5 or 7
        # Accepted at load (every loader shares _rsacheck) ...
        loaded = load_key(dump_pem(key))
        assert loaded == key
        public = load_key(dump_pem(key.public_key()))
        # ... and each backend's signature verifies on both, PKCS#1 v1.5 and PSS alike.
        for signer in (_pure(), _crypto()):
            for sign, verify_name in (
                (signer.rsa_pkcs1v15_sign, "rsa_pkcs1v15_verify"),
                (signer.rsa_pss_sign, "rsa_pss_verify"),
            ):
                signature = sign(key, "sha256", b"same keys")
                for verifier in (_pure(), _crypto()):
                    verify = getattr(verifier, verify_name)
                    assert verify(public, "sha256", b"same keys", signature), (bits, verify_name)
                    assert not verify(public, "sha256", b"other", signature)
                    checked += 1
    assert checked == len(EXPONENT_BITS) * 2 * 2 * 2


def test_the_order_4_point_spelled_with_y_equal_to_p_verifies_nowhere() -> None:
    # Ed25519's (x, 0) has order 4. A signature (R, S) = (A_key, a) of the pool key satisfies
    # [S]B = R + [k](x, 0) exactly when k = 0 (mod 4) (cofactorless, [k] with k mod L): the
    # message is chosen so. Spelled canonically (y = 0) both backends accept it; spelled y = p
    # (OpenSSL would reduce it to 0) both refuse it, RFC 8032 §5.1.3 decoding step 1.
    p, _, _, order, size = EDWARDS["Ed25519"]
    key = _pool(OKP_POOL["Ed25519"])
    signature = key.x + (secret_scalar("Ed25519", key.d) % order).to_bytes(size, "little")
    verdicts = {}
    for label, y in (("canonical", 0), ("y = p", p)):
        encoded = y.to_bytes(size, "little")
        message = next(
            m
            for m in (b"m%d" % i for i in range(64))
            if challenge("Ed25519", key.x, encoded, m) % order % 4 == 0
        )
        public = OKPPublicKey("Ed25519", encoded)
        verdicts[label] = [b.eddsa_verify(public, message, signature) for b in (_pure(), _crypto())]
    assert verdicts == {"canonical": [True, True], "y = p": [False, False]}
