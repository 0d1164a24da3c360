"""ECDSA and ECDH over P-256, P-384, P-521 and secp256k1 (SEC 1 §4.1, §3.3.1), pure Python.

Signatures are the fixed-width ``R || S`` of RFC 7518 §3.4 (64, 96 or 132 bytes).

Signing: the nonce k comes from RFC 6979 (HMAC-DRBG keyed by the private key and the digest),
hedged by default with 32 bytes from ``secrets.token_bytes`` as the additional data ``k'`` of
RFC 6979 §3.6. A broken system random source therefore still gives safe deterministic nonces,
and fault attacks on the deterministic scheme lose their repeatability. The unhedged path is
kept (``_sign_deterministic``) so RFC 6979 Appendix A vectors can be reproduced. ``s`` is not
normalised to the lower half of the order: JWS does not require it (RFC 7518 §3.4).

Nonce multiplication uses ``_weierstrass.mul_base_regular``: a fixed number of operations
regardless of k's bit length (Minerva, CVE-2024-23342). Residual risk: CPython's big integers
are not constant-time, so a local attacker who can time individual operations or observe the
cache may still learn something; the pure backend does not claim side-channel resistance
beyond the bit-length leak. Use the ``cryptography`` backend where that matters.

ECDH (:func:`ecdh`, for JWE's ECDH-ES) refuses a public point that is not on the private key's
curve before any multiplication: an off-curve point would lie on another curve, of small order,
and the result would leak the private scalar modulo that order (the invalid-curve attack). Every
curve here has cofactor 1, so a point on the curve has order n and the SEC 1 §3.2.2.1 check is
complete. The multiplication (``_weierstrass.mul_regular``) has the same sequence of operations
for every scalar, with the same CPython caveat as above.

Verification never raises. It returns False for a signature of the wrong length, r or s
outside [1, n-1] (the "psychic signatures" bug, CVE-2022-21449, accepted r = s = 0), a public
point that is not on the curve or has a coordinate not below p (the point at infinity has no
affine encoding, so it fails the same check), or an unknown curve or hash.
"""

from __future__ import annotations

import hashlib
import secrets

from ..._cache import IdentityCache
from ..._curves import CURVES, WeierstrassCurve, is_on_curve
from ..._jwa import SIGNATURE_HASHES
from ..._keymodel import ECPrivateKey, ECPublicKey
from ...exceptions import InvalidKeyError, UnsupportedHashError
from . import _weierstrass as _w
from ._rfc6979 import bits2int, nonces

__all__ = ["ecdh", "ecdsa_sign", "ecdsa_verify", "generate", "public_point"]

#: Verification state per public key object (by identity; dies with the key). A service
#: verifies with a handful of keys; the bound stops a caller cycling through fresh keys.
PUBLIC_ENTRIES = IdentityCache("pure EC verification tables", 64)
#: Odd multiples of a public point kept per key: 16 serve a width-6 NAF, built in ~16 additions.
_Q_TABLE_SIZE = 16
#: A public key's comb (5-bit windows: ~830 points on P-256, a few ms) is built on this use.
_COMB_AFTER_USES = 2
_Q_COMB_WIDTH = 5
#: The hashes ECDSA signs with here: the table's, and the others an Algorithm object may be
#: built with (``_jwa.SIGNATURE_HASHES``) that this Python's hashlib has. SEC 1 §4.1.3 step 5
#: truncates (or keeps) any digest to the order's length, so every one of them fits any curve.
_HASHES = frozenset(name for name in SIGNATURE_HASHES if name in hashlib.algorithms_available)


def _curve(name: object) -> WeierstrassCurve:
    curve = CURVES.get(name) if isinstance(name, str) else None
    if curve is None:
        raise InvalidKeyError(f"unsupported EC curve {name!r}")
    return curve


def _digest(hash_name: str, message: bytes) -> bytes:
    if hash_name not in _HASHES:
        raise UnsupportedHashError(f"unsupported hash for ECDSA: {hash_name!r}")
    return hashlib.new(hash_name, message).digest()


def public_point(curve_name: str, d: int) -> tuple[int, int]:
    """The public point ``d * G`` for a private scalar in [1, n-1].

    Raises InvalidKeyError for an unknown curve or a scalar out of range.
    """
    curve = _curve(curve_name)
    if not isinstance(d, int) or not 1 <= d < curve.n:
        raise InvalidKeyError("EC private scalar out of range [1, n-1]")
    point = _w.mul_base_regular(curve, d)
    if point is None:  # pragma: no cover - d in [1, n-1] cannot give infinity on a prime order
        raise InvalidKeyError("EC private scalar gives the point at infinity")
    return point


def generate(curve_name: str) -> ECPrivateKey:
    """A new private key on ``curve_name`` with d uniform in [1, n-1] from ``secrets``."""
    curve = _curve(curve_name)
    d = 1 + secrets.randbelow(curve.n - 1)
    x, y = public_point(curve_name, d)
    return ECPrivateKey(curve_name, d, x, y)


def ecdh(private: ECPrivateKey, public: ECPublicKey) -> bytes | None:
    """The shared secret ``Z`` of SEC 1 §3.3.1: the x-coordinate of ``d * Q``, fixed width.

    None when the keys' curves differ or ``Q`` is not a point of the curve (SEC 1 §3.2.2.1);
    ``d * Q`` cannot be the point at infinity once both checks pass (prime order, d < n).

    Raises InvalidKeyError for an unknown curve or a private scalar out of range.
    """
    curve = _curve(private.curve)
    d = private.d
    if not isinstance(d, int) or not 1 <= d < curve.n:
        raise InvalidKeyError("EC private scalar out of range [1, n-1]")
    x, y = public.x, public.y
    # is_on_curve also refuses coordinates >= p; infinity has no affine form, so it fails too.
    if public.curve != private.curve or not _is_point(curve, x, y):
        return None
    point = _w.mul_regular(curve, d, x, y)
    if point is None:  # pragma: no cover - see the docstring
        return None
    return point[0].to_bytes(curve.size, "big")


