"""AES-GCM, AES-CBC and AES key wrap: the pure backend against the ``cryptography`` backend
(issue 21, the primitives under JWE).

Run: ``python tests/benchmarks/bench_aes.py``. A report, not a test: it always exits 0.

Every row calls a backend method (``get_backend("pure").aes_gcm_decrypt(...)``), so both
backends do exactly the same job on the same bytes. Rows marked "same key" reuse one key, as a
``dir`` key or a key-wrapping key is reused; the pure backend then finds its key schedule and
GHASH tables in its cache. Rows marked "new key" cycle through 64 keys, more than the caches
hold, so every call pays for the key schedule (and for GCM, H and its table), as a per-token
content key does.

The goal of issue 21: on the pure backend, a ``dir`` + ``A256GCM`` and a ``dir`` +
``A256CBC-HS512`` JWE carrying about 1 KB of claims decrypts in at most 2 ms. Until the JWE
engine lands, the "JWE decrypt" rows do the work of RFC 7516 §5.2 around the primitive by
hand: split the compact form, base64url-decode four parts, decrypt (for CBC-HS512 first the
HMAC-SHA-512 check of RFC 7518 §5.2.2.2), and parse the claims JSON.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable
from functools import partial
from typing import Any

import _timing

import jwtlite
from jwtlite.b64url import b64url_decode, b64url_encode
from jwtlite.backends import Backend, get_backend

#: About 1 KB of claims: the payload of the other benchmarks plus a list of roles.
CLAIMS: dict[str, Any] = {
    **_timing.PAYLOAD,
    "roles": [f"role-{i:03d}-with-a-longer-name" for i in range(30)],
}
CLAIMS_JSON = json.dumps(CLAIMS, separators=(",", ":")).encode()
KB = bytes(range(256)) * 4
LARGE = os.urandom(64 * 1024)
KEY32 = hashlib.sha256(b"jwtlite AES benchmark key").digest()
KEY64 = hashlib.sha512(b"jwtlite AES-CBC-HS512 benchmark key").digest()
KEYS = [hashlib.sha256(bytes([i])).digest() for i in range(64)]
IV12, IV16 = bytes(range(12)), bytes(range(16))
GOAL_SECONDS = 0.002


def _cycling(fn: Callable[[bytes], object]) -> Callable[[], object]:
    """Call ``fn`` with the next of 64 keys each time: every call a cache miss."""
    state = {"i": 0}

    def call() -> object:
        state["i"] = (state["i"] + 1) % len(KEYS)
        return fn(KEYS[state["i"]])

    return call


def _gcm_rows(label: str, backend: Backend) -> list[tuple[str, Callable[[], object]]]:
    ct, tag = backend.aes_gcm_encrypt(KEY32, IV12, KB, b"aad")
    sealed = {k: backend.aes_gcm_encrypt(k, IV12, KB, b"aad") for k in KEYS}
    dec, enc = backend.aes_gcm_decrypt, backend.aes_gcm_encrypt

    def dec_new(k: bytes) -> object:
        return dec(k, IV12, sealed[k][0], b"aad", sealed[k][1])

    return [
        (f"{label} GCM decrypt 1 KB, same key", lambda: dec(KEY32, IV12, ct, b"aad", tag)),
        (f"{label} GCM decrypt 1 KB, new key", _cycling(dec_new)),
        (f"{label} GCM encrypt 1 KB, same key", lambda: enc(KEY32, IV12, KB, b"aad")),
        (f"{label} GCM encrypt 1 KB, new key", _cycling(lambda k: enc(k, IV12, KB, b"aad"))),
    ]


def _cbc_rows(label: str, backend: Backend) -> list[tuple[str, Callable[[], object]]]:
    ct = backend.aes_cbc_encrypt(KEY32, IV16, KB)
    sealed = {k: backend.aes_cbc_encrypt(k, IV16, KB) for k in KEYS}
    dec, enc = backend.aes_cbc_decrypt, backend.aes_cbc_encrypt
    return [
        (f"{label} CBC decrypt 1 KB, same key", lambda: dec(KEY32, IV16, ct)),
        (f"{label} CBC decrypt 1 KB, new key", _cycling(lambda k: dec(k, IV16, sealed[k]))),
        (f"{label} CBC encrypt 1 KB, same key", lambda: enc(KEY32, IV16, KB)),
    ]


def _wrap_rows(label: str, backend: Backend) -> list[tuple[str, Callable[[], object]]]:
    rows: list[tuple[str, Callable[[], object]]] = []
    for cek in (KEY32, KEY64):
        wrapped = backend.aes_key_wrap(KEY32, cek)
        rows += [
            (f"{label} wrap {len(cek)} B", partial(backend.aes_key_wrap, KEY32, cek)),
            (f"{label} unwrap {len(cek)} B", partial(backend.aes_key_unwrap, KEY32, wrapped)),
        ]
    return rows


def _throughput_rows(label: str, backend: Backend) -> list[tuple[str, Callable[[], object]]]:
    ct, tag = backend.aes_gcm_encrypt(KEY32, IV12, LARGE, b"")
    cbc = backend.aes_cbc_encrypt(KEY32, IV16, LARGE)
    return [
        (f"{label} GCM decrypt 64 KB", lambda: backend.aes_gcm_decrypt(KEY32, IV12, ct, b"", tag)),
        (f"{label} GCM encrypt 64 KB", lambda: backend.aes_gcm_encrypt(KEY32, IV12, LARGE, b"")),
        (f"{label} CBC decrypt 64 KB", lambda: backend.aes_cbc_decrypt(KEY32, IV16, cbc)),
        (f"{label} CBC encrypt 64 KB", lambda: backend.aes_cbc_encrypt(KEY32, IV16, LARGE)),
    ]


# --- the JWE decrypt rows (RFC 7516 §5.2 by hand, until the JWE engine lands) ----------------


def _cbc_hs512_tag(aad: bytes, iv: bytes, ct: bytes) -> bytes:
    """RFC 7518 §5.2.2.1: HMAC-SHA-512 over AAD || IV || C || AL, truncated to 32 bytes."""
    al = (8 * len(aad)).to_bytes(8, "big")
    return hmac.digest(KEY64[:32], aad + iv + ct + al, "sha512")[:32]


def _jwe_tokens(backend: Backend) -> tuple[str, str]:
    parts = []
    for enc in ("A256GCM", "A256CBC-HS512"):
        protected = b64url_encode(json.dumps({"alg": "dir", "enc": enc}).encode())
        aad = protected.encode()
        if enc == "A256GCM":
            iv = IV12
            ct, tag = backend.aes_gcm_encrypt(KEY32, iv, CLAIMS_JSON, aad)
        else:
            iv = IV16
            ct = backend.aes_cbc_encrypt(KEY64[32:], iv, CLAIMS_JSON)
            tag = _cbc_hs512_tag(aad, iv, ct)
        parts.append(".".join([protected, "", *(b64url_encode(p) for p in (iv, ct, tag))]))
    return parts[0], parts[1]


def _jwe_decrypt(backend: Backend, token: str) -> Any:
    protected, _, iv_b64, ct_b64, tag_b64 = token.split(".")
    header = json.loads(b64url_decode(protected))
    iv, ct, tag = b64url_decode(iv_b64), b64url_decode(ct_b64), b64url_decode(tag_b64)
    aad = protected.encode()
    if header["enc"] == "A256GCM":
        plain = backend.aes_gcm_decrypt(KEY32, iv, ct, aad, tag)
    else:
        good = hmac.compare_digest(_cbc_hs512_tag(aad, iv, ct), tag)
        plain = backend.aes_cbc_decrypt(KEY64[32:], iv, ct) if good else None
    if plain is None:
        raise SystemExit("the JWE did not decrypt")
    return json.loads(plain)


def _jwe_rows(label: str, backend: Backend) -> list[tuple[str, Callable[[], object]]]:
    gcm_token, cbc_token = _jwe_tokens(backend)
    return [
        (f"{label} dir+A256GCM", lambda: _jwe_decrypt(backend, gcm_token)),
        (f"{label} dir+A256CBC-HS512", lambda: _jwe_decrypt(backend, cbc_token)),
    ]


def _backends() -> list[tuple[str, Backend]]:
    found = [("pure", get_backend("pure"))]
    if _timing.optional_import("cryptography", "cryptography") is not None:
        found.append(("cryptography", get_backend("cryptography")))
    return found


def _table(
    title: str,
    rows: Callable[[str, Backend], list[tuple[str, Callable[[], object]]]],
    backends: list[tuple[str, Backend]],
) -> dict[str, _timing.Stats]:
    contenders = [row for label, backend in backends for row in rows(label, backend)]
    stats = _timing.run(contenders)
    _timing.print_table(title, stats)
    return stats


def _print_throughput(stats: dict[str, _timing.Stats]) -> None:
    print("== Throughput (MB/s = 10^6 bytes per second, from the best and the median time)")
    for name, s in stats.items():
        size = len(LARGE) if "64 KB" in name else len(KB)
        best, median = size / s.best / 1e6, size / s.median / 1e6
        print(f"  {name:<42} {best:9.2f} MB/s  (median {median:.2f})")
    print()


def main() -> None:
    _timing.header_line("bench_aes.py: AES-GCM, AES-CBC, AES key wrap")
    backends = _backends()
    versions = {"jwtlite": jwtlite.__version__}
    if len(backends) > 1:
        import cryptography

        versions["cryptography"] = cryptography.__version__
    _timing.print_machine(versions)
    print(f"1 KB rows: {len(KB)} bytes of text, AES-256; claims JSON: {len(CLAIMS_JSON)} bytes\n")

    gcm = _table("AES-256-GCM, 1 KB", _gcm_rows, backends)
    cbc = _table("AES-256-CBC + PKCS#7, 1 KB", _cbc_rows, backends)
    _table("AES key wrap (RFC 3394), 256-bit KEK", _wrap_rows, backends)
    large = _table("64 KB messages, same key", _throughput_rows, backends)
    _print_throughput({**gcm, **cbc, **large})
    jwe = _table(f"JWE decrypt by hand, {len(CLAIMS_JSON)} bytes of claims", _jwe_rows, backends)

    print(f"Goals (absolute, best time; goal <= {GOAL_SECONDS * 1e3:.0f} ms on the pure backend):")
    for name in ("pure dir+A256GCM", "pure dir+A256CBC-HS512"):
        s = jwe[name]
        verdict = "PASS" if s.best <= GOAL_SECONDS else "FAIL"
        noisy = "" if (s.median <= GOAL_SECONDS) == (s.best <= GOAL_SECONDS) else "  [noisy]"
        print(f"  {verdict}  {name}: {_timing.fmt_time(s.best).strip()} (median"
              f" {_timing.fmt_time(s.median).strip()}){noisy}")  # fmt: skip
    print()


if __name__ == "__main__":
    main()
