"""jwtlite quickstart: issue a token, verify it, and see the failures you should expect.

Run from a clone:  python -m pip install . && python docs/examples/quickstart.py
"""

from __future__ import annotations

import secrets
import time

import jwtlite as jwt


def main() -> None:
    backend = jwt.backends.get_backend().name
    print(f"jwtlite {jwt.__version__} (crypto backend: {backend})\n")

    # 1. HS256 with a strong shared secret (at least 32 bytes, RFC 7518 §3.2).
    secret = secrets.token_bytes(32)
    now = int(time.time())
    claims = {"sub": "alice", "iss": "https://auth.example", "aud": "api", "iat": now,
              "exp": now + 900}  # fmt: skip
    token = jwt.encode(claims, secret, algorithm="HS256")
    print("HS256 token:", token)
    decoded = jwt.decode(
        token, secret, algorithms=["HS256"], audience="api", issuer="https://auth.example"
    )
    print("verified claims:", decoded)

    # 2. What a server sees when things go wrong: every failure is a jwtlite exception.
    expired = jwt.encode({**claims, "exp": now - 1}, secret, algorithm="HS256")
    header, _, signature = token.split(".")
    forged_claims = jwt.b64url.b64url_encode(b'{"sub":"admin","aud":"api"}')
    tampered = f"{header}.{forged_claims}.{signature}"  # claims swapped, signature kept
    for label, bad in [("expired", expired), ("tampered", tampered), ("junk", "a.b")]:
        try:
            jwt.decode(bad, secret, algorithms=["HS256"], audience="api")
        except jwt.InvalidTokenError as exc:
            print(f"{label:>8}: rejected ({type(exc).__name__}: {exc})")

    # 3. Public-key signatures: a fresh Ed25519 key, signed with the private half and
    #    verified with the public half only.
    private_key = jwt.generate_key("EdDSA")
    signed = jwt.encode(claims, private_key, algorithm="EdDSA")
    public_pem = jwt.keys.dump_pem(private_key.public_key())
    print("\nEdDSA public key:\n" + public_pem.strip())
    print("EdDSA verified:", jwt.decode(signed, public_pem, algorithms=["EdDSA"], audience="api"))


if __name__ == "__main__":
    main()
