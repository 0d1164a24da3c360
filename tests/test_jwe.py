"""``jwtlite.jwe``: round trips for every alg x enc, allow-lists, key choice, header rules,
the JSON forms, zip, and one error for every decryption failure. Hostile inputs with time
bounds are in test_jwe_hostile.py; the RFC examples in test_jwe_rfc7520.py/test_jwe_crypto.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from _jwe_support import XDH, missing_methods, require
from conftest import key_pem

import jwtlite
from jwtlite import jwe
from jwtlite._cache import cache_sizes
from jwtlite._jwa import ENCRYPTIONS, JWE_ALGORITHMS
from jwtlite._jwe_crypto import content_encrypt, inject
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.backends import Backend, get_backend
from jwtlite.exceptions import (
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidTokenError,
    JWEDecryptionError,
    JWEParseError,
    UnsupportedAlgorithmError,
    UnusableKeyError,
)
from jwtlite.jwk import PyJWK, PyJWKSet, key_to_jwk
from jwtlite.keys import load_key

RSA = load_key(key_pem("rsa2048.pem"))
RSA_B = load_key(key_pem("rsa2048_b.pem"))
EC = {crv: load_key(key_pem(f"ec_{crv.replace('-', '').lower()}.pem")) for crv in
      ("P-256", "P-384", "P-521")}  # fmt: skip
PASSWORD = "correct horse battery staple"
ALL_ENCS = list(ENCRYPTIONS)


def _secret(size: int, fill: int = 7) -> bytes:
    return bytes([fill]) * size


def _keys_for(alg: str, enc: str, backend: Backend) -> tuple[Any, Any]:
    """(encryption key, decryption key) for one alg."""
    row = JWE_ALGORITHMS[alg]
    if row.family == "dir":
        return _secret(ENCRYPTIONS[enc].key_bytes), _secret(ENCRYPTIONS[enc].key_bytes)
    if row.family in ("aes-kw", "aes-gcm-kw"):
        return _secret(row.kek_bytes), _secret(row.kek_bytes)
    if row.family == "pbes2":
        return PASSWORD, PASSWORD
    if row.ktys == ("RSA",):
        return RSA.public_key(), RSA
    return EC["P-384"].public_key(), EC["P-384"]


ROUND_TRIPS = [(alg, enc) for alg in JWE_ALGORITHMS if alg != "RSA1_5" for enc in ALL_ENCS]


@pytest.mark.parametrize(("alg", "enc"), ROUND_TRIPS)
def test_every_alg_and_enc_round_trip(alg: str, enc: str, backend: Backend) -> None:
    require(backend, [alg], [enc])
    public, private = _keys_for(alg, enc, backend)
    token = jwe.encrypt(b"hello \xe2\x80\x99 world", public, alg=alg, enc=enc, headers={"cty": "x"})
    got = jwe.decrypt_complete(token, private, algorithms=[alg], encryptions=[enc])
    assert got.plaintext == b"hello \xe2\x80\x99 world"
    assert (got.header["alg"], got.header["enc"], got.header["cty"]) == (alg, enc, "x")
    assert got.protected == got.header
    assert (got.aad, got.recipient) == (None, 0)
    assert len(ROUND_TRIPS) == 18 * 6


@pytest.mark.parametrize("curve", ["P-256", "P-521", "X25519", "X448"])
def test_ecdh_on_every_curve(curve: str, backend: Backend) -> None:
    okp = curve.startswith("X")
    require(backend, ["ECDH-ES+A128KW"], ["A128GCM"], XDH if okp else ())
    private = backend.generate_okp(curve) if okp else EC[curve]
    for alg in ("ECDH-ES", "ECDH-ES+A128KW"):
        token = jwe.encrypt("x", private.public_key(), alg=alg, enc="A128GCM")
        epk = jwe.decrypt_complete(
            token, private, algorithms=[alg], encryptions=["A128GCM"]
        ).header["epk"] if not okp else json.loads(b64url_decode(token.split(".")[0]))["epk"]
        assert epk["crv"] == curve
        assert "d" not in epk  # only the public half of the ephemeral key is sent


def test_apu_and_apv_enter_the_key_derivation(backend: Backend) -> None:
    require(backend, ["ECDH-ES"], ["A128GCM"])
    key = EC["P-256"]
    token = jwe.encrypt(b"x", key.public_key(), alg="ECDH-ES", enc="A128GCM",
                        headers={"apu": b64url_encode(b"Alice"), "apv": b64url_encode(b"Bob")})
    assert jwe.decrypt(token, key, algorithms=["ECDH-ES"], encryptions=["A128GCM"]) == b"x"
    with pytest.raises(InvalidArgumentError, match="base64url"):
        jwe.encrypt(b"x", key.public_key(), alg="ECDH-ES", enc="A128GCM", headers={"apu": "a="})
    with pytest.raises(InvalidArgumentError, match='"apu" does not apply'):
        jwe.encrypt(b"x", bytes(16), alg="A128KW", enc="A128GCM", headers={"apu": "QQ"})


# --- allow-lists and algorithms -----------------------------------------------------------------

TOKEN_KEY = _secret(16)


def _kw_token(**kwargs: Any) -> str:
    return jwe.encrypt(b"payload", TOKEN_KEY, alg="A128KW", enc="A128GCM", **kwargs)


@pytest.mark.parametrize(
    ("algorithms", "encryptions", "message"),
    [
        (None, ["A128GCM"], 'needs a non-empty "algorithms" list'),
        ([], ["A128GCM"], 'needs a non-empty "algorithms" list'),
        (["A128KW"], None, 'needs a non-empty "encryptions" list'),
        (["A128KW"], (), 'needs a non-empty "encryptions" list'),
        (["A128KW", "HS256"], ["A128GCM"], "unknown JWE algorithms: 'HS256'"),
        (["A128KW"], ["A128GCM", "A128KW"], "unknown JWE encryptions: 'A128KW'"),
    ],
)
def test_both_allow_lists_are_required_and_checked(
    algorithms: Any, encryptions: Any, message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        jwe.decrypt(_kw_token(), TOKEN_KEY, algorithms=algorithms, encryptions=encryptions)


def test_alg_and_enc_must_be_allowed(backend: Backend) -> None:
    require(backend, ["A128KW", "dir"], ["A128GCM"])
    token = _kw_token()
    with pytest.raises(InvalidAlgorithmError, match="The JWE alg 'A128KW' is not allowed"):
        jwe.decrypt(token, TOKEN_KEY, algorithms=["A256KW"], encryptions=["A128GCM"])
    with pytest.raises(InvalidAlgorithmError, match="The JWE enc 'A128GCM' is not allowed"):
        jwe.decrypt(token, TOKEN_KEY, algorithms=["A128KW"], encryptions=["A256GCM"])
    assert jwe.decrypt(token, TOKEN_KEY, algorithms="A128KW", encryptions="A128GCM") == b"payload"


def test_rsa1_5_is_never_written_and_read_only_when_listed(backend: Backend) -> None:
    require(backend, ["RSA1_5", "RSA-OAEP"], ["A128GCM"])
    with pytest.raises(InvalidAlgorithmError, match="RSA1_5 is for decrypting legacy tokens"):
        jwe.encrypt(b"x", RSA.public_key(), alg="RSA1_5", enc="A128GCM")
    with inject(rsa1_5=True):
        legacy = jwe.encrypt(b"x", RSA.public_key(), alg="RSA1_5", enc="A128GCM")
    with pytest.raises(InvalidAlgorithmError):
        jwe.decrypt(legacy, RSA, algorithms=["RSA-OAEP"], encryptions=["A128GCM"])
    assert jwe.decrypt(legacy, RSA, algorithms=["RSA1_5"], encryptions=["A128GCM"]) == b"x"


def test_unknown_names_are_refused_on_encryption() -> None:
    with pytest.raises(UnsupportedAlgorithmError, match="Unsupported JWE alg: 'A128KWX'"):
        jwe.encrypt(b"x", TOKEN_KEY, alg="A128KWX", enc="A128GCM")
    with pytest.raises(UnsupportedAlgorithmError, match="Unsupported JWE enc: 'HS256'"):
        jwe.encrypt(b"x", TOKEN_KEY, alg="A128KW", enc="HS256")


# --- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("alg", "enc", "size", "message"),
    [
        ("dir", "A256GCM", 16, "dir with A256GCM needs a 32-byte key, not 16 bytes"),
        ("dir", "A128CBC-HS256", 16, "needs a 32-byte key"),
        ("A128KW", "A128GCM", 32, "A128KW needs a 16-byte key, not 32 bytes"),
        ("A256GCMKW", "A128GCM", 16, "A256GCMKW needs a 32-byte key"),
    ],
)
def test_oct_keys_have_exact_lengths(alg: str, enc: str, size: int, message: str) -> None:
    with pytest.raises(InvalidKeyError, match=message):
        jwe.encrypt(b"x", _secret(size), alg=alg, enc=enc)


def test_a_key_too_short_for_the_token_is_the_token_s_problem(backend: Backend) -> None:
    require(backend, ["dir"], ["A256GCM"])
    token = jwe.encrypt(b"x", _secret(32), alg="dir", enc="A256GCM")
    with pytest.raises(UnusableKeyError, match="needs a 32-byte key") as caught:
        jwe.decrypt(token, _secret(16), algorithms=["dir"], encryptions=["A128GCM", "A256GCM"])
    assert isinstance(caught.value, InvalidTokenError)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("a" * 16, "pass the A128KW key as bytes, not str"),
        (key_pem("rsa2048.pem"), "key material"),
        (b"", "is empty"),
        (12, "needs a key as bytes, not int"),
        (RSA, "needs a key as bytes, not RSAPrivateKey"),
    ],
)
def test_symmetric_keys_must_be_octets(key: Any, message: str) -> None:
    with pytest.raises(InvalidKeyError, match=message):
        jwe.encrypt(b"x", key, alg="A128KW", enc="A128GCM")


def test_asymmetric_algorithms_refuse_secrets_and_small_or_wrong_keys() -> None:
    with pytest.raises(InvalidKeyError, match="RSA-OAEP needs an asymmetric key"):
        jwe.encrypt(b"x", b"0123456789abcdef", alg="RSA-OAEP", enc="A128GCM")
    with pytest.raises(InvalidKeyError, match="needs an RSA key of 2048 bits or more"):
        jwe.encrypt(b"x", load_key(key_pem("rsa1024.pem")), alg="RSA-OAEP", enc="A128GCM")
    with pytest.raises(InvalidKeyError, match="an EC P-256 key cannot be used for RSA-OAEP"):
        jwe.encrypt(b"x", EC["P-256"], alg="RSA-OAEP", enc="A128GCM")
    with pytest.raises(InvalidKeyError, match="cannot be used for ECDH-ES"):
        jwe.encrypt(b"x", load_key(key_pem("ec_secp256k1.pem")), alg="ECDH-ES", enc="A128GCM")
    with pytest.raises(InvalidKeyError, match="cannot be used for ECDH-ES"):
        jwe.encrypt(b"x", load_key(key_pem("ed25519.pem")), alg="ECDH-ES", enc="A128GCM")


def test_a_public_key_cannot_decrypt_and_pem_works(backend: Backend) -> None:
    require(backend, ["RSA-OAEP-256"], ["A256GCM"])
    token = jwe.encrypt(b"x", key_pem("rsa2048.pem"), alg="RSA-OAEP-256", enc="A256GCM")
    with pytest.raises(UnusableKeyError, match="a public key cannot decrypt"):
        jwe.decrypt(token, RSA.public_key(), algorithms=["RSA-OAEP-256"], encryptions=["A256GCM"])
    pem = key_pem("rsa2048.pem")
    assert jwe.decrypt(token, pem, algorithms=["RSA-OAEP-256"], encryptions=["A256GCM"]) == b"x"


def _jwk(key: Any, **meta: Any) -> dict[str, Any]:
    if isinstance(key, bytes):
        return {"kty": "oct", "k": b64url_encode(key), **meta}
    return key_to_jwk(key, **meta)


def test_jwk_sets_choose_by_kid_and_the_token_carries_it(backend: Backend) -> None:
    require(backend, ["RSA-OAEP-256"], ["A128GCM"])
    jwks = {"keys": [_jwk(RSA, kid="a", alg="RSA-OAEP-256"), _jwk(RSA_B, kid="b", use="enc")]}
    token = jwe.encrypt(b"x", jwks, alg="RSA-OAEP-256", enc="A128GCM", headers={"kid": "b"})
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header["kid"] == "b"
    dec = {"algorithms": ["RSA-OAEP-256"], "encryptions": ["A128GCM"]}
    assert jwe.decrypt(token, jwks, **dec) == b"x"
    assert jwe.decrypt(token, PyJWKSet(jwks["keys"]), **dec) == b"x"
    # The key's own kid goes into the header when the caller names none.
    token = jwe.encrypt(b"x", _jwk(RSA, kid="a"), alg="RSA-OAEP-256", enc="A128GCM")
    assert json.loads(b64url_decode(token.split(".")[0]))["kid"] == "a"
    with pytest.raises(UnusableKeyError, match='No key in the JWK Set has kid "zz"'):
        jwe.decrypt(_kw_token(headers={"kid": "zz"}), jwks, algorithms=["A128KW"],
                    encryptions=["A128GCM"])  # fmt: skip


def test_a_jwk_set_keeps_jwe_keys_among_its_skipped_members(backend: Backend) -> None:
    """PyJWT's PyJWK has no JWE algorithms: the set skips such members; jwe reads them."""
    require(backend, ["A128KW"], ["A128GCM"])
    member = _jwk(TOKEN_KEY, kid="w", alg="A128KW", use="enc")
    keyset = PyJWKSet([member, _jwk(_secret(32, 1), kid="s", alg="HS256")])
    assert [k.key_id for k in keyset.keys] == ["s"]
    token = _kw_token(headers={"kid": "w"})
    assert jwe.decrypt(token, keyset, algorithms=["A128KW"], encryptions=["A128GCM"]) == b"payload"
    # A PyJWK without alg may serve; the dir key is labelled with the enc it serves (RFC 7520).
    assert jwe.decrypt(token, PyJWK(_jwk(TOKEN_KEY)), algorithms=["A128KW"],
                       encryptions=["A128GCM"]) == b"payload"  # fmt: skip
    dir_key = _jwk(_secret(16), alg="A128GCM")
    sealed = jwe.encrypt(b"d", dir_key, alg="dir", enc="A128GCM")
    assert jwe.decrypt(sealed, dir_key, algorithms=["dir"], encryptions=["A128GCM"]) == b"d"


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"use": "sig"}, "the key's \"use\" is 'sig', not \"enc\""),
        ({"key_ops": ["encrypt", "wrapKey"]}, "allow none of decrypt, unwrapKey"),
        ({"alg": "A192KW"}, "the key is for A192KW only, not A128KW"),
        ({"alg": "A128GCM"}, "the key is for A128GCM only, not A128KW"),
    ],
)
def test_jwk_metadata_binds_the_key(meta: dict[str, Any], message: str, backend: Backend) -> None:
    require(backend, ["A128KW"], ["A128GCM"])
    with pytest.raises(UnusableKeyError, match=message):
        jwe.decrypt(_kw_token(), _jwk(TOKEN_KEY, **meta), algorithms=["A128KW"],
                    encryptions=["A128GCM"])  # fmt: skip
    good = _jwk(TOKEN_KEY, use="enc", key_ops=["unwrapKey"], alg="A128KW")
    assert jwe.decrypt(_kw_token(), good, algorithms=["A128KW"], encryptions=["A128GCM"])


