"""jwtlite._keyformats: validation on load of PKCS#1, PKCS#8, SEC 1, SPKI and X.509 structures."""

from __future__ import annotations

import dataclasses
import math

import pytest

from jwtlite import _cache, _der, _keyformats
from jwtlite._curves import CURVES, WeierstrassCurve, curve_by_oid, decompress_point, is_on_curve
from jwtlite.exceptions import InvalidKeyError
from jwtlite.keys import (
    AsymmetricKey,
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    RSAPrivateKey,
    RSAPublicKey,
    dump_der,
    load_key,
)

# --- validation on load ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _cold_key_caches() -> None:
    """Each test starts with no parsed key remembered, so that it runs the parsers and the RSA
    checks itself whatever ran before it (mutmut's clean run, for one, warms the caches)."""
    _cache.clear_caches()


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
        ("1.3.101.110", "X25519 public key must be 32 bytes"),  # loads since JWE; RFC 8410
        ("1.3.101.111", "X448 public key must be 56 bytes"),
        ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
        ("1.2.840.10040.4.1", "DSA"),
        ("1.2.3.4", "unsupported key algorithm OID 1.2.3.4"),
    ]:
        with pytest.raises(InvalidKeyError, match=message):
            load_key(_spki(_der.encode_sequence(_der.encode_oid(oid)), b"\x00" * 31))
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


# --- mutation testing: whole refusal texts, the certificate's tags, points of odd y ---------------

_NULL = _der.encode_null()


def _text(parse: object, der: bytes) -> str:
    with pytest.raises((InvalidKeyError, _der.DERError)) as info:
        parse(der)  # type: ignore[operator]
    return str(info.value)


def test_structure_texts_name_the_structure(pool: dict[str, AsymmetricKey]) -> None:
    rsa = pool["rsa2048"]
    assert isinstance(rsa, RSAPrivateKey)
    ints = [_der.encode_integer(v) for v in (rsa.n, rsa.e)]
    k = _keyformats
    assert _text(k.parse_pkcs1_public, b"\x31\x00") == (
        "expected RSAPublicKey (tag 0x30), found tag 0x31"
    )
    assert _text(k.parse_pkcs1_public, _der.encode_sequence(*ints, _NULL)) == (
        "2 unexpected bytes at the end of RSAPublicKey"
    )
    values = [0, rsa.n, rsa.e, rsa.d, rsa.p, rsa.q, rsa.dp, rsa.dq, rsa.qi]
    private = [_der.encode_integer(v) for v in values]
    assert _text(k.parse_pkcs1_private, b"\x31\x00") == (
        "expected RSAPrivateKey (tag 0x30), found tag 0x31"
    )
    assert _text(k.parse_pkcs1_private, _der.encode_sequence(*private, _NULL, _NULL)) == (
        "4 unexpected bytes at the end of RSAPrivateKey"
    )
    multi = _der.encode_sequence(_der.encode_integer(1), *private[1:])
    assert _text(k.parse_pkcs1_private, multi) == "multi-prime RSA keys are not supported"
    rsa_alg = _der.encode_sequence(_der.encode_oid(k.OID_RSA), _NULL)
    spki = _der.encode_sequence(rsa_alg, _der.encode_bit_string(k.pkcs1_der(rsa.public_key())))
    assert k.parse_spki(spki) == rsa.public_key()
    assert _text(k.parse_spki, spki + _NULL) == "2 trailing bytes after SubjectPublicKeyInfo"
    longer = _der.encode_sequence(_der.unwrap(spki, _der.TAG_SEQUENCE, "SPKI"), _NULL)
    assert _text(k.parse_spki, longer) == "2 unexpected bytes at the end of SubjectPublicKeyInfo"
    ed_with_params = _der.encode_sequence(_der.encode_oid("1.3.101.112"), _NULL)
    assert _text(k.parse_spki, _spki(ed_with_params, bytes(32))) == (
        "2 unexpected bytes at the end of AlgorithmIdentifier"
    )
    explicit = _der.encode_sequence(_der.encode_oid(k.OID_EC), _der.encode_sequence())
    assert _text(k.parse_spki, _spki(explicit, b"\x04")) == (
        "explicit EC parameters are refused (RFC 5480: named curves)"
    )
    implicit = _der.encode_sequence(_der.encode_oid(k.OID_EC), _NULL)
    assert _text(k.parse_spki, _spki(implicit, b"\x04")) == (
        "EC key without a named curve (RFC 5480 §2.1.1)"
    )


