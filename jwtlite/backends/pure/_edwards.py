"""EdDSA (RFC 8032) over a twisted Edwards curve ``a*x^2 + y^2 = 1 + d*x^2*y^2``, shared by
Ed25519 (a = -1, §5.1) and Ed448 (a = 1, §5.2).

Points use extended coordinates ``(X, Y, Z, T)`` with ``x = X/Z``, ``y = Y/Z``, ``x*y = T/Z``
(Hisil, Wong, Carter, Dawson 2008; RFC 8032 §5.1.4 uses them for Ed25519). For Ed448 they are
the same projective ``(X, Y, Z)`` of §5.2.4 plus T: the unified formulas below (add-2008-hwcd,
dbl-2008-hwcd) are complete on both curves because a is a square and d is not, so no input
needs special cases, the neutral element ``(0, 1, 1, 0)`` included.

Secret scalars (the signing nonce r and the secret s) are multiplied by the base point with the
fixed-window comb and non-zero signed-digit recoding used for ECDSA (see ``_weierstrass``): the
same operations for every scalar, so a scalar's bit length does not show. Residual risk as
there: CPython integers are not constant-time.

Verification follows OpenSSL (hence the ``cryptography`` backend) exactly, so both jwtlite
backends accept exactly the same signatures; RFC 8032 allows either equation (§5.1.7 and §5.2.7
step 3), and honest signatures satisfy both. They differ only on crafted signatures whose R or
A has a small-order component:

* Ed25519 is cofactorless, ``[S]B = R + [k]A``, checked as ``encode([S]B - [k]A) == R`` with
  k reduced mod L and ``[k]A`` computed exactly, A's small-order component included (OpenSSL
  multiplies by the reduced k too). Small-order and mixed-order A and R are accepted whenever
  that equation holds; the encoding comparison rejects any non-canonical R.
* Ed448 is cofactored, ``[4][S]B = [4]R + [4][k]A``, as OpenSSL's decaf-based check behaves.
  Since the curve's rational 4-torsion is ``{(0, 1), (1, 0), (0, -1), (-1, 0)}``, that holds
  iff ``R = [S]B - [k]A + T`` for one of those T; adding ``(1, 0)`` maps ``(x, y)`` to
  ``(y, -x)``, so the check compares R with the encodings of four points and never decodes R
  (a square root would cost a quarter of a verification), which again rejects non-canonical R.
  Like OpenSSL's decoder, it refuses A and R with x = 0 (the neutral point and (0, -1)).

S must be below L and A must be canonically encoded (y < p, and not x = 0 with the sign bit
set), per §5.1.3 / §5.2.3; Wycheproof's vectors hold on both curves.
"""

from __future__ import annotations

import secrets
from typing import Callable, Union

from ..._cache import BoundedCache
from ..._keymodel import OKPPrivateKey
from ...exceptions import InvalidKeyError

__all__ = [
    "EdwardsCurve",
    "PublicEntry",
    "all_bytes",
    "cached_entry",
    "decode_point",
    "encode_point",
    "public_key",
    "sign",
    "verify",
]

Extended = tuple[int, int, int, int]
#: An affine point kept for mixed addition: (x, y, d*x*y).
Entry = tuple[int, int, int]


class EdwardsCurve:
    """Domain parameters and the RFC 8032 hashing rules of one EdDSA instance."""

    def __init__(
        self,
        *,
        p: int,
        a: int,
        d: int,
        order: int,
        base: tuple[int, int],
        size: int,
        expand: Callable[[bytes], bytes],
        hash_dom: Callable[[bytes], bytes],
        clamp: Callable[[bytes], int],
        comb_width: int,
        cofactored: bool,
    ) -> None:
        self.p = p
        self.a_negative = a == -1
        self.a = a % p
        self.d = d % p
        self.order = order  #: L, the prime order of the base point
        self.base = base
        self.size = size  #: encoded point and scalar length in bytes (b / 8)
        self.expand = expand  #: private key -> 2b-byte digest (§5.1.5 step 1, §5.2.5 step 1)
        self.hash_dom = hash_dom  #: the H(dom || ...) of §5.1.6 / §5.2.6 for pure EdDSA
        self.clamp = clamp  #: the first half of that digest -> secret scalar s
        self.comb_width = comb_width
        self.comb: list[list[Entry]] | None = None
        #: the Ed448 rules of the module docstring: cofactored, and x = 0 refused for A and R
        #: (``_cofactored_match`` lists the 4-torsion of an a = 1 curve, so only for those)
        self.cofactored = cofactored


# --- point arithmetic ------------------------------------------------------------------------