def test_a_jwk_s_alg_stops_a_downgrade_to_rsa1_5(backend: Backend) -> None:
    require(backend, ["RSA1_5", "RSA-OAEP-256"], ["A128GCM"])
    with inject(rsa1_5=True):
        legacy = jwe.encrypt(b"x", RSA.public_key(), alg="RSA1_5", enc="A128GCM")
    bound = _jwk(RSA, alg="RSA-OAEP-256")
    with pytest.raises(UnusableKeyError, match="the key is for RSA-OAEP-256 only"):
        jwe.decrypt(legacy, bound, algorithms=["RSA1_5", "RSA-OAEP-256"], encryptions=["A128GCM"])


def test_without_a_kid_only_a_unique_fit_is_used(backend: Backend) -> None:
    require(backend, ["A128KW"], ["A128GCM"])
    two = {"keys": [_jwk(TOKEN_KEY), _jwk(_secret(16, 9))]}
    with pytest.raises(UnusableKeyError, match="2 JWKs fit and the token has no kid"):
        jwe.decrypt(_kw_token(), two, algorithms=["A128KW"], encryptions=["A128GCM"])
    one = {"keys": [_jwk(TOKEN_KEY), _jwk(_secret(32, 9))]}  # one key has A128KW's length
    assert jwe.decrypt(_kw_token(), one, algorithms=["A128KW"], encryptions=["A128GCM"])


