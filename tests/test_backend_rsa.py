"""RSA signatures: the pure-Python module directly, and every backend through the fixture.

Wycheproof decision on ``acceptable`` cases: the only ones in these files are ``MissingNull``
(a DigestInfo without the NULL parameters). jwtlite builds only the canonical encoding with
NULL (RFC 8017 §9.2 note 1), so these are rejected, and the tests assert that.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import math
import secrets
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any, Callable

import pytest
from conftest import BACKEND_NAMES, load_vector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import _primes, rsa
from jwtlite.exceptions import InvalidKeyError
from jwtlite.keys import RSAPrivateKey, RSAPublicKey


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Every test builds its native keys itself: mutation testing forks each mutant from a
    process whose caches an earlier run warmed (docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


HASHES = ("sha256", "sha384", "sha512")
ALGORITHMS = [(f"RS{h[3:]}", h) for h in HASHES] + [(f"PS{h[3:]}", h) for h in HASHES]


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64u_int(text: str) -> int:
    return int.from_bytes(b64u_decode(text), "big")


def private_key_from_jwk(jwk: dict[str, str]) -> RSAPrivateKey:
    n, e, d, p, q, dp, dq, qi = (
        b64u_int(jwk[name]) for name in ("n", "e", "d", "p", "q", "dp", "dq", "qi")
    )
    return RSAPrivateKey(n, e, d, p, q, dp, dq, qi)


def key_from_primes(p: int, q: int, e: int = 65537) -> RSAPrivateKey:
    d = pow(e, -1, (p - 1) * (q - 1))
    return RSAPrivateKey(p * q, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))


RFC7515_KEY = private_key_from_jwk(load_vector("rfc/rfc7515_A2_rs256.json")["jwk"])
RFC7520_KEY = private_key_from_jwk(load_vector("rfc7520/jwk/3_4.rsa_private_key.json"))


@pytest.fixture(scope="module")
def generated() -> RSAPrivateKey:
    """One pure-Python 2048-bit key for the whole module (generation is the slow part)."""
    return rsa.generate(2048)


@pytest.fixture(scope="module")
def odd_key() -> RSAPrivateKey:
    """A 2049-bit key: modBits = 1 (mod 8), so PSS uses emLen = k - 1 (RFC 8017 §9.1)."""
    p = _primes.random_prime(1025, 65537)
    q = _primes.random_prime(1024, 65537)
    key = key_from_primes(p, q)
    assert key.n.bit_length() == 2049
    return key


def signer(backend: Backend, alg: str) -> Callable[[RSAPrivateKey, str, bytes], bytes]:
    return backend.rsa_pkcs1v15_sign if alg.startswith("RS") else backend.rsa_pss_sign


def verifier(backend: Backend, alg: str) -> Callable[[RSAPublicKey, str, bytes, bytes], bool]:
    return backend.rsa_pkcs1v15_verify if alg.startswith("RS") else backend.rsa_pss_verify


def all_backends() -> list[Backend]:
    return [get_backend(name) for name in BACKEND_NAMES]


def _byte_len(value: int) -> int:
    return (value.bit_length() + 7) // 8


def pure_verifier(alg: str) -> Callable[[RSAPublicKey, str, bytes, bytes], bool]:
    return rsa.pkcs1v15_verify if alg.startswith("RS") else rsa.pss_verify


# --- Wycheproof ----------------------------------------------------------------------------

PKCS1_FILES = {
    # file: (valid, invalid, acceptable)
    "rsa_signature_2048_sha256_test.json": (9, 249, 1),
    "rsa_signature_2048_sha384_test.json": (7, 250, 1),
    "rsa_signature_2048_sha512_test.json": (8, 250, 1),
    "rsa_signature_3072_sha256_test.json": (8, 250, 1),
}
PSS_FILES = {
    "rsa_pss_2048_sha256_mgf1_32_test.json": (63, 45, 0),
    "rsa_pss_2048_sha384_mgf1_48_test.json": (95, 46, 0),
    "rsa_pss_3072_sha256_mgf1_32_test.json": (63, 45, 0),
    "rsa_pss_4096_sha512_mgf1_64_test.json": (132, 47, 0),
}


def run_wycheproof(filename: str, verify: Callable[..., bool], pss: bool) -> Counter[str]:
    data: dict[str, Any] = load_vector(f"wycheproof/{filename}")
    seen: Counter[str] = Counter()
    for group in data["testGroups"]:
        hash_name = group["sha"].replace("-", "").lower()
        if pss:
            assert group["mgf"] == "MGF1"
            assert group["mgfSha"] == group["sha"]
            assert group["sLen"] == hashlib.new(hash_name).digest_size
        key = RSAPublicKey(
            int(group["publicKey"]["modulus"], 16), int(group["publicKey"]["publicExponent"], 16)
        )
        for case in group["tests"]:
            ok = verify(key, hash_name, bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"]))
            # Valid cases verify; invalid ones and the acceptable MissingNull ones do not.
            assert ok is (case["result"] == "valid"), (case["tcId"], case["comment"])
            if case["result"] == "acceptable":
                assert case["flags"] == ["MissingNull"]
            seen[case["result"]] += 1
    return seen


@pytest.mark.parametrize("filename", sorted(PKCS1_FILES))
def test_wycheproof_pkcs1v15(backend: Backend, filename: str) -> None:
    seen = run_wycheproof(filename, backend.rsa_pkcs1v15_verify, pss=False)
    assert (seen["valid"], seen["invalid"], seen["acceptable"]) == PKCS1_FILES[filename]


@pytest.mark.parametrize("filename", sorted(PSS_FILES))
def test_wycheproof_pss(backend: Backend, filename: str) -> None:
    seen = run_wycheproof(filename, backend.rsa_pss_verify, pss=True)
    assert (seen["valid"], seen["invalid"], seen["acceptable"]) == PSS_FILES[filename]


def bound(backend: Backend, pss: bool) -> Callable[[RSAPublicKey, str, bytes, bytes], bool]:
    """The backend's key-bound verifier, bound afresh on every call, in the unbound shape."""
    return lambda key, hash_name, message, signature: backend.rsa_verifier(key, hash_name, pss=pss)(
        message, signature
    )


