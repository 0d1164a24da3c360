"""JWK import/export, thumbprints, PyJWK (RFC 7517, 7518 §6, 7638, 8037, 9278), PyJWT interop."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from typing import Any

import pytest
from conftest import KEYS, VECTORS, load_vector
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jwtlite import _cache
from jwtlite._curves import CURVES
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.exceptions import InvalidKeyError, PyJWKError
from jwtlite.jwk import PyJWK, key_from_jwk, key_to_jwk, thumbprint, thumbprint_uri
from jwtlite.keys import (
    ECPrivateKey,
    ECPublicKey,
    OKPPrivateKey,
    OKPPublicKey,
    RSAPrivateKey,
    RSAPublicKey,
    dump_pem,
    load_key,
)

RFC7520_JWKS = sorted((VECTORS / "rfc7520" / "jwk").glob("*.json"))
# The fixed pool of plain PKCS#8 keys (tests/vectors/keys/README.md); other files there are
# other encodings of these.
POOL = [
    *(f"rsa{bits}.pem" for bits in (1024, 2048, 2304, 2560, 3072, 3584, 4096)),
    "rsa2048_b.pem",
    *(f"ec_{c}.pem" for c in ("p256", "p384", "p521", "secp256k1")),
    "ed25519.pem",
    "ed448.pem",
]


@pytest.fixture(autouse=True)
def _cold_key_caches() -> None:
    """Each test starts with no parsed key remembered, so that it runs the parsers and the RSA
    checks itself whatever ran before it (mutmut's clean run, for one, warms the caches)."""
    _cache.clear_caches()


def _rfc7520(name: str) -> dict[str, Any]:
    return load_vector(f"rfc7520/jwk/{name}")


RSA_PRIVATE = _rfc7520("3_4.rsa_private_key.json")
EC_PRIVATE = _rfc7520("3_2.ec_private_key.json")
ED25519 = load_vector("rfc/rfc8037_A_ed25519.json")


def _pool_key(name: str) -> Any:
    return load_key((KEYS / name).read_bytes())


def _b64_int(value: int, size: int | None = None) -> str:
    size = size or max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(size, "big"))


# --- vectors ---------------------------------------------------------------------------------


def test_rfc7520_jwks_import_and_export_exactly() -> None:
    ran = 0
    for path in RFC7520_JWKS:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = key_from_jwk(data)
        out = key_to_jwk(key, kid=data["kid"], use=data["use"], alg=data.get("alg"))
        assert out == data, path.name
        ran += 1
    assert ran == 6


def test_rfc7520_key_values() -> None:
    key = key_from_jwk(RSA_PRIVATE)
    assert isinstance(key, RSAPrivateKey)
    assert key.n == int.from_bytes(b64url_decode(RSA_PRIVATE["n"]), "big")
    assert key.e == 65537
    assert key.n.bit_length() == 2048
    ec = key_from_jwk(EC_PRIVATE)
    assert isinstance(ec, ECPrivateKey)
    assert ec.curve == "P-521"
    # x starts with a zero octet: the full 66-octet width is required and kept.
    assert b64url_decode(EC_PRIVATE["x"])[0] == 0
    oct_key = key_from_jwk(_rfc7520("3_5.symmetric_key_mac_computation.json"))
    assert oct_key == b64url_decode("hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg")


def test_rfc7638_thumbprint() -> None:
    vector = load_vector("rfc/rfc7638_3_1_thumbprint.json")
    assert thumbprint(vector["jwk"]) == vector["thumbprint_b64"]
    assert b64url_decode(thumbprint(vector["jwk"])) == bytes(vector["thumbprint_octets"])
    key = key_from_jwk(vector["jwk"])
    assert thumbprint(key) == vector["thumbprint_b64"]
    assert thumbprint(PyJWK(vector["jwk"])) == vector["thumbprint_b64"]


