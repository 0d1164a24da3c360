"""PEM armour (RFC 7468) and strict base64 for the textual key encodings.

A PEM file may carry explanatory text around its blocks and several blocks in a row
(``openssl ecparam -genkey`` writes ``EC PARAMETERS`` before ``EC PRIVATE KEY``); the first block
whose label names a key or certificate is the one that counts. Legacy RFC 1421 headers
(``Proc-Type: 4,ENCRYPTED``) are recognised only to route the block to decryption.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from .exceptions import InvalidKeyError

__all__ = [
    "ENCRYPTED_LABEL",
    "KEY_LABELS",
    "MAX_PEM_BLOCKS",
    "PEMBlock",
    "b64decode_strict",
    "encode_pem",
    "find_key_block",
    "has_pem_armour",
]

#: Labels of the blocks jwtlite can read directly, mapped to the DER structure inside.
KEY_LABELS = {
    "RSA PUBLIC KEY": "RSA PUBLIC KEY",  # PKCS#1 RSAPublicKey (RFC 8017 A.1.1)
    "RSA PRIVATE KEY": "RSA PRIVATE KEY",  # PKCS#1 RSAPrivateKey (RFC 8017 A.1.2)
    "PRIVATE KEY": "PRIVATE KEY",  # PKCS#8 / OneAsymmetricKey (RFC 7468 §10, RFC 5958)
    "PUBLIC KEY": "PUBLIC KEY",  # SubjectPublicKeyInfo (RFC 7468 §13)
    "EC PRIVATE KEY": "EC PRIVATE KEY",  # SEC1 ECPrivateKey (RFC 5915 §4)
    "CERTIFICATE": "CERTIFICATE",  # X.509 (RFC 7468 §5)
    "X509 CERTIFICATE": "CERTIFICATE",  # RFC 7468 §5.3: a legacy label parsers should accept
}
ENCRYPTED_LABEL = "ENCRYPTED PRIVATE KEY"  # EncryptedPrivateKeyInfo (RFC 7468 §11)
#: Labels that are key material jwtlite cannot read itself; still never an HMAC secret.
_OTHER_KEY_LABELS = frozenset(
    {
        ENCRYPTED_LABEL,
        "TRUSTED CERTIFICATE",
        "DSA PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
        "ANY PRIVATE KEY",
        "PGP PUBLIC KEY BLOCK",
        "PGP PRIVATE KEY BLOCK",
    }
)
#: Blocks examined in one input: a certificate chain or a key with its parameters is a few
#: blocks; the bound keeps a hostile megabyte of empty blocks from costing more than a scan.
MAX_PEM_BLOCKS = 16

_BEGIN = re.compile(rb"-----BEGIN ([A-Z0-9 ]{1,40})-----")
_B64_BODY = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_WHITESPACE = re.compile(rb"[ \t\r\n]+")


@dataclass(frozen=True)
class PEMBlock:
    """One armoured block: its label, DER contents, and whether it needs a password."""

    label: str
    der: bytes
    encrypted: bool


def b64decode_strict(text: bytes, what: str) -> bytes:
    """Standard base64 (RFC 4648 §4): padded, canonical, whitespace already removed."""
    if len(text) % 4 or not _B64_BODY.fullmatch(text):
        raise InvalidKeyError(f"{what}: invalid base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:  # pragma: no cover - the pattern above admits only valid base64
        raise InvalidKeyError(f"{what}: invalid base64") from None
    # Non-zero pad bits would give two spellings of one key; refuse the non-canonical one.
    if base64.b64encode(raw) != text:
        raise InvalidKeyError(f"{what}: non-canonical base64")
    return raw


def has_pem_armour(data: bytes) -> bool:
    """Cheap test for a PEM begin line anywhere in ``data``."""
    return b"-----BEGIN " in data


def _split_headers(body: bytes) -> tuple[bool, bytes]:
    # RFC 1421 §4.6: header lines, a blank line, then the base64 text. Only the encryption
    # header matters here: it means the contents cannot be read without a password.
    if b":" not in body:
        return False, body
    head, sep, rest = body.replace(b"\r\n", b"\n").partition(b"\n\n")
    if not sep:
        raise InvalidKeyError("PEM: header lines without the blank line that ends them")
    return b"Proc-Type: 4,ENCRYPTED" in head, rest


def _blocks(data: bytes) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    pos = 0
    while len(found) < MAX_PEM_BLOCKS:
        begin = _BEGIN.search(data, pos)
        if begin is None:
            break
        label = begin.group(1).decode("ascii")
        end_line = b"-----END " + begin.group(1) + b"-----"
        end = data.find(end_line, begin.end())
        if end < 0:
            raise InvalidKeyError(f"PEM: no END line for {label!r}")
        found.append((label, data[begin.end() : end]))
        pos = end + len(end_line)
    return found


def find_key_block(data: bytes) -> PEMBlock:
    """The first block with a key or certificate label, decoded."""
    blocks = _blocks(data)
    if not blocks:
        raise InvalidKeyError("PEM: no BEGIN line found")
    for label, body in blocks:
        if label not in KEY_LABELS and label not in _OTHER_KEY_LABELS:
            continue
        encrypted, text = _split_headers(body)
        der = b64decode_strict(_WHITESPACE.sub(b"", text), f"PEM {label}")
        if not der:
            raise InvalidKeyError(f"PEM: empty {label} block")
        return PEMBlock(label, der, encrypted or label == ENCRYPTED_LABEL)
    raise InvalidKeyError(
        "PEM: no key or certificate block (found " + ", ".join(lbl for lbl, _ in blocks) + ")"
    )


def encode_pem(label: str, der: bytes) -> str:
    """Armour DER as RFC 7468 §2 describes: base64 in lines of 64 characters."""
    text = base64.b64encode(der).decode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])
