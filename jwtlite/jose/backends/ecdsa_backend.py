"""python-jose's ``jose.backends.ecdsa_backend``, on jwtlite's pure-Python backend.

python-jose used the ``ecdsa`` package here (whose signing is open to a timing attack,
CVE-2024-23342); jwtlite's pure backend stands in: RFC 6979 deterministic nonces, checked
points, and the same key class API.
"""

from __future__ import annotations

import hashlib

from ._asymmetric import ECKeyBase

__all__ = ["ECDSAECKey"]


class ECDSAECKey(ECKeyBase):
    """ES256/384/512 on jwtlite's pure backend."""

    SHA256 = hashlib.sha256
    SHA384 = hashlib.sha384
    SHA512 = hashlib.sha512
    _backend_name = "pure"
