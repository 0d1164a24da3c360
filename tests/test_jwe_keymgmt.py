"""``jwtlite._jwe_keymgmt``: the header parameters of key management at their exact bounds and
with their messages, ``apv`` in the key derivation, and the type guards of ``produce`` and
``recover`` (pinned where mutation testing found the suite silent: docs/architecture.md).
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from typing import Any

import pytest
from conftest import key_pem

from jwtlite import jwe
from jwtlite._jwa import ENCRYPTIONS, JWE_ALGORITHMS
from jwtlite._jwe_keymgmt import produce, recover
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    InvalidArgumentError,
    InvalidKeyError,
    JWEDecryptionError,
    JWEParseError,
)
from jwtlite.keys import OKPPublicKey, load_key

KEY16 = bytes(range(16))
P256 = load_key(key_pem("ec_p256.pem"))
RSA = load_key(key_pem("rsa2048.pem"))
A128GCM = ENCRYPTIONS["A128GCM"]


def _token(header: dict[str, Any], encrypted_key: bytes) -> str:
    """A compact JWE with this protected header and JWE Encrypted Key, and a random-looking
    body: what decrypts it, if anything, is decided before the content."""
    protected = b64url_encode(json.dumps(header).encode())
    parts = (encrypted_key, bytes(12), b"", bytes(16))
    return ".".join([protected, *(b64url_encode(part) for part in parts)])


def _pbes2(p2s: Any, p2c: Any) -> str:
    header = {"alg": "PBES2-HS256+A128KW", "enc": "A128GCM", "p2s": p2s, "p2c": p2c}
    return _token(header, bytes(24))  # the one length a wrapped 16-octet CEK has


def _decrypt(token: Any, key: Any, alg: str, **limits: Any) -> bytes:
    return jwe.decrypt(token, key, algorithms=[alg], encryptions=["A128GCM"], **limits)


# --- PBES2 ----------------------------------------------------------------------------------------


def test_p2c_is_written_from_1000_to_16384_inclusive() -> None:
    for p2c in (1000, 16_384):
        token = jwe.encrypt(b"x", "pw", alg="PBES2-HS256+A128KW", enc="A128GCM",
                            headers={"p2c": p2c})  # fmt: skip
        assert _decrypt(token, "pw", "PBES2-HS256+A128KW", max_p2c=p2c) == b"x"
    for p2c in (999, 16_385):
        message = 'The "p2c" header parameter must be an integer from 1000 to 16384'
        with pytest.raises(InvalidArgumentError, match=f"^{re.escape(message)}$"):
            jwe.encrypt(b"x", "pw", alg="PBES2-HS256+A128KW", enc="A128GCM",
                        headers={"p2c": p2c})  # fmt: skip


def test_a_p2c_of_one_and_an_eight_octet_salt_are_read() -> None:
    # Both at the lowest bound read: the forged key then fails to unwrap, which is the point
    # (a refused header would be a JWEParseError).
    with pytest.raises(JWEDecryptionError):
        _decrypt(_pbes2(b64url_encode(bytes(8)), 1), "pw", "PBES2-HS256+A128KW")


def test_a_p2s_that_is_not_a_string_is_refused_with_its_message() -> None:
    message = 'The "p2s" header parameter must be a base64url string'
    with pytest.raises(JWEParseError, match=f"^{re.escape(message)}$"):
        _decrypt(_pbes2(8, 1000), "pw", "PBES2-HS256+A128KW")


# --- AES-GCM key wrap -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "size"), [("iv", 12), ("tag", 16)])
def test_a_gcmkw_iv_or_tag_of_another_length_is_refused(name: str, size: int) -> None:
    header = {"alg": "A128GCMKW", "enc": "A128GCM", "iv": b64url_encode(bytes(12)),
              "tag": b64url_encode(bytes(16))}  # fmt: skip
    header[name] = b64url_encode(bytes(8))
    message = f'The "{name}" header parameter must be {size} octets'
    with pytest.raises(JWEParseError, match=f"^{re.escape(message)}$"):
        _decrypt(_token(header, bytes(16)), KEY16, "A128GCMKW")


# --- ECDH-ES ----------------------------------------------------------------------------------


def test_an_epk_that_is_not_an_object_is_refused_with_its_message() -> None:
    header = {"alg": "ECDH-ES", "enc": "A128GCM", "epk": "a key"}
    message = 'The "epk" header parameter must be a JSON object'
    with pytest.raises(JWEParseError, match=f"^{re.escape(message)}$"):
        _decrypt(_token(header, b""), P256, "ECDH-ES")


def test_an_epk_given_as_a_dict_subclass_is_read() -> None:
    # A caller may hand in a parsed JWE whose objects are OrderedDicts (or another dict type).
    recipient = jwe.Recipient(P256.public_key(), "ECDH-ES")
    token = json.loads(jwe.encrypt_json(b"x", [recipient], enc="A128GCM", flattened=True))
    token["header"]["epk"] = OrderedDict(token["header"]["epk"])
    assert _decrypt(token, P256, "ECDH-ES") == b"x"


@pytest.mark.parametrize("name", ["apu", "apv"])
def test_party_info_enters_the_key_derivation(name: str) -> None:
    # In a per-recipient header, where no tag covers it: only the Concat KDF can notice a change.
    info = {name: b64url_encode(b"Bob")}
    recipient = jwe.Recipient(P256.public_key(), "ECDH-ES+A128KW", info)
    token = json.loads(jwe.encrypt_json(b"x", [recipient], enc="A128GCM", flattened=True))
    assert _decrypt(token, P256, "ECDH-ES+A128KW") == b"x"
    token["header"][name] = b64url_encode(b"Eve")
    with pytest.raises(JWEDecryptionError):
        _decrypt(token, P256, "ECDH-ES+A128KW")


def test_produce_refuses_malformed_party_info_with_its_message() -> None:
    # jwe.encrypt and encrypt_json check apu/apv first (_jwe_produce); produce holds alone too.
    message = 'The "apv" header parameter must be a base64url string'
    with pytest.raises(InvalidArgumentError, match=f"^{re.escape(message)}$"):
        produce(JWE_ALGORITHMS["ECDH-ES"], A128GCM, P256.public_key(), {"apv": 5}, KEY16)


def test_encryption_to_a_low_order_x25519_point_is_refused_with_its_message() -> None:
    message = "key agreement with the recipient's public key failed"
    with pytest.raises(InvalidKeyError, match=f"^{re.escape(message)}$"):
        jwe.encrypt(b"x", OKPPublicKey("X25519", bytes(32)), alg="ECDH-ES", enc="A128GCM")


# --- the type guards: _jwe_keys prepares keys by the row, and these hold if it ever did not -----


@pytest.mark.parametrize(
    ("alg", "key", "message"),
    [
        ("dir", RSA.public_key(), "this algorithm needs a symmetric key"),
        ("RSA-OAEP", KEY16, "this algorithm needs an RSA public key"),
        ("ECDH-ES", KEY16, "ECDH-ES needs an EC or OKP public key"),
    ],
)
def test_produce_refuses_a_key_of_the_wrong_type(alg: str, key: Any, message: str) -> None:
    with pytest.raises(InvalidKeyError, match=f"^{re.escape(message)}$"):
        produce(JWE_ALGORITHMS[alg], A128GCM, key, {}, KEY16)


@pytest.mark.parametrize(
    ("alg", "message"),
    [
        ("RSA-OAEP", "RSA-OAEP decryption needs an RSA private key"),
        ("RSA1_5", "RSA1_5 decryption needs an RSA private key"),
        ("ECDH-ES+A128KW", "ECDH-ES decryption needs an EC or OKP private key"),
    ],
)
def test_recover_refuses_a_key_of_the_wrong_type(alg: str, message: str) -> None:
    with pytest.raises(InvalidKeyError, match=f"^{re.escape(message)}$"):
        recover(JWE_ALGORITHMS[alg], A128GCM, RSA.public_key(), {}, bytes(24), 10_000)
