"""PEM armour (RFC 7468) and strict base64."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jwtlite import _pem
from jwtlite.exceptions import InvalidKeyError

DER = bytes(range(200))


def test_encode_pem_layout() -> None:
    text = _pem.encode_pem("PUBLIC KEY", DER)
    lines = text.splitlines()
    assert lines[0] == "-----BEGIN PUBLIC KEY-----"
    assert lines[-1] == "-----END PUBLIC KEY-----"
    assert all(len(line) == 64 for line in lines[1:-2])
    assert 0 < len(lines[-2]) <= 64
    assert text.endswith("\n")


@given(st.binary(min_size=1, max_size=3000), st.sampled_from(sorted(_pem.KEY_LABELS)))
@settings(max_examples=50)
def test_round_trip(der: bytes, label: str) -> None:
    block = _pem.find_key_block(_pem.encode_pem(label, der).encode())
    assert block == _pem.PEMBlock(label, der, encrypted=False)


def test_explanatory_text_crlf_and_other_blocks_are_skipped() -> None:
    params = _pem.encode_pem("EC PARAMETERS", b"\x06\x01\x00")
    key = _pem.encode_pem("EC PRIVATE KEY", DER).replace("\n", "\r\n")
    data = f"Bag Attributes: junk\n{params}\nsome text\n{key}trailer".encode()
    block = _pem.find_key_block(data)
    assert (block.label, block.der, block.encrypted) == ("EC PRIVATE KEY", DER, False)


def test_legacy_encrypted_headers() -> None:
    body = base64.b64encode(DER).decode()
    text = (
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
        f"DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n{body}\n"
        "-----END RSA PRIVATE KEY-----\n"
    )
    assert _pem.find_key_block(text.encode()).encrypted
    with pytest.raises(InvalidKeyError, match="blank line"):
        _pem.find_key_block(text.replace("\n\n", "\n").encode())


def test_encrypted_pkcs8_label() -> None:
    block = _pem.find_key_block(_pem.encode_pem(_pem.ENCRYPTED_LABEL, DER).encode())
    assert block.encrypted


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no armour here", "no BEGIN"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n", "no END"),
        ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----", "no END"),
        ("-----BEGIN EC PARAMETERS-----\nBgUrgQQAIg==\n-----END EC PARAMETERS-----", "found EC"),
        ("-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----", "empty"),
        ("-----BEGIN PUBLIC KEY-----\nAA*A\n-----END PUBLIC KEY-----", "invalid base64"),
        ("-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----", "invalid base64"),
        ("-----BEGIN PUBLIC KEY-----\nAB==\n-----END PUBLIC KEY-----", "non-canonical"),
        ("-----BEGIN PUBLIC KEY-----\nA===\n-----END PUBLIC KEY-----", "invalid base64"),
        ("-----BEGIN PUBLIC KEY-----\nAA==AA==\n-----END PUBLIC KEY-----", "invalid base64"),
    ],
)
def test_malformed_pem(text: str, message: str) -> None:
    with pytest.raises(InvalidKeyError, match=message):
        _pem.find_key_block(text.encode())


def test_block_count_is_bounded() -> None:
    junk = "-----BEGIN X-----\n-----END X-----\n" * (_pem.MAX_PEM_BLOCKS + 1)
    data = (junk + _pem.encode_pem("PUBLIC KEY", DER)).encode()
    with pytest.raises(InvalidKeyError, match="no key or certificate block"):
        _pem.find_key_block(data)


def test_b64decode_strict() -> None:
    assert _pem.b64decode_strict(b"AAEC", "x") == b"\x00\x01\x02"
    assert _pem.b64decode_strict(b"", "x") == b""
    for bad in (b"AAE", b"AA=C", b"AAE-", b"AAF="):
        with pytest.raises(InvalidKeyError):
            _pem.b64decode_strict(bad, "x")


def test_has_pem_armour() -> None:
    assert _pem.has_pem_armour(b"x -----BEGIN CERTIFICATE-----")
    assert not _pem.has_pem_armour(b"-----BEGINCERTIFICATE")


@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
@settings(max_examples=300)
def test_only_invalid_key_error_escapes(data: bytes) -> None:
    for prefix in (b"", b"-----BEGIN PUBLIC KEY-----\n"):
        with contextlib.suppress(InvalidKeyError):
            _pem.find_key_block(prefix + data + b"\n-----END PUBLIC KEY-----")


# --- mutation testing: RFC 1421 headers with CRLF and blank lines in the text ---------------------


def _legacy(newline: str, text: str) -> bytes:
    return (
        f"-----BEGIN RSA PRIVATE KEY-----{newline}Proc-Type: 4,ENCRYPTED{newline}"
        f"DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF{newline}{newline}{text}"
        f"-----END RSA PRIVATE KEY-----{newline}"
    ).encode()


def test_legacy_headers_with_crlf_and_a_blank_line_in_the_text() -> None:
    # The headers end at the first blank line; the base64 text after it may hold another one.
    block = _pem.find_key_block(_legacy("\r\n", "AAAA\r\n\r\nAAAA\r\n"))
    assert (block.label, block.der, block.encrypted) == ("RSA PRIVATE KEY", bytes(6), True)
    block = _pem.find_key_block(_legacy("\n", "AAAA\n\nAAAA\n"))
    assert (block.der, block.encrypted) == (bytes(6), True)
    with pytest.raises(InvalidKeyError) as info:
        _pem.find_key_block(_legacy("\n", "AAAA\n").replace(b"\n\n", b"\n"))
    assert str(info.value) == "PEM: header lines without the blank line that ends them"


def test_block_bound_and_search_texts() -> None:
    key = _pem.encode_pem("PUBLIC KEY", DER)
    junk = "-----BEGIN X-----\n-----END X-----\n"
    assert _pem.find_key_block((junk * (_pem.MAX_PEM_BLOCKS - 1) + key).encode()).der == DER
    with pytest.raises(InvalidKeyError) as info:
        _pem.find_key_block((junk * _pem.MAX_PEM_BLOCKS + key).encode())
    assert (
        str(info.value)
        == "PEM: no key or certificate block (found " + ", ".join(["X"] * _pem.MAX_PEM_BLOCKS) + ")"
    )
    with pytest.raises(InvalidKeyError) as info:
        _pem.find_key_block(b"no armour")
    assert str(info.value) == "PEM: no BEGIN line found"
    # An END line before the BEGIN line does not close the block.
    early_end = ("-----END PUBLIC KEY-----\n" + key).encode()
    assert _pem.find_key_block(early_end).der == DER
    # The search goes on after a block's END line, never inside the block it has passed.
    label = "L" * 30
    inner = f"-----BEGIN {label}-----\n-----BEGIN PUBLIC KEY-----\n-----END {label}-----\n"
    with pytest.raises(InvalidKeyError) as info:
        _pem.find_key_block((inner + "AAAA\n-----END PUBLIC KEY-----\n").encode())
    assert str(info.value) == f"PEM: no key or certificate block (found {label})"


def test_base64_refusal_names_the_block() -> None:
    with pytest.raises(InvalidKeyError) as info:
        _pem.find_key_block(b"-----BEGIN PUBLIC KEY-----\nAA*A\n-----END PUBLIC KEY-----")
    assert str(info.value) == "PEM PUBLIC KEY: invalid base64"
