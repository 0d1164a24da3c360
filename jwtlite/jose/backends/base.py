"""python-jose's ``jose.backends.base``: the ``Key`` interface and the ``dir`` key.

Every key class of the face derives from :class:`Key`; ``jose.jwk.register_key`` accepts any
subclass, as python-jose does. A method a key class does not offer raises
``NotImplementedError``, python-jose's contract for this interface.
"""

from __future__ import annotations

from typing import Any

from ...b64url import b64url_encode
from ._keys import secret_bytes

__all__ = ["DIRKey", "Key"]


class Key:
    """A key for one algorithm (python-jose's interface)."""

    def __init__(self, key: Any, algorithm: str) -> None:
        pass

    def sign(self, msg: bytes) -> bytes:
        raise NotImplementedError

    def verify(self, msg: bytes, sig: bytes) -> bool:
        raise NotImplementedError

    def public_key(self) -> Key:
        raise NotImplementedError

    def to_pem(self) -> bytes:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def encrypt(self, plain_text: bytes, aad: bytes | None = None) -> tuple[bytes, bytes, Any]:
        """``(iv, ciphertext, tag)`` for ``plain_text`` (the tag is None without one)."""
        raise NotImplementedError

    def decrypt(
        self,
        cipher_text: bytes,
        iv: bytes | None = None,
        aad: bytes | None = None,
        tag: bytes | None = None,
    ) -> bytes:
        """The plaintext, once the tag (if the mode has one) is checked."""
        raise NotImplementedError

    def wrap_key(self, key_data: bytes) -> bytes:
        """``key_data`` (a content encryption key) wrapped for this key's holder."""
        raise NotImplementedError

    def unwrap_key(self, wrapped_key: bytes) -> bytes:
        """The key data inside ``wrapped_key``."""
        raise NotImplementedError


class DIRKey(Key):
    """The shared symmetric key of JWE direct encryption (``alg: dir``, RFC 7518 §4.5)."""

    def __init__(self, key_data: Any, algorithm: str) -> None:
        self._key = secret_bytes(key_data)
        self._algorithm = algorithm
        self._alg = algorithm  # python-jose's attribute name

    def to_dict(self) -> dict[str, Any]:
        return {"alg": self._algorithm, "kty": "oct", "k": b64url_encode(self._key)}
