"""AES (FIPS 197), AES-GCM (SP 800-38D), AES-CBC with PKCS#7 and AES key wrap (RFC 3394): the
pure modules directly, and every backend through the ``Backend`` methods JWE uses.

Wycheproof (``tests/vectors/wycheproof``, unchanged copies):

* ``aes_gcm_test.json``, 316 vectors. The 197 with a 96-bit IV and a 128-bit tag, which is
  what JWE uses (RFC 7518 §5.3, §4.7), run on both backends: 116 valid, 81 invalid (modified
  tags). The backend API takes only a 12-byte IV, so both backends refuse the other 119 with
  InvalidKeyError (counted); the pure GCM module, which takes any non-empty IV (J0 by GHASH,
  §7.1), must reproduce the 113 valid ones of them and refuse the 6 empty IVs.
* ``aes_cbc_pkcs5_test.json``, 216 vectors: 72 valid, 144 invalid (bad or missing padding).
* ``aes_wrap_test.json``, 165 vectors: 36 valid, 126 invalid, 3 ``acceptable``. The acceptable
  ones wrap an 8-byte key (flag ShortKey), which RFC 3394 §2 does not define (n >= 2) and JWE
  never needs: jwtlite refuses them both ways (wrapping raises InvalidKeyError, unwrapping
  the 16 bytes returns None), like the invalid ShortKey cases.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from conftest import BACKEND_NAMES, wycheproof_cases
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import clear_caches
from jwtlite._cache import cache_sizes, digest_key
from jwtlite.backends import Backend, get_backend
from jwtlite.backends.pure import aes, cbc, gcm, keywrap
from jwtlite.exceptions import InvalidKeyError, InvalidValueError

HAVE_CRYPTOGRAPHY = "cryptography" in BACKEND_NAMES
FEW = settings(max_examples=40, deadline=None)

keys = st.sampled_from([16, 24, 32]).flatmap(lambda n: st.binary(min_size=n, max_size=n))
texts = st.binary(max_size=300)


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with no key schedule or GHASH table remembered, so that it expands its
    keys and builds its tables itself whatever ran before it (mutmut's clean run, for one,
    warms the caches)."""
    clear_caches()


def _hex(case: dict[str, Any], *names: str) -> list[bytes]:
    return [bytes.fromhex(case[name]) for name in names]


# --- FIPS 197: Appendix A (key expansion), B (cipher example), C (example vectors) ----------

PLAIN_C = "00112233445566778899aabbccddeeff"
FIPS197_CIPHER = [  # (key, plaintext, ciphertext)
    ("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
     "3925841d02dc09fbdc118597196a0b32"),  # Appendix B
    (bytes(range(16)).hex(), PLAIN_C, "69c4e0d86a7b0430d8cdb78070b4c55a"),  # C.1 AES-128
    (bytes(range(24)).hex(), PLAIN_C, "dda97ca4864cdfe06eaf70a0ec0d7191"),  # C.2 AES-192
    (bytes(range(32)).hex(), PLAIN_C, "8ea2b7ca516745bfeafc49904b496089"),  # C.3 AES-256
]  # fmt: skip
#: Appendix A.1, every round key of the 128-bit example.
A1_ROUND_KEYS = [
    "2b7e151628aed2a6abf7158809cf4f3c", "a0fafe1788542cb123a339392a6c7605",
    "f2c295f27a96b9435935807a7359f67f", "3d80477d4716fe3e1e237e446d7a883b",
    "ef44a541a8525b7fb671253bdb0bad00", "d4d1c6f87c839d87caf2b8bc11f915bc",
    "6d88a37a110b3efddbf98641ca0093fd", "4e54f70e5f5fc9f384a64fb24ea6dc4f",
    "ead27321b58dbad2312bf5607f8d292f", "ac7766f319fadc2128d12941575c006e",
    "d014f9a8c9ee2589e13f0cc8b6630ca6",
]  # fmt: skip
#: Appendix A.2 and A.3: the key and the last word of the expansion (w43 of A.1 is above).
A23_LAST_WORDS = [
    ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", 12, 0x01002202),
    ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", 14, 0x706C631E),
]


def test_fips197_a1_round_keys() -> None:
    schedule = aes.Schedule(bytes.fromhex(A1_ROUND_KEYS[0]))
    assert schedule.rounds == 10
    got = [b"".join(w.to_bytes(4, "big") for w in words).hex() for words in schedule.words]
    assert got == A1_ROUND_KEYS


@pytest.mark.parametrize(("key", "rounds", "last"), A23_LAST_WORDS)
def test_fips197_a2_a3_key_expansion(key: str, rounds: int, last: int) -> None:
    schedule = aes.Schedule(bytes.fromhex(key))
    assert schedule.rounds == rounds
    assert type(schedule.rounds) is int  # Nr, a count (FIPS 197 §5, Figure 4)
    assert schedule.words[-1][3] == last


@pytest.mark.parametrize(("key", "plain", "cipher"), FIPS197_CIPHER)
def test_fips197_examples_one_block(key: str, plain: str, cipher: str) -> None:
    schedule = aes.Schedule(bytes.fromhex(key))
    assert aes.encrypt_block(schedule, int(plain, 16)) == int(cipher, 16)
    assert aes.decrypt_block(schedule, int(cipher, 16)) == int(plain, 16)


