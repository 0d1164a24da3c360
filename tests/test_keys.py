"""load_key over every encoding, validation on load, dump_* round trips, key-material detection."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import subprocess
import sys

import pytest
from conftest import KEYS, key_pem, load_vector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jwtlite
from jwtlite import _der, _keyformats, _ssh, keys
from jwtlite._curves import CURVES, WeierstrassCurve
from jwtlite.exceptions import InvalidKeyError
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

POOL = [
    "rsa1024", "rsa2048", "rsa2048_b", "rsa2304", "rsa2560", "rsa3072", "rsa3584", "rsa4096",
    "ec_p256", "ec_p384", "ec_p521", "ec_secp256k1", "ed25519", "ed448",
]  # fmt: skip
FORMATS: dict[str, dict[str, str]] = json.loads((KEYS / "formats.json").read_text())
PASSWORD = b"jwtlite-test-password"
_PUBLIC_FORMATS = ("spki", "public", "cert", "ssh", "jwk")


def _encoded(fmt: str, value: str) -> bytes:
    return base64.b64decode(value) if fmt.endswith("_der") else value.encode()


def _all_encodings() -> list[tuple[str, str, bytes]]:
    return [
        (name, fmt, _encoded(fmt, value))
        for name in POOL
        for fmt, value in sorted(FORMATS[name].items())
    ]


ENCODINGS = _all_encodings()


@pytest.fixture(scope="module")
def pool() -> dict[str, AsymmetricKey]:
    return {name: load_key(key_pem(f"{name}.pem")) for name in POOL}


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


# --- validation on load ------------------------------------------------------------------------


def _rsa_der(key: RSAPrivateKey, **changes: object) -> bytes:
    return _keyformats.pkcs1_der(dataclasses.replace(key, **changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"e": 65536}, "exponent must be odd"),
        ({"e": 1}, "exponent must be odd"),
        ({"n": 1 << 2048}, "modulus must be odd"),
        ({"n": 1 << 20000 | 1}, "exceeds"),
        ({"p": 3}, "n != p\\*q"),
        ({"d": 12345}, "d\\*e"),
        ({"dp": 7}, "CRT"),
        ({"dq": 7}, "CRT"),
        ({"qi": 0}, "CRT"),
    ],
)
def test_rsa_private_consistency(
    pool: dict[str, AsymmetricKey], changes: dict[str, int], message: str
) -> None:
    key = pool["rsa2048"]
    assert isinstance(key, RSAPrivateKey)
    with pytest.raises(InvalidKeyError, match=message):
        load_key(_rsa_der(key, **changes))


def test_rsa_public_checks_and_small_keys(pool: dict[str, AsymmetricKey]) -> None:
    # The 2048-bit floor belongs to the algorithm layer; loading accepts a 1024-bit key.
    assert pool["rsa1024"].size_bits == 1024  # type: ignore[union-attr]
    n = pool["rsa2048"].public_key().n  # type: ignore[union-attr]
    with pytest.raises(InvalidKeyError, match="exponent"):
        load_key(_keyformats.pkcs1_der(RSAPublicKey(n, 4)))
    with pytest.raises(InvalidKeyError, match="exponent"):
        load_key(_keyformats.pkcs1_der(RSAPublicKey(n, n + 2)))
    negative = _der.encode_sequence(_der.encode_integer(-n), _der.encode_integer(65537))
    with pytest.raises(InvalidKeyError, match="negative"):
        load_key(negative)
    version2 = _der.encode_sequence(*(_der.encode_integer(v) for v in [2, *[3] * 8]))
    with pytest.raises(InvalidKeyError, match="version 2"):
        load_key(version2)


def _spki(alg: bytes, bits: bytes) -> bytes:
    return _der.encode_sequence(alg, _der.encode_bit_string(bits))


def _ec_alg(curve_oid: str = "1.2.840.10045.3.1.7") -> bytes:
    return _der.encode_sequence(_der.encode_oid(_keyformats.OID_EC), _der.encode_oid(curve_oid))


def test_ec_public_point_checks(pool: dict[str, AsymmetricKey]) -> None:
    key = pool["ec_p256"].public_key()
    assert isinstance(key, ECPublicKey)
    curve = CURVES["P-256"]
    good = _keyformats.encode_point(curve, key.x, key.y)
    assert load_key(_spki(_ec_alg(), good)) == key
    compressed = _keyformats.encode_point(curve, key.x, key.y, compressed=True)
    assert load_key(_spki(_ec_alg(), compressed)) == key
    cases = {
        "not on P-256": [b"\x04" + key.x.to_bytes(32, "big") + (key.y ^ 1).to_bytes(32, "big")],
        "malformed EC point": [b"\x00", b"\x06" + good[1:], good[:-1], b""],
    }
    # A coordinate >= p is not canonical even when it is congruent to a valid one.
    big_x = b"\x04" + (key.x + curve.p).to_bytes(33, "big")[1:] + key.y.to_bytes(32, "big")
    if key.x + curve.p < 1 << 256:
        cases["not on P-256"].append(big_x)
    not_x = next(x for x in range(1, 50) if _is_not_x(curve, x))
    cases["not on P-256"].append(b"\x02" + not_x.to_bytes(32, "big"))
    cases["not on P-256"].append(b"\x02" + curve.p.to_bytes(32, "big"))
    for message, points in cases.items():
        for point in points:
            with pytest.raises(InvalidKeyError, match=message):
                load_key(_spki(_ec_alg(), point))


def _is_not_x(curve: WeierstrassCurve, x: int) -> bool:
    rhs = (x**3 + curve.a * x + curve.b) % curve.p
    return pow(rhs, (curve.p - 1) // 2, curve.p) != 1


def test_ec_algorithm_identifier_checks(pool: dict[str, AsymmetricKey]) -> None:
    key = pool["ec_p256"].public_key()
    assert isinstance(key, ECPublicKey)
    point = _keyformats.encode_point(CURVES["P-256"], key.x, key.y)
    with pytest.raises(InvalidKeyError, match=r"unsupported EC curve OID 1\.3\.132\.0\.33"):
        load_key(_spki(_ec_alg("1.3.132.0.33"), point))  # P-224
    implicit = _der.encode_sequence(_der.encode_oid(_keyformats.OID_EC), _der.encode_null())
    with pytest.raises(InvalidKeyError, match="named curve"):
        load_key(_spki(implicit, point))
    with pytest.raises(InvalidKeyError, match="malformed EC point encoding for P-384"):
        load_key(_spki(_ec_alg("1.3.132.0.34"), point))
    for oid, message in [
        ("1.3.101.110", "X25519"),
        ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
        ("1.2.840.10040.4.1", "DSA"),
        ("1.2.3.4", "unsupported key algorithm OID 1.2.3.4"),
    ]:
        with pytest.raises(InvalidKeyError, match=message):
            load_key(_spki(_der.encode_sequence(_der.encode_oid(oid)), b"\x00" * 32))
    ed_with_params = _der.encode_sequence(_der.encode_oid("1.3.101.112"), _der.encode_null())
    with pytest.raises(InvalidKeyError, match="unexpected bytes"):
        load_key(_spki(ed_with_params, bytes(32)))
    rsa_no_null = _der.encode_sequence(_der.encode_oid(_keyformats.OID_RSA))
    rsa = pool["rsa2048"].public_key()
    assert load_key(_spki(rsa_no_null, _keyformats.pkcs1_der(rsa))) == rsa  # type: ignore[arg-type]


def _sec1(
    d: bytes, *, version: int = 1, params: bytes | None = None, point: bytes | None = None
) -> bytes:
    parts = [_der.encode_integer(version), _der.encode_octet_string(d)]
    if params is not None:
        parts.append(_der.encode_tlv(0xA0, params))
    if point is not None:
        parts.append(_der.encode_tlv(0xA1, _der.encode_bit_string(point)))
    return _der.encode_sequence(*parts)


def _pkcs8(alg: bytes, inner: bytes, *, version: int = 0, public: bytes | None = None) -> bytes:
    parts = [_der.encode_integer(version), alg, _der.encode_octet_string(inner)]
    if public is not None:
        parts.append(_der.encode_tlv(0x81, b"\x00" + public))
    return _der.encode_sequence(*parts)


def test_ec_private_checks(pool: dict[str, AsymmetricKey]) -> None:
    key = pool["ec_p256"]
    assert isinstance(key, ECPrivateKey)
    curve = CURVES["P-256"]
    oid = _der.encode_oid(curve.oid)
    d = key.d.to_bytes(32, "big")
    point = _keyformats.encode_point(curve, key.x, key.y)
    # Without the public point, it is computed from d.
    assert load_key(_sec1(d, params=oid)) == key
    assert load_key(_pkcs8(_ec_alg(), _sec1(d))) == key
    # RFC 5915 fixes the length, but a shorter octet string is unambiguous and accepted.
    assert load_key(_sec1(b"\x01", params=oid)) == ECPrivateKey("P-256", 1, curve.gx, curve.gy)
    other = pool["ec_secp256k1"]
    assert isinstance(other, ECPrivateKey)
    wrong_point = _keyformats.encode_point(curve, *_point_of(pool, "P-256", other.d))
    bad = {
        "version 2": _sec1(d, version=2, params=oid),
        "names no curve": _sec1(d),
        "out of range": _sec1(curve.n.to_bytes(32, "big"), params=oid),
        "does not match": _sec1(d, params=oid, point=wrong_point),
        "wrong length": _sec1(b"\x01" * 33, params=oid),
        "disagree": _pkcs8(_ec_alg(), _sec1(d, params=_der.encode_oid("1.3.132.0.34"))),
    }
    bad["zero"] = _sec1(bytes(32), params=oid)
    for message, der in bad.items():
        with pytest.raises(InvalidKeyError, match="out of range" if message == "zero" else message):
            load_key(der)
    v2 = _pkcs8(_ec_alg(), _sec1(d, point=point), version=1, public=point)
    assert load_key(v2) == key
    v2_bad = _pkcs8(_ec_alg(), _sec1(d, point=point), version=1, public=wrong_point)
    with pytest.raises(InvalidKeyError, match="does not match"):
        load_key(v2_bad)
    with pytest.raises(InvalidKeyError, match="PrivateKeyInfo version 2"):
        load_key(_pkcs8(_ec_alg(), _sec1(d), version=2))


def _point_of(pool: dict[str, AsymmetricKey], curve: str, d: int) -> tuple[int, int]:
    from jwtlite.backends.pure.ec import public_point

    return public_point(curve, d)


@pytest.mark.parametrize(
    ("name", "oid", "size"), [("ed25519", "1.3.101.112", 32), ("ed448", "1.3.101.113", 57)]
)
def test_okp_checks(pool: dict[str, AsymmetricKey], name: str, oid: str, size: int) -> None:
    key = pool[name]
    assert isinstance(key, OKPPrivateKey)
    alg = _der.encode_sequence(_der.encode_oid(oid))
    seed = _der.encode_octet_string(key.d)
    assert load_key(_pkcs8(alg, seed, version=1, public=key.x)) == key
    with pytest.raises(InvalidKeyError, match="does not match"):
        load_key(_pkcs8(alg, seed, version=1, public=bytes(size)))
    with pytest.raises(InvalidKeyError, match=f"must be {size} bytes"):
        load_key(_pkcs8(alg, _der.encode_octet_string(key.d[:-1])))
    with pytest.raises(InvalidKeyError, match=f"must be {size} bytes"):
        load_key(_spki(alg, key.x + b"\x00"))
    with pytest.raises(InvalidKeyError, match="whole octets"):
        load_key(_der.encode_sequence(
            _der.encode_integer(1), alg, _der.encode_octet_string(seed), _der.encode_tlv(0x81, b"")
        ))  # fmt: skip


def test_pkcs8_attributes_are_skipped(pool: dict[str, AsymmetricKey]) -> None:
    key = pool["ed25519"]
    assert isinstance(key, OKPPrivateKey)
    alg = _der.encode_sequence(_der.encode_oid("1.3.101.112"))
    attributes = _der.encode_tlv(0xA0, _der.encode_sequence(_der.encode_oid("1.2.3")))
    der = _der.encode_sequence(
        _der.encode_integer(0),
        alg,
        _der.encode_octet_string(_der.encode_octet_string(key.d)),
        attributes,
    )
    assert load_key(der) == key


def test_certificate_without_version_and_with_trailing_junk(pool: dict[str, AsymmetricKey]) -> None:
    spki = dump_der(pool["ec_p256"].public_key())
    seq = _der.encode_sequence()
    tbs = _der.encode_sequence(_der.encode_integer(1), seq, seq, seq, seq, spki)
    cert = _der.encode_sequence(tbs, seq, _der.encode_bit_string(b"sig"))
    assert load_key(cert) == pool["ec_p256"].public_key()
    with pytest.raises(InvalidKeyError, match="unexpected bytes"):
        load_key(_der.encode_sequence(tbs, seq, _der.encode_bit_string(b"sig"), seq))
    with pytest.raises(InvalidKeyError):
        load_key(_der.encode_sequence(tbs + b"\x30\x05", seq, _der.encode_bit_string(b"s")))


def test_der_shapes() -> None:
    i = _der.encode_integer(1)
    seq = _der.encode_sequence()
    octets = _der.encode_octet_string(b"")
    assert _keyformats.der_shape(_der.encode_sequence(seq, octets)) == "ENCRYPTED PRIVATE KEY"
    assert _keyformats.der_shape(_der.encode_sequence(i, i)) == "RSA PUBLIC KEY"
    assert _keyformats.der_shape(_der.encode_sequence(i, _der.encode_null())) is None
    assert _keyformats.der_shape(_der.encode_sequence(octets)) is None
    assert _keyformats.der_shape(_der.encode_sequence(seq)) is None
    assert _keyformats.der_shape(b"\x30\x03\x02\x01") is None
    with pytest.raises(InvalidKeyError, match="not a known key structure"):
        load_key(_der.encode_sequence(octets))


# --- OpenSSH -------------------------------------------------------------------------------------


def _ssh_line(*fields: bytes, name: str = "ssh-rsa") -> bytes:
    blob = b"".join(len(f).to_bytes(4, "big") + f for f in fields)
    return f"{name} ".encode() + base64.b64encode(blob)


def test_ssh_refusals(pool: dict[str, AsymmetricKey]) -> None:
    rsa = pool["rsa2048"].public_key()
    assert isinstance(rsa, RSAPublicKey)
    n = rsa.n.to_bytes(257, "big")
    e = b"\x01\x00\x01"
    assert load_key(_ssh_line(b"ssh-rsa", e, n)) == rsa
    assert load_key(b"  " + _ssh_line(b"ssh-rsa", e, n) + b" comment with spaces\n") == rsa
    cases = {
        "does not match the type": _ssh_line(b"ssh-dss", e, n),
        "negative mpint": _ssh_line(b"ssh-rsa", e, b"\x80" + n),
        "non-minimal mpint": _ssh_line(b"ssh-rsa", e, b"\x00" + n),
        "truncated": _ssh_line(b"ssh-rsa", e)[:-4],
        "unexpected bytes": _ssh_line(b"ssh-rsa", e, n, b""),
        "curve identifier": _ssh_line(
            b"ecdsa-sha2-nistp256", b"nistp384", b"", name="ecdsa-sha2-nistp256"
        ),
        "must be 32 bytes": _ssh_line(b"ssh-ed25519", bytes(31), name="ssh-ed25519"),
        "needs a key type": b"ssh-rsa",
        "too long": b"ssh-rsa " + b"A" * 9000,
        "invalid base64": b"ssh-rsa AAAA*",
    }
    for message, line in cases.items():
        with pytest.raises(InvalidKeyError, match=message):
            load_key(line)
    assert load_key(_ssh_line(b"ssh-ed448", bytes(57), name="ssh-ed448")) == OKPPublicKey(
        "Ed448", bytes(57)
    )
    with pytest.raises(InvalidKeyError, match="unrecognised"):
        load_key(b"ssh-dss AAAA")


def test_ssh_parser_edges() -> None:
    with pytest.raises(InvalidKeyError, match="unsupported SSH key type"):
        _ssh.parse_public_line(b"ssh-foo AAAA")
    with pytest.raises(InvalidKeyError, match="not ASCII"):
        _ssh.parse_public_line(b"\xff\xfe AAAA")
    line = FORMATS["ed25519"]["ssh"].encode()
    assert _ssh.is_public_line(line)
    assert not _ssh.is_public_line(line + b" " * _ssh.MAX_LINE)
    with pytest.raises(InvalidKeyError, match="unsupported curve"):
        _keyformats.ec_public("P-224", b"\x04")


def test_ssh_round_trip(pool: dict[str, AsymmetricKey]) -> None:
    ran = 0
    for name, key in pool.items():
        if name == "ec_secp256k1":
            continue
        assert load_key(dump_ssh_public(key)) == key.public_key()
        ran += 1
    assert ran == 13


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
