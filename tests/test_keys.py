"""jwtlite.keys: load_key over every encoding, dump_* round trips, key-material detection.

Validation of the ASN.1 structures is in test_keyformats.py, OpenSSH lines in test_ssh.py."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import subprocess
import sys
import time
from typing import Any

import pytest
from conftest import FORMATS, KEYS, POOL, key_pem, load_vector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwtlite
from jwtlite import _cache, _keyformats, _keymodel, keys
from jwtlite.exceptions import InvalidKeyError
from jwtlite.jwk import key_to_jwk, thumbprint
from jwtlite.keygen import generate_key
from jwtlite.keys import (
    AsymmetricKey,
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    RSAPrivateKey,
    RSAPublicKey,
    dump_der,
    dump_pem,
    dump_ssh_public,
    is_public_key_material,
    load_key,
)

PASSWORD = b"jwtlite-test-password"
_PUBLIC_FORMATS = ("spki", "public", "cert", "ssh", "jwk")


@pytest.fixture(autouse=True)
def _cold_key_caches() -> None:
    """Each test starts with no parsed key remembered, so that it runs the parsers and the RSA
    checks itself whatever ran before it (mutmut's clean run, for one, warms the caches)."""
    _cache.clear_caches()


def _encoded(fmt: str, value: str) -> bytes:
    return base64.b64decode(value) if fmt.endswith("_der") else value.encode()


def _all_encodings() -> list[tuple[str, str, bytes]]:
    return [
        (name, fmt, _encoded(fmt, value))
        for name in POOL
        for fmt, value in sorted(FORMATS[name].items())
    ]


ENCODINGS = _all_encodings()


def test_pool_keys_have_the_expected_types(pool: dict[str, AsymmetricKey]) -> None:
    kinds = {name: type(key).__name__ for name, key in pool.items()}
    assert kinds["rsa2048"] == "RSAPrivateKey"
    assert kinds["ec_secp256k1"] == "ECPrivateKey"
    assert kinds["ed448"] == "OKPPrivateKey"
    assert pool["rsa4096"].size_bits == 4096  # type: ignore[union-attr]
    assert [k.curve for k in pool.values() if isinstance(k, ECPrivateKey)] == [
        "P-256", "P-384", "P-521", "secp256k1",
    ]  # fmt: skip


def test_every_encoding_loads_to_the_same_key(pool: dict[str, AsymmetricKey]) -> None:
    ran = 0
    for name, fmt, data in ENCODINGS:
        expected = pool[name]
        if any(marker in fmt for marker in _PUBLIC_FORMATS):
            expected = expected.public_key()
        variants: list[object] = [data, bytearray(data), memoryview(data)]
        if not fmt.endswith("_der"):
            variants.append(data.decode("ascii"))
        for variant in variants:
            assert load_key(variant) == expected, (name, fmt)
        ran += 1
    # 14 keys x (pkcs8_der, spki_pem/der, cert_pem/der, jwk) + RSA 8 x 4 + EC 4 x 2 + 12 ssh
    assert ran == 14 * 6 + 8 * 4 + 4 * 2 + 12 == len(ENCODINGS)


def test_special_files() -> None:
    compressed = load_key(key_pem("ec_p256_compressed_pub.pem"))
    assert compressed == load_key(key_pem("ec_p256.pem")).public_key()
    with pytest.raises(InvalidKeyError, match="explicit EC parameters"):
        load_key(key_pem("ec_p256_explicit.pem"))
    with pytest.raises(InvalidKeyError, match="explicit EC parameters"):
        load_key(key_pem("ec_p256_explicit_pub.pem"))
    with pytest.raises(InvalidKeyError, match="multi-prime"):
        load_key(key_pem("rsa_multiprime.pem"))


def test_wycheproof_public_keys() -> None:
    vectors = load_vector("wycheproof/ecdsa_secp256r1_sha256_test.json")
    ran = 0
    for group in vectors["testGroups"]:
        x = int(group["publicKey"]["wx"], 16)
        y = int(group["publicKey"]["wy"], 16)
        expected = ECPublicKey("P-256", x, y)
        assert load_key(bytes.fromhex(group["publicKeyDer"])) == expected
        assert load_key(group["publicKeyPem"]) == expected
        ran += 1
    assert ran == len(vectors["testGroups"]) == 113


# --- round trips -----------------------------------------------------------------------------

_DUMP_FORMATS = {
    RSAPrivateKey: ["pkcs8", "pkcs1"],
    RSAPublicKey: ["pkcs8", "pkcs1"],
    ECPrivateKey: ["pkcs8", "sec1"],
    ECPublicKey: ["pkcs8"],
    OKPPrivateKey: ["pkcs8"],
    OKPPublicKey: ["pkcs8"],
}


@given(name=st.sampled_from(POOL), public=st.booleans(), data=st.data())
@settings(max_examples=60, deadline=None)
def test_dump_load_round_trip(
    pool: dict[str, AsymmetricKey], name: str, public: bool, data: st.DataObject
) -> None:
    key = pool[name].public_key() if public else pool[name]
    fmt = data.draw(st.sampled_from(_DUMP_FORMATS[type(key)]))
    der = dump_der(key, format=fmt)
    assert load_key(der) == key
    pem = dump_pem(key, format=fmt)
    assert load_key(pem) == key
    assert _keyformats.der_shape(der) is not None


@pytest.mark.parametrize("name", POOL)
def test_dumps_match_independent_encoders(pool: dict[str, AsymmetricKey], name: str) -> None:
    """Our DER is byte-identical to cryptography's (stored in formats.json) for the same key."""
    fmt = FORMATS[name]
    assert dump_der(pool[name]) == base64.b64decode(fmt["pkcs8_der"])
    assert dump_der(pool[name].public_key()) == base64.b64decode(fmt["spki_der"])
    assert dump_pem(pool[name].public_key()) == fmt["spki_pem"]
    if "pkcs1_der" in fmt:
        assert dump_der(pool[name], format="pkcs1") == base64.b64decode(fmt["pkcs1_der"])
        assert dump_pem(pool[name].public_key(), format="pkcs1") == fmt["pkcs1_public_pem"]
    if "sec1_der" in fmt:
        assert dump_der(pool[name], format="sec1") == base64.b64decode(fmt["sec1_der"])
    if "ssh" in fmt:
        assert dump_ssh_public(pool[name]) == fmt["ssh"].rsplit(" ", 1)[0]


def test_cryptography_reads_our_dumps(pool: dict[str, AsymmetricKey]) -> None:
    serialization = pytest.importorskip("cryptography.hazmat.primitives.serialization")
    for name in POOL:
        private = serialization.load_pem_private_key(dump_pem(pool[name]).encode(), None)
        assert load_key(private) == pool[name]
        public = serialization.load_der_public_key(dump_der(pool[name].public_key()))
        assert load_key(public) == pool[name].public_key()


def test_dump_refusals(pool: dict[str, AsymmetricKey]) -> None:
    with pytest.raises(InvalidKeyError, match="does not apply"):
        dump_der(pool["ec_p256"], format="pkcs1")
    with pytest.raises(InvalidKeyError, match="does not apply"):
        dump_der(pool["rsa2048"], format="sec1")
    with pytest.raises(InvalidKeyError, match="does not apply"):
        dump_pem(pool["ec_p256"].public_key(), format="sec1")
    with pytest.raises(InvalidKeyError, match="does not apply"):
        dump_der(pool["ed25519"], format="der")
    with pytest.raises(InvalidKeyError, match="not a jwtlite key"):
        dump_der(b"secret")  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="not a jwtlite key"):
        dump_ssh_public("ssh-rsa")  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="no key type for curve secp256k1"):
        dump_ssh_public(pool["ec_secp256k1"])


