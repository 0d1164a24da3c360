"""RSA encryption for JWE (RFC 8017 §7): RSAES-OAEP and RSAES-PKCS1-v1_5 on every backend.

Wycheproof decisions, asserted below:

- OAEP files have no ``acceptable`` case. Cases with a non-empty ``label`` (``EncryptionWithLabel``,
  7 with SHA-1, 8 with SHA-256) are not what JWE sends (RFC 7518 §4.3: the label is empty), so
  jwtlite decrypts them with the empty label and must fail: they count as ``label`` and assert
  None (a different label is a different ``lHash``, one more padding failure).
- ``rsa_pkcs1_2048_test.json`` has no ``acceptable`` case. Its ``valid`` cases include
  ``Sslv23Padding`` (0x03 octets before the separator, which RFC 8017 allows in PS) and its
  ``invalid`` ones the padding-oracle cases. The pure backend returns None for every invalid
  case. OpenSSL 3.2+ (the ``cryptography`` backend) applies implicit rejection: for the 19
  cases whose padding is wrong it returns a synthetic message, derived from the key and the
  ciphertext (so the same every time) and never the message; the 6 malformed ciphertexts
  (wrong length, not below n) give None. JWE's RFC 7516 §11.5 countermeasure handles both.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from typing import Any

import pytest
from conftest import BACKEND_NAMES, KEYS, wycheproof_cases
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._jwkformat import key_from_jwk
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import rsa_encryption
from jwtlite.backends.pure._primes import random_prime
from jwtlite.backends.pure.rsa import mgf1, xor_bytes
from jwtlite.exceptions import InvalidKeyError, UnsupportedHashError
from jwtlite.keys import RSAPrivateKey, RSAPublicKey, load_key


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Every test builds its native keys itself: mutation testing forks each mutant from a
    process whose caches an earlier run warmed (docs/architecture.md, "Mutation testing")."""
    _cache.clear_caches()


OAEP_HASHES = ("sha1", "sha256", "sha384", "sha512")
OAEP_FILES = {
    # file: (hash, valid, invalid, label): every case, asserted by kind
    "rsa_oaep_2048_sha1_mgf1sha1_test.json": ("sha1", 10, 19, 7),
    "rsa_oaep_2048_sha256_mgf1sha256_test.json": ("sha256", 10, 19, 8),
}
PKCS1_FILE = "rsa_pkcs1_2048_test.json"
#: (valid, invalid) cases, and how many invalid ones OpenSSL answers with a synthetic message.
PKCS1_COUNTS = (42, 25)
PKCS1_SYNTHETIC = 19
#: The module-scoped key fixture is the same for every example.
FIXTURE_OK = [HealthCheck.function_scoped_fixture]


def all_backends() -> list[Backend]:
    return [get_backend(name) for name in BACKEND_NAMES]


_LOADED: dict[str, RSAPrivateKey] = {}


def private_key(group: dict[str, Any]) -> RSAPrivateKey:
    """The group's ``privateKeyJwk``, read by jwtlite's own JWK loader (once per modulus)."""
    jwk = group["privateKeyJwk"]
    if jwk["n"] not in _LOADED:
        key = key_from_jwk(jwk)
        assert isinstance(key, RSAPrivateKey)
        _LOADED[jwk["n"]] = key
    return _LOADED[jwk["n"]]


@pytest.fixture(scope="module")
def rsa2048() -> RSAPrivateKey:
    key = load_key((KEYS / "rsa2048.pem").read_bytes())
    assert isinstance(key, RSAPrivateKey)
    return key


# --- Wycheproof ----------------------------------------------------------------------------


@pytest.mark.parametrize("filename", sorted(OAEP_FILES))
def test_wycheproof_oaep(backend: Backend, filename: str) -> None:
    hash_name, *expected = OAEP_FILES[filename]
    seen: Counter[str] = Counter()
    for group, case in wycheproof_cases(filename):
        assert group["mgf"] == "MGF1"
        assert group["sha"] == group["mgfSha"] == {"sha1": "SHA-1", "sha256": "SHA-256"}[hash_name]
        out = backend.rsa_oaep_decrypt(private_key(group), hash_name, bytes.fromhex(case["ct"]))
        kind = "label" if case["label"] else case["result"]
        want = bytes.fromhex(case["msg"]) if kind == "valid" else None
        assert out == want, (case["tcId"], case["comment"])
        seen[kind] += 1
    assert (seen["valid"], seen["invalid"], seen["label"]) == tuple(expected)


