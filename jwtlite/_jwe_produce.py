"""Writing a JWE (RFC 7516 §5.1): the producer's header rules and the JSON serializations.

The producer's header is checked before anything is encrypted: it may not carry what key
management writes (``epk``, ``iv``, ``tag``, ``p2s``), a choice that does not apply to its
``alg`` (``p2c``, ``apu``, ``apv``), a malformed ``crit``, or a name in two of the protected,
shared and per-recipient headers (RFC 7516 §7.2.1). Key management's parameters are written
after ``kid`` (else ``alg``), the order of RFC 7520 §5, so its examples are reproduced octet
for octet. Everything here is for :mod:`jwtlite.jwe`; only jwtlite exceptions leave it.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from ._escape import quoted
from ._json import dumps
from ._jwa import JWEAlgorithm, JWEEncryption, jwe_algorithm, jwe_encryption
from ._jwe_crypto import content_encrypt, injected_flag, random_bytes
from ._jwe_keymgmt import produce
from ._jwe_keys import prepare_key
from ._jwe_limits import MAX_RECIPIENTS
from ._jwe_serial import check_crit
from ._values import utf8
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    JWEParseError,
    UnsupportedAlgorithmError,
)

__all__ = [
    "alg_row",
    "checked_choices",
    "compact_header",
    "enc_row",
    "json_jwe",
    "mapping",
    "new_cek",
    "ordered",
    "payload",
    "seal",
    "to_json",
    "with_kid",
]

#: Header Parameters only key management writes (RFC 7518 §4.6.1.1, §4.7.1, §4.8.1.1).
_GENERATED = frozenset({"epk", "iv", "tag", "p2s"})
#: The producer's own choices for some families: ``p2c`` (PBES2), ``apu``/``apv`` (ECDH-ES).
_CHOSEN = {"p2c": ("pbes2",), "apu": ("ecdh-es", "ecdh-es-kw"), "apv": ("ecdh-es", "ecdh-es-kw")}


def alg_row(alg: Any) -> JWEAlgorithm:
    """The row of an ``alg`` to write: known, and never RSA1_5."""
    row = jwe_algorithm(alg)
    if row is None:
        raise UnsupportedAlgorithmError(f"Unsupported JWE alg: {quoted(alg)}")
    if row.family == "rsa1_5" and not injected_flag("rsa1_5"):
        # RFC 8725 §3.2 / RFC 7516 §11.5: RSAES-PKCS1-v1_5 invites padding oracles; jwtlite
        # reads legacy tokens (when listed) but never writes new ones.
        raise InvalidAlgorithmError("RSA1_5 is for decrypting legacy tokens only; use RSA-OAEP-256")
    return row


def enc_row(enc: Any) -> JWEEncryption:
    """The row of a known ``enc``."""
    row = jwe_encryption(enc)
    if row is None:
        raise UnsupportedAlgorithmError(f"Unsupported JWE enc: {quoted(enc)}")
    return row


def checked_choices(header: Mapping[str, Any], alg: JWEAlgorithm) -> None:
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


def ordered(header: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
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


def with_kid(header: dict[str, Any], kid: str | None) -> dict[str, Any]:
    """The chosen JWK's ``kid`` right after ``alg``, unless the header names one already."""
    if kid is None or "kid" in header:
        return header
    out = {"alg": header["alg"], "kid": kid} if "alg" in header else {"kid": kid}
    out.update((k, v) for k, v in header.items() if k != "alg")
    return out


def compact_header(
    headers: Mapping[str, Any] | None, alg: JWEAlgorithm, enc: JWEEncryption, zip: str | None
) -> dict[str, Any]:
    given = mapping(headers, "headers")
    for name, value in (("alg", alg.name), ("enc", enc.name), ("zip", zip)):
        if name in given and given.pop(name) != value:
            raise InvalidArgumentError(f'headers["{name}"] contradicts {name}={quoted(value)}')
    kid = given.pop("kid", None)
    header = {"alg": alg.name, **({} if kid is None else {"kid": kid}), **given, "enc": enc.name}
    if zip is not None:
        header["zip"] = zip
    checked_choices(header, alg)
    return header


