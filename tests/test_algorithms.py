"""Every JWS algorithm through the public API, on each backend, and the key/algorithm binding."""

from __future__ import annotations

import array
import json
import mmap
import warnings
from typing import Any

import pytest
from conftest import KEYS, key_pem

import jwtlite
import jwtlite.types
from jwtlite.algorithms import Algorithm, HMACAlgorithm, get_algorithm_by_name
from jwtlite.backends import Backend
from jwtlite.exceptions import (
    InsecureKeyLengthWarning,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidValueError,
    PyJWTError,
    UnsupportedHashError,
)
from jwtlite.keys import dump_pem, load_key

FORMATS: dict[str, dict[str, Any]] = json.loads((KEYS / "formats.json").read_text())

#: algorithm -> the pool key it signs with
SIGNERS = {
    "RS256": "rsa2048", "RS384": "rsa3072", "RS512": "rsa4096",
    "PS256": "rsa2048", "PS384": "rsa2560", "PS512": "rsa4096",
    "ES256": "ec_p256", "ES384": "ec_p384", "ES512": "ec_p521", "ES256K": "ec_secp256k1",
    "EdDSA": "ed25519", "Ed25519": "ed25519", "Ed448": "ed448",
}  # fmt: skip


@pytest.mark.parametrize("alg", sorted(SIGNERS))
def test_sign_with_private_pem_verify_with_every_public_form(alg: str, backend: Backend) -> None:
    name = SIGNERS[alg]
    token = jwtlite.encode({"sub": "alice"}, key_pem(f"{name}.pem"), algorithm=alg)
    assert jwtlite.get_unverified_header(token)["alg"] == alg
    forms = FORMATS[name]
    publics = [forms["spki_pem"], forms["cert_pem"], forms["jwk_public"]]
    if "ssh" in forms:
        publics.append(forms["ssh"])
    publics.append(key_pem(f"{name}.pem"))  # a private key verifies with its public half
    for public in publics:
        assert jwtlite.decode(token, public, algorithms=[alg]) == {"sub": "alice"}
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(InvalidSignatureError):
        jwtlite.decode(f"{header}.{payload}.{flipped}", forms["spki_pem"], algorithms=[alg])


def test_eddsa_selects_the_curve_by_key(backend: Backend) -> None:
    token = jwtlite.encode({"a": 1}, key_pem("ed448.pem"), algorithm="EdDSA")
    assert jwtlite.decode(token, FORMATS["ed448"]["spki_pem"], algorithms=["EdDSA"]) == {"a": 1}
    with pytest.raises(InvalidKeyError):
        jwtlite.encode({"a": 1}, key_pem("ed448.pem"), algorithm="Ed25519")