def test_rfc8037_a3_thumbprint_and_rfc9278_uri() -> None:
    public = ED25519["A2_public_jwk"]
    assert thumbprint(public) == ED25519["A3_thumbprint_b64"]
    assert b64url_decode(thumbprint(public)).hex() == ED25519["A3_thumbprint_sha256_hex"]
    assert thumbprint_uri(public) == (
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:" + ED25519["A3_thumbprint_b64"]
    )
    assert thumbprint_uri(public, "sha512").startswith(
        "urn:ietf:params:oauth:jwk-thumbprint:sha-512:"
    )
    assert len(b64url_decode(thumbprint(public, "sha384"))) == 48


def test_rfc8037_a1_private_key() -> None:
    key = key_from_jwk(ED25519["A1_private_jwk"])
    assert isinstance(key, OKPPrivateKey)
    assert key.d.hex() == ED25519["A1_d_decoded_hex"]
    assert key.x.hex() == ED25519["A1_x_decoded_hex"]
    # A private key and its public key share one thumbprint (RFC 7638 §3.2.1).
    assert thumbprint(key) == ED25519["A3_thumbprint_b64"]
    assert key_to_jwk(key) == ED25519["A1_private_jwk"]


def _wycheproof_jwks() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    found = []
    for path in sorted((VECTORS / "wycheproof").glob("*.json")):
        groups = json.loads(path.read_text(encoding="utf-8"))["testGroups"]
        found += [(g["publicKeyJwk"], g["publicKey"]) for g in groups if "publicKeyJwk" in g]
    return found


def test_wycheproof_jwks_import_and_match_their_raw_keys() -> None:
    jwks = _wycheproof_jwks()
    for data, raw in jwks:
        key = key_from_jwk(data)
        if isinstance(key, ECPublicKey):
            assert (key.x, key.y) == (int(raw["wx"], 16), int(raw["wy"], 16))
        elif isinstance(key, RSAPublicKey):
            assert (key.n, key.e) == (int(raw["modulus"], 16), int(raw["publicExponent"], 16))
        else:
            assert isinstance(key, OKPPublicKey)
            assert key.x.hex() == raw["pk"]
        assert key_to_jwk(key, kid=data.get("kid"), alg=data.get("alg")) == data
    assert len(jwks) == 99 + 103 + 95 + 98 + 78 + 15 + 4


# --- refusals ----------------------------------------------------------------------------------