@pytest.mark.parametrize("filename", sorted(PKCS1_FILES))
def test_wycheproof_pkcs1v15_bound(backend: Backend, filename: str) -> None:
    seen = run_wycheproof(filename, bound(backend, pss=False), pss=False)
    assert (seen["valid"], seen["invalid"], seen["acceptable"]) == PKCS1_FILES[filename]


@pytest.mark.parametrize("filename", sorted(PSS_FILES))
def test_wycheproof_pss_bound(backend: Backend, filename: str) -> None:
    seen = run_wycheproof(filename, bound(backend, pss=True), pss=True)
    assert (seen["valid"], seen["invalid"], seen["acceptable"]) == PSS_FILES[filename]


@pytest.mark.parametrize("filename", sorted(PKCS1_FILES))
def test_wycheproof_pkcs1v15_pure_module(filename: str) -> None:
    seen = run_wycheproof(filename, rsa.pkcs1v15_verify, pss=False)
    assert (seen["valid"], seen["invalid"], seen["acceptable"]) == PKCS1_FILES[filename]


@pytest.mark.parametrize("filename", sorted(PSS_FILES))
def test_wycheproof_pss_pure_module(filename: str) -> None:
    seen = run_wycheproof(filename, rsa.pss_verify, pss=True)
    assert (seen["valid"], seen["invalid"], seen["acceptable"]) == PSS_FILES[filename]


# --- RFC examples ---------------------------------------------------------------------------


def test_rfc7515_a2_sign_reproduces_bytes(backend: Backend) -> None:
    vector = load_vector("rfc/rfc7515_A2_rs256.json")
    signing_input = vector["signing_input"].encode("ascii")
    expected = b64u_decode(vector["signature_b64"])
    assert backend.rsa_pkcs1v15_sign(RFC7515_KEY, "sha256", signing_input) == expected
    assert rsa.pkcs1v15_sign(RFC7515_KEY, "sha256", signing_input) == expected
    assert backend.rsa_pkcs1v15_verify(RFC7515_KEY.public_key(), "sha256", signing_input, expected)


def test_rfc7520_4_1_sign_reproduces_bytes(backend: Backend) -> None:
    vector = load_vector("rfc7520/jws/4_1.rsa_v15_signature.json")
    assert vector["input"]["alg"] == "RS256"
    assert private_key_from_jwk(vector["input"]["key"]) == RFC7520_KEY
    signing_input = vector["signing"]["sig-input"].encode("ascii")
    expected = b64u_decode(vector["signing"]["sig"])
    assert backend.rsa_pkcs1v15_sign(RFC7520_KEY, "sha256", signing_input) == expected
    assert rsa.pkcs1v15_sign(RFC7520_KEY, "sha256", signing_input) == expected


def test_rfc7520_4_2_ps384_verifies(backend: Backend) -> None:
    vector = load_vector("rfc7520/jws/4_2.rsa-pss_signature.json")
    assert vector["input"]["alg"] == "PS384"
    signing_input = vector["signing"]["sig-input"].encode("ascii")
    signature = b64u_decode(vector["signing"]["sig"])
    public = RFC7520_KEY.public_key()
    assert backend.rsa_pss_verify(public, "sha384", signing_input, signature)
    assert rsa.pss_verify(public, "sha384", signing_input, signature)
    assert not backend.rsa_pss_verify(public, "sha384", signing_input + b".", signature)
    assert not backend.rsa_pss_verify(public, "sha256", signing_input, signature)


# --- Round trips and tampering ---------------------------------------------------------------


@pytest.mark.parametrize(("alg", "hash_name"), ALGORITHMS)
def test_round_trip_across_backends(
    backend: Backend, generated: RSAPrivateKey, alg: str, hash_name: str
) -> None:
    message = b"header.payload"
    public = generated.public_key()
    signature = signer(backend, alg)(generated, hash_name, message)
    assert len(signature) == 256
    for other in all_backends():
        assert verifier(other, alg)(public, hash_name, message, signature)
        assert not verifier(other, alg)(public, hash_name, message + b"!", signature)
        tampered = bytes([signature[0] ^ 0x01]) + signature[1:]
        assert not verifier(other, alg)(public, hash_name, message, tampered)
        tampered = signature[:-1] + bytes([signature[-1] ^ 0x80])
        assert not verifier(other, alg)(public, hash_name, message, tampered)


@pytest.mark.parametrize("hash_name", HASHES)
def test_pkcs1v15_is_identical_across_backends(hash_name: str) -> None:
    signatures = {
        b.rsa_pkcs1v15_sign(RFC7520_KEY, hash_name, b"same bytes") for b in all_backends()
    }
    signatures.add(rsa.pkcs1v15_sign(RFC7520_KEY, hash_name, b"same bytes"))
    assert len(signatures) == 1


@pytest.mark.parametrize("hash_name", HASHES)
def test_pss_is_randomised_but_verifies(hash_name: str) -> None:
    public = RFC7515_KEY.public_key()
    first = rsa.pss_sign(RFC7515_KEY, hash_name, b"m")
    second = rsa.pss_sign(RFC7515_KEY, hash_name, b"m")
    assert first != second
    assert rsa.pss_verify(public, hash_name, b"m", first)
    assert rsa.pss_verify(public, hash_name, b"m", second)
    assert not rsa.pkcs1v15_verify(public, hash_name, b"m", first)