# --- header rules -----------------------------------------------------------------------------


def _json_token(**changes: Any) -> dict[str, Any]:
    token = json.loads(jwe.encrypt_json(b"p", [jwe.Recipient(TOKEN_KEY, "A128KW")], enc="A128GCM"))
    token.update(changes)
    return token


def _decrypt(token: Any, key: Any = TOKEN_KEY) -> bytes:
    return jwe.decrypt(token, key, algorithms=["A128KW", "dir"], encryptions=["A128GCM"])


def test_duplicate_header_names_are_refused(backend: Backend) -> None:
    require(backend, ["A128KW"], ["A128GCM"])
    token = _json_token(unprotected={"enc": "A128GCM"})
    with pytest.raises(JWEParseError, match="'enc' occurs in more than one JWE header"):
        _decrypt(token)
    token = _json_token(unprotected={"alg": "A128KW"})  # the recipient's header has it too
    with pytest.raises(JWEParseError, match="'alg' occurs in more than one"):
        _decrypt(token)
    with pytest.raises(InvalidArgumentError, match="'cty' is in two JWE headers"):
        jwe.encrypt_json(b"p", [jwe.Recipient(TOKEN_KEY, "A128KW", {"cty": "a"})],
                         enc="A128GCM", unprotected={"cty": "b"})  # fmt: skip


def test_zip_and_crit_must_be_protected(backend: Backend) -> None:
    require(backend, ["A128KW"], ["A128GCM"])
    for name, value in (("zip", "DEF"), ("crit", ["x"])):
        with pytest.raises(JWEParseError, match=f'"{name}" Header Parameter must be in the prot'):
            _decrypt(_json_token(unprotected={name: value, "x": 1}))


@pytest.mark.parametrize(
    ("crit", "message"),
    [
        (["exp"], "Unsupported critical extension: exp"),
        (["enc"], "a registered name"),
        ([], "must be a non-empty list"),
        (["exp", "exp"], "values must be unique"),
        (["nope"], "'nope' is missing from headers"),
    ],
)
def test_crit_is_honoured(crit: Any, message: str, backend: Backend) -> None:
    require(backend, ["dir"], ["A128GCM"])
    header = {"alg": "dir", "enc": "A128GCM", "crit": crit, "exp": 1}
    token = _forge(header, _secret(16))
    with pytest.raises(JWEParseError, match=message):
        _decrypt(token, _secret(16))


def _forge(header: dict[str, Any], cek: bytes, plaintext: bytes = b"p", **parts: bytes) -> str:
    """A dir/A128GCM compact JWE under any protected header (a test-only producer)."""
    protected = b64url_encode(json.dumps(header).encode())
    iv = parts.get("iv", bytes(12))
    ciphertext, tag = content_encrypt(ENCRYPTIONS["A128GCM"], cek, iv, plaintext,
                                      protected.encode())  # fmt: skip
    values = [parts.get("key", b""), iv, parts.get("ciphertext", ciphertext), parts.get("tag", tag)]
    return ".".join([protected, *(b64url_encode(v) for v in values)])


