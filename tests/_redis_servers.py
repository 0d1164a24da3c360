"""Real Redis servers for the tests: one server, or a 3-master Redis Cluster, on loopback.

Each server runs ``redis-server`` in its own temporary directory on a free loopback port and is
stopped at the end. Without ``redis-server`` (or the ``redis`` client package) the tests that
need one are skipped, unless ``CI=true`` or ``JWTLITE_REQUIRE_REDIS=1``: then they fail, so CI
cannot go green by skipping them. tests/conftest.py imports the fixtures, so one server and
one cluster serve the whole run.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

READY = b"Ready to accept connections"
START_TIMEOUT = 15.0


def require_redis() -> None:
    """Skip (or, in CI, fail) unless redis-server, redis-cli and the redis package exist."""
    missing = [tool for tool in ("redis-server", "redis-cli") if shutil.which(tool) is None]
    if importlib.util.find_spec("redis") is None:
        missing.append("the redis Python package")
    if not missing:
        return
    message = f"Redis tests need {', '.join(missing)}"
    if os.environ.get("CI") == "true" or os.environ.get("JWTLITE_REQUIRE_REDIS") == "1":
        pytest.fail(message + " (required here: CI=true or JWTLITE_REQUIRE_REDIS=1)")
    pytest.skip(message)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class _PortTakenError(Exception):
    """redis-server could not bind its port: another process took it first."""


class RedisServer:
    """One ``redis-server`` process; ``start``/``stop``/``kill`` keep its port and directory."""

    def __init__(
        self, directory: Path, *options: str, config: Path | None = None, ready: bytes = READY
    ) -> None:
        self.directory = directory
        self.config = config
        self.ready = ready
        self.port = free_port()
        self.options = options
        self.process: subprocess.Popen[bytes] | None = None
        self.started_once = False
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # A free port can be taken between free_port() and the server's bind (CI runs several
        # suites at once): a first start moves to another port; a restart keeps its port.
        for _ in range(3):
            try:
                self._start()
            except _PortTakenError:
                if self.started_once:
                    raise
                self.port = free_port()
                continue
            self.started_once = True
            return
        raise RuntimeError("redis-server found no free port in three tries")

    def _start(self) -> None:
        command = [
            "redis-server",
            *([str(self.config)] if self.config else []),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--save", "",
            "--daemonize", "no",
            "--loglevel", "notice",
            *self.options,
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.process = process
        # The log line, not a sleep, says when the server is ready; a timer kills a server
        # that never gets there, which ends the read loop with EOF.
        watchdog = threading.Timer(START_TIMEOUT, process.kill)
        watchdog.start()
        log = b""
        try:
            assert process.stdout is not None
            for line in process.stdout:
                log += line
                if self.ready in line:
                    break
            else:
                # The server has ended (EOF): reap it and close its pipe, or the pipe is closed
                # by the garbage collector at some later test, as a ResourceWarning there.
                self.process = None
                process.wait(timeout=15)
                process.stdout.close()
                if b"Address already in use" in log:
                    raise _PortTakenError(self.port)
                raise RuntimeError(f"redis-server did not start:\n{log.decode(errors='replace')}")
        finally:
            watchdog.cancel()
        # Keep draining the log so the server never blocks on a full pipe.
        threading.Thread(target=self._drain, args=(process,), daemon=True).start()

    @staticmethod
    def _drain(process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for _ in process.stdout:
            pass

    def _end(self, sig: int) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
        process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM)."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """Crash: SIGKILL, no chance to flush anything."""
        self._end(signal.SIGKILL)


def _cluster_ready(ports: list[int]) -> bool:
    import redis

    for port in ports:
        with redis.Redis(port=port, socket_timeout=2) as client:
            info = client.execute_command("CLUSTER", "INFO")
            text = info.decode() if isinstance(info, bytes) else str(info)
            if "cluster_state:ok" not in text:
                return False
    return True


class RedisCluster:
    """Three masters with ``--cluster-enabled yes``, joined by ``redis-cli --cluster create``."""

    def __init__(self, directory: Path) -> None:
        self.nodes = [
            RedisServer(
                directory / f"node{n}",
                "--cluster-enabled",
                "yes",
                "--cluster-port",
                str(free_port()),
                "--cluster-node-timeout",
                "2000",
                "--appendonly",
                "no",
            )
            for n in range(3)
        ]

    @property
    def url(self) -> str:
        return self.nodes[0].url

    def start(self) -> None:
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *addresses,
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        # Gossip spreads the new slot map within a moment; wait until every node agrees.
        deadline = time.monotonic() + START_TIMEOUT
        while not _cluster_ready([node.port for node in self.nodes]):
            if time.monotonic() > deadline:
                raise RuntimeError("Redis Cluster did not reach cluster_state:ok")
            time.sleep(0.05)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def flush(url: str, *, cluster: bool = False) -> None:
    """Empty every database of the server (or of every cluster master)."""
    import redis
    from redis.cluster import RedisCluster as ClusterClient

    if cluster:
        with ClusterClient.from_url(url) as client:
            client.flushall(target_nodes=ClusterClient.PRIMARIES)
    else:
        with redis.Redis.from_url(url) as client:
            client.flushall()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One shared server for the whole run; tests flush it before use."""
    require_redis()
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """One shared 3-master cluster for the whole run; tests flush it before use."""
    require_redis()
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server's URL, emptied for this test."""
    flush(redis_server.url)
    return redis_server.url


@pytest.fixture
def redis_cluster_url(redis_cluster: RedisCluster) -> str:
    """The shared cluster's URL, emptied for this test."""
    flush(redis_cluster.url, cluster=True)
    return redis_cluster.url
