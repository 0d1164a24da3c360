"""Every JWS algorithm through the public API, on each backend, and the key/algorithm binding."""

from __future__ import annotations

import array
import base64
import hashlib
import hmac
import json
import mmap
import warnings
from typing import Any

import pytest
from conftest import KEYS, key_pem

import jwtlite
import jwtlite.types
from jwtlite import _cache, _hmac_guard
from jwtlite import algorithms as algorithms_module
from jwtlite.algorithms import (
    Algorithm,
    ECAlgorithm,
    HMACAlgorithm,
    OKPAlgorithm,
    RSAAlgorithm,
    RSAPSSAlgorithm,
    get_algorithm_by_name,
)
from jwtlite.backends import Backend
from jwtlite.exceptions import (
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidValueError,
    PrivateKeyRequiredError,
    PyJWTError,
    UnsupportedHashError,
    UnusableKeyError,
)
from jwtlite.keys import dump_pem, load_key


@pytest.fixture(autouse=True)
def _cold_caches() -> None:
    """Each test starts with no checked HMAC secret, parsed key or normalised URI remembered,
    so that it runs the checks itself whatever ran before it (mutmut's clean run, for one,
    warms the caches)."""
    _cache.clear_caches()


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


# --- whole texts and exact limits of the algorithm objects (mutation testing) ----------------


def _error(call: Any) -> PyJWTError:
    with pytest.raises(PyJWTError) as caught:
        call()
    return caught.value


def test_hmac_key_refusals_whole_text() -> None:
    hs = HMACAlgorithm("HS384", "sha384")
    error = _error(lambda: hs.prepare_key(5))
    assert type(error) is UnusableKeyError
    assert str(error) == "HS384 needs a secret as str or bytes, not int"
    for empty in ("", b"", bytearray(), memoryview(b"")):
        error = _error(lambda: hs.prepare_key(empty))  # noqa: B023 - called at once
        assert type(error) is InvalidKeyError
        assert str(error) == "HS384 secret must not be empty"
    # DER has no look to refuse: the key parser catches it (is_public_key_material).
    der = base64.b64decode("".join(FORMATS["ec_p256"]["spki_pem"].splitlines()[1:-1]))
    error = _error(lambda: hs.prepare_key(der))
    assert type(error) is UnusableKeyError
    assert str(error) == (
        "The specified key is an asymmetric key or x509 certificate and should not be used"
        " as an HMAC secret."
    )
    pem = FORMATS["ec_p256"]["spki_pem"]
    error = _error(lambda: hs.prepare_key(pem))
    assert type(error) is UnusableKeyError
    assert str(error).startswith(_hmac_guard.ASYMMETRIC_KEY_TEXT)


