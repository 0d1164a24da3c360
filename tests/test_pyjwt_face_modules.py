"""The smaller modules of jwtlite's PyJWT face: install_as_pyjwt in this process (with
``sys.modules`` restored afterwards), api_jwk, jwk_set_cache, help, utils and the algorithm
classes' argument checks."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator

import pytest

import jwtlite
from jwtlite import jwk as native_jwk
from jwtlite.pyjwt import algorithms, api_jwk, help, jwk_set_cache, utils
from jwtlite.pyjwt._install import install_as_pyjwt

HAS_CRYPTOGRAPHY = algorithms.has_crypto
SECRET = "a-32-byte-long-secret-for-hs256!"


def _jwt_names() -> list[str]:
    return [name for name in sys.modules if name == "jwt" or name.startswith("jwt.")]


@pytest.fixture
def no_jwt_module() -> Iterator[None]:
    saved = {name: sys.modules.pop(name) for name in _jwt_names()}
    try:
        yield
    finally:
        for name in _jwt_names():
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.mark.usefixtures("no_jwt_module")
def test_install_in_process() -> None:
    jwtlite.install_as_pyjwt()
    face = sys.modules["jwt"]
    assert face is sys.modules["jwtlite.pyjwt"]
    assert sys.modules["jwt.utils"] is utils
    install_as_pyjwt()  # idempotent
    assert len(_jwt_names()) == 12


@pytest.mark.usefixtures("no_jwt_module")
def test_install_refuses_a_different_submodule() -> None:
    sys.modules["jwt.utils"] = types.ModuleType("jwt.utils")
    with pytest.raises(jwtlite.ModuleConflictError, match=r"'jwt\.utils'"):
        install_as_pyjwt()
    assert "jwt" not in sys.modules  # nothing was registered


def _jwk(kid: str, alg: str = "ES256") -> dict[str, object]:
    public = jwtlite.generate_key(alg).public_key()
    return {**algorithms.ECAlgorithm.to_jwk(public, as_dict=True), "kid": kid}


def test_pyjwk_and_set() -> None:
    data = _jwk("a")
    jwk = api_jwk.PyJWK.from_json(json.dumps(data))
    assert (jwk.key_id, jwk.key_type, jwk.algorithm_name) == ("a", "EC", "ES256")
    assert isinstance(jwk.Algorithm, algorithms.ECAlgorithm)
    assert api_jwk.PyJWK.from_dict(data).key_id == "a"
    assert "PyJWK" in repr(jwk)
    keyset = api_jwk.PyJWKSet.from_json(json.dumps({"keys": [data, _jwk("b")]}))
    assert [k.key_id for k in keyset] == ["a", "b"]
    assert len(keyset) == 2
    assert keyset["b"].key_id == "b"
    with pytest.raises(KeyError):
        keyset["c"]
    assert api_jwk.PyJWKSet([data]).keys[0].key_id == "a"
    assert api_jwk.PyJWKSet.wrap(keyset) is keyset
    assert api_jwk.native_key(keyset) is keyset._native
    assert api_jwk.native_key(SECRET) is SECRET
    assert "PyJWKSet" in repr(keyset)


def test_a_face_pyjwk_signs_and_verifies_through_the_engine() -> None:
    private = jwtlite.generate_key("ES256")
    data = {**algorithms.ECAlgorithm.to_jwk(private, as_dict=True), "kid": "k", "alg": "ES256"}
    jwk = api_jwk.PyJWK(data)
    token = jwtlite.pyjwt.encode({"sub": "a"}, jwk)  # the JWK names its algorithm
    assert jwtlite.get_unverified_header(token)["alg"] == "ES256"
    keyset = api_jwk.PyJWKSet([{k: v for k, v in data.items() if k != "d"}])
    assert jwtlite.pyjwt.decode(token, keyset["k"], algorithms=["ES256"]) == {"sub": "a"}
    with pytest.raises(jwtlite.InvalidSignatureError):
        jwtlite.pyjwt.decode(token[:-4] + "AAAA", keyset["k"], algorithms=["ES256"])


def test_jwk_set_cache() -> None:
    cache = jwk_set_cache.JWKSetCache(300)
    assert cache.get() is None
    assert not cache.is_expired()
    cache.put({"keys": [_jwk("a")]})
    first = cache.get()
    assert isinstance(first, api_jwk.PyJWKSet)
    assert cache.get() is first
    assert cache.jwk_set_with_timestamp is not None
    face_set = api_jwk.PyJWKSet([_jwk("b")])
    cache.put(face_set)
    assert cache.get() is face_set
    cache.put(native_jwk.PyJWKSet([_jwk("c")]))
    assert [k.key_id for k in cache.get().keys] == ["c"]  # type: ignore[union-attr]
    cache.lifespan = 0
    assert cache.lifespan == 0
    assert cache.is_expired()
    assert cache.get() is None
    with pytest.raises(jwtlite.PyJWKSetError, match="Invalid JWK Set value"):
        cache.put("not a set")  # type: ignore[arg-type]
    cache.put(None)
    assert cache.jwk_set_with_timestamp is None


def test_pyjwt_set_with_timestamp() -> None:
    keyset = api_jwk.PyJWKSet([_jwk("a")])
    stamped = api_jwk.PyJWTSetWithTimestamp(keyset)
    assert stamped.get_jwk_set() is keyset
    assert stamped.get_timestamp() > 0


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    info = help.info()
    assert info["pyjwt"]["version"] == "2.15.1"  # the PyJWT API the face follows
    assert info["jwtlite"]["version"] == jwtlite.__version__
    assert jwtlite.pyjwt.__version__ == "2.15.1"
    assert jwtlite.pyjwt.__jwtlite_version__ == jwtlite.__version__
    assert set(info) == {"platform", "implementation", "cryptography", "pyjwt", "jwtlite"}
    assert bool(info["cryptography"]["version"]) is HAS_CRYPTOGRAPHY
    help.main()
    assert json.loads(capsys.readouterr().out) == info


def test_utils_edges() -> None:
    assert utils.number_to_bytes(1, 3) == b"\x00\x00\x01"
    assert utils.bytes_to_number(b"\x01\x00") == 256
    assert utils.bytes_from_int(255, bit_length=16) == b"\x00\xff"
    with pytest.raises(ValueError, match="does not fit"):
        utils.bytes_from_int(256, bit_length=8)
    with pytest.raises(TypeError):
        utils.to_base64url_uint(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="DER"):
        utils.der_to_raw_signature(b"\x02\x01\x01", types.SimpleNamespace(key_size=256))
    with pytest.raises(TypeError):
        utils.raw_to_der_signature(b"", object())
    assert utils.is_ssh_key(b"ssh-ed25519 AAAA")
    assert not utils.is_ssh_key(b"ssh-foo AAAA")
    pem = jwtlite.keys.dump_pem(jwtlite.generate_key("ES256").public_key()).encode()
    assert utils.is_pem_format(pem)
    assert not utils.is_pem_format(b"-----BEGIN PUBLIC KEY-----" * 3)
    assert utils.force_bytes("é") == b"\xc3\xa9"


def test_algorithm_argument_checks() -> None:
    with pytest.raises(TypeError, match="hash"):
        algorithms.HMACAlgorithm(object())
    hs = algorithms.HMACAlgorithm(algorithms.HMACAlgorithm.SHA512)
    with pytest.raises(TypeError, match="string or bytes"):
        hs.prepare_key(3)
    assert hs.prepare_key(SECRET) == SECRET.encode()
    rs = algorithms.RSAAlgorithm(algorithms.RSAAlgorithm.SHA256)
    with pytest.raises(TypeError, match="PEM"):
        rs.prepare_key(None)
    with pytest.raises(jwtlite.InvalidKeyError):
        algorithms.OKPAlgorithm().prepare_key(None)
    assert rs.with_min_bits(1024).min_bits == 1024
    assert isinstance(rs.with_min_bits(1024), algorithms.RSAAlgorithm)
    with pytest.raises(jwtlite.InvalidKeyError, match="private key"):
        rs.sign(b"m", jwtlite.generate_key("RS256").public_key())
    ec_alg = algorithms.ECAlgorithm(algorithms.ECAlgorithm.SHA256)
    key = jwtlite.generate_key("ES256")
    assert ec_alg.check_key_length(key) is None
    assert ec_alg.verify(b"m", key.public_key(), ec_alg.sign(b"m", key))


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="needs cryptography")
def test_crypto_key_type_checks() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    rs = algorithms.RSAAlgorithm(algorithms.RSAAlgorithm.SHA256)
    with pytest.raises(jwtlite.InvalidKeyError, match="RSAPrivateKey"):
        rs.check_crypto_key_type(ed25519.Ed25519PrivateKey.generate())
    okp_key = ed25519.Ed25519PrivateKey.generate()
    algorithms.OKPAlgorithm().check_crypto_key_type(okp_key)
    assert algorithms.OKPAlgorithm().prepare_key(okp_key) is okp_key
    sect163k1 = type("K163", (), {"name": "sect163k1"})
    with pytest.raises(jwtlite.InvalidKeyError, match="curve"):
        algorithms.ECAlgorithm(algorithms.ECAlgorithm.SHA256, sect163k1)
    # A key on a curve jwtlite does not load: PyJWT's message names both curves.
    p192 = ec.generate_private_key(ec.SECP192R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    es256 = algorithms.ECAlgorithm(algorithms.ECAlgorithm.SHA256, ec.SECP256R1)
    with pytest.raises(jwtlite.InvalidKeyError, match=r"secp192r1.*secp256r1"):
        es256.prepare_key(p192)
    with pytest.raises(jwtlite.InvalidKeyError):
        es256.prepare_key(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    jwk = algorithms.ECAlgorithm.to_jwk(jwtlite.generate_key("ES384"), as_dict=True)
    with pytest.raises(jwtlite.InvalidKeyError, match="secp384r1"):
        es256.prepare_key(jwk)


def test_face_decode_complete_and_segment_helper() -> None:
    from jwtlite.pyjwt.api_jws import PyJWS
    from jwtlite.pyjwt.api_jwt import PyJWT

    jws = PyJWS(algorithms=["HS256"])
    assert jws.get_algorithms() == ["HS256"]
    token = jws.encode(b"data", SECRET)
    assert jws.decode_complete(token, SECRET, algorithms=["HS256"])["payload"] == b"data"
    with pytest.raises(NotImplementedError):
        jws.encode(b"data", SECRET, algorithm="HS384")  # not in this instance's table
    jwt = PyJWT()
    token = jwt.encode({"a": 1}, SECRET)
    complete = jwt.decode_complete(token, SECRET, algorithms=["HS256"])
    assert complete["payload"] == {"a": 1}
    assert complete["header"] == {"alg": "HS256", "typ": "JWT"}
    assert PyJWS._decode_base64url_segment(b"Zm8=", "crypto") == b"fo"
    with pytest.raises(jwtlite.DecodeError, match="Invalid header padding"):
        PyJWS._decode_base64url_segment(b"Zh", "header")
    with pytest.raises(jwtlite.InvalidIssuerError):
        jwt._validate_iss({"iss": "a"}, issuer=5)
    jwt._validate_iss({"iss": "a"}, issuer=("a", "b"))


def test_types_are_pyjwt_typeddicts_with_evaluated_annotations() -> None:
    from jwtlite.pyjwt import types as face_types

    assert face_types.Options.__annotations__["require"] == list[str]
    assert face_types.Options.__total__ is False
    assert face_types.FullOptions.__required_keys__ == frozenset(face_types.Options.__annotations__)
    assert set(face_types.SigOptions.__annotations__) == {
        "verify_signature", "enforce_minimum_key_length",
    }  # fmt: skip
    assert len(face_types.Options.__annotations__) == 11