def _set(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for name, value in changes.items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


RSA_PUBLIC = _rfc7520("3_3.rsa_public_key.json")
EC_PUBLIC = _rfc7520("3_1.ec_public_key.json")
_N = int.from_bytes(b64url_decode(RSA_PUBLIC["n"]), "big")
_P521 = CURVES["P-521"]

BAD_JWKS: list[tuple[Any, str]] = [
    ("not a dict", "must be a JSON object"),
    ({}, '"kty" is missing'),
    ({"kty": 1}, '"kty" is not a string'),
    ({"kty": "RSA-OAEP"}, "Unsupported kty"),
    (_set(RSA_PUBLIC, kid=5), '"kid" must be a string'),
    (_set(RSA_PUBLIC, key_ops="sign"), '"key_ops" must be an array'),
    (_set(RSA_PUBLIC, key_ops=["verify", "verify"]), "duplicate"),
    (_set(RSA_PUBLIC, n=None), '"n" is missing'),
    (_set(RSA_PUBLIC, n=_b64_int(_N + 1)), "must be odd"),
    (_set(RSA_PUBLIC, n=_b64_int((1 << 16384) + 1)), "exceeds 16384"),
    (_set(RSA_PUBLIC, n="A" * 5000), "too long"),
    (_set(RSA_PUBLIC, e="AQ"), "exponent"),
    (_set(RSA_PUBLIC, e="AQA"), "exponent"),
    (_set(RSA_PUBLIC, e=RSA_PUBLIC["n"]), "exponent"),
    (_set(RSA_PUBLIC, e="AQAB=="), "base64url"),
    (_set(RSA_PUBLIC, e=""), "empty"),
    (_set(RSA_PUBLIC, oth=[]), "oth"),
    (_set(RSA_PUBLIC, p=RSA_PRIVATE["p"]), "no d"),
    (_set(RSA_PRIVATE, dq=None), "not dq"),
    (_set(RSA_PRIVATE, d="AQ"), "inconsistent: d"),
    (_set(RSA_PRIVATE, d=RSA_PRIVATE["dp"]), "inconsistent: d"),
    (_set(RSA_PRIVATE, p=RSA_PRIVATE["q"]), "inconsistent: n != p"),
    (_set(RSA_PRIVATE, dp=RSA_PRIVATE["dq"]), "wrong CRT values"),
    (_set(RSA_PRIVATE, qi="Aw"), "wrong CRT values"),
    (_set(RSA_PRIVATE, p=None, q=None, dp=None, dq=None, qi=None, d="AQ"), "out of range"),
    (_set(RSA_PRIVATE, p=None, q=None, dp=None, dq=None, qi=None, d=_b64_int(12345)), "match"),
    (_set(EC_PUBLIC, crv="P-192"), "Unsupported crv: P-192"),
    (_set(EC_PUBLIC, crv=None), '"crv" is missing'),
    (_set(EC_PUBLIC, x=b64url_encode(b64url_decode(EC_PUBLIC["x"])[1:])), "66 octets"),
    (_set(EC_PUBLIC, y=b64url_encode(b"\0" + b64url_decode(EC_PUBLIC["y"]))), "66 octets"),
    (_set(EC_PUBLIC, y=_b64_int(12345, 66)), "not on P-521"),
    (_set(EC_PUBLIC, x=_b64_int(_P521.p, 66)), "not on P-521"),
    (_set(EC_PRIVATE, d=_b64_int(0, 66)), "out of range"),
    (_set(EC_PRIVATE, d=_b64_int(_P521.n, 66)), "out of range"),
    (_set(EC_PRIVATE, d=_b64_int(7, 66)), "does not match"),
    (_set(EC_PRIVATE, d=_b64_int(7)), "66 octets"),
    # X25519/X448 keys load (RFC 8037 §2, for JWE's ECDH-ES), with the RFC 7748 sizes.
    ({"kty": "OKP", "crv": "X25519", "x": "AAAA"}, "32 octets"),
    ({"kty": "OKP", "crv": "X448", "x": b64url_encode(bytes(57))}, "56 octets"),
    ({"kty": "OKP", "crv": "Curve25519", "x": "AAAA"}, "Unsupported crv: Curve25519"),
    (_set(ED25519["A2_public_jwk"], x="AAAA"), "32 octets"),
    (_set(ED25519["A1_private_jwk"], d=b64url_encode(bytes(32))), "does not match"),
    (_set(ED25519["A1_private_jwk"], d=b64url_encode(bytes(57))), "32 octets"),
    ({"kty": "oct", "k": ""}, "empty"),
    ({"kty": "oct", "k": "a b"}, "base64url"),
    ({"kty": "oct", "k": "\u00e9"}, "non-ASCII"),
    ({"kty": "oct", "k": ["x"]}, "not a string"),
]


@pytest.mark.parametrize(("data", "message"), BAD_JWKS)
def test_bad_jwks_are_refused_with_a_clear_message(data: Any, message: str) -> None:
    with pytest.raises(InvalidKeyError, match=re.escape(message)):
        key_from_jwk(data)


def test_leading_zero_is_refused_for_base64urluint() -> None:
    # RFC 7518 §6.1: "MUST utilize the minimum number of octets".
    padded = b64url_encode(b"\0" + b64url_decode(RSA_PUBLIC["n"]))
    with pytest.raises(InvalidKeyError, match="leading zero"):
        key_from_jwk(_set(RSA_PUBLIC, n=padded))


def test_rsa_private_without_crt_recovers_the_primes() -> None:
    # RFC 7518 §6.3.2: p, q, dp, dq, qi are optional as a group.
    full = key_from_jwk(RSA_PRIVATE)
    short = key_from_jwk({k: RSA_PRIVATE[k] for k in ("kty", "n", "e", "d")})
    assert isinstance(full, RSAPrivateKey)
    assert isinstance(short, RSAPrivateKey)
    assert {short.p, short.q} == {full.p, full.q}
    assert short.p > short.q  # the larger prime first, as OpenSSL and cryptography order them
    assert short.p * short.q == full.n
    assert (short.qi * short.q) % short.p == 1


# --- export ------------------------------------------------------------------------------------


def test_export_public_only_and_thumbprint_kid() -> None:
    key = key_from_jwk(RSA_PRIVATE)
    public = key_to_jwk(key, include_private=False)
    assert set(public) == {"kty", "n", "e"}
    assert key_from_jwk(public) == key.public_key()  # type: ignore[union-attr]
    with_kid = key_to_jwk(key, kid=True, use="sig", key_ops=["sign"], alg="PS384")
    assert with_kid["kid"] == thumbprint(public)
    assert with_kid["key_ops"] == ["sign"]
    assert key_to_jwk(key, kid=False) == key_to_jwk(key)
    ec = key_from_jwk(EC_PRIVATE)
    assert set(key_to_jwk(ec, include_private=False)) == {"kty", "crv", "x", "y"}
    okp = key_from_jwk(ED25519["A1_private_jwk"])
    assert key_to_jwk(okp, include_private=False) == ED25519["A2_public_jwk"]


def test_export_secrets() -> None:
    assert key_to_jwk(b"\x01\x02", alg="HS256") == {"kty": "oct", "alg": "HS256", "k": "AQI"}
    assert key_to_jwk("secret")["k"] == b64url_encode(b"secret")
    assert key_to_jwk(bytearray(b"x"))["k"] == "eA"
    with pytest.raises(InvalidKeyError, match="no public part"):
        key_to_jwk(b"secret", include_private=False)


@pytest.mark.parametrize(
    ("key", "kwargs", "message"),
    [
        (b"k", {"alg": "RS256"}, "RS256 cannot be used with an oct key"),
        ("EC", {"alg": "ES256"}, "ES256 cannot be used with an EC P-521 key"),
        ("EC", {"alg": 5}, "must be a string"),
        ("EC", {"kid": 5}, "kid must be"),
        ("EC", {"use": 5}, '"use" must be a string'),
        ("EC", {"key_ops": ["sign", "sign"]}, "duplicate"),
        (object(), {}, "Cannot export object"),
        (12, {}, "Cannot export int"),
    ],
)
def test_export_refusals(key: Any, kwargs: dict[str, Any], message: str) -> None:
    if key == "EC":
        key = key_from_jwk(EC_PRIVATE)
    with pytest.raises(InvalidKeyError, match=message):
        key_to_jwk(key, **kwargs)


def test_thumbprint_refusals() -> None:
    with pytest.raises(InvalidKeyError, match="Unsupported thumbprint hash"):
        thumbprint(RSA_PUBLIC, "md5")
    with pytest.raises(InvalidKeyError, match="Unsupported thumbprint hash"):
        thumbprint(RSA_PUBLIC, ["sha256"])  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        thumbprint({"kty": "RSA"})


@pytest.mark.parametrize("name", POOL)
def test_pool_keys_round_trip_through_jwk_and_pem(name: str) -> None:
    key = _pool_key(name)
    data = key_to_jwk(key, kid=True)
    again = key_from_jwk(data)
    assert again == key
    assert load_key(dump_pem(again)) == key
    assert key_to_jwk(load_key(dump_pem(key)), kid=True) == data
    public = key_to_jwk(key, include_private=False)
    assert key_from_jwk(public) == key.public_key()
    assert thumbprint(public) == data["kid"]
    assert len(POOL) == 14
    assert all((KEYS / n).is_file() for n in POOL)


# --- PyJWK -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (RSA_PUBLIC, "RS256"),
        (EC_PUBLIC, "ES512"),
        (ED25519["A2_public_jwk"], "EdDSA"),
        (_rfc7520("3_5.symmetric_key_mac_computation.json"), "HS256"),
        (_set(RSA_PUBLIC, alg="PS512"), "PS512"),
    ],
)
def test_pyjwk_infers_the_algorithm_as_pyjwt(data: dict[str, Any], expected: str) -> None:
    key = PyJWK(data)
    assert key.algorithm_name == expected
    assert key.key_type == data["kty"]
    assert key.key_id == data.get("kid")
    assert key.public_key_use == data.get("use")
    assert key.Algorithm.name == expected
    assert expected in repr(key)


