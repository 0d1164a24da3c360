"""The jwtlite CLI, run as a subprocess (and in-process, for coverage of the same paths)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from _sweep_support import ADDRESS_SPACE_BOUNDED, address_space_bound
from conftest import key_pem

from jwtlite import cli
from jwtlite.api import PyJWT
from jwtlite.keys import OKPPrivateKey, dump_pem, load_key

SECRET = "c" * 32


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Runner = Callable[..., Result]


def _subprocess(*args: str, stdin: str | None = None) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "jwtlite", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(params=["subprocess", "in-process"])
def run(
    request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Runner:
    if request.param == "subprocess":
        return _subprocess

    def in_process(*args: str, stdin: str | None = None) -> Result:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((stdin or "").encode())))
        try:
            code = cli.main(list(args))
        except SystemExit as exc:  # argparse's own usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return in_process


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result


def _fails(result: Result, code: int, pattern: str) -> None:
    assert result.code == code, (result.out, result.err)
    assert "Traceback" not in result.err
    assert re.search(pattern, result.err), result.err
    if code == 1:
        assert len(result.err.strip().splitlines()) == 1


def _hs_token(run: Runner, *extra: str, claims: str = '{"sub": "alice"}') -> str:
    return _ok(run("encode", "--alg", "HS256", "--key", SECRET, *extra, claims)).out.strip()


def test_encode_decode_round_trip(run: Runner) -> None:
    token = _hs_token(
        run, "--exp", "15m", "--iss", "me", "--aud", "a", "--aud", "b", "--typ", "at+jwt",
        "--kid", "k1",
    )  # fmt: skip
    claims = PyJWT().decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 900
    assert claims["aud"] == ["a", "b"]
    out = _ok(
        run("decode", "--alg", "HS256", "--key", SECRET, "--aud", "a", "--iss", "me", token)
    ).json()
    assert out["verified"] is True
    assert out["header"] == {"alg": "HS256", "typ": "at+jwt", "kid": "k1"}
    assert out["claims"]["sub"] == "alice"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(expires in 1[45] min\)",
                        out["times"]["exp"])  # fmt: skip
    assert re.search(r"\(issued \d+ s ago\)", out["times"]["iat"])


def test_decode_token_from_stdin_and_key_file(run: Runner, tmp_path: Path) -> None:
    token = _hs_token(run)
    key_file = tmp_path / "secret"
    key_file.write_text(SECRET + "\n")
    out = _ok(run("decode", "--alg", "HS256", "--key-file", str(key_file), "-", stdin=token + "\n"))
    assert out.json()["claims"] == {"sub": "alice", "iat": out.json()["claims"]["iat"]}


def test_encode_claims_from_stdin(run: Runner) -> None:
    token = _ok(
        run("encode", "--alg", "HS256", "--key", SECRET, "--no-iat", "-", stdin='{"x": 1}')
    ).out.strip()
    assert PyJWT().decode(token, SECRET, algorithms=["HS256"]) == {"x": 1}


def test_expired_token(run: Runner) -> None:
    past = int(time.time()) - 3 * 3600 - 60
    token = _hs_token(run, "--no-iat", claims=json.dumps({"exp": past, "nbf": past - 10}))
    result = run("decode", "--alg", "HS256", "--key", SECRET, token)
    _fails(result, 1, r"invalid token: .*expired 3 h ago")
    out = _ok(run("decode", "--no-verify", token)).json()
    assert out["times"]["nbf"].endswith("(valid since 3 h ago)")


def test_future_times_are_described(run: Runner) -> None:
    future = int(time.time()) + 2 * 86400 + 60
    token = _hs_token(run, "--no-iat", claims=json.dumps({"iat": future, "nbf": future}))
    out = _ok(run("decode", "--no-verify", token)).json()
    assert out["times"]["iat"].endswith("(issued 2 d in the future)")
    assert out["times"]["nbf"].endswith("(not valid for another 2 d)")
    huge = _hs_token(run, "--no-iat", claims='{"exp": 1e300}')
    assert "out of range" in _ok(run("decode", "--no-verify", huge)).json()["times"]["exp"]


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--key", "d" * 32], "Signature verification failed"),
        (["--key", SECRET, "--aud", "x"], "(?i)audience"),
        (["--key", SECRET, "--iss", "x"], "(?i)issuer"),
        (["--key", SECRET, "--typ", "at+jwt"], "typ"),
    ],
)
def test_invalid_token_exit_1(run: Runner, args: list[str], pattern: str) -> None:
    token = _hs_token(run, "--iss", "me", "--aud", "api")
    if "--aud" not in args:
        args = [*args, "--aud", "api"]
    _fails(run("decode", "--alg", "HS256", *args, token), 1, pattern)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "", "é"])
def test_malformed_token_exit_1(run: Runner, token: str) -> None:
    _fails(run("decode", "--alg", "HS256", "--key", SECRET, token), 1, "invalid token")


def test_no_verify_is_loud(run: Runner) -> None:
    token = PyJWT().encode({"sub": "x"}, "unknown-secret-of-some-32-bytes!!")
    result = _ok(run("decode", "--no-verify", token))
    assert "WARNING" in result.err
    assert "NOT" in result.err
    assert result.json()["verified"] is False


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        ([], "usage"),
        (["encode", "--key", SECRET, "{}"], "--alg"),
        (["encode", "--alg", "HS256", "{}"], "--key"),
        (["encode", "--alg", "HS256", "--key", SECRET, "--key-file", "f", "{}"], "not allowed"),
        (["encode", "--alg", "HS256", "--key", SECRET, "{"], "not valid JSON"),
        (["encode", "--alg", "HS256", "--key", SECRET, "[1]"], "JSON object"),
        (["encode", "--alg", "HS256", "--key", SECRET, "--exp", "soon", "{}"], "duration"),
        (["encode", "--alg", "NOPE", "--key", SECRET, "{}"], "unknown algorithm 'NOPE'; choose"),
        (["encode", "--alg", "hs256", "--key", SECRET, "{}"], "did you mean HS256[?]"),
        (["decode", "--alg", "RS265", "--key", SECRET, "a.b.c"], "did you mean RS256[?]"),
        (["encode", "--alg", "none", "--key", SECRET, "{}"], "'none' makes unsigned tokens"),
        (["decode", "--alg", "None", "--key", SECRET, "a.b.c"], "'none' makes unsigned"),
        (["encode", "--alg", "ES256", "--key", SECRET, "{}"], "error"),
        (["encode", "--alg", "HS256", "--key-file", "/nonexistent/k", "{}"], "cannot read"),
        (["decode", "--key", SECRET, "a.b.c"], "needs --alg"),
        (["decode", "--alg", "HS256", "a.b.c"], "needs --alg"),
        (["keygen", "NOPE"], "unknown algorithm"),
        (["keygen", "es256"], "did you mean ES256[?]"),
        (["keygen", "x25519"], "did you mean X25519[?]"),
        (["keygen", "NOPE"], "or X25519, X448 for JWE keys"),
        (["jwk", "/nonexistent/key.pem"], "cannot read"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(run: Runner, args: list[str], pattern: str) -> None:
    _fails(run(*args), 2, pattern)


def test_public_key_is_not_an_hmac_secret(run: Runner, tmp_path: Path) -> None:
    public = tmp_path / "pub.pem"
    public.write_text(dump_pem(load_key(key_pem("ec_p256.pem")).public_key()))
    _fails(run("encode", "--alg", "HS256", "--key-file", str(public), "{}"), 2, "error")


def test_a_key_that_does_not_fit_alg_is_a_usage_error(run: Runner, tmp_path: Path) -> None:
    # docs/cli.md: an unusable key exits 2. decode and decrypt reported it as an invalid
    # token (exit 1), so a script could not tell its own misconfiguration (a public key as
    # the HMAC secret, an EC key for --alg RS256, a public key to decrypt, a dir key of the
    # wrong length) from a forged or expired token.
    ec_private = load_key(key_pem("ec_p256.pem"))
    rsa_private = load_key(key_pem("rsa2048.pem"))
    public = tmp_path / "pub.pem"
    public.write_text(dump_pem(ec_private.public_key()))
    rsa_public = tmp_path / "rsa_pub.pem"
    rsa_public.write_text(dump_pem(rsa_private.public_key()))
    ec_file = tmp_path / "ec.pem"
    ec_file.write_text(dump_pem(ec_private))
    hs_token = PyJWT().encode({"a": 1}, SECRET, "HS256")
    rs_token = PyJWT().encode({"a": 1}, rsa_private, "RS256")
    aes_key = "A" * 43
    dir_token = _ok(run("encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", aes_key, "x"))
    oaep = ("--alg", "RSA-OAEP-256", "--enc", "A256GCM")
    oaep_token = _ok(run("encrypt", *oaep, "--key-file", str(rsa_public), "x"))
    cases = [
        (("decode", "--alg", "HS256", "--key-file", str(public), hs_token), "asymmetric key"),
        (("decode", "--alg", "RS256", "--key-file", str(ec_file), rs_token), "EC P-256 key"),
        (("decrypt", "--alg", "dir", "--enc", "A256GCM", "--key", "A" * 22,
          dir_token.out.strip()), "needs a 32-byte key"),
        (("decrypt", *oaep, "--key-file", str(rsa_public), oaep_token.out.strip()),
         "public key cannot decrypt"),
    ]  # fmt: skip
    for args, pattern in cases:
        _fails(run(*args), 2, f"jwtlite: error: .*{pattern}")
    assert len(cases) == 4
    # The token's own faults stay exit 1 with the right key: a bad signature, another alg.
    _fails(run("decode", "--alg", "HS256", "--key", "d" * 32, hs_token), 1, "Signature")
    _fails(run("decode", "--alg", "ES256", "--key-file", str(ec_file), rs_token), 1, "not allowed")


def test_short_secret_warns(run: Runner) -> None:
    result = _ok(run("encode", "--alg", "HS256", "--key", "short", "{}"))
    assert "jwtlite: warning:" in result.err


def test_keygen_hmac(run: Runner) -> None:
    secret = _ok(run("keygen", "HS256")).out.strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    jwk = json.loads(_ok(run("keygen", "HS512", "--jwk")).out)
    assert jwk["kty"] == "oct"
    assert jwk["alg"] == "HS512"


def test_keygen_ec_sign_and_verify(run: Runner, tmp_path: Path) -> None:
    pem = _ok(run("keygen", "ES256")).out
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    key_file = tmp_path / "k.pem"
    key_file.write_text(pem)
    token = _ok(run("encode", "--alg", "ES256", "--key-file", str(key_file), '{"a": 1}'))
    # A private key file verifies, through its public half.
    out = _ok(run("decode", "--alg", "ES256", "--key-file", str(key_file), token.out.strip()))
    assert out.json()["claims"]["a"] == 1
    public_file = tmp_path / "pub.pem"
    public_file.write_text(dump_pem(load_key(pem).public_key()))
    _ok(run("decode", "--alg", "ES256", "--key-file", str(public_file), token.out.strip()))
    _fails(
        run("decode", "--alg", "RS256", "--key-file", str(public_file), token.out.strip()), 1, ""
    )


@pytest.mark.parametrize(("curve", "size"), [("X25519", 32), ("X448", 56)])
def test_keygen_key_agreement_keys(run: Runner, tmp_path: Path, curve: str, size: int) -> None:
    # JWE ECDH-ES keys (RFC 8037): a PKCS#8 PEM (RFC 8410) and a JWK without "alg".
    pem = _ok(run("keygen", curve)).out
    key = load_key(pem)
    assert isinstance(key, OKPPrivateKey)
    assert (key.curve, len(key.d)) == (curve, size)
    jwk = json.loads(_ok(run("keygen", curve, "--jwk")).out)
    assert (jwk["kty"], jwk["crv"], "alg" in jwk) == ("OKP", curve, False)
    key_file = tmp_path / "x.pem"
    key_file.write_text(pem)
    public = json.loads(_ok(run("jwk", str(key_file), "--public")).out)
    assert set(public) == {"kty", "kid", "crv", "x"}
    # Such a key does not sign.
    _fails(run("encode", "--alg", "EdDSA", "--key-file", str(key_file), "{}"), 2, "key agreement")


def test_keygen_eddsa_jwk(run: Runner) -> None:
    jwk = json.loads(_ok(run("keygen", "EdDSA", "--jwk")).out)
    assert (jwk["kty"], jwk["crv"], jwk["alg"]) == ("OKP", "Ed25519", "EdDSA")
    assert {"x", "d", "kid"} <= set(jwk)


def test_jwk_command(run: Runner, tmp_path: Path) -> None:
    key_file = tmp_path / "rsa.pem"
    key_file.write_bytes(key_pem("rsa2048.pem"))
    result = _ok(run("jwk", str(key_file)))
    jwk = result.json()
    assert jwk["kty"] == "RSA"
    assert "d" in jwk
    assert f"thumbprint: {jwk['kid']}" in result.err
    public = _ok(run("jwk", "--public", str(key_file))).json()
    assert "d" not in public
    assert public["kid"] == jwk["kid"]
    token = _ok(run("encode", "--alg", "RS256", "--key-file", str(key_file), "{}")).out.strip()
    _ok(run("decode", "--alg", "RS256", "--key", json.dumps(public), token))


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize(
    "args",
    [("keygen", "ES256"), ("keygen", "HS256"), ("keygen", "EdDSA", "--jwk"), ("jwk", "KEY")],
)
def test_a_secret_printed_into_a_file_others_can_read_is_flagged(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    # `jwtlite keygen ES256 > es256.pem` makes the file with the umask's mode, commonly 0644:
    # a private key any local user can read, and nothing said so (ssh-keygen writes 0600).
    key_file = tmp_path / "rsa.pem"
    key_file.write_bytes(key_pem("rsa2048.pem"))
    argv = [str(key_file) if arg == "KEY" else arg for arg in args]
    warned = []
    for mode in (0o644, 0o600):
        out = tmp_path / f"out-{mode:o}"
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        os.fchmod(fd, mode)  # past the umask
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "jwtlite", *argv], stdout=fd, stderr=subprocess.PIPE,
                text=True, timeout=60, check=False,
            )
        finally:
            os.close(fd)
        assert proc.returncode == 0, proc.stderr
        assert out.stat().st_size > 0
        warned.append("other users can read" in proc.stderr)
    assert warned == [True, False]


def test_a_public_key_or_a_pipe_is_not_flagged(tmp_path: Path) -> None:
    key_file = tmp_path / "rsa.pem"
    key_file.write_bytes(key_pem("rsa2048.pem"))
    out = tmp_path / "public.jwk"
    with open(out, "wb") as handle:
        os.fchmod(handle.fileno(), 0o644)
        proc = subprocess.run(
            [sys.executable, "-m", "jwtlite", "jwk", "--public", str(key_file)], stdout=handle,
            stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )
    assert proc.returncode == 0
    assert "other users" not in proc.stderr
    assert "other users" not in _subprocess("keygen", "ES256").err  # a pipe: nothing to say


def test_jwk_rejects_garbage(run: Runner, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    _fails(run("jwk", str(garbage)), 2, "error")


@pytest.mark.skipif(
    not (ADDRESS_SPACE_BOUNDED and Path("/dev/zero").exists()), reason="needs RLIMIT_AS, /dev/zero"
)
@pytest.mark.parametrize("command", ["decode", "encode"])
def test_an_endless_key_file_is_refused_after_a_megabyte(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # read() of /dev/zero grew until the process was killed for memory (here: MemoryError
    # under the address-space bound); now one read of a megabyte and a byte, then exit 2.
    last = "{}" if command == "encode" else "x"
    args = [command, "--alg", "RS256", "--key-file", "/dev/zero", last]
    with address_space_bound():
        code = cli.main(args)
    assert code == 2
    assert "key file '/dev/zero' is larger than 1048576 bytes" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["decode", "--alg", "HS256", "--key", SECRET, "-"], "token"),
        (["encode", "--alg", "HS256", "--key", SECRET, "-"], "claims"),
        (["decrypt", "--alg", "dir", "--enc", "A256GCM", "--key", "A" * 43, "-"], "token"),
    ],
)
def test_stdin_past_the_token_limit_is_refused_before_it_is_read_whole(
    run: Runner, args: list[str], what: str
) -> None:
    _fails(run(*args, stdin="a" * 300_000), 2, f"{what} '-' is larger than 266240 bytes")


def test_console_script_and_version() -> None:
    script = Path(sys.executable).with_name("jwtlite")
    if not script.exists():
        pytest.skip("the jwtlite console script is not installed in this environment")
    proc = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("jwtlite ")


def test_python_m_entry_point_in_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import runpy

    monkeypatch.setattr(sys, "argv", ["jwtlite", "keygen", "HS384"])
    with pytest.raises(SystemExit) as info:
        runpy.run_module("jwtlite", run_name="__main__", alter_sys=True)
    assert info.value.code == 0
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}\n", capsys.readouterr().out)


def test_exp_zero_warns(run: Runner) -> None:
    result = _ok(run("encode", "--alg", "HS256", "--key", SECRET, "--exp", "0", "{}"))
    assert "warning: --exp 0 makes a token that is already expired" in result.err
    quiet = _ok(run("encode", "--alg", "HS256", "--key", SECRET, "--exp", "1s", "{}"))
    assert "warning" not in quiet.err


# --- encrypt / decrypt (issue 21) -------------------------------------------------------------

AES_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"  # base64url of octets 0..31


def test_encrypt_and_decrypt_with_a_symmetric_key(run: Runner) -> None:
    token = _ok(run("encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY,
                    "--kid", "k1", "--zip", "hello \u2013 world")).out.strip()  # fmt: skip
    assert token.count(".") == 4
    result = _ok(run("decrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY,
                     "--header", token))  # fmt: skip
    assert result.out == "hello \u2013 world"
    assert '"kid": "k1"' in result.err
    assert '"zip": "DEF"' in result.err


def test_encrypt_from_stdin_with_a_password_file_and_pem_keys(run: Runner, tmp_path: Path) -> None:
    password = tmp_path / "password"
    password.write_text("correct horse\n")
    alg = ("--alg", "PBES2-HS256+A128KW", "--enc", "A128CBC-HS256", "--key-file", str(password))
    token = _ok(run("encrypt", *alg, stdin="from stdin")).out.strip()
    assert _ok(run("decrypt", *alg, "-", stdin=token)).out == "from stdin"
    pem = tmp_path / "rsa.pem"
    pem.write_bytes(key_pem("rsa2048.pem"))
    rsa = ("--alg", "RSA-OAEP-256", "--enc", "A256GCM", "--key-file", str(pem))
    token = _ok(run("encrypt", *rsa, "secret")).out.strip()
    assert _ok(run("decrypt", *rsa, token)).out == "secret"


def test_decrypt_failures_and_usage_errors(run: Runner) -> None:
    dir_args = ("--alg", "dir", "--enc", "A256GCM")
    token = _ok(run("encrypt", *dir_args, "--key", AES_KEY, "x")).out.strip()
    other = "B" + AES_KEY[1:]
    _fails(run("decrypt", *dir_args, "--key", other, token), 1, "invalid token: Decryption failed")
    _fails(run("decrypt", "--alg", "dir", "--enc", "A128GCM", "--key", AES_KEY, token), 1,
           "not allowed")  # fmt: skip
    _fails(run("encrypt", "--alg", "A256GCMKW2", "--enc", "A256GCM", "--key", AES_KEY, "x"), 2,
           "unknown JWE alg 'A256GCMKW2'; did you mean A256GCMKW")  # fmt: skip
    _fails(run("encrypt", "--alg", "RSA1_5", "--enc", "A256GCM", "--key", "{}", "x"), 2,
           "RSA1_5 is for decrypting legacy tokens only")  # fmt: skip
    _fails(run("encrypt", *dir_args, "--key", "not base64!", "x"), 2, "JWK or base64url")
    _fails(run("encrypt", *dir_args, "--key", "{oops", "x"), 2, "not valid JWK JSON")
    _fails(run("encrypt", *dir_args, "--key", AES_KEY[:20], "x"), 2, "needs a 32-byte key")


def _unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    from jwtlite.b64url import b64url_encode

    parts = (b64url_encode(json.dumps(part).encode()) for part in (header, claims))
    return ".".join(parts) + ".c2ln"


def test_decode_prints_a_lone_surrogate_as_its_json_escape() -> None:
    # A token's "\ud800" escape decodes to a lone surrogate, which stdout (UTF-8) cannot write:
    # printing the claims raised UnicodeEncodeError (a traceback, for the token's sender).
    token = _unsigned({"alg": "HS256", "kid": "k\udc00"}, {"s": "\ud800", "n": "é", "exp": 10**400})
    result = _subprocess("decode", "--no-verify", token)
    assert result.code == 0, result.err
    out = result.json()
    assert out["claims"]["s"] == "\ud800"
    assert out["header"]["kid"] == "k\udc00"
    assert out["claims"]["n"] == "é"
    assert out["times"]["exp"] == "out of range"  # 10**400 - now raised OverflowError
    assert '"\\ud800"' in result.out


#: Characters a terminal acts on or that reorder a line, as a token's sender may put them in
#: a claim: C1 CSI (U+009B, "ESC [" in one character: a terminal that takes C1 controls reads
#: a following "2J" as clear-screen) and NEL, DEL, bidi overrides (U+202E, U+2066), the line
#: and paragraph separators, a zero-width space, a tag character (outside the BMP).
_TERMINAL_CONTROLS = "\u009b\u0085\u007f\u202e\u2066\u2028\u2029\u200b\U000e0001"


def test_decode_prints_no_terminal_control_of_the_token(run: Runner) -> None:
    # `decode --no-verify` exists to look at tokens anyone wrote; the claims and header went
    # to the terminal with C1 controls and bidi overrides raw (json.dumps escapes only
    # U+0000-U+001F with ensure_ascii=False), so a token could redraw or reorder the screen
    # it is inspected on. They go out as JSON escapes: the same JSON value, printed inert.
    claims = {"sub": "alice\u009b2J" + _TERMINAL_CONTROLS, "n": "é ✓"}
    token = _unsigned({"alg": "HS256", "kid": _TERMINAL_CONTROLS}, claims)
    result = run("decode", "--no-verify", token)
    assert result.code == 0, result.err
    shown = [c for c in result.out if c in _TERMINAL_CONTROLS]
    assert shown == []
    assert result.json()["claims"] == claims  # the value is unchanged, only escaped
    assert result.json()["header"]["kid"] == _TERMINAL_CONTROLS
    assert "\\u009b2J" in result.out
    assert "é ✓" in result.out  # printable text stays as it is
    assert "\\udb40\\udc01" in result.out  # a surrogate pair, as JSON spells U+E0001
    assert len(_TERMINAL_CONTROLS) == 9


def test_decrypt_header_prints_no_terminal_control(run: Runner) -> None:
    key = "A" * 43  # 32 zero octets, base64url
    token = _ok(run("encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", key,
                    "--kid", "k" + _TERMINAL_CONTROLS, "x")).out.strip()  # fmt: skip
    result = run("decrypt", "--alg", "dir", "--enc", "A256GCM", "--key", key, "--header", token)
    assert result.code == 0, result.err
    assert [c for c in result.err if c in _TERMINAL_CONTROLS] == []
    assert json.loads(result.err)["kid"] == "k" + _TERMINAL_CONTROLS


def test_arguments_that_are_not_utf8(run: Runner, tmp_path: Path) -> None:
    # On POSIX, argv bytes that are not UTF-8 reach Python as lone surrogates ("\udcff"); the
    # CLI encoded them as UTF-8 (UnicodeEncodeError, a traceback). A key, a plaintext or a
    # token is taken as the bytes the shell passed; text for a claim or a header is refused.
    token = _ok(run("encode", "--alg", "HS256", "--key", "k\udcff" * 32, "{}")).out.strip()
    assert list(PyJWT().decode(token, b"k\xff" * 32, algorithms=["HS256"])) == ["iat"]
    _fails(run("encode", "--alg", "HS256", "--key", SECRET, "--kid", "k\udcff", "{}"), 2,
           "not valid UTF-8 text")  # fmt: skip
    _fails(run("encode", "--alg", "HS256", "--key", SECRET, '{"a": "\udcff"}'), 2,
           "not valid UTF-8 text")  # fmt: skip
    _fails(run("decode", "--alg", "HS256", "--key", "k\udcff" * 31, token), 1, "Signature")


def test_arguments_no_bytes_stand_for(capsys: pytest.CaptureFixture[str]) -> None:
    # A lone surrogate that no argv byte decodes to ("\ud800": main() called from Python) and a
    # path with a NUL raised UnicodeEncodeError and ValueError.
    assert cli.main(["decode", "--alg", "HS256", "--key", "x\ud800", "a.b.c"]) == 2
    assert "key is not valid text" in capsys.readouterr().err
    plaintext = ["encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", "A" * 43, "\ud800"]
    assert cli.main(plaintext) == 2
    assert "plaintext is not valid text" in capsys.readouterr().err
    for path in ("a\x00b", "a\ud800"):
        assert cli.main(["jwk", path]) == 2
        assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize("stdin", [None, io.StringIO("x.y.z")], ids=["closed", "text-only"])
def test_stdin_without_bytes_is_a_clean_refusal(
    stdin: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `jwtlite decode ... - <&-` leaves sys.stdin None; an embedding may give a text-only
    # stream. Either raised AttributeError (a traceback) instead of exit 2.
    monkeypatch.setattr(sys, "stdin", stdin)
    assert cli.main(["decode", "--alg", "HS256", "--key", SECRET, "-"]) == 2
    assert capsys.readouterr().err == (
        "jwtlite: cannot read token '-': standard input is closed or not binary\n"
    )


# --- what the mutation run of the CLI found untested (in process: mutmut sees these) ---------


@pytest.fixture
def cli_run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    def in_process(*args: str, stdin: str | None = None) -> Result:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((stdin or "").encode())))
        try:
            code = cli.main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return in_process


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [("45", 45), ("45s", 45), (" 5m ", 300), ("2h", 7200), ("3d", 259200), ("1w", 604800),
     ("999999999s", 999999999)],
)  # fmt: skip
def test_exp_durations_by_unit(cli_run: Runner, duration: str, seconds: int) -> None:
    token = _ok(cli_run("encode", "--alg", "HS256", "--key", SECRET, "--exp", duration, "{}"))
    claims = PyJWT().decode(token.out.strip(), options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == seconds


@pytest.mark.parametrize("duration", ["1000000000s", "5 m", "+5m", "5M", "1y", "m"])
def test_durations_refused(cli_run: Runner, duration: str) -> None:
    result = cli_run("encode", "--alg", "HS256", "--key", SECRET, "--exp", duration, "{}")
    _fails(result, 2, re.escape(f"not a duration like 30s, 15m, 2h, 7d: {duration!r}"))


def test_leeway_is_a_duration(cli_run: Runner) -> None:
    past = int(time.time()) - 90
    token = _hs_token(cli_run, "--no-iat", claims=json.dumps({"exp": past}))
    _fails(cli_run("decode", "--alg", "HS256", "--key", SECRET, token), 1, "expired")
    _fails(cli_run("decode", "--alg", "HS256", "--key", SECRET, "--leeway", "1m", token), 1,
           "expired")  # fmt: skip
    out = _ok(cli_run("decode", "--alg", "HS256", "--key", SECRET, "--leeway", "2m", token))
    assert out.json()["claims"] == {"exp": past}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (59.9, "59 s"), (-59, "59 s"), (60, "1 min"), (3599, "59 min"),
     (3600, "1 h"), (-7199, "1 h"), (86399, "23 h"), (86400, "1 d"), (10 * 86400 + 5, "10 d")],
)  # fmt: skip
def test_spans(seconds: float, text: str) -> None:
    assert cli._span(seconds) == text


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("exp", 1_000_120, "1970-01-12T13:48:40Z (expires in 2 min)"),
        ("exp", 1_000_000, "1970-01-12T13:46:40Z (expired 0 s ago)"),
        ("exp", 999_880, "1970-01-12T13:44:40Z (expired 2 min ago)"),
        ("nbf", 1_000_120, "1970-01-12T13:48:40Z (not valid for another 2 min)"),
        ("nbf", 1_000_000, "1970-01-12T13:46:40Z (valid since 0 s ago)"),
        ("iat", 1_007_200, "1970-01-12T15:46:40Z (issued 2 h in the future)"),
        ("iat", 1_000_000.5, "1970-01-12T13:46:40Z (issued 0 s in the future)"),
        ("iat", 1_000_000, "1970-01-12T13:46:40Z (issued 0 s ago)"),
        ("exp", 1e300, "out of range (expires in "),
        ("exp", float("inf"), "out of range"),
        ("nbf", float("nan"), "out of range"),
    ],
)
def test_time_descriptions(name: str, value: float, text: str) -> None:
    described = cli._describe_time(name, value, 1_000_000)
    if text.endswith("in "):
        assert described.startswith(text)
        assert described.endswith(" d)")
    else:
        assert described == text


def test_only_numeric_time_claims_are_described() -> None:
    claims = {"iat": 0, "nbf": 0.0, "exp": True, "auth_time": 0, "iss": 0}
    assert cli._times(claims, 60) == {
        "iat": "1970-01-01T00:00:00Z (issued 1 min ago)",
        "nbf": "1970-01-01T00:00:00Z (valid since 1 min ago)",
    }
    assert cli._times({"exp": "10"}, 0) == {}


def test_expired_token_says_when_word_for_word(cli_run: Runner) -> None:
    past = int(time.time()) - 2 * 86400 - 100
    token = _hs_token(cli_run, "--no-iat", claims=json.dumps({"exp": past}))
    result = cli_run("decode", "--alg", "HS256", "--key", SECRET, token)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(past))
    assert result.code == 1
    expected = f"invalid token: Signature has expired: {stamp} (expired 2 d ago)"
    assert result.err == f"jwtlite: {expected}\n"
    assert result.out == ""


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
@pytest.mark.parametrize(
    ("mode", "warned"), [(0o644, True), (0o640, True), (0o604, True), (0o600, False),
                         (0o700, False)],
)  # fmt: skip
def test_the_readable_file_warning_in_process(
    cli_run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, mode: int, warned: bool
) -> None:
    # The subprocess tests above cannot reach a mutant; here stdout is the file itself.
    path = tmp_path / "key.pem"
    with open(path, "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), mode)
        monkeypatch.setattr(sys, "stdout", handle)
        result = cli_run("keygen", "HS256")
    assert result.code == 0
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}\n", path.read_text())
    warning = (
        "jwtlite: warning: the secret went into a file other users can read: chmod 600 it"
        " (or run under umask 077)\n"
    )
    assert result.err == (warning if warned else "")


def test_no_warning_for_a_pipe_or_a_stream_without_a_file(
    cli_run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "rb") as reader, os.fdopen(write_end, "w") as writer:
        monkeypatch.setattr(sys, "stdout", writer)
        result = cli_run("keygen", "HS256")
        writer.flush()
        assert result.code == 0
        assert result.err == ""
        os.close(os.dup(write_end))  # still open: the pipe was not replaced
        assert len(os.read(reader.fileno(), 100)) == 44
    for stream in (io.StringIO(), io.TextIOWrapper(io.BytesIO())):
        monkeypatch.setattr(sys, "stdout", stream)
        assert _ok(cli_run("keygen", "HS256")).err == ""


def test_the_warning_is_posix_only(
    cli_run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with open(tmp_path / "k", "w", encoding="ascii") as handle:
        os.fchmod(handle.fileno(), 0o644)
        monkeypatch.setattr(sys, "stdout", handle)
        monkeypatch.setattr(os, "name", "nt")
        result = cli_run("keygen", "HS256")
    assert (result.code, result.err) == (0, "")


def test_jwk_warns_only_for_secrets(
    cli_run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_file = tmp_path / "ec.pem"
    key_file.write_bytes(key_pem("ec_p256.pem"))
    warned = []
    cases = [(key_file, ()), (key_file, ("--public",))]
    for path, extra in cases:
        with open(tmp_path / "out", "w", encoding="ascii") as handle:
            os.fchmod(handle.fileno(), 0o644)
            monkeypatch.setattr(sys, "stdout", handle)
            result = cli_run("jwk", str(path), *extra)
        assert result.code == 0, result.err
        warned.append("other users can read" in result.err)
    assert warned == [True, False]


def test_keygen_output_formats(cli_run: Runner) -> None:
    # HMAC: the base64url text is the secret; its JWK (one line) holds that text's octets.
    secret = _ok(cli_run("keygen", "HS384")).out
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}\n", secret)
    line = _ok(cli_run("keygen", "HS256", "--jwk")).out
    assert line.count("\n") == 1
    jwk = json.loads(line)
    assert list(jwk) == ["kty", "alg", "k"]
    assert (jwk["kty"], jwk["alg"]) == ("oct", "HS256")
    from jwtlite.b64url import b64url_decode

    assert re.fullmatch(rb"[A-Za-z0-9_-]{43}", b64url_decode(jwk["k"]))
    # Asymmetric: an indented JWK with its thumbprint as kid and the algorithm, or a PEM.
    out = _ok(cli_run("keygen", "ES384", "--jwk")).out
    jwk = json.loads(out)
    assert out == json.dumps(jwk, indent=2) + "\n"
    assert (jwk["crv"], jwk["alg"]) == ("P-384", "ES384")
    from jwtlite.jwk import key_from_jwk, thumbprint

    assert jwk["kid"] == thumbprint(key_from_jwk(jwk))
    pem = _ok(cli_run("keygen", "Ed448")).out
    assert pem.endswith("-----END PRIVATE KEY-----\n")
    assert not pem.endswith("\n\n")
    assert load_key(pem).curve == "Ed448"


def test_jwk_command_output_word_for_word(cli_run: Runner, tmp_path: Path) -> None:
    key_file = tmp_path / "ec.pem"
    key_file.write_bytes(key_pem("ec_p256.pem"))
    result = _ok(cli_run("jwk", str(key_file)))
    jwk = result.json()
    assert result.out == json.dumps(jwk, indent=2) + "\n"
    assert result.err == f"RFC 7638 SHA-256 thumbprint: {jwk['kid']}\n"
    assert {"d", "x", "y", "kid"} <= set(jwk)


def test_main_without_a_command_prints_help_on_stderr(cli_run: Runner) -> None:
    result = cli_run()
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("usage: jwtlite [-h] [--version] COMMAND ...\n")
    assert "Create and inspect JWTs." in result.err


def test_library_errors_and_warnings_reach_stderr_word_for_word(cli_run: Runner) -> None:
    result = cli_run("encode", "--alg", "ES256", "--key", SECRET, "{}")
    assert result.code == 2
    assert result.err.startswith("jwtlite: error: ")
    assert result.err.count("\n") == 1
    short = _ok(cli_run("encode", "--alg", "HS256", "--key", "short", "--no-iat", "{}"))
    with pytest.warns(Warning, match="SHA256") as caught:
        PyJWT().encode({}, "short", "HS256")
    assert short.err == "".join(f"jwtlite: warning: {w.message}\n" for w in caught)


def test_broken_pipe_points_stdout_at_devnull(
    cli_run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`jwtlite keygen HS256 | head -c0`: the reader is gone; no traceback, exit 141."""
    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

        def fileno(self) -> int:
            return fd

    path = tmp_path / "out"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        monkeypatch.setattr(sys, "stdout", ClosedPipe())
        result = cli_run("keygen", "HS256")
        assert (result.code, result.err) == (141, "")
        assert os.path.samestat(os.fstat(fd), os.stat(os.devnull))
        assert os.write(fd, b"more") == 4  # writable: the interpreter's last flush succeeds
    finally:
        os.close(fd)
    assert path.read_bytes() == b""


