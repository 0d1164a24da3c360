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

from ._cache import BoundedCache
from ._json import dumps
from ._jwa import (
    ENCRYPTIONS,
    JWE_ALGORITHMS,
    JWEAlgorithm,
    JWEEncryption,
    jwe_algorithm,
    jwe_encryption,
)
from ._jwe_crypto import content_decrypt, content_encrypt, injected_flag, random_bytes
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
from ._jwe_serial import ParsedJWE, ParsedRecipient, check_crit, joint_header, parse
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    JWEDecryptionError,
    JWEParseError,
    PyJWTError,
    UnsupportedAlgorithmError,
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

#: Header Parameters only key management writes (RFC 7518 §4.6.1.1, §4.7.1, §4.8.1.1).
_GENERATED = frozenset({"epk", "iv", "tag", "p2s"})
#: The producer's own choices for some families: ``p2c`` (PBES2), ``apu``/``apv`` (ECDH-ES).
_CHOSEN = {"p2c": ("pbes2",), "apu": ("ecdh-es", "ecdh-es-kw"), "apv": ("ecdh-es", "ecdh-es-kw")}


class Recipient(NamedTuple):
    """One recipient of :func:`encrypt_json`: its key, its ``alg``, and optionally its
    per-recipient unprotected header (``kid`` and the like)."""

    key: Any
    alg: str
    header: Mapping[str, Any] | None = None


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


def _alg_row(alg: Any) -> JWEAlgorithm:
    row = jwe_algorithm(alg)
    if row is None:
        raise UnsupportedAlgorithmError(f"Unsupported JWE alg: {alg!r}")
    if row.family == "rsa1_5" and not injected_flag("rsa1_5"):
        # RFC 8725 §3.2 / RFC 7516 §11.5: RSAES-PKCS1-v1_5 invites padding oracles; jwtlite
        # reads legacy tokens (when listed) but never writes new ones.
        raise InvalidAlgorithmError("RSA1_5 is for decrypting legacy tokens only; use RSA-OAEP-256")
    return row


def _enc_row(enc: Any) -> JWEEncryption:
    row = jwe_encryption(enc)
    if row is None:
        raise UnsupportedAlgorithmError(f"Unsupported JWE enc: {enc!r}")
    return row


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
        raise InvalidArgumentError(f"unknown JWE {name}: {', '.join(map(repr, unknown))}")
    return frozenset(values)


def _allowed(header: Mapping[str, Any], name: str, allowed: frozenset[str]) -> str:
    value: str = header[name]
    if value not in allowed:
        raise InvalidAlgorithmError(f"The JWE {name} {value[:40]!r} is not allowed")
    return value


# --- headers for encryption -------------------------------------------------------------------


def _checked_choices(header: Mapping[str, Any], alg: JWEAlgorithm) -> None:
    """The caller's header may not hold what key management writes, nor a foreign choice."""
    generated = sorted(_GENERATED & header.keys())
    if generated:
        raise InvalidArgumentError(f"{', '.join(generated)}: key management writes these")
    for name, families in _CHOSEN.items():
        if name in header and alg.family not in families:
            raise InvalidArgumentError(f'"{name}" does not apply to {alg.name}')
    for name in ("apu", "apv"):
        if name in header:
            try:
                b64url_decode(header[name])
            except DecodeError as exc:
                raise InvalidArgumentError(f'"{name}" must be base64url: {exc}') from None
    if "kid" in header and not isinstance(header["kid"], str):
        raise InvalidArgumentError("Key ID header parameter must be a string")
    if "crit" in header:
        crit = header["crit"]
        # A producer may list its own extensions (the recipient must understand them).
        names = crit if isinstance(crit, list) else ()
        understood = frozenset(n for n in names if isinstance(n, str))
        try:
            check_crit(header, understood=understood)
        except JWEParseError as exc:
            raise InvalidArgumentError(str(exc)) from None


