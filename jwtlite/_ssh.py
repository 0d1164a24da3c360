"""OpenSSH public key lines: ``<name> <base64 blob> [comment]``.

The blob is the SSH wire encoding (RFC 4251 §5): ``string`` is a uint32 length and bytes,
``mpint`` a two's-complement integer in the fewest octets. Key blobs: ``ssh-rsa``
(RFC 4253 §6.6), ``ecdsa-sha2-nistp*`` (RFC 5656 §3.1), ``ssh-ed25519`` / ``ssh-ed448``
(RFC 8709 §4). The name outside the blob must equal the name inside it.
"""

from __future__ import annotations

import base64
import struct

from ._curves import CURVES
from ._keyformats import check_curve, ec_public, encode_point, okp_public, rsa_public
from ._keymodel import ECPublicKey, PublicKey, RSAPublicKey
from ._pem import b64decode_strict
from .exceptions import InvalidKeyError

__all__ = ["MAX_LINE", "SSH_NAMES", "dump_public_line", "is_public_line", "parse_public_line"]

#: Longest line read: an ssh-rsa line for a 16384-bit key is about 2.8 KB.
MAX_LINE = 8192

_EC_NAMES = {
    "ecdsa-sha2-nistp256": ("nistp256", "P-256"),  # RFC 5656 §10.1
    "ecdsa-sha2-nistp384": ("nistp384", "P-384"),
    "ecdsa-sha2-nistp521": ("nistp521", "P-521"),
}
_OKP_NAMES = {"ssh-ed25519": "Ed25519", "ssh-ed448": "Ed448"}
SSH_NAMES = frozenset({"ssh-rsa", *_EC_NAMES, *_OKP_NAMES})
#: Other key types that are still key material (never an HMAC secret) though jwtlite cannot use
#: them: DSA and the FIDO security-key variants (OpenSSH PROTOCOL.u2f).
_OTHER_NAMES = frozenset(
    {"ssh-dss", "sk-ecdsa-sha2-nistp256@openssh.com", "sk-ssh-ed25519@openssh.com"}
)
_ALL_NAMES = SSH_NAMES | _OTHER_NAMES


def _string(blob: bytes, pos: int) -> tuple[int, bytes]:
    if pos + 4 > len(blob):
        raise InvalidKeyError("SSH key blob is truncated")
    (length,) = struct.unpack_from(">I", blob, pos)
    end = pos + 4 + length
    if end > len(blob):
        raise InvalidKeyError("SSH key blob is truncated")
    return end, blob[pos + 4 : end]


def _mpint(blob: bytes, pos: int) -> tuple[int, int]:
    pos, raw = _string(blob, pos)
    if raw and raw[0] & 0x80:
        raise InvalidKeyError("negative mpint in SSH key")
    # RFC 4251 §5: no unnecessary leading zero octet, and zero is the empty string (a lone 0x00
    # would be a second spelling of it).
    if raw[:1] == b"\x00" and (len(raw) == 1 or raw[1] < 0x80):
        raise InvalidKeyError("non-minimal mpint in SSH key (RFC 4251 §5)")
    return pos, int.from_bytes(raw, "big")


def _split(line: bytes) -> tuple[str, bytes]:
    if len(line) > MAX_LINE:
        raise InvalidKeyError("SSH public key line is too long")
    parts = line.strip().split(None, 2)
    if len(parts) < 2:
        raise InvalidKeyError("SSH public key line needs a key type and a base64 blob")
    try:
        name = parts[0].decode("ascii")
    except UnicodeDecodeError:
        raise InvalidKeyError("SSH key type is not ASCII") from None
    return name, b64decode_strict(parts[1], "SSH public key")


def parse_public_line(line: bytes) -> PublicKey:
    """The key of one ``authorized_keys``-style line (without options)."""
    name, blob = _split(line)
    if name not in SSH_NAMES:
        raise InvalidKeyError(f"unsupported SSH key type {name[:40]!r}")
    pos, inner = _string(blob, 0)
    if inner != name.encode():
        raise InvalidKeyError("SSH key type does not match the type inside the blob")
    key: PublicKey
    if name == "ssh-rsa":
        pos, e = _mpint(blob, pos)
        pos, n = _mpint(blob, pos)
        key = rsa_public(n, e)
    elif name in _EC_NAMES:
        identifier, curve = _EC_NAMES[name]
        pos, got = _string(blob, pos)
        if got != identifier.encode():
            raise InvalidKeyError("SSH ECDSA curve identifier does not match the key type")
        pos, point = _string(blob, pos)
        key = ec_public(curve, point)
    else:
        pos, raw = _string(blob, pos)
        key = okp_public(_OKP_NAMES[name], raw)
    if pos != len(blob):
        raise InvalidKeyError("unexpected bytes after the SSH public key")
    return key


def is_public_line(data: bytes) -> bool:
    """True when ``data`` holds ``<type> <blob>`` whose blob starts with that type's name.

    Options before the type (``authorized_keys`` format, sshd(8)) are allowed, so every
    token is considered; only the framing is checked, not the key's numbers.
    """
    if len(data) > MAX_LINE:
        return False
    tokens = data.split()
    for name, blob in zip(tokens, tokens[1:]):
        if name.decode("latin-1") not in _ALL_NAMES:
            continue
        try:
            _, inner = _string(b64decode_strict(blob, "SSH"), 0)
        except InvalidKeyError:
            continue
        if inner == name:
            return True
    return False


def _put(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _put_mpint(value: int) -> bytes:
    return _put(value.to_bytes(value.bit_length() // 8 + 1, "big") if value else b"")


def dump_public_line(key: PublicKey) -> str:
    """``<type> <base64 blob>`` for an RSA, P-256/384/521, Ed25519 or Ed448 public key."""
    check_curve(key)
    if isinstance(key, RSAPublicKey):
        name = "ssh-rsa"
        blob = _put(name.encode()) + _put_mpint(key.e) + _put_mpint(key.n)
    elif isinstance(key, ECPublicKey):
        names = {curve: (n, ident) for n, (ident, curve) in _EC_NAMES.items()}
        if key.curve not in names:
            raise InvalidKeyError(f"OpenSSH has no key type for curve {key.curve}")
        name, ident = names[key.curve]
        point = encode_point(CURVES[key.curve], key.x, key.y)
        blob = _put(name.encode()) + _put(ident.encode()) + _put(point)
    else:
        okp_names = {v: k for k, v in _OKP_NAMES.items()}
        if key.curve not in okp_names:  # X25519 / X448: OpenSSH has no key-agreement key type
            raise InvalidKeyError(f"OpenSSH has no key type for curve {key.curve}")
        name = okp_names[key.curve]
        blob = _put(name.encode()) + _put(key.x)
    return f"{name} {base64.b64encode(blob).decode('ascii')}"
