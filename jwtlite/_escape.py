"""Quoting attacker-chosen text, such as a token's ``kid``, in error and log messages.

A ``kid`` comes from the token header or from a fetched JWK Set, that is from whoever sent it.
Unescaped CR/LF (or other control, format and separator characters) in a message let it forge
log lines (CWE-117), and an unbounded one makes megabyte messages. Every message that quotes a
``kid`` goes through :func:`escape_kid`.
"""

from __future__ import annotations

import unicodedata

__all__ = ["KID_SHOWN", "escape_kid"]

#: Characters of a ``kid`` quoted in a message; longer values are cut and marked with "...".
KID_SHOWN = 100
_UNPRINTABLE = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def escape_kid(kid: object) -> str:
    """``kid`` for an error or log message: non-printables escaped, long values cut.

    The result holds no control character, no line or paragraph separator and no unescaped
    quote or backslash, so it can sit between double quotes in any message.
    """
    text = kid if isinstance(kid, str) else repr(kid)
    shown = "".join(_escape_char(c) for c in text[:KID_SHOWN])
    return shown + ("..." if len(text) > KID_SHOWN else "")


def _escape_char(char: str) -> str:
    if char in '"\\':
        return "\\" + char
    if unicodedata.category(char) in _UNPRINTABLE:
        code = ord(char)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
    return char