def _double(c: EdwardsCurve, X: int, Y: int, Z: int) -> Extended:
    """dbl-2008-hwcd; the input T is not needed."""
    p = c.p
    A = X * X % p
    B = Y * Y % p
    C = 2 * Z * Z % p
    D = p - A if c.a_negative else A
    E = ((X + Y) * (X + Y) - A - B) % p
    G = D + B
    F = G - C
    H = D - B
    return E * F % p, G * H % p, F * G % p, E * H % p


def _madd(c: EdwardsCurve, P: Extended, e: Entry) -> Extended:
    """add-2008-hwcd with an affine second point (Z2 = 1); complete, so no special cases."""
    p = c.p
    X1, Y1, Z1, T1 = P
    x2, y2, t2 = e
    A = X1 * x2 % p
    B = Y1 * y2 % p
    C = T1 * t2 % p
    E = ((X1 + Y1) * (x2 + y2) - A - B) % p
    F = Z1 - C
    G = Z1 + C
    H = B + A if c.a_negative else B - A
    return E * F % p, G * H % p, F * G % p, E * H % p


def _to_entries(c: EdwardsCurve, points: list[Extended]) -> list[Entry]:
    """Affine ``(x, y, d*x*y)`` for every point, with one shared inversion (Montgomery)."""
    p, d = c.p, c.d
    prefix = []
    acc = 1
    for P in points:
        prefix.append(acc)
        acc = acc * P[2] % p
    inv = pow(acc, -1, p)
    out: list[Entry] = [(0, 0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        X, Y, Z, _ = points[i]
        zi = inv * prefix[i] % p
        inv = inv * Z % p
        x, y = X * zi % p, Y * zi % p
        out[i] = (x, y, d * x * y % p)
    return out


def _neg(c: EdwardsCurve, e: Entry) -> Entry:
    return (c.p - e[0]) % c.p, e[1], (c.p - e[2]) % c.p


def encode_point(c: EdwardsCurve, P: Extended) -> bytes:
    """§5.1.2 / §5.2.2: y little-endian, the top bit of the last octet set to x's parity."""
    p = c.p
    zi = pow(P[2], -1, p)
    x, y = P[0] * zi % p, P[1] * zi % p
    return (y | ((x & 1) << (8 * c.size - 1))).to_bytes(c.size, "little")


def _sqrt(p: int, v: int) -> int | None:
    """A square root of v mod p, or None (p = 3 mod 4, or p = 5 mod 8 as in §5.1.3 step 3)."""
    if p % 4 == 3:
        root = pow(v, (p + 1) // 4, p)
    else:
        root = pow(v, (p + 3) // 8, p)
        if root * root % p != v:
            root = root * pow(2, (p - 1) // 4, p) % p  # times sqrt(-1)
    return root if root * root % p == v else None


def decode_point(c: EdwardsCurve, data: bytes) -> Extended | None:
    """§5.1.3 / §5.2.3, strict: None unless ``data`` is the canonical encoding of a point."""
    if len(data) != c.size:
        return None
    p = c.p
    y = int.from_bytes(data, "little")
    sign = y >> (8 * c.size - 1)
    y &= (1 << (8 * c.size - 1)) - 1
    if y >= p:  # non-canonical y; for Ed448 this also catches stray bits 448..454
        return None
    # x^2 = (y^2 - 1) / (d*y^2 - a); the denominator is never 0 since d/a is not a square.
    yy = y * y % p
    x = _sqrt(p, (yy - 1) * pow(c.d * yy - c.a, -1, p) % p)
    if x is None or (x == 0 and sign):  # x = 0 has only one encoding
        return None
    if x & 1 != sign:
        x = p - x
    return x, y, 1, x * y % p


# --- multiplication ----------------------------------------------------------------------------


def _odd_multiples(c: EdwardsCurve, P: Extended, count: int) -> list[Extended]:
    """``[1P, 3P, ..., (2*count - 1)P]`` in extended coordinates."""
    (twice,) = _to_entries(c, [_double(c, P[0], P[1], P[2])])
    points = [P]
    for _ in range(count - 1):
        points.append(_madd(c, points[-1], twice))
    return points


def build_comb(c: EdwardsCurve, P: Extended, width: int) -> list[list[Entry]]:
    """Rows of odd multiples ``j * 2^(w*i) * P``, ``j < 2^w``, as affine entries."""
    windows = -(-((3 * c.order).bit_length() + 1) // width)
    bases = [P]
    for _ in range(windows - 1):
        X, Y, Z, T = bases[-1]
        for _ in range(width):
            X, Y, Z, T = _double(c, X, Y, Z)
        bases.append((X, Y, Z, T))
    half = 1 << (width - 1)
    flat: list[Extended] = []
    for B in bases:
        flat.extend(_odd_multiples(c, B, half))
    table = _to_entries(c, flat)
    return [table[i : i + half] for i in range(0, len(table), half)]


def _base_comb(c: EdwardsCurve) -> list[list[Entry]]:
    if c.comb is None:
        bx, by = c.base
        c.comb = build_comb(c, (bx, by, 1, bx * by % c.p), c.comb_width)
    return c.comb


def _comb_add(c: EdwardsCurve, rows: list[list[Entry]], k: int, acc: Extended) -> Extended:
    """``acc + k*P`` for ``0 <= k < L``: one addition per row, none skipped.

    As for ECDSA: k + L or k + 2L, whichever is odd, recoded into non-zero odd signed digits.
    """
    width = len(rows[0]).bit_length()
    m = k + c.order * (1 + (k & 1))
    mask = (1 << (width + 1)) - 1
    top = 1 << width
    for row in rows[:-1]:
        digit = (m & mask) - top
        m = (m - digit) >> width
        entry = row[abs(digit) >> 1]
        acc = _madd(c, acc, entry if digit > 0 else _neg(c, entry))
    return _madd(c, acc, rows[-1][m >> 1])


_IDENTITY: Extended = (0, 1, 1, 0)


def mul_base(c: EdwardsCurve, k: int) -> Extended:
    """``[k]B`` for a secret scalar, reduced mod L first (B has order L)."""
    return _comb_add(c, _base_comb(c), k % c.order, _IDENTITY)


def _wnaf(k: int, width: int) -> list[int]:
    digits = []
    full = 1 << width
    while k:
        d = 0
        if k & 1:
            d = k & (full - 1)
            if d >= full >> 1:
                d -= full
            k -= d
        digits.append(d)
        k >>= 1
    return digits


def _straus(c: EdwardsCurve, u1: int, u2: int, q_table: list[Entry]) -> Extended:
    """``[u1]B + [u2]Q`` with one shared chain of doublings (variable time: public scalars)."""
    g_table = _base_comb(c)[0]
    naf1 = _wnaf(u1, (2 * len(g_table)).bit_length())
    naf2 = _wnaf(u2, (2 * len(q_table)).bit_length())
    size = max(len(naf1), len(naf2))
    naf1 += [0] * (size - len(naf1))
    naf2 += [0] * (size - len(naf2))
    P = _IDENTITY
    for i in range(size - 1, -1, -1):
        P = _double(c, P[0], P[1], P[2])
        d = naf1[i]
        if d:
            e = g_table[abs(d) >> 1]
            P = _madd(c, P, e if d > 0 else _neg(c, e))
        d = naf2[i]
        if d:
            e = q_table[abs(d) >> 1]
            P = _madd(c, P, e if d > 0 else _neg(c, e))
    return P


class PublicEntry:
    """A decoded public key A, kept as -A with its tables; a full comb is built on the second use.

    ``combine`` is exact for any A: Straus's method multiplies by k itself, and the comb, whose
    recoding adds L or 2L to k, is built only when that cannot change the result, i.e. when
    [L]A is neutral or the check is cofactored (the torsion part then drops out anyway).
    """

    def __init__(self, c: EdwardsCurve, A: Extended) -> None:
        self.curve = c
        X, Y, Z, T = A
        self.point: Extended = ((c.p - X) % c.p, Y, Z, (c.p - T) % c.p)
        self.q_table = _to_entries(c, _odd_multiples(c, self.point, 16))
        self.comb: list[list[Entry]] | None = None
        self.comb_allowed: bool | None = None
        self.uses = 0

    def combine(self, s: int, k: int) -> Extended:
        """``[s]B - [k]A`` for ``0 <= s, k < L``."""
        c = self.curve
        self.uses += 1
        if self.comb is None and self.uses >= 2 and self.comb_allowed is None:
            self.comb_allowed = c.cofactored or _is_neutral(_straus(c, 0, c.order, self.q_table))
            if self.comb_allowed:
                self.comb = build_comb(c, self.point, 5)
        if self.comb is not None:
            return _comb_add(c, self.comb, k, _comb_add(c, _base_comb(c), s, _IDENTITY))
        return _straus(c, s, k, self.q_table)


def _is_neutral(P: Extended) -> bool:
    return P[0] == 0 and P[1] == P[2]


# --- RFC 8032 sign and verify -----------------------------------------------------------------


def _secret(c: EdwardsCurve, private: bytes) -> tuple[int, bytes]:
    """§5.1.5 / §5.2.5: the clamped scalar s and the nonce prefix from the private key."""
    h = c.expand(private)
    return c.clamp(h[: c.size]), h[c.size :]


def public_key(c: EdwardsCurve, private: bytes) -> bytes:
    """The encoded public key A = [s]B."""
    s, _ = _secret(c, private)
    return encode_point(c, mul_base(c, s))


def sign(c: EdwardsCurve, private: bytes, message: bytes) -> bytes:
    """§5.1.6 / §5.2.6: ``R || S``."""
    s, prefix = _secret(c, private)
    L = c.order
    public = encode_point(c, mul_base(c, s))
    r = int.from_bytes(c.hash_dom(prefix + message), "little") % L
    R = encode_point(c, mul_base(c, r))
    k = int.from_bytes(c.hash_dom(R + public + message), "little") % L
    S = (r + k * s) % L
    return R + S.to_bytes(c.size, "little")


def verify(c: EdwardsCurve, entry: PublicEntry, public: bytes, message: bytes, sig: bytes) -> bool:
    """§5.1.7 / §5.2.7 with the equation the module docstring gives for the curve."""
    if len(sig) != 2 * c.size:
        return False
    R = sig[: c.size]
    S = int.from_bytes(sig[c.size :], "little")
    L = c.order
    if S >= L:
        return False
    k = int.from_bytes(c.hash_dom(R + public + message), "little") % L
    P = entry.combine(S, k)
    if c.cofactored:
        return _cofactored_match(c, P, int.from_bytes(R, "little"))
    return encode_point(c, P) == R


def _cofactored_match(c: EdwardsCurve, P: Extended, r: int) -> bool:
    """Whether r encodes ``P + T`` for T in the 4-torsion of an a = 1 curve, with x != 0."""
    p = c.p
    zi = pow(P[2], -1, p)
    x, y = P[0] * zi % p, P[1] * zi % p
    top = 8 * c.size - 1
    # P, P + (1, 0), P + (0, -1), P + (-1, 0); (-v) % p keeps 0 at 0, so parities are right.
    for u, v in ((x, y), (y, (-x) % p), ((-x) % p, (-y) % p), ((-y) % p, x)):
        if u != 0 and v | ((u & 1) << top) == r:
            return True
    return False


def all_bytes(*values: object) -> bool:
    """True when every value is ``bytes``: verification answers False to anything else."""
    return all(isinstance(v, bytes) for v in values)


_Cache = BoundedCache[bytes, Union[PublicEntry, bool]]


def cached_entry(c: EdwardsCurve, cache: _Cache, public: bytes) -> PublicEntry | None:
    """The decoded, tabulated public key, kept in ``cache`` (bounded; False marks a bad key)."""
    cached = cache.get(public)
    if cached is not None:
        return cached if isinstance(cached, PublicEntry) else None
    A = decode_point(c, public)
    # OpenSSL's Ed448 decoder refuses x = 0: the neutral point and (0, -1) (module docstring).
    entry: PublicEntry | bool = False
    if A is not None and not (c.cofactored and A[0] == 0):
        entry = PublicEntry(c, A)
    cache.put(public, entry)
    return entry if isinstance(entry, PublicEntry) else None


class EdDSA:
    """One EdDSA instance (Ed25519 or Ed448): the operations its module exports."""

    def __init__(self, name: str, curve: EdwardsCurve) -> None:
        self.name = name
        self.curve = curve
        #: decoded public keys (public data, so keyed by value) and their tables
        self.cache: _Cache = BoundedCache(f"pure {name} public keys", 64)

    def _seed(self, seed: object) -> bytes:
        size = self.curve.size
        if not isinstance(seed, bytes) or len(seed) != size:
            raise InvalidKeyError(f"an {self.name} private key is exactly {size} bytes")
        return seed

    def public_key(self, seed: bytes) -> bytes:
        """The encoded public key of a seed (§5.1.5 / §5.2.5). Raises InvalidKeyError."""
        return public_key(self.curve, self._seed(seed))

    def sign(self, seed: bytes, message: bytes) -> bytes:
        """The signature of ``message`` (§5.1.6 / §5.2.6). Raises InvalidKeyError."""
        return sign(self.curve, self._seed(seed), message)

    def verify(self, public: bytes, message: bytes, signature: bytes) -> bool:
        """Check a signature (§5.1.7 / §5.2.7); never raises."""
        if not all_bytes(public, message, signature):
            return False
        entry = cached_entry(self.curve, self.cache, public)
        return entry is not None and verify(self.curve, entry, public, message, signature)

    def generate(self) -> OKPPrivateKey:
        """A new key from ``secrets.token_bytes``."""
        seed = secrets.token_bytes(self.curve.size)
        return OKPPrivateKey(self.name, seed, self.public_key(seed))
