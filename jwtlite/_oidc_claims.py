"""The ID token checks of OpenID Connect Core 1.0 beyond the JWT ones: pure functions of the
verified header and claims, the caller's expectations and the time (see :mod:`jwtlite.oidc`).

The caller's arguments are checked once, into :class:`Checks`, before any token is looked at;
:func:`check_claims` then runs on a token whose signature and registered claims (``iss``,
``aud`` containing the client id, ``exp``, ``iat``) :mod:`jwtlite.api` has verified.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Collection, Mapping
from typing import Any, NamedTuple

from . import _jwa
from ._escape import escape
from .b64url import b64url_encode
from .claims import seconds, timestamp
from .exceptions import (
    InvalidACRError,
    InvalidArgumentError,
    InvalidAudienceError,
    InvalidAuthorizedPartyError,
    InvalidAuthTimeError,
    InvalidHashClaimError,
    InvalidNonceError,
    InvalidSubjectError,
    InvalidTokenError,
    InvalidValueError,
    MissingRequiredClaimError,
)

__all__ = ["Checks", "check_claims", "prepare", "token_hash"]

#: The response types that return an ID token from the Authorization Endpoint (Core §3.2.2.1
#: and §3.3.2.1; OAuth 2.0 Multiple Response Type Encoding Practices §5): order does not count.
_FRONT_CHANNEL = (
    frozenset({"id_token"}),
    frozenset({"id_token", "token"}),
    frozenset({"code", "id_token"}),
    frozenset({"code", "id_token", "token"}),
)
#: ``typ`` values of other JWT profiles, lower case, without ``application/`` (RFC 8725 §3.11):
#: RFC 9068 access tokens, OpenID Connect Back-Channel Logout tokens, RFC 8417 security events,
#: RFC 9449 DPoP proofs and RFC 9701 introspection responses.
_OTHER_PROFILES = frozenset(
    {"at+jwt", "logout+jwt", "secevent+jwt", "dpop+jwt", "token-introspection+jwt"}
)
#: RFC 8032 §5.1.6 / §5.2.6: an Ed25519 signature is 64 bytes, an Ed448 one 114.
_EDDSA_CURVE_BY_SIGNATURE = {64: "Ed25519", 114: "Ed448"}
_MAX_SUB = 255  # §2: sub "MUST NOT exceed 255 ASCII characters in length"


# --- at_hash and c_hash ------------------------------------------------------------------------


def _digest(data: bytes, alg: str, curve: str | None) -> bytes:
    row = _jwa.row(alg)
    if row is None or row.family == "none":
        raise InvalidArgumentError(f"No ID token hash for the algorithm {escape(alg)}")
    if row.family != "eddsa":
        return hashlib.new(row.hash_name, data).digest()
    if len(row.curves) == 1:  # RFC 9864's Ed25519 and Ed448 name their curve
        curve = row.curves[0]
    if curve == "Ed25519":
        return hashlib.sha512(data).digest()  # RFC 8032 §5.1: Ed25519 hashes with SHA-512
    if curve == "Ed448":
        return hashlib.shake_256(data).digest(114)  # RFC 8032 §5.2: SHAKE256, 114 bytes
    raise InvalidArgumentError('EdDSA needs the key\'s curve: curve="Ed25519" or "Ed448"')


def _ascii(value: Any, name: str) -> bytes:
    """The octets of the ASCII representation of ``value`` (§3.1.3.6)."""
    if isinstance(value, str) and value.isascii():
        return value.encode("ascii")
    if isinstance(value, (bytes, bytearray)) and value.isascii():
        return bytes(value)
    if isinstance(value, (str, bytes, bytearray)):
        raise InvalidValueError(f"The {name} is not ASCII, so no ID token hash can match it")
    raise InvalidArgumentError(f"{name} must be a string, not {type(value).__name__}")


def token_hash(value: str | bytes, alg: str, *, curve: str | None = None) -> str:
    """The ``at_hash`` (or ``c_hash``) of ``value`` for an ID token signed with ``alg``.

    The base64url encoding of the left half of the hash of ``value``'s ASCII octets, with the
    hash of ``alg`` (OpenID Connect Core §3.1.3.6, §3.3.2.11); for ``EdDSA`` give the key's
    ``curve`` (SHA-512 for Ed25519, SHAKE256 with 114 output bytes for Ed448).

    >>> token_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y", "RS256")  # Core, A.3
    '77QmUPtjPfzWtF2AnpK9RQ'

    Raises:
        InvalidArgumentError: ``alg`` is unknown or ``none``, ``EdDSA`` without a curve, or
            ``value`` is not a string.
        InvalidValueError: ``value`` is not ASCII.
    """
    digest = _digest(_ascii(value, "value"), alg, curve)
    return b64url_encode(digest[: len(digest) // 2])


def _check_hash(
    payload: Mapping[str, Any],
    claim: str,
    value: str | bytes | None,
    required: bool,
    alg: str,
    signature: bytes,
) -> None:
    if value is None or (claim not in payload and not required):
        return  # §3.1.3.8: in the code flow at_hash is optional and c_hash absent
    if claim not in payload:
        raise MissingRequiredClaimError(claim)
    name = "access token" if claim == "at_hash" else "authorization code"
    try:
        octets = _ascii(value, name)
    except InvalidValueError as exc:  # what came with the token is unusable: refuse the token
        raise InvalidHashClaimError(str(exc)) from None
    got = payload[claim]
    if not isinstance(got, str):
        raise InvalidHashClaimError(f"The {claim} claim must be a string")
    curve = _EDDSA_CURVE_BY_SIGNATURE.get(len(signature))
    digest = _digest(octets, alg, curve)
    expected = b64url_encode(digest[: len(digest) // 2])
    # ``expected`` is ASCII; a claim that is not (a "\ud800" escape decodes to a lone
    # surrogate, which has no UTF-8 form) cannot match it.
    if not (got.isascii() and hmac.compare_digest(got, expected)):
        raise InvalidHashClaimError(
            f"The {claim} claim does not match the {name} (OpenID Connect Core §3.2.2.9,"
            " §3.3.2.10): it was not issued with this token"
        )


# --- the checks --------------------------------------------------------------------------------


class Checks(NamedTuple):
    """The caller's expectations, checked once before any token is looked at."""

    client_id: str
    issuer: str | None
    nonce: str | None
    access_token: str | bytes | None
    code: str | bytes | None
    max_age: float | None
    at_hash_required: bool
    c_hash_required: bool
    algorithms: tuple[str, ...] | None
    acr_values: frozenset[str] | None
    trusted_audiences: frozenset[str]
    azp_with_several_audiences: bool
    max_iat_age: float | None
    leeway: float
    now: float | None


