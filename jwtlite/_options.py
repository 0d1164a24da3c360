"""Decode and encode options: one frozen object, built once at the API edge.

PyJWT takes options as dicts (on ``PyJWS``/``PyJWT`` instances and per call); jwtlite reads
them into :class:`Options` there, and every layer below reads the object's attributes. The
dict form is typed by :mod:`jwtlite.types` (``OptionsDict`` is kept as a name for its
``Options``): PyJWT's names plus jwtlite's three additions.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from . import _hints
from ._escape import escape
from .exceptions import InvalidArgumentError, UnknownOptionWarning
from .types import FullOptions, SigOptions
from .types import Options as OptionsDict

__all__ = [
    "CLAIM_SWITCHES",
    "DEFAULT_MAX_TOKEN_SIZE",
    "JWS_OPTION_NAMES",
    "JWS_PYJWT_NAMES",
    "JWT_PYJWT_NAMES",
    "OPTION_NAMES",
    "FullOptions",
    "Options",
    "OptionsDict",
    "SigOptions",
    "Unknown",
]

#: What an unknown option name gets: an error (jwtlite's API) or a warning (PyJWT's face).
Unknown = Literal["refuse", "warn"]
#: Longest option name quoted in a message, and compared for a near miss.
_NAME_SHOWN = 40

#: Default upper bound on a token's length in characters, checked before any decoding.
DEFAULT_MAX_TOKEN_SIZE = 256 * 1024


@dataclass(frozen=True)
class Options:
    """Every switch that decode and encode read; defaults are PyJWT's, plus jwtlite's limits.

    Built from dicts only by :meth:`merged`, which refuses (or, for PyJWT's face, warns about)
    names it does not know: a misspelt ``requires`` must not turn a check off in silence.
    """

    verify_signature: bool = True
    #: Raise instead of warn for keys below the algorithm's minimum (RFC 7518 §3.2, §3.3).
    enforce_minimum_key_length: bool = False
    #: Checked before any decoding (RFC 8725 §3.x: bound the work an attacker can ask for).
    max_token_size: int = DEFAULT_MAX_TOKEN_SIZE
    #: Accept ``=`` padding in base64url segments (some gateways add it); off per RFC 7515 §2.
    allow_padding: bool = False
    #: Verify (never sign) with 1024-2047-bit RSA keys, for legacy issuers.
    allow_small_rsa_verify: bool = False
    verify_exp: bool = True
    verify_nbf: bool = True
    verify_iat: bool = True
    verify_aud: bool = True
    verify_iss: bool = True
    verify_sub: bool = True
    verify_jti: bool = True
    require: tuple[str, ...] = ()
    strict_aud: bool = False

    def merged(
        self,
        overrides: Mapping[str, Any] | None,
        *,
        signature_off_disables_claims: bool = True,
        names: Collection[str] | None = None,
        unknown: Unknown = "refuse",
    ) -> Options:
        """A copy with the entries of a PyJWT-style dict applied.

        ``names`` are the options the caller reads (default: all of them). A name outside them
        is refused with :class:`InvalidArgumentError` naming the closest valid one
        (``unknown="refuse"``, jwtlite's own API: ``{"requires": ["exp"]}`` must not silently
        skip the check it meant), or ignored with an :class:`UnknownOptionWarning`
        (``unknown="warn"``, PyJWT's face: PyJWT ignores unknown names). In a decode call,
        turning ``verify_signature`` off turns the claim checks off too unless the same dict
        asks for them (PyJWT's rule); instance options do not do that.
        """
        if not overrides:
            return self
        if not isinstance(overrides, Mapping):
            raise InvalidArgumentError(f"options must be a dict, not {type(overrides).__name__}")
        known: Collection[str] = _FIELD_NAMES if names is None else names
        changes = {k: v for k, v in overrides.items() if k in known}
        if len(changes) != len(overrides):
            _unknown_name(overrides, known, unknown)
        if signature_off_disables_claims and changes.get("verify_signature") is False:
            changes = {**dict.fromkeys(CLAIM_SWITCHES, False), **changes}
        if "require" in changes:
            changes["require"] = _names(changes["require"])
        if "max_token_size" in changes:
            _check_size(changes["max_token_size"])
        return replace(self, **changes)

    def only(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The named options as a dict."""
        return {name: getattr(self, name) for name in names}

    def pyjwt_dict(self, names: tuple[str, ...]) -> dict[str, Any]:
        """PyJWT's ``options`` dict: ``names`` (PyJWT's keys, in PyJWT's order), then every
        jwtlite-only option whose value differs from its default."""
        out = self.only(names)
        if "require" in out:
            out["require"] = list(self.require)
        for name in _JWTLITE_ONLY:
            if getattr(self, name) != getattr(_PLAIN, name):
                out[name] = getattr(self, name)
        return out

    def as_dict(self) -> dict[str, Any]:
        """The PyJWT-style dict view (``require`` as a list)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["require"] = list(self.require)
        return out


def _unknown_name(overrides: Mapping[Any, Any], known: Collection[str], unknown: Unknown) -> None:
    """Refuse (or warn about) the first name of ``overrides`` outside ``known``."""
    name = next(k for k in overrides if k not in known)
    if unknown == "warn":
        warnings.warn(
            f'Unknown option "{escape(name, _NAME_SHOWN)}" is ignored{_closest(name, known)}',
            UnknownOptionWarning,
            stacklevel=_hints.caller_stacklevel(),
        )
        return
    if name in _FIELD_NAMES:  # a claim option given to PyJWS, which checks no claims
        raise InvalidArgumentError(f'Option "{name}" does nothing here: {_SIGNATURE_ONLY}')
    raise InvalidArgumentError(
        f'Unknown option "{escape(name, _NAME_SHOWN)}"{_closest(name, known)}'
    )


_SIGNATURE_ONLY = "PyJWS verifies the signature only; pass claim options to PyJWT or jwtlite.decode"


def _closest(name: object, known: Collection[str]) -> str:
    """The option ``name`` most likely misspells, or the list of the ``known`` ones."""
    # Option names are short; a long string is no misspelling (and stays cheap to compare).
    if isinstance(name, str) and len(name) <= _NAME_SHOWN:
        close = difflib.get_close_matches(name.lower(), sorted(_FIELD_NAMES), n=1, cutoff=0.6)
        if close:
            # A claim option's near miss given to PyJWS: say where it belongs.
            where = "" if close[0] in known else f" ({_SIGNATURE_ONLY})"
            return f': did you mean "{close[0]}"?{where}'
    return f"; the options are {', '.join(sorted(known))}"


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArgumentError('options["require"] must be a list of claim names')
    claim_names = tuple(value)
    if not all(isinstance(v, str) for v in claim_names):
        raise InvalidArgumentError('options["require"] must be a list of claim names')
    return claim_names


def _check_size(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError('options["max_token_size"] must be a positive integer')


_FIELD_NAMES = frozenset(f.name for f in fields(Options))
#: Every option name.
OPTION_NAMES = _FIELD_NAMES
#: The options ``PyJWS`` reads; the rest are claim checks, read by ``PyJWT``.
JWS_OPTION_NAMES = (
    "verify_signature",
    "enforce_minimum_key_length",
    "max_token_size",
    "allow_padding",
    "allow_small_rsa_verify",
)
#: The claim switches that ``verify_signature=False`` turns off with it.
CLAIM_SWITCHES = tuple(
    n for n in sorted(_FIELD_NAMES) if n.startswith("verify_") and n != "verify_signature"
)

#: The keys of PyJWT's ``PyJWS().options`` and ``PyJWT().options``, in PyJWT's order.
JWS_PYJWT_NAMES = tuple(SigOptions.__annotations__)[:2]
JWT_PYJWT_NAMES = tuple(FullOptions.__annotations__)
_JWTLITE_ONLY = ("max_token_size", "allow_padding", "allow_small_rsa_verify")
_PLAIN = Options()