def to_json(value: Any) -> bytes:
    try:
        return dumps(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgumentError(f"a JWE header is not JSON-serialisable: {exc}") from None


def mapping(value: Any, what: str) -> dict[str, Any]:
    """A copy of a header given by the caller, which must be a mapping of names."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(name, str) for name in value):
        raise InvalidArgumentError(f"{what} must be a mapping of header names to values")
    return dict(value)


def payload(data: Any, zip: Any) -> bytes:
    plaintext: bytes
    if isinstance(data, str):
        plaintext = utf8(data, "the plaintext")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        plaintext = bytes(data)
    else:
        kind = type(data).__name__
        raise InvalidArgumentError(f"the plaintext and AAD must be bytes or str, not {kind}")
    if zip is None:
        return plaintext
    if zip != "DEF":
        raise InvalidArgumentError(
            f'zip must be None or "DEF" (RFC 7516 §4.1.3), not {quoted(zip)}'
        )
    deflater = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # raw RFC 1951
    return deflater.compress(plaintext) + deflater.flush()


def new_cek(algs: Sequence[JWEAlgorithm], enc: JWEEncryption) -> bytes:
    # dir and ECDH-ES determine the CEK themselves; the other modes wrap a fresh random one.
    return b"" if all(a.direct for a in algs) else random_bytes("cek", enc.key_bytes)


def seal(enc: JWEEncryption, cek: bytes, body: bytes, aad: bytes) -> tuple[bytes, bytes, bytes]:
    iv = random_bytes("iv", enc.iv_bytes)
    ciphertext, tag = content_encrypt(enc, cek, iv, body, aad)
    return iv, ciphertext, tag


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
        key, alg, own = (*recipient, None)[:3]
        own = mapping(own, "a recipient's header")
        self.alg = alg_row(alg)
        self.own: dict[str, Any] = dict(own or {})
        if "zip" in self.own:
            raise InvalidArgumentError('"zip" belongs in the protected header (RFC 7516 §4.1.3)')
        # The alg lives in whichever header the caller put it; by default the recipient's own.
        self.where = next((h for h in (*shared, self.own) if "alg" in h), self.own)
        if self.where.setdefault("alg", alg) != alg:
            said = quoted(self.where["alg"])
            raise InvalidArgumentError(f"the header says alg {said}, not {quoted(alg)}")
        if self.where is self.own:
            self.own = self.where = {"alg": alg, **self.own}
        self.key = key

    def joint(self, shared: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        _disjoint(*shared, self.own)
        return {**shared[0], **shared[1], **self.own}


def json_jwe(
    plaintext: Any,
    recipients: Any,
    *,
    enc: Any,
    protected: Any,
    unprotected: Any,
    aad: Any,
    zip: Any,
    flattened: bool,
) -> str:
    """The JSON-serialized JWE of :func:`jwtlite.jwe.encrypt_json` (its arguments)."""
    content = enc_row(enc)
    shared = (mapping(protected, "protected"), mapping(unprotected, "unprotected"))
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
        raise InvalidArgumentError(f"the header names another enc than {quoted(enc)}")
    jobs = [_Job(r, shared) for r in recipients]
    if len(jobs) > 1 and any(job.alg.direct for job in jobs):
        raise InvalidArgumentError("dir and ECDH-ES fix the CEK: they admit one recipient only")
    cek = new_cek([job.alg for job in jobs], content)
    cek, members = _wrap_for_all(jobs, shared, content, cek)
    return _json_token(plaintext, zip, content, cek, shared, members, aad, flattened)


def _wrap_for_all(
    jobs: list[_Job], shared: tuple[dict[str, Any], dict[str, Any]], content: JWEEncryption,
    cek: bytes,
) -> tuple[bytes, list[dict[str, Any]]]:  # fmt: skip
    """Key management for each recipient: the CEK (fixed by dir / ECDH-ES) and the members."""
    out_recipients = []
    for job in jobs:
        joint = job.joint(shared)
        checked_choices(joint, job.alg)
        prepared, kid = prepare_key(job.key, job.alg, content, kid=joint.get("kid"),
                                    operation="encrypt")  # fmt: skip
        produced = produce(job.alg, content, prepared, joint, cek)
        cek = produced.cek
        # A choice the caller put in a shared header (p2c) stays there: written again beside
        # the alg, the name would be in two headers (RFC 7516 §7.2.1).
        params = {k: v for k, v in produced.params.items() if k in job.where or k not in joint}
        if kid is not None and "kid" not in joint:
            params = {"kid": kid, **params}  # the chosen JWK's kid, after the alg
        if params and job.where is not job.own and len(jobs) > 1:
            raise InvalidArgumentError("with several recipients, each alg goes in its own header")
        _replace(job.where, ordered(job.where, params))
        job.joint(shared)  # the inserted names must not clash either
        member: dict[str, Any] = {"header": job.own} if job.own else {}
        if produced.encrypted_key:
            member["encrypted_key"] = b64url_encode(produced.encrypted_key)
        out_recipients.append(member)
    return cek, out_recipients


def _replace(target: dict[str, Any], source: dict[str, Any]) -> None:
    target.clear()
    target.update(source)


def _json_token(
    plaintext: bytes | str, zip: Any, enc: JWEEncryption, cek: bytes,
    shared: tuple[dict[str, Any], dict[str, Any]], recipients: list[dict[str, Any]],
    aad: bytes | str | None, flattened: bool,
) -> str:  # fmt: skip
    protected, unprotected = shared
    segment = b64url_encode(to_json(protected)) if protected else ""
    aad_segment = None if aad is None else b64url_encode(payload(aad, None))
    additional = segment if aad_segment is None else f"{segment}.{aad_segment}"
    iv, ciphertext, tag = seal(enc, cek, payload(plaintext, zip), additional.encode("ascii"))
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
    return to_json(out).decode("utf-8")