def test_hmac_secret_forms() -> None:
    hs = HMACAlgorithm("HS256")
    assert hs.prepare_key("é" * 20) == ("é" * 20).encode("utf-8")
    for form in (bytearray(b"s" * 32), memoryview(b"s" * 32)):
        assert hs.prepare_key(form) == b"s" * 32
        assert type(hs.prepare_key(form)) is bytes
    jwk = jwtlite.PyJWK({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMy"})
    assert hs.prepare_key(jwk) == b"secret-secret-secret-secret-32"
    holder = type("Holder", (), {"key": b""})()  # a PyJWK-like object with an empty secret
    assert str(_error(lambda: hs.prepare_key(holder))) == "HS256 secret must not be empty"
    assert hs.sign(b"m", jwk) == hmac.digest(b"secret-secret-secret-secret-32", b"m", "sha256")


def test_hmac_key_length_warning_at_its_limit() -> None:
    for name, size in (("HS256", 32), ("HS384", 48), ("HS512", 64)):
        hs = get_algorithm_by_name(name)
        assert hs.check_key_length(b"k" * size) is None
        assert hs.check_key_length("k" * size) is None
        short = size - 1
        expected = (
            f"The HMAC key is {short} bytes long, which is below the minimum recommended"
            f" length of {size} bytes for SHA{size * 8}. See RFC 7518 Section 3.2."
        )
        assert hs.check_key_length(b"k" * short) == expected
        assert hs.check_key_length("k" * short) == expected


def test_rsa_key_length_warning_at_its_limit() -> None:
    rs = get_algorithm_by_name("RS256")
    assert rs.min_bits == 2048
    assert rs.check_key_length(key_pem("rsa2048.pem")) is None
    small = key_pem("rsa1024.pem")
    assert rs.check_key_length(small) == (
        "The RSA key is 1024 bits long, which is below the minimum recommended size of 2048"
        " bits. See NIST SP 800-131A."
    )
    legacy = rs.with_min_bits(1024)  # type: ignore[attr-defined]
    assert type(legacy) is type(rs)
    assert legacy.name == "RS256"
    assert legacy.min_bits == 1024
    assert legacy.hash_name == "sha256"
    assert legacy.check_key_length(small) is None
    assert rs.with_min_bits(1025).check_key_length(small) == (  # type: ignore[attr-defined]
        "The RSA key is 1024 bits long, which is below the minimum recommended size of 1025"
        " bits. See NIST SP 800-131A."
    )
    ps = get_algorithm_by_name("PS384").with_min_bits(512)  # type: ignore[attr-defined]
    assert type(ps) is RSAPSSAlgorithm
    assert ps.name == "PS384"
    assert ps.hash_name == "sha384"
    assert RSAAlgorithm("RS256", min_bits=4096).min_bits == 4096


def test_rsa_unparseable_key_text_gets_pyjwt_prefix() -> None:
    rs = get_algorithm_by_name("RS256")
    for text in ("garbage", b"garbage"):
        reason = str(_error(lambda: load_key(text)))  # noqa: B023 - called at once
        error = _error(lambda: rs.prepare_key(text))  # noqa: B023
        assert type(error) is InvalidKeyError
        assert str(error) == f"Could not parse the provided public key. {reason}"
    # Not key text: the loader's reason as it is.
    assert str(_error(lambda: rs.prepare_key(5))) == str(_error(lambda: load_key(5)))
    # A key of the wrong family keeps its own error and text, even as text.
    error = _error(lambda: rs.prepare_key(FORMATS["ec_p256"]["spki_pem"]))
    assert type(error) is UnusableKeyError
    assert str(error) == "an EC P-256 key cannot be used for RS256"
    # Other families never add the prefix.
    error = _error(lambda: get_algorithm_by_name("ES256").prepare_key("garbage"))
    assert str(error) == str(_error(lambda: load_key("garbage")))


def test_wrong_family_and_curve_refusals_whole_text() -> None:
    cases = [
        ("ES256", "ec_p384.pem", "an EC P-384 key cannot be used for ES256"),
        ("ES256K", "ec_p256.pem", "an EC P-256 key cannot be used for ES256K"),
        ("RS256", "ed25519.pem", "an OKP Ed25519 key cannot be used for RS256"),
        ("Ed448", "ed25519.pem", "an OKP Ed25519 key cannot be used for Ed448"),
        ("PS256", "ec_p521.pem", "an EC P-521 key cannot be used for PS256"),
        ("EdDSA", "rsa2048.pem", "an RSA key cannot be used for EdDSA"),
    ]
    for alg, pem, text in cases:
        error = _error(lambda: get_algorithm_by_name(alg).prepare_key(key_pem(pem)))  # noqa: B023
        assert type(error) is UnusableKeyError
        assert str(error) == text
    assert len(cases) == 6


def test_public_key_cannot_sign_whole_text() -> None:
    for alg, name in sorted(SIGNERS.items()):
        public = FORMATS[name]["spki_pem"]
        error = _error(lambda: get_algorithm_by_name(alg).sign(b"m", public))  # noqa: B023
        assert type(error) is PrivateKeyRequiredError
        assert str(error) == f"{alg} signing needs a private key"


def test_none_algorithm() -> None:
    none = get_algorithm_by_name("none")
    for key in (None, "", b""):
        assert none.prepare_key(key) is None
        assert none.sign(b"m", key) == b""
    for key in ("k", b"k", 0, False):
        error = _error(lambda: none.sign(b"m", key))  # noqa: B023
        assert type(error) is InvalidKeyError
        assert str(error) == 'When alg = "none", key value must be None.'
    assert none.verify(b"m", None, b"") is False
    assert str(_error(lambda: none.compute_hash_digest(b""))) == "none has no hash function"
    eddsa = get_algorithm_by_name("EdDSA")
    assert type(_error(lambda: eddsa.compute_hash_digest(b""))) is InvalidAlgorithmError
    assert str(_error(lambda: eddsa.compute_hash_digest(b""))) == "EdDSA has no hash function"
    assert get_algorithm_by_name("ES384").compute_hash_digest(b"x") == hashlib.sha384(b"x").digest()
    assert repr(none) == "<NoneAlgorithm none>"
    assert repr(get_algorithm_by_name("PS256")) == "<RSAPSSAlgorithm PS256>"


def test_unknown_algorithm_names_whole_text() -> None:
    assert str(_error(lambda: get_algorithm_by_name("HS1"))) == (
        "Algorithm not supported: 'HS1' (hint: Did you mean 'HS512'? Algorithm names are"
        " case-sensitive.)"
    )
    assert str(_error(lambda: get_algorithm_by_name("x\ny"))).startswith(
        "Algorithm not supported: 'x\\x0ay' (hint: Supported algorithms: HS256,"
    )
    for name, shown in ((5, "5"), ([1], "[1]"), (None, "None")):
        error = _error(lambda: get_algorithm_by_name(name))  # type: ignore[arg-type]  # noqa: B023
        assert type(error) is InvalidAlgorithmError
        assert str(error) == (
            f"Algorithm not supported: {shown} (hint: Algorithm names are strings, such as"
            " 'HS256'.)"
        )
        assert error.__cause__ is None
        assert error.__suppress_context__


def test_from_jwk_refusals_whole_text() -> None:
    ec = json.loads(get_algorithm_by_name("ES256").to_jwk(FORMATS["ec_p256"]["spki_pem"]))
    cases: list[tuple[Any, str]] = [
        (RSAAlgorithm, "Not an RSA key"),
        (RSAPSSAlgorithm, "Not an RSA key"),
        (OKPAlgorithm, "Not an Octet Key Pair"),
        (HMACAlgorithm, "Not an HMAC key"),
    ]
    for cls, text in cases:
        for form in (ec, json.dumps(ec)):
            error = _error(lambda: cls.from_jwk(form))  # noqa: B023
            assert type(error) is InvalidKeyError
            assert str(error) == text
    rsa = get_algorithm_by_name("RS256").to_jwk(FORMATS["rsa2048"]["spki_pem"], as_dict=True)
    assert str(_error(lambda: ECAlgorithm.from_jwk(rsa))) == "Not an Elliptic curve key"
    assert ECAlgorithm.from_jwk(ec) == load_key(FORMATS["ec_p256"]["spki_pem"])
    for bad in ("{", "[1]", "\ud800", 5, None, b'{"kty": "EC"}'):
        error = _error(lambda: Algorithm.from_jwk(bad))  # type: ignore[arg-type]  # noqa: B023
        assert type(error) is InvalidKeyError
        assert str(error) == "Key is not valid JSON"
    x25519 = {"kty": "OKP", "crv": "X25519", "x": "9GXjPGGvmRq9F6Ng5dQQ_s31mfhxrcNZxRGHM5u_hbk"}
    error = _error(lambda: OKPAlgorithm.from_jwk(x25519))
    assert type(error) is InvalidKeyError
    assert str(error) == "Invalid curve: X25519"
    ed = get_algorithm_by_name("EdDSA").to_jwk(FORMATS["ed448"]["spki_pem"], as_dict=True)
    assert OKPAlgorithm.from_jwk(ed) == load_key(FORMATS["ed448"]["spki_pem"])


def test_to_jwk_shapes() -> None:
    rs = get_algorithm_by_name("RS256")
    public = rs.to_jwk(FORMATS["rsa2048"]["spki_pem"])
    assert public.startswith('{"kty":"RSA","key_ops":["verify"],"n":')
    private = rs.to_jwk(key_pem("rsa2048.pem"), as_dict=True)
    assert list(private)[:2] == ["kty", "key_ops"]
    assert private["key_ops"] == ["sign"]
    assert "d" in private
    # An RSA algorithm exports other keys without key_ops, as PyJWT does not check either.
    assert "key_ops" not in rs.to_jwk(FORMATS["ec_p256"]["spki_pem"], as_dict=True)
    hs = get_algorithm_by_name("HS256")
    assert hs.to_jwk("secret") == '{"kty":"oct","k":"c2VjcmV0"}'
    assert hs.to_jwk(b"secret", as_dict=True) == {"kty": "oct", "k": "c2VjcmV0"}
    error = _error(lambda: hs.to_jwk("\ud800"))
    assert type(error) is InvalidKeyError
    assert str(error) == (
        "the HMAC secret is not valid text: it holds a lone surrogate at position 0"
    )
    assert Algorithm.to_jwk(FORMATS["ec_p256"]["spki_pem"]).startswith('{"kty":"EC"')


def test_custom_algorithm_objects() -> None:
    message, private = b"m", key_pem("rsa2048.pem")
    rs1 = RSAAlgorithm("RS1", "sha1")
    assert (rs1.name, rs1.hash_name, rs1.kty) == ("RS1", "sha1", "RSA")
    signature = rs1.sign(message, private)
    assert rs1.verify(message, FORMATS["rsa2048"]["spki_pem"], signature)
    assert not get_algorithm_by_name("RS256").verify(
        message, FORMATS["rsa2048"]["spki_pem"], signature
    )
    es = ECAlgorithm("ESX", "sha384", curve="P-256")
    assert (es.curve, es.hash_name) == ("P-256", "sha384")
    es.prepare_key(key_pem("ec_p256.pem"))
    with pytest.raises(UnusableKeyError):
        es.prepare_key(key_pem("ec_p384.pem"))
    assert ECAlgorithm("ES384").curve == "P-384"
    ed = OKPAlgorithm("EdX", curves=("Ed448",))
    assert ed.curves == ("Ed448",)
    with pytest.raises(UnusableKeyError):
        ed.prepare_key(key_pem("ed25519.pem"))
    assert OKPAlgorithm("EdDSA").curves == ("Ed25519", "Ed448")
    hs = HMACAlgorithm("HS384")
    assert (hs.kty, hs.hash_name, hs.digest_size) == ("oct", "sha384", 48)


def test_default_algorithms_is_a_fresh_full_table() -> None:
    from jwtlite import _jwa

    table = algorithms_module.default_algorithms()
    assert list(table) == list(_jwa.ALGORITHMS)
    assert table is not algorithms_module.default_algorithms()
    kinds = {name: type(alg).__name__ for name, alg in table.items()}
    assert kinds["none"] == "NoneAlgorithm"
    assert kinds["HS512"] == "HMACAlgorithm"
    assert kinds["RS384"] == "RSAAlgorithm"
    assert kinds["PS512"] == "RSAPSSAlgorithm"
    assert kinds["ES256K"] == "ECAlgorithm"
    assert kinds["Ed448"] == "OKPAlgorithm"
    for name, alg in table.items():
        assert alg.name == name
        assert alg.hash_name == _jwa.ALGORITHMS[name].hash_name


@pytest.mark.parametrize("alg", sorted(SIGNERS))
def test_bound_verifiers_answer_as_verify(alg: str, backend: Backend) -> None:
    algorithm = get_algorithm_by_name(alg)
    name = SIGNERS[alg]
    public = FORMATS[name]["spki_pem"]
    signature = algorithm.sign(b"m", key_pem(f"{name}.pem"))
    verifier = algorithm._verifier(algorithm.prepare_key(public))
    assert verifier(b"m", signature) is True
    assert verifier(b"n", signature) is False
    assert verifier(b"m", signature[:-1]) is False
    assert verifier(b"m", signature + b"\0") is False
    assert algorithm.verify(b"m", public, signature) is True
    assert algorithm.verify(b"m", public, signature[:-1]) is False
    # RS and PS share keys and hashes: each refuses the other's signature.
    twin = {"RS": "PS", "PS": "RS"}.get(alg[:2])
    if twin:
        other = get_algorithm_by_name(twin + alg[2:])
        assert other._verifier(other.prepare_key(public))(b"m", signature) is False
        assert other.verify(b"m", public, signature) is False


def test_hmac_verify_and_bound_verifier() -> None:
    for name in ("HS256", "HS384", "HS512"):
        hs = get_algorithm_by_name(name)
        key = "k" * 64
        signature = hs.sign(b"m", key)
        assert signature == hmac.digest(key.encode(), b"m", hs.hash_name)
        verifier = hs._verifier(hs.prepare_key(key))
        assert hs.verify(b"m", key, signature) is True
        assert verifier(b"m", signature) is True
        for bad in (signature[:-1], signature + b"\0", b"", bytes(len(signature))):
            assert hs.verify(b"m", key, bad) is False
            assert verifier(b"m", bad) is False
        assert hs.verify(b"n", key, signature) is False
        assert verifier(b"n", signature) is False


def test_cryptography_flag_reads_the_installation(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    found = importlib.util.find_spec("cryptography") is not None
    assert algorithms_module._cryptography_installed() is found
    asked: list[str] = []

    def fake_find_spec(name: str) -> object:
        asked.append(name)
        return object() if name == "cryptography" else None

    monkeypatch.setattr(importlib.util, "find_spec", fake_find_spec)
    assert algorithms_module._cryptography_installed() is True
    assert asked == ["cryptography"]

    def broken(name: str) -> object:
        raise ValueError(name)  # a half-removed installation: __spec__ is None

    monkeypatch.setattr(importlib.util, "find_spec", broken)
    assert algorithms_module._cryptography_installed() is False


def test_from_jwk_keeps_the_parsers_reason_as_its_cause() -> None:
    for text, cause in (
        ("[1]", "Invalid JWK: must be a JSON object"),
        ("{", "Invalid JWK: Expecting property name enclosed in double quotes"),
    ):
        error = _error(lambda: Algorithm.from_jwk(text))  # noqa: B023
        assert str(error) == "Key is not valid JSON"
        assert str(error.__cause__).startswith(cause)


def test_hmac_secret_with_a_lone_surrogate_whole_text() -> None:
    error = _error(lambda: HMACAlgorithm("HS256").prepare_key("ab\ud800"))
    assert type(error) is InvalidKeyError
    assert str(error) == (
        "the HMAC secret is not valid text: it holds a lone surrogate at position 2"
    )


def test_a_cached_secret_never_answers_for_no_key() -> None:
    """A secret the cache remembers is found by the object it was given as, never for
    ``None`` (which would sign and verify with whatever secret came last)."""
    hs = HMACAlgorithm("HS256")
    text = "a secret of thirty-two characters"
    secret = hs.prepare_key(text)
    assert hs.prepare_key(text) == secret
    assert hs.prepare_key(secret) is secret
    for absent in (None, 0, ()):
        error = _error(lambda: hs.prepare_key(absent))  # noqa: B023
        assert type(error) is UnusableKeyError
        assert str(error) == f"HS256 needs a secret as str or bytes, not {type(absent).__name__}"


def test_hmac_key_length_counts_utf8_bytes() -> None:
    hs = get_algorithm_by_name("HS256")
    assert hs.check_key_length("é" * 16) is None  # 16 characters, 32 bytes
    assert hs.check_key_length("é" * 15 + "e") == (
        "The HMAC key is 31 bytes long, which is below the minimum recommended length of 32"
        " bytes for SHA256. See RFC 7518 Section 3.2."
    )


def test_custom_algorithms_keep_their_hash_and_curve() -> None:
    rs1 = RSAAlgorithm("RS1", "sha1").with_min_bits(1024)
    assert rs1.hash_name == "sha1"
    ps = RSAPSSAlgorithm("PSX", "sha3_256").with_min_bits(1024)
    assert type(ps) is RSAPSSAlgorithm
    assert ps.hash_name == "sha3_256"
    es = ECAlgorithm("ESZ", "sha256", curve="P-384")
    assert es.curve == "P-384"
    assert es.prepare_key(key_pem("ec_p384.pem")) is not None
    with pytest.raises(UnusableKeyError):
        es.prepare_key(key_pem("ec_p256.pem"))
    assert ECAlgorithm("ESW", "sha256").curve == "P-256"  # the family's first row


def test_okp_from_jwk_takes_both_signature_curves() -> None:
    for name in ("ed25519", "ed448"):
        jwk = get_algorithm_by_name("EdDSA").to_jwk(FORMATS[name]["spki_pem"], as_dict=True)
        assert OKPAlgorithm.from_jwk(jwk) == load_key(FORMATS[name]["spki_pem"])
        assert OKPAlgorithm.from_jwk(json.dumps(jwk)) == load_key(FORMATS[name]["spki_pem"])


def test_a_subclass_verifier_calls_its_own_verify() -> None:
    calls: list[tuple[bytes, Any, bytes]] = []

    class Custom(Algorithm):
        name = "XX"

        def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
            calls.append((msg, key, sig))
            return sig == b"good"

    verifier = Custom()._verifier("prepared")
    assert verifier(b"m", b"good") is True
    assert verifier(b"n", b"bad") is False
    assert calls == [(b"m", "prepared", b"good"), (b"n", "prepared", b"bad")]


def test_asymmetric_algorithms_take_a_pyjwk() -> None:
    """PyJWT's PyJWK carries its parsed key in ``.key``; the key loader does not read it."""
    checked = 0
    for alg, name in sorted(SIGNERS.items()):
        algorithm = get_algorithm_by_name(alg)
        private = jwtlite.PyJWK(algorithm.to_jwk(key_pem(f"{name}.pem"), as_dict=True), alg)
        public = jwtlite.PyJWK(algorithm.to_jwk(FORMATS[name]["spki_pem"], as_dict=True), alg)
        assert algorithm.prepare_key(private) is private.key
        assert algorithm.verify(b"m", public, algorithm.sign(b"m", private))
        assert Algorithm.to_jwk(public, as_dict=True)["kty"] == algorithm.kty
        checked += 1
    assert checked == len(SIGNERS)


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
