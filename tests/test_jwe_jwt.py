"""Encrypted JWTs and nested JWTs (``jwtlite.jwe_jwt``): claims validated in the same call,
RFC 7520 §6 decrypted and verified, and no downgrade between signed and merely encrypted."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest
from _jwe_support import require
from conftest import VECTORS, key_pem

from jwtlite import jwe
from jwtlite.b64url import b64url_decode
from jwtlite.backends import Backend
from jwtlite.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    JWEDecryptionError,
    MissingRequiredClaimError,
)
from jwtlite.jwe_jwt import decrypt_jwt, encrypt_jwt
from jwtlite.keys import load_key

KEY = bytes(range(32))
DIR = {"algorithms": ["dir"], "encryptions": ["A256GCM"]}
RSA = load_key(key_pem("rsa2048.pem"))
SIGNER = load_key(key_pem("ec_p256.pem"))
NOW = 1_700_000_000


def _header(token: str) -> dict[str, Any]:
    return json.loads(b64url_decode(token.split(".", 1)[0]))


def test_claims_are_encrypted_and_validated_in_one_call(backend: Backend) -> None:
    require(backend, ["dir"], ["A256GCM"])
    when = datetime.fromtimestamp(NOW + 60, tz=timezone.utc)
    token = encrypt_jwt({"sub": "alice", "aud": "api", "exp": when}, KEY, alg="dir", enc="A256GCM")
    assert "cty" not in _header(token)
    claims = decrypt_jwt(token, KEY, audience="api", now=NOW, **DIR)
    assert claims == {"sub": "alice", "aud": "api", "exp": NOW + 60}
    with pytest.raises(ExpiredSignatureError):
        decrypt_jwt(token, KEY, audience="api", now=NOW + 61, **DIR)
    assert decrypt_jwt(token, KEY, audience="api", now=NOW + 61, leeway=5, **DIR)["sub"] == "alice"
    with pytest.raises(InvalidAudienceError):
        decrypt_jwt(token, KEY, audience="other", now=NOW, **DIR)
    assert decrypt_jwt(token, KEY, now=NOW, options={"verify_aud": False}, **DIR)["sub"] == "alice"
    with pytest.raises(JWEDecryptionError):
        decrypt_jwt(token, bytes(32), audience="api", now=NOW, **DIR)


def test_a_nested_jwt_is_signed_then_encrypted(backend: Backend) -> None:
    require(backend, ["RSA-OAEP-256"], ["A256GCM"])
    token = encrypt_jwt({"sub": "bob", "iss": "me"}, RSA.public_key(), alg="RSA-OAEP-256",
                        enc="A256GCM", sign_key=SIGNER, sign_algorithm="ES256")  # fmt: skip
    assert _header(token)["cty"] == "JWT"
    decrypt = {"algorithms": ["RSA-OAEP-256"], "encryptions": ["A256GCM"]}
    claims = decrypt_jwt(token, RSA, verify_key=SIGNER.public_key(), verify_algorithms=["ES256"],
                         issuer="me", now=NOW, **decrypt)  # fmt: skip
    assert claims == {"sub": "bob", "iss": "me"}
    other = load_key(key_pem("ec_p384.pem"))
    with pytest.raises(InvalidTokenError):
        decrypt_jwt(token, RSA, verify_key=other.public_key(), verify_algorithms=["ES384"],
                    **decrypt)  # fmt: skip


def test_signed_and_merely_encrypted_never_pass_for_each_other(backend: Backend) -> None:
    """Anyone with the recipient's public key can encrypt claims: when a signature is expected,
    a bare encrypted claims set is refused, and a nested JWT is never read unverified."""
    require(backend, ["RSA-OAEP-256"], ["A256GCM"])
    decrypt = {"algorithms": ["RSA-OAEP-256"], "encryptions": ["A256GCM"]}
    forged = encrypt_jwt({"sub": "admin"}, RSA.public_key(), alg="RSA-OAEP-256", enc="A256GCM")
    with pytest.raises(InvalidTokenError, match="A signed \\(nested\\) JWT was expected"):
        decrypt_jwt(forged, RSA, verify_key=SIGNER.public_key(), verify_algorithms=["ES256"],
                    **decrypt)  # fmt: skip
    nested = encrypt_jwt({"sub": "x"}, RSA.public_key(), alg="RSA-OAEP-256", enc="A256GCM",
                         sign_key=SIGNER, sign_algorithm="ES256")  # fmt: skip
    with pytest.raises(InvalidTokenError, match="holds a signed JWT"):
        decrypt_jwt(nested, RSA, **decrypt)


def test_the_rfc7520_nested_example(backend: Backend) -> None:
    """RFC 7520 §6: a PS256 JWS inside an RSA-OAEP + A128GCM JWE; exp 1300819380 (2011)."""
    require(backend, ["RSA-OAEP"], ["A128GCM"])
    vector = json.loads((VECTORS / "rfc7520" / "6.nesting_signatures_and_encryption.json")
                        .read_text(encoding="utf-8"))  # fmt: skip
    signer = {k: v for k, v in vector["sign"]["input"]["key"].items()
              if k in ("kty", "kid", "use", "n", "e")}  # fmt: skip
    recipient = vector["encrypt"]["input"]["key"]
    ran = 0
    for token in vector["encrypt"]["output"].values():
        claims = decrypt_jwt(
            token, recipient, algorithms=["RSA-OAEP"], encryptions=["A128GCM"],
            verify_key=signer, verify_algorithms=["PS256"], now=1300819000,
        )  # fmt: skip
        assert claims == {"iss": "hobbiton.example", "exp": 1300819380,
                          "http://example.com/is_root": True}  # fmt: skip
        ran += 1
    assert ran == 3
    with pytest.raises(ExpiredSignatureError):
        decrypt_jwt(
            vector["encrypt"]["output"]["compact"], recipient, algorithms=["RSA-OAEP"],
            encryptions=["A128GCM"], verify_key=signer, verify_algorithms=["PS256"],
        )  # fmt: skip


def test_a_tampered_inner_signature_is_caught(backend: Backend) -> None:
    require(backend, ["dir"], ["A256GCM"])
    inner = encrypt_jwt({"sub": "x"}, KEY, alg="dir", enc="A256GCM", sign_key=SIGNER,
                        sign_algorithm="ES256")  # fmt: skip
    jws = jwe.decrypt(inner, KEY, **DIR).decode()
    bad = jws[:-4] + ("AAAA" if not jws.endswith("AAAA") else "BBBB")
    token = jwe.encrypt(bad, KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})
    with pytest.raises(InvalidSignatureError):
        decrypt_jwt(token, KEY, verify_key=SIGNER.public_key(), verify_algorithms=["ES256"], **DIR)


def test_arguments_are_checked(backend: Backend) -> None:
    require(backend, ["dir"], ["A256GCM"])
    with pytest.raises(InvalidArgumentError, match="both sign_key and sign_algorithm"):
        encrypt_jwt({}, KEY, alg="dir", enc="A256GCM", sign_key=SIGNER)
    with pytest.raises(InvalidArgumentError, match="must be a JSON object"):
        encrypt_jwt([], KEY, alg="dir", enc="A256GCM")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match='cty "JWT" announces a nested JWT'):
        encrypt_jwt({}, KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})
    with pytest.raises(InvalidArgumentError, match='must say cty "JWT"'):
        encrypt_jwt({}, KEY, alg="dir", enc="A256GCM", headers={"cty": "json"}, sign_key=SIGNER,
                    sign_algorithm="ES256")  # fmt: skip
    with pytest.raises(InvalidArgumentError, match="Payload is not JSON-serialisable"):
        encrypt_jwt({"x": {1, 2}}, KEY, alg="dir", enc="A256GCM")
    token = encrypt_jwt({"sub": "a"}, KEY, alg="dir", enc="A256GCM", headers={"typ": "secevent"})
    with pytest.raises(InvalidArgumentError, match="always verifies"):
        decrypt_jwt(token, KEY, options={"verify_signature": False}, **DIR)
    with pytest.raises(InvalidArgumentError, match="both verify_key and verify_algorithms"):
        decrypt_jwt(token, KEY, verify_key=SIGNER, **DIR)
    assert decrypt_jwt(token, KEY, typ="application/secevent", **DIR) == {"sub": "a"}
    with pytest.raises(InvalidTokenError, match="typ"):
        decrypt_jwt(token, KEY, typ="at+jwt", **DIR)
    with pytest.raises(InvalidArgumentError, match="now must be a number"):
        decrypt_jwt(token, KEY, now="soon", **DIR)  # type: ignore[arg-type]


def test_cty_and_typ_count_only_in_the_protected_header(backend: Backend) -> None:
    """In the JSON forms an unprotected header is anyone's to edit: it decides nothing."""
    require(backend, ["dir"], ["A256GCM"])
    text = jwe.encrypt_json(b'{"sub":"a"}', [jwe.Recipient(KEY, "dir")], enc="A256GCM",
                            unprotected={"cty": "JWT", "typ": "at+jwt"})  # fmt: skip
    assert decrypt_jwt(text, KEY, **DIR) == {"sub": "a"}  # not read as a nested JWT
    with pytest.raises(InvalidTokenError, match="typ"):
        decrypt_jwt(text, KEY, typ="at+jwt", **DIR)


