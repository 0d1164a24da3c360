"""The PyJWT release whose API the face implements, and jwtlite's own version."""

from __future__ import annotations

from .. import __version__ as jwtlite_version

__all__ = ["PYJWT_API_VERSION", "jwtlite_version"]

#: ``jwt.__version__`` under ``install_as_pyjwt()``. Packages built on PyJWT read it to choose
#: between PyJWT 1.x and 2.x behaviour (1.x returned bytes from ``encode``), so it names the
#: PyJWT API this face follows, not jwtlite's release; that is ``jwt.__jwtlite_version__``.
PYJWT_API_VERSION = "2.15.1"