@pytest.mark.parametrize("count", [1, aes.SLICED_MIN_BLOCKS - 1, aes.SLICED_MIN_BLOCKS, 37])
@pytest.mark.parametrize(("key", "plain", "cipher"), FIPS197_CIPHER)
def test_fips197_examples_many_blocks(key: str, plain: str, cipher: str, count: int) -> None:
    # The byte-sliced form runs from SLICED_MIN_BLOCKS blocks on; below it, the T-tables.
    schedule = aes.Schedule(bytes.fromhex(key))
    p, c = bytes.fromhex(plain), bytes.fromhex(cipher)
    assert aes.encrypt_many(schedule, p * count) == c * count
    assert aes.decrypt_many(schedule, c * count) == p * count


def _blocks_one_by_one(schedule: aes.Schedule, data: bytes, *, decrypt: bool) -> bytes:
    one = aes.decrypt_block if decrypt else aes.encrypt_block
    return b"".join(
        one(schedule, int.from_bytes(data[i : i + 16], "big")).to_bytes(16, "big")
        for i in range(0, len(data), 16)
    )


@FEW
@given(key=keys, blocks=st.integers(min_value=0, max_value=40), seed=st.binary(max_size=8))
def test_byte_sliced_equals_t_tables(key: bytes, blocks: int, seed: bytes) -> None:
    data = b"".join(hashlib.sha256(seed + bytes([i])).digest()[:16] for i in range(blocks))
    schedule = aes.Schedule(key)
    for decrypt in (False, True):
        many = aes.decrypt_many if decrypt else aes.encrypt_many
        assert many(schedule, data) == _blocks_one_by_one(schedule, data, decrypt=decrypt)


def test_byte_sliced_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches of SLICED_MAX_BLOCKS, then a shorter last batch with its own lane keys.
    monkeypatch.setattr(aes, "SLICED_MAX_BLOCKS", 6)
    schedule = aes.Schedule(bytes(range(32)))
    data = bytes(range(256)) * 3  # 48 blocks: 8 batches of 6
    for extra in (b"", bytes(range(16)) * 5):  # 53 blocks: 8 of 6 and one of 5
        text = data + extra
        assert aes.encrypt_many(schedule, text) == _blocks_one_by_one(schedule, text, decrypt=False)
        assert aes.decrypt_many(schedule, text) == _blocks_one_by_one(schedule, text, decrypt=True)


# --- Wycheproof -------------------------------------------------------------------------------


def test_wycheproof_gcm(backend: Backend) -> None:
    seen: Counter[tuple[str, str]] = Counter()
    for group, case in wycheproof_cases("aes_gcm_test.json"):
        key, iv, aad, msg, ct, tag = _hex(case, "key", "iv", "aad", "msg", "ct", "tag")
        if group["ivSize"] != 96:
            with pytest.raises(InvalidKeyError):
                backend.aes_gcm_decrypt(key, iv, ct, aad, tag)
            with pytest.raises(InvalidKeyError):
                backend.aes_gcm_encrypt(key, iv, msg, aad)
            seen["IV size refused", case["result"]] += 1
            continue
        assert group["tagSize"] == 128
        opened = backend.aes_gcm_decrypt(key, iv, ct, aad, tag)
        if case["result"] == "valid":
            assert backend.aes_gcm_encrypt(key, iv, msg, aad) == (ct, tag), case["tcId"]
            assert opened == msg, case["tcId"]
        else:
            assert opened is None, case["tcId"]
        seen["JWE", case["result"]] += 1
    assert seen == {
        ("JWE", "valid"): 116,
        ("JWE", "invalid"): 81,
        ("IV size refused", "valid"): 113,
        ("IV size refused", "invalid"): 6,
    }


def test_wycheproof_gcm_every_iv_size_on_the_pure_module() -> None:
    seen: Counter[tuple[int, str]] = Counter()
    for group, case in wycheproof_cases("aes_gcm_test.json"):
        key, iv, aad, msg, ct, tag = _hex(case, "key", "iv", "aad", "msg", "ct", "tag")
        if not iv:  # §5.2.1.1: an IV has at least one bit
            with pytest.raises(InvalidKeyError):
                gcm.decrypt(key, iv, ct, aad, tag)
            with pytest.raises(InvalidKeyError):
                gcm.encrypt(key, iv, msg, aad)
            assert case["result"] == "invalid"
        elif case["result"] == "valid":
            assert gcm.encrypt(key, iv, msg, aad) == (ct, tag), case["tcId"]
            assert gcm.decrypt(key, iv, ct, aad, tag) == msg, case["tcId"]
        else:
            assert gcm.decrypt(key, iv, ct, aad, tag) is None, case["tcId"]
        seen[group["ivSize"] == 96, case["result"]] += 1
    assert seen == {(True, "valid"): 116, (True, "invalid"): 81, (False, "valid"): 113,
                    (False, "invalid"): 6}  # fmt: skip


