"""jwtlite's PyJWT face (:mod:`jwtlite.pyjwt`) next to PyJWT itself, installed in the test
environment: the same call gives the same result, or the same exception type."""

from __future__ import annotations

import datetime
import functools
import json
import warnings

import pytest
from conftest import key_pem, openssl_rsa_signs_with

import jwtlite
import jwtlite.pyjwt as face
from jwtlite.keys import dump_pem, load_key
from jwtlite.pyjwt import algorithms as face_algorithms
from jwtlite.pyjwt import utils as face_utils

pyjwt = pytest.importorskip("jwt")
HAS_CRYPTOGRAPHY = face_algorithms.has_crypto
SECRET = "a-32-byte-long-secret-for-hs256!"
BOTH = (pyjwt, face)


def test_unknown_algorithm_on_encode_is_not_implemented_in_both() -> None:
    for lib in BOTH:
        with pytest.raises(NotImplementedError, match="Algorithm not supported"):
            lib.encode({"a": 1}, SECRET, algorithm="HS1024")  # type: ignore[attr-defined]
    with pytest.raises(jwtlite.InvalidAlgorithmError):
        jwtlite.pyjwt.encode({"a": 1}, SECRET, algorithm="hs256")


def test_unknown_decode_keywords_warn_in_both() -> None:
    for lib in BOTH:
        token = lib.encode({"a": 1}, SECRET)  # type: ignore[attr-defined]
        with pytest.warns(DeprecationWarning, match="foo"):
            claims = lib.decode(token, SECRET, algorithms=["HS256"], foo=1)  # type: ignore[attr-defined]
        assert claims == {"a": 1}


def test_b64_false_header_detaches_the_payload_in_both() -> None:
    headers = []
    for lib in BOTH:
        jws = lib.PyJWS()  # type: ignore[attr-defined]
        token = jws.encode(b"data", SECRET, "HS256", {"b64": False})
        header_b64, payload_segment, _ = token.split(".")
        assert payload_segment == ""
        header = json.loads(face_utils.base64url_decode(header_b64))
        assert header["b64"] is False
        assert jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=b"data") == b"data"
        headers.append(header)
    assert len(headers) == 2
    # b64 true is the default: both drop the member
    for lib in BOTH:
        token = lib.PyJWS().encode(b"data", SECRET, "HS256", {"b64": True})  # type: ignore[attr-defined]
        assert "b64" not in json.loads(face_utils.base64url_decode(token.split(".")[0]))


def test_non_string_iss_is_refused_on_encode_in_both() -> None:
    for lib in BOTH:
        with pytest.raises(TypeError):
            lib.encode({"iss": 123}, SECRET)  # type: ignore[attr-defined]


def test_non_finite_claims_a_listed_divergence() -> None:
    # docs/migrating-from-pyjwt.md: PyJWT writes -Infinity (not JSON, RFC 8259 §6) and, with
    # its claim checks off, returns exp: inf, a token that never expires; the face refuses to
    # write it and refuses to read it. social-auth-core's suite has a test that needs the write
    # (tests/compat/run_dependent_suites.py does not run it).
    claims = {"iat": -float("inf"), "exp": float("inf")}
    theirs = pyjwt.encode(claims, SECRET, algorithm="HS256")
    off = {"verify_iat": False, "verify_exp": False}
    assert pyjwt.decode(theirs, SECRET, algorithms=["HS256"], options=off) == claims
    with pytest.raises(jwtlite.InvalidArgumentError) as caught:
        face.encode(claims, SECRET, algorithm="HS256")
    assert isinstance(caught.value, TypeError)
    with pytest.raises(face.DecodeError, match=r"^Invalid payload string"):
        face.decode(theirs, SECRET, algorithms=["HS256"], options=off)