# --- mutation ----------------------------------------------------------------------------------

_MUTATION_SOURCES = [
    (name, fmt, data)
    for name, fmt, data in ENCODINGS
    if name in ("rsa2048", "ec_p256", "ed25519", "ed448") and not fmt.startswith("jwk")
]


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    _, _, data = draw(st.sampled_from(_MUTATION_SOURCES))
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
    at = draw(st.integers(0, len(data) - 1))
    if kind == "flip":
        bit = draw(st.integers(0, 7))
        return data[:at] + bytes((data[at] ^ (1 << bit),)) + data[at + 1 :]
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    return data[:at] + data[at + draw(st.integers(1, 8)) :]


@given(_mutated())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_keys_raise_only_invalid_key_error(data: bytes) -> None:
    with contextlib.suppress(InvalidKeyError):
        load_key(data)


@given(st.binary(max_size=300))
@settings(max_examples=300)
def test_random_bytes_raise_only_invalid_key_error(data: bytes) -> None:
    for prefix in (b"", b"\x30", b"ssh-rsa ", b"ecdsa-sha2-nistp256 ", b"{"):
        with contextlib.suppress(InvalidKeyError):
            load_key(prefix + data)


# --- other inputs -------------------------------------------------------------------------------


def test_jwk_inputs(pool: dict[str, AsymmetricKey]) -> None:
    jwk = json.loads(FORMATS["ec_p256"]["jwk_public"])
    assert load_key(jwk) == pool["ec_p256"].public_key()
    assert load_key(json.dumps(jwk)) == pool["ec_p256"].public_key()
    with pytest.raises(InvalidKeyError, match="symmetric"):
        load_key({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"})
    with pytest.raises(InvalidKeyError, match="JWK"):
        load_key('{"kty": "EC", "kty": "RSA"}')
    with pytest.raises(InvalidKeyError, match="JWK"):
        load_key("{not json")


def test_neutral_keys_and_bad_inputs(pool: dict[str, AsymmetricKey]) -> None:
    key = pool["rsa2048"]
    assert load_key(key) is key
    for bad, message in [
        ("hello", "unrecognised key format"),
        ("", "unrecognised key format"),
        (b"\xff" * 10, "unrecognised key format"),
        (12345, "unsupported key type: int"),
        ([1, 2], "unsupported key type: list"),
        (b"x" * (keys.MAX_KEY_INPUT + 1), "larger than"),
        (
            "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
            "not supported",
        ),
    ]:
        with pytest.raises(InvalidKeyError, match=message):
            load_key(bad)
    with pytest.raises(InvalidKeyError, match="password must be"):
        load_key(key_pem("rsa2048.pem"), password=123)  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="not encrypted"):
        load_key(key_pem("rsa2048.pem"), password=b"pw")
    with pytest.raises(InvalidKeyError, match="not encrypted"):
        load_key(dump_der(key), password="pw")
    with pytest.raises(InvalidKeyError, match="not encrypted"):
        load_key(FORMATS["ed25519"]["ssh"], password="pw")


def test_encrypted_pem(pool: dict[str, AsymmetricKey]) -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization

    data = key_pem("rsa2048_encrypted.pem")
    assert load_key(data, password=PASSWORD) == pool["rsa2048"]
    assert load_key(data.decode(), password=PASSWORD.decode()) == pool["rsa2048"]
    for password in (None, b"wrong"):
        with pytest.raises(InvalidKeyError):
            load_key(data, password=password)
    private = serialization.load_pem_private_key(data, PASSWORD)
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD),
    )
    assert load_key(der, password=PASSWORD) == pool["rsa2048"]
    assert load_key(private) == pool["rsa2048"]
    assert load_key(private.public_key()) == pool["rsa2048"].public_key()


