"""The request bodies the guards read before they know who sent them: a refresh token in a JSON
object, a password grant in a form (RFC 6749 §4.3.2), each held to a size cap.

Below :mod:`jwtlite._guard`, which re-exports these names for the framework modules; nothing here
knows about tokens, cookies or frameworks, only about bytes, media types and the 400/413/415
refusals (:class:`RequestBodyError` and its subclasses) the guards turn into answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from ._json import loads_object
from ._options import DEFAULT_MAX_TOKEN_SIZE
from .exceptions import BearerError, DecodeError

__all__ = [
    "DEFAULT_MAX_BODY",
    "BodyCap",
    "PasswordForm",
    "RequestBodyError",
    "json_body_fields",
    "password_form",
    "require_json_body",
    "string_fields",
]


_JSON_MEDIA_TYPE = "application/json"
# RFC 6749 §4.3.2 and Appendix B: the one format of a token request.
_FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
#: The cap on a body the guards read before they know who sent it: a refresh token (RFC 6749
#: §6) or a password grant. jws refuses a token longer than DEFAULT_MAX_TOKEN_SIZE before
#: decoding it, so a body carrying one needs at most that plus a little room for the JSON around.
DEFAULT_MAX_BODY = DEFAULT_MAX_TOKEN_SIZE + 4096


class RequestBodyError(BearerError):
    """The request body is not the JSON object the endpoint needs: answered 400
    ``invalid_request`` (RFC 6749 §5.2)."""


class _UnsupportedGrantError(RequestBodyError):
    """A token request for a grant other than ``password``: answered 400
    ``unsupported_grant_type`` (RFC 6749 §5.2)."""


class _MediaTypeError(RequestBodyError):
    """The body is not declared with the media type the endpoint reads: answered 415 (RFC 9110
    §15.5.16), with ``Accept`` naming :attr:`accepted`."""

    def __init__(self, accepted: str) -> None:
        super().__init__(f"the body must be sent as Content-Type: {accepted}")
        self.accepted = accepted


class _BodyTooLargeError(RequestBodyError):
    """A body read before authentication is longer than the cap: answered 413 (RFC 9110
    §15.5.14), without a bearer challenge (RFC 6750 §3): the body, not the token, is wrong."""


def string_fields(raw: bytes, *names: str) -> dict[str, str]:
    """The named string members of a JSON object body; :class:`InvalidTokenError` subclass
    (answered 400 ``invalid_request``) if the body is not JSON, too deep, or a member is
    missing, not a string, or not encodable (an unpaired surrogate)."""
    try:
        body = loads_object(raw, "request body")
    except DecodeError:
        raise RequestBodyError("the body must be a JSON object") from None
    values = {name: body.get(name) for name in names}
    bad = [name for name, value in values.items() if not _is_text(value)]
    if bad:
        raise RequestBodyError(f"missing or non-string field(s): {', '.join(bad)}")
    return values  # type: ignore[return-value]


@dataclass(frozen=True)
class PasswordForm:
    """A Resource Owner Password Credentials token request (RFC 6749 §4.3.2): what Swagger UI's
    **Authorize** dialog, FastAPI's ``OAuth2PasswordBearer`` clients and ``curl -d`` send."""

    username: str
    password: str
    scopes: tuple[str, ...] = ()


# A password token request has grant_type, username, password, scope and at most client_id and
# client_secret (RFC 6749 §2.3.1, §4.3.2); a form with more parameters is refused unparsed.
_MAX_FORM_FIELDS = 8


def password_form(content_type: str | None, raw: bytes) -> PasswordForm:
    """The password grant of an ``application/x-www-form-urlencoded`` body (RFC 6749 §4.3.2,
    Appendix B); :class:`RequestBodyError` (400 ``invalid_request``) when it is not one, and 400
    ``unsupported_grant_type`` when ``grant_type`` names another grant. Client credentials are
    ignored: the endpoint serves a public client (RFC 6749 §2.1).

    A body declared as another media type (or as none) is refused with 415 before it is
    parsed: the same bytes typed ``text/plain`` or ``application/json`` are no form, and
    ``multipart/form-data`` (which FastAPI's own forms take) is not read here. Every client of
    the flow sends the form type: Swagger UI's Authorize dialog, ``curl -d``, ``data=`` in
    httpx and requests. An empty body has no format: it stays a missing parameter (400).
    """
    if raw and _media_type(content_type) != _FORM_MEDIA_TYPE:
        raise _MediaTypeError(_FORM_MEDIA_TYPE)
    try:
        # Strict UTF-8 both before and after percent-decoding: a lone surrogate cannot get in.
        # An empty body has no fields (Python before 3.11's strict parse_qsl refuses it).
        pairs = parse_qsl(
            raw.decode("utf-8"), strict_parsing=True, encoding="utf-8", errors="strict",
            max_num_fields=_MAX_FORM_FIELDS,
        ) if raw else []
    except ValueError:  # UnicodeDecodeError is one; so are a field without "=" and too many
        raise RequestBodyError("the body must be a form-encoded password grant") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        if name in fields:
            # RFC 6749 §3.2: request parameters MUST NOT be included more than once.
            raise RequestBodyError("a form parameter is repeated")
        fields[name] = value  # parse_qsl drops empty values, as RFC 6749 §3.2 asks
    grant = fields.get("grant_type")
    if grant is not None and grant != "password":
        raise _UnsupportedGrantError("grant_type must be password")
    missing = [name for name in ("grant_type", "username", "password") if name not in fields]
    if missing:
        raise RequestBodyError(f"missing form field(s): {', '.join(missing)}")
    # RFC 6749 §3.3: scope is a list of space-delimited tokens.
    scopes = tuple(scope for scope in fields.get("scope", "").split(" ") if scope)
    return PasswordForm(fields["username"], fields["password"], scopes)


