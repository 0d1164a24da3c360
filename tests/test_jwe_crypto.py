"""The JWE compositions above the backend seam (``_jwe_crypto``), on every backend: RFC 7518
Appendix B (AES_CBC_HMAC_SHA2), Appendix C (the ECDH-ES Concat KDF), RFC 7516 Appendix
A.1-A.3 (whole tokens, decrypted and reproduced), and the order of checks in CBC-HMAC."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from _jwe_support import require
from conftest import key_pem, load_vector

from jwtlite import jwe
from jwtlite._jwa import ENCRYPTIONS, JWE_ALGORITHMS
from jwtlite._jwe_crypto import (
    concat_kdf,
    content_decrypt,
    content_encrypt,
    inject,
    pbes2_kek,
    pbkdf2,
)
from jwtlite.b64url import b64url_decode
from jwtlite.backends import Backend
from jwtlite.exceptions import InvalidArgumentError, InvalidKeyError
from jwtlite.jwk import key_from_jwk
from jwtlite.keys import ECPrivateKey, load_key

B = load_vector("rfc/rfc7518_B_aes_cbc_hmac_sha2.json")
C = load_vector("rfc/rfc7518_C_ecdh_es.json")
A = [
    load_vector(f"rfc/{name}.json")
    for name in (
        "rfc7516_A1_rsa_oaep_a256gcm",
        "rfc7516_A2_rsa1_5_a128cbc_hs256",
        "rfc7516_A3_a128kw_a128cbc_hs256",
    )
]


def test_the_vectors_are_all_here() -> None:
    assert [case["section"] for case in B["cases"]] == ["B.1", "B.2", "B.3"]
    assert [v["alg"] for v in A] == ["RSA-OAEP", "RSA1_5", "A128KW"]


@pytest.mark.parametrize("case", B["cases"], ids=lambda c: c["section"])
def test_rfc7518_appendix_b(case: dict[str, Any], backend: Backend) -> None:
    require(backend, [], [case["enc"]])
    enc = ENCRYPTIONS[case["enc"]]
    key, iv = bytes.fromhex(case["key_hex"]), bytes.fromhex(B["iv_hex"])
    plaintext, aad = bytes.fromhex(B["plaintext_hex"]), bytes.fromhex(B["aad_hex"])
    ciphertext, tag = content_encrypt(enc, key, iv, plaintext, aad)
    assert ciphertext.hex() == case["ciphertext_hex"]
    assert tag.hex() == case["tag_hex"]
    assert content_decrypt(enc, key, iv, ciphertext, tag, aad) == plaintext
    # Any change to the AAD, IV, ciphertext or tag fails, and says nothing more than None.
    flipped = bytes([tag[0] ^ 1]) + tag[1:]
    assert content_decrypt(enc, key, iv, ciphertext, flipped, aad) is None
    assert content_decrypt(enc, key, iv, ciphertext, tag, aad + b"x") is None
    assert content_decrypt(enc, key, bytes(16), ciphertext, tag, aad) is None
    assert content_decrypt(enc, key, iv, ciphertext[:-16], tag, aad) is None


class _Spy:
    """A backend whose AES-CBC decryption records that it ran."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.cbc_decryptions = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def aes_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
        self.cbc_decryptions += 1
        return self.inner.aes_cbc_decrypt(key, iv, ciphertext)


