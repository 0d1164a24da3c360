"""JSON Web Encryption (RFC 7516, with the algorithms of RFC 7518 and RFC 8037): the engine.

:func:`encrypt` writes the compact form, :func:`encrypt_json` the general or flattened JSON
form (several recipients, shared and per-recipient unprotected headers, AAD), and
:func:`decrypt` / :func:`decrypt_complete` read all three. Both allow-lists are required on
decryption, as ``algorithms`` is for JWS: nothing is taken from the header alone, and an empty
list is refused, never replaced by a default.

Decryption (RFC 7516 §5.2), hardened: a strict parse under size limits (``_jwe_serial``); the
``alg`` and ``enc`` must be allowed; IV and tag lengths exact (GCM: 96 and 128 bits); the key
chosen once (``_jwe_keys``); the CEK recovered (``_jwe_keymgmt``: PBES2 counts bounded, ECDH
points on the curve, RSA1_5 with the RFC 7516 §11.5 countermeasure); the tag checked before
any plaintext is used; ``zip: "DEF"`` inflated under a cap. Every cryptographic failure is one
:class:`~jwtlite.exceptions.JWEDecryptionError` with one message.

A JWE made with a public key (RSA-OAEP, ECDH-ES) says nothing about who wrote it: anyone can
encrypt to a public key. Sign first and encrypt the JWS (a nested JWT, :mod:`jwtlite.jwe_jwt`)
when the sender matters.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any, NamedTuple

from . import _jwe_produce as _produce
from ._cache import BoundedCache
from ._escape import escape, quoted
from ._jwa import (
    ENCRYPTIONS,
    JWE_ALGORITHMS,
)
from ._jwe_crypto import content_decrypt
from ._jwe_keymgmt import produce, recover
from ._jwe_keys import prepare_key
from ._jwe_limits import (
    MAX_DECOMPRESSED_SIZE,
    MAX_HEADER_SIZE,
    MAX_P2C,
    MAX_RECIPIENTS,
    MAX_TOKEN_SIZE,
    JWELimits,
)
from ._jwe_serial import ParsedJWE, ParsedRecipient, joint_header, parse
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    InvalidAlgorithmError,
    InvalidArgumentError,
    JWEDecryptionError,
    JWEParseError,
    PyJWTError,
    UnusableKeyError,
)

__all__ = [
    "MAX_DECOMPRESSED_SIZE",
    "MAX_HEADER_SIZE",
    "MAX_P2C",
    "MAX_RECIPIENTS",
    "MAX_TOKEN_SIZE",
    "Decrypted",
    "Recipient",
    "decrypt",
    "decrypt_complete",
    "encrypt",
    "encrypt_json",
]


class Recipient(NamedTuple):
    """One recipient of :func:`encrypt_json`: its key, its ``alg``, and optionally its
    per-recipient unprotected header (``kid`` and the like)."""

    key: Any
    alg: str
    header: Mapping[str, Any] | None = None

    def __repr__(self) -> str:
        # Never the key: a dir or A*KW key, or a PBES2 password, must not reach a log.
        kind = type(self.key).__name__
        return f"Recipient(key=<{kind}>, alg={self.alg!r}, header={self.header!r})"


class Decrypted(NamedTuple):
    """What :func:`decrypt_complete` returns."""

    #: The plaintext (inflated when the JWE had ``zip: "DEF"``).
    plaintext: bytes
    #: The JOSE Header of the recipient that decrypted: the union of the protected, shared
    #: unprotected and per-recipient headers (only the protected part is integrity protected).
    header: dict[str, Any]
    #: The JWE Protected Header alone.
    protected: dict[str, Any]
    #: The JWE AAD of the JSON forms, or None.
    aad: bytes | None
    #: The index of that recipient (0 in the compact and flattened forms).
    recipient: int


# --- names and allow-lists --------------------------------------------------------------------


#: Checked allow-lists, by their items: a service passes the same lists on every call.
_ALLOWED: BoundedCache[tuple[str, tuple[Any, ...]], frozenset[str]] = BoundedCache(
    "checked JWE allow-lists", 64
)


def _allow_list(values: Any, name: str, table: Mapping[str, Any]) -> frozenset[str]:
    if type(values) in (list, tuple):
        try:
            found = _ALLOWED.get((name, tuple(values)))
        except TypeError:  # an unhashable member: not a name, refused below
            found = None
        if found is not None:
            return found
        checked = _check_allow_list(values, name, table)
        return _ALLOWED.put((name, tuple(values)), checked)
    return _check_allow_list(values, name, table)


def _check_allow_list(values: Any, name: str, table: Mapping[str, Any]) -> frozenset[str]:
    if isinstance(values, str):
        values = (values,)
    if not isinstance(values, Collection) or not values:
        raise InvalidArgumentError(
            f'decrypt() needs a non-empty "{name}" list: the JWE header is never trusted alone'
        )
    unknown = [v for v in values if not isinstance(v, str) or v not in table]
    if unknown:
        raise InvalidArgumentError(f"unknown JWE {name}: {', '.join(map(quoted, unknown))}")
    return frozenset(values)


def _allowed(header: Mapping[str, Any], name: str, allowed: frozenset[str]) -> str:
    value: str = header[name]
    if value not in allowed:
        raise InvalidAlgorithmError(f"The JWE {name} {quoted(value[:40])} is not allowed")
    return value


# --- encryption -------------------------------------------------------------------------------


def encrypt(
    plaintext: bytes | str,
    key: Any,
    *,
    alg: str,
    enc: str,
    headers: Mapping[str, Any] | None = None,
    zip: str | None = None,
) -> str:
    """Encrypt ``plaintext`` for ``key``; the compact JWE (RFC 7516 §7.1).

    ``key`` is the recipient's public key (PEM, DER, JWK, ``cryptography`` object, model key;
    a private key's public half is used), a JWK or JWK Set (chosen by ``headers["kid"]``), the
    key's octets for ``dir``, A*KW and A*GCMKW, or the password for PBES2. ``headers`` adds
    Header Parameters (``kid``, ``cty``, ``typ``, and ``p2c``, ``apu``, ``apv`` for PBES2 and
    ECDH-ES); ``zip="DEF"`` compresses first (RFC 1951). RSA1_5 is refused.

    >>> from jwtlite import jwe
    >>> token = jwe.encrypt(b"hello", bytes(32), alg="dir", enc="A256GCM")
    >>> jwe.decrypt(token, bytes(32), algorithms=["dir"], encryptions=["A256GCM"])
    b'hello'

    Raises:
        UnsupportedAlgorithmError: an unknown ``alg`` or ``enc``.
        InvalidAlgorithmError: ``alg`` is RSA1_5.
        InvalidKeyError: the key does not fit ``alg`` and ``enc``.
        InvalidArgumentError: a malformed header or plaintext.
    """
    alg_row, enc_row = _produce.alg_row(alg), _produce.enc_row(enc)
    header = _produce.compact_header(headers, alg_row, enc_row, zip)
    prepared, kid = prepare_key(key, alg_row, enc_row, kid=header.get("kid"), operation="encrypt")
    header = _produce.with_kid(header, kid)
    produced = produce(alg_row, enc_row, prepared, header, _produce.new_cek([alg_row], enc_row))
    protected = b64url_encode(_produce.to_json(_produce.ordered(header, produced.params)))
    body = _produce.payload(plaintext, zip)
    iv, ciphertext, tag = _produce.seal(enc_row, produced.cek, body, protected.encode("ascii"))
    parts = (produced.encrypted_key, iv, ciphertext, tag)
    return ".".join([protected, *(b64url_encode(part) for part in parts)])


# --- the JSON serializations ------------------------------------------------------------------


def encrypt_json(
    plaintext: bytes | str,
    recipients: Sequence[Recipient | tuple[Any, ...]],
    *,
    enc: str,
    protected: Mapping[str, Any] | None = None,
    unprotected: Mapping[str, Any] | None = None,
    aad: bytes | str | None = None,
    zip: str | None = None,
    flattened: bool = False,
) -> str:
    """Encrypt for one or more :class:`Recipient`; the JSON-serialized JWE (RFC 7516 §7.2).

    ``protected`` and ``unprotected`` are the JWE Protected Header and Shared Unprotected
    Header; each recipient's ``header`` its per-recipient one. ``enc`` goes to the protected
    header unless one of them names it; each ``alg`` goes to the recipient's header unless the
    caller put it in a shared one; the parameters key management writes (``epk``, ``iv``,
    ``tag``, ``p2s``, ``p2c``) follow the ``alg``. No name may be in two headers. ``aad`` is
    the JWE AAD. ``flattened`` writes the flattened form (one recipient).

    Raises:
        InvalidArgumentError: no recipient, too many, duplicate header names, ``dir`` or
            ``ECDH-ES`` with others (their CEK cannot be shared), and as :func:`encrypt`.
    """
    return _produce.json_jwe(
        plaintext, recipients, enc=enc, protected=protected, unprotected=unprotected, aad=aad,
        zip=zip, flattened=flattened,
    )  # fmt: skip


# --- decryption -------------------------------------------------------------------------------


def _inflate(data: bytes, cap: int) -> bytes:
    """RFC 1951 inflation that stops at ``cap`` bytes: the bomb is refused, not inflated."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, cap + 1)  # max_length: never more than cap + 1 bytes
    except zlib.error:
        raise JWEParseError('The JWE content is not DEFLATE data (zip: "DEF")') from None
    if len(out) > cap:
        raise JWEParseError(f"The JWE content inflates to more than {cap} bytes")
    if not inflater.eof or inflater.unused_data:
        raise JWEParseError('The JWE content is not one complete DEFLATE stream (zip: "DEF")')
    return out


