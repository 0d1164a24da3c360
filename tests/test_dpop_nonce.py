"""Server-provided DPoP nonces (RFC 9449 §8, §9): jwtlite.dpop.NonceIssuer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import FakeClock

from jwtlite.dpop import NonceIssuer
from jwtlite.exceptions import InvalidArgumentError

NOW = 1_700_000_020.0  # 40 s into a 60 s period


def test_nonce_syntax_and_lifetime() -> None:
    clock = FakeClock(NOW)
    issuer = NonceIssuer(b"k" * 32, interval=60, clock=clock)
    nonce = issuer.issue()
    assert re.fullmatch(r"[\x21\x23-\x5b\x5d-\x7e]+", nonce)  # §8.1 NQCHAR
    assert issuer.issue() == nonce  # one per period: clients may reuse it (§11.1)
    assert issuer.check(nonce)
    assert issuer.is_current(nonce)
    clock.now += 20  # the next period: still valid, no longer current
    assert issuer.issue() != nonce
    assert issuer.check(nonce)
    assert not issuer.is_current(nonce)
    clock.now += 60  # rotated out
    assert not issuer.check(nonce)
    assert not issuer.check(nonce, now=NOW - 60)  # not valid before it was issued
    assert issuer.check(nonce, now=NOW)


def test_nonces_are_keyed() -> None:
    one = NonceIssuer(b"k" * 32, clock=lambda: NOW)
    assert not NonceIssuer(b"j" * 32, clock=lambda: NOW).check(one.issue())
    # RFC 9449 §9: one server's nonce is not another's, even with a shared secret.
    other = NonceIssuer(b"k" * 32, context="resource server", clock=lambda: NOW)
    assert not other.check(one.issue())
    assert NonceIssuer(b"k" * 32, clock=lambda: NOW).check(one.issue())
    assert NonceIssuer("k" * 32, clock=lambda: NOW).check(one.issue())
    random_one, random_two = NonceIssuer(clock=lambda: NOW), NonceIssuer(clock=lambda: NOW)
    assert not random_two.check(random_one.issue())


@pytest.mark.parametrize(
    "nonce", [None, 5, "", "a" * 32, "a" * 31, "!" * 32, "é" * 32, "a" * 10_000]
)
def test_garbage_is_not_a_nonce(nonce: Any) -> None:
    issuer = NonceIssuer(b"k" * 32, clock=lambda: NOW)
    assert not issuer.check(nonce)
    assert not issuer.is_current(nonce)


def test_a_tampered_nonce_fails() -> None:
    issuer = NonceIssuer(b"k" * 32, clock=lambda: NOW)
    nonce = issuer.issue()
    flipped = nonce[:-1] + ("A" if nonce[-1] != "A" else "B")
    assert not issuer.check(flipped)
    # Moving the period forward needs a new MAC.
    later = NonceIssuer(b"k" * 32, clock=lambda: NOW + 600).issue()
    assert not issuer.check(later[:11] + nonce[11:])


@pytest.mark.parametrize(
    "arguments",
    [{"secret": b"short"}, {"secret": 5}, {"interval": 0}, {"interval": 90_000},
     {"interval": float("nan")}, {"interval": True}, {"interval": "60"}, {"context": 5}],
)
def test_arguments_checked(arguments: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError):
        NonceIssuer(**arguments)


@pytest.mark.parametrize("now", [-1.0, float("inf"), float("nan"), True, "1"])
def test_clock_values_checked(now: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="now must be"):
        NonceIssuer(b"k" * 32).issue(now=now)


def test_repr_hides_the_secret() -> None:
    issuer = NonceIssuer(b"secret-secret-secret", interval=30, context="as")
    assert repr(issuer) == "NonceIssuer(interval=30.0, context='as')"
    assert issuer.interval == 30.0


def test_verify_proof_judges_nonces_by_the_issuers_clock() -> None:
    """An issuer with its own clock (injected, or a server's) accepts the nonces it issued:
    without ``now``, verify_proof asked time.time() instead, and refused them all."""
    from conftest import key_pem

    from jwtlite.dpop import DPoPKey, DPoPPolicy, verify_proof
    from jwtlite.exceptions import DPoPNonceError
    from jwtlite.revocation import MemoryStore

    issuer = NonceIssuer(b"n" * 32, clock=FakeClock(NOW))
    key = DPoPKey(key_pem("ec_p256.pem"))
    url = "https://rs.example.test/"
    checked = verify_proof(key.proof("GET", url, nonce=issuer.issue()), htm="GET", htu=url,
                           store=None, nonce=issuer)
    assert checked.claims["nonce"] == issuer.issue()
    # The same through a guard's policy without a clock of its own.
    policy = DPoPPolicy(nonces=issuer, store=MemoryStore())
    assert policy.verify(key.proof("GET", url, nonce=issuer.issue()), htm="GET", htu=url).jkt
    with pytest.raises(DPoPNonceError, match="nonce is not valid"):  # an explicit now rules
        verify_proof(key.proof("GET", url, nonce=issuer.issue(), iat=NOW + 600), htm="GET",
                     htu=url, store=None, nonce=issuer, now=NOW + 600)


def test_numbers_no_float_holds_raise_invalid_argument() -> None:
    # math.isfinite(10**400) raised OverflowError; a clock past the year 9999 made a step
    # wider than its 8 octets (OverflowError from int.to_bytes).
    for interval in (10**400, -(10**400)):
        with pytest.raises(InvalidArgumentError, match="interval must be"):
            NonceIssuer(interval=interval)
    issuer = NonceIssuer(b"n" * 32)
    for now in (10**400, 1e308, float("nan"), -1):
        with pytest.raises(InvalidArgumentError, match="now must be"):
            issuer.issue(now=now)
        with pytest.raises(InvalidArgumentError, match="now must be"):
            issuer.check(issuer.issue(now=NOW), now=now)


def test_a_secret_that_is_not_utf8_text_raises_invalid_argument() -> None:
    with pytest.raises(InvalidArgumentError, match="nonce secret is not valid text"):
        NonceIssuer("\ud800" * 32)


# --- mutation testing (docs/architecture.md): defaults, bounds and texts held exactly --------


def test_the_defaults() -> None:
    issuer = NonceIssuer(b"k" * 32, clock=lambda: NOW)
    assert repr(issuer) == "NonceIssuer(interval=60.0, context='')"
    # The default context is the empty one: a server that names "" shares nonces with it.
    assert NonceIssuer(b"k" * 32, context="", clock=lambda: NOW).check(issuer.issue())


def test_the_bounds_of_the_arguments_are_inclusive() -> None:
    assert NonceIssuer(b"k" * 16).issue(now=NOW)  # 16 bytes is enough
    assert NonceIssuer(b"k" * 16, interval=1).interval == 1.0
    assert NonceIssuer(b"k" * 16, interval=86_400).interval == 86_400.0
    cases = [
        ({"secret": b"k" * 15}, "the nonce secret must be at least 16 bytes"),
        ({"secret": 5}, "the nonce secret must be at least 16 bytes"),
        ({"interval": 0.5}, "interval must be between 1 and 86400, not 0.5"),
        ({"interval": 86_400.5}, "interval must be between 1 and 86400, not 86400.5"),
        ({"context": 5}, "context must be a string"),
    ]
    for arguments, message in cases:
        with pytest.raises(InvalidArgumentError) as caught:
            NonceIssuer(**{"secret": b"k" * 16, **arguments})
        assert str(caught.value) == message
    assert len(cases) == 5


def test_a_context_need_not_be_valid_utf8() -> None:
    # A lone surrogate is still a label of its own (encoded with surrogatepass), not a crash.
    odd = NonceIssuer(b"k" * 32, context="\ud800", clock=lambda: NOW)
    assert odd.check(odd.issue())
    assert not NonceIssuer(b"k" * 32, context="\ud801", clock=lambda: NOW).check(odd.issue())


def test_the_epoch_itself_is_a_moment() -> None:
    issuer = NonceIssuer(b"k" * 32)
    assert issuer.check(issuer.issue(now=0), now=0)
    assert issuer.is_current(issuer.issue(now=0.5), now=0)


def test_the_period_is_the_exact_floor_of_now_over_interval() -> None:
    # With this interval, now / interval rounds up to a whole number the exact quotient does
    # not reach: the nonce carries the period now lies in (floor division), not the next one.
    from fractions import Fraction

    from jwtlite.b64url import b64url_decode

    interval, now = 71.28571428571429, 67911834995.42857
    assert float(int(now / interval)) != now // interval
    nonce = NonceIssuer(b"k" * 32, interval=interval).issue(now=now)
    step = int.from_bytes(b64url_decode(nonce)[:8], "big")
    assert step == (Fraction(now) / Fraction(interval)).__floor__()


def test_is_current_judges_at_the_given_moment() -> None:
    issuer = NonceIssuer(b"k" * 32, clock=lambda: NOW)
    later = issuer.issue(now=NOW + 600)
    assert not issuer.is_current(later)
    assert issuer.is_current(later, now=NOW + 600)