def test_the_cbc_hmac_tag_is_checked_before_any_decryption(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RFC 7518 §5.2.2.2: a wrong tag stops everything; no padding is ever looked at."""
    require(backend, [], ["A128CBC-HS256"])
    spy = _Spy(backend)
    monkeypatch.setattr("jwtlite._jwe_crypto.get_backend", lambda: spy)
    enc = ENCRYPTIONS["A128CBC-HS256"]
    key, iv = bytes(range(32)), bytes(16)
    ciphertext, tag = content_encrypt(enc, key, iv, b"some plaintext", b"aad")
    assert content_decrypt(enc, key, iv, ciphertext, bytes(16), b"aad") is None
    assert spy.cbc_decryptions == 0
    assert content_decrypt(enc, key, iv, ciphertext, tag, b"aad") == b"some plaintext"
    assert spy.cbc_decryptions == 1


def test_a_cek_of_the_wrong_length_is_refused_before_any_work() -> None:
    for enc in ENCRYPTIONS.values():
        with pytest.raises(InvalidKeyError, match=f"{enc.name} needs a {enc.key_bytes}-byte key"):
            content_encrypt(enc, bytes(enc.key_bytes + 1), bytes(enc.iv_bytes), b"x", b"")
        with pytest.raises(InvalidKeyError):
            content_decrypt(enc, bytes(enc.key_bytes - 1), bytes(enc.iv_bytes), b"", b"", b"")


def test_rfc7518_appendix_c_concat_kdf() -> None:
    other = C["other_info"]
    assert bytes(other["algorithm_id"]) == b"\x00\x00\x00\x07A128GCM"
    derived = concat_kdf(bytes(C["z"]), 16, "A128GCM", b"Alice", b"Bob")
    assert list(derived) == C["derived_key"]


def test_rfc7518_appendix_c_key_agreement(backend: Backend) -> None:
    require(backend, ["ECDH-ES"], [])
    alice, bob = key_from_jwk(C["alice_ephemeral_jwk"]), key_from_jwk(C["bob_jwk"])
    assert isinstance(alice, ECPrivateKey)
    assert isinstance(bob, ECPrivateKey)
    assert backend.ecdh(alice, bob.public_key()) == bytes(C["z"])
    assert backend.ecdh(bob, alice.public_key()) == bytes(C["z"])


def test_concat_kdf_matches_an_independent_implementation() -> None:
    """Two hash rounds (a 64-byte A256CBC-HS512 key) against cryptography's ConcatKDFHash."""
    kdf = pytest.importorskip("cryptography.hazmat.primitives.kdf.concatkdf")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    z, size = bytes(range(66)), 64
    ours = concat_kdf(z, size, "A256CBC-HS512", b"apu", b"")
    other = (
        b"\x00\x00\x00\x0dA256CBC-HS512" + b"\x00\x00\x00\x03apu" + b"\x00\x00\x00\x00"
        + (8 * size).to_bytes(4, "big")
    )  # fmt: skip
    theirs = kdf.ConcatKDFHash(algorithm=hashes.SHA256(), length=size, otherinfo=other).derive(z)
    assert ours == theirs


@pytest.mark.parametrize("size", [16, 100])  # one hash round; four (beyond any enc's key)
def test_concat_kdf_without_party_info_is_cached_apart_from_the_rest(size: int) -> None:
    """The OtherInfo kept for one AlgorithmID and size is the one without PartyUInfo and
    PartyVInfo: a call with either, before or after, derives its own key."""
    kdf = pytest.importorskip("cryptography.hazmat.primitives.kdf.concatkdf")
    hashes = pytest.importorskip("cryptography.hazmat.primitives.hashes")
    z = bytes(range(32))
    calls = [(b"", b""), (b"", b"Bob"), (b"", b""), (b"Alice", b""), (b"", b"Bob"), (b"", b"")]
    for apu, apv in calls:
        other = b"".join(
            len(field).to_bytes(4, "big") + field for field in (b"A192GCM", apu, apv)
        ) + (8 * size).to_bytes(4, "big")
        hashed = kdf.ConcatKDFHash(algorithm=hashes.SHA256(), length=size, otherinfo=other)
        assert concat_kdf(z, size, "A192GCM", apu, apv) == hashed.derive(z), (apu, apv)


def test_an_injected_ephemeral_key_must_be_a_private_key_of_the_curve() -> None:
    p384 = load_key(key_pem("ec_p384.pem"))
    p256 = load_key(key_pem("ec_p256.pem"))
    message = r"^the injected epk must be a P-256 private key$"
    for wrong in (p384, p256.public_key(), b"key"):
        with pytest.raises(InvalidArgumentError, match=message), inject(epk=wrong):
            jwe.encrypt(b"x", p256.public_key(), alg="ECDH-ES", enc="A128GCM")


def test_pbes2_salts_with_the_algorithm_name() -> None:
    """RFC 7518 §4.8.1.1: salt = UTF8(alg) || 0x00 || p2s, dkLen = the A*KW key size."""
    row = JWE_ALGORITHMS["PBES2-HS384+A192KW"]
    expected = hashlib.pbkdf2_hmac("sha384", b"pw", b"PBES2-HS384+A192KW\x00salt1234", 1000, 24)
    assert pbes2_kek(row, b"pw", b"salt1234", 1000) == expected


PBKDF2_FILES = {"sha256": 60, "sha384": 58, "sha512": 58}


@pytest.mark.parametrize("hash_name", sorted(PBKDF2_FILES))
def test_wycheproof_pbkdf2(hash_name: str) -> None:
    """PBES2's PBKDF2 (the standard library's, so the same on every backend). Every test in
    these files is ``valid``; none is ``acceptable``."""
    data = load_vector(f"wycheproof/pbkdf2_hmac{hash_name}_test.json")
    ran = 0
    for group in data["testGroups"]:
        for test in group["tests"]:
            assert test["result"] == "valid"
            got = pbkdf2(hash_name, bytes.fromhex(test["password"]), bytes.fromhex(test["salt"]),
                         test["iterationCount"], test["dkLen"])  # fmt: skip
            assert got.hex() == test["dk"], test["tcId"]
            ran += 1
    assert ran == data["numberOfTests"] == PBKDF2_FILES[hash_name]


@pytest.mark.parametrize("vector", A, ids=lambda v: v["alg"])
def test_rfc7516_appendix_a(vector: dict[str, Any], backend: Backend) -> None:
    require(backend, [vector["alg"]], [vector["enc"]])
    plaintext = vector["plaintext"].encode("ascii")
    decrypt = {"algorithms": [vector["alg"]], "encryptions": [vector["enc"]]}
    assert jwe.decrypt(vector["jwe_compact"], vector["jwk"], **decrypt) == plaintext
    generated = {"cek": b64url_decode(vector["cek_b64"]), "iv": b64url_decode(vector["iv_b64"])}
    with inject(**generated, rsa1_5=vector["alg"] == "RSA1_5"):
        ours = jwe.encrypt(plaintext, vector["jwk"], alg=vector["alg"], enc=vector["enc"])
    theirs = vector["jwe_compact"].split(".")
    if vector["alg"].startswith("RSA"):  # randomised encryption of the CEK (RFC 8017 §7)
        assert [p for i, p in enumerate(ours.split(".")) if i != 1] == theirs[:1] + theirs[2:]
        assert jwe.decrypt(ours, vector["jwk"], **decrypt) == plaintext
    else:
        assert ours == vector["jwe_compact"]