def _certificate(
    spki: bytes, *, serial: bytes = b"", name: bytes = b"", sig_alg: bytes = b"", sig: bytes = b""
) -> bytes:
    seq = _der.encode_sequence()
    version = _der.encode_tlv(0xA0, _der.encode_integer(2))
    tbs = _der.encode_sequence(
        version, serial or _der.encode_integer(7), seq, name or seq, seq, seq, spki
    )
    return _der.encode_sequence(tbs, sig_alg or seq, sig or _der.encode_bit_string(b"signature"))


def test_certificate_members_must_have_their_tags(pool: dict[str, AsymmetricKey]) -> None:
    public = pool["ec_p256"].public_key()
    spki = dump_der(public)
    k = _keyformats
    assert k.parse_certificate(_certificate(spki)) == public
    a_set, octets = _der.encode_tlv(0x31, b""), _der.encode_octet_string(b"\x01")
    for der, message in [
        (_certificate(spki, sig_alg=a_set), "expected tag 0x30, found tag 0x31"),
        (_certificate(spki, sig=octets), "expected tag 0x03, found tag 0x04"),
        (_certificate(spki, serial=octets), "expected tag 0x02, found tag 0x04"),
        (_certificate(spki, name=a_set), "expected tag 0x30, found tag 0x31"),
        (b"\x31\x00", "expected Certificate (tag 0x30), found tag 0x31"),
        (
            _der.encode_sequence(_der.unwrap(_certificate(spki), 0x30, "c"), _NULL),
            "2 unexpected bytes at the end of Certificate",
        ),
    ]:
        assert _text(k.parse_certificate, der) == message


def test_ec_private_texts(pool: dict[str, AsymmetricKey]) -> None:
    key = pool["ec_p256"]
    assert isinstance(key, ECPrivateKey)
    curve = CURVES["P-256"]
    oid = _der.encode_oid(curve.oid)
    d = key.d.to_bytes(32, "big")
    point = _keyformats.encode_point(curve, key.x, key.y)
    g = _keyformats.encode_point(curve, curve.gx, curve.gy)
    k = _keyformats
    assert _text(k.parse_sec1, b"\x31\x00") == "expected ECPrivateKey (tag 0x30), found tag 0x31"
    assert _text(k.parse_sec1, _sec1(d)) == "ECPrivateKey names no curve"
    assert _text(k.parse_sec1, _sec1(d, params=oid, point=g)) == (
        "EC public point does not match the private scalar"
    )
    assert _text(k.parse_sec1, _sec1(curve.n.to_bytes(32, "big"), params=oid)) == (
        "EC private scalar out of range for P-256"
    )
    wrapped = _der.encode_tlv(0xA1, _der.encode_bit_string(point) + _NULL)
    sec1 = _der.encode_sequence(_der.encode_integer(1), _der.encode_octet_string(d), wrapped)
    assert _text(k.parse_pkcs8, _pkcs8(_ec_alg(), sec1)) == (
        "2 unexpected bytes at the end of publicKey"
    )
    longer = _der.encode_sequence(_der.unwrap(_sec1(d, params=oid), 0x30, "k"), _NULL)
    assert _text(k.parse_sec1, longer) == "2 unexpected bytes at the end of ECPrivateKey"
    other_curve = _sec1(d, params=_der.encode_oid("1.3.132.0.34"))
    assert _text(k.parse_pkcs8, _pkcs8(_ec_alg(), other_curve)) == (
        "ECPrivateKey parameters disagree with the algorithm's curve"
    )
    assert _text(k.parse_pkcs8, _pkcs8(_ec_alg(), _der.encode_octet_string(d))) == (
        "expected ECPrivateKey (tag 0x30), found tag 0x04"
    )
    assert _text(k.parse_pkcs8, _pkcs8(_ec_alg(), _sec1(d), version=1, public=g)) == (
        "EC public key does not match the private scalar"
    )
    # RFC 5958: version 2 (v2 = 1) may hold the publicKey, or leave it out; version 1 may not.
    assert k.parse_pkcs8(_pkcs8(_ec_alg(), _sec1(d), version=1)) == key
    assert _text(k.parse_pkcs8, _pkcs8(_ec_alg(), _sec1(d), public=point)) == (
        f"{2 + len(point) + 1} unexpected bytes at the end of PrivateKeyInfo"
    )
    assert _text(k.parse_pkcs8, b"\x31\x00") == (
        "expected PrivateKeyInfo (tag 0x30), found tag 0x31"
    )
    unused_bits = _der.encode_sequence(
        _der.encode_integer(1), _ec_alg(), _der.encode_octet_string(_sec1(d)),
        _der.encode_tlv(0x81, b"\x01" + point),
    )  # fmt: skip
    assert _text(k.parse_pkcs8, unused_bits) == "publicKey BIT STRING must hold whole octets"
    ed = _der.encode_sequence(_der.encode_oid("1.3.101.112"))
    assert _text(k.parse_pkcs8, _pkcs8(ed, _der.encode_sequence())) == (
        "expected CurvePrivateKey (tag 0x04), found tag 0x30"
    )