def test_the_producer_s_header_is_checked() -> None:
    with pytest.raises(InvalidArgumentError, match='headers\\["alg"\\] contradicts'):
        _kw_token(headers={"alg": "dir"})
    with pytest.raises(InvalidArgumentError, match="epk, p2s: key management writes these"):
        _kw_token(headers={"epk": {}, "p2s": "x"})
    with pytest.raises(InvalidArgumentError, match="Key ID header parameter must be a string"):
        _kw_token(headers={"kid": 1})
    with pytest.raises(InvalidArgumentError, match="a registered name"):
        _kw_token(headers={"crit": ["alg"]})
    with pytest.raises(InvalidArgumentError, match='"p2c" header parameter must be an integer'):
        jwe.encrypt(b"x", "pw", alg="PBES2-HS256+A128KW", enc="A128GCM", headers={"p2c": 999})
    with pytest.raises(InvalidArgumentError, match="zip must be None or"):
        _kw_token(zip="GZIP")


def test_a_producer_s_own_critical_extension_is_written(backend: Backend) -> None:
    require(backend, ["A128KW"], ["A128GCM"])
    token = _kw_token(headers={"crit": ["urn:x"], "urn:x": True})
    with pytest.raises(JWEParseError, match="Unsupported critical extension: urn:x"):
        _decrypt(token)


# --- JSON serializations --------------------------------------------------------------------


def test_several_recipients_with_shared_and_own_headers(backend: Backend) -> None:
    require(backend, ["A128KW", "RSA-OAEP-256", "ECDH-ES+A256KW", "PBES2-HS256+A128KW"],
            ["A256CBC-HS512"])  # fmt: skip
    recipients = [
        jwe.Recipient(TOKEN_KEY, "A128KW", {"kid": "kw"}),
        jwe.Recipient(RSA.public_key(), "RSA-OAEP-256", {"kid": "rsa"}),
        jwe.Recipient(EC["P-521"].public_key(), "ECDH-ES+A256KW", {"kid": "ec"}),
        jwe.Recipient(PASSWORD, "PBES2-HS256+A128KW"),
    ]
    text = jwe.encrypt_json(b"many", recipients, enc="A256CBC-HS512", protected={"cty": "t"},
                            unprotected={"jku": "https://x"}, aad=b"extra")  # fmt: skip
    token = json.loads(text)
    assert [r["header"]["alg"] for r in token["recipients"]] == [r.alg for r in recipients]
    assert "epk" in token["recipients"][2]["header"]
    assert set(token["recipients"][3]["header"]) == {"alg", "p2s", "p2c"}
    algs = ["A128KW", "RSA-OAEP-256", "ECDH-ES+A256KW", "PBES2-HS256+A128KW"]
    for index, key in enumerate([TOKEN_KEY, RSA, EC["P-521"], PASSWORD]):
        got = jwe.decrypt_complete(text, key, algorithms=algs, encryptions=["A256CBC-HS512"])
        assert (got.plaintext, got.aad, got.recipient) == (b"many", b"extra", index)
        assert got.header["jku"] == "https://x"
        assert got.protected == {"cty": "t", "enc": "A256CBC-HS512"}
    token["aad"] = b64url_encode(b"Extra")
    with pytest.raises(JWEDecryptionError):
        jwe.decrypt(token, TOKEN_KEY, algorithms=algs, encryptions=["A256CBC-HS512"])


def test_no_recipient_decrypts_gives_the_error_that_says_most(backend: Backend) -> None:
    require(backend, ["A128KW", "A256KW"], ["A128GCM"])
    both = [jwe.Recipient(TOKEN_KEY, "A128KW"), jwe.Recipient(_secret(32), "A256KW")]
    text = jwe.encrypt_json(b"x", both, enc="A128GCM")
    dec = {"encryptions": ["A128GCM"]}
    with pytest.raises(JWEDecryptionError):  # both tried with the wrong 16-byte key
        jwe.decrypt(text, _secret(16, 1), algorithms=["A128KW", "A256KW"], **dec)
    with pytest.raises(UnusableKeyError):  # the 32-byte key fits no A128KW recipient
        jwe.decrypt(text, _secret(32, 1), algorithms=["A128KW"], **dec)
    with pytest.raises(InvalidAlgorithmError):
        jwe.decrypt(text, TOKEN_KEY, algorithms=["A192KW"], **dec)


def test_flattened_and_general_forms(backend: Backend) -> None:
    require(backend, ["dir", "A128KW"], ["A128GCM"])
    flat = json.loads(jwe.encrypt_json(b"f", [jwe.Recipient(_secret(16), "dir")], enc="A128GCM",
                                       flattened=True))  # fmt: skip
    assert set(flat) == {"protected", "header", "iv", "ciphertext", "tag"}
    assert jwe.decrypt(flat, _secret(16), algorithms=["dir"], encryptions=["A128GCM"]) == b"f"
    with pytest.raises(InvalidArgumentError, match="takes 1 to 16 recipients"):
        jwe.encrypt_json(b"f", [], enc="A128GCM")
    with pytest.raises(InvalidArgumentError, match="they admit one recipient only"):
        jwe.encrypt_json(b"f", [jwe.Recipient(_secret(16), "dir")] * 2, enc="A128GCM")
    with pytest.raises(JWEParseError, match='"recipients" or a top-level'):
        _decrypt(_json_token(header={"alg": "A128KW"}))
    with pytest.raises(JWEParseError, match='"protected" member must not be empty'):
        _decrypt(_json_token(protected=""))
    with pytest.raises(JWEParseError, match='"recipients" member must be a non-empty array'):
        _decrypt(_json_token(recipients=[]))
    with pytest.raises(JWEParseError, match='The JWE "iv" member must be a string'):
        _decrypt(_json_token(iv=1))


def test_the_encrypted_key_of_dir_must_be_empty(backend: Backend) -> None:
    require(backend, ["dir"], ["A128GCM"])
    token = _forge({"alg": "dir", "enc": "A128GCM"}, _secret(16), key=b"\x01")
    with pytest.raises(JWEParseError, match="Encrypted Key must be empty for dir"):
        _decrypt(token, _secret(16))


# --- zip ----------------------------------------------------------------------------------------


def test_zip_round_trip_and_cap(backend: Backend) -> None:
    require(backend, ["dir"], ["A128GCM"])
    text = b"abc" * 10_000
    token = jwe.encrypt(text, _secret(16), alg="dir", enc="A128GCM", zip="DEF")
    assert len(token) < 1000
    dec = {"algorithms": ["dir"], "encryptions": ["A128GCM"]}
    assert jwe.decrypt(token, _secret(16), **dec) == text
    assert jwe.decrypt(token, _secret(16), max_decompressed_size=30_000, **dec) == text
    with pytest.raises(JWEParseError, match="inflates to more than 29999 bytes"):
        jwe.decrypt(token, _secret(16), max_decompressed_size=29_999, **dec)
    not_deflate = _forge({"alg": "dir", "enc": "A128GCM", "zip": "DEF"}, _secret(16), b"\xff\xff")
    with pytest.raises(JWEParseError, match="not DEFLATE data"):
        jwe.decrypt(not_deflate, _secret(16), **dec)
    truncated = _forge({"alg": "dir", "enc": "A128GCM", "zip": "DEF"}, _secret(16), b"\x4b\x4c")
    with pytest.raises(JWEParseError, match="not one complete DEFLATE stream"):
        jwe.decrypt(truncated, _secret(16), **dec)
    other = _forge({"alg": "dir", "enc": "A128GCM", "zip": "GZ"}, _secret(16))
    with pytest.raises(JWEParseError, match="Unsupported JWE zip"):
        jwe.decrypt(other, _secret(16), **dec)


