"""``jwtlite._jwe_keys``: which error a key refusal is (UnusableKeyError when decrypting, since
the token chose the key; InvalidKeyError alone when encrypting), each message whole, the JWK
Set's bounds, and the key forms beside the cached ones (pinned where mutation testing found
the suite silent: docs/architecture.md).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import key_pem

from jwtlite import jwe
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import InvalidKeyError, UnusableKeyError
from jwtlite.jwk import MAX_KEYS, key_to_jwk
from jwtlite.keys import load_key

RSA = load_key(key_pem("rsa2048.pem"))
RSA_1024 = load_key(key_pem("rsa1024.pem"))
OAEP: dict[str, Any] = {"algorithms": ["RSA-OAEP"], "encryptions": ["A128GCM"]}
KW: dict[str, Any] = {"algorithms": ["A128KW"], "encryptions": ["A128GCM"]}
OAEP_TOKEN = jwe.encrypt(b"x", RSA.public_key(), alg="RSA-OAEP", enc="A128GCM")
KW_TOKEN = jwe.encrypt(b"x", bytes(16), alg="A128KW", enc="A128GCM")
RSA_JWK = key_to_jwk(RSA)
PEM = b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"


def _oct(secret: bytes, **members: Any) -> dict[str, Any]:
    return {"kty": "oct", "k": b64url_encode(secret), **members}


def _unusable(token: str, key: Any, allowed: dict[str, Any], message: str) -> None:
    """Decryption refuses ``key`` with an UnusableKeyError saying exactly ``message``."""
    with pytest.raises(UnusableKeyError, match=f"^{re.escape(message)}$"):
        jwe.decrypt(token, key, **allowed)


def test_a_key_refused_for_encryption_is_not_an_unusable_key() -> None:
    # The caller chose the key: not a token error (UnusableKeyError is an InvalidTokenError).
    with pytest.raises(InvalidKeyError, match=r"^an RSA key cannot be used for ECDH-ES$") as caught:
        jwe.encrypt(b"x", RSA.public_key(), alg="ECDH-ES", enc="A128GCM")
    assert not isinstance(caught.value, UnusableKeyError)


@pytest.mark.parametrize(
    ("token", "key", "allowed", "message"),
    [
        (OAEP_TOKEN, RSA_1024, OAEP, "RSA-OAEP needs an RSA key of 2048 bits or more"),
        (OAEP_TOKEN, RSA.public_key(), OAEP, "a public key cannot decrypt"),
        (KW_TOKEN, b"", KW, "the A128KW key is empty"),
        (KW_TOKEN, bytearray(15), KW, "A128KW needs a 16-byte key, not 15 bytes"),
        (OAEP_TOKEN, PEM, OAEP,
         "malformed key: expected SubjectPublicKeyInfo (tag 0x30), found tag 0x00"),
    ],
    ids=["short RSA", "public key", "empty", "bytearray", "malformed PEM"],
)  # fmt: skip
def test_a_key_refused_for_decryption_is_an_unusable_key(
    token: str, key: Any, allowed: dict[str, Any], message: str
) -> None:
    _unusable(token, key, allowed, message)


def test_a_bytearray_key_decrypts() -> None:
    assert jwe.decrypt(KW_TOKEN, bytearray(16), **KW) == b"x"
    token = jwe.encrypt(b"x", bytearray(32), alg="dir", enc="A256GCM")
    assert jwe.decrypt(token, bytearray(32), algorithms=["dir"], encryptions=["A256GCM"]) == b"x"


def test_key_material_in_an_oct_jwk_is_no_secret_when_decrypting() -> None:
    secret = b"ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB"  # the 32 octets a dir A256GCM key has
    token = jwe.encrypt(b"x", bytes(32), alg="dir", enc="A256GCM")
    message = "key material (PEM, SSH or JWK text) cannot be a dir secret"
    _unusable(token, _oct(secret), {"algorithms": ["dir"], "encryptions": ["A256GCM"]}, message)


# --- JWK Sets ---------------------------------------------------------------------------------


def test_a_jwk_set_holds_at_most_max_keys_in_a_list() -> None:
    decoys = [_oct(bytes([n % 250 + 1]) * 16, kid=f"k{n}") for n in range(MAX_KEYS - 1)]
    keys = {"keys": [*decoys, _oct(bytes(16), kid="mine")]}
    token = jwe.encrypt(b"x", bytes(16), alg="A128KW", enc="A128GCM", headers={"kid": "mine"})
    assert jwe.decrypt(token, keys, **KW) == b"x"
    message = f'A JWK Set\'s "keys" must be a list of at most {MAX_KEYS} keys'
    for wrong in ({"keys": [*keys["keys"], _oct(bytes(16))]}, {"keys": "x"}):
        with pytest.raises(InvalidKeyError, match=f"^{re.escape(message)}$"):
            jwe.decrypt(token, wrong, **KW)


def test_a_member_that_does_not_load_is_skipped_and_named() -> None:
    broken = {"kty": "RSA", "n": "AQAB"}
    assert jwe.decrypt(OAEP_TOKEN, {"keys": [broken, RSA_JWK]}, **OAEP) == b"x"
    message = (
        'No JWK can decrypt with RSA-OAEP (JWK member "e" is missing; JWK member "x" is missing)'
    )
    _unusable(OAEP_TOKEN, {"keys": [broken, {"kty": "EC", "crv": "P-256"}]}, OAEP, message)
    _unusable(OAEP_TOKEN, {"keys": []}, OAEP, "No JWK can decrypt with RSA-OAEP")


def test_two_keys_with_the_token_s_kid_are_refused_with_its_name() -> None:
    token = jwe.encrypt(b"x", bytes(16), alg="A128KW", enc="A128GCM", headers={"kid": "k"})
    keys = {"keys": [_oct(bytes(16), kid="k"), _oct(bytes([1]) * 16, kid="k")]}
    _unusable(token, keys, KW, '2 JWKs share kid "k" for A128KW; refusing to guess')
