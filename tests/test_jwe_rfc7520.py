"""RFC 7520 §5 (all 13 JWE examples), §6 (nesting) and RFC 8037 A.6 (ECDH-ES with X25519),
on every backend: every output form decrypts, and with the example's CEK, IV, ephemeral key
and PBES2 salt injected (``_jwe_crypto.inject``, a test-only seam) encryption reproduces each
output byte for byte. RSA encryption is randomised (RFC 8017 §7.1, §7.2), so for RSA1_5 and
RSA-OAEP every part but the JWE Encrypted Key is compared, and our encrypted key must decrypt.

Vectors: tests/vectors/rfc7520 (the cookbook repository, see tests/vectors/README.md).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _jwe_support import XDH, okp_agreement_keys_load, require, require_okp_agreement_keys
from conftest import VECTORS

from jwtlite import jwe
from jwtlite._jwe_crypto import inject
from jwtlite.b64url import b64url_decode
from jwtlite.backends import Backend
from jwtlite.jwk import key_from_jwk
from jwtlite.keys import OKPPrivateKey, OKPPublicKey, load_key

FILES = sorted((VECTORS / "rfc7520" / "jwe").glob("*.json"))
X25519_FILE = VECTORS / "rfc7520" / "curve25519" / "ecdh-es.json"
NESTED_FILE = VECTORS / "rfc7520" / "6.nesting_signatures_and_encryption.json"
#: Header Parameters that key management writes; the rest are the caller's.
GENERATED = ("epk", "iv", "tag", "p2s")


def test_all_thirteen_examples_are_here() -> None:
    assert len(FILES) == 13
    assert X25519_FILE.exists()
    assert NESTED_FILE.exists()


def _load(path: Any) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _algs(vector: dict[str, Any]) -> list[str]:
    alg = vector["input"]["alg"]
    return alg if isinstance(alg, list) else [alg]


def _enc(vector: dict[str, Any]) -> str:
    # 5.13's input says "A128CBC-H256" (a typo of the cookbook); its header is right.
    protected = vector["encrypting_content"].get("protected", {})
    unprotected = vector["encrypting_content"].get("unprotected", {})
    return str(protected.get("enc") or unprotected.get("enc"))


def _keys(vector: dict[str, Any]) -> list[Any]:
    key = vector["input"].get("key") or vector["input"]["pwd"]
    return key if isinstance(key, list) else [key]


def _header(b64: str) -> dict[str, Any]:
    return json.loads(b64url_decode(b64))


def _own(header: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in header.items() if k not in GENERATED}


def _needs(vector: dict[str, Any], backend: Backend) -> None:
    x25519 = any(k.get("crv") == "X25519" for k in _keys(vector) if isinstance(k, dict))
    require(backend, _algs(vector), [_enc(vector)], XDH if x25519 else ())
    if x25519:
        require_okp_agreement_keys()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:5])
def test_every_output_decrypts(path: Any, backend: Backend) -> None:
    vector = _load(path)
    _needs(vector, backend)
    plaintext = vector["input"]["plaintext"].encode("utf-8")
    ran = 0
    for form, token in vector["output"].items():
        for key in _keys(vector):
            got = jwe.decrypt_complete(
                token, key, algorithms=_algs(vector), encryptions=[_enc(vector)]
            )
            assert got.plaintext == plaintext, form
            ran += 1
    assert ran == len(vector["output"]) * len(_keys(vector))


def test_the_x25519_example_decrypts(backend: Backend) -> None:
    vector = _load(X25519_FILE)
    _needs(vector, backend)
    for token in vector["output"].values():
        plaintext = jwe.decrypt(
            token, vector["input"]["key"], algorithms=["ECDH-ES"], encryptions=["A128GCM"]
        )
        assert plaintext == vector["input"]["plaintext"].encode("utf-8")


def _injected(vector: dict[str, Any], backend: Backend) -> dict[str, Any]:
    """The example's generated values, as ``inject`` takes them."""
    generated, keying = vector["generated"], vector.get("encrypting_key") or {}
    values: dict[str, Any] = {"iv": b64url_decode(generated["iv"])}
    if "cek" in generated:
        values["cek"] = b64url_decode(generated["cek"])
    for part in keying if isinstance(keying, list) else [keying]:
        if "salt" in part:
            values["p2s"] = b64url_decode(part["salt"])
        if "iv" in part:
            values["kw_iv"] = b64url_decode(part["iv"])
        if "epk" in part:
            values["epk"] = _ephemeral(part["epk"], backend)
    if "RSA1_5" in _algs(vector):
        values["rsa1_5"] = True  # jwtlite writes no RSA1_5 unless a test asks
    return values


def _ephemeral(epk: dict[str, Any], backend: Backend) -> Any:
    if epk["kty"] == "EC":
        return key_from_jwk(epk)
    # RFC 8037 A.6 in the cookbook lists a wrong "x" beside "d" (the header holds the right
    # one, which d gives), so the public half is computed here.
    d = b64url_decode(epk["d"])
    return OKPPrivateKey(epk["crv"], d, backend.xdh_public_key(epk["crv"], d))


def _randomised(vector: dict[str, Any]) -> bool:
    return any(alg.startswith("RSA") for alg in _algs(vector))