def _strings(value: Any, name: str) -> frozenset[str]:
    """A collection of strings; a lone string is one value, never a set of characters."""
    if isinstance(value, str):
        return frozenset((value,))
    if not isinstance(value, Collection) or not all(isinstance(v, str) for v in value):
        raise InvalidArgumentError(f"{name} must be a collection of strings")
    return frozenset(value)


def _optional_string(value: Any, name: str) -> str | None:
    if value is not None and (not isinstance(value, str) or not value):
        raise InvalidArgumentError(f"{name} must be a non-empty string")
    return value


def _duration(value: Any, name: str) -> float | None:
    if value is None:
        return None
    result = seconds(value)
    if result < 0 or math.isinf(result):
        raise InvalidArgumentError(f"{name} must be a finite, non-negative number of seconds")
    return result


def _response_type(response_type: Any) -> frozenset[str] | None:
    if response_type is None:
        return None
    if isinstance(response_type, str):
        kinds = frozenset(response_type.split())
        if kinds in _FRONT_CHANNEL:
            return kinds
    raise InvalidArgumentError(
        f"response_type must name an ID token from the Authorization Endpoint ('id_token',"
        f" 'id_token token', 'code id_token' or 'code id_token token'), not"
        f" {escape(response_type)}; leave it out for an ID token from the Token Endpoint"
    )


