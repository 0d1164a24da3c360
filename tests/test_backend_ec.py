"""ECDSA: the pure-Python modules directly, and every backend through the fixture.

Wycheproof: the four P1363 files used here have no ``acceptable`` cases (asserted below), so
every case is either ``valid`` (must verify) or ``invalid`` (must be rejected).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from typing import Any, Optional

import pytest
from conftest import BACKEND_NAMES, load_vector
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._curves import CURVES, WeierstrassCurve
from jwtlite._jwa import ALGORITHMS, curve_algorithm
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import _rfc6979, _weierstrass, ec
from jwtlite.exceptions import InvalidAlgorithmError, InvalidKeyError, UnsupportedHashError
from jwtlite.keys import ECPrivateKey, ECPublicKey


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with no public key remembered, so that it runs the point checks and
    builds the tables itself whatever ran before it (mutmut's clean run, for one, warms the
    verification caches; docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


CURVE_NAMES = ["P-256", "P-384", "P-521", "secp256k1"]
SLOW = settings(max_examples=15, deadline=None)


def _curve_hash(curve: str) -> str:
    """The hash of the JWS algorithm bound to ``curve`` (from the JWA table)."""
    return ALGORITHMS[curve_algorithm(curve)].hash_name



def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64u_int(text: str) -> int:
    return int.from_bytes(b64u_decode(text), "big")


def jwk_private(jwk: dict[str, str]) -> ECPrivateKey:
    return ECPrivateKey(jwk["crv"], b64u_int(jwk["d"]), b64u_int(jwk["x"]), b64u_int(jwk["y"]))


# --- an independent affine reference, deliberately naive -------------------------------------

Point = Optional[tuple[int, int]]


def ref_add(c: WeierstrassCurve, P: Point, Q: Point) -> Point:
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


def ref_mul(c: WeierstrassCurve, k: int, P: Point) -> Point:
    acc: Point = None
    while k:
        if k & 1:
            acc = ref_add(c, acc, P)
        P = ref_add(c, P, P)
        k >>= 1
    return acc


# --- Wycheproof -------------------------------------------------------------------------------

WYCHEPROOF = {
    "ecdsa_secp256r1_sha256_p1363_test.json": ("P-256", 173, 89),
    "ecdsa_secp384r1_sha384_p1363_test.json": ("P-384", 193, 87),
    "ecdsa_secp521r1_sha512_p1363_test.json": ("P-521", 231, 87),
    "ecdsa_secp256k1_sha256_p1363_test.json": ("secp256k1", 167, 85),
}


@pytest.mark.parametrize("filename", sorted(WYCHEPROOF))
def test_wycheproof_p1363(backend: Backend, filename: str) -> None:
    curve, n_valid, n_invalid = WYCHEPROOF[filename]
    data: Any = load_vector(f"wycheproof/{filename}")
    seen: Counter[str] = Counter()
    failures = []
    for group in data["testGroups"]:
        pub = group["publicKey"]
        assert pub["curve"] in ("secp256r1", "secp384r1", "secp521r1", "secp256k1")
        key = ECPublicKey(curve, int(pub["wx"], 16), int(pub["wy"], 16))
        hash_name = group["sha"].replace("-", "").lower()
        for case in group["tests"]:
            seen[case["result"]] += 1
            ok = backend.ecdsa_verify(
                key, hash_name, bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"])
            )
            if ok != (case["result"] == "valid"):
                failures.append((case["tcId"], case["comment"]))
    assert failures == []
    assert seen == {"valid": n_valid, "invalid": n_invalid}
    assert sum(seen.values()) == data["numberOfTests"]


# --- fixed vectors ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rfc7515_A3_es256.json", "rfc7515_A4_es512.json"])
def test_rfc7515_examples_verify(backend: Backend, name: str) -> None:
    vector = load_vector(f"rfc/{name}")
    key = jwk_private(vector["jwk"]).public_key()
    hash_name = _curve_hash(key.curve)
    message = vector["signing_input"].encode()
    signature = b64u_decode(vector["signature_b64"])
    assert backend.ecdsa_verify(key, hash_name, message, signature)
    assert not backend.ecdsa_verify(key, hash_name, message + b".", signature)


def test_rfc7520_4_3_verifies(backend: Backend) -> None:
    vector = load_vector("rfc7520/jws/4_3.ecdsa_signature.json")
    key = jwk_private(load_vector("rfc7520/jwk/3_2.ec_private_key.json")).public_key()
    message = vector["signing"]["sig-input"].encode()
    signature = b64u_decode(vector["signing"]["sig"])
    assert len(signature) == 132
    assert backend.ecdsa_verify(key, "sha512", message, signature)


# RFC 6979 Appendix A.2.5: NIST P-256, SHA-256.
RFC6979_X = 0xC9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721
RFC6979_UX = 0x60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6
RFC6979_UY = 0x7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299
RFC6979_CASES = [
    (
        b"sample",
        0xA6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60,
        0xEFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716,
        0xF7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8,
    ),
    (
        b"test",
        0xD16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0,
        0xF1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367,
        0x019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083,
    ),
]


# RFC 6979 Appendix A.2.5 with the hashes no JWA row uses, which an ECAlgorithm built by hand
# may (PyJWT's ECAlgorithm(hashes.SHA1)): SHA-1 and SHA-224 digests are shorter than the order.
RFC6979_SHORT_HASH_CASES = [
    (
        "sha1",
        b"sample",
        0x882905F1227FD620FBF2ABF21244F0BA83D0DC3A9103DBBEE43A1FB858109DB4,
        0x61340C88C3AAEBEB4F6D667F672CA9759A6CCAA9FA8811313039EE4A35471D32,
        0x6D7F147DAC089441BB2E2FE8F7A3FA264B9C475098FDCF6E00D7C996E1B8B7EB,
    ),
    (
        "sha224",
        b"sample",
        0x103F90EE9DC52E5E7FB5132B7033C63066D194321491862059967C715985D473,
        0x53B2FFF5D1752B2C689DF257C04C40A587FABABB3F6FC2702F1343AF7CA9AA3F,
        0xB9AFB64FDC03DC1A131C7D2386D11E349F070AA432A4ACC918BEA988BF75C74C,
    ),
    (
        "sha1",
        b"test",
        0x8C9520267C55D6B980DF741E56B4ADEE114D84FBFA2E62137954164028632A2E,
        0x0CBCC86FD6ABD1D99E703E1EC50069EE5C0B4BA4B9AC60E409E8EC5910D81A89,
        0x01B9D7B73DFAA60D5651EC4591A0136F87653E0FD780C3B1BC872FFDEAE479B1,
    ),
    (
        "sha224",
        b"test",
        0x669F4426F2688B8BE0DB3A6BD1989BDAEFFF84B649EEB84F3DD26080F667FAA7,
        0xC37EDB6F0AE79D47C3C27E962FA269BB4F441770357E114EE511F662EC34A692,
        0xC820053A05791E521FCAAD6042D40AEA1D6B1A540138558F47D0719800E18F2D,
    ),
]


def test_rfc6979_public_key() -> None:
    assert ec.public_point("P-256", RFC6979_X) == (RFC6979_UX, RFC6979_UY)


@pytest.mark.parametrize(("message", "k", "r", "s"), RFC6979_CASES)
def test_rfc6979_a25(backend: Backend, message: bytes, k: int, r: int, s: int) -> None:
    curve = CURVES["P-256"]
    digest = hashlib.sha256(message).digest()
    assert next(_rfc6979.nonces(curve.n, RFC6979_X, digest, "sha256")) == k
    e = _rfc6979.bits2int(digest, 256)
    assert ec._sign_with_k(curve, RFC6979_X, e, k) == (r, s)
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    expected = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert ec._sign_deterministic(key, "sha256", message) == expected
    assert backend.ecdsa_verify(key.public_key(), "sha256", message, expected)


@pytest.mark.parametrize(("hash_name", "message", "k", "r", "s"), RFC6979_SHORT_HASH_CASES)
def test_rfc6979_a25_short_hashes(
    backend: Backend, hash_name: str, message: bytes, k: int, r: int, s: int
) -> None:
    curve = CURVES["P-256"]
    digest = hashlib.new(hash_name, message).digest()
    assert next(_rfc6979.nonces(curve.n, RFC6979_X, digest, hash_name)) == k
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    expected = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert ec._sign_deterministic(key, hash_name, message) == expected
    assert backend.ecdsa_verify(key.public_key(), hash_name, message, expected)
    assert not backend.ecdsa_verify(key.public_key(), "sha256", message, expected)


def test_rfc6979_bits2octets_reduces_once() -> None:
    q = 0xFF  # a digest above q must come out as digest - q
    assert _rfc6979.bits2octets(b"\xff", q) == b"\x00"
    assert _rfc6979.bits2octets(b"\xfe", q) == b"\xfe"
    assert _rfc6979.bits2int(b"\xff\x00", 12) == 0xFF0


def test_rfc6979_retries_when_candidate_out_of_range() -> None:
    # With q = 2, most candidates (bits2int of one bit) are 0 or 1; only 1 is in range, and
    # the stream must keep going (step h.3) rather than reduce.
    stream = _rfc6979.nonces(2, 1, b"\x00" * 32, "sha256")
    assert [next(stream) for _ in range(5)] == [1] * 5


# --- the multiplication itself ------------------------------------------------------------


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_regular_digits_fixed_count_and_nonzero(name: str) -> None:
    curve = CURVES[name]
    comb = _weierstrass.base_comb(curve)
    w, count = comb.width, len(comb.rows)
    ran = 0
    for k in (0, 1, 2, 3, 2**64, curve.n // 2, curve.n - 2, curve.n - 1):
        digits = _weierstrass._regular_digits(k, curve.n, w, count)
        assert len(digits) == count
        assert all(d % 2 == 1 and abs(d) < 2**w for d in digits)
        value = sum(d << (w * i) for i, d in enumerate(digits))
        assert value % curve.n == k
        assert value in (k + curve.n, k + 2 * curve.n)
        ran += 1
    assert ran == 8


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_mul_base_edges(name: str) -> None:
    curve = CURVES[name]
    G = (curve.gx, curve.gy)
    assert _weierstrass.mul_base_regular(curve, 0) is None
    for k in (1, 2, 3, curve.n - 1, curve.n - 2):
        assert _weierstrass.mul_base_regular(curve, k) == ref_mul(curve, k, G)


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_madd_special_cases(name: str) -> None:
    curve = CURVES[name]
    p, a0 = curve.p, curve.a == 0
    gx, gy = curve.gx, curve.gy
    assert _weierstrass._madd(p, a0, gx, gy, 1, gx, gy) == _weierstrass._double(p, a0, gx, gy, 1)
    assert _weierstrass._madd(p, a0, gx, gy, 1, gx, p - gy)[2] == 0


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_base_comb_built_afresh(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    # The base point's comb is built once per process; every other test finds it built (under
    # mutmut, by the clean run), so this one builds it itself and checks k*G against the
    # naive reference, and that the table is kept for the next call.
    monkeypatch.setattr(_weierstrass, "_BASE_COMBS", {})
    curve = CURVES[name]
    comb = _weierstrass.base_comb(curve)
    assert comb.width == {"P-256": 8, "P-384": 7, "P-521": 6, "secp256k1": 8}[name]
    assert _weierstrass.base_comb(curve) is comb
    built = _weierstrass._BASE_COMBS
    assert built == {name: comb}
    G = (curve.gx, curve.gy)
    ran = 0
    for k in (1, 2, 3, 2**64 + 1, curve.n // 3, curve.n - 1):
        assert _weierstrass.mul_base_regular(curve, k) == ref_mul(curve, k, G)
        ran += 1
    assert ran == 6


@SLOW
@given(st.sampled_from(CURVE_NAMES), st.integers(min_value=1))
def test_public_point_matches_double_and_add(name: str, d: int) -> None:
    curve = CURVES[name]
    d = d % (curve.n - 1) + 1
    assert ec.public_point(name, d) == ref_mul(curve, d, (curve.gx, curve.gy))


# --- sign / verify behaviour ------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> dict[str, ECPrivateKey]:
    return {name: ec.generate(name) for name in CURVE_NAMES}


def test_generate_is_on_curve(keys: dict[str, ECPrivateKey]) -> None:
    for name, key in keys.items():
        curve = CURVES[name]
        assert 1 <= key.d < curve.n
        assert (key.x, key.y) == ref_mul(curve, key.d, (curve.gx, curve.gy))
    assert len(keys) == 4


def test_hedged_signing_differs_deterministic_repeats(keys: dict[str, ECPrivateKey]) -> None:
    key = keys["P-256"]
    assert ec.ecdsa_sign(key, "sha256", b"m") != ec.ecdsa_sign(key, "sha256", b"m")
    assert ec._sign_deterministic(key, "sha256", b"m") == ec._sign_deterministic(
        key, "sha256", b"m"
    )


@pytest.mark.parametrize("name", CURVE_NAMES)
def test_repeated_verification_uses_comb(keys: dict[str, ECPrivateKey], name: str) -> None:
    key = keys[name]
    pub = ECPublicKey(name, key.x, key.y)
    hash_name = _curve_hash(name)
    sig = ec.ecdsa_sign(key, hash_name, b"msg")
    results = [ec.ecdsa_verify(pub, hash_name, b"msg", sig) for _ in range(3)]
    results += [ec.ecdsa_verify(pub, hash_name, b"msh", sig) for _ in range(2)]
    assert results == [True, True, True, False, False]
    entry = ec.PUBLIC_ENTRIES.lookup(pub)
    assert isinstance(entry, ec._PublicEntry)
    assert entry.comb is not None
    assert entry.uses == 5


def test_verify_rejects_out_of_range_scalars(backend: Backend) -> None:
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    pub = key.public_key()
    n = CURVES["P-256"].n
    good = ec._sign_deterministic(key, "sha256", b"sample")
    r, s = int.from_bytes(good[:32], "big"), int.from_bytes(good[32:], "big")
    assert backend.ecdsa_verify(pub, "sha256", b"sample", good)
    for bad_r, bad_s in [(0, 0), (0, s), (r, 0), (r + n, s), (r, s + n), (n, s), (r, n)]:
        if bad_r >= 2**256 or bad_s >= 2**256:
            continue
        sig = bad_r.to_bytes(32, "big") + bad_s.to_bytes(32, "big")
        assert not backend.ecdsa_verify(pub, "sha256", b"sample", sig)
    for sig in (b"", good[:-1], good + b"\x00", b"\x00" + good, good[:32]):
        assert not backend.ecdsa_verify(pub, "sha256", b"sample", sig)
    assert not backend.ecdsa_verify(pub, "md5", b"sample", good)


def test_verify_rejects_bad_public_keys() -> None:
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    good = ec._sign_deterministic(key, "sha256", b"sample")
    p = CURVES["P-256"].p
    bad_keys = [
        ECPublicKey("P-256", RFC6979_UX, RFC6979_UY + 1),  # off the curve
        ECPublicKey("P-256", RFC6979_UX + p, RFC6979_UY),  # x >= p, same residue
        ECPublicKey("P-256", RFC6979_UX, RFC6979_UY + p),  # y >= p, same residue
        ECPublicKey("P-256", 0, 0),  # how infinity is sometimes (mis)encoded
        ECPublicKey("P-257", RFC6979_UX, RFC6979_UY),
        ECPublicKey("P-256", -RFC6979_UX, RFC6979_UY),
    ]  # (a coordinate that is no int is refused when the key is built: tests/test_keys.py)
    for pub in bad_keys:
        assert not ec.ecdsa_verify(pub, "sha256", b"sample", good)
        assert not ec.ecdsa_verify(pub, "sha256", b"sample", good)  # cached rejection
    pub = key.public_key()
    assert not ec.ecdsa_verify(pub, "sha256", b"sample", bytearray(good))  # type: ignore[arg-type]
    assert not ec.ecdsa_verify(pub, "sha256", "sample", good)  # type: ignore[arg-type]
    assert not ec.ecdsa_verify(pub, "sha256", None, good)  # type: ignore[arg-type]


def test_sign_errors() -> None:
    n = CURVES["P-256"].n
    for d in (0, n, -1):
        with pytest.raises(InvalidKeyError):
            ec.ecdsa_sign(ECPrivateKey("P-256", d, RFC6979_UX, RFC6979_UY), "sha256", b"m")
        with pytest.raises(InvalidKeyError):
            ec.public_point("P-256", d)
    with pytest.raises(InvalidKeyError):
        ec.ecdsa_sign(ECPrivateKey("P-999", 1, 1, 1), "sha256", b"m")
    with pytest.raises(InvalidKeyError):
        ec.generate("Ed25519")
    with pytest.raises(InvalidAlgorithmError):
        ec.ecdsa_sign(ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY), "md5", b"m")


def test_sign_retries_when_r_or_s_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    # SEC 1 §4.1.3 step 1.3/6.2: a zero r or s means "take the next k". Force k = 0 first.
    curve = CURVES["P-256"]
    assert ec._sign_with_k(curve, RFC6979_X, 5, 0) is None
    real = _rfc6979.nonces

    def first_zero(*args: Any) -> Any:
        yield 0
        yield from real(*args)

    monkeypatch.setattr(ec, "nonces", first_zero)
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    sig = ec._sign_deterministic(key, "sha256", b"sample")
    r, s = RFC6979_CASES[0][2:]
    assert sig == r.to_bytes(32, "big") + s.to_bytes(32, "big")
    # s = 0 for k = 1 needs e = -r*d mod n: build that digest-free case through _sign_with_k.
    G = (curve.gx, curve.gy)
    e = -G[0] % curve.n * RFC6979_X % curve.n
    assert ec._sign_with_k(curve, RFC6979_X, e, 1) is None


# --- properties -------------------------------------------------------------------------------


@SLOW
@given(st.sampled_from(CURVE_NAMES), st.binary(max_size=200), st.data())
def test_round_trip_and_single_bit_flips(name: str, message: bytes, data: st.DataObject) -> None:
    key = ec.generate(name)
    pub = key.public_key()
    hash_name = _curve_hash(name)
    sig = ec.ecdsa_sign(key, hash_name, message)
    assert len(sig) == 2 * CURVES[name].size
    assert ec.ecdsa_verify(pub, hash_name, message, sig)
    bit = data.draw(st.integers(0, 8 * len(sig) - 1))
    flipped = bytearray(sig)
    flipped[bit // 8] ^= 1 << (bit % 8)
    assert not ec.ecdsa_verify(pub, hash_name, message, bytes(flipped))
    if message:
        bit = data.draw(st.integers(0, 8 * len(message) - 1))
        changed = bytearray(message)
        changed[bit // 8] ^= 1 << (bit % 8)
        assert not ec.ecdsa_verify(pub, hash_name, bytes(changed), sig)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(CURVE_NAMES),
    st.sampled_from(["sha256", "sha384", "sha512", "", "SHA256"]),
    st.binary(max_size=140),
    st.binary(max_size=50),
)
def test_verify_never_raises(name: str, hash_name: str, sig: bytes, message: bytes) -> None:
    curve = CURVES[name]
    pub = ECPublicKey(name, curve.gx, curve.gy)
    assert ec.ecdsa_verify(pub, hash_name, message, sig) in (True, False)


@pytest.mark.skipif(len(BACKEND_NAMES) < 2, reason="needs the cryptography backend")
@SLOW
@given(st.sampled_from(CURVE_NAMES), st.binary(max_size=100), st.booleans())
def test_cross_backend(name: str, message: bytes, pure_signs: bool) -> None:
    signer, verifier = get_backend("pure"), get_backend("cryptography")
    if not pure_signs:
        signer, verifier = verifier, signer
    key = ec.generate(name)
    hash_name = _curve_hash(name)
    sig = signer.ecdsa_sign(key, hash_name, message)
    assert verifier.ecdsa_verify(key.public_key(), hash_name, message, sig)


# --- refusal texts, compared whole ------------------------------------------------------------


def test_refusal_texts() -> None:
    n = CURVES["P-256"].n
    unknown = r"^unsupported EC curve 'P-999'$"
    with pytest.raises(InvalidKeyError, match=unknown):
        ec.generate("P-999")
    with pytest.raises(InvalidKeyError, match=unknown):
        ec.public_point("P-999", 1)
    with pytest.raises(InvalidKeyError, match=r"^unsupported EC curve \['P-256'\]$"):
        ec.public_point(["P-256"], 1)  # type: ignore[arg-type]  # not a str, not hashable
    scalar = r"^EC private scalar out of range \[1, n-1\]$"
    for d in (0, n, -1, 2.0):
        with pytest.raises(InvalidKeyError, match=scalar):
            ec.public_point("P-256", d)  # type: ignore[arg-type]
    for d in (0, n):
        key = ECPrivateKey("P-256", d, RFC6979_UX, RFC6979_UY)
        with pytest.raises(InvalidKeyError, match=scalar):
            ec.ecdsa_sign(key, "sha256", b"m")
        with pytest.raises(InvalidKeyError, match=scalar):
            ec.ecdh(key, key.public_key())
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    with pytest.raises(UnsupportedHashError, match=r"^unsupported hash for ECDSA: 'md5'$"):
        ec.ecdsa_sign(key, "md5", b"m")


def test_generate_draws_d_from_1_to_n_minus_1(monkeypatch: pytest.MonkeyPatch) -> None:
    # SEC 1 §3.2.1: d in [1, n-1]. The draw's two ends, forced.
    curve = CURVES["P-256"]
    bounds = []

    def lowest(bound: int) -> int:
        bounds.append(bound)
        return 0

    monkeypatch.setattr(ec.secrets, "randbelow", lowest)
    assert ec.generate("P-256").d == 1
    monkeypatch.setattr(ec.secrets, "randbelow", lambda bound: bound - 1)
    assert ec.generate("P-256").d == curve.n - 1
    assert bounds == [curve.n - 1]


def test_hedged_signing_adds_32_random_octets(monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 6979 §3.6: k' (here 32 fresh octets) joins the HMAC-DRBG seed; with k' fixed, the
    # signature is the one _sign computes with that k', and not the plain RFC 6979 one.
    asked = []

    def fixed(size: int) -> bytes:
        asked.append(size)
        return b"\x5a" * 32

    monkeypatch.setattr(ec.secrets, "token_bytes", fixed)
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    signature = ec.ecdsa_sign(key, "sha256", b"sample")
    assert asked == [32]
    assert signature == ec._sign(key, "sha256", b"sample", b"\x5a" * 32)
    assert signature != ec._sign_deterministic(key, "sha256", b"sample")
    assert ec.ecdsa_verify(key.public_key(), "sha256", b"sample", signature)


def test_verify_compares_x_of_r_with_r_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    # SEC 1 §4.1.4 steps 5-8: R = u1*G + u2*Q must not be infinity, and r = x(R) mod n with
    # x(R) < p, so x(R) is r, or r + n when r + n < p. The combination is replaced by a chosen
    # Jacobian point (X, Y, Z) = (x*Z^2, y*Z^3, Z), so each rule is met at its edge, Z = 1
    # and the Jacobian spellings of infinity included.
    curve = CURVES["P-256"]
    p, n = curve.p, curve.n
    chosen: list[tuple[int, int, int]] = []
    monkeypatch.setattr(ec._PublicEntry, "mul_add", lambda self, u1, u2: chosen[0])
    pub = ECPublicKey("P-256", RFC6979_UX, RFC6979_UY)
    s = 12345

    def verdict(r: int, point: tuple[int, int, int]) -> bool:
        chosen[:] = [point]
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return ec.ecdsa_verify(pub, "sha256", b"m", signature)

    r = 0xABCDEF
    assert verdict(r, (r, 7, 1))
    assert verdict(r, (r * 4 % p, 7 * 8 % p, 2))
    assert not verdict(r, (r + 1, 7, 1))
    assert verdict(r, (r + n, 7, 1))  # r + n < p: x(R) = r + n reduces to r
    assert verdict(p - n - 1, (p - 1, 7, 1))
    assert not verdict(p - n, (0, 7, 1))  # r + n = p is no x coordinate: x(R) = 0 is not r
    assert not verdict(n, (n, 7, 1))  # r = n is out of range, whatever x(R) is
    for infinity in ((0, 1, 0), (1, 1, 0), (r, 7, 0)):
        assert not verdict(r, infinity)


def test_a_public_key_gets_its_comb_on_its_second_use() -> None:
    key = ECPrivateKey("P-256", RFC6979_X, RFC6979_UX, RFC6979_UY)
    pub = key.public_key()
    signature = ec._sign_deterministic(key, "sha256", b"sample")
    assert ec.ecdsa_verify(pub, "sha256", b"sample", signature)
    entry = ec.PUBLIC_ENTRIES.lookup(pub)
    assert isinstance(entry, ec._PublicEntry)
    assert (entry.uses, entry.comb) == (1, None)
    assert ec.ecdsa_verify(pub, "sha256", b"sample", signature)
    assert entry.uses == 2
    assert entry.comb is not None
    assert entry.comb.width == 5


def ref_nonces(q: int, x: int, h1: bytes, hash_name: str, count: int) -> list[int]:
    """The first ``count`` values of k from RFC 6979 §3.2 steps a-h, written out apart from
    ``_rfc6979`` (bits2octets reduces with ``%``, int2octets pads to rlen octets)."""
    qlen = q.bit_length()
    rlen = -(-qlen // 8)

    def to_int(data: bytes) -> int:
        value = int.from_bytes(data, "big")
        return value >> (8 * len(data) - qlen) if 8 * len(data) > qlen else value

    def mac(key: bytes, data: bytes) -> bytes:
        return hmac.new(key, data, hash_name).digest()

    seed = x.to_bytes(rlen, "big") + (to_int(h1) % q).to_bytes(rlen, "big")
    V, K = b"\x01" * len(h1), b"\x00" * len(h1)
    K = mac(K, V + b"\x00" + seed)
    V = mac(K, V)
    K = mac(K, V + b"\x01" + seed)
    V = mac(K, V)
    out: list[int] = []
    while len(out) < count:
        T = b""
        while len(T) * 8 < qlen:
            V = mac(K, V)
            T = T + V
        k = to_int(T)
        if 0 < k < q:
            out.append(k)
        K = mac(K, V + b"\x00")
        V = mac(K, V)
    return out


@pytest.mark.parametrize(
    ("q", "hash_name"),
    [
        (2**255 + 95, "sha256"),  # qlen = hlen: one block, about half the candidates >= q
        (2**511 + 111, "sha512"),
        (2**520 + 53, "sha512"),  # 521 bits (P-521's length): two blocks
        (2**520 + 53, "sha256"),  # three blocks
        (2**383 + 31, "sha256"),  # two blocks, the second cut
        (3, "sha256"),  # qlen = 2: most candidates are 0 or 3
    ],
)
def test_rfc6979_nonces_follow_section_3_2(q: int, hash_name: str) -> None:
    # The candidates after the first are reached only when k falls outside [1, q-1] (step
    # h.3), which for a real curve order is about as likely as 2^-32: these orders, chosen
    # just above a power of two, make it common, and each stream must be RFC 6979's.
    h1 = hashlib.new(hash_name, b"sample").digest()
    x = (q - 1) // 7 + 1
    stream = _rfc6979.nonces(q, x, h1, hash_name)
    got = [next(stream) for _ in range(8)]
    assert got == ref_nonces(q, x, h1, hash_name, 8)
    assert all(1 <= k < q for k in got)


SECP256K1_N = CURVES["secp256k1"].n


@pytest.mark.parametrize(
    ("d", "messages"),
    [(1, [b"22", b"34"]), ((SECP256K1_N + 1) // 2, [b"18", b"62"])],  # Q = G, Q = G/2
)
def test_straus_meets_p_plus_p_on_secp256k1(
    monkeypatch: pytest.MonkeyPatch, d: int, messages: list[bytes]
) -> None:
    # With Q a small multiple of G (or of G/2), Straus's chain adds a point to itself, where
    # the mixed addition must double with the curve's a (0 for secp256k1, not -3): after a
    # multiple of Q (d = 1) and after a multiple of G (d = 1/2). Found by search; each
    # message is checked to reach that doubling.
    curve = CURVES["secp256k1"]
    p = curve.p
    madd = _weierstrass._madd
    same: list[bool] = []

    def watched(p_: int, a0: bool, X: int, Y: int, Z: int, x2: int, y2: int) -> Any:
        zz = Z * Z % p
        same.append(Z != 0 and x2 * zz % p == X and y2 * zz * Z % p == Y)
        return madd(p_, a0, X, Y, Z, x2, y2)

    x, y = ec.public_point("secp256k1", d)
    ran = 0
    for message in messages:
        key = ECPrivateKey("secp256k1", d, x, y)
        signature = ec._sign_deterministic(key, "sha256", message)
        same.clear()
        monkeypatch.setattr(_weierstrass, "_madd", watched)
        assert ec.ecdsa_verify(key.public_key(), "sha256", message, signature)
        monkeypatch.setattr(_weierstrass, "_madd", madd)
        assert True in same
        ran += 1
    assert ran == 2
