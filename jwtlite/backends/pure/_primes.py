"""Random probable primes for RSA key generation (FIPS 186-5 Appendix A.1.3 and B.3).

Candidates come from :mod:`secrets`. Each one is screened by trial division against the small
primes (one ``gcd`` with their product), then tested with Miller-Rabin (FIPS 186-5 B.3.1) using
the round counts of FIPS 186-5 Table B.1.
"""

from __future__ import annotations

import math
import secrets
from functools import lru_cache

__all__ = ["miller_rabin_rounds", "is_probable_prime", "random_prime"]

#: Trial division bound. Primes below 2**12 remove about 87% of odd candidates for one cheap
#: ``gcd`` each, so far fewer modular exponentiations are spent on composites.
_TRIAL_DIVISION_BOUND = 4096

#: FIPS 186-5 Table B.1, "M-R tests only" for p and q, at the stronger of the two error
#: probabilities it lists: 2**-112 for 1024-bit primes, 2**-128 for 1536, 2**-144 for 2048.
#: Sizes between rows use the row below (more rounds); 512-bit primes use the 7 rounds of
#: FIPS 186-4 Table C.3, which is also the floor for anything smaller.
_MR_ROUNDS = ((2048, 4), (1536, 4), (1024, 5), (0, 7))


def miller_rabin_rounds(prime_bits: int) -> int:
    """Miller-Rabin rounds for a prime of ``prime_bits`` bits (FIPS 186-5 Table B.1)."""
    for min_bits, rounds in _MR_ROUNDS:
        if prime_bits >= min_bits:
            return rounds
    return _MR_ROUNDS[-1][1]  # pragma: no cover - the last row matches every size


@lru_cache(maxsize=1)
def _small_primes_product() -> int:
    """:func:`_build_small_primes_product`, computed once."""
    return _build_small_primes_product()


def _build_small_primes_product() -> int:
    """The product of the odd primes below the trial division bound (a sieve of Eratosthenes).

    Undecorated, apart from its cache, so that mutation testing reaches it.
    """
    sieve = bytearray([1]) * _TRIAL_DIVISION_BOUND
    sieve[0:2] = b"\x00\x00"
    for i in range(2, math.isqrt(_TRIAL_DIVISION_BOUND) + 1):
        if sieve[i]:
            sieve[i * i :: i] = bytes(len(range(i * i, _TRIAL_DIVISION_BOUND, i)))
    return math.prod(i for i in range(3, _TRIAL_DIVISION_BOUND) if sieve[i])


def is_probable_prime(w: int, rounds: int) -> bool:
    """Miller-Rabin probabilistic primality test (FIPS 186-5 B.3.1) for an odd ``w > 3``."""
    # Step 1: w - 1 = 2**a * m with m odd.
    a = ((w - 1) & -(w - 1)).bit_length() - 1
    m = (w - 1) >> a
    for _ in range(rounds):
        # Step 4.1-4.2: a random base b with 1 < b < w - 1.
        b = secrets.randbelow(w - 3) + 2
        z = pow(b, m, w)
        if z in (1, w - 1):
            continue
        for _ in range(a - 1):
            z = z * z % w
            if z == w - 1:
                break
            if z == 1:
                return False
        else:
            return False
    return True


def random_prime(bits: int, e: int) -> int:
    """A random probable prime of exactly ``bits`` bits with its top two bits set and
    ``gcd(e, p - 1) == 1`` (FIPS 186-5 A.1.3 steps 4.2-4.5 / 5.2-5.6).

    Setting the top two bits keeps ``p >= 0.75 * 2**bits > sqrt(2) * 2**(bits - 1)``, the
    lower bound of A.1.3 step 4.4, and makes the product of two such primes exactly
    ``2 * bits`` bits long.
    """
    top = 0b11 << (bits - 2)
    product = _small_primes_product()
    rounds = miller_rabin_rounds(bits)
    while True:
        candidate = secrets.randbits(bits) | top | 1
        if math.gcd(candidate, product) != 1 or math.gcd(e, candidate - 1) != 1:
            continue
        if is_probable_prime(candidate, rounds):
            return candidate