def test_encrypted_pem_without_cryptography() -> None:
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from jwtlite.keys import load_key; from jwtlite.exceptions import InvalidKeyError\n"
        f"data = open({str(KEYS / 'rsa2048_encrypted.pem')!r}, 'rb').read()\n"
        "try:\n    load_key(data, password=b'x')\nexcept InvalidKeyError as exc:\n    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "cryptography" in out.stdout


def test_repeated_loads_hit_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    original = keys._dispatch

    def counting(raw: bytes, password: bytes | None) -> AsymmetricKey:
        calls.append(raw)
        return original(raw, password)

    monkeypatch.setattr(keys, "_dispatch", counting)
    jwtlite.clear_caches()
    pem = key_pem("rsa2048.pem").decode()
    first = load_key(pem)
    assert load_key(pem) is first
    assert load_key(pem.encode()) is first  # str and bytes of one text share one entry
    assert len(calls) == 1
    load_key(pem, password=None)
    assert len(calls) == 1
    # The cache is keyed by digests: the (private) PEM text itself is never a key.
    assert all(len(k) == 32 for k in keys._TEXT_CACHE._data)
    assert pem.encode() not in keys._TEXT_CACHE
    assert keys._TEXT_CACHE.maxsize == keys.LOAD_CACHE_SIZE


def test_cryptography_objects_are_cached(pool: dict[str, AsymmetricKey]) -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization

    obj = serialization.load_pem_private_key(key_pem("ec_p256.pem"), None)
    assert load_key(obj) is load_key(obj)
    assert load_key(obj) == pool["ec_p256"]


# --- key material detection ---------------------------------------------------------------------


