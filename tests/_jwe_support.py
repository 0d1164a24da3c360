"""What the JWE tests share: which backend methods an ``alg``/``enc`` needs, and the skips.

Issue 21 lands in three branches: the JWE engine (above the backend seam) and the primitives
on each backend. A test parametrised by the ``backend`` fixture skips a backend ONLY when it
lacks a method the vector needs (checked with ``hasattr``), or when X25519/X448 JWKs do not
load yet (checked by loading one), so the tests switch on by themselves once the primitives
are merged. Nothing is skipped by backend name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from jwtlite._jwa import ENCRYPTIONS, JWE_ALGORITHMS
from jwtlite.exceptions import PyJWTError
from jwtlite.jwk import key_from_jwk

_FAMILY_METHODS = {
    "dir": (),
    "rsa1_5": ("rsa_pkcs1v15_encrypt", "rsa_pkcs1v15_decrypt"),
    "rsa-oaep": ("rsa_oaep_encrypt", "rsa_oaep_decrypt"),
    "aes-kw": ("aes_key_wrap", "aes_key_unwrap"),
    "aes-gcm-kw": ("aes_gcm_encrypt", "aes_gcm_decrypt"),
    "ecdh-es": ("ecdh",),  # X25519/X448 tests add "xdh" and "xdh_public_key"
    "ecdh-es-kw": ("ecdh", "aes_key_wrap", "aes_key_unwrap"),
    "pbes2": ("aes_key_wrap", "aes_key_unwrap"),
}
_ENC_METHODS = {
    "aes-gcm": ("aes_gcm_encrypt", "aes_gcm_decrypt"),
    "aes-cbc-hmac": ("aes_cbc_encrypt", "aes_cbc_decrypt"),
}


def missing_methods(
    backend: Any, algs: Iterable[str], encs: Iterable[str], extra: Iterable[str] = ()
) -> list[str]:
    """The backend methods ``algs`` and ``encs`` (and ``extra``) need that ``backend`` lacks."""
    needed: set[str] = set(extra)
    for alg in algs:
        needed.update(_FAMILY_METHODS[JWE_ALGORITHMS[alg].family])
    for enc in encs:
        needed.update(_ENC_METHODS[ENCRYPTIONS[enc].family])
    return sorted(name for name in needed if not hasattr(backend, name))


def require(
    backend: Any, algs: Iterable[str], encs: Iterable[str], extra: Iterable[str] = ()
) -> None:
    """Skip unless ``backend`` has every primitive the ``algs`` and ``encs`` need."""
    missing = missing_methods(backend, algs, encs, extra)
    if missing:
        pytest.skip(
            f"the {backend.name} backend has no {', '.join(missing)} yet "
            "(issue 21: the primitives branches)"
        )


def okp_agreement_keys_load() -> bool:
    """Whether X25519 JWKs load (the key model/JWK loader part of issue 21)."""
    x = "3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08"  # RFC 8037 A.6's Bob
    try:
        key_from_jwk({"kty": "OKP", "crv": "X25519", "x": x})
    except PyJWTError:
        return False
    return True


def require_okp_agreement_keys() -> None:
    if not okp_agreement_keys_load():
        pytest.skip("X25519/X448 JWKs do not load yet (issue 21: the key-loading branch)")


#: The X25519/X448 primitives, for ``require(..., extra=XDH)``.
XDH = ("xdh", "xdh_public_key", "generate_okp")
