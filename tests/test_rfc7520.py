"""RFC 7520 §4: the JOSE Cookbook JWS examples verify with the §3 JWKs, and §4.1 / §4.4 re-sign
to identical bytes (RSASSA-PKCS1-v1_5 and HMAC are deterministic), on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import VECTORS, load_vector

from jwtlite.api import PyJWS
from jwtlite.b64url import b64url_encode
from jwtlite.backends import Backend
from jwtlite.exceptions import InvalidSignatureError
from jwtlite.jwk import PyJWK, PyJWKSet, key_from_jwk

JWS_FILES = sorted(p.name for p in (VECTORS / "rfc7520" / "jws").glob("*.json"))


def _compact_tokens() -> list[tuple[str, str, str, dict[str, Any], bytes]]:
    """(example, alg, compact token, JWK, payload) for every signature with a protected alg.

    §4.1-4.5 give the compact form; for §4.6 and §4.8 it is rebuilt from the JSON form, which
    is exact because the signing input only covers the protected header. §4.7 and the ES512
    signature of §4.8 protect no header at all (their alg is unprotected), so they have no
    compact form and are not listed; tests/test_jws_json.py reads every example's JSON forms.
    """
    found = []
    for name in JWS_FILES:
        vector = load_vector(f"rfc7520/jws/{name}")
        payload = vector["input"]["payload"].encode("utf-8")
        keys = vector["input"]["key"]
        algs = vector["input"]["alg"]
        signing = vector["signing"]
        if isinstance(signing, dict):
            keys, algs, signing = [keys], [algs], [signing]
        for key, alg, step in zip(keys, algs, signing):
            if "protected_b64u" not in step:
                continue
            body = "" if name.startswith("4_5") else b64url_encode(payload)
            token = f"{step['protected_b64u']}.{body}.{step['sig']}"
            if "compact" in vector["output"]:
                assert token == vector["output"]["compact"]
            found.append((name, alg, token, key, payload))
    return found


TOKENS = _compact_tokens()


def test_every_example_with_a_protected_alg_is_covered() -> None:
    assert len(JWS_FILES) == 8
    assert [name[:3] for name, *_ in TOKENS] == [
        "4_1", "4_2", "4_3", "4_4", "4_5", "4_6", "4_8", "4_8",
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "alg", "token", "jwk", "payload"), TOKENS)
def test_examples_verify_with_the_rfc_keys(
    backend: Backend, name: str, alg: str, token: str, jwk: dict[str, Any], payload: bytes
) -> None:
    jws = PyJWS()
    detached = payload if name.startswith("4_5") else None
    kwargs: dict[str, Any] = {"detached_payload": detached} if detached else {}
    for key in (key_from_jwk(jwk), PyJWK(jwk), jwk, PyJWKSet([jwk])):
        assert jws.decode(token, key, algorithms=[alg], **kwargs) == payload
    header, body, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(InvalidSignatureError):
        jws.decode(f"{header}.{body}.{flipped}", jwk, algorithms=[alg], **kwargs)


@pytest.mark.parametrize(
    "name", ["4_1.rsa_v15_signature.json", "4_4.hmac-sha2_integrity_protection.json"]
)
def test_deterministic_examples_re_sign_identically(backend: Backend, name: str) -> None:
    vector = load_vector(f"rfc7520/jws/{name}")
    jwk = vector["input"]["key"]
    alg = vector["input"]["alg"]
    token = PyJWS().encode(
        vector["input"]["payload"].encode("utf-8"),
        key_from_jwk(jwk),
        algorithm=alg,
        headers={"kid": jwk["kid"], "typ": None},
    )
    assert token == vector["output"]["compact"]
    signing = vector["signing"]
    assert token.rsplit(".", 1)[0] == signing["sig-input"]