def test_encode_claims_and_headers(cli_run: Runner) -> None:
    token = _ok(cli_run("encode", "--alg", "HS384", "--key", SECRET, "--sub", "bob", "--iss", "me",
                        "--aud", "api", "--kid", "k", '{"iat": 5, "sub": "x"}')).out  # fmt: skip
    assert token.endswith("\n")
    parts = PyJWT().decode_complete(token.strip(), options={"verify_signature": False})
    assert parts["header"] == {"alg": "HS384", "typ": "JWT", "kid": "k"}
    assert parts["payload"] == {"iat": 5, "sub": "bob", "iss": "me", "aud": "api"}
    bare = _ok(cli_run("encode", "--alg", "HS256", "--key", SECRET, "--no-iat", "{}")).out.strip()
    assert PyJWT().decode_complete(bare, options={"verify_signature": False})["payload"] == {}


def test_decode_output_word_for_word(cli_run: Runner) -> None:
    token = _hs_token(cli_run, "--no-iat", claims='{"sub": "é"}')
    result = _ok(cli_run("decode", "--alg", "HS256", "--key", SECRET, token))
    expected = {"verified": True, "header": {"alg": "HS256", "typ": "JWT"},
                "claims": {"sub": "é"}, "times": {}}  # fmt: skip
    assert result.out == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert result.err == ""
    unverified = _ok(cli_run("decode", "--no-verify", token))
    assert unverified.json() == {**expected, "verified": False}
    assert unverified.err == cli._NO_VERIFY_WARNING + "\n"
    assert cli._NO_VERIFY_WARNING == (
        "WARNING: --no-verify: the signature and claims were NOT checked; anyone could have "
        "written this token. Do not trust its contents."
    )