@pytest.mark.parametrize("hash_name", HASHES)
def test_pss_with_em_len_one_short_of_k(
    backend: Backend, odd_key: RSAPrivateKey, hash_name: str
) -> None:
    public = odd_key.public_key()
    signature = rsa.pss_sign(odd_key, hash_name, b"odd")
    assert len(signature) == 257
    assert backend.rsa_pss_verify(public, hash_name, b"odd", signature)
    assert rsa.pss_verify(public, hash_name, b"odd", signature)
    mine = backend.rsa_pss_sign(odd_key, hash_name, b"odd")
    assert rsa.pss_verify(public, hash_name, b"odd", mine)


def test_pss_rejects_integer_too_large_for_em_len(odd_key: RSAPrivateKey) -> None:
    # §8.1.2 step 2c: m = s**e mod n must fit in emLen = k - 1 octets. Build an s whose m is a
    # well-formed-looking EM with one extra leading octet set. That integer must stay below
    # the (random) modulus for s to exist, so a salt is looked for that makes it so: the
    # fixture's primes have their top two bits set, so n >= 1.125 * 2**2048 and each salt
    # succeeds with probability >= 1/8 (256 failures: under 10^-14).
    digest = hashlib.sha256(b"x").digest()
    for salt in range(256):
        em = rsa._emsa_pss_encode(digest, 2048, hashlib.sha256, bytes([salt]) * 32)
        m = (1 << 2048) | int.from_bytes(em, "big")
        if m < odd_key.n:
            break
    assert m < odd_key.n
    s = pow(m, odd_key.d, odd_key.n)
    public = odd_key.public_key()
    assert not rsa.pss_verify(public, "sha256", b"x", s.to_bytes(257, "big"))
    good = pow(int.from_bytes(em, "big"), odd_key.d, odd_key.n)
    assert rsa.pss_verify(public, "sha256", b"x", good.to_bytes(257, "big"))


@pytest.mark.parametrize(("alg", "hash_name"), ALGORITHMS)
def test_wrong_length_and_out_of_range_signatures_fail(
    backend: Backend, alg: str, hash_name: str
) -> None:
    public = RFC7515_KEY.public_key()
    n, k = public.n, 256
    signature = signer(backend, alg)(RFC7515_KEY, hash_name, b"msg")
    verify = verifier(backend, alg)
    assert verify(public, hash_name, b"msg", signature)
    s_plus_n = int.from_bytes(signature, "big") + n
    candidates = [
        b"",
        signature[1:],  # short
        signature[:-1],
        b"\x00" + signature,  # long, same integer
        signature + b"\x00",
        # s + n has the same residue; it is k octets unless it overflows into k + 1.
        s_plus_n.to_bytes(max(k, _byte_len(s_plus_n)), "big"),
        n.to_bytes(k, "big"),
        (n + 1).to_bytes(k, "big"),
        b"\xff" * k,
        b"\x00" * k,
        (1).to_bytes(k, "big"),
    ]
    assert len(candidates) == 11
    bound_verify = backend.rsa_verifier(public, hash_name, pss=alg.startswith("PS"))
    assert bound_verify(b"msg", signature)
    for bad in candidates:
        assert not verify(public, hash_name, b"msg", bad)
        assert not bound_verify(b"msg", bad)
        assert not pure_verifier(alg)(public, hash_name, b"msg", bad)


def test_stripped_leading_zero_fails(backend: Backend) -> None:
    # Wycheproof's "SmallSignature" case is a valid signature whose first octets are zero.
    data = load_vector("wycheproof/rsa_signature_2048_sha256_test.json")
    cases = [
        (group, case)
        for group in data["testGroups"]
        for case in group["tests"]
        if "SmallSignature" in case["flags"]
    ]
    assert len(cases) == 1
    group, case = cases[0]
    key = RSAPublicKey(
        int(group["publicKey"]["modulus"], 16), int(group["publicKey"]["publicExponent"], 16)
    )
    message, signature = bytes.fromhex(case["msg"]), bytes.fromhex(case["sig"])
    assert signature[0] == 0
    assert backend.rsa_pkcs1v15_verify(key, "sha256", message, signature)
    assert rsa.pkcs1v15_verify(key, "sha256", message, signature)
    stripped = signature.lstrip(b"\x00")
    for short in (signature[1:], stripped):
        assert not backend.rsa_pkcs1v15_verify(key, "sha256", message, short)
        assert not rsa.pkcs1v15_verify(key, "sha256", message, short)


# --- Verification never raises ----------------------------------------------------------------

weird_ints = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 3, -1, RFC7515_KEY.n, RFC7515_KEY.n + 1]),
)


@given(signature=st.binary(max_size=300), message=st.binary(max_size=64))
@settings(max_examples=150, deadline=None)
def test_verify_never_raises_on_arbitrary_bytes(signature: bytes, message: bytes) -> None:
    public = RFC7515_KEY.public_key()
    for hash_name in HASHES:
        assert rsa.pkcs1v15_verify(public, hash_name, message, signature) is False
        assert rsa.pss_verify(public, hash_name, message, signature) is False


@given(signature=st.binary(min_size=256, max_size=256))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_verify_never_raises_on_full_length_garbage(signature: bytes) -> None:
    public = RFC7520_KEY.public_key()
    assert rsa.pkcs1v15_verify(public, "sha256", b"m", signature) is False
    assert rsa.pss_verify(public, "sha512", b"m", signature) is False