def test_points_of_odd_y() -> None:
    curve = CURVES["P-256"]
    assert curve.gy & 1  # the generator's y is odd: its compressed form starts with 0x03
    odd = _keyformats.encode_point(curve, curve.gx, curve.gy, compressed=True)
    even = _keyformats.encode_point(curve, curve.gx, curve.p - curve.gy, compressed=True)
    assert odd == b"\x03" + curve.gx.to_bytes(32, "big")
    assert even == b"\x02" + curve.gx.to_bytes(32, "big")
    assert _keyformats.decode_point(curve, odd) == (curve.gx, curve.gy)
    assert _keyformats.decode_point(curve, even) == (curve.gx, curve.p - curve.gy)
    # 0x04 announces both coordinates; with only x it is malformed, not a compressed point.
    with pytest.raises(InvalidKeyError) as info:
        _keyformats.decode_point(curve, b"\x04" + curve.gx.to_bytes(32, "big"))
    assert str(info.value) == "malformed EC point encoding for P-256"


def test_der_dispatch_and_writer_texts(pool: dict[str, AsymmetricKey]) -> None:
    encrypted = _der.encode_sequence(_der.encode_sequence(), _der.encode_octet_string(b"x"))
    assert _text(_keyformats.parse_der, encrypted) == "DER data is not a known key structure"
    with pytest.raises(InvalidKeyError) as info:
        dump_der(ECPrivateKey("P-999", 1, 1, 1), format="sec1")
    assert str(info.value) == "unsupported curve 'P-999'"


def _toy(p: int, q: int, e: int, d: int | None = None) -> dict[str, int]:
    """The members of a two-prime key, d as given or computed (RFC 8017 §3.2)."""
    lam = math.lcm(p - 1, q - 1)
    d = pow(e, -1, lam) if d is None else d
    crt = {"dp": d % (p - 1), "dq": d % (q - 1), "qi": pow(q, -1, p)}
    return {"n": p * q, "e": e, "d": d, "p": p, "q": q, **crt}