def test_every_key_form_is_key_material() -> None:
    ran = 0
    for _, fmt, data in ENCODINGS:
        assert is_public_key_material(data), fmt
        if not fmt.endswith("_der"):
            assert is_public_key_material(data.decode("ascii")), fmt
            assert is_public_key_material(b"\n  " + data + b"\r\n"), fmt
        ran += 1
    for path in sorted(KEYS.glob("*.pem")):
        assert is_public_key_material(path.read_bytes()), path.name
        ran += 1
    assert ran == len(ENCODINGS) + 19


@pytest.mark.parametrize(
    "data",
    [
        b'from="10.0.0.1" ssh-ed25519 '
        + base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(32))
        + b" comment",
        b"ssh-dss " + base64.b64encode(b"\x00\x00\x00\x07ssh-dss"),
        b'{"kty": "oct", "k": "AAAA"}',
        b"-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----",
        bytearray(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
    ],
)
def test_other_key_material(data: bytes) -> None:
    assert is_public_key_material(data)


@pytest.mark.parametrize(
    "secret",
    [
        b"", b"secret", b"ssh-rsa", b"ssh-rsa AAAA",
        b"ssh-rsa " + base64.b64encode(b"\x00\x00\x00\x07ssh-dss"),
        b"-----BEGIN NOTHING-----\nAAAA\n-----END NOTHING-----", b"-----BEGIN PUBLIC KEY-----",
        b'{"k": "x"}', b"{" * 100000, b"[1]", b"0\x00", b"\x30\x03\x02\x01\x01",
        b"\x30\x06\x02\x01\x01\x02\x01", b"\x30\x06\x02\x01\x01\x30\x01\x05",
        "ünïcode-sëcret", "a\ud800b",
    ],
)  # fmt: skip
def test_ordinary_secrets_are_not_key_material(secret: bytes | str) -> None:
    assert not is_public_key_material(secret)


@given(st.text(max_size=100) | st.binary(max_size=100))
@settings(max_examples=500)
def test_random_secrets_are_not_key_material(secret: str | bytes) -> None:
    assert not is_public_key_material(secret)


# --- X25519 / X448 (RFC 7748 keys for JWE's ECDH-ES; RFC 8410 and RFC 8037 encodings) ---------


@pytest.mark.parametrize(("curve", "size"), [("X25519", 32), ("X448", 56)])
def test_key_agreement_keys_load_from_independent_encoders(curve: str, size: int) -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import x448, x25519

    native: Any = (x25519.X25519PrivateKey if curve == "X25519" else x448.X448PrivateKey).generate()
    raw = native.private_bytes(ser.Encoding.Raw, ser.PrivateFormat.Raw, ser.NoEncryption())
    public_raw = native.public_key().public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    expected = OKPPrivateKey(curve, raw, public_raw)
    pkcs8 = native.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    spki = native.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    assert len(raw) == size
    assert load_key(pkcs8) == expected
    assert load_key(spki) == expected.public_key()
    assert load_key(native) == expected
    assert load_key(native.public_key()) == expected.public_key()
    # And back: cryptography reads what jwtlite writes, byte for byte the same DER.
    assert dump_der(expected.public_key()) == spki
    assert dump_pem(expected).encode() == pkcs8
    assert is_public_key_material(pkcs8)
    assert is_public_key_material(spki)


@pytest.mark.parametrize("curve", ["X25519", "X448"])
def test_key_agreement_keys_never_sign_or_verify_jws(curve: str) -> None:
    key = generate_key(curve)
    token = jwtlite.encode({"a": 1}, generate_key("Ed448"), algorithm="EdDSA")
    for form in (key, dump_pem(key), key_to_jwk(key)):
        for alg in ("EdDSA", "Ed25519", "Ed448"):
            with pytest.raises(InvalidKeyError, match=r"key.agreement"):
                jwtlite.encode({"a": 1}, form, algorithm=alg)
    for form in (key.public_key(), dump_pem(key.public_key())):
        with pytest.raises(InvalidKeyError, match="key agreement"):
            jwtlite.decode(token, form, algorithms=["EdDSA"])


def test_key_agreement_keys_have_no_openssh_form() -> None:
    # Failed before with a KeyError: OpenSSH has no X25519/X448 key type.
    for key in (OKPPublicKey("X25519", bytes(32)), OKPPublicKey("X448", bytes(56))):
        with pytest.raises(InvalidKeyError, match="OpenSSH has no key type for curve X"):
            dump_ssh_public(key)


