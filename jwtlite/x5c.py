"""Tokens whose key travels in the header as an X.509 chain (``x5c``, RFC 7515 §4.1.6).

Apple's App Store notifications, FIDO metadata and many device attestations are signed this
way. Threat model: the header is the attacker's, so its certificates are claims, not trust.
RFC 7515 §4.1.6: "The recipient MUST validate the certificate chain according to RFC 5280 and
consider the certificate or certificate chain to be invalid if any validation failure occurs."
So here:

* the chain is verified to trust anchors the *caller* gives (:class:`TrustStore`); there is no
  default store, and no call that takes a header's certificate on its own word;
* the path is built and checked by ``cryptography``'s X.509 verifier (RFC 5280 path
  validation with the Web PKI profile of ``cryptography.x509.verification``): names chain,
  signatures verify, every certificate is valid at the injected time, CA certificates are CAs,
  unknown critical extensions fail; the leaf must carry ``keyUsage`` with
  ``digitalSignature`` (it signs the token, RFC 5280 §4.2.1.3) and must not be a CA;
* ``x5t#S256`` (§4.1.8) and ``x5t`` (§4.1.7), when present, must be the thumbprint of the
  first certificate;
* only then is the leaf's public key used, bound to the token's ``alg`` family as any key is.

``cryptography`` 45.0 or newer is required (path validation came in 42, client verification in
43, the extension policies used here in 45). Without it every call raises
:class:`~jwtlite.exceptions.MissingCryptographyError`; nothing falls back to trusting the chain.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Union

from ._escape import escape
from .api import PyJWS, PyJWT
from .b64url import b64url_decode
from .exceptions import (
    DecodeError,
    InvalidArgumentError,
    InvalidCertificateChainError,
    MissingCryptographyError,
)
from .keys import load_key

if TYPE_CHECKING:
    from cryptography.x509 import Certificate, KeyUsage
    from cryptography.x509.verification import ClientVerifier, Policy

    from ._options import OptionsDict

    Anchor = Union[Certificate, bytes, str]

__all__ = ["MAX_CHAIN_LENGTH", "TrustStore", "decode", "decode_complete", "verify_chain"]

#: The most certificates an ``x5c`` may carry. Real chains hold two to four; the bound refuses
#: a header stuffed with certificates before any of them is parsed.
MAX_CHAIN_LENGTH = 10
# The longest path the verifier may build (intermediates between leaf and anchor).
_MAX_DEPTH = 8
# The release that added PolicyBuilder.extension_policies (the leaf policy needs it).
_NEEDED = "45.0"


class TrustStore:
    """The trust anchors ``x5c`` chains must lead to: certificates the caller trusts a priori
    (a vendor's root, a FIDO root). Build it once; it is immutable and thread-safe.

    :param anchors: ``cryptography`` certificates, PEM text (one or more certificates) or DER.

    Raises:
        InvalidArgumentError: no anchor, or one that is not a certificate.
        MissingCryptographyError: ``cryptography`` 45 or newer is not installed.
    """

    def __init__(self, anchors: Iterable[Anchor]) -> None:
        _verification()  # the clear error first, before any certificate is read
        if isinstance(anchors, (str, bytes)) or not isinstance(anchors, Iterable):
            anchors = [anchors]  # one anchor, or None: refused by _load_anchor
        certificates: list[Certificate] = []
        for anchor in anchors:
            certificates.extend(_load_anchor(anchor))
        if not certificates:
            # A header's certificate is never trusted on its own: no anchor, no x5c.
            raise InvalidArgumentError("a TrustStore needs at least one trust anchor")
        self.anchors: tuple[Certificate, ...] = tuple(certificates)
        self._store = _verification().Store(certificates)
        self._policies = _policies()

    def __repr__(self) -> str:
        names = ", ".join(repr(cert.subject.rfc4514_string()) for cert in self.anchors[:3])
        more = f", ... ({len(self.anchors)} anchors)" if len(self.anchors) > 3 else ""
        return f"TrustStore([{names}{more}])"

    def _verifier(self, at: datetime) -> ClientVerifier:
        policies = self._policies
        builder = (
            _verification().PolicyBuilder()
            .store(self._store)
            .time(at)
            .max_chain_depth(_MAX_DEPTH)
            .extension_policies(ca_policy=policies[0], ee_policy=policies[1])
        )
        verifier: ClientVerifier = builder.build_client_verifier()
        return verifier


def verify_chain(
    header: Mapping[str, Any],
    trust: TrustStore | Iterable[Anchor],
    *,
    now: float | datetime | None = None,
) -> list[Certificate]:
    """Verify the ``x5c`` chain of a JWS ``header`` to ``trust``; the verified path, leaf first
    and trust anchor last.

    ``now`` (seconds since the epoch or a datetime; the current time if None) is the moment
    every certificate must be valid at.

    Raises:
        InvalidCertificateChainError: no ``x5c``, a malformed one, a thumbprint that does not
            match, or a chain that does not verify (untrusted, expired, wrong key usage, ...).
        MissingCryptographyError: ``cryptography`` 45 or newer is not installed.
    """
    store = trust if isinstance(trust, TrustStore) else TrustStore(trust)
    certificates = _parse_x5c(header.get("x5c"))
    _check_thumbprints(header, certificates[0])
    leaf, intermediates = certificates[0], certificates[1:]
    error = _verification().VerificationError
    try:
        verified = store._verifier(_moment(now)).verify(leaf, intermediates)
    except error as exc:
        # The message names certificates by subject: attacker text, so escaped and cut.
        raise InvalidCertificateChainError(
            f"the x5c chain does not verify: {escape(str(exc), 300)}"
        ) from None
    return list(verified.chain)


def decode_complete(
    token: str | bytes,
    trust: TrustStore | Iterable[Anchor],
    *,
    algorithms: Sequence[str],
    now: float | datetime | None = None,
    options: OptionsDict | None = None,
    audience: str | Iterable[str] | None = None,
    issuer: str | Container[str] | None = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    typ: str | None = None,
    max_age: float | timedelta | None = None,
) -> dict[str, Any]:
    """Verify ``token`` with the key of its ``x5c`` leaf, once the chain verifies to ``trust``.

    Returns ``{"header", "payload", "signature", "chain"}``; ``chain`` is the verified path
    (``cryptography`` certificates, leaf first), for checks of the leaf's subject. The other
    parameters are :func:`jwtlite.decode`'s; ``now`` also dates the certificates.

    Raises:
        InvalidCertificateChainError: see :func:`verify_chain`.
        InvalidTokenError: the token is refused as :func:`jwtlite.decode` would refuse it.
        MissingCryptographyError: ``cryptography`` 45 or newer is not installed.
        InvalidArgumentError: ``options`` turns the signature check off.
    """
    if isinstance(options, Mapping) and options.get("verify_signature", True) is False:
        # A trusted chain proves who made *some* signature, not this payload's.
        raise InvalidArgumentError("x5c.decode always verifies; verify_signature cannot be off")
    at = _moment(now)
    header = _JWS.get_unverified_header(token)
    chain = verify_chain(header, trust, now=at)
    key = load_key(chain[0].public_key())  # only now: the leaf is trusted
    complete = _JWT.decode_complete(
        token, key, algorithms=algorithms, options=options, audience=audience, issuer=issuer,
        subject=subject, leeway=leeway, typ=typ, max_age=max_age, now=at,
    )
    complete["chain"] = chain
    return complete


def decode(
    token: str | bytes,
    trust: TrustStore | Iterable[Anchor],
    *,
    algorithms: Sequence[str],
    now: float | datetime | None = None,
    options: OptionsDict | None = None,
    audience: str | Iterable[str] | None = None,
    issuer: str | Container[str] | None = None,
    subject: str | None = None,
    leeway: float | timedelta = 0,
    typ: str | None = None,
    max_age: float | timedelta | None = None,
) -> dict[str, Any]:
    """:func:`decode_complete`'s payload: the claims of a token signed by a trusted ``x5c``."""
    complete = decode_complete(
        token, trust, algorithms=algorithms, now=now, options=options, audience=audience,
        issuer=issuer, subject=subject, leeway=leeway, typ=typ, max_age=max_age,
    )
    payload: dict[str, Any] = complete["payload"]
    return payload


_JWS = PyJWS()
_JWT = PyJWT()


# --- cryptography -----------------------------------------------------------------------------


def _verification() -> Any:
    """``cryptography.x509.verification``, or the clear error saying why it cannot be used."""
    module: Any = None
    try:
        from cryptography.x509 import verification  # noqa: PLC0415 - optional dep
    except ImportError:  # no cryptography, or one older than 42
        pass
    else:
        module = verification
    builder = getattr(module, "PolicyBuilder", None)
    if not (hasattr(builder, "extension_policies") and hasattr(builder, "build_client_verifier")):
        raise MissingCryptographyError(
            f"verifying an x5c chain needs cryptography {_NEEDED} or newer (installed: "
            f"{_installed_version()}); pip install 'cryptography>={_NEEDED}'"
        )
    return module


def _installed_version() -> str:
    try:
        import cryptography  # noqa: PLC0415 - optional dep
    except ImportError:
        return "none"
    return str(getattr(cryptography, "__version__", "unknown"))


def _policies() -> tuple[Any, Any]:
    """The (CA, leaf) extension policies: the Web PKI profile, with the leaf's key usage
    required to allow signatures, and no extended key usage demanded (none exists for JWS:
    the client verifier would otherwise want ``clientAuth``)."""
    from cryptography import x509  # noqa: PLC0415 - optional dep

    verification = _verification()
    agnostic = verification.Criticality.AGNOSTIC
    ca = verification.ExtensionPolicy.webpki_defaults_ca().may_be_present(
        x509.ExtendedKeyUsage, agnostic, None
    )
    leaf = (
        verification.ExtensionPolicy.webpki_defaults_ee()
        .require_present(x509.KeyUsage, agnostic, _signs)
        .may_be_present(x509.ExtendedKeyUsage, agnostic, None)
        .may_be_present(x509.SubjectAlternativeName, agnostic, None)
    )
    return ca, leaf


def _signs(_policy: Policy, _certificate: Certificate, usage: KeyUsage) -> None:
    # RFC 5280 §4.2.1.3: digitalSignature is the bit for verifying signatures other than on
    # certificates and CRLs, such as a JWS.
    if not usage.digital_signature:
        raise ValueError("the leaf's keyUsage does not allow digitalSignature")


def _load_anchor(anchor: object) -> list[Certificate]:
    from cryptography import x509  # noqa: PLC0415 - optional dep

    if isinstance(anchor, x509.Certificate):
        return [anchor]
    if isinstance(anchor, str):
        anchor = anchor.encode("ascii", "replace")
    if not isinstance(anchor, bytes):
        raise InvalidArgumentError(
            f"a trust anchor must be a certificate, PEM or DER, not {type(anchor).__name__}"
        )
    try:
        if b"-----BEGIN CERTIFICATE-----" in anchor:
            return list(x509.load_pem_x509_certificates(anchor))
        return [x509.load_der_x509_certificate(anchor)]
    except ValueError:
        raise InvalidArgumentError("a trust anchor is not a readable X.509 certificate") from None


# --- the header ------------------------------------------------------------------------------


def _parse_x5c(value: object) -> list[Certificate]:
    """RFC 7515 §4.1.6: a non-empty JSON array of base64 (not base64url) DER certificates."""
    from cryptography import x509  # noqa: PLC0415 - optional dep

    if value is None:
        raise InvalidCertificateChainError("the token header has no x5c chain")
    if not isinstance(value, list) or not value:
        raise InvalidCertificateChainError("x5c must be a non-empty array (RFC 7515 §4.1.6)")
    if len(value) > MAX_CHAIN_LENGTH:
        raise InvalidCertificateChainError(
            f"x5c holds {len(value)} certificates; at most {MAX_CHAIN_LENGTH} are read"
        )
    certificates = []
    for item in value:
        if not isinstance(item, str):
            raise InvalidCertificateChainError("each x5c member must be a base64 string")
        try:
            der = base64.b64decode(item.encode("ascii"), validate=True)
            certificates.append(x509.load_der_x509_certificate(der))
        except (UnicodeEncodeError, binascii.Error, ValueError):
            raise InvalidCertificateChainError(
                "an x5c member is not a base64 DER certificate (RFC 7515 §4.1.6)"
            ) from None
    return certificates


def _check_thumbprints(header: Mapping[str, Any], leaf: Certificate) -> None:
    """RFC 7515 §4.1.7, §4.1.8: a thumbprint present must be the first certificate's."""
    from cryptography.hazmat.primitives.serialization import Encoding  # noqa: PLC0415 - optional dep

    der = leaf.public_bytes(Encoding.DER)
    for name, digest in (("x5t#S256", hashlib.sha256), ("x5t", hashlib.sha1)):
        value = header.get(name)
        if value is None:
            continue
        try:
            claimed = b64url_decode(value) if isinstance(value, str) else None
        except DecodeError:
            claimed = None
        if claimed is None or not hmac.compare_digest(claimed, digest(der).digest()):
            raise InvalidCertificateChainError(
                f"the {name} thumbprint does not match the first x5c certificate"
            )


def _moment(now: float | datetime | None) -> datetime:
    """The verification time as an aware UTC datetime (a naive one is read as UTC)."""
    if now is None:
        return datetime.now(timezone.utc)
    if isinstance(now, datetime):
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)
    if isinstance(now, bool) or not isinstance(now, (int, float)):
        raise InvalidArgumentError("now must be a number of seconds or a datetime")
    try:
        return datetime.fromtimestamp(now, timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise InvalidArgumentError("now is not a representable time") from None