def _ordered(header: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """``header`` with the parameters key management wrote inserted after ``kid`` (else after
    ``alg``, else at the end): the order of RFC 7520 §5, so its outputs are reproduced."""
    anchor = "kid" if "kid" in header else "alg" if "alg" in header else None
    out: dict[str, Any] = {}
    for name, value in header.items():
        out[name] = value
        if name == anchor:
            out.update(params)
    if anchor is None:
        out.update(params)
    return out


def _with_kid(header: dict[str, Any], kid: str | None) -> dict[str, Any]:
    """The chosen JWK's ``kid`` right after ``alg``, unless the header names one already."""
    if kid is None or "kid" in header:
        return header
    out = {"alg": header["alg"], "kid": kid} if "alg" in header else {"kid": kid}
    out.update((k, v) for k, v in header.items() if k != "alg")
    return out


def _compact_header(
    headers: Mapping[str, Any] | None, alg: JWEAlgorithm, enc: JWEEncryption, zip: str | None
) -> dict[str, Any]:
    given = _mapping(headers, "headers")
    for name, value in (("alg", alg.name), ("enc", enc.name), ("zip", zip)):
        if name in given and given.pop(name) != value:
            raise InvalidArgumentError(f'headers["{name}"] contradicts {name}={value!r}')
    kid = given.pop("kid", None)
    header = {"alg": alg.name, **({} if kid is None else {"kid": kid}), **given, "enc": enc.name}
    if zip is not None:
        header["zip"] = zip
    _checked_choices(header, alg)
    return header


def _json(value: Any) -> bytes:
    try:
        return dumps(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgumentError(f"a JWE header is not JSON-serialisable: {exc}") from None


def _mapping(value: Any, what: str) -> dict[str, Any]:
    """A copy of a header given by the caller, which must be a mapping of names."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(name, str) for name in value):
        raise InvalidArgumentError(f"{what} must be a mapping of header names to values")
    return dict(value)


def _payload(data: Any, zip: Any) -> bytes:
    plaintext: bytes
    if isinstance(data, str):
        plaintext = data.encode("utf-8")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        plaintext = bytes(data)
    else:
        kind = type(data).__name__
        raise InvalidArgumentError(f"the plaintext and AAD must be bytes or str, not {kind}")
    if zip is None:
        return plaintext
    if zip != "DEF":
        raise InvalidArgumentError(f'zip must be None or "DEF" (RFC 7516 §4.1.3), not {zip!r}')
    deflater = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # raw RFC 1951
    return deflater.compress(plaintext) + deflater.flush()


def _new_cek(algs: Sequence[JWEAlgorithm], enc: JWEEncryption) -> bytes:
    # dir and ECDH-ES determine the CEK themselves; the other modes wrap a fresh random one.
    return b"" if all(a.direct for a in algs) else random_bytes("cek", enc.key_bytes)


def _seal(enc: JWEEncryption, cek: bytes, body: bytes, aad: bytes) -> tuple[bytes, bytes, bytes]:
    iv = random_bytes("iv", enc.iv_bytes)
    ciphertext, tag = content_encrypt(enc, cek, iv, body, aad)
    return iv, ciphertext, tag


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
    alg_row, enc_row = _alg_row(alg), _enc_row(enc)
    header = _compact_header(headers, alg_row, enc_row, zip)
    prepared, kid = prepare_key(key, alg_row, enc_row, kid=header.get("kid"), operation="encrypt")
    header = _with_kid(header, kid)
    produced = produce(alg_row, enc_row, prepared, header, _new_cek([alg_row], enc_row))
    protected = b64url_encode(_json(_ordered(header, produced.params)))
    body = _payload(plaintext, zip)
    iv, ciphertext, tag = _seal(enc_row, produced.cek, body, protected.encode("ascii"))
    parts = (produced.encrypted_key, iv, ciphertext, tag)
    return ".".join([protected, *(b64url_encode(part) for part in parts)])


# --- the JSON serializations ------------------------------------------------------------------


def _disjoint(*headers: Mapping[str, Any]) -> None:
    seen: set[str] = set()
    for header in headers:
        clash = seen & header.keys()
        if clash:
            # RFC 7516 §7.2.1: the three headers' parameter names MUST be disjoint.
            raise InvalidArgumentError(f"Header Parameter {min(clash)!r} is in two JWE headers")
        seen |= header.keys()


class _Job:
    """One recipient while :func:`encrypt_json` builds the token."""

    def __init__(self, recipient: Any, shared: tuple[dict[str, Any], dict[str, Any]]) -> None:
        if not isinstance(recipient, tuple) or not 2 <= len(recipient) <= 3:
            raise InvalidArgumentError("each recipient is a Recipient(key, alg, header=None)")
        key, alg, own = Recipient(*recipient)
        own = _mapping(own, "a recipient's header")
        self.alg = _alg_row(alg)
        self.own: dict[str, Any] = dict(own or {})
        if "zip" in self.own:
            raise InvalidArgumentError('"zip" belongs in the protected header (RFC 7516 §4.1.3)')
        # The alg lives in whichever header the caller put it; by default the recipient's own.
        self.where = next((h for h in (*shared, self.own) if "alg" in h), self.own)
        if self.where.setdefault("alg", alg) != alg:
            raise InvalidArgumentError(f"the header says alg {self.where['alg']!r}, not {alg!r}")
        if self.where is self.own:
            self.own = self.where = {"alg": alg, **self.own}
        self.key = key

    def joint(self, shared: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        _disjoint(*shared, self.own)
        return {**shared[0], **shared[1], **self.own}


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
    enc_row = _enc_row(enc)
    shared = (_mapping(protected, "protected"), _mapping(unprotected, "unprotected"))
    if not isinstance(recipients, (list, tuple)):
        raise InvalidArgumentError("recipients must be a list of Recipient")
    if not recipients or len(recipients) > MAX_RECIPIENTS or (flattened and len(recipients) != 1):
        wanted = "one recipient" if flattened else f"1 to {MAX_RECIPIENTS} recipients"
        raise InvalidArgumentError(f"encrypt_json() takes {wanted}")
    if "zip" in shared[1] or (zip is not None and shared[0].setdefault("zip", zip) != zip):
        raise InvalidArgumentError('"zip" belongs in the protected header, once (RFC 7516 §4.1.3)')
    zip = shared[0].get("zip")
    holder = shared[1] if "enc" in shared[1] else shared[0]
    if holder.setdefault("enc", enc) != enc:
        raise InvalidArgumentError(f"the header names another enc than {enc!r}")
    jobs = [_Job(r, shared) for r in recipients]
    if len(jobs) > 1 and any(job.alg.direct for job in jobs):
        raise InvalidArgumentError("dir and ECDH-ES fix the CEK: they admit one recipient only")
    cek = _new_cek([job.alg for job in jobs], enc_row)
    out_recipients = []
    for job in jobs:
        joint = job.joint(shared)
        _checked_choices(joint, job.alg)
        prepared, kid = prepare_key(job.key, job.alg, enc_row, kid=joint.get("kid"),
                                    operation="encrypt")  # fmt: skip
        produced = produce(job.alg, enc_row, prepared, joint, cek)
        cek = produced.cek
        params = produced.params
        if kid is not None and "kid" not in joint:
            params = {"kid": kid, **params}  # the chosen JWK's kid, after the alg
        if params and job.where is not job.own and len(jobs) > 1:
            raise InvalidArgumentError("with several recipients, each alg goes in its own header")
        _replace(job.where, _ordered(job.where, params))
        job.joint(shared)  # the inserted names must not clash either
        member: dict[str, Any] = {"header": job.own} if job.own else {}
        if produced.encrypted_key:
            member["encrypted_key"] = b64url_encode(produced.encrypted_key)
        out_recipients.append(member)
    return _json_token(plaintext, zip, enc_row, cek, shared, out_recipients, aad, flattened)


def _replace(target: dict[str, Any], source: dict[str, Any]) -> None:
    target.clear()
    target.update(source)


def _json_token(
    plaintext: bytes | str, zip: Any, enc: JWEEncryption, cek: bytes,
    shared: tuple[dict[str, Any], dict[str, Any]], recipients: list[dict[str, Any]],
    aad: bytes | str | None, flattened: bool,
) -> str:  # fmt: skip
    protected, unprotected = shared
    segment = b64url_encode(_json(protected)) if protected else ""
    aad_segment = None if aad is None else b64url_encode(_payload(aad, None))
    additional = segment if aad_segment is None else f"{segment}.{aad_segment}"
    iv, ciphertext, tag = _seal(enc, cek, _payload(plaintext, zip), additional.encode("ascii"))
    out: dict[str, Any] = {}
    if segment:
        out["protected"] = segment
    if unprotected:
        out["unprotected"] = unprotected
    if flattened:
        out.update(recipients[0])
    else:
        out["recipients"] = recipients
    if aad_segment is not None:
        out["aad"] = aad_segment
    out.update(iv=b64url_encode(iv), ciphertext=b64url_encode(ciphertext), tag=b64url_encode(tag))
    return _json(out).decode("utf-8")


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
        raise JWEParseError(f"Unsupported JWE zip: {str(zip)[:20]!r}")
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
    algorithms: Sequence[str],
    encryptions: Sequence[str],
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
    allowed = (
        _allow_list(algorithms, "algorithms", JWE_ALGORITHMS),
        _allow_list(encryptions, "encryptions", ENCRYPTIONS),
    )
    given = (max_token_size, max_header_size, max_recipients, max_p2c, max_decompressed_size)
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
    algorithms: Sequence[str],
    encryptions: Sequence[str],
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
    return decrypt_complete(
        token, key, algorithms=algorithms, encryptions=encryptions,
        max_token_size=max_token_size, max_header_size=max_header_size,
        max_recipients=max_recipients, max_p2c=max_p2c,
        max_decompressed_size=max_decompressed_size,
    ).plaintext  # fmt: skip