@pytest.mark.parametrize(
    "key",
    [
        OKPPublicKey("Foo", bytes(32)),
        OKPPrivateKey("Foo", bytes(32), bytes(32)),
        ECPublicKey("P-999", 1, 2),
        ECPrivateKey("P-999", 3, 1, 2),
    ],
    ids=["okp-public", "okp-private", "ec-public", "ec-private"],
)
def test_hand_built_keys_on_unknown_curves_raise_invalid_key_error(key: AsymmetricKey) -> None:
    # The model classes are public; a key built by hand on an unknown curve failed every writer
    # with a KeyError (and EC ones failed repr and thumbprints too).
    for write in (dump_pem, dump_der, dump_ssh_public, key_to_jwk):
        with pytest.raises(InvalidKeyError, match=r"unsupported curve|no key type"):
            write(key)
    assert "jkt=" in repr(key.public_key())


@pytest.mark.parametrize(
    "key",
    [ECPublicKey("P-256", 2**256, 1), ECPrivateKey("P-256", 3, 1, 2**300)],
    ids=["public-x", "private-y"],
)
def test_hand_built_ec_key_with_oversized_coordinate(key: AsymmetricKey) -> None:
    # A coordinate wider than the curve's field used to raise OverflowError from int.to_bytes in
    # repr, in thumbprints and in every writer.
    assert "jkt=?" in repr(key.public_key())
    with pytest.raises(InvalidKeyError, match="does not fit 32 octets"):
        thumbprint(key)
    for write in (key_to_jwk, dump_pem, dump_der, dump_ssh_public):
        with pytest.raises(InvalidKeyError, match="does not fit"):
            write(key)


def test_hand_built_rsa_key_with_negative_value() -> None:
    with pytest.raises(InvalidKeyError, match="does not fit"):
        dump_ssh_public(RSAPublicKey(-5, 3))


_ANY_INT = st.integers(min_value=-(2**600), max_value=2**600)
_CURVE = st.sampled_from(["P-256", "P-384", "P-521", "secp256k1", "Ed25519", "X448", "P-999"])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.builds(RSAPublicKey, _ANY_INT, _ANY_INT),
        st.builds(ECPublicKey, _CURVE, _ANY_INT, _ANY_INT),
        st.builds(ECPrivateKey, _CURVE, _ANY_INT, _ANY_INT, _ANY_INT),
        st.builds(OKPPublicKey, _CURVE, st.binary(max_size=80)),
        st.builds(OKPPrivateKey, _CURVE, st.binary(max_size=80), st.binary(max_size=80)),
    )
)
def test_writers_refuse_any_hand_built_key_with_jwtlite_errors(key: AsymmetricKey) -> None:
    repr(key)
    for write in (key_to_jwk, thumbprint, dump_pem, dump_der, dump_ssh_public):
        with contextlib.suppress(InvalidKeyError):
            write(key)


def test_key_text_that_is_not_utf8_raises_invalid_key_error() -> None:
    # A str with a lone surrogate has no UTF-8 form: encoding it raised UnicodeEncodeError out
    # of encode, decode, thumbprint, key_to_jwk and load_key's password.
    token = jwtlite.encode({}, "s" * 32)
    for secret in ("\ud800" * 32, "s" * 31 + "\udcff"):
        with pytest.raises(InvalidKeyError, match="HMAC secret is not valid text"):
            jwtlite.encode({}, secret)
        with pytest.raises(InvalidKeyError, match="HMAC secret is not valid text"):
            jwtlite.decode(token, secret, algorithms=["HS256"])
        with pytest.raises(InvalidKeyError, match="key is not valid text"):
            thumbprint(secret)
        with pytest.raises(InvalidKeyError, match="key is not valid text"):
            key_to_jwk(secret, include_private=True)
    with pytest.raises(InvalidKeyError, match="password is not valid text"):
        load_key(key_pem("ec_p256.pem"), password="\ud800")