def _decrypt_one(
    parsed: ParsedJWE,
    index: int,
    key: Any,
    allowed: tuple[frozenset[str], frozenset[str]],
    limits: JWELimits,
) -> Decrypted:
    recipient: ParsedRecipient = parsed.recipients[index]
    header = joint_header(parsed, recipient)
    alg = JWE_ALGORITHMS[_allowed(header, "alg", allowed[0])]
    enc = ENCRYPTIONS[_allowed(header, "enc", allowed[1])]
    zip = header.get("zip")
    if zip is not None and zip != "DEF":
        shown = zip[:20] if isinstance(zip, str) else escape(zip, 20)
        raise JWEParseError(f"Unsupported JWE zip: {quoted(shown)}")
    # RFC 7518 §5.2.2 / §5.3: the IV and tag have one length each; no other is accepted.
    if len(parsed.iv) != enc.iv_bytes or len(parsed.tag) != enc.tag_bytes:
        raise JWEParseError(
            f"{enc.name} needs a {8 * enc.iv_bytes}-bit IV and a {8 * enc.tag_bytes}-bit tag"
        )
    prepared, _ = prepare_key(key, alg, enc, kid=header.get("kid"), operation="decrypt")
    cek = recover(alg, enc, prepared, header, recipient.encrypted_key, limits.max_p2c)
    body = content_decrypt(
        enc, cek, parsed.iv, parsed.ciphertext, parsed.tag, parsed.additional_data()
    )
    if body is None:
        raise JWEDecryptionError
    plaintext = body if zip is None else _inflate(body, limits.max_decompressed_size)
    aad = None if parsed.aad_segment is None else b64url_decode(parsed.aad_segment)
    return Decrypted(plaintext, header, dict(parsed.protected), aad, index)


