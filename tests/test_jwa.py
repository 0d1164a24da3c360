"""The JWA table (jwtlite._jwa): rows, custom rows, the key-fit rule and its phrases."""

from __future__ import annotations

from typing import Any

import pytest

from jwtlite import _jwa
from jwtlite.exceptions import UnsupportedHashError


def test_fits_needs_the_kty_and_one_of_the_curves() -> None:
    es256 = _jwa.ALGORITHMS["ES256"]
    assert es256.fits("EC", "P-256")
    assert not es256.fits("EC", "P-384")
    assert not es256.fits("OKP", "P-256")
    assert not es256.fits(None, None)
    rs = _jwa.ALGORITHMS["RS256"]
    assert rs.fits("RSA", None)
    assert rs.fits("RSA", "anything")  # no curve list: any curve (RSA keys have none)
    assert not rs.fits("oct", None)
    eddsa = _jwa.ALGORITHMS["EdDSA"]
    assert eddsa.fits("OKP", "Ed25519")
    assert eddsa.fits("OKP", "Ed448")
    assert not eddsa.fits("OKP", "X25519")


def test_row_reads_names_only() -> None:
    assert _jwa.row("HS256") is _jwa.ALGORITHMS["HS256"]
    for name in ("hs256", "HS1", "", 5, None, ["HS256"]):
        assert _jwa.row(name) is None
    assert _jwa.jwe_algorithm("A128KW") is _jwa.JWE_ALGORITHMS["A128KW"]
    assert _jwa.jwe_encryption("A256GCM") is _jwa.ENCRYPTIONS["A256GCM"]
    for name in ("a128kw", "A256GCM ", 5, None, ["dir"]):
        assert _jwa.jwe_algorithm(name) is None
        assert _jwa.jwe_encryption(name) is None


def test_custom_row_keeps_a_known_name_and_fills_a_new_one_from_its_family() -> None:
    assert _jwa.custom_row("RS384", "rsa-pkcs1") == _jwa.ALGORITHMS["RS384"]
    made = _jwa.custom_row("XS1", "hmac", hash_name="sha1")
    assert made == _jwa.JWA("XS1", "hmac", "oct", "sha1", min_bits=256, keygen=256)
    assert _jwa.custom_row("XS", "hmac").hash_name == "sha256"  # the family's first row
    ec = _jwa.custom_row("ESX", "ecdsa", hash_name="sha512", curves=("P-384",))
    assert (ec.name, ec.kty, ec.hash_name, ec.curves) == ("ESX", "EC", "sha512", ("P-384",))
    assert _jwa.custom_row("ESY", "ecdsa").curves == ("P-256",)
    assert _jwa.custom_row("EdX", "eddsa", curves=()).curves == ()
    assert _jwa.custom_row("ES384", "ecdsa", hash_name="sha256").hash_name == "sha256"
    assert _jwa.custom_row("PSX", "rsa-pss", hash_name="sha3_256").family == "rsa-pss"
    assert _jwa.custom_row("RSX", "rsa-pkcs1", hash_name="").hash_name == "sha256"


@pytest.mark.parametrize(
    ("family", "hash_name"),
    [
        ("rsa-pkcs1", "md5"),
        ("ecdsa", "blake2b"),
        ("rsa-pss", "no-such-hash"),
        ("ecdsa", 5),
        ("hmac", "no-such-hash"),
        ("hmac", "shake_128"),
        ("hmac", 5),
    ],
)
def test_custom_row_refuses_a_hash_whole_text(family: str, hash_name: Any) -> None:
    with pytest.raises(UnsupportedHashError) as caught:
        _jwa.custom_row("XX1", family, hash_name=hash_name)
    assert str(caught.value) == f"unsupported hash for XX1: {hash_name!r}"


def test_hmac_takes_any_fixed_length_hashlib_hash() -> None:
    for hash_name in ("md5", "blake2b", "sha3_512", "sha1"):
        assert _jwa.custom_row("XH", "hmac", hash_name=hash_name).hash_name == hash_name


def test_curve_algorithm_is_the_first_row_naming_the_curve() -> None:
    expected = {
        "P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K",
        "Ed25519": "EdDSA", "Ed448": "EdDSA", "X25519": "", "RSA": "",
    }  # fmt: skip
    for curve, name in expected.items():
        assert _jwa.curve_algorithm(curve) == name
    assert len(expected) == 8


def test_unfit_reason_whole_text() -> None:
    rows = _jwa.ALGORITHMS
    assert _jwa.unfit_reason(rows["ES384"], "EC", "P-384") is None
    assert _jwa.unfit_reason(rows["ES384"], "EC", "P-256") == (
        "an EC P-256 key cannot be used for ES384"
    )
    assert _jwa.unfit_reason(rows["HS256"], "RSA", None) == "an RSA key cannot be used for HS256"
    assert _jwa.unfit_reason(rows["EdDSA"], "OKP", "X25519") == (
        "an OKP X25519 key cannot be used for EdDSA: X25519 is for key agreement (JWE ECDH-ES,"
        " RFC 8037 §3.2), not for signatures"
    )
    assert _jwa.unfit_reason(rows["RS256"], "OKP", "X448") == (
        "an OKP X448 key cannot be used for RS256: X448 is for key agreement (JWE ECDH-ES,"
        " RFC 8037 §3.2), not for signatures"
    )
    assert _jwa.unfit_reason(rows["RS256"], None, None) == "a None key cannot be used for RS256"


def test_key_phrase_reads_every_kty_with_its_article() -> None:
    assert _jwa.key_phrase("RSA", None) == "an RSA key"
    assert _jwa.key_phrase("EC", "P-384") == "an EC P-384 key"
    assert _jwa.key_phrase("OKP", "Ed448") == "an OKP Ed448 key"
    assert _jwa.key_phrase("oct", "") == "an oct key"
    assert _jwa.key_phrase("DSA", None) == "a DSA key"
    assert _jwa.key_phrase(None, None) == "a None key"


def test_jwe_rows_fit_their_key_types_and_curves() -> None:
    ecdh = _jwa.JWE_ALGORITHMS["ECDH-ES"]
    assert ecdh.fits("EC", "P-521")
    assert ecdh.fits("OKP", "X448")
    assert not ecdh.fits("OKP", "Ed25519")
    assert not ecdh.fits("RSA", None)
    oaep = _jwa.JWE_ALGORITHMS["RSA-OAEP-256"]
    assert oaep.fits("RSA", None)
    assert not oaep.fits("oct", None)
    assert _jwa.JWE_ALGORITHMS["dir"].fits("oct", "whatever")