def test_audience_argument_types_as_in_pyjwt() -> None:
    for lib in BOTH:
        token = lib.encode({"aud": ["urn:me"]}, SECRET)  # type: ignore[attr-defined]
        with pytest.raises(lib.InvalidAudienceError):  # type: ignore[attr-defined]
            lib.decode(token, SECRET, algorithms=["HS256"], audience=b"urn:me")  # type: ignore[attr-defined]
        with pytest.raises(TypeError):
            lib.decode(token, SECRET, algorithms=["HS256"], audience=1)  # type: ignore[attr-defined]


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="needs cryptography")
def test_rsa_to_jwk_matches_pyjwt() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from jwtlite.pyjwt.algorithms import RSAAlgorithm

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    theirs = pyjwt.algorithms.RSAAlgorithm
    for key in (private, private.public_key()):
        ours_jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
        assert ours_jwk == theirs.to_jwk(key, as_dict=True)
        assert json.loads(RSAAlgorithm.to_jwk(key)) == ours_jwk
    assert theirs.from_jwk(RSAAlgorithm.to_jwk(private)).private_numbers() == (
        RSAAlgorithm.from_jwk(theirs.to_jwk(private)).private_numbers()
    )


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="needs cryptography")
def test_expected_curve_is_enforced_with_pyjwt_text() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from jwtlite.pyjwt.algorithms import ECAlgorithm

    p384 = ec.generate_private_key(ec.SECP384R1())
    for cls, error in (
        (ECAlgorithm, jwtlite.InvalidKeyError),
        (pyjwt.algorithms.ECAlgorithm, pyjwt.InvalidKeyError),
    ):
        with pytest.raises(error) as info:
            cls(cls.SHA256, ec.SECP256R1).prepare_key(p384)
        assert "secp384r1" in str(info.value)
        assert "secp256r1" in str(info.value)
    assert ECAlgorithm(ECAlgorithm.SHA384, ec.SECP384R1).prepare_key(p384) is p384
    any_curve = ECAlgorithm(ECAlgorithm.SHA256)
    assert isinstance(any_curve.prepare_key(p384), ec.EllipticCurvePrivateKey)


def test_check_crypto_key_type_is_a_value_error_without_a_crypto_family() -> None:
    with pytest.raises(ValueError, match="cryptography"):
        face_algorithms.NoneAlgorithm().check_crypto_key_type("key")
    with pytest.raises(NotImplementedError):
        face_algorithms.NoneAlgorithm().to_jwk("key")


# --- What packages built on PyJWT rely on (issue 20, item 6) ---------------------------------

#: The hashes PyJWT's RSA, RSA-PSS and EC classes sign with besides SHA-256/384/512 (any
#: ``cryptography`` hash class works there); written out so the test can fail.
EXTRA_HASHES = ("SHA1", "SHA224", "SHA512_224", "SHA512_256",
                "SHA3_224", "SHA3_256", "SHA3_384", "SHA3_512")  # fmt: skip
CRYPTO_CLASSES = ("RSAAlgorithm", "RSAPSSAlgorithm", "ECAlgorithm")


POOL = {"RSA": "rsa2048.pem", "EC": "ec_p256.pem", "OKP": "ed25519.pem"}


@functools.cache
def pems(family: str) -> tuple[str, str]:
    """(private PEM, public PEM) of one key of ``family`` from the fixed pool."""
    private = key_pem(POOL[family]).decode()
    return private, dump_pem(load_key(private).public_key())


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="PyJWT signs RSA only with cryptography")
@pytest.mark.parametrize("class_name", CRYPTO_CLASSES)
@pytest.mark.parametrize("hash_name", EXTRA_HASHES)
def test_every_hash_pyjwt_signs_with_works_in_the_face(
    backend: object, class_name: str, hash_name: str
) -> None:
    # oauthlib signs OAuth 1.0a's RSA-SHA1 (RFC 5849 §3.4.3) with RSAAlgorithm(hashes.SHA1).
    from cryptography.hazmat.primitives import hashes

    private, public = pems("EC" if class_name == "ECAlgorithm" else "RSA")
    hash_class = getattr(hashes, hash_name)
    if not openssl_rsa_signs_with(hash_class.name.replace("-", "_")):
        pytest.skip(f"this cryptography/OpenSSL build cannot RSA-sign with {hash_name}")
    theirs = getattr(pyjwt.algorithms, class_name)(hash_class)
    ours = getattr(face_algorithms, class_name)(hash_class)
    message = b"POST&https%3A%2F%2Fexample.com%2Frequest&oauth_nonce%3Dabc"
    their_sig = theirs.sign(message, theirs.prepare_key(private))
    our_sig = ours.sign(message, ours.prepare_key(private))
    assert ours.verify(message, ours.prepare_key(public), their_sig) is True
    assert theirs.verify(message, theirs.prepare_key(public), our_sig) is True
    assert ours.verify(message + b"!", ours.prepare_key(public), their_sig) is False
    if class_name == "RSAAlgorithm":  # RSASSA-PKCS1-v1_5 is deterministic (RFC 8017 §8.2)
        assert our_sig == their_sig
    assert ours.compute_hash_digest(message) == theirs.compute_hash_digest(message)


