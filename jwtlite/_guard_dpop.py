"""DPoP in the framework guards (RFC 9449): the proof of a request, and the answers to failures.

:class:`~jwtlite._guard.GuardCore` calls in here when its config carries a
:class:`~jwtlite.dpop.DPoPPolicy`. A resource request with ``Authorization: DPoP <token>``
needs one ``DPoP`` header whose proof fits the request and carries the token's hash (§7.1); a
token request (login, refresh) may carry a proof, and its tokens are then bound to the proof's
key (§5). Refusals name the scheme that failed (§7.2): with DPoP enabled, a 401 offers both the
``Bearer`` and the ``DPoP`` challenge (only ``DPoP`` when it is required), the error riding on
the one the request used, with the ``algs`` a proof may use and, when the server demands
nonces, a fresh ``DPoP-Nonce`` (§8, §9). At a token endpoint a bad proof is an OAuth error
(400, RFC 6749 §5.2), not a challenge. A request whose nonce was accepted but has been
superseded gets the current one on its successful answer (§8.2), so the client rolls over
without a refused request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ._dpop_proof import check_token
from .bearer import authorization_scheme, parse_authorization_header
from .bearer import www_authenticate as bearer_challenge
from .dpop import DPoPPolicy, VerifiedProof, single_proof
from .exceptions import (
    DPoPBindingError,
    DPoPNonceError,
    DPoPProofError,
    InvalidArgumentError,
    PyJWTError,
)
from .revocation import RevocationStore

__all__ = [
    "DPoPChallenge",
    "DPoPRequest",
    "ProofKey",
    "Proven",
    "classify_dpop",
    "malformed_description",
    "policy_of",
    "presented",
    "refusal",
    "token_request_proof",
]

#: A verified proof, by who checked it (the policy and replay store), the exact proof text and
#: the exact request it was checked against (method, URI).
ProofKey = tuple[int, int, str, str, str]

# RFC 6750 §3 error_description characters; anything else in a message is left out.
_NOT_DESCRIPTION = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")
_MAX_DESCRIPTION = 200


@dataclass(frozen=True)
class DPoPRequest:
    """What the guard reads of a request for DPoP: the method, every ``DPoP`` header value,
    the request's URI (built only when a proof is checked) and its ``Authorization``."""

    method: str
    proofs: Sequence[str]
    url: Callable[[], str]
    authorization: str | None
    #: The proofs this request's guards have verified (see :func:`_verify`); None: not kept.
    verified: MutableMapping[ProofKey, VerifiedProof] | None = None
    #: The path and query of ``url`` (what a policy with ``base_url`` puts under its origin).
    target: Callable[[], str] = lambda: "/"


class Proven(NamedTuple):
    """What a request's valid proof gives the guard."""

    #: The thumbprint of the proof's key, what tokens are bound to; None without a proof.
    jkt: str | None = None
    #: The ``DPoP-Nonce`` the successful answer carries (§8.2); None when none is due.
    nonce: str | None = None


def _proven(policy: DPoPPolicy, proof: VerifiedProof) -> Proven:
    """``proof``'s key, and the current nonce when the proof's (accepted: it verified) is
    no longer the current period's. §8.2: a nonce "in the HTTP 200 (OK) response from the
    previous request" spares the client the ``use_dpop_nonce`` round trip once its nonce
    rotates out; a current nonce is not sent again (no needless header)."""
    issuer = policy.nonces
    if issuer is None:
        return Proven(proof.jkt)
    # The moment the proof was checked at: the policy's clock, else the issuer's own.
    now = None if policy.clock is None else policy.clock()
    if issuer.is_current(proof.claims.get("nonce"), now=now):
        return Proven(proof.jkt)
    return Proven(proof.jkt, issuer.issue(now=now))


def classify_dpop(exc: PyJWTError) -> tuple[int, str, str, str] | None:
    """``(status, error, reason, message)`` for a DPoP failure (None for any other): the
    message is the exception's, kept to the characters a challenge may carry."""
    if isinstance(exc, DPoPNonceError):
        error, reason = exc.error, "dpop_nonce"
    elif isinstance(exc, DPoPProofError):
        error, reason = exc.error, "invalid_dpop_proof"
    elif isinstance(exc, DPoPBindingError):
        error, reason = exc.error, "dpop_binding"
    else:
        return None
    message = _NOT_DESCRIPTION.sub("", str(exc))[:_MAX_DESCRIPTION]
    return 401, error, reason, message


def malformed_description(policy: DPoPPolicy, authorization: str | None) -> str:
    """What a malformed ``Authorization`` header should have been: the scheme the request
    used, when it is one this policy accepts, else every scheme it accepts (RFC 9449 §7.1:
    ``DPoP <token>``, and ``Bearer <token>`` unless DPoP is required). A DPoP client told to
    send ``Bearer`` would be misled."""
    used = authorization_scheme(authorization)
    if used == "dpop" or policy.required:
        schemes = "'DPoP <token>'"
    elif used == "bearer":
        schemes = "'Bearer <token>'"
    else:
        schemes = "'Bearer <token>' or 'DPoP <token>'"
    return f"the Authorization header is not {schemes}"


