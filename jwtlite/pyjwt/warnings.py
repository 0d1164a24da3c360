"""PyJWT's ``jwt.warnings``."""

from __future__ import annotations

import warnings

# One class each, defined natively, so a warning from jwtlite's own API and one from this face
# are caught by the same ``except``/``pytest.warns``.
from ..exceptions import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

__all__ = ["InsecureKeyLengthWarning", "RemovedInPyjwt3Warning"]


def unsupported_kwargs(function: str, kwargs: dict[str, object]) -> None:
    """Warn, as PyJWT does, that ``kwargs`` were passed to ``function`` and are ignored."""
    if kwargs:
        warnings.warn(
            f"passing additional kwargs to {function}() is deprecated and will be removed in"
            f" pyjwt version 3. Unsupported kwargs: {tuple(kwargs)}",
            RemovedInPyjwt3Warning,
            stacklevel=3,
        )
