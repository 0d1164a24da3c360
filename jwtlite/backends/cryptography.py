"""The ``cryptography`` (pyca, OpenSSL) backend.

Importing this module raises ImportError when ``cryptography`` is missing; the selector in
``backends/__init__.py`` turns that into :class:`~jwtlite.exceptions.BackendUnavailableError`.

jwtlite parses every key format itself, so this adapter only rebuilds OpenSSL keys from the
neutral numbers (RFC 8017 §3, SEC 1 §2.3, RFC 8032 §5) and caches the result per key object
(``_crypto_objects.NATIVE``, by identity): a key used for many tokens is imported into OpenSSL
once.
ECDSA signatures cross this edge as DER (what OpenSSL speaks) and leave it as the fixed-width
``R || S`` of RFC 7518 §3.4, so callers never see DER.

Works with cryptography 3.4 and later: optional features are detected, not assumed.
"""

from __future__ import annotations

import inspect
from functools import partial
from typing import Any, Callable, TypeVar, Union, cast

from cryptography.exceptions import InvalidSignature, InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives import padding as symmetric_padding
from cryptography.hazmat.primitives.asymmetric import (
    ec,
    ed448,
    ed25519,
    padding,
    rsa,
    x448,
    x25519,
)
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from .._crypto_objects import NATIVE, from_cryptography_key
from .._curves import CURVES, is_on_curve
from .._keymodel import (
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    RSAPrivateKey,
    RSAPublicKey,
)
from .._rsacheck import check_signing_modulus, public_ok
from ..exceptions import InvalidKeyError, UnsupportedHashError
from ._aes_sizes import BLOCK_SIZE, GCM_IV_SIZE, GCM_TAG_SIZE, check_iv, check_key, check_wrap_input
from .pure import rsa as _pure_rsa
from .pure import rsa_encryption as _pure_rsa_encryption

__all__ = ["CryptographyBackend"]

_T = TypeVar("_T")
_Keyed = Union[RSAPublicKey, RSAPrivateKey, ECPublicKey, ECPrivateKey, OKPPublicKey, OKPPrivateKey]

#: Every hash of ``_jwa.SIGNATURE_HASHES``, by its hashlib name.
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha1": hashes.SHA1(),  # noqa: S303 - only for Algorithm objects built with it (_jwa)
    "sha224": hashes.SHA224(),
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
    "sha512_224": hashes.SHA512_224(),
    "sha512_256": hashes.SHA512_256(),
    "sha3_224": hashes.SHA3_224(),
    "sha3_256": hashes.SHA3_256(),
    "sha3_384": hashes.SHA3_384(),
    "sha3_512": hashes.SHA3_512(),
}
# RFC 7518 §3.5: MGF1 with the same hash, and a salt as long as the hash output. An explicit
# length (not AUTO/MAX) also makes OpenSSL reject a signature whose salt has any other length.
_PSS = {
    name: padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size) for name, h in _HASHES.items()
}
_PKCS1V15 = padding.PKCS1v15()
# RFC 7518 §4.3: MGF1 with the OAEP hash, empty label. RSA-OAEP is defined with SHA-1, whose
# collision weakness does not touch OAEP (it needs no collision resistance).
# RSA-OAEP's hashes are JWE's (RFC 7518 §4.3 and the IANA registry: SHA-1, SHA-256/384/512),
# not every hash a hand-built signature algorithm may use.
_OAEP = {
    name: padding.OAEP(mgf=padding.MGF1(h), algorithm=h, label=None)
    for name, h in {"sha1": hashes.SHA1(), **_HASHES}.items()  # noqa: S303 - see above
    if name in ("sha1", "sha256", "sha384", "sha512")
}
_EC_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "P-521": ec.SECP521R1,
    "secp256k1": ec.SECP256K1,
}
# Malformed input from OpenSSL's side arrives as one of these; verification maps them to False.
_BAD_INPUT = (InvalidSignature, InvalidKeyError, ValueError, UnsupportedAlgorithm)


def _accepts_skip_validation() -> bool:
    """Whether ``RSAPrivateNumbers.private_key`` takes ``unsafe_skip_rsa_key_validation`` (39+)."""
    try:
        params = inspect.signature(rsa.RSAPrivateNumbers.private_key).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a text signature
        return False
    return "unsafe_skip_rsa_key_validation" in params