@pytest.mark.parametrize(
    "build",
    [lambda: RSAPublicKey("n", 3), lambda: RSAPublicKey(1.5, 3), lambda: RSAPublicKey(True, 3),
     lambda: RSAPrivateKey(*(["x"] * 8)), lambda: ECPublicKey("P-256", "x", None),
     lambda: ECPublicKey(None, 1, 2), lambda: ECPrivateKey("P-256", 1.5, 1, 2),
     lambda: OKPPublicKey("Ed25519", "text"), lambda: OKPPublicKey("Ed25519", 5),
     lambda: OKPPrivateKey("Ed25519", None, bytes(32))],
)  # fmt: skip
def test_hand_built_keys_with_fields_of_the_wrong_type_are_refused(build: Any) -> None:
    # repr, every writer and both backends raised TypeError or AttributeError on such keys.
    with pytest.raises(InvalidKeyError, match="must be"):
        build()


def test_repr_of_a_public_exponent_too_long_to_print() -> None:
    # str() of an integer of more than 4300 digits raises ValueError (Python 3.11+).
    assert "e=<an integer of" in repr(RSAPublicKey(2**2048 + 1, 10**5000))


_RSA = keys.load_key(key_pem("rsa2048.pem"))
_BAD_VALUES = st.sampled_from([0, 1, -1, -(2**300), 2**20000 + 1]) | st.integers(-(2**64), 2**64)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(field=st.sampled_from(["d", "p", "q", "dp", "dq", "qi"]), value=_BAD_VALUES)
def test_signing_with_a_hand_built_rsa_key_is_cheap_and_raises_invalid_key_error(
    backend: Any, field: str, value: int
) -> None:
    # The cryptography backend raised OverflowError for a negative value; the pure backend
    # spent a second on a 20000-bit p before its public-key check refused the signature.
    members = {name: getattr(_RSA, name) for name in ("n", "e", "d", "p", "q", "dp", "dq", "qi")}
    key = RSAPrivateKey(**{**members, field: value})
    start = time.thread_time()
    with contextlib.suppress(InvalidKeyError):
        jwtlite.encode({}, key, algorithm="RS256")
    assert time.thread_time() - start < 0.5


# --- mutation testing: whole refusal texts of the loaders and writers ---------------------------


