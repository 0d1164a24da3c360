"""HS256/384/512: published vectors, key rules, and the algorithm objects."""

from __future__ import annotations

import hashlib
import hmac
import warnings
from typing import Any

import pytest
from conftest import load_vector
from hypothesis import given, settings
from hypothesis import strategies as st

import jwtlite
from jwtlite import _cache, _hmac_guard
from jwtlite import algorithms as algorithms_module
from jwtlite.algorithms import HMACAlgorithm, get_algorithm_by_name
from jwtlite.b64url import b64url_decode
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
)


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with no checked HMAC secret, parsed key or normalised URI remembered,
    so that it runs the checks itself whatever ran before it (mutmut's clean run, for one,
    warms the caches)."""
    _cache.clear_caches()


TUTORIAL_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
    "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def rfc_key(vector: dict[str, Any]) -> bytes:
    return b64url_decode(vector["jwk"]["k"])


def test_rfc7515_a1_sign_and_verify() -> None:
    vector = load_vector("rfc/rfc7515_A1_hs256.json")
    key = rfc_key(vector)
    alg = get_algorithm_by_name("HS256")
    signature = alg.sign(vector["signing_input"].encode(), key)
    assert signature == b64url_decode(vector["signature_b64"])
    decoded = jwtlite.decode_complete(
        vector["jws_compact"], key, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert decoded["header"] == {"typ": "JWT", "alg": "HS256"}
    assert decoded["payload"]["iss"] == "joe"
    assert decoded["payload"]["http://example.com/is_root"] is True


def test_rfc7519_3_1_is_expired_then_verifies_with_clock() -> None:
    vector = load_vector("rfc/rfc7519_3_1_jwt.json")
    key = rfc_key(vector)
    token = vector["jwt_compact"]
    with pytest.raises(ExpiredSignatureError):
        jwtlite.decode(token, key, algorithms=["HS256"])
    claims = jwtlite.decode(token, key, algorithms=["HS256"], now=1300819379)
    assert claims == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}


def test_rfc7515_a5_unsecured_is_rejected() -> None:
    vector = load_vector("rfc/rfc7515_A5_unsecured.json")
    token = vector["jws_compact"]
    for algorithms in (["none"], ["HS256", "none"], ["HS256"]):
        with pytest.raises(InvalidAlgorithmError):
            jwtlite.decode(token, "", algorithms=algorithms, now=0)
    # Reading it without verification is allowed, and says what it is.
    assert jwtlite.get_unverified_header(token) == {"alg": "none"}


def test_rfc7797_detached_and_unencoded_payload() -> None:
    vector = load_vector("rfc/rfc7797_4_unencoded_payload.json")
    key = rfc_key(vector)
    jws = jwtlite.PyJWS()
    assert len(vector["examples"]) == 2
    for example in vector["examples"]:
        header_b64 = example["protected_b64"]
        detached = f"{header_b64}..{example['signature_b64']}"
        payload = jws.decode(detached, key, ["HS256"], detached_payload=b"$.02")
        assert payload == b"$.02"
        with pytest.raises(InvalidSignatureError):
            jws.decode(detached, key, ["HS256"], detached_payload=b"$.03")
    token = jws.encode(b"$.02", key, "HS256", headers={"typ": None}, is_payload_detached=True)
    header_b64, body, sig = token.split(".")
    assert body == ""
    assert sig == vector["examples"][1]["signature_b64"]
    assert jwtlite.get_unverified_header(token) == {"alg": "HS256", "b64": False, "crit": ["b64"]}


def test_tutorial_token_verifies_with_its_secret() -> None:
    with pytest.warns(InsecureKeyLengthWarning):
        claims = jwtlite.decode(TUTORIAL_TOKEN, "your-256-bit-secret", algorithms=["HS256"])
    assert claims == {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        with pytest.raises(InvalidSignatureError):
            jwtlite.decode(TUTORIAL_TOKEN, "your-256-bit-secreT", algorithms=["HS256"])


WYCHEPROOF = {
    "hmac_sha256_test.json": ("HS256", 256, 87),
    "hmac_sha384_test.json": ("HS384", 384, 87),
    "hmac_sha512_test.json": ("HS512", 512, 87),
}


@pytest.mark.parametrize("filename", sorted(WYCHEPROOF))
def test_wycheproof_full_length_tags(filename: str) -> None:
    alg_name, bits, expected_count = WYCHEPROOF[filename]
    alg = get_algorithm_by_name(alg_name)
    data = load_vector(f"wycheproof/{filename}")
    ran = 0
    for group in data["testGroups"]:
        if group["tagSize"] != bits:
            continue  # truncated MACs are not JWS (README of the vectors)
        for case in group["tests"]:
            key = bytes.fromhex(case["key"])
            msg = bytes.fromhex(case["msg"])
            tag = bytes.fromhex(case["tag"])
            assert alg.verify(msg, key, tag) is (case["result"] == "valid"), case["tcId"]
            ran += 1
    assert ran == expected_count


# -- key rules --


@pytest.mark.parametrize("key", ["", b""])
def test_empty_key_is_refused(key: str | bytes) -> None:
    with pytest.raises(InvalidKeyError, match="empty"):
        jwtlite.encode({"a": 1}, key, algorithm="HS256")
    token = jwtlite.encode({"a": 1}, "k" * 32, algorithm="HS256")
    with pytest.raises(InvalidKeyError):
        jwtlite.decode(token, key, algorithms=["HS256"])


@pytest.mark.parametrize(("alg", "size"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_short_key_warns_or_fails(alg: str, size: int) -> None:
    short, enough = b"k" * (size - 1), b"k" * size
    with pytest.warns(InsecureKeyLengthWarning, match="below the minimum"):
        token = jwtlite.encode({"a": 1}, short, algorithm=alg)
    with pytest.warns(InsecureKeyLengthWarning):
        jwtlite.decode(token, short, algorithms=[alg])
    strict = jwtlite.PyJWT(options={"enforce_minimum_key_length": True}, jws=jwtlite.PyJWS(
        options={"enforce_minimum_key_length": True}))  # fmt: skip
    with pytest.raises(InvalidKeyError, match="below the minimum"):
        strict.encode({"a": 1}, short, algorithm=alg)
    with pytest.raises(InvalidKeyError):
        jwtlite.decode(token, short, algorithms=[alg], options={"enforce_minimum_key_length": True})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        token = jwtlite.encode({"a": 1}, enough, algorithm=alg)
        assert jwtlite.decode(token, enough, algorithms=[alg]) == {"a": 1}


def test_key_types() -> None:
    alg = HMACAlgorithm("HS256", "sha256")
    secret = "s" * 32
    assert alg.prepare_key(secret) == secret.encode()
    assert alg.prepare_key(bytearray(b"s" * 32)) == b"s" * 32
    assert alg.prepare_key(memoryview(b"s" * 32)) == b"s" * 32
    for bad in (None, 123, 1.5, ["a"], object()):
        with pytest.raises(InvalidKeyError):
            alg.prepare_key(bad)


def test_unicode_secret_is_utf8() -> None:
    secret = "ключ-" * 8
    token = jwtlite.encode({"a": 1}, secret, algorithm="HS512")
    assert jwtlite.decode(token, secret.encode("utf-8"), algorithms=["HS512"]) == {"a": 1}


def test_prepare_cache_is_bounded() -> None:
    alg = HMACAlgorithm("HS256", "sha256")
    for i in range(600):
        alg.prepare_key(f"secret-number-{i:04d}-padding-to-32b")
    assert len(algorithms_module._HMAC_SECRETS) <= 256


def test_hash_digest_and_repr() -> None:
    alg = get_algorithm_by_name("HS384")
    assert alg.compute_hash_digest(b"abc") == hashlib.sha384(b"abc").digest()
    assert repr(alg) == "<HMACAlgorithm HS384>"
    with pytest.raises(InvalidAlgorithmError):
        get_algorithm_by_name("none").compute_hash_digest(b"x")
    with pytest.raises(InvalidAlgorithmError):
        get_algorithm_by_name("HS1")


def test_tampered_signature_segment_is_decode_error() -> None:
    token = jwtlite.encode({"a": 1}, "k" * 32, algorithm="HS256")
    with pytest.raises(DecodeError):
        jwtlite.decode(token + "=", "k" * 32, algorithms=["HS256"])


def test_json_deeper_than_jwtlite_parses_is_decided_unread_on_every_python() -> None:
    """Text nested deeper than jwtlite's JSON limit (64) is never handed to ``json``: an object
    is refused as an HMAC secret whatever this Python's json module could parse."""
    from jwtlite._json import MAX_DEPTH

    def nested(depth: int) -> str:
        return '{"a": ' + "[" * depth + "]" * depth + "}"

    shallow = nested(MAX_DEPTH - 2).encode()  # within the limit, no "kty": an ordinary secret
    assert HMACAlgorithm("HS256").prepare_key(shallow) == shallow
    for depth in (MAX_DEPTH, 100, 5000):
        with pytest.raises(InvalidKeyError):
            HMACAlgorithm("HS256").prepare_key(nested(depth).encode())


