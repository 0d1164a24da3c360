"""Neutral keys -> ``cryptography`` (pyca, OpenSSL) key objects, built once per key object.

The reverse of ``_crypto_objects``: the cryptography backend rebuilds OpenSSL keys from the
neutral numbers (RFC 8017 §3, SEC 1 §2.3, RFC 8032 §5, RFC 7748 §5) and keeps the result in
``_crypto_objects.NATIVE``, by identity, so a key used for many tokens is imported into OpenSSL
once. Each builder checks what OpenSSL would silently accept (a coordinate >= p, a
non-canonical Ed25519/Ed448 encoding), so both backends accept the same keys; any refusal
leaves as :class:`InvalidKeyError`.

Importing this module raises ImportError when ``cryptography`` is missing, as the backend does.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, TypeVar, Union, cast

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519

from .._crypto_objects import NATIVE
from .._curves import CURVES, is_on_curve
from .._keymodel import (
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    RSAPrivateKey,
    RSAPublicKey,
)
from ..exceptions import InvalidKeyError

__all__ = [
    "CAN_SKIP_RSA_VALIDATION",
    "EC_CURVES",
    "XDH",
    "OKPPrivateNative",
    "OKPPublicNative",
    "XDHPrivateNative",
    "ec_curve",
    "ec_peer",
    "ec_point",
    "ec_private",
    "ec_public",
    "okp_private",
    "okp_public",
    "rsa_private",
    "rsa_public",
    "xdh_native",
    "xdh_private",
]

_T = TypeVar("_T")
_Keyed = Union[RSAPublicKey, RSAPrivateKey, ECPublicKey, ECPrivateKey, OKPPublicKey, OKPPrivateKey]

EC_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "P-521": ec.SECP521R1,
    "secp256k1": ec.SECP256K1,
}
OKPPrivateNative = Union[ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey]
OKPPublicNative = Union[ed25519.Ed25519PublicKey, ed448.Ed448PublicKey]
XDHPrivateNative = Union[x25519.X25519PrivateKey, x448.X448PrivateKey]
#: RFC 7748 §5: the key classes and the length of keys and u-coordinates, per function.
XDH: dict[str, tuple[Any, Any, int]] = {
    "X25519": (x25519.X25519PrivateKey, x25519.X25519PublicKey, 32),
    "X448": (x448.X448PrivateKey, x448.X448PublicKey, 56),
}
# Field primes and encoded lengths of RFC 8032 §5.1 and §5.2.
_OKP_FIELD = {"Ed25519": (2**255 - 19, 32), "Ed448": (2**448 - 2**224 - 1, 57)}


def _accepts_skip_validation() -> bool:
    """Whether ``RSAPrivateNumbers.private_key`` takes ``unsafe_skip_rsa_key_validation`` (39+)."""
    try:
        params = inspect.signature(rsa.RSAPrivateNumbers.private_key).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a text signature
        return False
    return "unsafe_skip_rsa_key_validation" in params


#: Whether this cryptography can build an RSA private key without OpenSSL's own key check.
CAN_SKIP_RSA_VALIDATION = _accepts_skip_validation()


def _cached(key: _Keyed, build: Callable[[], _T]) -> _T:
    """The native key cached for ``key``, built once.

    Only this module and ``_crypto_objects`` write to the cache, always with the native form of
    that very key (private for private, public for public), which makes the ignore sound.
    """
    native = NATIVE.lookup(key)
    if native is None:
        try:
            native = build()
        # OverflowError: a negative value of a hand-built key, which no OpenSSL BIGNUM holds
        except (ValueError, TypeError, OverflowError, UnsupportedAlgorithm) as exc:
            raise InvalidKeyError(f"cryptography refused the key: {exc}") from exc
        NATIVE.store(key, native)
    return native  # type: ignore[return-value]  # no cast(): a call per use, on the hot path


def rsa_private(key: RSAPrivateKey, *, skip_validation: bool) -> rsa.RSAPrivateKey:
    """The native private key; ``skip_validation`` (honoured where
    :data:`CAN_SKIP_RSA_VALIDATION`) leaves out OpenSSL's primality tests of p and q."""

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
        if skip_validation and CAN_SKIP_RSA_VALIDATION:
            return numbers.private_key(unsafe_skip_rsa_key_validation=True)
        return numbers.private_key()

    return _cached(key, build)


def rsa_public(key: RSAPublicKey | RSAPrivateKey) -> rsa.RSAPublicKey:
    # A private key's public half is a separate neutral object with its own cache slot.
    public = key.public_key()
    return _cached(public, lambda: rsa.RSAPublicNumbers(public.e, public.n).public_key())


