"""Keys handed back to PyJWT-era callers: ``cryptography`` objects when it is installed.

The conversion is shared with the python-jose face and lives in :mod:`jwtlite._key_export`.
"""

from __future__ import annotations

from .._key_export import export_key, is_cryptography_key

__all__ = ["export_key", "is_cryptography_key"]