def test_wycheproof_gcm_with_the_full_hash_tables() -> None:
    # A key seen a second time gets the 16 GHASH tables: the same answers as the one table.
    count = 0
    for group, case in wycheproof_cases("aes_gcm_test.json"):
        if group["ivSize"] != 96:
            continue
        key, iv, aad, msg, ct, tag = _hex(case, "key", "iv", "aad", "msg", "ct", "tag")
        expected = msg if case["result"] == "valid" else None
        clear_caches()  # some vectors share a key
        first = gcm.decrypt(key, iv, ct, aad, tag)
        state = gcm.GCM_KEYS.get(digest_key(key))
        assert state is not None
        tables_before = state.tables
        assert first == gcm.decrypt(key, iv, ct, aad, tag) == expected, case["tcId"]
        assert tables_before is None
        assert state.tables is not None
        if expected is not None:
            assert gcm.encrypt(key, iv, msg, aad) == (ct, tag)
        count += 1
    assert count == 197


def test_wycheproof_cbc(backend: Backend) -> None:
    seen: Counter[str] = Counter()
    for group, case in wycheproof_cases("aes_cbc_pkcs5_test.json"):
        assert group["ivSize"] == 128
        key, iv, msg, ct = _hex(case, "key", "iv", "msg", "ct")
        opened = backend.aes_cbc_decrypt(key, iv, ct)
        if case["result"] == "valid":
            assert backend.aes_cbc_encrypt(key, iv, msg) == ct, case["tcId"]
            assert opened == msg, case["tcId"]
        else:
            assert opened is None, case["tcId"]
        seen[case["result"]] += 1
    assert seen == {"valid": 72, "invalid": 144}


def test_wycheproof_key_wrap(backend: Backend) -> None:
    seen: Counter[str] = Counter()
    for _, case in wycheproof_cases("aes_wrap_test.json"):
        kek, msg, ct = _hex(case, "key", "msg", "ct")
        unwrapped = backend.aes_key_unwrap(kek, ct)
        if case["result"] == "valid":
            assert backend.aes_key_wrap(kek, msg) == ct, case["tcId"]
            assert unwrapped == msg, case["tcId"]
        else:  # invalid, and the acceptable 8-byte keys (see the module docstring)
            assert case["result"] == "invalid" or case["flags"] == ["ShortKey"]
            assert unwrapped is None, case["tcId"]
            if len(msg) >= 16 and len(msg) % 8 == 0:
                assert backend.aes_key_wrap(kek, msg) != ct
            else:
                with pytest.raises(InvalidKeyError):
                    backend.aes_key_wrap(kek, msg)
        seen[case["result"]] += 1
    assert seen == {"valid": 36, "invalid": 126, "acceptable": 3}


# --- RFC 3394 §4, typed in from the RFC --------------------------------------------------------

RFC3394 = [  # (section, KEK, key data, ciphertext)
    ("4.1", "000102030405060708090A0B0C0D0E0F", "00112233445566778899AABBCCDDEEFF",
     "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"),
    ("4.2", "000102030405060708090A0B0C0D0E0F1011121314151617",
     "00112233445566778899AABBCCDDEEFF", "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"),
    ("4.3", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
     "00112233445566778899AABBCCDDEEFF", "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"),
    ("4.6", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
     "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
     "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"),
]  # fmt: skip


@pytest.mark.parametrize(("section", "kek", "key", "wrapped"), RFC3394)
def test_rfc3394_examples(backend: Backend, section: str, kek: str, key: str, wrapped: str) -> None:
    k, d, w = bytes.fromhex(kek), bytes.fromhex(key), bytes.fromhex(wrapped)
    assert backend.aes_key_wrap(k, d) == w, section
    assert backend.aes_key_unwrap(k, w) == d, section


# --- sizes: a wrong key or IV size raises, a wrong tag or text length returns None ------------

BAD_KEYS = [b"", bytes(15), bytes(17), bytes(31), bytes(33), bytes(64)]


@pytest.mark.parametrize("key", BAD_KEYS, ids=len)
def test_bad_key_sizes_raise_invalid_key_error(backend: Backend, key: bytes) -> None:
    calls: list[Callable[[], object]] = [
        lambda: backend.aes_gcm_encrypt(key, bytes(12), b"m", b""),
        lambda: backend.aes_gcm_decrypt(key, bytes(12), b"m", b"", bytes(16)),
        lambda: backend.aes_cbc_encrypt(key, bytes(16), b"m"),
        lambda: backend.aes_cbc_decrypt(key, bytes(16), bytes(16)),
        lambda: backend.aes_key_wrap(key, bytes(16)),
        lambda: backend.aes_key_unwrap(key, bytes(24)),
    ]
    for call in calls:
        with pytest.raises(InvalidKeyError):
            call()


def test_a_bad_key_and_a_bad_iv_give_the_same_error_on_every_backend() -> None:
    messages = set()
    for name in BACKEND_NAMES:
        backend = get_backend(name)
        calls: list[Callable[[], object]] = [
            partial(backend.aes_gcm_encrypt, bytes(5), bytes(5), b"m", b""),
            partial(backend.aes_gcm_decrypt, bytes(5), bytes(5), b"m", b"", bytes(16)),
            partial(backend.aes_cbc_encrypt, bytes(5), bytes(5), b"m"),
            partial(backend.aes_cbc_decrypt, bytes(5), bytes(5), bytes(16)),
        ]
        for call in calls:
            with pytest.raises(InvalidKeyError) as caught:
                call()
            messages.add(str(caught.value))
    assert messages == {"an AES key must be 16, 24 or 32 bytes, not 5"}


