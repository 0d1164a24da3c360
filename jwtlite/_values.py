"""The shapes a value must have, checked once where it enters: one helper per shape.

Callers pass arguments of any type, and JSON hands over values of any size. The standard
library answers a wrong one with the wrong exception: ``float(10**400)`` and
``math.isfinite(10**400)`` raise OverflowError, ``str(10**5000)`` ValueError, ``"x\\ud800"``
.encode() UnicodeEncodeError, ``"a" in 5`` TypeError, ``5.get`` AttributeError. The public API
raises only jwtlite's exceptions (docs/architecture.md), so every such value is checked here
first and refused with :class:`~jwtlite.exceptions.InvalidArgumentError` (a caller's argument)
or whatever error the caller names (a key, a token); each helper names the argument in its
message, and none of them raises anything else.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from ._escape import escape
from .exceptions import InvalidArgumentError, InvalidValueError, PyJWTError

__all__ = ["finite", "mapping", "names", "number", "octets", "text", "utf8"]

#: The largest integer a float holds without overflowing (about 1.8e308).
_FLOAT_MAX = int(sys.float_info.max)


def finite(value: object) -> float | None:
    """``value`` as a float if it is a real number a float can hold: an ``int`` (never a
    ``bool``) within the float range or a finite ``float``; else None. Never raises."""
    if type(value) is float or isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value) if -_FLOAT_MAX <= value <= _FLOAT_MAX else None
    return None


def number(
    value: object, name: str, *, low: float | None = None, high: float | None = None
) -> float:
    """A caller's number (of seconds, usually) as a float, between ``low`` and ``high``.

    Raises:
        InvalidArgumentError: a bool or a non-number, NaN or an infinity, an integer no float
            holds, or a value outside the bounds.
    """
    result = finite(value)
    if result is None:
        raise InvalidArgumentError(f"{name} must be a finite number, not {_shown(value)}")
    if (low is not None and result < low) or (high is not None and result > high):
        bounds = f"between {low:g} and {high:g}" if low is not None and high is not None else (
            f"at least {low:g}" if low is not None else f"at most {high:g}"
        )
        raise InvalidArgumentError(f"{name} must be {bounds}, not {_shown(value)}")
    return result


def text(value: object, name: str) -> str:
    """A caller's string (InvalidArgumentError for anything else, bytes included)."""
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, not {type(value).__name__}")
    return value


def names(value: object, name: str) -> tuple[str, ...]:
    """One name or a collection of names (``algorithms``, ``require``) as a tuple of strings.

    A string stands for itself, never for its characters; bytes, a mapping's values, a number
    and members that are not strings are refused with InvalidArgumentError.
    """
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (bytes, bytearray, Mapping)) or not isinstance(value, Iterable):
        raise InvalidArgumentError(
            f"{name} must be a list of strings, not {type(value).__name__}"
        )
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise InvalidArgumentError(
                f"{name} must be a list of strings; it holds a {type(item).__name__}"
            )
    return items


def octets(value: object, name: str) -> bytes:
    """A caller's octets as bytes: bytes, or any object with the buffer protocol (bytearray,
    memoryview, array.array, mmap, a numpy array), which ``hmac``, ``hashlib`` and
    ``cryptography`` all take. InvalidArgumentError (a ``TypeError``, what they raise for the
    others) for anything else, str included: text has no octets until someone chooses an
    encoding; InvalidValueError (a ``ValueError``, as Python's) for a released memoryview."""
    if isinstance(value, bytes):
        return value
    try:
        view = memoryview(value)  # type: ignore[arg-type]
    except TypeError:  # no buffer: an int here would have made that many zero octets
        raise InvalidArgumentError(f"{name} must be bytes, not {type(value).__name__}") from None
    except ValueError:  # a released memoryview
        raise InvalidValueError(f"{name} is a released buffer") from None
    with view:
        return view.tobytes()


def mapping(value: object, name: str) -> Mapping[str, Any] | None:
    """A caller's dict (``headers``, ``options``), or None; InvalidArgumentError otherwise."""
    if value is None or isinstance(value, Mapping):
        return value
    raise InvalidArgumentError(f"{name} must be a dict, not {type(value).__name__}")


def utf8(
    value: str, name: str, error: type[PyJWTError] = InvalidArgumentError
) -> bytes:
    """``value`` as UTF-8; a lone surrogate (``"\\ud800"``, or ``"\\udcff"`` from a command
    line that was not UTF-8) has no UTF-8 form and raises ``error`` naming ``name``."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise error(
            f"{name} is not valid text: it holds a lone surrogate at position {exc.start}"
        ) from None


def _shown(value: object) -> str:
    """``value`` in a message: numbers as written (a huge one described), others by type."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return escape(value, 40)
    return type(value).__name__
