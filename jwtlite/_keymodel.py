"""The backend-neutral key model: six frozen dataclasses of integers and bytes.

Nothing here parses. jwtlite reads every key format itself (``_keyformats``, ``_ssh``,
``_jwkformat``) into these classes, so every backend receives identical inputs. The classes are
truly immutable: the public half of a private key is built once, at construction, so a
backend's per-key cache (keyed by identity) keeps serving it across calls.

``repr`` never shows private material: kind, size or curve, and for public keys the start of
the RFC 7638 thumbprint, which identifies a key in logs without revealing anything.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Union

from ._curves import CURVES
from ._escape import escape
from .b64url import b64url_encode, uint_to_b64
from .exceptions import InvalidKeyError

__all__ = [
    "AsymmetricKey",
    "HMACSecret",
    "ECPrivateKey",
    "ECPublicKey",
    "KEY_TYPES",
    "OKPPrivateKey",
    "OKPPublicKey",
    "PRIVATE_KEY_TYPES",
    "PrivateKey",
    "PublicKey",
    "RSAPrivateKey",
    "RSAPublicKey",
    "key_curve",
    "key_kty",
    "public_members",
    "thumbprint_of",
]


def _short_thumbprint(key: PublicKey) -> str:
    try:
        return thumbprint_of(key)[:8]
    except InvalidKeyError:  # a key built by hand on an unknown curve: repr must not fail
        return "?"


def _check_fields(key: object, kind: type, *names: str) -> None:
    """Refuse a hand-built key whose fields are not of their type (an int given as a str, a
    bool, a float; bytes given as a str): every writer, repr and backend would raise TypeError
    or AttributeError on it later. Values are not range-checked here: the loaders check what
    they read, and the writers and backends refuse what does not fit (InvalidKeyError)."""
    for name in names:
        value = getattr(key, name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidKeyError(
                f"{type(key).__name__}.{name} must be {_KIND_NAMES[kind]},"
                f" not {type(value).__name__}"
            )


_KIND_NAMES = {int: "an int", str: "a str", bytes: "bytes"}


class HMACSecret(bytes):
    """A generated HMAC secret: ordinary ``bytes`` whose ``repr`` and ``str`` hide the value, so
    a secret that reaches a log line or a traceback prints its size, not its bytes."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<HMACSecret {len(self) * 8} bits (value hidden)>"

    __str__ = __repr__


@dataclass(frozen=True)
class RSAPublicKey:
    """An RSA public key (RFC 8017 §3.1)."""

    n: int
    e: int

    def __post_init__(self) -> None:
        _check_fields(self, int, "n", "e")

    @property
    def size_bits(self) -> int:
        return self.n.bit_length()

    def public_key(self) -> RSAPublicKey:
        return self

    def __repr__(self) -> str:
        # escape(): str() of an e of more than 4300 digits raises ValueError
        e = escape(self.e)
        return f"<RSAPublicKey {self.size_bits} bits e={e} jkt={_short_thumbprint(self)}>"


@dataclass(frozen=True)
class RSAPrivateKey:
    """A two-prime RSA private key with its CRT values (RFC 8017 §3.2, second representation)."""

    n: int
    e: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qi: int
    _public: RSAPublicKey = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check_fields(self, int, "d", "p", "q", "dp", "dq", "qi")
        object.__setattr__(self, "_public", RSAPublicKey(self.n, self.e))

    @property
    def size_bits(self) -> int:
        return self.n.bit_length()

    def public_key(self) -> RSAPublicKey:
        return self._public

    def __repr__(self) -> str:
        return f"<RSAPrivateKey {self.size_bits} bits (private values hidden)>"


@dataclass(frozen=True)
class ECPublicKey:
    """A point on a short-Weierstrass curve; ``curve`` is the JWK ``crv`` name (``P-256`` ...)."""

    curve: str
    x: int
    y: int

    def __post_init__(self) -> None:
        _check_fields(self, str, "curve")
        _check_fields(self, int, "x", "y")

    def public_key(self) -> ECPublicKey:
        return self

    def __repr__(self) -> str:
        return f"<ECPublicKey {self.curve} jkt={_short_thumbprint(self)}>"


