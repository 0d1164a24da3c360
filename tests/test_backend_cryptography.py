"""The cryptography adapter's own edges, and the bridge from cryptography objects to neutral keys.

What only the adapter does: DER <-> raw ``R || S``, range and length checks before OpenSSL sees a
signature, the PSS salt length, the native-key cache, and key conversion from ``cryptography``
objects. Wycheproof runs against both backends in the RSA and EC test modules.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import re
import sys
import warnings
from typing import TYPE_CHECKING, Any
from unittest import mock

import pytest
from conftest import key_pem
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._crypto_objects import NATIVE, from_cryptography_key, load_encrypted_pem
from jwtlite._curves import CURVES, is_on_curve
from jwtlite._jwa import ALGORITHMS, curve_algorithm
from jwtlite.exceptions import InvalidKeyError, UnsupportedHashError
from jwtlite.keys import (
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    RSAPrivateKey,
    RSAPublicKey,
)

if TYPE_CHECKING:
    from jwtlite.backends.cryptography import CryptographyBackend


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Every test builds its native keys itself: mutation testing forks each mutant from a
    process whose caches an earlier run warmed (docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


HAS_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None
needs_crypto = pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="cryptography is not installed")
EC_POOL = {
    "P-256": "ec_p256.pem",
    "P-384": "ec_p384.pem",
    "P-521": "ec_p521.pem",
    "secp256k1": "ec_secp256k1.pem",
}
OKP_POOL = {"Ed25519": "ed25519.pem", "Ed448": "ed448.pem"}
HASHES = ["sha256", "sha384", "sha512"]
# Built on first use inside a hypothesis test (a module-level fixture would need cryptography).
_ENCRYPTED: dict[str, bytes] = {}


def _curve_hash(curve: str) -> str:
    """The hash of the JWS algorithm bound to ``curve`` (from the JWA table)."""
    return ALGORITHMS[curve_algorithm(curve)].hash_name


# --- the cryptography backend ----------------------------------------------------------------


@pytest.fixture(scope="module")
def cb() -> CryptographyBackend:
    pytest.importorskip("cryptography")
    from jwtlite.backends.cryptography import CryptographyBackend

    return CryptographyBackend()


def _native_key(name: str) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(key_pem(name), None)


def _neutral(name: str) -> Any:
    """A pool key as a neutral key with an empty cache, so the backend converts the numbers."""
    key = from_cryptography_key(_native_key(name))
    assert key is not None
    return dataclasses.replace(key)


def _fresh(key: Any) -> Any:
    return dataclasses.replace(key)


@pytest.fixture(scope="module")
def rsa_key() -> RSAPrivateKey:
    pytest.importorskip("cryptography")
    key = _neutral("rsa2048.pem")
    assert isinstance(key, RSAPrivateKey)
    return key


def _ec_key(curve: str) -> ECPrivateKey:
    key = _neutral(EC_POOL[curve])
    assert isinstance(key, ECPrivateKey)
    assert key.curve == curve
    return key


def _raw(r: int, s: int, size: int) -> bytes:
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


@pytest.mark.parametrize("curve", sorted(EC_POOL))
def test_ecdsa_raw_signature_is_der_at_the_edge(cb: CryptographyBackend, curve: str) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric import utils as dss

    key, size, hash_name = _ec_key(curve), CURVES[curve].size, _curve_hash(curve)
    ecdsa = ec.ECDSA(getattr(hashes, hash_name.upper())())
    native = _native_key(EC_POOL[curve])
    ours = cb.ecdsa_sign(key, hash_name, b"payload")
    assert len(ours) == 2 * size
    r, s = int.from_bytes(ours[:size], "big"), int.from_bytes(ours[size:], "big")
    native.public_key().verify(dss.encode_dss_signature(r, s), b"payload", ecdsa)

    theirs = native.sign(b"other", ecdsa)
    public = _fresh(key.public_key())
    raw = _raw(*dss.decode_dss_signature(theirs), size)
    assert cb.ecdsa_verify(public, hash_name, b"other", raw)
    assert not cb.ecdsa_verify(public, hash_name, b"othe", raw)
    assert not cb.ecdsa_verify(public, hash_name, b"other", theirs)  # DER is not JWS's format


@pytest.mark.parametrize("curve", sorted(EC_POOL))
def test_ecdsa_rejects_out_of_range_and_wrong_length(cb: CryptographyBackend, curve: str) -> None:
    params = CURVES[curve]
    key, size, n, h = _ec_key(curve), params.size, params.n, _curve_hash(curve)
    public = key.public_key()
    good = cb.ecdsa_sign(key, h, b"m")
    r, s = int.from_bytes(good[:size], "big"), int.from_bytes(good[size:], "big")
    assert cb.ecdsa_verify(public, h, b"m", good)
    bad = [
        _raw(0, s, size),
        _raw(r, 0, size),
        _raw(0, 0, size),  # CVE-2022-21449: all-zero signature
        _raw(n, s, size),
        _raw(r, n, size),
        _raw(r, n + 1, size),
        b"\xff" * (2 * size),
        good[:-1],
        good + b"\x00",
        b"\x00" + good,
        good[: size - 1] + good[size:],
        b"",
    ]
    if r + n < 1 << (8 * size):  # always for P-521, whose 66-byte field has room for r + n
        bad.extend([_raw(r + n, s, size), _raw(r, s + n, size)])
    assert [cb.ecdsa_verify(public, h, b"m", sig) for sig in bad] == [False] * len(bad)
    assert len(bad) >= 12


def test_ecdsa_bad_keys(cb: CryptographyBackend) -> None:
    key, params = _ec_key("P-256"), CURVES["P-256"]
    signature = cb.ecdsa_sign(key, "sha256", b"m")
    assert cb.ecdsa_verify(ECPublicKey("P-256", key.x, key.y), "sha256", b"m", signature)
    for public in (
        ECPublicKey("P-256", key.x, key.y + 1),  # off the curve
        ECPublicKey("P-256", key.x, key.y + params.p),  # non-canonical: OpenSSL would reduce it
        ECPublicKey("P-256", 0, 0),
        ECPublicKey("P-192", key.x, key.y),
        ECPublicKey("P-384", key.x, key.y),
    ):
        assert cb.ecdsa_verify(public, "sha256", b"m", signature) is False
    for bad in (
        dataclasses.replace(key, curve="P-192"),
        dataclasses.replace(key, y=params.p - key.y),  # -(d*G), not d*G
        dataclasses.replace(key, d=0),
        dataclasses.replace(key, d=params.n),
    ):
        with pytest.raises(InvalidKeyError):
            cb.ecdsa_sign(bad, "sha256", b"m")
    with pytest.raises(InvalidKeyError, match="unsupported curve"):
        cb.generate_ec("P-192")


@pytest.mark.parametrize("hash_name", HASHES)
def test_pss_uses_salt_length_equal_to_hash_length(
    cb: CryptographyBackend, rsa_key: RSAPrivateKey, hash_name: str
) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    hash_obj = getattr(hashes, hash_name.upper())()
    native = _native_key("rsa2048.pem")

    def pss(salt_length: Any) -> Any:
        return padding.PSS(mgf=padding.MGF1(hash_obj), salt_length=salt_length)

    ours = cb.rsa_pss_sign(rsa_key, hash_name, b"m")
    native.public_key().verify(ours, b"m", pss(hash_obj.digest_size), hash_obj)
    for other in (0, hash_obj.digest_size - 1, hash_obj.digest_size + 1):
        with pytest.raises(InvalidSignature):
            native.public_key().verify(ours, b"m", pss(other), hash_obj)

    public = rsa_key.public_key()
    for salt_length in (0, 20, hash_obj.digest_size + 1, padding.PSS.MAX_LENGTH):
        foreign = native.sign(b"m", pss(salt_length), hash_obj)
        assert not cb.rsa_pss_verify(public, hash_name, b"m", foreign)
    same = native.sign(b"m", pss(hash_obj.digest_size), hash_obj)
    assert cb.rsa_pss_verify(public, hash_name, b"m", same)
    assert ours != cb.rsa_pss_sign(rsa_key, hash_name, b"m")  # a fresh random salt each time


@pytest.mark.parametrize("method", ["pkcs1v15", "pss"])
def test_rsa_verify_rejects_bad_lengths_and_ranges(
    cb: CryptographyBackend, rsa_key: RSAPrivateKey, method: str
) -> None:
    sign = getattr(cb, f"rsa_{method}_sign")
    verify = getattr(cb, f"rsa_{method}_verify")
    public, k = rsa_key.public_key(), 256
    signature = sign(rsa_key, "sha256", b"m")
    assert len(signature) == k
    assert verify(public, "sha256", b"m", signature)
    bad = [
        b"",
        signature[1:],
        b"\x00" + signature,
        signature + b"\x00",
        rsa_key.n.to_bytes(k, "big"),  # s == n (RFC 8017 §5.2.2 step 1)
        (rsa_key.n + 1).to_bytes(k, "big"),
        b"\xff" * k,
        b"\x00" * k,
    ]
    assert [verify(public, "sha256", b"m", sig) for sig in bad] == [False] * len(bad)
    assert not verify(public, "sha384", b"m", signature)


@pytest.mark.parametrize("method", ["pkcs1v15", "pss"])
def test_rsa_short_signature_with_stripped_zero_is_rejected(
    cb: CryptographyBackend, rsa_key: RSAPrivateKey, method: str
) -> None:
    # OpenSSL itself accepts a PSS signature whose leading zero octet was dropped.
    sign = getattr(cb, f"rsa_{method}_sign")
    verify = getattr(cb, f"rsa_{method}_verify")
    public = rsa_key.public_key()
    # One signature in 256 starts with a zero octet; PKCS#1 v1.5 is deterministic, so its search
    # ends at the same message every run.
    for counter in range(4000):
        message = counter.to_bytes(4, "big")
        signature = sign(rsa_key, "sha256", message)
        if signature[0] == 0:
            break
    else:  # pragma: no cover - odds of (255/256)**4000
        pytest.fail("no signature with a leading zero byte")
    assert verify(public, "sha256", message, signature)
    assert not verify(public, "sha256", message, signature[1:])


def test_rsa_keys_too_small_for_the_hash(cb: CryptographyBackend) -> None:
    small = _neutral("rsa1024.pem")
    with pytest.raises(InvalidKeyError, match="too small for PSS"):
        cb.rsa_pss_sign(small, "sha512", b"m")  # emLen 128 < hLen + sLen + 2 = 130
    assert len(cb.rsa_pkcs1v15_sign(small, "sha512", b"m")) == 128
    # A toy 512-bit modulus is too short for the SHA-512 DigestInfo (RFC 8017 §9.2 step 3).
    p, q = (1 << 255) + 95, (1 << 257) + 421
    toy = RSAPrivateKey(p * q, 65537, 3, p, q, 3, 3, 1)
    with pytest.raises(InvalidKeyError, match=r"too small for sha512|refused the key"):
        cb.rsa_pkcs1v15_sign(toy, "sha512", b"m")


def test_a_hash_openssl_refuses_to_sign_with_is_unsupported(
    cb: CryptographyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An OpenSSL in FIPS mode refuses SHA-1 signatures: the caller gets UnsupportedHashError,
    # never cryptography's own UnsupportedAlgorithm.
    from cryptography.exceptions import UnsupportedAlgorithm

    from jwtlite.backends import cryptography as adapter

    def refuse(*args: object) -> bytes:
        raise UnsupportedAlgorithm("digest not allowed")

    refusing = mock.Mock(sign=refuse)
    monkeypatch.setattr(adapter, "_rsa_private", lambda key: refusing)
    monkeypatch.setattr(adapter, "_ec_private", lambda key: refusing)
    rsa_key, ec_key = _neutral("rsa2048.pem"), _neutral("ec_p256.pem")
    for sign, key in ((cb.rsa_pkcs1v15_sign, rsa_key), (cb.rsa_pss_sign, rsa_key),
                      (cb.ecdsa_sign, ec_key)):  # fmt: skip
        with pytest.raises(UnsupportedHashError, match="'sha1': digest not allowed"):
            sign(key, "sha1", b"m")


def test_rsa_validation_is_skipped_only_where_supported(
    cb: CryptographyBackend, rsa_key: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cryptography

    from jwtlite.backends import cryptography as adapter

    major = int(cryptography.__version__.split(".")[0])
    assert adapter._SKIP_RSA_VALIDATION is (major >= 39)
    monkeypatch.setattr(adapter, "_SKIP_RSA_VALIDATION", False)
    checked = _fresh(rsa_key)
    assert cb.rsa_pkcs1v15_sign(checked, "sha256", b"m") == cb.rsa_pkcs1v15_sign(
        rsa_key, "sha256", b"m"
    )
    inconsistent = dataclasses.replace(rsa_key, d=rsa_key.d + 2)
    with pytest.raises(InvalidKeyError, match="cryptography refused the key"):
        cb.rsa_pkcs1v15_sign(inconsistent, "sha256", b"m")


def test_native_key_is_cached_per_key(cb: CryptographyBackend) -> None:
    key_a, key_b = _neutral("rsa2048.pem"), _neutral("rsa2048_b.pem")
    assert NATIVE.lookup(key_a) is None
    cb.rsa_pkcs1v15_sign(key_a, "sha256", b"m")
    native = NATIVE.lookup(key_a)
    cb.rsa_pss_sign(key_a, "sha256", b"m")
    assert NATIVE.lookup(key_a) is native
    # Planting key B's native object proves the cache, not the numbers, is used from now on.
    cb.rsa_pkcs1v15_sign(key_b, "sha256", b"m")
    NATIVE.store(key_a, NATIVE.lookup(key_b))
    planted = cb.rsa_pkcs1v15_sign(key_a, "sha256", b"m")
    assert cb.rsa_pkcs1v15_verify(key_b.public_key(), "sha256", b"m", planted)
    assert not cb.rsa_pkcs1v15_verify(key_a.public_key(), "sha256", b"m", planted)


def test_private_keys_verify_through_their_public_half(
    cb: CryptographyBackend, rsa_key: RSAPrivateKey
) -> None:
    ec_key, ed_key = _ec_key("P-384"), _neutral("ed25519.pem")
    signatures = [
        cb.rsa_pkcs1v15_sign(rsa_key, "sha256", b"m"),
        cb.ecdsa_sign(ec_key, "sha384", b"m"),
        cb.eddsa_sign(ed_key, b"m"),
    ]
    # The protocol names public keys; a private one is verified through its public half.
    for message, expected in ((b"m", True), (b"n", False)):
        rsa_ok = cb.rsa_pkcs1v15_verify(rsa_key, "sha256", message, signatures[0])  # type: ignore[arg-type]
        assert rsa_ok is expected
        assert cb.ecdsa_verify(ec_key, "sha384", message, signatures[1]) is expected  # type: ignore[arg-type]
        assert cb.eddsa_verify(ed_key, message, signatures[2]) is expected


@pytest.mark.parametrize(("curve", "length"), [("Ed25519", 64), ("Ed448", 114)])
def test_eddsa_edges(cb: CryptographyBackend, curve: str, length: int) -> None:
    key = _neutral(OKP_POOL[curve])
    assert isinstance(key, OKPPrivateKey)
    signature = cb.eddsa_sign(key, b"m")
    assert len(signature) == length
    assert signature == cb.eddsa_sign(_fresh(key), b"m")  # RFC 8032: deterministic
    public = _fresh(key.public_key())
    assert cb.eddsa_verify(public, b"m", signature)
    for sig in (b"", signature[:-1], signature + b"\x00", b"\x00" * length):
        assert cb.eddsa_verify(public, b"m", sig) is False
    for bad_public in (
        OKPPublicKey(curve, key.x[:-1]),
        OKPPublicKey(curve, b""),
        OKPPublicKey("X25519", key.x),
        OKPPublicKey("Ed448" if curve == "Ed25519" else "Ed25519", key.x),
    ):
        assert cb.eddsa_verify(bad_public, b"m", signature) is False
    for bad_private in (
        OKPPrivateKey(curve, key.d[:-1], key.x),
        OKPPrivateKey("X448", key.d, key.x),
    ):
        with pytest.raises(InvalidKeyError):
            cb.eddsa_sign(bad_private, b"m")


def test_generated_keys(cb: CryptographyBackend) -> None:
    # test_cross_backend.py signs with these on the pure backend; here: shape and refusals.
    rsa_key = cb.generate_rsa(2048)
    assert (rsa_key.n.bit_length(), rsa_key.e, rsa_key.n) == (2048, 65537, rsa_key.p * rsa_key.q)
    assert pow(pow(5, rsa_key.e, rsa_key.n), rsa_key.d, rsa_key.n) == 5
    ec_key = cb.generate_ec("secp256k1")
    assert is_on_curve(CURVES["secp256k1"], ec_key.x, ec_key.y)
    assert 0 < ec_key.d < CURVES["secp256k1"].n
    okp = cb.generate_okp("Ed448")
    assert (okp.curve, len(okp.d), len(okp.x)) == ("Ed448", 57, 57)
    assert cb.generate_okp("Ed25519").d != cb.generate_okp("Ed25519").d
    for curve, size in (("X25519", 32), ("X448", 56)):
        xdh_key = cb.generate_okp(curve)
        assert (xdh_key.curve, len(xdh_key.d), len(xdh_key.x)) == (curve, size, size)
        assert cb.xdh_public_key(curve, xdh_key.d) == xdh_key.x
    with pytest.raises(InvalidKeyError, match="unsupported OKP curve"):
        cb.generate_okp("Curve25519")
    with pytest.raises(InvalidKeyError, match="cannot generate a 100-bit RSA key"):
        cb.generate_rsa(100)


# --- cryptography objects -> neutral keys ----------------------------------------------------


@needs_crypto
@pytest.mark.parametrize("name", ["rsa2048.pem", *EC_POOL.values(), *OKP_POOL.values()])
def test_from_cryptography_key_private_and_public(name: str) -> None:
    from cryptography.hazmat.primitives import serialization as ser

    native: Any = _native_key(name)
    private, public = from_cryptography_key(native), from_cryptography_key(native.public_key())
    # The SPKI and PKCS#8 encodings (RFC 5480, RFC 8410) embed the numbers and octets we read.
    spki = native.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    pkcs8 = native.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    assert private is not None
    assert NATIVE.lookup(private) is native
    assert public == private.public_key()
    assert type(public) in (RSAPublicKey, ECPublicKey, OKPPublicKey)
    if isinstance(private, RSAPrivateKey):
        assert private.n.to_bytes(256, "big") in spki
        assert all(v.to_bytes(128, "big") in pkcs8 for v in (private.p, private.q, private.qi))
    elif isinstance(private, ECPrivateKey):
        size = CURVES[private.curve].size
        assert spki.endswith(b"\x04" + _raw(private.x, private.y, size))
        assert private.d.to_bytes(size, "big") in pkcs8
    else:
        assert isinstance(private, OKPPrivateKey)
        assert spki.endswith(private.x)
        assert pkcs8.endswith(private.d)


@needs_crypto
def test_from_cryptography_key_reads_key_agreement_keys() -> None:
    # X25519/X448 objects load since JWE (ECDH-ES); JWS still refuses them (test_keys.py).
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import x448, x25519

    raw = ser.Encoding.Raw, ser.PublicFormat.Raw
    for native, curve in (
        (x25519.X25519PrivateKey.generate(), "X25519"),
        (x448.X448PrivateKey.generate(), "X448"),
    ):
        private = from_cryptography_key(native)
        public = from_cryptography_key(native.public_key())
        assert isinstance(private, OKPPrivateKey)
        assert private.curve == curve
        encoded = native.public_key().public_bytes(*raw)
        assert public == private.public_key() == OKPPublicKey(curve, encoded)
        assert native.private_bytes(raw[0], ser.PrivateFormat.Raw, ser.NoEncryption()) == private.d
        assert NATIVE.lookup(private) is native


@needs_crypto
def test_from_cryptography_key_refuses_unusable_keys() -> None:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import dh, ec, rsa

    with warnings.catch_warnings():
        # cryptography 51 deprecates finite-field DH; the key is only here to be refused.
        warnings.simplefilter("ignore")
        dh_key = dh.generate_parameters(2, 512).generate_private_key()
    for obj in (dh_key, dh_key.public_key()):
        with pytest.raises(InvalidKeyError, match="keys cannot sign JWTs"):
            from_cryptography_key(obj)
    try:
        brainpool = ec.generate_private_key(ec.BrainpoolP256R1())
    except UnsupportedAlgorithm:  # pragma: no cover - OpenSSL built without Brainpool
        pytest.skip("no second curve available")
    for obj in (brainpool, brainpool.public_key()):
        with pytest.raises(InvalidKeyError, match="unsupported curve 'brainpoolP256r1'"):
            from_cryptography_key(obj)
    opaque = mock.Mock(spec=rsa.RSAPrivateKey)
    opaque.private_numbers.side_effect = NotImplementedError("key lives in an HSM")
    with pytest.raises(InvalidKeyError, match="HSM"):
        from_cryptography_key(opaque)


@pytest.mark.parametrize("obj", [None, object(), b"bytes", "text", 42, {"kty": "RSA"}])
def test_from_cryptography_key_ignores_other_objects(obj: object) -> None:
    assert from_cryptography_key(obj) is None


def _encrypt(name: str, password: bytes) -> bytes:
    from cryptography.hazmat.primitives import serialization

    pem: bytes = _native_key(name).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    )
    return pem


@needs_crypto
@pytest.mark.parametrize("name", ["rsa2048.pem", "ec_secp256k1.pem", "ed448.pem"])
def test_load_encrypted_pem(name: str) -> None:
    encrypted = _encrypt(name, b"correct horse")
    assert b"ENCRYPTED PRIVATE KEY" in encrypted
    key = load_encrypted_pem(encrypted, b"correct horse")
    assert key == from_cryptography_key(_native_key(name))
    for password in (b"wrong", b"", None):
        with pytest.raises(InvalidKeyError, match="cannot load the encrypted PEM key"):
            load_encrypted_pem(encrypted, password)
    with pytest.raises(InvalidKeyError, match="cannot load the encrypted PEM key"):
        load_encrypted_pem(key_pem(name), b"a password for an unencrypted key")


@needs_crypto
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_load_encrypted_pem_only_raises_invalid_key_error(data: st.DataObject) -> None:
    pem = _ENCRYPTED.setdefault("ec", _encrypt("ec_p256.pem", b"pw"))
    position = data.draw(st.integers(0, len(pem) - 1))
    mutated = data.draw(
        st.one_of(
            st.just(pem[:position]),
            st.binary(min_size=1, max_size=4).map(lambda b: pem[:position] + b + pem[position:]),
            st.integers(0, 255).map(
                lambda v: pem[:position] + bytes([v]) + pem[position + 1 :]
            ),
            st.binary(max_size=200),
        )
    )
    password = data.draw(st.sampled_from([b"pw", None, b"x"]))
    try:
        key = load_encrypted_pem(mutated, password)
    except InvalidKeyError:
        return
    assert isinstance(key, ECPrivateKey)


def test_load_encrypted_pem_without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(sys.modules):
        if name.split(".")[0] == "cryptography":
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(InvalidKeyError, match="need the optional 'cryptography' package"):
        load_encrypted_pem(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n", b"pw")


@needs_crypto
def test_cryptography_objects_are_not_examined_before_cryptography_is_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    native = _native_key("ec_p256.pem")
    monkeypatch.setitem(sys.modules, "cryptography", None)
    assert from_cryptography_key(native) is None


# --- the bridge's refusals, text for text (mutation testing of _crypto_objects) --------------


def _refused(call: Any, *args: Any) -> str:
    with pytest.raises(InvalidKeyError) as info:
        call(*args)
    return str(info.value)


@needs_crypto
def test_the_bridge_s_refusals_are_named_whole() -> None:
    from cryptography.hazmat.primitives.asymmetric import dh, ec, rsa

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # finite-field DH is deprecated in cryptography 51
        dh_key = dh.generate_parameters(2, 512).generate_private_key()
    # The object's own class name: DHPrivateKey today, _DHPrivateKey in older releases (3.4).
    for obj in (dh_key, dh_key.public_key()):
        assert type(obj).__name__.lstrip("_") in ("DHPrivateKey", "DHPublicKey")
        assert _refused(from_cryptography_key, obj) == f"{type(obj).__name__} keys cannot sign JWTs"
    supported = ": jwtlite supports P-256, P-384, P-521 and secp256k1"
    p192 = ec.generate_private_key(ec.SECP192R1())
    for obj in (p192, p192.public_key()):
        assert _refused(from_cryptography_key, obj) == "unsupported curve 'secp192r1'" + supported
    # A curve object without a name, or with one that is not a string (a hardware key's own
    # implementation of the interface).
    for name in (None, 5, ["secp256r1"]):
        odd = mock.Mock(spec=ec.EllipticCurvePublicKey)
        odd.curve = mock.Mock(spec=[])
        if name is not None:
            odd.curve.name = name
        assert _refused(from_cryptography_key, odd) == f"unsupported curve {name!r}" + supported
    opaque = mock.Mock(spec=rsa.RSAPublicKey)
    opaque.public_numbers.side_effect = ValueError("no numbers here")
    assert _refused(from_cryptography_key, opaque) == (
        "cannot read the cryptography key: no numbers here"
    )
    assert _refused(load_encrypted_pem, key_pem("ec_p256.pem"), b"pw").startswith(
        "cannot load the encrypted PEM key: "
    )


def test_encrypted_pem_without_cryptography_is_refused_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(sys.modules):
        if name.split(".")[0] == "cryptography":
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(InvalidKeyError) as info:
        load_encrypted_pem(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n", b"pw")
    assert str(info.value) == (
        "encrypted PEM keys need the optional 'cryptography' package (pip install"
        " 'jwtlite[crypto]'), or decrypt the key first"
    )


# --- found by mutation testing the adapter (docs/architecture.md, "Mutation testing") ---------


def _pure() -> Any:
    from jwtlite.backends import get_backend

    return get_backend("pure")


def _exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


def test_native_keys_never_answer_for_another_key(cb: CryptographyBackend) -> None:
    # Two keys of each kind, used one after the other: the cache must hold one native object per
    # neutral key. The pure backend, which caches no native objects, is the oracle.
    pure = _pure()
    rsa_keys = [_neutral("rsa2048.pem"), _neutral("rsa2048_b.pem")]
    rsa_sigs = [cb.rsa_pkcs1v15_sign(key, "sha256", b"m") for key in rsa_keys]
    assert rsa_sigs == [pure.rsa_pkcs1v15_sign(key, "sha256", b"m") for key in rsa_keys]
    publics = [_fresh(key.public_key()) for key in rsa_keys]
    assert [[cb.rsa_pkcs1v15_verify(pub, "sha256", b"m", sig) for sig in rsa_sigs]
            for pub in publics] == [[True, False], [False, True]]  # fmt: skip
    for curve in ("P-256", "Ed25519", "Ed448"):
        keys = [_fresh(cb.generate_ec(curve) if curve == "P-256" else cb.generate_okp(curve))
                for _ in range(2)]  # fmt: skip
        if curve == "P-256":
            sigs = [cb.ecdsa_sign(key, "sha256", b"m") for key in keys]
            verify = [[cb.ecdsa_verify(_fresh(k.public_key()), "sha256", b"m", s) for s in sigs]
                      for k in keys]  # fmt: skip
        else:
            sigs = [cb.eddsa_sign(key, b"m") for key in keys]
            assert sigs == [pure.eddsa_sign(key, b"m") for key in keys]
            verify = [[cb.eddsa_verify(_fresh(k.public_key()), b"m", s) for s in sigs]
                      for k in keys]  # fmt: skip
        assert verify == [[True, False], [False, True]], curve
    for curve in ("X25519", "X448"):
        peer = cb.generate_okp(curve).public_key()
        privates = [_fresh(cb.generate_okp(curve)) for _ in range(2)]
        secrets = [cb.xdh(private, peer) for private in privates]
        assert secrets == [pure.xdh(private, peer) for private in privates]
        assert secrets[0] != secrets[1]


def test_adapter_refusals_say_why(cb: CryptographyBackend, rsa_key: RSAPrivateKey) -> None:
    from jwtlite.backends._cryptography_keys import ec_peer, okp_public

    ec_key = _ec_key("P-256")
    off_curve = dataclasses.replace(ec_key, y=ec_key.y + 1)
    with pytest.raises(InvalidKeyError, match=_exactly(
            "the public point is not a canonical point of P-256")):  # fmt: skip
        cb.ecdsa_sign(off_curve, "sha256", b"m")
    with pytest.raises(InvalidKeyError, match=_exactly(
            "the public point is not a canonical point of P-256")):  # fmt: skip
        ec_peer(off_curve.public_key())
    with pytest.raises(InvalidKeyError, match=_exactly("unsupported curve 'P-192'")):
        ec_peer(ECPublicKey("P-192", ec_key.x, ec_key.y))
    with pytest.raises(InvalidKeyError, match=_exactly("unsupported EC curve 'P-192'")):
        cb.ec_public_point("P-192", 1)
    with pytest.raises(InvalidKeyError, match=_exactly("EC private scalar out of range for P-256")):
        cb.ec_public_point("P-256", 0)
    x25519 = cb.generate_okp("X25519")
    with pytest.raises(InvalidKeyError, match=_exactly("unsupported OKP curve 'X25519'")):
        cb.eddsa_sign(x25519, b"m")
    with pytest.raises(InvalidKeyError, match=_exactly("unsupported OKP curve 'X25519'")):
        okp_public(x25519.public_key())
    with pytest.raises(InvalidKeyError, match=_exactly("unsupported OKP curve 'X25519'")):
        cb.eddsa_public_key("X25519", x25519.d)
    p25519 = 2**255 - 19
    for encoded in (p25519.to_bytes(32, "little"), b"\xff" * 32, b"\x01" * 31):  # y >= p; length
        with pytest.raises(InvalidKeyError, match=_exactly(
                "non-canonical Ed25519 public key encoding")):  # fmt: skip
            okp_public(OKPPublicKey("Ed25519", encoded))
    with pytest.raises(InvalidKeyError, match=_exactly(
            "an Ed25519 private key has the wrong length")):  # fmt: skip
        cb.eddsa_public_key("Ed25519", bytes(31))
    with pytest.raises(InvalidKeyError, match=_exactly(
            "unsupported key-agreement curve 'Ed25519' (X25519 or X448)")):  # fmt: skip
        cb.xdh_public_key("Ed25519", bytes(32))
    for private in (bytes(31), bytearray(32)):
        with pytest.raises(InvalidKeyError, match=_exactly(
                "an X25519 private key must be 32 bytes")):  # fmt: skip
            cb.xdh_public_key("X25519", private)  # type: ignore[arg-type]
    ed25519 = cb.generate_okp("Ed25519")
    with pytest.raises(InvalidKeyError, match=_exactly(
            "unsupported key-agreement curve 'Ed25519'")):  # fmt: skip
        cb.xdh(ed25519, x25519.public_key())
    with pytest.raises(UnsupportedHashError, match=_exactly(
            "unsupported hash for RSA-OAEP: 'sha224'")):  # fmt: skip
        cb.rsa_oaep_encrypt(rsa_key.public_key(), "sha224", b"k")
    with pytest.raises(InvalidKeyError, match=_exactly("RSA key too small for this plaintext")):
        cb.rsa_oaep_encrypt(rsa_key.public_key(), "sha256", bytes(256 - 2 * 32 - 1))


def test_inputs_that_are_not_bytes_are_refused_alike(
    cb: CryptographyBackend, rsa_key: RSAPrivateKey
) -> None:
    # The protocol takes bytes; a bytearray of the right length is refused by both backends
    # (OpenSSL itself would read it), so neither answers what the other refuses.
    pure = _pure()
    ciphertext = cb.rsa_pkcs1v15_encrypt(rsa_key.public_key(), b"k" * 16)
    oaep = cb.rsa_oaep_encrypt(rsa_key.public_key(), "sha256", b"k" * 16)
    private = cb.generate_okp("X25519")
    peer = cb.generate_okp("X25519").public_key()
    as_bytearray = OKPPublicKey("X25519", peer.x)
    object.__setattr__(as_bytearray, "x", bytearray(peer.x))
    for backend in (pure, cb):
        assert backend.rsa_pkcs1v15_decrypt(rsa_key, ciphertext) == b"k" * 16
        assert backend.rsa_pkcs1v15_decrypt(rsa_key, bytearray(ciphertext)) is None
        assert backend.rsa_oaep_decrypt(rsa_key, "sha256", bytearray(oaep)) is None
        assert backend.xdh(private, peer) is not None
        assert backend.xdh(private, as_bytearray) is None


def test_key_agreement_curves_must_match(cb: CryptographyBackend) -> None:
    # An X25519 private key and a 32-byte Ed25519 public key: the same length, another curve.
    pure = _pure()
    private = cb.generate_okp("X25519")
    other = OKPPublicKey("Ed25519", cb.generate_okp("X25519").public_key().x)
    assert [backend.xdh(private, other) for backend in (pure, cb)] == [None, None]


def test_signature_values_are_range_checked_before_openssl(
    cb: CryptographyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SEC 1 §4.1.4 step 1 is the adapter's own check: under an OpenSSL that accepted r = 0 or
    # s = n (Java's CVE-2022-21449), the verdict would still be False. The stand-in accepts all.
    from jwtlite.backends import cryptography as adapter

    class Accepting:
        def verify(self, signature: bytes, message: bytes, algorithm: object) -> None:
            return None

    monkeypatch.setattr(adapter, "ec_public", lambda key: Accepting())
    key, params = _ec_key("P-256"), CURVES["P-256"]
    public, n, size = key.public_key(), params.n, params.size
    accepted = [_raw(1, 1, size), _raw(n - 1, n - 1, size)]
    refused = [_raw(0, 1, size), _raw(1, 0, size), _raw(n, 1, size), _raw(1, n, size)]
    assert [cb.ecdsa_verify(public, "sha256", b"m", sig) for sig in accepted] == [True, True]
    assert [cb.ecdsa_verify(public, "sha256", b"m", sig) for sig in refused] == [False] * 4


def test_an_all_zero_shared_secret_never_leaves(
    cb: CryptographyBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RFC 7748 §6.1: OpenSSL refuses an all-zero X25519/X448 result itself; the adapter checks
    # again, so an OpenSSL that returned it would still not hand it to the Concat KDF.
    from jwtlite.backends import cryptography as adapter

    class Returning:
        def __init__(self, shared: bytes) -> None:
            self.shared = shared

        def exchange(self, peer: object) -> bytes:
            return self.shared

    private = cb.generate_okp("X25519")
    peer = cb.generate_okp("X25519").public_key()
    for shared, expected in ((bytes(32), None), (b"\x01" + bytes(31), b"\x01" + bytes(31))):
        monkeypatch.setattr(adapter, "xdh_native", lambda key, s=shared: Returning(s))
        assert cb.xdh(private, peer) == expected


@needs_crypto
def test_skipping_openssls_rsa_key_check_is_detected_from_the_signature(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cryptography
    from cryptography.hazmat.primitives.asymmetric import rsa

    from jwtlite.backends import _cryptography_keys as keys

    major = int(cryptography.__version__.split(".")[0])
    assert keys._accepts_skip_validation() is (major >= 39)

    def old_private_key(self: object, backend: object = None) -> None:  # cryptography < 39
        return None

    monkeypatch.setattr(rsa.RSAPrivateNumbers, "private_key", old_private_key)
    assert keys._accepts_skip_validation() is False

    def no_signature(target: object) -> None:
        raise ValueError("no signature found for builtin")

    monkeypatch.setattr(keys.inspect, "signature", no_signature)
    assert keys._accepts_skip_validation() is False


def test_both_backends_sign_with_the_crt_values(
    cb: CryptographyBackend, rsa_key: RSAPrivateKey
) -> None:
    # Both sign through the CRT values (RFC 8017 §5.1.2 step 2b) and check the result with e;
    # neither reads d. Where cryptography lets OpenSSL's own key check be skipped (39+: it tests
    # p and q for primality, ~50 ms a key), a hand-built key whose d is off by two signs alike
    # on both, instead of being refused by one backend only.
    from jwtlite.backends._cryptography_keys import CAN_SKIP_RSA_VALIDATION

    if not CAN_SKIP_RSA_VALIDATION:
        pytest.skip("this cryptography always runs OpenSSL's key check")
    odd = dataclasses.replace(rsa_key, d=rsa_key.d + 2)
    expected = cb.rsa_pkcs1v15_sign(rsa_key, "sha256", b"m")
    assert cb.rsa_pkcs1v15_sign(odd, "sha256", b"m") == expected
    assert _pure().rsa_pkcs1v15_sign(odd, "sha256", b"m") == expected


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


def test_openssl_decrypts_with_every_key_it_takes(cb: CryptographyBackend) -> None:
    # OpenSSL 3.2+ answers bad RSAES-PKCS1-v1_5 padding with a synthetic message (implicit
    # rejection), the pure code with None (RFC 7516 §11.5 makes JWE treat both alike), so the
    # answer shows which one decrypted. OpenSSL refuses e above 64 bits only for n above 3072
    # bits; every other key stays with it, at each side of both bounds.
    def bad_padding(key: RSAPrivateKey) -> bytes:
        return pow(2, key.e, key.n).to_bytes((key.n.bit_length() + 7) // 8, "big")  # EM = 0...02

    reference = _neutral("rsa2048.pem")
    if cb.rsa_pkcs1v15_decrypt(reference, bad_padding(reference)) is None:
        pytest.skip("this OpenSSL answers bad padding with an error (no implicit rejection)")
    openssl = {("rsa4096.pem", 17): True, ("rsa4096.pem", 64): True,
               ("rsa3072.pem", 65): True, ("rsa4096.pem", 65): False}  # fmt: skip
    seen = {}
    for name, bits in openssl:
        key = _with_exponent(_neutral(name), bits)
        assert key.e.bit_length() == bits
        ciphertext = cb.rsa_pkcs1v15_encrypt(key.public_key(), b"k" * 16)
        assert _pure().rsa_pkcs1v15_decrypt(key, ciphertext) == b"k" * 16
        assert cb.rsa_pkcs1v15_decrypt(key, ciphertext) == b"k" * 16
        seen[name, bits] = cb.rsa_pkcs1v15_decrypt(key, bad_padding(key)) is not None
    assert seen == openssl


@needs_crypto
@pytest.mark.parametrize(("curve", "p", "size"), [
    ("Ed25519", 2**255 - 19, 32), ("Ed448", 2**448 - 2**224 - 1, 57)])  # fmt: skip
def test_x_zero_with_the_sign_bit_is_not_a_key(curve: str, p: int, size: int) -> None:
    # RFC 8032 §5.1.3 / §5.2.3 decoding step 4: x = 0 (y = 1 or y = p - 1) with the sign bit
    # set is refused; a key of this curve whose own encoding has the sign bit set is not.
    from jwtlite.backends._cryptography_keys import okp_public

    sign_bit = 1 << (8 * size - 1)
    for y in (1, p - 1):
        encoded = (sign_bit | y).to_bytes(size, "little")
        with pytest.raises(InvalidKeyError, match=_exactly(
                f"non-canonical {curve} public key encoding")):  # fmt: skip
            okp_public(OKPPublicKey(curve, encoded))
        okp_public(OKPPublicKey(curve, y.to_bytes(size, "little")))  # the same point, canonical
    signed = next(k for k in (_pure().generate_okp(curve) for _ in range(64)) if k.x[-1] & 0x80)
    okp_public(_fresh(signed.public_key()))


@pytest.mark.parametrize("pss", [False, True])
def test_exponents_openssl_refuses_verify_through_the_pure_code(
    cb: CryptographyBackend, pss: bool
) -> None:
    # A 65-bit e on a 4096-bit key: OpenSSL refuses it, so the adapter verifies in Python; the
    # answers are the pure backend's, for the right scheme, key and hash.
    pure = _pure()
    key = _with_exponent(_neutral("rsa4096.pem"), 65)
    other = _with_exponent(_neutral("rsa2048.pem"), 65)
    sign = pure.rsa_pss_sign if pss else pure.rsa_pkcs1v15_sign
    wrong_scheme = pure.rsa_pkcs1v15_sign if pss else pure.rsa_pss_sign
    verifier = cb.rsa_verifier(key.public_key(), "sha256", pss=pss)
    verify = cb.rsa_pss_verify if pss else cb.rsa_pkcs1v15_verify
    good = sign(key, "sha256", b"m")
    cases = [
        (b"m", good, True),
        (b"n", good, False),
        (b"m", sign(key, "sha384", b"m"), False),
        (b"m", wrong_scheme(key, "sha256", b"m"), False),
    ]
    assert [verifier(m, s) for m, s, _ in cases] == [expected for _, _, expected in cases]
    assert [verify(key.public_key(), "sha256", m, s) for m, s, _ in cases] == [
        expected for _, _, expected in cases
    ]
    assert verify(other.public_key(), "sha256", b"m", good) is False


def test_unknown_signing_hash_says_so(cb: CryptographyBackend, rsa_key: RSAPrivateKey) -> None:
    for sign, key in ((cb.rsa_pkcs1v15_sign, rsa_key), (cb.ecdsa_sign, _ec_key("P-256"))):
        with pytest.raises(UnsupportedHashError, match=_exactly("unsupported hash 'md5'")):
            sign(key, "md5", b"m")
