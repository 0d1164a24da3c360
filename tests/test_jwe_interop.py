"""Interoperability with jwcrypto and joserfc (test-only dependencies): for every ``alg`` x
``enc`` each of them shares with jwtlite, a token jwtlite writes is read by the peer and a
token the peer writes is read by jwtlite, in the compact and the general JSON form.

Shared: the 17 ``alg`` of RFC 7518 (neither peer has RSA-OAEP-384/512) and the 6 ``enc``.
RSA1_5 goes one way only: jwtlite reads it (listed) but never writes it. X25519 keys are
exercised when X25519 JWKs load (issue 21's key-loading branch).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from _jwe_support import XDH, okp_agreement_keys_load, require
from conftest import key_pem

from jwtlite import jwe
from jwtlite._jwa import ENCRYPTIONS, JWE_ALGORITHMS
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.backends import Backend
from jwtlite.jwk import key_to_jwk
from jwtlite.keys import OKPPrivateKey, load_key

jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
jwcrypto_jwe = pytest.importorskip("jwcrypto.jwe")
joserfc_jwe = pytest.importorskip("joserfc.jwe")
joserfc_jwk = pytest.importorskip("joserfc.jwk")
joserfc_errors = pytest.importorskip("joserfc.errors")

SHARED_ALGS = [a for a in JWE_ALGORITHMS if a not in ("RSA-OAEP-384", "RSA-OAEP-512")]
ENCS = list(ENCRYPTIONS)
PAIRS = [(alg, enc) for alg in SHARED_ALGS for enc in ENCS]
PLAINTEXT = b"interop \xe2\x80\x93 plaintext"
PASSWORD = b"interop password"
RSA = load_key(key_pem("rsa2048.pem"))
P256 = load_key(key_pem("ec_p256.pem"))


def test_the_shared_matrix() -> None:
    assert len(SHARED_ALGS) == 17
    assert len(PAIRS) == 17 * 6


def _jwk_of(alg: str, enc: str, backend: Backend, curve: str) -> dict[str, Any]:
    """The private key for ``alg`` as a JWK, as every library reads it."""
    row = JWE_ALGORITHMS[alg]
    if row.family == "dir":
        return {"kty": "oct", "k": b64url_encode(bytes(range(ENCRYPTIONS[enc].key_bytes)))}
    if row.family in ("aes-kw", "aes-gcm-kw"):
        return {"kty": "oct", "k": b64url_encode(bytes(range(row.kek_bytes)))}
    if row.family == "pbes2":
        return {"kty": "oct", "k": b64url_encode(PASSWORD)}
    if row.ktys == ("RSA",):
        return key_to_jwk(RSA)
    if curve == "X25519":
        key = backend.generate_okp("X25519")
        return {"kty": "OKP", "crv": "X25519", "x": b64url_encode(key.x),
                "d": b64url_encode(key.d)}  # fmt: skip
    return key_to_jwk(P256)


def _ours(jwk: dict[str, Any], alg: str, *, public: bool) -> Any:
    """jwtlite's form of the key: the password itself for PBES2, a model key for X25519."""
    if JWE_ALGORITHMS[alg].family == "pbes2":
        return PASSWORD
    if jwk.get("crv") == "X25519":
        key = OKPPrivateKey("X25519", b64url_decode(jwk["d"]), b64url_decode(jwk["x"]))
        return key.public_key() if public else key
    return jwk


def _curves(alg: str) -> list[str]:
    return ["P-256", "X25519"] if alg.startswith("ECDH") else ["-"]


CASES = [(alg, enc, curve) for alg, enc in PAIRS for curve in _curves(alg)]


def _setup(alg: str, enc: str, curve: str, backend: Backend) -> dict[str, Any]:
    require(backend, [alg], [enc], XDH if curve == "X25519" else ())
    return _jwk_of(alg, enc, backend, curve)


# --- jwcrypto -----------------------------------------------------------------------------------


def _jwcrypto_algs(alg: str, enc: str) -> list[str]:
    return [alg, enc]


