"""The pure backend's scalar multiplications against a naive reference, on every curve.

``_weierstrass`` multiplies a secret scalar with a fixed-window comb (``Comb``, ``_comb_add``:
signing, and a public key's own comb) or with a fixed chain of doublings (``mul_regular``:
ECDH's ``d * Q``), both over the regular recoding of ``_regular_digits``; ``_edwards`` does the
same for EdDSA's base point. Here every one of them is compared with affine double-and-add
written from the curve equations (SEC 1 §2.2.1 for y^2 = x^3 + ax + b, RFC 8032 §5.1.4 and
§5.2.4's addition law for a*x^2 + y^2 = 1 + d*x^2*y^2), on the scalars where a recoding or a
window count goes wrong: 0, 1, 2, n - 1, n - 2, long runs of ones and of zeros, the top bit,
and a few drawn from a fixed seed. Then the public results: ECDSA round trips and ECDH shared
secrets equal to the ``cryptography`` backend's. The file is small and fast on purpose: it is
the selection mutation testing runs these functions' mutants with (docs/architecture.md, "The
pure backend: elliptic curves").
"""

from __future__ import annotations

import random
from functools import cache
from typing import Optional

import pytest
from conftest import BACKEND_NAMES

from jwtlite import _cache
from jwtlite._curves import CURVES, WeierstrassCurve
from jwtlite.backends import get_backend
from jwtlite.backends.pure import _edwards, _weierstrass, ec, ed448, ed25519
from jwtlite.keys import ECPrivateKey, ECPublicKey

CURVE_NAMES = ["P-256", "P-384", "P-521", "secp256k1"]

Point = Optional[tuple[int, int]]


@pytest.fixture(autouse=True)
def _cold_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test builds the tables it uses: the base combs are built once per process (under
    mutmut, by the clean run every mutant is forked from), and so would hide ``Comb``,
    ``base_comb`` and ``_edwards._base_comb`` from the tests."""
    _cache.clear_caches()
    monkeypatch.setattr(_weierstrass, "_BASE_COMBS", {})
    monkeypatch.setattr(ed25519._CURVE, "comb", None)
    monkeypatch.setattr(ed448._CURVE, "comb", None)


# --- the reference: affine double-and-add, nothing shared with the code under test ------------


def ref_add(c: WeierstrassCurve, P: Point, Q: Point) -> Point:
    """P + Q on y^2 = x^3 + ax + b (SEC 1 §2.2.1); None is the point at infinity."""
    if P is None:
        return Q
    if Q is None:
        return P
    p = c.p
    if P[0] == Q[0] and (P[1] + Q[1]) % p == 0:
        return None
    if P == Q:
        lam = (3 * P[0] * P[0] + c.a) * pow(2 * P[1], -1, p) % p
    else:
        lam = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
    x = (lam * lam - P[0] - Q[0]) % p
    return x, (lam * (P[0] - x) - P[1]) % p


@cache
def ref_doublings(name: str, P: tuple[int, int]) -> list[tuple[int, int]]:
    """``[P, 2P, 4P, ...]``, one past the order's bit length."""
    c = CURVES[name]
    out = [P]
    for _ in range(c.n.bit_length()):
        doubled = ref_add(c, out[-1], out[-1])
        assert doubled is not None
        out.append(doubled)
    return out


def ref_mul(name: str, k: int, P: tuple[int, int]) -> Point:
    """k * P by the binary method, for 0 <= k < 2 * 2^bits(n)."""
    c = CURVES[name]
    acc: Point = None
    for i, D in enumerate(ref_doublings(name, P)):
        if k >> i & 1:
            acc = ref_add(c, acc, D)
    assert k >> len(ref_doublings(name, P)) == 0
    return acc


def base(name: str) -> tuple[int, int]:
    return CURVES[name].gx, CURVES[name].gy


