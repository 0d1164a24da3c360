"""One regression test per class of published JWT-library vulnerability.

Each test names the advisory it guards against. They run through the public API, the way an
attacker reaches the code.
"""

from __future__ import annotations

import base64
import hmac
import json
from typing import Any

import pytest
from conftest import KEYS, key_pem

import jwtlite
from jwtlite import _cache
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
)
from jwtlite.jws import Signer, decode_json, encode_json


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with no checked HMAC secret, parsed key or normalised URI remembered,
    so that it runs the checks itself whatever ran before it (mutmut's clean run, for one,
    warms the caches)."""
    _cache.clear_caches()


FORMATS: dict[str, dict[str, str]] = json.loads((KEYS / "formats.json").read_text())


def hs256_forgery(secret: bytes, claims: dict[str, Any]) -> str:
    """What an attacker does: sign with HS256 using the server's *public* key as the secret."""
    header = b64url_encode(b'{"alg":"HS256","typ":"JWT"}')
    payload = b64url_encode(json.dumps(claims).encode())
    signature = hmac.digest(secret, f"{header}.{payload}".encode(), "sha256")
    return f"{header}.{payload}.{b64url_encode(signature)}"


def public_key_forms() -> list[tuple[str, bytes]]:
    """Every encoding of public (and private) key material the pool offers."""
    forms: list[tuple[str, bytes]] = []
    for name, encodings in sorted(FORMATS.items()):
        for kind, value in sorted(encodings.items()):
            if kind.endswith("_der"):
                forms.append((f"{name}:{kind}", base64.b64decode(value)))
            else:
                forms.append((f"{name}:{kind}", value.encode()))
        forms.append((f"{name}:pkcs8_pem", key_pem(f"{name}.pem")))
    return forms


FORMS = public_key_forms()


def test_the_form_list_is_complete() -> None:
    assert len(FORMS) >= 14 * 8
    kinds = {label.split(":")[1] for label, _ in FORMS}
    assert {"spki_pem", "pkcs1_public_pem", "cert_pem", "ssh", "spki_der", "jwk_public"} <= kinds


@pytest.mark.parametrize(("label", "material"), FORMS, ids=[label for label, _ in FORMS])
def test_key_confusion_public_key_as_hmac_secret(label: str, material: bytes) -> None:
    """CVE-2017-11424 (PyJWT), CVE-2022-29217 (PyJWT, OpenSSH keys), CVE-2024-33663
    (python-jose): asymmetric key material must never be accepted as an HMAC secret."""
    forged = hs256_forgery(material, {"admin": True})
    with pytest.raises(InvalidKeyError):
        jwtlite.decode(forged, material, algorithms=["HS256", "RS256", "ES256", "EdDSA"])
    if not label.endswith("_der"):  # text forms are also passed as str by real callers
        with pytest.raises(InvalidKeyError):
            jwtlite.decode(forged, material.decode("ascii"), algorithms=["HS256"])
    with pytest.raises(InvalidKeyError):
        jwtlite.encode({"admin": True}, material, algorithm="HS256")


@pytest.mark.parametrize("wrap", [b"\n\n", b"  ", b"\r\n\t"])
def test_key_confusion_survives_whitespace(wrap: bytes) -> None:
    """CVE-2023-48223 (fast-jwt): a public key with extra surrounding whitespace slipped past
    a prefix test. Detection here parses the key, so the padding makes no difference."""
    material = wrap + FORMATS["rsa2048"]["spki_pem"].encode() + wrap
    with pytest.raises(InvalidKeyError):
        jwtlite.decode(hs256_forgery(material, {"a": 1}), material, algorithms=["HS256"])


def test_alg_none_is_never_verified() -> None:
    """CVE-2015-9235 class (alg "none" accepted as verified), across every spelling."""
    body = b64url_encode(b'{"admin":true}')
    for alg in ("none", "None", "NONE", "nOnE"):
        token = f"{b64url_encode(json.dumps({'alg': alg}).encode())}.{body}."
        for algorithms in (["HS256"], [alg], ["HS256", alg]):
            with pytest.raises(InvalidAlgorithmError):
                jwtlite.decode(token, "k" * 32, algorithms=algorithms)


def test_issuer_is_not_a_substring_match() -> None:
    """CVE-2024-53861 (PyJWT 2.10.0): "iss" was checked with `in` against a string."""
    token = jwtlite.encode({"iss": "_abc_"}, "k" * 32)
    with pytest.raises(InvalidIssuerError):
        jwtlite.decode(token, "k" * 32, algorithms=["HS256"], issuer="__abc__")


def test_polyglot_json_token_is_not_compact() -> None:
    """CVE-2022-39227 (python-jwt): a JSON-serialised token smuggled through a compact parser."""
    good = jwtlite.encode({"admin": False}, "k" * 32)
    header, payload, signature = good.split(".")
    polyglot = json.dumps(
        {
            f" {header}.{b64url_encode(b'{}')}.": "",
            "protected": header,
            "payload": payload,
            "signature": signature,
        }
    )
    with pytest.raises(DecodeError):
        jwtlite.decode(polyglot, "k" * 32, algorithms=["HS256"])