_SKIP_RSA_VALIDATION = _accepts_skip_validation()
#: OpenSSL's RSA_check / verify refuse a public exponent above 64 bits once the modulus is
#: above 3072 bits (OPENSSL_RSA_MAX_PUBEXP_BITS, OPENSSL_RSA_SMALL_MODULUS_BITS).
_OPENSSL_MAX_E_BITS = 64
_OPENSSL_SMALL_N_BITS = 3072


def _hash(name: str) -> hashes.HashAlgorithm:
    """The hash object for signing; the same error as the pure backend for an unknown name."""
    try:
        return _HASHES[name]
    except KeyError:
        raise UnsupportedHashError(f"unsupported hash {name!r}") from None


def _cached(key: _Keyed, build: Callable[[], _T]) -> _T:
    """The native key cached for ``key``, built once.

    Only this module and ``_crypto_objects`` write to the cache, always with the native form of
    that very key (private for private, public for public), which makes the cast sound.
    """
    native = NATIVE.lookup(key)
    if native is None:
        try:
            native = build()
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise InvalidKeyError(f"cryptography refused the key: {exc}") from exc
        NATIVE.store(key, native)
    return cast(_T, native)


def _rsa_private(key: RSAPrivateKey) -> rsa.RSAPrivateKey:
    def build() -> rsa.RSAPrivateKey:
        numbers = rsa.RSAPrivateNumbers(
            p=key.p,
            q=key.q,
            d=key.d,
            dmp1=key.dp,
            dmq1=key.dq,
            iqmp=key.qi,
            public_numbers=rsa.RSAPublicNumbers(key.e, key.n),
        )
        if _SKIP_RSA_VALIDATION:
            # Safe only because jwtlite checked the key itself when loading it (n == p*q, d
            # agrees with e, no multi-prime), and OpenSSL still checks each CRT result against
            # e. Its own key check tests p and q for primality: about 50 ms per 2048-bit key,
            # which would dominate a one-shot encode().
            return numbers.private_key(unsafe_skip_rsa_key_validation=True)
        return numbers.private_key()

    return _cached(key, build)


def _rsa_public(key: RSAPublicKey | RSAPrivateKey) -> rsa.RSAPublicKey:
    # A private key's public half is a separate neutral object with its own cache slot.
    public = key.public_key()
    return _cached(public, lambda: rsa.RSAPublicNumbers(public.e, public.n).public_key())


def _ec_curve(name: str) -> ec.EllipticCurve:
    try:
        return _EC_CURVES[name]()
    except KeyError:
        raise InvalidKeyError(f"unsupported curve {name!r}") from None


def _ec_point(key: ECPublicKey | ECPrivateKey) -> ec.EllipticCurvePublicNumbers:
    curve = _ec_curve(key.curve)
    # SEC 1 §3.2.2.1: coordinates in [0, p-1] and on the curve. OpenSSL reduces a coordinate
    # >= p instead of refusing it, so the check is ours (and matches the pure backend).
    if not is_on_curve(CURVES[key.curve], key.x, key.y):
        raise InvalidKeyError(f"the public point is not a canonical point of {key.curve}")
    return ec.EllipticCurvePublicNumbers(key.x, key.y, curve)


def _ec_private(key: ECPrivateKey) -> ec.EllipticCurvePrivateKey:
    # Passing (x, y) lets OpenSSL check that they belong to d, instead of trusting them.
    return _cached(key, lambda: ec.EllipticCurvePrivateNumbers(key.d, _ec_point(key)).private_key())


def _ec_public(key: ECPublicKey | ECPrivateKey) -> ec.EllipticCurvePublicKey:
    public = key.public_key()
    return _cached(public, lambda: _ec_point(public).public_key())


_OKPPrivateNative = Union[ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey]
_OKPPublicNative = Union[ed25519.Ed25519PublicKey, ed448.Ed448PublicKey]


def _okp_private(key: OKPPrivateKey) -> _OKPPrivateNative:
    if key.curve == "Ed25519":
        return _cached(key, lambda: ed25519.Ed25519PrivateKey.from_private_bytes(key.d))
    if key.curve == "Ed448":
        return _cached(key, lambda: ed448.Ed448PrivateKey.from_private_bytes(key.d))
    raise InvalidKeyError(f"unsupported OKP curve {key.curve!r}")


# Field primes and encoded lengths of RFC 8032 §5.1 and §5.2.
_OKP_FIELD = {"Ed25519": (2**255 - 19, 32), "Ed448": (2**448 - 2**224 - 1, 57)}


