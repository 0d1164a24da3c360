"""JWE decryption: jwtlite against jwcrypto and joserfc (issue 21), and the pure backend.

Run: ``python tests/benchmarks/bench_jwe.py``. A report, not a test: it always exits 0.

Like is compared with like: every library decrypts the same compact token (1 KB of claims)
with a key object built once, outside the timed loop, and returns the plaintext; jwtlite gets
its model key (or the octets), jwcrypto a ``JWK``, joserfc its key object. The goals of issue
21: with ``cryptography``, decrypting ``RSA-OAEP-256`` + ``A256GCM``, ``ECDH-ES+A256KW`` +
``A256GCM`` and ``dir`` + ``A256CBC-HS512`` takes at most 0.7x the time of each peer; on the
pure backend, ``dir`` + ``A256GCM`` and ``dir`` + ``A256CBC-HS512`` decrypt in at most 2 ms.
The pure rows need the pure JWE primitives; without them they are skipped.

The RSA case also times OpenSSL's RSA-OAEP private-key operation alone, with the key object
jwtlite uses: every library makes that call, so it bounds the ratio any of them can reach, and
the time above it is the JWE layer's own overhead (both printed as INFO lines).
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from typing import Any

import _timing

from jwtlite import jwe
from jwtlite.b64url import b64url_encode
from jwtlite.backends import available_backends, get_backend, set_backend
from jwtlite.jwk import key_to_jwk
from jwtlite.keys import load_key

KEYS = _timing.KEYS
CLAIMS = json.dumps({**_timing.PAYLOAD, "data": "x" * 900}).encode()
RSA = load_key((KEYS / "rsa2048.pem").read_bytes())
EC = load_key((KEYS / "ec_p256.pem").read_bytes())
SECRET = os.urandom(64)
CASES = [
    ("RSA-OAEP-256", "A256GCM", RSA),
    ("ECDH-ES+A256KW", "A256GCM", EC),
    ("dir", "A256CBC-HS512", SECRET),
    ("dir", "A256GCM", SECRET[:32]),
]


def _jwk(key: Any) -> dict[str, Any]:
    if isinstance(key, bytes):
        return {"kty": "oct", "k": b64url_encode(key)}
    return key_to_jwk(key)


def _contenders(alg: str, enc: str, key: Any, token: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [
        ("jwtlite", lambda: jwe.decrypt(token, key, algorithms=[alg], encryptions=[enc])),
    ]
    jwcrypto = _timing.optional_import("jwcrypto.jwe", "jwcrypto")
    if jwcrypto is not None:
        from jwcrypto import jwk as cjwk

        theirs = cjwk.JWK(**_jwk(key))

        def jwcrypto_decrypt() -> bytes:
            reader = jwcrypto.JWE(algs=[alg, enc])
            reader.deserialize(token, key=theirs)
            return bytes(reader.payload)

        out.append(("jwcrypto", jwcrypto_decrypt))
    joserfc = _timing.optional_import("joserfc.jwe", "joserfc")
    if joserfc is not None:
        from joserfc import jwk as fjwk

        data = _jwk(key)
        kind = {"oct": fjwk.OctKey, "RSA": fjwk.RSAKey, "EC": fjwk.ECKey}[data["kty"]]
        fkey = kind.import_key(data)
        out.append(("joserfc", lambda: joserfc.decrypt_compact(
            token, fkey, algorithms=[alg, enc]).plaintext))  # fmt: skip
    for name, fn in out:
        if fn() != CLAIMS:
            raise SystemExit(f"{name} did not decrypt {alg} + {enc}")
    return out


def _rsa_floor(token: str) -> tuple[str, Any]:
    """The one RSA-OAEP-256 private-key operation every library makes, alone: OpenSSL's
    decryption of the JWE Encrypted Key with the same native key object jwtlite uses."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from jwtlite.b64url import b64url_decode
    from jwtlite.backends.cryptography import _rsa_private

    native = _rsa_private(RSA)  # the very object the backend decrypts with
    encrypted_key = b64url_decode(token.split(".")[1])
    oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
    return ("OpenSSL RSA op alone", lambda: native.decrypt(encrypted_key, oaep))


def _print_rsa_overhead(stats: dict[str, _timing.Stats]) -> None:
    """What the RSA goal can be, and jwtlite's overhead above the RSA operation."""
    floor = stats["OpenSSL RSA op alone"].best
    print("RSA-OAEP-256: the private-key operation bounds every ratio from below")
    for peer in ("jwcrypto", "joserfc"):
        if peer not in stats:
            continue
        theirs = stats[peer].best
        print(
            f"  INFO  least possible jwtlite / {peer} (a free JWE layer): {floor / theirs:.3f}x;"
            f" overhead above the RSA op, jwtlite / {peer}:"
            f" {(stats['jwtlite'].best - floor) / (theirs - floor):.3f}x"
        )
    print()


def main() -> None:
    versions = {}
    for name in ("cryptography", "jwcrypto", "joserfc"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    _timing.print_machine(versions)
    goals = []
    stats_all: dict[str, _timing.Stats] = {}
    if "cryptography" in available_backends():
        set_backend("cryptography")
        for alg, enc, key in CASES[:3]:
            public = key if isinstance(key, bytes) else key.public_key()
            token = jwe.encrypt(CLAIMS, public, alg=alg, enc=enc)
            contenders = _contenders(alg, enc, key, token)
            if alg.startswith("RSA"):
                contenders.append(_rsa_floor(token))
            stats = _timing.run(contenders)
            title = f"{alg} + {enc} decrypt, 1 KB of claims, cryptography backend"
            _timing.print_table(title, stats, "jwtlite")
            if alg.startswith("RSA"):
                _print_rsa_overhead(stats)
            for peer in ("jwcrypto", "joserfc"):
                stats_all[f"{alg}/{peer}"] = stats.get(peer)  # type: ignore[assignment]
                stats_all[f"{alg}/jwtlite"] = stats["jwtlite"]
                goals.append(_timing.Goal(f"{alg} + {enc}: jwtlite / {peer}",
                                          f"{alg}/jwtlite", f"{alg}/{peer}", 0.7))  # fmt: skip
    pure = get_backend("pure")
    if hasattr(pure, "aes_gcm_decrypt") and hasattr(pure, "aes_cbc_decrypt"):
        set_backend("pure")
        for alg, enc, key in CASES[2:]:
            token = jwe.encrypt(CLAIMS, key, alg=alg, enc=enc)
            stats = _timing.run([("jwtlite pure", lambda t=token, e=enc, k=key: jwe.decrypt(
                t, k, algorithms=["dir"], encryptions=[e]))])  # fmt: skip
            _timing.print_table(f"dir + {enc} decrypt, pure backend", stats)
            best = stats["jwtlite pure"].best
            print(f"  {'PASS' if best <= 0.002 else 'FAIL'}  pure dir + {enc}: "
                  f"{_timing.fmt_time(best)} (goal: 2 ms)")  # fmt: skip
    else:
        print("SKIP: the pure backend has no AES primitives yet (issue 21)")
    set_backend(None)
    _timing.print_goals(goals, {k: v for k, v in stats_all.items() if v is not None})


if __name__ == "__main__":
    main()
