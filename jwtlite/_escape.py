"""Quoting attacker-chosen text in error, warning and log messages: one helper for all of it.

A token's header and claims (``kid``, ``alg``, ``crit`` names, ``typ`` ...), the members of a
fetched JWK Set, a JSON member name and the text a JWKS server sends back all come from whoever
sent them. Unescaped CR/LF (or other control, format and separator characters) in a message
let that sender forge log lines (CWE-117), and an unbounded value makes a 20 KB header give a
20 KB log line. Every message that quotes such a value goes through :func:`escape`, which
escapes and shortens it; ``tests/test_escape.py`` holds every refusal to that with hostile
headers and claims.
"""

from __future__ import annotations

import reprlib
import unicodedata
from collections.abc import Iterable

__all__ = [
    "KID_SHOWN",
    "REASONS_SHOWN",
    "SHOWN",
    "TEXT_SHOWN",
    "escape",
    "escape_kid",
    "quoted",
    "summarise",
]

#: Characters an escaped value may take in a message (escapes count); longer values are cut
#: there and marked with "...". Enough for any real ``kid``, claim or algorithm name.
SHOWN = 100
#: The same bound for a whole message from elsewhere, quoted in ours (the text of an OSError or
#: of a JWKS server's answer): long enough for an SSL error, short enough for one log line.
TEXT_SHOWN = 200
#: Distinct reasons one message lists (why each member of a JWK Set was skipped, say); a set of
#: a thousand hostile members must not make a message of a thousand reasons.
REASONS_SHOWN = 3
_UNPRINTABLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
#: Integers wider than this are described, not written out: ``repr`` of a huge int costs time
#: quadratic in its size and raises ValueError past 4300 digits (Python 3.11's limit).
_MAX_INT_BITS = 256
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = SHOWN


def escape(value: object, limit: int = SHOWN) -> str:
    """``value`` for a message: non-printables escaped, cut to at most ``limit`` characters.

    The result holds no control character, no line or paragraph separator and no unescaped
    quote or backslash, so it can sit between double quotes in any message; it is at most
    ``limit + 3`` characters long. A string is shown as it is; anything else (a number, a list
    from a JSON header) by a bounded ``repr``. Only the first ``limit`` characters of a string
    are looked at, so a huge value costs no more than a short one.
    """
    text = value if isinstance(value, str) else _bounded_repr(value)
    pieces: list[str] = []
    used = 0
    for char in text[:limit]:
        piece = _escape_char(char)
        if used + len(piece) > limit:
            return "".join(pieces) + "..."
        pieces.append(piece)
        used += len(piece)
    return "".join(pieces) + ("..." if len(text) > limit else "")


def quoted(value: object, limit: int = SHOWN) -> str:
    """``value`` as ``{value!r}`` would show it in a message, made safe: a string between
    single quotes, escaped and cut as :func:`escape` does; anything else by :func:`escape`
    (``repr`` of an integer of more than 4300 digits raises ValueError; this never raises)."""
    if isinstance(value, str):
        return "'" + escape(value, limit).replace("'", "\\'") + "'"
    return escape(value, limit)


def summarise(reasons: Iterable[str]) -> str:
    """The distinct ``reasons`` (each already escaped), sorted, at most :data:`REASONS_SHOWN`
    of them, then how many more there were."""
    distinct = sorted(set(reasons))
    more = len(distinct) - REASONS_SHOWN
    return "; ".join(distinct[:REASONS_SHOWN]) + (f"; and {more} more" if more > 0 else "")


#: The name this helper had when it quoted only ``kid`` values (kept for existing imports).
escape_kid = escape
KID_SHOWN = SHOWN


def _bounded_repr(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > _MAX_INT_BITS:
            return f"<an integer of {value.bit_length()} bits>"
        return str(value)
    # reprlib bounds lists, dicts and strings, and shows an object whose __repr__ raises as
    # "<Name instance at ...>" instead of raising.
    return _REPR.repr(value)


def _escape_char(char: str) -> str:
    if char in '"\\':
        return "\\" + char
    if unicodedata.category(char) in _UNPRINTABLE:
        code = ord(char)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return char
