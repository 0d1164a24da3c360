"""python-jose's module tree over jwtlite: what ``import jose`` gives after
:func:`jwtlite.install_as_jose`.

The public modules and names of python-jose 3.5 (``jose.jwt``, ``jose.jws``, ``jose.jwe``,
``jose.jwk``,
``jose.constants``, ``jose.exceptions``, ``jose.utils``, ``jose.backends`` and its backend
modules) as thin modules over jwtlite's own: every token is parsed, checked and signed by
jwtlite. The differences that remain are listed, each with its reason, in
docs/migrating-from-python-jose.md. jwtlite's own modules never import this package.
"""

from __future__ import annotations

from . import backends, constants, exceptions, jwe, jwk, jws, jwt, utils
from .exceptions import ExpiredSignatureError, JOSEError, JWSError, JWTError

#: ``jose.__version__``: the python-jose release whose API the face follows.
__version__ = "3.5.0"

#: The submodules ``install_as_jose`` registers as ``jose.<name>``: every module of the face,
#: so that no import under the name ``jose`` loads a second copy of one (the backend that
#: needs ``cryptography`` is left out where that is not installed: importing it fails).
SUBMODULES = (
    "backends", "backends.base", "backends.native", "backends.rsa_backend",
    "backends.ecdsa_backend", "backends.cryptography_backend", "backends._asn1",
    "backends._asymmetric", "backends._keys", "backends._symmetric",
    "constants", "exceptions", "jwe", "jwk", "jws", "jwt", "utils",
)  # fmt: skip

__all__ = [
    "__version__",
    "ExpiredSignatureError",
    "JOSEError",
    "JWSError",
    "JWTError",
    "backends",
    "constants",
    "exceptions",
    "jwe",
    "jwk",
    "jws",
    "jwt",
    "utils",
]
