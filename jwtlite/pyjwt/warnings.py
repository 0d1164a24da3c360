"""PyJWT's ``jwt.warnings``."""

from __future__ import annotations

import warnings

from ..exceptions import InsecureKeyLengthWarning

__all__ = ["InsecureKeyLengthWarning", "RemovedInPyjwt3Warning"]


class RemovedInPyjwt3Warning(DeprecationWarning):
    """A PyJWT 2 usage that PyJWT 3 removes (for example unknown keyword arguments to decode);
    jwtlite warns where PyJWT does, so code written for PyJWT sees the same warnings."""


def unsupported_kwargs(function: str, kwargs: dict[str, object]) -> None:
    """Warn, as PyJWT does, that ``kwargs`` were passed to ``function`` and are ignored."""
    if kwargs:
        warnings.warn(
            f"passing additional kwargs to {function}() is deprecated and will be removed in"
            f" pyjwt version 3. Unsupported kwargs: {tuple(kwargs)}",
            RemovedInPyjwt3Warning,
            stacklevel=3,
        )
