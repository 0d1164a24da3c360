"""Ed448 (RFC 8032 §5.2), pure EdDSA with an empty context, pure Python.

The arithmetic is shared with Ed25519 in ``_edwards`` (the curve is untwisted, a = 1).
Verification is cofactored, ``[4][S]B = [4]R + [4][k]A`` (§5.2.7 step 3), and refuses A or R
with x = 0 (the neutral point and (0, -1)), because that is what OpenSSL accepts: the pure and
``cryptography`` backends must accept exactly the same signatures (``_edwards`` has the
details). Keys are 57-byte seeds and 57-byte encoded public points.
"""

from __future__ import annotations

import hashlib

from . import _edwards

__all__ = ["generate", "public_key", "sign", "verify"]

#: dom4(0, "") of §5.2: phflag 0 (pure Ed448) and a zero-length context.
_DOM4 = b"SigEd448" + bytes([0, 0])


def _shake(data: bytes) -> bytes:
    return hashlib.shake_256(data).digest(114)


def _hash_dom(data: bytes) -> bytes:
    return _shake(_DOM4 + data)


def _clamp(half: bytes) -> int:
    # §5.2.5 step 2: clear the two lowest bits, set bit 447, clear the last octet (bits 448+).
    return (int.from_bytes(half, "little") & ((1 << 447) - 4)) | (1 << 447)


# §5.2: p = 2^448 - 2^224 - 1, d = -39081, and the base point B as listed there.
_CURVE = _edwards.EdwardsCurve(
    p=2**448 - 2**224 - 1,
    a=1,
    d=-39081,
    order=2**446 - 13818066809895115352007386748515426880336692474882178609894547503885,
    base=(
        int(
            "22458004029592430018760433409989603624678964163256413424612546168695"
            "0415467406032909029192869357953282578032075146446173674602635247710"
        ),
        int(
            "29881921007848149267601793044393067343754404015408024209592824137233"
            "1506189835876003536878655418784733982303233503462500531545062832660"
        ),
    ),
    size=57,
    expand=_shake,
    hash_dom=_hash_dom,
    clamp=_clamp,
    comb_width=6,
    cofactored=True,
)
_SCHEME = _edwards.EdDSA("Ed448", _CURVE)
_PUBLIC_CACHE = _SCHEME.cache

public_key = _SCHEME.public_key
sign = _SCHEME.sign
verify = _SCHEME.verify
generate = _SCHEME.generate