def test_wycheproof_pkcs1(backend: Backend) -> None:
    seen: Counter[str] = Counter()
    for group, case in wycheproof_cases(PKCS1_FILE):
        key = private_key(group)
        ciphertext, message = bytes.fromhex(case["ct"]), bytes.fromhex(case["msg"])
        out = backend.rsa_pkcs1v15_decrypt(key, ciphertext)
        seen[case["result"]] += 1
        if case["result"] == "valid":
            assert out == message, (case["tcId"], case["comment"])
        elif out is not None:
            # Implicit rejection (OpenSSL 3.2+): a synthetic message, stable per ciphertext.
            assert backend.name == "cryptography", case["tcId"]
            assert out != message
            assert backend.rsa_pkcs1v15_decrypt(key, ciphertext) == out
            seen["synthetic"] += 1
    assert (seen["valid"], seen["invalid"]) == PKCS1_COUNTS
    assert seen["synthetic"] in ((0,) if backend.name == "pure" else (0, PKCS1_SYNTHETIC))


# --- round trips, across backends ----------------------------------------------------------


@pytest.mark.parametrize("hash_name", OAEP_HASHES)
def test_oaep_round_trip_across_backends(rsa2048: RSAPrivateKey, hash_name: str) -> None:
    public = rsa2048.public_key()
    h_len = {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}[hash_name]
    longest = 256 - 2 * h_len - 2  # RFC 8017 §7.1.1 step 1b
    for sender in all_backends():
        for plaintext in (b"", b"\x00", b"k" * 32, b"\xff" * longest):
            ciphertext = sender.rsa_oaep_encrypt(public, hash_name, plaintext)
            assert len(ciphertext) == 256
            for receiver in all_backends():
                assert receiver.rsa_oaep_decrypt(rsa2048, hash_name, ciphertext) == plaintext
        with pytest.raises(InvalidKeyError, match="too small"):
            sender.rsa_oaep_encrypt(public, hash_name, bytes(longest + 1))
    # OAEP is randomised: the same plaintext never gives the same ciphertext twice.
    backend = get_backend("pure")
    assert backend.rsa_oaep_encrypt(public, hash_name, b"k") != backend.rsa_oaep_encrypt(
        public, hash_name, b"k"
    )


def test_pkcs1v15_round_trip_across_backends(rsa2048: RSAPrivateKey) -> None:
    public = rsa2048.public_key()
    for sender in all_backends():
        for plaintext in (b"", b"k" * 16, b"\x00" * 32, b"\xff" * 245):  # 245 = k - 11
            ciphertext = sender.rsa_pkcs1v15_encrypt(public, plaintext)
            assert len(ciphertext) == 256
            for receiver in all_backends():
                assert receiver.rsa_pkcs1v15_decrypt(rsa2048, ciphertext) == plaintext
        with pytest.raises(InvalidKeyError, match="too small"):
            sender.rsa_pkcs1v15_encrypt(public, bytes(246))


def test_pkcs1v15_padding_string_is_non_zero(rsa2048: RSAPrivateKey) -> None:
    # RFC 8017 §7.2.1 step 2a: PS is non-zero octets, so the first zero after 0x00 0x02 is M's
    # separator. Decrypt raw with the private exponent and look.
    ciphertext = get_backend("pure").rsa_pkcs1v15_encrypt(rsa2048.public_key(), b"")
    em = pow(int.from_bytes(ciphertext, "big"), rsa2048.d, rsa2048.n).to_bytes(256, "big")
    assert em[:2] == b"\x00\x02"
    assert em[-1] == 0
    assert all(em[2:-1])


def _raw_encrypt(key: RSAPrivateKey, em: bytes) -> bytes:
    return pow(int.from_bytes(em, "big"), key.e, key.n).to_bytes(256, "big")