_DEFAULT_LIMITS = JWELimits()
_DEFAULTS = (MAX_TOKEN_SIZE, MAX_HEADER_SIZE, MAX_RECIPIENTS, MAX_P2C, MAX_DECOMPRESSED_SIZE)
#: When no recipient decrypts, the error that says most: a decryption was tried, else a key
#: was missing, else the algorithms were not allowed.
_RANK = (JWEDecryptionError, UnusableKeyError, InvalidAlgorithmError)


def decrypt_complete(
    token: str | bytes | Mapping[str, Any],
    key: Any,
    *,
    algorithms: Sequence[str] | None = None,
    encryptions: Sequence[str] | None = None,
    max_token_size: int = MAX_TOKEN_SIZE,
    max_header_size: int = MAX_HEADER_SIZE,
    max_recipients: int = MAX_RECIPIENTS,
    max_p2c: int = MAX_P2C,
    max_decompressed_size: int = MAX_DECOMPRESSED_SIZE,
) -> Decrypted:
    """Like :func:`decrypt`, returning the plaintext with its header (:class:`Decrypted`).

    With several recipients, each whose ``alg`` is allowed and for which ``key`` holds a key
    (by ``kid``, type and metadata) is tried in order until one decrypts.
    """
    given = (max_token_size, max_header_size, max_recipients, max_p2c, max_decompressed_size)
    return _decrypt(token, key, algorithms, encryptions, given)