@pytest.mark.parametrize("name", ["ec_p256.pem", "ec_p384.pem", "ec_secp256k1.pem", "ed448.pem"])
def test_pyjwk_infers_curve_algorithms(name: str) -> None:
    expected = {"ec_p256": "ES256", "ec_p384": "ES384", "ec_secp256k1": "ES256K"}
    data = key_to_jwk(_pool_key(name), include_private=False)
    assert PyJWK(data).algorithm_name == expected.get(name[:-4], "EdDSA")


def test_an_agreement_key_is_refused_by_curve_only_when_it_names_no_alg() -> None:
    # RFC 8037 §3.2: X25519 agrees on keys. Without "alg" PyJWT refuses the curve before
    # reading the members; with one, the alg decides (and its own refusal says why).
    x25519 = {"kty": "OKP", "crv": "X25519", "x": "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"}
    with pytest.raises(InvalidKeyError) as bare:
        PyJWK(x25519)
    assert str(bare.value) == (
        "Unsupported crv: X25519 (a key-agreement key: JWS signs with Ed25519 or Ed448)"
    )
    with pytest.raises(PyJWKError) as named:
        PyJWK({**x25519, "alg": "ECDH-ES"})
    assert str(named.value) == "Unable to find an algorithm for key: kid=\"None\", alg='ECDH-ES'"
    with pytest.raises(InvalidKeyError, match=r"^EdDSA cannot be used with"):
        PyJWK({**x25519, "alg": "EdDSA"})


