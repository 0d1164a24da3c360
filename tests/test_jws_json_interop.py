"""JWS JSON documents exchanged with joserfc and jwcrypto, both ways, on every backend.

Each peer signs and jwtlite verifies, and jwtlite signs and the peer verifies: the general and
the flattened form, several signatures in one document, the RFC 9864 ``Ed25519``/``Ed448``
algorithms beside ``EdDSA``, RSA, RSA-PSS, ECDSA and HMAC, the unencoded payload of RFC 7797
(``b64: false``) and detached content. The peers are test-only dependencies
(requirements/test.txt); a release of a peer without an algorithm skips that case.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import key_pem

from jwtlite.b64url import b64url_encode
from jwtlite.backends import Backend
from jwtlite.exceptions import InvalidSignatureError
from jwtlite.jws import Signer, decode_json, encode_json
from jwtlite.keys import load_key

joserfc_jws = pytest.importorskip("joserfc.jws")
joserfc_jwk = pytest.importorskip("joserfc.jwk")
jwcrypto_jws = pytest.importorskip("jwcrypto.jws")
jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
jwcrypto_jwa = pytest.importorskip("jwcrypto.jwa")
joserfc_errors = pytest.importorskip("joserfc.errors")

# joserfc warns when "EdDSA" is used at all (RFC 9864 deprecates it); jwtlite still reads it.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated via RFC 9864")

SECRET = b"interop-secret-of-32-bytes-long!"
PAYLOAD = b'{"iss":"joe","msg":"caf\xc3\xa9"}'

#: alg -> the key file under tests/vectors/keys (None: the HMAC secret above).
ALGORITHMS: dict[str, str | None] = {
    "HS256": None,
    "RS256": "rsa2048.pem",
    "PS256": "rsa2048.pem",
    "ES256": "ec_p256.pem",
    "ES512": "ec_p521.pem",
    "EdDSA": "ed25519.pem",
    "Ed25519": "ed25519.pem",
    "Ed448": "ed448.pem",
}


def _ours(alg: str) -> Any:
    name = ALGORITHMS[alg]
    return SECRET if name is None else load_key(key_pem(name))


def _joserfc_key(alg: str, kid: str | None = None) -> Any:
    name = ALGORITHMS[alg]
    params = {"kid": kid} if kid else None
    if name is None:
        return joserfc_jwk.OctKey.import_key(SECRET, params)
    kind = {"rs": joserfc_jwk.RSAKey, "ec": joserfc_jwk.ECKey, "ed": joserfc_jwk.OKPKey}[name[:2]]
    return kind.import_key(key_pem(name), params)


def _jwcrypto_key(alg: str) -> Any:
    name = ALGORITHMS[alg]
    if name is None:
        return jwcrypto_jwk.JWK(kty="oct", k=b64url_encode(SECRET))
    return jwcrypto_jwk.JWK.from_pem(key_pem(name))


def _joserfc_has(alg: str) -> bool:
    return alg in joserfc_jws.JWSRegistry.algorithms


def _jwcrypto_has(alg: str) -> bool:
    try:
        jwcrypto_jwa.JWA.signing_alg(alg)
    except Exception:  # an older jwcrypto's way of saying "unknown"
        return False
    return True


def _joserfc_reads_unencoded() -> bool:
    """Whether this joserfc writes and reads ``b64: false`` in the JSON form as RFC 7797 says
    (1.0 refuses the header; 1.5 base64url-encodes the payload member anyway)."""
    member = [{"protected": {"alg": "HS256", "b64": False, "crit": ["b64"]}}]
    key = _joserfc_key("HS256")
    try:
        document = joserfc_jws.serialize_json(member, b"$.", key, algorithms=["HS256"])
        joserfc_jws.deserialize_json(document, key, algorithms=["HS256"])
    except Exception:  # older releases fail in several ways
        return False
    return document["payload"] == "$."


def _need(available: bool, peer: str, alg: str) -> None:
    if not available:
        pytest.skip(f"this {peer} release does not implement {alg}")


# --- joserfc ------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALGORITHMS)
@pytest.mark.parametrize("flattened", [False, True], ids=["general", "flattened"])
def test_joserfc_to_jwtlite(backend: Backend, alg: str, flattened: bool) -> None:
    _need(_joserfc_has(alg), "joserfc", alg)
    member = {"protected": {"alg": alg}, "header": {"kid": "k1"}}
    document = joserfc_jws.serialize_json(
        member if flattened else [member], PAYLOAD, _joserfc_key(alg), algorithms=[alg]
    )
    result = decode_json(json.dumps(document), _ours(alg), algorithms=[alg])
    assert result.payload == PAYLOAD
    assert result.signatures[0].jose_header == {"alg": alg, "kid": "k1"}


@pytest.mark.parametrize("alg", ALGORITHMS)
@pytest.mark.parametrize("flattened", [False, True], ids=["general", "flattened"])
def test_jwtlite_to_joserfc(backend: Backend, alg: str, flattened: bool) -> None:
    _need(_joserfc_has(alg), "joserfc", alg)
    signer = Signer(_ours(alg), alg, header={"kid": "k1"})
    document = encode_json(PAYLOAD, signer, flattened=flattened)
    verified = joserfc_jws.deserialize_json(document, _joserfc_key(alg), algorithms=[alg])
    assert verified.payload == PAYLOAD
    tampered = {**document, "payload": b64url_encode(b"other")}
    with pytest.raises(joserfc_errors.BadSignatureError):
        joserfc_jws.deserialize_json(tampered, _joserfc_key(alg), algorithms=[alg])


def test_several_signatures_with_joserfc(backend: Backend) -> None:
    algs = [a for a in ("Ed25519", "ES256", "RS256", "Ed448") if _joserfc_has(a)]
    assert len(algs) >= 2
    keys = joserfc_jwk.KeySet([_joserfc_key(alg, kid=alg) for alg in algs])
    jwks = {"keys": [key.as_dict(private=False) for key in keys.keys]}
    # joserfc signs, jwtlite verifies every signature with the public JWK Set.
    members = [{"protected": {"alg": alg}, "header": {"kid": alg}} for alg in algs]
    theirs = joserfc_jws.serialize_json(members, PAYLOAD, keys, algorithms=algs)
    result = decode_json(theirs, jwks, algorithms=algs)
    assert [s.jose_header["kid"] for s in result.signatures] == algs
    # jwtlite signs, joserfc (which requires every signature to verify) verifies.
    ours = encode_json(PAYLOAD, [Signer(_ours(alg), alg, protected={"kid": alg}) for alg in algs])
    assert joserfc_jws.deserialize_json(ours, keys, algorithms=algs).payload == PAYLOAD


@pytest.mark.parametrize("alg", ["HS256", "Ed25519"])
def test_unencoded_payload_with_joserfc(backend: Backend, alg: str) -> None:
    _need(_joserfc_has(alg), "joserfc", alg)
    _need(_joserfc_reads_unencoded(), "joserfc", "b64: false in the JSON form")
    payload = b"$.02 is not base64url"
    member = {"protected": {"alg": alg, "b64": False, "crit": ["b64"]}}
    theirs = joserfc_jws.serialize_json(member, payload, _joserfc_key(alg), algorithms=[alg])
    assert theirs["payload"] == payload.decode()
    assert decode_json(theirs, _ours(alg), algorithms=[alg]).payload == payload
    ours = encode_json(payload, Signer(_ours(alg), alg), b64=False)
    verified = joserfc_jws.deserialize_json(ours, _joserfc_key(alg), algorithms=[alg])
    assert verified.payload == payload


# --- jwcrypto -----------------------------------------------------------------------------------


def _jwcrypto_reader(document: dict[str, Any], algs: list[str]) -> Any:
    reader = jwcrypto_jws.JWS()
    reader.allowed_algs = algs
    reader.deserialize(json.dumps(document))
    return reader


@pytest.mark.parametrize("alg", ALGORITHMS)
@pytest.mark.parametrize("flattened", [False, True], ids=["general", "flattened"])
def test_jwcrypto_to_jwtlite(backend: Backend, alg: str, flattened: bool) -> None:
    _need(_jwcrypto_has(alg), "jwcrypto", alg)
    writer = jwcrypto_jws.JWS(PAYLOAD)
    writer.allowed_algs = [alg]
    writer.add_signature(_jwcrypto_key(alg), alg=alg, protected={"alg": alg}, header={"kid": "k"})
    document = json.loads(writer.serialize(compact=False))  # jwcrypto writes one as flattened
    if not flattened:
        entry = {k: document.pop(k) for k in ("protected", "header", "signature")}
        document["signatures"] = [entry]
    result = decode_json(document, _ours(alg), algorithms=[alg])
    assert result.payload == PAYLOAD
    assert result.signatures[0].unprotected == {"kid": "k"}


@pytest.mark.parametrize("alg", ALGORITHMS)
@pytest.mark.parametrize("flattened", [False, True], ids=["general", "flattened"])
def test_jwtlite_to_jwcrypto(backend: Backend, alg: str, flattened: bool) -> None:
    _need(_jwcrypto_has(alg), "jwcrypto", alg)
    document = encode_json(
        PAYLOAD, Signer(_ours(alg), alg, header={"kid": "k"}), flattened=flattened
    )
    reader = _jwcrypto_reader(document, [alg])
    reader.verify(_jwcrypto_key(alg))
    assert reader.payload == PAYLOAD
    tampered = _jwcrypto_reader({**document, "payload": b64url_encode(b"other")}, [alg])
    with pytest.raises(jwcrypto_jws.InvalidJWSSignature):
        tampered.verify(_jwcrypto_key(alg))


def test_several_signatures_with_jwcrypto(backend: Backend) -> None:
    algs = [a for a in ("Ed448", "ES512", "PS256", "Ed25519") if _jwcrypto_has(a)]
    assert len(algs) >= 2
    writer = jwcrypto_jws.JWS(PAYLOAD)
    writer.allowed_algs = algs
    for alg in algs:
        writer.add_signature(_jwcrypto_key(alg), alg=alg, protected={"alg": alg, "kid": alg})
    theirs = json.loads(writer.serialize(compact=False))
    assert len(theirs["signatures"]) == len(algs)
    jwks = {
        "keys": [{**_jwcrypto_key(alg).export_public(as_dict=True), "kid": alg} for alg in algs]
    }
    assert len(decode_json(theirs, jwks, algorithms=algs).signatures) == len(algs)
    # jwtlite signs; jwcrypto accepts a document when one signature verifies with its key.
    ours = encode_json(PAYLOAD, [Signer(_ours(alg), alg, header={"kid": alg}) for alg in algs])
    for alg in algs:
        reader = _jwcrypto_reader(ours, algs)
        reader.verify(_jwcrypto_key(alg))
        assert reader.payload == PAYLOAD


@pytest.mark.parametrize("alg", ["HS256", "Ed25519"])
def test_unencoded_and_detached_payload_with_jwcrypto(backend: Backend, alg: str) -> None:
    _need(_jwcrypto_has(alg), "jwcrypto", alg)
    text = "$.02 is not base64url"  # jwcrypto's JSON writer takes an unencoded payload as str
    writer = jwcrypto_jws.JWS(text)
    writer.allowed_algs = [alg]
    writer.add_signature(
        _jwcrypto_key(alg), alg=alg, protected={"alg": alg, "b64": False, "crit": ["b64"]}
    )
    theirs = json.loads(writer.serialize(compact=False))
    assert decode_json(theirs, _ours(alg), algorithms=[alg]).payload == text.encode()
    writer.detach_payload()  # jwcrypto then writes "payload": "", which counts as detached
    detached = json.loads(writer.serialize(compact=False))
    result = decode_json(detached, _ours(alg), algorithms=[alg], detached_payload=text.encode())
    assert result.payload == text.encode()
    with pytest.raises(InvalidSignatureError):
        decode_json(detached, _ours(alg), algorithms=[alg], detached_payload=b"other")
    for is_detached in (False, True):
        ours = encode_json(text.encode(), Signer(_ours(alg), alg), b64=False, detached=is_detached)
        reader = _jwcrypto_reader(ours, [alg])
        reader.verify(_jwcrypto_key(alg), detached_payload=text.encode() if is_detached else None)
        assert reader.is_valid