def _okp_canonical(curve: str, encoded: bytes) -> bool:
    """Whether a public key passes RFC 8032 §5.1.3 / §5.2.3 decoding steps 1 and 4.

    OpenSSL accepts y >= p (it reduces y), so a second spelling of a key would verify there but
    not on the pure backend. x = 0 happens only for y = 1 or y = p - 1 (y^2 = 1), and with the
    sign bit set it is a non-canonical spelling too.
    """
    p, size = _OKP_FIELD[curve]
    if len(encoded) != size:
        return False
    value = int.from_bytes(encoded, "little")
    sign_bit = 8 * size - 1
    y = value & ((1 << sign_bit) - 1)
    if y >= p:
        return False
    return not (value >> sign_bit and y in (1, p - 1))


def _okp_public(key: OKPPublicKey | OKPPrivateKey) -> _OKPPublicNative:
    public = key.public_key()
    load: Callable[[bytes], _OKPPublicNative]
    if public.curve == "Ed25519":
        load = ed25519.Ed25519PublicKey.from_public_bytes
    elif public.curve == "Ed448":
        load = ed448.Ed448PublicKey.from_public_bytes
    else:
        raise InvalidKeyError(f"unsupported OKP curve {public.curve!r}")

    def build() -> _OKPPublicNative:
        if not _okp_canonical(public.curve, public.x):
            raise InvalidKeyError(f"non-canonical {public.curve} public key encoding")
        return load(public.x)

    return _cached(public, build)


def _rsa_length_ok(key: RSAPublicKey | RSAPrivateKey, signature: bytes) -> bool:
    # RFC 8017 §8.1.2 step 1 / §8.2.2 step 1: the signature is exactly k octets. OpenSSL
    # accepts a PSS signature whose leading zero octet was dropped; the pure backend does not.
    return len(signature) == (key.n.bit_length() + 7) // 8


def _raw_to_der(key: ECPublicKey | ECPrivateKey, signature: bytes) -> bytes | None:
    """DER for a raw ``R || S`` (RFC 7518 §3.4), or None when it cannot be a valid signature."""
    curve = CURVES.get(key.curve)
    if curve is None:
        return None
    size = curve.size
    if len(signature) != 2 * size:
        return None
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    # ECDSA verification step 1 (SEC 1 §4.1.4): r and s in [1, n-1]; CVE-2022-21449 class.
    if not (0 < r < curve.n and 0 < s < curve.n):
        return None
    return encode_dss_signature(r, s)


def _der_to_raw(curve_name: str, der: bytes) -> bytes:
    size = CURVES[curve_name].size
    r, s = decode_dss_signature(der)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _rsa_sign(key: RSAPrivateKey, hash_name: str, message: bytes, *, pss: bool) -> bytes:
    algorithm = _hash(hash_name)
    # On every call, not only when the native key is built: a native key converted from a
    # cryptography object is cached without being built here.
    check_signing_modulus(key.n, key.e)
    native = _rsa_private(key)
    padding = _PSS[hash_name] if pss else _PKCS1V15
    try:
        return native.sign(message, padding, algorithm)
    except UnsupportedAlgorithm as exc:  # a hash this OpenSSL build lacks
        raise UnsupportedHashError(f"unsupported hash {hash_name!r}: {exc}") from exc
    except ValueError as exc:
        # RFC 8017 §9.2 step 3 / §9.1.1 step 3: the modulus is too short for the encoding.
        scheme = f"PSS with {hash_name}" if pss else hash_name
        raise InvalidKeyError(f"RSA key too small for {scheme}") from exc


def _rsa_verify(
    key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes, *, pss: bool
) -> bool:
    return _rsa_verifier(key, hash_name, pss=pss)(message, signature)


def _refuse(message: bytes, signature: bytes) -> bool:
    return False


def _openssl_refuses_exponent(key: RSAPublicKey | RSAPrivateKey) -> bool:
    return key.e.bit_length() > _OPENSSL_MAX_E_BITS and key.n.bit_length() > _OPENSSL_SMALL_N_BITS


