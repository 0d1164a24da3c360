"""What the OpenAPI document says about the routes a jwtlite guard protects (FastAPI side).

FastAPI lists a security dependency by its scheme and nothing more. The guard also answers
400, 401, 403 (scopes), 413, 415 and 503 with its own JSON body, reads a body on refresh and
password-grant routes, and lets anonymous requests through when optional;
:func:`document_operation` writes that into one generated operation. A guard that accepts DPoP
(RFC 9449) beside bearer tokens gets the ``DPoP`` HTTP authentication scheme (registered in
IANA's registry by RFC 9449 §7.1) as an alternative to its own. A token request (a refresh, a
password grant) may carry a DPoP proof that binds the new tokens to its key (RFC 9449 §5): no
scheme says so there, the credential being a refresh token or a password, so those operations
name the ``DPoP`` header as a parameter. Plain dicts in and out: no framework is imported here,
and nothing the application declared itself is overwritten.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

__all__ = ["DPOP_SCHEME", "OperationGuards", "document_operation"]

_ERROR = "JWTAuthError"
_REFRESH_BODY = "JWTRefreshRequest"
_GRANT_BODY = "JWTPasswordForm"

#: The OpenAPI security scheme of DPoP-bound access tokens (RFC 9449 §7.1: the scheme
#: ``DPoP`` of the HTTP Authentication Scheme Registry, so OpenAPI's ``http`` type fits).
DPOP_SCHEME: dict[str, str] = {
    "type": "http",
    "scheme": "DPoP",
    "description": "A DPoP-bound access token (at+jwt), sent as `Authorization: DPoP <token>` "
    "(RFC 9449 §7.1). Each request also needs a `DPoP` header: a proof of that request "
    "signed by the key the token is bound to (RFC 9449 §4).",
}

_SCHEMAS: dict[str, dict[str, Any]] = {
    _ERROR: {
        "title": _ERROR,
        "type": "object",
        "description": "Why jwtlite refused the request. `reason` is a stable word for clients "
        "(missing, malformed, bad_request, csrf, expired, revoked, wrong_token_type, "
        "not_fresh, user_not_found, insufficient_scope, invalid, unavailable); `message` never "
        "echoes the token.",
        "properties": {
            "error": {"type": "string", "title": "Error"},
            "reason": {"type": "string", "title": "Reason"},
            "message": {"type": "string", "title": "Message"},
        },
        "required": ["error", "reason", "message"],
    },
    _REFRESH_BODY: {
        "title": _REFRESH_BODY,
        "type": "object",
        "description": "RFC 6749 §6; needed only when the refresh token is sent neither in "
        "the Authorization header nor in its cookie.",
        "properties": {"refresh_token": {"type": "string", "title": "Refresh Token"}},
        "required": ["refresh_token"],
    },
    _GRANT_BODY: {
        "title": _GRANT_BODY,
        "type": "object",
        "description": "The password grant of RFC 6749 §4.3.2.",
        "properties": {
            "grant_type": {"type": "string", "enum": ["password"], "title": "Grant Type"},
            "username": {"type": "string", "title": "Username"},
            "password": {"type": "string", "format": "password", "title": "Password"},
            "scope": {"type": "string", "title": "Scope",
                      "description": "space-delimited scopes (RFC 6749 §3.3)"},
        },
        "required": ["grant_type", "username", "password"],
    },
}


@dataclass(frozen=True)
class OperationGuards:
    """What the jwtlite dependencies of one operation do."""

    guarded: bool = False  # some dependency verifies a token
    optional: bool = False  # every such dependency lets a request without a token through
    fresh: bool = False  # one demands a fresh token (401 insufficient_user_authentication)
    refresh: bool = False  # one spends a refresh token, possibly read from the body
    password_form: bool = False  # one reads a password grant form
    scopes: tuple[str, ...] = ()  # scope tokens the access token must hold (403 otherwise)


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


_CHALLENGE = {"WWW-Authenticate": "the RFC 6750 §3 challenge"}


def _error_response(description: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref(_ERROR)}},
    }
    if headers:
        response["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in headers.items()
        }
    return response


def _token_request(guards: OperationGuards) -> bool:
    """Whether the operation is a token request: one that issues a pair (RFC 9449 §5)."""
    return guards.refresh or guards.password_form


def _responses(guards: OperationGuards, *, token_proof: bool | None) -> dict[str, dict[str, Any]]:
    """The refusals this operation's guards can answer, by status."""
    answers: dict[str, dict[str, Any]] = {}
    if guards.guarded or guards.password_form:
        proof = (
            "; invalid_dpop_proof or use_dpop_nonce: the DPoP proof is refused (RFC 9449 §5, "
            "§8; with use_dpop_nonce, the DPoP-Nonce header names the nonce to use)"
            if token_proof is not None and _token_request(guards)
            else ""
        )
        answers["400"] = _error_response(
            "invalid_request: a malformed Authorization header (RFC 6750 §3.1) or request body "
            f"(RFC 6749 §5.2){proof}"
        )
    if guards.guarded:
        stale = (
            "; insufficient_user_authentication: this route needs a token issued by a login, "
            "not by a refresh (RFC 9470 §3)"
            if guards.fresh
            else ""
        )
        answers["401"] = _error_response(
            "invalid_token: the token is missing, malformed, invalid, expired, revoked or of "
            f"the wrong type (RFC 6750 §3.1){stale}",
            _CHALLENGE,
        )
    if guards.scopes:
        answers["403"] = _error_response(
            "insufficient_scope: the token lacks a scope this route needs: "
            f"{' '.join(guards.scopes)} (RFC 6750 §3.1)",
            _CHALLENGE,
        )
    if guards.refresh or guards.password_form:
        answers["413"] = _error_response("the request body is larger than the guard reads")
    if guards.password_form:  # the body documented (_request_body) is then the form
        answers["415"] = _error_response(
            "a password grant in a body not sent as Content-Type: "
            "application/x-www-form-urlencoded (RFC 6749 §4.3.2)"
        )
    elif guards.refresh:
        answers["415"] = _error_response(
            "a refresh token in a body not sent as Content-Type: application/json (login CSRF)"
        )
    if guards.guarded:
        answers["503"] = _error_response(
            "temporarily_unavailable: the revocation store, or the authorization server's JWKS, "
            "cannot be reached",
            {"Retry-After": "seconds to wait before retrying"},
        )
    return answers


