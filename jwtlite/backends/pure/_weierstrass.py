"""Point arithmetic on the short-Weierstrass curves of ``jwtlite._curves``.

Points are kept in Jacobian coordinates ``(X, Y, Z)`` standing for ``(X/Z^2, Y/Z^3)``; ``Z == 0``
is the point at infinity. Additions are always "mixed" (a Jacobian point plus an affine table
entry), so every precomputed table is converted to affine once, with a single inversion
(Montgomery's trick). Doubling formulas are specialised for ``a = -3`` (the NIST curves, FIPS
186-5 / SP 800-186 §3.2.1) and ``a = 0`` (secp256k1, SEC 2 §2.4.1); see the Explicit-Formulas
Database entries dbl-2001-b and dbl-2009-l.

Four multiplications are offered:

* :func:`mul_base_regular` for secret scalars (ECDSA nonces, private keys): a fixed-base comb
  over per-curve tables, with the scalar first lifted to ``k + n`` or ``k + 2n`` (whichever is
  odd) and recoded into a fixed number of non-zero signed odd digits. Every call performs the
  same number of table look-ups and additions whatever the scalar's bit length, which closes
  the Minerva nonce-length leak (CVE-2024-23342).
* :func:`mul_regular` for a secret scalar times a point that changes with every call (ECDH,
  SEC 1 §3.3.1): the same regular recoding over a small table of the point's odd multiples,
  with a fixed chain of doublings, so the sequence of operations does not depend on the scalar.
* :func:`mul_add_vartime` for public scalars (verification): Straus's joint multiplication of
  ``u1*G + u2*Q`` with width-w NAFs sharing one chain of doublings.
* :func:`mul2_comb` for a public key verified repeatedly: with a comb for Q as well as for G,
  ``u1*G + u2*Q`` takes additions only (the caller decides when Q's comb is worth building).

Additions in the combs fall back to the general ``_madd`` only from the point at infinity (the
first window, for every scalar alike) or when both operands share an x coordinate, which for
a scalar below n happens with negligible probability.

Residual risk: CPython integers are not constant-time (multiplication and reduction time
depend on operand values, and table indexing touches memory by digit), so this code resists
the coarse bit-length leak but not a local attacker measuring caches or precise timing.
"""

from __future__ import annotations

from ..._curves import WeierstrassCurve

__all__ = [
    "Affine",
    "Comb",
    "Jacobian",
    "base_comb",
    "mul2_comb",
    "mul_add_vartime",
    "mul_base_regular",
    "mul_regular",
    "odd_multiples",
    "to_affine",
]

Affine = tuple[int, int]
Jacobian = tuple[int, int, int]

_INFINITY: Jacobian = (1, 1, 0)


def _double(p: int, a_is_zero: bool, X: int, Y: int, Z: int) -> Jacobian:
    """2P. Curves of prime order have no point with y = 0, so only Z = 0 needs care."""
    if a_is_zero:
        # dbl-2009-l (a = 0)
        A = X * X % p
        B = Y * Y % p
        C = B * B % p
        D = 4 * X * B % p
        E = 3 * A
        X3 = (E * E - 2 * D) % p
        return X3, (E * (D - X3) - 8 * C) % p, 2 * Y * Z % p
    # dbl-2001-b (a = -3): 3*X^2 + a*Z^4 = 3*(X - Z^2)*(X + Z^2)
    delta = Z * Z % p
    gamma = Y * Y % p
    beta = X * gamma % p
    alpha = 3 * (X - delta) * (X + delta) % p
    X3 = (alpha * alpha - 8 * beta) % p
    return X3, (alpha * (4 * beta - X3) - 8 * gamma * gamma) % p, 2 * Y * Z % p


def _madd(p: int, a_is_zero: bool, X1: int, Y1: int, Z1: int, x2: int, y2: int) -> Jacobian:
    """P + Q for Jacobian P and affine Q, handling P = Q, P = -Q and P = infinity."""
    if Z1 == 0:
        return x2, y2, 1
    Z1Z1 = Z1 * Z1 % p
    H = (x2 * Z1Z1 - X1) % p
    R = (y2 * Z1 * Z1Z1 - Y1) % p
    if H == 0:
        # Same x: either the same point (double it) or its negation (the sum is infinity).
        return _double(p, a_is_zero, X1, Y1, Z1) if R == 0 else _INFINITY
    HH = H * H % p
    HHH = H * HH % p
    V = X1 * HH % p
    X3 = (R * R - HHH - 2 * V) % p
    return X3, (R * (V - X3) - Y1 * HHH) % p, Z1 * H % p


def to_affine(p: int, points: list[Jacobian]) -> list[Affine]:
    """Convert finite Jacobian points with one shared inversion (Montgomery's trick)."""
    prefix = []
    acc = 1
    for _, _, Z in points:
        prefix.append(acc)
        acc = acc * Z % p
    inv = pow(acc, -1, p)
    out: list[Affine] = [(0, 0)] * len(points)
    for i in range(len(points) - 1, -1, -1):
        X, Y, Z = points[i]
        zi = inv * prefix[i] % p
        inv = inv * Z % p
        zi2 = zi * zi % p
        out[i] = (X * zi2 % p, Y * zi2 * zi % p)
    return out