@pytest.mark.parametrize(("alg", "enc", "curve"), CASES)
def test_jwcrypto_reads_what_jwtlite_writes(
    alg: str, enc: str, curve: str, backend: Backend
) -> None:
    if alg == "RSA1_5":
        pytest.skip("jwtlite never writes RSA1_5")
    jwk = _setup(alg, enc, curve, backend)
    theirs = jwcrypto_jwk.JWK(**jwk)
    compact = jwe.encrypt(PLAINTEXT, _ours(jwk, alg, public=True), alg=alg, enc=enc)
    general = jwe.encrypt_json(PLAINTEXT, [jwe.Recipient(_ours(jwk, alg, public=True), alg)],
                               enc=enc, aad=b"aad")  # fmt: skip
    for token in (compact, general):
        reader = jwcrypto_jwe.JWE(algs=_jwcrypto_algs(alg, enc))
        reader.deserialize(token, key=theirs)
        assert reader.payload == PLAINTEXT


@pytest.mark.parametrize(("alg", "enc", "curve"), CASES)
def test_jwtlite_reads_what_jwcrypto_writes(
    alg: str, enc: str, curve: str, backend: Backend
) -> None:
    jwk = _setup(alg, enc, curve, backend)
    if curve == "X25519" and not okp_agreement_keys_load():
        pytest.skip("X25519/X448 JWKs (the epk) do not load yet (issue 21: key loading)")
    theirs = jwcrypto_jwk.JWK(**jwk)
    writer = jwcrypto_jwe.JWE(PLAINTEXT, protected=json.dumps({"alg": alg, "enc": enc}),
                              algs=_jwcrypto_algs(alg, enc))  # fmt: skip
    writer.add_recipient(theirs)
    for token in (writer.serialize(compact=True), writer.serialize()):
        got = jwe.decrypt(token, _ours(jwk, alg, public=False), algorithms=[alg],
                          encryptions=[enc])  # fmt: skip
        assert got == PLAINTEXT


# --- joserfc ------------------------------------------------------------------------------------


def _joserfc_key(jwk: dict[str, Any]) -> Any:
    kty = jwk["kty"]
    kind = {"oct": "OctKey", "RSA": "RSAKey", "EC": "ECKey", "OKP": "OKPKey"}[kty]
    return getattr(joserfc_jwk, kind).import_key(dict(jwk))


@pytest.mark.parametrize(("alg", "enc", "curve"), CASES)
def test_joserfc_reads_what_jwtlite_writes(
    alg: str, enc: str, curve: str, backend: Backend
) -> None:
    if alg == "RSA1_5":
        pytest.skip("jwtlite never writes RSA1_5")
    jwk = _setup(alg, enc, curve, backend)
    theirs = _joserfc_key(jwk)
    compact = jwe.encrypt(PLAINTEXT, _ours(jwk, alg, public=True), alg=alg, enc=enc)
    assert joserfc_jwe.decrypt_compact(compact, theirs, algorithms=[alg, enc]).plaintext == (
        PLAINTEXT
    )
    general = jwe.encrypt_json(PLAINTEXT, [jwe.Recipient(_ours(jwk, alg, public=True), alg)],
                               enc=enc, aad=b"aad")  # fmt: skip
    got = joserfc_jwe.decrypt_json(json.loads(general), theirs, algorithms=[alg, enc])
    assert got.plaintext == PLAINTEXT


@pytest.mark.parametrize(("alg", "enc", "curve"), CASES)
def test_jwtlite_reads_what_joserfc_writes(
    alg: str, enc: str, curve: str, backend: Backend
) -> None:
    jwk = _setup(alg, enc, curve, backend)
    if curve == "X25519" and not okp_agreement_keys_load():
        pytest.skip("X25519/X448 JWKs (the epk) do not load yet (issue 21: key loading)")
    theirs = _joserfc_key(jwk)
    with warnings.catch_warnings():
        # joserfc warns (SecurityWarning) when it writes RSA1_5, as it should.
        warnings.simplefilter("ignore", joserfc_errors.SecurityWarning)
        compact = joserfc_jwe.encrypt_compact({"alg": alg, "enc": enc}, PLAINTEXT, theirs,
                                              algorithms=[alg, enc])  # fmt: skip
        message = joserfc_jwe.GeneralJSONEncryption({"enc": enc}, PLAINTEXT, aad=b"aad")
        message.add_recipient({"alg": alg}, theirs)
        general = joserfc_jwe.encrypt_json(message, None, algorithms=[alg, enc])
    for token in (compact, general):
        got = jwe.decrypt(token, _ours(jwk, alg, public=False), algorithms=[alg],
                          encryptions=[enc])  # fmt: skip
        assert got == PLAINTEXT