@pytest.mark.parametrize(("ps_len", "ok"), [(7, False), (8, True), (9, True), (253, False)])
def test_pkcs1v15_padding_string_of_at_least_eight_octets(
    rsa2048: RSAPrivateKey, ps_len: int, ok: bool
) -> None:
    # RFC 8017 §7.2.2 step 3: "the length of PS is less than 8 octets" is a decryption error;
    # 253 octets of PS leave no room for the separator at all.
    body = b"\x01" * ps_len
    em = b"\x00\x02" + body + (b"\x00" + bytes(range(1, 254 - ps_len)) if ps_len < 253 else b"\x01")
    assert len(em) == 256
    out = get_backend("pure").rsa_pkcs1v15_decrypt(rsa2048, _raw_encrypt(rsa2048, em))
    assert out == (em[3 + ps_len :] if ok else None)


def test_oaep_decoding_refuses_every_broken_part(rsa2048: RSAPrivateKey) -> None:
    # RFC 8017 §7.1.2 step 3g: Y != 0, lHash' != lHash, no 0x01 after PS, or a non-zero octet
    # before it: each alone gives the one failure result.
    good = get_backend("pure").rsa_oaep_encrypt(rsa2048.public_key(), "sha256", b"secret")
    em = pow(int.from_bytes(good, "big"), rsa2048.d, rsa2048.n).to_bytes(256, "big")
    seed = xor_bytes(em[1:33], mgf1(em[33:], 32, hashlib.sha256))
    db = xor_bytes(em[33:], mgf1(seed, 223, hashlib.sha256))

    def encode(first: int, new_db: bytes) -> bytes:
        masked_db = xor_bytes(new_db, mgf1(seed, 223, hashlib.sha256))
        masked_seed = xor_bytes(seed, mgf1(masked_db, 32, hashlib.sha256))
        return _raw_encrypt(rsa2048, bytes([first]) + masked_seed + masked_db)

    separator = db.index(b"\x01", 32)
    assert get_backend("pure").rsa_oaep_decrypt(rsa2048, "sha256", encode(0, db)) == b"secret"
    broken = {
        "Y": encode(1, db),
        "lHash": encode(0, bytes([db[0] ^ 1]) + db[1:]),
        "no separator": encode(0, db[:separator] + b"\x00" + db[separator + 1 :]),
        "junk in PS": encode(0, db[:40] + b"\x07" + db[41:]),
        "0x02 separator": encode(0, db[:separator] + b"\x02" + db[separator + 1 :]),
    }
    for backend in all_backends():
        for what, ciphertext in broken.items():
            assert backend.rsa_oaep_decrypt(rsa2048, "sha256", ciphertext) is None, what


def test_large_exponent_keys_round_trip(backend: Backend) -> None:
    # OpenSSL refuses e > 2^64 above 3072 bits; the cryptography backend falls back to the
    # pure code for such keys, so both backends serve every key jwtlite loads.
    key = load_key((KEYS / "rsa4096_e255.json").read_bytes())
    assert isinstance(key, RSAPrivateKey)
    public = key.public_key()
    ciphertext = backend.rsa_oaep_encrypt(public, "sha256", b"k" * 16)
    assert backend.rsa_oaep_decrypt(key, "sha256", ciphertext) == b"k" * 16
    ciphertext = backend.rsa_pkcs1v15_encrypt(public, b"k" * 16)
    assert backend.rsa_pkcs1v15_decrypt(key, ciphertext) == b"k" * 16


# --- hostile and wrong inputs ----------------------------------------------------------------


def test_unknown_hash_is_a_programming_error(backend: Backend, rsa2048: RSAPrivateKey) -> None:
    for name in ("md5", "SHA-256", "sha224", ""):
        with pytest.raises(UnsupportedHashError):
            backend.rsa_oaep_encrypt(rsa2048.public_key(), name, b"k")
        with pytest.raises(UnsupportedHashError):
            backend.rsa_oaep_decrypt(rsa2048, name, bytes(256))


def test_ciphertext_length_and_range_are_checked_before_exponentiation(
    rsa2048: RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*_: object) -> int:
        raise AssertionError("the private-key operation ran")

    monkeypatch.setattr(rsa_encryption, "private_op", forbidden)
    n_bytes = rsa2048.n.to_bytes(256, "big")
    for ciphertext in (b"", bytes(255), bytes(257), b"\x01" * 10**6, n_bytes, b"\xff" * 256):
        assert rsa_encryption.oaep_decrypt(rsa2048, "sha1", ciphertext) is None
        assert rsa_encryption.pkcs1v15_decrypt(rsa2048, ciphertext) is None