@given(
    n=weird_ints,
    e=weird_ints,
    hash_name=st.sampled_from([*HASHES, "md5", "", "SHA256"]),
    signature=st.binary(max_size=12),
)
@settings(max_examples=300, deadline=None)
def test_verify_never_raises_on_strange_keys(
    n: int, e: int, hash_name: str, signature: bytes
) -> None:
    key = RSAPublicKey(n, e)
    assert rsa.pkcs1v15_verify(key, hash_name, b"m", signature) is False
    assert rsa.pss_verify(key, hash_name, b"m", signature) is False
    backends = all_backends()  # and every backend's key-bound verifier
    for backend in backends:
        for pss in (False, True):
            assert backend.rsa_verifier(key, hash_name, pss=pss)(b"m", signature) is False
    assert len(backends) == len(BACKEND_NAMES)


def test_verify_rejects_non_bytes_and_unknown_hash() -> None:
    public = RFC7515_KEY.public_key()
    signature = rsa.pkcs1v15_sign(RFC7515_KEY, "sha256", b"m")
    assert rsa.pkcs1v15_verify(public, "sha256", b"m", signature)
    assert not rsa.pkcs1v15_verify(public, "sha1", b"m", signature)
    assert not rsa.pss_verify(public, "sha1", b"m", signature)
    assert not rsa.pkcs1v15_verify(public, "sha256", "m", signature)  # type: ignore[arg-type]
    assert not rsa.pss_verify(public, "sha256", b"m", 5)  # type: ignore[arg-type]
    # A negative exponent on a non-invertible s makes pow() raise inside: still just False.
    assert not rsa.pss_verify(RSAPublicKey(public.n, -3), "sha256", b"m", bytes(256))
    assert not rsa.pkcs1v15_verify(RSAPublicKey(public.n, -3), "sha256", b"m", bytes(256))


# --- Signing failures ------------------------------------------------------------------------


