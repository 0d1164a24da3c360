"""EdDSA (Ed25519, Ed448): the pure-Python modules directly, and every backend via the fixture.

Wycheproof: ``ed25519_test.json`` and ``ed448_test.json`` have no ``acceptable`` cases (asserted
below). Both pass with the equations that ``_edwards`` documents: cofactorless for Ed25519,
cofactored for Ed448, as OpenSSL checks them. The crafted small-order cases below pin those
equations on every backend; ``test_cross_backend`` reuses them to compare the two backends.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
from collections import Counter
from types import ModuleType
from typing import Any

import pytest
from conftest import BACKEND_NAMES, load_vector
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._cache import BoundedCache
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import _edwards, ed448, ed25519
from jwtlite.exceptions import InvalidKeyError
from jwtlite.keys import OKPPrivateKey, OKPPublicKey


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with no public key remembered, so that it runs the point checks and
    builds the tables itself whatever ran before it (mutmut's clean run, for one, warms the
    verification caches; docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


MODULES = {"Ed25519": ed25519, "Ed448": ed448}
SLOW = settings(max_examples=15, deadline=None)


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- Wycheproof -------------------------------------------------------------------------------

WYCHEPROOF = {"ed25519_test.json": ("Ed25519", 88, 63), "ed448_test.json": ("Ed448", 17, 70)}


@pytest.mark.parametrize("filename", sorted(WYCHEPROOF))
def test_wycheproof(backend: Backend, filename: str) -> None:
    curve, n_valid, n_invalid = WYCHEPROOF[filename]
    data: Any = load_vector(f"wycheproof/{filename}")
    seen: Counter[str] = Counter()
    failures = []
    for group in data["testGroups"]:
        assert group["publicKey"]["curve"] == "edwards" + curve[2:]
        key = OKPPublicKey(curve, bytes.fromhex(group["publicKey"]["pk"]))
        for case in group["tests"]:
            seen[case["result"]] += 1
            ok = backend.eddsa_verify(key, bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))
            if ok != (case["result"] == "valid"):
                failures.append((case["tcId"], case["comment"]))
    assert failures == []
    assert seen == {"valid": n_valid, "invalid": n_invalid}
    assert sum(seen.values()) == data["numberOfTests"]


# --- RFC 8032 §7.1 (Ed25519) and §7.4 (Ed448), typed in from the RFC -------------------------

RFC8032 = [
    (  # §7.1 TEST 1
        "Ed25519",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        (
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc6"
            "1e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
    ),
    (  # §7.1 TEST 2
        "Ed25519",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        (
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e45"
            "8f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ),
    (  # §7.1 TEST 3
        "Ed25519",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        (
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae"
            "67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ),
    (  # §7.1 TEST SHA(abc): the message is SHA-512("abc")
        "Ed25519",
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        hashlib.sha512(b"abc").hexdigest(),
        (
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfd"
            "fbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        ),
    ),
    (  # §7.4 Blank
        "Ed448",
        (
            "6c82a562cb808d10d632be89c8513ebf6c929f34ddfa8c9f63c9960ef6e348a3528c8a3fcc2f044e39"
            "a3fc5b94492f8f032e7549a20098f95b"
        ),
        (
            "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061b"
            "d6783df1e50f6cd1fa1abeafe8256180"
        ),
        "",
        (
            "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2"
            "fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b410485"
            "2db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600"
        ),
    ),
    (  # §7.4 1 octet
        "Ed448",
        (
            "c4eab05d357007c632f3dbb48489924d552b08fe0c353a0d4a1f00acda2c463afbea67c5e8d2877c5e"
            "3bc397a659949ef8021e954e0a12274e"
        ),
        (
            "43ba28f430cdff456ae531545f7ecd0ac834a55d9358c0372bfa0c6c6798c0866aea01eb00742802b8"
            "438ea4cb82169c235160627b4c3a9480"
        ),
        "03",
        (
            "26b8f91727bd62897af15e41eb43c377efb9c610d48f2335cb0bd0087810f4352541b143c4b981b7e1"
            "8f62de8ccdf633fc1bf037ab7cd779805e0dbcc0aae1cbcee1afb2e027df36bc04dcecbf154336c19f"
            "0af7e0a6472905e799f1953d2a0ff3348ab21aa4adafd1d234441cf807c03a00"
        ),
    ),
    (  # §7.4 11 octets
        "Ed448",
        (
            "cd23d24f714274e744343237b93290f511f6425f98e64459ff203e8985083ffdf60500553abc0e05cd"
            "02184bdb89c4ccd67e187951267eb328"
        ),
        (
            "dcea9e78f35a1bf3499a831b10b86c90aac01cd84b67a0109b55a36e9328b1e365fce161d71ce7131a"
            "543ea4cb5f7e9f1d8b00696447001400"
        ),
        "0c3e544074ec63b0265e0c",
        (
            "1f0a8888ce25e8d458a21130879b840a9089d999aaba039eaf3e3afa090a09d389dba82c4ff2ae8ac5"
            "cdfb7c55e94d5d961a29fe0109941e00b8dbdeea6d3b051068df7254c0cdc129cbe62db2dc957dbb47"
            "b51fd3f213fb8698f064774250a5028961c9bf8ffd973fe5d5c206492b140e00"
        ),
    ),
]


@pytest.mark.parametrize(("curve", "seed", "public", "message", "signature"), RFC8032)
def test_rfc8032(
    backend: Backend, curve: str, seed: str, public: str, message: str, signature: str
) -> None:
    mod = MODULES[curve]
    sk, pk, msg, sig = (bytes.fromhex(v) for v in (seed, public, message, signature))
    assert mod.public_key(sk) == pk
    assert mod.sign(sk, msg) == sig
    assert backend.eddsa_sign(OKPPrivateKey(curve, sk, pk), msg) == sig
    assert backend.eddsa_verify(OKPPublicKey(curve, pk), msg, sig)
    assert not backend.eddsa_verify(OKPPublicKey(curve, pk), msg + b"\x00", sig)


@pytest.mark.parametrize(("curve", "seed", "public", "message", "signature"), RFC8032)
def test_rfc8032_with_the_base_comb_built_afresh(
    monkeypatch: pytest.MonkeyPatch, curve: str, seed: str, public: str, message: str,
    signature: str,
) -> None:
    # The base point's comb is built once per process and every other test finds it built
    # (under mutmut, by the clean run): this one builds it, then signs and verifies with it.
    mod = MODULES[curve]
    monkeypatch.setattr(mod._CURVE, "comb", None)
    sk, pk, msg, sig = (bytes.fromhex(v) for v in (seed, public, message, signature))
    assert mod.public_key(sk) == pk
    comb = mod._CURVE.comb
    assert comb is not None
    assert [len(row) for row in comb[:1]] == [{"Ed25519": 128, "Ed448": 32}[curve]]
    assert mod.sign(sk, msg) == sig
    assert mod.verify(pk, msg, sig)
    assert mod._CURVE.comb is comb


def test_rfc8037_a4_signing_reproduces(backend: Backend) -> None:
    vector = load_vector("rfc/rfc8037_A_ed25519.json")
    jwk = vector["A1_private_jwk"]
    key = OKPPrivateKey("Ed25519", b64u_decode(jwk["d"]), b64u_decode(jwk["x"]))
    assert ed25519.public_key(key.d) == key.x
    message = vector["signing_input"].encode()
    signature = backend.eddsa_sign(key, message)
    assert signature == b64u_decode(vector["signature_b64"])
    assert backend.eddsa_verify(key.public_key(), message, signature)  # A.5


# --- strict decoding and verification ---------------------------------------------------------


@pytest.fixture(scope="module")
def signed() -> dict[str, tuple[bytes, bytes, bytes]]:
    """Per curve: (seed, public key, signature of b"msg")."""
    out = {}
    for curve, mod in MODULES.items():
        key = mod.generate()
        out[curve] = (key.d, key.x, mod.sign(key.d, b"msg"))
    return out


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_rejects_s_not_below_l(
    backend: Backend, signed: dict[str, tuple[bytes, bytes, bytes]], curve: str
) -> None:
    _, pk, sig = signed[curve]
    size = len(pk)
    order = MODULES[curve]._CURVE.order
    S = int.from_bytes(sig[size:], "little")
    assert backend.eddsa_verify(OKPPublicKey(curve, pk), b"msg", sig)
    # S + L is the same scalar mod L: only the S < L check rejects it (malleability).
    bad = sig[:size] + (S + order).to_bytes(size, "little")
    assert not backend.eddsa_verify(OKPPublicKey(curve, pk), b"msg", bad)


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_non_canonical_points(curve: str) -> None:
    c = MODULES[curve]._CURVE
    top = 8 * c.size - 1
    identity = (1).to_bytes(c.size, "little")
    assert _edwards.decode_point(c, identity) == (0, 1, 1, 0)
    assert _edwards.decode_point(c, (1 | (1 << top)).to_bytes(c.size, "little")) is None
    assert _edwards.decode_point(c, (c.p + 1).to_bytes(c.size, "little")) is None
    assert _edwards.decode_point(c, (c.p).to_bytes(c.size, "little")) is None
    assert _edwards.decode_point(c, identity[:-1]) is None
    # y = 2 is not on either curve: x^2 would be a non-square.
    assert _edwards.decode_point(c, (2).to_bytes(c.size, "little")) is None
    # A public key that is a non-canonical encoding (y + p) of a valid point is refused.
    ran = 0
    for y in range(2**16):
        point = _edwards.decode_point(c, y.to_bytes(c.size, "little"))
        if point is not None and y + c.p < 2**top:
            alias = (y + c.p).to_bytes(c.size, "little")
            assert _edwards.decode_point(c, alias) is None
            assert not MODULES[curve].verify(alias, b"", b"\x00" * (2 * c.size))
            ran += 1
            break
    assert ran == 1


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_verify_rejects_malformed_input(
    signed: dict[str, tuple[bytes, bytes, bytes]], curve: str
) -> None:
    mod = MODULES[curve]
    _, pk, sig = signed[curve]
    assert mod.verify(pk, b"msg", sig)
    for bad_sig in (b"", sig[:-1], sig + b"\x00", bytearray(sig), None):
        assert not mod.verify(pk, b"msg", bad_sig)
    for bad_pk in (pk[:-1], pk + b"\x00", bytearray(pk), "pk", b"\xff" * len(pk)):
        assert not mod.verify(bad_pk, b"msg", sig)
    assert not mod.verify(pk, "msg", sig)


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_bad_seed_raises_invalid_key(curve: str) -> None:
    mod = MODULES[curve]
    size = mod._CURVE.size
    text = rf"^an {curve} private key is exactly {size} bytes$"
    for seed in (b"", b"\x00" * (size - 1), b"\x00" * (size + 1), "x" * size, None,
                 bytearray(size)):
        with pytest.raises(InvalidKeyError, match=text):
            mod.sign(seed, b"m")
        with pytest.raises(InvalidKeyError, match=text):
            mod.public_key(seed)


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_repeated_verification_uses_comb(curve: str) -> None:
    mod = MODULES[curve]
    key = mod.generate()
    sig = mod.sign(key.d, b"m")
    results = [mod.verify(key.x, b"m", sig) for _ in range(3)]
    results.append(mod.verify(key.x, b"n", sig))
    assert results == [True, True, True, False]
    entry = mod._PUBLIC_CACHE[key.x]
    assert entry is not None
    assert entry.comb is not None
    assert entry.uses == 4


def test_public_cache_is_bounded() -> None:
    cache: _edwards._Cache = BoundedCache("test", 64)
    c = ed25519._CURVE
    for i in range(70):
        _edwards.cached_entry(c, cache, i.to_bytes(32, "little"))
    assert len(cache) == 64
    assert (0).to_bytes(32, "little") not in cache


def test_generate_uses_fresh_seeds() -> None:
    keys = [ed25519.generate() for _ in range(3)] + [ed448.generate() for _ in range(2)]
    assert len({k.d for k in keys}) == 5
    assert [k.curve for k in keys] == ["Ed25519"] * 3 + ["Ed448"] * 2
    assert all(MODULES[k.curve].public_key(k.d) == k.x for k in keys)


# --- small-order components: the equations ``_edwards`` documents ------------------------------

# RFC 8032 §5.1 / §5.2, typed in apart from the modules under test: p, a, d, L, b/8.
EDWARDS = {
    "Ed25519": (
        2**255 - 19,
        -1,
        -121665 * pow(121666, -1, 2**255 - 19),
        2**252 + 27742317777372353535851937790883648493,
        32,
    ),
    "Ed448": (
        2**448 - 2**224 - 1,
        1,
        -39081,
        2**446 - 13818066809895115352007386748515426880336692474882178609894547503885,
        57,
    ),
}
Point = tuple[int, int]
NEUTRAL: Point = (0, 1)
#: A known Ed25519 point of order 8 (``torsion`` checks it); on Ed448, (1, 0) has order 4.
_ED25519_ORDER_8 = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"
#: Signed message of the crafted cases; each case is (label, public key, signature, verdict).
MESSAGE = b"m"
Case = tuple[str, bytes, bytes, bool]


def secret_scalar(curve: str, seed: bytes) -> int:
    """The clamped secret scalar s of RFC 8032 §5.1.5 steps 1-3 / §5.2.5 steps 1-3."""
    if curve == "Ed25519":
        half = bytearray(hashlib.sha512(seed).digest()[:32])
        half[0] &= 248
        half[31] = (half[31] & 127) | 64
    else:
        half = bytearray(hashlib.shake_256(seed).digest(114)[:57])
        half[0] &= 252
        half[56] = 0
        half[55] |= 128
    return int.from_bytes(half, "little")


def challenge(curve: str, r_enc: bytes, public: bytes, message: bytes) -> int:
    """k = H(dom || R || A || M) as an integer (RFC 8032 §5.1.6 step 4 / §5.2.6 step 4)."""
    if curve == "Ed25519":
        digest = hashlib.sha512(r_enc + public + message).digest()
    else:  # dom4(0, "") = "SigEd448" || octet(0) || octet(0) (§5.2)
        digest = hashlib.shake_256(b"SigEd448\x00\x00" + r_enc + public + message).digest(114)
    return int.from_bytes(digest, "little")


def point_add(curve: str, P: Point, Q: Point) -> Point:
    """The affine Edwards addition law (§5.1.4 / §5.2.4)."""
    p, a, d, _, _ = EDWARDS[curve]
    (x1, y1), (x2, y2) = P, Q
    t = d * x1 * x2 * y1 * y2 % p
    x3 = (x1 * y2 + y1 * x2) * pow(1 + t, -1, p) % p
    return x3, (y1 * y2 - a * x1 * x2) * pow(1 - t, -1, p) % p


def small_multiple(curve: str, n: int, P: Point) -> Point:
    Q = NEUTRAL
    for _ in range(n):
        Q = point_add(curve, Q, P)
    return Q


def point_decode(curve: str, data: bytes) -> Point:
    """§5.1.3 / §5.2.3 for an encoding known to be canonical and valid."""
    p, a, d, _, size = EDWARDS[curve]
    top = 8 * size - 1
    value = int.from_bytes(data, "little")
    y = value & ((1 << top) - 1)
    u = (y * y - 1) * pow(d * y * y - a, -1, p) % p
    x = pow(u, (p + 3) // 8 if p % 8 == 5 else (p + 1) // 4, p)
    if x * x % p != u:
        x = x * pow(2, (p - 1) // 4, p) % p  # times sqrt(-1), §5.1.3 step 3
    assert x * x % p == u
    return ((p - x) % p if x & 1 != value >> top else x), y


def point_encode(curve: str, P: Point) -> bytes:
    size = EDWARDS[curve][4]
    return (P[1] | ((P[0] & 1) << (8 * size - 1))).to_bytes(size, "little")


def torsion(curve: str) -> list[Point]:
    """The small-order points, [i]T for a generator T: 8 on Ed25519, 4 on Ed448."""
    p, h = EDWARDS[curve][0], 8 if curve == "Ed25519" else 4
    gen = point_decode(curve, bytes.fromhex(_ED25519_ORDER_8)) if h == 8 else (1, 0)
    points = [small_multiple(curve, i, gen) for i in range(h)]
    assert len(set(points)) == h
    assert point_add(curve, points[-1], gen) == NEUTRAL
    assert points[h // 2] == (0, p - 1)
    return points


def expected_verdict(curve: str, k: int, parts: tuple[Point, Point, Point, Point]) -> bool:
    """Whether ``S = r + k*a`` verifies for A = [a]B + T_A and R = [r]B + T_R.

    ``[S]B - [k]A - R = -([k]T_A + T_R)``. Ed25519 (cofactorless, k reduced mod L as OpenSSL
    does): accepted iff that is neutral. Ed448 (cofactored): always, except that A and R with
    x = 0 are refused, as OpenSSL's decoder refuses them.
    """
    a_point, t_a, r_point, t_r = parts
    if curve == "Ed448":
        return a_point[0] != 0 and r_point[0] != 0
    k %= EDWARDS[curve][3]
    return point_add(curve, small_multiple(curve, k % 8, t_a), t_r) == NEUTRAL


def _components(curve: str, seed: bytes) -> list[tuple[str, Point, int, Point]]:
    """(label, point, scalar, small-order part) for [s]B, T alone and [s]B + T."""
    points = torsion(curve)
    s = secret_scalar(curve, seed) % EDWARDS[curve][3]
    base = point_decode(curve, MODULES[curve].public_key(seed))
    out = [("[s]B", base, s, NEUTRAL)]
    for i in [0, 4, 2, 1] if len(points) == 8 else [0, 2, 1, 3]:
        order = len(points) // math.gcd(i, len(points))
        out.append((f"T{i} (order {order})", points[i], 0, points[i]))
        if i:
            out.append(
                (f"[s]B + T{i} (order {order})", point_add(curve, base, points[i]), s, points[i])
            )
    return out


def crafted_cases(curve: str, seed_a: bytes, seed_r: bytes) -> list[Case]:
    """Every mix of small-order, mixed-order and prime-order A and R, and S + 1 for each."""
    L, size = EDWARDS[curve][3], EDWARDS[curve][4]
    cases = []
    for (la, a_point, a, t_a), (lr, r_point, r, t_r) in itertools.product(
        _components(curve, seed_a), _components(curve, seed_r)
    ):
        a_enc, r_enc = point_encode(curve, a_point), point_encode(curve, r_point)
        k = challenge(curve, r_enc, a_enc, MESSAGE)
        S = (r + k * a) % L
        ok = expected_verdict(curve, k, (a_point, t_a, r_point, t_r))
        cases.append((f"A {la}, R {lr}", a_enc, r_enc + S.to_bytes(size, "little"), ok))
        bad = r_enc + ((S + 1) % L).to_bytes(size, "little")
        cases.append((f"A {la}, R {lr}, S + 1", a_enc, bad, False))
    return cases


def encoding_cases(curve: str, seed: bytes) -> list[Case]:
    """Small-order R in every spelling (only canonical ones may pass), and S + L."""
    p, _, _, L, size = EDWARDS[curve]
    top = 8 * size - 1
    a_enc = MODULES[curve].public_key(seed)
    a_point, a = point_decode(curve, a_enc), secret_scalar(curve, seed)
    cases = []
    for i, t in enumerate(torsion(curve)):
        sign = (t[0] & 1) << top
        spellings = {"": t[1] | sign}
        if t[1] + p < 1 << top:  # §5.1.3 / §5.2.3 step 1: y >= p
            spellings[" y + p"] = (t[1] + p) | sign
            spellings[" y + p, other sign"] = (t[1] + p) | (sign ^ (1 << top))
        if t[0] == 0:  # step 4: x = 0 with the sign bit set
            spellings[" sign bit"] = t[1] | (1 << top)
        if curve == "Ed448":  # bits 448..454 must be zero
            spellings[" bit 448"] = t[1] | sign | (1 << 448)
        for label, value in spellings.items():
            r_enc = value.to_bytes(size, "little")
            k = challenge(curve, r_enc, a_enc, MESSAGE)
            ok = not label and expected_verdict(curve, k, (a_point, NEUTRAL, t, t))
            cases.append(
                (f"R T{i}{label}", a_enc, r_enc + (k * a % L).to_bytes(size, "little"), ok)
            )
    honest = MODULES[curve].sign(seed, MESSAGE)
    S = int.from_bytes(honest[size:], "little")
    cases.append(("honest", a_enc, honest, True))
    cases.append(("S + L", a_enc, honest[:size] + (S + L).to_bytes(size, "little"), False))
    return cases


#: Cases per curve: 8 kinds of A x 8 kinds of R x (signature, S + 1), plus the encodings.
CRAFTED_COUNTS = {"Ed25519": 128 + 18, "Ed448": 128 + 20}
#: What tells the two equations (and OpenSSL's Ed448 decoder) apart, per curve.
DISTINGUISHING = {
    "Ed25519": {"A [s]B, R [s]B + T4 (order 2)": False, "A T0 (order 1), R [s]B": True},
    "Ed448": {"A [s]B, R [s]B + T2 (order 2)": True, "A T0 (order 1), R [s]B": False},
}


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_crafted_cases_follow_the_documented_equation(backend: Backend, curve: str) -> None:
    size = EDWARDS[curve][4]
    seed, other = b"\x01" * size, b"\x02" * size
    cases = crafted_cases(curve, seed, other) + encoding_cases(curve, seed)
    verdicts = {
        label: backend.eddsa_verify(OKPPublicKey(curve, pub), MESSAGE, sig)
        for label, pub, sig, _ in cases
    }
    assert len(verdicts) == len(cases) == CRAFTED_COUNTS[curve]
    assert {label: ok for label, _, _, ok in cases if verdicts[label] != ok} == {}
    assert {label: verdicts[label] for label in DISTINGUISHING[curve]} == DISTINGUISHING[curve]
    # Small-order components are accepted somewhere and refused elsewhere, on both curves.
    small = [ok for label, _, _, ok in cases if "order 2" in label or "order 4" in label]
    assert True in small
    assert False in small


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_mixed_order_keys_get_the_same_verdict_every_time(curve: str) -> None:
    # Straus's method on first use, the comb or Straus again later: [k]A must stay exact for
    # A with a small-order part (the comb's recoding adds L or 2L to k, so Ed25519 skips it).
    size, mod = EDWARDS[curve][4], MODULES[curve]
    cases = [c for c in crafted_cases(curve, b"\x03" * size, b"\x04" * size) if "A [s]B + " in c[0]]
    assert len(cases) == 2 * 3 * 8
    expected = [ok for _, _, _, ok in cases]
    rounds = [[mod.verify(pub, MESSAGE, sig) for _, pub, sig, _ in cases] for _ in range(3)]
    assert rounds == [expected] * 3
    assert True in expected
    assert False in expected
    entries = {pub: mod._PUBLIC_CACHE[pub] for _, pub, _, _ in cases}
    assert len(entries) == 3
    for entry in entries.values():
        assert entry is not None
        assert entry.comb_allowed is (curve == "Ed448")
        assert (entry.comb is not None) is (curve == "Ed448")


# --- properties -------------------------------------------------------------------------------


@SLOW
@given(st.sampled_from(sorted(MODULES)), st.binary(max_size=200), st.data())
def test_round_trip_and_single_bit_flips(curve: str, message: bytes, data: st.DataObject) -> None:
    mod: ModuleType = MODULES[curve]
    seed = data.draw(st.binary(min_size=mod._CURVE.size, max_size=mod._CURVE.size))
    pk = mod.public_key(seed)
    sig = mod.sign(seed, message)
    assert mod.verify(pk, message, sig)
    bit = data.draw(st.integers(0, 8 * len(sig) - 1))
    flipped = bytearray(sig)
    flipped[bit // 8] ^= 1 << (bit % 8)
    assert not mod.verify(pk, message, bytes(flipped))
    if message:
        bit = data.draw(st.integers(0, 8 * len(message) - 1))
        changed = bytearray(message)
        changed[bit // 8] ^= 1 << (bit % 8)
        assert not mod.verify(pk, bytes(changed), sig)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(MODULES)), st.binary(max_size=120), st.binary(max_size=60))
def test_verify_never_raises(curve: str, sig: bytes, pk: bytes) -> None:
    mod = MODULES[curve]
    assert mod.verify(pk, b"m", sig) in (True, False)
    padded = (pk * 60)[: mod._CURVE.size] if pk else pk
    assert mod.verify(padded, b"m", sig) in (True, False)


@pytest.mark.skipif(len(BACKEND_NAMES) < 2, reason="needs the cryptography backend")
@SLOW
@given(st.sampled_from(sorted(MODULES)), st.binary(max_size=100), st.booleans())
def test_cross_backend(curve: str, message: bytes, pure_signs: bool) -> None:
    signer, verifier = get_backend("pure"), get_backend("cryptography")
    if not pure_signs:
        signer, verifier = verifier, signer
    key = MODULES[curve].generate()
    sig = signer.eddsa_sign(key, message)
    assert sig == verifier.eddsa_sign(key, message)  # deterministic on both backends
    assert verifier.eddsa_verify(key.public_key(), message, sig)


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_a_scheme_built_afresh(curve: str) -> None:
    # The modules build their EdDSA objects at import (under mutmut, before any mutant runs).
    _, seed, public, message, signature = next(v for v in RFC8032 if v[0] == curve)
    sk, pk, msg, sig = (bytes.fromhex(v) for v in (seed, public, message, signature))
    scheme = _edwards.EdDSA(curve, MODULES[curve]._CURVE)
    assert (scheme.name, scheme.curve) == (curve, MODULES[curve]._CURVE)
    assert (scheme.cache.name, scheme.cache.maxsize) == (f"pure {curve} public keys", 64)
    assert scheme.public_key(sk) == pk
    assert scheme.sign(sk, msg) == sig
    assert scheme.verify(pk, msg, sig)
    size = len(pk)
    for i in range(70):  # public keys that do not decode are remembered too, up to the bound
        assert not scheme.verify((2 * i).to_bytes(size, "little"), msg, sig)
    assert len(scheme.cache) == 64
    with pytest.raises(InvalidKeyError, match=rf"^an {curve} private key is exactly {size} bytes$"):
        scheme.sign(sk[:-1], msg)


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_s_equal_to_l_is_refused_where_s_zero_verifies(backend: Backend, curve: str) -> None:
    # RFC 8032 §5.1.7 / §5.2.7 step 1: S >= L is refused, S = L included. With a small-order
    # A and R (Ed25519: the neutral point; Ed448: (1, 0), of order 4, x != 0) S = 0 verifies,
    # and S = L, the same scalar mod L, may only fail on the range check.
    size = EDWARDS[curve][4]
    top = 8 * size - 1
    point = (1).to_bytes(size, "little") if curve == "Ed25519" else (1 << top).to_bytes(
        size, "little"
    )
    L = EDWARDS[curve][3]
    public = OKPPublicKey(curve, point)
    assert backend.eddsa_verify(public, MESSAGE, point + (0).to_bytes(size, "little"))
    assert not backend.eddsa_verify(public, MESSAGE, point + L.to_bytes(size, "little"))


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_a_public_key_gets_its_comb_on_its_second_use(curve: str) -> None:
    mod = MODULES[curve]
    _, _, public, message, signature = next(v for v in RFC8032 if v[0] == curve)
    pk, msg, sig = (bytes.fromhex(v) for v in (public, message, signature))
    assert mod.verify(pk, msg, sig)
    entry = mod._PUBLIC_CACHE[pk]
    assert isinstance(entry, _edwards.PublicEntry)
    assert (entry.uses, entry.comb, entry.comb_allowed) == (1, None, None)
    assert mod.verify(pk, msg, sig)
    assert (entry.uses, entry.comb_allowed) == (2, True)
    assert entry.comb is not None
    assert [len(row) for row in entry.comb[:1]] == [16]  # 5-bit windows


@pytest.mark.parametrize("curve", sorted(MODULES))
def test_a_curve_built_afresh(curve: str) -> None:
    # The modules build their curves at import (under mutmut, before any mutant runs): this
    # builds one from RFC 8032's parameters, typed in above, and runs §7's vector and the
    # cases that tell the two verification equations apart through it.
    p, a, d, order, size = EDWARDS[curve]
    known = MODULES[curve]._CURVE
    c = _edwards.EdwardsCurve(
        p=p, a=a, d=d, order=order, base=known.base, size=size, expand=known.expand,
        hash_dom=known.hash_dom, clamp=known.clamp, comb_width=known.comb_width,
        cofactored=curve == "Ed448",
    )
    assert c.comb is None
    _, seed, public, message, signature = next(v for v in RFC8032 if v[0] == curve)
    sk, pk, msg, sig = (bytes.fromhex(v) for v in (seed, public, message, signature))
    scheme = _edwards.EdDSA(curve, c)
    assert scheme.public_key(sk) == pk
    assert scheme.sign(sk, msg) == sig
    assert scheme.verify(pk, msg, sig)
    assert not scheme.verify(pk, msg + b"\x00", sig)
    cases = {label: (pub, s) for label, pub, s, _ in crafted_cases(curve, b"\x01" * size,
                                                                    b"\x02" * size)}
    verdicts = {label: scheme.verify(cases[label][0], MESSAGE, cases[label][1])
                for label in DISTINGUISHING[curve]}
    assert verdicts == DISTINGUISHING[curve]
