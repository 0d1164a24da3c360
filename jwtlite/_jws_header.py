"""The JOSE Header rules every JWS obeys, in either serialization (RFC 7515 §4.1).

``alg`` and ``kid`` must be strings, ``crit`` is honoured (RFC 7515 §4.1.11: a non-empty list of
unique names, none registered by RFC 7515/7518, each present, each understood), and ``b64``
(RFC 7797 §3, §6) is a boolean listed in ``crit``. The compact engine (:mod:`jwtlite.jws`) and
the JSON serialization (:mod:`jwtlite._jws_json`) both apply them; they sit here, below both, so
that ``jws`` can re-export the JSON entry points without an import circle.
"""

from __future__ import annotations

from typing import Any

from ._escape import escape
from .exceptions import DecodeError, InvalidAlgorithmError, InvalidTokenError

__all__ = ["REGISTERED_HEADERS", "UNDERSTOOD_CRITICAL", "check_header"]

#: Header Parameters registered by RFC 7515 §4.1 and RFC 7518 §4.1 (JWE ones too, since a
#: producer may not list them in ``crit`` either).
REGISTERED_HEADERS = frozenset(
    [
        "alg",
        "jku",
        "jwk",
        "kid",
        "x5u",
        "x5c",
        "x5t",
        "x5t#S256",
        "typ",
        "cty",
        "crit",
        "enc",
        "zip",
        "epk",
        "apu",
        "apv",
        "iv",
        "tag",
        "p2s",
        "p2c",
    ]
)
#: Extensions this implementation understands when they appear in ``crit`` (RFC 7797).
UNDERSTOOD_CRITICAL = frozenset({"b64"})


def check_header(header: dict[str, Any], *, producing: bool = False) -> None:
    """Header rules that hold for every token, verified or not (RFC 7515 §4.1).

    ``producing``: the header is one we sign. Then an extension listed in ``crit`` that jwtlite
    does not implement is allowed (the recipient, not the producer, must understand it); the
    producer's own duties (a non-empty list, no registered names, each name present) hold.
    """
    # A missing "alg" fails only where a signature is checked (as in PyJWT: "Algorithm not
    # specified"); an unverified read may still look at such a header.
    if "alg" in header and not isinstance(header["alg"], str):
        raise InvalidAlgorithmError("The specified alg value is not allowed") from DecodeError(
            'The header "alg" member must be a string'
        )
    if "kid" in header and not isinstance(header["kid"], str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    if "crit" in header:
        _check_crit(header, producing=producing)
    elif "b64" in header:
        # RFC 7797 §6: "b64" MUST be listed in "crit" wherever it is used.
        raise InvalidTokenError("The 'b64' header parameter requires 'b64' to be listed in 'crit'.")
    if "b64" in header and not isinstance(header["b64"], bool):
        raise InvalidTokenError('The "b64" header parameter must be a boolean')


def _check_crit(header: dict[str, Any], *, producing: bool = False) -> None:
    crit = header["crit"]
    # RFC 7515 §4.1.11: an array of names; "Producers MUST NOT use the empty list"; names
    # defined by RFC 7515/7518 MUST NOT be listed; unknown names make the JWS invalid.
    # The texts are PyJWT's where PyJWT refuses the same header.
    if not isinstance(crit, list) or not crit:
        raise InvalidTokenError("Invalid 'crit' header: must be a non-empty list")
    if not all(isinstance(n, str) for n in crit):
        raise InvalidTokenError("Invalid 'crit' header: values must be strings")
    if len(set(crit)) != len(crit):
        raise InvalidTokenError("Invalid 'crit' header: values must be unique")
    # The names come from the token: quoted through escape() (CR/LF, length), never raw.
    for name in crit:
        if name in REGISTERED_HEADERS:
            # PyJWT's text (it refuses these as unsupported), then why.
            raise InvalidTokenError(
                f"Unsupported critical extension: {name} (RFC 7515 defines it; it must not be"
                " listed)"
            )
        if name not in UNDERSTOOD_CRITICAL and not producing:
            raise InvalidTokenError(f"Unsupported critical extension: {escape(name)}")
        if name not in header:
            raise InvalidTokenError(f"Critical extension '{escape(name)}' is missing from headers")