def test_rsa_private_bounds_on_toy_keys() -> None:
    # The size policy belongs to the algorithms; the model takes any consistent two-prime key.
    for p, q in [(3, 1000003), (1000003, 3)]:
        assert _keyformats.rsa_private(**_toy(p, q, 5)).n == 3000009
    # d = 1 and qi = 1 are consistent (e = 7 is 1 mod lcm(2, 6), and 7 is 1 mod 3).
    assert _keyformats.rsa_private(**_toy(3, 7, 7)).d == 1
    inconsistent = "RSA private key is inconsistent: "
    one = _toy(3, 7, 7) | {"p": 1, "q": 21, "dp": 0, "dq": 1, "qi": 0}
    assert _text(lambda m: _keyformats.rsa_private(**m), one) == inconsistent + "n != p*q"
    # d = n: here n*e is 1 mod lcm(p-1, q-1), but d must be below n.
    d_is_n = _toy(7, 11, 23, d=77)
    assert _text(lambda m: _keyformats.rsa_private(**m), d_is_n) == (
        inconsistent + "d*e != 1 mod lcm(p-1, q-1)"
    )
    # d*e is 1 modulo q-1 but not modulo p-1: only the whole lcm tells it is wrong.
    good = _toy(1000037, 1000003, 65537)
    shifted = _toy(1000037, 1000003, 65537, d=good["d"] + 1000002)
    assert shifted["d"] < shifted["n"]
    assert _text(lambda m: _keyformats.rsa_private(**m), shifted) == (
        inconsistent + "d*e != 1 mod lcm(p-1, q-1)"
    )
    assert _text(lambda m: _keyformats.rsa_private(**m), good | {"qi": good["qi"] + 1}) == (
        inconsistent + "wrong CRT values"
    )


def test_ec_scalar_range_is_checked_before_any_backend(backend: object) -> None:
    # The text is ec_private's own on every backend (the pure one words its refusal otherwise).
    curve = CURVES["P-256"]
    for d in (0, curve.n, curve.n + 1):
        assert _text(lambda s: _keyformats.ec_private("P-256", s, None), d) == (
            "EC private scalar out of range for P-256"
        )


# --- the curve table's checks themselves (mutation testing of _curves) -----------------------

@pytest.mark.parametrize("name", sorted(CURVES))
def test_curve_checks_at_the_field_s_edges(name: str) -> None:
    curve = CURVES[name]
    p, gx, gy = curve.p, curve.gx, curve.gy
    assert curve_by_oid(curve.oid) is curve
    assert is_on_curve(curve, gx, gy)
    assert is_on_curve(curve, gx, p - gy)
    # Coordinates are canonical: the same point written with x + p or y + p is refused.
    assert not is_on_curve(curve, gx + p, gy)
    assert not is_on_curve(curve, gx, gy + p)
    assert not is_on_curve(curve, gx - p, gy)
    assert not is_on_curve(curve, gx, gy - p)
    assert not is_on_curve(curve, gx, gy + 1)
    assert not is_on_curve(curve, gx + 1, gy)
    # y^2 = x^3 + ax + b term by term: (0, sqrt(b)) is on the curve when b is a square.
    # Euler's criterion says when: for the three NIST curves, not for secp256k1 (b = 7).
    root = decompress_point(curve, 0, False)
    assert (root is not None) == (pow(curve.b, (p - 1) // 2, p) == 1)
    assert (root is not None) == (name != "secp256k1")
    if root is not None:
        assert root[0] == 0
        assert root[1] % 2 == 0
        assert is_on_curve(curve, *root)
        assert root[1] ** 2 % p == curve.b % p
        # x = p is x = 0 written with p added: not canonical, refused.
        assert not is_on_curve(curve, p, root[1])
    # Both parities of y decompress to the generator and its negation.
    odd = gy & 1 == 1
    assert decompress_point(curve, gx, odd) == (gx, gy)
    assert decompress_point(curve, gx, not odd) == (gx, p - gy)
    assert decompress_point(curve, gx + p, odd) is None
    assert decompress_point(curve, p, odd) is None
    assert decompress_point(curve, -1, odd) is None
    # An x with no point: the first x >= 1 whose right-hand side is no square.
    x = next(x for x in range(1, 100) if pow(x**3 + curve.a * x + curve.b, (p - 1) // 2, p) != 1)
    assert decompress_point(curve, x, False) is None
    assert decompress_point(curve, x, True) is None


def test_an_unknown_curve_oid_has_no_curve() -> None:
    assert curve_by_oid("1.2.840.10045.3.1.1") is None  # P-192
    assert [curve_by_oid(c.oid) for c in CURVES.values()] == list(CURVES.values())
