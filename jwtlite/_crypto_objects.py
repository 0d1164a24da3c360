"""Bridges from pyca/cryptography objects to jwtlite's neutral keys.

PyJWT users pass ``cryptography`` key objects and encrypted PEM files; ``load_key`` hands those
here. ``cryptography`` is imported only inside these functions, and only once the caller has
shown it is in use, so importing jwtlite never imports it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from . import _keymodel as _keys
from ._cache import IdentityCache
from .exceptions import InvalidKeyError, KeyNeedsCryptographyError

if TYPE_CHECKING:
    from typing import Union

    from cryptography.hazmat.primitives.asymmetric import ed448, ed25519, x448, x25519

    from ._keymodel import AsymmetricKey

    _OKPPrivate = Union[
        ed25519.Ed25519PrivateKey,
        ed448.Ed448PrivateKey,
        x25519.X25519PrivateKey,
        x448.X448PrivateKey,
    ]
    _OKPPublic = Union[
        ed25519.Ed25519PublicKey,
        ed448.Ed448PublicKey,
        x25519.X25519PublicKey,
        x448.X448PublicKey,
    ]

__all__ = ["NATIVE", "from_cryptography_key", "load_encrypted_pem"]

#: The ``cryptography`` object of each neutral key, by identity, shared with the backend. A
#: service signs and verifies with a handful of keys; the bound stops a caller that creates
#: fresh key objects from growing it without limit.
NATIVE = IdentityCache("cryptography key objects", 256)
# cryptography's curve ``name`` (SEC 2 names) -> JWK ``crv`` (RFC 7518 §6.2.1.1, RFC 8812 §3.1).
_CURVE_NAMES = {
    "secp256r1": "P-256",
    "secp384r1": "P-384",
    "secp521r1": "P-521",
    "secp256k1": "secp256k1",
}


def from_cryptography_key(obj: object) -> AsymmetricKey | None:
    """The neutral key for a ``cryptography`` RSA, EC, Ed25519, Ed448, X25519 or X448 key object.

    Returns None when ``obj`` is not a ``cryptography`` key (or the package is not installed).
    X25519 and X448 keys load (JWE's ECDH-ES uses them); JWS refuses them for signatures.

    Raises:
        InvalidKeyError: a ``cryptography`` key jwtlite cannot use (a curve other than P-256,
            P-384, P-521 or secp256k1; DSA; DH; a key whose numbers cannot be read).
    """
    # A cryptography key cannot exist unless its package is already imported, so this check
    # keeps every other input (and every process without cryptography) from importing it.
    if sys.modules.get("cryptography") is None:
        return None
    try:
        from cryptography.exceptions import UnsupportedAlgorithm  # noqa: PLC0415 - optional dep
    except ImportError:  # pragma: no cover - the package is half-imported or blocked
        return None
    try:
        key = _convert(obj)
    except (ValueError, TypeError, NotImplementedError, UnsupportedAlgorithm) as exc:
        # Hardware-backed implementations of the key interfaces may refuse to export numbers.
        raise InvalidKeyError(f"cannot read the cryptography key: {exc}") from exc
    if key is not None:
        NATIVE.store(key, obj)
    return key


def _convert(obj: object) -> AsymmetricKey | None:
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519  # noqa: PLC0415 - optional dep

    if isinstance(obj, rsa.RSAPrivateKey):
        nums = obj.private_numbers()
        pub = nums.public_numbers
        return _keys.RSAPrivateKey(
            pub.n, pub.e, nums.d, nums.p, nums.q, nums.dmp1, nums.dmq1, nums.iqmp
        )
    if isinstance(obj, rsa.RSAPublicKey):
        pub = obj.public_numbers()
        return _keys.RSAPublicKey(pub.n, pub.e)
    if isinstance(obj, ec.EllipticCurvePrivateKey):
        crv = _crv(obj.curve)
        priv = obj.private_numbers()
        point = priv.public_numbers
        return _keys.ECPrivateKey(crv, priv.private_value, point.x, point.y)
    if isinstance(obj, ec.EllipticCurvePublicKey):
        crv = _crv(obj.curve)
        point = obj.public_numbers()
        return _keys.ECPublicKey(crv, point.x, point.y)
    # RFC 8037 §2: the four OKP curves share one shape, raw private and public octets.
    for private_type, public_type, crv in (
        (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey, "Ed25519"),
        (ed448.Ed448PrivateKey, ed448.Ed448PublicKey, "Ed448"),
        (x25519.X25519PrivateKey, x25519.X25519PublicKey, "X25519"),
        (x448.X448PrivateKey, x448.X448PublicKey, "X448"),
    ):
        if isinstance(obj, private_type):
            seed, public = _okp_raw(obj)
            return _keys.OKPPrivateKey(crv, seed, public)
        if isinstance(obj, public_type):
            return _keys.OKPPublicKey(crv, _okp_public_raw(obj))
    if _is_cryptography_object(obj):
        # Any other key of the package (DSA, DH, ...) is refused by its origin, not
        # by naming its class: naming a deprecated class (DSA in cryptography 51) warns.
        raise InvalidKeyError(f"{type(obj).__name__} keys cannot sign JWTs")
    return None


def _is_cryptography_object(obj: object) -> bool:
    return any(
        getattr(cls, "__module__", "").startswith("cryptography.") for cls in type(obj).__mro__
    )


def _crv(curve: object) -> str:
    name = getattr(curve, "name", None)
    crv = _CURVE_NAMES.get(name) if isinstance(name, str) else None
    if crv is None:
        raise InvalidKeyError(
            f"unsupported curve {name!r}: jwtlite supports P-256, P-384, P-521 and secp256k1"
        )
    return crv


def _okp_raw(obj: _OKPPrivate) -> tuple[bytes, bytes]:
    """The RFC 8032 seed (RFC 7748 private key) and the public key (``private_bytes_raw`` is
    40+ only, so not used)."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415 - optional dep

    seed = obj.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return seed, _okp_public_raw(obj.public_key())


def _okp_public_raw(obj: _OKPPublic) -> bytes:
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415 - optional dep

    return obj.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_encrypted_pem(data: bytes, password: bytes | None) -> AsymmetricKey:
    """The private key in an encrypted PEM file, decrypted by ``cryptography``.

    jwtlite implements no PEM encryption itself (PKCS#5 PBES2 and the legacy OpenSSL scheme are
    outside its scope), so this needs the optional package.

    Raises:
        InvalidKeyError: ``cryptography`` is not installed; the password is wrong or missing;
            the data is not a PEM private key; or the key is of a type jwtlite cannot use.
    """
    try:
        from cryptography.exceptions import UnsupportedAlgorithm  # noqa: PLC0415 - optional dep
        from cryptography.hazmat.primitives.serialization import load_pem_private_key  # noqa: PLC0415 - optional dep
    except ImportError:
        raise KeyNeedsCryptographyError(
            "encrypted PEM keys need the optional 'cryptography' package "
            "(pip install 'jwtlite[crypto]'), or decrypt the key first"
        ) from None
    try:
        # cryptography validates the key here (jwtlite did not parse it, so nothing else has).
        native = load_pem_private_key(data, password)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        # TypeError: a password for an unencrypted key, or none for an encrypted one.
        raise InvalidKeyError(f"cannot load the encrypted PEM key: {exc}") from exc
    key = from_cryptography_key(native)
    if key is None:  # pragma: no cover - load_pem_private_key returns only key objects
        raise InvalidKeyError("the PEM file does not hold a private key jwtlite can use")
    return key
