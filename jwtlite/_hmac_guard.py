"""Refuse key text offered as an HMAC secret, the way PyJWT refuses it (by its look).

Algorithm confusion (CVE-2017-11424, CVE-2022-29217, CVE-2024-33663): a verifier configured with
a public key receives a token with ``alg: HS256`` and uses the public key's text as the HMAC
secret, which the attacker also knows. :func:`jwtlite.keys.is_public_key_material` catches key
material that parses; this module adds PyJWT's look-based rules, so that text PyJWT refuses is
refused here too, even when it would not parse: any PEM block with a key or certificate label,
an OpenSSH key line, or JSON holding a ``kty`` member. The text is read as JSON text is (RFC 8259
§8.1 and the UTF-16/32 detection of :func:`json.detect_encoding`), after any byte order mark and
leading whitespace, so a BOM or another encoding does not hide it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._json import _too_deep

__all__ = ["ASYMMETRIC_KEY_TEXT", "JWK_TEXT", "refusal"]

#: PyJWT's texts for the two refusals.
ASYMMETRIC_KEY_TEXT = (
    "The specified key is an asymmetric key or x509 certificate and"
    " should not be used as an HMAC secret."
)
JWK_TEXT = (
    "The specified key looks like a JWK and should not be used directly as an HMAC secret."
    " Load it via PyJWK / HMACAlgorithm.from_jwk first."
)

#: RFC 7468 labels that mark key material (any label naming a KEY or CERTIFICATE also counts).
_PEM_LABELS = frozenset(
    {"DH PARAMETERS", "X509 CRL", "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", "PKCS7"}
)
# "-----BEGIN X-----"; PEM readers also take a space for the fifth dash, as PyJWT does.
_PEM_BEGIN = re.compile(r"----[- ]BEGIN ([A-Z0-9 ]+?)[- ]----")
#: OpenSSH public key and certificate types (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4).
_SSH_PREFIXES = (
    "ssh-ed25519",
    "ssh-ed448",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
_WHITESPACE = "\ufeff \t\r\n"


def refusal(secret: bytes) -> str | None:
    """PyJWT's refusal text when ``secret`` looks like key text, else None."""
    text = _as_text(secret).lstrip(_WHITESPACE)
    if _has_pem_block(text) or text.startswith(_SSH_PREFIXES):
        return ASYMMETRIC_KEY_TEXT
    if text[:1] in ("{", "[") and _looks_like_jwk(text):
        return JWK_TEXT
    return None


def _as_text(secret: bytes) -> str:
    try:
        encoding = json.detect_encoding(secret)
    except (TypeError, ValueError):  # pragma: no cover - detect_encoding takes any bytes
        encoding = "utf-8"
    return secret.decode(encoding, "replace")


def _has_pem_block(text: str) -> bool:
    for begin in _PEM_BEGIN.finditer(text):
        label = begin.group(1)
        if not (label in _PEM_LABELS or "KEY" in label or "CERTIFICATE" in label):
            continue
        if re.search(f"----[- ]END {re.escape(label)}[- ]----", text[begin.end() :]):
            return True
    return False


def _looks_like_jwk(text: str) -> bool:
    # Deeper than jwtlite ever parses (the same linear scan as token JSON): decided unread, so
    # the answer does not depend on how deep this Python's json module happens to recurse.
    if _too_deep(text):
        return _deep_text_is_refused(text)
    try:
        # Integers are never needed here; parsing them as 0 avoids int-conversion cost.
        value = json.loads(text, parse_int=lambda _: 0)
    except RecursionError:
        return _deep_text_is_refused(text)
    except ValueError:
        return False  # not JSON at all: an ordinary secret that happens to start with a brace
    return _holds_kty(value)


def _deep_text_is_refused(text: str) -> bool:
    """Too deep to parse: an object is refused unread, an array if it names a "kty" member
    (a string followed by ":" that decodes to kty, escapes included)."""
    return text.startswith("{") or any(
        _decodes_to_kty(m.group(1)) for m in _MEMBER_NAME.finditer(text)
    )


# A JSON string (escapes included) followed by optional whitespace and a colon: a member name.
_MEMBER_NAME = re.compile(r'("(?:[^"\\]|\\.)*")[ \t\r\n]*:')


def _decodes_to_kty(quoted: str) -> bool:
    try:
        return bool(json.loads(quoted) == "kty")
    except ValueError:
        return False


def _holds_kty(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if "kty" in item:
                return True
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