def test_decode_needs_alg_and_key_word_for_word(cli_run: Runner) -> None:
    for args in (["--key", SECRET], ["--alg", "HS256"], []):
        result = cli_run("decode", *args, "a.b.c")
        assert (result.code, result.out) == (2, "")
        assert result.err == (
            "jwtlite: decode needs --alg and --key or --key-file (or --no-verify)\n"
        )
    token = _hs_token(cli_run)
    assert _ok(cli_run("decode", "--alg", "HS256", "--key-file", "-", token, stdin=SECRET)).json()


def test_token_and_key_whitespace(cli_run: Runner, tmp_path: Path) -> None:
    token = _hs_token(cli_run, "--no-iat")
    _ok(cli_run("decode", "--alg", "HS256", "--key", SECRET, f" \t{token}\n "))
    _ok(cli_run("decode", "--alg", "HS256", "--key", SECRET, "-", stdin=f"\n {token}\r\n"))
    # A key file loses its trailing line end only: other whitespace is part of the secret.
    spaced = tmp_path / "spaced"
    spaced.write_bytes(SECRET.encode() + b" \r\n")
    signed = _ok(cli_run("encode", "--alg", "HS256", "--key-file", str(spaced), "{}")).out.strip()
    assert PyJWT().decode(signed, SECRET + " ", algorithms=["HS256"])
    spaced.write_bytes(SECRET.encode() + b"X\n")
    signed = _ok(cli_run("encode", "--alg", "HS256", "--key-file", str(spaced), "{}")).out.strip()
    assert PyJWT().decode(signed, SECRET + "X", algorithms=["HS256"])