@dataclass(frozen=True)
class ECPrivateKey:
    """An EC private scalar ``d`` with its public point ``(x, y)``."""

    curve: str
    d: int
    x: int
    y: int
    _public: ECPublicKey = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check_fields(self, int, "d")
        object.__setattr__(self, "_public", ECPublicKey(self.curve, self.x, self.y))

    def public_key(self) -> ECPublicKey:
        return self._public

    def __repr__(self) -> str:
        return f"<ECPrivateKey {self.curve} (private value hidden)>"


@dataclass(frozen=True)
class OKPPublicKey:
    """An octet key pair's public key (RFC 8037 §2): ``curve`` is ``Ed25519`` or ``Ed448``
    (signatures, RFC 8032) or ``X25519`` or ``X448`` (key agreement, RFC 7748), and ``x`` is
    the encoded point or u-coordinate."""

    curve: str
    x: bytes

    def __post_init__(self) -> None:
        _check_fields(self, str, "curve")
        _check_fields(self, bytes, "x")

    def public_key(self) -> OKPPublicKey:
        return self

    def __repr__(self) -> str:
        return f"<OKPPublicKey {self.curve} jkt={_short_thumbprint(self)}>"


@dataclass(frozen=True)
class OKPPrivateKey:
    """An octet key pair's private key: ``d`` is the RFC 8032 seed (Ed25519, Ed448) or the
    RFC 7748 private key as drawn, unclamped (X25519, X448); ``x`` is the public key."""

    curve: str
    d: bytes
    x: bytes
    _public: OKPPublicKey = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        _check_fields(self, bytes, "d")
        object.__setattr__(self, "_public", OKPPublicKey(self.curve, self.x))

    def public_key(self) -> OKPPublicKey:
        return self._public

    def __repr__(self) -> str:
        return f"<OKPPrivateKey {self.curve} (private value hidden)>"


PublicKey = Union[RSAPublicKey, ECPublicKey, OKPPublicKey]
PrivateKey = Union[RSAPrivateKey, ECPrivateKey, OKPPrivateKey]
AsymmetricKey = Union[PublicKey, PrivateKey]

KEY_TYPES = (RSAPublicKey, RSAPrivateKey, ECPublicKey, ECPrivateKey, OKPPublicKey, OKPPrivateKey)
PRIVATE_KEY_TYPES = (RSAPrivateKey, ECPrivateKey, OKPPrivateKey)
_KTY = {
    RSAPublicKey: "RSA",
    RSAPrivateKey: "RSA",
    ECPublicKey: "EC",
    ECPrivateKey: "EC",
    OKPPublicKey: "OKP",
    OKPPrivateKey: "OKP",
}


def key_kty(key: object) -> str | None:
    """The JWK ``kty`` of a key (RFC 7518 §6.1): ``oct`` for secret bytes, None if unknown."""
    if isinstance(key, (bytes, bytearray)):
        return "oct"
    return _KTY.get(type(key))


def key_curve(key: object) -> str | None:
    """The JWK ``crv`` of an EC or OKP key, else None."""
    curve = getattr(key, "curve", None)
    return curve if isinstance(curve, str) else None


def public_members(key: AsymmetricKey | bytes) -> dict[str, str]:
    """The members RFC 7638 §3.2 requires for a key's thumbprint (public values only)."""
    if isinstance(key, (RSAPublicKey, RSAPrivateKey)):
        return {"e": uint_to_b64(key.e), "kty": "RSA", "n": uint_to_b64(key.n)}
    if isinstance(key, (ECPublicKey, ECPrivateKey)):
        curve = CURVES.get(key.curve) if isinstance(key.curve, str) else None
        if curve is None:
            raise InvalidKeyError(f"unsupported curve {key.curve!r}")
        size = curve.size
        x, y = uint_to_b64(key.x, size), uint_to_b64(key.y, size)
        return {"crv": key.curve, "kty": "EC", "x": x, "y": y}
    if isinstance(key, (OKPPublicKey, OKPPrivateKey)):
        return {"crv": key.curve, "kty": "OKP", "x": b64url_encode(key.x)}
    return {"k": b64url_encode(bytes(key)), "kty": "oct"}


def thumbprint_of(key: AsymmetricKey | bytes, hash_name: str = "sha256") -> str:
    """RFC 7638 §3: the hash of the required members, sorted, without whitespace."""
    text = json.dumps(public_members(key), sort_keys=True, separators=(",", ":"))
    return b64url_encode(hashlib.new(hash_name, text.encode("ascii")).digest())