# --- one error for every decryption failure ---------------------------------------------------


def _failures(backend: Backend) -> list[tuple[str, Any, Any]]:
    """(what, token, key): tokens that fail in different steps, all after parsing."""
    key = _secret(16)
    good = jwe.encrypt(b"secret", key, alg="A128KW", enc="A128CBC-HS256").split(".")
    wrong_key = _secret(16, 8)
    tag = b64url_decode(good[4])
    bad_tag = ".".join([*good[:4], b64url_encode(bytes([tag[0] ^ 1]) + tag[1:])])
    cbc = backend.aes_key_wrap(key, _secret(32, 3))
    # A valid wrap of a 16-byte CEK for a 32-byte enc: the CEK length check.
    short = backend.aes_key_wrap(key, _secret(16, 3))
    return [
        ("unwrap", ".".join(good), wrong_key),
        ("tag", bad_tag, key),
        ("cek length", ".".join([good[0], b64url_encode(short), *good[2:]]), key),
        ("other cek", ".".join([good[0], b64url_encode(cbc), *good[2:]]), key),
    ]


def test_every_decryption_failure_is_one_error_with_one_message(backend: Backend) -> None:
    require(backend, ["A128KW"], ["A128CBC-HS256"])
    messages = set()
    cases = _failures(backend)
    for what, token, key in cases:
        with pytest.raises(JWEDecryptionError) as caught:
            jwe.decrypt(token, key, algorithms=["A128KW"], encryptions=["A128CBC-HS256"])
        assert type(caught.value) is JWEDecryptionError, what
        assert caught.value.__cause__ is None, what
        assert caught.value.__context__ is None, what
        messages.add(str(caught.value))
    assert messages == {"Decryption failed"}
    assert len(cases) == 4


