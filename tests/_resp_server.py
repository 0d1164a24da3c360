"""A tiny Redis-protocol (RESP) server on loopback that misbehaves on purpose.

Not a mock of the client: redis-py connects to it over a real TCP socket, as it would to a
broken or hostile Redis server. It answers every command with ``+OK`` (so the client's
connection set-up passes), except the commands the test scripts: a fixed reply (of the wrong
type or size), or a reply dripped one byte at a time. A drip stops by itself ``drip_for``
seconds after the server started, and the server's threads end when the ``with`` block does.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType
from typing import BinaryIO

# HELLO's answer: a RESP3 map with the one field redis-py checks.
_HELLO = b"%1\r\n$5\r\nproto\r\n:3\r\n"


def _command(reader: BinaryIO) -> list[bytes] | None:
    """One command as redis-py sends it (an array of bulk strings), or None at the end."""
    header = reader.readline()
    if not header.startswith(b"*"):
        return None
    arguments = []
    for _ in range(int(header[1:])):
        length = int(reader.readline()[1:])
        arguments.append(reader.read(length + 2)[:-2])
    return arguments


class MisbehavingRedis:
    """``replies`` maps a command name (``b"GET"``) to the raw bytes sent back; ``drip`` maps
    one to bytes sent one at a time, ``interval`` seconds apart."""

    def __init__(self, *, interval: float = 0.05, drip_for: float = 2.0) -> None:
        self.replies: dict[bytes, bytes] = {}
        self.drip: dict[bytes, bytes] = {}
        self.interval = interval
        self.commands: list[bytes] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._drip_until = time.monotonic() + drip_for
        self._threads: list[threading.Thread] = []
        self._connections: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> MisbehavingRedis:
        self._start(self._accept)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        # A connection of our own wakes the accept() call, which then sees the stop flag.
        socket.create_connection(("127.0.0.1", self.port), timeout=5).close()
        for connection in list(self._connections):
            # shutdown() wakes a thread blocked reading it; close() alone would not.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            connection, _ = self._listener.accept()
            if self._stop.is_set():
                connection.close()
                return
            self._connections.append(connection)
            self._start(self._serve, connection)

    def _serve(self, connection: socket.socket) -> None:
        resp3 = False
        try:
            with connection, connection.makefile("rb") as reader:
                while (command := _command(reader)) is not None:
                    name = command[0].upper()
                    self.commands.append(name)
                    if name in self.drip:
                        self._drip(connection, self.drip[name])
                        return
                    if name == b"HELLO":  # newer redis-py asks for RESP3 on connecting
                        resp3 = command[1:2] == [b"3"]
                        connection.sendall(_HELLO if resp3 else b"-ERR unknown command\r\n")
                        continue
                    reply = self.replies.get(name, b"+OK\r\n")
                    # The tests write RESP2 replies; RESP3 spells a null "_".
                    connection.sendall(reply.replace(b"$-1\r\n", b"_\r\n") if resp3 else reply)
        except (OSError, ValueError):
            return  # the client hung up, or the test ended

    def _drip(self, connection: socket.socket, reply: bytes) -> None:
        for index in range(len(reply)):
            if time.monotonic() > self._drip_until or self._stop.wait(self.interval):
                return  # stop by itself; closing the connection ends the client's read
            connection.sendall(reply[index : index + 1])
