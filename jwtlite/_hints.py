"""Hints: what to do next, appended to an error or warning message.

Every message keeps its PyJWT-compatible leading text; a hint only ever follows it, as
`` (hint: ...)``. Hints are built from the *shape* of the caller's input (a ``Bearer `` prefix, a
string that looks like a file path, a PEM with literal ``\\n``), never from its value: no hint
quotes a secret, a key or a token. They are computed only on the error path, so the fast path
of a valid call pays nothing for them.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import re
import sys
from collections.abc import Iterable
from typing import Any

from . import _jwa
from ._escape import escape

__all__ = [
    "append",
    "caller_stacklevel",
    "claim_type",
    "detach",
    "did_you_mean",
    "example_algorithm",
    "is_escaped_pem",
    "key_text",
    "missing_algorithms",
    "naive_datetime",
    "not_allowed",
    "token_text",
    "unserialisable",
]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
#: Longest caller-chosen name (claim, algorithm) quoted in a hint; a hint is one readable line.
_MAX_NAME = 40
#: Deepest claim path searched for the value JSON refused; claims are shallow in practice.
_MAX_PATH_DEPTH = 32
# What a key path looks like: a relative or absolute path, a home path or a Windows drive, or a
# bare file name with a key-file extension. One line, no PEM armour, no JSON.
_PATH_START = re.compile(rb"(?:\.{0,2}/|~/|[A-Za-z]:[\\/])")
_KEY_SUFFIX = re.compile(rb"\.(?:pem|key|crt|cer|der|pub|p8|json|jwk|jwks|txt)", re.IGNORECASE)


_HINT_MARK = " (hint: "


def _hint(text: str) -> str:
    return f"{_HINT_MARK}{text})"


def _name(value: object) -> str:
    """A caller- or token-chosen name (an ``alg``), quoted, escaped and cut to one short line."""
    return f"'{escape(value, _MAX_NAME)}'"


def append(exc: BaseException, hint: str) -> None:
    """Add ``hint`` after the message of ``exc`` (a one-message exception), in place."""
    if hint and exc.args and isinstance(exc.args[0], str):
        exc.args = (exc.args[0] + hint, *exc.args[1:])


def detach(exc: BaseException) -> None:
    """Move the hints out of ``str(exc)`` into a note (PEP 678; shown in tracebacks from
    Python 3.11), leaving the bare message: PyJWT's exact text, for code that compares it."""
    if not exc.args or not isinstance(exc.args[0], str):
        return
    text = exc.args[0]
    at = text.find(_HINT_MARK)
    if at < 0:
        return
    exc.args = (text[:at], *exc.args[1:])
    note = text[at + 1 :]
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # the attribute 3.11 reads; earlier versions keep it for the caller to read
        setattr(exc, "__notes__", [*getattr(exc, "__notes__", []), note])  # noqa: B010


def caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside jwtlite."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.dirname(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


# --- algorithms --------------------------------------------------------------------------------


def example_algorithm(kty: str | None, curve: str | None) -> str:
    """An ``alg`` that fits a key of ``kty``/``curve`` (HS256 for a secret or an unknown key)."""
    if curve:
        return _jwa.curve_algorithm(curve) or "HS256"
    return {"RSA": "RS256"}.get(kty or "", "HS256")


def missing_algorithms(kty: str | None, curve: str | None) -> str:
    """Hint for a decode without ``algorithms=``: an example value that fits the key."""
    alg = example_algorithm(kty, curve)
    return _hint(
        f'Pass the algorithms your tokens are signed with, e.g. algorithms=["{alg}"]; never'
        " take them from the token itself."
    )


def did_you_mean(name: object, known: Iterable[str]) -> str:
    """Hint for an unknown algorithm name: the registered spelling it is closest to."""
    names = [n for n in known if n != "none"]
    if not isinstance(name, str):
        return _hint(f"Algorithm names are strings, such as {_name(names[0] if names else '')}.")
    same_case = [n for n in names if n.lower() == name.lower()]
    # Algorithm names are short; a long string is no misspelling (and stays cheap to compare).
    candidate = name.upper() if len(name) <= _MAX_NAME else ""
    close = same_case or difflib.get_close_matches(candidate, names, n=1, cutoff=0.6)
    if close:
        return _hint(f"Did you mean {close[0]!r}? Algorithm names are case-sensitive.")
    return _hint(f"Supported algorithms: {', '.join(names)}.")


def not_allowed(alg: str, allowed: object) -> str:
    """Hint for a token whose ``alg`` is not in the caller's ``algorithms=``."""
    listed = list(allowed) if isinstance(allowed, (list, tuple, set, frozenset)) else []
    names = [n for n in listed if isinstance(n, str)]
    same_case = [n for n in names if n.lower() == alg.lower()]
    if same_case:
        return _hint(
            f"algorithms= lists {_name(same_case[0])}, but names are case-sensitive: write"
            f" {_name(alg)}."
        )
    if not names:
        return _hint(f"The token is signed with {_name(alg)}, which algorithms= does not list.")
    shown = "[" + ", ".join(_name(n) for n in names[:8]) + (", ...]" if len(names) > 8 else "]")
    return _hint(
        f"The token is signed with {_name(alg)}, and algorithms= allows only {shown}. Add it"
        " only if your key is meant for that algorithm; otherwise the token is not for you."
    )


