"""python-jose's ``jose.backends``: the key class chosen for each kind of key.

As in python-jose, the ``cryptography_backend`` classes when ``cryptography`` is installed
(they hand back ``cryptography`` key objects), else the pure ones: ``rsa_backend.RSAKey`` and
``ecdsa_backend.ECDSAECKey`` on jwtlite's pure backend (no ``rsa`` or ``ecdsa`` package), and
``native.HMACKey``. Without ``cryptography`` python-jose has no ``AESKey`` (None); the face has
``native.AESKey``, on jwtlite's pure AES.
"""

from __future__ import annotations

from . import ecdsa_backend, native, rsa_backend
from ._asymmetric import ECKeyBase, RSAKeyBase
from ._symmetric import AESKeyBase, HMACKeyBase
from .base import DIRKey
from .native import get_random_bytes

RSAKey: type[RSAKeyBase]
ECKey: type[ECKeyBase]
AESKey: type[AESKeyBase]
HMACKey: type[HMACKeyBase]
try:
    from . import cryptography_backend
except ImportError:  # cryptography is not installed
    RSAKey = rsa_backend.RSAKey
    ECKey = ecdsa_backend.ECDSAECKey
    AESKey = native.AESKey
    HMACKey = native.HMACKey
else:
    RSAKey = cryptography_backend.CryptographyRSAKey
    ECKey = cryptography_backend.CryptographyECKey
    AESKey = cryptography_backend.CryptographyAESKey
    HMACKey = cryptography_backend.CryptographyHMACKey

__all__ = ["AESKey", "DIRKey", "ECKey", "HMACKey", "RSAKey", "get_random_bytes"]
