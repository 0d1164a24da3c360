"""jwtlite._guard: the framework-neutral failure classification, body reading and logout."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import pytest
from conftest import FakeClock
from hypothesis import given
from hypothesis import strategies as st

from jwtlite._guard import (
    AuthRefused,
    BodyCap,
    GuardConfig,
    GuardCore,
    GuardHooks,
    PasswordForm,
    RequestBodyError,
    RequestView,
    classify,
    json_body_fields,
    new_csrf_token,
    one_header,
    parse_cookies,
    password_form,
    string_fields,
)
from jwtlite._guard_bodies import _BodyTooLargeError, _MediaTypeError, _UnsupportedGrantError
from jwtlite._guard_failures import _CSRFError, _UnknownUserError
from jwtlite.api import PyJWT
from jwtlite.dpop import DPoPPolicy
from jwtlite.exceptions import (
    BearerError,
    DecodeError,
    DPoPBindingError,
    DPoPNonceError,
    DPoPProofError,
    ExpiredSignatureError,
    InsufficientScopeError,
    InvalidArgumentError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWKClientError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    StaleTokenError,
)
from jwtlite.revocation import MemoryStore
from jwtlite.tokens import ACCESS_TYP, REFRESH_TYP, TokenService

SECRET = "k" * 40


def _token(typ: str) -> str:
    return PyJWT().encode({"sub": "a"}, SECRET, headers={"typ": typ})


@pytest.mark.parametrize(
    ("exc", "token", "expected", "answer"),
    [
        (BearerError("x", error=None), None, ACCESS_TYP, (401, None, "missing")),
        (BearerError("x"), None, ACCESS_TYP, (400, "invalid_request", "malformed")),
        (ExpiredSignatureError("x"), None, ACCESS_TYP, (401, "invalid_token", "expired")),
        (InvalidTokenError("x"), "rt", ACCESS_TYP, (401, "invalid_token", "wrong_token_type")),
        (InvalidTokenError("x"), "at", REFRESH_TYP, (401, "invalid_token", "wrong_token_type")),
        (InvalidTokenError("x"), "at", ACCESS_TYP, (401, "invalid_token", "invalid")),
        (InvalidSignatureError("x"), "at", ACCESS_TYP, (401, "invalid_token", "invalid")),
        (InvalidTokenError("x"), "not a jwt", ACCESS_TYP, (401, "invalid_token", "invalid")),
        (RevocationStoreUnavailableError("x"), None, ACCESS_TYP,
         (503, "temporarily_unavailable", "unavailable")),
        (RequestBodyError("no body"), None, "", (400, "invalid_request", "bad_request")),
        (StaleTokenError("x"), None, ACCESS_TYP,
         (401, "insufficient_user_authentication", "not_fresh")),
    ],
)
def test_classify(exc: Exception, token: str | None, expected: str, answer: tuple) -> None:
    real = {"rt": _token(REFRESH_TYP), "at": _token(ACCESS_TYP)}.get(token or "", token)
    failure = classify(exc, real, expected)  # type: ignore[arg-type]
    assert (failure.status, failure.error, failure.reason) == answer
    assert SECRET not in failure.message
    if failure.reason == "bad_request":
        assert failure.message == "no body"
        assert failure.headers("r") == {}


@pytest.mark.parametrize(
    "raw",
    [b"", b"null", b"[]", b"{", b"\xff", b"[" * 100_000, b'{"a": 1}', b'{"a": "\\udfff"}',
     b'{"a": "x", "a": "y"}'],
)
def test_string_fields_refuses(raw: bytes) -> None:
    with pytest.raises(RequestBodyError):
        string_fields(raw, "a")


def test_string_fields_reads() -> None:
    assert string_fields(b'{"a": "x", "b": "\\u00e9", "c": 1}', "a", "b") == {"a": "x", "b": "é"}


class _DownStore(MemoryStore):
    def revoke(self, jti: str, exp: float) -> None:
        raise RevocationStoreUnavailableError("down")


def test_logout_failures() -> None:
    clock = FakeClock()
    service = TokenService(SECRET, "HS256", issuer="i", audience="a", clock=clock,
                           store=_DownStore(clock=clock))
    core = GuardCore(service, GuardConfig())
    with pytest.raises(AuthRefused) as refused:
        core.logout(service.issue("a").access_token)
    assert refused.value.failure.status == 503
    with pytest.raises(AuthRefused) as refused:
        core.logout("a.b.c")
    assert refused.value.failure.reason == "malformed"


def test_header_wins_over_cookie() -> None:
    clock = FakeClock()
    service = TokenService(SECRET, "HS256", issuer="i", audience="a", clock=clock)
    core = GuardCore(service, GuardConfig(cookies=True))
    pair = service.issue("a")
    view = RequestView("POST", f"Bearer {pair.access_token}", {"access_token": "junk"}, None)
    assert core.authenticate(view).token == pair.access_token  # no CSRF needed for a header
    no_cookie = RequestView("POST", None, {}, None, body=lambda: b"{}",
                            content_type="application/json")
    with pytest.raises(AuthRefused) as refused:
        core.authenticate(no_cookie, refresh=True)
    assert refused.value.failure.reason == "bad_request"


_FORM = "application/x-www-form-urlencoded"
_NOT_A_FORM = "the body must be a form-encoded password grant"


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        (b"grant_type=password&username=alice&password=pw", ("alice", "pw", ())),
        # Swagger UI's body: empty client fields count as absent (RFC 6749 §3.2).
        (b"grant_type=password&username=alice&password=p%26w+x&scope=a++b&client_id=",
         ("alice", "p&w x", ("a", "b"))),
        ("grant_type=password&username=%C3%A9l%C3%A8ve&password=é".encode(),
         ("\u00e9l\u00e8ve", "\u00e9", ())),
        # RFC 6749 §3.3: scope tokens are delimited by SP alone, not by a tab or a line break.
        (b"grant_type=password&username=a&password=b&scope=x%09y+z%0Aw",
         ("a", "b", ("x\ty", "z\nw"))),
    ],
)
def test_password_form_reads(raw: bytes, fields: tuple[str, str, tuple[str, ...]]) -> None:
    form = password_form(_FORM, raw)
    assert (form.username, form.password, form.scopes) == fields


@pytest.mark.parametrize(
    ("raw", "error", "message"),
    [
        (b"username=a&password=b", "invalid_request", "missing form field(s): grant_type"),
        (b"grant_type=password&username=&password=b", "invalid_request",
         "missing form field(s): username"),
        (b"grant_type=client_credentials&username=a&password=b", "unsupported_grant_type",
         "grant_type must be password"),
        (b"grant_type=password&password=b&password=c&username=a", "invalid_request",
         "a form parameter is repeated"),
        (b"grant_type=password&username=a&password", "invalid_request", _NOT_A_FORM),
        (b"grant_type=password&username=%ED%A0%80&password=b", "invalid_request",
         _NOT_A_FORM),  # a UTF-8-encoded lone surrogate
        (b"grant_type=password&username=\xff&password=b", "invalid_request", _NOT_A_FORM),
        (b"&".join([b"a=1"] * 9), "invalid_request", _NOT_A_FORM),
        (b'{"grant_type": "password"}', "invalid_request", _NOT_A_FORM),
        (b"", "invalid_request", "missing form field(s): grant_type, username, password"),
    ],
)
def test_password_form_refuses(raw: bytes, error: str, message: str) -> None:
    with pytest.raises(RequestBodyError) as caught:
        password_form(_FORM, raw)
    failure = classify(caught.value, None, "")
    assert (failure.status, failure.error, failure.reason) == (400, error, "bad_request")
    assert failure.message == message
    assert failure.headers("api") == {}  # an OAuth error (RFC 6749 §5.2), not a challenge


@given(st.binary(max_size=300) | st.text(max_size=100).map(str.encode))
def test_password_form_raises_only_its_error(raw: bytes) -> None:
    try:
        form = password_form(_FORM, raw)
    except RequestBodyError:
        return
    for value in (form.username, form.password, *form.scopes):
        value.encode("utf-8")  # every string it returns is clean text


def test_password_form_is_linear() -> None:
    # The longest body a guard reads, in the shapes that cost most: it parses in well under
    # a second (a quadratic parser would take minutes).
    for raw in (b"grant_type=password&username=" + b"%41" * 80_000 + b"&password=x",
                b"&" * 240_000, b"=" * 240_000):
        started = time.thread_time()
        with contextlib.suppress(RequestBodyError):
            password_form(_FORM, raw)
        assert time.thread_time() - started < 1.0


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        (_FORM, True),
        ("Application/X-WWW-Form-URLencoded ; charset=UTF-8", True),
        (" application/x-www-form-urlencoded\t", True),
        (None, False),  # none sent, or two (the adapters pass None then)
        ("", False),
        ("application/json", False),
        ("text/plain", False),
        ("multipart/form-data; boundary=x", False),
        ("application/x-www-form-urlencodedx", False),
        ("text/x-www-form-urlencoded", False),
        # Two Content-Type lines reach the guard joined by ", " (a WSGI server joins them, and
        # so does one_header): the first one's parameter hid the second line, and it passed.
        (_FORM + "; charset=utf-8, text/plain", False),
        (_FORM + ', application/json; charset="a,b"', False),
        (_FORM + '; a="b\\", c", text/plain', False),  # the comma after the quoted \"
        (_FORM + '; a="b,c"', True),  # a comma inside a quoted parameter value is no list
        (_FORM + '; a="b\\"c, d"', True),
    ],
)
def test_password_form_media_type(content_type: str | None, accepted: bool) -> None:
    # RFC 6749 §4.3.2: the grant is form-encoded; the body was parsed as a form whatever its
    # declared type (a text/plain, JSON-typed or untyped body logged in).
    grant = b"grant_type=password&username=alice&password=pw"
    if accepted:
        assert password_form(content_type, grant) == PasswordForm("alice", "pw")
        return
    with pytest.raises(_MediaTypeError) as refused:
        password_form(content_type, grant)
    failure = classify(refused.value, None, "")
    assert (failure.status, failure.error, failure.reason, failure.message) == (
        415, "invalid_request", "unsupported_media_type",
        "the body must be sent as Content-Type: application/x-www-form-urlencoded")
    assert failure.headers("r") == {"Accept": _FORM}
    # Without content there is no format to refuse: the parameters are missing, 400.
    with pytest.raises(RequestBodyError) as missing:
        password_form(content_type, b"")
    assert classify(missing.value, None, "").status == 400


@pytest.mark.parametrize(
    ("content_type", "accepted"),
    [
        ("application/json", True),
        ("APPLICATION/Json ; charset=utf-8", True),
        ("application/merge-patch+json", True),
        (" application/json\t", True),
        (None, False),
        ("", False),
        ("text/plain", False),
        ("text/plain; a=application/json", False),
        ("application/x-www-form-urlencoded", False),
        ("multipart/form-data; boundary=application/json", False),
        ("application/jsonp", False),
        ("text/json", False),
        ("text/+json", False),
        ("application/json; charset=utf-8, text/plain", False),  # two lines, joined
        ("application/json;a=b,application/json", False),
        ('application/json; profile="x,y"', True),
        ("application/json; charset=utf-8; q=1", True),  # the type ends at the first ";"
        # RFC 9110 §5.6.3: only SP and HTAB are optional whitespace around the type.
        ("\x0bapplication/json", False),
        ("application/json\x0c", False),
        ("APPLICATION/JSONX", False),
    ],
)
def test_json_body_fields_media_type(content_type: str | None, accepted: bool) -> None:
    if accepted:
        assert json_body_fields(content_type, b'{"a": "x"}', "a") == {"a": "x"}
        return
    with pytest.raises(_MediaTypeError) as refused:
        json_body_fields(content_type, b'{"a": "x"}', "a")
    failure = classify(refused.value, None, "")
    assert (failure.status, failure.error, failure.reason) == (
        415, "invalid_request", "unsupported_media_type")
    assert failure.headers("r") == {"Accept": "application/json"}
    # Without content there is no format to refuse: a missing parameter, 400.
    with pytest.raises(RequestBodyError) as missing:
        json_body_fields(content_type, b"", "a")
    assert classify(missing.value, None, "").status == 400


def test_hooks_are_shared_by_cores() -> None:
    clock = FakeClock()
    hooks = GuardHooks()
    cores = [
        GuardCore(TokenService(secret, "HS256", issuer="i", audience="a", clock=clock),
                  GuardConfig(), hooks)
        for secret in (SECRET, "z" * 40)
    ]
    hooks.claims_hook = lambda identity: {"role": identity.upper()}
    hooks.user_loader = lambda claims: claims["role"]
    for core in cores:
        pair = core.issue("ann")
        view = RequestView("GET", f"Bearer {pair.access_token}", {}, None)
        assert core.authenticate(view).user == "ANN"


def test_body_cap_refuses_by_declared_length_or_by_bytes_read() -> None:
    # A declared Content-Length above the cap is refused before anything is read; a very long
    # digit string is judged by its length, not converted.
    for declared in ("101", "0000101", "9" * 100_000):
        with pytest.raises(RequestBodyError, match=r"^the request body is larger than 100 bytes$"):
            BodyCap(100, declared)
    # At the cap, or not 1*DIGIT (RFC 9110 §8.6: the server's to refuse): the bytes decide.
    for declared in ("100", "000100", "", "-5", "1e9", "\u0661\u0662\u0663\u0664", None):
        assert BodyCap(100, declared).room() == 101
    cap = BodyCap(100, None)
    cap.add(b"a" * 60)
    assert cap.room() == 41
    cap.add(b"b" * 40)
    assert (cap.room(), cap.body()) == (1, b"a" * 60 + b"b" * 40)
    with pytest.raises(RequestBodyError) as refused:
        cap.add(b"c")
    failure = classify(refused.value, None, "")
    assert (failure.status, failure.error) == (413, "invalid_request")
    assert failure.reason == "bad_request"
    assert failure.headers("api") == {}  # the body is wrong, not the token: no challenge


_ERRORS_TABLE = re.compile(r"^\| (\d{3}) \| `([a-z_]+)` \| ([^|]+) \|", re.MULTILINE)


def test_integrations_error_table_is_what_classify_answers() -> None:
    """docs/integrations.md's error table is the one place the answers are documented: every
    row is an answer the guard gives, and every answer it gives has a row."""
    text = (Path(__file__).parent.parent / "docs" / "integrations.md").read_text("utf-8")
    section = text.split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
    documented = {
        (int(status), error, reason)
        for status, error, reasons in _ERRORS_TABLE.findall(section)
        for reason in re.findall(r"`([a-z_]+)`", reasons)
    }
    refresh = _token(REFRESH_TYP)
    cases = [
        (BearerError("x", error=None), None, ACCESS_TYP),
        (BearerError("x"), None, ACCESS_TYP),
        (RequestBodyError("x"), None, ""),
        (_MediaTypeError("x"), None, ""),
        (_UnsupportedGrantError("x"), None, ""),
        (_BodyTooLargeError("x"), None, ""),
        (_CSRFError("x"), None, ACCESS_TYP),
        (DecodeError("x"), "a.b.c", ACCESS_TYP),
        (InvalidSignatureError("x"), _token(ACCESS_TYP), ACCESS_TYP),
        (ExpiredSignatureError("x"), None, ACCESS_TYP),
        (RevokedTokenError("x"), None, ACCESS_TYP),
        (InvalidTokenError("x"), refresh, ACCESS_TYP),
        (_UnknownUserError("x"), None, ACCESS_TYP),
        (StaleTokenError("x"), None, ACCESS_TYP),
        (RevocationStoreUnavailableError("x"), None, ACCESS_TYP),
        (InsufficientScopeError("admin"), None, ACCESS_TYP),
        # issue 24: DPoP (RFC 9449); at a token request the first two become 400s.
        (DPoPProofError("x"), None, ACCESS_TYP),
        (DPoPNonceError("x"), None, ACCESS_TYP),
        (DPoPBindingError("x"), None, ACCESS_TYP),
    ]
    answers = set()
    for exc, token, expected in cases:
        failure = classify(exc, token, expected)
        answers.add((failure.status, failure.body()["error"], failure.reason))
    assert len(answers) == len(cases)
    assert documented == answers


# --- found by mutation testing (docs/architecture.md, "Mutation testing") ----------------------


def _core(**config: object) -> tuple[TokenService, GuardCore]:
    clock = FakeClock()
    service = TokenService(SECRET, "HS256", issuer="i", audience="a", clock=clock,
                           store=MemoryStore(clock=clock))
    return service, GuardCore(service, GuardConfig(**config))  # type: ignore[arg-type]


def _refusal(core: GuardCore, view: RequestView, **options: bool) -> tuple[int, str, str]:
    with pytest.raises(AuthRefused) as refused:
        core.authenticate(view, **options)
    failure = refused.value.failure
    return failure.status, failure.reason, failure.message


def test_string_fields_refusal_texts() -> None:
    for raw, message in [
        (b"[]", "the body must be a JSON object"),
        (b"{", "the body must be a JSON object"),
        (b'{"b": 1, "c": "x"}', "missing or non-string field(s): a, b"),
    ]:
        with pytest.raises(RequestBodyError) as refused:
            string_fields(raw, "a", "b", "c")
        assert str(refused.value) == message


def test_json_media_type_refusal_text() -> None:
    with pytest.raises(_MediaTypeError) as refused:
        json_body_fields("text/plain", b'{"a": "x"}', "a")
    assert str(refused.value) == "the body must be sent as Content-Type: application/json"
    assert refused.value.accepted == "application/json"


def test_guard_config_refusals() -> None:
    assert GuardConfig(max_body=1).max_body == 1  # one byte is a cap, if a small one
    for bad in (0, -1, True, 1.5, "10"):
        with pytest.raises(InvalidArgumentError) as refused:
            GuardConfig(max_body=bad)  # type: ignore[arg-type]
        assert str(refused.value) == "max_body must be a positive number of bytes"
    with pytest.raises(InvalidArgumentError) as refused:
        GuardConfig(cookies=True, dpop=DPoPPolicy())
    assert str(refused.value) == "DPoP needs tokens in the client's hands: not cookies"


def test_core_misuse_texts() -> None:
    service, _ = _core()
    verifier = object()  # never called: the constructor refuses first
    refusals = {
        "pass a TokenService (tokens of our own) or a verifier (an external authorization "
        "server's), not both": lambda: GuardCore(service, GuardConfig(), verifier=verifier),
        "a resource server's DPoPPolicy needs a store": lambda: GuardCore(
            None, GuardConfig(dpop=DPoPPolicy()), verifier=verifier),
        "no TokenService is bound: pass one or call init_app()":
            lambda: GuardCore(None, GuardConfig()).require_service(),
        "this guard is a resource server: tokens are issued, refreshed and revoked by the "
        "authorization server": lambda: GuardCore(
            None, GuardConfig(), verifier=verifier).require_service(),
    }
    for message, call in refusals.items():
        with pytest.raises(InvalidArgumentError) as refused:
            call()  # type: ignore[no-untyped-call]
        assert str(refused.value) == message
    assert len(refusals) == 4


def test_csrf_cookie_and_header_must_both_be_sent() -> None:
    # The double submit compares the readable cookie with the header: one without the other is
    # refused whatever it holds (an empty or absent side never stands in for a value).
    service, core = _core(cookies=True)
    token = service.issue("a").access_token
    for value in ("", "x", "XXXX", "null", "undefined"):
        for cookies, header in (({}, value), ({"csrf_token": value}, None)):
            view = RequestView("POST", None, {"access_token": token, **cookies}, header)
            assert _refusal(core, view)[:2] == (401, "csrf"), (cookies, header)
    ok = RequestView("POST", None, {"access_token": token, "csrf_token": "v"}, "v")
    assert core.authenticate(ok).token == token


def test_new_csrf_token_carries_256_bits() -> None:
    tokens = {new_csrf_token() for _ in range(8)}
    assert len(tokens) == 8
    # 32 random octets in unpadded base64url: 43 characters, each of the URL-safe alphabet.
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]", t) for t in tokens)


def test_cookies_to_set_and_clear() -> None:
    service, core = _core(cookies=True, refresh_paths=("/r", "/out"))
    pair = service.issue("a")
    cookies = core.cookies_to_set(pair)
    csrf = cookies[-1][1]
    assert cookies == [
        ("access_token", pair.access_token, "/", True, pair.expires_in),
        ("refresh_token", pair.refresh_token, "/r", True, pair.refresh_expires_in),
        ("refresh_token", pair.refresh_token, "/out", True, pair.refresh_expires_in),
        ("csrf_token", csrf, "/", False, pair.refresh_expires_in),
    ]
    assert core.cookies_to_clear() == [
        ("access_token", "/"), ("csrf_token", "/"), ("refresh_token", "/r"),
        ("refresh_token", "/out"),
    ]


def test_a_dpop_header_without_dpop_is_a_malformed_refresh() -> None:
    # Without a DPoPPolicy, "Authorization: DPoP" is no scheme this guard reads: the refresh
    # token is not looked for in the body instead.
    service, core = _core()
    refresh = service.issue("a").refresh_token
    view = RequestView("POST", f"DPoP {refresh}", {}, None, content_type="application/json",
                       body=lambda: b'{"refresh_token": "%s"}' % refresh.encode())
    assert _refusal(core, view, refresh=True) == (
        400, "malformed", "the Authorization header is not 'Bearer <token>'")


def test_logout_takes_either_kind_so_never_answers_wrong_token_type() -> None:
    # revoke() takes an access or a refresh token: a refresh token refused at logout (here
    # signed by another key) is not valid, not "a refresh token used as an access token".
    _, core = _core()
    forged = TokenService("z" * 40, "HS256", issuer="i", audience="a", clock=FakeClock()
                          ).issue("a")
    for token in (forged.refresh_token, forged.access_token):
        with pytest.raises(AuthRefused) as refused:
            core.logout(token)
        failure = refused.value.failure
        assert (failure.status, failure.reason, failure.message) == (
            401, "invalid", "the token is not valid")


@pytest.mark.parametrize(
    ("lines", "cookies"),
    [
        (["a=1; b=2", "c=3"], {"a": "1", "b": "2", "c": "3"}),
        # RFC 6265 §5.2: the name is what precedes the first "=", the value all the rest.
        (["t=ab==; u==x"], {"t": "ab==", "u": "=x"}),
        # Only SP and HTAB are trimmed: another control character stays part of the name or
        # value (a "\vaccess_token" cookie is not the access_token cookie).
        (["\t a \t=\t 1 \t", "\x0bb=2", "c=\x0b3"], {"a": "1", "\x0bb": "2", "c": "\x0b3"}),
        (["XSRF=XvalueX"], {"XSRF": "XvalueX"}),
        # Pairs without "=" or without a name are skipped, and reading goes on after them.
        (["flag; =v; ; a=1", "==; b=2"], {"a": "1", "b": "2"}),
        # §4.1.1: a value in double quotes is read without them; one quote alone is no pair.
        (['q="abc"; e=""; o="; p="x; s=x"; m=a"b"'],
         {"q": "abc", "e": "", "o": '"', "p": '"x', "s": 'x"', "m": 'a"b"'}),
        (['w=""x""'], {"w": '"x"'}),
        # A name sent twice (a sibling subdomain's cookie, §8.6) is trusted in neither copy.
        (["a=1; b=2; a=1", "b=2"], {"a": None, "b": None}),
    ],
)
def test_parse_cookies(lines: list[str], cookies: dict[str, str | None]) -> None:
    assert parse_cookies(lines) == cookies


def test_check_variant_texts() -> None:
    _, core = _core()
    resource = GuardCore(None, GuardConfig(), verifier=object())  # type: ignore[arg-type]
    refusals = {
        "a refresh guard cannot also demand a fresh token":
            lambda: core.check_variant(refresh=True, fresh=True),
        "a resource server guard verifies access tokens only: no refresh or fresh":
            lambda: resource.check_variant(refresh=False, fresh=True),
        "a refresh guard spends a refresh token: no scopes":
            lambda: core.check_variant(refresh=True, fresh=False, scopes=["a"]),
    }
    for message, call in refusals.items():
        with pytest.raises(InvalidArgumentError) as refused:
            call()
        assert str(refused.value) == message
    assert len(refusals) == 3


def test_cookie_token_with_leading_blank_is_refused() -> None:
    # RFC 6265 §4.1.1: a cookie-octet is no space or tab; the blank RFC 6750 allows after
    # "Bearer" is the header's, not the cookie's.
    service, core = _core(cookies=True)
    token = service.issue("a").access_token
    for blank in (" ", "\t"):
        view = RequestView("GET", None, {"access_token": blank + token}, None)
        assert _refusal(core, view) == (
            400, "malformed", "the access_token cookie does not hold a token")


def test_one_header() -> None:
    assert one_header([]) is None
    assert one_header(["Bearer a"]) == "Bearer a"
    # Two lines are joined as a WSGI server joins them (RFC 9110 §5.3): malformed as a whole.
    assert one_header(["Bearer a", "Bearer b"]) == "Bearer a, Bearer b"


def test_a_token_of_the_other_kind_is_named_so() -> None:
    # A refresh token presented as an access token, and an access token spent as a refresh
    # token, are refused as the wrong kind, not merely as invalid.
    service, core = _core()
    pair = service.issue("a")
    as_access = RequestView("GET", f"Bearer {pair.refresh_token}", {}, None)
    assert _refusal(core, as_access) == (
        401, "wrong_token_type", "a refresh token cannot be used as an access token")
    as_refresh = RequestView("POST", f"Bearer {pair.access_token}", {}, None)
    assert _refusal(core, as_refresh, refresh=True) == (
        401, "wrong_token_type", "an access token cannot be used to refresh")


def test_classify_answers_word_for_word() -> None:
    # Each answer's message is the client's explanation: fixed texts, or the refusal's own.
    refresh, access = _token(REFRESH_TYP), _token(ACCESS_TYP)
    cases = [
        (BearerError("x", error=None), None, ACCESS_TYP,
         (401, None, "missing", "no access token was sent")),
        (BearerError("x"), None, ACCESS_TYP,
         (400, "invalid_request", "malformed", "the Authorization header is not 'Bearer <token>'")),
        (RequestBodyError("the body is odd"), None, "",
         (400, "invalid_request", "bad_request", "the body is odd")),
        (_UnsupportedGrantError("grant"), None, "",
         (400, "unsupported_grant_type", "bad_request", "grant")),
        (_BodyTooLargeError("large"), None, "", (413, "invalid_request", "bad_request", "large")),
        (_CSRFError("x"), None, ACCESS_TYP, (401, "invalid_token", "csrf",
                                             "missing or wrong CSRF token")),
        (ExpiredSignatureError("x"), None, ACCESS_TYP,
         (401, "invalid_token", "expired", "the token has expired")),
        (RevokedTokenError("x"), None, ACCESS_TYP,
         (401, "invalid_token", "revoked", "the token has been revoked")),
        (StaleTokenError("x"), None, ACCESS_TYP, (401, "insufficient_user_authentication",
                                                  "not_fresh", "this action needs a fresh login")),
        (_UnknownUserError("x"), None, ACCESS_TYP,
         (401, "invalid_token", "user_not_found", "the user no longer exists")),
        (InvalidTokenError("x"), refresh, ACCESS_TYP,
         (401, "invalid_token", "wrong_token_type",
          "a refresh token cannot be used as an access token")),
        (InvalidTokenError("x"), access, REFRESH_TYP,
         (401, "invalid_token", "wrong_token_type", "an access token cannot be used to refresh")),
        (DecodeError("x"), "a.b.c", ACCESS_TYP,
         (401, "invalid_token", "malformed", "the token is malformed")),
        (InvalidSignatureError("x"), access, ACCESS_TYP,
         (401, "invalid_token", "invalid", "the token is not valid")),
        (RevocationStoreUnavailableError("x"), None, ACCESS_TYP,
         (503, "temporarily_unavailable", "unavailable", "the revocation store is unavailable")),
        (PyJWKClientError("x"), None, ACCESS_TYP,
         (503, "temporarily_unavailable", "unavailable",
          "the authorization server's keys are unavailable")),
        (InsufficientScopeError("admin write"), None, ACCESS_TYP,
         (403, "insufficient_scope", "insufficient_scope",
          "the token lacks a scope this request needs")),
    ]
    for exc, token, expected, answer in cases:
        failure = classify(exc, token, expected)
        assert (failure.status, failure.error, failure.reason, failure.message) == answer, exc
        refused = AuthRefused(failure)
        assert (refused.failure, str(refused)) == (failure, failure.message)
    assert len(cases) == 17
    assert classify(InsufficientScopeError("admin write"), None, ACCESS_TYP).scope == "admin write"


@pytest.mark.parametrize(
    ("authorization", "required", "answer"),
    [
        ("DPoP a b", False, (400, "malformed", "the Authorization header is not 'DPoP <token>'")),
        ("Bearer a b", False,
         (400, "malformed", "the Authorization header is not 'Bearer <token>'")),
        ("Basic YTpi", False,
         (400, "malformed", "the Authorization header is not 'Bearer <token>' or 'DPoP <token>'")),
        ("Bearer a b", True, (400, "malformed", "the Authorization header is not 'DPoP <token>'")),
        # A well-formed header whose token is not a JWS: 401, its own message.
        ("Bearer a.b.c", False, (401, "malformed", "the token is malformed")),
    ],
)
def test_malformed_answers_name_the_schemes_dpop_accepts(
    authorization: str, required: bool, answer: tuple[int, str, str]
) -> None:
    _, core = _core(dpop=DPoPPolicy(required=required))
    assert _refusal(core, RequestView("GET", authorization, {}, None)) == answer


def test_authenticate_requires_a_token_by_default_and_checks_its_variant() -> None:
    service, core = _core()
    assert _refusal(core, RequestView("GET", None, {}, None)) == (
        401, "missing", "no access token was sent")
    view = RequestView("GET", f"Bearer {service.issue('a').access_token}", {}, None)
    for options, message in (
        ({"refresh": True, "fresh": True}, "a refresh guard cannot also demand a fresh token"),
        ({"refresh": True, "scopes": ["a"]}, "a refresh guard spends a refresh token: no scopes"),
    ):
        with pytest.raises(InvalidArgumentError) as refused:
            core.authenticate(view, **options)  # type: ignore[arg-type]
        assert str(refused.value) == message


def test_a_refresh_gives_the_new_pairs_claims_and_the_spent_token() -> None:
    service, core = _core()
    spent = service.issue("alice", {"role": "admin"}).refresh_token
    result = core.authenticate(RequestView("POST", f"Bearer {spent}", {}, None), refresh=True)
    assert result.token == spent
    assert result.pair is not None
    assert result.pair.refresh_token != spent
    assert result.claims == service.verify_access(result.pair.access_token)
    assert (result.claims["sub"], result.claims["role"]) == ("alice", "admin")


def test_dpop_refusal_text_keeps_to_the_challenge_characters() -> None:
    # RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E; anything else is
    # dropped (not replaced), and the text is cut at 200 characters.
    failure = classify(DPoPProofError('a "quoted"\\ \u00e9\ntext'), None, ACCESS_TYP)
    assert failure.message == "a quoted text"
    assert classify(DPoPProofError("x" * 300), None, ACCESS_TYP).message == "x" * 200