def test_unreadable_files_word_for_word(cli_run: Runner, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing")
    result = cli_run("encode", "--alg", "HS256", "--key-file", missing, "{}")
    assert (result.code, result.out) == (2, "")
    assert result.err == f"jwtlite: cannot read key file {missing!r}: No such file or directory\n"
    result = cli_run("jwk", str(tmp_path))
    assert result.err == f"jwtlite: cannot read key file {str(tmp_path)!r}: Is a directory\n"
    big = tmp_path / "big"
    big.write_bytes(b"k" * (1 << 20))
    assert _ok(cli_run("encode", "--alg", "HS256", "--key-file", str(big), "{}"))
    big.write_bytes(b"k" * ((1 << 20) + 1))
    result = cli_run("encode", "--alg", "HS256", "--key-file", str(big), "{}")
    assert result.err == f"jwtlite: key file {str(big)!r} is larger than 1048576 bytes\n"


def test_read_limits() -> None:
    assert cli._READ_LIMITS == {
        "token": 262144 + 4096,
        "claims": 262144 + 4096,
        "plaintext": 1 << 20,
        "key file": 1 << 20,
    }


def test_stdin_at_the_limits(cli_run: Runner) -> None:
    # Exactly at the limit is read; one byte more is refused (the one-byte overread).
    at_limit = _ok(cli_run("encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY,
                           stdin="p" * (1 << 20))).out.strip()  # fmt: skip
    assert at_limit.count(".") == 4
    over = cli_run("encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY,
                   stdin="p" * ((1 << 20) + 1))  # fmt: skip
    assert over.err == "jwtlite: plaintext '-' is larger than 1048576 bytes\n"
    padded = "{}" + " " * (262144 + 4096 - 2)
    _ok(cli_run("encode", "--alg", "HS256", "--key", SECRET, "-", stdin=padded))
    over = cli_run("encode", "--alg", "HS256", "--key", SECRET, "-", stdin=padded + " ")
    assert over.err == "jwtlite: claims '-' is larger than 266240 bytes\n"


def test_encrypt_headers_and_decrypt_output(cli_run: Runner) -> None:
    dir_args = ("--alg", "dir", "--enc", "A128CBC-HS256")
    key = "A" * 43 + "B" * 0  # 32 octets of base64url
    token = _ok(cli_run("encrypt", *dir_args, "--key", key, "--cty", "JWT", "--typ", "JOSE",
                        "--kid", "k", "line\n")).out  # fmt: skip
    assert token.endswith("\n")
    assert token.count("\n") == 1
    result = _ok(cli_run("decrypt", *dir_args, "--key", key, "--header", token.strip()))
    header = {"alg": "dir", "enc": "A128CBC-HS256", "kid": "k", "cty": "JWT", "typ": "JOSE"}
    assert json.loads(result.err) == header
    assert result.err == json.dumps(json.loads(result.err), indent=2) + "\n"
    assert result.out == "line\n"
    quiet = _ok(cli_run("decrypt", *dir_args, "--key", key, token.strip()))
    assert (quiet.out, quiet.err) == ("line\n", "")
    bare = _ok(cli_run("encrypt", *dir_args, "--key", key, "x")).out.strip()
    result = _ok(cli_run("decrypt", *dir_args, "--key", key, "--header", bare))
    assert json.loads(result.err) == {"alg": "dir", "enc": "A128CBC-HS256"}


def test_decrypt_failure_word_for_word(cli_run: Runner) -> None:
    result = cli_run("decrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY, "a.b.c.d.e")
    assert result.code == 1
    assert result.err.startswith("jwtlite: invalid token: ")
    assert result.err.count("\n") == 1


def test_jwe_keys_by_form(cli_run: Runner, tmp_path: Path) -> None:
    # An oct JWK serves dir; base64url text with whitespace around it; the token from stdin.
    jwk = json.dumps({"kty": "oct", "k": AES_KEY})
    dir_args = ("--alg", "dir", "--enc", "A256GCM")
    token = _ok(cli_run("encrypt", *dir_args, "--key", jwk, "hi")).out.strip()
    assert _ok(cli_run("decrypt", *dir_args, "--key", f" {AES_KEY}\n", token)).out == "hi"
    from_stdin = _ok(cli_run("decrypt", *dir_args, "--key", AES_KEY, "-", stdin=f" {token}\n"))
    assert from_stdin.out == "hi"
    result = cli_run("encrypt", *dir_args, "--key", "[" * 100_000, "x")
    assert result.code == 2
    result = cli_run("encrypt", *dir_args, "--key", "{" * 100_000, "x")
    assert result.err == "jwtlite: the key is not valid JWK JSON\n"
    result = cli_run("encrypt", "--alg", "A128KW", "--enc", "A256GCM", "--key", "%%", "x")
    assert result.err == "jwtlite: a A128KW key is a JWK or base64url octets\n"
    # PBES2: the password with only its line end removed; " pw" is not "pw".
    password = tmp_path / "pw"
    password.write_bytes(b" pw \r\n")
    pbes2 = ("--alg", "PBES2-HS256+A128KW", "--enc", "A128GCM")
    token = _ok(cli_run("encrypt", *pbes2, "--key-file", str(password), "x")).out.strip()
    assert _ok(cli_run("decrypt", *pbes2, "--key", " pw ", token)).out == "x"
    _fails(cli_run("decrypt", *pbes2, "--key", "pw", token), 1, "invalid token")
    assert _pbes2_plaintext(token, b" pw ") == b"x"  # not the CLI's reading on both sides
    # RSA: PEM text, from a file.
    pem = tmp_path / "ec.pem"
    pem.write_bytes(key_pem("ec_p256.pem"))
    ecdh = ("--alg", "ECDH-ES+A128KW", "--enc", "A128GCM", "--key-file", str(pem))
    token = _ok(cli_run("encrypt", *ecdh, "x")).out.strip()
    assert _ok(cli_run("decrypt", *ecdh, token)).out == "x"


_NOT_JSON = "CLAIMS_JSON is not valid JSON"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["encode", "--alg", "HS256", "--key", SECRET, "{"], _NOT_JSON),
        (["encode", "--alg", "HS256", "--key", SECRET, "[" * 100_000], _NOT_JSON),
        (["encode", "--alg", "HS256", "--key", SECRET, "[]"], "CLAIMS_JSON must be a JSON object"),
    ],
)
def test_claims_refusals_word_for_word(cli_run: Runner, args: list[str], message: str) -> None:
    result = cli_run(*args)
    assert (result.code, result.out, result.err) == (2, "", f"jwtlite: {message}\n")