# --- tokens and keys ---------------------------------------------------------------------------


def token_text(token: object) -> str:
    """Hint for a token that failed to parse because of what surrounds it."""
    if isinstance(token, (bytes, bytearray)):
        token = bytes(token).decode("latin-1")
    if not isinstance(token, str):
        return ""
    if token[:7].lower() == "bearer ":
        return _hint(
            "The token still starts with 'Bearer '. Strip the prefix, e.g."
            ' token.removeprefix("Bearer "), or read the header with'
            " jwtlite.bearer.parse_authorization_header()."
        )
    # Two characters at least: "" begins and ends with the empty text, which `in` finds anywhere.
    if len(token) > 1 and token[:1] in "\"'" and token[:1] == token[-1:]:
        return _hint("The token is wrapped in quotes; strip them.")
    if token != token.strip():
        return _hint("The token has leading or trailing whitespace; strip it.")
    return ""


def is_escaped_pem(data: bytes) -> bool:
    """Whether ``data`` is PEM whose line breaks are the two characters backslash and n."""
    return b"-----BEGIN " in data and b"\\n" in data


def _looks_like_path(data: bytes) -> bool:
    text = data.strip()
    if not text or len(text) > 4096 or b"\n" in text or b"-----" in text or text[:1] == b"{":
        return False
    return bool(_PATH_START.match(text) or _KEY_SUFFIX.search(text[-6:]))


def key_text(data: bytes | str) -> str:
    """Hint for key text that could not be used: escaped line breaks, or a file path."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if is_escaped_pem(raw):
        return _hint(
            "The PEM contains literal '\\n' (backslash-n) instead of line breaks, as"
            " environment variables often do. Turn them into newlines first, e.g."
            " key.replace('\\\\n', '\\n')."
        )
    if _looks_like_path(raw):
        return _hint(
            "This looks like a file path, not key text. Read the file first, e.g."
            " pathlib.Path(path).read_text(), and pass its contents."
        )
    return ""


# --- claims ------------------------------------------------------------------------------------


def naive_datetime(name: str) -> str:
    """Warning text for a naive datetime in a time claim (it is read as UTC)."""
    return f"The {name!r} claim is a naive datetime, which is read as UTC" + _hint(
        "Pass an aware datetime, e.g. datetime.now(timezone.utc) + timedelta(minutes=15)."
    )


def claim_type(name: str) -> str:
    """Hint for a claim that must be a string (``sub``, ``jti``) and is not."""
    section = {"sub": "4.1.2", "jti": "4.1.7"}.get(name, "4.1")
    return _hint(f"Convert it first, e.g. {{{name!r}: str(value)}} (RFC 7519 §{section}).")


def unserialisable(
    obj: Any, root: str, encoder: type[json.JSONEncoder] | None, *, sort_keys: bool = False
) -> str:
    """Hint naming where in ``obj`` the value JSON refused sits, e.g. ``claims["user"]["id"]``."""
    found = _find_unserialisable(obj, root, (encoder, sort_keys), set())
    if found is None:
        return ""
    path, kind = found
    return _hint(
        f"{path} is {kind}; convert it to a string, number, list or dict first, or pass"
        " json_encoder=."
    )


def _leaf_fails(value: Any, encoder: type[json.JSONEncoder] | None) -> bool:
    try:
        json.dumps(value, cls=encoder, allow_nan=False)
    except Exception:  # a probe: whatever the caller's encoder raises counts as failing
        return True
    return False


def _find_unserialisable(
    value: Any, path: str, how: tuple[type[json.JSONEncoder] | None, bool], seen: set[int]
) -> tuple[str, str] | None:
    """(path, what it is) of the first value JSON refuses, depth first, or None; ``how`` is
    the encoder and whether keys were sorted."""
    if id(value) in seen:
        return path, "a reference back to an enclosing container (a cycle)"
    if path.count("[") > _MAX_PATH_DEPTH:
        return None
    if isinstance(value, dict):
        seen = seen | {id(value)}
        items = list(value.items())
        if how[1]:  # written with sorted keys: the first failure is the first in that order
            with contextlib.suppress(TypeError, ValueError):
                items.sort(key=lambda pair: pair[0])
        for key, item in items:
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return path, f"a dict with {_a(type(key).__name__)} key (keys must be strings)"
            found = _find_unserialisable(item, f"{path}[{_json_key(key)}]", how, seen)
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)):
        seen = seen | {id(value)}
        for index, item in enumerate(value):
            found = _find_unserialisable(item, f"{path}[{index}]", how, seen)
            if found:
                return found
        return None
    if _leaf_fails(value, how[0]):
        if isinstance(value, float):
            return path, "a float that is not finite (JSON has no NaN or Infinity)"
        return path, _a(type(value).__name__)
    return None


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _json_key(key: object) -> str:
    return f'"{escape(key, _MAX_NAME)}"'
