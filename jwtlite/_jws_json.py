"""The JWS JSON Serialization (RFC 7515 §7.2): general and flattened, one or several signatures.

Threat model: the document is attacker-controlled text (or a dict parsed from such text). Its
size is bounded before it is parsed (``max_token_size``, as for a compact token), and so are
the number of signatures (each one costs a public-key verification: :data:`MAX_SIGNATURES`)
and the size of each header (:data:`MAX_HEADER_SIZE`). Parsing is strict: duplicate member
names, base64url that is not canonical, a protected header that is not a JSON object, a
document that is both general and flattened, are refused, and every failure is a jwtlite
exception.

The header rules are those of the compact form (:mod:`jwtlite._jws_header`) applied to each
signature's JOSE Header, the union of its protected and unprotected headers, plus the ones
the JSON form adds:

- the names of the two headers must be disjoint (RFC 7515 §7.2.1);
- ``crit`` must be protected (RFC 7515 §4.1.11), and so must ``b64``, which must also be the
  same for every signature (RFC 7797 §3);
- ``alg`` must be protected unless the caller accepts otherwise (``allow_unprotected_alg``):
  an unprotected ``alg`` is how algorithm substitution works (RFC 7515 §10.7), and requiring
  it protected is the mitigation RFC 7515 names (the compact form always protects it).

Each signature's key is chosen as in the compact form (:mod:`jwtlite._jws_keys`): a JWK Set
picks its member by the signature's ``kid`` and ``alg``, any other key is bound to the
``alg``'s family. The caller says whether every signature must verify (``require="all"``,
the default) or one is enough (``require="one"``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from ._escape import escape
from ._json import dumps, loads_object
from ._jws_header import check_header
from ._jws_keys import allowed_algorithms, sign, verify
from ._options import Options
from ._values import octets
from .algorithms import get_algorithm_by_name
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidArgumentError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
)

__all__ = [
    "MAX_HEADER_SIZE",
    "MAX_SIGNATURES",
    "Signer",
    "VerifiedJSON",
    "VerifiedSignature",
    "decode_json",
    "encode_json",
]

#: Most signatures a document may carry (``max_signatures`` raises or lowers it per call).
#: Each costs a public-key verification, so a document under the size limit could otherwise
#: ask for thousands of them; RFC 7520 §4.8, the largest published example, has three.
MAX_SIGNATURES = 16
#: Largest protected header (its base64url text) and unprotected header (its compact JSON),
#: in characters. An ``x5c`` chain of a few certificates fits; anything larger is no header.
MAX_HEADER_SIZE = 16 * 1024

#: Whether every signature must verify, or one is enough.
Require = Literal["all", "one"]

#: The options each entry point reads (the others concern compact tokens or claims).
_ENCODE_OPTIONS = ("enforce_minimum_key_length",)
_DECODE_OPTIONS = ("enforce_minimum_key_length", "max_token_size", "allow_small_rsa_verify")
#: The members of one signature, which a flattened document holds at its top level.
_SIGNATURE_MEMBERS = ("protected", "header", "signature")


@dataclass(frozen=True)
class Signer:
    """One signature for :func:`encode_json`: the key, its ``alg``, and the header members.

    ``alg`` goes into the protected header unless ``header`` (the unprotected one) names it;
    wherever it is given, it must equal ``algorithm``. ``key`` is any key ``encode`` takes, a
    JWK Set included (its member is chosen by ``kid`` and ``alg``); it is left out of the repr.
    """

    key: Any = field(repr=False)
    algorithm: str
    protected: Mapping[str, Any] | None = None
    header: Mapping[str, Any] | None = None


class VerifiedSignature(NamedTuple):
    """A signature that verified: where it was in the document and its two headers."""

    #: Its index in ``signatures`` (0 for a flattened document).
    position: int
    #: The JWS Protected Header: what the signature covers.
    protected: dict[str, Any]
    #: The JWS Unprotected Header (``{}`` when absent): NOT covered by the signature.
    unprotected: dict[str, Any]

    @property
    def jose_header(self) -> dict[str, Any]:
        """The union of both headers (RFC 7515 §7.2.1), as a compact token's header reads."""
        return {**self.protected, **self.unprotected}


class VerifiedJSON(NamedTuple):
    """What :func:`decode_json` returns: the payload and the signatures that verified."""

    payload: bytes
    #: Every signature with ``require="all"``; the first that verified with ``"one"``.
    signatures: tuple[VerifiedSignature, ...]