def edge_scalars(n: int) -> list[int]:
    """The scalars a recoding or a window count gets wrong first, and six from a fixed seed."""
    bits = n.bit_length()
    rng = random.Random(bits)
    ones = (1 << (bits - 1)) - 1  # bits - 1 ones: every digit at its top
    picks = [
        0,
        1,
        2,
        3,
        n - 1,
        n - 2,
        n // 2,
        1 << (bits - 1),  # the top bit alone: a long run of zeros below it
        (1 << (bits - 1)) + 1,
        ones,
        ones ^ ((1 << 100) - 1),  # ones over zeros
        (1 << 100) - 1,  # a short scalar: the nonce length Minerva measured
        int("10" * (bits // 2), 2) % n,
        n - (1 << 64),
    ]
    picks += [rng.randrange(1, n) for _ in range(6)]
    assert all(0 <= k < n for k in picks)
    return picks


def comb_windows(n: int, width: int) -> int:
    """The fewest windows whose recoding holds every k + n or k + 2n (both below 3n)."""
    windows = 1
    while 3 * n >= 1 << (width * windows - 1):
        windows += 1
    return windows


def ref_digits(k: int, n: int, width: int, count: int) -> list[int]:
    """The recoding ``_regular_digits`` documents, written again: m = k + n or k + 2n (odd),
    then digits ``(m mod 2^(w+1)) - 2^w``, least significant first, the rest on top."""
    m = k + n if (k + n) % 2 else k + 2 * n
    digits = []
    for _ in range(count - 1):
        d = m % (1 << (width + 1)) - (1 << width)
        digits.append(d)
        m = (m - d) // (1 << width)
    return [*digits, m]


def test_edge_scalars_are_what_they_say() -> None:
    ran = 0
    for name in CURVE_NAMES:
        n = CURVES[name].n
        picks = edge_scalars(n)
        assert len(set(picks)) == len(picks) == 20
        assert max(picks).bit_length() == n.bit_length()
        ran += 1
    assert ran == 4


# --- the recoding -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_regular_digits_follow_the_recoding(name: str) -> None:
    n = CURVES[name].n
    ran = 0
    for width in (2, 3, 5, 6, 7, 8):
        count = comb_windows(n, width)
        for k in edge_scalars(n):
            digits = _weierstrass._regular_digits(k, n, width, count)
            assert digits == ref_digits(k, n, width, count)
            assert all(d % 2 == 1 and -(1 << width) < d < 1 << width for d in digits)
            assert 0 < digits[-1] < 1 << width
            assert sum(d << (width * i) for i, d in enumerate(digits)) in (k + n, k + 2 * n)
            ran += 1
    assert ran == 6 * 20


# --- mul_regular: ECDH's d * Q ------------------------------------------------------------------


def points(name: str) -> list[tuple[int, int]]:
    """G, -G and a point drawn from a fixed seed (each of order n: the curves have cofactor 1)."""
    G = base(name)
    other = ref_mul(name, random.Random(name).randrange(2, CURVES[name].n - 1), G)
    assert other is not None
    return [G, (G[0], CURVES[name].p - G[1]), other]


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_mul_regular_matches_double_and_add(name: str) -> None:
    curve = CURVES[name]
    G, minus_g, Q = points(name)
    ran = 0
    for k in edge_scalars(curve.n):
        expected = ref_mul(name, k, G)
        assert _weierstrass.mul_regular(curve, k, *G) == expected, k
        # k * (-G) = -(k * G): the table's y coordinates negated.
        negated = None if expected is None else (expected[0], (curve.p - expected[1]) % curve.p)
        assert _weierstrass.mul_regular(curve, k, *minus_g) == negated, k
        assert _weierstrass.mul_regular(curve, k, *Q) == ref_mul(name, k, Q), k
        ran += 1
    assert ran == 20


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_mul_regular_where_its_last_addition_doubles(name: str) -> None:
    """Before the last addition the sum is ``(m - d0) * P``; for k = 2 * d0 (mod n) that is
    ``d0 * P``, the very entry added, so the mixed addition must double: on secp256k1 with
    a = 0 (SEC 2 §2.4.1), not the a = -3 formula of the NIST curves."""
    curve = CURVES[name]
    n, width = curve.n, 5  # mul_regular's window
    found = []
    for k in [*range(1, 256), *range(n - 256, n)]:
        d0 = ref_digits(k, n, width, 2)[0]
        if (k - 2 * d0) % n == 0:
            found.append(k)
    # Where they fall depends on n mod 2^6: none below 256 or above n - 256 on P-384.
    assert len(found) == {"P-256": 2, "P-384": 0, "P-521": 1, "secp256k1": 1}[name]
    for P in points(name)[::2]:
        for k in found:
            assert _weierstrass.mul_regular(curve, k, *P) == ref_mul(name, k, P), k


# --- combs: k * P with one addition per window --------------------------------------------------


@pytest.mark.parametrize("name", CURVE_NAMES)
@pytest.mark.parametrize("width", [2, 3, 5])
def test_comb_rows_hold_the_odd_multiples_of_each_window(name: str, width: int) -> None:
    curve = CURVES[name]
    P = points(name)[2]
    comb = _weierstrass.Comb(curve, *P, width)
    assert comb.curve is curve
    assert comb.width == width
    # Enough windows for every recoded scalar (k + 2n < 3n < 2^(w*windows - 1)); one more would
    # only be slower, so this is a bound, not the count.
    assert len(comb.rows) >= comb_windows(curve.n, width)
    half = 1 << (width - 1)
    B: Point = P  # 2^(w*i) * P, by w reference doublings a row
    ran = 0
    for i, row in enumerate(comb.rows):
        assert len(row) == half
        assert B is not None
        twice = ref_add(curve, B, B)
        entry: Point = B
        for j in range(half):
            assert row[j] == entry, (i, j)
            entry = ref_add(curve, entry, twice)
        for _ in range(width):
            B = ref_add(curve, B, B)
        ran += 1
    assert ran == len(comb.rows)


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_comb_multiplication_matches_double_and_add(name: str) -> None:
    """``mul2_comb`` (a public key's comb and G's) and ``_comb_add`` onto a point."""
    curve = CURVES[name]
    G, _, Q = points(name)
    q_comb = _weierstrass.Comb(curve, *Q, 4)
    rng = random.Random(name)
    ran = 0
    scalars = edge_scalars(curve.n)
    for u1, u2 in zip(scalars[::2], reversed(scalars)):
        X, Y, Z = _weierstrass.mul2_comb(curve, u1, q_comb, u2)
        expected = ref_add(curve, ref_mul(name, u1, G), ref_mul(name, u2, Q))
        if expected is None:
            assert Z == 0
        else:
            assert Z != 0
            assert _weierstrass.to_affine(curve.p, [(X, Y, Z)]) == [expected]
        ran += 1
    # Onto a point that is not infinity, with a random Z.
    A = ref_mul(name, 12345, G)
    assert A is not None
    z = rng.randrange(1, curve.p)
    acc = (A[0] * z * z % curve.p, A[1] * z * z * z % curve.p, z)
    for k in edge_scalars(curve.n)[:8]:
        total = _weierstrass._comb_add(q_comb, k, acc)
        assert _weierstrass.to_affine(curve.p, [total]) == [ref_add(curve, A, ref_mul(name, k, Q))]
        ran += 1
    assert ran == 18


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_comb_add_meets_its_own_entry(name: str) -> None:
    """The first addition meets ``acc = +-d0 * P`` (d0 the first digit): the mixed addition
    must then double, or give infinity and start again from the next entry."""
    curve = CURVES[name]
    _, _, P = points(name)
    width = 3
    comb = _weierstrass.Comb(curve, *P, width)
    ran = 0
    for k in (1, 2, 5, curve.n - 1, curve.n // 3):
        d0 = ref_digits(k, curve.n, width, len(comb.rows))[0]
        for sign in (1, -1):
            start = ref_mul(name, sign * d0 % curve.n, P)
            assert start is not None
            total = _weierstrass._comb_add(comb, k, (*start, 1))
            expected = ref_mul(name, (k + sign * d0) % curve.n, P)
            if expected is None:
                assert total[2] == 0
            else:
                assert _weierstrass.to_affine(curve.p, [total]) == [expected], (k, sign)
            ran += 1
    assert ran == 10


def test_base_combs_built_once_per_curve_with_their_widths() -> None:
    widths = {"P-256": 8, "P-384": 7, "P-521": 6, "secp256k1": 8}
    built = {}
    for name in CURVE_NAMES:
        curve = CURVES[name]
        comb = _weierstrass.base_comb(curve)
        assert comb.curve is curve
        assert comb.width == widths[name]
        assert comb.rows[0][0] == base(name)
        built[name] = comb
    for name in CURVE_NAMES:
        assert _weierstrass.base_comb(CURVES[name]) is built[name]
    assert built == _weierstrass._BASE_COMBS


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_mul_base_regular_matches_double_and_add(name: str) -> None:
    curve = CURVES[name]
    ran = 0
    for k in edge_scalars(curve.n):
        assert _weierstrass.mul_base_regular(curve, k) == ref_mul(name, k, base(name)), k
        ran += 1
    assert ran == 20


# --- EdDSA's base comb -------------------------------------------------------------------------


def ed_add(c: _edwards.EdwardsCurve, P: tuple[int, int], Q: tuple[int, int]) -> tuple[int, int]:
    """The Edwards addition law (RFC 8032 §5.1.4, §5.2.4), affine; complete on both curves."""
    p = c.p
    (x1, y1), (x2, y2) = P, Q
    t = c.d * x1 * x2 * y1 * y2 % p
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, p) % p
    y3 = (y1 * y2 - c.a * x1 * x2) * pow(1 - t, -1, p) % p
    return x3, y3


def ed_mul(c: _edwards.EdwardsCurve, k: int, P: tuple[int, int]) -> tuple[int, int]:
    acc = (0, 1)
    while k:
        if k & 1:
            acc = ed_add(c, acc, P)
        P = ed_add(c, P, P)
        k >>= 1
    return acc


def ed_affine(c: _edwards.EdwardsCurve, P: _edwards.Extended) -> tuple[int, int]:
    zi = pow(P[2], -1, c.p)
    return P[0] * zi % c.p, P[1] * zi % c.p


@pytest.mark.parametrize("c", [ed25519._CURVE, ed448._CURVE], ids=["Ed25519", "Ed448"])
def test_edwards_base_comb_built_afresh(c: _edwards.EdwardsCurve) -> None:
    assert c.comb is None  # the fixture's doing: this test builds it
    rows = _edwards._base_comb(c)
    assert c.comb is rows
    assert _edwards._base_comb(c) is rows
    half = 1 << (c.comb_width - 1)
    assert len(rows[0]) == half
    assert rows[0][0][:2] == c.base
    assert len(rows) >= comb_windows(c.order, c.comb_width)
    ran = 0
    for k in edge_scalars(c.order)[:12]:
        assert ed_affine(c, _edwards.mul_base(c, k)) == ed_mul(c, k, c.base), k
        ran += 1
    assert ran == 12


# --- the public results --------------------------------------------------------------------------


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_sign_verify_round_trip(name: str) -> None:
    hash_name = {"P-256": "sha256", "P-384": "sha384", "P-521": "sha512"}.get(name, "sha256")
    d = random.Random(name + "d").randrange(1, CURVES[name].n)
    x, y = ec.public_point(name, d)
    assert (x, y) == ref_mul(name, d, base(name))
    key = ECPrivateKey(name, d, x, y)
    public = ECPublicKey(name, x, y)
    message = b"the comb signs, Straus and then the key's own comb verify"
    signature = ec.ecdsa_sign(key, hash_name, message)
    # The first verification uses Straus's method, the second and third the key's comb.
    for _ in range(3):
        assert ec.ecdsa_verify(public, hash_name, message, signature)
    assert not ec.ecdsa_verify(public, hash_name, message + b"!", signature)
    if len(BACKEND_NAMES) > 1:
        assert get_backend("cryptography").ecdsa_verify(public, hash_name, message, signature)


@pytest.mark.skipif(len(BACKEND_NAMES) < 2, reason="needs the cryptography backend")
@pytest.mark.parametrize("name", ["P-256", "P-384", "P-521"])
def test_ecdh_matches_the_cryptography_backend(name: str) -> None:
    other = get_backend("cryptography")
    curve = CURVES[name]
    rng = random.Random(name + "ecdh")
    ran = 0
    for d in (1, 2, curve.n - 1, rng.randrange(1, curve.n), rng.randrange(1, curve.n)):
        peer_d = rng.randrange(1, curve.n)
        qx, qy = other.ec_public_point(name, peer_d)
        private = ECPrivateKey(name, d, *other.ec_public_point(name, d))
        public = ECPublicKey(name, qx, qy)
        shared = ec.ecdh(private, public)
        assert shared is not None
        assert shared == other.ecdh(private, public)
        ran += 1
    assert ran == 5