def _refusal_text(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(InvalidKeyError) as info:
        call(*args, **kwargs)
    return str(info.value)


def test_loader_and_writer_texts(pool: dict[str, AsymmetricKey]) -> None:
    pem = FORMATS["ec_p256"]["sec1_pem"]
    assert _refusal_text(load_key, pem, password=b"x") == (
        "a password was given but the key is not encrypted"
    )
    assert _refusal_text(load_key, {"kty": "oct", "k": "c2VjcmV0"}) == (
        "a symmetric ('oct') JWK is not an asymmetric key"
    )
    assert _refusal_text(dump_der, "key") == "not a jwtlite key: str"
    assert _refusal_text(dump_pem, pool["ec_p256"], format="pkcs1") == (
        "format 'pkcs1' does not apply to ECPrivateKey"
    )
    assert _refusal_text(dump_der, ECPublicKey("P-256", 1 << 300, 1)) == (
        "a value of this ECPublicKey does not fit its encoding"
    )


def test_escaped_pem_that_cannot_be_read_is_still_key_material() -> None:
    text = FORMATS["ec_p256"]["spki_pem"].replace("\n", "\\n")
    with pytest.raises(InvalidKeyError):
        load_key(text)
    assert keys._is_key_material(text.encode())


def test_dispatch_texts_and_the_material_cache() -> None:
    assert _refusal_text(load_key, "{bad") == (
        "Invalid JWK: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
    )
    assert _refusal_text(load_key, "hello there") == (
        "unrecognised key format: expected PEM, DER, an OpenSSH public key line or a JWK"
    )
    with pytest.raises(jwtlite.InvalidArgumentError) as info:
        keys.is_public_key_material(5)  # type: ignore[arg-type]
    assert str(info.value) == "expected bytes or str, not int"
    # The cache is keyed by the input: one answer is never handed out for another input.
    assert keys.is_public_key_material(FORMATS["ec_p256"]["spki_pem"])
    assert not keys.is_public_key_material(b"an ordinary secret of some length")
    assert keys.is_public_key_material(FORMATS["ec_p256"]["spki_pem"])


def test_input_size_bound_and_hints() -> None:
    unrecognised = "unrecognised key format: expected PEM, DER, an OpenSSH public key line or a JWK"
    assert _refusal_text(load_key, b"x" * keys.MAX_KEY_INPUT) == unrecognised  # read, at the bound
    assert _refusal_text(load_key, b"x" * (keys.MAX_KEY_INPUT + 1)) == (
        "key data larger than 1048576 bytes"
    )
    assert _refusal_text(load_key, "/etc/keys/key.pem") == (
        unrecognised + " (hint: This looks like a file path, not key text. Read the file first, "
        "e.g. pathlib.Path(path).read_text(), and pass its contents.)"
    )


def test_text_that_is_no_unicode_and_password_types() -> None:
    # A lone surrogate cannot be UTF-8: it is replaced, and the text refused as a key.
    assert _refusal_text(load_key, "\ud800") == (
        "unrecognised key format: expected PEM, DER, an OpenSSH public key line or a JWK"
    )
    assert _refusal_text(load_key, "x", password=5) == "password must be bytes or str"


# --- the key model itself (mutation testing of _keymodel) ------------------------------------

@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: RSAPublicKey("n", 3), "RSAPublicKey.n must be an int, not str"),
        (lambda: RSAPublicKey(5, True), "RSAPublicKey.e must be an int, not bool"),
        (lambda: RSAPublicKey(5, 3.0), "RSAPublicKey.e must be an int, not float"),
        (lambda: RSAPrivateKey("n", 3, 1, 1, 1, 1, 1, 1), "RSAPublicKey.n must be an int, not str"),
        (lambda: RSAPrivateKey(5, 3, "d", 1, 1, 1, 1, 1),
         "RSAPrivateKey.d must be an int, not str"),
        (lambda: RSAPrivateKey(5, 3, 1, 1, 1, 1, 1, None),
         "RSAPrivateKey.qi must be an int, not NoneType"),
        (lambda: RSAPrivateKey(5, 3, 1, 1, 1, False, 1, 1),
         "RSAPrivateKey.dp must be an int, not bool"),
        (lambda: ECPublicKey(None, 1, 2), "ECPublicKey.curve must be a str, not NoneType"),
        (lambda: ECPublicKey(b"P-256", 1, 2), "ECPublicKey.curve must be a str, not bytes"),
        (lambda: ECPublicKey("P-256", 1, "2"), "ECPublicKey.y must be an int, not str"),
        (lambda: ECPrivateKey("P-256", 1.5, 1, 2), "ECPrivateKey.d must be an int, not float"),
        (lambda: ECPrivateKey("P-256", 1, True, 2), "ECPublicKey.x must be an int, not bool"),
        (lambda: OKPPublicKey("Ed25519", "text"), "OKPPublicKey.x must be bytes, not str"),
        (lambda: OKPPublicKey(1, b"x"), "OKPPublicKey.curve must be a str, not int"),
        (lambda: OKPPublicKey("X25519", bytearray(32)),
         "OKPPublicKey.x must be bytes, not bytearray"),
        (lambda: OKPPrivateKey("Ed25519", None, bytes(32)),
         "OKPPrivateKey.d must be bytes, not NoneType"),
        (lambda: OKPPrivateKey("Ed25519", bytes(32), None),
         "OKPPublicKey.x must be bytes, not NoneType"),
    ],
)  # fmt: skip
def test_a_hand_built_key_s_field_of_the_wrong_type_is_named(build: Any, message: str) -> None:
    with pytest.raises(InvalidKeyError) as info:
        build()
    assert str(info.value) == message


def test_key_reprs_show_kind_size_curve_and_thumbprint_only() -> None:
    rsa = keys.load_key(key_pem("rsa2048.pem"))
    ec = keys.load_key(key_pem("ec_p256.pem"))
    assert isinstance(rsa, RSAPrivateKey)
    assert isinstance(ec, ECPrivateKey)
    okp = OKPPrivateKey("Ed25519", bytes(32), bytes(range(32)))
    rsa_jkt, ec_jkt, okp_jkt = (thumbprint(k.public_key())[:8] for k in (rsa, ec, okp))
    assert repr(rsa) == "<RSAPrivateKey 2048 bits (private values hidden)>"
    assert repr(rsa.public_key()) == f"<RSAPublicKey 2048 bits e=65537 jkt={rsa_jkt}>"
    assert repr(ec) == "<ECPrivateKey P-256 (private value hidden)>"
    assert repr(ec.public_key()) == f"<ECPublicKey P-256 jkt={ec_jkt}>"
    assert repr(okp) == "<OKPPrivateKey Ed25519 (private value hidden)>"
    assert repr(okp.public_key()) == f"<OKPPublicKey Ed25519 jkt={okp_jkt}>"
    foo = OKPPublicKey("Foo", b"x")
    assert repr(foo) == f"<OKPPublicKey Foo jkt={thumbprint(foo)[:8]}>"
    assert repr(ECPublicKey("P-999", 1, 2)) == "<ECPublicKey P-999 jkt=?>"
    assert (rsa.size_bits, rsa.public_key().size_bits) == (2048, 2048)
    assert RSAPublicKey(2**1000 + 1, 3).size_bits == 1001