def _rsa_verifier(
    key: RSAPublicKey, hash_name: str, *, pss: bool
) -> Callable[[bytes, bytes], bool]:
    """Verification under one key: the key's checks and its OpenSSL object done once, here.
    :func:`_rsa_verify` is this, bound and called at once, so both give the same answers."""
    algorithm = _HASHES.get(hash_name)
    if algorithm is None or not public_ok(key.n, key.e):
        return _refuse
    if _openssl_refuses_exponent(key):
        # OpenSSL refuses such keys; jwtlite accepts e up to 2^256 (FIPS 186-5), so both
        # backends accept the same keys. A 256-bit exponent costs milliseconds in Python.
        return partial(_pure_rsa.pss_verify if pss else _pure_rsa.pkcs1v15_verify, key, hash_name)
    try:
        native = _rsa_public(key)
    except _BAD_INPUT:
        return _refuse
    padding = _PSS[hash_name] if pss else _PKCS1V15

    def verify(message: bytes, signature: bytes) -> bool:
        if not _rsa_length_ok(key, signature):
            return False
        try:
            native.verify(signature, message, padding, algorithm)
        except _BAD_INPUT:
            return False
        return True

    return verify


# --- JWE: RSA encryption and key agreement ---------------------------------------------------


def _oaep(hash_name: str) -> padding.OAEP:
    try:
        return _OAEP[hash_name]
    except (KeyError, TypeError):
        raise UnsupportedHashError(f"unsupported hash for RSA-OAEP: {hash_name!r}") from None


def _rsa_encrypt(key: RSAPublicKey, plaintext: bytes, pad: padding.AsymmetricPadding) -> bytes:
    # The pure backend's checks, so both refuse the same keys: public bounds and ROCA (anyone
    # could decrypt what is encrypted to such a key).
    check_signing_modulus(key.n, key.e)
    try:
        return _rsa_public(key).encrypt(plaintext, pad)
    except ValueError as exc:
        # RFC 8017 §7.1.1 step 1b / §7.2.1 step 1: "message too long" for this modulus.
        raise InvalidKeyError("RSA key too small for this plaintext") from exc


def _rsa_decrypt(
    key: RSAPrivateKey, ciphertext: bytes, pad: padding.AsymmetricPadding
) -> bytes | None:
    # RFC 8017 §7.1.2 step 1b / §7.2.2 step 1: exactly k octets. cryptography checks this too;
    # checking first keeps a hostile ciphertext away from the key checks and OpenSSL.
    if not isinstance(ciphertext, bytes) or len(ciphertext) != (key.n.bit_length() + 7) // 8:
        return None
    check_signing_modulus(key.n, key.e)
    try:
        return _rsa_private(key).decrypt(ciphertext, pad)
    except ValueError:
        return None


_XDHPrivateNative = Union[x25519.X25519PrivateKey, x448.X448PrivateKey]
#: RFC 7748 §5: the key classes and the length of keys and u-coordinates, per function.
_XDH: dict[str, tuple[Any, Any, int]] = {
    "X25519": (x25519.X25519PrivateKey, x25519.X25519PublicKey, 32),
    "X448": (x448.X448PrivateKey, x448.X448PublicKey, 56),
}


def _xdh_private(curve: str, private: bytes) -> _XDHPrivateNative:
    if curve not in _XDH:
        raise InvalidKeyError(f"unsupported key-agreement curve {curve!r} (X25519 or X448)")
    private_type, _, size = _XDH[curve]
    if not isinstance(private, bytes) or len(private) != size:
        raise InvalidKeyError(f"an {curve} private key must be {size} bytes")
    return cast(_XDHPrivateNative, private_type.from_private_bytes(private))


def _xdh(private: OKPPrivateKey, public: OKPPublicKey) -> bytes | None:
    if private.curve not in _XDH:
        # Before the cache: an Ed25519 key converted from a cryptography object is cached too.
        raise InvalidKeyError(f"unsupported key-agreement curve {private.curve!r}")
    native = _cached(private, lambda: _xdh_private(private.curve, private.d))
    _, public_type, size = _XDH[private.curve]
    if public.curve != private.curve or not isinstance(public.x, bytes) or len(public.x) != size:
        return None
    try:
        # Not cached: in JWE the peer's key is a fresh ephemeral key for every token.
        shared: bytes = native.exchange(public_type.from_public_bytes(public.x))
    except ValueError:
        # OpenSSL refuses an all-zero result (RFC 7748 §6.1), which a low-order point gives.
        return None
    return shared if any(shared) else None