# --- keyed_hmac: the key schedule done once (bound verifiers) ---------------------------------

# RFC 4231 §4.2 (test case 1) and §4.7 (test case 6, a key longer than the block), HMAC-SHA-256.
RFC4231 = [
    (b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
]


@pytest.mark.parametrize(("key", "data", "expected"), RFC4231)
def test_keyed_hmac_rfc4231(key: bytes, data: bytes, expected: str) -> None:
    assert algorithms_module.keyed_hmac(key, "sha256")(data).hex() == expected


@pytest.mark.parametrize("hash_name", ["sha256", "sha384", "sha512"])
def test_keyed_hmac_equals_the_standard_library_at_every_key_length(hash_name: str) -> None:
    block = hashlib.new(hash_name).block_size
    lengths = [0, 1, 31, 32, block - 1, block, block + 1, 2 * block, 1000]
    for length in lengths:
        key = bytes(range(256)) * 4
        key = key[:length]
        mac = algorithms_module.keyed_hmac(key, hash_name)
        for text in (b"", b"header.payload", b"x" * 5000):
            assert mac(text) == hmac.digest(key, text, hash_name)
            assert mac(text) == hmac.digest(key, text, hash_name)  # the states are not consumed
    assert len(lengths) == 9


@given(key=st.binary(max_size=300), text=st.binary(max_size=300))
@settings(max_examples=200, deadline=None)
def test_keyed_hmac_property(key: bytes, text: bytes) -> None:
    for hash_name in ("sha256", "sha384", "sha512"):
        assert algorithms_module.keyed_hmac(key, hash_name)(text) == hmac.digest(
            key, text, hash_name
        )


# --- the HMAC-secret guard by look (_hmac_guard): text that need not parse ---------------------
# is_public_key_material catches key text that parses; these are refused by their look alone,
# so each is checked against _hmac_guard.refusal itself as well as through prepare_key.

ASYMMETRIC = _hmac_guard.ASYMMETRIC_KEY_TEXT
JWK = _hmac_guard.JWK_TEXT

GUARD_REFUSED = [
    # Every PEM label PyJWT names, and any label holding KEY or CERTIFICATE (RFC 7468).
    (b"-----BEGIN DH PARAMETERS-----\nxx\n-----END DH PARAMETERS-----", ASYMMETRIC),
    (b"-----BEGIN X509 CRL-----\nxx\n-----END X509 CRL-----", ASYMMETRIC),
    (b"-----BEGIN CERTIFICATE REQUEST-----\nx\n-----END CERTIFICATE REQUEST-----", ASYMMETRIC),
    (
        b"-----BEGIN NEW CERTIFICATE REQUEST-----\nx\n-----END NEW CERTIFICATE REQUEST-----",
        ASYMMETRIC,
    ),
    (b"-----BEGIN PKCS7-----\nxx\n-----END PKCS7-----", ASYMMETRIC),
    (b"-----BEGIN WHATEVER KEY-----\nxx\n-----END WHATEVER KEY-----", ASYMMETRIC),
    (b"-----BEGIN KEY-----\nxx\n-----END KEY-----", ASYMMETRIC),
    (b"-----BEGIN TRUSTED CERTIFICATE-----\nx\n-----END TRUSTED CERTIFICATE-----", ASYMMETRIC),
    (b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----", ASYMMETRIC),
    # A space for the fifth dash, on either side of the label, as PEM readers accept.
    (b"---- BEGIN PUBLIC KEY ----\nxx\n---- END PUBLIC KEY ----", ASYMMETRIC),
    (b"-----BEGIN PUBLIC KEY ----\nxx\n---- END PUBLIC KEY-----", ASYMMETRIC),
    # The block after text, and a non-key block before a key block.
    (b"secret?\n-----BEGIN RSA PUBLIC KEY-----\nx\n-----END RSA PUBLIC KEY-----", ASYMMETRIC),
    (
        (b"-----BEGIN DATA-----\nx\n-----END DATA-----\n"
        b"-----BEGIN EC PRIVATE KEY-----\nx\n-----END EC PRIVATE KEY-----"),
        ASYMMETRIC,
    ),
    # Every OpenSSH key type (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4), even unparseable.
    (b"ssh-ed25519 AAAA", ASYMMETRIC),
    (b"ssh-ed448 AAAA", ASYMMETRIC),
    (b"ssh-rsa AAAA", ASYMMETRIC),
    (b"ssh-dss AAAA", ASYMMETRIC),
    (b"ecdsa-sha2-nistp256 AAAA", ASYMMETRIC),
    (b"ecdsa-sha2-nistp384 AAAA", ASYMMETRIC),
    (b"ecdsa-sha2-nistp521 AAAA", ASYMMETRIC),
    (b"sk-ssh-ed25519@openssh.com AAAA", ASYMMETRIC),
    (b"sk-ecdsa-sha2-nistp256@openssh.com AAAA", ASYMMETRIC),
    # Leading byte order mark and whitespace of every kind do not hide it.
    (b"\xef\xbb\xbf ssh-rsa AAAA", ASYMMETRIC),
    (b" \t\r\nssh-rsa AAAA", ASYMMETRIC),
    (b" \xef\xbb\xbfssh-rsa AAAA", ASYMMETRIC),  # a BOM after white space is white space too
    (b"\n\xef\xbb\xbf{\"kty\": 1}", JWK),
    ("\ufeffssh-rsa AAAA".encode("utf-16"), ASYMMETRIC),
    ("ssh-rsa AAAA".encode("utf-16-le"), ASYMMETRIC),
    ("ssh-rsa AAAA".encode("utf-32-be"), ASYMMETRIC),
    # JSON holding a "kty" member anywhere (escaped too), in an object or an array.
    (b'{"kty": "oct"}', JWK),
    (b'{"kty": 5}', JWK),
    (b'\t\n {"kty": "RSA", "n": 12345}', JWK),
    (b'{"keys": [{"kty": "EC"}]}', JWK),
    (b'[1, {"a": {"kty": "OKP"}}]', JWK),
    (b'{"k\\u0074y": "oct"}', JWK),
    # An integer longer than Python's int() takes (4,300 digits) is never converted.
    (b'{"kty": "RSA", "e": ' + b"7" * 5000 + b"}", JWK),
    ('{"kty": "oct"}'.encode("utf-16"), JWK),
    ('{"kty": "oct"}'.encode("utf-32-le"), JWK),
    # Deeper than jwtlite parses: an object unread, an array if it names "kty".
    (b"{" + b'"a": [' * 70 + b"]" * 70 + b"}", JWK),
    (b"[" * 70 + b'{"kty" :1}' + b"]" * 70, JWK),
    (b"[" * 70 + b'{"k\\u0074y"\t:1}' + b"]" * 70, JWK),
]

GUARD_PASSED = [
    b"an ordinary secret of thirty-two!",
    b"{not json at all, but a secret}",
    b'{"kid": "kty", "k": ["kty"]}',  # "kty" as a value, never as a member name
    b'["kty", {"a": 1}]',
    b"[" * 70 + b'"kty", 1' + b"]" * 70,  # deep, names no member "kty"
    b"[" * 70 + b'"\\q": 1' + b"]" * 70,  # a member name that is not valid JSON
    b"x ssh-rsa AAAA",  # the key type must open the text
    b"ssh-rs AAAA",  # a prefix of a key type is not one
    b"-----BEGIN DATA-----\nxx\n-----END DATA-----",  # a label naming no key
    b"-----BEGIN PUBLIC KEY-----\nxx\n-----END PRIVATE KEY-----",  # END of another label
    b"-----END PUBLIC KEY-----\n-----BEGIN PUBLIC KEY-----\nxx",  # END before BEGIN
    b"----BEGIN PUBLIC KEY----\nxx\n----END PUBLIC KEY----",  # four dashes: no fifth
    b"-----BEGIN public key-----\nxx\n-----END public key-----",  # labels are upper case
    b"{" * 3 + b"[" * 3,  # braces without JSON
]


@pytest.mark.parametrize(("secret", "expected"), GUARD_REFUSED)
def test_guard_refuses_key_text_by_its_look(secret: bytes, expected: str) -> None:
    assert _hmac_guard.refusal(secret) == expected
    with pytest.raises(InvalidKeyError) as caught:
        HMACAlgorithm("HS256").prepare_key(secret)
    assert str(caught.value).startswith(expected)
    assert len(GUARD_REFUSED) == 41


@pytest.mark.parametrize("secret", GUARD_PASSED)
def test_guard_passes_ordinary_secrets(secret: bytes) -> None:
    assert _hmac_guard.refusal(secret) is None
    assert HMACAlgorithm("HS256").prepare_key(secret) == secret
    assert len(GUARD_PASSED) == 14
