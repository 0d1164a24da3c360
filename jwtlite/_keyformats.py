"""ASN.1 key structures to and from the neutral key model, with validation on the way in.

Structures: PKCS#1 RSAPublicKey / RSAPrivateKey (RFC 8017 A.1), SubjectPublicKeyInfo
(RFC 5280 §4.1.2.7, RFC 5480, RFC 8410), PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208,
RFC 5958), SEC1 ECPrivateKey (RFC 5915) and the SPKI inside an X.509 certificate (RFC 5280 §4.1).
Readers raise :class:`~jwtlite._der.DERError` for malformed DER and
:class:`~jwtlite.exceptions.InvalidKeyError` for well-formed keys jwtlite must refuse.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Callable

from . import _der
from ._curves import CURVES, WeierstrassCurve, curve_by_oid, decompress_point, is_on_curve
from ._der import DERError
from ._keymodel import (
    AsymmetricKey,
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    PrivateKey,
    PublicKey,
    RSAPrivateKey,
    RSAPublicKey,
)
from ._rsacheck import MAX_RSA_BITS, check_public
from .backends import get_backend
from .exceptions import InvalidKeyError

__all__ = [
    "MAX_RSA_BITS",
    "OKP_SIZES",
    "PARSERS",
    "XDH_CURVES",
    "check_curve",
    "decode_point",
    "der_shape",
    "ec_private",
    "ec_public",
    "ec_public_xy",
    "encode_point",
    "okp_private",
    "okp_public",
    "parse_der",
    "pkcs1_der",
    "pkcs8_der",
    "rsa_private",
    "rsa_public",
    "sec1_der",
    "spki_der",
]

OID_RSA = "1.2.840.113549.1.1.1"  # rsaEncryption (RFC 8017 A.1)
OID_EC = "1.2.840.10045.2.1"  # id-ecPublicKey (RFC 5480 §2.1.1)
#: RFC 8410 §3: id-X25519, id-X448, id-Ed25519, id-Ed448 (parameters absent).
OKP_OIDS = {
    "1.3.101.110": "X25519",
    "1.3.101.111": "X448",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
}
#: Private and public key octets: RFC 8032 §5.1.5 / §5.2.5 (EdDSA), RFC 7748 §5 (X25519, X448).
OKP_SIZES = {"Ed25519": 32, "Ed448": 57, "X25519": 32, "X448": 56}
#: The key-agreement curves (RFC 8037 §3.2: ECDH-ES in JWE); never signature keys.
XDH_CURVES = frozenset({"X25519", "X448"})
_REFUSED_OIDS = {
    "1.2.840.113549.1.1.10": "RSASSA-PSS-restricted RSA keys (RFC 4055) are not supported",
    "1.2.840.10040.4.1": "DSA keys are not supported by JWS",
}
_OID_BY_OKP = {name: oid for oid, name in OKP_OIDS.items()}


# --- validated constructors -----------------------------------------------------------------


def rsa_public(n: int, e: int) -> RSAPublicKey:
    """An RSA public key after the checks of RFC 8017 §3.1 and FIPS 186-5 (``_rsacheck``).

    The ROCA fingerprint is checked by the loaders above, which know whether it is allowed.
    """
    check_public(n, e)
    return RSAPublicKey(n, e)


def rsa_private(
    *, n: int, e: int, d: int, p: int, q: int, dp: int, dq: int, qi: int
) -> RSAPrivateKey:
    """A two-prime RSA private key whose values agree with each other (RFC 8017 §3.2)."""
    rsa_public(n, e)
    if p < 3 or q < 3 or p * q != n:
        raise InvalidKeyError("RSA private key is inconsistent: n != p*q")
    if not 0 < d < n or (d * e) % _lcm(p - 1, q - 1) != 1:
        raise InvalidKeyError("RSA private key is inconsistent: d*e != 1 mod lcm(p-1, q-1)")
    if dp != d % (p - 1) or dq != d % (q - 1) or not 0 < qi < p or (qi * q) % p != 1:
        raise InvalidKeyError("RSA private key is inconsistent: wrong CRT values")
    return RSAPrivateKey(n, e, d, p, q, dp, dq, qi)


def _lcm(a: int, b: int) -> int:
    return a // math.gcd(a, b) * b


def _curve(name: str) -> WeierstrassCurve:
    curve = CURVES.get(name)
    if curve is None:
        raise InvalidKeyError(f"unsupported curve {name!r}")
    return curve


def decode_point(curve: WeierstrassCurve, data: bytes) -> tuple[int, int]:
    """An uncompressed or compressed point (SEC 1 §2.3.4), which must lie on ``curve``."""
    size = curve.size
    if len(data) == 1 + 2 * size and data[0] == 4:
        x = int.from_bytes(data[1 : 1 + size], "big")
        y = int.from_bytes(data[1 + size :], "big")
        if not is_on_curve(curve, x, y):
            raise InvalidKeyError(f"EC public point is not on {curve.name}")
        return x, y
    if len(data) == 1 + size and data[0] in (2, 3):
        point = decompress_point(curve, int.from_bytes(data[1:], "big"), data[0] == 3)
        if point is None:
            raise InvalidKeyError(f"EC public point is not on {curve.name}")
        return point
    # 0x00 (the point at infinity) and the hybrid forms 0x06/0x07 are refused.
    raise InvalidKeyError(f"malformed EC point encoding for {curve.name}")


def encode_point(curve: WeierstrassCurve, x: int, y: int, *, compressed: bool = False) -> bytes:
    """SEC 1 §2.3.3 octet string of a finite point."""
    xb = x.to_bytes(curve.size, "big")
    if compressed:
        return bytes((2 + (y & 1),)) + xb
    return b"\x04" + xb + y.to_bytes(curve.size, "big")


def ec_public(curve_name: str, point: bytes) -> ECPublicKey:
    """An EC public key from its encoded point."""
    x, y = decode_point(_curve(curve_name), point)
    return ECPublicKey(curve_name, x, y)


def ec_public_xy(curve_name: str, x: int, y: int) -> ECPublicKey:
    """An EC public key from its affine coordinates, which must be a point of the curve (as a
    JWK gives them: every JWE ``epk`` comes this way, so no octet string is built)."""
    curve = _curve(curve_name)
    if not is_on_curve(curve, x, y):
        raise InvalidKeyError(f"EC public point is not on {curve.name}")
    return ECPublicKey(curve_name, x, y)


def ec_private(curve_name: str, d: int, point: bytes | None) -> ECPrivateKey:
    """An EC private key; the public point is computed, and must match ``point`` if given."""
    curve = _curve(curve_name)
    if not 1 <= d < curve.n:
        raise InvalidKeyError(f"EC private scalar out of range for {curve_name}")
    x, y = get_backend().ec_public_point(curve_name, d)
    if point is not None and decode_point(curve, point) != (x, y):
        raise InvalidKeyError("EC public point does not match the private scalar")
    return ECPrivateKey(curve_name, d, x, y)


def okp_public(curve_name: str, x: bytes) -> OKPPublicKey:
    """An Ed25519/Ed448/X25519/X448 public key of the RFC 8032 / RFC 7748 length.

    An X25519/X448 u-coordinate is not checked further: RFC 7748 §5 defines the functions for
    every value (twist points and non-canonical values included), and the low-order ones give
    the all-zero secret that the backends refuse at agreement time (§6.1).
    """
    if len(x) != OKP_SIZES[curve_name]:
        raise InvalidKeyError(f"{curve_name} public key must be {OKP_SIZES[curve_name]} bytes")
    return OKPPublicKey(curve_name, x)


def okp_private(curve_name: str, seed: bytes, public: bytes | None) -> OKPPrivateKey:
    """An OKP private key from its seed (EdDSA) or private octets (X25519/X448); the public
    key is computed, and must match ``public`` if given."""
    if len(seed) != OKP_SIZES[curve_name]:
        raise InvalidKeyError(f"{curve_name} private key must be {OKP_SIZES[curve_name]} bytes")
    if curve_name in XDH_CURVES:
        x = get_backend().xdh_public_key(curve_name, seed)
    else:
        x = get_backend().eddsa_public_key(curve_name, seed)
    if public is not None and public != x:
        raise InvalidKeyError(f"{curve_name} public key does not match the private key")
    return OKPPrivateKey(curve_name, seed, x)


# --- readers --------------------------------------------------------------------------------


def _done(data: bytes, pos: int, what: str) -> None:
    if pos != len(data):
        raise DERError(f"{len(data) - pos} unexpected bytes at the end of {what}")


def _algorithm(body: bytes) -> tuple[str, str | None]:
    """AlgorithmIdentifier contents -> (kind, curve name or None)."""
    pos, oid = _der.read_oid(body, 0)
    tag = _der.peek_tag(body, pos)
    if oid == OID_RSA:
        # RFC 8017 A.1: parameters "SHALL" be NULL; some encoders omit them.
        if tag is not None:
            pos = _der.read_null(body, pos)
        kind, curve = "RSA", None
    elif oid == OID_EC:
        if tag == _der.TAG_SEQUENCE:
            raise InvalidKeyError("explicit EC parameters are refused (RFC 5480: named curves)")
        if tag != _der.TAG_OID:
            raise InvalidKeyError("EC key without a named curve (RFC 5480 §2.1.1)")
        pos, curve_oid = _der.read_oid(body, pos)
        named = curve_by_oid(curve_oid)
        if named is None:
            raise InvalidKeyError(f"unsupported EC curve OID {curve_oid}")
        kind, curve = "EC", named.name
    elif oid in OKP_OIDS:
        kind, curve = "OKP", OKP_OIDS[oid]  # RFC 8410 §3: parameters MUST be absent
    else:
        raise InvalidKeyError(_REFUSED_OIDS.get(oid, f"unsupported key algorithm OID {oid}"))
    _done(body, pos, "AlgorithmIdentifier")
    return kind, curve


def parse_pkcs1_public(der: bytes) -> RSAPublicKey:
    """RSAPublicKey ::= SEQUENCE { modulus, publicExponent } (RFC 8017 A.1.1)."""
    body = _der.unwrap(der, _der.TAG_SEQUENCE, "RSAPublicKey")
    pos, n = _der.read_unsigned(body, 0)
    pos, e = _der.read_unsigned(body, pos)
    _done(body, pos, "RSAPublicKey")
    return rsa_public(n, e)


def parse_pkcs1_private(der: bytes) -> RSAPrivateKey:
    """RSAPrivateKey (RFC 8017 A.1.2); version 1 (multi-prime) is refused."""
    body = _der.unwrap(der, _der.TAG_SEQUENCE, "RSAPrivateKey")
    pos, version = _der.read_integer(body, 0)
    if version == 1:
        raise InvalidKeyError("multi-prime RSA keys are not supported")
    if version != 0:
        raise InvalidKeyError(f"unknown RSAPrivateKey version {version}")
    values: dict[str, int] = {}
    for name in ("n", "e", "d", "p", "q", "dp", "dq", "qi"):
        pos, values[name] = _der.read_unsigned(body, pos)
    _done(body, pos, "RSAPrivateKey")
    return rsa_private(**values)


def _spki_body(body: bytes) -> PublicKey:
    pos, alg = _der.read_sequence(body, 0)
    pos, bits = _der.read_bit_string(body, pos)
    _done(body, pos, "SubjectPublicKeyInfo")
    kind, curve = _algorithm(alg)
    if kind == "RSA":
        return parse_pkcs1_public(bits)
    if kind == "EC":
        return ec_public(str(curve), bits)
    return okp_public(str(curve), bits)


def parse_spki(der: bytes) -> PublicKey:
    """SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for RSA, EC (RFC 5480) and the RFC 8410 curves."""
    return _spki_body(_der.unwrap(der, _der.TAG_SEQUENCE, "SubjectPublicKeyInfo"))


def parse_certificate(der: bytes) -> PublicKey:
    """The subject public key of an X.509 certificate (RFC 5280 §4.1); nothing is trusted."""
    body = _der.unwrap(der, _der.TAG_SEQUENCE, "Certificate")
    pos, tbs = _der.read_sequence(body, 0)
    pos = _der.skip_element(body, pos, _der.TAG_SEQUENCE)  # signatureAlgorithm
    pos = _der.skip_element(body, pos, _der.TAG_BIT_STRING)  # signatureValue
    _done(body, pos, "Certificate")
    at = 0
    if _der.peek_tag(tbs, 0) == _der.context_tag(0):  # [0] EXPLICIT version
        at = _der.skip_element(tbs, at)
    at = _der.skip_element(tbs, at, _der.TAG_INTEGER)  # serialNumber
    for _ in range(4):  # signature, issuer, validity, subject
        at = _der.skip_element(tbs, at, _der.TAG_SEQUENCE)
    at, spki = _der.read_sequence(tbs, at)
    _der.check_tree(tbs[at:])  # issuerUniqueID, subjectUniqueID, extensions
    return _spki_body(spki)


def _sec1_body(body: bytes, curve: str | None) -> ECPrivateKey:
    pos, version = _der.read_integer(body, 0)
    if version != 1:
        raise InvalidKeyError(f"unknown ECPrivateKey version {version} (RFC 5915 §3)")
    pos, secret = _der.read_octet_string(body, pos)
    point = None
    if _der.peek_tag(body, pos) == _der.context_tag(0):
        pos, _, params = _der.read_element(body, pos)
        _, named = _algorithm(_der.encode_oid(OID_EC) + params)
        if curve is not None and named != curve:
            raise InvalidKeyError("ECPrivateKey parameters disagree with the algorithm's curve")
        curve = named
    if _der.peek_tag(body, pos) == _der.context_tag(1):
        pos, _, wrapped = _der.read_element(body, pos)
        end, point = _der.read_bit_string(wrapped, 0)
        _done(wrapped, end, "publicKey")
    _done(body, pos, "ECPrivateKey")
    if curve is None:
        raise InvalidKeyError("ECPrivateKey names no curve")
    if not 1 <= len(secret) <= CURVES[curve].size:
        raise InvalidKeyError(f"EC private key of the wrong length for {curve}")
    return ec_private(curve, int.from_bytes(secret, "big"), point)


def parse_sec1(der: bytes) -> ECPrivateKey:
    """ECPrivateKey (RFC 5915 §3); the curve must be named in its parameters."""
    return _sec1_body(_der.unwrap(der, _der.TAG_SEQUENCE, "ECPrivateKey"), None)


def parse_pkcs8(der: bytes) -> PrivateKey:
    """PrivateKeyInfo (RFC 5208 §5) or OneAsymmetricKey v2 (RFC 5958 §2)."""
    body = _der.unwrap(der, _der.TAG_SEQUENCE, "PrivateKeyInfo")
    pos, version = _der.read_integer(body, 0)
    if version not in (0, 1):
        raise InvalidKeyError(f"unknown PrivateKeyInfo version {version}")
    pos, alg = _der.read_sequence(body, pos)
    pos, inner = _der.read_octet_string(body, pos)
    if _der.peek_tag(body, pos) == _der.context_tag(0):  # attributes: not used by jwtlite
        pos = _der.skip_element(body, pos)
    public = None
    if version == 1 and _der.peek_tag(body, pos) == _der.context_tag(1, constructed=False):
        pos, _, public = _der.read_element(body, pos)
        if not public or public[0] != 0:
            raise DERError("publicKey BIT STRING must hold whole octets")
        public = public[1:]
    _done(body, pos, "PrivateKeyInfo")
    kind, curve = _algorithm(alg)
    if kind == "RSA":
        return parse_pkcs1_private(inner)
    if kind == "EC":
        key = _sec1_body(_der.unwrap(inner, _der.TAG_SEQUENCE, "ECPrivateKey"), curve)
        if public is not None and decode_point(CURVES[key.curve], public) != (key.x, key.y):
            raise InvalidKeyError("EC public key does not match the private scalar")
        return key
    seed = _der.unwrap(inner, _der.TAG_OCTET_STRING, "CurvePrivateKey")  # RFC 8410 §7
    return okp_private(str(curve), seed, public)


PARSERS: dict[str, Callable[[bytes], AsymmetricKey]] = {
    "RSA PUBLIC KEY": parse_pkcs1_public,
    "RSA PRIVATE KEY": parse_pkcs1_private,
    "PUBLIC KEY": parse_spki,
    "PRIVATE KEY": parse_pkcs8,
    "EC PRIVATE KEY": parse_sec1,
    "CERTIFICATE": parse_certificate,
}


def der_shape(der: bytes) -> str | None:
    """Which structure bare DER holds, judged from its first elements; None if none fits.

    Returns a PEM label: the structures are told apart by the tags of their first two
    members, so no trial parsing (and no ambiguity) is involved.
    """
    try:
        body = _der.unwrap(der, _der.TAG_SEQUENCE, "key")
        pos, first, _ = _der.read_element(body, 0)
        second = _der.peek_tag(body, pos)
        if first == _der.TAG_INTEGER:
            if second == _der.TAG_INTEGER:
                pos = _der.skip_element(body, pos)
                return "RSA PUBLIC KEY" if pos == len(body) else "RSA PRIVATE KEY"
            return {_der.TAG_SEQUENCE: "PRIVATE KEY", _der.TAG_OCTET_STRING: "EC PRIVATE KEY"}.get(
                second or 0
            )
        if first == _der.TAG_SEQUENCE:
            return {
                _der.TAG_BIT_STRING: "PUBLIC KEY",
                _der.TAG_SEQUENCE: "CERTIFICATE",
                _der.TAG_OCTET_STRING: "ENCRYPTED PRIVATE KEY",
            }.get(second or 0)
    except DERError:
        return None
    return None


def parse_der(der: bytes) -> AsymmetricKey:
    """Bare DER of any structure :data:`PARSERS` knows."""
    shape = der_shape(der)
    if shape is None or shape not in PARSERS:
        raise InvalidKeyError("DER data is not a known key structure")
    return PARSERS[shape](der)


# --- writers --------------------------------------------------------------------------------


def check_curve(key: AsymmetricKey) -> None:
    """Refuse a model key built by hand on a curve no format here can encode.

    Keys read by jwtlite's loaders always pass; this keeps a ``KeyError`` from escaping the
    writers (PKCS#8, SPKI, SEC 1, JWK, OpenSSH) for ``ECPublicKey("P-999", ...)``.
    """
    if isinstance(key, (ECPublicKey, ECPrivateKey)):
        known: Collection[str] = CURVES.keys()
    elif isinstance(key, (OKPPublicKey, OKPPrivateKey)):
        known = OKP_SIZES.keys()
    else:
        return
    if not isinstance(key.curve, str) or key.curve not in known:
        raise InvalidKeyError(f"unsupported curve {key.curve!r}")


def _algorithm_der(key: AsymmetricKey) -> bytes:
    if isinstance(key, (RSAPublicKey, RSAPrivateKey)):
        return _der.encode_sequence(_der.encode_oid(OID_RSA), _der.encode_null())
    if isinstance(key, (ECPublicKey, ECPrivateKey)):
        curve_oid = _der.encode_oid(CURVES[key.curve].oid)
        return _der.encode_sequence(_der.encode_oid(OID_EC), curve_oid)
    return _der.encode_sequence(_der.encode_oid(_OID_BY_OKP[key.curve]))


def pkcs1_der(key: RSAPublicKey | RSAPrivateKey) -> bytes:
    """RSAPublicKey or two-prime RSAPrivateKey (RFC 8017 A.1)."""
    if isinstance(key, RSAPublicKey):
        values = [key.n, key.e]
    else:
        values = [0, key.n, key.e, key.d, key.p, key.q, key.dp, key.dq, key.qi]
    return _der.encode_sequence(*(_der.encode_integer(v) for v in values))


def sec1_der(key: ECPrivateKey, *, with_curve: bool = True) -> bytes:
    """ECPrivateKey (RFC 5915 §3) with its public point; the curve is omitted inside PKCS#8."""
    check_curve(key)
    curve = CURVES[key.curve]
    parts = [_der.encode_integer(1), _der.encode_octet_string(key.d.to_bytes(curve.size, "big"))]
    if with_curve:
        parts.append(_der.encode_tlv(_der.context_tag(0), _der.encode_oid(curve.oid)))
    point = _der.encode_bit_string(encode_point(curve, key.x, key.y))
    parts.append(_der.encode_tlv(_der.context_tag(1), point))
    return _der.encode_sequence(*parts)


def spki_der(key: PublicKey) -> bytes:
    """SubjectPublicKeyInfo for any public key."""
    check_curve(key)
    if isinstance(key, RSAPublicKey):
        bits = pkcs1_der(key)
    elif isinstance(key, ECPublicKey):
        bits = encode_point(CURVES[key.curve], key.x, key.y)
    else:
        bits = key.x
    return _der.encode_sequence(_algorithm_der(key), _der.encode_bit_string(bits))


def pkcs8_der(key: PrivateKey) -> bytes:
    """PrivateKeyInfo version 0 (RFC 5208 §5), readable by every PKCS#8 implementation."""
    check_curve(key)
    if isinstance(key, RSAPrivateKey):
        inner = pkcs1_der(key)
    elif isinstance(key, ECPrivateKey):
        inner = sec1_der(key, with_curve=False)
    else:
        inner = _der.encode_octet_string(key.d)
    return _der.encode_sequence(
        _der.encode_integer(0), _algorithm_der(key), _der.encode_octet_string(inner)
    )