def test_hashes_no_signature_should_use_are_refused_when_the_object_is_built() -> None:
    # PyJWT builds RSAAlgorithm(hashes.MD5) and signs with it; jwtlite refuses MD5 (practical
    # collisions make its signatures forgeable), and says so at once rather than at sign time.
    names = ("md5", "shake_128", "no-such-hash")
    for name in names:
        for cls in (jwtlite.algorithms.RSAAlgorithm, jwtlite.algorithms.RSAPSSAlgorithm,
                    jwtlite.algorithms.ECAlgorithm):  # fmt: skip
            with pytest.raises(jwtlite.InvalidAlgorithmError, match="unsupported hash"):
                cls("X", name)
    if HAS_CRYPTOGRAPHY:
        from cryptography.hazmat.primitives import hashes

        for class_name in CRYPTO_CLASSES:
            with pytest.raises(jwtlite.InvalidAlgorithmError, match="md5"):
                getattr(face_algorithms, class_name)(hashes.MD5)


@pytest.mark.parametrize("alg", ["RS1", "PS1", "ES1", "HS1", "RS224", "PS3_256", "ES3_256"])
def test_no_token_reaches_an_extra_hash_through_its_alg(alg: str) -> None:
    header = face_utils.base64url_encode(json.dumps({"alg": alg}).encode()).decode()
    token = f"{header}.e30.c2ln"
    private, public = pems("RSA")
    for lib in (jwtlite, face):
        with pytest.raises(jwtlite.InvalidAlgorithmError):
            lib.decode(token, public, algorithms=[alg])  # type: ignore[attr-defined]
        with pytest.raises(jwtlite.InvalidAlgorithmError):
            lib.get_algorithm_by_name(alg)  # type: ignore[attr-defined]
        with pytest.raises(NotImplementedError):
            lib.encode({"a": 1}, private, algorithm=alg)  # type: ignore[attr-defined]
    with pytest.raises(jwtlite.PyJWKError):
        face.PyJWK({**jwtlite.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True), "alg": alg})


@pytest.mark.skipif(not HAS_CRYPTOGRAPHY, reason="PyJWT signs RSA only with cryptography")
@pytest.mark.parametrize(("family", "alg"), [("RSA", "RS256"), ("RSA", "PS256"),
                                             ("EC", "ES256"), ("OKP", "EdDSA")])  # fmt: skip
def test_signing_with_a_public_key_raises_an_attribute_error_as_in_pyjwt(
    family: str, alg: str
) -> None:
    public = pems(family)[1]
    for lib in BOTH:
        with pytest.raises(AttributeError):
            lib.encode({"a": 1}, public, algorithm=alg)  # type: ignore[attr-defined]
        algorithm = lib.get_algorithm_by_name(alg)  # type: ignore[attr-defined]
        with pytest.raises(AttributeError):
            algorithm.sign(b"m", algorithm.prepare_key(public))
    # ... and the face's (and jwtlite's) exception is jwtlite's key error too.
    for lib in (face, jwtlite):
        with pytest.raises(jwtlite.InvalidKeyError, match="private key"):
            lib.encode({"a": 1}, public, algorithm=alg)  # type: ignore[attr-defined]


def test_the_face_warns_about_naive_datetimes_only_where_pyjwt_does() -> None:
    naive = datetime.datetime(2030, 1, 1)  # no tzinfo: the point of the test
    payload = {"exp": naive, "nbf": naive, "iat": naive}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tokens = [lib.encode(payload, SECRET) for lib in BOTH]  # type: ignore[attr-defined]
        tokens.append(face.PyJWT().encode(payload, SECRET))
    assert len(set(tokens)) == 1
    # jwtlite's own API keeps its warning: a naive datetime is usually local time.
    with pytest.warns(jwtlite.NaiveDatetimeWarning):
        assert jwtlite.encode(payload, SECRET) == tokens[0]
