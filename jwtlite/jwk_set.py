"""Key selection for one JWS operation; kept as a module name for earlier imports.

The selection rules live in :mod:`jwtlite.jwk` beside the :class:`~jwtlite.jwk.PyJWK` and
:class:`~jwtlite.jwk.PyJWKSet` classes they read.
"""

from __future__ import annotations

from .jwk import resolve_key

__all__ = ["resolve_key"]