def test_claims_from_stdin_that_are_not_utf8(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Bytes that are not UTF-8 become U+FFFD rather than a traceback.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"a": "\xff\xfe"}')))
    assert cli.main(["encode", "--alg", "HS256", "--key", SECRET, "--no-iat", "-"]) == 0
    token = capsys.readouterr().out.strip()
    assert PyJWT().decode(token, SECRET, algorithms=["HS256"]) == {"a": "\ufffd\ufffd"}


def _usage_error(result: Result) -> str:
    assert (result.code, result.out) == (2, "")
    return result.err.splitlines()[-1]


def test_algorithm_names_word_for_word(cli_run: Runner) -> None:
    names = "HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, ES256K, EdDSA, Ed25519, Ed448"  # noqa: E501
    assert ", ".join(cli._ALGORITHMS) == names
    def encode(alg: str) -> str:
        return _usage_error(cli_run("encode", "--alg", alg, "--key", SECRET, "{}"))

    prefix = "jwtlite encode: error: argument --alg: "
    assert encode("NOPE") == f"{prefix}unknown algorithm 'NOPE'; choose from {names}"
    assert encode("es256k") == f"{prefix}unknown algorithm 'es256k'; did you mean ES256K?"
    assert encode("eddsa") == f"{prefix}unknown algorithm 'eddsa'; did you mean EdDSA?"
    assert encode("ED448") == f"{prefix}unknown algorithm 'ED448'; did you mean Ed448?"
    assert encode("HS25") == f"{prefix}unknown algorithm 'HS25'; did you mean HS256?"
    assert encode("NONE") == (
        f"{prefix}'none' makes unsigned tokens that anyone can forge (RFC 8725 §3.1); this tool "
        "only signs and verifies: pick a signing algorithm such as HS256 or ES256"
    )


