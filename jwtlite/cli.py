"""The ``jwtlite`` command line: encode, decode, encrypt, decrypt, keygen, jwk.

Exit codes: 0 success, 1 invalid token (one line on stderr), 2 usage error (bad arguments,
unreadable file, unusable key). User errors never print a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import stat
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import IO, Any

from . import __version__
from . import jwe as _jwe
from ._jwa import ENCRYPTIONS, JWE_ALGORITHMS
from ._values import finite
from .algorithms import default_algorithms
from .api import PyJWT
from .b64url import b64url_decode, b64url_encode
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    InvalidKeyError,
    InvalidTokenError,
    PyJWTError,
)
from .jwk import key_to_jwk, thumbprint
from .jws import DEFAULT_MAX_TOKEN_SIZE
from .keygen import generate_key
from .keys import dump_pem, load_key

__all__ = ["main"]

_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d{1,9})([smhdw]?)")
# The supported JWS algorithm names, in their registered spelling (RFC 7518 §3.1, RFC 8037).
_ALGORITHMS = tuple(name for name in default_algorithms() if name != "none")
# Curves keygen accepts besides the algorithms: their keys are for JWE's ECDH-ES (RFC 8037).
_AGREEMENT_CURVES = ("X25519", "X448")
# 128 + SIGPIPE, what a shell reports for a writer whose reader left: distinct from 1 (invalid
# token) and 2 (usage), so a script can tell "the pipe closed" from a real failure.
_EXIT_BROKEN_PIPE = 141
_NO_VERIFY_WARNING = (
    "WARNING: --no-verify: the signature and claims were NOT checked; anyone could have "
    "written this token. Do not trust its contents."
)


class _CLIError(Exception):
    """Leave with ``code`` after printing ``message`` on stderr."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(message)


