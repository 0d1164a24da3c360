"""X25519 and X448 (RFC 7748), pure Python: the Montgomery ladder of §5 and key generation.

Keys are the raw octet strings of RFC 7748 §6 (32 bytes for X25519, 56 for X448), as JWK
``d`` and ``x`` carry them (RFC 8037 §2). The private key is stored as drawn; the clamping of
§5 (``decodeScalar25519`` / ``decodeScalar448``) happens on every use, as the RFC defines the
function, so a key read from any source gives the same shared secret here and in OpenSSL.

What this module defends against, and what it cannot:

- Small-subgroup and twist points: X25519 and X448 are defined for every u-coordinate,
  including points on the twist and non-canonical values (§5: they are reduced modulo p). The
  clamped scalar is a multiple of the cofactor, so a low-order point gives the all-zero
  output, which :func:`shared_secret` refuses (§6.1, §6.2: "check ... whether the result is
  zero"); JWE's ECDH-ES then has no key to derive.
- Timing: the ladder performs the same 255 (448) steps, each with the same field operations,
  for every scalar, and swaps with the masked XOR of §5 ``cswap`` instead of a branch. CPython
  integers are not constant-time (multiplication and reduction time depend on the values), so
  a local attacker who can time single operations may still learn something; use the
  ``cryptography`` backend where that matters.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..._keymodel import OKPPrivateKey, OKPPublicKey
from ...exceptions import InvalidKeyError

__all__ = ["generate", "public_key", "shared_secret"]


@dataclass(frozen=True)
class _Curve:
    """The parameters RFC 7748 §5 lists for one function."""

    name: str
    p: int
    a24: int  #: (A - 2) / 4 for the Montgomery coefficient A
    bits: int  #: the ladder runs over bits ``bits - 1`` down to 0 of the clamped scalar
    size: int  #: octets in a scalar or a u-coordinate
    base: int  #: u-coordinate of the base point (§4.1, §4.2)
    low_bits: int  #: cleared by the clamping: the cofactor is 2^low_bits


_CURVES = {
    # §4.1 curve25519: p = 2^255 - 19, A = 486662, base point u = 9, cofactor 8.
    "X25519": _Curve("X25519", p=2**255 - 19, a24=121665, bits=255, size=32, base=9, low_bits=3),
    # §4.2 curve448: p = 2^448 - 2^224 - 1, A = 156326, base point u = 5, cofactor 4.
    "X448": _Curve("X448", p=2**448 - 2**224 - 1, a24=39081, bits=448, size=56, base=5, low_bits=2),
}


def _params(curve: str) -> _Curve:
    params = _CURVES.get(curve) if isinstance(curve, str) else None
    if params is None:
        raise InvalidKeyError(f"unsupported key-agreement curve {curve!r} (X25519 or X448)")
    return params


def _scalar(params: _Curve, private: bytes) -> int:
    """decodeScalar25519 / decodeScalar448 (§5): clear the cofactor bits, set the top bit."""
    if not isinstance(private, bytes) or len(private) != params.size:
        raise InvalidKeyError(f"an {params.name} private key must be {params.size} bytes")
    k = int.from_bytes(private, "little")
    top = params.bits - 1
    # X25519 also clears bit 255; for X448 bit 447 is the last bit of the 56 octets.
    return (k & ((1 << top) - (1 << params.low_bits))) | (1 << top)


def _u(params: _Curve, encoded: bytes) -> int:
    """decodeUCoordinate (§5): mask the unused top bit (X25519), then reduce modulo p."""
    return (int.from_bytes(encoded, "little") & ((1 << params.bits) - 1)) % params.p


def _ladder(params: _Curve, k: int, u: int) -> int:
    """The Montgomery ladder of §5: the u-coordinate of ``k * (u, v)``, 0 for infinity."""
    p, a24 = params.p, params.a24
    x1, x2, z2, x3, z3 = u, 1, 0, u, 1
    swap = 0
    for t in range(params.bits - 1, -1, -1):
        bit = (k >> t) & 1
        # cswap(swap, a, b) of §5: a mask of all ones or all zeros, never a branch on a bit.
        mask = -(swap ^ bit)
        dummy = mask & (x2 ^ x3)
        x2, x3 = x2 ^ dummy, x3 ^ dummy
        dummy = mask & (z2 ^ z3)
        z2, z3 = z2 ^ dummy, z3 ^ dummy
        swap = bit
        a = x2 + z2
        aa = a * a % p
        b = x2 - z2
        bb = b * b % p
        e = aa - bb
        da = (x3 - z3) * a % p
        cb = (x3 + z3) * b % p
        x3 = da + cb
        x3 = x3 * x3 % p
        z3 = da - cb
        z3 = x1 * (z3 * z3 % p) % p
        x2 = aa * bb % p
        z2 = e * (aa + a24 * e) % p
    mask = -swap
    dummy = mask & (x2 ^ x3)
    x2 ^= dummy
    dummy = mask & (z2 ^ z3)
    z2 ^= dummy
    # x2 / z2 by Fermat, as §5 writes it; z2 = 0 (infinity) gives 0.
    return x2 * pow(z2, p - 2, p) % p


def public_key(curve: str, private: bytes) -> bytes:
    """The public key of ``private``: X25519(k, 9) or X448(k, 5) (§6.1, §6.2).

    Raises InvalidKeyError for an unknown curve or a private key of the wrong length.
    """
    params = _params(curve)
    value = _ladder(params, _scalar(params, private), params.base)
    return value.to_bytes(params.size, "little")


def shared_secret(private: OKPPrivateKey, public: OKPPublicKey) -> bytes | None:
    """X25519(k, u) or X448(k, u) (§5), or None when the result is all zero (§6.1, §6.2).

    A public key on another curve or of the wrong length gives None (it came from the peer).
    Raises InvalidKeyError for a private key that is not X25519/X448 or of the wrong length.
    """
    params = _params(private.curve)
    k = _scalar(params, private.d)
    u = public.x
    if public.curve != private.curve or not isinstance(u, bytes) or len(u) != params.size:
        return None
    value = _ladder(params, k, _u(params, u))
    # §6.1: the check is on the whole output; a low-order (or zero) u gives exactly 0 here.
    if value == 0:
        return None
    return value.to_bytes(params.size, "little")


def generate(curve: str) -> OKPPrivateKey:
    """A new key: ``size`` random octets from :mod:`secrets` (§6.1: "32 random bytes")."""
    params = _params(curve)
    private = secrets.token_bytes(params.size)
    return OKPPrivateKey(curve, private, public_key(curve, private))