#: One curve object per name (they hold no state), for the per-token peer keys of ECDH-ES.
_CURVE_OBJECTS: dict[str, ec.EllipticCurve] = {name: kind() for name, kind in EC_CURVES.items()}


def ec_curve(name: str) -> ec.EllipticCurve:
    try:
        return EC_CURVES[name]()
    except KeyError:
        raise InvalidKeyError(f"unsupported curve {name!r}") from None


def ec_point(key: ECPublicKey | ECPrivateKey) -> ec.EllipticCurvePublicNumbers:
    """The public point, refused unless it is a canonical point of the curve."""
    curve = ec_curve(key.curve)
    # SEC 1 §3.2.2.1: coordinates in [0, p-1] and on the curve. OpenSSL reduces a coordinate
    # >= p instead of refusing it, so the check is ours (and matches the pure backend).
    if not is_on_curve(CURVES[key.curve], key.x, key.y):
        raise InvalidKeyError(f"the public point is not a canonical point of {key.curve}")
    return ec.EllipticCurvePublicNumbers(key.x, key.y, curve)


def ec_peer(key: ECPublicKey) -> ec.EllipticCurvePublicKey:
    """A peer's public key for one key agreement (not cached: in JWE it is a fresh ephemeral
    key with every token), refused unless it is a canonical point of the curve.

    The SEC 1 octet string goes to OpenSSL, whose decoder refuses a coordinate >= p and a point
    off the curve (SEC 1 §3.2.2.1; checked against cryptography 3.4 and 51 in the tests). That
    is the check :func:`ec_point` makes in Python, without building the point twice.
    """
    curve = _CURVE_OBJECTS.get(key.curve) or ec_curve(key.curve)
    size = CURVES[key.curve].size
    try:
        point = b"\x04" + key.x.to_bytes(size, "big") + key.y.to_bytes(size, "big")
        return ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
    except (OverflowError, ValueError, TypeError, AttributeError):
        raise InvalidKeyError(f"the public point is not a canonical point of {key.curve}") from None


def ec_private(key: ECPrivateKey) -> ec.EllipticCurvePrivateKey:
    # Passing (x, y) lets OpenSSL check that they belong to d, instead of trusting them.
    return _cached(key, lambda: ec.EllipticCurvePrivateNumbers(key.d, ec_point(key)).private_key())


def ec_public(key: ECPublicKey | ECPrivateKey) -> ec.EllipticCurvePublicKey:
    public = key.public_key()
    return _cached(public, lambda: ec_point(public).public_key())


def okp_private(key: OKPPrivateKey) -> OKPPrivateNative:
    if key.curve == "Ed25519":
        return _cached(key, lambda: ed25519.Ed25519PrivateKey.from_private_bytes(key.d))
    if key.curve == "Ed448":
        return _cached(key, lambda: ed448.Ed448PrivateKey.from_private_bytes(key.d))
    raise InvalidKeyError(f"unsupported OKP curve {key.curve!r}")


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


def okp_public(key: OKPPublicKey | OKPPrivateKey) -> OKPPublicNative:
    public = key.public_key()
    load: Callable[[bytes], OKPPublicNative]
    if public.curve == "Ed25519":
        load = ed25519.Ed25519PublicKey.from_public_bytes
    elif public.curve == "Ed448":
        load = ed448.Ed448PublicKey.from_public_bytes
    else:
        raise InvalidKeyError(f"unsupported OKP curve {public.curve!r}")

    def build() -> OKPPublicNative:
        if not _okp_canonical(public.curve, public.x):
            raise InvalidKeyError(f"non-canonical {public.curve} public key encoding")
        return load(public.x)

    return _cached(public, build)


def xdh_private(curve: str, private: bytes) -> XDHPrivateNative:
    """A native X25519/X448 private key from its RFC 7748 bytes (not cached)."""
    if curve not in XDH:
        raise InvalidKeyError(f"unsupported key-agreement curve {curve!r} (X25519 or X448)")
    private_type, _, size = XDH[curve]
    if not isinstance(private, bytes) or len(private) != size:
        raise InvalidKeyError(f"an {curve} private key must be {size} bytes")
    return cast(XDHPrivateNative, private_type.from_private_bytes(private))


def xdh_native(key: OKPPrivateKey) -> XDHPrivateNative:
    """The cached native key of an X25519/X448 private key."""
    if key.curve not in XDH:
        # Before the cache: an Ed25519 key converted from a cryptography object is cached too.
        raise InvalidKeyError(f"unsupported key-agreement curve {key.curve!r}")
    return _cached(key, lambda: xdh_private(key.curve, key.d))