def test_missing_allow_lists_are_a_jwtlite_error() -> None:
    with pytest.raises(InvalidArgumentError, match='needs a non-empty "algorithms" list'):
        decrypt_jwt("a.b.c.d.e", KEY, encryptions=["A256GCM"])
    with pytest.raises(InvalidArgumentError, match='needs a non-empty "encryptions" list'):
        jwe.decrypt("a.b.c.d.e", KEY, algorithms=["dir"])


# --- pinned by mutation testing (docs/architecture.md) ---------------------------------------


class _SetEncoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return sorted(o) if isinstance(o, set) else super().default(o)


def _nested(claims: dict[str, Any], **kwargs: Any) -> str:
    return encrypt_jwt(claims, KEY, alg="dir", enc="A256GCM", sign_key=SIGNER,
                       sign_algorithm="ES256", **kwargs)  # fmt: skip


_VERIFY = {"verify_key": SIGNER.public_key(), "verify_algorithms": ["ES256"]}


@pytest.mark.parametrize("nested", [False, True], ids=["claims", "nested"])
def test_every_claim_check_reaches_both_paths(nested: bool) -> None:
    claims = {"sub": "alice", "iss": "me", "aud": "api", "iat": NOW - 100, "exp": NOW}
    token = _nested(claims) if nested else encrypt_jwt(claims, KEY, alg="dir", enc="A256GCM")
    verify: dict[str, Any] = {**DIR, **(_VERIFY if nested else {})}
    checks = {"audience": "api", "issuer": "me", "subject": "alice", "leeway": 1, "now": NOW}
    assert decrypt_jwt(token, KEY, **checks, **verify) == claims
    assert decrypt_jwt(token, KEY, **checks, max_age=100, **verify) == claims
    refused = [
        ({"audience": "other"}, InvalidAudienceError),
        ({"issuer": "other"}, InvalidIssuerError),
        ({"subject": "bob"}, InvalidSubjectError),
        ({"leeway": 0}, ExpiredSignatureError),  # the default: no leeway
        ({"max_age": 98}, ExpiredSignatureError),  # with the leeway of 1
        ({"options": {"require": ["jti"]}}, MissingRequiredClaimError),
    ]
    for change, error in refused:
        with pytest.raises(error):
            decrypt_jwt(token, KEY, **{**checks, **change}, **verify)
    without_leeway = {name: value for name, value in checks.items() if name != "leeway"}
    with pytest.raises(ExpiredSignatureError):
        decrypt_jwt(token, KEY, **without_leeway, **verify)