def _declared_above(content_length: str, limit: int) -> bool:
    """Whether a ``Content-Length`` value (RFC 9110 §8.6: 1*DIGIT) exceeds ``limit``; any
    other value is the server's to refuse, and the capped read still applies."""
    if not (content_length.isascii() and content_length.isdigit()):
        return False
    digits = content_length.lstrip("0")
    # Compared by length first: int() of a very long digit string costs, then raises.
    return len(digits) > len(str(limit)) or int(digits or "0") > limit


class BodyCap:
    """A request body read before authentication, in chunks, held to ``limit`` bytes.

    The framework adapter reads the chunks and :meth:`add` s them; a body known to be longer
    than ``limit`` raises a :class:`RequestBodyError` answered 413: from a declared
    ``Content-Length`` before anything is read, else as soon as the chunks pass ``limit``. A
    reader that asks for at most :meth:`room` bytes at a time never reads past the cap's next
    byte, so the rest of a hostile body is never read.
    """

    def __init__(self, limit: int, content_length: str | None) -> None:
        self.limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        if content_length is not None and _declared_above(content_length, limit):
            raise self._refusal()

    def _refusal(self) -> RequestBodyError:
        return _BodyTooLargeError(f"the request body is larger than {self.limit} bytes")

    def room(self) -> int:
        """Bytes that may still be read: what is left below the cap, plus the one byte that
        tells a body over it."""
        return self.limit + 1 - self._size

    def add(self, chunk: bytes) -> None:
        """Count ``chunk`` in; the 413 refusal once the body passes the cap."""
        self._size += len(chunk)
        if self._size > self.limit:
            raise self._refusal()
        self._chunks.append(chunk)

    def body(self) -> bytes:
        """The chunks added, joined."""
        return b"".join(self._chunks)


def _media_type(content_type: str | None) -> str | None:
    """The type/subtype of a ``Content-Type`` value, lower-cased (RFC 9110 §8.3.1: they are
    case-insensitive, parameters follow a ";"); None when none was sent (or two were)."""
    if content_type is None or _is_list(content_type):
        return None
    return content_type.split(";", 1)[0].strip(" \t").lower()


def _is_list(value: str) -> bool:
    """Whether ``value`` has a comma outside a quoted string: two header lines joined by ", "
    (RFC 9110 §5.3, as a WSGI server and one_header join them). One media type has none: its
    tokens cannot hold a comma, and a parameter value only in quotes (§5.6.4, §5.6.6). Without
    this, the first line's parameters hid the second line ("form; charset=utf-8, text/plain")."""
    if "," not in value:
        return False
    quoted = escaped = False
    for char in value:  # linear: one pass, no backtracking
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            return True
    return False


def _is_json_media_type(content_type: str | None) -> bool:
    # RFC 6839 §3.1: a "+json" suffix names a JSON-based media type.
    media = _media_type(content_type)
    if media is None:
        return False
    return media == _JSON_MEDIA_TYPE or (
        media.startswith("application/") and media.endswith("+json")
    )


def json_body_fields(content_type: str | None, raw: bytes, *names: str) -> dict[str, str]:
    """:func:`string_fields` of a body that must be declared as JSON.

    A body of another media type (or none declared) raises a :class:`RequestBodyError`
    answered 415. Why: a page on any other site may make the browser POST ``text/plain``,
    ``application/x-www-form-urlencoded`` or ``multipart/form-data`` (a plain HTML form, or a
    ``no-cors`` fetch, which may also send no type at all) without a CORS preflight; only a
    JSON type needs the preflight that such a page cannot pass. Taking a login or a refresh
    from those bodies would let any site log the browser into the attacker's account (login
    CSRF) in cookie mode. An empty body has no format: it stays a missing parameter (400).
    """
    require_json_body(content_type, raw)
    return string_fields(raw, *names)


def require_json_body(content_type: str | None, raw: bytes) -> None:
    """The 415 refusal of :func:`json_body_fields` alone, for a body a framework parses itself
    (a FastAPI pydantic model parses an undeclared body as JSON)."""
    if raw and not _is_json_media_type(content_type):
        raise _MediaTypeError(_JSON_MEDIA_TYPE)


def _is_text(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")  # a JSON "\ud800" escape decodes to a lone surrogate
    except UnicodeEncodeError:
        return False
    return True