def presented(
    policy: DPoPPolicy, request: DPoPRequest, bearer: Callable[[], str],
    store: Callable[[], RevocationStore],
) -> tuple[str, Proven]:
    """The access token of a resource request and what its proof gives: with the DPoP
    scheme, the one ``DPoP`` header's proof of this request, carrying the token's hash
    (§7.1); otherwise the ``bearer`` token, with no key (refused when DPoP is required)."""
    if authorization_scheme(request.authorization) != "dpop":
        token = bearer()
        if policy.required:
            raise DPoPBindingError("this resource takes DPoP-bound tokens with a DPoP proof")
        return token, Proven()
    token = parse_authorization_header(request.authorization, scheme="DPoP")
    return token, _proven(policy, _verify(policy, request, store(), token))


def token_request_proof(
    policy: DPoPPolicy, request: DPoPRequest, store: Callable[[], RevocationStore]
) -> Proven:
    """What a token request's proof gives (§5): no key when it has none and none is
    required (its tokens are then not bound)."""
    if not request.proofs and not policy.required:
        return Proven()
    return _proven(policy, _verify(policy, request, store(), None))


def _verify(
    policy: DPoPPolicy, request: DPoPRequest, store: RevocationStore, token: str | None
) -> VerifiedProof:
    """The request's one proof, verified once per request and policy: two checks of one
    request (a router's guard and a route's, stacked decorators, a login or a refresh before
    or after a guard) see the same proof, and the first recorded its jti. §11.1 refuses a
    proof used in a second request, not a second look at the request it was made for.

    The first check runs every §4.3 check that its caller needs; a later one reuses it only
    for the same proof text, method and URI, under the same policy and store, and still
    checks what its own caller adds: a resource guard's ``ath`` (§4.3 check 12), which a
    token request (no access token) does not check. Binding to the token's key (§7.1) is
    checked by the caller, from the returned thumbprint, every time."""
    proof = single_proof(request.proofs)
    # With base_url, only the path is the request's: the authority in url came from Host.
    url = request.url() if policy.base_url is None else request.target()
    key: ProofKey = (id(policy), id(store), proof, request.method, url)
    memo = request.verified
    done = None if memo is None else memo.get(key)
    if done is None:
        done = policy.verify(proof, htm=request.method, htu=url, access_token=token, store=store)
        if memo is not None:
            memo[key] = done
    elif token is not None:
        # Whichever caller came first: cheap, and never skipped for a token request's entry.
        check_token(done.claims, token, done.jkt, None)
    return done


@dataclass(frozen=True)
class DPoPChallenge:
    """How a refusal is answered when DPoP is on: which challenges, which nonce."""

    policy: DPoPPolicy
    #: The scheme the request used (``dpop``, ``bearer``), None without credentials.
    scheme: str | None
    nonce: str | None
    token_endpoint: bool

    def headers(
        self, base: dict[str, str], *, error: str | None, message: str, realm: str,
        scope: str | None = None,
    ) -> dict[str, str]:
        """``base`` (the Bearer answer) with the DPoP challenge and nonce added."""
        headers = dict(base)
        bearer = headers.pop("WWW-Authenticate", None)
        if bearer is not None and not self.token_endpoint:
            # §7.2: the error rides on the challenge of the scheme the request used; with
            # DPoP required there is no Bearer challenge to carry it.
            on_dpop = error is not None and (self.scheme == "dpop" or self.policy.required)
            dpop = self.policy.challenge(
                realm=realm, error=error if on_dpop else None,
                description=message if on_dpop else None, scope=scope if on_dpop else None,
            )
            if self.policy.required:
                headers["WWW-Authenticate"] = dpop
            else:
                plain = bearer_challenge(realm=realm) if on_dpop else bearer
                headers["WWW-Authenticate"] = f"{plain}, {dpop}"
        if self.nonce is not None:
            headers["DPoP-Nonce"] = self.nonce
        return headers


def refusal(
    policy: DPoPPolicy, exc: PyJWTError, status: int, authorization: str | None, *,
    token_endpoint: bool,
) -> tuple[int, DPoPChallenge]:
    """The status and the DPoP part of the answer to ``exc``. A proof refused at a token
    endpoint is a 400 OAuth error (RFC 9449 §5, §8; RFC 6749 §5.2)."""
    dpop_error = isinstance(exc, DPoPProofError)
    if token_endpoint and dpop_error:
        status = 400
    # A fresh nonce with every DPoP refusal: a client retrying gets it right (§8).
    nonce = (
        policy.nonces.issue(now=None if policy.clock is None else policy.clock())
        if policy.nonces is not None and (dpop_error or isinstance(exc, DPoPBindingError))
        else None
    )
    scheme = "dpop" if dpop_error else authorization_scheme(authorization)
    return status, DPoPChallenge(policy, scheme, nonce, token_endpoint and dpop_error)


def policy_of(dpop: DPoPPolicy | bool | None) -> DPoPPolicy | None:
    """A guard's ``dpop=`` argument: a policy, True for the default one, False/None for none."""
    if dpop is None or dpop is False:
        return None
    if dpop is True:
        return DPoPPolicy()
    if not isinstance(dpop, DPoPPolicy):
        raise InvalidArgumentError("dpop must be a DPoPPolicy, True or None")
    return dpop