def test_a_huge_ciphertext_costs_nothing(backend: Backend, rsa2048: RSAPrivateKey) -> None:
    huge = b"\x01" * 10**7
    started = time.thread_time()
    assert backend.rsa_oaep_decrypt(rsa2048, "sha256", huge) is None
    assert backend.rsa_pkcs1v15_decrypt(rsa2048, huge) is None
    assert time.thread_time() - started < 0.5


@settings(max_examples=60, deadline=None, suppress_health_check=FIXTURE_OK)
@given(garbage=st.one_of(st.binary(max_size=300), st.binary(min_size=256, max_size=256)))
def test_garbage_ciphertexts_give_none_on_every_backend(
    rsa2048: RSAPrivateKey, garbage: bytes
) -> None:
    for backend in all_backends():
        for hash_name in ("sha1", "sha256"):
            assert backend.rsa_oaep_decrypt(rsa2048, hash_name, garbage) is None
        out = backend.rsa_pkcs1v15_decrypt(rsa2048, garbage)
        # A random block has valid PKCS#1 v1.5 padding with probability about 2^-16; OpenSSL's
        # implicit rejection may answer with a synthetic message instead of None.
        assert out is None or isinstance(out, bytes)
        if backend.name == "pure" and out is not None:
            em = pow(int.from_bytes(garbage, "big"), rsa2048.d, rsa2048.n).to_bytes(256, "big")
            assert em[:2] == b"\x00\x02"


@settings(max_examples=25, deadline=None, suppress_health_check=FIXTURE_OK)
@given(plaintext=st.binary(max_size=190), hash_name=st.sampled_from(OAEP_HASHES))
def test_oaep_property_round_trip(
    rsa2048: RSAPrivateKey, plaintext: bytes, hash_name: str
) -> None:
    limit = 256 - 2 * {"sha1": 20, "sha256": 32, "sha384": 48, "sha512": 64}[hash_name] - 2
    backends = all_backends()
    for sender in backends:
        if len(plaintext) > limit:
            with pytest.raises(InvalidKeyError):
                sender.rsa_oaep_encrypt(rsa2048.public_key(), hash_name, plaintext)
            continue
        ciphertext = sender.rsa_oaep_encrypt(rsa2048.public_key(), hash_name, plaintext)
        assert {r.rsa_oaep_decrypt(rsa2048, hash_name, ciphertext) for r in backends} == {
            plaintext
        }


# --- Mutation testing (docs/architecture.md, "The pure backend: RSA") -----------------------


def test_padding_string_is_the_random_streams_non_zero_octets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RFC 8017 §7.2.1 step 2a: PS is pseudo-random non-zero octets. With a stand-in source
    # whose octets are mostly zero, PS must be exactly its non-zero octets in order: none
    # dropped, none invented, no fixed prefix.
    source = b"".join(bytes([0, 0, 0, i % 255 + 1]) for i in range(1000))
    stream = iter(source)

    def token_bytes(size: int) -> bytes:
        return bytes(next(stream) for _ in range(size))

    expected = source.replace(b"\x00", b"")
    monkeypatch.setattr(rsa_encryption.secrets, "token_bytes", token_bytes)
    assert rsa_encryption._nonzero_octets(100) == expected[:100]


def test_padding_string_starts_differently_each_time() -> None:
    firsts = {rsa_encryption._nonzero_octets(8)[:1] for _ in range(20)}
    assert len(firsts) > 1  # 20 equal first octets by chance: 255^-19


def test_encryption_refusal_texts(rsa2048: RSAPrivateKey) -> None:
    public = rsa2048.public_key()
    with pytest.raises(InvalidKeyError) as info:
        rsa_encryption.pkcs1v15_encrypt(public, bytes(246))
    assert str(info.value) == "RSA key too small for this RSA1_5 plaintext"
    with pytest.raises(InvalidKeyError) as info:
        rsa_encryption.oaep_encrypt(public, "sha256", bytes(191))
    assert str(info.value) == "RSA key too small for this RSA-OAEP plaintext and hash"
    with pytest.raises(UnsupportedHashError) as hash_info:
        rsa_encryption.oaep_decrypt(rsa2048, "md5", bytes(256))
    assert str(hash_info.value) == "unsupported hash for RSA-OAEP: 'md5'"


