"""python-jose's ``jose.utils``: base64url and integer helpers, ``at_hash``, and the look of
key text, on jwtlite's strict base64url.

Differences from python-jose, on purpose: ``base64url_decode`` and ``base64_to_long`` are
strict (only the URL-safe alphabet, canonical trailing bits; ``=`` padding is accepted) and
raise :class:`~jwtlite.exceptions.InvalidValueError` (a ``ValueError``, as python-jose's
``binascii.Error`` is), where python-jose drops foreign characters in silence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Callable

from .._escape import escape
from .._values import utf8
from ..b64url import b64url_decode, b64url_encode
from ..exceptions import DecodeError, InvalidArgumentError, InvalidValueError

__all__ = [
    "base64_to_long",
    "base64url_decode",
    "base64url_encode",
    "calculate_at_hash",
    "ensure_binary",
    "int_arr_to_long",
    "is_pem_format",
    "is_ssh_key",
    "long_to_base64",
    "long_to_bytes",
    "timedelta_total_seconds",
]


#: The widest ``blocksize`` of :func:`long_to_bytes` (a megabyte): key sizes and EC
#: coordinates are at most a few hundred octets, and a caller's huge width would allocate and
#: zero-fill that many octets (gigabytes: the process is killed for memory, not refused).
_MAX_BLOCKSIZE = 1 << 20


def long_to_bytes(n: int, blocksize: int = 0) -> bytes:
    """``n`` big-endian in the fewest octets (one for zero), left-padded to ``blocksize``
    (at most a megabyte: InvalidValueError above)."""
    for value in (n, blocksize):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise InvalidValueError("expected non-negative integers")
    if blocksize > _MAX_BLOCKSIZE:
        raise InvalidValueError(
            f"blocksize {escape(blocksize)} is too large (at most {_MAX_BLOCKSIZE} octets)"
        )
    size = max(1, (n.bit_length() + 7) // 8)
    if blocksize and size > blocksize:
        raise InvalidValueError(f"{escape(n)} does not fit in {escape(blocksize)} octets")
    return n.to_bytes(max(size, blocksize or 0), "big")


def long_to_base64(data: int, size: int = 0) -> bytes:
    """A Base64urlUInt (RFC 7518 §2) as bytes; ``size`` fixes the width (EC coordinates)."""
    return base64url_encode(long_to_bytes(data, size))


def int_arr_to_long(arr: Iterable[int]) -> int:
    """The big-endian integer of a sequence of octets (at least one, as in python-jose)."""
    try:
        # iter() first: bytes(n) of an integer n would make n zero octets (python-jose refuses
        # an integer: it iterates).
        octets = bytes(iter(arr))
    except (TypeError, ValueError):
        raise InvalidValueError("expected a sequence of octets (integers 0 to 255)") from None
    return _octets_to_long(octets)


def base64_to_long(data: str | bytes) -> int:
    """The integer of a Base64urlUInt (at least one octet: zero is ``AA``)."""
    return _octets_to_long(base64url_decode(ensure_binary(data)))


def _octets_to_long(octets: bytes) -> int:
    # python-jose reads the octets as hex digits: no octets is int("", 16), a ValueError.
    if not octets:
        raise InvalidValueError("expected at least one octet")
    return int.from_bytes(octets, "big")


def calculate_at_hash(access_token: str, hash_alg: Callable[..., Any]) -> str:
    """OpenID Connect's ``at_hash`` (Core §3.1.3.6): the base64url of the left half of the
    hash of the access token, with the hash of the ID token's ``alg`` (a hashlib constructor
    such as ``hashlib.sha256``)."""
    if not isinstance(access_token, str) or not callable(hash_alg):
        raise InvalidArgumentError("calculate_at_hash(access_token: str, hash_alg: callable)")
    digest = hash_alg(utf8(access_token, "access_token", InvalidValueError)).digest()
    return b64url_encode(digest[: len(digest) // 2])


def base64url_decode(input: bytes | str) -> bytes:
    """Decode base64url (RFC 4648 §5), padded or not; InvalidValueError on anything else."""
    try:
        return b64url_decode(ensure_binary(input), allow_padding=True)
    except DecodeError as exc:
        raise InvalidValueError(str(exc)) from None


def base64url_encode(input: bytes) -> bytes:
    """Encode as unpadded base64url bytes (RFC 7515 §2)."""
    return b64url_encode(ensure_binary(input)).encode("ascii")


def timedelta_total_seconds(delta: timedelta) -> int:
    """The whole seconds of ``delta`` (microseconds dropped, as python-jose does)."""
    if not isinstance(delta, timedelta):
        raise InvalidArgumentError(f"expected a timedelta, not {type(delta).__name__}")
    return delta.days * 86400 + delta.seconds


def ensure_binary(s: bytes | str) -> bytes:
    """``s`` as bytes (str is UTF-8 encoded); InvalidArgumentError (a TypeError) for another
    type, InvalidValueError (a ValueError, as python-jose's UnicodeEncodeError is) for a str
    holding a lone surrogate."""
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return utf8(s, "the text", InvalidValueError)
    raise InvalidArgumentError(f"not expecting type '{type(s).__name__}'")


#: RFC 7468 labels of key and certificate PEM blocks (and the few others python-jose lists).
_PEM_LABELS = (
    "CERTIFICATE", "TRUSTED CERTIFICATE", "PRIVATE KEY", "PUBLIC KEY", "ENCRYPTED PRIVATE KEY",
    "OPENSSH PRIVATE KEY", "DSA PRIVATE KEY", "RSA PRIVATE KEY", "RSA PUBLIC KEY",
    "EC PRIVATE KEY", "DH PARAMETERS", "NEW CERTIFICATE REQUEST", "CERTIFICATE REQUEST",
    "SSH2 PUBLIC KEY", "SSH2 ENCRYPTED PRIVATE KEY", "X509 CRL",
)  # fmt: skip
# The opening line alone counts, as in python-jose: a truncated block is still someone's key.
_PEM_BEGIN = re.compile(
    rb"----[- ]BEGIN (?:" + b"|".join(re.escape(s.encode()) for s in _PEM_LABELS) + rb")[- ]----"
)
#: OpenSSH key type names (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4).
_SSH_NAMES = (
    b"ssh-ed25519", b"ssh-rsa", b"ssh-dss",
    b"ecdsa-sha2-nistp256", b"ecdsa-sha2-nistp384", b"ecdsa-sha2-nistp521",
)  # fmt: skip
_SSH_CERT_SUFFIX = b"-cert-v01@openssh.com"


def is_pem_format(key: bytes) -> bool:
    """Whether ``key`` holds the opening line of a PEM key or certificate block."""
    return _PEM_BEGIN.search(ensure_binary(key)) is not None


def is_ssh_key(key: bytes) -> bool:
    """Whether ``key`` names an OpenSSH key type anywhere, or starts with an OpenSSH
    certificate type."""
    key = ensure_binary(key)
    if any(name in key for name in _SSH_NAMES):
        return True
    first = key.split(None, 1)[0] if key.strip() else b""
    return first.endswith(_SSH_CERT_SUFFIX) and len(key.split(None, 2)) > 1