def test_pyjwk_algorithm_argument_and_conflicts() -> None:
    assert PyJWK(RSA_PUBLIC, "PS256").algorithm_name == "PS256"
    assert PyJWK.from_dict(RSA_PUBLIC, algorithm="RS512").algorithm_name == "RS512"
    with pytest.raises(PyJWKError, match="is for RS256, not PS256"):
        PyJWK(_set(RSA_PUBLIC, alg="RS256"), "PS256")
    with pytest.raises(PyJWKError, match="Unable to find an algorithm"):
        PyJWK(_rfc7520("3_6.symmetric_key_encryption.json"))
    with pytest.raises(PyJWKError, match="Unable to find an algorithm"):
        PyJWK(RSA_PUBLIC, ["RS256"])  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="ES256 cannot be used with an EC P-521 key"):
        PyJWK(EC_PUBLIC, "ES256")
    with pytest.raises(InvalidKeyError, match="HS256 cannot be used with an RSA key"):
        PyJWK(RSA_PUBLIC, "HS256")


def test_pyjwk_from_json_is_strict() -> None:
    text = json.dumps(RSA_PUBLIC)
    assert PyJWK.from_json(text).key == key_from_jwk(RSA_PUBLIC)
    assert PyJWK.from_json(text.encode()).key_id == RSA_PUBLIC["kid"]
    with pytest.raises(InvalidKeyError, match="duplicate"):
        PyJWK.from_json('{"kty": "oct", "k": "AQ", "k": "Ag"}')
    with pytest.raises(InvalidKeyError, match="JSON"):
        PyJWK.from_json("[1]")
    with pytest.raises(InvalidKeyError, match="str or bytes"):
        PyJWK.from_json(5)  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError, match="UTF-8"):
        PyJWK.from_json('{"kty": "\ud800"}')


# --- interop with PyJWT -------------------------------------------------------------------

INTEROP = [
    ("HS256", None),
    ("RS256", "rsa2048.pem"),
    ("PS384", "rsa3072.pem"),
    ("ES256", "ec_p256.pem"),
    ("ES384", "ec_p384.pem"),
    ("ES512", "ec_p521.pem"),
    ("ES256K", "ec_secp256k1.pem"),
    ("EdDSA", "ed25519.pem"),
    ("EdDSA", "ed448.pem"),
]


