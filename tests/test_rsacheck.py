"""RSA key checks (``_rsacheck``, issue #11 items 2, 3 and 8), on both backends where crypto is.

- Item 2: a JWK with only ``n``, ``e``, ``d`` is recovered deterministically (SP 800-56B C.2)
  or refused in microseconds; it used to cost 0.5 s (2048 bits) to 38 s (8192 bits) to refuse.
- Item 3: public exponents above 2^256, even or below 3 are refused at every load path, and a
  hostile exponent on a key object built by hand costs nothing to verify; keys with exponents
  up to 2^256 verify on both backends (OpenSSL refuses more than 64 bits above 3072-bit moduli).
- Item 8: ROCA moduli (CVE-2017-15361) are refused at load unless ``allow_roca``, never sign.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
from functools import lru_cache

import pytest
from conftest import BACKEND_NAMES, KEYS, key_pem

import jwtlite
from jwtlite import _cache, _rsacheck
from jwtlite._rsacheck import (
    MAX_PUBLIC_EXPONENT,
    ROCA_GENERATOR,
    ROCA_PRIMES,
    check_public,
    is_roca_modulus,
    recover_primes,
)
from jwtlite.b64url import b64url_encode, uint_to_b64
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import _primes
from jwtlite.exceptions import InvalidKeyError, PyJWKSetError
from jwtlite.jwk import PyJWK, PyJWKSet, key_from_jwk, key_to_jwk, thumbprint
from jwtlite.keys import RSAPrivateKey, RSAPublicKey, dump_der, dump_pem, load_key

#: A rejected hostile input must cost less than this, even on a loaded machine (issue #11).
HOSTILE_BOUND = 0.25
POOL = ("rsa2048", "rsa2048_b", "rsa2304", "rsa2560", "rsa3072", "rsa3584", "rsa4096")


@pytest.fixture(autouse=True)
def _cold_key_caches() -> None:
    """Each test starts with no parsed key remembered, so that it runs the parsers and the RSA
    checks itself whatever ran before it (mutmut's clean run, for one, warms the caches)."""
    _cache.clear_caches()


def _pool(name: str) -> RSAPrivateKey:
    key = load_key(key_pem(f"{name}.pem"))
    assert isinstance(key, RSAPrivateKey)
    return key


def _ned(n: int, e: int, d: int) -> dict[str, str]:
    return {"kty": "RSA", "n": uint_to_b64(n), "e": uint_to_b64(e), "d": uint_to_b64(d)}


def _odd(bits: int) -> int:
    return secrets.randbits(bits) | 1 << (bits - 1) | 1


def _timed_refusal(call: object, *args: object) -> float:
    start = time.perf_counter()
    with pytest.raises(InvalidKeyError):
        call(*args)  # type: ignore[operator]
    return time.perf_counter() - start


# --- item 2: n, e, d-only private JWKs --------------------------------------------------------


def test_n_e_d_only_jwks_recover_the_pool_keys() -> None:
    ran = 0
    for name in POOL:
        key = _pool(name)
        lam = math.lcm(key.p - 1, key.q - 1)
        phi = (key.p - 1) * (key.q - 1)
        # d mod lcm (FIPS 186-5, OpenSSL) and d mod phi (older generators) both recover.
        for d in (pow(key.e, -1, lam), pow(key.e, -1, phi)):
            loaded = key_from_jwk(_ned(key.n, key.e, d))
            assert isinstance(loaded, RSAPrivateKey)
            assert {loaded.p, loaded.q} == {key.p, key.q}
            assert (loaded.n, loaded.e, loaded.d) == (key.n, key.e, d)
            ran += 1
    assert ran == 2 * len(POOL)


def test_recover_primes_is_the_factorisation() -> None:
    key = _pool("rsa2048")
    p, q = recover_primes(key.n, key.e, key.d)
    assert p * q == key.n
    assert p > q > 1
    for d in (0, 1, key.n, key.n + 5, key.d + 2, key.d ^ 4):
        with pytest.raises(InvalidKeyError, match="d"):
            recover_primes(key.n, key.e, d)


@pytest.mark.parametrize("bits", [2048, 4096, 8192])
def test_hostile_n_e_d_jwk_is_refused_fast(bits: int) -> None:
    # Any odd n will do: refusing a bad d used to mean 20 full-size exponentiation chains.
    n = _odd(bits)
    jwk = _ned(n, 65537, secrets.randbelow(n - 3) + 2)
    assert _timed_refusal(key_from_jwk, jwk) < HOSTILE_BOUND


def test_wrong_d_of_a_real_4096_bit_key_is_refused_fast() -> None:
    key = _pool("rsa4096")
    for d in (key.d ^ 2, key.d - 2, key.d + (1 << 100)):
        assert _timed_refusal(key_from_jwk, _ned(key.n, key.e, d)) < HOSTILE_BOUND


# --- item 3: public exponent bounds -----------------------------------------------------------


@pytest.mark.parametrize(
    "e",
    [MAX_PUBLIC_EXPONENT + 1, (1 << 8191) + 1, 1, 2, 65536, 0],
    ids=["2^256+1", "2^8191+1", "1", "2", "65536", "0"],
)
def test_bad_public_exponents_are_refused_at_every_load_path(backend: Backend, e: int) -> None:
    n = _pool("rsa4096").n if e < (1 << 4000) else _odd(8192)
    with pytest.raises(InvalidKeyError, match="exponent"):
        key_from_jwk({"kty": "RSA", "n": uint_to_b64(n), "e": uint_to_b64(e)})
    for exponent in (e, -e - 1):
        with pytest.raises(InvalidKeyError, match="exponent"):
            check_public(n, exponent)
    if e > 0:
        # A PEM written around the bad numbers (jwtlite's writer does not check them).
        with pytest.raises(InvalidKeyError, match="exponent"):
            load_key(dump_pem(RSAPublicKey(n, e)))


def test_exponent_at_the_bound_is_accepted() -> None:
    n = _pool("rsa4096").n
    assert load_key(dump_der(RSAPublicKey(n, MAX_PUBLIC_EXPONENT - 1))).e == (  # type: ignore[union-attr]
        MAX_PUBLIC_EXPONENT - 1
    )


def test_cryptography_objects_are_held_to_the_same_bound() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives.asymmetric import rsa

    n = _pool("rsa2048").n
    native = rsa.RSAPublicNumbers(MAX_PUBLIC_EXPONENT + 1, n).public_key()
    with pytest.raises(InvalidKeyError, match="exponent"):
        load_key(native)


@pytest.mark.parametrize("bits", [4096, 8192])
def test_huge_exponent_on_a_hand_built_key_costs_nothing_to_verify(
    backend: Backend, bits: int
) -> None:
    key = RSAPublicKey(_odd(bits), _odd(bits - 1))  # not loaded, so never checked at load
    signature = secrets.token_bytes(bits // 8 - 1) + b"\x01"
    start = time.perf_counter()
    assert not backend.rsa_pkcs1v15_verify(key, "sha256", b"m", signature)
    assert not backend.rsa_pss_verify(key, "sha256", b"m", signature)
    assert time.perf_counter() - start < HOSTILE_BOUND


@lru_cache(maxsize=1)
def _big_exponent_key() -> RSAPrivateKey:
    key = key_from_jwk(json.loads((KEYS / "rsa4096_e255.json").read_text(encoding="utf-8")))
    assert isinstance(key, RSAPrivateKey)
    assert key.e.bit_length() == 255
    assert key.n.bit_length() == 4096
    return key


@pytest.mark.parametrize("pss", [False, True])
def test_255_bit_exponent_verifies_on_every_backend(backend: Backend, pss: bool) -> None:
    key = _big_exponent_key()
    sign = backend.rsa_pss_sign if pss else backend.rsa_pkcs1v15_sign
    signature = sign(key, "sha256", b"message")
    checked = 0
    for name in BACKEND_NAMES:
        other = get_backend(name)
        verify = other.rsa_pss_verify if pss else other.rsa_pkcs1v15_verify
        assert verify(key.public_key(), "sha256", b"message", signature)
        assert not verify(key.public_key(), "sha256", b"other", signature)
        bound = other.rsa_verifier(key.public_key(), "sha256", pss=pss)
        assert bound(b"message", signature)
        assert not bound(b"other", signature)
        checked += 1
    assert checked == len(BACKEND_NAMES)


def test_255_bit_exponent_through_encode_and_decode(backend: Backend) -> None:
    key = _big_exponent_key()
    token = jwtlite.encode({"sub": "x"}, key, algorithm="RS256")
    assert jwtlite.decode(token, key.public_key(), algorithms=["RS256"]) == {"sub": "x"}


# --- item 8: ROCA ---------------------------------------------------------------------------

#: The primorial of the first 39 primes, the smallest M of Nemec et al. 2017 (512-bit keys).
ROCA_M = math.prod(r for r in range(2, 168) if all(r % f for f in range(2, math.isqrt(r) + 1)))


def _roca_prime(bits: int) -> int:
    """A prime p = k*M + (65537^a mod M) of about ``bits`` bits, as the vulnerable library made."""
    while True:
        a = secrets.randbelow(1 << 20) + 1
        k = secrets.randbits(bits - ROCA_M.bit_length()) | 1 << (bits - ROCA_M.bit_length() - 1)
        p = k * ROCA_M + pow(ROCA_GENERATOR, a, ROCA_M)
        if _primes.is_probable_prime(p, 20):
            return p


@lru_cache(maxsize=1)
def _roca_key() -> RSAPrivateKey:
    """A two-prime key of at least 2048 bits with ROCA primes (CRT values, e = 65537)."""
    while True:
        p, q = _roca_prime(1025), _roca_prime(1025)
        if p != q and (p * q).bit_length() >= 2048 and math.gcd(65537, (p - 1) * (q - 1)) == 1:
            break
    p, q = max(p, q), min(p, q)
    d = pow(65537, -1, math.lcm(p - 1, q - 1))
    return RSAPrivateKey(p * q, 65537, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))


def test_the_prime_list_is_the_papers() -> None:
    assert len(ROCA_PRIMES) == 38  # the first 39 primes but 2
    assert ROCA_PRIMES[0] == 3
    assert ROCA_PRIMES[-1] == 167
    assert math.prod(ROCA_PRIMES) * 2 == ROCA_M


def test_roca_moduli_and_their_primes_are_detected() -> None:
    key = _roca_key()
    assert is_roca_modulus(key.n)
    assert is_roca_modulus(key.p)
    assert is_roca_modulus(key.q)
    assert key.n in _rsacheck._ROCA_CACHE  # remembered per modulus
    found = 0
    for _ in range(20):  # small sizes suffice: only n mod the small primes matters
        n = _roca_prime(300) * _roca_prime(300)
        assert is_roca_modulus(n)
        found += 1
    assert found == 20


def test_normal_keys_pass() -> None:
    checked = 0
    for name in POOL:
        assert not is_roca_modulus(_pool(name).n)
        checked += 1
    assert not is_roca_modulus(get_backend("pure").generate_rsa(1024).n)
    assert not is_roca_modulus(_big_exponent_key().n)
    assert checked == len(POOL)


def test_random_moduli_are_no_false_positives() -> None:
    hits = sum(is_roca_modulus(_odd(2048)) for _ in range(200))
    assert hits == 0
    # The rate for moduli whose residues are uniform: the subgroup's share of each group.
    rate = math.prod(
        len({pow(ROCA_GENERATOR, i, r) for i in range(r - 1)}) / (r - 1) for r in ROCA_PRIMES
    )
    assert rate < 2**-27


def test_one_residue_outside_its_subgroup_is_enough_to_pass() -> None:
    n = _roca_key().n
    tested = 0
    for r in ROCA_PRIMES:
        subgroup = {pow(ROCA_GENERATOR, i, r) for i in range(r - 1)}
        outside = [x for x in range(1, r) if x not in subgroup]
        if not outside:
            continue  # 65537 generates all of (Z/rZ)*: this prime tells nothing
        # CRT: change n modulo r only (the other primes, and 2, divide `rest`).
        rest = ROCA_M // r
        shifted = n + (outside[0] - n) * pow(rest, -1, r) % r * rest
        assert shifted % r == outside[0]
        assert all(shifted % s == n % s for s in ROCA_PRIMES if s != r)
        assert not is_roca_modulus(shifted)
        tested += 1
    assert tested >= 10  # 65537 is no primitive root of 17 of the 38 primes


def test_the_cache_is_bounded() -> None:
    for _ in range(_rsacheck.ROCA_CACHE_SIZE + 10):
        is_roca_modulus(_odd(64))
    assert len(_rsacheck._ROCA_CACHE) <= _rsacheck.ROCA_CACHE_SIZE


def _roca_inputs() -> dict[str, object]:
    key = _roca_key()
    public = key.public_key()
    inputs: dict[str, object] = {
        "public jwk": key_to_jwk(public),
        "private jwk": key_to_jwk(key),
        "n,e,d jwk": _ned(key.n, key.e, key.d),
        "jwk text": json.dumps(key_to_jwk(public)),
        "spki pem": dump_pem(public),
        "pkcs8 der": dump_der(key),
    }
    try:
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError:
        return inputs
    inputs["cryptography object"] = rsa.RSAPublicNumbers(key.e, key.n).public_key()
    return inputs


def test_roca_keys_are_refused_at_load_unless_allowed(backend: Backend) -> None:
    inputs = _roca_inputs()
    for label, data in inputs.items():
        with pytest.raises(InvalidKeyError, match="ROCA"):
            load_key(data)
        assert load_key(data, allow_roca=True).n == _roca_key().n, label  # type: ignore[union-attr]
    assert len(inputs) >= 6
    jwk = key_to_jwk(_roca_key().public_key(), kid="roca")
    with pytest.raises(InvalidKeyError, match="ROCA"):
        key_from_jwk(jwk)
    with pytest.raises(InvalidKeyError, match="ROCA"):
        PyJWK(jwk)
    assert PyJWK.from_dict(jwk, allow_roca=True).key_id == "roca"
    with pytest.raises(PyJWKSetError, match="ROCA"):
        PyJWKSet.from_dict({"keys": [jwk]})
    assert len(PyJWKSet.from_json(json.dumps({"keys": [jwk]}), allow_roca=True)) == 1
    assert thumbprint(jwk) == thumbprint(_roca_key())  # a hash of public members: no refusal
    # Every other way in refuses by default and honours the opt-in.
    text = json.dumps(jwk)
    refusals = [
        lambda: PyJWK.from_dict(jwk),
        lambda: PyJWK.from_json(text),
        lambda: PyJWKSet([jwk]),
        lambda: PyJWKSet.from_json(json.dumps({"keys": [jwk]})),
    ]
    for refuse in refusals:
        with pytest.raises((InvalidKeyError, PyJWKSetError), match="ROCA"):
            refuse()
    assert len(refusals) == 4
    assert PyJWK.from_json(text, allow_roca=True).key_id == "roca"
    assert len(PyJWKSet([jwk], allow_roca=True)) == 1


def _raw_pkcs1_signature(key: RSAPrivateKey, message: bytes) -> bytes:
    """RS256 by hand (RFC 8017 §8.2.1), since no backend will sign with this key."""
    k = (key.n.bit_length() + 7) // 8
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420")
    t = digest_info + hashlib.sha256(message).digest()
    em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return pow(int.from_bytes(em, "big"), key.d, key.n).to_bytes(k, "big")


def test_allowed_roca_keys_verify_but_never_sign(backend: Backend) -> None:
    key = _roca_key()
    header = b64url_encode(b'{"alg":"RS256","typ":"JWT"}')
    payload = b64url_encode(b'{"sub":"legacy"}')
    signing_input = f"{header}.{payload}".encode()
    token = f"{header}.{payload}." + b64url_encode(
        _raw_pkcs1_signature(key, signing_input)
    )
    public_pem = dump_pem(key.public_key())
    with pytest.raises(InvalidKeyError, match="ROCA"):
        jwtlite.decode(token, public_pem, algorithms=["RS256"])
    allowed = load_key(public_pem, allow_roca=True)
    assert jwtlite.decode(token, allowed, algorithms=["RS256"]) == {"sub": "legacy"}
    private = load_key(dump_pem(key), allow_roca=True)
    assert isinstance(private, RSAPrivateKey)
    for sign in (backend.rsa_pkcs1v15_sign, backend.rsa_pss_sign):
        with pytest.raises(InvalidKeyError, match="ROCA"):
            sign(private, "sha256", b"m")
    with pytest.raises(InvalidKeyError, match="ROCA"):
        jwtlite.encode({"sub": "x"}, private, algorithm="RS256")


def test_oversized_moduli_are_refused_before_any_arithmetic(backend: Backend) -> None:
    n = _odd(_rsacheck.MAX_RSA_BITS + 16)
    with pytest.raises(InvalidKeyError, match="exceeds 16384"):
        key_from_jwk({"kty": "RSA", "n": uint_to_b64(n), "e": "AQAB"})
    with pytest.raises(InvalidKeyError, match="exceeds 16384"):
        load_key(dump_der(RSAPublicKey(n, 65537)))
    signature = secrets.token_bytes((n.bit_length() + 7) // 8)
    start = time.perf_counter()
    for verify in (backend.rsa_pkcs1v15_verify, backend.rsa_pss_verify):
        assert not verify(RSAPublicKey(n, _odd(n.bit_length() - 1)), "sha256", b"m", signature)
    assert time.perf_counter() - start < HOSTILE_BOUND
    key = _pool("rsa2048")
    oversized = RSAPrivateKey(n, 65537, key.d, key.p, key.q, key.dp, key.dq, key.qi)
    with pytest.raises(InvalidKeyError, match="exceeds 16384"):
        backend.rsa_pkcs1v15_sign(oversized, "sha256", b"m")


# --- mutation testing: the masks, recovery's candidates and whole texts ---------------------------

_NOT_RECOVERED = (
    "RSA JWK private exponent d does not match n and e (or its primes are too unbalanced to "
    "recover: include p, q, dp, dq and qi)"
)


def test_subgroup_masks_are_the_subgroups_of_65537() -> None:
    # _MASKS is built at import; the function itself is checked against a set built here.
    checked = 0
    for r in ROCA_PRIMES:
        subgroup = {pow(ROCA_GENERATOR, i, r) for i in range(r - 1)}
        assert _rsacheck._subgroup_mask(r) == sum(1 << x for x in subgroup)
        assert (r, _rsacheck._subgroup_mask(r)) in _rsacheck._MASKS
        checked += 1
    assert checked == 38


# Toy keys (primes found by a search over small primes) whose recovery needs candidates past
# the first: the ones before the factorisation leave a remainder, have (p+q)^2 - 4n <= 0, or
# have a (p+q)^2 - 4n that is no square. Each must be skipped, not end the search.
@pytest.mark.parametrize(
    ("p", "q", "e", "d"),
    [(2287, 41, 2471, 7031), (61, 59, 553, 1117), (683, 37, 18541, 145)],
    ids=["remainder", "no-difference", "no-square"],
)
def test_recovery_goes_past_candidates_that_do_not_fit(p: int, q: int, e: int, d: int) -> None:
    assert recover_primes(p * q, e, d) == (p, q)


def test_recovery_refusals_are_whole_texts() -> None:
    key = _pool("rsa2048")
    for d in (0, 1, key.n, key.n + 1):
        with pytest.raises(InvalidKeyError) as info:
            recover_primes(key.n, key.e, d)
        assert str(info.value) == "RSA private exponent d is out of range"
    # d = 2 is in range, and belongs to no key with this n and e.
    with pytest.raises(InvalidKeyError) as info:
        recover_primes(key.n, key.e, 2)
    assert str(info.value) == _NOT_RECOVERED
    # n = p^2: the candidate that fits gives p - q = 0, which is no factorisation of two primes.
    p = _pool("rsa2048").p
    with pytest.raises(InvalidKeyError) as info:
        recover_primes(p * p, 65537, pow(65537, -1, p - 1))
    assert str(info.value) == _NOT_RECOVERED


def test_recovery_of_an_even_modulus_is_its_factorisation() -> None:
    # recover_primes on its own: loaders refuse an even n before, but q = 2 is still a factor.
    p = 1000003
    assert recover_primes(2 * p, 5, pow(5, -1, math.lcm(p - 1, 1))) == (p, 2)


def test_public_ok_at_its_bounds() -> None:
    n = (1 << (_rsacheck.MAX_RSA_BITS - 1)) | 1  # exactly MAX_RSA_BITS bits
    assert n.bit_length() == _rsacheck.MAX_RSA_BITS
    assert _rsacheck.public_ok(n, 3)
    assert _rsacheck.public_ok(n, MAX_PUBLIC_EXPONENT - 1)
    assert not _rsacheck.public_ok(n << 1 | 1, 3)
    assert not _rsacheck.public_ok(n, 1)
    assert not _rsacheck.public_ok(n, 65536)
    assert _rsacheck.public_ok(65537 * 4 + 1, 65537)
    assert not _rsacheck.public_ok(65537, 65537)  # e must be below n


def test_roca_refusal_text() -> None:
    with pytest.raises(InvalidKeyError) as info:
        _rsacheck.refuse_roca(_roca_key().n)
    assert str(info.value) == (
        "RSA modulus has the ROCA fingerprint (CVE-2017-15361): its primes can be recovered "
        "from the public key; replace the key (allow_roca=True verifies with it meanwhile)"
    )
    _rsacheck.refuse_roca(_pool("rsa2048").n)  # no fingerprint: nothing raised


def test_check_public_at_its_bounds() -> None:
    n = (1 << (_rsacheck.MAX_RSA_BITS - 1)) | 1  # exactly MAX_RSA_BITS bits: accepted
    _rsacheck.check_public(n, 3)  # e = 3 is the smallest exponent accepted
    odd = "RSA public exponent must be odd, at least 3 and less than n"
    for modulus, e, message in [
        (n << 1 | 1, 3, "RSA modulus of 16385 bits exceeds 16384"),
        (3, 3, odd),  # n = 3 is odd and positive: only e (which must be below n) fails
        (1, 3, "RSA modulus must be odd and positive"),
        (n, 1 << 256, odd),  # 2^256 is even: the parity check refuses it
        (n, (1 << 256) + 1, "RSA public exponent of 257 bits exceeds 2^256 (FIPS 186-5)"),
    ]:
        with pytest.raises(InvalidKeyError) as info:
            _rsacheck.check_public(modulus, e)
        assert str(info.value) == message
