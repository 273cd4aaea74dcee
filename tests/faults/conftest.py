import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import RedisServer


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own (the stack's cache and broker), which it may stop."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        # The stack's claim on a database of this Redis (a lock file per server and number):
        # the port was this test's alone, so nobody else holds these.
        for lock in Path(tempfile.gettempdir()).glob(f"assistant-stack-redis-127.0.0.1-{server.port}-*.lock"):
            with contextlib.suppress(OSError):
                lock.unlink()