OAEP_TOO_SMALL = r"^RSA key too small for this RSA-OAEP plaintext and hash$"
RSA1_5_TOO_SMALL = r"^RSA key too small for this RSA1_5 plaintext$"


def _toy_key(bits: int) -> RSAPrivateKey:
    """A key of exactly ``bits`` bits (even), from two primes of half the size."""
    while True:
        p, q = (random_prime(bits // 2, 65537) for _ in range(2))
        if p != q:
            d = pow(65537, -1, (p - 1) * (q - 1))
            return RSAPrivateKey(p * q, 65537, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))


def _no_private_op(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*_: object) -> int:
        raise AssertionError("the private-key operation ran")

    monkeypatch.setattr(rsa_encryption, "private_op", forbidden)


def test_oaep_at_the_smallest_key_that_holds_an_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    # RFC 8017 §7.1.1 step 1b / §7.1.2 step 1c: k >= 2 hLen + 2, 42 octets for SHA-1, which
    # hold only the empty message. One octet less cannot hold any: None before the private
    # operation (the key size is public), and encryption refuses.
    fits, short = _toy_key(336), _toy_key(328)
    ciphertext = rsa_encryption.oaep_encrypt(fits.public_key(), "sha1", b"")
    assert len(ciphertext) == 42
    assert rsa_encryption.oaep_decrypt(fits, "sha1", ciphertext) == b""
    with pytest.raises(InvalidKeyError, match=OAEP_TOO_SMALL):
        rsa_encryption.oaep_encrypt(fits.public_key(), "sha1", b"k")
    with pytest.raises(InvalidKeyError, match=OAEP_TOO_SMALL):
        rsa_encryption.oaep_encrypt(short.public_key(), "sha1", b"")
    _no_private_op(monkeypatch)
    assert rsa_encryption.oaep_decrypt(short, "sha1", bytes(41)) is None


def test_pkcs1v15_at_the_smallest_key_that_holds_an_encoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RFC 8017 §7.2.1 step 1 / §7.2.2 step 1: k >= 11 octets (0x00 0x02, 8 octets of PS, 0x00).
    fits, short = _toy_key(88), _toy_key(80)
    for _ in range(5):  # PS is random: more than one encoding
        ciphertext = rsa_encryption.pkcs1v15_encrypt(fits.public_key(), b"")
        assert len(ciphertext) == 11
        assert rsa_encryption.pkcs1v15_decrypt(fits, ciphertext) == b""
    with pytest.raises(InvalidKeyError, match=RSA1_5_TOO_SMALL):
        rsa_encryption.pkcs1v15_encrypt(fits.public_key(), b"k")
    with pytest.raises(InvalidKeyError, match=RSA1_5_TOO_SMALL):
        rsa_encryption.pkcs1v15_encrypt(short.public_key(), b"")
    _no_private_op(monkeypatch)
    assert rsa_encryption.pkcs1v15_decrypt(short, bytes(10)) is None


def test_encryption_refuses_a_key_anyone_could_decrypt() -> None:
    # _rsaep checks the public key first (RFC 8017 §3.1 bounds): an even modulus, e = 1.
    key = _toy_key(1024).public_key()
    for bad, text in (
        (RSAPublicKey(key.n + 1, 65537), "RSA modulus must be odd and positive"),
        (RSAPublicKey(key.n, 1), "RSA public exponent must be odd, at least 3 and less than n"),
    ):
        with pytest.raises(InvalidKeyError) as info:
            rsa_encryption.oaep_encrypt(bad, "sha256", b"k")
        assert str(info.value) == text
        with pytest.raises(InvalidKeyError) as info:
            rsa_encryption.pkcs1v15_encrypt(bad, b"k")
        assert str(info.value) == text


def test_a_hash_name_of_another_type_is_unsupported(rsa2048: RSAPrivateKey) -> None:
    # A list cannot even be looked up (unhashable): still the one jwtlite error, not TypeError.
    for name in (["sha1"], None, b"sha1"):
        with pytest.raises(UnsupportedHashError) as info:
            rsa_encryption.oaep_encrypt(rsa2048.public_key(), name, b"k")  # type: ignore[arg-type]
        assert str(info.value) == f"unsupported hash for RSA-OAEP: {name!r}"
        with pytest.raises(UnsupportedHashError):
            rsa_encryption.oaep_decrypt(rsa2048, name, bytes(256))  # type: ignore[arg-type]
