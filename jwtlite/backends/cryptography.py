"""The ``cryptography`` (pyca, OpenSSL) backend.

Importing this module raises ImportError when ``cryptography`` is missing; the selector in
``backends/__init__.py`` turns that into :class:`~jwtlite.exceptions.BackendUnavailableError`.

jwtlite parses every key format itself, so this adapter only hands OpenSSL keys rebuilt from the
neutral numbers, once per key object (``_cryptography_keys``), and bytes. ECDSA signatures
cross this edge as DER (what OpenSSL speaks) and leave it as the fixed-width ``R || S`` of
RFC 7518 §3.4, so callers never see DER. JWE's AES primitives live in ``_cryptography_aes``.

Works with cryptography 3.4 and later: optional features are detected, not assumed.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, cast

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from .._crypto_objects import from_cryptography_key
from .._curves import CURVES
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
from . import _cryptography_aes as _aes
from ._cryptography_keys import (
    CAN_SKIP_RSA_VALIDATION,
    EC_CURVES,
    XDH,
    OKPPrivateNative,
    ec_curve,
    ec_peer,
    ec_public,
    okp_private,
    okp_public,
    rsa_private,
    rsa_public,
    xdh_native,
    xdh_private,
)
from ._cryptography_keys import ec_private as _ec_private
from .pure import rsa as _pure_rsa
from .pure import rsa_encryption as _pure_rsa_encryption

__all__ = ["CryptographyBackend"]

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
# Malformed input from OpenSSL's side arrives as one of these; verification maps them to False.
_BAD_INPUT = (InvalidSignature, InvalidKeyError, ValueError, UnsupportedAlgorithm)


#: Whether OpenSSL's own RSA key check is skipped when a native private key is built: safe only
#: because jwtlite checked the key itself when loading it (n == p*q, d agrees with e, no
#: multi-prime), and OpenSSL still checks each CRT result against e. Its own key check tests p
#: and q for primality: about 50 ms per 2048-bit key, which would dominate a one-shot encode().
_SKIP_RSA_VALIDATION = CAN_SKIP_RSA_VALIDATION
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


def _rsa_private(key: RSAPrivateKey) -> rsa.RSAPrivateKey:
    """The native private key, built under this adapter's validation policy.

    Signing, decryption and key agreement reach private keys through this and ``_ec_private``.
    """
    return rsa_private(key, skip_validation=_SKIP_RSA_VALIDATION)


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
        native = rsa_public(key)
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
        return rsa_public(key).encrypt(plaintext, pad)
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


def _xdh(private: OKPPrivateKey, public: OKPPublicKey) -> bytes | None:
    native = xdh_native(private)
    _, public_type, size = XDH[private.curve]
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
        peer = ec_peer(public)  # refused off the curve or with a coordinate >= p
    except InvalidKeyError:
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
            ec_public(key).verify(der, message, ec.ECDSA(algorithm))
        except _BAD_INPUT:
            return False
        return True

    def eddsa_sign(self, key: OKPPrivateKey, message: bytes) -> bytes:
        return okp_private(key).sign(message)

    def eddsa_verify(self, key: OKPPublicKey, message: bytes, signature: bytes) -> bool:
        try:
            okp_public(key).verify(signature, message)
        except _BAD_INPUT:
            return False
        return True

    def ec_public_point(self, curve: str, d: int) -> tuple[int, int]:
        if curve not in EC_CURVES:
            raise InvalidKeyError(f"unsupported EC curve {curve!r}")
        try:
            numbers = ec.derive_private_key(d, ec_curve(curve)).public_key().public_numbers()
        except (ValueError, TypeError) as exc:
            raise InvalidKeyError(f"EC private scalar out of range for {curve}") from exc
        return numbers.x, numbers.y

    def eddsa_public_key(self, curve: str, seed: bytes) -> bytes:
        private: OKPPrivateNative
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
        native = ec.generate_private_key(ec_curve(curve))
        return cast(ECPrivateKey, from_cryptography_key(native))

    def generate_okp(self, curve: str) -> OKPPrivateKey:
        native: object
        if curve == "Ed25519":
            native = ed25519.Ed25519PrivateKey.generate()
        elif curve == "Ed448":
            native = ed448.Ed448PrivateKey.generate()
        elif curve in XDH:
            native = XDH[curve][0].generate()
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
            native = xdh_private(curve, private)
        except ValueError as exc:
            raise InvalidKeyError(f"cryptography refused the {curve} private key") from exc
        raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
        return bytes(native.public_key().public_bytes(*raw))

    # --- JWE: AES (``_cryptography_aes``) -------------------------------------------------

    def aes_gcm_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, aad: bytes
    ) -> tuple[bytes, bytes]:
        return _aes.gcm_encrypt(key, iv, plaintext, aad)

    def aes_gcm_decrypt(
        self, key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes
    ) -> bytes | None:
        return _aes.gcm_decrypt(key, iv, ciphertext, aad, tag)

    def aes_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes) -> bytes:
        return _aes.cbc_encrypt(key, iv, plaintext)

    def aes_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
        return _aes.cbc_decrypt(key, iv, ciphertext)

    def aes_key_wrap(self, kek: bytes, key: bytes) -> bytes:
        return _aes.key_wrap(kek, key)

    def aes_key_unwrap(self, kek: bytes, wrapped: bytes) -> bytes | None:
        return _aes.key_unwrap(kek, wrapped)