def odd_multiples(curve: WeierstrassCurve, x: int, y: int, count: int) -> list[Affine]:
    """``[1P, 3P, 5P, ..., (2*count - 1)P]`` in affine form, for a finite point P of order n."""
    p, a0 = curve.p, curve.a == 0
    ((tx, ty),) = to_affine(p, [_double(p, a0, x, y, 1)])
    points: list[Jacobian] = [(x, y, 1)]
    for _ in range(count - 1):
        points.append(_madd(p, a0, *points[-1], tx, ty))
    return to_affine(p, points)


# --- fixed-window combs: k*P with no doublings ------------------------------------------------


class Comb:
    """Odd multiples ``j * 2^(w*i) * P`` for every window i and odd ``j < 2^w``, affine.

    With these, ``k * P`` is one table look-up and one addition per window (``comb_mul``).
    """

    def __init__(self, curve: WeierstrassCurve, x: int, y: int, width: int) -> None:
        p, a0 = curve.p, curve.a == 0
        # k + n or k + 2n (see comb_mul) is below 3n; the recoding's top digit must stay below
        # 2^w, which holds when 3n < 2^(w*windows - 1).
        windows = -(-((3 * curve.n).bit_length() + 1) // width)
        bases: list[Jacobian] = [(x, y, 1)]
        for _ in range(windows - 1):
            X, Y, Z = bases[-1]
            for _ in range(width):
                X, Y, Z = _double(p, a0, X, Y, Z)
            bases.append((X, Y, Z))
        # 2^(w*i) * P is never infinity (n is an odd prime), nor is any odd multiple below, so
        # every Z is non-zero and three shared inversions make the whole table affine.
        affine = to_affine(p, bases)
        twice = to_affine(p, [_double(p, a0, bx, by, 1) for bx, by in affine])
        flat: list[Jacobian] = []
        half = 1 << (width - 1)
        for (bx, by), (tx, ty) in zip(affine, twice):
            point: Jacobian = (bx, by, 1)
            flat.append(point)
            for _ in range(half - 1):
                point = _madd(p, a0, *point, tx, ty)
                flat.append(point)
        table = to_affine(p, flat)
        self.curve = curve
        self.width = width
        self.rows = [table[i : i + half] for i in range(0, len(table), half)]


def _base_width(curve: WeierstrassCurve) -> int:
    # Wider windows mean fewer additions per signature but a larger one-off table; these keep
    # the table build well under 100 ms on first use of each curve.
    return 8 if curve.size <= 32 else 7 if curve.size <= 48 else 6


_BASE_COMBS: dict[str, Comb] = {}


def base_comb(curve: WeierstrassCurve) -> Comb:
    """The comb of ``curve``'s base point G, built once on first use."""
    comb = _BASE_COMBS.get(curve.name)
    if comb is None:
        comb = _BASE_COMBS[curve.name] = Comb(curve, curve.gx, curve.gy, _base_width(curve))
    return comb


def _regular_digits(k: int, n: int, width: int, count: int) -> list[int]:
    """Recode ``k`` in [0, n) as ``count`` odd digits in ``(-2^w, 2^w)``, none of them zero.

    Minerva (CVE-2024-23342): the nonce's length must not show. n is odd, so exactly one of
    ``k + n`` and ``k + 2n`` is odd; that m lies in [n, 3n) and is what gets recoded. Each step
    takes ``d = (m mod 2^(w+1)) - 2^w``, odd because m is, and leaves ``(m - d) / 2^w`` odd
    again; so no digit is ever zero and no addition is ever skipped, whatever k is.
    """
    m = k + n * (1 + (k & 1))
    mask = (1 << (width + 1)) - 1
    top = 1 << width
    digits = []
    for _ in range(count - 1):
        d = (m & mask) - top
        digits.append(d)
        m = (m - d) >> width
    digits.append(m)
    return digits


def _comb_add(comb: Comb, k: int, acc: Jacobian) -> Jacobian:
    """``acc + k * P`` with exactly one mixed addition per window of P's comb."""
    curve = comb.curve
    p, a0 = curve.p, curve.a == 0
    X, Y, Z = acc
    digits = _regular_digits(k, curve.n, comb.width, len(comb.rows))
    for row, d in zip(comb.rows, digits):
        x2, y2 = row[abs(d) >> 1]
        if d < 0:
            y2 = p - y2
        # _madd inlined: this loop is the whole cost of signing.
        ZZ = Z * Z % p
        H = x2 * ZZ % p - X
        R = y2 * Z * ZZ % p - Y
        if H == 0 or Z == 0:
            X, Y, Z = _madd(p, a0, X, Y, Z, x2, y2)
            continue
        HH = H * H % p
        HHH = H * HH % p
        V = X * HH % p
        X = (R * R - HHH - 2 * V) % p
        Y = (R * (V - X) - Y * HHH) % p
        Z = Z * H % p
    return X, Y, Z


def mul_base_regular(curve: WeierstrassCurve, k: int) -> Affine | None:
    """``k * G`` for a secret ``0 <= k < n``, with a sequence of operations independent of k.

    Returns None for the point at infinity (only k = 0 gives it).
    """
    X, Y, Z = _comb_add(base_comb(curve), k, _INFINITY)
    if Z == 0:
        return None
    return to_affine(curve.p, [(X, Y, Z)])[0]


#: Window of :func:`mul_regular`: 16 odd multiples of the point (built with 15 additions) and
#: one addition per 5 doublings; wider windows cost more to build than they save per call.
_VARIABLE_BASE_WIDTH = 5


def mul_regular(curve: WeierstrassCurve, k: int, x: int, y: int) -> Affine | None:
    """``k * P`` for a secret ``0 <= k < n`` and a point P of order n, the caller's to check.

    Every call performs the same sequence of doublings, table look-ups and additions whatever
    k is: k is recoded as in :func:`mul_base_regular` (:func:`_regular_digits`), so no digit is
    zero and no addition is skipped. Returns None for the point at infinity (only k = 0).
    """
    p, a0, width = curve.p, curve.a == 0, _VARIABLE_BASE_WIDTH
    table = odd_multiples(curve, x, y, 1 << (width - 1))
    # As in Comb: the recoded value is below 3n, and the top digit must stay below 2^w.
    count = -(-((3 * curve.n).bit_length() + 1) // width)
    digits = _regular_digits(k, curve.n, width, count)
    X, Y, Z = table[digits[-1] >> 1] + (1,)  # the top digit is odd and positive
    for d in reversed(digits[:-1]):
        for _ in range(width):
            X, Y, Z = _double(p, a0, X, Y, Z)
        x2, y2 = table[abs(d) >> 1]
        X, Y, Z = _madd(p, a0, X, Y, Z, x2, y2 if d > 0 else p - y2)
    if Z == 0:
        return None
    return to_affine(p, [(X, Y, Z)])[0]


def mul2_comb(curve: WeierstrassCurve, u1: int, q_comb: Comb, u2: int) -> Jacobian:
    """``u1*G + u2*Q`` when Q has its own comb: additions only, no doublings."""
    return _comb_add(q_comb, u2, _comb_add(base_comb(curve), u1, _INFINITY))


# --- Straus joint multiplication for verification --------------------------------------------


def _wnaf(k: int, width: int) -> list[int]:
    """Width-w non-adjacent form, least significant digit first; non-zero digits are odd."""
    digits = []
    full = 1 << width
    half = full >> 1
    mask = full - 1
    while k:
        if k & 1:
            d = k & mask
            if d >= half:
                d -= full
            k -= d
        else:
            d = 0
        digits.append(d)
        k >>= 1
    return digits


def mul_add_vartime(curve: WeierstrassCurve, u1: int, u2: int, q_table: list[Affine]) -> Jacobian:
    """``u1*G + u2*Q`` (Straus), where ``q_table`` holds Q's odd multiples from odd_multiples.

    Variable-time: only for public scalars. The base point's odd multiples are the first row
    of the comb, so no second table is kept for G.
    """
    g_table = base_comb(curve).rows[0]
    p, a0 = curve.p, curve.a == 0
    # A table of t odd multiples serves a NAF of width log2(t) + 2.
    naf1 = _wnaf(u1, (2 * len(g_table)).bit_length())
    naf2 = _wnaf(u2, (2 * len(q_table)).bit_length())
    size = max(len(naf1), len(naf2))
    naf1 += [0] * (size - len(naf1))
    naf2 += [0] * (size - len(naf2))
    X, Y, Z = _INFINITY
    for i in range(size - 1, -1, -1):
        if Z and a0:
            X, Y, Z = _double(p, a0, X, Y, Z)
        elif Z:
            # dbl-2001-b inlined (a = -3): doublings are most of a verification's cost.
            delta = Z * Z % p
            gamma = Y * Y % p
            beta = X * gamma % p
            alpha = 3 * (X - delta) * (X + delta) % p
            Z = 2 * Y * Z % p
            X = (alpha * alpha - 8 * beta) % p
            Y = (alpha * (4 * beta - X) - 8 * gamma * gamma) % p
        d = naf1[i]
        if d:
            x2, y2 = g_table[abs(d) >> 1]
            X, Y, Z = _madd(p, a0, X, Y, Z, x2, y2 if d > 0 else p - y2)
        d = naf2[i]
        if d:
            x2, y2 = q_table[abs(d) >> 1]
            X, Y, Z = _madd(p, a0, X, Y, Z, x2, y2 if d > 0 else p - y2)
    return X, Y, Z