def _ecdh(private: ECPrivateKey, public: ECPublicKey) -> bytes | None:
    native = _ec_private(private)  # an unusable private key raises, as on the pure backend
    if public.curve != private.curve:
        return None
    try:
        # _ec_point refuses a point off the curve (SEC 1 §3.2.2.1), before OpenSSL sees it.
        peer = _ec_point(public).public_key()
    except (InvalidKeyError, ValueError, TypeError):
        return None
    try:
        return native.exchange(ec.ECDH(), peer)
    except ValueError:  # pragma: no cover - a point on a prime-order curve never gives infinity
        return None


class CryptographyBackend:
    """Backend protocol implementation over pyca/cryptography.

    Signing raises :class:`InvalidKeyError` for a key OpenSSL refuses and
    :class:`UnsupportedHashError` for an unknown hash, as the pure backend does. Verification
    returns False for any malformed signature, key or hash name, and never raises.
    """

    name = "cryptography"

    def rsa_pkcs1v15_sign(self, key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
        return _rsa_sign(key, hash_name, message, pss=False)

    def rsa_pkcs1v15_verify(
        self, key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        return _rsa_verify(key, hash_name, message, signature, pss=False)

    def rsa_verifier(
        self, key: RSAPublicKey, hash_name: str, *, pss: bool
    ) -> Callable[[bytes, bytes], bool]:
        return _rsa_verifier(key, hash_name, pss=pss)

    def rsa_pss_sign(self, key: RSAPrivateKey, hash_name: str, message: bytes) -> bytes:
        return _rsa_sign(key, hash_name, message, pss=True)

    def rsa_pss_verify(
        self, key: RSAPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        return _rsa_verify(key, hash_name, message, signature, pss=True)

    def ecdsa_sign(self, key: ECPrivateKey, hash_name: str, message: bytes) -> bytes:
        algorithm = _hash(hash_name)
        try:
            der = _ec_private(key).sign(message, ec.ECDSA(algorithm))
        except UnsupportedAlgorithm as exc:  # a hash this OpenSSL build lacks
            raise UnsupportedHashError(f"unsupported hash {hash_name!r}: {exc}") from exc
        return _der_to_raw(key.curve, der)

    def ecdsa_verify(
        self, key: ECPublicKey, hash_name: str, message: bytes, signature: bytes
    ) -> bool:
        algorithm = _HASHES.get(hash_name)
        der = _raw_to_der(key, signature)
        if algorithm is None or der is None:
            return False
        try:
            _ec_public(key).verify(der, message, ec.ECDSA(algorithm))
        except _BAD_INPUT:
            return False
        return True

    def eddsa_sign(self, key: OKPPrivateKey, message: bytes) -> bytes:
        return _okp_private(key).sign(message)

    def eddsa_verify(self, key: OKPPublicKey, message: bytes, signature: bytes) -> bool:
        try:
            _okp_public(key).verify(signature, message)
        except _BAD_INPUT:
            return False
        return True

    def ec_public_point(self, curve: str, d: int) -> tuple[int, int]:
        if curve not in _EC_CURVES:
            raise InvalidKeyError(f"unsupported EC curve {curve!r}")
        try:
            numbers = ec.derive_private_key(d, _ec_curve(curve)).public_key().public_numbers()
        except (ValueError, TypeError) as exc:
            raise InvalidKeyError(f"EC private scalar out of range for {curve}") from exc
        return numbers.x, numbers.y

    def eddsa_public_key(self, curve: str, seed: bytes) -> bytes:
        private: _OKPPrivateNative
        try:
            if curve == "Ed25519":
                private = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
            elif curve == "Ed448":
                private = ed448.Ed448PrivateKey.from_private_bytes(seed)
            else:
                raise InvalidKeyError(f"unsupported OKP curve {curve!r}")
        except (ValueError, TypeError) as exc:
            raise InvalidKeyError(f"an {curve} private key has the wrong length") from exc
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        return bytes(private.public_key().public_bytes(*raw))

    def generate_rsa(self, bits: int) -> RSAPrivateKey:
        try:
            native = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        except ValueError as exc:
            raise InvalidKeyError(f"cannot generate a {bits}-bit RSA key: {exc}") from exc
        return cast(RSAPrivateKey, from_cryptography_key(native))

    def generate_ec(self, curve: str) -> ECPrivateKey:
        native = ec.generate_private_key(_ec_curve(curve))
        return cast(ECPrivateKey, from_cryptography_key(native))

    def generate_okp(self, curve: str) -> OKPPrivateKey:
        native: object
        if curve == "Ed25519":
            native = ed25519.Ed25519PrivateKey.generate()
        elif curve == "Ed448":
            native = ed448.Ed448PrivateKey.generate()
        elif curve in _XDH:
            native = _XDH[curve][0].generate()
        else:
            raise InvalidKeyError(f"unsupported OKP curve {curve!r}")
        return cast(OKPPrivateKey, from_cryptography_key(native))

    # --- JWE: RSA encryption and key agreement ---------------------------------------------

    def rsa_oaep_encrypt(self, key: RSAPublicKey, hash_name: str, plaintext: bytes) -> bytes:
        pad = _oaep(hash_name)
        if _openssl_refuses_exponent(key):
            return _pure_rsa_encryption.oaep_encrypt(key, hash_name, plaintext)
        return _rsa_encrypt(key, plaintext, pad)

    def rsa_oaep_decrypt(
        self, key: RSAPrivateKey, hash_name: str, ciphertext: bytes
    ) -> bytes | None:
        pad = _oaep(hash_name)
        if _openssl_refuses_exponent(key):
            return _pure_rsa_encryption.oaep_decrypt(key, hash_name, ciphertext)
        return _rsa_decrypt(key, ciphertext, pad)

    def rsa_pkcs1v15_encrypt(self, key: RSAPublicKey, plaintext: bytes) -> bytes:
        if _openssl_refuses_exponent(key):
            return _pure_rsa_encryption.pkcs1v15_encrypt(key, plaintext)
        return _rsa_encrypt(key, plaintext, _PKCS1V15)

    def rsa_pkcs1v15_decrypt(self, key: RSAPrivateKey, ciphertext: bytes) -> bytes | None:
        # OpenSSL 3.2+ answers bad padding with a synthetic message (implicit rejection), not
        # an error: see Backend.rsa_pkcs1v15_decrypt.
        if _openssl_refuses_exponent(key):
            return _pure_rsa_encryption.pkcs1v15_decrypt(key, ciphertext)
        return _rsa_decrypt(key, ciphertext, _PKCS1V15)

    def ecdh(self, private: ECPrivateKey, public: ECPublicKey) -> bytes | None:
        return _ecdh(private, public)

    def xdh(self, private: OKPPrivateKey, public: OKPPublicKey) -> bytes | None:
        return _xdh(private, public)

    def xdh_public_key(self, curve: str, private: bytes) -> bytes:
        try:
            native = _xdh_private(curve, private)
        except ValueError as exc:
            raise InvalidKeyError(f"cryptography refused the {curve} private key") from exc
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        return bytes(native.public_key().public_bytes(*raw))

    # --- JWE: AES. The sizes are checked first, with the pure backend's checks and errors,
    # so OpenSSL's ValueErrors for them never surface; authenticity failures become None.

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes
    ) -> tuple[bytes, bytes]:
        check_key(key)
        check_iv(iv, GCM_IV_SIZE, "GCM")
        sealed = AESGCM(key).encrypt(iv, plaintext, aad)
        return sealed[:-GCM_TAG_SIZE], sealed[-GCM_TAG_SIZE:]

    def aes_gcm_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes
    ) -> bytes | None:
        check_key(key)
        check_iv(iv, GCM_IV_SIZE, "GCM")
        # AESGCM takes ciphertext || tag and would read a short tag's bytes from the text.
        if len(tag) != GCM_TAG_SIZE:
            return None
        try:
            return AESGCM(key).decrypt(iv, ciphertext + tag, aad)
        except InvalidTag:
            return None

    def aes_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        check_key(key)
        check_iv(iv, BLOCK_SIZE, "CBC")
        padder = symmetric_padding.PKCS7(8 * BLOCK_SIZE).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        return encryptor.update(padded) + encryptor.finalize()

    def aes_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
        check_key(key)
        check_iv(iv, BLOCK_SIZE, "CBC")
        if not ciphertext or len(ciphertext) % BLOCK_SIZE:
            return None
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = symmetric_padding.PKCS7(8 * BLOCK_SIZE).unpadder()
        try:
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError:  # bad padding; cryptography checks it in constant time
            return None

    def aes_key_wrap(self, kek: bytes, key: bytes) -> bytes:
        check_key(kek, "AES key-encryption key")
        check_wrap_input(key)
        return aes_key_wrap(kek, key)

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes) -> bytes | None:
        check_key(kek, "AES key-encryption key")
        if len(wrapped) % 8 or len(wrapped) < 24:
            return None
        try:
            return aes_key_unwrap(kek, wrapped)
        except InvalidUnwrap:
            return None