@pytest.mark.parametrize("size", [0, 8, 11, 13, 16])
def test_gcm_iv_other_than_96_bits_raises(backend: Backend, size: int) -> None:
    with pytest.raises(InvalidKeyError, match="IV must be 12 bytes"):
        backend.aes_gcm_encrypt(bytes(16), bytes(size), b"m", b"")
    with pytest.raises(InvalidKeyError, match="IV must be 12 bytes"):
        backend.aes_gcm_decrypt(bytes(16), bytes(size), b"m", b"", bytes(16))


@pytest.mark.parametrize("size", [0, 12, 15, 17, 32])
def test_cbc_iv_other_than_16_bytes_raises(backend: Backend, size: int) -> None:
    with pytest.raises(InvalidKeyError, match="IV must be 16 bytes"):
        backend.aes_cbc_encrypt(bytes(16), bytes(size), b"m")
    with pytest.raises(InvalidKeyError, match="IV must be 16 bytes"):
        backend.aes_cbc_decrypt(bytes(16), bytes(size), bytes(16))


@pytest.mark.parametrize("size", [0, 1, 4, 8, 12, 15, 17, 32])
def test_gcm_tag_of_the_wrong_length_is_none(backend: Backend, size: int) -> None:
    key, iv = bytes(range(16)), bytes(12)
    ct, tag = backend.aes_gcm_encrypt(key, iv, b"message", b"aad")
    assert backend.aes_gcm_decrypt(key, iv, ct, b"aad", tag) == b"message"
    # A truncated good tag, or one with a byte added, is refused like any other.
    wrong = (tag * 3)[:size]
    assert backend.aes_gcm_decrypt(key, iv, ct, b"aad", wrong) is None
    # Tag bytes moved onto the end of the ciphertext: an API that takes ciphertext || tag
    # (AESGCM) would find the real tag there.
    if size < 16:
        moved = ct + tag[: 16 - size]
        assert backend.aes_gcm_decrypt(key, iv, moved, b"aad", tag[16 - size :]) is None


@pytest.mark.parametrize("size", [0, 1, 15, 17, 31, 33])
def test_cbc_ciphertext_of_bad_length_is_none(backend: Backend, size: int) -> None:
    assert backend.aes_cbc_decrypt(bytes(16), bytes(16), bytes(size)) is None


@pytest.mark.parametrize("size", [0, 8, 16, 23, 25, 31])
def test_unwrap_of_bad_length_is_none(backend: Backend, size: int) -> None:
    assert backend.aes_key_unwrap(bytes(16), bytes(size)) is None


@pytest.mark.parametrize("size", [0, 8, 12, 15, 17, 23])
def test_wrap_of_bad_key_data_raises(backend: Backend, size: int) -> None:
    with pytest.raises(InvalidKeyError, match="multiple of 8 bytes, at least 16"):
        backend.aes_key_wrap(bytes(16), bytes(size))


# --- properties --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BACKEND_NAMES)
@FEW
@given(key=keys, iv=st.binary(min_size=12, max_size=12), plain=texts, aad=st.binary(max_size=40))
def test_gcm_round_trip(name: str, key: bytes, iv: bytes, plain: bytes, aad: bytes) -> None:
    backend = get_backend(name)
    ct, tag = backend.aes_gcm_encrypt(key, iv, plain, aad)
    assert len(ct) == len(plain)
    assert len(tag) == 16
    assert backend.aes_gcm_decrypt(key, iv, ct, aad, tag) == plain
    assert backend.aes_gcm_decrypt(key, iv, ct, aad + b"!", tag) is None
    assert backend.aes_gcm_decrypt(key, iv, ct + b"!", aad, tag) is None


