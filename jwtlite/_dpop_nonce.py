"""Server-provided DPoP nonces (RFC 9449 §8, §9): stateless, keyed, rotating.

A server that demands a nonce limits how long a proof can be used after it was made, whatever
``iat`` the client wrote (§11.1, §11.2: pre-generated proofs are worthless once their nonce has
rotated out). The nonce must be unpredictable (§8) and is opaque to the client; clients may use
one nonce many times, so it need not be single-use (§11.1).

Each nonce here is ``base64url(step || HMAC-SHA256(key, step)[:16])``, where ``step`` is the
number of ``interval``-second periods since the epoch: the server's own clock rides in the
nonce (the "server managed timestamp" of §4.3 check 11), and nothing is stored, so every
process that shares the secret accepts every other's nonces. A nonce is accepted during the
period it was issued in and the next one: it lives between one and two intervals. Without the
secret (128 bits of MAC over a counter) a nonce cannot be predicted or forged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from ._values import number, utf8
from .b64url import b64url_decode, b64url_encode
from .exceptions import DecodeError, InvalidArgumentError

__all__ = ["NonceIssuer"]

_STEP_BYTES = 8
#: 9999-12-31T23:59:59Z, the latest clock reading accepted (the revocation stores' bound too).
_LAST_MOMENT = 253_402_300_799
_MAC_BYTES = 16  # 128 bits: forging one means guessing them
_NONCE_LENGTH = 32  # base64url of 24 octets, no padding
_MIN_SECRET = 16
_KEY_LABEL = b"jwtlite DPoP nonce\x00"


class NonceIssuer:
    """Issues and checks DPoP nonces for one server (an authorization or a resource server).

    :param secret: the MAC secret, at least 16 bytes; a random one per instance when None.
        Every process behind one URL must share it (else a nonce from one process is refused
        by the next, and the client's single retry may fail again).
    :param interval: seconds between rotations (1 to 86,400); a nonce is accepted for one to
        two intervals.
    :param context: a label mixed into the MAC, so that two servers sharing a secret still do
        not accept each other's nonces (RFC 9449 §9: a nonce is for the server that issued it).
    :param clock: seconds since the epoch; :func:`time.time` when None.

    ``repr()`` never shows the secret.
    """

    def __init__(
        self,
        secret: bytes | str | None = None,
        *,
        interval: float = 60.0,
        context: str = "",
        clock: Callable[[], float] | None = None,
    ) -> None:
        raw = secrets.token_bytes(32) if secret is None else secret
        if isinstance(raw, str):
            raw = utf8(raw, "the nonce secret")
        if not isinstance(raw, bytes) or len(raw) < _MIN_SECRET:
            raise InvalidArgumentError("the nonce secret must be at least 16 bytes")
        number(interval, "interval", low=1, high=86_400)
        if not isinstance(context, str):
            raise InvalidArgumentError("context must be a string")
        # One derived key per context: the label keeps these MACs apart from any other use
        # the application makes of the same secret.
        label = _KEY_LABEL + context.encode("utf-8", "surrogatepass")
        self._key = hmac.new(raw, label, hashlib.sha256).digest()
        self._interval = float(interval)
        self._context = context
        self._clock: Callable[[], float] = clock or time.time

    def __repr__(self) -> str:
        return f"NonceIssuer(interval={self._interval!r}, context={self._context!r})"

    @property
    def interval(self) -> float:
        """Seconds between rotations."""
        return self._interval

    def _step(self, now: float | None) -> int:
        moment = self._clock() if now is None else now
        # Up to the year 9999, as the revocation stores: a step must fit its 8 octets.
        seconds = number(moment, "now", low=0, high=_LAST_MOMENT)
        return int(seconds // self._interval)

    def _nonce(self, step: int) -> str:
        body = step.to_bytes(_STEP_BYTES, "big")
        mac = hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC_BYTES]
        return b64url_encode(body + mac)

    def issue(self, *, now: float | None = None) -> str:
        """The nonce of the current period, for a ``DPoP-Nonce`` header (§8.1 syntax)."""
        return self._nonce(self._step(now))

    def check(self, nonce: object, *, now: float | None = None) -> bool:
        """Whether ``nonce`` was issued by this issuer in this period or the one before."""
        step = self._issued_step(nonce)
        return step is not None and 0 <= self._step(now) - step <= 1

    def is_current(self, nonce: object, *, now: float | None = None) -> bool:
        """Whether ``nonce`` is this period's: when it is not (but still valid), a server may
        send the current one in a ``DPoP-Nonce`` header of a successful answer (§8.2)."""
        step = self._issued_step(nonce)
        return step is not None and step == self._step(now)

    def _issued_step(self, nonce: object) -> int | None:
        """The period a genuine nonce was issued in; None for anything else."""
        if not isinstance(nonce, str) or len(nonce) != _NONCE_LENGTH:
            return None
        try:
            raw = b64url_decode(nonce)
        except DecodeError:
            return None
        body = raw[:_STEP_BYTES]
        expected = hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC_BYTES]
        if not hmac.compare_digest(raw[_STEP_BYTES:], expected):
            return None
        return int.from_bytes(body, "big")
