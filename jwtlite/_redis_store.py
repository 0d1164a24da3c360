"""A revocation store on Redis, for many hosts sharing one deny list.

Re-exported as :class:`jwtlite.revocation.RedisStore`. The ``redis`` client package (extra
``jwtlite[redis]``) is imported only when a store is built, so ``import jwtlite`` never needs it.

Layout: every key is ``<prefix>{<hash_tag>}:<kind>:<id>``; kind ``j`` is a jti, ``f`` a family,
``s`` a subject. Values are text:

- jti: ``<exp>`` or, after :meth:`RedisStore.spend`, ``<exp>|<reuse_until>|<successor>``;
- family: ``<exp>``;
- subject: ``<cutoff>|<exp>``.

Every key gets an absolute expiry (``PXAT``) a minute after its ``exp``, so Redis forgets it on
its own and there is nothing to purge. The stored ``exp`` is compared with the store's clock, so
an entry reads as absent exactly when the other stores say so; the minute is for a server whose
clock runs ahead of the app's, which would otherwise drop an entry while the token still lives.
All keys share one hash tag, which puts them in one Redis Cluster slot: the per-request check
reads the jti, family and subject keys with one ``MGET`` (one round trip), and Cluster only
accepts a multi-key command within one slot. The deny list is small (entries live for a token's
lifetime), so one slot's master carries it easily; replicas give fail-over.
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import math
import re
import time
from collections.abc import Callable
from typing import Any

from ._escape import escape
from ._redis_connect import DEADLINE, client_from_url
from ._store_common import MAX_SECONDS, check_id, check_time, now, stored_time, unreadable
from .exceptions import InvalidArgumentError, PyJWTError, RevocationStoreUnavailableError

__all__ = ["RedisStore"]

# A stored time is read the same way here and in the scripts: only the characters of a
# decimal number (what repr() of a finite float writes), then a finite value. float() alone
# would read "nan", "inf" and "1_0"; Lua's tonumber() (C's strtod) reads "nan", "inf" and "0x10".
_NUMBER = re.compile(rb"[0-9.eE+-]+")
_NUM = """
local function num(text)
  local n = text and string.match(text, '^[%d%.eE%+%-]+$') and tonumber(text)
  if n and n > -math.huge and n < math.huge then return n end
  return nil
end
"""

# Keep the later expiry (never shorten a revocation). A revoked jti loses any successor, so it
# can no longer be replayed through spend(). An unreadable old entry is replaced: the
# revocation written now is all that is known. ARGV: value, exp, pxat.
_EXTEND = (
    _NUM
    + """
local old = redis.call('GET', KEYS[1])
if old then
  local old_exp = string.match(old, '^[^|]*')
  local number = num(old_exp)
  if number and number > tonumber(ARGV[2]) then
    redis.call('SET', KEYS[1], old_exp, 'KEEPTTL')
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[3])
return 1
"""
)

# consume() and spend(): SET NX with an absolute expiry is the test-and-set; an entry that is
# still in Redis but expired by the caller's clock is taken over, as in the other stores, and
# an unreadable one is an error (taking it over could accept a spent token).
# Returns 1 when this call took the jti, the remembered successor while its reuse interval
# lasts, 0 otherwise. ARGV: value, pxat, now.
_TAKE = (
    _NUM
    + """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then return 1 end
local old = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[3])
local exp, reuse_until, successor = string.match(old, '^([^|]*)|([^|]*)|(.*)$')
local old_exp = num(exp or old)
if old_exp == nil or (reuse_until and num(reuse_until) == nil) then
  return redis.error_reply('unreadable revocation entry')
end
if old_exp <= now then
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
  return 1
end
if reuse_until and now < num(reuse_until) then return successor end
return 0
"""
)

# The subject cutoff and its expiry only ever go up; an unreadable old entry is replaced, as
# in _EXTEND. ARGV: cutoff, exp, pxat.
_SUBJECT = (
    _NUM
    + """
local cutoff, exp, keep = ARGV[1], ARGV[2], false
local old = redis.call('GET', KEYS[1])
if old then
  local old_cutoff, old_exp = string.match(old, '^([^|]*)|([^|]*)$')
  if num(old_cutoff) and num(old_exp) then
    if num(old_cutoff) > tonumber(cutoff) then cutoff = old_cutoff end
    if num(old_exp) > tonumber(exp) then exp, keep = old_exp, true end
  end
end
if keep then
  redis.call('SET', KEYS[1], cutoff .. '|' .. exp, 'KEEPTTL')
else
  redis.call('SET', KEYS[1], cutoff .. '|' .. exp, 'PXAT', ARGV[3])
