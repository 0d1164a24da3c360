"""DPoP (RFC 9449): proofs that the sender of a request holds a key, for sender-constrained tokens.

A client signs one *proof* per HTTP request (:func:`make_proof`, or :class:`DPoPKey`): a JWT of
``typ: dpop+jwt`` carrying its public key in the ``jwk`` header and, in the claims, the
request's method (``htm``) and URI (``htu``), a unique ``jti``, the time (``iat``), the hash of
the access token it goes with (``ath``) and the server's ``nonce`` when one is demanded. An
authorization server binds the tokens it issues to the key's RFC 7638 thumbprint (``cnf.jkt``);
a resource server then accepts such a token only with a fresh proof by that key.

Threat model of :func:`verify_proof`: everything in a proof comes from the client, including
the key that verifies it, so the key proves nothing about *who* sent it; it proves that this
request was signed by the holder of the key the token is bound to. Every check of RFC 9449
§4.3 runs; the key must be public and asymmetric and fit an ``alg`` from the caller's
allow-list (never ``none``, never a MAC: §11.6); ``typ`` must be ``dpop+jwt`` (§11.5); the
proof is refused outside a short ``iat`` window (§11.1) and, through a revocation store,
refused the second time its ``jti`` is seen within that window. Cheap checks run before the
signature, the signature before the nonce, and the replay store last, so that only a proof
that passed every other check is remembered. Hostile input costs linear time: the proof's size
is bounded before it is decoded, and RSA keys above 4096 bits are refused before any
arithmetic (an embedded key is the attacker's choice).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import _jwa
from ._cache import BoundedCache
from ._dpop_nonce import NonceIssuer
from ._dpop_proof import (
    ASYMMETRIC_FAMILIES,
    DPOP_TYP,
    DPoPKey,
    access_token_hash,
    check_token,
    make_proof,
)
from ._escape import escape
from ._json import loads_object
from ._jwkformat import key_from_jwk
from ._keymodel import RSAPublicKey, key_curve, key_kty, thumbprint_of
from ._uri import normalize_http_uri
from ._values import finite, names
from .algorithms import Verifier, get_algorithm_by_name
from .b64url import b64url_decode, b64url_encode
from .backends import get_backend
from .bearer import www_authenticate as bearer_challenge
from .exceptions import (
    DecodeError,
    DPoPBindingError,
    DPoPNonceError,
    DPoPProofError,
    InvalidArgumentError,
    InvalidTokenError,
    PyJWTError,
)
from .jws import parse_compact, typ_matches
from .revocation import RevocationStore

__all__ = [
    "DEFAULT_ALGORITHMS",
    "DEFAULT_LEEWAY",
    "DEFAULT_MAX_AGE",
    "DPOP_TYP",
    "MAX_PROOF_SIZE",
    "DPoPKey",
    "DPoPPolicy",
    "NonceIssuer",
    "VerifiedProof",
    "access_token_hash",
    "bound_jkt",
    "check_binding",
    "make_proof",
    "single_proof",
    "verify_proof",
    "www_authenticate",
]

#: Accepted proof algorithms unless a caller says otherwise: the asymmetric JWS algorithms
#: in wide use. ``ES256K`` and ``Ed448`` may be listed by a caller who wants them.
DEFAULT_ALGORITHMS: tuple[str, ...] = (
    "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
    "PS256", "PS384", "PS512", "RS256", "RS384", "RS512",
)  # fmt: skip
#: Seconds a proof stays acceptable after its ``iat`` (§11.1: "on the order of seconds or
#: minutes"), and seconds of clock skew tolerated either way.
DEFAULT_MAX_AGE = 60.0
DEFAULT_LEEWAY = 5.0
#: Longest proof read, checked before decoding: a 4096-bit RSA proof is about 2.5 KB.
MAX_PROOF_SIZE = 8192

# §4.3 check 7: a JWK member that carries private material (RFC 7518 §6.2.2, §6.3.2, §6.4,
# RFC 8037 §2). "k" is a symmetric key, which has no public part at all.
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
# An embedded key is the sender's choice: bound the RSA work it can ask of the server.
_MAX_RSA_BITS = 4096
# scheme "://" authority (RFC 3986 §3.1, §3.2): what precedes the path of an absolute URI.
# The authority runs to the first "/", not to a "?" or "#": a URL a framework built from a
# forged Host ("rs.example?") must not move the path into the query (the path would read "/").
_ABSOLUTE_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/]*")
_MAX_JTI = 256  # §11.1: refuse needlessly large jti values (and only a hash is stored)


class VerifiedProof(NamedTuple):
    """What :func:`verify_proof` returns: the proof's claims, the RFC 7638 SHA-256
    thumbprint of its key (what a token is bound to: ``cnf.jkt``), and its ``alg``."""

    claims: dict[str, Any]
    jkt: str
    algorithm: str


class _ProofKey(NamedTuple):
    """The verified-once facts of one proof header: its key's thumbprint and verifier."""

    header: Mapping[str, Any]
    jkt: str
    verify: Verifier
    backend: object  # the backend chosen when the verifier was built