@pytest.mark.parametrize(("alg", "pem"), INTEROP)
def test_interop_with_pyjwt(alg: str, pem: str | None) -> None:
    pyjwt = pytest.importorskip("jwt")
    if pem is not None:
        pytest.importorskip("cryptography")  # PyJWT needs it for every asymmetric JWK
    import jwtlite

    key = b"k" * 32 if pem is None else _pool_key(pem)
    private = key_to_jwk(key, kid="k1")
    public = private if pem is None else key_to_jwk(key, kid="k1", include_private=False)
    claims = {"sub": "interop"}
    # jwtlite signs, PyJWT verifies with the exported JWK.
    token = jwtlite.encode(claims, key, algorithm=alg, headers={"kid": "k1"})
    theirs = pyjwt.PyJWK(public, algorithm=alg)
    assert pyjwt.decode(token, theirs.key, algorithms=[alg]) == claims
    # PyJWT signs with its import of our private JWK, jwtlite verifies with the JWK itself.
    token2 = pyjwt.encode(claims, pyjwt.PyJWK(private, algorithm=alg).key, algorithm=alg)
    assert jwtlite.decode(token2, PyJWK(public, alg), algorithms=[alg]) == claims
    # And PyJWT's own JWK export imports here to the same key.
    exported = json.loads(pyjwt.PyJWK(public, algorithm=alg).Algorithm.to_jwk(theirs.key))
    assert key_from_jwk(exported) == key_from_jwk(public)


# --- hypothesis ----------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    curve=st.sampled_from(sorted(CURVES)),
    scalar=st.integers(min_value=1, max_value=(1 << 521) - 1),
)
def test_generated_ec_keys_round_trip(curve: str, scalar: int) -> None:
    from jwtlite.backends.pure.ec import public_point

    c = CURVES[curve]
    d = scalar % (c.n - 1) + 1
    x, y = public_point(curve, d)
    key = ECPrivateKey(curve, d, x, y)
    data = key_to_jwk(key, kid=True)
    assert key_from_jwk(data) == key
    assert len(b64url_decode(data["d"])) == c.size
    assert thumbprint(key_from_jwk(key_to_jwk(key, include_private=False))) == data["kid"]


@settings(max_examples=20, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32))
def test_generated_ed25519_keys_round_trip(seed: bytes) -> None:
    from jwtlite.backends.pure import ed25519

    key = OKPPrivateKey("Ed25519", seed, ed25519.public_key(seed))
    assert key_from_jwk(key_to_jwk(key)) == key


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
_VALID = [json.loads(p.read_text(encoding="utf-8")) for p in RFC7520_JWKS] + [
    ED25519["A1_private_jwk"],
    RSA_PRIVATE,
]


@st.composite
def _mutated_jwk(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(draw(st.sampled_from(_VALID)))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        names = [*sorted(data), "oth", "crv", "d", "p", "zz"]
        name = draw(st.sampled_from(names))
        action = draw(st.sampled_from(["drop", "json", "flip", "truncate", "zero"]))
        value = data.get(name)
        if action == "drop":
            data.pop(name, None)
        elif action == "json":
            data[name] = draw(_JSON)
        elif isinstance(value, str) and value:
            i = draw(st.integers(min_value=0, max_value=len(value) - 1))
            if action == "flip":
                data[name] = value[:i] + draw(st.characters()) + value[i + 1 :]
            elif action == "truncate":
                data[name] = value[:i]
            else:
                data[name] = "AA" + value
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_mutated_jwk())
def test_mutated_jwks_raise_only_jwtlite_errors(data: Any) -> None:
    # Anything else (KeyError, TypeError, ValueError ...) escapes and fails the test.
    with contextlib.suppress(InvalidKeyError):
        key_from_jwk(data)
    with contextlib.suppress(InvalidKeyError, PyJWKError):
        PyJWK(data)
    with contextlib.suppress(InvalidKeyError):
        thumbprint(data)


