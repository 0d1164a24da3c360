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


def test_broken_pipe_exits_quietly(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """`jwtlite keygen HS256 | head -c0`: the reader is gone; no traceback, exit 141."""
    import os

    from jwtlite import cli

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def flush(self) -> None:
            raise BrokenPipeError

        def fileno(self) -> int:
            return fd

    fd = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT)
    try:
        monkeypatch.setattr("sys.stdout", ClosedPipe())
        assert cli.main(["keygen", "HS256"]) == 141
    finally:
        os.close(fd)


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
