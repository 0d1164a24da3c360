"""Ed25519 (RFC 8032 §5.1), pure Python; the arithmetic is in ``_edwards``.

Verification is cofactorless, ``[S]B = R + [k]A`` (§5.1.7 step 3) with k reduced mod L and
``[k]A`` exact even for a public key with a small-order component, because that is what OpenSSL
accepts: the pure and ``cryptography`` backends must accept exactly the same signatures
(``_edwards`` has the details). Keys are 32-byte seeds ("private keys" in RFC 8032 terms) and
32-byte encoded public points.
"""

from __future__ import annotations

import hashlib

from . import _edwards

__all__ = ["generate", "public_key", "sign", "verify"]

_P = 2**255 - 19


def _clamp(half: bytes) -> int:
    # §5.1.5 step 2: clear the lowest three bits and bit 255, set bit 254.
    return (int.from_bytes(half, "little") & ((1 << 254) - 8)) | (1 << 254)


def _sha512(data: bytes) -> bytes:
    return hashlib.sha512(data).digest()


# §5.1: d = -121665/121666, L = 2^252 + 27742317777372353535851937790883648493, and B the
# point with y = 4/5 and x even (its coordinates as listed in §5.1).
_CURVE = _edwards.EdwardsCurve(
    p=_P,
    a=-1,
    d=-121665 * pow(121666, -1, _P),
    order=2**252 + 27742317777372353535851937790883648493,
    base=(
        15112221349535400772501151409588531511454012693041857206046113283949847762202,
        46316835694926478169428394003475163141307993866256225615783033603165251855960,
    ),
    size=32,
    expand=_sha512,
    hash_dom=_sha512,  # dom2 is empty for pure Ed25519 (§5.1)
    clamp=_clamp,
    comb_width=8,
    cofactored=False,
)
_SCHEME = _edwards.EdDSA("Ed25519", _CURVE)
_PUBLIC_CACHE = _SCHEME.cache

public_key = _SCHEME.public_key
sign = _SCHEME.sign
verify = _SCHEME.verify
generate = _SCHEME.generate
