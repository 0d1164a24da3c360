"""jwtlite.jose, python-jose's module tree, and install_as_jose().

Everything that touches ``sys.modules["jose"]`` runs in a subprocess. python-jose's own suite
runs in CI (tests/compat/run_jose_suite.py); these tests pin the face's deliberate differences
(docs/migrating-from-python-jose.md), above all the two CVEs, and what the suite cannot see.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import importlib.util
import json
import subprocess
import sys
import textwrap
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import FakeClock, key_pem
from hypothesis import given, settings
from hypothesis import strategies as st
from property.strategies import extra_headers, hmac_secrets, json_objects, token_like
from test_advisories import FORMS, hs256_forgery

from jwtlite.b64url import b64url_encode
from jwtlite.backends import get_backend
from jwtlite.exceptions import (
    InsecureKeyLengthWarning,
    InvalidArgumentError,
    InvalidValueError,
    PyJWTError,
)
from jwtlite.jose import constants, jwe, jwk, jws, jwt, utils
from jwtlite.jose import jwt as face_jwt
from jwtlite.jose.backends import ecdsa_backend, native, rsa_backend
from jwtlite.jose.constants import ALGORITHMS
from jwtlite.jose.exceptions import (
    ExpiredSignatureError,
    JOSEError,
    JWEError,
    JWEParseError,
    JWKError,
    JWSError,
    JWTClaimsError,
    JWTError,
)
from jwtlite.keys import load_key

pytestmark = pytest.mark.filterwarnings("ignore::jwtlite.InsecureKeyLengthWarning")

SECRET = "a-32-byte-long-secret-for-hs256!"
RSA_PEM = key_pem("rsa2048.pem")
EC_P256_PEM = key_pem("ec_p256.pem")
EC_P521_PEM = key_pem("ec_p521.pem")


def _run(code: str, tmp_path: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- install_as_jose ------------------------------------------------------------------------


def test_install_as_jose_registers_the_face_and_adds_no_dependency(tmp_path: Path) -> None:
    out = _run(
        """
        import sys
        import jwtlite, jwtlite.jose
        jwtlite.install_as_jose()
        jwtlite.install_as_jose()  # idempotent
        import jose
        from jose import jwt, jws, jwk
        from jose.backends import _asn1, rsa_backend
        from jose.constants import ALGORITHMS
        assert jose is jwtlite.jose and jwt is jwtlite.jose.jwt
        assert _asn1 is sys.modules["jwtlite.jose.backends._asn1"]  # no second copy
        names = [n for n in sys.modules if n == "jose" or n.startswith("jose.")]
        faces = {n: sys.modules[n].__name__ for n in names}
        assert all(v == "jwtlite." + k for k, v in faces.items()), faces
        key = rsa_backend.RSAKey(open("key.pem").read(), "RS256")
        token = jws.sign({"a": 1}, key.to_dict(), algorithm="RS256")
        assert jwt.decode(token, key.public_key().to_pem(), algorithms=["RS256"]) == {"a": 1}
        print(jose.__version__, sorted({"ecdsa", "rsa", "pyasn1"} & set(sys.modules)))
        """.replace("key.pem", str(Path(__file__).parent / "vectors/keys/rsa2048.pem")),
        tmp_path,
    )
    assert out == "3.5.0 []"


def test_install_as_jose_refuses_to_replace_an_imported_jose(tmp_path: Path) -> None:
    (tmp_path / "jose").mkdir()
    (tmp_path / "jose" / "__init__.py").write_text("NAME = 'python-jose'\n")
    out = _run(
        """
        import jose
        import jwtlite
        try:
            jwtlite.install_as_jose()
        except jwtlite.ModuleConflictError as exc:
            assert isinstance(exc, ImportError)
            print("refused:", "before anything imports jose" in str(exc), jose.NAME)
        """,
        tmp_path,
    )
    assert out == "refused: True python-jose"


# --- CVE-2024-33663: public keys as HMAC secrets ----------------------------------------------


@pytest.mark.parametrize(("label", "material"), FORMS, ids=[label for label, _ in FORMS])
def test_cve_2024_33663_public_key_never_an_hmac_secret(label: str, material: bytes) -> None:
    """CVE-2024-33663 (python-jose < 3.4: PEM; 3.5.0 still: DER, certificates in DER, JWK
    text): a token MACed with the server's public key, in any encoding, is refused, whether
    or not the caller names the algorithms."""
    forged = hs256_forgery(material, {"admin": True})
    for algorithms in (None, ["HS256"], ["HS256", "RS256", "ES256"]):
        with pytest.raises(JWKError):
            jwt.decode(forged, material, algorithms=algorithms)
        with pytest.raises(JWKError):
            jws.verify(forged, material, algorithms)
    if not label.endswith("_der"):
        with pytest.raises(JWKError):
            jwt.decode(forged, material.decode("ascii"))
    with pytest.raises(JWSError):
        jwt.encode({"admin": True}, material, algorithm="HS256")


def test_cve_2024_33663_der_variant_in_a_key_list_is_skipped() -> None:
    der = base64.b64decode(json.loads((Path(__file__).parent / "vectors/keys/formats.json")
                                      .read_text())["rsa2048"]["spki_der"])  # fmt: skip
    forged = hs256_forgery(der, {"admin": True})
    with pytest.raises(JWTError, match="Signature verification failed"):
        jwt.decode(forged, [der, "another-secret-that-is-long-enough!"])


# --- algorithms=None --------------------------------------------------------------------------


def test_algorithms_none_lets_the_token_choose_only_what_the_key_serves() -> None:
    # python-jose signs ES256 with a P-521 key and verifies it; RFC 7518 §3.4 binds the curve.
    with pytest.raises(JWSError, match="P-521 key cannot be used for ES256"):
        jws.sign(b"x", EC_P521_PEM, algorithm="ES256")
    assert jws.verify(jws.sign(b"x", EC_P521_PEM, algorithm="ES512"), EC_P521_PEM, None) == b"x"
    token = jwt.encode({"a": 1}, RSA_PEM, algorithm="RS256")
    public = rsa_backend.RSAKey(RSA_PEM, "RS256").public_key().to_pem()
    assert jwt.decode(token, public) == {"a": 1}
    for hs in ("HS256", "HS384", "HS512"):
        assert jwt.decode(jwt.encode({"a": 1}, SECRET, algorithm=hs), SECRET) == {"a": 1}
    none = b64url_encode(b'{"alg":"none"}') + "." + b64url_encode(b"{}") + "."
    with pytest.raises(JWKError):
        jwt.decode(none, SECRET)


def test_header_alg_is_the_signing_algorithm() -> None:
    """python-jose let ``headers`` replace ``alg``: a token saying "none" but signed HS256."""
    token = jws.sign(b"x", SECRET, headers={"alg": "none", "kid": "k1"})
    assert jws.get_unverified_header(token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}


def test_a_string_algorithms_is_one_name_not_a_substring() -> None:
    token = jws.sign(b"x", SECRET, algorithm="HS256")
    with pytest.raises(JWSError, match="not allowed"):
        jws.verify(token, SECRET, "HS2560")


# --- key sets ---------------------------------------------------------------------------------


def test_a_jwk_set_is_chosen_by_kid_and_by_metadata() -> None:
    good = {"kty": "oct", "k": b64url_encode(SECRET.encode()), "kid": "a"}
    other = {"kty": "oct", "k": b64url_encode(b"x" * 32), "kid": "b"}
    token = jws.sign(b"x", SECRET, headers={"kid": "a"})
    assert jws.verify(token, {"keys": [other, good]}, ["HS256"]) == b"x"
    # The token names kid "b": the key with kid "a" is not tried, although it would verify.
    swapped = jws.sign(b"x", SECRET, headers={"kid": "b"})
    with pytest.raises(JWSError, match="Signature verification failed"):
        jws.verify(swapped, {"keys": [other, good]}, ["HS256"])
    no_kid = jws.sign(b"x", SECRET)
    for metadata in ({"use": "enc"}, {"key_ops": ["sign"]}, {"alg": "HS512"}):
        with pytest.raises(JWKError):
            jws.verify(token, {**good, **metadata}, ["HS256"])  # the one key: why it cannot
        with pytest.raises(JWSError, match="Signature verification failed"):
            jws.verify(no_kid, {"keys": [other, {**good, **metadata}]}, ["HS256"])  # skipped


def _mac_labelled(alg: str, secret: bytes) -> str:
    """A token whose header says ``alg`` but whose signature is HMAC-SHA256 under ``secret``."""
    signing_input = b64url_encode(json.dumps({"alg": alg}).encode()) + "." + b64url_encode(b"{}")
    mac = hmac.digest(secret, signing_input.encode(), "sha256")
    return signing_input + "." + b64url_encode(mac)


def test_a_key_object_verifies_only_tokens_of_its_own_algorithm() -> None:
    """A key object verifies with the algorithm it was built for, whatever the token's header
    says: an HS256 key object passed the allow-list ["RS256"] for a token labelled RS256 and
    MACed with its secret (python-jose 3.5.0 does the same), so "only RS256" admitted an HMAC
    signature and the header named an algorithm that did not sign. A key object now serves
    only tokens whose ``alg`` is its own; other tokens fail as unverified."""
    secret = SECRET.encode()
    hs_key = jwk.construct(secret, "HS256")
    rs_key = jwk.construct(RSA_PEM, "RS256")
    forged = [_mac_labelled(alg, secret) for alg in ("RS256", "ES256", "HS512")]
    for token in forged:
        for key in (hs_key, native.HMACKey(secret, "HS256"), [hs_key], [rs_key, hs_key]):
            for algorithms in (None, [jws.get_unverified_header(token)["alg"]]):
                with pytest.raises(JWSError, match="Signature verification failed"):
                    jws.verify(token, key, algorithms)
                with pytest.raises(JWTError, match="Signature verification failed"):
                    jwt.decode(token, key, algorithms=algorithms)
    assert len(forged) == 3
    # The key's own algorithm still verifies, alone or in a list.
    own = _mac_labelled("HS256", secret)
    assert jws.verify(own, hs_key, ["HS256"]) == b"{}"
    assert jws.verify(own, [rs_key, hs_key], None) == b"{}"


def test_a_key_object_signs_only_with_its_own_algorithm() -> None:
    """``jws.sign(payload, key_object, algorithm=...)`` wrote the ``algorithm`` asked for into
    the header and signed with the key object's own: an HS256 key object made a token saying
    RS256 (or HS512) with an HMAC-SHA256 signature. The header must name the algorithm that
    signed (RFC 8725 §3.1), so another algorithm is refused."""
    hs_key = jwk.construct(SECRET.encode(), "HS256")
    asked = ("RS256", "HS512", "ES256")
    for algorithm in asked:
        with pytest.raises(JWSError, match=f"built for HS256, not {algorithm}"):
            jws.sign(b"x", hs_key, algorithm=algorithm)
        with pytest.raises(JWSError, match=f"built for HS256, not {algorithm}"):
            jwt.encode({"a": 1}, hs_key, algorithm=algorithm)
    assert len(asked) == 3
    token = jws.sign(b"x", hs_key, algorithm="HS256")
    assert jws.get_unverified_header(token)["alg"] == "HS256"
    assert jws.verify(token, SECRET, ["HS256"]) == b"x"


def test_a_key_set_is_bounded() -> None:
    token = jws.sign(b"x", SECRET)
    with pytest.raises(JWSError, match="More than 256 keys"):
        jws.verify(token, ["k"] * 257, ["HS256"])


# --- claims -----------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(face_jwt, "_now", fake)
    return fake


def test_missing_aud_is_refused_when_an_audience_is_expected(clock: FakeClock) -> None:
    """python-jose accepts a token without ``aud`` for any ``audience``: one meant for another
    service, or for none (RFC 7519 §4.1.3)."""
    token = jwt.encode({"sub": "alice"}, SECRET)
    with pytest.raises(JWTClaimsError, match='missing the "aud" claim'):
        jwt.decode(token, SECRET, algorithms=["HS256"], audience="api")
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {"sub": "alice"}
    with pytest.raises(JWTClaimsError, match="Invalid audience"):
        jwt.decode(jwt.encode({"aud": "x"}, SECRET), SECRET, algorithms=["HS256"])


@pytest.mark.parametrize(
    ("claims", "kwargs", "error", "text"),
    [
        ({"exp": 1_699_999_999}, {}, ExpiredSignatureError, "Signature has expired."),
        ({"nbf": 1_700_000_100}, {}, JWTClaimsError, "The token is not yet valid (nbf)"),
        ({"iat": 1_700_000_100}, {}, JWTClaimsError, "The token is not yet valid (iat)"),
        ({"iat": "x"}, {}, JWTClaimsError, "Issued At claim (iat) must be an integer."),
        ({"exp": "1700000001"}, {}, JWTClaimsError, "Expiration Time claim (exp) must be"),
        ({"aud": "a"}, {"audience": "b"}, JWTClaimsError, "Invalid audience"),
        ({"aud": ["a", 1]}, {"audience": "a"}, JWTClaimsError, "Invalid claim format in token"),
        ({}, {"audience": 1}, JWTError, "audience must be a string or None"),
        ({"iss": "a"}, {"issuer": "b"}, JWTClaimsError, "Invalid issuer"),
        ({}, {"issuer": ["a", "b"]}, JWTClaimsError, "Invalid issuer"),
        ({"sub": 1}, {}, JWTClaimsError, "Subject must be a string."),
        ({"sub": "a"}, {"subject": "b"}, JWTClaimsError, "Invalid subject"),
        ({"jti": 1}, {}, JWTClaimsError, "JWT ID must be a string."),
        ({}, {"options": {"require_jti": True}}, JWTError, 'missing required key "jti"'),
    ],
)
def test_claim_errors_have_python_joses_class_and_text(
    clock: FakeClock, claims: dict[str, Any], kwargs: dict[str, Any], error: type, text: str
) -> None:
    token = jwt.encode(claims, SECRET)
    with pytest.raises(error) as caught:
        jwt.decode(token, SECRET, algorithms=["HS256"], **kwargs)
    assert str(caught.value).startswith(text)
    assert isinstance(caught.value, PyJWTError)


def test_leeway_and_switches(clock: FakeClock) -> None:
    token = jwt.encode({"exp": 1_699_999_995, "nbf": 1_700_000_005}, SECRET)
    for options in ({"leeway": 10}, {"verify_exp": False, "verify_nbf": False}):
        assert jwt.decode(token, SECRET, algorithms=["HS256"], options=options)
    from datetime import timedelta

    assert jwt.decode(
        token, SECRET, algorithms=["HS256"], options={"leeway": timedelta(seconds=10)}
    )
    # python-jose checks the claims even when the signature is not checked.
    with pytest.raises(ExpiredSignatureError):
        jwt.decode(token, "wrong", options={"verify_signature": False, "verify_nbf": False})


def test_an_unverified_token_without_alg_decodes(clock: FakeClock) -> None:
    token = b64url_encode(b"{}") + "." + b64url_encode(b'{"at_hash":"x"}') + "."
    options = {"verify_signature": False, "verify_at_hash": False}
    assert jwt.decode(token, None, options=options) == {"at_hash": "x"}
    with pytest.raises(JWTClaimsError, match="Unable to calculate at_hash"):
        jwt.decode(token, None, options={"verify_signature": False}, access_token="a")


def test_at_hash(clock: FakeClock) -> None:
    token = jwt.encode({"sub": "a"}, SECRET, algorithm="HS384", access_token="tok")
    digest = hashlib.sha384(b"tok").digest()
    assert jwt.get_unverified_claims(token)["at_hash"] == b64url_encode(digest[:24])
    assert jwt.decode(token, SECRET, algorithms=["HS384"], access_token="tok")
    for access_token, text in ((None, "No access_token"), ("other", "does not match")):
        with pytest.raises(JWTClaimsError, match=text):
            jwt.decode(token, SECRET, algorithms=["HS384"], access_token=access_token)


def test_encode_leaves_the_callers_claims_alone() -> None:
    from datetime import datetime, timezone

    claims = {"exp": datetime(2030, 1, 1, tzinfo=timezone.utc)}
    jwt.encode(claims, SECRET, access_token="tok")
    assert claims == {"exp": datetime(2030, 1, 1, tzinfo=timezone.utc)}


# --- keys -------------------------------------------------------------------------------------


def test_short_hmac_secrets_warn_as_jwtlite_does() -> None:
    with pytest.warns(InsecureKeyLengthWarning):
        jws.sign(b"x", "secret")


@pytest.mark.parametrize("alg", ["RS256", "RS512"])
def test_rsa_backends_agree(alg: str) -> None:
    pure = rsa_backend.RSAKey(RSA_PEM, alg)
    default = jwk.construct(RSA_PEM, alg)
    for signer, verifier in ((pure, default), (default, pure)):
        assert verifier.public_key().verify(b"m", signer.sign(b"m"))
    assert pure.sign(b"m") == default.sign(b"m")  # RSASSA-PKCS1-v1_5 is deterministic
    assert pure.to_dict() == default.to_dict()
    assert pure.to_pem("PKCS1") == default.to_pem("PKCS1")


def test_ec_backends_agree() -> None:
    pure = ecdsa_backend.ECDSAECKey(EC_P256_PEM, "ES256")
    default = jwk.construct(EC_P256_PEM, "ES256")
    for signer, verifier in ((pure, default), (default, pure)):
        assert verifier.public_key().verify(b"m", signer.sign(b"m"))
        assert not verifier.verify(b"m", b"\x00" * 64)
    assert pure.to_pem() == default.to_pem()


def test_keys_come_back_as_cryptography_objects_when_installed() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from jwtlite.jose.backends import cryptography_backend as cb

    assert isinstance(cb.CryptographyRSAKey(RSA_PEM, "RS256").prepared_key, rsa.RSAPrivateKey)
    public = cb.CryptographyECKey(EC_P256_PEM, "ES256").public_key().prepared_key
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert cb.CryptographyECKey(public, "ES256").is_public()
    assert jwk.get_key("RS256") is cb.CryptographyRSAKey


def test_key_errors_are_jwk_errors() -> None:
    for bad in ("secret", object(), {"kty": "EC"}, "-----BEGIN CERTIFICATE-----"):
        with pytest.raises(JWKError):
            rsa_backend.RSAKey(bad, "RS256")
    with pytest.raises(JWKError):
        native.HMACKey("-----BEGIN PUBLIC KEY-----", "HS256")  # the opening line alone
    with pytest.raises(JWKError):
        native.HMACKey("k", "RS256")
    with pytest.raises(JWKError):
        jwk.construct("k", "none")
    assert isinstance(jwk.construct({"kty": "oct", "k": "a2V5", "alg": "HS256"}), jwk.Key)


def test_register_key_refuses_what_is_no_key_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ALGORITHMS, "KEYS", {})
    monkeypatch.setattr(ALGORITHMS, "SUPPORTED", set(ALGORITHMS.SUPPORTED))
    for algorithm, key_class in (("X", object), ("X", 5), (["X"], native.HMACKey)):
        with pytest.raises(InvalidArgumentError):
            jwk.register_key(algorithm, key_class)  # type: ignore[arg-type]
    assert jwk.register_key("X", native.HMACKey)
    assert jwk.get_key("X") is native.HMACKey
    assert "X" in ALGORITHMS.SUPPORTED


def test_the_face_sets_are_python_joses() -> None:
    assert "RSA-OAEP" in ALGORITHMS.SUPPORTED
    assert "PS256" not in ALGORITHMS.SUPPORTED
    assert ALGORITHMS.HASHES["ES384"] is hashlib.sha384


# --- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    ["", "a", "a.b", "a.b.c", "...", "é.é.é", b"\xff.\xff.\xff", 7, None, "a.b.c.d"],
)
def test_malformed_tokens_raise_only_jose_errors(token: Any) -> None:
    for call in (
        lambda: jws.verify(token, SECRET, ["HS256"]),
        lambda: jwt.decode(token, SECRET, algorithms=["HS256"]),
        lambda: jwt.get_unverified_header(token),
        lambda: jwt.get_unverified_claims(token),
    ):
        with pytest.raises(JOSEError):
            call()


# --- JWE --------------------------------------------------------------------------------------

KEY32 = bytes(range(32))
RSA_PUBLIC_PEM = rsa_backend.RSAKey(RSA_PEM, "RS256").public_key().to_pem()


def test_cve_2024_33664_a_decompression_bomb_is_refused_quickly_with_bounded_memory() -> None:
    """CVE-2024-33664 (python-jose < 3.4): a small JWE whose ``zip: "DEF"`` content inflates
    to 64 MiB. The face caps inflation at ``jose.constants.JWE_SIZE_LIMIT``."""
    bomb = bytes(64 * 1024 * 1024)
    token = jwe.encrypt(bomb, KEY32, "A256GCM", "dir", zip="DEF")
    del bomb
    assert len(token) < constants.JWE_SIZE_LIMIT
    tracemalloc.start()
    start = time.thread_time()
    try:
        with pytest.raises(JWEError, match="Decompressed JWE string exceeds 256000 bytes"):
            jwe.decrypt(token, KEY32)
        elapsed = time.thread_time() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < 2.0
    assert peak < constants.JWE_SIZE_LIMIT + 2 * len(token) + 2 * 1024 * 1024


def test_the_jwe_size_limit_is_read_at_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    token = jwe.encrypt(b"x" * 2000, KEY32, "A256GCM", "dir", zip="DEF")
    assert jwe.decrypt(token, KEY32) == b"x" * 2000
    monkeypatch.setattr(constants, "JWE_SIZE_LIMIT", 1000)
    with pytest.raises(JWEError, match="Decompressed JWE string exceeds 1000 bytes"):
        jwe.decrypt(token, KEY32)
    monkeypatch.setattr(constants, "JWE_SIZE_LIMIT", 100)
    with pytest.raises(JWEError, match=r"JWE string \d+ bytes exceeds 100 bytes"):
        jwe.decrypt(token, KEY32)


@pytest.mark.parametrize(
    ("key", "algorithm", "encryption", "decrypt_key"),
    [
        (RSA_PUBLIC_PEM, "RSA-OAEP", "A128CBC-HS256", RSA_PEM),
        (RSA_PUBLIC_PEM, "RSA-OAEP-256", "A256GCM", RSA_PEM.decode()),
        (KEY32[:16], "A128KW", "A192GCM", KEY32[:16]),
        ("0123456789abcdef01234567", "A192KW", "A256CBC-HS512", b"0123456789abcdef01234567"),
        (KEY32, "dir", "A128CBC-HS256", KEY32),
    ],
)
def test_jwe_round_trips(key: Any, algorithm: str, encryption: str, decrypt_key: Any) -> None:
    token = jwe.encrypt("Live long", key, encryption, algorithm, cty="text/plain", kid="k1")
    assert isinstance(token, bytes)
    header = jwe.get_unverified_header(token)
    assert header == {"alg": algorithm, "enc": encryption, "cty": "text/plain", "kid": "k1"}
    assert jwe.decrypt(token, decrypt_key) == b"Live long"


def test_rsa1_5_is_decrypted_but_never_produced() -> None:
    with pytest.raises(JWEError, match="RSA1_5"):
        jwe.encrypt(b"x", RSA_PUBLIC_PEM, "A128GCM", "RSA1_5")
    # A token from another library, made by hand: RSAES-PKCS1-v1_5 wraps the CEK.
    backend = get_backend()
    public = load_key(RSA_PUBLIC_PEM)
    header = b64url_encode(b'{"alg":"RSA1_5","enc":"A128GCM"}')
    cek, iv = bytes(range(16)), bytes(12)
    ciphertext, tag = backend.aes_gcm_encrypt(cek, iv, b"legacy", header.encode())
    parts = (backend.rsa_pkcs1v15_encrypt(public, cek), iv, ciphertext, tag)  # type: ignore[arg-type]
    token = ".".join([header, *(b64url_encode(part) for part in parts)])
    assert jwe.decrypt(token, RSA_PEM) == b"legacy"


def test_a_key_object_decrypts_only_its_own_algorithm() -> None:
    token = jwe.encrypt(b"x", KEY32, "A256GCM", "dir")
    assert jwe.decrypt(token, jwk.construct(KEY32, "dir")) == b"x"
    with pytest.raises(JWEError, match="not allowed"):
        jwe.decrypt(token, jwk.construct(KEY32, "A256KW"))


@pytest.mark.parametrize(
    ("token", "error", "text"),
    [
        ("invalid", JWEParseError, "5 segments"),
        ("e30.." + "." * 2, JWEParseError, "alg and enc headers are required!"),
        (b64url_encode(b'{"alg":"dir","enc":"A512GCM"}') + "....", JWEError, "not supported"),
        (b64url_encode(b'{"alg":"PBES2-HS256+A128KW","enc":"A128GCM"}') + "....", JWEError,
         "not supported"),
    ],
)  # fmt: skip
def test_jwe_refusals(token: str, error: type, text: str) -> None:
    with pytest.raises(error, match=text):
        jwe.decrypt(token, KEY32)


def test_a_damaged_jwe_never_decrypts() -> None:
    token = jwe.encrypt(b"x", KEY32, "A256GCM", "dir")
    head, ek, iv, ciphertext, tag = token.split(b".")
    damaged = b".".join(
        [head, ek, iv, ciphertext, tag[:-2] + (b"AA" if tag[-2:] != b"AA" else b"BA")]
    )
    for token_, key in ((damaged, KEY32), (token, bytes(32))):
        with pytest.raises(JWEError, match="Decryption failed") as caught:
            jwe.decrypt(token_, key)
        assert not isinstance(caught.value, JWEParseError)


def test_a_jwe_key_object_serves_only_its_own_algorithm() -> None:
    """A key object built for HS256 (a signing secret) decrypted and encrypted ``dir`` JWEs
    with its secret as the content key, and one built for A256KW encrypted ``dir`` JWEs with
    its key-encryption key (decrypt already held it to A256KW): one key, one algorithm (RFC
    8725 §3.1). An AES key built for a content encryption stays a ``dir`` key."""
    token = jwe.encrypt(b"data", KEY32, "A256GCM", "dir")
    signing = (jwk.construct(KEY32, "HS256"), native.HMACKey(KEY32, "HS384"))
    for key in signing:
        with pytest.raises(JWEError, match=r"built for HS(256|384), not for JWE"):
            jwe.decrypt(token, key)
        with pytest.raises(JWEError, match=r"built for HS(256|384), not for JWE"):
            jwe.encrypt(b"data", key, "A256GCM", "dir")
    assert len(signing) == 2
    wrap_key = jwk.construct(KEY32, "A256KW")
    with pytest.raises(JWEError, match="built for A256KW, not dir"):
        jwe.encrypt(b"data", wrap_key, "A256GCM", "dir")
    wrapped = jwe.encrypt(b"data", wrap_key, "A256GCM", "A256KW")
    assert jwe.decrypt(wrapped, wrap_key) == b"data"
    for own in (jwk.construct(KEY32, "dir"), jwk.construct(KEY32, "A256GCM")):
        assert jwe.decrypt(token, own) == b"data"
        assert jwe.decrypt(jwe.encrypt(b"data", own, "A256GCM", "dir"), KEY32) == b"data"


# --- property: only jwtlite's errors, from python-jose's classes ---------------------------


def _forged(header: dict[str, Any], claims: dict[str, Any]) -> str:
    parts = (json.dumps(header).encode(), json.dumps(claims).encode(), b"sig")
    return ".".join(b64url_encode(part) for part in parts)


@settings(max_examples=150, deadline=None)
@given(token=token_like, key=st.one_of(hmac_secrets, st.text(max_size=40), json_objects))
def test_garbage_raises_only_jose_errors(token: str, key: Any) -> None:
    for call in (
        lambda: jwt.decode(token, key),
        lambda: jws.verify(token, key, None),
        lambda: jwe.decrypt(token, key),
        lambda: jwe.get_unverified_header(token),
    ):
        with contextlib.suppress(JOSEError):
            call()


@settings(max_examples=100, deadline=None)
@given(header=extra_headers, claims=json_objects, key=st.one_of(hmac_secrets, json_objects))
def test_token_shaped_garbage_raises_only_jose_errors(
    header: dict[str, Any], claims: dict[str, Any], key: Any
) -> None:
    for alg in ("HS256", "RS256", "ES512", "none", "dir", "A128KW"):
        token = _forged({**header, "alg": alg}, claims)
        with pytest.raises(JOSEError):
            jwt.decode(token, key)
        with pytest.raises(JOSEError):
            jwt.decode(token, key, algorithms=[alg], audience="a", issuer=["i"])


# --- odd arguments: only jwtlite's errors ---------------------------------------------------

_TOKEN = jwt.encode({"a": 1}, SECRET)
_JWE = jwe.encrypt(b"x", KEY32, "A256GCM", "dir")
_RSA, _EC = RSA_PEM.decode(), EC_P256_PEM.decode()
#: Each public function (or a method of a fresh key) with arguments that work.
_CALLS: dict[str, tuple[Any, list[Any]]] = {
    "jwt.encode": (jwt.encode, [{"a": 1}, SECRET, "HS256", None, None]),
    "jwt.decode": (jwt.decode, [_TOKEN, SECRET, ["HS256"], None, None, None, None, None]),
    "jwt.get_unverified_header": (jwt.get_unverified_header, [_TOKEN]),
    "jwt.get_unverified_claims": (jwt.get_unverified_claims, [_TOKEN]),
    "jws.sign": (jws.sign, [b"x", SECRET, None, "HS256"]),
    "jws.verify": (jws.verify, [_TOKEN, SECRET, ["HS256"], True]),
    "jwe.encrypt": (jwe.encrypt, [b"x", KEY32, "A256GCM", "dir", None, None, None]),
    "jwe.decrypt": (jwe.decrypt, [_JWE, KEY32]),
    "jwe.get_unverified_header": (jwe.get_unverified_header, [_JWE]),
    "jwk.construct": (jwk.construct, [SECRET, "HS256"]),
    "utils.long_to_base64": (utils.long_to_base64, [5, 0]),
    "utils.base64_to_long": (utils.base64_to_long, ["AQAB"]),
    "utils.base64url_decode": (utils.base64url_decode, [b"AQAB"]),
    "utils.calculate_at_hash": (utils.calculate_at_hash, ["tok", hashlib.sha256]),
    "utils.timedelta_total_seconds": (utils.timedelta_total_seconds, [timedelta(1)]),
    "utils.int_arr_to_long": (utils.int_arr_to_long, [[1, 2]]),
    "utils.is_pem_format": (utils.is_pem_format, [b"x"]),
    "utils.is_ssh_key": (utils.is_ssh_key, [b"x"]),
    "HMACKey": (native.HMACKey, [SECRET, "HS256"]),
    "RSAKey": (rsa_backend.RSAKey, [_RSA, "RS256"]),
    "RSAKey.verify": (lambda m, s: rsa_backend.RSAKey(_RSA, "RS256").public_key().verify(m, s),
                      [b"m", b"s"]),
    "RSAKey.to_pem": (lambda f: rsa_backend.RSAKey(_RSA, "RS256").to_pem(f), ["PKCS1"]),
    "RSAKey.wrap_key": (lambda d: rsa_backend.RSAKey(_RSA, "RSA-OAEP").wrap_key(d), [b"k" * 16]),
    "ECKey.sign": (lambda m: ecdsa_backend.ECDSAECKey(_EC, "ES256").sign(m), [b"m"]),
    "HMACKey.verify": (lambda m, s: native.HMACKey(SECRET, "HS256").verify(m, s), [b"m", b"s"]),
    "AESKey.encrypt": (lambda p, a: native.AESKey(KEY32[:16], "A128GCM").encrypt(p, a),
                       [b"p", None]),
    "AESKey.decrypt": (
        lambda c, i, a, t: native.AESKey(KEY32[:16], "A128GCM").decrypt(c, i, a, t),
        [b"c", bytes(12), None, bytes(16)],
    ),
    "AESKey.unwrap_key": (lambda k: native.AESKey(KEY32[:16], "A128KW").unwrap_key(k), [bytes(24)]),
}  # fmt: skip
_ODD = [None, 5, -1, 1.5, True, [], {}, [None], {"a": []}, "x", b"x", object(), float("nan"),
        "\x00", {"kty": 5}, {"keys": 5}]  # fmt: skip


@pytest.mark.parametrize("name", sorted(_CALLS))
def test_odd_arguments_raise_only_jwtlite_errors(name: str) -> None:
    function, arguments = _CALLS[name]
    tried = 0
    for position in range(len(arguments)):
        for odd in _ODD:
            call = list(arguments)
            call[position] = odd
            with contextlib.suppress(PyJWTError):
                function(*call)
            tried += 1
    assert tried == len(arguments) * len(_ODD)


def test_long_to_bytes_refuses_a_width_past_a_megabyte() -> None:
    # A caller's blocksize was allocated and zero-filled as given: a hypothesis example of
    # about 10**10 had a pure-package CI row killed for memory (24 GB). Key sizes and EC
    # coordinates need a few hundred octets; a megabyte is the limit, as for get_random_bytes.
    assert utils.long_to_bytes(5, 1 << 20) == bytes((1 << 20) - 1) + b"\x05"
    for width in ((1 << 20) + 1, 2**33, 10**10, 2**64):
        with pytest.raises(InvalidValueError) as caught:
            utils.long_to_bytes(5, width)
        assert str(caught.value) == f"blocksize {width} is too large (at most 1048576 octets)"
        with pytest.raises(InvalidValueError):
            utils.long_to_base64(5, width)


def test_no_octets_is_no_integer() -> None:
    # python-jose 3.5.0 reads the octets as hex, and int("", 16) raises ValueError: an empty
    # Base64urlUInt or octet list is no integer (RFC 7518 §2: zero is one octet, "AA").
    cases = [
        (utils.int_arr_to_long, []),
        (utils.int_arr_to_long, b""),
        (utils.base64_to_long, b""),
        (utils.base64_to_long, ""),
    ]
    for function, empty in cases:
        with pytest.raises(InvalidValueError) as caught:
            function(empty)
        assert str(caught.value) == "expected at least one octet"
    assert (utils.base64_to_long("AA"), utils.int_arr_to_long([0])) == (0, 0)
    assert (utils.base64_to_long(b"AQAB"), utils.int_arr_to_long(b"\x01\x00\x01")) == (65537,) * 2
    assert len(cases) == 4


def test_construct_without_a_key_class_says_what_python_jose_says() -> None:
    # python-jose 3.5.0 gives one text for no algorithm and for one it has no class for.
    cases = [(SECRET, None), (SECRET, ""), ({"kty": "oct"}, None), (SECRET, "XX"),
             (SECRET, "none"), ({"alg": "XX"}, None)]  # fmt: skip
    for key_data, algorithm in cases:
        with pytest.raises(JWKError) as caught:
            jwk.construct(key_data, algorithm)
        assert str(caught.value) == "Unable to find an algorithm for key"


# --- what mutation testing found untested (docs/architecture.md, "The python-jose face") -------

_FACE_RSA_CLASSES = [rsa_backend.RSAKey, jwk.RSAKey]  # the pure class, and the default one


def test_utils_helpers_answer_exactly() -> None:
    assert utils.base64url_decode(b"AQ==") == utils.base64url_decode("AQ") == b"\x01"
    assert utils.base64url_decode("AQAB") == b"\x01\x00\x01"
    for bad, text in (("A", "impossible length"), ("AQ=", "bad padding"), ("A+", "character")):
        with pytest.raises(InvalidValueError) as caught:
            utils.base64url_decode(bad)
        assert str(caught.value).startswith("Invalid base64url: " + text), str(caught.value)
    assert (utils.long_to_base64(65537), utils.long_to_base64(1, 4)) == (b"AQAB", b"AAAAAQ")
    assert utils.base64url_encode(b"\xff\xfe") == b"__4"
    delta = timedelta(days=2, seconds=7, microseconds=999999)
    assert utils.timedelta_total_seconds(delta) == 2 * 86400 + 7
    with pytest.raises(InvalidArgumentError) as caught:
        utils.timedelta_total_seconds(5)  # type: ignore[arg-type]
    assert str(caught.value) == "expected a timedelta, not int"


def test_register_key_texts() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        jwk.register_key("X", int)  # type: ignore[arg-type]
    assert str(caught.value) == "Key class is not a subclass of jwk.Key"  # python-jose's
    with pytest.raises(InvalidArgumentError) as caught:
        jwk.register_key(5, native.HMACKey)  # type: ignore[arg-type]
    assert str(caught.value) == "algorithm must be a string"


def test_get_unverified_headers_is_the_header() -> None:
    token = jwt.encode({"a": 1}, SECRET, headers={"kid": "k1"})
    expected = {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    assert jwt.get_unverified_headers(token) == jws.get_unverified_headers(token) == expected


def test_asn1_converts_between_the_rsa_structures() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization as ser

    from jwtlite.jose.backends import _asn1

    private = ser.load_pem_private_key(RSA_PEM, None)
    none = ser.NoEncryption()
    pkcs1 = private.private_bytes(ser.Encoding.DER, ser.PrivateFormat.TraditionalOpenSSL, none)
    pkcs8 = private.private_bytes(ser.Encoding.DER, ser.PrivateFormat.PKCS8, none)
    public = private.public_key()
    spki = public.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    public1 = public.public_bytes(ser.Encoding.DER, ser.PublicFormat.PKCS1)
    assert _asn1.rsa_private_key_pkcs8_to_pkcs1(pkcs8) == pkcs1
    assert _asn1.rsa_private_key_pkcs1_to_pkcs8(pkcs1) == pkcs8
    assert _asn1.rsa_public_key_pkcs8_to_pkcs1(spki) == public1
    assert _asn1.rsa_public_key_pkcs1_to_pkcs8(public1) == spki
    ec_pkcs8 = ser.load_pem_private_key(EC_P256_PEM, None).private_bytes(
        ser.Encoding.DER, ser.PrivateFormat.PKCS8, none
    )
    refusals = [
        (_asn1.rsa_private_key_pkcs8_to_pkcs1, spki, "Invalid private key encoding: "),
        (_asn1.rsa_private_key_pkcs8_to_pkcs1, ec_pkcs8,
         "Invalid private key encoding: not an RSA key"),
        (_asn1.rsa_private_key_pkcs1_to_pkcs8, public1, "Invalid private key encoding: "),
        (_asn1.rsa_public_key_pkcs8_to_pkcs1, pkcs8, "Invalid public key encoding: "),
        (_asn1.rsa_public_key_pkcs1_to_pkcs8, pkcs1, "Invalid public key encoding: "),
    ]  # fmt: skip
    for function, der, text in refusals:
        with pytest.raises(InvalidValueError) as caught:
            function(der)
        assert str(caught.value).startswith(text), str(caught.value)
        assert len(str(caught.value)) > len("Invalid private key encoding: ")
    assert len(refusals) == 5


def test_asymmetric_keys_as_dicts_and_pem() -> None:
    rsa_key = jwk.construct(RSA_PEM, "RS256")
    private = rsa_key.to_dict()
    assert set(private) == {"alg", "kty", "n", "e", "d", "p", "q", "dp", "dq", "qi"}
    assert (private["alg"], private["kty"], private["e"]) == ("RS256", "RSA", "AQAB")
    assert rsa_key.public_key().to_dict() == {
        "alg": "RS256", "kty": "RSA", "n": private["n"], "e": "AQAB"
    }  # fmt: skip
    for cls in (ecdsa_backend.ECDSAECKey, jwk.ECKey):
        ec_key = cls(EC_P256_PEM, "ES256")
        assert set(ec_key.to_dict()) == {"alg", "kty", "crv", "x", "y", "d"}
        assert ec_key.to_dict()["alg"] == "ES256"
        assert ec_key.to_pem().startswith(b"-----BEGIN EC PRIVATE KEY-----\n")
        assert ec_key.to_pem().endswith(b"-----END EC PRIVATE KEY-----\n")
        public_pem = ec_key.public_key().to_pem()
        assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----\n")
        assert cls(public_pem, "ES256").to_dict() == ec_key.public_key().to_dict()


@pytest.mark.parametrize("cls", _FACE_RSA_CLASSES)
def test_rsa_keys_wrap_and_unwrap(cls: Any) -> None:
    cek = bytes(range(32))
    algorithms = ("RSA1_5", "RSA-OAEP", "RSA-OAEP-256")
    for algorithm in algorithms:
        key = cls(RSA_PEM, algorithm)
        wrapped = key.public_key().wrap_key(cek)
        assert len(wrapped) == 256
        assert key.unwrap_key(wrapped) == cek
        for other in algorithms:  # each algorithm's own padding and hash
            if other == algorithm:
                continue
            if other == "RSA1_5":  # OpenSSL's implicit rejection: other octets, no error
                with contextlib.suppress(JWEError):
                    assert cls(RSA_PEM, other).unwrap_key(wrapped) != cek
            else:
                with pytest.raises(JWEError) as caught:
                    cls(RSA_PEM, other).unwrap_key(wrapped)
                assert str(caught.value) == "Decryption failed"
        with pytest.raises(JWEError) as caught:
            key.public_key().unwrap_key(wrapped)
        assert str(caught.value) == f"unwrapping with {algorithm} needs an RSA private key"
        with pytest.raises(JWEError) as caught:
            key.unwrap_key(b"\x00" * 7)
        assert str(caught.value) == "Decryption failed"
    signer = cls(RSA_PEM, "RS256")
    with pytest.raises(JWEError) as caught:
        signer.wrap_key(cek)
    assert str(caught.value) == "RS256 does not wrap keys"
    with pytest.raises(JWEError) as caught:
        signer.unwrap_key(b"\x00" * 256)
    assert str(caught.value) == "unwrapping with RS256 needs an RSA private key"


def test_aes_keys_wrap_as_rfc_3394_says() -> None:
    classes = [native.AESKey, jwk.AESKey]
    kek = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
    data = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
    wrapped = bytes.fromhex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")  # §4.1
    for cls in classes:
        key = cls(kek, "A128KW")
        assert key.wrap_key(data) == wrapped
        assert key.unwrap_key(wrapped) == data
        with pytest.raises(JWEError) as caught:
            key.wrap_key(b"\x00" * 7)  # not a multiple of 8 octets
        assert str(caught.value) != "None"
        with pytest.raises(JWEError) as caught:
            key.unwrap_key(wrapped[:-1] + b"\x00")
        assert str(caught.value) == "Key unwrap failed"
        for algorithm, iv_size in (("A128GCM", 12), ("A128CBC", 16)):
            content = cls(kek, algorithm)
            iv, ciphertext, tag = content.encrypt(b"plain text", b"aad")
            assert len(iv) == iv_size
            assert content.decrypt(ciphertext, iv, b"aad", tag) == b"plain text"
    assert len(classes) == 2


def test_long_to_bytes_and_random_bytes_bounds() -> None:
    assert [utils.long_to_bytes(n) for n in (0, 255, 256)] == [b"\x00", b"\xff", b"\x01\x00"]
    assert (utils.long_to_bytes(1, 1), utils.long_to_bytes(5, 0)) == (b"\x01", b"\x05")
    assert utils.long_to_bytes(65535, 2) == b"\xff\xff"
    negative = "expected non-negative integers"
    refusals = [((256, 1), "256 does not fit in 1 octets"), ((-1,), negative), ((1, -1), negative)]
    for arguments, text in refusals:
        with pytest.raises(InvalidValueError) as caught:
            utils.long_to_bytes(*arguments)
        assert str(caught.value) == text
    assert [len(native.get_random_bytes(n)) for n in (0, 1, 1 << 20)] == [0, 1, 1 << 20]
    for count in (-1, (1 << 20) + 1):
        with pytest.raises(InvalidValueError) as caught:
            native.get_random_bytes(count)
        assert str(caught.value) == f"num_bytes must be between 0 and 1048576, not {count}"
    with pytest.raises(InvalidArgumentError) as caught:
        native.get_random_bytes("1")  # type: ignore[arg-type]
    assert str(caught.value) == "num_bytes must be an integer, not str"


def test_calculate_at_hash_texts() -> None:
    # The value python-jose 3.5.0 gives.
    assert utils.calculate_at_hash("tok", hashlib.sha256) == "GnZ0607njffhrEOak8P6jg"
    with pytest.raises(InvalidArgumentError) as caught:
        utils.calculate_at_hash(5, hashlib.sha256)  # type: ignore[arg-type]
    assert str(caught.value) == "calculate_at_hash(access_token: str, hash_alg: callable)"
    with pytest.raises(InvalidValueError) as caught:
        utils.calculate_at_hash("\ud800", hashlib.sha256)
    assert str(caught.value) == (
        "access_token is not valid text: it holds a lone surrogate at position 0"
    )


def test_aes_keys_encrypt_and_decrypt_content() -> None:
    classes = [native.AESKey, jwk.AESKey]
    # McGrew and Viega, "The Galois/Counter Mode of Operation", test case 2.
    ciphertext = bytes.fromhex("0388dace60b6a392f328c2b971b2fe78")
    tag = bytes.fromhex("ab6e47d42cec13bdf53a67b21257bddf")
    for cls in classes:
        gcm = cls(bytes(16), "A128GCM")
        assert gcm.decrypt(ciphertext, bytes(12), None, tag) == bytes(16)
        assert gcm.decrypt(ciphertext, bytes(12), b"", tag) == bytes(16)
        iv, sealed, sealed_tag = gcm.encrypt("text", None)  # str: its UTF-8 octets
        assert gcm.decrypt(sealed, iv, b"", sealed_tag) == b"text"
        iv, sealed, sealed_tag = gcm.encrypt(b"text", b"aad")
        refusals = [
            ((sealed, iv, None, sealed_tag), "Invalid JWE Auth Tag"),
            ((sealed, iv, b"aad", None), "tag cannot be None"),
            ((sealed, "iv", b"aad", sealed_tag), "cipher text and iv must be bytes"),
            (("text", iv, b"aad", sealed_tag), "cipher text and iv must be bytes"),
            ((sealed, bytes(5), b"aad", sealed_tag), "an AES-GCM IV must be 12 bytes, not 5"),
        ]
        for arguments, text in refusals:
            with pytest.raises(JWEError) as caught:
                gcm.decrypt(*arguments)
            assert str(caught.value) == text
        cbc = cls(bytes(16), "A128CBC")
        iv, sealed, no_tag = cbc.encrypt(b"ten octets")
        assert (len(sealed), no_tag) == (16, None)
        assert cbc.decrypt(sealed, iv) == b"ten octets"
        with pytest.raises(JWEError) as caught:
            cbc.decrypt(bytes(16), bytes(16))  # decrypts to no valid PKCS#7 padding
        assert str(caught.value) == "Invalid padding"
        wrap = cls(bytes(16), "A128KW")
        with pytest.raises(JWEError) as caught:
            wrap.encrypt(b"text")
        assert str(caught.value) == "A128KW does not encrypt content"
        with pytest.raises(JWEError) as caught:
            wrap.decrypt(sealed, iv)
        assert str(caught.value) == "A128KW does not decrypt content"
    assert len(classes) == 2


def test_python_joses_legacy_pkcs8_rsa_key_is_read() -> None:
    from jwtlite._keyformats import pkcs1_der
    from jwtlite._pem import encode_pem

    model = load_key(key_pem("rsa3072.pem"))
    legacy = rsa_backend.LEGACY_INVALID_PKCS8_RSA_HEADER + pkcs1_der(model)
    pem = encode_pem("PRIVATE KEY", legacy)
    expected = rsa_backend.RSAKey(key_pem("rsa3072.pem"), "RS256").to_dict()
    for form in (pem, pem.encode("ascii")):
        assert rsa_backend.RSAKey(form, "RS256").to_dict() == expected
    broken = encode_pem("PRIVATE KEY", legacy[:-9])
    with pytest.raises(JWKError) as caught:
        rsa_backend.RSAKey(broken, "RS256")
    assert str(caught.value) == "Invalid private key encoding"
    assert rsa_backend.pem_to_spki(pem).startswith(b"-----BEGIN PUBLIC KEY-----\n")
    assert rsa_backend.pem_to_spki(pem, "PKCS1").startswith(b"-----BEGIN RSA PUBLIC KEY-----\n")
    public = rsa_backend.RSAKey(key_pem("rsa3072.pem"), "RS256").public_key()
    assert rsa_backend.pem_to_spki(pem) == public.to_pem()


def test_jwt_encode_texts_and_headers() -> None:
    token = jwt.encode({"a": 1}, SECRET, headers={"kid": "k1"})
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    with pytest.raises(JWSError) as caught:
        jwt.encode([("a", 1)], SECRET)  # type: ignore[arg-type]
    assert str(caught.value) == "claims must be a mapping, not list"
    with pytest.raises(InvalidArgumentError) as caught:
        jwt.encode({"a": 1}, SECRET, access_token=b"tok")  # type: ignore[arg-type]
    assert str(caught.value) == "access_token must be a string"
    surrogate = "access_token is not valid text: it holds a lone surrogate at position 0"
    with pytest.raises(JWTError) as caught:
        jwt.encode({"a": 1}, SECRET, access_token="\ud800")
    assert (type(caught.value), str(caught.value)) == (JWTError, surrogate)
    with pytest.raises(JWSError) as caught:  # an unhashable name is no KeyError or TypeError
        jwt.encode({"a": 1}, SECRET, algorithm=["HS256"], access_token="tok")  # type: ignore[arg-type]
    assert str(caught.value) == "at_hash needs a signature algorithm, not ['HS256']"
    with pytest.raises(JWTError) as caught:
        jwt.get_unverified_header("x.y")
    assert str(caught.value) == "Error decoding token headers."


def test_jwt_encode_takes_naive_datetimes_without_a_warning() -> None:
    import warnings
    from datetime import datetime

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        token = jwt.encode({"exp": datetime(2030, 1, 1)}, SECRET)  # as python-jose: UTC
    assert jwt.get_unverified_claims(token) == {"exp": 1893456000}


def test_at_hash_refusal_texts(clock: FakeClock) -> None:
    token = jwt.encode({"a": 1}, SECRET, access_token="tok")
    texts = [
        (None, "No access_token provided to compare against at_hash claim."),
        ("other", "at_hash claim does not match access_token."),
        ("\ud800", "access_token is not valid text: it holds a lone surrogate at position 0"),
        (5, "Unable to calculate at_hash to verify against token claims."),
    ]
    for access_token, text in texts:
        with pytest.raises(JWTClaimsError) as caught:
            jwt.decode(token, SECRET, access_token=access_token)
        assert (type(caught.value), str(caught.value)) == (JWTClaimsError, text)
    assert jwt.decode(token, SECRET, access_token="tok")["a"] == 1


def test_jwe_encrypt_refusal_texts() -> None:
    for arguments, text in (
        ({"algorithm": "XX"}, "Algorithm XX not supported."),
        ({"encryption": "XY"}, "Algorithm XY not supported."),
        ({"zip": "GZ"}, "ZIP GZ is not supported!"),
    ):
        with pytest.raises(JWEError) as caught:
            jwe.encrypt(b"x", KEY32, **arguments)
        assert str(caught.value) == text
    assert isinstance(jwe.encrypt(b"x", KEY32), bytes)


def test_key_objects_answer_false_for_an_algorithm_they_cannot_serve() -> None:
    import warnings

    signer = ecdsa_backend.ECDSAECKey(EC_P256_PEM, "ES256")
    signature = signer.sign(b"m")
    assert signer.public_key().verify(b"m", signature)
    assert not ecdsa_backend.ECDSAECKey(EC_P256_PEM, "ES384").public_key().verify(b"m", signature)
    rsa_key = rsa_backend.RSAKey(RSA_PEM, "RS256")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert rsa_key.verify(b"m", rsa_key.sign(b"m"))
    assert [str(w.message) for w in caught] == [
        "Attempting to verify a message with a private key. This is not recommended."
    ]


def test_unverified_claims_texts_are_python_joses() -> None:
    texts = {
        b"[1]": "Invalid claims string: must be a json object",
        b"5": "Invalid claims string: must be a json object",
        b"nope": "Invalid claims string: Expecting value: line 1 column 1 (char 0)",
        b"\xff": "Invalid claims string: not UTF-8",
    }
    for payload, text in texts.items():
        with pytest.raises(JWTError) as caught:
            jwt.get_unverified_claims(jws.sign(payload, SECRET))
        assert str(caught.value) == text
    with pytest.raises(JWTError) as caught:
        jwt.get_unverified_claims("x.y")
    assert str(caught.value) == "Error decoding token claims."
    assert jwt.get_unverified_claims(jws.sign(b'{"a":1}', SECRET)) == {"a": 1}
    assert len(texts) == 4


def test_aes_and_dir_key_texts_and_attributes() -> None:
    for arguments, text in (
        ((bytes(16), "HS256"), "HS256 is not a valid AES algorithm"),
        ((bytes(16), "A128GCMKW"), "A128GCMKW is not a valid AES algorithm"),
        ((bytes(15), "A128GCM"), "Key must be 128 bit for alg A128GCM"),
        ((bytes(16), "A128CBC-HS256"), "Key must be 256 bit for alg A128CBC-HS256"),
    ):
        with pytest.raises(JWKError) as caught:
            native.AESKey(*arguments)
        assert str(caught.value) == text
    key = jwk.construct(bytes(32), "dir")
    assert (key._alg, key._algorithm) == ("dir", "dir")  # type: ignore[attr-defined]
    assert key.to_dict() == {"alg": "dir", "kty": "oct", "k": "A" * 43}


def test_the_cryptography_ec_key_converts_signatures() -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from jwtlite.jose.backends import cryptography_backend as cb

    sizes = [(EC_P256_PEM, "ES256", 32), (key_pem("ec_p384.pem"), "ES384", 48),
             (EC_P521_PEM, "ES512", 66)]  # fmt: skip
    for pem, algorithm, size in sizes:
        key = cb.CryptographyECKey(pem, algorithm)
        assert key._sig_component_length() == size
        raw = key.sign(b"m")
        r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
        assert key._raw_to_der(raw) == encode_dss_signature(r, s)
        assert key._der_to_raw(encode_dss_signature(r, s)) == raw
        assert key._der_to_raw(encode_dss_signature(1, 2)) == (1).to_bytes(size, "big") + (
            2
        ).to_bytes(size, "big")
        with pytest.raises(InvalidValueError) as caught:
            key._raw_to_der(raw[:-1])
        assert str(caught.value) == "Invalid signature"
    assert len(sizes) == 3


def test_install_as_jose_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import jwtlite.jose
    from jwtlite.jose import _install

    modules = _install._face_modules()
    expected = {"jose"} | {f"jose.{name}" for name in jwtlite.jose.SUBMODULES}
    if importlib.util.find_spec("cryptography") is None:  # the pure rows of CI
        expected.remove("jose.backends.cryptography_backend")
    assert set(modules) == expected
    assert modules["jose"] is jwtlite.jose
    assert modules["jose.jwt"] is face_jwt
    before = {name for name in sys.modules if name.split(".")[0] == "jose"}
    assert not before  # python-jose is not installed beside jwtlite's tests
    try:
        _install.install_as_jose()
        _install.install_as_jose()  # idempotent
        assert all(sys.modules[name] is module for name, module in modules.items())
    finally:
        for name in [name for name in sys.modules if name.split(".")[0] == "jose"]:
            del sys.modules[name]

    real = _install.import_module

    def without(missing: str) -> Any:
        def load(name: str) -> Any:
            if name.endswith("." + missing):
                raise ImportError(name)
            return real(name)

        return load

    monkeypatch.setattr(_install, "import_module", without("backends.cryptography_backend"))
    assert set(_install._face_modules()) == expected - {"jose.backends.cryptography_backend"}
    monkeypatch.setattr(_install, "import_module", without("jwe"))
    with pytest.raises(ImportError):
        _install._face_modules()


def test_key_class_refusal_texts() -> None:
    rsa_key = rsa_backend.RSAKey(RSA_PEM, "RSA1_5")
    with pytest.raises(JWEError) as caught:
        rsa_key.wrap_key(bytes(300))
    assert str(caught.value) == "RSA key too small for this RSA1_5 plaintext"
    with pytest.raises(InvalidValueError) as caught:
        rsa_key.to_pem("X")
    assert str(caught.value) == "Invalid format specified: X"
    with pytest.raises(InvalidValueError) as caught:
        utils.int_arr_to_long([256])
    assert str(caught.value) == "expected a sequence of octets (integers 0 to 255)"
    from jwtlite.jose.backends import _asn1

    with pytest.raises(InvalidArgumentError) as caught:
        _asn1.rsa_public_key_pkcs8_to_pkcs1(5)  # type: ignore[arg-type]
    assert str(caught.value) == "Invalid public key encoding: expected bytes"
    with pytest.raises(JWKError) as caught:
        rsa_backend.RSAKey(jwk.construct(bytes(32), "dir"), "RS256")
    assert str(caught.value) == "Unable to parse an RSA_JWK from this bytes"


def test_a_registered_key_class_without_an_algorithm_attribute_is_refused() -> None:
    class Bare(jwk.Key):
        pass

    with pytest.raises(JWEError) as caught:
        jwe.decrypt(_JWE, Bare(None, "dir"))
    assert str(caught.value) == "dir needs a key as bytes, not Bare"


def test_install_as_jose_in_process_refuses_a_foreign_jose(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from jwtlite.exceptions import ModuleConflictError
    from jwtlite.jose import _install

    foreign = types.ModuleType("jose")
    monkeypatch.setitem(sys.modules, "jose", foreign)
    with pytest.raises(ModuleConflictError) as caught:
        _install.install_as_jose()
    assert str(caught.value) == (
        f"install_as_jose(): a different module is already imported as 'jose' ({foreign!r})."
        " Call jwtlite.install_as_jose() before anything imports jose."
    )
    assert sys.modules["jose"] is foreign
    assert "jose.jwt" not in sys.modules


def test_symmetric_keys_as_dicts() -> None:
    assert jwk.construct(SECRET, "HS512").to_dict() == {
        "alg": "HS512", "kty": "oct", "k": b64url_encode(SECRET.encode())
    }  # fmt: skip
    for cls in (native.AESKey, jwk.AESKey):
        assert cls(bytes(16), "A128KW").to_dict() == {"alg": "A128KW", "kty": "oct", "k": "A" * 22}


def test_decode_options_a_required_claim_is_verified_and_iat_can_be_off(
    clock: FakeClock,
) -> None:
    token = jwt.encode({"exp": 1, "iat": int(clock.now) + 3600}, SECRET)
    with pytest.raises(InvalidArgumentError) as caught:
        jwt.decode(token, SECRET, options=[1])  # type: ignore[arg-type]
    assert str(caught.value) == "options must be a dict, not list"
    off = {"verify_exp": False, "verify_iat": False}
    assert jwt.decode(token, SECRET, options=off)["exp"] == 1
    with pytest.raises(ExpiredSignatureError):  # python-jose: require_exp turns verify_exp on
        jwt.decode(token, SECRET, options={**off, "require_exp": True})
    with pytest.raises(JWTClaimsError) as caught:
        jwt.decode(token, SECRET, options={"verify_exp": False})
    assert str(caught.value) == "The token is not yet valid (iat)"
    with pytest.raises(JWTError) as caught:
        jwt.decode(jwt.encode({"iss": "a"}, SECRET), SECRET, issuer=5)
    assert str(caught.value) == "issuer must be a string or a collection of strings"


def test_decode_texts_for_the_payload_and_the_allowed_algorithms() -> None:
    with pytest.raises(JWTError) as caught:
        jwt.decode(jws.sign(b"[1]", SECRET), SECRET, algorithms=["HS256"])
    assert str(caught.value) == "Invalid payload string: must be a json object"  # python-jose's
    with pytest.raises(JWTError) as caught:
        jwt.decode(jwt.encode({"a": 1}, SECRET), SECRET, algorithms=["HS384"])
    assert str(caught.value) == "The specified alg value is not allowed"


def test_each_verify_switch_turns_its_check_off() -> None:
    token = jwt.encode({"aud": "other", "iss": "other", "sub": 5, "jti": 5}, SECRET)
    checks = {"verify_aud": {"audience": "me"}, "verify_iss": {"issuer": "me"},
              "verify_sub": {"subject": "me"}, "verify_jti": {}}  # fmt: skip
    everything_off = dict.fromkeys(checks, False)
    for switch, arguments in checks.items():
        with pytest.raises(JWTClaimsError):
            jwt.decode(token, SECRET, options={**everything_off, switch: True}, **arguments)
        assert jwt.decode(token, SECRET, options=everything_off, **arguments)["aud"] == "other"
    assert len(checks) == 4