# A client sends the same header (typ, alg, jwk) with every proof: its parse, the JWK checks,
# the thumbprint and the bound verifier are kept per header segment (public text, bounded).
# The verifier is bound to the backend in use when the header was first seen: set_backend()
# empties the cache (backend_bound), or the old backend would keep answering for that client.
# Emptying alone leaves a race: a verification in another thread that built its verifier on
# the old backend just before the switch stores it just after. So each entry also names its
# backend, and an entry of another backend is built again.
_PROOF_KEYS: BoundedCache[bytes, _ProofKey] = BoundedCache(
    "DPoP proof keys", 256, backend_bound=True
)


def _allowed(algorithms: Sequence[str]) -> frozenset[str]:
    if isinstance(algorithms, (str, bytes, Mapping)) or not isinstance(algorithms, Iterable):
        algorithms = ()
    algorithms = tuple(algorithms)
    if not algorithms:
        raise InvalidArgumentError("algorithms must be a non-empty list of JWS alg names")
    for name in algorithms:
        row = _jwa.row(name) if isinstance(name, str) else None
        # §4.2 and §11.6: an asymmetric signature algorithm, never "none" or a MAC.
        if row is None or row.family not in ASYMMETRIC_FAMILIES:
            raise InvalidArgumentError(
                f'"{escape(name)}" is not an asymmetric JWS signature algorithm'
            )
    return frozenset(algorithms)


# --- the server side -----------------------------------------------------------------------


def single_proof(values: Sequence[str] | str | None) -> str:
    """The one ``DPoP`` header of a request, from all its values (RFC 9449 §4.3 check 1).

    Pass every value the framework holds for the header (``request.headers.getlist("DPoP")``):
    more than one, or one with a comma (a proxy may fold repeated headers into one, RFC 9110
    §5.3; a JWT has no comma), is refused, as is none at all.

    Raises:
        DPoPProofError: no ``DPoP`` header, or more than one.
    """
    if isinstance(values, str):
        found = [values]
    elif values is None or isinstance(values, (list, tuple)):
        found = list(values or ())
    else:
        found = list(names(values, "the DPoP header values"))
    if any(not isinstance(value, str) for value in found):
        raise InvalidArgumentError("the DPoP header values must be strings")
    if not found:
        raise DPoPProofError("the request has no DPoP proof")
    if len(found) > 1 or "," in found[0]:
        raise DPoPProofError("the request has more than one DPoP header")
    value = found[0].strip(" \t")
    if not value:
        raise DPoPProofError("the request has no DPoP proof")
    return value


def bound_jkt(claims: Mapping[str, Any]) -> str | None:
    """The ``cnf.jkt`` a token's claims bind it to (RFC 9449 §6.1), or None when unbound.

    Raises:
        DPoPBindingError: ``cnf`` is not an object holding a string ``jkt``: a token bound by
            a confirmation method other than DPoP (RFC 7800 §3) cannot be honoured here.
    """
    if not isinstance(claims, Mapping):
        raise InvalidArgumentError(f"claims must be a dict, not {type(claims).__name__}")
    cnf = claims.get("cnf")
    if cnf is None:
        return None
    if not isinstance(cnf, Mapping) or set(cnf) != {"jkt"} or not isinstance(cnf["jkt"], str):
        raise DPoPBindingError("the token's cnf claim is not a DPoP key binding (cnf.jkt)")
    jkt: str = cnf["jkt"]
    return jkt