def _is_point(curve: WeierstrassCurve, x: object, y: object) -> bool:
    return isinstance(x, int) and isinstance(y, int) and is_on_curve(curve, x, y)


def _sign_with_k(curve: WeierstrassCurve, d: int, e: int, k: int) -> tuple[int, int] | None:
    """SEC 1 §4.1.3 steps 1 and 6: (r, s) for nonce k, or None when r or s is zero."""
    point = _w.mul_base_regular(curve, k)
    if point is None:
        return None
    n = curve.n
    r = point[0] % n
    s = pow(k, -1, n) * (e + r * d) % n
    if r == 0 or s == 0:
        return None
    return r, s


def _sign(key: ECPrivateKey, hash_name: str, message: bytes, extra: bytes) -> bytes:
    curve = _curve(key.curve)
    d = key.d
    if not isinstance(d, int) or not 1 <= d < curve.n:
        raise InvalidKeyError("EC private scalar out of range [1, n-1]")
    h = _digest(hash_name, message)
    e = bits2int(h, curve.n.bit_length())
    for k in nonces(curve.n, d, h, hash_name, extra):  # pragma: no branch - first k works
        rs = _sign_with_k(curve, d, e, k)
        if rs is not None:
            return rs[0].to_bytes(curve.size, "big") + rs[1].to_bytes(curve.size, "big")
    raise AssertionError("unreachable: the nonce generator never ends")  # pragma: no cover


def _sign_deterministic(key: ECPrivateKey, hash_name: str, message: bytes) -> bytes:
    """Plain RFC 6979 §3.2 signing, without hedging: the same input gives the same signature."""
    return _sign(key, hash_name, message, b"")


def ecdsa_sign(key: ECPrivateKey, hash_name: str, message: bytes) -> bytes:
    """Sign ``message`` with ECDSA and the named hash; returns ``R || S`` (RFC 7518 §3.4).

    Raises InvalidKeyError for an unusable key and UnsupportedHashError for an unknown hash.
    """
    return _sign(key, hash_name, message, secrets.token_bytes(32))


class _PublicEntry:
    """What verification keeps per public key in :data:`PUBLIC_ENTRIES`.

    The first verification uses Straus's method with 16 odd multiples of Q. A key that verifies
    again is likely to keep doing so (a JWKS or a configured issuer key), so on its second use it
    gets a full comb, after which a verification needs no doublings at all.
    """

    def __init__(self, curve: WeierstrassCurve, x: int, y: int) -> None:
        self.curve = curve
        self.x = x
        self.y = y
        self.q_table = _w.odd_multiples(curve, x, y, _Q_TABLE_SIZE)
        self.comb: _w.Comb | None = None
        self.uses = 0

    def mul_add(self, u1: int, u2: int) -> _w.Jacobian:
        self.uses += 1
        if self.comb is None and self.uses >= _COMB_AFTER_USES:
            self.comb = _w.Comb(self.curve, self.x, self.y, _Q_COMB_WIDTH)
        if self.comb is not None:
            return _w.mul2_comb(self.curve, u1, self.comb, u2)
        return _w.mul_add_vartime(self.curve, u1, u2, self.q_table)


def _all_bytes(*values: object) -> bool:
    return all(isinstance(v, bytes) for v in values)


def _public_entry(key: ECPublicKey) -> _PublicEntry | None:
    """The validated, cached verification state of ``key``; None if the key is unusable."""
    cached = PUBLIC_ENTRIES.lookup(key)
    if isinstance(cached, _PublicEntry):
        return cached
    if cached is not None:  # an earlier call found the key invalid
        return None
    curve = CURVES.get(key.curve) if isinstance(key.curve, str) else None
    x, y = key.x, key.y
    entry: object = False
    # is_on_curve also rejects coordinates >= p; infinity has no affine form, so it fails too.
    if curve is not None and _is_point(curve, x, y):
        entry = _PublicEntry(curve, x, y)
    PUBLIC_ENTRIES.store(key, entry)
    return entry if isinstance(entry, _PublicEntry) else None


def ecdsa_verify(key: ECPublicKey, hash_name: str, message: bytes, signature: bytes) -> bool:
    """Verify an ``R || S`` ECDSA signature (SEC 1 §4.1.4); never raises, returns a bool."""
    if hash_name not in _HASHES:
        return False
    entry = _public_entry(key)
    if entry is None:
        return False
    curve = entry.curve
    size, n = curve.size, curve.n
    if not _all_bytes(message, signature) or len(signature) != 2 * size:
        return False
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    if not (1 <= r < n and 1 <= s < n):  # CVE-2022-21449
        return False
    e = bits2int(hashlib.new(hash_name, message).digest(), n.bit_length())
    w = pow(s, -1, n)
    X, _, Z = entry.mul_add(e * w % n, r * w % n)
    if Z == 0:
        return False
    p = curve.p
    # x(R) = X / Z^2; compare without an inversion. x(R) < p, and r = x(R) mod n, so x(R) is
    # r or (when r + n < p) possibly r + n.
    zz = Z * Z % p
    if r * zz % p == X:
        return True
    return r + n < p and (r + n) * zz % p == X