def _same_but_the_rsa_key(ours: dict[str, Any], theirs: dict[str, Any], rsa: bool) -> None:
    """Equal JSON JWEs; with RSA, the ``encrypted_key`` of RSA recipients set aside."""
    ours, theirs = dict(ours), dict(theirs)
    if rsa:
        for obj in (ours, theirs):
            for member in [obj, *obj.get("recipients", [])]:
                alg = {**_header(obj.get("protected", "e30")), **obj.get("unprotected", {}),
                       **member.get("header", {})}.get("alg", "")  # fmt: skip
                if alg.startswith("RSA"):
                    member.pop("encrypted_key", None)
    if "recipients" not in theirs and ours.get("recipients") == [{}]:
        # RFC 7520 §5.5.5 / §5.6.5 write the general form of a dir / ECDH-ES JWE without
        # "recipients"; RFC 7516 §7.2.1 has it hold one empty object, as ours does.
        del ours["recipients"]
    assert ours == theirs


def _reproduce_compact(vector: dict[str, Any], key: Any) -> str:
    protected = _header(vector["output"]["compact"].split(".")[0])
    alg, enc, zip = protected["alg"], protected["enc"], protected.get("zip")
    headers = {k: v for k, v in _own(protected).items() if k not in ("alg", "enc", "zip")}
    return jwe.encrypt(vector["input"]["plaintext"], key, alg=alg, enc=enc, headers=headers,
                       zip=zip)  # fmt: skip


def _reproduce_json(vector: dict[str, Any], form: str) -> dict[str, Any]:
    theirs = vector["output"][form]
    members = theirs.get("recipients") or [theirs]
    recipients = []
    for member, key in zip(members, _keys(vector)):
        own = _own(member.get("header", {}))
        joint = {**_header(theirs.get("protected", "e30")), **theirs.get("unprotected", {}), **own}
        recipients.append(jwe.Recipient(key, joint["alg"], own or None))
    protected = _own(_header(theirs["protected"])) if "protected" in theirs else None
    aad = b64url_decode(theirs["aad"]) if "aad" in theirs else None
    text = jwe.encrypt_json(
        vector["input"]["plaintext"], recipients, enc=_enc(vector), protected=protected,
        unprotected=theirs.get("unprotected"), aad=aad, flattened=form == "json_flat",
    )  # fmt: skip
    return json.loads(text)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name[:5])
def test_encryption_reproduces_the_example(path: Any, backend: Backend) -> None:
    vector = _load(path)
    _needs(vector, backend)
    rsa = _randomised(vector)
    compared = 0
    if "compact" in vector["output"]:
        with inject(**_injected(vector, backend)):
            ours = _reproduce_compact(vector, _keys(vector)[0])
        theirs = vector["output"]["compact"].split(".")
        parts = ours.split(".")
        assert parts[0] == theirs[0]  # the protected header, octet for octet
        assert parts[2:] == theirs[2:]  # IV, ciphertext, tag
        assert rsa or parts[1] == theirs[1]
        compared += 1
    for form in ("json", "json_flat"):
        if form in vector["output"]:
            with inject(**_injected(vector, backend)):
                _same_but_the_rsa_key(_reproduce_json(vector, form), vector["output"][form], rsa)
            compared += 1
    assert compared == len(vector["output"])
    if rsa:  # the randomised encrypted keys decrypt to the example's CEK: the content is equal
        with inject(**_injected(vector, backend)):
            token = _reproduce_compact(vector, _keys(vector)[0]) if "compact" in vector[
                "output"] else json.dumps(_reproduce_json(vector, "json"))  # fmt: skip
        for key in _keys(vector):
            encs = [_enc(vector)]
            plaintext = jwe.decrypt(token, key, algorithms=_algs(vector), encryptions=encs)
            assert plaintext == vector["input"]["plaintext"].encode("utf-8")


def test_encryption_reproduces_the_x25519_example(backend: Backend) -> None:
    vector = _load(X25519_FILE)
    require(backend, ["ECDH-ES"], ["A128GCM"], XDH)
    bob = OKPPublicKey("X25519", b64url_decode(vector["input"]["key"]["x"]))
    with inject(**_injected(vector, backend)):
        ours = jwe.encrypt(vector["input"]["plaintext"], bob, alg="ECDH-ES", enc="A128GCM",
                           headers={"kid": "Bob"})  # fmt: skip
    assert ours == vector["output"]["compact"]
    if okp_agreement_keys_load():
        back = jwe.decrypt(ours, vector["input"]["key"], algorithms=["ECDH-ES"],
                           encryptions=["A128GCM"])  # fmt: skip
        assert back == vector["input"]["plaintext"].encode("utf-8")


def test_the_nested_example_decrypts_and_reproduces(backend: Backend) -> None:
    vector = _load(NESTED_FILE)["encrypt"]
    require(backend, ["RSA-OAEP"], ["A128GCM"])
    jwk = vector["input"]["key"]
    jws = vector["input"]["plaintext"]
    for token in vector["output"].values():
        assert jwe.decrypt(token, jwk, algorithms=["RSA-OAEP"], encryptions=["A128GCM"]) == (
            jws.encode("ascii")
        )
    generated = vector["generated"]
    with inject(cek=b64url_decode(generated["cek"]), iv=b64url_decode(generated["iv"])):
        # The example's header has no kid: the key goes in as a key, not as a JWK with a kid.
        ours = jwe.encrypt(jws, load_key(jwk).public_key(), alg="RSA-OAEP", enc="A128GCM",
                           headers={"cty": "JWT"})  # fmt: skip
    theirs = vector["output"]["compact"].split(".")
    assert ours.split(".")[0] == theirs[0]
    assert ours.split(".")[2:] == theirs[2:]
    assert jwe.decrypt(ours, jwk, algorithms=["RSA-OAEP"], encryptions=["A128GCM"]) == (
        jws.encode("ascii")
    )