def test_a_generated_secret_hides_its_value() -> None:
    secret = _keymodel.HMACSecret(bytes(range(48)))
    assert repr(secret) == "<HMACSecret 384 bits (value hidden)>"
    assert str(secret) == "<HMACSecret 384 bits (value hidden)>"
    assert f"{secret}" == "<HMACSecret 384 bits (value hidden)>"
    assert secret == bytes(range(48))


def test_a_private_key_s_public_half_is_built_once_and_equal_to_its_own() -> None:
    for private, public in (
        (RSAPrivateKey(55, 3, 27, 5, 11, 3, 7, 1), RSAPublicKey(55, 3)),
        (ECPrivateKey("P-256", 1, 2, 3), ECPublicKey("P-256", 2, 3)),
        (OKPPrivateKey("X25519", b"d", b"x"), OKPPublicKey("X25519", b"x")),
    ):
        assert private.public_key() is private.public_key()
        assert private.public_key() == public
        assert type(private.public_key()) is type(public)
        assert public.public_key() is public


def test_key_kty_and_curve() -> None:
    assert [_keymodel.key_kty(k) for k in (b"s", bytearray(b"s"), "s", None, object())] == [
        "oct", "oct", None, None, None
    ]  # fmt: skip
    assert [_keymodel.key_kty(k) for k in (
        RSAPublicKey(55, 3), RSAPrivateKey(55, 3, 27, 5, 11, 3, 7, 1), ECPublicKey("P-256", 2, 3),
        ECPrivateKey("P-256", 1, 2, 3), OKPPublicKey("X25519", b"x"),
        OKPPrivateKey("X25519", b"d", b"x"))] == (
        ["RSA", "RSA", "EC", "EC", "OKP", "OKP"]
    )  # fmt: skip
    assert _keymodel.key_curve(ECPublicKey("P-384", 2, 3)) == "P-384"
    assert _keymodel.key_curve(OKPPrivateKey("X448", b"d", b"x")) == "X448"
    assert _keymodel.key_curve(RSAPublicKey(55, 3)) is None
    assert _keymodel.key_curve(type("K", (), {"curve": 5})()) is None


def test_public_members_and_thumbprints_follow_rfc7638() -> None:
    vector = load_vector("rfc/rfc7638_3_1_thumbprint.json")
    jwk = vector["jwk"]
    key = RSAPublicKey(int.from_bytes(base64.urlsafe_b64decode(jwk["n"] + "=="), "big"), 65537)
    assert _keymodel.public_members(key) == {"e": "AQAB", "kty": "RSA", "n": jwk["n"]}
    assert _keymodel.thumbprint_of(key) == vector["thumbprint_b64"]
    digest = hashlib.sha384(vector["canonical_json"].encode()).digest()
    sha384 = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert _keymodel.thumbprint_of(key, "sha384") == sha384
    ec = ECPublicKey("P-521", 1, 2)
    assert _keymodel.public_members(ec) == {
        "crv": "P-521", "kty": "EC", "x": "A" * 87 + "B", "y": "A" * 87 + "C",
    }  # fmt: skip
    assert _keymodel.public_members(OKPPublicKey("X25519", b"\xff")) == {
        "crv": "X25519", "kty": "OKP", "x": "_w"
    }
    assert _keymodel.public_members(b"\xfb") == {"k": "-w", "kty": "oct"}
    with pytest.raises(InvalidKeyError) as info:
        _keymodel.public_members(ECPrivateKey("P-999", 1, 2, 3))
    assert str(info.value) == "unsupported curve 'P-999'"


@pytest.mark.parametrize("index", range(6))
def test_each_private_rsa_value_of_the_wrong_type_is_named(index: int) -> None:
    names = ("d", "p", "q", "dp", "dq", "qi")
    values: list[Any] = [1] * 6
    values[index] = 2.0
    with pytest.raises(InvalidKeyError) as info:
        RSAPrivateKey(5, 3, *values)
    assert str(info.value) == f"RSAPrivateKey.{names[index]} must be an int, not float"
