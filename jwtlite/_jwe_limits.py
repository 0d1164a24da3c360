"""The limits of JWE decryption: named, each with its reason, and one frozen object per call.

JWE is where the peers were hurt by unbounded work: decompression bombs (python-jose
CVE-2024-33664, jwcrypto CVE-2024-28102), PBES2 iteration counts chosen by the attacker,
tokens with thousands of recipients. Every bound here is checked before the work it bounds,
and docs/security.md lists them with these defaults and reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from .exceptions import InvalidArgumentError

__all__ = [
    "DEFAULT_P2C",
    "JWELimits",
    "MAX_DECOMPRESSED_SIZE",
    "MAX_HEADER_SIZE",
    "MAX_P2C",
    "MAX_PRODUCED_P2C",
    "MAX_RECIPIENTS",
    "MAX_TOKEN_SIZE",
    "MIN_P2S_BYTES",
    "MIN_PRODUCED_P2C",
    "P2S_BYTES",
    "RSA_MIN_BITS",
]

#: Longest token read, in characters (compact) or JSON text, checked before any decoding: the
#: JWS limit. An encrypted ID token or session cookie is a few KB.
MAX_TOKEN_SIZE = 256 * 1024
#: Longest header JSON (protected, shared unprotected or per recipient), in bytes. The largest
#: honest header carries an ``epk`` (a P-521 point is under 300 characters) or an ``x5c``
#: chain of a few KB.
MAX_HEADER_SIZE = 16 * 1024
#: Most recipients in a JSON-serialized JWE. Each may cost an RSA decryption or a PBES2
#: derivation; real multi-recipient messages name a handful.
MAX_RECIPIENTS = 16
#: Highest PBES2 iteration count (``p2c``) accepted on decryption: panva/jose's bound. The
#: count is the attacker's choice; 10,000 iterations cost about 5 ms of SHA-256, 10^9 would
#: cost minutes (RFC 7518 §4.8.1.2 recommends at least 1,000).
MAX_P2C = 10_000
#: The ``p2c`` jwtlite writes by default: RFC 7520 §5.3's, under every peer's decryption bound.
DEFAULT_P2C = 8192
#: The range of ``p2c`` jwtlite writes: RFC 7518 §4.8.1.2's recommended minimum, and
#: jwcrypto's decryption maximum (16,384), so jwcrypto can read what jwtlite writes. A count
#: above :data:`MAX_P2C` also needs ``max_p2c`` raised on jwtlite's own decryption.
MIN_PRODUCED_P2C = 1000
MAX_PRODUCED_P2C = 16_384
#: PBES2 salt (``p2s``) written, and the shortest read: RFC 7518 §4.8.1.1 "A Salt Input value
#: containing 8 or more octets MUST be used".
P2S_BYTES = 16
MIN_P2S_BYTES = 8
#: Largest plaintext ``zip: "DEF"`` may inflate to, in bytes. Inflation stops at this bound
#: (``zlib.decompressobj`` with ``max_length``), so a bomb costs milliseconds and this much
#: memory at most. go-jose caps at 250 kB; jwcrypto's 100 MB let a 32 MiB bomb through.
MAX_DECOMPRESSED_SIZE = 1024 * 1024
#: RFC 7518 §4.2 / §4.3: "A key of size 2048 bits or larger MUST be used with these
#: algorithms" (RSA1_5 and RSA-OAEP), for encryption and decryption alike.
RSA_MIN_BITS = 2048


@dataclass(frozen=True)
class JWELimits:
    """The limits of one decryption; every field may be overridden per call."""

    max_token_size: int = MAX_TOKEN_SIZE
    max_header_size: int = MAX_HEADER_SIZE
    max_recipients: int = MAX_RECIPIENTS
    max_p2c: int = MAX_P2C
    max_decompressed_size: int = MAX_DECOMPRESSED_SIZE

    def __post_init__(self) -> None:
        for item in fields(self):
            value: Any = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidArgumentError(f"{item.name} must be a positive integer")