def small_key(bits: int) -> RSAPrivateKey:
    while True:
        p = _primes.random_prime(bits // 2, 65537)
        q = _primes.random_prime(bits // 2, 65537)
        if p != q:
            return key_from_primes(p, q)


@pytest.mark.parametrize("sign", [rsa.pkcs1v15_sign, rsa.pss_sign])
def test_sign_refuses_unknown_hash(sign: Callable[[RSAPrivateKey, str, bytes], bytes]) -> None:
    with pytest.raises(InvalidKeyError, match="unsupported hash"):
        sign(RFC7515_KEY, "md5", b"m")


def test_sign_refuses_modulus_too_short_for_encoding() -> None:
    key = small_key(600)  # k = emLen = 75 octets
    assert rsa.pss_verify(key.public_key(), "sha256", b"m", rsa.pss_sign(key, "sha256", b"m"))
    signature = rsa.pkcs1v15_sign(key, "sha256", b"m")
    assert rsa.pkcs1v15_verify(key.public_key(), "sha256", b"m", signature)
    # PKCS#1 v1.5 needs k >= tLen + 11 = 94 for SHA-512; PSS needs emLen >= 2 * 64 + 2.
    with pytest.raises(InvalidKeyError, match="too short"):
        rsa.pkcs1v15_sign(key, "sha512", b"m")
    with pytest.raises(InvalidKeyError, match="too short"):
        rsa.pss_sign(key, "sha512", b"m")
    assert not rsa.pkcs1v15_verify(key.public_key(), "sha512", b"m", signature)


def test_unused_d_does_not_matter_to_crt_signing() -> None:
    # d itself is not used by the CRT path (RFC 8017 §5.2.1 step 2b): a wrong d still signs.
    key = dataclasses.replace(RFC7515_KEY, d=RFC7515_KEY.d + 2)
    signature = rsa.pkcs1v15_sign(key, "sha256", b"m")
    assert signature == rsa.pkcs1v15_sign(RFC7515_KEY, "sha256", b"m")


@pytest.mark.parametrize("field", ["dp", "dq", "qi", "p", "q"])
def test_fault_check_refuses_inconsistent_key(field: str) -> None:
    # A "fault" in one CRT component must never produce a released signature (Bellcore).
    key = dataclasses.replace(RFC7515_KEY, **{field: getattr(RFC7515_KEY, field) + 2})
    with pytest.raises(InvalidKeyError, match="public-key check"):
        rsa.pkcs1v15_sign(key, "sha256", b"m")
    with pytest.raises(InvalidKeyError, match="public-key check"):
        rsa.pss_sign(key, "sha256", b"m")


@pytest.mark.parametrize(
    "key",
    [
        RSAPrivateKey(33, 3, 7, 0, 3, 7, 1, 4),  # p = 0
        RSAPrivateKey(33, 3, 7, 11, 0, 7, 1, 4),  # q = 0
        RSAPrivateKey(1, 3, 7, 11, 3, 7, 1, 4),  # n = 1 leaves no blinding value
    ],
)
def test_unusable_private_values_raise_invalid_key(key: RSAPrivateKey) -> None:
    with pytest.raises(InvalidKeyError):
        rsa.private_op(key, 2)


# --- Blinding ----------------------------------------------------------------------------------


def test_every_signature_draws_a_fresh_blinding_value(monkeypatch: pytest.MonkeyPatch) -> None:
    key = key_from_primes(RFC7515_KEY.p, RFC7515_KEY.q)
    draws: list[int] = []
    real = rsa.secrets.randbelow

    def recording(bound: int) -> int:
        value = real(bound)
        draws.append(value)
        return value

    monkeypatch.setattr(rsa.secrets, "randbelow", recording)
    signatures = [rsa.pkcs1v15_sign(key, "sha256", b"same message") for _ in range(3)]
    assert len(draws) == 3
    assert len(set(draws)) == 3
    assert len(set(signatures)) == 1  # blinding never changes the (deterministic) result
    assert signatures[0] == rsa.pkcs1v15_sign(RFC7515_KEY, "sha256", b"same message")
    vi, vf = rsa._fresh_blinding(key.n, key.e)
    assert vi * pow(vf, key.e, key.n) % key.n == 1  # vi = r**e and vf = r**-1 belong together


def test_blinding_retries_r_not_coprime(monkeypatch: pytest.MonkeyPatch) -> None:
    key = key_from_primes(RFC7515_KEY.p, RFC7515_KEY.q)
    draws = iter([key.p - 2, 5 - 2])  # r = p shares a factor with n; r = 5 does not
    monkeypatch.setattr("secrets.randbelow", lambda _bound: next(draws))
    vi, vf = rsa._fresh_blinding(key.n, key.e)
    assert vf * 5 % key.n == 1
    assert vi == pow(5, key.e, key.n)


# --- Key generation and primes ------------------------------------------------------------------


def test_generate_2048_meets_fips_186_5(backend: Backend, generated: RSAPrivateKey) -> None:
    key = generated
    n, e, p, q, d = key.n, key.e, key.p, key.q, key.d
    assert e == 65537
    assert n == p * q
    assert n.bit_length() == 2048
    assert p.bit_length() == q.bit_length() == 1024
    assert p >> 1022 == q >> 1022 == 0b11
    assert abs(p - q) > 2 ** (1024 - 100)
    assert math.gcd(e, p - 1) == math.gcd(e, q - 1) == 1
    lcm = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    assert d * e % lcm == 1
    assert 2**1024 < d < lcm
    assert (key.dp, key.dq, key.qi * q % p) == (d % (p - 1), d % (q - 1), 1)
    for prime in (p, q):
        assert _primes.is_probable_prime(prime, 10)
    signature = backend.rsa_pkcs1v15_sign(key, "sha256", b"generated")
    assert rsa.pkcs1v15_verify(key.public_key(), "sha256", b"generated", signature)


@pytest.mark.parametrize("bits", [0, 512, 1023, 2047, 2049, 16386, -2048])
def test_generate_refuses_bad_sizes(bits: int) -> None:
    with pytest.raises(InvalidKeyError, match="key size"):
        rsa.generate(bits)


def test_generate_retries_close_primes_and_small_d(monkeypatch: pytest.MonkeyPatch) -> None:
    p1 = _primes.random_prime(512, 65537)
    far = [_primes.random_prime(512, 65537) for _ in range(2)]
    assert abs(far[0] - far[1]) > 2 ** (512 - 100)
    # First pair: identical primes (too close). Then a pair whose d we force to look small.
    primes = iter([p1, p1, far[0], far[1], far[0], far[1]])
    monkeypatch.setattr(rsa, "random_prime", lambda _bits, _e: next(primes))
    real_pow = pow
    calls = {"inverse": 0}

    def fake_pow(base: int, exp: int, mod: int | None = None) -> int:
        if exp == -1 and base == 65537:
            calls["inverse"] += 1
            if calls["inverse"] == 1:
                return 3  # d below 2**(nlen/2): must be regenerated
        return real_pow(base, exp, mod)

    monkeypatch.setattr(rsa, "pow", fake_pow, raising=False)
    key = rsa.generate(1024)
    assert calls["inverse"] == 2
    assert {key.p, key.q} == set(far)
    assert rsa.pss_verify(key.public_key(), "sha256", b"m", rsa.pss_sign(key, "sha256", b"m"))


@pytest.mark.parametrize(
    ("bits", "rounds"), [(256, 7), (512, 7), (1024, 5), (1280, 5), (1536, 4), (2048, 4), (4096, 4)]
)
def test_miller_rabin_rounds_follow_fips_table(bits: int, rounds: int) -> None:
    assert _primes.miller_rabin_rounds(bits) == rounds


KNOWN_PRIMES = [2**61 - 1, 2**89 - 1, 2**127 - 1, 2**521 - 1, 1000000007]
KNOWN_COMPOSITES = [
    561,  # Carmichael
    2047,  # strong pseudoprime to base 2
    3215031751,  # strong pseudoprime to bases 2, 3, 5, 7
    (2**61 - 1) * (2**89 - 1),
    (2**127 - 1) ** 2,
    2**521 + 1,
]


def test_miller_rabin_on_known_numbers() -> None:
    assert all(_primes.is_probable_prime(w, 40) for w in KNOWN_PRIMES)
    assert not any(_primes.is_probable_prime(w, 40) for w in KNOWN_COMPOSITES)


@pytest.mark.parametrize("e", [65537, 3])
def test_random_prime_shape(e: int) -> None:
    prime = _primes.random_prime(256, e)
    assert prime.bit_length() == 256
    assert prime >> 254 == 0b11
    assert math.gcd(e, prime - 1) == 1
    assert _primes.is_probable_prime(prime, 40)


# --- Mutation testing (docs/architecture.md, "The pure backend: RSA") -----------------------


def toy_key(p_bits: int, q_bits: int) -> RSAPrivateKey:
    """A small key of exactly ``p_bits + q_bits`` bits (each prime has its top two bits set)."""
    return small_key_of(_primes.random_prime(p_bits, 65537), q_bits)


def small_key_of(p: int, q_bits: int) -> RSAPrivateKey:
    while True:
        q = _primes.random_prime(q_bits, 65537)
        if q != p:
            return key_from_primes(p, q)


def test_sign_refusal_texts() -> None:
    key = small_key(600)
    with pytest.raises(InvalidKeyError) as info:
        rsa.pkcs1v15_sign(key, "sha512", b"m")
    assert str(info.value) == "RSA modulus too short for a PKCS#1 v1.5 signature with this hash"
    with pytest.raises(InvalidKeyError) as info:
        rsa.pss_sign(key, "sha512", b"m")
    assert str(info.value) == "RSA modulus too short for a PSS signature with this hash"
    with pytest.raises(InvalidKeyError) as info:
        rsa.pss_sign(key, "md5", b"m")
    assert str(info.value) == "unsupported hash for RSA: 'md5'"


def test_pss_sign_at_the_smallest_em_len() -> None:
    # RFC 8017 §9.1.1 step 3: emLen >= hLen + sLen + 2 = 66 octets for SHA-256 (sLen = hLen).
    # emBits = modBits - 1, so a 522-bit modulus is the smallest with emLen = 66 and a 521-bit
    # one the largest with emLen = 65.
    fits = toy_key(261, 261)
    assert fits.n.bit_length() == 522
    signature = rsa.pss_sign(fits, "sha256", b"m")
    assert len(signature) == 66
    assert rsa.pss_verify(fits.public_key(), "sha256", b"m", signature)
    short = toy_key(261, 260)
    assert short.n.bit_length() == 521
    with pytest.raises(InvalidKeyError) as info:
        rsa.pss_sign(short, "sha256", b"m")
    assert str(info.value) == "RSA modulus too short for a PSS signature with this hash"


def _fake_primes(monkeypatch: pytest.MonkeyPatch, values: list[int]) -> list[int]:
    """Make ``rsa.generate`` draw ``values`` in order; returns the sizes it asked for.

    ``generate`` takes primality from ``random_prime`` (tested above) and checks only the
    shape of the pair, so odd numbers with ``gcd(e, x - 1) = 1`` stand in for large primes.
    """
    asked: list[int] = []
    drawn = iter(values)

    def fake(bits: int, e: int) -> int:
        asked.append(bits)
        assert e == 65537
        return next(drawn)

    monkeypatch.setattr(rsa, "random_prime", fake)
    return asked


def test_generate_accepts_the_largest_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # 16384 bits is allowed (generate_refuses_bad_sizes: 16386 is not); a real 8192-bit prime
    # takes minutes in pure Python, so the pair is made up.
    p = (3 << 8190) | 1
    q = p + (1 << 8093)
    assert math.gcd(65537, (p - 1) * (q - 1)) == 1
    asked = _fake_primes(monkeypatch, [p, q])
    key = rsa.generate(16384)
    assert asked == [8192, 8192]
    assert (key.p, key.q, key.n) == (p, q, p * q)
    assert key.n.bit_length() == 16384


@pytest.mark.parametrize(
    ("gap", "accepted"), [(0, False), (1 << 412, False), ((1 << 412) + 2, True)]
)
def test_generate_refuses_primes_within_2_to_the_half_minus_100(
    monkeypatch: pytest.MonkeyPatch, gap: int, accepted: bool
) -> None:
    # FIPS 186-5 A.1.3 step 5.4: |p - q| <= 2^(nlen/2 - 100) is refused and a new pair drawn.
    p = _primes.random_prime(512, 65537)
    far = [_primes.random_prime(512, 65537) for _ in range(2)]
    assert abs(far[0] - far[1]) > 1 << 412
    while math.gcd(65537, p + gap - 1) != 1:  # pragma: no cover - probability 2^-16
        p = _primes.random_prime(512, 65537)
    asked = _fake_primes(monkeypatch, [p, p + gap, *far])
    key = rsa.generate(1024)
    assert asked == [512] * (2 if accepted else 4)
    assert (key.p, key.q) == ((p, p + gap) if accepted else tuple(far))
    assert key.n == key.p * key.q


@pytest.mark.parametrize(("forced_d", "retried"), [(1 << 512, True), ((1 << 512) + 1, False)])
def test_generate_d_must_exceed_2_to_the_half(
    monkeypatch: pytest.MonkeyPatch, forced_d: int, retried: bool
) -> None:
    # FIPS 186-5 A.1.1: 2^(nlen/2) < d; d = 2^(nlen/2) exactly starts again, one more does not.
    pairs = [_primes.random_prime(512, 65537) for _ in range(4)]
    assert abs(pairs[0] - pairs[1]) > 1 << 412
    assert abs(pairs[2] - pairs[3]) > 1 << 412
    _fake_primes(monkeypatch, pairs)
    inverses: list[int] = []

    def fake_pow(base: int, exp: int, mod: int | None = None) -> int:
        if exp == -1 and base == 65537:
            inverses.append(mod or 0)
            if len(inverses) == 1:
                return forced_d
        return pow(base, exp, mod)

    monkeypatch.setattr(rsa, "pow", fake_pow, raising=False)
    key = rsa.generate(1024)
    assert len(inverses) == (2 if retried else 1)
    assert (key.p, key.q) == (tuple(pairs[2:]) if retried else tuple(pairs[:2]))
    if not retried:
        assert key.d == forced_d


def test_generate_takes_d_modulo_the_lcm(monkeypatch: pytest.MonkeyPatch) -> None:
    # FIPS 186-5 A.1.1: d = e^-1 mod LCM(p - 1, q - 1), d < LCM. p - 1 and q - 1 share 2^64
    # here, q + 1 shares only 2 with p - 1: a d taken modulo a multiple of the LCM would be
    # above it with probability 1 - 2^-63.
    def shaped() -> int:
        while True:
            x = (((3 << 446) | secrets.randbits(446)) << 64) | 1
            if (x - 1) >> 64 & 1 and math.gcd(65537, x - 1) == 1:
                return x

    p, q = shaped(), shaped()
    while math.gcd(p, q) != 1:  # pragma: no cover - made-up primes may share a factor
        q = shaped()
    assert abs(p - q) > 1 << 412
    _fake_primes(monkeypatch, [p, q])
    key = rsa.generate(1024)
    lcm = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    assert (key.p, key.q) == (p, q)
    assert key.d * 65537 % lcm == 1
    assert 1 << 512 < key.d < lcm
    assert (key.dp, key.dq) == (key.d % (p - 1), key.d % (q - 1))
    assert key.qi * q % p == 1


OUT_OF_RANGE = "RSA private key values are out of range (RFC 8017 §3.2)"
INCONSISTENT = "RSA signature failed its public-key check; the key is inconsistent"


def test_private_values_at_their_bounds() -> None:
    # RFC 8017 §3.2: p, q < n and dP < p, dQ < q are refused before any exponentiation; values
    # in range but wrong are left to the check with e (0 is in range for dP and dQ).
    key = toy_key(256, 256)
    assert rsa.private_op(key, 2) == pow(2, key.d, key.n)
    cases = {
        OUT_OF_RANGE: [
            {"p": key.n}, {"q": key.n}, {"dp": key.p}, {"dq": key.q}, {"p": 0}, {"q": 0},
            {"dp": -1}, {"dq": -1},
        ],
        INCONSISTENT: [
            {"dp": 0}, {"dq": 0}, {"dp": key.p - 1}, {"dq": key.q - 1}, {"qi": 0},
            {"p": 1, "dp": 0}, {"q": 1, "dq": 0},
        ],
    }
    for text, changes in cases.items():
        for change in changes:
            with pytest.raises(InvalidKeyError) as info:
                rsa.private_op(dataclasses.replace(key, **change), 2)
            assert str(info.value) == text, change
    assert sum(map(len, cases.values())) == 15


def test_blinding_value_is_drawn_from_2_to_n_minus_1(monkeypatch: pytest.MonkeyPatch) -> None:
    # r = 0 and r = 1 blind nothing, r >= n wraps around: r is randbelow(n - 2) + 2.
    key = toy_key(256, 256)
    bounds: list[int] = []

    def lowest(bound: int) -> int:
        bounds.append(bound)
        return 0

    monkeypatch.setattr(rsa.secrets, "randbelow", lowest)
    assert rsa._fresh_blinding(key.n, key.e) == (pow(2, key.e, key.n), pow(2, -1, key.n))
    assert bounds == [key.n - 2]
    monkeypatch.setattr(rsa.secrets, "randbelow", lambda bound: bound - 1)
    assert rsa._fresh_blinding(key.n, key.e) == (pow(key.n - 1, key.e, key.n), key.n - 1)


def _strong_probable_prime(w: int, b: int) -> bool:
    """The definition (FIPS 186-5 B.3.1): with w - 1 = 2^a * m, m odd, w passes base b when
    b^m = 1 or b^(2^j * m) = -1 (mod w) for some 0 <= j < a."""
    a = 0
    while not (w - 1) >> a & 1:
        a += 1
    m = (w - 1) >> a
    return pow(b, m, w) == 1 or any(pow(b, m << j, w) == w - 1 for j in range(a))


def test_miller_rabin_round_is_the_strong_probable_prime_test(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One round with the base forced: is_probable_prime answers exactly the definition, for
    # every odd w in 5..1999 and a spread of bases (the strong pseudoprimes among them, such
    # as 2047 to base 2, pass; a primality test they fool must not be stricter or laxer).
    base = [0]
    bounds: list[int] = []

    def forced(bound: int) -> int:
        bounds.append(bound)
        return base[0] - 2

    monkeypatch.setattr(_primes.secrets, "randbelow", forced)
    tried = disagreements = 0
    for w in [*range(5, 2000, 2), 2047, 3215031751]:
        for b in sorted(b for b in {2, 3, 5, 7, 11, w // 2, w - 3, w - 2} if b <= w - 2):
            base[0] = b
            bounds.clear()
            if _primes.is_probable_prime(w, 1) != _strong_probable_prime(w, b):
                disagreements += 1
            assert bounds == [w - 3]
            tried += 1
    assert disagreements == 0
    assert tried > 7000
    base[0] = 2
    assert _primes.is_probable_prime(2047, 3)  # a strong pseudoprime to base 2
    base[0] = 3
    assert not _primes.is_probable_prime(2047, 3)


def _next_base(drawn: Iterator[int], _bound: int) -> int:
    return next(drawn) - 2


def test_miller_rabin_needs_every_round(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2047 = 23 * 89 passes base 2 (2^1023 = 1 mod 2047) and fails base 3: a later round
    # refuses what an earlier one let through.
    for bases, verdict in (([2, 3], False), ([3, 2], False), ([2, 2], True)):
        drawn = iter(bases)
        monkeypatch.setattr(_primes.secrets, "randbelow", partial(_next_base, drawn))
        assert _primes.is_probable_prime(2047, 2) is verdict


def test_random_prime_candidate_is_the_random_bits_with_top_and_low_bits_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # FIPS 186-5 A.1.3: an odd candidate of exactly `bits` bits; the top two bits set keep
    # p >= sqrt(2) * 2^(bits - 1). Fed a prime with those three bits cleared, the first
    # candidate is that prime.
    prime = _primes.random_prime(256, 65537)
    asked: list[int] = []

    def randbits(bits: int) -> int:
        asked.append(bits)
        return prime & ~((0b11 << 254) | 1)

    monkeypatch.setattr(_primes.secrets, "randbits", randbits)
    assert _primes.random_prime(256, 65537) == prime
    assert asked == [256]


def test_pss_refuses_an_encoding_too_long_for_em_len() -> None:
    # RFC 8017 §9.1.2 step 3: emLen < hLen + sLen + 2 is "inconsistent". On a 521-bit key
    # (emLen = 65 < 66 for SHA-256) build the EM whose salt would overlap the 0x01 separator:
    # DB = 0x00 * 31 || 0x01 is also the salt. Without step 3 it verifies.
    key = toy_key(261, 260)
    m_hash = hashlib.sha256(b"m").digest()
    db = bytes(31) + b"\x01"
    h = hashlib.sha256(bytes(8) + m_hash + db).digest()
    em = rsa.xor_bytes(db, rsa.mgf1(h, 32, hashlib.sha256)) + h + b"\xbc"
    assert len(em) == 65
    signature = pow(int.from_bytes(em, "big"), key.d, key.n).to_bytes(66, "big")
    assert not rsa.pss_verify(key.public_key(), "sha256", b"m", signature)
    assert not rsa._emsa_pss_verify(m_hash, em, 520, hashlib.sha256)


@pytest.mark.parametrize("hash_fn", [hashlib.sha1, hashlib.sha256, hashlib.sha512])
def test_mgf1_gives_every_length(hash_fn: Callable[[bytes], Any]) -> None:
    # RFC 8017 §B.2.1: T = Hash(mgfSeed || C) for C = 0, 1, ... (4 octets), cut to maskLen;
    # every length, including one octet past a whole number of blocks.
    seed = b"mgf seed"
    stream = b"".join(hash_fn(seed + c.to_bytes(4, "big")).digest() for c in range(4))
    h_len = hash_fn(b"").digest_size
    lengths = range(3 * h_len + 2)
    for length in lengths:
        assert rsa.mgf1(seed, length, hash_fn) == stream[:length], length
    assert len(lengths) == 3 * h_len + 2


# --- the cached builders (undecorated, so that mutation testing reaches them) ------------------


def _der_digest_info_prefix(oid: str, digest_size: int) -> bytes:
    """DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING } (RFC 8017 §9.2 note 1,
    A.2.4) up to the digest, DER-encoded here from the hash's object identifier."""
    arcs = [int(a) for a in oid.split(".")]
    body = bytes([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        rest = arc >> 7
        while rest:
            chunk.append(0x80 | rest & 0x7F)
            rest >>= 7
        body += bytes(reversed(chunk))
    algorithm = b"\x06" + bytes([len(body)]) + body + b"\x05\x00"
    algorithm = b"\x30" + bytes([len(algorithm)]) + algorithm
    inner = algorithm + b"\x04" + bytes([digest_size])
    return b"\x30" + bytes([len(inner) + digest_size]) + inner


#: The hashes' object identifiers: RFC 8017 A.2.4 (SHA-1, SHA-2) and NIST's CSOR (SHA-3).
_HASH_OIDS = {
    "sha1": "1.3.14.3.2.26",
    "sha224": "2.16.840.1.101.3.4.2.4",
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
    "sha512_224": "2.16.840.1.101.3.4.2.5",
    "sha512_256": "2.16.840.1.101.3.4.2.6",
    "sha3_224": "2.16.840.1.101.3.4.2.7",
    "sha3_256": "2.16.840.1.101.3.4.2.8",
    "sha3_384": "2.16.840.1.101.3.4.2.9",
    "sha3_512": "2.16.840.1.101.3.4.2.10",
}


def test_pkcs1_prefix_builder_follows_rfc8017_9_2() -> None:
    # The builder itself, not its cache (warmed by every signature before this test).
    # RFC 8017 §9.2 note 1 spells out SHA-256's T prefix; the others are encoded above.
    assert _der_digest_info_prefix(_HASH_OIDS["sha256"], 32) == bytes.fromhex(
        "3031300d060960864801650304020105000420"
    )
    ran = 0
    for hash_name, oid in _HASH_OIDS.items():
        if hash_name not in hashlib.algorithms_available:
            continue
        h_len = hashlib.new(hash_name).digest_size
        prefix = _der_digest_info_prefix(oid, h_len)
        t_len = len(prefix) + h_len
        # §9.2 step 3: k < tLen + 11 is "intended encoded message length too short".
        assert rsa._build_pkcs1_prefix(t_len + 10, hash_name) is None
        for k in (t_len + 11, t_len + 12, 256, 512):
            expected = b"\x00\x01" + b"\xff" * (k - t_len - 3) + b"\x00" + prefix
            assert rsa._build_pkcs1_prefix(k, hash_name) == expected, (hash_name, k)
            assert rsa._pkcs1_prefix(k, hash_name) == expected
        ran += 1
    assert ran >= 9  # SHA-512/t may be missing from this Python's OpenSSL
    assert rsa._build_pkcs1_prefix(256, "md5") is None
    assert rsa._build_pkcs1_prefix(256, "shake_256") is None


def test_small_primes_product_builder_is_the_odd_primes_below_the_bound() -> None:
    bound = _primes._TRIAL_DIVISION_BOUND
    assert bound == 4096
    odd_primes = [
        q for q in range(3, bound, 2) if all(q % r for r in range(3, math.isqrt(q) + 1, 2))
    ]
    assert len(odd_primes) == 563  # pi(4096) = 564, less the prime 2
    assert odd_primes[-1] == 4093
    built = _primes._build_small_primes_product()
    assert built == math.prod(odd_primes)
    assert _primes._small_primes_product() == built