@pytest.mark.parametrize("name", BACKEND_NAMES)
@FEW
@given(key=keys, iv=st.binary(min_size=16, max_size=16), plain=texts)
def test_cbc_round_trip(name: str, key: bytes, iv: bytes, plain: bytes) -> None:
    backend = get_backend(name)
    ct = backend.aes_cbc_encrypt(key, iv, plain)
    assert len(ct) == (len(plain) // 16 + 1) * 16
    assert backend.aes_cbc_decrypt(key, iv, ct) == plain


@pytest.mark.parametrize("name", BACKEND_NAMES)
@FEW
@given(kek=keys, blocks=st.integers(min_value=2, max_value=9), seed=st.binary(max_size=8))
def test_key_wrap_round_trip(name: str, kek: bytes, blocks: int, seed: bytes) -> None:
    backend = get_backend(name)
    key = hashlib.shake_256(seed).digest(8 * blocks)
    wrapped = backend.aes_key_wrap(kek, key)
    assert len(wrapped) == len(key) + 8
    assert backend.aes_key_unwrap(kek, wrapped) == key
    for i in range(len(wrapped)):
        tampered = wrapped[:i] + bytes([wrapped[i] ^ 0x80]) + wrapped[i + 1 :]
        assert backend.aes_key_unwrap(kek, tampered) is None


@pytest.mark.parametrize("name", BACKEND_NAMES)
@FEW
@given(key=keys, iv=st.binary(min_size=12, max_size=12), ct=texts, aad=texts,
       tag=st.binary(max_size=20))  # fmt: skip
def test_garbage_never_opens_and_never_raises(
    name: str, key: bytes, iv: bytes, ct: bytes, aad: bytes, tag: bytes
) -> None:
    backend = get_backend(name)
    assert backend.aes_gcm_decrypt(key, iv, ct, aad, tag) is None
    assert backend.aes_key_unwrap(key, ct) is None
    opened = backend.aes_cbc_decrypt(key, iv + bytes(4), ct)
    assert opened is None or len(opened) < len(ct)


needs_both = pytest.mark.skipif(not HAVE_CRYPTOGRAPHY, reason="cryptography is not installed")


@needs_both
@FEW
@given(key=keys, iv=st.binary(min_size=16, max_size=16), plain=texts, aad=st.binary(max_size=40))
def test_pure_equals_cryptography(key: bytes, iv: bytes, plain: bytes, aad: bytes) -> None:
    pure, crypto = get_backend("pure"), get_backend("cryptography")
    sealed = pure.aes_gcm_encrypt(key, iv[:12], plain, aad)
    assert sealed == crypto.aes_gcm_encrypt(key, iv[:12], plain, aad)
    assert crypto.aes_gcm_decrypt(key, iv[:12], *sealed[:1], aad, sealed[1]) == plain
    ct = pure.aes_cbc_encrypt(key, iv, plain)
    assert ct == crypto.aes_cbc_encrypt(key, iv, plain)
    assert crypto.aes_cbc_decrypt(key, iv, ct) == pure.aes_cbc_decrypt(key, iv, ct) == plain
    # Every CBC ciphertext of a given length decrypts alike, padding verdict included.
    assert crypto.aes_cbc_decrypt(key, iv, ct[::-1]) == pure.aes_cbc_decrypt(key, iv, ct[::-1])
    data = hashlib.sha512(plain).digest()[: 16 + 8 * (len(plain) % 7)]
    assert pure.aes_key_wrap(key, data) == crypto.aes_key_wrap(key, data)


# --- pure specifics: tag first, caches, limits --------------------------------------------------


def test_gcm_checks_the_tag_before_making_any_keystream(monkeypatch: pytest.MonkeyPatch) -> None:
    key, iv = bytes(range(32)), bytes(12)
    ct, tag = gcm.encrypt(key, iv, b"a secret message" * 8, b"aad")
    calls: list[int] = []
    real = aes.encrypt_many

    def counting(schedule: aes.Schedule, data: bytes) -> bytes:
        calls.append(len(data))
        return real(schedule, data)

    monkeypatch.setattr(aes, "encrypt_many", counting)
    assert gcm.decrypt(key, iv, ct, b"aad", bytes(16)) is None
    assert gcm.decrypt(key, iv, ct, b"aad", tag[:-1] + bytes([tag[-1] ^ 1])) is None
    assert calls == []
    assert gcm.decrypt(key, iv, ct, b"aad", tag) == b"a secret message" * 8
    assert calls == [len(ct)]


def test_gcm_tag_of_the_wrong_length_costs_no_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    key, iv = bytes(range(32)), bytes(12)
    ct, tag = gcm.encrypt(key, iv, b"message", b"")

    def refuse(*args: object, **kwargs: object) -> int:
        raise AssertionError("GHASH ran for a tag of the wrong length")

    monkeypatch.setattr(gcm._GcmKey, "ghash", refuse)
    assert gcm.decrypt(key, iv, ct, b"", tag[:15]) is None
    assert gcm.decrypt(key, iv, ct, b"", tag + b"\x00") is None


def test_gcm_long_message_gets_the_full_tables_at_once() -> None:
    clear_caches()
    key = bytes(range(100, 116))
    plain = bytes(16 * gcm.FULL_TABLES_MIN_BLOCKS)
    ct, tag = gcm.encrypt(key, bytes(12), plain, b"")
    state = gcm.GCM_KEYS.get(digest_key(key))
    assert state is not None
    assert state.tables is not None
    clear_caches()
    assert gcm.decrypt(key, bytes(12), ct, b"", tag) == plain  # the one-table path agrees


def test_gcm_length_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # §5.2.1.1: beyond 2^36 - 32 bytes the 32-bit counter would come back to J0.
    monkeypatch.setattr(gcm, "MAX_TEXT_BYTES", 32)
    key, iv = bytes(16), bytes(12)
    ct, tag = gcm.encrypt(key, iv, bytes(32), b"")
    assert gcm.decrypt(key, iv, ct, b"", tag) == bytes(32)
    with pytest.raises(InvalidValueError):
        gcm.encrypt(key, iv, bytes(33), b"")
    assert gcm.decrypt(key, iv, bytes(33), b"", tag) is None


def test_caches_are_bounded_keyed_by_digest_and_cleared() -> None:
    clear_caches()
    secret = bytes(range(32))
    gcm.encrypt(secret, bytes(12), b"x", b"")
    cbc.encrypt(secret, bytes(16), b"x")
    keywrap.wrap(secret, bytes(16))
    sizes = cache_sizes()
    assert sizes["pure AES key schedules"] == (1, 32)
    assert sizes["pure AES-GCM keys"] == (1, 8)
    for cache in (aes.SCHEDULES, gcm.GCM_KEYS):
        assert secret not in cache
        assert digest_key(secret) in cache
    for i in range(40):
        cbc.encrypt(bytes([i]) * 16, bytes(16), b"x")
        gcm.encrypt(bytes([i]) * 16, bytes(12), b"x", b"")
    assert cache_sizes()["pure AES key schedules"] == (32, 32)
    assert cache_sizes()["pure AES-GCM keys"] == (8, 8)
    clear_caches()
    assert cache_sizes()["pure AES key schedules"] == (0, 32)
    assert cache_sizes()["pure AES-GCM keys"] == (0, 8)


@pytest.mark.parametrize(
    "last",
    [
        bytes(16),  # p = 0
        bytes(15) + b"\x11",  # p = 17
        bytes(15) + b"\xff",
        bytes(14) + b"\x01\x02",  # the byte before the last is not 2
        b"\x03" * 13 + b"\x02\x03\x03",
        b"\x10" * 15 + b"\x0f",
        b"\x0f" + b"\x10" * 15,  # p = 16 with one byte wrong
    ],
)
def test_cbc_bad_padding_is_none(backend: Backend, last: bytes) -> None:
    key, iv = bytes(range(16)), bytes(16)
    # A raw CBC block encrypting ``last``: PKCS#7 would pad it with a further full block.
    raw = aes.encrypt_block(aes.Schedule(key), int.from_bytes(last, "big")).to_bytes(16, "big")
    assert backend.aes_cbc_decrypt(key, iv, raw) is None


@pytest.mark.parametrize("pad", range(1, 17))
def test_cbc_every_good_padding_length(backend: Backend, pad: int) -> None:
    key, iv = bytes(range(16)), bytes(range(16))
    plain = bytes(range(100, 100 + 16 - pad))
    assert backend.aes_cbc_decrypt(key, iv, backend.aes_cbc_encrypt(key, iv, plain)) == plain


# --- the tables built at import, rebuilt here against the definitions ---------------------------
# The S-box, the GF(2^8) logarithms, the GHASH reduction table and the CBC padding masks are
# built once at import, before any test runs; these tests call the builders themselves, so
# that a wrong builder shows (mutmut imports the module once, with the real builders).


def _gf256_mul(a: int, b: int) -> int:
    """FIPS 197 §4.2: shift-and-add multiplication modulo x^8 + x^4 + x^3 + x + 1."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a = (a << 1) ^ (0x11B if a & 0x80 else 0)
        b >>= 1
    return product


def test_gf256_reference_multiplication_matches_fips197() -> None:
    # §4.2 and §4.2.1's worked examples, so that the reference below is itself checked.
    assert _gf256_mul(0x57, 0x83) == 0xC1
    assert _gf256_mul(0x57, 0x13) == 0xFE
    assert [_gf256_mul(0x57, 1 << i) for i in range(1, 5)] == [0xAE, 0x47, 0x8E, 0x07]


def test_gf256_log_tables() -> None:
    exp, log = aes._gf_log_tables()
    assert len(exp) == 255
    assert len(log) == 256
    assert exp[0] == 1
    for i in range(254):
        assert exp[i + 1] == _gf256_mul(exp[i], 3), i
    assert sorted(exp) == list(range(1, 256))  # 3 generates the multiplicative group
    assert all(log[exp[i]] == i for i in range(255))
    assert log[0] == 0


def test_gf256_mul_matches_the_definition() -> None:
    count = 0
    for a in range(256):
        for b in (0, 1, 2, 3, 9, 11, 13, 14, 0x53, 0x80, 0xCA, 0xFF, a, 255 - a):
            assert aes._mul(a, b) == _gf256_mul(a, b), (a, b)
            assert aes._mul(b, a) == _gf256_mul(a, b), (b, a)
            count += 1
    assert count == 256 * 14


def _fips197_sbox_entry(a: int) -> int:
    """§5.1.1: the inverse in GF(2^8) ({00} to itself), then the affine transformation
    b'_i = b_i + b_(i+4) + b_(i+5) + b_(i+6) + b_(i+7) + c_i with c = {63}, bit by bit."""
    b = next((x for x in range(1, 256) if _gf256_mul(a, x) == 1), 0)
    out = 0
    for i in range(8):
        bit = 0
        for j in (0, 4, 5, 6, 7):
            bit ^= b >> ((i + j) % 8) & 1
        out |= (bit ^ (0x63 >> i & 1)) << i
    return out


def test_sbox_matches_the_definition() -> None:
    box = aes._sbox()
    assert box == [_fips197_sbox_entry(a) for a in range(256)]
    # Figure 7's corners and §5.1.1's example, typed in from FIPS 197.
    assert (box[0x00], box[0x01], box[0x53], box[0xFF]) == (0x63, 0x7C, 0xED, 0x16)


def test_t_table_rotations() -> None:
    t0, t1, t2, t3 = aes._rotations([0x01020304, 0xA0B0C0D0])
    assert t0 == [0x01020304, 0xA0B0C0D0]
    assert t1 == [0x04010203, 0xD0A0B0C0]
    assert t2 == [0x03040102, 0xC0D0A0B0]
    assert t3 == [0x02030401, 0xB0C0D0A0]


def _gf128_mul(x: int, y: int) -> int:
    """SP 800-38D §6.3, Algorithm 1, bit by bit: bit 0 of a block is its leftmost bit."""
    z, v = 0, y
    for i in range(128):
        if x >> (127 - i) & 1:
            z ^= v
        v = (v >> 1) ^ (0xE1 << 120) if v & 1 else v >> 1
    return z


def _ghash_reference(h: int, data: bytes) -> int:
    """§6.4: Y_i = (Y_(i-1) xor X_i) * H."""
    y = 0
    for i in range(0, len(data), 16):
        y = _gf128_mul(y ^ int.from_bytes(data[i : i + 16], "big"), h)
    return y


GF128_SAMPLES = [int.from_bytes(hashlib.sha256(bytes([i])).digest()[:16], "big") for i in range(8)]
X_TO_THE = {1: 1 << 126, 8: 1 << 119}  # x^k is bit k from the left


def test_gcm_reference_multiplication_matches_sp800_38d() -> None:
    # The test case 2 of the GCM specification (McGrew and Viega, Appendix B): H, and the
    # GHASH of C = 0388dace60b6a392f328c2b971b2fe78 with no AAD.
    h = 0x66E94BD4EF8A2C3B884CFA59CA342B2E
    block = bytes.fromhex("0388dace60b6a392f328c2b971b2fe78") + (128).to_bytes(16, "big")
    assert _ghash_reference(h, block) == 0xF38CBB1AD69223DCC3457AE5B6B0F885


def test_gcm_times_x_and_the_reduction_table() -> None:
    table = gcm._reduction_table()
    assert len(table) == 256
    count = 0
    for v in [*GF128_SAMPLES, 1, 1 << 127, (1 << 128) - 1]:
        assert gcm._times_x(v) == _gf128_mul(v, X_TO_THE[1])
        for low in range(256):
            y = (v & ~0xFF) | low
            assert (y >> 8) ^ table[y & 255] == _gf128_mul(y, X_TO_THE[8]), (v, low)
            count += 1
    assert count == 11 * 256


@pytest.mark.parametrize("blocks", [0, 1, 2, 5])
def test_ghash_both_table_sizes_match_the_definition(blocks: int) -> None:
    data = b"".join(hashlib.sha256(bytes([blocks, i])).digest()[:16] for i in range(blocks))
    for h in [*GF128_SAMPLES[:3], 1 << 127, (1 << 128) - 1]:
        expected = _ghash_reference(h, data)
        table = gcm._byte_table(h)
        assert gcm._ghash_bytewise(table, data, 0) == expected
        assert gcm._ghash_tables(gcm._position_tables(table), data, 0) == expected


def _pkcs7_unpadded(block: bytes) -> bytes | None:
    """RFC 5652 §6.3 read back: the last byte p (1 <= p <= 16) and p bytes of value p."""
    p = block[-1]
    if not 1 <= p <= 16 or block[-p:] != bytes((p,)) * p:
        return None
    return block[:-p]


def test_cbc_padding_check_of_every_last_byte_and_every_wrong_byte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With the masks rebuilt by the builder, every pad byte 0..255, with each of the 16 bytes
    # wrong in turn (or none), gets RFC 5652's verdict.
    monkeypatch.setattr(cbc, "_PADDING_CHECKS", cbc._padding_checks())
    key = bytes(range(16))
    schedule = aes.Schedule(key)
    verdicts: Counter[bool] = Counter()
    for pad in range(256):
        good = bytes(range(0x40, 0x50 - min(pad, 16))) + bytes((pad,)) * min(pad, 16)
        for wrong in (None, *range(16)):
            block = bytearray(good)
            if wrong is not None:
                block[wrong] ^= 0x20
            raw = aes.encrypt_block(schedule, int.from_bytes(block, "big")).to_bytes(16, "big")
            expected = _pkcs7_unpadded(bytes(block))
            assert cbc.decrypt(key, bytes(16), raw) == expected, (pad, wrong)
            verdicts[expected is not None] += 1
    # Each good pad p opens unchanged and with a wrong byte among the 16 - p it does not check;
    # and sixteen bytes of 0x21 with the last one flipped end in a good pad of 1.
    opened = sum(1 + 16 - p for p in range(1, 17)) + 1
    assert verdicts == {True: opened, False: 256 * 17 - opened}


# --- refusals, word for word; the bounds they sit on --------------------------------------------


def _refusal(call: Callable[[], object], kind: type[Exception] = InvalidKeyError) -> str:
    with pytest.raises(kind) as caught:
        call()
    return str(caught.value)


def test_size_refusals_word_for_word(backend: Backend) -> None:
    key = bytes(16)
    texts = {
        _refusal(partial(backend.aes_gcm_encrypt, key, bytes(13), b"m", b"")),
        _refusal(partial(backend.aes_gcm_decrypt, key, bytes(11), b"m", b"", bytes(16))),
    }
    assert texts == {
        "an AES-GCM IV must be 12 bytes, not 13",
        "an AES-GCM IV must be 12 bytes, not 11",
    }
    assert _refusal(partial(backend.aes_cbc_encrypt, key, bytes(15), b"m")) == (
        "an AES-CBC IV must be 16 bytes, not 15"
    )
    assert _refusal(partial(backend.aes_cbc_decrypt, key, bytes(17), bytes(16))) == (
        "an AES-CBC IV must be 16 bytes, not 17"
    )
    assert _refusal(partial(backend.aes_key_wrap, key, bytes(12))) == (
        "AES key wrap takes a multiple of 8 bytes, at least 16, not 12 bytes"
    )
    for call in (partial(backend.aes_key_wrap, bytes(20), bytes(16)),
                 partial(backend.aes_key_unwrap, bytes(20), bytes(24))):  # fmt: skip
        assert _refusal(call) == "an AES key-encryption key must be 16, 24 or 32 bytes, not 20"


def test_pure_module_refusals_word_for_word() -> None:
    assert _refusal(partial(aes.schedule, bytes(7))) == (
        "an AES key must be 16, 24 or 32 bytes, not 7"
    )
    assert _refusal(partial(gcm.encrypt, bytes(16), b"", b"m", b"")) == (
        "an AES-GCM IV cannot be empty"
    )
    assert _refusal(partial(gcm.decrypt, bytes(16), b"", b"m", b"", bytes(16))) == (
        "an AES-GCM IV cannot be empty"
    )


def test_gcm_length_refusal_word_for_word(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcm, "MAX_TEXT_BYTES", 16)
    text = _refusal(partial(gcm.encrypt, bytes(16), bytes(12), bytes(17), b""), InvalidValueError)
    assert text == "AES-GCM encrypts at most 2^36 - 32 bytes under one IV"


@pytest.mark.parametrize("tag_size", [0, 15, 16, 17])
def test_gcm_decrypt_refuses_a_bad_key_whatever_the_tag(tag_size: int) -> None:
    # The key is a caller's bug (InvalidKeyError), checked before the tag's length says None.
    for key in (bytes(15), bytes(33)):
        text = _refusal(partial(gcm.decrypt, key, bytes(12), b"m", b"", bytes(tag_size)))
        assert text == f"an AES key must be 16, 24 or 32 bytes, not {len(key)}"


@pytest.mark.parametrize("size", [16, 24, 32])
def test_key_sizes_accepted(size: int) -> None:
    from jwtlite.backends import _aes_sizes

    _aes_sizes.check_key(bytes(size))
    _aes_sizes.check_key_and_iv(bytes(size), bytes(12), "GCM")
    _aes_sizes.check_key_and_iv(bytes(size), bytes(16), "CBC")
    _aes_sizes.check_wrap_input(bytes(size))


# --- GCM's counter (inc32, SP 800-38D §6.2) and the switch to the full GHASH tables -------------


@pytest.mark.parametrize(
    ("low", "first", "count", "expected"),
    [
        (1, 0, 3, [1, 2, 3]),  # a 96-bit IV: J0 ends in 1
        (0xFFFFFFFE, 0, 4, [0xFFFFFFFE, 0xFFFFFFFF, 0, 1]),  # wraps in the middle
        (0xFFFFFFFF, 1, 2, [0, 1]),  # the first counter already wrapped
        (0xFFFFFFFF, 0, 1, [0xFFFFFFFF]),  # ends exactly at 2^32
        (0xFFFFFFF0, 0, 16, list(range(0xFFFFFFF0, 1 << 32))),
    ],
)
def test_gcm_counter_blocks_increment_the_low_32_bits(
    low: int, first: int, count: int, expected: list[int]
) -> None:
    prefix = int.from_bytes(bytes(range(0xF0, 0xFC)), "big")  # 96 bits that must not change
    blocks = gcm._counter_blocks((prefix << 32) | low, first, count)
    assert len(blocks) == 16 * count
    assert blocks == b"".join(prefix.to_bytes(12, "big") + c.to_bytes(4, "big") for c in expected)


@pytest.mark.parametrize(("blocks", "full"), [(gcm.FULL_TABLES_MIN_BLOCKS - 2, False),
                                              (gcm.FULL_TABLES_MIN_BLOCKS - 1, True)])  # fmt: skip
def test_gcm_full_tables_from_exactly_the_threshold(blocks: int, full: bool) -> None:
    # The hashed input is the text's blocks plus one block of lengths.
    key = bytes(range(50, 66))
    gcm.encrypt(key, bytes(12), bytes(16 * blocks), b"")
    state = gcm.GCM_KEYS.get(digest_key(key))
    assert state is not None
    assert (state.tables is not None) is full


@pytest.mark.parametrize("size", [0, 1, 15, 17, 31, 33, 47])
def test_cbc_ciphertext_of_bad_length_is_none_whatever_the_iv(size: int) -> None:
    # A length check that let a bad length through would find good padding for some IVs and
    # texts (an empty text would be "decrypted" to the IV itself): try 512 of them.
    key = bytes(range(16))
    for i in range(512):
        noise = hashlib.shake_256(bytes([size]) + i.to_bytes(2, "big")).digest(16 + size)
        iv = noise[:15] + bytes((i % 17,))  # every last byte 0 .. 16, a good pad byte or 0
        assert cbc.decrypt(key, iv, noise[16:]) is None, (size, i)


def test_a_key_schedule_is_expanded_once_and_reused() -> None:
    first = aes.schedule(bytes(range(24)))
    assert aes.schedule(bytes(range(24))) is first
    assert aes.schedule(bytes(range(1, 25))) is not first
    assert cache_sizes()["pure AES key schedules"] == (2, 32)


def test_gcm_encrypting_twice_under_a_key_makes_the_full_tables() -> None:
    # A key seen a second time (a ``dir`` key, an A*GCMKW key) gets the 16 tables, on the
    # encrypting side too; the answers stay those of the one table.
    key = bytes(range(70, 86))
    first = gcm.encrypt(key, bytes(12), b"short", b"aad")
    state = gcm.GCM_KEYS.get(digest_key(key))
    assert state is not None
    assert state.tables is None
    assert gcm.encrypt(key, bytes(12), b"short", b"aad") == first
    assert state.tables is not None