KEY_FAMILIES = {
    "rsa2048": {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"},
    "ec_p256": {"ES256"},
    "ec_p384": {"ES384"},
    "ec_p521": {"ES512"},
    "ec_secp256k1": {"ES256K"},
    "ed25519": {"EdDSA", "Ed25519"},
    "ed448": {"EdDSA", "Ed448"},
}


@pytest.mark.parametrize("name", sorted(KEY_FAMILIES))
def test_key_is_bound_to_its_algorithm_family(name: str) -> None:
    key = load_key(key_pem(f"{name}.pem"))
    refused = 0
    for alg in [*SIGNERS, "HS256", "HS384", "HS512"]:
        algorithm = get_algorithm_by_name(alg)
        if alg in KEY_FAMILIES[name]:
            assert algorithm.prepare_key(key) is key
        else:
            with pytest.raises(InvalidKeyError):
                algorithm.prepare_key(key)
            with pytest.raises(InvalidKeyError):
                algorithm.prepare_key(dump_pem(key.public_key()))
            refused += 1
    assert refused == len(SIGNERS) + 3 - len(KEY_FAMILIES[name])


def test_public_key_cannot_sign() -> None:
    with pytest.raises(InvalidKeyError, match="private"):
        jwtlite.encode({"a": 1}, FORMATS["ec_p256"]["spki_pem"], algorithm="ES256")
    # Also PyJWT's exception there: its public key objects have no ``sign`` method.
    with pytest.raises(AttributeError, match="private"):
        jwtlite.encode({"a": 1}, FORMATS["rsa2048"]["spki_pem"], algorithm="RS256")


@pytest.mark.parametrize("hash_name", ["no-such-hash", "shake_128", "shake_256", 5])
def test_an_hmac_algorithm_needs_a_fixed_length_hashlib_hash(hash_name: Any) -> None:
    with pytest.raises(UnsupportedHashError, match="unsupported hash"):
        HMACAlgorithm("HX", hash_name)
    hs1 = HMACAlgorithm("HS1", "sha1")  # PyJWT's HMACAlgorithm(hashlib.sha1)
    assert hs1.verify(b"m", b"k" * 20, hs1.sign(b"m", b"k" * 20))


def test_small_rsa_keys_warn_as_in_pyjwt(backend: Backend) -> None:
    """PyJWT's policy: under 2048 bits warns; enforce_minimum_key_length raises."""
    small = key_pem("rsa1024.pem")
    public = FORMATS["rsa1024"]["spki_pem"]
    text = "The RSA key is 1024 bits long, which is below the minimum recommended size of 2048"
    with pytest.warns(InsecureKeyLengthWarning, match=text):
        token = jwtlite.encode({"a": 1}, small, algorithm="RS256")
    with pytest.warns(InsecureKeyLengthWarning, match=text):
        assert jwtlite.decode(token, public, algorithms=["RS256"]) == {"a": 1}
    strict = jwtlite.PyJWT(options={"enforce_minimum_key_length": True})
    with pytest.raises(InvalidKeyError, match=text):
        strict.encode({"a": 1}, small, algorithm="RS256")
    with pytest.raises(InvalidKeyError, match=text):
        strict.decode(token, public, algorithms=["RS256"])
    # The legacy opt-in lowers the threshold for verification only, so no warning.
    opts: jwtlite.types.Options = {"allow_small_rsa_verify": True}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jwtlite.decode(token, public, algorithms=["RS256"], options=opts) == {"a": 1}


def test_pyjwt_documented_rs256_and_ps256_examples(backend: Backend) -> None:
    """PyJWT's usage docs: RS256/PS256 with PEM strings, unchanged apart from the import."""
    jwt = jwtlite
    private_key = key_pem("rsa2048.pem").decode()
    public_key = FORMATS["rsa2048"]["spki_pem"]
    for algorithm in ("RS256", "PS256"):
        encoded = jwt.encode({"some": "payload"}, private_key, algorithm=algorithm)
        decoded = jwt.decode(encoded, public_key, algorithms=[algorithm])
        assert decoded == {"some": "payload"}


def test_pyjwt_cryptography_key_objects() -> None:
    """PyJWT users pass cryptography key objects; they work as keys here too."""
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    private = serialization.load_pem_private_key(key_pem("ec_p256.pem"), None)
    token = jwtlite.encode({"a": 1}, private, algorithm="ES256")
    assert jwtlite.decode(token, private.public_key(), algorithms=["ES256"]) == {"a": 1}


def test_interop_with_pyjwt_every_asymmetric_algorithm(backend: Backend) -> None:
    pyjwt = pytest.importorskip("jwt")
    pytest.importorskip("cryptography")
    checked = 0
    for alg, name in sorted(SIGNERS.items()):
        if alg in ("Ed25519", "Ed448"):
            continue  # RFC 9864 names: PyJWT does not know them
        private, public = key_pem(f"{name}.pem"), FORMATS[name]["spki_pem"].encode()
        ours = jwtlite.encode({"a": alg}, private, algorithm=alg)
        assert pyjwt.decode(ours, public, algorithms=[alg]) == {"a": alg}
        theirs = pyjwt.encode({"a": alg}, private, algorithm=alg)
        assert jwtlite.decode(theirs, public, algorithms=[alg]) == {"a": alg}
        checked += 1
    assert checked == len(SIGNERS) - 2


def test_algorithm_jwk_helpers() -> None:
    alg = get_algorithm_by_name("ES256")
    jwk = alg.to_jwk(load_key(key_pem("ec_p256.pem")).public_key(), as_dict=True)
    assert jwk["kty"] == "EC"
    assert jwk["crv"] == "P-256"
    as_text = alg.to_jwk(FORMATS["ec_p256"]["spki_pem"])
    assert json.loads(as_text) == jwk
    assert Algorithm.from_jwk(as_text) == load_key(FORMATS["ec_p256"]["spki_pem"])
    assert Algorithm.from_jwk(jwk) == load_key(FORMATS["ec_p256"]["spki_pem"])
    secret = get_algorithm_by_name("HS256").to_jwk(b"s" * 32, as_dict=True)
    assert secret["kty"] == "oct"


def test_base_algorithm_is_abstract() -> None:
    base = Algorithm()
    for call in (
        lambda: base.prepare_key(b"k"),
        lambda: base.sign(b"m", b"k"),
        lambda: base.verify(b"m", b"k", b"s"),
    ):
        with pytest.raises(NotImplementedError):
            call()
    assert base.check_key_length(b"k") is None


def test_garbage_asymmetric_keys_raise_invalid_key() -> None:
    for alg in ("RS256", "ES256", "EdDSA"):
        for bad in ("not a key", b"\x30\x03\x02\x01\x01", 12, None, {"kty": "RSA"}):
            with pytest.raises(PyJWTError):
                get_algorithm_by_name(alg).prepare_key(bad)


def test_unknown_objects_never_touch_deprecated_cryptography_names() -> None:
    # cryptography 51 deprecates DSA: reading ``dsa.DSAPrivateKey`` warns, and under ``-W error``
    # the warning replaced jwtlite's InvalidKeyError. Key objects are recognised without it.
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives.asymmetric import x25519

    token = jwtlite.encode({"sub": "a"}, "k" * 32, algorithm="HS256")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agreement = x25519.X25519PrivateKey.generate()
        for bad in (None, 12, object(), agreement):
            with pytest.raises(PyJWTError):
                jwtlite.decode(token, bad, algorithms=["RS256"])
            if bad is not agreement:  # an X25519 key loads since JWE; JWS refuses it above
                with pytest.raises(InvalidKeyError):
                    load_key(bad)


def _buffers(data: bytes) -> dict[str, Any]:
    """``data`` in the buffer types hmac, hashlib and cryptography take, as PyJWT passes them."""
    scratch = mmap.mmap(-1, len(data))
    scratch.write(data)
    return {"bytearray": bytearray(data), "memoryview": memoryview(data),
            "array": array.array("B", data), "mmap": scratch}  # fmt: skip


@pytest.mark.parametrize("alg", ["HS256", *sorted(SIGNERS)])
def test_algorithms_take_any_bytes_like_message(alg: str, backend: Backend) -> None:
    # hmac, hashlib and cryptography take any buffer (array.array, mmap, numpy arrays), and so
    # did PyJWT and jwtlite: the check that refuses text refused them too (TypeError).
    algorithm = get_algorithm_by_name(alg)
    if alg == "HS256":
        private = public = algorithm.prepare_key(b"k" * 32)
    else:
        private = algorithm.prepare_key(key_pem(f"{SIGNERS[alg]}.pem"))
        public = private.public_key()
    message = b"header.payload"
    signature = algorithm.sign(message, private)
    ran = 0
    for kind, buffer in _buffers(message).items():
        assert algorithm.verify(buffer, public, signature), kind
        assert algorithm.verify(message, public, _buffers(signature)[kind]), kind
        if algorithm.hash_name:  # EdDSA has none
            assert algorithm.compute_hash_digest(buffer) == algorithm.compute_hash_digest(message)
        if alg.startswith(("HS", "RS", "Ed")):  # deterministic signatures
            assert algorithm.sign(buffer, private) == signature, kind
        else:
            assert algorithm.verify(message, public, algorithm.sign(buffer, private)), kind
        ran += 1
    assert ran == 4


def test_algorithms_refuse_what_holds_no_octets() -> None:
    algorithm = get_algorithm_by_name("HS256")
    released = memoryview(b"abc")
    released.release()  # bytes() of it raised a bare ValueError
    refused = (("text", InvalidArgumentError), (5, InvalidArgumentError),
               ([1, 2], InvalidArgumentError), (released, InvalidValueError))  # fmt: skip
    for value, error in refused:
        with pytest.raises(error):
            algorithm.sign(value, b"k" * 32)
        with pytest.raises(error):
            algorithm.compute_hash_digest(value)