def check_binding(claims: Mapping[str, Any], jkt: str | None, *, what: str = "token") -> None:
    """Whether a token's binding fits how it was presented (RFC 9449 §6, §7.1, §7.2).

    ``jkt`` is the thumbprint of the key of the request's valid proof, None for a bearer
    token. A DPoP-bound token (``cnf.jkt``) needs a proof by that key; an unbound one must
    not come with the DPoP scheme. ``what`` names the token in messages.

    Raises:
        DPoPBindingError: they do not fit.
    """
    bound = bound_jkt(claims)
    if bound is None:
        if jkt is not None:
            raise DPoPBindingError(f"the {what} is not DPoP-bound")
        return
    if jkt is None:
        raise DPoPBindingError(f"the {what} is DPoP-bound: present it with a DPoP proof")
    if bound != jkt:
        raise DPoPBindingError(f"the DPoP proof's key is not the key the {what} is bound to")


def _parse(proof: object) -> tuple[Any, bytes, bytes, bytes]:
    """§4.3 check 2: one well-formed compact JWS, bounded in size."""
    if not isinstance(proof, (str, bytes)):
        raise DPoPProofError("a DPoP proof is a compact JWS (text)")
    try:
        return parse_compact(proof, max_size=MAX_PROOF_SIZE)
    except InvalidTokenError as exc:
        raise DPoPProofError(f"the DPoP proof is not a well-formed JWT: {exc}") from exc


def _proof_key(segment: bytes, header: Mapping[str, Any], allowed: frozenset[str]) -> _ProofKey:
    """The key of a proof header (§4.3 checks 4, 5, 7), cached per header segment; the
    algorithm allow-list is the caller's and is checked on every call, hit or miss."""
    backend = get_backend()
    cached = _PROOF_KEYS.get(segment)
    if cached is None or cached.backend is not backend:
        cached = _PROOF_KEYS.put(segment, _load_proof_key(header, backend))
    alg = cached.header["alg"]
    if alg not in allowed:
        raise DPoPProofError(f"the DPoP proof alg {alg} is not accepted here")
    return cached


def _load_proof_key(header: Mapping[str, Any], backend: object) -> _ProofKey:
    """The checked key of a proof header; ``backend`` is the one chosen before any of it was
    built (the entry is for that backend only, see _PROOF_KEYS)."""
    # §4.3 check 4 (and §11.5): explicitly typed, so no other JWT can pass as a proof.
    if not typ_matches(header.get("typ"), DPOP_TYP):
        raise DPoPProofError("the DPoP proof's typ is not dpop+jwt")
    alg = header.get("alg")
    row = _jwa.row(alg)
    # §4.3 check 5, §11.6: a registered asymmetric signature algorithm; never none or a MAC.
    if row is None or row.family not in ASYMMETRIC_FAMILIES:
        raise DPoPProofError("the DPoP proof alg is not an asymmetric signature algorithm")
    if header.get("b64", True) is not True:
        raise DPoPProofError("a DPoP proof has a base64url-encoded payload (RFC 7797 is out)")
    jwk = header.get("jwk")
    if not isinstance(jwk, Mapping):
        raise DPoPProofError("the DPoP proof has no jwk header")
    # §4.3 check 7: no private (or symmetric) key material, looked at before any parsing.
    if any(member in jwk for member in _PRIVATE_MEMBERS):
        raise DPoPProofError("the DPoP proof's jwk holds a private key")
    key = _public_key(jwk, row)
    alg_obj = get_algorithm_by_name(row.name)
    prepared = alg_obj.prepare_key(key)
    if alg_obj.check_key_length(prepared) is not None:
        raise DPoPProofError("the DPoP proof's key is too short for its alg")
    return _ProofKey(header, thumbprint_of(key), alg_obj._verifier(prepared), backend)