def test_the_rsa1_5_countermeasure_makes_padding_failures_look_like_tag_failures(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RFC 7516 §11.5: a bad padding, a wrong-length CEK and a right one with a wrong tag all
    reach content decryption with a CEK of the right length, and fail alike."""
    require(backend, ["RSA1_5"], ["A128GCM"])
    with inject(rsa1_5=True):
        parts = jwe.encrypt(b"x", RSA.public_key(), alg="RSA1_5", enc="A128GCM").split(".")
    seen: list[int] = []
    real = jwe.content_decrypt

    def spy(enc: Any, cek: bytes, *args: Any) -> bytes | None:
        seen.append(len(cek))
        return real(enc, cek, *args)

    monkeypatch.setattr(jwe, "content_decrypt", spy)
    k = (RSA.n.bit_length() + 7) // 8
    wrong_length = backend.rsa_pkcs1v15_encrypt(RSA.public_key(), bytes(24))
    tokens = [
        ".".join([parts[0], b64url_encode(bytes(k)), *parts[2:]]),  # not PKCS #1 at all
        ".".join([parts[0], b64url_encode(wrong_length), *parts[2:]]),
        ".".join([*parts[:4], b64url_encode(bytes(16))]),  # the real CEK, a wrong tag
    ]
    for token in tokens:
        with pytest.raises(JWEDecryptionError, match=r"^Decryption failed$"):
            jwe.decrypt(token, RSA, algorithms=["RSA1_5"], encryptions=["A128GCM"])
    assert seen == [16, 16, 16]


def test_the_injection_seam_refuses_unknown_names_and_wrong_sizes() -> None:
    with pytest.raises(InvalidArgumentError, match="cannot inject"), inject(nonce=b""):
        pass  # pragma: no cover
    with inject(cek=b"short"), pytest.raises(InvalidArgumentError, match="cek must be 16 bytes"):
        _kw_token()


def test_the_helpers_know_which_backends_lack_primitives() -> None:
    pytest.importorskip("cryptography")
    assert missing_methods(get_backend("cryptography"), JWE_ALGORITHMS, ENCRYPTIONS) == []


def test_prepared_keys_are_kept_per_key_object_and_cleared(backend: Backend) -> None:
    require(backend, ["A128KW", "dir"], ["A128GCM", "A256GCM"])
    jwtlite.clear_caches()
    key = bytes(range(16))
    kw = jwe.encrypt(b"a", key, alg="A128KW", enc="A128GCM")
    direct = jwe.encrypt(b"b", key, alg="dir", enc="A128GCM")
    for _ in range(3):
        assert jwe.decrypt(kw, key, algorithms=["A128KW"], encryptions=["A128GCM"]) == b"a"
        assert jwe.decrypt(direct, key, algorithms=["dir"], encryptions=["A128GCM"]) == b"b"
    assert cache_sizes()["prepared JWE keys"][0] == 1  # one key object, four uses of it
    with pytest.raises(InvalidKeyError, match="needs a 32-byte key"):  # still checked per use
        jwe.encrypt(b"c", key, alg="dir", enc="A256GCM")
    jwtlite.clear_caches()
    assert cache_sizes()["prepared JWE keys"][0] == 0


# --- pinned by mutation testing (docs/architecture.md) ---------------------------------------


def _dir_token(header: dict[str, Any], body: bytes) -> str:
    """A ``dir`` A128GCM JWE with this protected header over ``body``, as a producer who
    skipped the checks of jwe.encrypt would write it."""
    protected = b64url_encode(json.dumps(header).encode())
    iv = bytes(12)
    ciphertext, tag = content_encrypt(ENCRYPTIONS["A128GCM"], _secret(16), iv, body,
                                      protected.encode("ascii"))  # fmt: skip
    return ".".join([protected, "", *(b64url_encode(part) for part in (iv, ciphertext, tag))])


_DIR = {"algorithms": ["dir"], "encryptions": ["A128GCM"]}


def test_encrypt_json_compresses_when_asked() -> None:
    text = "a" * 1000
    token = json.loads(jwe.encrypt_json(text, [(_secret(16), "dir")], enc="A128GCM", zip="DEF"))
    assert json.loads(b64url_decode(token["protected"]))["zip"] == "DEF"
    assert len(b64url_decode(token["ciphertext"])) < 100
    assert jwe.decrypt(token, _secret(16), **_DIR) == text.encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"\xff\xff", 'The JWE content is not DEFLATE data (zip: "DEF")'),
        (b"\x03\x00junk", 'The JWE content is not one complete DEFLATE stream (zip: "DEF")'),
    ],
)
def test_content_that_does_not_inflate_is_refused_with_its_message(
    body: bytes, message: str
) -> None:
    token = _dir_token({"alg": "dir", "enc": "A128GCM", "zip": "DEF"}, body)
    with pytest.raises(JWEParseError, match=f"^{re.escape(message)}$"):
        jwe.decrypt(token, _secret(16), **_DIR)


def test_an_unsupported_zip_is_named_up_to_20_characters() -> None:
    for value, shown in (("GZIP", "GZIP"), ("Z" * 30, "Z" * 20)):
        token = _dir_token({"alg": "dir", "enc": "A128GCM", "zip": value}, b"x")
        with pytest.raises(JWEParseError, match=f"^Unsupported JWE zip: '{shown}'$"):
            jwe.decrypt(token, _secret(16), **_DIR)


def test_a_refused_alg_is_named_up_to_40_characters() -> None:
    alg = "A" * 50
    token = _dir_token({"alg": alg, "enc": "A128GCM"}, b"x")
    with pytest.raises(InvalidAlgorithmError, match=f"^The JWE alg '{'A' * 40}' is not allowed$"):
        jwe.decrypt(token, _secret(16), **_DIR)


def test_every_unknown_allow_list_name_is_listed() -> None:
    token = jwe.encrypt(b"x", _secret(16), alg="dir", enc="A128GCM")
    message = "unknown JWE algorithms: 'x', 'y'"
    with pytest.raises(InvalidArgumentError, match=f"^{re.escape(message)}$"):
        jwe.decrypt(token, _secret(16), algorithms=["x", "y"], encryptions=["A128GCM"])
    with pytest.raises(InvalidArgumentError, match=r"^unknown JWE algorithms: \['dir'\]$"):
        jwe.decrypt(token, _secret(16), algorithms=[["dir"]], encryptions=["A128GCM"])


def test_the_allow_list_cache_is_keyed_by_lists_and_tuples_only() -> None:
    # A str is one name, not its characters: no other iterable may find its checked set.
    token = jwe.encrypt(b"x", _secret(16), alg="dir", enc="A128GCM")
    assert jwe.decrypt(token, _secret(16), algorithms="dir", encryptions="A128GCM") == b"x"
    with pytest.raises(InvalidArgumentError, match=r"^unknown JWE algorithms: 'd', 'i', 'r'$"):
        jwe.decrypt(token, _secret(16), algorithms=dict.fromkeys("dir"), encryptions="A128GCM")


def test_a_second_recipient_is_tried_after_the_first_fails() -> None:
    recipients = [jwe.Recipient(_secret(16, n), "A128KW", {"kid": str(n)}) for n in (1, 2)]
    token = jwe.encrypt_json(b"x", recipients, enc="A128GCM")
    decrypt = {"algorithms": ["A128KW"], "encryptions": ["A128GCM"]}
    assert jwe.decrypt(token, _secret(16, 2), **decrypt) == b"x"
    # Failures of one rank: the first recipient's is the one raised.
    keys = PyJWKSet.from_dict(
        {"keys": [{"kty": "oct", "k": b64url_encode(_secret(16)), "kid": "c"}]}
    )
    with pytest.raises(UnusableKeyError, match=r'^No key in the JWK Set has kid "1"$'):
        jwe.decrypt(token, keys, **decrypt)


def test_a_recipient_s_repr_names_the_key_type_only() -> None:
    recipient = jwe.Recipient(_secret(16), "dir", {"kid": "k"})
    assert repr(recipient) == "Recipient(key=<bytes>, alg='dir', header={'kid': 'k'})"


def test_text_that_is_not_utf8_raises_jwtlite_errors() -> None:
    # str.encode("utf-8") of a lone surrogate raised UnicodeEncodeError.
    with pytest.raises(InvalidArgumentError, match="plaintext is not valid text"):
        jwe.encrypt("\ud800", bytes(32), alg="dir", enc="A256GCM")
    with pytest.raises(InvalidArgumentError, match="not valid text"):
        jwe.encrypt_json(b"x", [(bytes(32), "dir")], enc="A256GCM", aad="\udcff")
    with pytest.raises(InvalidKeyError, match="PBES2 password is not valid text"):
        jwe.encrypt(b"x", "pw\ud800", alg="PBES2-HS256+A128KW", enc="A128GCM")


# --- the producer's refusals, text for text (mutation testing of _jwe_produce) ----------------


def _refusal(func: Any, *args: Any, error: type[Exception] = InvalidArgumentError,
             **kwargs: Any) -> str:  # fmt: skip
    with pytest.raises(error) as info:
        func(*args, **kwargs)
    assert type(info.value) is error
    return str(info.value)


def test_the_producer_s_refusals_of_compact_arguments() -> None:
    enc = {"alg": "A128KW", "enc": "A128GCM"}
    unsupported = UnsupportedAlgorithmError
    assert _refusal(jwe.encrypt, b"x", TOKEN_KEY, alg="A1KW", enc="A128GCM",
                    error=unsupported) == "Unsupported JWE alg: 'A1KW'"  # fmt: skip
    assert _refusal(jwe.encrypt, b"x", TOKEN_KEY, alg="A128KW", enc="A1GCM",
                    error=unsupported) == "Unsupported JWE enc: 'A1GCM'"  # fmt: skip
    assert _refusal(jwe.encrypt, b"x", RSA, alg="RSA1_5", enc="A128GCM",
                    error=InvalidAlgorithmError) == (
        "RSA1_5 is for decrypting legacy tokens only; use RSA-OAEP-256"
    )  # fmt: skip
    assert _refusal(_kw_token, headers={"alg": "dir"}) == (
        "headers[\"alg\"] contradicts alg='A128KW'"
    )
    assert _refusal(_kw_token, headers={"enc": "A256GCM"}) == (
        "headers[\"enc\"] contradicts enc='A128GCM'"
    )
    assert _refusal(_kw_token, headers={"zip": "DEF"}) == 'headers["zip"] contradicts zip=None'
    assert _refusal(_kw_token, headers={"iv": "x", "tag": "y", "epk": {}}) == (
        "epk, iv, tag: key management writes these"
    )
    for name in ("p2c", "apu", "apv"):
        assert _refusal(_kw_token, headers={name: "AA"}) == f'"{name}" does not apply to A128KW'
    assert _refusal(jwe.encrypt, b"x", TOKEN_KEY, **enc, headers={"kid": 5}) == (
        "Key ID header parameter must be a string"
    )
    for headers in (["kid"], {1: "x"}):
        assert _refusal(_kw_token, headers=headers) == (
            "headers must be a mapping of header names to values"
        )
    assert _refusal(jwe.encrypt, 5, TOKEN_KEY, **enc) == (
        "the plaintext and AAD must be bytes or str, not int"
    )
    assert _refusal(_kw_token, zip="def") == (
        "zip must be None or \"DEF\" (RFC 7516 §4.1.3), not 'def'"
    )
    assert _refusal(_kw_token, headers={"x": {1, 2}}).startswith(
        "a JWE header is not JSON-serialisable: "
    )


@pytest.mark.parametrize("family", ["ECDH-ES", "ECDH-ES+A128KW"])
def test_apu_and_apv_must_be_base64url(family: str, backend: Backend) -> None:
    require(backend, [family], ["A128GCM"])
    key = EC["P-256"].public_key()
    for name in ("apu", "apv"):
        assert _refusal(jwe.encrypt, b"x", key, alg=family, enc="A128GCM",
                        headers={name: "a+b"}) == (
            f'"{name}" must be base64url: Invalid base64url: character outside the URL-safe'
            " alphabet"
        )  # fmt: skip
    token = jwe.encrypt(b"x", key, alg=family, enc="A128GCM", headers={"apu": "QQ", "apv": "Qg"})
    assert jwe.decrypt(token, EC["P-256"], algorithms=[family], encryptions=["A128GCM"]) == b"x"


def test_a_producer_s_crit_is_checked_with_its_own_names_understood() -> None:
    assert _refusal(_kw_token, headers={"crit": ["urn:x"]}) == (
        "Critical extension 'urn:x' is missing from headers"
    )
    for crit in ("urn:x", [1], ["urn:x", 5]):
        assert _refusal(_kw_token, headers={"crit": crit, "urn:x": 1}) == (
            "Invalid 'crit' header: must be a non-empty list of strings"
        )


def test_the_producer_s_refusals_of_json_arguments() -> None:
    kw = jwe.Recipient(TOKEN_KEY, "A128KW")
    gcm = {"enc": "A128GCM"}
    encrypt_json = jwe.encrypt_json
    assert _refusal(encrypt_json, b"x", iter([kw]), **gcm) == (
        "recipients must be a list of Recipient"
    )
    for recipients in ([], [kw] * 17):
        assert _refusal(encrypt_json, b"x", recipients, **gcm) == (
            "encrypt_json() takes 1 to 16 recipients"
        )
        assert _refusal(encrypt_json, b"x", recipients[:2], **gcm, flattened=True) == (
            "encrypt_json() takes one recipient"
        )
    for bad in ((TOKEN_KEY,), (TOKEN_KEY, "A128KW", None, None), [TOKEN_KEY, "A128KW"]):
        assert _refusal(encrypt_json, b"x", [bad], **gcm) == (
            "each recipient is a Recipient(key, alg, header=None)"
        )
    assert _refusal(encrypt_json, b"x", [(TOKEN_KEY, "A128KW", ["kid"])], **gcm) == (
        "a recipient's header must be a mapping of header names to values"
    )
    assert _refusal(encrypt_json, b"x", [kw], **gcm, protected="x") == (
        "protected must be a mapping of header names to values"
    )
    assert _refusal(encrypt_json, b"x", [kw], **gcm, unprotected=[1]) == (
        "unprotected must be a mapping of header names to values"
    )
    once = '"zip" belongs in the protected header, once (RFC 7516 §4.1.3)'
    assert _refusal(encrypt_json, b"x", [kw], **gcm, unprotected={"zip": "DEF"}) == once
    assert _refusal(encrypt_json, b"x", [kw], **gcm, zip="DEF", protected={"zip": "GZ"}) == once
    assert _refusal(encrypt_json, b"x", [(TOKEN_KEY, "A128KW", {"zip": "DEF"})], **gcm) == (
        '"zip" belongs in the protected header (RFC 7516 §4.1.3)'
    )
    for where in ("protected", "unprotected"):
        assert _refusal(encrypt_json, b"x", [kw], **gcm, **{where: {"enc": "A256GCM"}}) == (
            "the header names another enc than 'A128GCM'"
        )
        assert _refusal(encrypt_json, b"x", [kw], **gcm, **{where: {"alg": "dir"}}) == (
            "the header says alg 'dir', not 'A128KW'"
        )
    assert _refusal(encrypt_json, b"x", [(TOKEN_KEY, "A128KW", {"alg": "A256KW"})], **gcm) == (
        "the header says alg 'A256KW', not 'A128KW'"
    )
    both = [jwe.Recipient(TOKEN_KEY, "A128GCMKW"), jwe.Recipient(TOKEN_KEY, "A128GCMKW")]
    assert _refusal(encrypt_json, b"x", both, **gcm, unprotected={"alg": "A128GCMKW"}) == (
        "with several recipients, each alg goes in its own header"
    )
    assert _refusal(encrypt_json, b"x", [(TOKEN_KEY, "A128KW", {"cty": 1, "typ": 2})], **gcm,
                    protected={"typ": 3, "cty": 4}) == (
        "Header Parameter 'cty' is in two JWE headers"
    )  # fmt: skip


def test_the_json_producer_writes_each_member_where_it_belongs(backend: Backend) -> None:
    require(backend, ["A128KW", "dir"], ["A128GCM"])
    dec = {"encryptions": ["A128GCM"]}
    # Sixteen recipients are allowed (MAX_RECIPIENTS); each gets its own header and key.
    many = json.loads(jwe.encrypt_json(b"16", [jwe.Recipient(TOKEN_KEY, "A128KW")] * 16,
                                       enc="A128GCM"))  # fmt: skip
    assert len(many["recipients"]) == 16
    assert all(set(r) == {"header", "encrypted_key"} for r in many["recipients"])
    assert jwe.decrypt(many, TOKEN_KEY, algorithms=["A128KW"], **dec) == b"16"
    # The alg in the shared header: no recipient header; the enc where the caller put it.
    both = {"alg": "A128KW", "enc": "A128GCM"}
    shared = json.loads(jwe.encrypt_json(b"s", [(TOKEN_KEY, "A128KW")], enc="A128GCM",
                                         unprotected=both))  # fmt: skip
    assert set(shared) == {"unprotected", "recipients", "iv", "ciphertext", "tag"}
    assert shared["unprotected"] == both
    assert set(shared["recipients"][0]) == {"encrypted_key"}
    assert jwe.decrypt(shared, TOKEN_KEY, algorithms=["A128KW"], **dec) == b"s"
    # dir: no encrypted_key member; zip given once, in both places, is written once.
    direct = json.loads(jwe.encrypt_json(b"d" * 50, [(_secret(16), "dir")], enc="A128GCM",
                                         zip="DEF", protected={"zip": "DEF"},
                                         aad="extra"))  # fmt: skip
    assert direct["recipients"] == [{"header": {"alg": "dir"}}]
    assert json.loads(b64url_decode(direct["protected"])) == {"zip": "DEF", "enc": "A128GCM"}
    assert direct["aad"] == b64url_encode(b"extra")
    got = jwe.decrypt_complete(direct, _secret(16), algorithms=["dir"], **dec)
    assert (got.plaintext, got.aad) == (b"d" * 50, b"extra")
    # A JWK's kid is written after the alg in the recipient's header.
    jwk = {"kty": "oct", "k": b64url_encode(TOKEN_KEY), "kid": "k1"}
    keyed = json.loads(jwe.encrypt_json(b"k", [(jwk, "A128KW", {"cty": "c"})], enc="A128GCM"))
    assert list(keyed["recipients"][0]["header"]) == ["alg", "kid", "cty"]


def _oct(fill: int, kid: str) -> dict[str, str]:
    return {"kty": "oct", "k": b64url_encode(bytes([fill]) * 16), "kid": kid}


def _protected(token: str) -> list[tuple[str, Any]]:
    return list(json.loads(b64url_decode(token.split(".", maxsplit=1)[0])).items())


def test_the_chosen_jwk_s_kid_is_written_after_the_alg_unless_the_caller_named_one(
    backend: Backend,
) -> None:
    require(backend, ["A128KW"], ["A128GCM"])
    a, b = _oct(1, "a"), _oct(2, "b")
    kw = {"alg": "A128KW", "enc": "A128GCM"}
    compact = jwe.encrypt(b"x", a, **kw)
    assert _protected(compact) == [("alg", "A128KW"), ("kid", "a"), ("enc", "A128GCM")]
    assert jwe.decrypt(compact, bytes([1]) * 16, algorithms=["A128KW"],
                       encryptions=["A128GCM"]) == b"x"  # fmt: skip
    # The caller's kid stays, even beside a single JWK of another kid.
    named = jwe.encrypt(b"x", a, **kw, headers={"kid": "b", "cty": "c"})
    assert _protected(named) == [("alg", "A128KW"), ("kid", "b"), ("cty", "c"),
                                 ("enc", "A128GCM")]  # fmt: skip
    own = json.loads(jwe.encrypt_json(b"x", [(a, "A128KW", {"kid": "b"})], enc="A128GCM"))
    assert own["recipients"][0]["header"] == {"alg": "A128KW", "kid": "b"}
    # In a JWK Set, the kid of any of the three headers chooses the key.
    keys = {"keys": [a, b]}
    dec = {"algorithms": ["A128KW"], "encryptions": ["A128GCM"]}
    for where in ("protected", "unprotected"):
        text = jwe.encrypt_json(b"s", [(keys, "A128KW")], enc="A128GCM", **{where: {"kid": "b"}})
        assert jwe.decrypt(text, bytes([2]) * 16, **dec) == b"s"
        assert "header" in json.loads(text)["recipients"][0]
    text = jwe.encrypt_json(b"s", [(keys, "A128KW", {"kid": "b"})], enc="A128GCM")
    assert jwe.decrypt(text, bytes([2]) * 16, **dec) == b"s"
    assert json.loads(text)["recipients"][0]["header"] == {"alg": "A128KW", "kid": "b"}


def test_the_shared_headers_take_part_in_key_management(backend: Backend) -> None:
    require(backend, ["PBES2-HS256+A128KW"], ["A128GCM"])
    # p2c is the producer's choice wherever it stands; key management reads all three headers.
    for where in ("protected", "unprotected"):
        text = jwe.encrypt_json(b"p", [(PASSWORD, "PBES2-HS256+A128KW")], enc="A128GCM",
                                **{where: {"p2c": 2000}})  # fmt: skip
        token = json.loads(text)
        assert set(token["recipients"][0]["header"]) == {"alg", "p2s"}
        got = jwe.decrypt_complete(text, PASSWORD, algorithms=["PBES2-HS256+A128KW"],
                                   encryptions=["A128GCM"])  # fmt: skip
        assert (got.plaintext, got.header["p2c"]) == (b"p", 2000)


def test_dir_with_a_second_recipient_is_refused_by_name() -> None:
    both = [jwe.Recipient(_secret(16), "dir"), jwe.Recipient(TOKEN_KEY, "A128KW")]
    assert _refusal(jwe.encrypt_json, b"f", both, enc="A128GCM") == (
        "dir and ECDH-ES fix the CEK: they admit one recipient only"
    )


def test_one_recipient_s_key_management_parameters_follow_its_alg_into_a_shared_header(
    backend: Backend,
) -> None:
    require(backend, ["A128GCMKW"], ["A128GCM"])
    for where in ("protected", "unprotected"):
        text = jwe.encrypt_json(b"g", [(TOKEN_KEY, "A128GCMKW")], enc="A128GCM",
                                **{where: {"alg": "A128GCMKW", "cty": "c"}})  # fmt: skip
        token = json.loads(text)
        shared = token[where] if where == "unprotected" else json.loads(
            b64url_decode(token["protected"]))  # fmt: skip
        assert list(shared)[:4] == ["alg", "tag", "iv", "cty"]  # RFC 7520 §5.7.3's order
        assert "header" not in token["recipients"][0]
        got = jwe.decrypt(text, TOKEN_KEY, algorithms=["A128GCMKW"], encryptions=["A128GCM"])
        assert got == b"g"


def test_a_compact_header_s_kid_follows_the_alg_wherever_the_caller_put_it(
    backend: Backend,
) -> None:
    require(backend, ["A128KW"], ["A128GCM"])
    token = _kw_token(headers={"cty": "c", "kid": "k"})
    assert _protected(token) == [("alg", "A128KW"), ("kid", "k"), ("cty", "c"),
                                 ("enc", "A128GCM")]  # fmt: skip
    # A kid of None is no kid: it is not written.
    token = _kw_token(headers={"kid": None, "cty": "c"})
    assert _protected(token) == [("alg", "A128KW"), ("cty", "c"), ("enc", "A128GCM")]


def test_key_management_parameters_follow_the_kid_and_the_iv_is_the_drawn_one(
    backend: Backend,
) -> None:
    require(backend, ["A128GCMKW"], ["A128GCM"])
    # RFC 7520 §5.7's order: the parameters key management writes follow the kid.
    iv = bytes(range(12))
    with inject(iv=iv):
        token = jwe.encrypt(b"x", TOKEN_KEY, alg="A128GCMKW", enc="A128GCM",
                            headers={"kid": "k", "cty": "c"})  # fmt: skip
    assert [name for name, _ in _protected(token)] == ["alg", "kid", "tag", "iv", "cty", "enc"]
    # The content IV is the one drawn under the name "iv" (the key wrap's is "kw_iv").
    assert b64url_decode(token.split(".")[2]) == iv
    with inject(iv=iv, kw_iv=bytes(12)):
        text = jwe.encrypt_json(b"x", [(TOKEN_KEY, "A128GCMKW", {"kid": "k"})], enc="A128GCM")
    token_json = json.loads(text)
    assert b64url_decode(token_json["iv"]) == iv
    header = token_json["recipients"][0]["header"]
    assert list(header) == ["alg", "kid", "tag", "iv"]
    assert b64url_decode(header["iv"]) == bytes(12)