@settings(max_examples=200, deadline=None)
@given(data=_JSON | st.dictionaries(st.sampled_from(["kty", "crv", "x", "y", "n", "e"]), _JSON))
def test_arbitrary_json_raises_only_invalid_key_error(data: Any) -> None:
    with pytest.raises(InvalidKeyError):
        key_from_jwk(data)


def test_oversized_members_are_refused_before_decoding() -> None:
    with pytest.raises(InvalidKeyError, match='"k" is too long'):
        key_from_jwk({"kty": "oct", "k": "A" * 4097})


# --- mutation testing: whole texts of the JWK format's refusals ----------------------------------


def _jwk_refusal(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(InvalidKeyError) as info:
        call(*args, **kwargs)
    return str(info.value)


def test_key_ops_and_kid_texts() -> None:
    assert _jwk_refusal(key_to_jwk, b"secret", key_ops="sign") == (
        'JWK member "key_ops" must be an array of strings'
    )
    assert _jwk_refusal(key_to_jwk, b"secret", key_ops=["sign", "sign"]) == (
        'JWK member "key_ops" has duplicate values'
    )
    assert _jwk_refusal(key_to_jwk, b"secret", kid=5) == (
        "kid must be a string, True (thumbprint) or None"
    )
    # A str secret's thumbprint is the one of its UTF-8 octets (RFC 7638 §3.2 for "oct").
    assert key_to_jwk("sécret", kid=True)["kid"] == key_to_jwk("sécret".encode(), kid=True)["kid"]


def test_jwk_format_texts() -> None:
    assert _jwk_refusal(key_from_jwk, {"kty": "oct", "k": ""}) == "HMAC key must not be empty."
    crv = "C" * 50
    assert _jwk_refusal(key_from_jwk, {"kty": "OKP", "crv": crv, "x": "AA"}) == (
        f"Unsupported crv: {'C' * 40}... (OKP curves: Ed25519, Ed448, X25519, X448)"
    )
    assert _jwk_refusal(key_to_jwk, b"secret", alg=5) == 'JWK member "alg" must be a string'
    # "none" names no key type: it passes through as other unknown names do.
    assert key_to_jwk(b"secret", alg="none")["alg"] == "none"


def test_peer_keys_of_key_agreement() -> None:
    from jwtlite._jwkformat import peer_key_from_jwk

    ec = load_key(KEYS.joinpath("ec_p256.pem").read_bytes()).public_key()
    ec_jwk = key_to_jwk(ec)
    assert peer_key_from_jwk(ec_jwk) == ec
    x25519 = {"kty": "OKP", "crv": "X25519", "x": b64url_encode(bytes(range(32)))}
    assert peer_key_from_jwk(x25519) == OKPPublicKey("X25519", bytes(range(32)))
    refused = [
        ([1], "A JWK must be a JSON object, not list"),
        ({**ec_jwk, "d": "AA"}, "A key agreement's public key must not hold a private member"),
        ({"kty": "RSA"}, 'crv is not found: JWK member "crv" is missing'),
        ({"kty": 5, "crv": "P-256"}, 'JWK member "kty" is not a string (int)'),
        ({**ec_jwk, "x": "AA"}, 'JWK member "x" must be 32 octets, got 1'),
        ({**x25519, "x": "AA"}, 'JWK member "x" must be 32 octets, got 1'),
        ({**ec_jwk, "crv": "P-999"}, "Not a key-agreement key: EC P-999"),
        ({**x25519, "crv": "Ed25519"}, "Not a key-agreement key: OKP Ed25519"),
        ({**x25519, "kty": "EC"}, "Not a key-agreement key: EC X25519"),
        ({**ec_jwk, "kty": "OKP"}, "Not a key-agreement key: OKP P-256"),
        (
            {"kty": "K" * 30, "crv": "C" * 30},
            f"Not a key-agreement key: {'K' * 20}... {'C' * 20}...",
        ),
    ]
    for jwk, message in refused:
        assert _jwk_refusal(peer_key_from_jwk, jwk) == message
    assert len(refused) == 11


def test_rsa_and_ec_member_texts() -> None:
    rsa = key_to_jwk(load_key(KEYS.joinpath("rsa2048.pem").read_bytes()))
    public = {name: rsa[name] for name in ("kty", "n", "e")}
    # The longest member read is 4096 characters: one more is refused unread, this one is read.
    longest = "B" + "A" * 4095
    assert _jwk_refusal(key_from_jwk, {**public, "n": longest}) == (
        "RSA modulus of 24571 bits exceeds 16384"
    )
    assert _jwk_refusal(key_from_jwk, {**public, "n": longest + "A"}) == (
        'JWK member "n" is too long'
    )
    assert _jwk_refusal(key_from_jwk, {**public, "oth": []}) == (
        'RSA JWK with "oth" (more than two primes) is not supported'
    )
    crt = {name: rsa[name] for name in ("p", "q")}
    assert _jwk_refusal(key_from_jwk, {**public, **crt}) == "RSA JWK has p, q but no d"
    assert _jwk_refusal(key_from_jwk, {**public, "d": rsa["d"], **crt}) == (
        "RSA JWK has some CRT members but not dp, dq, qi"
    )
    ec = key_to_jwk(load_key(KEYS.joinpath("ec_p256.pem").read_bytes()))
    assert "d" in ec
    for name in ("x", "y"):
        assert _jwk_refusal(key_from_jwk, {**ec, name: ec[name][:-3]}) == (
            f'JWK member "{name}" must be 32 octets, got 30'
        )
    assert _jwk_refusal(key_from_jwk, {"kty": "EC", "crv": "Q" * 50}) == (
        f"Unsupported crv: {'Q' * 40}..."
    )


def test_oct_member_length_bound_and_export_text() -> None:
    assert key_from_jwk({"kty": "oct", "k": "A" * 4096}) == bytes(3072)
    assert _jwk_refusal(key_from_jwk, {"kty": "oct", "k": "A" * 4097}) == (
        'JWK member "k" is too long'
    )
    assert _jwk_refusal(key_to_jwk, b"secret", include_private=False) == (
        "A symmetric (oct) key has no public part to export"
    )


def test_member_access_texts_and_mappings() -> None:
    import types

    ec = key_to_jwk(load_key(KEYS.joinpath("ec_p256.pem").read_bytes()).public_key())
    missing_x = {k: v for k, v in ec.items() if k != "x"}
    missing_crv = {k: v for k, v in ec.items() if k != "crv"}
    for jwk, message in [
        ({"kty": 5}, 'JWK member "kty" is not a string (int)'),
        ({"crv": "P-256"}, 'kty is not found: JWK member "kty" is missing'),
        (missing_crv, 'crv is not found: JWK member "crv" is missing'),
        (missing_x, 'JWK member "x" is missing'),
        ({**ec, "x": 5}, 'JWK member "x" is not a string (int)'),
        ({**ec, "crv": None}, 'crv is not found: JWK member "crv" is missing'),
        ([ec], "A JWK must be a JSON object, not list"),
        ({"kty": "foo"}, "Unsupported kty: foo"),
        ({"kty": "K" * 50}, f"Unsupported kty: {'K' * 40}..."),
    ]:
        assert _jwk_refusal(key_from_jwk, jwk) == message
    # Any Mapping is a JWK, not only a dict.
    assert key_from_jwk(types.MappingProxyType(ec)) == key_from_jwk(ec)


def test_metadata_member_types() -> None:
    for name in ("kid", "use", "alg"):
        assert _jwk_refusal(key_from_jwk, {"kty": "oct", "k": "AA", name: 5}) == (
            f'JWK member "{name}" must be a string'
        )


def test_peer_key_from_any_mapping() -> None:
    import types

    from jwtlite._jwkformat import peer_key_from_jwk

    ec = key_to_jwk(load_key(KEYS.joinpath("ec_p256.pem").read_bytes()).public_key())
    assert peer_key_from_jwk(types.MappingProxyType(ec)) == peer_key_from_jwk(ec)
