"""JWE's AES primitives over ``cryptography`` (pyca, OpenSSL): GCM, CBC with PKCS#7 padding, and
RFC 3394 key wrap, for the cryptography backend.

The sizes are checked first, with the pure backend's checks and errors (``_aes_sizes``), so
OpenSSL's ValueErrors for them never surface; authenticity failures become None.

Importing this module raises ImportError when ``cryptography`` is missing, as the backend does.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from ._aes_sizes import BLOCK_SIZE, GCM_TAG_SIZE, check_key, check_key_and_iv, check_wrap_input

__all__ = ["cbc_decrypt", "cbc_encrypt", "gcm_decrypt", "gcm_encrypt", "key_unwrap", "key_wrap"]


def gcm_encrypt(key: bytes, iv: bytes, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    check_key_and_iv(key, iv, "GCM")
    sealed = AESGCM(key).encrypt(iv, plaintext, aad)
    return sealed[:-GCM_TAG_SIZE], sealed[-GCM_TAG_SIZE:]


def gcm_decrypt(key: bytes, iv: bytes, ciphertext: bytes, aad: bytes, tag: bytes) -> bytes | None:
    check_key_and_iv(key, iv, "GCM")
    # AESGCM takes ciphertext || tag and would read a short tag's bytes from the text.
    if len(tag) != GCM_TAG_SIZE:
        return None
    try:
        return AESGCM(key).decrypt(iv, ciphertext + tag, aad)
    except InvalidTag:
        return None


def cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    check_key_and_iv(key, iv, "CBC")
    padder = padding.PKCS7(8 * BLOCK_SIZE).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes | None:
    check_key_and_iv(key, iv, "CBC")
    if not ciphertext or len(ciphertext) % BLOCK_SIZE:
        return None
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(8 * BLOCK_SIZE).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:  # bad padding; cryptography checks it in constant time
        return None


def key_wrap(kek: bytes, key: bytes) -> bytes:
    check_key(kek, "AES key-encryption key")
    check_wrap_input(key)
    return aes_key_wrap(kek, key)


def key_unwrap(kek: bytes, wrapped: bytes) -> bytes | None:
    check_key(kek, "AES key-encryption key")
    # RFC 3394 §2.2.2: n >= 2 blocks of 64 bits plus the integrity block.
    if len(wrapped) % 8 or len(wrapped) < 24:
        return None
    try:
        return aes_key_unwrap(kek, wrapped)
    except InvalidUnwrap:
        return None