class _Entry(NamedTuple):
    """One signature of a document, strictly decoded."""

    segment: bytes  # the protected header as sent (base64url), b"" when there is none
    protected: dict[str, Any]
    unprotected: dict[str, Any]
    signature: bytes


# --- signing ----------------------------------------------------------------------------------


def encode_json(
    payload: bytes,
    signers: Signer | Sequence[Signer],
    *,
    flattened: bool = False,
    detached: bool = False,
    b64: bool = True,
    json_encoder: type[json.JSONEncoder] | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Sign ``payload`` once per signer; the JWS JSON Serialization as a dict.

    Args:
        payload: the octets to sign.
        signers: one :class:`Signer` or several (the general form holds them in order).
        flattened: the flattened form (RFC 7515 §7.2.2), for exactly one signer.
        detached: leave the ``payload`` member out (RFC 7515 Appendix F).
        b64: ``False`` signs the payload unencoded (RFC 7797): every protected header gets
            ``"b64": false`` and ``"b64"`` in ``crit``; the payload travels as a JSON string,
            so it must be UTF-8 unless it is detached.
        json_encoder: a ``json.JSONEncoder`` subclass for the header values.
        options: ``{"enforce_minimum_key_length": True}`` refuses short keys instead of warning.

    Raises:
        InvalidArgumentError: a malformed signer, payload or option.
        InvalidAlgorithmError: an ``alg`` jwtlite does not implement.
        InvalidKeyError: a key that cannot sign with its ``alg``.

    Example::

        document = encode_json(b"hello", Signer(secret, "HS256", header={"kid": "k1"}))
        json.dumps(document)  # what goes on the wire
    """
    settings = _settings(options, _ENCODE_OPTIONS, "encode_json")
    if not isinstance(payload, bytes):
        raise InvalidArgumentError("The JWS payload must be bytes")
    chosen = _signers(signers)
    if flattened and len(chosen) != 1:
        raise InvalidArgumentError(f"A flattened JWS has exactly one signature, not {len(chosen)}")
    body = b64url_encode(payload).encode("ascii") if b64 else payload
    entries = [_sign_one(s, body, b64, json_encoder, settings) for s in chosen]
    document: dict[str, Any] = {}
    if not detached:
        document["payload"] = body.decode("ascii") if b64 else _unencoded_text(payload)
    if flattened:
        document.update(entries[0])
    else:
        document["signatures"] = entries
    return document


def _settings(options: Mapping[str, Any] | None, names: tuple[str, ...], where: str) -> Options:
    """The caller's options, of those ``where`` reads; any other name is refused by name."""
    if options is not None and isinstance(options, Mapping):
        unknown = next((name for name in options if name not in names), None)
        if unknown is not None:
            raise InvalidArgumentError(
                f'Option "{escape(unknown)}" does nothing in {where}; its options are'
                f" {', '.join(names)}"
            )
    return Options().merged(options, names=names)


def _signers(signers: Any) -> list[Signer]:
    chosen = [signers] if isinstance(signers, Signer) else signers
    if isinstance(chosen, (str, bytes)) or not isinstance(chosen, Sequence) or not chosen:
        raise InvalidArgumentError("signers must be a Signer or a non-empty list of them")
    if not all(isinstance(s, Signer) for s in chosen):
        raise InvalidArgumentError("Every member of signers must be a jwtlite.jws.Signer")
    return list(chosen)


def _unencoded_text(payload: bytes) -> str:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgumentError(
            "With b64=False the payload travels as a JSON string and must be UTF-8; pass"
            " detached=True to send other octets apart (RFC 7797 §5.2)"
        ) from None


def _sign_one(
    signer: Signer,
    body: bytes,
    b64: bool,
    json_encoder: type[json.JSONEncoder] | None,
    options: Options,
) -> dict[str, Any]:
    """One member of ``signatures``: ``protected`` (if any), ``header`` (if any), ``signature``."""
    alg = signer.algorithm
    if not isinstance(alg, str):
        raise InvalidArgumentError(f"Signer.algorithm must be a string, not {type(alg).__name__}")
    alg_obj = get_algorithm_by_name(alg)
    protected, unprotected = _signer_headers(signer, b64)
    segment = _encoded(protected, "protected", json_encoder) if protected else ""
    _encoded(unprotected, "unprotected", json_encoder)  # the caller serialises it: JSON only
    signature = sign(
        segment.encode("ascii") + b"." + body,
        signer.key,
        alg_obj=alg_obj,
        alg=alg,
        kid={**protected, **unprotected}.get("kid"),
        options=options,
    )
    entry: dict[str, Any] = {}
    if segment:
        entry["protected"] = segment
    if unprotected:
        entry["header"] = unprotected
    entry["signature"] = b64url_encode(signature)
    return entry


def _signer_headers(signer: Signer, b64: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The protected and unprotected headers one signer asks for, checked as RFC 7515 wants."""
    protected = _header_copy(signer.protected, "protected")
    unprotected = _header_copy(signer.header, "header")
    alg = signer.algorithm
    for name in ("crit", "b64"):
        if name in unprotected:
            raise InvalidArgumentError(
                f'"{name}" must be integrity protected: give it in protected=, not header='
                " (RFC 7515 §4.1.11, RFC 7797 §3)"
            )
    if "b64" in protected:
        raise InvalidArgumentError('Pass b64=False instead of a "b64" header parameter')
    for given in (protected, unprotected):
        if given.get("alg", alg) != alg:
            raise InvalidArgumentError(
                f'The header "alg" ({escape(given["alg"])}) differs from Signer.algorithm'
                f" ({escape(alg)})"
            )
    if "alg" not in protected and "alg" not in unprotected:
        protected = {"alg": alg, **protected}
    shared = protected.keys() & unprotected.keys()
    if shared:
        raise InvalidArgumentError(
            f'Header parameter "{escape(min(shared))}" is both protected and unprotected'
            " (RFC 7515 §7.2.1: the names must be disjoint)"
        )
    crit = protected.get("crit", [])
    if not b64 and isinstance(crit, list) and all(isinstance(n, str) for n in crit):
        # RFC 7797 §6: an unencoded payload must be declared critical.
        protected["b64"] = False
        protected["crit"] = sorted({*crit, "b64"})
    check_header({**protected, **unprotected}, producing=True)
    return protected, unprotected


def _header_copy(given: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    if given is None:
        return {}
    if not isinstance(given, Mapping) or not all(isinstance(k, str) for k in given):
        raise InvalidArgumentError(f"Signer.{name} must be a dict with string keys")
    return dict(given)


def _encoded(header: dict[str, Any], name: str, json_encoder: Any) -> str:
    try:
        return b64url_encode(dumps(header, cls=json_encoder))
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidArgumentError(f"The {name} header is not JSON-serialisable: {exc}") from None


# --- verification -----------------------------------------------------------------------------


def decode_json(
    document: Mapping[str, Any] | str | bytes,
    key: Any,
    *,
    algorithms: Sequence[str],
    require: Require = "all",
    detached_payload: bytes | None = None,
    allow_unprotected_alg: bool = False,
    max_signatures: int = MAX_SIGNATURES,
    options: Mapping[str, Any] | None = None,
) -> VerifiedJSON:
    """Verify a JWS in the JSON Serialization, general or flattened; the payload and headers.

    Args:
        document: the JWS as JSON text (``str`` or UTF-8 ``bytes``) or as a dict parsed from it.
        key: as for ``decode``: a secret, a key text or object, a JWK, a ``PyJWK``, or a JWK Set
            (dict or ``PyJWKSet``), whose member each signature chooses by ``kid`` and ``alg``.
        algorithms: the ``alg`` values accepted.
        require: ``"all"`` (every signature must verify) or ``"one"`` (the first that verifies
            is enough; the others are not looked at after it).
        detached_payload: the content of a document without ``payload`` (RFC 7515 App. F).
        allow_unprotected_alg: accept an ``alg`` in the unprotected header (RFC 7520 §4.7
            does that; see RFC 7515 §10.7 for why it is off by default).
        max_signatures: most signatures accepted (default :data:`MAX_SIGNATURES`).
        options: ``enforce_minimum_key_length``, ``max_token_size`` (the document's size, in
            characters or bytes, checked before parsing) and ``allow_small_rsa_verify``.

    Raises:
        DecodeError: a malformed document (InvalidSignatureError: a signature is wrong).
        InvalidAlgorithmError: an ``alg`` that is ``none``, not allowed or unprotected.
        InvalidTokenError: a header rule broken (``crit``, ``b64``, disjoint headers).
        InvalidKeyError: the key is unusable (UnusableKeyError when a signature chose it).

    Example::

        verified = decode_json(text, jwks, algorithms=["ES256"])
        verified.payload, verified.signatures[0].protected
    """
    settings = _settings(options, _DECODE_OPTIONS, "decode_json")
    _check_policy(require, max_signatures)
    parsed = _load(document, settings.max_token_size)
    entries = [_entry(raw) for raw in _raw_entries(parsed, max_signatures)]
    encoded = _common_b64(entries)
    payload, body = _payload(parsed, encoded, detached_payload)
    allowed_algorithms(algorithms, key)  # the caller's error, before any signature's
    verified = _verify_entries(
        entries, body, key, algorithms, require, allow_unprotected_alg, settings
    )
    return VerifiedJSON(payload, verified)


def _common_b64(entries: Sequence[_Entry]) -> Any:
    """The ``b64`` every signature's protected header agrees on (RFC 7797 §3: the payload is
    encoded one way for all of them); absent means true."""
    if len({e.protected.get("b64", True) for e in entries}) > 1:
        raise InvalidTokenError('"b64" must be the same for every signature (RFC 7797 §3)')
    return entries[0].protected.get("b64", True)


def _check_policy(require: Any, max_signatures: Any) -> None:
    if require not in ("all", "one"):
        raise InvalidArgumentError(f"require must be 'all' or 'one', not {escape(require)}")
    if (
        isinstance(max_signatures, bool)
        or not isinstance(max_signatures, int)
        or max_signatures < 1
    ):
        raise InvalidArgumentError("max_signatures must be a positive integer")


def _load(document: Any, max_size: int) -> dict[str, Any]:
    """The document as a strictly parsed JSON object, its size checked before parsing."""
    if isinstance(document, Mapping):
        try:  # one strict path for both forms: a dict is read as the JSON it stands for
            raw = dumps(dict(document))
        except (TypeError, ValueError, RecursionError) as exc:
            raise DecodeError(f"Invalid JWS JSON document: not JSON ({escape(str(exc))})") from None
    elif isinstance(document, str):
        if len(document) > max_size:
            raise DecodeError(f"JWS JSON document is larger than the {max_size}-character limit")
        try:
            raw = document.encode("utf-8")
        except UnicodeEncodeError:
            raise DecodeError("Invalid JWS JSON document: not UTF-8") from None
    elif isinstance(document, (bytes, bytearray)):
        raw = bytes(document)
    else:
        raise DecodeError(
            f"A JWS JSON document must be a dict, str or bytes, not {type(document).__name__}"
        )
    if len(raw) > max_size:
        raise DecodeError(f"JWS JSON document is larger than the {max_size}-character limit")
    return loads_object(raw, "JWS JSON document")


def _raw_entries(document: dict[str, Any], max_signatures: int) -> list[dict[str, Any]]:
    """The signature objects: the members of ``signatures``, or the flattened document."""
    if "signatures" not in document:
        if "signature" not in document:
            raise DecodeError('Not a JWS JSON document: no "signatures" or "signature" member')
        return [document]  # flattened (RFC 7515 §7.2.2): its members sit at the top level
    # A document that is both forms could be read as either, by two different readers.
    mixed = next((m for m in _SIGNATURE_MEMBERS if m in document), None)
    if mixed is not None:
        raise DecodeError(
            f'A JWS JSON document is general ("signatures") or flattened ("{mixed}"), not both'
        )
    raw = document["signatures"]
    if type(raw) is not list or not raw:
        raise DecodeError('"signatures" must be a non-empty array')
    if len(raw) > max_signatures:
        raise DecodeError(f"The document has {len(raw)} signatures; at most {max_signatures}")
    if not all(type(entry) is dict for entry in raw):
        raise DecodeError('Every member of "signatures" must be a JSON object')
    return raw


def _entry(raw: dict[str, Any]) -> _Entry:
    """One signature's members, decoded and checked (RFC 7515 §7.2.1, §5.2)."""
    signature = raw.get("signature")
    if not isinstance(signature, str):
        raise DecodeError('The "signature" member must be a string')
    segment = raw.get("protected")
    protected: dict[str, Any] = {}
    if "protected" in raw:
        # RFC 7515 §7.2.1: absent when there is no protected header, never empty.
        if not isinstance(segment, str) or not segment:
            raise DecodeError('The "protected" member must be a non-empty string')
        if len(segment) > MAX_HEADER_SIZE:
            raise DecodeError(f"The protected header is larger than {MAX_HEADER_SIZE} characters")
        protected = loads_object(_base64url(segment, "protected header"), "protected header")
    unprotected = raw.get("header", {})
    if type(unprotected) is not dict:
        raise DecodeError('The "header" member must be a JSON object')
    if len(dumps(unprotected)) > MAX_HEADER_SIZE:
        raise DecodeError(f"The unprotected header is larger than {MAX_HEADER_SIZE} characters")
    if "protected" not in raw and "header" not in raw:
        raise DecodeError('A signature needs a "protected" or a "header" member (RFC 7515 §7.2.1)')
    _check_headers(protected, unprotected)
    return _Entry(
        segment.encode("ascii") if isinstance(segment, str) else b"",
        protected,
        unprotected,
        _base64url(signature, "signature"),
    )


def _check_headers(protected: dict[str, Any], unprotected: dict[str, Any]) -> None:
    shared = protected.keys() & unprotected.keys()
    if shared:
        raise DecodeError(
            f'Header parameter "{escape(min(shared))}" is both protected and unprotected'
            " (RFC 7515 §7.2.1: the names must be disjoint)"
        )
    for name in ("crit", "b64"):
        if name in unprotected:
            raise InvalidTokenError(
                f'The "{name}" header parameter must be integrity protected, not in "header"'
                " (RFC 7515 §4.1.11, RFC 7797 §3)"
            )
    check_header({**protected, **unprotected})


def _base64url(text: str, what: str) -> bytes:
    try:
        return b64url_decode(text)
    except DecodeError as exc:
        raise DecodeError(f"Invalid {what}: {exc}") from None


def _payload(
    document: dict[str, Any], encoded: bool, detached_payload: bytes | None
) -> tuple[bytes, bytes]:
    """The payload, and the octets the signing input holds for it (RFC 7515 §5.2, RFC 7797)."""
    member = document.get("payload")
    if member is not None and not isinstance(member, str):
        raise DecodeError('The "payload" member must be a string')
    if detached_payload is not None:
        payload = octets(detached_payload, "detached_payload")  # as in jws.decode
        if member:
            raise DecodeError('detached_payload was given, but the document has a "payload"')
        return payload, b64url_encode(payload).encode("ascii") if encoded else payload
    if member is None:
        raise DecodeError(
            'The document has no "payload" (detached content, RFC 7515 Appendix F): pass it'
            " as detached_payload"
        )
    if encoded:
        return _base64url(member, "payload"), member.encode("ascii")
    try:
        payload = member.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escaped in the JSON text
        raise DecodeError("Invalid payload: not UTF-8") from None
    return payload, payload


def _verify_entries(
    entries: list[_Entry],
    body: bytes,
    key: Any,
    algorithms: Sequence[str],
    require: Require,
    allow_unprotected_alg: bool,
    options: Options,
) -> tuple[VerifiedSignature, ...]:
    """Verify each signature in order; all of them, or until one verifies."""
    verified: list[VerifiedSignature] = []
    failures: list[tuple[int, Exception]] = []
    for index, entry in enumerate(entries):
        try:
            if "alg" in entry.unprotected and not allow_unprotected_alg:
                raise InvalidAlgorithmError(
                    'The "alg" header parameter is not integrity protected (it is in "header");'
                    " pass allow_unprotected_alg=True to accept that (RFC 7515 §10.7)"
                )
            verify(
                entry.segment + b"." + body,
                {**entry.protected, **entry.unprotected},
                entry.signature,
                key,
                algorithms,
                get_algorithm_by_name,
                options,
            )
        except (InvalidTokenError, InvalidKeyError) as exc:
            if require == "all":
                _number(exc, index, len(entries))
                raise
            failures.append((index, exc))
            continue
        found = VerifiedSignature(index, entry.protected, entry.unprotected)
        if require == "one":
            return (found,)
        verified.append(found)
    if failures:
        _none_verified(failures)
    return tuple(verified)


def _number(exc: BaseException, index: int, count: int) -> None:
    """Say which signature failed, when there are several."""
    if count > 1 and exc.args and isinstance(exc.args[0], str):
        exc.args = (f"signatures[{index}]: {exc.args[0]}", *exc.args[1:])


def _none_verified(failures: list[tuple[int, Exception]]) -> None:
    if len(failures) == 1:
        raise failures[0][1]
    reasons = "; ".join(f"signatures[{index}]: {exc}" for index, exc in failures)
    raise InvalidSignatureError(f"No signature verified: {reasons}") from failures[0][1]