def test_keygen_names_word_for_word(cli_run: Runner) -> None:
    prefix = "jwtlite keygen: error: argument ALG: "
    assert _usage_error(cli_run("keygen", "x448")) == (
        f"{prefix}unknown curve 'x448'; did you mean X448?"
    )
    assert _usage_error(cli_run("keygen", "X2551")) == (
        f"{prefix}unknown curve 'X2551'; did you mean X25519?"
    )
    assert _usage_error(cli_run("keygen", "X44")) == (
        f"{prefix}unknown curve 'X44'; did you mean X448?"
    )
    # Below the curves' cutoff (0.8, where X4 scores 0.67): an unknown algorithm, or a curve.
    assert _usage_error(cli_run("keygen", "X4")).startswith(
        f"{prefix}unknown algorithm 'X4'; choose from HS256, "
    )
    assert _usage_error(cli_run("keygen", "hs512")) == (
        f"{prefix}unknown algorithm 'hs512'; did you mean HS512? (or X25519, X448 for JWE keys)"
    )
    assert _usage_error(cli_run("keygen", "none")).endswith(
        "such as HS256 or ES256 (or X25519, X448 for JWE keys)"
    )


def test_jwe_names_word_for_word(cli_run: Runner) -> None:
    from jwtlite._jwa import ENCRYPTIONS, JWE_ALGORITHMS

    def encrypt(alg: str, enc: str) -> str:
        return _usage_error(cli_run("encrypt", "--alg", alg, "--enc", enc, "--key", "k", "x"))

    assert encrypt("ZZZ", "A256GCM") == (
        "jwtlite encrypt: error: argument --alg: unknown JWE alg 'ZZZ'; choose from "
        + ", ".join(JWE_ALGORITHMS)
    )
    assert encrypt("dir", "a128gcm") == (
        "jwtlite encrypt: error: argument --enc: unknown JWE enc 'a128gcm'; did you mean A128GCM?"
    )
    assert encrypt("dir", "A512GCM").startswith(
        "jwtlite encrypt: error: argument --enc: unknown JWE enc 'A512GCM'; did you mean A"
    )
    assert encrypt("dir", "XYZ").endswith("choose from " + ", ".join(ENCRYPTIONS))