end
return 1
"""
)

# Seconds Redis keeps an entry past its exp. Reads compare the stored exp with the store's
# clock, so an entry kept longer still reads as absent at exp; the margin only covers a Redis
# server whose clock runs ahead of an application host's (one host's broken NTP), which with
# PXAT at exp itself forgot a revocation, a spent refresh token or a DPoP jti while the token
# was still alive on that host. A minute: NTP keeps hosts within milliseconds, and the entries
# cost memory only for that much longer.
_SKEW_MARGIN = 60.0

# What redis-py raises, besides its own errors, on a reply that breaks the protocol: int() of
# a bad length (older versions), bytes a decode_responses client cannot decode, a reply nested
# past the recursion limit. The connection is dropped by redis-py; the call fails closed.
_BROKEN_REPLY = (ValueError, TypeError, AttributeError, LookupError, RecursionError)

# The argument each kind of key is named after, in a refusal of an id that is not a string.
_ARGUMENTS = {b"j:": "jti", b"f:": "family", b"s:": "subject"}



def _time(text: bytes) -> float:
    if _NUMBER.fullmatch(text) is None:
        raise unreadable("Redis")
    try:
        number = float(text)
    except ValueError:
        raise unreadable("Redis") from None
    return stored_time(number, "Redis")


def _malformed() -> RevocationStoreUnavailableError:
    return RevocationStoreUnavailableError("revocation store unavailable: unexpected reply")


def _value(reply: object) -> bytes | None:
    """A GET reply as bytes (a client made with decode_responses=True gives str)."""
    if reply is None or isinstance(reply, bytes):
        return reply
    if isinstance(reply, str):
        return reply.encode("utf-8", "surrogatepass")
    raise _malformed()


def _jti_exp(raw: bytes | None) -> float | None:
    # "<exp>" or, after spend(), "<exp>|<reuse_until>|<successor>".
    if raw is None:
        return None
    parts = raw.split(b"|", 2)
    if len(parts) == 2:
        raise unreadable("Redis")
    if len(parts) == 3:
        _time(parts[1])
    return _time(parts[0])


def _family_exp(raw: bytes | None) -> float | None:
    return None if raw is None else _time(raw)


def _cutoff(raw: bytes | None, now: float) -> float | None:
    # "<cutoff>|<exp>"
    if raw is None:
        return None
    parts = raw.split(b"|", 2)
    if len(parts) != 2:
        raise unreadable("Redis")
    cutoff, exp = _time(parts[0]), _time(parts[1])
    return cutoff if exp > now else None


def _flag(answer: object) -> int:
    # The scripts' 0/1 answers; anything else means the reply is not the script's.
    if type(answer) is int and answer in (0, 1):
        return answer
    raise _malformed()


def _check_name(name: str, value: object, *, empty: bool) -> str:
    if not isinstance(value, str) or (not empty and not value) or "{" in value or "}" in value:
        raise InvalidArgumentError(f"{name} must be a string without braces")
    return value


def _check_seconds(name: str, value: object) -> None:
    # Finite: socket.settimeout(inf) raises OverflowError on every call.
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise InvalidArgumentError(f"{name} must be a positive number of seconds")


def _redis_errors() -> tuple[type[Exception], ...]:
    # redis is an optional dependency (extra jwtlite[redis]): imported only by RedisStore.
    from redis.exceptions import RedisClusterException, RedisError  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used

    return RedisError, RedisClusterException


class RedisStore:
    """A revocation store on Redis or Redis Cluster, shared by every host of a deployment.

    :param client: a client object (``redis.Redis``, one from ``redis.sentinel.Sentinel``'s
        ``master_for``, or ``redis.cluster.RedisCluster``; its own timeouts apply, and
        ``decode_responses`` may be on), or a URL (``redis://``, ``rediss://``, ``unix://``)
        from which one is built with the timeouts below.
    :param prefix: the start of every key (no braces).
    :param hash_tag: the Cluster hash tag every key carries (no braces, not empty).
    :param clock: seconds since the epoch; :func:`time.time` if None. Redis expiries follow
        it: an entry expires at ``exp`` on this clock.
    :param connect_timeout: seconds to connect (for a URL).
    :param timeout: seconds to wait for each answer (for a URL).
    :param deadline: seconds one store call may take in all (for a URL): connecting, every
        command, every read of a reply and the one retry share it.
    :param cluster: build a ``RedisCluster`` client from the URL.

    When Redis cannot be reached, answers with an error, answers with something that is not
    the expected reply, runs past the deadline, or holds an entry that cannot be read, every
    method raises :class:`~jwtlite.exceptions.RevocationStoreUnavailableError` (fail closed).
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "jwtlite:",
        hash_tag: str = "jwtlite",
        clock: Callable[[], float] | None = None,
        connect_timeout: float = 1.0,
        timeout: float = 1.0,
        deadline: float = 2.0,
        cluster: bool = False,
    ) -> None:
        _check_name("prefix", prefix, empty=True)
        _check_name("hash_tag", hash_tag, empty=False)
        _check_seconds("connect_timeout", connect_timeout)
        _check_seconds("timeout", timeout)
        _check_seconds("deadline", deadline)
        self._errors = _redis_errors()
        url_errors: tuple[type[Exception], ...] = (ValueError, *self._errors)
        self._owned = isinstance(client, str)
        if isinstance(client, str):
            try:
                client = client_from_url(
                    client, cluster=cluster, connect_timeout=connect_timeout, timeout=timeout
                )
            except url_errors as exc:
                # The URL itself never goes into the message: it may hold a password.
                raise PyJWTError(f"cannot use the Redis URL: {type(exc).__name__}") from None
        self._client = client
        self._clock = clock or time.time
        self._deadline = float(deadline)
        self._base = f"{prefix}{{{hash_tag}}}:".encode()
        self._shas: dict[str, str] = {
            script: hashlib.sha1(script.encode(), usedforsecurity=False).hexdigest()
            for script in (_EXTEND, _TAKE, _SUBJECT)
        }

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisStore:
        """A store on the server (or, with ``cluster=True``, the cluster) at ``url``."""
        if not isinstance(url, str):
            raise InvalidArgumentError("url must be a string")
        unknown = sorted(name for name in options if name not in _OPTIONS)
        if unknown:
            name = unknown[0]
            close = difflib.get_close_matches(name[:40], _OPTIONS, n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else "the options are "
            hint += "" if close else ", ".join(_OPTIONS)
            raise InvalidArgumentError(f'Unknown RedisStore option "{escape(name, 40)}": {hint}')
        return cls(url, **options)

    def __repr__(self) -> str:
        # The client's address is left out: a URL may carry a password.
        return f"RedisStore(client={type(self._client).__name__}, keys={self._base.decode()!r})"

    def close(self) -> None:
        """Close the client and its connections if this store built it from a URL."""
        if self._owned:
            self._client.close()
            # redis-py 4.5.0's Redis.close() leaves the pool's connections open.
            pool = getattr(self._client, "connection_pool", None)
            if pool is not None:
                pool.disconnect()

    def __enter__(self) -> RedisStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _now(self) -> float:
        return now(self._clock)

    def _pxat(self, exp: float) -> int:
        # Absolute expiry in Redis's (wall) time for an exp on the store's clock; with the
        # default clock the shift is zero. Kept _SKEW_MARGIN longer: PXAT is read on the
        # server's clock, and one ahead of this host's would drop the entry while the token
        # still lives here. At least 1 ms: Redis refuses 0 and negatives.
        at = exp if self._clock is time.time else exp + (time.time() - self._now())
        at += _SKEW_MARGIN
        return max(1, int(max(-MAX_SECONDS, min(at, MAX_SECONDS)) * 1000))

    def _key(self, kind: bytes, name: str) -> bytes:
        # surrogatepass: any Python string is a valid id, as in the other stores. A refusal
        # names the argument (jti, family, subject), as the other stores' do.
        checked = check_id(_ARGUMENTS[kind], name)
        return self._base + kind + checked.encode("utf-8", "surrogatepass")

    def _command(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._client, method)(*args)
        except self._errors as exc:
            raise RevocationStoreUnavailableError(
                f"revocation store unavailable: {type(exc).__name__}: {exc}"
            ) from exc
        except _BROKEN_REPLY as exc:
            # The reply's bytes stay out of the message.
            raise RevocationStoreUnavailableError(
                f"revocation store unavailable: malformed reply ({type(exc).__name__})"
            ) from exc

    def _call(self, method: str, *args: Any) -> Any:
        token = DEADLINE.set(time.monotonic() + self._deadline)
        try:
            return self._command(method, *args)
        finally:
            DEADLINE.reset(token)

    def _script(self, script: str, key: bytes, *args: object) -> Any:
        # EVALSHA sends 40 bytes instead of the script; after a server restart (empty script
        # cache) one EVAL reloads it, within the same deadline. Both run the script atomically
        # on the key's node.
        # redis is an optional dependency: imported only by RedisStore.
        from redis.exceptions import NoScriptError  # noqa: PLC0415 - optional extra jwtlite[redis], imported only when a RedisStore is used

        token = DEADLINE.set(time.monotonic() + self._deadline)
        try:
            try:
                return self._command("evalsha", self._shas[script], 1, key, *args)
            except RevocationStoreUnavailableError as exc:
                if not isinstance(exc.__cause__, NoScriptError):
                    raise
            return self._command("eval", script, 1, key, *args)
        finally:
            DEADLINE.reset(token)

    def _get(self, kind: bytes, name: str) -> bytes | None:
        return _value(self._call("get", self._key(kind, name)))

    def revoke(self, jti: str, exp: float) -> None:
        """Mark ``jti`` revoked until ``exp`` (never shortened; ends any reuse interval)."""
        exp = check_time("exp", exp)
        _flag(self._script(_EXTEND, self._key(b"j:", jti), repr(exp), repr(exp), self._pxat(exp)))

    def is_revoked(self, jti: str) -> bool:
        """Whether ``jti`` is revoked or spent."""
        exp = _jti_exp(self._get(b"j:", jti))
        return exp is not None and exp > self._now()

    def _take(self, jti: str, value: str, exp: float) -> object:
        # 1 when this call took the jti, 0 when not, the stored successor (bytes) to replay.
        key = self._key(b"j:", jti)
        value_bytes = value.encode("utf-8", "surrogatepass")
        answer = self._script(_TAKE, key, value_bytes, self._pxat(exp), self._now())
        if isinstance(answer, str):  # a client made with decode_responses=True
            answer = answer.encode("utf-8", "surrogatepass")
        return answer if isinstance(answer, bytes) else _flag(answer)

    def consume(self, jti: str, exp: float) -> bool:
        """Spend ``jti`` once (``SET NX PXAT`` in a script): True the first time only."""
        exp = check_time("exp", exp)
        return self._take(jti, repr(exp), exp) == 1

    def spend(self, jti: str, exp: float, *, successor: str, reuse_until: float) -> str | None:
        """Spend ``jti``, or replay its successor within the reuse interval (one script)."""
        exp = check_time("exp", exp)
        until = check_time("reuse_until", reuse_until)
        answer = self._take(jti, f"{exp!r}|{until!r}|{check_id('successor', successor)}", exp)
        if answer == 1:
            return successor
        if isinstance(answer, bytes):
            return answer.decode("utf-8", "surrogatepass")
        return None

    def revoke_family(self, family: str, exp: float) -> None:
        """Revoke one refresh family until ``exp`` (never shortened)."""
        exp = check_time("exp", exp)
        key = self._key(b"f:", family)
        _flag(self._script(_EXTEND, key, repr(exp), repr(exp), self._pxat(exp)))

    def is_family_revoked(self, family: str) -> bool:
        """Whether the family is revoked."""
        exp = _family_exp(self._get(b"f:", family))
        return exp is not None and exp > self._now()

    def revoke_subject(self, subject: str, cutoff: float, exp: float) -> None:
        """Revoke the subject's tokens issued at or before ``cutoff`` (never lowered)."""
        cutoff, exp = check_time("cutoff", cutoff), check_time("exp", exp)
        key = self._key(b"s:", subject)
        _flag(self._script(_SUBJECT, key, repr(cutoff), repr(exp), self._pxat(exp)))

    def subject_cutoff(self, subject: str) -> float | None:
        """The subject's cutoff, or None."""
        return _cutoff(self._get(b"s:", subject), self._now())

    def lookup(self, *, jti: str, family: str, subject: str) -> tuple[bool, bool, float | None]:
        """The per-request check: one ``MGET`` of three keys in one slot, one round trip."""
        keys = [self._key(b"j:", jti), self._key(b"f:", family), self._key(b"s:", subject)]
        reply = self._call("mget", keys)
        if not isinstance(reply, (list, tuple)) or len(reply) != 3:
            raise _malformed()
        raw_jti, raw_family, raw_subject = (_value(item) for item in reply)
        now = self._now()
        jti_exp, family_exp = _jti_exp(raw_jti), _family_exp(raw_family)
        return (
            jti_exp is not None and jti_exp > now,
            family_exp is not None and family_exp > now,
            _cutoff(raw_subject, now),
        )

    def purge(self) -> int:
        """Nothing to do: Redis forgets every entry at its expiry. Returns 0."""
        return 0


#: The keyword options of RedisStore, read from its signature (for from_url's refusal of a
#: misspelt one).
_OPTIONS = tuple(
    name
    for name, parameter in inspect.signature(RedisStore.__init__).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
)