def _check_flow(
    kinds: frozenset[str] | None,
    response_type: Any,
    nonce: str | None,
    access_token: Any,
    code: Any,
) -> None:
    """What the ID token's flow needs from the caller: the Implicit and Hybrid flows a nonce, and
    the access token and code whose hashes (``at_hash``, ``c_hash``) the ID token carries when
    the response returned them; either one, when given, as a string."""
    if kinds is not None and nonce is None:
        raise InvalidArgumentError(
            "The Implicit and Hybrid flows require a nonce (OpenID Connect Core §3.2.2.11)"
        )
    returned = (("token", access_token, "an access_token"), ("code", code, "a code"))
    for needed, value, name in returned:
        if kinds is not None and needed in kinds and value is None:
            raise InvalidArgumentError(
                f"response_type {escape(response_type)} returns {name}: pass it, so that"
                f" its hash can be checked"
            )
    for value, name in ((access_token, "access_token"), (code, "code")):
        if value is not None and not isinstance(value, (str, bytes, bytearray)):
            raise InvalidArgumentError(f"{name} must be a string, not {type(value).__name__}")


def prepare(
    client_id: Any,
    issuer: Any,
    nonce: Any,
    access_token: Any,
    code: Any,
    max_age: Any,
    response_type: Any,
    algorithms: Any,
    acr_values: Any,
    trusted_audiences: Any,
    require_azp_with_several_audiences: bool,
    max_iat_age: Any,
    leeway: Any,
    now: Any,
) -> Checks:
    if not isinstance(client_id, str) or not client_id:
        raise InvalidArgumentError("client_id must be a non-empty string")
    kinds = _response_type(response_type)
    nonce = _optional_string(nonce, "nonce")
    _check_flow(kinds, response_type, nonce, access_token, code)
    if algorithms is not None:
        algorithms = tuple(sorted(_strings(algorithms, "algorithms")))
    return Checks(
        client_id=client_id,
        issuer=_optional_string(issuer, "issuer"),
        nonce=nonce,
        access_token=access_token,
        code=code,
        max_age=_duration(max_age, "max_age"),
        at_hash_required=kinds is not None and "token" in kinds,
        c_hash_required=kinds is not None and "code" in kinds,
        algorithms=algorithms,
        acr_values=None if acr_values is None else _strings(acr_values, "acr_values"),
        trusted_audiences=_strings(trusted_audiences, "trusted_audiences"),
        azp_with_several_audiences=bool(require_azp_with_several_audiences),
        max_iat_age=_duration(max_iat_age, "max_iat_age"),
        leeway=seconds(leeway),
        now=None if now is None else timestamp(now),
    )


def _check_audiences(payload: Mapping[str, Any], checks: Checks, mac: bool) -> None:
    """§3.1.3.7 steps 3-5 and 8; ``aud`` holds the client id already (the JWT checks)."""
    aud = payload["aud"]
    audiences = {aud} if isinstance(aud, str) else set(aud)
    untrusted = audiences - checks.trusted_audiences - {checks.client_id}
    if untrusted:
        raise InvalidAudienceError(
            f"The ID token is also meant for {escape(sorted(untrusted))}, which the client does"
            " not trust (OpenID Connect Core §3.1.3.7 step 3; see trusted_audiences)"
        )
    several = len(audiences) > 1
    if several and mac:
        raise InvalidAudienceError(
            "A MAC-signed ID token with several audiences is refused: whose client secret"
            " signed it is unspecified (OpenID Connect Core §3.1.3.7 step 8)"
        )
    if "azp" in payload:
        if payload["azp"] != checks.client_id:
            raise InvalidAuthorizedPartyError(
                "The ID token was issued to another party: azp is not the client id"
                " (OpenID Connect Core §2)"
            )
    elif several and checks.azp_with_several_audiences:
        raise InvalidAuthorizedPartyError(
            "An ID token with several audiences must name the party it was issued to in azp"
            " (OpenID Connect Core 1.0 §3.1.3.7 step 4, before errata set 2)"
        )