def _decrypt(
    token: str | bytes | Mapping[str, Any], key: Any, algorithms: Sequence[str] | None,
    encryptions: Sequence[str] | None, given: tuple[int, int, int, int, int],
) -> Decrypted:  # fmt: skip
    """:func:`decrypt_complete` with positional arguments (one call less per token)."""
    allowed = (
        _allow_list(algorithms, "algorithms", JWE_ALGORITHMS),
        _allow_list(encryptions, "encryptions", ENCRYPTIONS),
    )
    limits = _DEFAULT_LIMITS if given == _DEFAULTS else JWELimits(*given)
    parsed = parse(token, limits)
    failure: PyJWTError | None = None
    for index in range(len(parsed.recipients)):
        try:
            return _decrypt_one(parsed, index, key, allowed, limits)
        except _RANK as exc:
            if len(parsed.recipients) == 1:
                raise
            if failure is None or _rank(exc) < _rank(failure):
                failure = exc
    assert failure is not None  # noqa: S101 - the loop ran at least once and stored one
    raise failure


def _rank(exc: PyJWTError) -> int:
    return next(i for i, kind in enumerate(_RANK) if isinstance(exc, kind))


def decrypt(
    token: str | bytes | Mapping[str, Any],
    key: Any,
    *,
    algorithms: Sequence[str] | None = None,
    encryptions: Sequence[str] | None = None,
    max_token_size: int = MAX_TOKEN_SIZE,
    max_header_size: int = MAX_HEADER_SIZE,
    max_recipients: int = MAX_RECIPIENTS,
    max_p2c: int = MAX_P2C,
    max_decompressed_size: int = MAX_DECOMPRESSED_SIZE,
) -> bytes:
    """Decrypt a compact or JSON-serialized JWE; return the plaintext.

    ``algorithms`` (key management, e.g. ``["RSA-OAEP-256"]``) and ``encryptions`` (content,
    e.g. ``["A256GCM"]``) are required and must not be empty; list ``RSA1_5`` only to read
    legacy tokens. ``key`` takes the forms :func:`encrypt` takes, private for RSA and ECDH-ES.
    The ``max_*`` limits default to the module's constants (docs/security.md).

    Raises:
        JWEParseError: the token is malformed or over a limit (a DecodeError).
        InvalidAlgorithmError: its ``alg`` or ``enc`` is not allowed.
        UnusableKeyError: no key fits the token's ``alg``, ``enc`` and ``kid``.
        JWEDecryptionError: decryption failed (one error for every cryptographic cause).
        InvalidArgumentError: an allow-list is missing, empty or names an unknown algorithm.
    """
    given = (max_token_size, max_header_size, max_recipients, max_p2c, max_decompressed_size)
    return _decrypt(token, key, algorithms, encryptions, given).plaintext
