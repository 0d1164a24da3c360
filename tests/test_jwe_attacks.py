"""An attacker's review of JWE (issue 21): each test is one attack on ``jwtlite.jwe``,
``jwtlite.jwe_jwt`` or the key handling beneath them.

Tests named ``test_..._was_...`` failed on the code as it landed and hold the fix; the others
pin what already held (the RSA1_5 countermeasure down to the exception's cause and traceback,
invalid ephemeral keys, key binding, fresh IVs), so a later change cannot loosen it unseen.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from _jwe_support import require

import jwtlite
from jwtlite import jwe
from jwtlite.backends import Backend
from jwtlite.b64url import b64url_encode
from jwtlite.exceptions import InvalidArgumentError, InvalidSignatureError
from jwtlite.jwe_jwt import decrypt_jwt

KEY = bytes(range(32))
DIR = {"algorithms": ["dir"], "encryptions": ["A256GCM"]}


# --- nested JWTs: the inner signature is always verified ---------------------------------------


@pytest.mark.parametrize("off", [False, 0, None, "", [], 0.0])
def test_no_falsy_verify_signature_skips_the_inner_signature_was_only_false(
    off: Any, backend: Backend
) -> None:
    """``options={"verify_signature": 0}`` (or None, "", []) reads as off to the claims layer;
    decrypt_jwt refused only ``False`` itself, so a nested JWT signed by anyone passed."""
    require(backend, ["dir"], ["A256GCM"])
    forged = jwtlite.encode({"sub": "admin"}, b"attacker's own key, 32 bytes long", "HS256")
    token = jwe.encrypt(forged, KEY, alg="dir", enc="A256GCM", headers={"cty": "JWT"})
    honest = b"the verifier's key, 32 bytes long!"
    with pytest.raises(InvalidArgumentError, match="always verifies"):
        decrypt_jwt(token, KEY, verify_key=honest, verify_algorithms=["HS256"],
                    options={"verify_signature": off}, **DIR)  # fmt: skip
    with pytest.raises(InvalidSignatureError):
        decrypt_jwt(token, KEY, verify_key=honest, verify_algorithms=["HS256"], **DIR)
