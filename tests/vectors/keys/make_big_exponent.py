"""Write ``rsa4096_e255.json``: a 4096-bit RSA private JWK whose public exponent has 255 bits.

Such keys are allowed (FIPS 186-5: e < 2^256) but OpenSSL refuses exponents above 64 bits
for moduli above 3072 bits, and ``cryptography`` cannot generate them; the primes come from
jwtlite's own FIPS 186-5 A.1.3 prime generator. Run from the repository root:
``python tests/vectors/keys/make_big_exponent.py``.
"""

from __future__ import annotations

import json
import math
import secrets
from pathlib import Path

from jwtlite.backends.pure._primes import random_prime
from jwtlite.jwk import key_to_jwk
from jwtlite.keys import RSAPrivateKey


def main() -> None:
    e = secrets.randbits(255) | 1 << 254 | 1
    while True:
        p, q = random_prime(2048, e), random_prime(2048, e)
        if abs(p - q) > 1 << 1948:
            break
    d = pow(e, -1, (p - 1) // math.gcd(p - 1, q - 1) * (q - 1))
    key = RSAPrivateKey(p * q, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p))
    out = Path(__file__).with_name("rsa4096_e255.json")
    out.write_text(json.dumps(key_to_jwk(key), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
