"""ECDH (SEC 1 §3.3.1) on P-256, P-384 and P-521, for JWE's ECDH-ES, on every backend.

Wycheproof ``ecdh_*_ecpoint_test.json``: public keys are SEC 1 octet strings, read by jwtlite's
own loader (``_keyformats.ec_public``); private keys are integers, read by ``ec_private``.
Decisions, asserted below:

- ``acceptable`` (one per file, ``CompressedPublic``): jwtlite reads compressed points
  (SEC 1 §2.3.4, as in SPKI), so the shared secret is computed. A JWK always carries both
  coordinates, so JWE never meets this form.
- ``invalid``: every one is refused when the public key is built (InvalidKeyError: not on the
  curve, twist points, an empty encoding). The uncompressed ones are also handed to the
  backends as model keys built by hand, bypassing the loader: ``ecdh`` returns None before
  any multiplication (the invalid-curve attack).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest
from conftest import BACKEND_NAMES, wycheproof_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._curves import CURVES
from jwtlite._keyformats import ec_private, ec_public
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import _weierstrass
from jwtlite.exceptions import InvalidKeyError
from jwtlite.keys import ECPrivateKey, ECPublicKey


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Every test builds its native keys itself: mutation testing forks each mutant from a
    process whose caches an earlier run warmed (docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


WYCHEPROOF = {
    # file: (curve, valid, acceptable, invalid)
    "ecdh_secp256r1_ecpoint_test.json": ("P-256", 330, 1, 24),
    "ecdh_secp384r1_ecpoint_test.json": ("P-384", 771, 1, 18),
    "ecdh_secp521r1_ecpoint_test.json": ("P-521", 632, 1, 28),
}
JWE_CURVES = ("P-256", "P-384", "P-521")


def all_backends() -> list[Backend]:
    return [get_backend(name) for name in BACKEND_NAMES]


_PRIVATE: dict[tuple[str, str], ECPrivateKey] = {}


def private_key(curve: str, hex_value: str) -> ECPrivateKey:
    """The private key through jwtlite's loader (once per scalar: the files reuse a few)."""
    if (curve, hex_value) not in _PRIVATE:
        _PRIVATE[curve, hex_value] = ec_private(curve, int(hex_value, 16), None)
    return _PRIVATE[curve, hex_value]


def _run_case(backend: Backend, curve: str, case: dict[str, Any]) -> None:
    key = private_key(curve, case["private"])
    encoded = bytes.fromhex(case["public"])
    if case["result"] == "invalid":
        with pytest.raises(InvalidKeyError):
            ec_public(curve, encoded)
        size = CURVES[curve].size
        if len(encoded) == 1 + 2 * size and encoded[0] == 4:
            x = int.from_bytes(encoded[1 : 1 + size], "big")
            y = int.from_bytes(encoded[1 + size :], "big")
            assert backend.ecdh(key, ECPublicKey(curve, x, y)) is None
        return
    shared = backend.ecdh(key, ec_public(curve, encoded))
    assert shared == bytes.fromhex(case["shared"]), (case["tcId"], case["comment"])
    if case["result"] == "acceptable":
        assert case["flags"] == ["CompressedPublic", "CompressedPoint"]


@pytest.mark.parametrize("filename", sorted(WYCHEPROOF))
def test_wycheproof(backend: Backend, filename: str) -> None:
    curve, *expected = WYCHEPROOF[filename]
    seen: Counter[str] = Counter()
    for group, case in wycheproof_cases(filename):
        assert group["encoding"] == "ecpoint"
        _run_case(backend, curve, case)
        seen[case["result"]] += 1
    assert (seen["valid"], seen["acceptable"], seen["invalid"]) == tuple(expected)


# --- refusals ------------------------------------------------------------------------------


def test_points_off_the_curve_give_none(backend: Backend) -> None:
    key = backend.generate_ec("P-256")
    curve = CURVES["P-256"]
    good = backend.generate_ec("P-256").public_key()
    bad = [
        ECPublicKey("P-256", good.x, (good.y + 1) % curve.p),  # another curve's point
        ECPublicKey("P-256", good.x + curve.p, good.y),  # a coordinate not below p
        ECPublicKey("P-256", good.x, good.y + curve.p),
        ECPublicKey("P-256", 0, 0),  # how some encoders write the point at infinity
        ECPublicKey("P-256", -good.x % curve.p, good.y),
    ]
    for public in bad:
        assert backend.ecdh(key, public) is None
    other = backend.generate_ec("P-384")
    assert backend.ecdh(key, other.public_key()) is None  # the curves differ
    assert backend.ecdh(other, good) is None