def _request_body(guards: OperationGuards) -> tuple[str, dict[str, Any]] | None:
    """The body the guards read, and the name of its schema."""
    if guards.password_form:
        media = "application/x-www-form-urlencoded"
        body = {"required": True, "content": {media: {"schema": _ref(_GRANT_BODY)}}}
        return _GRANT_BODY, body
    if guards.refresh:
        # Optional: the refresh token may come in the Authorization header or its cookie.
        body = {"required": False, "content": {"application/json": {"schema": _ref(_REFRESH_BODY)}}}
        return _REFRESH_BODY, body
    return None


def _proof_parameter(required: bool) -> dict[str, Any]:
    """The ``DPoP`` header of a token request, as an OpenAPI 3.1 §4.8.12 Parameter Object."""
    unbound = "" if required else "; without one they are bearer tokens"
    return {
        "name": "DPoP",
        "in": "header",
        "required": required,
        "description": "A DPoP proof (RFC 9449 §4) of this request, signed by the client's key: "
        f"the tokens issued are bound to that key (RFC 9449 §5){unbound}.",
        "schema": {"type": "string"},
    }


def _add_proof_parameter(operation: dict[str, Any], required: bool) -> None:
    """The ``DPoP`` header among the operation's parameters, unless one is there already
    (the route's own; header names compare case-insensitively, RFC 9110 §5.1)."""
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        name = parameter.get("name")
        if parameter.get("in") == "header" and isinstance(name, str) and name.lower() == "dpop":
            return
    parameters.append(_proof_parameter(required))


def _add_alternative(
    schema: dict[str, Any], operation: dict[str, Any], alternative: tuple[str, str],
) -> None:
    """OpenAPI 3.1 §4.8.10: a Security Requirement in the list is an alternative to the
    others. Beside each requirement naming ``alternative[0]`` (the guard's own scheme), the
    same one with ``alternative[1]`` (DPoP) in its place; and DPoP's scheme definition."""
    own, dpop = alternative
    security = operation.get("security") or []
    for index in range(len(security) - 1, -1, -1):
        requirement = security[index]
        if own not in requirement:
            continue
        other = {dpop if name == own else name: scopes for name, scopes in requirement.items()}
        if other not in security:
            security.insert(index + 1, other)
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    # A copy, as for the schemas below; an application's own definition is kept.
    schemes.setdefault(dpop, copy.deepcopy(DPOP_SCHEME))


def _mark_optional(operation: dict[str, Any], own_schemes: frozenset[str]) -> None:
    """OpenAPI 3.1 §4.8.10: an empty Security Requirement in the list makes security optional.
    Added only when every requirement listed is one of ours: another scheme stays required."""
    security = operation.get("security")
    if not security or {} in security:
        return
    if all(set(requirement) <= own_schemes for requirement in security):
        security.append({})


def document_operation(
    schema: dict[str, Any], operation: dict[str, Any], guards: OperationGuards,
    *, own_schemes: frozenset[str], dpop_alternative: tuple[str, str] | None = None,
    token_proof: bool | None = None,
) -> None:
    """Add the guards' responses, request body and optional security to ``operation`` (one
    entry of ``schema["paths"]``), and the schemas they refer to; idempotent.

    ``dpop_alternative``: ``(own, dpop)`` when the guards accept DPoP beside bearer tokens:
    the scheme named ``dpop`` becomes an alternative to each requirement of ``own``.
    ``token_proof``: with DPoP, whether a token request must carry a proof (None: no DPoP)."""
    answers = _responses(guards, token_proof=token_proof)
    if not answers:
        return
    used = [_ERROR]
    responses = operation.setdefault("responses", {})
    for status, answer in answers.items():
        responses.setdefault(status, answer)
    body = _request_body(guards)
    if body is not None and "requestBody" not in operation:
        used.append(body[0])
        operation["requestBody"] = body[1]
    if token_proof is not None and _token_request(guards):
        _add_proof_parameter(operation, token_proof)
    if guards.guarded and dpop_alternative is not None:
        _add_alternative(schema, operation, dpop_alternative)
    if guards.guarded and guards.optional:
        _mark_optional(operation, own_schemes)
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in used:
        if name not in schemas:
            # A copy: the document is the application's to change, our constants are not.
            schemas[name] = copy.deepcopy(_SCHEMAS[name])