def _check_nonce(payload: Mapping[str, Any], nonce: str | None) -> None:
    """§3.1.3.7 step 11, compared in constant time."""
    if "nonce" not in payload:
        if nonce is not None:
            raise InvalidNonceError("The ID token has no nonce, but one was sent")
        return
    claim = payload["nonce"]
    if nonce is None:
        raise InvalidNonceError(
            "The ID token carries a nonce, but none was given to check it against: pass the"
            " nonce sent in the authentication request"
        )
    # surrogatepass: a JSON "\ud800" escape decodes to a lone surrogate, which strict UTF-8
    # refuses to encode; compared as code points it simply does not match.
    if not isinstance(claim, str) or not hmac.compare_digest(
        claim.encode("utf-8", "surrogatepass"), nonce.encode("utf-8", "surrogatepass")
    ):
        raise InvalidNonceError("The ID token's nonce is not the one that was sent")


def _number(payload: Mapping[str, Any], name: str) -> float | None:
    value = payload.get(name)
    if value is None and name not in payload:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and not math.isfinite(value))
    ):
        raise InvalidAuthTimeError(f"The {name} claim must be a number (a NumericDate)")
    return value


def _check_auth_time(payload: Mapping[str, Any], checks: Checks, now: float) -> None:
    """§3.1.3.7 step 13; §2: auth_time is REQUIRED when max_age was requested."""
    auth_time = _number(payload, "auth_time")
    if checks.max_age is None:
        return
    if auth_time is None:
        raise MissingRequiredClaimError("auth_time")
    if auth_time > now + checks.leeway:
        raise InvalidAuthTimeError("The End-User's authentication (auth_time) is in the future")
    # Rearranged from ``now - auth_time > max_age + leeway`` so a huge int is only compared.
    if auth_time < now - (checks.max_age + checks.leeway):
        raise InvalidAuthTimeError(
            "The End-User authenticated longer ago than max_age allows: authenticate again"
            " (OpenID Connect Core §3.1.3.7 step 13)"
        )


def _check_rest(payload: Mapping[str, Any], checks: Checks) -> None:
    """``acr`` (step 12) and ``sub`` (§2)."""
    if checks.acr_values is not None:
        if "acr" not in payload:
            raise MissingRequiredClaimError("acr")
        acr = payload["acr"]
        if not isinstance(acr, str) or acr not in checks.acr_values:
            raise InvalidACRError(f"The acr {escape(acr)} is not one of those accepted")
    sub = payload["sub"]
    if not sub or len(sub) > _MAX_SUB:
        raise InvalidSubjectError(
            "The ID token's sub must be 1 to 255 characters long (OpenID Connect Core §2)"
        )


def _check_typ(header: Mapping[str, Any]) -> None:
    typ = header.get("typ")
    if isinstance(typ, str):
        name = typ.lower()
        name = name[len("application/") :] if name.startswith("application/") else name
        if name in _OTHER_PROFILES:
            raise InvalidTokenError(
                f"A token of type {escape(typ)} is not an ID token (RFC 8725 §3.11)"
            )


def check_claims(
    header: Mapping[str, Any],
    payload: Mapping[str, Any],
    signature: bytes,
    checks: Checks,
    now: float,
) -> None:
    """Everything §3.1.3.7 asks beyond the JWT checks, on a verified token."""
    _check_typ(header)
    alg = header["alg"]
    row = _jwa.ALGORITHMS[alg]  # decode checked alg against the default table
    _check_audiences(payload, checks, mac=row.family == "hmac")
    _check_nonce(payload, checks.nonce)
    _check_hash(payload, "at_hash", checks.access_token, checks.at_hash_required, alg, signature)
    _check_hash(payload, "c_hash", checks.code, checks.c_hash_required, alg, signature)
    _check_auth_time(payload, checks, now)
    _check_rest(payload, checks)