def _duration(text: str) -> int:
    match = _DURATION.fullmatch(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration like 30s, 15m, 2h, 7d: {text!r}")
    return int(match.group(1)) * _UNITS[match.group(2)]


def _text(text: str) -> str:
    """An argparse type for text that goes into a token (a claim, a header): valid UTF-8.

    On POSIX, Python reads command-line bytes that are not UTF-8 as lone surrogates
    (``$'\\xff'`` becomes ``"\\udcff"``), which no JSON reader turns back into them.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(f"not valid UTF-8 text: {text!r}") from None
    return text


def _argument_bytes(text: str, what: str) -> bytes:
    """The octets of a key, plaintext or token given on the command line: the bytes the shell
    passed (os.fsencode undoes Python's surrogateescape decoding of them)."""
    try:
        return os.fsencode(text)
    except UnicodeEncodeError:
        raise _CLIError(2, f"the {what} is not valid text") from None


#: Unicode categories a terminal may act on or that change how a line reads: controls (C1's
#: CSI, U+009B, is "ESC ["), format characters (bidi overrides such as U+202E), surrogates,
#: private use, unassigned, and the line and paragraph separators.
_INERT_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"))
_NOT_ASCII = re.compile(r"[^\x20-\x7e\n]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if unicodedata.category(char) not in _INERT_CATEGORIES:
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # outside the BMP: a UTF-16 surrogate pair (RFC 8259 §7)
    return f"\\u{0xD800 | code >> 10:04x}\\u{0xDC00 | code & 0x3FF:04x}"


def _json_text(value: Any) -> str:
    """JSON for the terminal, printable non-ASCII as it is. Everything a terminal could act
    on goes out as a JSON escape: json.dumps escapes only U+0000-U+001F, so a token's claims
    could carry C1 controls and bidi overrides to the screen they are inspected on. A lone
    surrogate (a token's "\\ud800" escape decodes to one, which no encoding can write) goes
    out as that escape again."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _NOT_ASCII.sub(_json_escape, text)


def _algorithm(text: str) -> str:
    """An argparse type: a supported algorithm name, or a usage error that says what to type."""
    if text in _ALGORITHMS:
        return text
    if text.lower() == "none":
        raise argparse.ArgumentTypeError(
            "'none' makes unsigned tokens that anyone can forge (RFC 8725 §3.1); this tool "
            "only signs and verifies: pick a signing algorithm such as HS256 or ES256"
        )
    by_case = [name for name in _ALGORITHMS if name.lower() == text.lower()]
    close = by_case or difflib.get_close_matches(text.upper(), _ALGORITHMS, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else f"; choose from {', '.join(_ALGORITHMS)}"
    raise argparse.ArgumentTypeError(f"unknown algorithm {text!r}{hint}")


def _jwe_name(table: Mapping[str, Any], what: str) -> Callable[[str], str]:
    """An argparse type for a JWE ``alg`` or ``enc`` name of RFC 7518 §4.1 / §5.1."""

    def check(text: str) -> str:
        if text in table:
            return text
        close = difflib.get_close_matches(text.upper(), list(table), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else f"; choose from {', '.join(table)}"
        raise argparse.ArgumentTypeError(f"unknown JWE {what} {text!r}{hint}")

    return check


def _keygen_name(text: str) -> str:
    """An argparse type for ``keygen``: an algorithm, or a key-agreement curve (RFC 7748)."""
    if text in _AGREEMENT_CURVES:
        return text
    close = difflib.get_close_matches(text.upper(), _AGREEMENT_CURVES, n=1, cutoff=0.8)
    if close:
        raise argparse.ArgumentTypeError(f"unknown curve {text!r}; did you mean {close[0]}?")
    try:
        return _algorithm(text)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{exc} (or X25519, X448 for JWE keys)") from None


def _span(seconds: float) -> str:
    whole = int(abs(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86400:
        return f"{whole // 3600} h"
    return f"{whole // 86400} d"


def _describe_time(name: str, value: float, now: float) -> str:
    """ "2026-01-01T00:00:00Z (expires in 14 min)" for one NumericDate claim."""
    if finite(value) is None:  # 10**400 - now would raise OverflowError
        return "out of range"
    try:
        moment = datetime.fromtimestamp(value, tz=timezone.utc)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        stamp = "out of range"
    delta = value - now
    span = _span(delta)
    future = delta > 0
    if name == "exp":
        words = f"expires in {span}" if future else f"expired {span} ago"
    elif name == "nbf":
        words = f"not valid for another {span}" if future else f"valid since {span} ago"
    else:
        words = f"issued {span} in the future" if future else f"issued {span} ago"
    return f"{stamp} ({words})"


def _times(claims: dict[str, Any], now: float) -> dict[str, str]:
    out = {}
    for name in ("iat", "nbf", "exp"):
        value = claims.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = _describe_time(name, value, now)
    return out


#: The most read from a file or stdin, by what is read: a token (or claims) up to the token
#: size limit, with room for whitespace around it; a plaintext up to what jwtlite inflates on
#: decryption; a key file up to a megabyte. Reading without a bound, `--key-file /dev/zero`
#: or an endless pipe grew until the process was killed for memory.
_READ_LIMITS = {
    "token": DEFAULT_MAX_TOKEN_SIZE + 4096,
    "claims": DEFAULT_MAX_TOKEN_SIZE + 4096,
    "plaintext": _jwe.MAX_DECOMPRESSED_SIZE,
    "key file": 1 << 20,
}


def _read(path: str, what: str) -> bytes:
    limit = _READ_LIMITS[what]
    try:
        if path == "-":
            # None when the shell closed it (<&-); an embedding may set a text-only stream.
            stdin: IO[bytes] | None = getattr(sys.stdin, "buffer", None)
            if stdin is None:
                raise _CLIError(
                    2, f"cannot read {what} '-': standard input is closed or not binary"
                )
            data = stdin.read(limit + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL, or a path that is not text
        reason = getattr(exc, "strerror", None) or exc
        raise _CLIError(2, f"cannot read {what} {path!r}: {reason}") from None
    if len(data) > limit:
        raise _CLIError(2, f"{what} {path!r} is larger than {limit} bytes")
    return data


def _key(args: argparse.Namespace, *, public: bool) -> Any:
    """The key named by --key/--key-file, as the algorithm family needs it."""
    if args.key is not None:
        raw = _argument_bytes(args.key, "key")
    else:
        raw = _read(args.key_file, "key file")
    if args.alg.startswith("HS"):
        # A secret file written by an editor or `echo` ends with a newline that is not
        # part of the secret.
        return raw.rstrip(b"\r\n")
    key = load_key(raw)
    # A private key file is accepted for verifying: only its public half is used.
    return key.public_key() if public else key


def _jwe_key(args: argparse.Namespace) -> Any:
    """The key named by --key/--key-file, as the JWE ``alg`` takes it.

    PBES2: the password (a trailing newline is not part of it). dir, A*KW, A*GCMKW: a JWK or
    the key's octets in base64url. RSA and ECDH-ES: PEM, DER or a JWK.
    """
    if args.key is not None:
        raw = _argument_bytes(args.key, "key")
    else:
        raw = _read(args.key_file, "key file")
    family = JWE_ALGORITHMS[args.alg].family
    text = raw.strip()
    if text[:1] == b"{":
        try:
            jwk = json.loads(text)
        except (ValueError, RecursionError):
            raise _CLIError(2, "the key is not valid JWK JSON") from None
        return jwk
    if family == "pbes2":
        return raw.rstrip(b"\r\n")
    if JWE_ALGORITHMS[args.alg].ktys == ("oct",):
        try:
            return b64url_decode(text)
        except DecodeError:
            raise _CLIError(2, f"a {args.alg} key is a JWK or base64url octets") from None
    return raw


def _cmd_encrypt(args: argparse.Namespace) -> int:
    source = args.plaintext
    plaintext = _read("-", "plaintext") if source == "-" else _argument_bytes(source, "plaintext")
    headers = {name: getattr(args, name) for name in ("kid", "cty", "typ") if getattr(args, name)}
    token = _jwe.encrypt(plaintext, _jwe_key(args), alg=args.alg, enc=args.enc,
                         headers=headers, zip="DEF" if args.zip else None)  # fmt: skip
    print(token)
    return 0


def _cmd_decrypt(args: argparse.Namespace) -> int:
    source: str = args.token
    raw = _read("-", "token") if source == "-" else _argument_bytes(source, "token")
    try:
        result = _jwe.decrypt_complete(
            raw.strip(), _jwe_key(args), algorithms=[args.alg], encryptions=[args.enc]
        )
    except InvalidKeyError:
        raise  # the key does not fit --alg and --enc: exit 2, as in decode
    except InvalidTokenError as exc:
        raise _CLIError(1, f"invalid token: {exc}") from None
    if args.header:
        print(_json_text(result.header), file=sys.stderr)
    sys.stdout.flush()
    sys.stdout.buffer.write(result.plaintext)  # the octets as they are: any content type
    sys.stdout.buffer.flush()
    return 0


def _claims_argument(text: str) -> dict[str, Any]:
    source = _read("-", "claims").decode("utf-8", "replace") if text == "-" else text
    try:
        claims = json.loads(source)
    except (ValueError, RecursionError):
        raise _CLIError(2, "CLAIMS_JSON is not valid JSON") from None
    if not isinstance(claims, dict):
        raise _CLIError(2, "CLAIMS_JSON must be a JSON object")
    return claims


def _cmd_encode(args: argparse.Namespace) -> int:
    claims = _claims_argument(args.claims)
    now = int(time.time())
    if not args.no_iat:
        claims.setdefault("iat", now)
    if args.exp is not None:
        if args.exp == 0:
            print("jwtlite: warning: --exp 0 makes a token that is already expired when issued",
                  file=sys.stderr)  # fmt: skip
        claims["exp"] = now + args.exp
    for name in ("iss", "sub"):
        if getattr(args, name) is not None:
            claims[name] = getattr(args, name)
    if args.aud:
        claims["aud"] = args.aud[0] if len(args.aud) == 1 else args.aud
    headers = {name: getattr(args, name) for name in ("typ", "kid") if getattr(args, name)}
    token = PyJWT().encode(claims, _key(args, public=False), args.alg, headers or None)
    print(token)
    return 0


def _token_argument(text: str) -> str:
    if text == "-":
        return _read("-", "token").decode("ascii", "replace").strip()
    return text.strip()


def _cmd_decode(args: argparse.Namespace) -> int:
    token = _token_argument(args.token)
    jwt = PyJWT()
    now = time.time()
    try:
        if args.no_verify:
            print(_NO_VERIFY_WARNING, file=sys.stderr)
            parts = jwt.decode_complete(token, options={"verify_signature": False})
        else:
            if args.alg is None or (args.key is None and args.key_file is None):
                raise _CLIError(2, "decode needs --alg and --key or --key-file (or --no-verify)")
            parts = jwt.decode_complete(
                token,
                _key(args, public=True),
                algorithms=[args.alg],
                audience=args.aud,
                issuer=args.iss,
                leeway=args.leeway,
                typ=args.typ,
                now=now,
            )
    except ExpiredSignatureError as exc:
        unverified = jwt.decode(token, options={"verify_signature": False})
        when = _times(unverified, now).get("exp", "")
        raise _CLIError(1, f"invalid token: {exc}: {when}".rstrip(": ")) from None
    except InvalidKeyError:
        # The key does not fit --alg (UnusableKeyError is also an InvalidTokenError): the
        # caller's mistake whatever the token, so main() exits 2 (a token whose alg is not
        # --alg is refused before the key is looked at: exit 1).
        raise
    except InvalidTokenError as exc:
        raise _CLIError(1, f"invalid token: {exc}") from None
    output = {
        "verified": not args.no_verify,
        "header": parts["header"],
        "claims": parts["payload"],
        "times": _times(parts["payload"], now),
    }
    print(_json_text(output))
    return 0


def _warn_if_others_can_read() -> None:
    """Say so when the secret just printed went into a file other users can read.

    ``jwtlite keygen ES256 > es256.pem`` makes the file with the shell's umask, commonly 0644:
    a private key any local user can read (ssh-keygen writes its keys 0600). The file is the
    shell's, so it is not changed here; a pipe or a terminal has nothing to say.
    """
    if os.name != "posix":
        return  # Windows reports no group or other permission bits
    try:
        mode = os.fstat(sys.stdout.fileno()).st_mode
    except (AttributeError, OSError, ValueError):  # no file behind stdout (io.UnsupportedOperation)
        return
    if stat.S_ISREG(mode) and mode & 0o077:
        print(
            "jwtlite: warning: the secret went into a file other users can read:"
            " chmod 600 it (or run under umask 077)",
            file=sys.stderr,
        )


def _cmd_keygen(args: argparse.Namespace) -> int:
    key = generate_key(args.alg)
    if isinstance(key, bytes):
        # The printed text itself is the secret: ASCII, so it survives files and shells.
        secret = b64url_encode(key)
        if args.jwk:
            print(json.dumps({"kty": "oct", "alg": args.alg, "k": b64url_encode(secret.encode())}))
        else:
            print(secret)
    elif args.jwk:
        # A curve name is not an algorithm: an X25519/X448 JWK carries no "alg" (RFC 8037 §2).
        alg = None if args.alg in _AGREEMENT_CURVES else args.alg
        print(json.dumps(key_to_jwk(key, kid=True, alg=alg), indent=2))
    else:
        print(dump_pem(key), end="")
    _warn_if_others_can_read()
    return 0


def _cmd_jwk(args: argparse.Namespace) -> int:
    key = load_key(_read(args.pemfile, "key file"))
    jwk = key_to_jwk(key, kid=True, include_private=not args.public)
    print(json.dumps(jwk, indent=2))
    print(f"RFC 7638 SHA-256 thumbprint: {thumbprint(key)}", file=sys.stderr)
    if "d" in jwk or "k" in jwk:
        _warn_if_others_can_read()
    return 0


def _add_key_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--key", help="the key: an HMAC secret, or PEM/JWK text")
    group.add_argument("--key-file", metavar="FILE", help="read the key from FILE ('-': stdin)")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jwtlite", description="Create and inspect JWTs.")
    parser.add_argument("--version", action="version", version=f"jwtlite {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    enc = sub.add_parser("encode", help="sign claims and print the token")
    enc.add_argument("--alg", required=True, type=_algorithm,
                     help="JWS algorithm, e.g. HS256, ES256")  # fmt: skip
    _add_key_options(enc, required=True)
    enc.add_argument("--exp", type=_duration, metavar="DURATION", help="lifetime, e.g. 15m")
    enc.add_argument("--iss", type=_text, help="issuer claim")
    enc.add_argument("--sub", type=_text, help="subject claim")
    enc.add_argument("--aud", action="append", type=_text, help="audience claim (repeatable)")
    enc.add_argument("--typ", type=_text, help="header typ, e.g. at+jwt")
    enc.add_argument("--kid", type=_text, help="header kid")
    enc.add_argument("--no-iat", action="store_true", help="do not add an iat claim")
    enc.add_argument("claims", nargs="?", default="{}", metavar="CLAIMS_JSON", type=_text,
                     help="a JSON object ('-': stdin)")  # fmt: skip
    enc.set_defaults(func=_cmd_encode)

    dec = sub.add_parser("decode", help="verify a token and print header and claims")
    dec.add_argument("--alg", type=_algorithm, help="the one algorithm accepted")
    _add_key_options(dec, required=False)
    dec.add_argument("--aud", type=_text, help="expected audience")
    dec.add_argument("--iss", type=_text, help="expected issuer")
    dec.add_argument("--typ", type=_text, help="required header typ")
    dec.add_argument("--leeway", type=_duration, default=0, metavar="DURATION")
    dec.add_argument("--no-verify", action="store_true", help="skip ALL checks (unsafe)")
    dec.add_argument("token", metavar="TOKEN", help="the token ('-': stdin)")
    dec.set_defaults(func=_cmd_decode)

    _add_jwe_commands(sub)

    gen = sub.add_parser("keygen", help="print a new private key (PEM) or secret")
    gen.add_argument("alg", metavar="ALG", type=_keygen_name,
                     help="JWS algorithm the key is for, or X25519/X448 (ECDH-ES)")  # fmt: skip
    gen.add_argument("--jwk", action="store_true", help="print a JWK instead of PEM")
    gen.set_defaults(func=_cmd_keygen)

    jwk = sub.add_parser("jwk", help="convert a key file to JWK and show its thumbprint")
    jwk.add_argument("pemfile", metavar="PEMFILE")
    jwk.add_argument("--public", action="store_true", help="export only the public key")
    jwk.set_defaults(func=_cmd_jwk)
    return parser


def _add_jwe_commands(sub: Any) -> None:
    alg = _jwe_name(JWE_ALGORITHMS, "alg")
    enc = _jwe_name(ENCRYPTIONS, "enc")
    encrypt = sub.add_parser("encrypt", help="encrypt a plaintext and print the JWE")
    encrypt.add_argument("--alg", required=True, type=alg, help="key management, e.g. dir")
    encrypt.add_argument("--enc", required=True, type=enc, help="content, e.g. A256GCM")
    _add_key_options(encrypt, required=True)
    encrypt.add_argument("--kid", type=_text, help="header kid")
    encrypt.add_argument("--cty", type=_text, help="header cty, e.g. JWT")
    encrypt.add_argument("--typ", type=_text, help="header typ")
    encrypt.add_argument("--zip", action="store_true", help='compress first (zip "DEF")')
    encrypt.add_argument("plaintext", nargs="?", default="-", metavar="PLAINTEXT",
                         help="the text to encrypt (default '-': stdin)")  # fmt: skip
    encrypt.set_defaults(func=_cmd_encrypt)

    decrypt = sub.add_parser("decrypt", help="decrypt a JWE and print its plaintext")
    decrypt.add_argument("--alg", required=True, type=alg, help="the one alg accepted")
    decrypt.add_argument("--enc", required=True, type=enc, help="the one enc accepted")
    _add_key_options(decrypt, required=True)
    decrypt.add_argument("--header", action="store_true", help="also print the header (stderr)")
    decrypt.add_argument("token", metavar="TOKEN", help="the JWE, compact or JSON ('-': stdin)")
    decrypt.set_defaults(func=_cmd_decrypt)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code (the console script passes it to ``sys.exit``)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code: int = args.func(args)
    except _CLIError as exc:
        print(f"jwtlite: {exc}", file=sys.stderr)
        return exc.code
    except PyJWTError as exc:
        # Bad keys, unknown algorithms, unserialisable claims: the caller's input, not a token.
        print(f"jwtlite: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `jwtlite decode ... | head`: the reader left. Point stdout at devnull so the
        # interpreter's final flush cannot raise again, and exit quietly like other tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return _EXIT_BROKEN_PIPE
    for warning in caught:
        print(f"jwtlite: warning: {warning.message}", file=sys.stderr)
    return code
