"""Gaps in the PyJWT face's tests that its mutation run showed (docs/architecture.md, "The
PyJWT face"): where PyJWT behaves the same, both libraries are called; where the face differs
on purpose (docs/migrating-from-pyjwt.md), the face's own texts are compared whole."""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect
import json
import platform
import re
import time
import warnings
from typing import Any

import pytest
from conftest import key_pem

import jwtlite
import jwtlite.pyjwt as face
from jwtlite.pyjwt import algorithms as face_algorithms
from jwtlite.pyjwt import help as face_help
from jwtlite.pyjwt import utils as face_utils
from jwtlite.pyjwt.jwk_set_cache import JWKSetCache

pyjwt = pytest.importorskip("jwt")
pyjwt_help = pytest.importorskip("jwt.help")
cryptography = pytest.importorskip("cryptography")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import dsa, ec  # noqa: E402

SECRET = "a-32-byte-long-secret-for-hs256!"
BOTH = (pyjwt, face)
OCT = {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ1Ng"}


def _raises(call: Any, *args: Any, **kwargs: Any) -> Exception:
    """The exception ``call`` raises (the test fails if it returns)."""
    try:
        call(*args, **kwargs)
    except Exception as exc:
        return exc
    pytest.fail(f"{call!r} raised nothing")


# --- api_jwt, api_jws --------------------------------------------------------------------------


def test_each_pyjwt_has_a_pyjws_of_its_library_with_the_signature_options() -> None:
    options = {"verify_signature": False, "enforce_minimum_key_length": True}
    for lib in BOTH:
        instance = lib.PyJWT(options=options)
        assert type(instance._jws) is lib.PyJWS
        assert instance._jws.options == options
        algorithm = instance._jws.get_algorithm_by_name("HS256")
        assert type(algorithm) is lib.algorithms.HMACAlgorithm
        with pytest.raises(lib.InvalidKeyError, match=r"^The HMAC key is 5 bytes long"):
            instance.encode({"a": 1}, "short", algorithm="HS256")
        with pytest.raises(NotImplementedError, match=r"^Algorithm not supported$"):
            lib.PyJWT().encode({"a": 1}, SECRET, algorithm="HS1024")


def test_validate_iss_texts_as_in_pyjwt() -> None:
    not_a_container = 'Issuer param must be "str" or "Container[str]"'
    cases = [
        ("b", "Invalid issuer"), (["b"], "Invalid issuer"), ([1], "Invalid issuer"),
        (memoryview(b"a"), "Invalid issuer"), (1, not_a_container), (b"a", not_a_container),
        (bytearray(b"a"), not_a_container), (type(None), not_a_container),
    ]  # fmt: skip
    for lib in BOTH:
        for issuer, text in cases:
            error = _raises(lib.PyJWT()._validate_iss, {"iss": "a"}, issuer)
            assert type(error) is lib.InvalidIssuerError
            assert str(error) == text, issuer
        lib.PyJWT()._validate_iss({"iss": "a"}, {"a"})
    assert len(cases) == 8


def test_audience_argument_texts_as_in_pyjwt() -> None:
    for lib in BOTH:
        token = lib.encode({"aud": ["urn:me"]}, SECRET)
        assert lib.decode(token, SECRET, algorithms=["HS256"], audience=["urn:me"]) == {
            "aud": ["urn:me"]
        }
        error = _raises(lib.decode, token, SECRET, algorithms=["HS256"], audience=b"urn:me")
        assert str(error) == "Audience doesn't match"
        error = _raises(lib.decode, token, SECRET, algorithms=["HS256"], audience=1)
        assert isinstance(error, TypeError)
        assert str(error) == "audience must be a string, iterable or None"


def test_pyjws_algorithms_argument_of_no_iterable_type_is_a_type_error() -> None:
    for lib in BOTH:
        assert isinstance(_raises(lib.PyJWS, algorithms=5), TypeError)
    error = _raises(face.PyJWS, algorithms=5)
    assert isinstance(error, jwtlite.PyJWTError)
    assert str(error) == "algorithms must be a list of strings, not int"


# --- algorithms --------------------------------------------------------------------------------


def test_hash_instances_name_the_algorithm() -> None:
    assert face_algorithms.RSAAlgorithm(hashes.SHA384()).name == "RS384"
    assert face_algorithms.RSAPSSAlgorithm(hashes.SHA512()).name == "PS512"
    assert face_algorithms.ECAlgorithm(hashes.SHA384()).name == "ES384"
    assert face_algorithms.HMACAlgorithm(hashes.SHA512()).name == "HS512"


class _NeedsAnArgument:
    """A hash-like class named ``sha256`` whose instances cannot be made without an argument."""

    name = "sha256"

    def __init__(self, data: bytes) -> None:
        self.data = data


def test_hash_names_are_read_from_every_form() -> None:
    class Hyphenated:  # SHA-2 spelt with a hyphen: no hashlib name with an underscore
        name = "SHA-384"

    assert face_algorithms.HMACAlgorithm(Hyphenated()).name == "HS384"
    assert face_algorithms.RSAAlgorithm(Hyphenated()).name == "RS384"
    assert face_algorithms.HMACAlgorithm(_NeedsAnArgument).name == "HS256"
    assert face_algorithms.HMACAlgorithm(hashlib.sha512).name == "HS512"

    def nameless() -> object:
        return object()

    def needs_an_argument(data: bytes) -> object:
        return data

    for hash_alg in (nameless, needs_an_argument, 5):
        error = _raises(face_algorithms.HMACAlgorithm, hash_alg)
        assert type(error) is jwtlite.InvalidArgumentError
        assert str(error) == f"not a hash function: {jwtlite._escape.escape(hash_alg)}"


def test_an_hmac_over_another_hash_signs_as_pyjwt_does() -> None:
    ours = face_algorithms.HMACAlgorithm(hashlib.blake2b)
    theirs = pyjwt.algorithms.HMACAlgorithm(hashlib.blake2b)
    assert ours.name == "HMAC-blake2b"
    key = b"k" * 64
    assert ours.sign(b"m", ours.prepare_key(key)) == theirs.sign(b"m", theirs.prepare_key(key))


def test_check_crypto_key_type_texts() -> None:
    for lib in BOTH:
        error = _raises(lib.algorithms.NoneAlgorithm().check_crypto_key_type, "key")
        assert isinstance(error, ValueError)
        assert str(error) == (
            "This method requires the cryptography library, and should only be used by"
            " cryptography-based algorithms."
        )
    # PyJWT writes a generator's repr where the classes belong; the face names them.
    rsa = face_algorithms.RSAAlgorithm(face_algorithms.RSAAlgorithm.SHA256)
    error = _raises(rsa.check_crypto_key_type, "key")
    assert str(error) == (
        "Expected one of (RSAPrivateKey, RSAPublicKey), got: str. Invalid Key type for RSAAlgorithm"
    )
    theirs = pyjwt.algorithms.RSAAlgorithm(pyjwt.algorithms.RSAAlgorithm.SHA256)
    assert str(_raises(theirs.check_crypto_key_type, "key")).endswith(
        ", got: str. Invalid Key type for RSAAlgorithm"
    )


def test_the_none_algorithm_has_no_keys() -> None:
    none = face_algorithms.NoneAlgorithm()
    for call in (none.to_jwk, none.from_jwk):
        error = _raises(call, {})
        assert isinstance(error, NotImplementedError)
        assert str(error) == "the none algorithm has no keys"


def test_jwtlite_jwk_objects_are_key_input() -> None:
    public = jwtlite.algorithms.RSAAlgorithm.to_jwk(
        serialization.load_pem_private_key(key_pem("rsa2048.pem"), None).public_key(),
        as_dict=True,
    )
    rsa = face_algorithms.RSAAlgorithm(face_algorithms.RSAAlgorithm.SHA256)
    prepared = rsa.prepare_key(jwtlite.jwk.PyJWK(public))
    assert prepared.public_numbers().n == face.PyJWK(public).key.public_numbers().n
    hmac = face_algorithms.HMACAlgorithm(face_algorithms.HMACAlgorithm.SHA256)
    assert hmac.prepare_key(jwtlite.jwk.PyJWK(OCT)) == b"secret-secret-secret-secret-123456"


def test_key_type_texts_as_in_pyjwt() -> None:
    for lib in BOTH:
        for name in ("RSAAlgorithm", "ECAlgorithm"):
            cls = getattr(lib.algorithms, name)
            error = _raises(cls(cls.SHA256).prepare_key, 1)
            assert isinstance(error, TypeError)
            assert str(error) == "Expecting a PEM-formatted key."
        hmac = lib.algorithms.HMACAlgorithm(lib.algorithms.HMACAlgorithm.SHA256)
        error = _raises(hmac.prepare_key, 1)
        assert isinstance(error, TypeError)
        assert str(error) == "Expected a string or bytes value"
    error = _raises(face_algorithms.OKPAlgorithm().prepare_key, 1)
    assert isinstance(error, jwtlite.InvalidKeyError)
    assert str(error) == "Expecting a PEM-formatted key."


def test_ec_algorithm_names_and_curves() -> None:
    assert face_algorithms.ECAlgorithm(hashes.SHA256, ec.SECP256K1).name == "ES256K"
    assert face_algorithms.ECAlgorithm(hashes.SHA384).name == "ES384"
    assert face_algorithms.ECAlgorithm(hashes.SHA512, ec.SECP521R1).name == "ES512"
    for lib in BOTH:
        alg = lib.algorithms.ECAlgorithm(hashes.SHA384, ec.SECP256R1)
        assert alg.hash_alg is hashes.SHA384
        assert alg.expected_curve is ec.SECP256R1
    # A hash and a curve that no registered name pairs: PyJWT signs with them, so does the face.
    private = ec.generate_private_key(ec.SECP384R1())
    ours = face_algorithms.ECAlgorithm(hashes.SHA256, ec.SECP384R1)
    theirs = pyjwt.algorithms.ECAlgorithm(hashes.SHA256, ec.SECP384R1)
    signature = ours.sign(b"m", ours.prepare_key(private))
    assert theirs.verify(b"m", private.public_key(), signature) is True
    # ... and so does one without a curve, with the hash it was given.
    p256 = ec.generate_private_key(ec.SECP256R1())
    ours = face_algorithms.ECAlgorithm(hashes.SHA384)
    theirs = pyjwt.algorithms.ECAlgorithm(hashes.SHA384)
    signature = ours.sign(b"m", ours.prepare_key(p256))
    assert theirs.verify(b"m", p256.public_key(), signature) is True


def test_an_ec_algorithm_without_a_curve_keeps_its_name_and_hash() -> None:
    p256 = ec.generate_private_key(ec.SECP256R1())
    ours = face_algorithms.ECAlgorithm(hashes.SHA3_256)
    signature = ours.sign(b"m", ours.prepare_key(p256))
    assert pyjwt.algorithms.ECAlgorithm(hashes.SHA3_256).verify(b"m", p256.public_key(), signature)
    error = _raises(face_algorithms.ECAlgorithm(hashes.SHA384).prepare_key, key_pem("rsa2048.pem"))
    assert type(error) is jwtlite.UnusableKeyError
    assert str(error) == "an RSA key cannot be used for ES384"


def test_an_expected_curve_of_no_known_name_is_refused() -> None:
    odd = object()
    error = _raises(face_algorithms.ECAlgorithm, hashes.SHA256, odd)
    assert type(error) is jwtlite.InvalidKeyError
    assert str(error) == f"unsupported curve: {jwtlite._escape.escape(odd)}"


def test_a_jwk_of_another_curve_is_named_in_the_refusal() -> None:
    alg = face_algorithms.ECAlgorithm(hashes.SHA256, ec.SECP256R1)
    jwk = {"kty": "EC", "crv": "P-192", "x": "AA", "y": "AA"}
    error = _raises(alg.prepare_key, jwk)
    assert str(error) == (
        "The key's curve 'P-192' does not match the expected curve 'secp256r1' for this algorithm"
    )


def _foreign_pem(public: bool) -> str:
    private = ec.generate_private_key(ec.SECP192R1())
    if public:
        data = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    else:
        data = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    return data.decode()


@pytest.mark.parametrize("public", [True, False])
@pytest.mark.parametrize("as_text", [True, False])
def test_a_curve_jwtlite_cannot_load_is_named_as_in_pyjwt(public: bool, as_text: bool) -> None:
    pem = _foreign_pem(public)
    key: str | bytes = pem if as_text else pem.encode()
    expected = (
        "The key's curve 'secp192r1' does not match the expected curve 'secp256r1'"
        " for this algorithm"
    )
    for lib in BOTH:
        alg = lib.algorithms.ECAlgorithm(hashes.SHA256, ec.SECP256R1)
        error = _raises(alg.prepare_key, key)
        assert isinstance(error, lib.InvalidKeyError)
        assert str(error) == expected


def test_a_loadable_key_without_a_curve_is_refused_by_jwtlite() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography deprecates DSA: the point here
        dsa_key = dsa.generate_private_key(1024)  # noqa: S505 - loaded, never signs
        pem = dsa_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    alg = face_algorithms.ECAlgorithm(hashes.SHA256, ec.SECP256R1)
    for key in (pem, pem.decode()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # cryptography loads the DSA key, and warns
            error = _raises(alg.prepare_key, key)
        assert type(error) is jwtlite.InvalidKeyError


def test_okp_text_arguments_name_themselves() -> None:
    okp = face_algorithms.OKPAlgorithm()
    key = okp.prepare_key(key_pem("ed25519.pem"))
    error = _raises(okp.sign, "\ud800", key)
    assert type(error) is jwtlite.InvalidValueError
    assert str(error) == "msg is not valid text: it holds a lone surrogate at position 0"
    error = _raises(okp.verify, "\ud800", key, b"s")
    assert str(error) == "msg is not valid text: it holds a lone surrogate at position 0"
    error = _raises(okp.verify, "m", key, "\ud800")
    assert str(error) == "sig is not valid text: it holds a lone surrogate at position 0"


def test_default_algorithms_cover_pyjwts_with_the_same_classes() -> None:
    ours = face_algorithms.get_default_algorithms()
    theirs = pyjwt.algorithms.get_default_algorithms()
    assert set(theirs) <= set(ours)
    assert set(ours) - set(theirs) == {"Ed25519", "Ed448"}
    for name, their_alg in theirs.items():
        our_alg = ours[name]
        assert type(our_alg).__name__ == type(their_alg).__name__, name
        assert getattr(our_alg, "hash_alg", None) == getattr(their_alg, "hash_alg", None), name
        assert getattr(our_alg, "expected_curve", None) == getattr(
            their_alg, "expected_curve", None
        ), name
    for name, alg in ours.items():
        assert isinstance(alg, face_algorithms.Algorithm)
        if name != "ES521":
            assert alg.name == name
    assert len(theirs) == 16


# --- api_jwk -----------------------------------------------------------------------------------


def test_pyjwk_takes_the_algorithm_argument_as_pyjwt_does() -> None:
    jwk = {**OCT, "use": "sig"}
    for lib in BOTH:
        for made in (
            lib.PyJWK(jwk, algorithm="HS384"),
            lib.PyJWK(jwk, "HS384"),
            lib.PyJWK.from_dict(jwk, algorithm="HS384"),
            lib.PyJWK.from_json(json.dumps(jwk), algorithm="HS384"),
        ):
            assert made.algorithm_name == "HS384"
            assert made.public_key_use == "sig"
            assert made._jwk_data == jwk
    assert face.PyJWK({**OCT, "key_ops": ["verify"]}).key_ops == ["verify"]


def test_pyjwkset_from_dict_lookup_and_skipped_members() -> None:
    jwks = {"keys": [{**OCT, "kid": "a"}, {"kty": "XX"}]}
    for lib in BOTH:
        keys = lib.PyJWKSet.from_dict(jwks)
        assert len(keys.keys) == 1
        assert keys["a"].key_id == "a"
        error = _raises(keys.__getitem__, "zz")
        assert isinstance(error, KeyError)
        assert error.args == ("keyset has no key for kid: zz",)
    assert face.PyJWKSet.from_dict(jwks).skipped == [({"kty": "XX"}, "Unsupported kty: XX")]


# --- jwks_client, jwk_set_cache ----------------------------------------------------------------


def test_jwks_client_defaults_are_pyjwts() -> None:
    def defaults(cls: type) -> dict[str, Any]:
        return {
            name: p.default
            for name, p in inspect.signature(cls).parameters.items()
            if p.default is not inspect.Parameter.empty
        }

    ours, theirs = defaults(face.PyJWKClient), defaults(pyjwt.PyJWKClient)
    assert ours == theirs
    assert len(ours) == 8


def test_jwks_client_default_settings_are_pyjwts() -> None:
    # The signature of a method under mutmut is the original's: the settings must be read.
    ours = face.PyJWKClient("https://example.com/jwks")
    theirs = pyjwt.PyJWKClient("https://example.com/jwks")
    assert ours.timeout == theirs.timeout == 30
    assert ours.jwk_set_cache.lifespan == theirs.jwk_set_cache.lifespan == 300
    assert ours.refetch_cooldown == theirs.cooldown_duration == 30
    assert ours._rules.cache_keys is False
    assert ours._rules.max_cached_keys == 16


def test_jwks_client_passes_its_arguments_on() -> None:
    context = object()
    client = face.PyJWKClient(
        "https://example.com/jwks", cache_keys=True, headers={"X-A": "1"}, ssl_context=context
    )
    assert client._rules.cache_keys is True
    assert client.headers == {"X-A": "1"}
    assert client.ssl_context is context
    assert client._rules.clock is jwtlite.pyjwt.jwk_set_cache.monotonic


@pytest.mark.parametrize(
    ("cooldown", "ttl"), [(0, 0.0), (0.5, 0.5), (1, 1.0), (30, 30.0), (100, 30.0)]
)
def test_the_negative_cache_lasts_no_longer_than_the_cooldown(cooldown: float, ttl: float) -> None:
    client = face.PyJWKClient("https://example.com/jwks", cooldown_duration=cooldown)
    assert client._rules.negative_cache_ttl == ttl


def test_a_cooldown_of_a_wrong_type_is_a_jwtlite_error() -> None:
    error = _raises(face.PyJWKClient, "https://example.com/jwks", cooldown_duration="5")
    assert isinstance(error, jwtlite.PyJWTError)


def test_jwk_set_cache_reads_the_patched_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = JWKSetCache(10)
    cache.put({"keys": [OCT]})
    assert cache.get() is not None
    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + 11)
    assert cache.is_expired() is True
    assert cache.get() is None


def test_jwk_set_cache_refuses_other_values_as_pyjwt_does() -> None:
    for cache in (JWKSetCache(10), pyjwt.jwk_set_cache.JWKSetCache(10)):
        error = _raises(cache.put, "keys")
        assert isinstance(
            error,
            jwtlite.PyJWKSetError
            if cache.__module__.startswith("jwtlite")
            else pyjwt.PyJWKSetError,
        )
        assert str(error) == "Invalid JWK Set value"


# --- utils -------------------------------------------------------------------------------------

TYPE_TEXTS = [
    (face_utils.force_bytes, (1,), {}, "Expected a string or bytes value"),
    (face_utils.bytes_from_int, (1.5,), {}, "val must be an integer, not float"),
    (face_utils.bytes_from_int, (1,), {"bit_length": 1.5},
     "bit_length must be an integer, not float"),
    (face_utils.to_base64url_uint, (1.5,), {}, "Expected an integer"),
    # PyJWT reads True as 1 here; the face refuses a bool (docs/migrating-from-pyjwt.md).
    (face_utils.bytes_from_int, (True,), {}, "val must be an integer, not bool"),
    (face_utils.to_base64url_uint, (True,), {}, "Expected an integer"),
    (face_utils.number_to_bytes, (1, True), {}, "num_bytes must be an integer, not bool"),
    (face_utils.number_to_bytes, (1, 1.5), {}, "num_bytes must be an integer, not float"),
    (face_utils.bytes_to_number, ("ab",), {}, "string must be bytes, not str"),
    (face_utils.der_to_raw_signature, ("ab", ec.SECP256R1), {}, "der_sig must be bytes, not str"),
    (face_utils.raw_to_der_signature, ("ab", ec.SECP256R1), {}, "raw_sig must be bytes, not str"),
    (face_utils.raw_to_der_signature, (b"ab", None), {},
     "curve must be an elliptic curve with a key_size"),
    (face_utils.is_pem_format, (1,), {}, "key must be bytes, not int"),
    (face_utils.is_ssh_key, (1,), {}, "key must be bytes, not int"),
]  # fmt: skip

VALUE_TEXTS = [
    (face_utils.force_bytes, ("\ud800",), {},
     "value is not valid text: it holds a lone surrogate at position 0"),
    (face_utils.bytes_from_int, (-1,), {}, "Must be a positive integer"),
    (face_utils.bytes_from_int, (1,), {"bit_length": -1},
     "bit_length must be between 0 and 8388608"),
    (face_utils.number_to_bytes, (256, 1), {}, "256 does not fit in 8 bits"),
    (face_utils.der_to_raw_signature, (b"\x30\x06\x02\x01\x01\x02\x01\x02\x00", ec.SECP256R1),
     {}, "Invalid DER signature: trailing data"),
    (face_utils.raw_to_der_signature, (b"ab", ec.SECP256R1), {}, "Invalid signature"),
]  # fmt: skip


def test_utils_refusal_texts() -> None:
    for cases, kind in ((TYPE_TEXTS, jwtlite.InvalidArgumentError),
                        (VALUE_TEXTS, jwtlite.InvalidValueError)):  # fmt: skip
        for call, args, kwargs, text in cases:
            error = _raises(call, *args, **kwargs)
            assert type(error) is kind, (call, args)
            assert str(error) == text
    assert len(TYPE_TEXTS) + len(VALUE_TEXTS) == 20


def test_utils_bounds() -> None:
    assert face_utils.bytes_from_int(0, bit_length=0) == b""
    assert len(face_utils.bytes_from_int(1, bit_length=8 << 20)) == 1 << 20
    assert face_utils.to_base64url_uint(1, bit_length=16) == b"AAE"

    class Curve:
        key_size = 1

    assert face_utils.raw_to_der_signature(b"\x01\x02", Curve) == b"0\x06\x02\x01\x01\x02\x01\x02"
    for size in (0, "256"):
        Curve.key_size = size  # type: ignore[assignment]
        error = _raises(face_utils.raw_to_der_signature, b"\x01\x02", Curve)
        assert type(error) is jwtlite.InvalidArgumentError


# --- help, _install ----------------------------------------------------------------------------


def test_help_info_has_pyjwts_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = face_help.info(), pyjwt_help.info()
    assert set(ours) == set(theirs) | {"jwtlite"}
    for name in theirs:
        assert set(ours[name]) == set(theirs[name]), name
    assert ours["platform"] == theirs["platform"]
    assert ours["implementation"] == theirs["implementation"]

    def broken() -> str:
        raise OSError("no uname")

    monkeypatch.setattr(platform, "system", broken)
    for module in (face_help, pyjwt_help):
        assert module.info()["platform"] == {"system": "Unknown", "release": "Unknown"}


def test_help_without_cryptography(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", missing)
    assert face_help.info()["cryptography"] == {"version": ""}


def test_help_main_prints_sorted_indented_json(capsys: pytest.CaptureFixture[str]) -> None:
    face_help.main()
    printed = capsys.readouterr().out
    assert printed == json.dumps(face_help.info(), sort_keys=True, indent=2) + "\n"
    assert printed.startswith('{\n  "cryptography": {\n    "version": ')


def test_install_refuses_the_imported_pyjwt_in_process() -> None:
    if pyjwt is face:  # pragma: no cover - another test installed the face as jwt
        pytest.skip("the face is installed as jwt in this process")
    error = _raises(jwtlite.install_as_pyjwt)
    assert type(error) is jwtlite.ModuleConflictError
    assert re.fullmatch(
        r"install_as_pyjwt\(\): a different module is already imported as 'jwt' \(.+\)\."
        r" Call jwtlite\.install_as_pyjwt\(\) before anything imports jwt\.",
        str(error),
    )