def test_rsa_key_is_refused_for_es256_and_hs256() -> None:
    """Cross-family confusion: an RSA key must not verify ES256 or HS256 tokens."""
    es_token = jwtlite.encode({"a": 1}, key_pem("ec_p256.pem"), algorithm="ES256")
    with pytest.raises(InvalidKeyError):
        jwtlite.decode(es_token, key_pem("rsa2048.pem"), algorithms=["ES256"])
    with pytest.raises(InvalidKeyError):
        jwtlite.decode(es_token, key_pem("ec_p384.pem"), algorithms=["ES256"])


def test_psychic_signature_zero_r_s(backend: Any) -> None:
    """CVE-2022-21449 (Java ECDSA): r = s = 0 verified every message."""
    token = jwtlite.encode({"a": 1}, key_pem("ec_p256.pem"), algorithm="ES256")
    header, payload, _ = token.split(".")
    forged = f"{header}.{payload}.{b64url_encode(bytes(64))}"
    with pytest.raises(InvalidSignatureError):
        jwtlite.decode(forged, key_pem("ec_p256.pem"), algorithms=["ES256"])


def test_bleichenbacher_2006_low_exponent_forgery(backend: Any) -> None:
    """Bleichenbacher's e=3 forgery: a verifier that parses the decrypted PKCS#1 block and
    ignores trailing bytes accepts a cube root of "00 01 FF 00 DigestInfo hash garbage"."""
    import hashlib

    from jwtlite.keys import RSAPublicKey

    digest_info = bytes.fromhex("3031300d060960864801650304020105000420")
    message = b"forged message"
    block = b"\x00\x01\xff\x00" + digest_info + hashlib.sha256(message).digest()
    target = int.from_bytes(block + bytes(256 - len(block)), "big")
    root = _icbrt(target) + 1
    assert (root**3).to_bytes(256, "big").startswith(block)  # the forgery is well formed
    n = (1 << 2047) | (1 << 2046) | 1 | (3 << 10)  # any 2048-bit odd modulus above root**3
    assert root**3 < n
    public = RSAPublicKey(n, 3)
    assert not backend.rsa_pkcs1v15_verify(public, "sha256", message, root.to_bytes(256, "big"))


def _icbrt(value: int) -> int:
    lo, hi = 0, 1 << (value.bit_length() // 3 + 1)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid**3 <= value:
            lo = mid
        else:
            hi = mid - 1
    return lo


def test_crit_with_unknown_extension_is_rejected() -> None:
    """RFC 7515 §4.1.11: a token demanding an unknown extension must not be accepted."""
    header = b64url_encode(b'{"alg":"HS256","crit":["exp"],"exp":1}')
    payload = b64url_encode(b'{"a":1}')
    sig = b64url_encode(hmac.digest(b"k" * 32, f"{header}.{payload}".encode(), "sha256"))
    with pytest.raises(InvalidTokenError):
        jwtlite.decode(f"{header}.{payload}.{sig}", "k" * 32, algorithms=["HS256"])


def test_unprotected_alg_cannot_choose_the_algorithm() -> None:
    """GHSA-jc38-x7x8-2xc8 (web-token/jwt-framework, PHP): in the JWS JSON serialization the
    verifier took ``alg`` from the unprotected header, which could override the protected one
    (an HS256 forgery with the RSA public key as the secret), or stand alone."""
    public = FORMATS["rsa2048"]["spki_pem"]
    payload = b64url_encode(b'{"admin":true}')

    def forge(protected: str) -> str:  # HS256 with the public key as the secret
        mac = hmac.digest(public.encode(), f"{protected}.{payload}".encode(), "sha256")
        return b64url_encode(mac)

    protected = b64url_encode(b'{"alg":"RS256"}')
    overriding = {
        "payload": payload,
        "protected": protected,
        "header": {"alg": "HS256"},
        "signature": forge(protected),
    }
    with pytest.raises(DecodeError, match="disjoint"):
        decode_json(overriding, public, algorithms=["RS256", "HS256"])
    alone = {"payload": payload, "header": {"alg": "HS256"}, "signature": forge("")}
    with pytest.raises(InvalidAlgorithmError, match="not integrity protected"):
        decode_json(alone, public, algorithms=["RS256", "HS256"])
    # Even when the caller accepts an unprotected alg, the key stays bound to its family.
    with pytest.raises(InvalidKeyError):
        decode_json(alone, public, algorithms=["RS256", "HS256"], allow_unprotected_alg=True)


def test_json_document_cannot_be_read_two_ways() -> None:
    """CVE-2022-39227's lesson in the JSON form: a document that is both general and flattened
    could be verified through one signature and read through the other; it is refused."""
    good = encode_json(b'{"admin":false}', Signer(b"k" * 32, "HS256"), flattened=True)
    evil = encode_json(b'{"admin":true}', Signer(b"attacker" * 4, "HS256"))
    both = {**evil, **{k: v for k, v in good.items() if k != "payload"}}
    with pytest.raises(DecodeError, match="not both"):
        decode_json(both, b"k" * 32, algorithms=["HS256"], require="one")
