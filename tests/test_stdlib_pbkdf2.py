"""PBKDF2 (RFC 8018 §5.2) from the standard library agrees with Wycheproof.

JWE's PBES2 key management (RFC 7518 §4.8) derives its key-wrapping key with
:func:`hashlib.pbkdf2_hmac`, so jwtlite carries no PBKDF2 of its own; this pins the standard
library's answers for the three PBES2 hashes. Every case is ``valid`` (no ``acceptable``).
"""

from __future__ import annotations

import hashlib

import pytest
from conftest import load_vector

FILES = {
    # file: (hash, cases)
    "pbkdf2_hmacsha256_test.json": ("sha256", 60),
    "pbkdf2_hmacsha384_test.json": ("sha384", 58),
    "pbkdf2_hmacsha512_test.json": ("sha512", 58),
}


@pytest.mark.parametrize("filename", sorted(FILES))
def test_wycheproof_pbkdf2(filename: str) -> None:
    hash_name, count = FILES[filename]
    data = load_vector(f"wycheproof/{filename}")
    ran = 0
    for group in data["testGroups"]:
        assert group["type"] == "PbkdfTest"
        for case in group["tests"]:
            assert case["result"] == "valid"
            derived = hashlib.pbkdf2_hmac(
                hash_name,
                bytes.fromhex(case["password"]),
                bytes.fromhex(case["salt"]),
                case["iterationCount"],
                case["dkLen"],
            )
            assert derived == bytes.fromhex(case["dk"]), case["tcId"]
            ran += 1
    assert ran == count == data["numberOfTests"]