def test_a_nested_plaintext_that_is_not_ascii_is_a_decode_error() -> None:
    token = jwe.encrypt(b"\xff.\xfe.\xfd", KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})
    with pytest.raises(DecodeError):
        decrypt_jwt(token, KEY, **DIR, **_VERIFY)


def test_a_payload_that_is_not_an_object_has_pyjwt_s_message() -> None:
    token = jwe.encrypt(b"[1]", KEY, alg="dir", enc="A256GCM")
    with pytest.raises(DecodeError, match=r"^Invalid payload string: must be a json object$"):
        decrypt_jwt(token, KEY, **DIR)


def test_json_encoder_headers_and_zip_reach_the_token() -> None:
    plain = encrypt_jwt({"scope": {"b", "a"}}, KEY, alg="dir", enc="A256GCM",
                        json_encoder=_SetEncoder, zip="DEF")  # fmt: skip
    assert _header(plain)["zip"] == "DEF"
    assert decrypt_jwt(plain, KEY, **DIR) == {"scope": ["a", "b"]}
    nested = _nested({"scope": {"b", "a"}}, json_encoder=_SetEncoder, sign_headers={"kid": "s1"})
    inner = jwe.decrypt(nested, KEY, **DIR).decode()
    assert json.loads(b64url_decode(inner.split(".")[0]))["kid"] == "s1"
    assert decrypt_jwt(nested, KEY, **DIR, **_VERIFY) == {"scope": ["a", "b"]}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: encrypt_jwt({}, KEY, alg="dir", enc="A256GCM", sign_key=SIGNER),
         "pass both sign_key and sign_algorithm, or neither"),
        (lambda: encrypt_jwt([], KEY, alg="dir", enc="A256GCM"),  # type: ignore[arg-type]
         "the claims of a JWT must be a JSON object (a mapping)"),
        (lambda: encrypt_jwt({}, KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"}),
         'cty "JWT" announces a nested JWT: pass sign_key'),
        (lambda: _nested({}, headers={"cty": "other"}),
         'a nested JWT\'s JWE header must say cty "JWT"'),
        (lambda: decrypt_jwt("x", KEY, options={"verify_signature": False}, **DIR),
         "decrypt_jwt() always verifies; verify_signature cannot be off"),
        (lambda: decrypt_jwt("x", KEY, verify_key=SIGNER, **DIR),
         "pass both verify_key and verify_algorithms, or neither"),
    ],
)  # fmt: skip
def test_contradicting_arguments_are_refused_with_their_message(call: Any, message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=f"^{re.escape(message)}$"):
        call()


def test_a_downgrade_either_way_is_refused_with_its_message() -> None:
    message = "The JWE holds a signed JWT (cty JWT): pass verify_key and verify_algorithms"
    with pytest.raises(InvalidTokenError, match=f"^{re.escape(message)}$"):
        decrypt_jwt(_nested({}), KEY, **DIR)
    message = "A signed (nested) JWT was expected, but the JWE holds bare claims"
    with pytest.raises(InvalidTokenError, match=f"^{re.escape(message)}$"):
        decrypt_jwt(encrypt_jwt({}, KEY, alg="dir", enc="A256GCM"), KEY, **DIR, **_VERIFY)