def _public_key(jwk: Mapping[str, Any], row: _jwa.JWA) -> Any:
    n = jwk.get("n")
    # base64url: 4 characters per 3 octets. Bounded before the modulus is decoded.
    if row.kty == "RSA" and isinstance(n, str) and len(n) > (_MAX_RSA_BITS // 6) + 1:
        raise DPoPProofError(f"the DPoP proof's RSA key is over {_MAX_RSA_BITS} bits")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise DPoPProofError("the DPoP proof's jwk is not a signature key (use)")
    if "alg" in jwk and jwk["alg"] != row.name:
        raise DPoPProofError("the DPoP proof's jwk names another alg")
    try:
        key = key_from_jwk(jwk)
    except PyJWTError as exc:
        raise DPoPProofError(f"the DPoP proof's jwk is not a usable key: {exc}") from exc
    reason = _jwa.unfit_reason(row, key_kty(key), key_curve(key))
    if reason is not None:
        raise DPoPProofError(f"the DPoP proof's key does not fit its alg: {reason}")
    if isinstance(key, RSAPublicKey) and key.size_bits > _MAX_RSA_BITS:
        raise DPoPProofError(f"the DPoP proof's RSA key is over {_MAX_RSA_BITS} bits")
    return key


def _claims(payload_segment: bytes) -> dict[str, Any]:
    """§4.3 check 3: the payload is a JSON object with every required claim, well typed."""
    try:
        claims = loads_object(b64url_decode(payload_segment), "DPoP proof payload")
    except DecodeError as exc:
        raise DPoPProofError(f"the DPoP proof's payload is not a JSON object: {exc}") from exc
    for name in ("jti", "htm", "htu"):
        if not isinstance(claims.get(name), str) or not claims[name]:
            raise DPoPProofError(f"the DPoP proof lacks a string {name} claim")
    if len(claims["jti"]) > _MAX_JTI:
        raise DPoPProofError(f"the DPoP proof's jti is longer than {_MAX_JTI} characters")
    # finite(): an integer too large for a float is no time either (and would raise
    # OverflowError in the iat window's arithmetic).
    if finite(claims.get("iat")) is None:
        raise DPoPProofError("the DPoP proof lacks a numeric iat claim")
    return claims


def _seconds(name: str, value: float) -> float:
    seconds = finite(value)
    if seconds is None or seconds < 0:
        raise InvalidArgumentError(f"{name} must be a non-negative number of seconds")
    return seconds


@dataclass(frozen=True)
class _Request:
    """What the caller says about the request a proof came with."""

    htm: str
    htu: str
    now: float
    max_age: float
    leeway: float
    #: The caller's ``now``; None when it gave none, and then a NonceIssuer judges its
    #: nonces by its own clock, the one it issues them by (else a test's or a server's
    #: injected issuer clock would refuse every nonce it handed out).
    given_now: float | None = None

    @classmethod
    def checked(
        cls, htm: str, htu: str, now: float | None, max_age: float, leeway: float
    ) -> _Request:
        """From verify_proof()'s arguments, each number checked (finite, not negative); the
        clock read when ``now`` is None."""
        given = None if now is None else _seconds("now", now)
        return cls(
            htm, htu, time.time() if given is None else given,
            _seconds("max_age", max_age), _seconds("leeway", leeway), given,
        )


def _check_request(claims: Mapping[str, Any], request: _Request) -> None:
    """§4.3 checks 8, 9 and 11: method, URI and creation time."""
    if claims["htm"] != request.htm:  # RFC 9110 §9.1: methods are case-sensitive
        raise DPoPProofError("the DPoP proof is for another HTTP method (htm)")
    target = normalize_http_uri(request.htu)
    if target is None:  # a Host header is the client's to write: not the server's bug
        raise DPoPProofError("the request's URI is not an absolute http(s) URI")
    if normalize_http_uri(claims["htu"]) != target:
        raise DPoPProofError("the DPoP proof is for another URI (htu)")
    age = request.now - claims["iat"]
    if age > request.max_age + request.leeway:
        raise DPoPProofError("the DPoP proof is too old (iat)")
    if age < -request.leeway:
        raise DPoPProofError("the DPoP proof is from the future (iat)")


def _check_nonce(
    claims: Mapping[str, Any], nonce: str | NonceIssuer, now: float | None
) -> None:
    """§4.3 check 10, §8, §11.3: a demanded nonce is present and valid."""
    sent = claims.get("nonce")
    if sent is None:
        raise DPoPNonceError("the server requires a nonce in the DPoP proof")
    # Nonces, ath and thumbprints are public values: plain comparisons leak nothing.
    valid = nonce.check(sent, now=now) if isinstance(nonce, NonceIssuer) else sent == nonce
    if not valid:
        raise DPoPNonceError("the DPoP proof's nonce is not valid or has expired")


def _replay_key(jkt: str, jti: str) -> str:
    # §11.1: only a hash of the jti is stored; per key, so that one client cannot use up
    # another's jti values. A thumbprint is 43 characters: the pair cannot be read two ways.
    digest = hashlib.sha256(f"{jkt}{jti}".encode("utf-8", "surrogatepass")).digest()
    return "dpop:" + b64url_encode(digest)


def _check_server_state(
    claims: Mapping[str, Any],
    request: _Request,
    key_jkt: str,
    nonce: str | NonceIssuer | None,
    access_token: str | None,
    jkt: str | None,
) -> None:
    """The checks against what the server holds, once the signature verifies: its nonce
    (§4.3 check 10) and, at a resource server, the token and its binding (check 12, §7)."""
    if nonce is not None:
        _check_nonce(claims, nonce, request.given_now)
    if access_token is not None:
        check_token(claims, access_token, key_jkt, jkt)
    elif jkt is not None:
        raise InvalidArgumentError("jkt (a token's binding) needs the access_token")


def _consume_jti(store: RevocationStore, key_jkt: str, jti: str, request: _Request) -> None:
    """§11.1: refuse a ``jti`` seen before; remember this one for as long as the proof could
    pass the ``iat`` check (one atomic consume: one round trip)."""
    # The latest moment this proof could still pass the iat check.
    until = request.now + request.max_age + 2 * request.leeway
    if not store.consume(_replay_key(key_jkt, jti), until):
        raise DPoPProofError("the DPoP proof was already used (jti replay)")


def _check_store(store: object) -> None:
    if store is not None and not callable(getattr(store, "consume", None)):
        raise InvalidArgumentError(f"store must be a RevocationStore, not {type(store).__name__}")


def verify_proof(
    proof: str | bytes,
    *,
    htm: str,
    htu: str,
    store: RevocationStore | None,
    access_token: str | None = None,
    jkt: str | None = None,
    nonce: str | NonceIssuer | None = None,
    algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
    max_age: float = DEFAULT_MAX_AGE,
    leeway: float = DEFAULT_LEEWAY,
    now: float | None = None,
) -> VerifiedProof:
    """Check a DPoP proof against the request it came with (RFC 9449 §4.3); return its claims
    and its key's thumbprint.

    :param proof: the ``DPoP`` header value (see :func:`single_proof` for check 1).
    :param htm: the request's method; :param htu: its URI (query and fragment are ignored,
        both sides are compared after RFC 3986 §6 normalisation).
    :param store: where seen ``jti`` values are kept for the ``iat`` window (one atomic
        :meth:`~jwtlite.revocation.RevocationStore.consume`: one round trip); None turns
        replay detection off. Its clock and ``now`` must agree.
    :param access_token: at a resource server, the token the request presents: ``ath`` must
        be its hash. :param jkt: the thumbprint that token is bound to (its ``cnf.jkt``).
    :param nonce: the nonce the server demands: a :class:`NonceIssuer` (judged at ``now``, or
        by the issuer's own clock when ``now`` is None), or one exact value.
    :param algorithms: the accepted ``alg`` values, all asymmetric.
    :param max_age: seconds after ``iat`` a proof is accepted; :param leeway: clock skew.

    Raises:
        DPoPProofError: the proof fails a check (``invalid_dpop_proof``).
        DPoPNonceError: the nonce is missing or stale (``use_dpop_nonce``).
        DPoPBindingError: the proof's key is not ``jkt``.
        RevocationStoreUnavailableError: the store cannot be asked (answer 503).
        InvalidArgumentError: a bad argument (a MAC in ``algorithms``, a negative ``max_age``).
    """
    allowed = _allowed(algorithms)
    request = _Request.checked(htm, htu, now, max_age, leeway)
    _check_store(store)
    header, payload_segment, signing_input, signature = _parse(proof)
    key = _proof_key(signing_input.partition(b".")[0], header, allowed)
    claims = _claims(payload_segment)
    _check_request(claims, request)
    if not key.verify(signing_input, signature):  # §4.3 check 6
        raise DPoPProofError("the DPoP proof's signature does not verify with its jwk")
    _check_server_state(claims, request, key.jkt, nonce, access_token, jkt)
    if store is not None:
        _consume_jti(store, key.jkt, claims["jti"], request)
    return VerifiedProof(claims, key.jkt, header["alg"])


def www_authenticate(
    algorithms: Sequence[str],
    *,
    error: str | None = None,
    description: str | None = None,
    realm: str | None = None,
    scope: str | None = None,
) -> str:
    """A ``WWW-Authenticate: DPoP`` challenge (RFC 9449 §7.1): ``realm``, ``scope``,
    ``error`` (``invalid_token``, ``invalid_dpop_proof``, ``use_dpop_nonce``...) and its
    ``error_description``, with the ``algs`` a proof may use.

    >>> www_authenticate(["ES256", "PS256"])
    'DPoP algs="ES256 PS256"'
    """
    # The shared parameters are RFC 6750 §3's: validated and quoted by the Bearer builder.
    params = bearer_challenge(error=error, description=description, realm=realm, scope=scope)
    shared = params[len("Bearer") :].lstrip()
    _allowed(algorithms)
    algs = " ".join(dict.fromkeys(algorithms))
    return "DPoP " + ", ".join(part for part in (shared, f'algs="{algs}"') if part)


@dataclass(frozen=True)
class DPoPPolicy:
    """How a server checks DPoP proofs: :func:`verify_proof`'s settings, held once (the
    framework guards take one as ``dpop=``).

    :param store: the replay store; the guards use their token service's when None.
    :param algorithms: the accepted proof algorithms (the challenge's ``algs``).
    :param nonces: demand a nonce from this issuer in every proof (§8, §9).
    :param required: refuse bearer tokens: only DPoP-bound tokens with a proof pass.
    :param max_age: seconds after ``iat`` a proof is accepted; :param leeway: clock skew.
    :param base_url: the ``scheme://host[:port]`` clients reach this server at. Behind a
        proxy, the URI a server sees is not the one clients sign, and the ``Host`` header is
        the client's to write: with ``base_url`` set, a request's URI is this origin plus
        the request's path, whatever ``Host`` says.
    :param clock: seconds since the epoch (shared with the store); :func:`time.time` if None.
    """

    store: RevocationStore | None = None
    algorithms: tuple[str, ...] = DEFAULT_ALGORITHMS
    nonces: NonceIssuer | None = None
    required: bool = False
    max_age: float = DEFAULT_MAX_AGE
    leeway: float = DEFAULT_LEEWAY
    base_url: str | None = None
    clock: Callable[[], float] | None = None

    def __post_init__(self) -> None:
        _allowed(self.algorithms)
        object.__setattr__(self, "algorithms", tuple(self.algorithms))
        _seconds("max_age", self.max_age)
        _seconds("leeway", self.leeway)
        if self.base_url is not None:
            origin = normalize_http_uri(self.base_url)
            if origin is None or not origin.endswith("/") or origin.count("/") != 3:
                raise InvalidArgumentError("base_url must be an origin: scheme://host[:port]")
            object.__setattr__(self, "base_url", origin[:-1])

    def request_uri(self, url: str) -> str:
        """The URI a proof for the request at ``url`` must name: ``url``, or with
        ``base_url`` its path under that origin."""
        if self.base_url is None:
            return url
        # An absolute URI is scheme "://" authority, then its path (RFC 3986 §3); anything else
        # is the path itself (the origin form of RFC 9112 §3.2.1), "//" and all, even when its
        # query holds a URL ("/cb?next=https://x/y" keeps "/cb"). The guards pass the path.
        absolute = _ABSOLUTE_PREFIX.match(url)
        rest = url[absolute.end() :] if absolute is not None else url
        return self.base_url + (rest if rest.startswith("/") else "/" + rest)

    def verify(
        self,
        proof: str,
        *,
        htm: str,
        htu: str,
        access_token: str | None = None,
        jkt: str | None = None,
        store: RevocationStore | None = None,
    ) -> VerifiedProof:
        """:func:`verify_proof` with this policy's settings; ``htu`` is the request's URI as
        the server sees it (:meth:`request_uri` applies ``base_url``)."""
        replay = store if store is not None else self.store
        if replay is None:
            raise InvalidArgumentError("DPoPPolicy needs a store for replay detection")
        return verify_proof(
            proof, htm=htm, htu=self.request_uri(htu), store=replay,
            access_token=access_token, jkt=jkt, nonce=self.nonces,
            algorithms=self.algorithms, max_age=self.max_age, leeway=self.leeway,
            now=None if self.clock is None else self.clock(),
        )

    def challenge(
        self, *, error: str | None = None, description: str | None = None,
        realm: str | None = None, scope: str | None = None,
    ) -> str:
        """This policy's ``WWW-Authenticate: DPoP`` challenge (:func:`www_authenticate`)."""
        return www_authenticate(
            self.algorithms, error=error, description=description, realm=realm, scope=scope
        )
