"""Backend-neutral key model.

Keys are plain frozen dataclasses of integers and bytes. jwtlite parses every key format itself
(see ``_pem``, ``_der`` and ``jwk``) into these, so every backend receives identical inputs.
``native_cache`` lets a backend keep its own key object next to ours, so repeated use does not
re-import the key; it takes no part in equality or hashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

__all__ = [
    "AsymmetricKey",
    "ECPrivateKey",
    "ECPublicKey",
    "OKPPrivateKey",
    "OKPPublicKey",
    "PrivateKey",
    "PublicKey",
    "RSAPrivateKey",
    "RSAPublicKey",
]


def _cache() -> dict[str, object]:
    return {}


@dataclass(frozen=True)
class RSAPublicKey:
    """An RSA public key (RFC 8017 §3.1)."""

    n: int
    e: int
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    @property
    def size_bits(self) -> int:
        return self.n.bit_length()

    def public_key(self) -> RSAPublicKey:
        return self


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
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    @property
    def size_bits(self) -> int:
        return self.n.bit_length()

    def public_key(self) -> RSAPublicKey:
        return RSAPublicKey(self.n, self.e)


@dataclass(frozen=True)
class ECPublicKey:
    """A point on a short-Weierstrass curve; ``curve`` is the JWK ``crv`` name (``P-256`` ...)."""

    curve: str
    x: int
    y: int
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> ECPublicKey:
        return self


@dataclass(frozen=True)
class ECPrivateKey:
    """An EC private scalar ``d`` with its public point ``(x, y)``."""

    curve: str
    d: int
    x: int
    y: int
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> ECPublicKey:
        return ECPublicKey(self.curve, self.x, self.y)


@dataclass(frozen=True)
class OKPPublicKey:
    """An Edwards-curve public key (RFC 8037): ``curve`` is ``Ed25519`` or ``Ed448``."""

    curve: str
    x: bytes
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> OKPPublicKey:
        return self


@dataclass(frozen=True)
class OKPPrivateKey:
    """An Edwards-curve private key: ``d`` is the RFC 8032 seed, ``x`` the public key."""

    curve: str
    d: bytes
    x: bytes
    native_cache: dict[str, object] = field(
        default_factory=_cache, compare=False, hash=False, repr=False
    )

    def public_key(self) -> OKPPublicKey:
        return OKPPublicKey(self.curve, self.x)


PublicKey = Union[RSAPublicKey, ECPublicKey, OKPPublicKey]
PrivateKey = Union[RSAPrivateKey, ECPrivateKey, OKPPrivateKey]
AsymmetricKey = Union[PublicKey, PrivateKey]
