"""Short-Weierstrass curve domain parameters and the affine checks key loading needs.

Constants are from SEC 2 v2 (secp256k1, §2.4.1) and FIPS 186-5 / SP 800-186 §3.2.1
(P-256, P-384, P-521). Every ``p`` here is congruent to 3 mod 4, so square roots are a single
exponentiation (used for point decompression, SEC 1 §2.3.4).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CURVES", "WeierstrassCurve", "curve_by_oid", "decompress_point", "is_on_curve"]


@dataclass(frozen=True)
class WeierstrassCurve:
    """y^2 = x^3 + a*x + b over GF(p), with base point (gx, gy) of prime order n."""

    name: str  #: JWK ``crv`` name (RFC 7518 §6.2.1.1, RFC 8812 §3.1)
    p: int
    a: int
    b: int
    n: int
    gx: int
    gy: int
    size: int  #: bytes in one coordinate or scalar: ceil(bits / 8)
    oid: str  #: namedCurve OID (RFC 5480 §2.1.1.1, SEC 2 §A.2)


CURVES: dict[str, WeierstrassCurve] = {
    c.name: c
    for c in (
        WeierstrassCurve(
            name="P-256",
            p=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
            a=0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
            b=0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
            n=0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
            gx=0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
            gy=0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
            size=32,
            oid="1.2.840.10045.3.1.7",
        ),
        WeierstrassCurve(
            name="P-384",
            p=int(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
                "FFFFFFFF0000000000000000FFFFFFFF",
                16,
            ),
            a=int(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE"
                "FFFFFFFF0000000000000000FFFFFFFC",
                16,
            ),
            b=int(
                "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875A"
                "C656398D8A2ED19D2A85C8EDD3EC2AEF",
                16,
            ),
            n=int(
                "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
                "581A0DB248B0A77AECEC196ACCC52973",
                16,
            ),
            gx=int(
                "AA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A38"
                "5502F25DBF55296C3A545E3872760AB7",
                16,
            ),
            gy=int(
                "3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C0"
                "0A60B1CE1D7E819D7A431D7C90EA0E5F",
                16,
            ),
            size=48,
            oid="1.3.132.0.34",
        ),
        WeierstrassCurve(
            name="P-521",
            p=(1 << 521) - 1,
            a=(1 << 521) - 4,
            b=int(
                "0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF1"
                "09E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B50"
                "3F00",
                16,
            ),
            n=int(
                "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"
                "FFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E9138"
                "6409",
                16,
            ),
            gx=int(
                "00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D"
                "3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5"
                "BD66",
                16,
            ),
            gy=int(
                "011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E"
                "662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD1"
                "6650",
                16,
            ),
            size=66,
            oid="1.3.132.0.35",
        ),
        WeierstrassCurve(
            name="secp256k1",
            p=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F,
            a=0,
            b=7,
            n=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141,
            gx=0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
            gy=0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8,
            size=32,
            oid="1.3.132.0.10",
        ),
    )
}

_BY_OID = {c.oid: c for c in CURVES.values()}


def curve_by_oid(oid: str) -> WeierstrassCurve | None:
    """The curve with this namedCurve OID, or None if jwtlite does not support it."""
    return _BY_OID.get(oid)


def is_on_curve(curve: WeierstrassCurve, x: int, y: int) -> bool:
    """True when (x, y) is a finite point of ``curve`` with canonical coordinates (< p)."""
    p = curve.p
    if not (0 <= x < p and 0 <= y < p):
        return False
    return (y * y - (x * x + curve.a) * x - curve.b) % p == 0  # x^3 + ax + b, one product less


def decompress_point(curve: WeierstrassCurve, x: int, y_odd: bool) -> tuple[int, int] | None:
    """Recover y from x and its parity (SEC 1 §2.3.4); None when x is not on the curve."""
    p = curve.p
    if not 0 <= x < p:
        return None
    rhs = (x * x * x + curve.a * x + curve.b) % p
    y = pow(rhs, (p + 1) // 4, p)  # valid because p % 4 == 3 for every curve here
    if y * y % p != rhs:
        return None
    if (y & 1) != y_odd:
        y = p - y
    return x, y