def test_a_coordinate_above_p_in_the_full_width_is_refused(backend: Backend) -> None:
    # On P-521 a coordinate plus p still fits the 66-octet encoding, so this reaches OpenSSL's
    # point decoder (the cryptography backend builds the peer from the octet string), which
    # must refuse it as the pure backend does, rather than reduce it mod p.
    key = backend.generate_ec("P-521")
    good = backend.generate_ec("P-521").public_key()
    p = CURVES["P-521"].p
    assert (good.x + p).bit_length() <= 8 * CURVES["P-521"].size
    assert backend.ecdh(key, good) is not None
    assert backend.ecdh(key, ECPublicKey("P-521", good.x + p, good.y)) is None
    assert backend.ecdh(key, ECPublicKey("P-521", good.x, good.y + p)) is None
    assert backend.ecdh(key, ECPublicKey("P-521", -1, good.y)) is None


def test_an_invalid_private_scalar_is_a_programming_error(backend: Backend) -> None:
    public = backend.generate_ec("P-256").public_key()
    curve = CURVES["P-256"]
    other = backend.generate_ec("P-384").public_key()
    for d in (0, curve.n, curve.n + 1):
        key = ECPrivateKey("P-256", d, public.x, public.y)
        for peer in (public, other):  # the private key is judged first, whatever the peer
            with pytest.raises(InvalidKeyError):
                backend.ecdh(key, peer)
    with pytest.raises(InvalidKeyError):
        backend.ecdh(ECPrivateKey("P-999", 1, 1, 2), ECPublicKey("P-999", 1, 2))


# --- agreement and cross-backend equality --------------------------------------------------


@pytest.mark.parametrize("curve", [*JWE_CURVES, "secp256k1"])
def test_both_sides_and_both_backends_agree(curve: str) -> None:
    backends = all_backends()
    alice, bob = backends[0].generate_ec(curve), backends[-1].generate_ec(curve)
    secrets = {b.ecdh(alice, bob.public_key()) for b in backends}
    secrets |= {b.ecdh(bob, alice.public_key()) for b in backends}
    assert len(secrets) == 1
    (secret,) = secrets
    assert secret is not None
    assert len(secret) == CURVES[curve].size


@settings(max_examples=20, deadline=None)
@given(
    curve=st.sampled_from(JWE_CURVES),
    d1=st.integers(min_value=1),
    d2=st.integers(min_value=1),
)
def test_property_backends_agree(curve: str, d1: int, d2: int) -> None:
    n = CURVES[curve].n
    alice = ec_private(curve, 1 + d1 % (n - 1), None)
    bob = ec_private(curve, 1 + d2 % (n - 1), None)
    results = {b.ecdh(alice, bob.public_key()) for b in all_backends()}
    results.add(get_backend("pure").ecdh(bob, alice.public_key()))
    assert len(results) == 1


@settings(max_examples=40, deadline=None)
@given(curve=st.sampled_from(JWE_CURVES), x=st.integers(min_value=-1), y=st.integers(min_value=-1))
def test_garbage_points_give_none(curve: str, x: int, y: int) -> None:
    key = private_key(curve, "01")
    for backend in all_backends():
        # A random pair is on the curve with negligible probability.
        assert backend.ecdh(key, ECPublicKey(curve, x, y)) is None


def test_small_scalars_and_the_largest(backend: Backend) -> None:
    # d = 1 gives Q's own x; d = n - 1 gives -Q, the same x: edge digits of the recoding.
    for curve in JWE_CURVES:
        n = CURVES[curve].n
        peer = ec_private(curve, 12345, None).public_key()
        size = CURVES[curve].size
        for d in (1, 2, n - 1, n - 2):
            key = ec_private(curve, d, None)
            assert len({b.ecdh(key, peer) for b in all_backends()}) == 1
        assert backend.ecdh(ec_private(curve, 1, None), peer) == peer.x.to_bytes(size, "big")
        assert backend.ecdh(ec_private(curve, n - 1, None), peer) == peer.x.to_bytes(size, "big")


def test_mul_regular_has_the_same_operations_for_every_scalar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The Minerva lesson for a secret scalar times a peer's point: the count of doublings and
    # additions must not depend on the scalar (its bit length, or its digits).
    counts: Counter[str] = Counter()
    double, madd = _weierstrass._double, _weierstrass._madd

    def counted_double(*args: Any) -> Any:
        counts["double"] += 1
        return double(*args)

    def counted_madd(*args: Any) -> Any:
        counts["madd"] += 1
        return madd(*args)

    monkeypatch.setattr(_weierstrass, "_double", counted_double)
    monkeypatch.setattr(_weierstrass, "_madd", counted_madd)
    curve = CURVES["P-256"]
    point = ec_private("P-256", 777, None).public_key()
    rng = random.Random(7)
    seen = set()
    for k in (1, 2, 3, 2**64, curve.n - 1, *(rng.randrange(1, curve.n) for _ in range(5))):
        counts.clear()
        result = _weierstrass.mul_regular(curve, k, point.x, point.y)
        assert result is not None
        seen.add((counts["double"], counts["madd"]))
    assert len(seen) == 1