def test_a_lone_surrogate_is_printed_as_its_escape_in_process(cli_run: Runner) -> None:
    token = _unsigned({"alg": "HS256"}, {"s": "a\ud800b", "n": "é"})
    result = _ok(cli_run("decode", "--no-verify", token))
    assert '"s": "a\\ud800b"' in result.out
    assert '"n": "é"' in result.out
    assert result.json()["claims"] == {"s": "a\ud800b", "n": "é"}


def test_times_are_utc_whatever_the_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is POSIX")
    monkeypatch.setenv("TZ", "EST+05EDT,M3.2.0,M11.1.0")
    time.tzset()
    try:
        assert cli._describe_time("exp", 0, 0) == "1970-01-01T00:00:00Z (expired 0 s ago)"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_one_read_of_the_limit_and_a_byte(
    cli_run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Never read(), which on an endless source never returns: one byte past the limit tells.
    sizes: list[int | None] = []

    class Source(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            sizes.append(size)
            return super().read(size)

    class Stdin:
        buffer = Source(b"{}")

    monkeypatch.setattr(sys, "stdin", Stdin())
    assert cli.main(["encode", "--alg", "HS256", "--key", SECRET, "-"]) == 0
    key_file = tmp_path / "key"
    key_file.write_text(SECRET)
    real_open = open

    def spying_open(path: str, mode: str) -> Any:
        handle = real_open(path, mode)
        return Source(handle.read())

    monkeypatch.setattr(cli, "open", spying_open, raising=False)
    _ok(cli_run("encode", "--alg", "HS256", "--key-file", str(key_file), "{}"))
    assert sizes == [262144 + 4096 + 1, (1 << 20) + 1]


def test_text_that_no_bytes_stand_for_in_jwe_commands(cli_run: Runner) -> None:
    result = cli_run("encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", "x\ud800", "p")
    assert (result.code, result.err) == (2, "jwtlite: the key is not valid text\n")
    result = cli_run("decrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY, "\ud800")
    assert (result.code, result.err) == (2, "jwtlite: the token is not valid text\n")


def test_a_password_loses_only_its_line_end(cli_run: Runner, tmp_path: Path) -> None:
    password = tmp_path / "pw"
    password.write_bytes(b"pwX\n")
    pbes2 = ("--alg", "PBES2-HS256+A128KW", "--enc", "A128GCM")
    token = _ok(cli_run("encrypt", *pbes2, "--key-file", str(password), "x")).out.strip()
    assert _ok(cli_run("decrypt", *pbes2, "--key", "pwX", token)).out == "x"
    assert _pbes2_plaintext(token, b"pwX") == b"x"


def _pbes2_plaintext(token: str, password: bytes) -> bytes:
    from jwtlite import jwe

    result = jwe.decrypt_complete(
        token, password, algorithms=["PBES2-HS256+A128KW"], encryptions=["A128GCM"]
    )
    return bytes(result.plaintext)


def test_a_token_from_stdin_that_is_not_ascii(cli_run: Runner) -> None:
    _fails(cli_run("decode", "--alg", "HS256", "--key", SECRET, "-", stdin="é.é.é"), 1,
           "invalid token")  # fmt: skip


def test_decode_judges_times_by_the_clock_it_describes(
    cli_run: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One "now" for the checks and the descriptions: a token that expired a minute ago is
    # valid by a clock an hour behind.
    real = float(int(time.time()))
    token = _hs_token(cli_run, "--no-iat", claims=json.dumps({"exp": int(real) - 60}))

    class Clock:
        @staticmethod
        def time() -> float:
            return real - 3600

    monkeypatch.setattr(cli, "time", Clock)
    out = _ok(cli_run("decode", "--alg", "HS256", "--key", SECRET, token)).json()
    assert out["times"]["exp"].endswith("(expires in 59 min)")


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_no_warning_for_a_device(cli_run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    # /dev/null is readable by all (0666) but is not a file: nothing is kept there.
    with open("/dev/null", "w", encoding="ascii") as handle:
        monkeypatch.setattr(sys, "stdout", handle)
        result = cli_run("keygen", "HS256")
    assert (result.code, result.err) == (0, "")


_KEY_HELP = [("--key KEY", "the key: an HMAC secret, or PEM/JWK text"),
             ("--key-file FILE", "read the key from FILE ('-': stdin)")]  # fmt: skip
#: What each command's --help shows: each option as typed, and what it says (docs/cli.md).
_HELP = {
    "encode": [
        ("--alg ALG", "JWS algorithm, e.g. HS256, ES256"), *_KEY_HELP,
        ("--exp DURATION", "lifetime, e.g. 15m"), ("--iss ISS", "issuer claim"),
        ("--sub SUB", "subject claim"), ("--aud AUD", "audience claim (repeatable)"),
        ("--typ TYP", "header typ, e.g. at+jwt"), ("--kid KID", "header kid"),
        ("--no-iat", "do not add an iat claim"), ("CLAIMS_JSON", "a JSON object ('-': stdin)"),
    ],
    "decode": [
        ("--alg ALG", "the one algorithm accepted"), *_KEY_HELP,
        ("--aud AUD", "expected audience"), ("--iss ISS", "expected issuer"),
        ("--typ TYP", "required header typ"), ("--leeway DURATION", ""),
        ("--no-verify", "skip ALL checks (unsafe)"), ("TOKEN", "the token ('-': stdin)"),
    ],
    "encrypt": [
        ("--alg ALG", "key management, e.g. dir"), ("--enc ENC", "content, e.g. A256GCM"),
        *_KEY_HELP, ("--kid KID", "header kid"), ("--cty CTY", "header cty, e.g. JWT"),
        ("--typ TYP", "header typ"), ("--zip", 'compress first (zip "DEF")'),
        ("PLAINTEXT", "the text to encrypt (default '-': stdin)"),
    ],
    "decrypt": [
        ("--alg ALG", "the one alg accepted"), ("--enc ENC", "the one enc accepted"), *_KEY_HELP,
        ("--header", "also print the header (stderr)"),
        ("TOKEN", "the JWE, compact or JSON ('-': stdin)"),
    ],
    "keygen": [
        ("ALG", "JWS algorithm the key is for, or X25519/X448 (ECDH-ES)"),
        ("--jwk", "print a JWK instead of PEM"),
    ],
    "jwk": [("PEMFILE", ""), ("--public", "export only the public key")],
}  # fmt: skip
_COMMANDS = {
    "encode": "sign claims and print the token",
    "decode": "verify a token and print header and claims",
    "encrypt": "encrypt a plaintext and print the JWE",
    "decrypt": "decrypt a JWE and print its plaintext",
    "keygen": "print a new private key (PEM) or secret",
    "jwk": "convert a key file to JWK and show its thumbprint",
}


def _help(cli_run: Runner, *command: str) -> str:
    result = cli_run(*command, "--help")
    assert (result.code, result.err) == (0, "")
    return " ".join(result.out.split())


def test_help_texts(cli_run: Runner) -> None:
    top = _help(cli_run)
    assert top.startswith("usage: jwtlite [-h] [--version] COMMAND ... Create and inspect JWTs.")
    for command, summary in _COMMANDS.items():
        assert f"{command} {summary}" in top
    checked = 0
    for command, rows in _HELP.items():
        text = _help(cli_run, command)
        assert text.startswith(f"usage: jwtlite {command} [-h] ")
        for usage, help_text in rows:
            assert f"{usage} {help_text}".strip() in text, (command, usage)
            checked += 1
    assert checked == 39


def test_version(cli_run: Runner) -> None:
    from jwtlite import __version__

    result = cli_run("--version")
    assert (result.code, result.out, result.err) == (0, f"jwtlite {__version__}\n", "")


def test_encode_without_claims_signs_an_empty_object(cli_run: Runner) -> None:
    token = _ok(cli_run("encode", "--alg", "HS256", "--key", SECRET, "--no-iat")).out.strip()
    assert PyJWT().decode(token, SECRET, algorithms=["HS256"]) == {}


def test_no_leeway_by_default(cli_run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    now = float(int(time.time()))
    token = _hs_token(cli_run, "--no-iat", claims=json.dumps({"exp": int(now)}))

    class Clock:
        @staticmethod
        def time() -> float:
            return now

    monkeypatch.setattr(cli, "time", Clock)
    _fails(cli_run("decode", "--alg", "HS256", "--key", SECRET, token), 1, "expired 0 s ago")
    _ok(cli_run("decode", "--alg", "HS256", "--key", SECRET, "--leeway", "1", token))


def test_exp_zero_warning_word_for_word(cli_run: Runner) -> None:
    result = _ok(cli_run("encode", "--alg", "HS256", "--key", SECRET, "--exp", "0", "{}"))
    assert result.err == (
        "jwtlite: warning: --exp 0 makes a token that is already expired when issued\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["encode", "--alg", "HS256", "--key", SECRET, "--iss", "\udcff", "{}"],
        ["encode", "--alg", "HS256", "--key", SECRET, "--sub", "\udcff", "{}"],
        ["encode", "--alg", "HS256", "--key", SECRET, "--aud", "\udcff", "{}"],
        ["encode", "--alg", "HS256", "--key", SECRET, "--typ", "\udcff", "{}"],
        ["decode", "--alg", "HS256", "--key", SECRET, "--aud", "\udcff", "a.b.c"],
        ["decode", "--alg", "HS256", "--key", SECRET, "--iss", "\udcff", "a.b.c"],
        ["decode", "--alg", "HS256", "--key", SECRET, "--typ", "\udcff", "a.b.c"],
        ["encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY, "--kid", "\udcff", "x"],
        ["encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY, "--cty", "\udcff", "x"],
        ["encrypt", "--alg", "dir", "--enc", "A256GCM", "--key", AES_KEY, "--typ", "\udcff", "x"],
    ],
)
def test_every_text_option_refuses_what_is_not_utf8(cli_run: Runner, args: list[str]) -> None:
    option = args[args.index("\udcff") - 1]
    assert _usage_error(cli_run(*args)) == (
        f"jwtlite {args[0]}: error: argument {option}: not valid UTF-8 text: '\\udcff'"
    )


@pytest.mark.parametrize("command", ["encrypt", "decrypt"])
def test_jwe_commands_require_alg_enc_and_key(cli_run: Runner, command: str) -> None:
    full = {"--alg": "dir", "--enc": "A256GCM", "--key": AES_KEY}
    for missing in full:
        args = [part for name, value in full.items() if name != missing for part in (name, value)]
        error = _usage_error(cli_run(command, *args, "x"))
        wanted = {
            "--alg": "the following arguments are required: --alg",
            "--enc": "the following arguments are required: --enc",
            "--key": "one of the arguments --key --key-file is required",
        }[missing]
        assert error == f"jwtlite {command}: error: {wanted}"
    prefix = f"jwtlite {command}: error: argument"
    unknown_alg = cli_run(command, "--alg", "ZZZ", "--enc", "A256GCM", "--key", AES_KEY, "x")
    assert _usage_error(unknown_alg).startswith(f"{prefix} --alg: unknown JWE alg 'ZZZ'")
    unknown_enc = cli_run(command, "--alg", "dir", "--enc", "ZZZ", "--key", AES_KEY, "x")
    assert _usage_error(unknown_enc).startswith(f"{prefix} --enc: unknown JWE enc 'ZZZ'")


def test_jwk_usage_names_the_key_file(cli_run: Runner) -> None:
    assert "usage: jwtlite jwk [-h] [--public] PEMFILE " in _help(cli_run, "jwk") + " "
