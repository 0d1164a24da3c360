"""What the revocation store tests share: a builder of memory and SQLite stores on one clock
(each test file wraps it in its own ``make`` fixture) and the text of the error a call raises.

The tests are split by store: test_revocation_contract.py (every store, Redis included),
test_revocation_purge.py, test_revocation_memory.py, test_revocation_sqlite.py and
test_revocation_sqlite_busy.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import FakeClock

from jwtlite.exceptions import InvalidArgumentError
from jwtlite.revocation import MemoryStore, SQLiteStore


def store_maker(clock: FakeClock) -> Iterator[Callable[..., MemoryStore | SQLiteStore]]:
    """Yield a builder of memory or SQLite stores with a purge policy; SQLite stores are
    closed after (a fixture's body: ``yield from store_maker(clock)``)."""
    opened: list[SQLiteStore] = []

    def build(kind: str, **policy: Any) -> MemoryStore | SQLiteStore:
        if kind == "memory":
            return MemoryStore(clock=clock, **policy)
        opened.append(SQLiteStore(":memory:", clock=clock, **policy))
        return opened[-1]

    yield build
    for store in opened:
        store.close()


def error_text(
    call: Callable[..., object],
    *args: Any,
    error: type[Exception] = InvalidArgumentError,
    **kwargs: Any,
) -> str:
    """The text of the error ``call(*args, **kwargs)`` raises."""
    with pytest.raises(error) as caught:
        call(*args, **kwargs)
    return str(caught.value)
